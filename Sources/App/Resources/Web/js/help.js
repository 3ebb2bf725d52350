// The "?" overlay: every keyboard shortcut in one place.

import { h } from './dom.js';
import { PAGES } from './router.js';

let dialog = null;

const GENERAL = [
  ['?', 'Show or hide this help'],
  ['/', 'Search a ticker (opens it on Stocks)'],
  ['t', 'Switch dark / light theme'],
  ['k', 'Set or change the API key'],
  ['r', 'Reload the data of this page'],
  ['Esc', 'Close dialogs and this help'],
];

const CHART = [
  ['c', 'Focus the price chart (Stocks)'],
  ['← →', 'Pan (Shift: half a screen)'],
  ['+ − or ↑ ↓', 'Zoom in / out'],
  ['Home End', 'Jump to the first / latest session'],
  ['Mouse', 'Drag to pan, wheel to zoom, double-click to reset; hover for OHLCV'],
];

/** Opens (or closes) the shortcut overlay. */
export function toggleHelp() {
  if (dialog) { dialog.close(); return; }
  const rows = (list) => h('dl', { class: 'keys' }, list.map(([k, v]) => [h('dt', {}, k.split(' ').map((x) => h('kbd', {}, x))), h('dd', {}, v)]));
  dialog = h('dialog', { class: 'dialog help', id: 'help', 'aria-labelledby': 'help-title' },
    h('h2', { id: 'help-title' }, 'Keyboard shortcuts'),
    h('div', { class: 'help-cols' },
      h('section', {}, h('h3', {}, 'Pages'), rows(PAGES.map((p) => [p.key, p.title]))),
      h('section', {}, h('h3', {}, 'Everywhere'), rows(GENERAL)),
      h('section', {}, h('h3', {}, 'Charts'), rows(CHART))),
    h('div', { class: 'dialog-actions' }, h('button', { class: 'btn btn-primary', type: 'button', on: { click: () => dialog.close() } }, 'Close')));
  dialog.addEventListener('close', () => { dialog.remove(); dialog = null; });
  document.body.append(dialog);
  dialog.showModal();
}
