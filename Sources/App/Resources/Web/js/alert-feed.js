// The alert feed: stored alerts (GET /api/alerts) kept current by /ws/alerts, active and resolved.

import { h } from './dom.js';
import { get } from './api.js';
import { channel } from './live.js';
import { badge, loading, empty, errorBox } from './ui.js';
import { href } from './router.js';
import * as fmt from './format.js';

const MAX_ALERTS = 200;

/** Milliseconds of an ISO timestamp (0 when missing): "…12Z" and "…12.110Z" must compare as times, not strings. */
const time = (iso) => (iso ? Date.parse(iso) || 0 : 0);

/** What each alert kind means, in words. */
export const KIND_TEXT = {
  return_drift: 'Return drift', forecast_error: 'Forecast error', low_coverage: 'Low interval coverage',
  stale_data: 'Stale data', error_rate: 'HTTP error rate', latency: 'Latency',
};

/** A live list of alerts. `show`: 'all' | 'active' | 'resolved'. */
export class AlertFeed {
  constructor(container, { limit = 50, show = 'all', onChange = () => {} } = {}) {
    this.limit = Math.min(limit, MAX_ALERTS);
    this.show = show;
    this.onChange = onChange;
    this.alerts = new Map();
    this.el = h('div', { class: 'alert-feed', dataset: { count: '0', active: '0' } });
    container.append(this.el);
    this.el.append(loading('Loading alerts…'));
    this.unsubscribe = channel('alerts').subscribe((event, { replayed }) => {
      if (event.type !== 'alert') return;
      this.upsert(event, !replayed);
      this.render();
    });
    this.load();
  }

  async load() {
    try {
      const res = await get('/api/alerts', { limit: this.limit });
      for (const a of res.alerts || []) this.upsert(a, false);
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.render();
  }

  upsert(raw, fresh) {
    const alert = { ...raw, alert_id: raw.alert_id ?? raw.id };
    if (alert.alert_id === undefined) return;
    const old = this.alerts.get(alert.alert_id);
    if (old && time(old.updated_at) > time(alert.updated_at)) return;
    this.alerts.set(alert.alert_id, { ...alert, fresh: fresh || (old && old.fresh) });
    if (this.alerts.size > MAX_ALERTS) {
      const oldest = [...this.alerts.values()].sort((a, b) => time(a.raised_at) - time(b.raised_at))[0];
      this.alerts.delete(oldest.alert_id);
    }
  }

  setShow(show) { this.show = show; this.render(); }

  render() {
    const all = [...this.alerts.values()].sort((a, b) => time(b.updated_at || b.raised_at) - time(a.updated_at || a.raised_at));
    const active = all.filter((a) => a.state === 'active');
    const list = this.show === 'all' ? all : all.filter((a) => a.state === this.show);
    this.el.dataset.count = String(all.length);
    this.el.dataset.active = String(active.length);
    this.onChange({ total: all.length, active: active.length });
    if (this.error && all.length === 0) {
      this.el.replaceChildren(errorBox(this.error, () => this.load()));
      return;
    }
    if (list.length === 0) {
      this.el.replaceChildren(empty(this.show === 'resolved' ? 'No resolved alerts.' : 'No alerts. The anomaly detector raises them on return drift, forecast error, coverage, stale data, error rate and latency.'));
      return;
    }
    this.el.replaceChildren(h('ul', { class: 'feed' }, list.slice(0, this.limit).map((a) => h('li', {
      class: a.fresh ? 'highlight' : '', dataset: { alertId: String(a.alert_id), kind: a.kind || '', state: a.state || '' },
    },
    badge(a.state === 'active' ? 'active' : 'resolved', a.state || '?'),
    h('div', { class: 'feed-main' },
      h('div', { class: 'feed-title' }, KIND_TEXT[a.kind] || a.kind, a.ticker ? [' · ', h('a', { href: href('stocks', { ticker: a.ticker, exchange: a.exchange || '' }) }, a.ticker)] : null),
      (a.messages || []).map((m) => h('div', { class: 'feed-text' }, m)),
      h('div', { class: 'feed-text' }, a.state === 'resolved' && a.resolved_at ? `raised ${fmt.dateTime(a.raised_at)}, resolved ${fmt.dateTime(a.resolved_at)}` : `raised ${fmt.dateTime(a.raised_at)} (${fmt.ago(a.raised_at)})`))))));
  }

  destroy() { this.unsubscribe(); this.el.remove(); }
}
