// The log: current checkpoint, tree size over time, consistency between checkpoints seen,
// witness cosignatures, this node's own witnessing, and fork evidence.
import { h, replace, fmtTime, code, fields, table, unavailable, witnessTable } from './dom.js';
import { api } from './api.js';
import { lineChart } from './chart.js';
import { logState, onLogUpdate, whenLogReady } from './logwatch.js';
import { cosignatures, b64encode } from './verify.js';
import { recentReceipts } from './logentries.js';
import { receiptTable, modelNames } from './page-receipts.js';

export async function render(view, ctx) {
  const cpBox = h('div', { id: 'log-checkpoint' });
  const chartBox = h('div', { id: 'log-chart' });
  const consBox = h('p', { id: 'log-consistency', class: 'muted' });
  const cosBox = h('div', { id: 'log-cosignatures' });
  const historyBox = h('div', { id: 'log-history' });
  const witnessBox = h('div', { id: 'log-witness' });
  const forksBox = h('div', { id: 'log-forks' });
  const entriesBox = h('div', { id: 'log-entries' });
  replace(
    view,
    h('h1', null, 'Transparency log'),
    h('p', { class: 'lead' }, 'This node appends every receipt to an RFC 9162 Merkle log and publishes signed C2SP checkpoints. The page checks each new checkpoint\u2019s signature and its consistency with the previous one.'),
    h('div', { class: 'grid2' }, h('section', { class: 'card' }, h('h2', null, 'Current checkpoint'), cpBox), h('section', { class: 'card' }, h('h2', null, 'Tree size over time'), chartBox, consBox)),
    h('section', { class: 'card' }, h('h2', null, 'Checkpoints seen in this visit'), historyBox),
    h('section', { class: 'card' }, h('h2', null, 'Witness cosignatures on the current checkpoint'), cosBox),
    h('section', { class: 'card' }, h('h2', null, 'Forks detected'), forksBox),
    h('section', { class: 'card' }, h('h2', null, 'This node as a witness'), witnessBox),
    h('section', { class: 'card' }, h('h2', null, 'Newest entries'), entriesBox),
  );
  const draw = (st) => {
    if (!ctx.alive) return;
    if (!st.latest) {
      replace(cpBox, st.error ? h('p', { class: 'error' }, st.error) : 'Waiting for the first checkpoint…');
      return;
    }
    const L = st.latest;
    replace(
      cpBox,
      fields([
        ['Origin', code(L.origin), 'origin'],
        ['Tree size', String(L.size), 'treeSize'],
        ['Root hash', code(b64encode(L.root), 'digest'), 'root'],
        ['Signature', h('span', { class: 'ok-text' }, 'verified (Ed25519, this node\u2019s log key)'), 'signature'],
        ['Fetched', fmtTime(L.time)],
      ]),
      h('details', null, h('summary', null, 'Signed note'), h('pre', { class: 'note' }, L.note)),
    );
    replace(chartBox, lineChart(st.samples, { title: `Tree size over time; now ${L.size}`, id: 'tree-size-chart' }));
    const fails = st.consistencyFailures;
    consBox.className = fails.length ? 'error' : 'muted';
    consBox.textContent = fails.length
      ? `Inconsistent checkpoints seen: ${fails.map((f) => `${f.from}→${f.to}: ${f.reason}`).join('; ')}`
      : st.consistencyChecks
        ? `${st.consistencyChecks} consistency proof${st.consistencyChecks === 1 ? '' : 's'} checked in this page since it opened, the last from size ${st.lastConsistency.from} to ${st.lastConsistency.to}: consistent.`
        : 'No growth seen yet in this visit; each new checkpoint will be checked against the previous one.';
    replace(
      historyBox,
      table(
        ['Seen at', 'Tree size', 'Root hash', 'Signatures', 'Checked against the previous one'],
        st.checkpoints
          .slice(-10)
          .reverse()
          .map((c) => h('tr', null, h('td', null, fmtTime(c.time)), h('td', { class: 'num' }, String(c.size)), h('td', null, code(b64encode(c.root), 'digest')), h('td', { class: 'num' }, String(c.signatures)), h('td', { class: /INCONSISTENT/.test(c.relation) ? 'error' : null }, c.relation))),
        { class: 'data', id: 'checkpoint-history' },
      ),
    );
    const cos = cosignatures(L.note, L.origin);
    replace(
      cosBox,
      cos.length
        ? witnessTable(cos, 'witness-table')
        : h('p', { class: 'muted' }, 'No witness has cosigned the current checkpoint yet. Witnesses configured on peer nodes cosign it when they poll this log.'),
    );
  };
  draw(logState());
  ctx.onStop(onLogUpdate(draw));
  await whenLogReady();
  ctx.every(4000, async () => {
    const [w, cosigned, forks] = await Promise.all([api.witness(), api.cosigned(), api.forks()]);
    replace(
      forksBox,
      forks.forks.length === 0
        ? h('p', { class: 'ok-text', id: 'no-forks' }, 'No fork evidence: every peer log this node witnessed stayed consistent.')
        : h('ol', { id: 'fork-list' }, forks.forks.map((f) => h('li', null, h('pre', { class: 'note' }, JSON.stringify(f, null, 2))))),
    );
    const pinned = Object.entries(w.pinned || {});
    replace(
      witnessBox,
      fields([
        ['Witness key', code(w.witness, 'wrap'), 'witnessKey'],
        ['Configured peers', (w.configuredPeers || []).length ? w.configuredPeers.join(', ') : 'none'],
      ]),
      pinned.length ? table(['Peer', 'Log origin', 'Log key'], pinned.map(([url, p]) => h('tr', null, h('td', null, url), h('td', null, code(p.origin)), h('td', null, code(p.logKey, 'wrap')))), { class: 'data' }) : null,
      h('h3', null, 'Checkpoints of other logs this node cosigned'),
      cosigned.checkpoints.length ? cosigned.checkpoints.map((c) => h('pre', { class: 'note' }, c)) : h('p', { class: 'muted' }, 'None yet.'),
    );
    const st = logState();
    if (st.latest) {
      const size = Number(st.latest.size);
      if (entriesBox.dataset.size !== String(size)) {
        const rows = size === 0 ? [] : await recentReceipts(size, 10);
        entriesBox.dataset.size = String(size);
        replace(entriesBox, rows.length ? receiptTable(rows, size, await modelNames()) : unavailable('The log is empty', 'No receipt has been logged yet.'));
      }
    }
  });
}
