// Datasets / ETL: stored datasets, the ETL list builder, the tracked-ticker list run daily, CSV upload, the runs
// table with live status, and a run's detail with its steps and every rejected or flagged row.
// URL: #/datasets?ticker=GOOG&status=failed&run=12&add=AAPL

import { h } from '../dom.js';
import { get, post, del, request, seg } from '../api.js';
import { datasets, invalidate } from '../instruments.js';
import { card, loading, empty, errorBox, badge, toast, field, showFormError, clearErrors, confirmDialog } from '../ui.js';
import { href, setParams } from '../router.js';
import * as fmt from '../format.js';
import { renderRunDetail } from './etl-run-detail.js';

const RUN_PAGE = 50;
const ACTIVE_POLL_MS = 1500;
const IDLE_POLL_MS = 15000;
const EXCHANGES = ['NASDAQ', 'NYSE'];
const STATUSES = ['', 'pending', 'running', 'completed', 'failed', 'interrupted', 'cancelled'];

const isActive = (run) => run.status === 'pending' || run.status === 'running';

export function mount(root, params) {
  let p = { ...params };
  let builder = [];
  let runs = [];
  let nextCursor = '';
  let highlight = new Set();
  let pollTimer = 0;
  let detailTimer = 0;
  let destroyed = false;
  const slots = {};

  function layout() {
    slots.datasets = h('div', { class: 'card-body flush' }, loading());
    slots.tracked = h('div', { class: 'card-body flush' }, loading());
    slots.runs = h('div', { class: 'card-body flush' }, loading());
    slots.detail = h('div', { 'data-slot': 'run-detail' });
    slots.builderList = h('ul', { class: 'feed', 'data-slot': 'builder-list' });
    slots.runButton = h('button', { type: 'submit', class: 'btn btn-primary', disabled: true, 'data-action': 'run-etl' }, 'Run ETL');
    root.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, 'Datasets & ETL'), h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'btn', on: { click: refresh } }, 'Reload')),
      h('div', { class: 'grid grid-main' },
        h('div', { class: 'stack' },
          card('Datasets', {}, slots.datasets),
          slots.detail,
          card(runsHead(), { id: 'runs' }, slots.runs)),
        h('div', { class: 'stack' },
          card('Run ETL', {}, builderForm()),
          card('Tracked tickers (run daily)', {}, slots.tracked, trackForm()),
          card('Upload a CSV', {}, uploadForm()))));
  }

  // ---- datasets -----------------------------------------------------------------------------------------------

  async function loadDatasets() {
    try {
      const rows = await datasets(true);
      if (destroyed) return;
      if (rows.length === 0) { slots.datasets.replaceChildren(empty('No datasets yet: add a ticker and run the ETL.')); return; }
      slots.datasets.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'datasets' },
        h('thead', {}, h('tr', {}, ['Ticker', 'Exchange', 'Period', 'Sessions', 'Flagged', 'Source', 'Updated'].map((t, i) => h('th', { class: [3, 4].includes(i) ? 'num' : i === 5 ? 'hide-narrow' : '' }, t)))),
        h('tbody', {}, rows.map((r) => h('tr', { dataset: { ticker: r.ticker } },
          h('td', {}, h('a', { href: href('stocks', { ticker: r.ticker, exchange: r.exchange }) }, h('strong', {}, r.ticker))),
          h('td', {}, r.exchange),
          h('td', { class: 'nowrap' }, `${r.start_date} ~ ${r.end_date}`),
          h('td', { class: 'num' }, fmt.int(r.count)),
          h('td', { class: 'num' }, r.flagged_rows ? h('a', { href: href('datasets', { ticker: r.ticker }) }, fmt.int(r.flagged_rows)) : '0'),
          h('td', { class: 'mono hide-narrow', title: r.source }, shortSource(r.source)),
          h('td', { class: 'nowrap', title: fmt.dateTime(r.last_updated) }, fmt.ago(r.last_updated))))))));
    } catch (err) {
      if (!destroyed) slots.datasets.replaceChildren(errorBox(err, loadDatasets));
    }
  }

  const shortSource = fmt.source;

  // ---- tracked tickers ----------------------------------------------------------------------------------------

  async function loadTracked() {
    try {
      const rows = await get('/api/etl/tickers');
      if (destroyed) return;
      const list = Array.isArray(rows) ? rows : rows.tickers || [];
      if (list.length === 0) { slots.tracked.replaceChildren(empty('No tracked tickers: the daily schedule has nothing to run.')); return; }
      slots.tracked.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'tracked' },
        h('thead', {}, h('tr', {}, ['Ticker', 'Exchange', 'Source', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, list.map((r) => h('tr', { dataset: { ticker: r.ticker }, title: `tracked since ${fmt.dateTime(r.added_at)}` },
          h('td', {}, h('strong', {}, r.ticker)), h('td', {}, r.exchange),
          h('td', { class: 'mono', title: r.source }, shortSource(r.source)),
          h('td', { class: 'actions' },
            h('button', { type: 'button', class: 'btn btn-sm', on: { click: () => addToBuilder({ ticker: r.ticker, exchange: r.exchange, source: '' }) } }, 'Add to run'),
            h('button', { type: 'button', class: 'btn btn-sm btn-danger', 'aria-label': `Stop tracking ${r.ticker}`, on: { click: () => untrack(r) } }, 'Remove'))))))));
    } catch (err) {
      if (!destroyed) slots.tracked.replaceChildren(errorBox(err, loadTracked));
    }
  }

  async function untrack(r) {
    const ok = await confirmDialog({ title: `Stop tracking ${r.ticker}?`, message: `The daily ETL will no longer fetch ${r.ticker} on ${r.exchange}. Stored prices are kept.`, confirmLabel: 'Stop tracking', danger: true });
    if (!ok) return;
    try {
      await del(`/api/etl/tickers/${seg(r.ticker)}`, { exchange: r.exchange });
      toast(`${r.ticker} is no longer tracked.`, { kind: 'success' });
      loadTracked();
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }

  function trackForm() {
    const form = h('form', { class: 'card-body form-grid', 'aria-label': 'Track a ticker' },
      field('Ticker', 'ticker', h('input', { name: 'ticker', required: true, placeholder: 'AAPL', autocomplete: 'off' })),
      field('Exchange', 'exchange', exchangeInput('track-exchanges')),
      field('Source', 'source', sourceInput('track-sources'), 'yahoo, stooq or csv:FILE in the import folder'),
      h('div', { class: 'field form-actions', style: { alignSelf: 'end' } }, h('button', { type: 'submit', class: 'btn' }, 'Track daily')),
      h('div', { class: 'form-error-slot span-all' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = formValues(form);
      try {
        await post('/api/etl/tickers', body);
        toast(`${body.ticker} is tracked: the daily schedule will fetch it.`, { kind: 'success' });
        form.reset();
        loadTracked();
      } catch (err) { showFormError(form, err); }
    });
    return form;
  }

  function exchangeInput(listId) {
    return h('span', {}, h('input', { name: 'exchange', required: true, list: listId, value: 'NASDAQ', autocomplete: 'off' }),
      h('datalist', { id: listId }, EXCHANGES.map((x) => h('option', { value: x }))));
  }

  function sourceInput(listId) {
    return h('span', {}, h('input', { name: 'source', list: listId, placeholder: 'tracked source', autocomplete: 'off' }),
      h('datalist', { id: listId }, ['yahoo', 'stooq', 'csv:sample/goog.csv', 'csv:sample/gspc.csv'].map((x) => h('option', { value: x }))));
  }

  function formValues(form) {
    const data = new FormData(form);
    const out = {};
    for (const [k, v] of data.entries()) if (typeof v === 'string' && v.trim()) out[k] = k === 'ticker' || k === 'exchange' ? v.trim().toUpperCase() : v.trim();
    return out;
  }

  // ---- ETL builder --------------------------------------------------------------------------------------------

  function builderForm() {
    const form = h('form', { class: 'card-body stack', 'aria-label': 'ETL list builder' },
      h('div', { class: 'form-grid' },
        field('Ticker', 'ticker', h('input', { name: 'ticker', placeholder: 'AAPL', autocomplete: 'off', value: p.add || '' })),
        field('Exchange', 'exchange', exchangeInput('builder-exchanges')),
        field('Source', 'source', sourceInput('builder-sources'), 'empty = the tracked source')),
      h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'btn', 'data-action': 'add-to-list', on: { click: () => addFromForm(form) } }, 'Add to list'),
        h('button', { type: 'button', class: 'btn btn-ghost', on: { click: addAllTracked } }, 'Add all tracked')),
      h('div', { class: 'form-error-slot' }),
      slots.builderList,
      h('div', { class: 'form-actions' }, slots.runButton, h('small', { class: 'hint' }, 'Runs are queued (at most two at once, never two of one ticker).')));
    form.addEventListener('submit', (e) => { e.preventDefault(); runBuilder(form); });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.tagName === 'INPUT') { e.preventDefault(); addFromForm(form); }
    });
    renderBuilder();
    return form;
  }

  function addFromForm(form) {
    clearErrors(form);
    const v = formValues(form);
    if (!v.ticker || !v.exchange) {
      showFormError(form, { detail: v.ticker ? 'Enter an exchange (e.g. NASDAQ).' : 'Enter a ticker (e.g. AAPL).', code: v.ticker ? 'exchange' : 'ticker' });
      return;
    }
    addToBuilder({ ticker: v.ticker, exchange: v.exchange, source: v.source || '' });
    form.querySelector('input[name="ticker"]').value = '';
    form.querySelector('input[name="source"]').value = '';
    form.querySelector('input[name="ticker"]').focus();
  }

  function addToBuilder(item) {
    if (builder.some((b) => b.ticker === item.ticker && b.exchange === item.exchange)) {
      toast(`${item.ticker} · ${item.exchange} is already in the list.`, { kind: 'warn' });
      return;
    }
    builder.push(item);
    renderBuilder();
  }

  async function addAllTracked() {
    try {
      const rows = await get('/api/etl/tickers');
      for (const r of (Array.isArray(rows) ? rows : rows.tickers || [])) {
        if (!builder.some((b) => b.ticker === r.ticker && b.exchange === r.exchange)) builder.push({ ticker: r.ticker, exchange: r.exchange, source: '' });
      }
      renderBuilder();
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }

  function renderBuilder() {
    slots.builderList.replaceChildren(...builder.map((b, i) => h('li', { dataset: { ticker: b.ticker } },
      h('div', { class: 'feed-main' }, h('strong', {}, b.ticker), ` · ${b.exchange}`, h('div', { class: 'feed-text mono' }, b.source || 'tracked source')),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Remove ${b.ticker}`, on: { click: () => { builder.splice(i, 1); renderBuilder(); } } }, '×'))));
    if (builder.length === 0) slots.builderList.append(h('li', { class: 'muted' }, 'The list is empty: add tickers above.'));
    slots.runButton.disabled = builder.length === 0;
    slots.runButton.textContent = builder.length ? `Run ETL (${builder.length})` : 'Run ETL';
  }

  async function runBuilder(form) {
    clearErrors(form);
    slots.runButton.disabled = true;
    const body = builder.map((b) => (b.source ? b : { ticker: b.ticker, exchange: b.exchange }));
    try {
      const res = await post('/api/run-etl', body);
      const ids = res.run_ids || (res.runs || []).map((r) => r.id);
      highlight = new Set(ids);
      toast(res.message || `${ids.length} run(s) queued.`, { kind: 'success' });
      builder = [];
      renderBuilder();
      invalidate();
      await loadRuns();
    } catch (err) {
      showFormError(form, err);
      slots.runButton.disabled = builder.length === 0;
    }
  }

  // ---- upload -------------------------------------------------------------------------------------------------

  function uploadForm() {
    const form = h('form', { class: 'card-body form-grid', 'aria-label': 'Upload a CSV' },
      field('Ticker', 'ticker', h('input', { name: 'ticker', required: true, placeholder: 'DRIFT', autocomplete: 'off' })),
      field('Exchange', 'exchange', exchangeInput('upload-exchanges')),
      field('CSV file', 'file', h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true }), 'date, open, high, low, close, volume (Yahoo, yfinance or Stooq headers)'),
      h('div', { class: 'field form-actions', style: { alignSelf: 'end' } }, h('button', { type: 'submit', class: 'btn' }, 'Upload and run')),
      h('div', { class: 'form-error-slot span-all' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const v = formValues(form);
      const file = form.querySelector('input[type="file"]').files[0];
      if (!file) { showFormError(form, { detail: 'Choose a CSV file.', code: 'file' }); return; }
      try {
        const run = await request('POST', `/api/datasets/${seg(v.ticker)}/import`, { query: { exchange: v.exchange }, raw: file, contentType: 'text/csv' });
        highlight = new Set([run.id]);
        toast(`Run ${run.id} queued for ${v.ticker}.`, { kind: 'success' });
        form.reset();
        invalidate();
        loadRuns();
      } catch (err) { showFormError(form, err); }
    });
    return form;
  }

  // ---- runs ---------------------------------------------------------------------------------------------------

  function runsHead() {
    const ticker = h('input', { name: 'ticker', placeholder: 'all tickers', value: p.ticker || '', 'aria-label': 'Filter by ticker', style: { width: '120px' } });
    const status = h('select', { name: 'status', 'aria-label': 'Filter by status' }, STATUSES.map((s) => h('option', { value: s, selected: s === (p.status || '') }, s || 'any status')));
    const apply = () => { setParams({ ticker: ticker.value.trim().toUpperCase(), status: status.value }); p.ticker = ticker.value.trim().toUpperCase(); p.status = status.value; nextCursor = ''; loadRuns(); };
    ticker.addEventListener('change', apply);
    status.addEventListener('change', apply);
    return h('div', { class: 'row', style: { flex: 1 } }, h('h2', { style: { marginRight: 'auto' } }, 'ETL runs'), ticker, status);
  }

  async function loadRuns({ more = false } = {}) {
    clearTimeout(pollTimer);
    try {
      const res = await get('/api/etl/runs', { ticker: p.ticker, status: p.status, limit: RUN_PAGE, cursor: more ? nextCursor : '' });
      if (destroyed) return;
      const page = res.runs || [];
      runs = more ? [...runs, ...page] : mergeKeepingLoaded(page);
      nextCursor = res.next_cursor || '';
      renderRuns();
    } catch (err) {
      if (destroyed) return;
      if (runs.length === 0) slots.runs.replaceChildren(errorBox(err, () => loadRuns()));
      else toast(`Could not refresh the runs: ${err.detail}`, { kind: 'error' });
    }
    schedulePoll();
  }

  /** A refresh replaces the first page but keeps rows the user loaded with "Load more". */
  function mergeKeepingLoaded(page) {
    if (runs.length <= RUN_PAGE) return page;
    const ids = new Set(page.map((r) => r.id));
    const oldest = page.length ? page[page.length - 1].id : Infinity;
    return [...page, ...runs.filter((r) => !ids.has(r.id) && r.id < oldest)];
  }

  function schedulePoll() {
    if (destroyed) return;
    const active = runs.some(isActive);
    pollTimer = setTimeout(() => loadRuns(), active ? ACTIVE_POLL_MS : IDLE_POLL_MS);
  }

  function renderRuns() {
    if (runs.length === 0) {
      slots.runs.replaceChildren(empty(p.ticker || p.status ? 'No runs match the filter.' : 'No ETL runs yet.'));
      return;
    }
    const active = runs.filter(isActive).length;
    slots.runs.replaceChildren(
      h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'runs', dataset: { active: String(active) } },
        h('thead', {}, h('tr', {}, ['Run', 'Ticker', 'Trigger', 'Status', 'Read', 'Inserted', 'Updated', 'Rejected', 'Flagged', 'Duration', 'Created'].map((t, i) => h('th', { class: i >= 4 && i <= 9 ? 'num' : '' }, t)))),
        h('tbody', {}, runs.map((r) => {
          const c = r.counts || {};
          return h('tr', {
            class: `clickable ${String(r.id) === String(p.run) ? 'selected' : ''} ${highlight.has(r.id) ? 'highlight' : ''}`,
            dataset: { runId: String(r.id), status: r.status }, tabindex: '0',
            on: { click: () => openRun(r.id), keydown: (e) => { if (e.key === 'Enter') openRun(r.id); } },
          },
          h('td', {}, h('a', { href: href('datasets', { ...p, run: r.id }), on: { click: (e) => { e.preventDefault(); openRun(r.id); } } }, `#${r.id}`)),
          h('td', {}, h('strong', {}, r.ticker), h('span', { class: 'muted' }, ` · ${r.exchange}`)),
          h('td', {}, r.trigger || '–'),
          h('td', {}, badge(r.status)),
          h('td', { class: 'num' }, fmt.int(c.read)), h('td', { class: 'num' }, fmt.int(c.inserted)), h('td', { class: 'num' }, fmt.int(c.updated)),
          h('td', { class: `num ${c.rejected ? 'down' : ''}` }, fmt.int(c.rejected)), h('td', { class: `num ${c.flagged ? 'down' : ''}` }, fmt.int(c.flagged)),
          h('td', { class: 'num' }, fmt.duration(r.duration_ms)),
          h('td', { class: 'nowrap', title: fmt.dateTime(r.created_at) }, fmt.ago(r.created_at)));
        })))),
      h('div', { class: 'table-foot' },
        h('span', { class: 'muted' }, `${runs.length} run(s)${active ? `, ${active} in progress (refreshing every ${ACTIVE_POLL_MS / 1000} s)` : ''}`),
        nextCursor ? h('button', { type: 'button', class: 'btn btn-sm', on: { click: () => loadRuns({ more: true }) } }, 'Load more') : null));
  }

  // ---- run detail ---------------------------------------------------------------------------------------------

  /** Opens a run's detail as a new history entry (Back closes it); `update` does the rendering. */
  function openRun(id) {
    setParams({ run: id }, { push: true });
  }

  async function loadDetail() {
    clearTimeout(detailTimer);
    if (!p.run) { slots.detail.replaceChildren(); return; }
    const id = p.run;
    if (!slots.detail.firstChild) slots.detail.replaceChildren(card(`Run #${id}`, {}, loading()));
    try {
      const res = await get(`/api/etl/runs/${seg(id)}`);
      if (destroyed || p.run !== id) return;
      renderRunDetail(slots.detail, res, { closeHref: href('datasets', { ...p, run: '' }), onRetry: retryRun });
      if (isActive(res.run)) detailTimer = setTimeout(loadDetail, ACTIVE_POLL_MS);
    } catch (err) {
      if (!destroyed && p.run === id) slots.detail.replaceChildren(card(`Run #${id}`, {}, errorBox(err, loadDetail)));
    }
  }

  async function retryRun(run) {
    try {
      const res = await post(`/api/etl/runs/${seg(run.id)}/retry`, {});
      const id = res.id ?? res.run_id ?? (res.run_ids || [])[0];
      toast(`Retry queued${id ? ` as run #${id}` : ''}.`, { kind: 'success' });
      if (id) { highlight = new Set([id]); openRun(id); }
      loadRuns();
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }

  function refresh() {
    loadDatasets();
    loadTracked();
    loadRuns();
    loadDetail();
  }

  layout();
  refresh();

  return {
    update(next) {
      const filterChanged = (next.ticker || '') !== (p.ticker || '') || (next.status || '') !== (p.status || '');
      const runChanged = (next.run || '') !== (p.run || '');
      p = { ...next };
      if (filterChanged) { nextCursor = ''; runs = []; loadRuns(); }
      if (runChanged) { slots.detail.replaceChildren(); loadDetail(); renderRuns(); if (p.run) slots.detail.scrollIntoView({ block: 'nearest' }); }
    },
    refresh,
    unmount() { destroyed = true; clearTimeout(pollTimer); clearTimeout(detailTimer); },
  };
}
