// The shell: navigation, routing to lazily loaded pages, header status (live connections, API key), theme,
// keyboard shortcuts.

import { h, isTyping } from './dom.js';
import { PAGES, current, href, go } from './router.js';
import { on } from './events.js';
import { channel, channelInfos, reconnectAll } from './live.js';
import { initTheme, toggleTheme } from './theme.js';
import { openKeyDialog, roleLabel } from './key-dialog.js';
import { toggleHelp } from './help.js';
import { datasets } from './instruments.js';
import { uiConfig } from './ui-config.js';
import { apiKey } from './session.js';
import { loading, errorBox, empty, toast } from './ui.js';
import { KIND_TEXT } from './alert-feed.js';

/** Modules each page imports, fetched in parallel with the page module instead of one import level at a time. */
const PAGE_MODULES = {
  overview: ['format', 'models-data', 'tasks', 'task-table', 'alert-feed', 'charts/surface', 'charts/line-chart'],
  stocks: ['format', 'live', 'charts/surface', 'charts/price-series', 'charts/price-chart', 'charts/chart-input', 'charts/indicator-pane'],
  datasets: ['format', 'pages/etl-run-detail'],
  models: ['format', 'models-data', 'tasks', 'features', 'charts/surface', 'charts/line-chart', 'pages/model-register', 'pages/model-detail'],
  forecast: ['format', 'models-data', 'tasks', 'charts/surface', 'charts/fan-chart'],
  production: ['format', 'tasks', 'task-table', 'alert-feed', 'charts/surface', 'charts/line-chart'],
};
const preloaded = new Set();

function preloadPage(page) {
  for (const name of [`pages/${page}`, ...(PAGE_MODULES[page] || [])]) {
    if (preloaded.has(name)) continue;
    preloaded.add(name);
    document.head.append(h('link', { rel: 'modulepreload', href: `js/${name}.js` }));
  }
}

const loaders = {
  overview: () => import('./pages/overview.js'),
  stocks: () => import('./pages/stocks.js'),
  datasets: () => import('./pages/datasets.js'),
  models: () => import('./pages/models.js'),
  forecast: () => import('./pages/forecast.js'),
  production: () => import('./pages/production.js'),
};

const main = document.getElementById('main');
let active = null;
let routeSeq = 0;
let firstRoute = true;

function renderNav(page) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...PAGES.map((p) => h('a', {
    href: href(p.id), 'aria-current': p.id === page ? 'page' : false, title: `${p.title} (${p.key})`, dataset: { page: p.id },
  }, p.title)));
}

async function route() {
  const { page, params } = current();
  renderNav(page);
  const meta = PAGES.find((p) => p.id === page);
  document.title = meta ? `${meta.title} · StockCast` : 'Not found · StockCast';
  if (active && active.name === page && active.page.update) {
    active.page.update(params);
    return;
  }
  if (active) { try { active.page.unmount?.(); } catch (err) { console.warn('unmount failed', err); } active = null; }
  const seq = ++routeSeq;
  const config = await uiConfig();
  if (seq !== routeSeq) return;
  if (config.read_requires_key && !apiKey()) {
    main.replaceChildren(h('div', { class: 'page', dataset: { page: 'key-needed' } },
      empty('This server needs an API key to show data.', h('button', { type: 'button', class: 'btn btn-primary', on: { click: () => openKeyDialog() } }, 'Enter a key'))));
    openKeyDialog();
    return;
  }
  const loader = loaders[page];
  if (!loader) {
    main.replaceChildren(h('div', { class: 'page', dataset: { page: 'not-found' } },
      empty(`There is no page "${page}".`, h('a', { class: 'btn', href: href('overview') }, 'Go to the overview'))));
    return;
  }
  main.replaceChildren(loading());
  preloadPage(page);
  let mod;
  try {
    mod = await loader();
  } catch (err) {
    if (seq === routeSeq) main.replaceChildren(errorBox({ detail: `The page could not be loaded: ${err.message}` }, route));
    return;
  }
  if (seq !== routeSeq) return;
  const root = h('div', { class: 'page', dataset: { page } });
  main.replaceChildren(root);
  active = { name: page, page: mod.mount(root, params) || {} };
  if (!firstRoute) main.focus({ preventScroll: true });
  firstRoute = false;
}

function renderLive() {
  const pill = document.getElementById('live-pill');
  const infos = channelInfos();
  if (infos.length === 0) { pill.hidden = true; pill.dataset.status = 'idle'; return; }
  const down = infos.filter((i) => i.status !== 'live');
  const retrying = down.filter((i) => i.status === 'retrying');
  pill.hidden = false;
  let status = 'live';
  let text = 'Live';
  if (retrying.length) {
    status = 'retrying';
    const next = Math.max(0, Math.ceil((Math.min(...retrying.map((i) => i.retryAt)) - Date.now()) / 1000));
    text = `Disconnected · retrying in ${next} s`;
  } else if (down.length) {
    status = 'connecting';
    text = 'Connecting…';
  }
  pill.dataset.status = status;
  pill.className = `pill pill-${status}`;
  pill.textContent = text;
  pill.title = `${infos.map((i) => `/ws/${i.name}: ${i.status}`).join('\n')}\nClick to reconnect now.`;
}

let alertToasts = null;

/** New alerts reach every page as a toast (the Production page lists them all). */
function toastAlerts(config) {
  if (alertToasts || (config.read_requires_key && !apiKey())) return;
  alertToasts = channel('alerts').subscribe((event, { replayed }) => {
    if (event.type !== 'alert' || replayed) return;
    const what = `${KIND_TEXT[event.kind] || event.kind}${event.ticker ? ` · ${event.ticker}` : ''}`;
    if (event.state === 'resolved') toast(`Resolved: ${what}`, { kind: 'success' });
    else toast(`Alert: ${what}. ${(event.messages || [])[0] || ''}`, { kind: 'warn', timeout: 10000 });
  });
}

function renderKey() {
  const button = document.getElementById('key-button');
  button.textContent = roleLabel();
  button.dataset.hasKey = apiKey() ? 'true' : 'false';
}

function bindShortcuts() {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector('dialog[open]')) return;
    if (isTyping(e)) {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    const page = PAGES.find((p) => p.key === e.key);
    if (page) { e.preventDefault(); go(page.id, page.id === current().page ? current().params : {}); return; }
    const actions = {
      '?': toggleHelp,
      '/': () => document.getElementById('search-input').focus(),
      t: toggleTheme,
      k: () => openKeyDialog(),
      r: () => active?.page.refresh?.(),
      c: () => document.querySelector('.price-chart')?.focus(),
    };
    const act = actions[e.key];
    if (act) { e.preventDefault(); act(); }
  });
}

function bindSearch() {
  const form = document.getElementById('search');
  const input = document.getElementById('search-input');
  const list = document.getElementById('search-tickers');
  input.addEventListener('focus', async () => {
    try {
      const rows = await datasets();
      list.replaceChildren(...rows.map((r) => h('option', { value: r.ticker }, r.exchange)));
    } catch { /* the search still works with a typed ticker */ }
  }, { once: false });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const ticker = input.value.trim().toUpperCase();
    if (!ticker) return;
    input.value = '';
    input.blur();
    go('stocks', { ticker });
  });
}

function start() {
  initTheme();
  document.getElementById('theme-button').addEventListener('click', toggleTheme);
  document.getElementById('help-button').addEventListener('click', toggleHelp);
  document.getElementById('key-button').addEventListener('click', () => openKeyDialog());
  document.getElementById('live-pill').addEventListener('click', reconnectAll);
  on('live-status', renderLive);
  on('session', () => {
    renderKey();
    uiConfig().then(toastAlerts);
    if (active) active.page.refresh?.(); else route();
  });
  let lastPrompt = 0;
  on('auth-required', ({ detail }) => {
    if (Date.now() - lastPrompt < 10000) return;
    lastPrompt = Date.now();
    openKeyDialog(detail);
  });
  setInterval(renderLive, 1000);
  uiConfig().then(toastAlerts);
  renderKey();
  bindShortcuts();
  bindSearch();
  window.addEventListener('hashchange', route);
  // most pages need the instrument list: fetch it while their modules load (unless reading needs a key we lack)
  uiConfig().then((config) => { if (!config.read_requires_key || apiKey()) datasets().catch(() => {}); });
  route();
}

start();
