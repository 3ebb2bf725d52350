// An ETL run in detail: its source and counts, every step with its attempts, and every rejected or flagged row with
// its line number and reason (paged with "Load more").

import { h } from '../dom.js';
import { get, seg } from '../api.js';
import { card, empty, badge, toast } from '../ui.js';
import * as fmt from '../format.js';

/** Renders the run (GET /api/etl/runs/{id}) into `slot`; `onRetry(run)` for failed or interrupted runs. */
export function renderRunDetail(slot, { run, steps = [], issues = [], issues_next_cursor: issuesCursor }, { closeHref, onRetry }) {
  const c = run.counts || {};
  const issueBody = h('tbody', {});
  const appendIssues = (list) => issueBody.append(...list.map((i) => h('tr', { dataset: { severity: i.severity } },
    h('td', { class: 'num' }, i.row ?? '–'), h('td', { class: 'nowrap' }, i.date || '–'), h('td', {}, badge(i.severity === 'rejected' ? 'failed' : 'pending', i.severity)),
    h('td', { class: 'mono' }, i.reason), h('td', {}, i.detail))));
  appendIssues(issues);
  let cursor = issuesCursor ?? '';
  const moreButton = h('button', { type: 'button', class: 'btn btn-sm', hidden: !cursor, on: { click: moreIssues } }, 'Load more issues');
  async function moreIssues() {
    try {
      const res = await get(`/api/etl/runs/${seg(run.id)}/issues`, { cursor, limit: 500 });
      appendIssues(res.issues || []);
      cursor = res.next_cursor || '';
      moreButton.hidden = !cursor;
    } catch (err) { toast(err.detail, { kind: 'error' }); }
  }
  const close = h('a', { class: 'btn btn-sm', href: closeHref, 'aria-label': 'Close run detail' }, 'Close');
  const retry = run.status === 'failed' || run.status === 'interrupted'
    ? h('button', { type: 'button', class: 'btn btn-sm btn-primary', on: { click: () => onRetry(run) } }, 'Retry') : null;
  slot.replaceChildren(card(
    h('div', { class: 'row', style: { flex: 1 } }, h('h2', {}, `Run #${run.id} · ${run.ticker} · ${run.exchange}`), badge(run.status), h('span', { class: 'spacer', style: { flex: 1 } }), retry, close),
    { 'data-run': String(run.id), dataset: { status: run.status } },
    h('div', { class: 'card-body grid grid-2' },
      h('dl', { class: 'dl' },
        h('dt', {}, 'Source'), h('dd', { class: 'mono', title: run.source || '' }, fmt.source(run.source)),
        h('dt', {}, 'Trigger'), h('dd', {}, run.trigger || '–'),
        h('dt', {}, 'Created'), h('dd', {}, fmt.dateTime(run.created_at)),
        h('dt', {}, 'Finished'), h('dd', {}, run.finished_at ? `${fmt.dateTime(run.finished_at)} (${fmt.duration(run.duration_ms)})` : '–'),
        run.error ? [h('dt', {}, 'Error'), h('dd', { class: 'down' }, run.error)] : null),
      h('div', { class: 'kpis' }, [['Read', c.read], ['Inserted', c.inserted], ['Updated', c.updated], ['Unchanged', c.unchanged], ['Rejected', c.rejected], ['Flagged', c.flagged]]
        .map(([k, v]) => h('div', { class: 'kpi' }, h('div', { class: 'label' }, k), h('div', { class: 'value', dataset: { count: k.toLowerCase() } }, fmt.int(v)))))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'steps' },
      h('thead', {}, h('tr', {}, ['Step', 'Status', 'Attempts', 'Read', 'Inserted', 'Rejected', 'Duration'].map((t, i) => h('th', { class: i >= 2 ? 'num' : '' }, t)))),
      h('tbody', {}, steps.map((s) => h('tr', {},
        h('td', { class: 'mono' }, s.name), h('td', {}, badge(s.status)), h('td', { class: 'num' }, s.attempts ?? '–'),
        h('td', { class: 'num' }, fmt.int(s.counts?.read)), h('td', { class: 'num' }, fmt.int(s.counts?.inserted)),
        h('td', { class: 'num' }, fmt.int(s.counts?.rejected)), h('td', { class: 'num' }, fmt.duration(s.duration_ms))))))),
    h('div', { class: 'card-head' }, h('h2', {}, 'Rejected and flagged rows')),
    issues.length === 0 ? empty('No rejected or flagged rows.') : h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-table': 'issues' },
      h('thead', {}, h('tr', {}, ['Line', 'Date', 'Severity', 'Reason', 'Detail'].map((t) => h('th', {}, t)))), issueBody)),
    h('div', { class: 'table-foot' }, moreButton)));
}
