// Disputes, slashes and decentralization: network-wide data from settlement. Each page looks in
// the node's OpenAPI document for the endpoints and shows an honest empty state until they exist.
import { h, replace, code, unavailable, table } from './dom.js';
import { json, findGetPaths, ApiError } from './api.js';
import { shareBars } from './chart.js';

function listOf(doc) {
  if (Array.isArray(doc)) return doc;
  for (const k of ['data', 'items', 'disputes', 'slashes', 'operators', 'results']) if (Array.isArray(doc && doc[k])) return doc[k];
  return null;
}

function genericTable(rows, id) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r || {})))].slice(0, 8);
  return table(cols, rows.map((r) => h('tr', null, cols.map((c) => h('td', null, typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c] ?? '–'))))), { class: 'data', id });
}

async function showEndpoints(box, paths, emptyTitle) {
  for (const p of paths.filter((x) => !x.includes('{'))) {
    let doc;
    try {
      doc = await json(p);
    } catch (e) {
      // 503: documented, but this node cannot read the chain now (for example it has none).
      if (!(e instanceof ApiError) || e.status !== 503) throw e;
      box.appendChild(unavailable('Not available on this node yet', 'The node has the endpoint but cannot answer it now:', `${p}: ${e.message}`));
      continue;
    }
    const rows = listOf(doc);
    box.appendChild(h('h3', null, code(p)));
    if (rows && rows.length === 0) box.appendChild(unavailable(emptyTitle, 'The node reports none.'));
    else if (rows) box.appendChild(genericTable(rows));
    else box.appendChild(h('pre', { class: 'note' }, JSON.stringify(doc, null, 2)));
  }
}

export async function renderDisputes(view, ctx) {
  const box = h('div', { id: 'disputes' });
  replace(
    view,
    h('h1', null, 'Disputes and slashes'),
    h('p', { class: 'lead' }, 'A receipt that an audit contradicts becomes an on-chain dispute: bonds, bisection over committed traces, a referee verdict, and slashing of the party that lied.'),
    h('section', { class: 'card' }, box),
  );
  const paths = await findGetPaths(/^GET \/v1\/(disputes|slashes|slashing|audits)(\/|$)/);
  if (paths.length === 0) {
    replace(
      box,
      unavailable(
        'Not available on this node yet',
        'This node\u2019s API has no dispute or slashing endpoints yet (they arrive with the settlement contracts). No disputes are shown because none can be read — not because none exist.',
      ),
    );
    return;
  }
  ctx.every(5000, async () => {
    replace(box);
    await showEndpoints(box, paths, 'No disputes');
  });
}

export async function renderDecentralization(view, ctx) {
  const box = h('div', { id: 'decentralization' });
  replace(
    view,
    h('h1', null, 'Decentralization'),
    h('p', { class: 'lead' }, 'How concentrated the network is: the Nakamoto coefficient (the fewest operators that together control more than half) for served compute and audit assignments, and each operator\u2019s share.'),
    h('section', { class: 'card' }, box),
  );
  // The node's audit feature serves this (503 without a chain); it is probed even if a node's
  // OpenAPI document lacks it, and any other documented measurement is shown too.
  const documented = await findGetPaths(/decentrali|nakamoto|operators/i);
  const paths = [...new Set(['/v1/network/decentralization', ...documented])];
  const draw = (docs) => {
    const down = docs.filter(([, d]) => d instanceof ApiError);
    if (docs.length === 0) {
      replace(
        box,
        unavailable(
          'Not available on this node yet',
          'This node\u2019s API does not publish network measurements yet. A single node cannot measure the network by itself; these figures come from the registry of staked operators.',
        ),
      );
    } else if (down.length === docs.length) {
      // Documented, but this node cannot compute it now (for example it is not joined to a chain).
      replace(box, unavailable('Not available on this node yet', 'The node has the endpoint but cannot answer it now:', ...down.map(([p, e]) => `${p}: ${e.message}`)));
    } else {
      replace(box);
      for (const [p, doc] of docs) box.appendChild(doc instanceof ApiError ? h('p', { class: 'error' }, `${p}: ${doc.message}`) : decentralizationView(p, doc));
    }
  };
  // Keeps asking: a node that joins a chain later starts answering without a reload.
  ctx.every(5000, async () => draw(await probe(paths)));
}

/** [path, document or ApiError] for each path that exists on this node (404s are left out). */
async function probe(paths) {
  const out = [];
  for (const p of paths.filter((x) => !x.includes('{'))) {
    try {
      out.push([p, await json(p)]);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 404 || e.status === 405) continue;
      out.push([p, e]);
    }
  }
  return out;
}

const pct = (x) => `${(x * 100).toFixed(1)} %`;

/** One distribution of GET /v1/network/decentralization: {basis, nakamoto…, operators, shares}. */
function distributionView(title, d, id) {
  const shares = Array.isArray(d.shares) ? d.shares : [];
  return h(
    'section',
    { class: 'distribution', dataset: { distribution: id } },
    h('h3', null, title),
    d.basis ? h('p', { class: 'muted' }, d.basis) : null,
    h(
      'div',
      { class: 'figures' },
      typeof d.nakamotoOneHalf === 'number' ? h('p', { class: 'figure', dataset: { figure: `${id}-half` } }, h('span', { class: 'big' }, String(d.nakamotoOneHalf)), ' Nakamoto coefficient (fewest operators holding more than half)') : null,
      typeof d.nakamotoOneThird === 'number' ? h('p', { class: 'figure', dataset: { figure: `${id}-third` } }, h('span', { class: 'big' }, String(d.nakamotoOneThird)), ' operators hold more than a third') : null,
      typeof d.operators === 'number' ? h('p', { class: 'figure' }, h('span', { class: 'big' }, String(d.operators)), ' operators') : null,
    ),
    shares.length
      ? [
          shareBars(shares.map((r) => ({ label: r.operator, value: Number(r.share) || 0 })), { title: `${title}: share per operator`, id: `${id}-shares` }),
          table(['Operator', 'Weight (wei)', 'Share'], shares.map((r) => h('tr', null, h('td', null, code(String(r.operator))), h('td', { class: 'num' }, String(r.weightWei ?? '–')), h('td', { class: 'num' }, pct(Number(r.share) || 0)))), { class: 'data' }),
        ]
      : h('p', { class: 'muted' }, 'No staked operator in this distribution.'),
  );
}

/**
 * One decentralization document as the node reports it: numeric fields named like "nakamoto…"
 * as figures, and a list of {operator|name|address|id, share|computeShare|fraction} as bars.
 */
export function decentralizationView(path, doc) {
  const out = h('div', { class: 'decentralization-doc' }, h('p', { class: 'muted small' }, 'From ', code(path), typeof (doc && doc.capBps) === 'number' ? `; per-operator cap for audit draws: ${(doc.capBps / 100).toFixed(2)} % of total stake` : ''));
  if (doc && typeof doc.compute === 'object' && typeof doc.audit === 'object') {
    out.appendChild(distributionView('Served compute', doc.compute, 'compute'));
    out.appendChild(distributionView('Audit assignments', doc.audit, 'audit'));
    return out;
  }
  const coeffs = Object.entries(doc || {}).filter(([k, v]) => /nakamoto/i.test(k) && typeof v === 'number');
  for (const [k, v] of coeffs) out.appendChild(h('p', { class: 'figure', dataset: { figure: k } }, h('span', { class: 'big' }, String(v)), ' ', k));
  const rows = listOf(doc);
  if (rows && rows.length) {
    const key = ['share', 'computeShare', 'fraction'].find((k) => typeof rows[0][k] === 'number');
    const label = ['operator', 'name', 'address', 'id'].find((k) => rows[0][k] !== undefined);
    if (key && label) out.appendChild(shareBars(rows.map((r) => ({ label: r[label], value: r[key] })), { title: 'Share of compute per operator', id: 'operator-shares' }));
    out.appendChild(genericTable(rows));
  } else if (coeffs.length === 0) {
    out.appendChild(h('pre', { class: 'note' }, JSON.stringify(doc, null, 2)));
  }
  return out;
}
