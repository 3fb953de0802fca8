// Disputes, slashes and decentralization: network-wide data from settlement. Each page looks in
// the node's OpenAPI document for the endpoints and shows an honest empty state until they exist.
import { h, replace, code, unavailable, table } from './dom.js';
import { json, findGetPaths } from './api.js';
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
    const doc = await json(p);
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
  const paths = await findGetPaths(/decentrali|nakamoto|operators/i);
  if (paths.length === 0) {
    replace(
      box,
      unavailable(
        'Not available on this node yet',
        'This node\u2019s API does not publish network measurements yet. A single node cannot measure the network by itself; these figures come from the registry of staked operators.',
      ),
    );
    return;
  }
  ctx.every(5000, async () => {
    replace(box);
    for (const p of paths.filter((x) => !x.includes('{'))) {
      const doc = await json(p);
      box.appendChild(h('h3', null, code(p)));
      const coeffs = Object.entries(doc || {}).filter(([k, v]) => /nakamoto/i.test(k) && (typeof v === 'number' || (v && typeof v === 'object')));
      for (const [k, v] of coeffs) box.appendChild(h('p', { class: 'figure' }, h('span', { class: 'big' }, typeof v === 'number' ? String(v) : JSON.stringify(v)), ' ', k));
      const rows = listOf(doc);
      if (rows && rows.length) {
        const key = ['share', 'computeShare', 'fraction'].find((k) => typeof rows[0][k] === 'number');
        const label = ['operator', 'name', 'address', 'id'].find((k) => rows[0][k] !== undefined);
        if (key && label) box.appendChild(shareBars(rows.map((r) => ({ label: r[label], value: r[key] })), { title: 'Share of compute per operator', id: 'operator-shares' }));
        box.appendChild(genericTable(rows));
      } else if (coeffs.length === 0) {
        box.appendChild(h('pre', { class: 'note' }, JSON.stringify(doc, null, 2)));
      }
    }
  });
}
