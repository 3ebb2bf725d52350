// The API-key dialog: opened from the header, by the "k" shortcut, or on the first 401. The key goes to
// localStorage (never the URL); saving it checks it against the server to learn the role when possible.

import { h } from './dom.js';
import { apiKey, setKey, role } from './session.js';
import { reconnectAll } from './live.js';

let open = null;

/** Learns what a key can do: admin (can list keys), a valid key of lower role, or invalid. */
async function probe(key) {
  const response = await fetch('/api/keys?limit=1', { headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' }, cache: 'no-store' });
  if (response.ok) return 'admin';
  if (response.status === 403) return 'key';
  if (response.status === 401) throw new Error('The server does not know this key (401).');
  throw new Error(`The server answered ${response.status} while checking the key.`);
}

/** Opens the dialog; `reason` is shown above the field (e.g. the 401's detail). */
export function openKeyDialog(reason = '') {
  if (open) { open.querySelector('input').focus(); return; }
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', placeholder: 'sck_…', value: apiKey() });
  const status = h('p', { class: 'hint', role: 'status' }, apiKey() ? `A key is stored${role() ? ` (role: ${role()})` : ''}.` : 'No key stored yet. Changes need an operator or admin key.');
  const form = h('form', { method: 'dialog', class: 'stack' },
    reason ? h('p', { class: 'field-error' }, reason) : null,
    h('label', {}, h('span', { class: 'field-label' }, 'API key'), input),
    h('small', { class: 'hint' }, 'Kept in this browser only (localStorage). The first start writes the admin key to <data_dir>/admin.key; admins create more keys with POST /api/keys.'),
    status,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'btn', on: { click: () => { setKey(''); reconnectAll(); close(); } } }, 'Forget key'),
      h('button', { type: 'button', class: 'btn', on: { click: () => close() } }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save')));
  const dialog = h('dialog', { class: 'dialog', id: 'key-dialog', 'aria-labelledby': 'key-title' }, h('h2', { id: 'key-title' }, 'API key'), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) { status.textContent = 'Enter a key, or press "Forget key".'; return; }
    status.textContent = 'Checking…';
    try {
      const learnt = await probe(key);
      setKey(key, learnt);
      reconnectAll();
      close();
    } catch (err) {
      status.textContent = err.message;
      status.className = 'field-error';
    }
  });
  dialog.addEventListener('close', () => { dialog.remove(); open = null; });
  function close() { if (dialog.open) dialog.close(); }
  document.body.append(dialog);
  open = dialog;
  dialog.showModal();
  input.focus();
}

/** The role label for the header. */
export function roleLabel() {
  if (!apiKey()) return 'No key';
  const r = role();
  if (r === 'key') return 'Key set';
  return r ? `Key: ${r}` : 'Key set';
}

