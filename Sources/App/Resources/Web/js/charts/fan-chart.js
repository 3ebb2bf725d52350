// The Forecast page chart: recent closes continued by the forecast as a fan (80 % and 95 % bands widening with the
// horizon), drawn point by point as the task reports them.

import { Surface, niceTicks, tickLabel, hline, vline, dateTicks } from './surface.js';
import { h } from '../dom.js';
import * as fmt from '../format.js';

const LEFT = 8;
const RIGHT = 62;
const TOP = 10;
const BOTTOM = 20;

/** The fan chart. Data attributes: data-history (closes drawn), data-points (forecast points), data-fan. */
export class FanChart {
  constructor(container, { label = 'Forecast chart' } = {}) {
    this.dates = [];
    this.closes = [];
    this.points = [];
    this.reserve = 5;
    this.hover = null;
    this.el = h('div', {
      class: 'fan-chart', role: 'img', 'aria-label': label, dataset: { history: '0', points: '0', fan: '' },
    });
    this.tooltip = h('div', { class: 'chart-tooltip', hidden: true });
    container.append(this.el);
    this.surface = new Surface(this.el, {
      draw: (ctx, w, hh, c) => this.draw(ctx, w, hh, c),
      drawOverlay: (ctx, w, hh, c) => this.drawHover(ctx, w, hh, c),
    });
    this.el.append(this.tooltip);
    this.el.addEventListener('pointermove', (e) => {
      const rect = this.el.getBoundingClientRect();
      this.setHover(e.clientX - rect.left, e.clientY - rect.top);
    });
    this.el.addEventListener('pointerleave', () => this.setHover(null));
  }

  /** Recent history: parallel arrays of session dates and closes. */
  setHistory(dates, closes) {
    this.dates = dates;
    this.closes = closes;
    this.el.dataset.history = String(dates.length);
    this.surface.invalidate();
  }

  /** Reserves room for `days` forecast sessions so the axis does not move as points arrive. */
  setHorizon(days) {
    this.reserve = Math.max(1, days);
    this.surface.invalidate();
  }

  /** Forecast points ({horizon, target_date, predicted_close, lower_80, upper_80, lower_95, upper_95}). */
  setPoints(points) {
    this.points = [...points].sort((a, b) => a.horizon - b.horizon);
    this.el.dataset.points = String(this.points.length);
    const banded = this.points.some((p) => Number.isFinite(p.lower_80)) ? '80,95' : '';
    this.el.dataset.fan = banded;
    this.surface.invalidate();
  }

  destroy() { this.surface.destroy(); this.el.remove(); }

  /** Every x position: history sessions then the forecast sessions. */
  allDates() {
    const maxH = this.points.length ? this.points[this.points.length - 1].horizon : 0;
    const out = this.dates.slice();
    for (let k = 1; k <= maxH; k++) {
      const p = this.points.find((q) => q.horizon === k);
      out.push(p ? p.target_date : '');
    }
    return out;
  }

  draw(ctx, width, height, colors) {
    const n = this.dates.length;
    if (n === 0) return;
    const all = this.allDates();
    const total = Math.max(all.length, n + this.reserve) + 1;
    const pw = width - LEFT - RIGHT;
    const ph = height - TOP - BOTTOM;
    const x = (i) => LEFT + (i + 0.5) / total * pw;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of this.closes) { if (v < lo) lo = v; if (v > hi) hi = v; }
    for (const p of this.points) {
      const l = Number.isFinite(p.lower_95) ? p.lower_95 : p.predicted_close;
      const u = Number.isFinite(p.upper_95) ? p.upper_95 : p.predicted_close;
      if (l < lo) lo = l;
      if (u > hi) hi = u;
    }
    const pad = (hi - lo) * 0.08 || 1;
    lo -= pad; hi += pad;
    const y = (v) => TOP + (hi - v) / (hi - lo) * ph;
    this.geom = { x, y, total, pw };

    const ticks = niceTicks(lo, hi, Math.max(2, Math.round(ph / 50)));
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.axis;
    ctx.lineWidth = 1;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (const t of ticks) { hline(ctx, LEFT, LEFT + pw, y(t)); ctx.fillText(tickLabel(t, step), LEFT + pw + 6, y(t)); }
    const labelled = all.map((d, i) => d || all[i - 1] || '');
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of dateTicks(labelled, 0, labelled.length - 1, x, 70)) {
      vline(ctx, x(t.i), TOP, TOP + ph);
      ctx.fillText(t.label, x(t.i), TOP + ph + 5);
    }

    // the history as an area + line
    const origin = n - 1;
    ctx.beginPath();
    this.closes.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    ctx.strokeStyle = colors.accent;
    ctx.lineWidth = 1.6;
    ctx.stroke();
    ctx.lineTo(x(origin), TOP + ph);
    ctx.lineTo(x(0), TOP + ph);
    ctx.closePath();
    ctx.fillStyle = colors.area;
    ctx.fill();

    // "now" divider
    ctx.strokeStyle = colors.axis;
    ctx.setLineDash([2, 4]);
    vline(ctx, x(origin), TOP, TOP + ph);
    ctx.setLineDash([]);

    if (this.points.length) {
      const last = this.closes[origin];
      const fan = (loKey, hiKey, color) => {
        ctx.beginPath();
        ctx.moveTo(x(origin), y(last));
        for (const p of this.points) ctx.lineTo(x(origin + p.horizon), y(p[hiKey]));
        for (let k = this.points.length - 1; k >= 0; k--) ctx.lineTo(x(origin + this.points[k].horizon), y(this.points[k][loKey]));
        ctx.closePath();
        ctx.fillStyle = color;
        ctx.fill();
      };
      if (Number.isFinite(this.points[0].lower_95)) fan('lower_95', 'upper_95', colors.band2);
      if (Number.isFinite(this.points[0].lower_80)) fan('lower_80', 'upper_80', colors.band);
      ctx.strokeStyle = colors.warn;
      ctx.lineWidth = 1.8;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      ctx.moveTo(x(origin), y(last));
      for (const p of this.points) ctx.lineTo(x(origin + p.horizon), y(p.predicted_close));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = colors.warn;
      for (const p of this.points) {
        ctx.beginPath();
        ctx.arc(x(origin + p.horizon), y(p.predicted_close), 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }

  setHover(px, py) {
    if (px === null || !this.geom) {
      this.hover = null;
      this.tooltip.hidden = true;
      this.surface.invalidateOverlay();
      return;
    }
    const { total, pw } = this.geom;
    const i = Math.round((px - LEFT) / pw * total - 0.5);
    const n = this.dates.length;
    let content = null;
    if (i >= 0 && i < n) content = [h('div', { class: 'tt-date' }, this.dates[i]), h('div', {}, `Close ${fmt.price(this.closes[i])}`)];
    const p = this.points.find((q) => q.horizon === i - (n - 1));
    if (p) {
      content = [
        h('div', { class: 'tt-date' }, `${p.target_date} · h=${p.horizon}`),
        h('div', {}, `Forecast ${fmt.price(p.predicted_close)}`),
        h('div', {}, `80 %: ${fmt.price(p.lower_80)} – ${fmt.price(p.upper_80)}`),
        h('div', {}, `95 %: ${fmt.price(p.lower_95)} – ${fmt.price(p.upper_95)}`),
      ];
    }
    if (!content) { this.setHover(null); return; }
    this.hover = { i };
    this.tooltip.replaceChildren(...content);
    this.tooltip.hidden = false;
    const w = this.tooltip.offsetWidth || 160;
    this.tooltip.style.left = `${px + 14 + w > this.surface.width ? px - 14 - w : px + 14}px`;
    this.tooltip.style.top = `${Math.max(4, Math.min(py - 20, this.surface.height - 100))}px`;
    this.surface.invalidateOverlay();
  }

  drawHover(ctx, width, height, colors) {
    if (!this.hover || !this.geom) return;
    ctx.strokeStyle = colors.crosshair;
    ctx.setLineDash([4, 3]);
    vline(ctx, this.geom.x(this.hover.i), TOP, height - BOTTOM);
    ctx.setLineDash([]);
  }
}
