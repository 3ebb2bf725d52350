// The API key (kept in localStorage, never in the URL) and what the server told us about it.

import { emit } from './events.js';

const KEY = 'stockcast.apiKey';
const ROLE = 'stockcast.role';

/** The stored API key, or ''. */
export function apiKey() {
  try { return localStorage.getItem(KEY) || ''; } catch { return ''; }
}

/** The role learnt for the stored key: 'admin', 'operator', 'viewer', 'key' (valid, role unknown) or ''. */
export function role() {
  try { return localStorage.getItem(ROLE) || ''; } catch { return ''; }
}

/** Stores a key (or clears it with '') and announces the change. */
export function setKey(key, learntRole = '') {
  try {
    if (key) localStorage.setItem(KEY, key); else localStorage.removeItem(KEY);
    if (learntRole) localStorage.setItem(ROLE, learntRole); else localStorage.removeItem(ROLE);
  } catch { /* private mode: the key lives only for this page */ }
  emit('session', { key, role: learntRole });
}

/** Records a role learnt from a response (e.g. a 403 on an operator route means the key is a viewer key). */
export function learnRole(learnt) {
  if (!apiKey() || role() === learnt) return;
  try { localStorage.setItem(ROLE, learnt); } catch { /* ignore */ }
  emit('session', { key: apiKey(), role: learnt });
}
