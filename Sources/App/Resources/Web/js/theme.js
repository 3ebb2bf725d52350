// Dark/light theme: follows prefers-color-scheme until the user picks one with the toggle (kept in localStorage).

import { emit } from './events.js';

const KEY = 'stockcast.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

function stored() {
  try { return localStorage.getItem(KEY) || ''; } catch { return ''; }
}

/** The theme in effect: 'dark' or 'light'. */
export function effectiveTheme() {
  return stored() || (media.matches ? 'dark' : 'light');
}

function apply() {
  document.documentElement.dataset.theme = effectiveTheme();
  emit('theme', effectiveTheme());
}

/** Applies the stored or system theme and follows system changes. */
export function initTheme() {
  apply();
  media.addEventListener('change', () => { if (!stored()) apply(); });
}

/** Switches between dark and light (and remembers the choice). */
export function toggleTheme() {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  try { localStorage.setItem(KEY, next); } catch { /* ignore */ }
  apply();
}
