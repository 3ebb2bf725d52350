// Stocks: look a ticker up and read its whole history on a candlestick chart (zoom, pan, crosshair, overlays,
// RSI/MACD), with past predictions and their intervals drawn over the actual prices.
// URL: #/stocks?ticker=GOOG&exchange=NASDAQ&from=2012-01-03&to=2013-03-01&ov=ma,bb,pred&pane=rsi

import { h, debounce } from '../dom.js';
import { get, seg } from '../api.js';
import { datasets } from '../instruments.js';
import { channel } from '../live.js';
import { PriceSeries } from '../charts/price-series.js';
import { PriceChart } from '../charts/price-chart.js';
import { setParams, go, href } from '../router.js';
import { card, loading, empty, errorBox, badge } from '../ui.js';
import * as fmt from '../format.js';

const PAGE_LIMIT = 5000;
const QUICK_DAYS = 400;
const OVERLAY_NAMES = [['ma', 'MA 5/10'], ['ema', 'EMA 12/26'], ['bb', 'Bollinger'], ['pred', 'Predictions']];
const PANES = [['none', 'No pane'], ['rsi', 'RSI'], ['macd', 'MACD']];
const RANGES = [['1M', 21], ['6M', 126], ['1Y', 252], ['5Y', 1260], ['All', Infinity]];

/** Fetches every bar of [from, to] page by page (bounded by the API's page size). */
async function fetchBars(ticker, exchange, from, to, signal) {
  const bars = [];
  let cursor = '';
  for (let page = 0; page < 100; page++) {
    const res = await get(`/api/datasets/${seg(ticker)}/prices`, { exchange, from, to, limit: PAGE_LIMIT, cursor }, { signal });
    bars.push(...res.prices);
    if (!res.next_cursor || res.prices.length === 0) break;
    cursor = res.next_cursor;
  }
  return bars;
}

export function mount(root, params) {
  let state = { params: {}, instrument: null, series: null, predictions: null };
  let chart = null;
  let abort = new AbortController();
  const writeView = debounce((v) => setParams({ from: v.from, to: v.to }), 300);

  // new and newly scored predictions of this instrument arrive live
  const unsubscribe = channel('predictions').subscribe((event) => {
    const inst = state.instrument;
    if (!inst || !state.predictions || !['prediction', 'prediction_scored'].includes(event.type)) return;
    if (event.ticker !== inst.ticker || (event.exchange && event.exchange !== inst.exchange)) return;
    const id = event.prediction_id ?? event.id;
    const list = state.predictions.filter((p) => (p.prediction_id ?? p.id) !== id);
    list.unshift({ ...event, id });
    state.predictions = list.sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
    if (chart) chart.setPredictions(state.predictions);
    const slot = root.querySelector('[data-slot="predictions"]');
    if (slot) renderPredictionTable(slot, state.predictions);
  });

  const overlaysOf = (p) => new Set((p.ov ?? 'ma').split(',').filter(Boolean));
  const paneOf = (p) => (['rsi', 'macd'].includes(p.pane) ? p.pane : 'none');

  async function load(p) {
    abort.abort();
    abort = new AbortController();
    const { signal } = abort;
    writeView.cancel();
    if (chart) { chart.destroy(); chart = null; }
    state = { params: p, instrument: null, series: null, predictions: null };
    root.replaceChildren(loading('Loading instruments…'));
    let rows;
    try {
      rows = await datasets();
    } catch (err) {
      if (!signal.aborted) root.replaceChildren(errorBox(err, () => load(p)));
      return;
    }
    if (signal.aborted) return;
    if (rows.length === 0) {
      root.replaceChildren(empty('No price data is stored yet.', h('a', { class: 'btn btn-primary', href: href('datasets') }, 'Run an ETL on the Datasets page')));
      return;
    }
    const wanted = (p.ticker || rows[0].ticker).toUpperCase();
    const inst = rows.find((r) => r.ticker.toUpperCase() === wanted && (!p.exchange || r.exchange === p.exchange));
    if (!inst) {
      root.replaceChildren(header(rows, null, wanted), empty(`No data for ${wanted}${p.exchange ? ` on ${p.exchange}` : ''}.`,
        h('a', { class: 'btn btn-primary', href: href('datasets', { add: wanted }) }, `Fetch ${wanted} on the Datasets page`)));
      return;
    }
    state.instrument = inst;
    render(rows, inst, p);

    // first the visible window (or the latest ~18 months), then the whole history in the background
    const quickFrom = p.from || fmt.addDays(inst.end_date, -QUICK_DAYS);
    const needsFull = quickFrom > inst.start_date || (p.to && p.to < inst.end_date);
    try {
      const quick = await fetchBars(inst.ticker, inst.exchange, quickFrom > inst.start_date ? quickFrom : '', p.to && needsFull ? p.to : '', signal);
      if (signal.aborted) return;
      if (quick.length === 0) throw new Error('The server returned no bars for this range.');
      showSeries(PriceSeries.fromBars(quick), p, false);
      performance.mark('stockcast:first-chart');
      chart.el.dataset.stage = needsFull ? 'partial' : 'full';
      if (!needsFull) { performance.mark('stockcast:full-history'); loadPredictions(signal); return; }
      const all = await fetchBars(inst.ticker, inst.exchange, '', '', signal);
      if (signal.aborted) return;
      showSeries(PriceSeries.fromBars(all), p, true);
      chart.el.dataset.stage = 'full';
      performance.mark('stockcast:full-history');
      loadPredictions(signal);
    } catch (err) {
      if (signal.aborted || err.name === 'AbortError') return;
      const slot = root.querySelector('[data-slot="chart"]');
      if (slot) slot.replaceChildren(errorBox(err, () => load(p)));
    }
  }

  function header(rows, inst, wanted) {
    const select = h('select', { 'aria-label': 'Instrument', on: { change: (e) => { const [t, x] = e.target.value.split('|'); go('stocks', { ticker: t, exchange: x }); } } },
      rows.map((r) => h('option', { value: `${r.ticker}|${r.exchange}`, selected: inst && r.ticker === inst.ticker && r.exchange === inst.exchange }, `${r.ticker} · ${r.exchange}`)),
      inst ? null : h('option', { value: '', selected: true, disabled: true }, wanted));
    return h('div', { class: 'page-head' },
      h('h1', {}, inst ? [inst.ticker, h('span', { class: 'muted' }, ` · ${inst.exchange}`)] : wanted),
      h('span', { class: 'quote', 'data-slot': 'quote' }),
      h('span', { class: 'spacer' }),
      select);
  }

  function render(rows, inst, p) {
    const overlays = overlaysOf(p);
    const pane = paneOf(p);
    const toolbar = h('div', { class: 'chart-toolbar' },
      h('div', { class: 'row', role: 'group', 'aria-label': 'Overlays' },
        OVERLAY_NAMES.map(([key, label]) => h('label', { class: 'toggle' },
          h('input', { type: 'checkbox', name: 'overlay', value: key, checked: overlays.has(key), dataset: { overlay: key }, on: { change: onOverlay } }), label))),
      h('div', { class: 'seg', role: 'radiogroup', 'aria-label': 'Indicator pane' },
        PANES.map(([key, label]) => h('label', {}, h('input', { type: 'radio', name: 'pane', value: key, checked: key === pane, on: { change: onPane } }), label))),
      h('span', { class: 'spacer' }),
      h('div', { class: 'seg', role: 'group', 'aria-label': 'Range' },
        RANGES.map(([label, bars]) => h('button', { type: 'button', dataset: { range: label }, on: { click: () => showLast(bars) } }, label))));
    root.replaceChildren(
      header(rows, inst, inst.ticker),
      card(null, { class: 'chart-card' }, toolbar, h('div', { 'data-slot': 'chart' }, loading('Loading prices…'))),
      h('div', { class: 'grid grid-2' },
        card('Past predictions', {}, h('div', { class: 'card-body flush', 'data-slot': 'predictions' }, loading())),
        card('Data', {}, h('div', { class: 'card-body' }, dataFacts(inst)))));
  }

  function dataFacts(inst) {
    return h('dl', { class: 'dl' },
      h('dt', {}, 'Sessions'), h('dd', {}, fmt.int(inst.count)),
      h('dt', {}, 'Range'), h('dd', {}, `${inst.start_date} … ${inst.end_date}`),
      h('dt', {}, 'Source'), h('dd', { class: 'mono', title: inst.source || '' }, fmt.source(inst.source)),
      h('dt', {}, 'Last ETL'), h('dd', {}, `${fmt.dateTime(inst.last_updated)} (${fmt.ago(inst.last_updated)})`),
      h('dt', {}, 'Flagged rows'), h('dd', {}, fmt.int(inst.flagged_rows ?? 0)),
      h('dt', {}, 'Actions'), h('dd', { class: 'row' },
        h('a', { href: href('forecast', { ticker: inst.ticker, exchange: inst.exchange }) }, 'Forecast'),
        h('a', { href: href('models', { ticker: inst.ticker }) }, 'Models'),
        h('a', { href: href('datasets', { ticker: inst.ticker }) }, 'ETL runs')));
  }

  function showSeries(series, p, keepView) {
    state.series = series;
    const slot = root.querySelector('[data-slot="chart"]');
    if (!chart) {
      slot.replaceChildren();
      chart = new PriceChart(slot, { onView: writeView, label: `${state.instrument.ticker} daily candlesticks` });
      chart.setOptions({ overlays: overlaysOf(p), pane: paneOf(p) });
      chart.setData(series);
      if (p.from || p.to) chart.setView(p.from, p.to);
    } else {
      chart.setData(series, { keepView });
    }
    chart.el.dataset.ticker = state.instrument.ticker;
    renderQuote(series);
  }

  function renderQuote(series) {
    const slot = root.querySelector('[data-slot="quote"]');
    if (!slot || series.length === 0) return;
    const c = series.columns.close;
    const n = series.length;
    const change = n > 1 ? c[n - 1] / c[n - 2] - 1 : NaN;
    slot.replaceChildren(
      h('strong', { class: 'tile-price' }, fmt.price(c[n - 1])), ' ',
      h('span', { class: change >= 0 ? 'up' : 'down' }, fmt.signedPct(change)), ' ',
      h('span', { class: 'muted' }, `close ${series.dates[n - 1]}`));
  }

  async function loadPredictions(signal) {
    const slot = root.querySelector('[data-slot="predictions"]');
    const inst = state.instrument;
    try {
      const list = await get('/api/predict', { ticker: inst.ticker, limit: 1000 }, { signal });
      if (signal.aborted) return;
      const mine = (Array.isArray(list) ? list : []).filter((p) => !p.exchange || p.exchange === inst.exchange);
      state.predictions = mine;
      if (chart) chart.setPredictions(mine);
      renderPredictionTable(slot, mine);
    } catch (err) {
      if (!signal.aborted && err.name !== 'AbortError') slot.replaceChildren(errorBox(err, () => loadPredictions(abort.signal)));
    }
  }

  function renderPredictionTable(slot, list) {
    if (list.length === 0) {
      slot.replaceChildren(empty('No predictions for this instrument yet.', h('a', { class: 'btn', href: href('forecast', { ticker: state.instrument.ticker, exchange: state.instrument.exchange }) }, 'Make one')));
      return;
    }
    const rows = list.slice(0, 50).map((p) => {
      const err = Number.isFinite(p.actual_close) ? p.actual_close - p.predicted_close : NaN;
      const inside = Number.isFinite(p.actual_close) ? p.actual_close >= p.lower_80 && p.actual_close <= p.upper_80 : null;
      return h('tr', {},
        h('td', { class: 'nowrap' }, p.target_date), h('td', { class: 'num' }, p.horizon ?? '–'),
        h('td', { class: 'num' }, fmt.price(p.predicted_close)),
        h('td', { class: 'num muted' }, `${fmt.price(p.lower_80)} – ${fmt.price(p.upper_80)}`),
        h('td', { class: 'num' }, fmt.price(p.actual_close)),
        h('td', { class: `num ${Number.isFinite(err) ? (err >= 0 ? 'up' : 'down') : ''}` }, Number.isFinite(err) ? fmt.price(err) : '–'),
        h('td', {}, inside === null ? h('span', { class: 'muted' }, 'pending') : badge(inside ? 'completed' : 'failed', inside ? 'inside' : 'outside')));
    });
    slot.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table', dataset: { rows: String(list.length) } },
      h('thead', {}, h('tr', {}, ['Target', 'h', 'Predicted', '80 % interval', 'Actual', 'Error', '80 %'].map((t, i) => h('th', { class: i && i !== 3 && i !== 6 ? 'num' : '' }, t)))),
      h('tbody', {}, rows))),
    list.length > 50 ? h('p', { class: 'table-foot muted' }, `Latest 50 of ${list.length}; all are drawn on the chart (Predictions overlay).`) : null);
  }

  function onOverlay() {
    const ov = [...root.querySelectorAll('input[name="overlay"]:checked')].map((i) => i.value);
    setParams({ ov: ov.join(',') || 'none' });
    state.params.ov = ov.join(',') || 'none';
    if (chart) chart.setOptions({ overlays: ov });
  }

  function onPane(e) {
    setParams({ pane: e.target.value === 'none' ? '' : e.target.value });
    state.params.pane = e.target.value;
    if (chart) chart.setOptions({ pane: e.target.value });
  }

  function showLast(bars) {
    if (!chart || !state.series) return;
    const n = state.series.length;
    chart.setRange(Number.isFinite(bars) ? n - bars : 0, n);
    chart.viewChanged();
  }

  load(params);

  return {
    update(p) {
      const same = (p.ticker || '').toUpperCase() === (state.params.ticker || '').toUpperCase() && (p.exchange || '') === (state.params.exchange || '');
      if (!same || !chart) { load(p); return; }
      const v = chart.visibleDates();
      if ((p.from && p.from !== v.from) || (p.to && p.to !== v.to)) chart.setView(p.from, p.to);
      if ((p.ov ?? 'ma') !== (state.params.ov ?? 'ma') || paneOf(p) !== paneOf(state.params)) {
        chart.setOptions({ overlays: overlaysOf(p), pane: paneOf(p) });
        for (const i of root.querySelectorAll('input[name="overlay"]')) i.checked = overlaysOf(p).has(i.value);
        for (const i of root.querySelectorAll('input[name="pane"]')) i.checked = i.value === paneOf(p);
      }
      state.params = p;
    },
    refresh() { load(state.params); },
    unmount() { abort.abort(); unsubscribe(); writeView.cancel(); if (chart) chart.destroy(); },
  };
}
