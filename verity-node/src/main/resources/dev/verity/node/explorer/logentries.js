// Reads receipts straight from the log's public C2SP tiles (tile/entries/...): each entry is a
// receipt's canonical bytes, so the explorer can list recent receipts and find one by receipt id.
import { bytesOrNull } from './api.js';
import { decodeReceiptEntry, sha256, hex } from './verify.js';

const TILE = 256;

/** tlog-tiles index spelling: 1234067 -> x001/x234/067. */
export function tileIndexPath(n) {
  const digits = String(n);
  const groups = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end).padStart(3, '0'));
  return groups.map((g, i) => (i < groups.length - 1 ? 'x' + g : g)).join('/');
}

function parseEntriesTile(b) {
  const out = [];
  let o = 0;
  while (o < b.length) {
    if (o + 2 > b.length) throw new Error('entries tile is truncated');
    const n = (b[o] << 8) | b[o + 1];
    o += 2;
    if (o + n > b.length) throw new Error('entries tile is truncated');
    out.push(b.slice(o, o + n));
    o += n;
  }
  return out;
}

const fullTiles = new Map();

async function tileEntries(t, size) {
  const width = Math.min(TILE, size - t * TILE);
  if (width === TILE && fullTiles.has(t)) return fullTiles.get(t);
  const path = `/tile/entries/${tileIndexPath(t)}${width < TILE ? `.p/${width}` : ''}`;
  const b = await bytesOrNull(path);
  if (!b) return [];
  const entries = parseEntriesTile(b);
  if (width === TILE) fullTiles.set(t, entries);
  return entries;
}

/** The newest `count` log entries of a tree of `size`, newest first, decoded. */
export async function recentReceipts(size, count) {
  const out = [];
  const first = Math.max(0, size - count);
  for (let t = Math.floor((size - 1) / TILE); t >= 0 && t * TILE + TILE > first; t--) {
    const entries = await tileEntries(t, size);
    for (let i = entries.length - 1; i >= 0; i--) {
      const index = t * TILE + i;
      if (index < first) break;
      const entry = entries[i];
      let r;
      try {
        r = decodeReceiptEntry(entry);
      } catch (e) {
        r = { error: e.message };
      }
      out.push({ index, receiptId: 'sha256:' + hex(await sha256(entry)), ...r });
    }
  }
  return out;
}

/** Scans the newest `limit` entries for a receipt id; the index and decoded entry, or null. */
export async function findReceiptById(size, receiptId, limit = 4096) {
  const want = receiptId.toLowerCase();
  for (const r of await recentReceipts(size, limit)) {
    if (r.receiptId === want) return r;
  }
  return null;
}
