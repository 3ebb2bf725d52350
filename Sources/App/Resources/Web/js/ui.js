// Shared pieces of the interface: toasts, confirm dialogs, loading/empty/error states, badges, field errors.

import { h, replace } from './dom.js';

/** Shows a short message in the toast stack (an aria-live region). */
export function toast(message, { kind = 'info', timeout = 5000 } = {}) {
  const stack = document.getElementById('toasts');
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', {}, message),
    h('button', { class: 'icon-btn', 'aria-label': 'Dismiss', on: { click: () => el.remove() } }, '×'));
  stack.append(el);
  while (stack.children.length > 5) stack.firstElementChild.remove();
  if (timeout) setTimeout(() => el.remove(), timeout);
  return el;
}

/** Asks for confirmation in a modal dialog; resolves true when confirmed. */
export function confirmDialog({ title, message, confirmLabel = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'confirm-title' });
    const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    replace(dialog,
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, message),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', on: { click: () => done(false) } }, 'Cancel'),
        h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, 'data-confirm': '', on: { click: () => done(true) } }, confirmLabel)));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[data-confirm]').focus();
  });
}

/** A loading placeholder. */
export const loading = (text = 'Loading…') => h('div', { class: 'state state-loading', role: 'status' }, h('span', { class: 'spinner' }), text);

/** An empty-state message with an optional action (a node). */
export const empty = (text, action = null) => h('div', { class: 'state state-empty' }, h('p', {}, text), action);

/** An error box with the API's detail and a retry button. */
export function errorBox(err, retry = null) {
  const detail = err && err.detail ? err.detail : String(err && err.message ? err.message : err);
  return h('div', { class: 'state state-error', role: 'alert' },
    h('p', {}, detail),
    retry ? h('button', { type: 'button', class: 'btn', on: { click: retry } }, 'Retry') : null);
}

const STATE_CLASS = {
  completed: 'ok', succeeded: 'ok', success: 'ok', trained: 'ok', live: 'ok', resolved: 'muted',
  running: 'run', pending: 'wait', queued: 'wait', registered: 'wait', training: 'run', connecting: 'wait',
  failed: 'bad', failure: 'bad', interrupted: 'bad', active: 'bad', training_failed: 'bad',
  cancelled: 'muted', revoked: 'muted', retrying: 'warn',
};

/** A coloured status pill. */
export function badge(state, label = state) {
  const cls = STATE_CLASS[String(state).toLowerCase()] || 'muted';
  return h('span', { class: `badge badge-${cls}`, dataset: { state: String(state).toLowerCase() } }, label);
}

/** A progress bar (0…1) with an accessible value. */
export function progressBar(value, label = '') {
  const pctValue = Math.round(Math.max(0, Math.min(1, value || 0)) * 100);
  return h('div', {
    class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pctValue),
    'aria-label': label || 'progress', dataset: { progress: String(pctValue) },
  }, h('div', { class: 'progress-fill', style: { width: `${pctValue}%` } }), h('span', { class: 'progress-text' }, `${pctValue} %`));
}

/** Updates a progress bar made by `progressBar`. */
export function setProgress(bar, value) {
  const pctValue = Math.round(Math.max(0, Math.min(1, value || 0)) * 100);
  bar.setAttribute('aria-valuenow', String(pctValue));
  bar.dataset.progress = String(pctValue);
  bar.querySelector('.progress-fill').style.width = `${pctValue}%`;
  bar.querySelector('.progress-text').textContent = `${pctValue} %`;
}

/** Removes every field error of a form. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/**
 * Shows an API error next to the field it is about: the field whose name (or alias) appears in the error's
 * detail or code; otherwise at the form's error slot. `aliases` maps a field name to words that refer to it.
 */
export function showFormError(form, err, aliases = {}) {
  clearErrors(form);
  const detail = err.detail || String(err);
  const text = `${err.code || ''} ${detail}`.toLowerCase();
  let target = null;
  for (const field of form.querySelectorAll('[data-field]')) {
    const name = field.dataset.field;
    const words = [name, ...(aliases[name] || [])];
    if (words.some((w) => text.includes(w.toLowerCase()))) { target = field; break; }
  }
  const message = h('p', { class: 'field-error', role: 'alert' }, detail);
  if (target) {
    if (target.tagName === 'DETAILS') target.open = true;
    const closed = target.parentElement && target.parentElement.closest('details');
    if (closed) closed.open = true;
    const input = target.querySelector('input, select, textarea');
    if (input) input.setAttribute('aria-invalid', 'true');
    target.append(message);
  } else {
    (form.querySelector('.form-error-slot') || form).append(message);
  }
  return message;
}

/** A titled card. */
export function card(title, attrs = {}, ...children) {
  const { class: extra = '', ...rest } = attrs;
  return h('section', { 'aria-label': typeof title === 'string' ? title : undefined, ...rest, class: `card ${extra}` },
    title ? h('header', { class: 'card-head' }, typeof title === 'string' ? h('h2', {}, title) : title) : null,
    ...children);
}

/** A labelled form field wrapper; `name` is used to place API errors next to it. */
export function field(label, name, control, hint = null) {
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', {}, h('span', { class: 'field-label' }, label), control),
    hint ? h('small', { class: 'hint' }, hint) : null);
}
