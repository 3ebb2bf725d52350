// The model registration form: instrument, model type, features from the valid list, training window,
// validation share and hyper-parameters; the API's validation messages appear next to the field they concern.

import { h } from '../dom.js';
import { post } from '../api.js';
import { field, showFormError, clearErrors } from '../ui.js';
import { MODEL_TYPES } from '../format.js';
import { FEATURE_GROUPS, LEGACY_FEATURES, HYPER_PARAMETERS } from '../features.js';

/** Words in API errors that point at each field. */
const ALIASES = {
  instrument: ['ticker', 'exchange', 'instrument', 'no data', 'not found'],
  model_type: ['model_type', 'model type'],
  features: ['feature'],
  train_start_date: ['train_start', 'start date', 'window'],
  train_end_date: ['train_end', 'end date'],
  val_size: ['val_size', 'validation'],
  hyper_parameters: ['hyper', 'n_estimators', 'max_depth', 'learning_rate', 'ridge', 'subsample', 'colsample', 'horizon', 'refit', 'seed'],
};

/**
 * The form element. `rows` are the stored datasets, `selected` "TICKER|EXCHANGE";
 * `onRegistered({id, message, notes})` after a 201.
 */
export function registerForm(rows, selected, onRegistered) {
  const instrument = h('select', { name: 'instrument', required: true },
    rows.map((r) => h('option', { value: `${r.ticker}|${r.exchange}`, selected: `${r.ticker}|${r.exchange}` === selected || r.ticker === selected }, `${r.ticker} · ${r.exchange}`)));
  const type = h('select', { name: 'model_type' }, MODEL_TYPES.map(([k, label]) => h('option', { value: k, selected: k === 'linear_regression' }, label)));
  const start = h('input', { type: 'date', name: 'train_start_date' });
  const end = h('input', { type: 'date', name: 'train_end_date' });
  const val = h('input', { type: 'number', name: 'val_size', min: '0.05', max: '0.5', step: '0.05', value: '0.2' });
  const valRange = h('input', { type: 'range', min: '0.05', max: '0.5', step: '0.05', value: '0.2', 'aria-label': 'Validation share slider' });
  valRange.addEventListener('input', () => { val.value = valRange.value; });
  val.addEventListener('input', () => { valRange.value = val.value; });
  const hyperSlot = h('div', { class: 'form-grid' });
  const featureCount = h('span', { class: 'muted' });

  const checkbox = (name) => h('label', {}, h('input', { type: 'checkbox', name: 'feature', value: name, on: { change: countFeatures } }), name);
  const features = h('fieldset', { class: 'span-all' },
    h('legend', {}, 'Features ', featureCount),
    h('div', { class: 'row', style: { marginBottom: '6px' } },
      h('button', { type: 'button', class: 'btn btn-sm', on: { click: () => setAll(true) } }, 'All'),
      h('button', { type: 'button', class: 'btn btn-sm', on: { click: () => setAll(false) } }, 'None (server default set)')),
    FEATURE_GROUPS.map(([group, names]) => h('div', {}, h('h3', {}, group), h('div', { class: 'checks' }, names.map(checkbox)))),
    h('details', {}, h('summary', {}, 'Original system names (mapped to scale-free versions)'), h('div', { class: 'checks' }, LEGACY_FEATURES.map(checkbox))));

  function setAll(on) {
    for (const c of features.querySelectorAll('input[name="feature"]')) {
      const legacy = LEGACY_FEATURES.includes(c.value);
      c.checked = on && !legacy;
    }
    countFeatures();
  }
  function countFeatures() {
    const n = features.querySelectorAll('input[name="feature"]:checked').length;
    featureCount.textContent = n ? `(${n} chosen)` : '(none chosen: the server uses its default set)';
  }

  function renderHyper() {
    const list = [...HYPER_PARAMETERS.common, ...(HYPER_PARAMETERS[type.value] || [])];
    hyperSlot.replaceChildren(...list.map(([name, label, def, range]) => field(label, 'hyper_parameters',
      range ? h('input', { type: 'number', name: `hp_${name}`, placeholder: String(def), ...range })
        : h('input', { type: 'text', name: `hp_${name}`, placeholder: String(def) }))));
  }
  type.addEventListener('change', renderHyper);
  instrument.addEventListener('change', syncDates);
  function syncDates() {
    const [ticker, exchange] = instrument.value.split('|');
    const r = rows.find((x) => x.ticker === ticker && x.exchange === exchange);
    for (const input of [start, end]) {
      input.min = r ? r.start_date : '';
      input.max = r ? r.end_date : '';
    }
    start.placeholder = r ? r.start_date : '';
    end.placeholder = r ? r.end_date : '';
  }

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'register' }, 'Register model');
  const form = h('form', { class: 'card-body stack', 'aria-label': 'Register a model', novalidate: true },
    h('div', { class: 'form-grid' },
      field('Instrument', 'instrument', instrument),
      field('Model type', 'model_type', type),
      field('Train from', 'train_start_date', start, 'empty = first session'),
      field('Train to', 'train_end_date', end, 'empty = last session'),
      field('Validation share (walk-forward)', 'val_size', h('span', { class: 'row' }, val, valRange), 'the last part of the window, forecast in time order'),
      features),
    h('details', { dataset: { field: 'hyper_parameters' } }, h('summary', {}, 'Hyper-parameters (empty = server default)'), hyperSlot),
    h('div', { class: 'form-error-slot' }),
    h('div', { class: 'form-actions' }, submit, h('small', { class: 'hint' }, 'Registering stores the definition; train it from the list.')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const [ticker, exchange] = instrument.value.split('|');
    const hyper = {};
    for (const input of hyperSlot.querySelectorAll('input')) {
      const v = input.value.trim();
      if (!v) continue;
      const name = input.name.slice(3);
      hyper[name] = name === 'ridge_alphas' ? v.split(/[\s,]+/).filter(Boolean).map(Number) : Number(v);
    }
    const body = {
      ticker, exchange, model_type: type.value,
      features: [...features.querySelectorAll('input[name="feature"]:checked')].map((c) => c.value),
      val_size: Number(val.value),
      hyper_parameters: hyper,
    };
    if (start.value) body.train_start_date = start.value;
    if (end.value) body.train_end_date = end.value;
    submit.disabled = true;
    try {
      const res = await post('/api/models', body);
      onRegistered(res);
    } catch (err) {
      showFormError(form, err, ALIASES);
    } finally {
      submit.disabled = false;
    }
  });

  renderHyper();
  syncDates();
  countFeatures();
  return form;
}
