// Receipts: look one up, list the newest from the log, verify one in the page, check a bundle.
import { h, replace, fmtTime, shortDigest, fields, code, table, unavailable, errorBox, witnessTable } from './dom.js';
import { api, jsonOrNull } from './api.js';
import { verifyReceipt, parseCheckpoint, verifyConsistency, b64decode, cosignatures, signedAs } from './verify.js';
import { recentReceipts } from './logentries.js';
import { logState, whenLogReady } from './logwatch.js';

export async function render(view, ctx) {
  if (ctx.args.length > 0) return renderReceipt(view, ctx, ctx.args[0]);
  const input = h('input', { id: 'request-id', type: 'text', placeholder: 'Request id', 'aria-label': 'Request id', spellcheck: 'false' });
  const form = h('form', { class: 'inline', id: 'receipt-form' }, input, h('button', { type: 'submit' }, 'Open receipt'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (input.value.trim()) location.hash = `#/receipts/${encodeURIComponent(input.value.trim())}`;
  });
  const recent = h('div', { id: 'recent-receipts' });
  replace(
    view,
    h('h1', null, 'Receipts'),
    h('p', { class: 'lead' }, 'Every answer this node gives carries a signed receipt, appended to its transparency log before the answer is sent.'),
    h('section', { class: 'card' }, h('h2', null, 'Open a receipt'), form),
    h('section', { class: 'card' }, h('h2', null, 'Newest receipts in the log'), recent),
    bundleChecker(),
  );
  await whenLogReady();
  ctx.every(3000, async () => {
    const st = logState();
    if (!st.latest) throw new Error(st.error || 'no checkpoint yet');
    const size = Number(st.latest.size);
    const key = String(size);
    if (recent.dataset.size === key) return;
    const rows = size === 0 ? [] : await recentReceipts(size, 25);
    recent.dataset.size = key;
    replace(recent, receiptTable(rows, size, await modelNames()));
  });
}

/** manifest digest -> "name@version" for the models this node lists. */
export async function modelNames() {
  const out = new Map();
  try {
    for (const m of (await api.models()).data) out.set(m.digest, m.id);
  } catch (e) {
    // Digests are shown instead.
  }
  return out;
}

export function receiptTable(rows, size, names = new Map()) {
  if (rows.length === 0) return unavailable('No receipts yet', 'This node has not answered any inference request yet.');
  return [
    h('p', { class: 'muted' }, `${rows.length} newest of ${size} log entries, read from the log's public tiles.`),
    table(
      ['Index', 'Request id', 'Time', 'Model', 'Engine', 'Policy', 'Signed', 'Receipt id'],
      rows.map((r) =>
        h(
          'tr',
          { dataset: { requestId: r.requestId || '' } },
          h('td', { class: 'num' }, String(r.index)),
          h('td', null, r.error ? r.error : h('a', { href: `#/receipts/${encodeURIComponent(r.requestId)}`, class: 'receipt-link' }, r.requestId)),
          h('td', null, fmtTime(r.timeMillis)),
          h('td', null, r.modelDigest ? h('a', { href: `#/models/${encodeURIComponent(r.modelDigest)}`, title: r.modelDigest }, names.get(r.modelDigest) || code(shortDigest(r.modelDigest), 'digest')) : '–'),
          h('td', null, r.engineId ? `${r.engineId} ${r.engineVersion} (${r.numericMode})` : '–'),
          h('td', null, r.policy || '–'),
          h('td', null, r.error ? '–' : r.batch ? `in a batch of ${r.batch.size}, position ${r.batch.index}` : 'alone'),
          h('td', null, code(shortDigest(r.receiptId), 'digest')),
        ),
      ),
      { class: 'data', id: 'receipts-table' },
    ),
  ];
}

function statusBox(id) {
  return h('div', { class: 'status pending', id, role: 'status', dataset: { status: 'pending' } }, 'Checking…');
}

function showResult(box, result, extra) {
  const ok = result.ok;
  box.className = `status ${ok ? 'ok' : 'bad'}`;
  box.dataset.status = ok ? 'verified' : 'failed';
  replace(
    box,
    h('p', { class: 'verdict' }, h('strong', { class: 'verdict-word' }, ok ? 'verified' : 'failed'), ok ? ' — checked in this page with WebCrypto' : ' — do not trust this receipt'),
    h(
      'ol',
      { class: 'checks' },
      result.checks.map((c) => h('li', { class: c.ok ? 'pass' : 'fail' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'), h('span', { class: 'visually-hidden' }, c.ok ? 'passed: ' : 'failed: '), h('strong', null, c.name), c.detail ? h('div', { class: 'detail' }, c.detail) : null)),
    ),
    extra || null,
    h('p', { class: 'muted small' }, 'Not checked here: witness cosignatures (their keys are not pinned in the page) and re-execution. The model\u2019s manifest is checked on its own page. Download the verifier bundle and run `verity verify --reexecute` for re-execution.'),
  );
}

async function renderReceipt(view, ctx, id) {
  const [r, node] = await Promise.all([api.receipt(id), api.node()]);
  if (!r) {
    replace(view, h('p', { class: 'crumbs' }, h('a', { href: '#/receipts' }, 'Receipts')), h('h1', null, 'Receipt not found'), h('p', null, 'This node has no receipt for request id ', code(id), '.'));
    return;
  }
  const rc = r.receipt;
  const model = await api.manifest(rc.modelDigest).catch(() => null);
  const box = statusBox('verify-status');
  const consistencyBox = h('p', { class: 'muted', id: 'still-in-log' });
  const run = async () => {
    box.className = 'status pending';
    box.dataset.status = 'pending';
    replace(box, 'Checking…');
    // The verifier bundle adds what the node kept: inputs, outputs and the model manifest.
    const bundle = await jsonOrNull(api.bundleUrl(r.requestId)).catch(() => null);
    const extras = bundle ? { inputs: bundle.inputs, outputs: bundle.outputs, manifest: bundle.manifest } : {};
    const result = await verifyReceipt(r, node.logKey, node.address, extras);
    const missing = ['inputs', 'outputs', 'manifest'].filter((k) => !extras[k]);
    showResult(box, result, missing.length ? h('p', { class: 'muted small', id: 'bundle-missing' }, `This node\u2019s bundle carries no ${missing.join(' or ')} for this receipt, so ${missing.length === 1 ? 'it is' : 'they are'} not checked here.`) : null);
  };
  const reverify = h('button', { type: 'button', id: 'reverify', onclick: () => run() }, 'Re-verify');
  const download = h('a', { href: api.bundleUrl(r.requestId), download: `${r.requestId}.bundle.json`, class: 'button', id: 'download-bundle' }, 'Download verifier bundle');
  let cp = null;
  try {
    cp = parseCheckpoint(r.checkpoint);
  } catch (e) {
    // Shown as a failed check by the verifier.
  }
  const cos = cp ? cosignatures(r.checkpoint, cp.origin) : [];
  const batchRows = (b) => {
    const path = b && Array.isArray(b.path) ? b.path : [];
    return [
      ['batch size', code(String(b && b.size)), 'batchSize'],
      ['batch index', code(String(b && b.index)), 'batchIndex'],
      [`batch path (${path.length} hash${path.length === 1 ? '' : 'es'}, leaf to root)`, path.length ? h('ol', { class: 'proof', id: 'batch-path' }, path.map((p) => h('li', null, code(String(p), 'digest')))) : 'empty: the batch holds this receipt alone', 'batchPath'],
    ];
  };
  const receiptRows = Object.entries(rc).flatMap(([k, v]) => {
    if (k === 'batch') return batchRows(v);
    let val = code(String(v), /Digest$|traceRoot|signature/.test(k) ? 'digest wrap' : null);
    if (k === 'modelDigest') val = [h('a', { href: `#/models/${encodeURIComponent(v)}` }, code(String(v), 'digest')), model ? h('span', { class: 'muted', id: 'receipt-model' }, ` ${model.manifest.name}@${model.manifest.version}`) : null];
    if (k === 'timeMillis') val = [code(String(v)), ' ', h('span', { class: 'muted' }, fmtTime(Number(v)))];
    if (k === 'node') val = h('a', { href: '#/nodes' }, code(String(v)));
    return [[k, val, k]];
  });
  // How the node signed it: one signature for this receipt (format 1) or one for a whole batch (format 2).
  receiptRows.unshift(['signed', signedAs(rc), 'signedAs']);
  replace(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/receipts' }, 'Receipts'), ' / ', r.requestId),
    h('h1', null, 'Receipt ', code(r.requestId)),
    h('section', { class: 'card' }, h('h2', null, 'Verification'), box, h('div', { class: 'actions' }, reverify, download), consistencyBox),
    h('section', { class: 'card' }, h('h2', null, 'Signed receipt'), h('p', { class: 'lead', id: 'receipt-format' }, rc.batch === undefined ? 'Format 1: signed alone, one signature over this receipt’s EIP-712 digest.' : `Format 2: ${signedAs(rc)} (positions count from 0); the signature is over the batch’s Merkle root, which this receipt’s digest and batch path lead to.`), fields(receiptRows, { id: 'receipt-fields' })),
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'In the log'),
      fields([
        ['Receipt id', code(r.receiptId, 'digest'), 'receiptId'],
        ['Log index', String(r.logIndex), 'logIndex'],
        ['Tree size', String(r.treeSize), 'treeSize'],
      ]),
      h('h3', null, `Inclusion proof (${r.inclusionProof.length} hashes, leaf to root)`),
      h('ol', { class: 'proof', id: 'inclusion-proof' }, r.inclusionProof.map((p) => h('li', null, code(p, 'digest')))),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'Checkpoint and witnesses'),
      cp ? fields([['Origin', code(cp.origin)], ['Size', String(cp.size)], ['Root hash', code(r.checkpoint.split('\n')[2], 'digest')]]) : null,
      h('pre', { class: 'note', id: 'checkpoint-note' }, r.checkpoint),
      cos.length
        ? witnessTable(cos, 'witnesses')
        : h('p', { class: 'muted', id: 'witnesses' }, 'No witness has cosigned this checkpoint yet (only the log\u2019s own signature).'),
    ),
  );
  await run();
  // The node may since have grown its log; check the receipt's checkpoint is still a prefix of it.
  ctx.every(5000, async () => {
    const st = logState();
    if (!st.latest || !cp) return;
    const size2 = st.latest.size;
    // The page's log watch may not have seen this receipt's checkpoint yet; wait for it to catch up.
    if (size2 < cp.size) return;
    try {
      const p = size2 === cp.size ? { proof: [] } : await api.consistency(cp.size.toString(), size2.toString());
      await verifyConsistency(cp.size, size2, p.proof.map(b64decode), cp.root, st.latest.root);
      consistencyBox.textContent = `The log's current checkpoint (size ${size2}) is consistent with this receipt's checkpoint (size ${cp.size}): RFC 9162 consistency proof checked.`;
      consistencyBox.className = 'muted';
    } catch (e) {
      consistencyBox.textContent = `The current log is NOT consistent with this receipt's checkpoint: ${e.message}`;
      consistencyBox.className = 'error';
    }
  });
}

/** Verifies a bundle file chosen by the user, entirely in the page. */
function bundleChecker() {
  const box = h('div', { id: 'bundle-status', class: 'status idle', dataset: { status: 'idle' } }, 'No bundle checked yet.');
  const file = h('input', { type: 'file', id: 'bundle-file', accept: '.json,application/json', 'aria-describedby': 'bundle-help' });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    box.className = 'status pending';
    box.dataset.status = 'pending';
    replace(box, 'Checking…');
    try {
      const doc = JSON.parse(await f.text());
      const node = await api.node();
      const rb = doc.receiptBundle || doc;
      const logKey = doc.logKey || node.logKey;
      const result = await verifyReceipt(rb, logKey, null, { inputs: doc.inputs, outputs: doc.outputs, manifest: doc.manifest });
      const note =
        logKey === node.logKey
          ? h('p', { class: 'muted small' }, 'Checked against this node\u2019s log key.')
          : h('p', { class: 'muted small' }, 'Checked against the log key inside the bundle, which is not this node\u2019s key; pin the right key before trusting it.');
      showResult(box, result, note);
    } catch (e) {
      box.className = 'status bad';
      box.dataset.status = 'failed';
      replace(box, h('p', { class: 'verdict' }, h('strong', { class: 'verdict-word' }, 'failed'), ' — not a readable bundle'), errorBox(e));
    }
  });
  return h(
    'section',
    { class: 'card' },
    h('h2', null, 'Check a verifier bundle'),
    h('p', { id: 'bundle-help', class: 'muted' }, 'Choose a downloaded bundle (verity-inference-bundle/v1 or verity-receipt-bundle/v1). The page re-derives the receipt id, checks the receipt\u2019s signature (or, for a batch-signed receipt, its batch path and the batch signature), the checkpoint signature, the inclusion proof, and the inputs, outputs and model manifest the bundle carries; nothing is uploaded.'),
    h('label', { for: 'bundle-file' }, 'Bundle file '),
    file,
    box,
  );
}
