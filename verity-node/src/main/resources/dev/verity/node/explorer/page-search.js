// Search: a receipt (request id or receipt id), a digest (manifest or file), a model name, a node.
import { h, replace, code, shortDigest, unavailable } from './dom.js';
import { api } from './api.js';
import { findReceiptById } from './logentries.js';
import { logState, whenLogReady } from './logwatch.js';

export async function render(view, ctx) {
  const q = (ctx.args[0] || '').trim();
  const results = h('ul', { class: 'results', id: 'search-results' });
  replace(view, h('h1', null, 'Search'), h('p', { class: 'lead' }, 'Results for ', code(q)), results);
  const input = document.getElementById('q');
  if (input && input.value.trim() !== q) input.value = q;
  const hits = [];
  const add = (kind, label, href, detail) => hits.push({ kind, label, href, detail });
  const hexOnly = /^[0-9a-f]{64}$/i.test(q);
  const digest = /^sha256:[0-9a-f]{64}$/i.test(q) ? q.toLowerCase() : hexOnly ? `sha256:${q.toLowerCase()}` : null;
  const [node, models, receipt] = await Promise.all([api.node(), api.models(), /^[\x21-\x7e]{1,128}$/.test(q) ? api.receipt(q) : null]);
  if (receipt) add('Receipt', `request ${receipt.requestId}`, `#/receipts/${encodeURIComponent(receipt.requestId)}`, `log index ${receipt.logIndex}`);
  if (digest) {
    const m = await api.manifest(digest);
    if (m) add('Manifest', `${m.manifest.name}@${m.manifest.version}`, `#/models/${encodeURIComponent(m.digest)}`, shortDigest(m.digest));
    for (const s of models.data) {
      if (s.digest === digest) continue;
      const full = await api.manifest(s.digest);
      const f = full && full.manifest.files.find((x) => x.digest === digest);
      if (f) add('File', `${f.path} in ${s.id}`, `#/models/${encodeURIComponent(s.digest)}`, shortDigest(digest));
    }
    await whenLogReady();
    const st = logState();
    if (st.latest && Number(st.latest.size) > 0) {
      const r = await findReceiptById(Number(st.latest.size), digest);
      if (r) add('Receipt', `request ${r.requestId}`, `#/receipts/${encodeURIComponent(r.requestId)}`, `receipt id ${shortDigest(digest)}, log index ${r.index}`);
    }
  }
  const lower = q.toLowerCase();
  for (const m of models.data) {
    if (m.name.toLowerCase().includes(lower) || m.id.toLowerCase() === lower || (m.description || '').toLowerCase().includes(lower)) {
      add('Model', m.id, `#/models/${encodeURIComponent(m.digest)}`, m.description || shortDigest(m.digest));
    }
  }
  if ([node.address, node.origin, node.logKey, location.host, location.origin].some((v) => String(v).toLowerCase() === lower) || (lower.length >= 6 && String(node.address).toLowerCase().startsWith(lower))) {
    add('Node', `this node (${location.host})`, '#/nodes', node.address);
  }
  if (!ctx.alive) return;
  if (hits.length === 0) {
    replace(results, h('li', null, unavailable('Nothing found', 'No receipt, manifest, file digest, model or node on this node matches. Receipt ids are found among the newest 4,096 log entries.')));
    return;
  }
  replace(
    results,
    hits.map((x) => h('li', { dataset: { kind: x.kind } }, h('span', { class: 'badge' }, x.kind), ' ', h('a', { href: x.href, class: 'result-link' }, x.label), x.detail ? h('span', { class: 'muted' }, ' — ', x.detail) : null)),
  );
  if (hits.length === 1) location.replace(hits[0].href);
}
