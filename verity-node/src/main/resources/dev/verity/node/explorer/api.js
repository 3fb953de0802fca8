// The node's public HTTP API, the same one the SDK uses. Nothing here reads private state.

export class ApiError extends Error {
  constructor(status, message, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

async function request(path, accept) {
  let resp;
  try {
    resp = await fetch(path, { headers: { Accept: accept }, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `node unreachable: ${e.message}`);
  }
  if (!resp.ok) {
    let problem = null;
    let detail = `${resp.status} ${resp.statusText}`;
    try {
      problem = await resp.json();
      if (problem && problem.detail) detail = `${resp.status}: ${problem.detail}`;
    } catch (e) {
      // Not a problem document; keep the status line.
    }
    throw new ApiError(resp.status, detail, problem);
  }
  return resp;
}

export async function json(path) {
  return (await request(path, 'application/json')).json();
}

/** JSON, or null when the node answers 404. */
export async function jsonOrNull(path) {
  try {
    return await json(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export async function text(path) {
  return (await request(path, 'text/plain')).text();
}

export async function bytesOrNull(path) {
  try {
    return new Uint8Array(await (await request(path, 'application/octet-stream')).arrayBuffer());
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export const enc = encodeURIComponent;

let routesPromise = null;

/** "GET /v1/models" style keys of every documented route; the node keeps them in sync. */
export function routes() {
  if (!routesPromise) {
    routesPromise = json('/openapi.json')
      .then((doc) => {
        const out = new Set();
        for (const [p, ops] of Object.entries(doc.paths || {})) {
          for (const m of Object.keys(ops)) out.add(`${m.toUpperCase()} ${p}`);
        }
        return out;
      })
      .catch((e) => {
        routesPromise = null;
        throw e;
      });
  }
  return routesPromise;
}

/** Documented GET paths matching a pattern, e.g. /disput/ — how pages find endpoints added later. */
export async function findGetPaths(re) {
  const all = await routes();
  return [...all].filter((r) => r.startsWith('GET ') && re.test(r)).map((r) => r.slice(4));
}

export const api = {
  health: () => json('/v1/health'),
  node: () => json('/v1/node'),
  models: (q) => json('/v1/models' + (q ? `?q=${enc(q)}` : '')),
  versions: (name) => jsonOrNull(`/v1/models/${enc(name)}`),
  manifest: (digest) => jsonOrNull(`/v1/manifests/${enc(digest)}`),
  lineage: (digest) => jsonOrNull(`/v1/manifests/${enc(digest)}/lineage`),
  receipt: (id) => jsonOrNull(`/v1/receipts/${enc(id)}`),
  bundleUrl: (id) => `/v1/receipts/${enc(id)}/bundle`,
  checkpoint: () => text('/checkpoint'),
  consistency: (from, to) => json(`/v1/log/proof/consistency?from=${from}&to=${to}`),
  cosigned: () => json('/v1/log/cosignatures'),
  forks: () => json('/v1/log/forks'),
  witness: () => json('/v1/witness'),
};
