// Models: the list with search, and one manifest with its files, publisher, lineage and nodes.
import { h, s, replace, fmtBytes, fmtTime, shortDigest, fields, code, table, unavailable } from './dom.js';
import { api } from './api.js';
import { verifyManifest, cosignatures } from './verify.js';
import { logState, onLogUpdate } from './logwatch.js';

export async function render(view, ctx) {
  if (ctx.args.length > 0) return renderManifest(view, ctx, ctx.args[0]);
  const filter = h('input', {
    type: 'search',
    id: 'model-filter',
    placeholder: 'Filter by name, description or digest',
    'aria-label': 'Filter models',
  });
  const count = h('p', { class: 'muted', id: 'model-count' });
  const body = h('div', { id: 'model-list' });
  const overview = h('ul', { class: 'overview', id: 'overview', 'aria-label': 'This node at a glance' });
  replace(view, h('h1', null, 'Models'), h('p', { class: 'lead' }, 'Signed, content-addressed model manifests published on this node.'), overview, h('div', { class: 'toolbar' }, filter, count), body);
  let last = null;
  const tile = (key, value, label, href) => h('li', { dataset: { stat: key } }, h('a', { href }, h('span', { class: 'big' }, value), h('span', { class: 'label' }, label)));
  const drawOverview = () => {
    const st = logState();
    const L = st.latest;
    const models = last ? last.data.length : '…';
    const witnesses = L ? cosignatures(L.note, L.origin).length : '…';
    replace(
      overview,
      tile('models', String(models), 'model versions', '#/models'),
      tile('receipts', L ? String(L.size) : '…', 'receipts logged', '#/receipts'),
      tile('checkpoint', st.error ? 'failed' : L ? 'verified' : '…', st.error ? `checkpoint: ${st.error}` : 'checkpoint signature', '#/log'),
      tile('consistency', st.consistencyFailures.length ? 'FORK?' : String(st.consistencyChecks), st.consistencyFailures.length ? 'inconsistent checkpoints seen' : 'consistency proofs checked', '#/log'),
      tile('witnesses', String(witnesses), 'witness cosignatures', '#/log'),
    );
  };
  ctx.onStop(onLogUpdate(drawOverview));
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const all = last ? last.data : [];
    const shown = all.filter((m) => !q || [m.name, m.version, m.id, m.digest, m.description, m.format, m.license].some((v) => String(v || '').toLowerCase().includes(q)));
    count.textContent = `${shown.length} of ${all.length} model version${all.length === 1 ? '' : 's'}`;
    if (all.length === 0) {
      replace(body, unavailable('No models yet', 'Nothing is published on this node. Publish one with `verity model publish`.'));
      return;
    }
    replace(
      body,
      table(
        ['Model', 'Version', 'Format', 'Files', 'Size', 'License', 'Published', 'Manifest digest'],
        shown.map((m) =>
          h(
            'tr',
            { dataset: { model: m.id } },
            h('td', null, h('a', { href: `#/models/${encodeURIComponent(m.digest)}`, class: 'model-link' }, m.name), m.description ? h('div', { class: 'muted small' }, m.description) : null),
            h('td', null, m.version),
            h('td', null, m.format),
            h('td', { class: 'num' }, String(m.files)),
            h('td', { class: 'num' }, fmtBytes(m.totalSize)),
            h('td', null, m.license || '–'),
            h('td', null, fmtTime(m.publishedAt)),
            h('td', null, code(shortDigest(m.digest), 'digest'), h('span', { class: 'visually-hidden' }, m.digest)),
          ),
        ),
        { class: 'data', id: 'models-table' },
      ),
    );
  };
  filter.addEventListener('input', draw);
  ctx.every(3000, async () => {
    const next = await api.models();
    if (!last || JSON.stringify(next) !== JSON.stringify(last)) {
      last = next;
      draw();
    }
    drawOverview();
  });
}

async function renderManifest(view, ctx, digest) {
  const [m, lin, node] = await Promise.all([api.manifest(digest), api.lineage(digest), api.node().catch(() => null)]);
  if (!m) {
    replace(view, h('h1', null, 'Manifest not found'), h('p', null, 'This node has no manifest ', code(digest), '.'), h('p', null, h('a', { href: '#/models' }, 'All models')));
    return;
  }
  const man = m.manifest;
  const versions = await api.versions(man.name);
  const env = m.envelope || {};
  const sigBox = h('div', { class: 'status pending', id: 'manifest-status', role: 'status', dataset: { status: 'pending' } }, 'Checking…');
  replace(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models'), ' / ', man.name),
    h('h1', null, `${man.name}@${man.version}`, ' ', h('span', { class: 'badge' }, man.format)),
    man.description ? h('p', { class: 'lead' }, man.description) : null,
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'Manifest'),
      sigBox,
      fields([
        ['Manifest digest', code(m.digest, 'digest'), 'digest'],
        ['Publisher key id', code(man.publisherKeyId), 'publisherKeyId'],
        ['Publisher key', code(man.publisher, 'wrap'), 'publisher'],
        ['License', man.license, 'license'],
        ['Source', man.source && /^https?:\/\//.test(man.source) ? h('a', { href: man.source, rel: 'noopener noreferrer external' }, man.source) : man.source, 'source'],
        ['Created', fmtTime(man.createdAt), 'createdAt'],
        ['Total size', fmtBytes(man.totalSize), 'totalSize'],
        ['Parent', man.parent ? h('a', { href: `#/models/${encodeURIComponent(man.parent)}` }, shortDigest(man.parent)) : 'none (a root model)', 'parent'],
        ['Envelope', `DSSE, payload type ${env.payloadType || '?'}, ${(env.signatures || []).length} signature(s)`],
      ]),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', null, `Files (${man.files.length})`),
      table(
        ['Path', 'Size', 'Digest'],
        man.files.map((f) => h('tr', null, h('td', null, code(f.path)), h('td', { class: 'num' }, `${fmtBytes(f.size)} (${f.size.toLocaleString('en')} bytes)`), h('td', null, code(f.digest, 'digest wrap')))),
        { class: 'data', id: 'files-table' },
      ),
    ),
    h('section', { class: 'card' }, h('h2', null, 'Lineage'), lineageView(lin, m.digest)),
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'Served by'),
      node
        ? table(
            ['Node', 'Log origin', 'Receipt address'],
            [h('tr', null, h('td', null, h('a', { href: '#/nodes' }, `this node (${location.host})`)), h('td', null, code(node.origin)), h('td', null, code(node.address)))],
            { class: 'data', id: 'served-by' },
          )
        : null,
      h('p', { class: 'muted' }, 'Other nodes serving this digest will be listed once this node exposes the network registry.'),
    ),
    versions && versions.data.length > 1
      ? h(
          'section',
          { class: 'card' },
          h('h2', null, 'Other versions'),
          h(
            'ul',
            null,
            versions.data
              .filter((v) => v.digest !== m.digest)
              .map((v) => h('li', null, h('a', { href: `#/models/${encodeURIComponent(v.digest)}` }, `${v.name}@${v.version}`), ' ', code(shortDigest(v.digest), 'digest'))),
          ),
        )
      : null,
  );
  showManifestResult(sigBox, await verifyManifest(m));
  if (lin) await checkLineage(lin, m.digest);
}

/** Every manifest in the chain verifies, and each names the next as its parent. */
async function checkLineage(lin, digest) {
  const el = document.getElementById('lineage-check');
  if (!el) return;
  const chain = lin.lineage || [];
  let problem = null;
  let expected = digest;
  for (const v of chain) {
    if (v.digest !== expected) {
      problem = `expected ${expected}, the node sent ${v.digest}`;
      break;
    }
    const r = await verifyManifest(v);
    if (!r.ok) {
      const f = r.checks.find((c) => !c.ok);
      problem = `${v.manifest.name}@${v.manifest.version}: ${f.name}: ${f.detail}`;
      break;
    }
    expected = v.manifest.parent || null;
  }
  el.dataset.status = problem ? 'failed' : 'verified';
  el.className = problem ? 'error' : 'ok-text';
  el.textContent = problem ? `Lineage check failed: ${problem}` : `Every manifest in the chain verified in the page, each naming the next as its parent.`;
}

function showManifestResult(box, result) {
  box.className = `status ${result.ok ? 'ok' : 'bad'}`;
  box.dataset.status = result.ok ? 'verified' : 'failed';
  replace(
    box,
    h('p', { class: 'verdict' }, h('strong', { class: 'verdict-word' }, result.ok ? 'verified' : 'failed'), result.ok ? ' — publisher signature and digest checked in this page' : ' — do not trust this manifest'),
    h('ol', { class: 'checks' }, result.checks.map((c) => h('li', { class: c.ok ? 'pass' : 'fail' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'), h('span', { class: 'visually-hidden' }, c.ok ? 'passed: ' : 'failed: '), h('strong', null, c.name), c.detail ? h('div', { class: 'detail' }, c.detail) : null))),
  );
}

/** The chain child → parent → … as an SVG graph and, for screen readers, a nested list. */
function lineageView(lin, digest) {
  if (!lin) return h('p', null, 'No lineage available.');
  const chain = lin.lineage || [];
  const boxW = 300;
  const boxH = 54;
  const gap = 34;
  const width = boxW + 40;
  const n = chain.length + (lin.complete ? 0 : 1);
  const height = n * boxH + (n - 1) * gap + 20;
  const g = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'lineage-title', class: 'lineage-graph', id: 'lineage-graph' }, s('title', { id: 'lineage-title' }, 'Lineage: each model points to the parent it was derived from'));
  const defs = s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '8', markerHeight: '8', orient: 'auto' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })));
  g.appendChild(defs);
  const items = chain.map((v) => ({ label: `${v.manifest.name}@${v.manifest.version}`, sub: shortDigest(v.digest), digest: v.digest, missing: false }));
  if (!lin.complete) items.push({ label: 'parent not on this node', sub: shortDigest(lin.missingParent), digest: lin.missingParent, missing: true });
  items.forEach((it, i) => {
    const y = 10 + i * (boxH + gap);
    const a = s('a', { href: it.missing ? null : `#/models/${encodeURIComponent(it.digest)}` });
    a.appendChild(s('rect', { x: 20, y, width: boxW, height: boxH, rx: 8, class: it.digest === digest ? 'node self' : it.missing ? 'node missing' : 'node' }));
    a.appendChild(s('text', { x: 34, y: y + 22, class: 'label' }, it.label));
    a.appendChild(s('text', { x: 34, y: y + 42, class: 'sub' }, it.sub));
    g.appendChild(a);
    if (i < items.length - 1) {
      g.appendChild(s('line', { x1: 20 + boxW / 2, y1: y + boxH, x2: 20 + boxW / 2, y2: y + boxH + gap - 4, class: 'edge', 'marker-end': 'url(#arrow)' }));
      g.appendChild(s('text', { x: 30 + boxW / 2, y: y + boxH + gap / 2 + 4, class: 'sub' }, 'derived from'));
    }
  });
  let list = null;
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    list = h('ul', null, h('li', null, it.missing ? `${it.label} (${it.digest})` : h('a', { href: `#/models/${encodeURIComponent(it.digest)}` }, it.label), ' ', code(it.sub, 'digest'), list));
  }
  return h(
    'div',
    { class: 'lineage' },
    g,
    h('details', null, h('summary', null, 'As a list (root first)'), h('div', { id: 'lineage-list' }, list)),
    h('p', { id: 'lineage-check', dataset: { status: 'pending' } }, 'Checking the chain…'),
    h('p', { class: 'muted', id: 'lineage-status' }, lin.complete ? `Complete: ${chain.length} manifest${chain.length === 1 ? '' : 's'} back to a root model.` : 'Incomplete: an ancestor is not stored on this node.'),
  );
}
