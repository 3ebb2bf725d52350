// Models: register, list with backtest metrics against naive, train (live progress), cancel, promote through the
// gate (its verdict shown), rollback, delete; a model's detail below the list.
// URL: #/models?ticker=GOOG&model=3&register=1

import { h } from '../dom.js';
import { get, post, del, seg } from '../api.js';
import { datasets } from '../instruments.js';
import { fetchModels, horizonMetrics } from '../models-data.js';
import { channel } from '../live.js';
import { watchTask, normalizeTask, isFinal } from '../tasks.js';
import { registerForm } from './model-register.js';
import { renderModelDetail } from './model-detail.js';
import { card, loading, empty, errorBox, badge, toast, progressBar, setProgress, confirmDialog } from '../ui.js';
import { href, setParams } from '../router.js';
import * as fmt from '../format.js';

export function mount(root, params) {
  let p = { ...params };
  let models = [];
  let rows = [];
  let destroyed = false;
  let detailCleanup = null;
  const training = new Map(); // model id → { taskId, state, progress, message }
  const verdicts = new Map(); // model id → { passed, text, forced }
  const watchers = new Map(); // task id → stop()
  let reloadTimer = 0;
  const slots = {
    register: h('div', { 'data-slot': 'register' }),
    list: h('div', { class: 'card-body flush', 'data-slot': 'models' }, loading('Loading models…')),
    detail: h('div', { 'data-slot': 'model-detail' }),
    filter: h('select', { 'aria-label': 'Instrument filter' }),
  };

  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Models'), h('span', { class: 'spacer' }), slots.filter,
      h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'open-register', on: { click: () => toggleRegister(true) } }, 'Register a model')),
    slots.register,
    card(h('div', { class: 'row', style: { flex: 1 } }, h('h2', {}, 'Registered models'), h('span', { class: 'muted' }, 'metrics: walk-forward backtest at h = 1 vs the naive forecast')), {}, slots.list),
    slots.detail);

  slots.filter.addEventListener('change', () => { p.ticker = slots.filter.value; setParams({ ticker: p.ticker }); renderList(); });

  // ---- data ---------------------------------------------------------------------------------------------------

  async function load() {
    try {
      [rows, models] = await Promise.all([datasets(), fetchModels()]);
      if (destroyed) return;
      renderFilter();
      renderList();
      renderRegister();
      renderDetail();
    } catch (err) {
      if (!destroyed) slots.list.replaceChildren(errorBox(err, load));
    }
  }

  async function reloadModels() {
    try {
      models = await fetchModels();
      if (destroyed) return;
      renderList();
      renderDetail();
    } catch (err) {
      toast(`Could not reload the models: ${err.detail}`, { kind: 'error' });
    }
  }

  const scheduleReload = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(reloadModels, 300); };

  /** Picks up training already running (started elsewhere or before a reload). */
  async function adoptRunningTasks() {
    try {
      for (const state of ['running', 'pending']) {
        const res = await get('/api/tasks', { state, kind: 'train', limit: 100 });
        for (const t of res.tasks || []) follow(normalizeTask(t));
      }
    } catch { /* the list still works; /ws/tasks will report progress */ }
  }

  function follow(task) {
    if (!task.modelId || watchers.has(task.id) || isFinal(task.state)) return;
    onTrain(task.modelId, task);
    watchers.set(task.id, watchTask(task.id, 'train', (t) => onTrain(task.modelId, t)));
  }

  const unsubscribe = channel('tasks').subscribe((event) => {
    if (event.type !== 'task' || event.kind !== 'train' || !event.model_id) return;
    const t = normalizeTask(event);
    if (watchers.has(t.id)) return; // its watcher reports it
    if (!isFinal(t.state)) follow(t); else scheduleReload();
  });

  function onTrain(modelId, task) {
    const prev = training.get(modelId);
    if (prev && prev.taskId !== task.id && !isFinal(prev.state) && isFinal(task.state)) return;
    training.set(modelId, { taskId: task.id, state: task.state, progress: task.state === 'completed' ? 1 : task.progress, message: task.error || task.message });
    const cell = slots.list.querySelector(`tr[data-model-id="${modelId}"] [data-slot="train"]`);
    if (cell) cell.replaceChildren(...trainCell(modelId));
    else renderList();
    if (isFinal(task.state)) {
      if (task.state === 'completed') toast(`Model #${modelId} trained.`, { kind: 'success' });
      else if (task.state === 'failed') toast(`Training of model #${modelId} failed: ${task.error || task.message}`, { kind: 'error', timeout: 10000 });
      scheduleReload();
    }
  }

  // ---- rendering ----------------------------------------------------------------------------------------------

  function renderFilter() {
    const tickers = [...new Set([...rows.map((r) => r.ticker), ...models.map((m) => m.ticker)])].sort();
    slots.filter.replaceChildren(h('option', { value: '' }, 'All instruments'), ...tickers.map((t) => h('option', { value: t, selected: t === p.ticker }, t)));
  }

  function toggleRegister(open) {
    p.register = open ? '1' : '';
    setParams({ register: p.register });
    renderRegister();
    if (open) slots.register.querySelector('select')?.focus();
  }

  function renderRegister() {
    if (!p.register && models.length > 0) { slots.register.replaceChildren(); return; }
    if (rows.length === 0) {
      slots.register.replaceChildren(card('Register a model', {}, empty('Store some prices first (Datasets page).')));
      return;
    }
    const selected = p.ticker ? (rows.find((r) => r.ticker === p.ticker) ? `${p.ticker}` : '') : '';
    const form = registerForm(rows, selected, (res) => {
      toast(`Model #${res.id} registered${res.notes && res.notes.length ? `: ${res.notes.join('; ')}` : '.'}`, { kind: 'success', timeout: 8000 });
      p.register = '';
      p.model = String(res.id);
      setParams({ register: '', model: res.id });
      slots.register.replaceChildren();
      reloadModels();
    });
    slots.register.replaceChildren(card(h('div', { class: 'row', style: { flex: 1 } }, h('h2', { style: { marginRight: 'auto' } }, 'Register a model'),
      models.length ? h('button', { type: 'button', class: 'btn btn-sm', on: { click: () => toggleRegister(false) } }, 'Close') : null), {}, form));
  }

  function visibleModels() {
    return p.ticker ? models.filter((m) => m.ticker === p.ticker) : models;
  }

  function renderList() {
    const list = visibleModels();
    if (list.length === 0) {
      slots.list.replaceChildren(empty(models.length ? `No models for ${p.ticker}.` : 'No models yet: register one above.'));
      return;
    }
    const tbody = h('tbody', {});
    for (const m of list) {
      const k = horizonMetrics(m, 1).model;
      const champion = (m.aliases || []).includes('champion');
      tbody.append(h('tr', { class: `clickable ${String(m.id) === String(p.model) ? 'selected' : ''}`, dataset: { modelId: String(m.id), status: m.status }, on: { click: (e) => { if (!e.target.closest('button, a')) openModel(m.id); } } },
        h('td', {}, h('a', { href: href('models', { ...p, model: m.id }), on: { click: (e) => { e.preventDefault(); openModel(m.id); } } }, `#${m.id}`)),
        h('td', {}, h('strong', {}, m.ticker), h('span', { class: 'muted' }, ` · ${m.exchange}`)),
        h('td', {}, fmt.modelType(m.model_type), h('span', { class: 'muted' }, ` v${m.version}`)),
        h('td', {}, badge(m.status), ' ', (m.aliases || []).map((a) => h('span', { class: `badge badge-${a}`, dataset: { alias: a } }, a))),
        h('td', { class: `num ${k ? (k.mase < 1 ? 'up' : 'down') : ''}`, title: 'MASE at h=1: below 1 beats naive' }, k ? fmt.fixed(k.mase) : '–'),
        h('td', { class: 'num hide-narrow' }, k ? fmt.fixed(k.theil_u) : '–'),
        h('td', { class: 'num hide-narrow', title: 'directional accuracy / up-rate' }, k ? `${fmt.pct(k.directional_accuracy)} / ${fmt.pct(k.up_rate)}` : '–'),
        h('td', { class: 'num hide-narrow', title: 'share of actuals inside the 80 % / 95 % intervals' }, k ? `${fmt.pct(k.coverage_80, 0)} / ${fmt.pct(k.coverage_95, 0)}` : '–'),
        h('td', { 'data-slot': 'train', style: { minWidth: '150px' } }, ...trainCell(m.id)),
        h('td', { class: 'actions' }, actions(m, champion))));
      const v = verdicts.get(m.id);
      if (v) tbody.append(h('tr', { class: 'verdict-row' }, h('td', { colspan: '10' }, verdictBox(m, v))));
    }
    slots.list.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'models' },
      h('thead', {}, h('tr', {}, ['ID', 'Instrument', 'Type', 'Status', 'MASE', "Theil's U", 'Direction', 'Coverage', 'Training', ''].map((t, i) => h('th', { class: `${i >= 4 && i <= 7 ? 'num' : ''} ${i >= 5 && i <= 7 ? 'hide-narrow' : ''}` }, t)))),
      tbody)));
  }

  function trainCell(modelId) {
    const t = training.get(modelId);
    if (!t) return [];
    const bar = progressBar(t.progress, `training of model ${modelId}`);
    bar.dataset.state = t.state;
    setProgress(bar, t.progress);
    return [bar, t.state === 'failed' || t.state === 'cancelled' ? h('div', { class: 'field-error' }, t.message || t.state) : h('div', { class: 'feed-text' }, t.state === 'completed' ? 'completed' : t.message || t.state)];
  }

  function actions(m, champion) {
    const t = training.get(m.id);
    const busy = t && !isFinal(t.state);
    const out = [];
    if (busy) out.push(h('button', { type: 'button', class: 'btn btn-sm btn-danger', 'data-action': 'cancel', on: { click: () => cancelTraining(m, t) } }, 'Cancel'));
    else out.push(h('button', { type: 'button', class: 'btn btn-sm', 'data-action': 'train', on: { click: (e) => train(m, e.currentTarget) } }, m.status === 'trained' ? 'Retrain' : 'Train'));
    if (m.status === 'trained' && !champion && !busy) out.push(h('button', { type: 'button', class: 'btn btn-sm btn-primary', 'data-action': 'promote', on: { click: (e) => promote(m, false, e.currentTarget) } }, 'Promote'));
    if (champion) out.push(h('button', { type: 'button', class: 'btn btn-sm', 'data-action': 'rollback', on: { click: () => rollback(m) } }, 'Rollback'));
    out.push(h('a', { class: 'btn btn-sm', href: href('forecast', { ticker: m.ticker, exchange: m.exchange, model: m.id }), 'aria-label': `Forecast with model ${m.id}` }, 'Forecast'));
    out.push(h('button', { type: 'button', class: 'btn btn-sm btn-danger', 'data-action': 'delete', 'aria-label': `Delete model ${m.id}`, on: { click: () => remove(m, champion) } }, 'Delete'));
    return out;
  }

  function verdictBox(m, v) {
    return h('div', { class: `verdict ${v.passed ? 'verdict-ok' : 'verdict-bad'}`, 'data-verdict': v.passed ? 'passed' : 'failed', dataset: { modelId: String(m.id) } },
      h('strong', {}, v.passed ? (v.forced ? 'Promoted past the gate (forced). ' : 'Gate passed: promoted to champion. ') : 'Gate refused the promotion. '),
      h('span', {}, v.text),
      !v.passed ? h('span', {}, ' ', h('button', { type: 'button', class: 'btn btn-sm btn-danger', 'data-action': 'force-promote', on: { click: (e) => promote(m, true, e.currentTarget) } }, 'Promote anyway')) : null,
      ' ', h('button', { type: 'button', class: 'btn btn-sm btn-ghost', on: { click: () => { verdicts.delete(m.id); renderList(); } } }, 'Dismiss'));
  }

  function renderDetail() {
    if (detailCleanup) { detailCleanup(); detailCleanup = null; }
    if (!p.model) { slots.detail.replaceChildren(); return; }
    const m = models.find((x) => String(x.id) === String(p.model));
    if (!m) { slots.detail.replaceChildren(card(`Model #${p.model}`, {}, empty('No such model (deleted?).'))); return; }
    const body = h('div', {});
    slots.detail.replaceChildren(card(h('div', { class: 'row', style: { flex: 1 } },
      h('h2', { style: { marginRight: 'auto' } }, `Model #${m.id} · ${m.ticker} · ${fmt.modelType(m.model_type)} v${m.version}`),
      h('a', { class: 'btn btn-sm', href: href('models', { ...p, model: '' }) }, 'Close')), { id: 'model-detail' }, body));
    detailCleanup = renderModelDetail(body, m);
  }

  function openModel(id) {
    p.model = String(id);
    setParams({ model: id });
    renderList();
    renderDetail();
    slots.detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  // ---- actions ------------------------------------------------------------------------------------------------

  async function train(m, button) {
    button.disabled = true;
    try {
      const res = await post('/api/train', { model_id: m.id });
      verdicts.delete(m.id);
      follow({ id: res.task_id, modelId: m.id, state: 'pending', progress: 0, message: 'queued', kind: 'train' });
      toast(`Training model #${m.id} (task ${res.task_id.slice(0, 8)}).`);
    } catch (err) {
      toast(err.detail, { kind: 'error' });
      button.disabled = false;
    }
  }

  async function cancelTraining(m, t) {
    try {
      await del(`/api/train/${seg(t.taskId)}`);
      toast(`Cancelling the training of model #${m.id} (stops at the next fold).`);
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }

  async function promote(m, force, button) {
    if (force) {
      const ok = await confirmDialog({ title: `Promote model #${m.id} anyway?`, message: 'It did not beat the naive forecast in the backtest. A forced promotion is recorded in the audit log.', confirmLabel: 'Promote anyway', danger: true });
      if (!ok) return;
    }
    if (button) button.disabled = true;
    try {
      const res = await post(`/api/models/${seg(m.id)}/promote`, {}, { query: force ? { force: 'true' } : {} });
      const v = res.verdict || {};
      verdicts.set(m.id, { passed: true, forced: force || v.passed === false, text: verdictText(v) });
      toast(`Model #${m.id} is the champion of ${m.ticker}.`, { kind: 'success' });
    } catch (err) {
      verdicts.set(m.id, { passed: false, text: err.detail });
    }
    await reloadModels();
  }

  const verdictText = (v) => (v.rule ? `${v.rule}: mean MASE ${fmt.fixed(v.mean_mase, 4)} (drift ${fmt.fixed(v.drift_mean_mase, 4)}`
    + `${v.champion_model_id ? `, champion ${fmt.fixed(v.champion_mean_mase, 4)}` : ''}); at h=1 MASE ${fmt.fixed(v.mase, 4)}, DM p ${fmt.fixed(v.dm_p_value, 4)}; `
    + `${v.significance || ''}.` : '');

  async function rollback(m) {
    const ok = await confirmDialog({ title: `Roll back ${m.ticker}?`, message: `The champion alias of ${m.ticker} · ${m.exchange} returns to the previous champion (or to none).`, confirmLabel: 'Roll back' });
    if (!ok) return;
    try {
      const res = await post(`/api/models/${seg(m.ticker)}/rollback`, {}, { query: { exchange: m.exchange } });
      toast(res && res.model_id ? `Model #${res.model_id} is the champion again.` : `Rolled back ${m.ticker}.`, { kind: 'success' });
      reloadModels();
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }

  async function remove(m, champion) {
    const ok = await confirmDialog({
      title: `Delete model #${m.id}?`,
      message: champion ? `Model #${m.id} is the champion of ${m.ticker}: deleting it leaves ${m.ticker} without a champion (logged). This cannot be undone.` : `The model and its artifact are deleted. This cannot be undone.`,
      confirmLabel: 'Delete', danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/models/${seg(m.id)}`, champion ? { force: 'true' } : {});
      toast(`Model #${m.id} deleted.`, { kind: 'success' });
      if (String(p.model) === String(m.id)) { p.model = ''; setParams({ model: '' }); }
      verdicts.delete(m.id);
      training.delete(m.id);
      reloadModels();
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }

  load().then(adoptRunningTasks);

  return {
    update(next) {
      const changed = (next.model || '') !== (p.model || '');
      const filter = (next.ticker || '') !== (p.ticker || '');
      const reg = (next.register || '') !== (p.register || '');
      p = { ...next };
      if (filter) { renderFilter(); renderList(); }
      if (changed) { renderList(); renderDetail(); }
      if (reg) renderRegister();
    },
    refresh: reloadModels,
    unmount() {
      destroyed = true;
      unsubscribe();
      for (const stop of watchers.values()) stop();
      if (detailCleanup) detailCleanup();
      clearTimeout(reloadTimer);
    },
  };
}
