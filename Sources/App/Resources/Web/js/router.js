// Hash routes: every page state lives in the URL (#/stocks?ticker=GOOG&from=2012-01-03), so any view can be
// bookmarked and shared without server-side routing.

/** The pages, in navigation order, with their shortcut digit. */
export const PAGES = [
  { id: 'overview', title: 'Overview', key: '1' },
  { id: 'stocks', title: 'Stocks', key: '2' },
  { id: 'datasets', title: 'Datasets', key: '3' },
  { id: 'models', title: 'Models', key: '4' },
  { id: 'forecast', title: 'Forecast', key: '5' },
  { id: 'production', title: 'Production', key: '6' },
];

/** The current route: { page, params }. Unknown pages are reported as such (the shell shows "not found"). */
export function current() {
  const hash = decodeURIComponent(location.hash.slice(1).split('?')[0] || '') || '/overview';
  const query = location.hash.includes('?') ? location.hash.slice(location.hash.indexOf('?') + 1) : '';
  const page = hash.replace(/^\/+/, '').replace(/\/+$/, '') || 'overview';
  return { page, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** The href of a page with parameters (empty values are left out). */
export function href(page, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${page}${qs ? `?${qs}` : ''}`;
}

/** Navigates (a new history entry; the page is told through hashchange). */
export function go(page, params = {}) {
  const target = href(page, params);
  if (location.hash !== target) location.hash = target;
}

/**
 * Merges `partial` into the current page's parameters. `push: false` (default) replaces the history entry without
 * notifying the page (for state the page already shows, such as a chart's visible range).
 */
export function setParams(partial, { push = false } = {}) {
  const { page, params } = current();
  const next = { ...params, ...partial };
  const target = href(page, next);
  if (target === location.hash) return;
  if (push) location.hash = target;
  else history.replaceState(history.state, '', target);
}
