// Small SVG charts drawn from data, with a text summary for screen readers.
import { s } from './dom.js';

/** A step chart of points {time, size}. */
export function lineChart(points, { width = 640, height = 220, title = 'Chart', id } = {}) {
  const pad = { l: 56, r: 16, t: 16, b: 34 };
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title, id, preserveAspectRatio: 'xMidYMid meet' });
  svg.appendChild(s('title', null, title));
  const w = width - pad.l - pad.r;
  const hgt = height - pad.t - pad.b;
  if (points.length === 0) {
    svg.appendChild(s('text', { x: width / 2, y: height / 2, class: 'axis', 'text-anchor': 'middle' }, 'waiting for data…'));
    return svg;
  }
  points = points.slice().sort((a, b) => a.time - b.time || a.size - b.size);
  const now = Date.now();
  const t0 = Math.min(points[0].time, now - 60000);
  const t1 = Math.max(now, t0 + 1);
  const ymax = Math.max(1, ...points.map((p) => p.size));
  // Small logs get whole-number ticks (a multiple of 4 over 4 grid lines).
  const niceMax = ymax < 40 ? Math.max(4, Math.ceil(ymax / 4) * 4) : niceCeil(ymax);
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * w;
  const y = (v) => pad.t + hgt - (v / niceMax) * hgt;
  for (let i = 0; i <= 4; i++) {
    const v = (niceMax * i) / 4;
    svg.appendChild(s('line', { x1: pad.l, x2: pad.l + w, y1: y(v), y2: y(v), class: 'grid' }));
    svg.appendChild(s('text', { x: pad.l - 8, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, formatNum(v)));
  }
  svg.appendChild(s('text', { x: pad.l, y: height - 10, class: 'axis' }, `${ago(t1 - t0)} ago`));
  svg.appendChild(s('text', { x: pad.l + w, y: height - 10, class: 'axis', 'text-anchor': 'end' }, 'now'));
  let d = '';
  points.forEach((p, i) => {
    d += i === 0 ? `M${x(p.time).toFixed(1)},${y(p.size).toFixed(1)}` : `H${x(p.time).toFixed(1)}V${y(p.size).toFixed(1)}`;
  });
  d += `H${x(now).toFixed(1)}`;
  svg.appendChild(s('path', { d, class: 'series' }));
  for (const p of points) svg.appendChild(s('circle', { cx: x(p.time), cy: y(p.size), r: 3, class: 'dot' }, s('title', null, `${new Date(p.time).toISOString()}: ${p.size}`)));
  return svg;
}

/** Horizontal bars of {label, value} with value as a share in [0, 1]. */
export function shareBars(items, { width = 640, title = 'Shares', id } = {}) {
  const row = 28;
  const height = Math.max(1, items.length) * row + 10;
  const labelW = 200;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title, id });
  svg.appendChild(s('title', null, title));
  items.forEach((it, i) => {
    const y = 5 + i * row;
    const bw = Math.max(0, Math.min(1, it.value)) * (width - labelW - 70);
    svg.appendChild(s('text', { x: labelW - 8, y: y + 17, class: 'axis', 'text-anchor': 'end' }, String(it.label).slice(0, 28)));
    svg.appendChild(s('rect', { x: labelW, y: y + 4, width: bw, height: row - 10, class: 'bar' }));
    svg.appendChild(s('text', { x: labelW + bw + 6, y: y + 17, class: 'axis' }, `${(it.value * 100).toFixed(1)} %`));
  });
  return svg;
}

function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 4, 5, 10]) if (m * p >= v) return Math.max(4, m * p);
  return v;
}

function formatNum(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function ago(ms) {
  const sec = Math.round(ms / 1000);
  if (sec < 120) return `${sec} s`;
  if (sec < 7200) return `${Math.round(sec / 60)} min`;
  if (sec < 172800) return `${Math.round(sec / 3600)} h`;
  return `${Math.round(sec / 86400)} days`;
}
