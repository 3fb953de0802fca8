// Nodes: this node's identity, health as observed by the page, models and receipts it serves.
// Stake, audits and other nodes come from the network registry once the node exposes it.
import { h, replace, fmtTime, code, fields, table, unavailable } from './dom.js';
import { api, json, findGetPaths, ApiError } from './api.js';
import { logState } from './logwatch.js';

const observed = { polls: 0, ok: 0, since: Date.now(), lastOk: null, lastLatencyMs: null };

export async function render(view, ctx) {
  const card = h('div', { id: 'node-identity' });
  const health = h('div', { id: 'node-health' });
  const modelsBox = h('div', { id: 'node-models' });
  const stakeBox = h('div', { id: 'node-stake' });
  const peersBox = h('div', { id: 'node-peers' });
  replace(
    view,
    h('h1', null, 'Nodes'),
    h('p', { class: 'lead' }, 'The nodes this explorer can see. A node reports itself through its public API; network-wide data (stake, audits, other operators) comes from the settlement registry.'),
    h('div', { class: 'grid2' }, h('section', { class: 'card' }, h('h2', null, `This node (${location.host})`), card), h('section', { class: 'card' }, h('h2', null, 'Health'), health)),
    h('section', { class: 'card' }, h('h2', null, 'Models served'), modelsBox),
    h('section', { class: 'card' }, h('h2', null, 'Other nodes this node witnesses'), peersBox),
    h('section', { class: 'card' }, h('h2', null, 'Stake, audits and other nodes'), stakeBox),
  );
  // Node registry endpoints (not /v1/network/decentralization, which has its own page).
  const registry = await findGetPaths(/^GET \/v1\/(network\/nodes|nodes|registry|stake|audits)(\/|$)/);
  if (registry.length === 0) {
    replace(
      stakeBox,
      unavailable(
        'Not available on this node yet',
        'Stake, unbonding, heartbeats, audits passed and failed, and the list of other nodes live in the on-chain node registry. This node\u2019s API does not expose them yet, so the explorer shows nothing rather than guessing.',
      ),
    );
  } else {
    replace(stakeBox, h('p', null, 'The node documents these network endpoints: '), h('ul', null, registry.map((p) => h('li', null, code(p)))), h('div', { id: 'registry-data' }));
    const first = registry.find((p) => !p.includes('{'));
    if (first) {
      try {
        const data = await json(first);
        stakeBox.querySelector('#registry-data').appendChild(h('pre', { class: 'note' }, JSON.stringify(data, null, 2)));
      } catch (e) {
        // 503: documented, but this node cannot read the chain now (for example it has none).
        if (e instanceof ApiError && e.status === 503) replace(stakeBox, unavailable('Not available on this node yet', 'The node has the endpoint but cannot answer it now:', `${first}: ${e.message}`));
        else stakeBox.querySelector('#registry-data').appendChild(h('p', { class: 'error' }, e.message));
      }
    }
  }
  ctx.every(3000, async () => {
    const t0 = performance.now();
    observed.polls++;
    const [hl, node, models, w] = await Promise.all([api.health(), api.node(), api.models(), api.witness()]);
    observed.ok++;
    observed.lastOk = Date.now();
    observed.lastLatencyMs = Math.round(performance.now() - t0);
    replace(
      card,
      fields([
        ['Endpoint', code(location.origin), 'endpoint'],
        ['Receipt address', code(node.address), 'address'],
        ['Log origin', code(node.origin), 'origin'],
        ['Log key', code(node.logKey, 'wrap'), 'logKey'],
        ['Chain id', String(node.chainId), 'chainId'],
        ['Verifying contract', code(node.verifyingContract), 'verifyingContract'],
        ['Receipts served', String(node.logSize), 'receiptsServed'],
        ['Models served', String(models.data.length), 'modelsServed'],
      ]),
    );
    const st = logState();
    replace(
      health,
      fields([
        ['Status', h('span', { class: hl.status === 'ok' ? 'ok-text' : 'error' }, hl.status), 'status'],
        ['Version', hl.version, 'version'],
        ['Max upload', `${hl.maxUploadBytes} bytes`],
        ['Observed by this page', `${observed.ok} of ${observed.polls} polls answered since ${fmtTime(observed.since)}`, 'observed'],
        ['Last answer', `${fmtTime(observed.lastOk)} in ${observed.lastLatencyMs} ms`],
        ['Log checks', st.consistencyFailures.length ? `${st.consistencyFailures.length} inconsistent checkpoint(s)!` : `${st.consistencyChecks} consistency proof(s) verified`],
      ]),
      h('p', { class: 'muted small' }, 'Uptime over longer periods comes from registry heartbeats, which this node does not expose yet.'),
    );
    const pinned = Object.entries(w.pinned || {});
    const configured = (w.configuredPeers || []).filter((u) => !(u in (w.pinned || {})));
    replace(
      peersBox,
      pinned.length || configured.length
        ? [
            h('p', { class: 'muted' }, 'Peers whose logs this node checks and cosigns. Their explorers are on their own addresses; this page talks only to this node.'),
            table(
              ['Node', 'Log origin', 'Log key'],
              [
                ...pinned.map(([url, p]) => h('tr', { dataset: { peer: url } }, h('td', null, /^https?:\/\//.test(url) ? h('a', { href: `${url.replace(/\/$/, '')}/explorer/`, rel: 'noopener noreferrer' }, url) : url), h('td', null, code(p.origin)), h('td', null, code(p.logKey, 'wrap')))),
                ...configured.map((url) => h('tr', { dataset: { peer: url } }, h('td', null, url), h('td', { class: 'muted' }, 'not witnessed yet'), h('td', null, '–'))),
              ],
              { class: 'data', id: 'peers-table' },
            ),
          ]
        : h('p', { class: 'muted' }, 'This node witnesses no other node yet (no configured or pinned peers).'),
    );
    replace(
      modelsBox,
      models.data.length
        ? table(['Model', 'Manifest digest'], models.data.map((m) => h('tr', null, h('td', null, h('a', { href: `#/models/${encodeURIComponent(m.digest)}` }, m.id)), h('td', null, code(m.digest, 'digest')))), { class: 'data' })
        : h('p', { class: 'muted' }, 'No models published yet.'),
    );
  });
}

export { observed };
