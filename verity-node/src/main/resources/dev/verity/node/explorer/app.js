// The explorer shell: hash routing, search, and polling for live updates.
import { h, replace, errorBox } from './dom.js';
import * as models from './page-models.js';
import * as receipts from './page-receipts.js';
import * as log from './page-log.js';
import * as nodes from './page-nodes.js';
import * as network from './page-network.js';
import * as search from './page-search.js';
import { startLogWatch } from './logwatch.js';

const main = document.getElementById('main');
const liveEl = document.getElementById('live');

const pages = {
  models: models.render,
  receipts: receipts.render,
  log: log.render,
  nodes: nodes.render,
  disputes: network.renderDisputes,
  decentralization: network.renderDecentralization,
  search: search.render,
};

let current = null;

/** What a page gets: where to draw, its route arguments, and timers that stop when it is left. */
class PageContext {
  constructor(args) {
    this.args = args;
    this.timers = [];
    this.stops = [];
    this.alive = true;
  }

  /** Runs fn now and then every ms milliseconds (never overlapping) while the page is shown. */
  every(ms, fn) {
    const tick = async () => {
      if (!this.alive) return;
      // A background tab does not poll the node; it catches up when shown again.
      if (document.hidden) {
        this.timers.push(setTimeout(tick, ms));
        return;
      }
      try {
        await fn();
        markLive(true);
      } catch (e) {
        markLive(false, e);
      }
      if (this.alive) this.timers.push(setTimeout(tick, ms));
    };
    tick();
  }

  /** Runs fn when the page is left. */
  onStop(fn) {
    this.stops.push(fn);
  }

  stop() {
    this.alive = false;
    this.timers.forEach(clearTimeout);
    this.stops.forEach((fn) => fn());
  }
}

function markLive(ok, err) {
  const t = new Date().toISOString().slice(11, 19);
  liveEl.textContent = ok ? `Live · updated ${t} UTC` : `Offline · ${err && err.message ? err.message : 'error'}`;
  liveEl.classList.toggle('down', !ok);
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const parts = raw.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch (e) {
      return p;
    }
  });
  const section = parts[0] || 'models';
  return { section, args: parts.slice(1).filter((p) => p !== '') };
}

async function route() {
  const { section, args } = parseHash();
  if (current) current.stop();
  const ctx = new PageContext(args);
  current = ctx;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const render = pages[section];
  const view = h('div', { class: 'page', dataset: { page: section } });
  replace(main, view);
  if (!render) {
    replace(view, h('h1', null, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '#/models' }, 'Go to models')));
    return;
  }
  try {
    await render(view, ctx);
  } catch (e) {
    if (ctx.alive) view.appendChild(errorBox(e));
  }
  if (ctx.alive && document.activeElement === document.body) main.focus({ preventScroll: true });
}

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});

window.addEventListener('hashchange', route);
startLogWatch();
route();
