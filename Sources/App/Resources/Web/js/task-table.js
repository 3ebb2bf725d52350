// The task list (the Flower replacement): GET /api/tasks kept current by /ws/tasks, with progress and cancel.

import { h } from './dom.js';
import { get, post, seg } from './api.js';
import { channel } from './live.js';
import { normalizeTask, isFinal } from './tasks.js';
import { badge, progressBar, loading, empty, errorBox, toast } from './ui.js';
import { href } from './router.js';
import * as fmt from './format.js';

const MAX_TASKS = 500;

/** A live task table. `activeOnly` shows pending and running tasks only. */
export class TaskTable {
  constructor(container, { limit = 50, activeOnly = false, kind = '', state = '' } = {}) {
    this.limit = Math.min(limit, MAX_TASKS);
    this.activeOnly = activeOnly;
    this.kind = kind;
    this.state = state;
    this.tasks = new Map();
    this.el = h('div', { class: 'task-table', dataset: { count: '0', running: '0' } });
    container.append(this.el);
    this.el.append(loading('Loading tasks…'));
    this.unsubscribe = channel('tasks').subscribe((event) => {
      if (event.type !== 'task' || !event.task_id) return;
      const old = this.tasks.get(event.task_id);
      this.tasks.set(event.task_id, { ...(old || {}), ...normalizeTask(event), createdAt: old?.createdAt || normalizeTask(event).createdAt || event.emitted_at });
      this.trim();
      this.render();
    });
    this.load();
  }

  /** Filters (re-loads from the API). */
  setFilter({ kind = this.kind, state = this.state }) {
    this.kind = kind;
    this.state = state;
    this.tasks.clear();
    this.load();
  }

  async load() {
    try {
      const states = this.activeOnly ? ['running', 'pending'] : [this.state];
      for (const st of states) {
        const res = await get('/api/tasks', { state: st, kind: this.kind, limit: this.limit });
        for (const t of res.tasks || []) {
          const n = normalizeTask(t);
          const old = this.tasks.get(n.id);
          if (!old || fmt.ms(old.updatedAt) <= fmt.ms(n.updatedAt)) this.tasks.set(n.id, { ...(old || {}), ...n });
        }
      }
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.trim();
    this.render();
  }

  trim() {
    if (this.tasks.size <= MAX_TASKS) return;
    const sorted = [...this.tasks.values()].sort((a, b) => fmt.ms(a.createdAt) - fmt.ms(b.createdAt));
    for (const t of sorted.slice(0, this.tasks.size - MAX_TASKS)) this.tasks.delete(t.id);
  }

  visible() {
    let list = [...this.tasks.values()];
    if (this.activeOnly) list = list.filter((t) => !isFinal(t.state));
    if (this.kind) list = list.filter((t) => !t.kind || t.kind === this.kind);
    if (this.state) list = list.filter((t) => t.state === this.state);
    return list.sort((a, b) => fmt.ms(b.createdAt || b.updatedAt) - fmt.ms(a.createdAt || a.updatedAt)).slice(0, this.limit);
  }

  async cancel(task, button) {
    button.disabled = true;
    try {
      await post(`/api/tasks/${seg(task.id)}/cancel`);
      toast(`Cancelling task ${task.id.slice(0, 8)}…`);
    } catch (err) {
      toast(err.detail, { kind: 'error' });
      button.disabled = false;
    }
  }

  render() {
    const list = this.visible();
    this.el.dataset.count = String(list.length);
    this.el.dataset.running = String(list.filter((t) => t.state === 'running').length);
    if (this.error && list.length === 0) { this.el.replaceChildren(errorBox(this.error, () => this.load())); return; }
    if (list.length === 0) { this.el.replaceChildren(empty(this.activeOnly ? 'Nothing is running.' : 'No tasks yet. Training and multi-day forecasts run as tasks.')); return; }
    const rows = list.map((t) => {
      const cancel = h('button', { type: 'button', class: 'btn btn-sm btn-danger', on: { click: (e) => this.cancel(t, e.currentTarget) } }, 'Cancel');
      const target = t.modelId ? h('a', { href: href('models', { model: t.modelId }) }, `model ${t.modelId}`) : '–';
      return h('tr', { dataset: { taskId: t.id, state: t.state } },
        h('td', { class: 'mono', title: t.id }, t.id.slice(0, 8)),
        h('td', {}, t.kind || '–'),
        h('td', {}, t.ticker || '', t.ticker ? ' · ' : '', target),
        h('td', {}, badge(t.state)),
        h('td', { style: { minWidth: '130px' } }, t.state === 'running' || t.state === 'pending' ? progressBar(t.progress, `task ${t.id.slice(0, 8)}`) : h('span', { class: 'muted' }, t.state === 'completed' ? '100 %' : fmt.pct(t.progress, 0))),
        h('td', { class: 'feed-text hide-narrow' }, t.error || t.message || ''),
        h('td', { class: 'nowrap hide-narrow' }, fmt.ago(t.createdAt || t.updatedAt)),
        h('td', { class: 'actions' }, isFinal(t.state) ? null : cancel));
    });
    this.el.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['Task', 'Kind', 'For', 'State', 'Progress', 'Message', 'Created', ''].map((x, i) => h('th', { class: i === 5 || i === 6 ? 'hide-narrow' : '' }, x)))),
      h('tbody', {}, rows))));
  }

  destroy() { this.unsubscribe(); this.el.remove(); }
}
