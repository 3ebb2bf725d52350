// Forecast: a multi-day forecast that appears point by point as its task runs, drawn as a fan (80 %/95 %)
// continuing the price chart, with a table of the target sessions; and a single-day prediction for a chosen
// session with the actual close when it is known.
// URL: #/forecast?ticker=GOOG&exchange=NASDAQ&model=3&days=10&task=<id>&date=2013-02-01

import { h } from '../dom.js';
import { get, post, seg } from '../api.js';
import { datasets } from '../instruments.js';
import { fetchModels, championOf } from '../models-data.js';
import { watchTask } from '../tasks.js';
import { FanChart } from '../charts/fan-chart.js';
import { card, loading, empty, errorBox, badge, progressBar, setProgress, field, showFormError, clearErrors, toast } from '../ui.js';
import { href, setParams } from '../router.js';
import * as fmt from '../format.js';

const HISTORY_DAYS = 200;

export function mount(root, params) {
  let p = { ...params };
  let rows = [];
  let models = [];
  let inst = null;
  let chart = null;
  let stopWatch = null;
  let lastClose = NaN;
  let destroyed = false;
  const slots = {
    form: h('div', {}),
    chart: h('div', { 'data-slot': 'fan' }),
    status: h('div', { class: 'row', 'data-slot': 'task-status' }),
    table: h('div', { class: 'card-body flush', 'data-slot': 'points' }),
    single: h('div', { 'data-slot': 'single' }),
  };

  async function load() {
    root.replaceChildren(loading());
    try {
      [rows, models] = await Promise.all([datasets(), fetchModels()]);
    } catch (err) {
      if (!destroyed) root.replaceChildren(errorBox(err, load));
      return;
    }
    if (destroyed) return;
    if (rows.length === 0) {
      root.replaceChildren(empty('No instruments yet.', h('a', { class: 'btn btn-primary', href: href('datasets') }, 'Run an ETL')));
      return;
    }
    inst = rows.find((r) => r.ticker === (p.ticker || '').toUpperCase() && (!p.exchange || r.exchange === p.exchange)) || rows[0];
    root.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, 'Forecast'), h('span', { class: 'muted' }, 'direct multi-horizon forecasts with split-conformal 80 % / 95 % intervals')),
      card(null, {}, slots.form),
      card(h('div', { class: 'row', style: { flex: 1 } }, h('h2', { style: { marginRight: 'auto' } }, `${inst.ticker} · ${inst.exchange}: recent closes and the forecast fan`), slots.status), {}, slots.chart),
      h('div', { class: 'grid grid-2' },
        card('Forecast points', {}, slots.table),
        card('Single-day prediction', {}, slots.single)));
    renderForm();
    renderSingle();
    renderTable([]);
    if (chart) chart.destroy();
    chart = new FanChart(slots.chart, { label: `${inst.ticker} forecast fan` });
    chart.setHorizon(Number(p.days) || 10);
    loadHistory();
    if (p.task) follow(p.task);
  }

  async function loadHistory() {
    try {
      const res = await get(`/api/datasets/${seg(inst.ticker)}/prices`, { exchange: inst.exchange, from: fmt.addDays(inst.end_date, -HISTORY_DAYS), limit: 500 });
      if (destroyed) return;
      const bars = res.prices;
      lastClose = bars.length ? bars[bars.length - 1].close : NaN;
      chart.setHistory(bars.map((b) => b.date), bars.map((b) => b.close));
    } catch (err) {
      slots.chart.replaceChildren(errorBox(err, loadHistory));
    }
  }

  function instrumentModels() {
    return models.filter((m) => m.ticker === inst.ticker && m.exchange === inst.exchange);
  }

  function modelSelect() {
    const champion = championOf(models, inst.ticker, inst.exchange);
    const trained = instrumentModels().filter((m) => m.status === 'trained');
    const options = [];
    if (champion) options.push(h('option', { value: '' }, `Champion: #${champion.id} ${fmt.modelType(champion.model_type)} v${champion.version}`));
    for (const m of trained) options.push(h('option', { value: String(m.id), selected: String(m.id) === String(p.model) }, `#${m.id} ${fmt.modelType(m.model_type)} v${m.version}${(m.aliases || []).length ? ` (${m.aliases.join(', ')})` : ''}`));
    if (options.length === 0) options.push(h('option', { value: '' }, 'no trained model'));
    const select = h('select', { name: 'model' }, options);
    if (!champion && !p.model && trained.length) select.value = String(trained[0].id);
    return select;
  }

  function currentModel(form) {
    const v = form.querySelector('select[name="model"]').value;
    return v ? Number(v) : undefined;
  }

  function renderForm() {
    const instrument = h('select', { name: 'instrument' }, rows.map((r) => h('option', { value: `${r.ticker}|${r.exchange}`, selected: r === inst }, `${r.ticker} · ${r.exchange}`)));
    instrument.addEventListener('change', () => {
      const [ticker, exchange] = instrument.value.split('|');
      stopWatching();
      p = { ticker, exchange, days: p.days };
      setParams({ ticker, exchange, model: '', task: '', date: '' });
      load();
    });
    const days = h('input', { type: 'number', name: 'days', min: '1', max: '30', step: '1', value: p.days || '10', required: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'forecast' }, 'Forecast');
    const hasModel = instrumentModels().some((m) => m.status === 'trained');
    const form = h('form', { class: 'card-body', 'aria-label': 'Forecast settings' },
      h('div', { class: 'form-grid' },
        field('Instrument', 'ticker', instrument),
        field('Model', 'model', modelSelect(), hasModel ? 'the champion unless you pick one' : null),
        field('Sessions ahead', 'days', days, '1 – 30 trading sessions'),
        h('div', { class: 'field form-actions', style: { alignSelf: 'end' } }, submit)),
      hasModel ? null : h('p', { class: 'notice' }, `${inst.ticker} has no trained model yet. `, h('a', { href: href('models', { ticker: inst.ticker, register: '1' }) }, 'Register and train one'), '.'),
      h('div', { class: 'form-error-slot' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const n = Number(days.value);
      if (!(n >= 1 && n <= 30)) { showFormError(form, { detail: 'Choose 1 to 30 sessions.', code: 'days' }); return; }
      submit.disabled = true;
      try {
        const model = currentModel(form);
        const res = await post('/api/predict/future', { ticker: inst.ticker, exchange: inst.exchange, days: n, model_id: model });
        p = { ...p, days: String(n), model: model ? String(model) : '', task: res.task_id };
        setParams({ ticker: inst.ticker, exchange: inst.exchange, days: n, model: p.model, task: res.task_id });
        chart.setPoints([]);
        chart.setHorizon(n);
        renderTable([]);
        follow(res.task_id);
      } catch (err) {
        showFormError(form, err, { model: ['champion', 'model'], days: ['days', 'horizon'] });
      } finally {
        submit.disabled = false;
      }
    });
    slots.form.replaceChildren(form);
  }

  function stopWatching() {
    if (stopWatch) { stopWatch(); stopWatch = null; }
  }

  function follow(taskId) {
    stopWatching();
    const bar = progressBar(0, 'forecast progress');
    const state = h('span', {});
    slots.status.replaceChildren(state, bar);
    slots.status.dataset.taskId = taskId;
    stopWatch = watchTask(taskId, 'forecast', (t) => {
      if (destroyed) return;
      setProgress(bar, t.state === 'completed' ? 1 : t.progress);
      state.replaceChildren(badge(t.state), ' ', h('span', { class: 'muted' }, t.state === 'failed' ? '' : t.message));
      slots.status.dataset.state = t.state;
      if (t.points) {
        chart.setPoints(t.points);
        renderTable(t.points);
      }
      if (t.state === 'failed' || t.state === 'cancelled') {
        slots.status.append(h('span', { class: 'field-error' }, t.error || t.message || t.state));
        toast(`Forecast ${t.state}: ${t.error || t.message}`, { kind: 'error' });
      }
    }, { pollMs: 700 });
  }

  function renderTable(points) {
    const sorted = [...points].sort((a, b) => a.horizon - b.horizon);
    if (sorted.length === 0) {
      slots.table.replaceChildren(empty(p.task ? 'Waiting for the first point…' : 'Press Forecast to compute the next sessions.'));
      return;
    }
    slots.table.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'forecast-points', dataset: { rows: String(sorted.length) } },
      h('thead', {}, h('tr', {}, ['h', 'Session', 'Forecast', 'Change', '80 % interval', '95 % interval'].map((t, i) => h('th', { class: i === 1 ? '' : 'num' }, t)))),
      h('tbody', {}, sorted.map((pt) => {
        const change = Number.isFinite(lastClose) ? pt.predicted_close / lastClose - 1 : NaN;
        return h('tr', { dataset: { horizon: String(pt.horizon), date: pt.target_date } },
          h('td', { class: 'num' }, pt.horizon), h('td', { class: 'nowrap' }, pt.target_date),
          h('td', { class: 'num' }, fmt.price(pt.predicted_close)),
          h('td', { class: `num ${change >= 0 ? 'up' : 'down'}` }, fmt.signedPct(change)),
          h('td', { class: 'num muted' }, `${fmt.price(pt.lower_80)} – ${fmt.price(pt.upper_80)}`),
          h('td', { class: 'num muted' }, `${fmt.price(pt.lower_95)} – ${fmt.price(pt.upper_95)}`));
      })))));
  }

  function renderSingle() {
    const date = h('input', { type: 'date', name: 'target_date', required: true, value: p.date || inst.end_date, min: inst.start_date });
    const result = h('div', { 'data-slot': 'single-result' });
    const submit = h('button', { type: 'submit', class: 'btn', 'data-action': 'predict' }, 'Predict');
    const form = h('form', { class: 'card-body stack', 'aria-label': 'Single-day prediction' },
      h('div', { class: 'form-grid' },
        field('Session', 'target_date', date, 'a past session shows the actual close too'),
        h('div', { class: 'field form-actions', style: { alignSelf: 'end' } }, submit)),
      h('div', { class: 'form-error-slot' }), result);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      submit.disabled = true;
      try {
        const model = currentModel(slots.form.querySelector('form'));
        const res = await post('/api/predict', { ticker: inst.ticker, exchange: inst.exchange, target_date: date.value, model_id: model });
        p.date = date.value;
        setParams({ date: date.value });
        result.replaceChildren(singleResult(res));
      } catch (err) {
        showFormError(form, err, { target_date: ['date', 'session', 'target'] });
      } finally {
        submit.disabled = false;
      }
    });
    slots.single.replaceChildren(form);
  }

  function singleResult(r) {
    const known = Number.isFinite(r.actual_close);
    const err = known ? r.actual_close - r.predicted_close : NaN;
    return h('div', { class: 'stack', 'data-prediction': String(r.id ?? '') },
      h('div', { class: 'kpis' },
        h('div', { class: 'kpi' }, h('div', { class: 'label' }, `Predicted close ${r.target_date}`), h('div', { class: 'value', 'data-field': 'predicted_close' }, fmt.price(r.predicted_close)),
          h('div', { class: 'sub' }, `from ${r.origin_date} (h=${r.horizon})`)),
        h('div', { class: 'kpi' }, h('div', { class: 'label' }, 'Actual close'), h('div', { class: 'value', 'data-field': 'actual_close' }, known ? fmt.price(r.actual_close) : 'not yet'),
          h('div', { class: `sub ${known ? (Math.abs(err) <= Math.abs(r.naive_error ?? Infinity) ? 'up' : 'down') : ''}` }, known ? `error ${fmt.price(err)} · naive ${fmt.price(r.naive_error)}` : 'the session has not closed')),
        h('div', { class: 'kpi' }, h('div', { class: 'label' }, 'Intervals'), h('div', { class: 'sub' }, `80 %: ${fmt.price(r.lower_80)} – ${fmt.price(r.upper_80)}`),
          h('div', { class: 'sub' }, `95 %: ${fmt.price(r.lower_95)} – ${fmt.price(r.upper_95)}`))),
      r.msg ? h('p', { class: 'muted' }, r.msg) : null);
  }

  load();

  return {
    update(next) {
      const instChanged = (next.ticker || '') !== (p.ticker || '') || (next.exchange || '') !== (p.exchange || '');
      const taskChanged = (next.task || '') !== (p.task || '');
      p = { ...next };
      if (instChanged) { stopWatching(); load(); return; }
      if (taskChanged && p.task) { chart.setPoints([]); renderTable([]); follow(p.task); }
    },
    refresh() { stopWatching(); load(); },
    unmount() { destroyed = true; stopWatching(); if (chart) chart.destroy(); },
  };
}
