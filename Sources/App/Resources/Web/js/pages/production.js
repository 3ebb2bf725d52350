// Production: live charts from /ws/metrics (requests, latency percentiles, predictions, errors, CPU, memory,
// WebSocket clients), the alert feed from /ws/alerts, the task list, and Grafana/Prometheus links when configured.
// URL: #/production?instance=host-1&alerts=active&kind=train

import { h } from '../dom.js';
import { channel } from '../live.js';
import { on } from '../events.js';
import { LineChart } from '../charts/line-chart.js';
import { AlertFeed } from '../alert-feed.js';
import { TaskTable } from '../task-table.js';
import { uiConfig } from '../ui-config.js';
import { card, badge } from '../ui.js';
import { setParams } from '../router.js';
import * as fmt from '../format.js';

const MAX_POINTS = 120;
const MAX_INSTANCES = 16;

const count = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** The charts: title, series [name, colour, value(frame, prev, dt)], value formatter, axis formatter, headline series. */
const CHARTS = [
  ['Requests / s', [['req/s', 'accent', (m) => m.http_requests_per_second]], (v) => fmt.fixed(v, 2)],
  ['Latency p50 / p95 / p99', [['p50', 'accent3', (m) => m.http_request_duration_p50], ['p95', 'warn', (m) => m.http_request_duration_p95], ['p99', 'down', (m) => m.http_request_duration_p99]], fmt.seconds, fmt.seconds, 1],
  ['Predictions / s', [['predictions/s', 'accent2', (m) => m.predictions_per_second]], (v) => fmt.fixed(v, 2)],
  ['Errors', [['5xx / s', 'down', (m) => m.http_errors_per_second], ['predict failures / s', 'warn', (m, prev, dt) => rate(m, prev, dt, 'predict_failure_total')]], (v) => fmt.fixed(v, 3)],
  ['CPU (% of one core)', [['cpu', 'accent', (m, prev, dt) => { const r = rate(m, prev, dt, 'cpu_usage_seconds_total'); return Number.isFinite(r) ? r * 100 : NaN; }]], (v) => `${fmt.fixed(v, 1)} %`],
  ['Memory (resident)', [['RSS', 'accent4', (m) => m.memory_resident_bytes]], fmt.bytes],
  ['WebSocket clients', [['clients', 'accent3', (m) => m.websocket_clients], ['dropped frames/s', 'down', (m, prev, dt) => rate(m, prev, dt, 'websocket_dropped_frames_total')]], (v) => fmt.fixed(v, 0), count],
  ['Tasks', [['running', 'accent', (m) => m.tasks_running], ['queued', 'warn', (m) => m.task_queue_depth]], (v) => fmt.fixed(v, 0), count],
];

/** The headline numbers: [key in metrics, label, formatter]. */
const KPIS = [
  ['http_requests_per_second', 'Requests / s', (v) => fmt.fixed(v, 2)],
  ['http_request_duration_p95', 'Latency p95', fmt.seconds],
  ['predictions_per_second', 'Predictions / s', (v) => fmt.fixed(v, 2)],
  ['http_errors_per_second', '5xx / s', (v) => fmt.fixed(v, 3)],
  ['memory_resident_bytes', 'Memory', fmt.bytes],
  ['websocket_clients', 'WebSocket clients', (v) => fmt.int(v)],
  ['alerts_active', 'Active alerts', (v) => fmt.int(v)],
  ['tasks_running', 'Tasks running', (v) => fmt.int(v)],
];

function rate(m, prev, dt, key) {
  if (!prev || !(dt > 0) || !Number.isFinite(m[key]) || !Number.isFinite(prev[key])) return NaN;
  return Math.max(0, (m[key] - prev[key]) / dt);
}

export function mount(root, params) {
  let p = { ...params };
  const instances = new Map(); // instance → { frames: [{t, metrics}], last }
  let frames = 0;
  let selected = p.instance || '';
  const charts = [];
  const kpiEls = new Map();
  const slots = {
    metrics: h('div', { class: 'stack', 'data-slot': 'metrics', dataset: { frames: '0', lastTimestamp: '' } }),
    kpis: h('div', { class: 'kpis' }),
    chartGrid: h('div', { class: 'grid grid-2' }),
    instance: h('select', { 'aria-label': 'Instance' }),
    channels: h('div', { class: 'row', 'data-slot': 'channels' }),
    links: h('div', { class: 'row', 'data-slot': 'links' }),
    updated: h('span', { class: 'muted', 'data-slot': 'updated' }, 'waiting for the first metrics frame…'),
    alerts: h('div', { class: 'card-body flush' }),
    alertCount: h('span', { class: 'muted' }),
    tasks: h('div', { class: 'card-body flush' }),
  };

  for (const [key, label] of KPIS) {
    const value = h('div', { class: 'value', dataset: { metric: key } }, '–');
    kpiEls.set(key, value);
    slots.kpis.append(h('div', { class: 'kpi' }, h('div', { class: 'label' }, label), value));
  }
  for (const [title, series, format, axis, headline = 0] of CHARTS) {
    const body = h('div', {});
    const current = h('span', { class: 'metric-value' }, '–');
    slots.chartGrid.append(card(h('div', { class: 'row', style: { flex: 1 } }, h('h2', { style: { marginRight: 'auto' } }, title), current), { class: 'metric-card' }, body));
    const chart = new LineChart(body, { label: `${title} over time`, xLabel: (x) => fmt.clock(x), yLabel: axis || format, valueLabel: format, yMin: 0, empty: 'waiting for /ws/metrics…' });
    charts.push({ chart, series, format, current, headline });
  }

  const alertSeg = h('div', { class: 'seg', role: 'radiogroup', 'aria-label': 'Alerts shown' },
    [['active', 'Active'], ['resolved', 'Resolved'], ['all', 'All']].map(([v, label]) => h('label', {},
      h('input', { type: 'radio', name: 'alert-filter', value: v, checked: (p.alerts || 'all') === v, on: { change: () => { p.alerts = v; setParams({ alerts: v }); feed.setShow(v); } } }), label)));
  const kindSelect = h('select', { 'aria-label': 'Task kind', on: { change: () => { p.kind = kindSelect.value; setParams({ kind: p.kind }); tasks.setFilter({ kind: p.kind }); } } },
    [['', 'all kinds'], ['train', 'training'], ['forecast', 'forecasts']].map(([v, l]) => h('option', { value: v, selected: v === (p.kind || '') }, l)));
  const stateSelect = h('select', { 'aria-label': 'Task state', on: { change: () => { p.state = stateSelect.value; setParams({ state: p.state }); tasks.setFilter({ state: p.state }); } } },
    ['', 'pending', 'running', 'completed', 'failed', 'cancelled'].map((v) => h('option', { value: v, selected: v === (p.state || '') }, v || 'any state')));

  slots.metrics.append(slots.kpis, h('div', { class: 'grid grid-main' },
    slots.chartGrid,
    card(h('div', { class: 'row', style: { flex: 1 } }, h('h2', {}, 'Alerts'), slots.alertCount, h('span', { class: 'spacer', style: { flex: 1 } }), alertSeg), { id: 'alerts', class: 'alerts-card' }, slots.alerts)));
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Production'), slots.updated, h('span', { class: 'spacer' }), slots.links, slots.instance),
    slots.channels,
    slots.metrics,
    card(h('div', { class: 'row', style: { flex: 1 } }, h('h2', { style: { marginRight: 'auto' } }, 'Tasks'), kindSelect, stateSelect), { id: 'tasks' }, slots.tasks));

  const feed = new AlertFeed(slots.alerts, { limit: 100, show: p.alerts || 'all', onChange: ({ total, active }) => { slots.alertCount.textContent = `${active} active · ${total} total`; } });
  const tasks = new TaskTable(slots.tasks, { limit: 50, kind: p.kind || '', state: p.state || '' });

  slots.instance.addEventListener('change', () => { selected = slots.instance.value; setParams({ instance: selected }); redraw(); });

  uiConfig().then((c) => {
    const links = [];
    if (c.grafana_url) links.push(h('a', { class: 'btn', href: c.grafana_url, target: '_blank', rel: 'noopener', 'data-link': 'grafana' }, 'Grafana ↗'));
    if (c.prometheus_url) links.push(h('a', { class: 'btn', href: c.prometheus_url, target: '_blank', rel: 'noopener', 'data-link': 'prometheus' }, 'Prometheus ↗'));
    links.push(h('a', { class: 'btn btn-ghost', href: '/metrics', target: '_blank', rel: 'noopener' }, '/metrics'));
    slots.links.replaceChildren(...links);
  });

  function onFrame(event) {
    if (event.type !== 'metrics' || !event.metrics) return;
    const name = event.instance || 'local';
    if (!instances.has(name)) {
      if (instances.size >= MAX_INSTANCES) return;
      instances.set(name, { frames: [] });
      renderInstances();
    }
    const t = event.emitted_at ? Date.parse(event.emitted_at) / 1000 : event.timestamp;
    const entry = instances.get(name);
    if (entry.frames.length && entry.frames[entry.frames.length - 1].t >= t) return; // replayed twice
    entry.frames.push({ t, metrics: event.metrics });
    if (entry.frames.length > MAX_POINTS) entry.frames.shift();
    frames += 1;
    slots.metrics.dataset.frames = String(frames);
    slots.metrics.dataset.lastTimestamp = String(event.timestamp ?? t);
    if (!selected || selected === name) redraw();
  }

  function renderInstances() {
    const names = [...instances.keys()].sort();
    if (!selected) selected = names[0];
    slots.instance.replaceChildren(...names.map((n) => h('option', { value: n, selected: n === selected }, `instance ${n}`)));
    slots.instance.hidden = names.length < 2;
  }

  function redraw() {
    const entry = instances.get(selected);
    if (!entry || entry.frames.length === 0) return;
    const list = entry.frames;
    const last = list[list.length - 1];
    slots.updated.textContent = `updated ${fmt.clock(last.t)} · ${list.length} frames`;
    for (const [key, , format] of KPIS) kpiEls.get(key).textContent = format(last.metrics[key]);
    for (const { chart, series, format, current, headline } of charts) {
      const data = series.map(([name, color, value]) => ({
        name, color, points: list.map((f, i) => {
          const prev = i > 0 ? list[i - 1] : null;
          return [f.t, value(f.metrics, prev && prev.metrics, prev ? f.t - prev.t : 0)];
        }),
      }));
      chart.set(data);
      const head = data[headline].points[data[headline].points.length - 1];
      current.textContent = head ? format(head[1]) : '–';
    }
  }

  function renderChannels(info) {
    if (!['metrics', 'alerts', 'tasks'].includes(info.name)) return;
    let el = slots.channels.querySelector(`[data-channel="${info.name}"]`);
    if (!el) { el = h('span', { dataset: { channel: info.name } }); slots.channels.append(el); }
    const label = info.status === 'retrying' ? `reconnecting in ${Math.max(0, Math.ceil((info.retryAt - Date.now()) / 1000))} s` : info.status;
    el.dataset.status = info.status;
    el.replaceChildren(...[h('span', { class: 'mono' }, `/ws/${info.name} `), badge(info.status === 'live' ? 'live' : info.status, label), info.dropped ? h('span', { class: 'muted' }, ` ${info.dropped} dropped`) : null].filter(Boolean));
  }

  const unsubscribe = channel('metrics').subscribe(onFrame);
  const offStatus = on('live-status', renderChannels);
  for (const name of ['metrics', 'alerts', 'tasks']) renderChannels(channel(name).info());

  return {
    update(next) {
      p = { ...next };
      if ((p.instance || '') && p.instance !== selected) { selected = p.instance; redraw(); }
    },
    refresh() { feed.load(); tasks.load(); },
    unmount() {
      unsubscribe();
      offStatus();
      feed.destroy();
      tasks.destroy();
      for (const { chart } of charts) chart.destroy();
    },
  };
}
