// The receipt's EIP-712 signature, checked in the page as an `ecrecover` contract would, made
// strict as in verity-receipts/docs/RECEIPTS.md: Keccak-256 (original Keccak, not SHA3-256),
// EIP-712 hashing of the 14 receipt members, secp256k1 public-key recovery, low-s rule. Batch-signed
// receipts (format 2) are signed through an EIP-712 ReceiptBatch(root, size) message instead.

const te = new TextEncoder();

// ---- Keccak-256 ----
const RC = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const M64 = (1n << 64n) - 1n;
const rotl = (x, n) => (n === 0 ? x : ((x << BigInt(n)) | (x >> BigInt(64 - n))) & M64);

function keccakF(A) {
  for (let round = 0; round < 24; round++) {
    const C = [0n, 0n, 0n, 0n, 0n];
    for (let x = 0; x < 5; x++) C[x] = A[x] ^ A[x + 5] ^ A[x + 10] ^ A[x + 15] ^ A[x + 20];
    for (let x = 0; x < 5; x++) {
      const D = C[(x + 4) % 5] ^ rotl(C[(x + 1) % 5], 1);
      for (let y = 0; y < 25; y += 5) A[y + x] ^= D;
    }
    const B = new Array(25);
    for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) B[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(A[x + 5 * y], ROT[x + 5 * y]);
    for (let x = 0; x < 5; x++) for (let y = 0; y < 25; y += 5) A[y + x] = B[y + x] ^ (~B[y + ((x + 1) % 5)] & M64 & B[y + ((x + 2) % 5)]);
    A[0] ^= RC[round];
  }
}

export function keccak256(bytes) {
  const rate = 136;
  const padded = new Uint8Array(Math.floor(bytes.length / rate + 1) * rate);
  padded.set(bytes);
  padded[bytes.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  const A = new Array(25).fill(0n);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate / 8; i++) {
      let lane = 0n;
      for (let b = 7; b >= 0; b--) lane = (lane << 8n) | BigInt(padded[off + 8 * i + b]);
      A[i] ^= lane;
    }
    keccakF(A);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 4; i++) for (let b = 0; b < 8; b++) out[8 * i + b] = Number((A[i] >> BigInt(8 * b)) & 0xffn);
  return out;
}

// ---- secp256k1 ----
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const G = [0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n, 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n];
const mod = (a, m = P) => ((a % m) + m) % m;
function powmod(b, e, m) {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
const inv = (a, m = P) => powmod(a, m - 2n, m);

// Jacobian coordinates [X, Y, Z]; Z = 0 is the point at infinity.
function jDouble([X, Y, Z]) {
  if (Z === 0n || Y === 0n) return [0n, 1n, 0n];
  const S = mod(4n * X * Y * Y);
  const M = mod(3n * X * X);
  const X3 = mod(M * M - 2n * S);
  return [X3, mod(M * (S - X3) - 8n * Y * Y * Y * Y), mod(2n * Y * Z)];
}
function jAdd(p, q) {
  if (p[2] === 0n) return q;
  if (q[2] === 0n) return p;
  const [X1, Y1, Z1] = p;
  const [X2, Y2, Z2] = q;
  const Z1Z1 = mod(Z1 * Z1);
  const Z2Z2 = mod(Z2 * Z2);
  const U1 = mod(X1 * Z2Z2);
  const U2 = mod(X2 * Z1Z1);
  const S1 = mod(Y1 * Z2 * Z2Z2);
  const S2 = mod(Y2 * Z1 * Z1Z1);
  if (U1 === U2) return S1 === S2 ? jDouble(p) : [0n, 1n, 0n];
  const H = mod(U2 - U1);
  const R = mod(S2 - S1);
  const HH = mod(H * H);
  const HHH = mod(H * HH);
  const X3 = mod(R * R - HHH - 2n * U1 * HH);
  return [X3, mod(R * (U1 * HH - X3) - S1 * HHH), mod(H * Z1 * Z2)];
}
function jMul(pt, k) {
  let r = [0n, 1n, 0n];
  let a = [pt[0], pt[1], 1n];
  while (k > 0n) {
    if (k & 1n) r = jAdd(r, a);
    a = jDouble(a);
    k >>= 1n;
  }
  return r;
}
function affine([X, Y, Z]) {
  if (Z === 0n) return null;
  const zi = inv(Z);
  const zi2 = mod(zi * zi);
  return [mod(X * zi2), mod(Y * zi2 * zi)];
}

const big = (bytes) => bytes.reduce((a, b) => (a << 8n) | BigInt(b), 0n);
function be(n, len) {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** The address (20 bytes) whose key made `sig` (r ‖ s ‖ v, v = 27/28) over `digest`; throws. */
export function recoverAddress(digest, sig) {
  if (sig.length !== 65) throw new Error('signature is not 65 bytes');
  const r = big(sig.slice(0, 32));
  const s = big(sig.slice(32, 64));
  const v = sig[64];
  if (v !== 27 && v !== 28) throw new Error(`signature v is ${v}, must be 27 or 28`);
  if (r <= 0n || r >= N) throw new Error('signature r is out of range');
  if (s <= 0n || s > N / 2n) throw new Error('signature s is zero or in the upper half (malleated)');
  const x = r;
  const y2 = mod(x * x * x + 7n);
  let y = powmod(y2, (P + 1n) / 4n, P);
  if (mod(y * y) !== y2) throw new Error('signature r is not an x coordinate on secp256k1');
  if ((y & 1n) !== BigInt(v - 27)) y = P - y;
  const e = mod(big(digest), N);
  const ri = inv(r, N);
  const Q = affine(jAdd(jMul([x, y], mod(s * ri, N)), jMul(G, mod(-e * ri, N))));
  if (!Q) throw new Error('signature recovers the point at infinity');
  return keccak256(new Uint8Array([...be(Q[0], 32), ...be(Q[1], 32)])).slice(12);
}

// ---- EIP-712 for receipts ----
export const RECEIPT_TYPE =
  'Receipt(bytes32 modelDigest,string engineId,string engineVersion,bytes32 engineConfigDigest,uint8 numericMode,bytes32 inputDigest,bytes32 outputDigest,bytes32 traceRoot,uint64 traceLeaves,address node,string requestId,uint64 timeMillis,string policy,uint64 seed)';
const DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

const hexBytes = (h, len, what) => {
  const m = new RegExp(`^(?:0x|sha256:)?([0-9a-fA-F]{${len * 2}})$`).exec(String(h));
  if (!m) throw new Error(`${what} is not ${len} bytes of hex`);
  return Uint8Array.from(m[1].match(/../g), (x) => parseInt(x, 16));
};
const word = (n) => be(BigInt(n), 32);
const addrWord = (a, what) => new Uint8Array([...new Uint8Array(12), ...hexBytes(a, 20, what)]);
const strWord = (s) => keccak256(te.encode(String(s)));
const cat = (...parts) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export function domainSeparator(chainId, verifyingContract) {
  return keccak256(cat(keccak256(te.encode(DOMAIN_TYPE)), strWord('Verity'), strWord('1'), word(chainId), addrWord(verifyingContract, 'verifyingContract')));
}

export function structHash(r) {
  const mode = r.numericMode === 'bitwise' ? 0 : r.numericMode === 'tolerance' ? 1 : null;
  if (mode === null) throw new Error('numericMode must be bitwise or tolerance');
  return keccak256(
    cat(
      keccak256(te.encode(RECEIPT_TYPE)),
      hexBytes(r.modelDigest, 32, 'modelDigest'),
      strWord(r.engineId),
      strWord(r.engineVersion),
      hexBytes(r.engineConfigDigest, 32, 'engineConfigDigest'),
      word(mode),
      hexBytes(r.inputDigest, 32, 'inputDigest'),
      hexBytes(r.outputDigest, 32, 'outputDigest'),
      hexBytes(r.traceRoot, 32, 'traceRoot'),
      word(r.traceLeaves),
      addrWord(r.node, 'node'),
      strWord(r.requestId),
      word(r.timeMillis),
      strWord(r.policy),
      word(r.seed),
    ),
  );
}

export function receiptDigest(r) {
  return keccak256(cat(Uint8Array.of(0x19, 0x01), domainSeparator(r.chainId, r.verifyingContract), structHash(r)));
}

export const BATCH_TYPE = 'ReceiptBatch(bytes32 root,uint64 size)';

/** keccak256(BATCH_TYPEHASH || root || uint256(size)). */
export function batchStructHash(root, size) {
  if (!(root instanceof Uint8Array) || root.length !== 32) throw new Error('batch root is not 32 bytes');
  return keccak256(cat(keccak256(te.encode(BATCH_TYPE)), root, word(size)));
}

/** The EIP-712 digest a node signs for a batch: same "Verity" domain as its receipts. */
export function batchDigest(root, size, chainId, verifyingContract) {
  return keccak256(cat(Uint8Array.of(0x19, 0x01), domainSeparator(chainId, verifyingContract), batchStructHash(root, size)));
}

/** 0x-prefixed lower-case hex of an address recovered by recoverAddress. */
export function addressHex(a) {
  return '0x' + Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks a direct (format 1) receipt's signature recovers the address in its `node` field; throws otherwise. */
export function verifyReceiptSignature(r) {
  if (r.batch !== undefined) throw new Error('receipt is batch-signed: its signature is over a batch root, not over the receipt digest');
  const addr = recoverAddress(receiptDigest(r), hexBytes(r.signature, 65, 'signature'));
  const want = hexBytes(r.node, 20, 'node');
  if (addr.some((b, i) => b !== want[i])) {
    throw new Error(`signature was made by 0x${Array.from(addr, (b) => b.toString(16).padStart(2, '0')).join('')}, not by the node ${r.node}`);
  }
  return r.node;
}
