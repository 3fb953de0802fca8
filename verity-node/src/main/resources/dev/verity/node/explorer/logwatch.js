// Watches the log's checkpoint for the whole visit: keeps the tree size over time and checks
// each new checkpoint against the previous one (signature and RFC 9162 consistency proof).
import { api } from './api.js';
import { parseCheckpoint, verifyConsistency, verifyNoteSignature, b64decode } from './verify.js';
import { recentReceipts } from './logentries.js';

const samples = [];
// Distinct checkpoints seen in this visit, newest last, each with how it relates to the previous.
const checkpoints = [];
const listeners = new Set();
const state = {
  samples,
  checkpoints,
  latest: null,
  logKey: null,
  consistencyChecks: 0,
  consistencyFailures: [],
  lastConsistency: null,
  error: null,
};

export function logState() {
  return state;
}

export function onLogUpdate(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function poll() {
  if (!state.logKey) state.logKey = (await api.node()).logKey;
  const note = await api.checkpoint();
  const cp = parseCheckpoint(note);
  await verifyNoteSignature(note, state.logKey);
  const prev = state.latest;
  let relation = prev ? null : 'first seen';
  if (prev && (cp.size !== prev.size || note !== prev.note)) {
    const size1 = prev.size;
    const size2 = cp.size;
    try {
      if (size2 < size1) throw new Error(`tree shrank from ${size1} to ${size2}`);
      const p = size1 === size2 ? { proof: [] } : await api.consistency(size1.toString(), size2.toString());
      await verifyConsistency(size1, size2, p.proof.map(b64decode), prev.root, cp.root);
      state.consistencyChecks++;
      state.lastConsistency = { from: size1, to: size2, ok: true };
      relation = size1 === size2 ? `same tree as ${size1}, new signatures` : `consistent with ${size1}`;
    } catch (e) {
      state.consistencyFailures.push({ from: size1, to: size2, reason: e.message, time: Date.now() });
      state.lastConsistency = { from: size1, to: size2, ok: false, reason: e.message };
      relation = `INCONSISTENT with ${size1}: ${e.message}`;
    }
  }
  if (!prev && cp.size > 0n) {
    // History before this visit: each log entry carries its receipt's time, so entry i marks
    // the moment the tree reached size i + 1.
    try {
      const rows = await recentReceipts(Number(cp.size), 512);
      rows.reverse().forEach((r) => {
        if (typeof r.timeMillis === 'number') samples.push({ time: r.timeMillis, size: r.index + 1 });
      });
    } catch (e) {
      // The chart then starts with this visit.
    }
  }
  state.latest = { note, size: cp.size, root: cp.root, origin: cp.origin, sigs: cp.sigs, time: Date.now() };
  if (relation) {
    checkpoints.push({ size: cp.size, root: cp.root, time: Date.now(), signatures: cp.sigs.length, relation });
    if (checkpoints.length > 100) checkpoints.shift();
  }
  const last = samples[samples.length - 1];
  if (!last || last.size !== Number(cp.size) || Date.now() - last.time > 10000) {
    samples.push({ time: Date.now(), size: Number(cp.size) });
    if (samples.length > 500) samples.shift();
  }
  state.error = null;
}

export function startLogWatch(ms = 2000) {
  const tick = async () => {
    if (document.hidden) {
      setTimeout(tick, ms);
      return;
    }
    try {
      await poll();
    } catch (e) {
      state.error = e.message || String(e);
    }
    for (const fn of listeners) {
      try {
        fn(state);
      } catch (e) {
        // A page's redraw failing must not stop the watch.
      }
    }
    setTimeout(tick, ms);
  };
  tick();
}

/** Resolves once the first poll has finished (or failed). */
export function whenLogReady() {
  if (state.latest || state.error) return Promise.resolve(state);
  return new Promise((resolve) => {
    const off = onLogUpdate((s) => {
      off();
      resolve(s);
    });
  });
}
