// One model in detail: definition, the walk-forward backtest (predicted vs actual when the API provides the
// points, and per-horizon error against the naive and drift baselines), interval coverage, notes, alias history.

import { h } from '../dom.js';
import { get, seg } from '../api.js';
import { LineChart } from '../charts/line-chart.js';
import { badge, loading, errorBox, empty } from '../ui.js';
import { horizonMetrics } from '../models-data.js';
import * as fmt from '../format.js';

const TABLE_HORIZONS = [1, 2, 3, 5, 10, 15, 20, 30];

/** Renders the detail of `model` into `container`; returns a cleanup function. */
export function renderModelDetail(container, model) {
  const charts = [];
  const m = model.metrics;
  const h1 = horizonMetrics(model, 1);
  const history = h('div', { 'data-slot': 'alias-history' }, loading('Loading alias history…'));

  const facts = h('dl', { class: 'dl' },
    h('dt', {}, 'Instrument'), h('dd', {}, `${model.ticker} · ${model.exchange}`),
    h('dt', {}, 'Type / version'), h('dd', {}, `${fmt.modelType(model.model_type)} (${model.model_type}) v${model.version}`),
    h('dt', {}, 'Status'), h('dd', {}, badge(model.status), ' ', (model.aliases || []).map((a) => h('span', { class: `badge badge-${a}` }, a))),
    h('dt', {}, 'Features'), h('dd', { class: 'mono' }, (model.features && model.features.length ? model.features : (m && m.features) || []).join(', ') || 'server default set'),
    h('dt', {}, 'Window'), h('dd', {}, m && m.window ? `${m.window.data_start} … ${m.window.data_end} (${fmt.int(m.window.sessions)} sessions); test ${m.window.test_start} … ${m.window.test_end}` : `${model.data_start || model.train_start_date || '–'} … ${model.data_end || model.train_end_date || '–'}`),
    h('dt', {}, 'Validation'), h('dd', {}, m ? `${fmt.pct(m.val_size, 0)} walk-forward, refit every ${m.refit_every} sessions, ${m.fold_count} folds` : fmt.pct(model.val_size, 0)),
    h('dt', {}, 'Hyper-parameters'), h('dd', { class: 'mono' }, Object.entries(model.hyper_parameters || {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('/') : v}`).join('  ')),
    h('dt', {}, 'Trained'), h('dd', {}, model.trained_at ? `${fmt.dateTime(model.trained_at)} in ${fmt.fixed(model.training_seconds, 1)} s` : 'not yet'),
    h('dt', {}, 'Artifact'), h('dd', { class: 'mono', title: model.artifact_uri || '' }, model.artifact_sha256 ? `sha256 ${model.artifact_sha256.slice(0, 16)}…` : '–'),
    h('dt', {}, 'Run'), h('dd', { class: 'mono' }, model.run_id || '–'));

  const kpis = h1.model ? h('div', { class: 'kpis' },
    kpi('MASE (h=1)', fmt.fixed(h1.model.mase), 'naive = 1.000; below 1 beats it', h1.model.mase < 1),
    kpi("Theil's U", fmt.fixed(h1.model.theil_u), 'vs naive', h1.model.theil_u < 1),
    kpi('Direction', fmt.pct(h1.model.directional_accuracy), `up-rate ${fmt.pct(h1.model.up_rate)}`, h1.model.directional_accuracy > h1.model.up_rate),
    kpi('Coverage 80 %', fmt.pct(h1.model.coverage_80), `95 %: ${fmt.pct(h1.model.coverage_95)}`, null),
    kpi('DM p-value', fmt.fixed(h1.model.dm_p_value), significance(h1.model.dm_p_value), null),
    kpi('RMSE', fmt.price(h1.model.rmse), `naive ${fmt.price(h1.naive && h1.naive.rmse)}`, h1.naive ? h1.model.rmse < h1.naive.rmse : null))
    : empty('Not trained yet: train the model to see its walk-forward backtest.');

  const chartGrid = h('div', { class: 'grid grid-2' });
  container.replaceChildren(h('div', { class: 'card-body stack', dataset: { modelDetail: String(model.id) } },
    kpis,
    chartGrid,
    h('div', { class: 'grid grid-2' }, h('div', {}, h('h3', {}, 'Definition'), facts), h('div', {}, h('h3', {}, 'Alias history'), history)),
    m ? metricsTable(m) : null,
    m && m.notes ? h('details', {}, h('summary', {}, 'How this was evaluated'), h('ul', {}, m.notes.map((n) => h('li', {}, n)))) : null));

  if (m && Array.isArray(m.model)) {
    const backtest = m.backtest || m.backtest_points || null;
    if (Array.isArray(backtest) && backtest.length) {
      const pts = backtest.map((p, i) => ({ i, ...p }));
      charts.push(chartBox(chartGrid, 'Backtest h=1: predicted vs actual close', (el) => {
        const c = new LineChart(el, { label: 'Backtest predicted vs actual', xLabel: (x) => (pts[Math.round(x)] || {}).target_date || '', valueLabel: fmt.price });
        c.set([
          { name: 'actual', color: 'accent', points: pts.map((p) => [p.i, p.actual_close ?? p.actual]) },
          { name: 'predicted', color: 'warn', points: pts.map((p) => [p.i, p.predicted_close ?? p.predicted]) },
        ]);
        return c;
      }));
      charts.push(chartBox(chartGrid, 'Backtest residuals (actual − predicted)', (el) => {
        const c = new LineChart(el, { label: 'Backtest residuals', xLabel: (x) => (pts[Math.round(x)] || {}).target_date || '', refs: [{ y: 0 }], valueLabel: fmt.price });
        c.set([{ name: 'residual', color: 'accent2', points: pts.map((p) => [p.i, (p.actual_close ?? p.actual) - (p.predicted_close ?? p.predicted)]) }]);
        return c;
      }));
    }
    const byH = (list, key) => (list || []).map((r) => [r.horizon, r[key]]);
    charts.push(chartBox(chartGrid, 'MASE by horizon (below 1 beats naive)', (el) => {
      const c = new LineChart(el, { label: 'MASE by horizon', xLabel: (x) => `h=${x}`, refs: [{ y: 1, label: 'naive' }] });
      c.set([{ name: 'model', color: 'accent', points: byH(m.model, 'mase'), dots: true }, { name: 'drift', color: 'axis', points: byH(m.drift, 'mase'), dash: true }]);
      return c;
    }));
    charts.push(chartBox(chartGrid, 'Interval coverage by horizon', (el) => {
      const c = new LineChart(el, { label: 'Coverage by horizon', xLabel: (x) => `h=${x}`, yLabel: (v) => `${Math.round(v * 100)}%`, refs: [{ y: 0.8, label: '80 %' }, { y: 0.95, label: '95 %' }], yMax: 1 });
      c.set([{ name: '80 %', color: 'warn', points: byH(m.model, 'coverage_80'), dots: true }, { name: '95 %', color: 'accent2', points: byH(m.model, 'coverage_95'), dots: true }]);
      return c;
    }));
    if (!(m.backtest || m.backtest_points)) {
      chartGrid.append(h('p', { class: 'hint span-all' }, 'The API reports backtest metrics per horizon; a predicted-vs-actual series appears here when it includes the backtest points.'));
    }
  }

  get(`/api/models/${seg(model.id)}/history`).then((rows) => {
    const list = Array.isArray(rows) ? rows : rows.history || [];
    if (list.length === 0) { history.replaceChildren(h('p', { class: 'muted' }, 'No alias moves involve this model.')); return; }
    history.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'alias-history' },
      h('thead', {}, h('tr', {}, ['When', 'Alias', 'To', 'By', 'Why'].map((t) => h('th', {}, t)))),
      h('tbody', {}, list.map((r) => h('tr', {},
        h('td', { class: 'nowrap' }, fmt.dateTime(r.at)), h('td', {}, h('span', { class: `badge badge-${r.alias}` }, r.alias)),
        h('td', {}, r.to_model_id ? `#${r.to_model_id}` : 'none'), h('td', { class: 'feed-text' }, r.actor || '–'), h('td', { class: 'feed-text' }, r.reason || '–')))))));
  }).catch((err) => history.replaceChildren(errorBox(err)));

  return () => charts.forEach((c) => c.destroy());
}

function kpi(label, value, sub, good) {
  return h('div', { class: 'kpi' }, h('div', { class: 'label' }, label),
    h('div', { class: `value ${good === true ? 'up' : good === false ? 'down' : ''}` }, value), h('div', { class: 'sub' }, sub));
}

function chartBox(grid, title, make) {
  const body = h('div', { class: 'line-chart-slot' });
  grid.append(h('div', {}, h('h3', {}, title), body));
  const chart = make(body);
  chart.el.classList.add('tall');
  return chart;
}

/** What a Diebold–Mariano p-value against naive says, in words ("not significant" whenever p ≥ 0.05). */
function significance(p) {
  if (p == null) return 'vs naive: undefined';
  return p < 0.05 ? 'vs naive: significant (p < 0.05)' : 'vs naive: not significant (p ≥ 0.05)';
}

function metricsTable(m) {
  const rows = [];
  for (const hz of TABLE_HORIZONS) {
    const r = (m.model || []).find((x) => x.horizon === hz);
    if (!r) continue;
    const naive = (m.naive || []).find((x) => x.horizon === hz);
    rows.push(h('tr', {},
      h('td', { class: 'num' }, hz), h('td', { class: 'num' }, fmt.price(r.rmse)), h('td', { class: 'num muted' }, fmt.price(naive && naive.rmse)),
      h('td', { class: 'num' }, fmt.fixed(r.mape, 2)), h('td', { class: `num ${r.mase < 1 ? 'up' : 'down'}` }, fmt.fixed(r.mase)),
      h('td', { class: 'num' }, fmt.fixed(r.theil_u)), h('td', { class: 'num' }, `${fmt.pct(r.directional_accuracy)} / ${fmt.pct(r.up_rate)}`),
      h('td', { class: 'num', title: significance(r.dm_p_value) }, r.dm_p_value == null ? '–' : `${fmt.fixed(r.dm_p_value)}${r.dm_p_value >= 0.05 ? ' n.s.' : ''}`),
      h('td', { class: 'num' }, fmt.pct(r.coverage_80)), h('td', { class: 'num' }, fmt.pct(r.coverage_95)),
      h('td', { class: 'num' }, fmt.int(r.n))));
  }
  return h('div', {}, h('h3', {}, 'Walk-forward backtest by horizon'), h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'backtest' },
    h('thead', {}, h('tr', {}, ['h', 'RMSE', 'naive', 'MAPE %', 'MASE', "Theil's U", 'Dir. / up-rate', 'DM p', 'Cov 80', 'Cov 95', 'n'].map((t) => h('th', { class: 'num' }, t)))),
    h('tbody', {}, rows))));
}
