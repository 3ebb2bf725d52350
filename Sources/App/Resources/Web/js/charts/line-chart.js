// A small multi-series line chart (live metrics, per-horizon model metrics, backtests): numeric x, optional bands,
// reference lines, hover readout. Also a tiny sparkline for tables and cards.

import { Surface, niceTicks, tickLabel, hline } from './surface.js';
import { h } from '../dom.js';

/**
 * series: [{ name, color ('accent'…|css), points: [[x, y], …], dash?: true, width? }]
 * options: { xLabel(x), yLabel(v), yMin?, yMax?, refs: [{ y, label }], bands: [{ color, points: [[x, lo, hi], …] }] }
 */
export class LineChart {
  constructor(container, options = {}) {
    this.options = { xLabel: (x) => String(x), yLabel: null, refs: [], bands: [], ...options };
    this.series = [];
    this.hoverX = null;
    this.el = h('div', { class: 'line-chart', dataset: { series: '0', points: '0' } });
    if (options.label) { this.el.setAttribute('role', 'img'); this.el.setAttribute('aria-label', options.label); }
    this.readout = h('div', { class: 'chart-readout', hidden: true });
    this.legend = h('div', { class: 'chart-legend line-legend' });
    container.append(this.el);
    this.surface = new Surface(this.el, {
      draw: (ctx, w, hh, c) => this.draw(ctx, w, hh, c),
      drawOverlay: (ctx, w, hh, c) => this.drawHover(ctx, w, hh, c),
    });
    this.el.append(this.legend, this.readout);
    this.el.addEventListener('pointermove', (e) => {
      const rect = this.el.getBoundingClientRect();
      this.hoverX = e.clientX - rect.left;
      this.updateReadout();
      this.surface.invalidateOverlay();
    });
    this.el.addEventListener('pointerleave', () => {
      this.hoverX = null;
      this.readout.hidden = true;
      this.surface.invalidateOverlay();
    });
  }

  /** Replaces the series (and optionally bands/refs). */
  set(series, { bands, refs } = {}) {
    this.series = series;
    if (bands) this.options.bands = bands;
    if (refs) this.options.refs = refs;
    this.el.dataset.series = String(series.length);
    const names = series.map((s) => `${s.name}|${s.color}`).join(',');
    if (names !== this.legendKey) {
      this.legendKey = names;
      this.legend.replaceChildren(...(series.length > 1 ? series.map((s) => h('span', { class: 'lg' }, h('span', { class: `swatch sw-${s.color}` }), s.name)) : []));
    }
    this.el.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
    this.surface.invalidate();
    if (this.hoverX !== null) this.updateReadout();
  }

  destroy() { this.surface.destroy(); this.el.remove(); }

  domain() {
    let x0 = Infinity; let x1 = -Infinity; let y0 = Infinity; let y1 = -Infinity;
    for (const s of this.series) {
      for (const [x, y] of s.points) {
        if (x < x0) x0 = x; if (x > x1) x1 = x;
        if (Number.isFinite(y)) { if (y < y0) y0 = y; if (y > y1) y1 = y; }
      }
    }
    for (const b of this.options.bands) {
      for (const [x, lo, hi] of b.points) {
        if (x < x0) x0 = x; if (x > x1) x1 = x;
        if (lo < y0) y0 = lo; if (hi > y1) y1 = hi;
      }
    }
    for (const r of this.options.refs) { if (r.y < y0) y0 = r.y; if (r.y > y1) y1 = r.y; }
    if (!Number.isFinite(x0)) return null;
    if (this.options.yMin !== undefined) y0 = Math.min(y0, this.options.yMin);
    if (this.options.yMax !== undefined) y1 = Math.max(y1, this.options.yMax);
    if (y1 === y0) { y1 += Math.abs(y1) * 0.1 || 1; y0 -= this.options.yMin === undefined ? (Math.abs(y0) * 0.1 || 1) : 0; }
    const pad = (y1 - y0) * 0.08;
    return { x0, x1: x1 === x0 ? x0 + 1 : x1, y0: this.options.yMin !== undefined && y0 >= this.options.yMin ? y0 : y0 - pad, y1: y1 + pad };
  }

  draw(ctx, width, height, colors) {
    const d = this.domain();
    const right = 16; const top = this.series.length > 1 ? 20 : 8; const bottom = 20;
    const ph = height - top - bottom;
    const yt = d ? niceTicks(d.y0, d.y1, Math.max(2, Math.round(ph / 36))) : [];
    const step = yt.length > 1 ? yt[1] - yt[0] : 1;
    const yText = (t) => (this.options.yLabel ? this.options.yLabel(t) : tickLabel(t, step));
    const left = Math.max(34, Math.ceil(Math.max(0, ...yt.map((t) => ctx.measureText(yText(t)).width))) + 12);
    const pw = width - left - right;
    this.geom = null;
    if (!d || pw < 20 || ph < 20) {
      ctx.fillStyle = colors.axis;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.options.empty || 'waiting for data…', width / 2, height / 2);
      return;
    }
    const x = (v) => left + (v - d.x0) / (d.x1 - d.x0) * pw;
    const y = (v) => top + (d.y1 - v) / (d.y1 - d.y0) * ph;
    this.geom = { x, y, d, left, pw };
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.axis;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt) {
      hline(ctx, left, left + pw, y(t));
      ctx.fillText(yText(t), left - 6, y(t));
    }
    const xt = niceTicks(d.x0, d.x1, Math.max(2, Math.round(pw / 90)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xt) ctx.fillText(this.options.xLabel(t), x(t), top + ph + 5);

    for (const b of this.options.bands) {
      if (b.points.length < 2) continue;
      ctx.fillStyle = colors[b.color] || b.color;
      ctx.beginPath();
      b.points.forEach(([px, lo], k) => (k ? ctx.lineTo(x(px), y(lo)) : ctx.moveTo(x(px), y(lo))));
      for (let k = b.points.length - 1; k >= 0; k--) ctx.lineTo(x(b.points[k][0]), y(b.points[k][2]));
      ctx.closePath();
      ctx.fill();
    }
    for (const r of this.options.refs) {
      ctx.strokeStyle = colors.axis;
      ctx.setLineDash([3, 3]);
      hline(ctx, left, left + pw, y(r.y));
      ctx.setLineDash([]);
      if (r.label) {
        ctx.fillStyle = colors.axis;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(r.label, left + 4, y(r.y) - 2);
      }
    }
    for (const s of this.series) {
      ctx.strokeStyle = colors[s.color] || s.color || colors.accent;
      ctx.lineWidth = s.width || 1.6;
      ctx.setLineDash(s.dash ? [5, 4] : []);
      ctx.beginPath();
      let pen = false;
      for (const [px, py] of s.points) {
        if (!Number.isFinite(py)) { pen = false; continue; }
        if (pen) ctx.lineTo(x(px), y(py)); else { ctx.moveTo(x(px), y(py)); pen = true; }
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.points.length === 1 || s.dots) {
        ctx.fillStyle = ctx.strokeStyle;
        for (const [px, py] of s.points) {
          if (!Number.isFinite(py)) continue;
          ctx.beginPath(); ctx.arc(x(px), y(py), 2.5, 0, Math.PI * 2); ctx.fill();
        }
      }
    }
  }

  nearestX() {
    if (this.hoverX === null || !this.geom) return null;
    const { d, left, pw } = this.geom;
    const target = d.x0 + (this.hoverX - left) / pw * (d.x1 - d.x0);
    let best = null;
    for (const s of this.series) {
      for (const [px] of s.points) if (best === null || Math.abs(px - target) < Math.abs(best - target)) best = px;
    }
    return best;
  }

  updateReadout() {
    const bx = this.nearestX();
    if (bx === null) { this.readout.hidden = true; return; }
    const fmtY = this.options.valueLabel || this.options.yLabel || ((v) => (Number.isFinite(v) ? v.toFixed(3) : '–'));
    const rows = this.series.map((s) => {
      const p = s.points.find(([px]) => px === bx);
      return p ? h('div', {}, h('span', { class: `swatch sw-${s.color}` }), `${s.name}: ${fmtY(p[1])}`) : null;
    });
    this.readout.replaceChildren(h('div', { class: 'tt-date' }, this.options.xLabel(bx)), ...rows);
    this.readout.hidden = false;
  }

  drawHover(ctx, width, height, colors) {
    const bx = this.nearestX();
    if (bx === null || !this.geom) return;
    ctx.strokeStyle = colors.crosshair;
    ctx.setLineDash([3, 3]);
    const xx = Math.round(this.geom.x(bx)) + 0.5;
    ctx.beginPath(); ctx.moveTo(xx, 8); ctx.lineTo(xx, height - 20); ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** Draws `values` as a sparkline into a new canvas (no axes), coloured by the overall direction. */
export function sparkline(values, { width = 120, height = 32 } = {}) {
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.className = 'sparkline';
  canvas.setAttribute('aria-hidden', 'true');
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return canvas;
  const css = getComputedStyle(document.documentElement);
  const color = finite[finite.length - 1] >= finite[0] ? css.getPropertyValue('--up') : css.getPropertyValue('--down');
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.strokeStyle = color.trim();
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = 1 + i / (values.length - 1) * (width - 2);
    const y = 2 + (hi - v) / (hi - lo || 1) * (height - 4);
    if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
  });
  ctx.stroke();
  return canvas;
}
