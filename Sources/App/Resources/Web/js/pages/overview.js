// Overview: every stored instrument with its last close, day change, data freshness, champion model and that
// model's realised error against naive; what is running; the latest alerts.

import { h } from '../dom.js';
import { get, seg } from '../api.js';
import { datasets } from '../instruments.js';
import { fetchModels, championOf, realisedError, horizonMetrics } from '../models-data.js';
import { sparkline } from '../charts/line-chart.js';
import { TaskTable } from '../task-table.js';
import { AlertFeed } from '../alert-feed.js';
import { card, loading, empty, errorBox } from '../ui.js';
import { href } from '../router.js';
import { uiConfig } from '../ui-config.js';
import * as fmt from '../format.js';

const MAX_TILES = 24;

export function mount(root) {
  const abort = new AbortController();
  let tasks = null;
  let alerts = null;

  async function load() {
    const { signal } = abort;
    const tiles = h('div', { class: 'tiles', 'data-slot': 'tiles' }, loading('Loading instruments…'));
    const tasksSlot = h('div', { class: 'card-body flush' });
    const alertsSlot = h('div', { class: 'card-body flush' });
    const instance = h('span', { class: 'muted' });
    root.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), instance, h('span', { class: 'spacer' }),
        h('a', { class: 'btn', href: href('datasets') }, 'Add a ticker'), h('a', { class: 'btn btn-primary', href: href('forecast') }, 'New forecast')),
      tiles,
      h('div', { class: 'grid grid-2' },
        card('Running tasks', {}, tasksSlot),
        card(h('div', { class: 'row' }, h('h2', {}, 'Latest alerts'), h('a', { href: href('production') }, 'all alerts →')), {}, alertsSlot)));
    tasks?.destroy();
    alerts?.destroy();
    tasks = new TaskTable(tasksSlot, { limit: 10, activeOnly: true });
    alerts = new AlertFeed(alertsSlot, { limit: 5 });
    uiConfig().then((c) => { if (c.instance) instance.textContent = `instance ${c.instance}`; });

    let rows;
    let models = [];
    try {
      [rows, models] = await Promise.all([datasets(true), fetchModels({ signal }).catch(() => [])]);
    } catch (err) {
      if (!signal.aborted) tiles.replaceChildren(errorBox(err, load));
      return;
    }
    if (signal.aborted) return;
    if (rows.length === 0) {
      tiles.replaceChildren(empty('No instruments yet.', h('a', { class: 'btn btn-primary', href: href('datasets') }, 'Run an ETL')));
      return;
    }
    tiles.replaceChildren(...rows.slice(0, MAX_TILES).map((r) => tile(r, championOf(models, r.ticker, r.exchange), signal)));
    if (rows.length > MAX_TILES) tiles.append(h('a', { class: 'tile', href: href('datasets') }, `${rows.length - MAX_TILES} more on the Datasets page →`));
  }

  function tile(r, champion, signal) {
    const price = h('div', { class: 'tile-price' }, '…');
    const change = h('span', {}, '');
    const spark = h('div', { class: 'spark' });
    const realised = h('dd', {}, champion ? '…' : '–');
    const h1 = horizonMetrics(champion, 1).model;
    const el = h('a', { class: 'tile', href: href('stocks', { ticker: r.ticker, exchange: r.exchange }), dataset: { ticker: r.ticker } },
      h('div', { class: 'tile-head' }, h('strong', {}, r.ticker), h('span', { class: 'muted' }, r.exchange), h('span', { class: 'spacer', style: { flex: 1 } }), change),
      h('div', { class: 'row', style: { justifyContent: 'space-between' } }, price, spark),
      h('dl', { class: 'tile-meta' },
        h('dt', {}, 'Last session'), h('dd', {}, r.end_date),
        h('dt', {}, 'Updated'), h('dd', { title: fmt.dateTime(r.last_updated) }, fmt.ago(r.last_updated)),
        h('dt', {}, 'Sessions'), h('dd', {}, fmt.int(r.count)),
        h('dt', {}, 'Champion'), h('dd', {}, champion ? `${fmt.modelType(champion.model_type)} v${champion.version}` : 'none'),
        h('dt', {}, 'Backtest MASE'), h('dd', {}, h1 ? fmt.fixed(h1.mase) : '–'),
        h('dt', { title: 'mean absolute % error of scored predictions vs the naive forecast from the same origins' }, 'Realised error'), realised));
    get(`/api/datasets/${seg(r.ticker)}/prices`, { exchange: r.exchange, from: fmt.addDays(r.end_date, -95), limit: 100 }, { signal })
      .then((res) => {
        const closes = res.prices.map((b) => b.close);
        const n = closes.length;
        if (n === 0) return;
        price.textContent = fmt.price(closes[n - 1]);
        const ch = n > 1 ? closes[n - 1] / closes[n - 2] - 1 : NaN;
        change.textContent = fmt.signedPct(ch);
        change.className = ch >= 0 ? 'up' : 'down';
        spark.replaceChildren(sparkline(closes.slice(-60)));
      })
      .catch(() => { price.textContent = '–'; });
    if (champion) {
      get('/api/predict', { ticker: r.ticker, limit: 200 }, { signal })
        .then((list) => {
          const e = realisedError(list.filter((p) => !p.exchange || p.exchange === r.exchange));
          realised.textContent = e ? `${fmt.pct(e.model, 2)} vs naive ${fmt.pct(e.naive, 2)} (${e.count})` : 'no scored predictions';
          if (e && e.naive !== null) realised.className = e.model <= e.naive ? 'up' : 'down';
        })
        .catch(() => { realised.textContent = '–'; });
    }
    return el;
  }

  load();
  return {
    refresh: load,
    unmount() { abort.abort(); tasks?.destroy(); alerts?.destroy(); },
  };
}
