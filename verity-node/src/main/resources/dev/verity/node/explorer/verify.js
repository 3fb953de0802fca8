// In-page verification with WebCrypto: RFC 9162 Merkle proofs, C2SP signed notes (Ed25519),
// and the receipt's canonical encoding (the log entry), exactly as docs/LOG.md and
// docs/RECEIPTS.md of verity-receipts describe them. Every check throws on failure.

import { verifyReceiptSignature, receiptDigest, batchDigest, recoverAddress, addressHex } from './eth.js';

const te = new TextEncoder();

export class VerificationError extends Error {}

function fail(msg) {
  throw new VerificationError(msg);
}

export function b64decode(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) fail(`not base64: ${String(s).slice(0, 40)}`);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(h, len, what) {
  if (typeof h !== 'string' || h.length !== len * 2 || !/^[0-9a-fA-F]*$/.test(h)) {
    fail(`${what}: expected ${len} bytes of hex`);
  }
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export async function leafHash(entry) {
  return sha256(concat(Uint8Array.of(0), entry));
}

async function nodeHash(l, r) {
  return sha256(concat(Uint8Array.of(1), l, r));
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof implies; throws if the proof is malformed. */
export async function rootFromInclusionProof(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (BigInt(index) >= BigInt(size)) fail(`leaf index ${index} is not below tree size ${size}`);
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32) fail('inclusion proof hash is not 32 bytes');
    if (sn === 0n) fail('inclusion proof is longer than the tree is deep');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail('inclusion proof is shorter than the tree is deep');
  return r;
}

export async function verifyInclusion(index, size, leaf, proof, root) {
  const r = await rootFromInclusionProof(index, size, leaf, proof);
  if (!equal(r, root)) fail(`inclusion proof gives root ${b64encode(r)}, checkpoint says ${b64encode(root)}`);
}

function isPow2(n) {
  return n > 0n && (n & (n - 1n)) === 0n;
}

/** RFC 9162 §2.1.4.2: a consistency proof from (size1, root1) to (size2, root2). */
export async function verifyConsistency(size1, size2, proof, root1, root2) {
  let m = BigInt(size1);
  const n = BigInt(size2);
  if (m > n) fail(`old size ${size1} is larger than new size ${size2}`);
  if (m === n) {
    if (proof.length !== 0) fail('equal sizes need an empty consistency proof');
    if (!equal(root1, root2)) fail('same tree size, different roots: the log forked');
    return;
  }
  if (m === 0n) {
    if (proof.length !== 0) fail('a proof from the empty tree must be empty');
    return;
  }
  let path = proof.slice();
  if (isPow2(m)) path = [root1, ...path];
  if (path.length === 0) fail('consistency proof is empty');
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) fail('consistency proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail('consistency proof is too short');
  if (!equal(fr, root1)) fail('consistency proof does not reproduce the old root');
  if (!equal(sr, root2)) fail('consistency proof does not reproduce the new root');
}

/** A C2SP signed note: the signed text and its signature lines. */
export function parseNote(note) {
  if (typeof note !== 'string') fail('checkpoint is not text');
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0) fail('signed note has no blank line before its signatures');
  const text = note.slice(0, sep + 1);
  const sigs = [];
  for (const line of note.slice(sep + 2).split('\n')) {
    if (line === '') continue;
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) fail(`malformed signature line: ${line.slice(0, 60)}`);
    const raw = b64decode(m[2]);
    if (raw.length < 5) fail('signature line too short');
    sigs.push({ name: m[1], keyId: hex(raw.slice(0, 4)), sig: raw.slice(4) });
  }
  if (sigs.length === 0) fail('signed note has no signatures');
  return { text, sigs };
}

/** The checkpoint body (tlog-checkpoint): origin, size, root hash, extension lines. */
export function parseCheckpoint(note) {
  const { text, sigs } = parseNote(note);
  const lines = text.split('\n');
  lines.pop();
  if (lines.length < 3) fail('checkpoint needs origin, size and root lines');
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) fail(`checkpoint size is not a decimal: ${lines[1]}`);
  const root = b64decode(lines[2]);
  if (root.length !== 32) fail('checkpoint root is not 32 bytes');
  return { origin: lines[0], size: BigInt(lines[1]), root, extensions: lines.slice(3), text, sigs };
}

/** A C2SP verifier key: name+hexid+base64(type || public key). */
export async function parseVkey(vkey) {
  // The base64 key may itself contain '+': split at the first two only.
  const v = String(vkey);
  const a = v.indexOf('+');
  const b = a < 0 ? -1 : v.indexOf('+', a + 1);
  if (a <= 0 || b < 0) fail('verifier key is not name+id+key');
  const name = v.slice(0, a);
  const id = v.slice(a + 1, b);
  const b64 = v.slice(b + 1);
  if (!/^[0-9a-fA-F]{8}$/.test(id)) fail('verifier key id is not 8 hex digits');
  const raw = b64decode(b64);
  if (raw.length !== 33) fail('verifier key is not a type byte and a 32-byte Ed25519 key');
  const want = hex((await sha256(concat(te.encode(name), Uint8Array.of(0x0a), raw))).slice(0, 4));
  if (want !== id.toLowerCase()) fail(`verifier key id ${id} does not match its key (${want})`);
  return { name, keyId: want, type: raw[0], pub: raw.slice(1) };
}

async function ed25519Verify(pub, sig, msg) {
  let key;
  try {
    key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    fail(`this browser cannot check Ed25519 signatures (${e.message})`);
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
}

/** Checks the log's Ed25519 signature (type 0x01) on a checkpoint note; throws if absent or bad. */
export async function verifyNoteSignature(note, vkey) {
  const k = await parseVkey(vkey);
  if (k.type !== 0x01) fail(`log key has signature type ${k.type}, expected 1 (Ed25519)`);
  const { text, sigs } = parseNote(note);
  const mine = sigs.filter((x) => x.name === k.name && x.keyId === k.keyId);
  if (mine.length === 0) fail(`no signature by ${k.name} (${k.keyId}) on the checkpoint`);
  for (const x of mine) {
    if (x.sig.length !== 64) fail('Ed25519 signature is not 64 bytes');
    if (!(await ed25519Verify(k.pub, x.sig, te.encode(text)))) fail(`signature by ${k.name} does not verify`);
  }
  return k;
}

/** Witness cosignature lines (tlog-cosignature): every line not by the log key. */
export function cosignatures(note, logKeyName) {
  const { sigs } = parseNote(note);
  return sigs
    .filter((x) => x.name !== logKeyName)
    .map((x) => {
      let time = null;
      if (x.sig.length === 72) {
        const dv = new DataView(x.sig.buffer, x.sig.byteOffset, 8);
        time = Number(dv.getBigUint64(0)) * 1000;
      }
      return { name: x.name, keyId: x.keyId, time };
    });
}

/** Checks a witness cosignature (type 0x04) when the witness key is known. */
export async function verifyCosignature(note, witnessVkey) {
  const k = await parseVkey(witnessVkey);
  if (k.type !== 0x04) fail('witness key is not a cosignature/v1 key');
  const { text, sigs } = parseNote(note);
  const x = sigs.find((y) => y.name === k.name && y.keyId === k.keyId);
  if (!x) fail(`no cosignature by ${k.name}`);
  if (x.sig.length !== 72) fail('cosignature is not timestamp + 64 bytes');
  const t = new DataView(x.sig.buffer, x.sig.byteOffset, 8).getBigUint64(0);
  const msg = te.encode(`cosignature/v1\ntime ${t}\n${text}`);
  if (!(await ed25519Verify(k.pub, x.sig.slice(8), msg))) fail(`cosignature by ${k.name} does not verify`);
}

// ---- Receipts: canonical encoding (the log entry) ----

function u64(v, what) {
  let b;
  try {
    b = BigInt(v);
  } catch (e) {
    fail(`${what} is not an integer`);
  }
  if (b < 0n || b >= 1n << 64n) fail(`${what} is out of uint64 range`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, b);
  return out;
}

function digest32(v, what) {
  const m = /^sha256:([0-9a-f]{64})$/.exec(String(v));
  if (!m) fail(`${what} is not sha256:<64 hex>`);
  return fromHex(m[1], 32, what);
}

function addr(v, what) {
  const m = /^0x([0-9a-fA-F]{40})$/.exec(String(v));
  if (!m) fail(`${what} is not a 20-byte address`);
  return fromHex(m[1], 20, what);
}

function str(v, what) {
  const s = String(v ?? '');
  if (!/^[\x20-\x7e]*$/.test(s) || s.length > 255) fail(`${what} is not short printable ASCII`);
  return concat(Uint8Array.of(s.length), te.encode(s));
}

const RECEIPT_MAGIC = Uint8Array.of(0x76, 0x72, 0x63, 0x01);
const BATCH_RECEIPT_MAGIC = Uint8Array.of(0x76, 0x72, 0x63, 0x02);

/** Batch limits of format 2: at most 65536 receipts per batch, so at most 16 path hashes. */
export const MAX_BATCH_SIZE = 65536;
const MAX_BATCH_PATH = 16;

/** Length of the RFC 9162 §2.1.3.1 audit path of leaf `index` in a tree of `size` leaves. */
export function auditPathLength(index, size) {
  let n = 0;
  while (size > 1) {
    // The left subtree holds the largest power of two below size.
    let k = 1;
    while (k * 2 < size) k *= 2;
    if (index < k) {
      size = k;
    } else {
      index -= k;
      size -= k;
    }
    n++;
  }
  return n;
}

/**
 * The JSON "batch" object of a format-2 receipt, checked as strictly as ReceiptJson reads it
 * (exact keys, integers, limits, 0x + 64 lower-case hex): {size, index, path} with the path as
 * bytes, or null for a directly signed (format 1) receipt. Whether the path length fits
 * (index, size) is left to checkBatchPathFits, so that it is reported as its own check.
 */
export function parseBatch(r) {
  if (!r || r.batch === undefined) return null;
  const b = r.batch;
  if (!b || typeof b !== 'object' || Array.isArray(b)) fail('batch: must be an object {size, index, path}');
  for (const k of Object.keys(b)) if (!['size', 'index', 'path'].includes(k)) fail(`batch: unknown key "${String(k).slice(0, 40)}"`);
  for (const k of ['size', 'index', 'path']) if (!(k in b)) fail(`batch: missing key "${k}"`);
  if (!Number.isInteger(b.size)) fail('batch.size: must be an integer');
  if (b.size < 1 || b.size > MAX_BATCH_SIZE) fail(`batch.size: ${b.size} is outside 1..${MAX_BATCH_SIZE}`);
  if (!Number.isInteger(b.index)) fail('batch.index: must be an integer');
  if (b.index < 0 || b.index >= b.size) fail(`batch.index: ${b.index} is not in 0..${b.size - 1}`);
  if (!Array.isArray(b.path)) fail('batch.path: must be an array');
  if (b.path.length > MAX_BATCH_PATH) fail(`batch.path: ${b.path.length} hashes, at most ${MAX_BATCH_PATH}`);
  const path = b.path.map((p, i) => {
    const m = /^0x([0-9a-f]{64})$/.exec(typeof p === 'string' ? p : '');
    if (!m) fail(`batch.path[${i}]: must be 0x and 64 lower-case hex digits`);
    return fromHex(m[1], 32, `batch.path[${i}]`);
  });
  return { size: b.size, index: b.index, path };
}

/** The exact path length rule of format 2: the RFC 9162 audit path of (index, size). */
export function checkBatchPathFits(batch) {
  const want = auditPathLength(batch.index, batch.size);
  if (batch.path.length !== want) {
    fail(`batch inclusion path does not fit index ${batch.index} of ${batch.size}: RFC 9162 needs ${want} hash${want === 1 ? '' : 'es'}, the path has ${batch.path.length}`);
  }
}

function u32(v) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v);
  return out;
}

/** How a receipt was signed, in words: "signed alone" or "signed in a batch of N, position i". */
export function signedAs(r) {
  const b = r && r.batch;
  if (b === undefined) return 'signed alone';
  return `signed in a batch of ${b && b.size}, position ${b && b.index}`;
}

/**
 * The receipt's canonical bytes (RECEIPTS.md "Canonical encoding"), built from its JSON fields:
 * format 1 (magic vrc 01) for a directly signed receipt, format 2 (vrc 02, with batch size,
 * index and path before the signature) for a batch-signed one.
 */
export function receiptCanonicalBytes(r) {
  if (!r || typeof r !== 'object') fail('receipt is missing');
  const mode = r.numericMode === 'bitwise' ? 0 : r.numericMode === 'tolerance' ? 1 : fail('numericMode must be bitwise or tolerance');
  const sig = /^0x([0-9a-fA-F]{130})$/.exec(String(r.signature));
  if (!sig) fail('signature is not 65 bytes of hex');
  const batch = parseBatch(r);
  const batchPart = batch ? [u32(batch.size), u32(batch.index), Uint8Array.of(batch.path.length), ...batch.path] : [];
  return concat(
    batch ? BATCH_RECEIPT_MAGIC : RECEIPT_MAGIC,
    u64(r.chainId, 'chainId'),
    addr(r.verifyingContract, 'verifyingContract'),
    digest32(r.modelDigest, 'modelDigest'),
    str(r.engineId, 'engineId'),
    str(r.engineVersion, 'engineVersion'),
    digest32(r.engineConfigDigest, 'engineConfigDigest'),
    Uint8Array.of(mode),
    digest32(r.inputDigest, 'inputDigest'),
    digest32(r.outputDigest, 'outputDigest'),
    digest32(r.traceRoot, 'traceRoot'),
    u64(r.traceLeaves, 'traceLeaves'),
    addr(r.node, 'node'),
    str(r.requestId, 'requestId'),
    u64(r.timeMillis, 'timeMillis'),
    str(r.policy, 'policy'),
    u64(r.seed, 'seed'),
    ...batchPart,
    fromHex(sig[1], 65, 'signature'),
  );
}

/**
 * Checks a batch-signed receipt: its EIP-712 digest, as leaf `index` of `size` with `path`, gives
 * the batch root (RFC 9162, SHA-256); the batch signature over the ReceiptBatch(root, size)
 * digest must recover the receipt's node. Returns what it found; throws naming what failed.
 */
export async function batchRoot(r, batch) {
  checkBatchPathFits(batch);
  const d = receiptDigest(r);
  const root = await rootFromInclusionProof(batch.index, batch.size, await leafHash(d), batch.path);
  return { digest: d, root };
}

export function verifyBatchSignature(r, batch, root) {
  const sig = fromHex(String(r.signature).replace(/^0x/, ''), 65, 'signature');
  let signer;
  try {
    signer = addressHex(recoverAddress(batchDigest(root, batch.size, r.chainId, r.verifyingContract), sig));
  } catch (e) {
    fail(`batch signature is malformed: ${e.message}`);
  }
  if (signer !== String(r.node).toLowerCase()) {
    fail(`batch path does not lead to a root the node signed: the batch signature over ReceiptBatch(root 0x${hex(root)}, size ${batch.size}) recovers ${signer}, receipt node is ${r.node}`);
  }
  return signer;
}

/** The fields the explorer lists from a log entry (canonical receipt bytes). */
export function decodeReceiptEntry(b) {
  let o = 0;
  const need = (n) => {
    if (o + n > b.length) fail('log entry is truncated');
  };
  const take = (n) => {
    need(n);
    const v = b.slice(o, o + n);
    o += n;
    return v;
  };
  const rd64 = () => new DataView(take(8).buffer).getBigUint64(0);
  const rdStr = () => {
    need(1);
    const n = b[o++];
    return new TextDecoder().decode(take(n));
  };
  const magic = take(4);
  const batched = equal(magic, BATCH_RECEIPT_MAGIC);
  if (!batched && !equal(magic, RECEIPT_MAGIC)) fail('log entry is not a Verity receipt (bad magic)');
  const chainId = rd64();
  take(20);
  const modelDigest = 'sha256:' + hex(take(32));
  const engineId = rdStr();
  const engineVersion = rdStr();
  take(32);
  const numericMode = take(1)[0] === 0 ? 'bitwise' : 'tolerance';
  take(96);
  take(8);
  const node = '0x' + hex(take(20));
  const requestId = rdStr();
  const timeMillis = Number(rd64());
  const policy = rdStr();
  take(8);
  let batch = null;
  if (batched) {
    const dv = new DataView(take(9).buffer);
    batch = { size: dv.getUint32(0), index: dv.getUint32(4) };
    take(32 * dv.getUint8(8));
  }
  take(65);
  if (o !== b.length) fail('log entry has bytes after its signature');
  return { chainId, modelDigest, engineId, engineVersion, numericMode, node, requestId, timeMillis, policy, batch };
}

/**
 * Verifies a receipt as the node serves it ({receipt, receiptId, logIndex, treeSize,
 * inclusionProof, checkpoint}) against a log key. Returns the checks made, in order, each
 * {name, ok, detail}; the first failure stops the run and ok=false carries its reason.
 */
export async function verifyReceipt(view, logKey, expectedNode, extras = {}) {
  const checks = [];
  const step = async (name, fn) => {
    try {
      const detail = await fn();
      checks.push({ name, ok: true, detail: detail || '' });
      return true;
    } catch (e) {
      checks.push({ name, ok: false, detail: e.message || String(e) });
      return false;
    }
  };
  let entry;
  let leaf;
  let cp;
  let batch = null;
  let batchRootHash;
  const ok =
    (await step('Receipt fields encode to the receipt id', async () => {
      entry = receiptCanonicalBytes(view.receipt);
      batch = parseBatch(view.receipt);
      const id = 'sha256:' + hex(await sha256(entry));
      if (view.receiptId !== undefined && id !== view.receiptId) fail(`fields hash to ${id}, receipt id is ${view.receiptId}`);
      return `${entry.length} canonical bytes (format ${batch ? 2 : 1}, ${signedAs(view.receipt)}) hash to ${id}`;
    })) &&
    (batch
      ? (await step('Batch path leads from the receipt digest to a batch root (RFC 9162)', async () => {
          const b = await batchRoot(view.receipt, batch);
          batchRootHash = b.root;
          return `${signedAs(view.receipt)}: receipt digest 0x${hex(b.digest)}, ${batch.path.length} path hash${batch.path.length === 1 ? '' : 'es'}, root 0x${hex(b.root)}`;
        })) &&
        (await step('Batch signature (secp256k1, EIP-712 ReceiptBatch) recovers the node address', async () => {
          return `ReceiptBatch(root, size ${batch.size}) signed by ${verifyBatchSignature(view.receipt, batch, batchRootHash)}, low-s, v = 27/28`;
        }))
      : await step('Receipt signature (secp256k1, EIP-712) recovers the node address', async () => {
          return `signed alone by ${verifyReceiptSignature(view.receipt)}, low-s, v = 27/28`;
        })) &&
    (await step('Checkpoint is well formed', async () => {
      cp = parseCheckpoint(view.checkpoint);
      if (cp.size !== BigInt(view.treeSize)) fail(`checkpoint is for size ${cp.size}, proof for size ${view.treeSize}`);
      return `${cp.origin}, size ${cp.size}`;
    })) &&
    (await step('Checkpoint is signed by the log key', async () => {
      const k = await verifyNoteSignature(view.checkpoint, logKey);
      return `Ed25519 signature by ${k.name} (${k.keyId})`;
    })) &&
    (await step('Inclusion proof reaches the checkpoint root (RFC 9162)', async () => {
      leaf = await leafHash(entry);
      const proof = (view.inclusionProof || []).map(b64decode);
      await verifyInclusion(view.logIndex, view.treeSize, leaf, proof, cp.root);
      return `leaf ${view.logIndex} of ${view.treeSize}, ${proof.length} hashes, root ${b64encode(cp.root)}`;
    })) &&
    (await step('Receipt names the node that logged it', async () => {
      if (!expectedNode) return 'no node address to compare with';
      if (String(view.receipt.node).toLowerCase() !== String(expectedNode).toLowerCase()) fail(`receipt names ${view.receipt.node}, the log belongs to ${expectedNode}`);
      return String(view.receipt.node);
    })) &&
    (!extras.inputs ||
      (await step('Inputs hash to the receipt\u2019s input digest', async () => {
        const d = await tensorMapDigest(extras.inputs);
        if (d !== view.receipt.inputDigest) fail(`inputs hash to ${d}, receipt says ${view.receipt.inputDigest}`);
        return `${Object.keys(extras.inputs).join(', ')}: ${d}`;
      }))) &&
    (!extras.outputs ||
      (await step('Outputs hash to the receipt\u2019s output digest', async () => {
        const d = await tensorMapDigest(extras.outputs);
        if (d !== view.receipt.outputDigest) fail(`outputs hash to ${d}, receipt says ${view.receipt.outputDigest}`);
        return `${Object.keys(extras.outputs).join(', ')}: ${d}`;
      }))) &&
    (!extras.manifest ||
      (await step('Model manifest is the one the receipt names, signed by its publisher', async () => {
        const r = await verifyEnvelope(extras.manifest, view.receipt.modelDigest);
        return `${r.name}@${r.version}, ${r.keyId}`;
      })));
  return { ok, checks, cosignatures: cp ? cosignatures(view.checkpoint, cp.origin) : [] };
}

// ---- Model manifests: DSSE envelope holding an in-toto statement (verity-hub) ----

function b64any(s) {
  // DSSE allows URL-safe base64 and missing padding.
  let t = String(s).replace(/-/g, '+').replace(/_/g, '/');
  while (t.length % 4) t += '=';
  return b64decode(t);
}

/** DSSE v1 pre-authentication encoding: "DSSEv1 LEN(type) type LEN(body) body". */
export function pae(type, body) {
  const t = te.encode(type);
  return concat(te.encode(`DSSEv1 ${t.length} `), t, te.encode(` ${body.length} `), body);
}

/**
 * Verifies a manifest as the node serves it ({digest, manifest, envelope}): the digest is SHA-256
 * of the signed payload, the publisher's Ed25519 signature covers it (DSSE PAE), and every field
 * the page shows equals the signed statement. Returns the checks, like verifyReceipt.
 */
export async function verifyManifest(view) {
  const checks = [];
  const step = async (name, fn) => {
    try {
      checks.push({ name, ok: true, detail: (await fn()) || '' });
      return true;
    } catch (e) {
      checks.push({ name, ok: false, detail: e.message || String(e) });
      return false;
    }
  };
  let payload;
  let st;
  const env = view.envelope || {};
  const ok =
    (await step('Digest is SHA-256 of the signed statement', async () => {
      payload = b64any(env.payload);
      const d = 'sha256:' + hex(await sha256(payload));
      if (d !== view.digest) fail(`payload hashes to ${d}, not ${view.digest}`);
      return `${payload.length} bytes hash to ${d}`;
    })) &&
    (await step('Publisher signature verifies (Ed25519, DSSE)', async () => {
      st = JSON.parse(new TextDecoder().decode(payload));
      const pub = /^ed25519:([A-Za-z0-9+/=]+)$/.exec(String(st.predicate && st.predicate.publisher));
      if (!pub) fail('statement has no ed25519 publisher key');
      const raw = b64decode(pub[1]);
      if (raw.length !== 32) fail('publisher key is not 32 bytes');
      const keyId = 'ed25519:' + hex(await sha256(raw)).slice(0, 16);
      const sigs = (env.signatures || []).filter((x) => x.keyid === keyId);
      if (sigs.length === 0) fail(`no signature by the publisher key ${keyId}`);
      const msg = pae(String(env.payloadType), payload);
      for (const x of sigs) {
        if (!(await ed25519Verify(raw, b64any(x.sig), msg))) fail(`signature by ${keyId} does not verify`);
      }
      return `signed by ${keyId}`;
    })) &&
    (await step('Shown fields are the signed ones', async () => {
      const p = st.predicate;
      const m = view.manifest;
      for (const k of ['name', 'version', 'format', 'license', 'source', 'createdAt', 'publisher']) {
        if ((p[k] ?? '') !== (m[k] ?? '')) fail(`${k} shown as "${m[k]}" but signed as "${p[k]}"`);
      }
      if ((p.parent ?? null) !== (m.parent ?? null)) fail('parent differs from the signed one');
      const a = JSON.stringify(p.files.map((f) => [f.path, f.size, f.digest]));
      const b = JSON.stringify(m.files.map((f) => [f.path, f.size, f.digest]));
      if (a !== b) fail('file list differs from the signed one');
      return `${m.files.length} file(s), name, version, license, source, parent and publisher match`;
    }));
  return { ok, checks };
}

// ---- Tensors: the canonical encoding of verity-engine-api's TensorEncoding ----

const DTYPES = {
  float32: [1, 4], uint8: [2, 1], int8: [3, 1], uint16: [4, 2], int16: [5, 2], int32: [6, 4],
  int64: [7, 8], bool: [9, 1], float16: [10, 2], float64: [11, 8], uint32: [12, 4], uint64: [13, 8],
};

function tensorData(t, count, size, where) {
  if (typeof t.data === 'string') return b64decode(t.data);
  if (!Array.isArray(t.data)) fail(`${where}: data is neither base64 nor an array`);
  if (t.dtype !== 'float32') fail(`${where}: only float32 number arrays are re-encoded in the page; ask for base64`);
  const out = new Uint8Array(count * size);
  const dv = new DataView(out.buffer);
  t.data.forEach((v, i) => {
    const x = v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v);
    dv.setFloat32(4 * i, x, true);
  });
  return out;
}

/** "VTEN" 1 code rank, dims u64 LE, row-major little-endian elements. */
export function tensorEncoding(t, where = 'tensor') {
  const dt = DTYPES[t && t.dtype];
  if (!dt) fail(`${where}: unknown dtype ${t && t.dtype}`);
  const shape = (t.shape || []).map((d) => BigInt(d));
  if (shape.length > 255) fail(`${where}: rank above 255`);
  const count = Number(shape.reduce((a, d) => a * d, 1n));
  const data = tensorData(t, count, dt[1], where);
  if (data.length !== count * dt[1]) fail(`${where}: ${data.length} data bytes, shape needs ${count * dt[1]}`);
  const head = new Uint8Array(7 + 8 * shape.length);
  head.set([0x56, 0x54, 0x45, 0x4e, 1, dt[0], shape.length]);
  const dv = new DataView(head.buffer);
  shape.forEach((d, i) => dv.setBigUint64(7 + 8 * i, d, true));
  return concat(head, data);
}

function cmpBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** SHA-256 of a named tensor map: "VTMP" 1 count(u32 LE), then per name (UTF-8 order) its entry. */
export async function tensorMapDigest(map) {
  const names = Object.keys(map).map((n) => [n, te.encode(n)]);
  names.sort((a, b) => cmpBytes(a[1], b[1]));
  const parts = [];
  const head = new Uint8Array(9);
  head.set([0x56, 0x54, 0x4d, 0x50, 1]);
  new DataView(head.buffer).setUint32(5, names.length, true);
  parts.push(head);
  for (const [n, nb] of names) {
    const enc = tensorEncoding(map[n], n);
    const h = new Uint8Array(12 + nb.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, nb.length, true);
    h.set(nb, 4);
    dv.setBigUint64(4 + nb.length, BigInt(enc.length), true);
    parts.push(h, enc);
  }
  return 'sha256:' + hex(await sha256(concat(...parts)));
}

/** A raw DSSE manifest envelope: digest of its payload and its publisher's signature. */
async function verifyEnvelope(env, expectedDigest) {
  const payload = b64any(env.payload);
  const d = 'sha256:' + hex(await sha256(payload));
  if (d !== expectedDigest) fail(`manifest hashes to ${d}, the receipt names ${expectedDigest}`);
  const st = JSON.parse(new TextDecoder().decode(payload));
  const pub = /^ed25519:([A-Za-z0-9+/=]+)$/.exec(String(st.predicate && st.predicate.publisher));
  if (!pub) fail('manifest has no ed25519 publisher key');
  const raw = b64decode(pub[1]);
  const keyId = 'ed25519:' + hex(await sha256(raw)).slice(0, 16);
  const sigs = (env.signatures || []).filter((x) => x.keyid === keyId);
  if (sigs.length === 0) fail(`manifest has no signature by its publisher ${keyId}`);
  for (const x of sigs) {
    if (!(await ed25519Verify(raw, b64any(x.sig), pae(String(env.payloadType), payload)))) fail(`manifest signature by ${keyId} does not verify`);
  }
  return { name: st.predicate.name, version: st.predicate.version, keyId };
}
