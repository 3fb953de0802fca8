// Safe DOM building: every string becomes a text node or an attribute value, never markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'dataset') {
      for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    } else {
      if (k === 'href' && !safeHref(String(v))) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

// Links only to this origin's pages and API, or to plain http(s) addresses.
function safeHref(v) {
  return /^(#|\/(?!\/)|https?:\/\/)/i.test(v);
}

/** h('a', {href: '#/x', class: 'c'}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

export function fmtBytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function fmtTime(t) {
  if (t === null || t === undefined || t === '') return '–';
  const d = typeof t === 'number' ? new Date(t) : new Date(String(t));
  if (isNaN(d.getTime())) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

export function shortDigest(d) {
  const v = String(d || '');
  const m = /^sha256:([0-9a-f]{64})$/.exec(v);
  return m ? `sha256:${m[1].slice(0, 12)}…` : v.length > 24 ? v.slice(0, 20) + '…' : v;
}

/** A definition list from [label, value] pairs; values may be nodes. */
export function fields(pairs, attrs) {
  return h(
    'dl',
    Object.assign({ class: 'fields' }, attrs || {}),
    pairs
      .filter((p) => p)
      .map(([k, v, key]) => [
        h('dt', null, k),
        h('dd', key ? { dataset: { field: key } } : null, v === undefined || v === null || v === '' ? '–' : v),
      ]),
  );
}

export function code(text, cls) {
  return h('code', cls ? { class: cls } : null, String(text));
}

/** An honest empty state: what is missing and why. */
export function unavailable(title, ...why) {
  return h('section', { class: 'empty', dataset: { state: 'unavailable' } }, h('h3', null, title), why.map((w) => h('p', null, w)));
}

export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert' }, String(err && err.message ? err.message : err));
}

export function table(headers, rows, attrs) {
  return h(
    'table',
    attrs || null,
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows),
  );
}

/** Witness cosignature lines of a checkpoint. Their keys are not pinned in the page, so they are listed, not checked. */
export function witnessTable(cos, id) {
  if (cos.length === 0) return null;
  return table(
    ['Witness', 'Key id', 'Cosigned at', 'Checked in the page'],
    cos.map((c) => h('tr', null, h('td', null, c.name), h('td', null, code(c.keyId)), h('td', null, c.time ? fmtTime(c.time) : '–'), h('td', { class: 'muted' }, 'no: witness key not pinned here'))),
    { class: 'data', id },
  );
}
