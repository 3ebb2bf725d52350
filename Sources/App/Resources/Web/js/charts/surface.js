// A canvas that fills its container at the device's pixel ratio and redraws at most once per animation frame.

import { on } from '../events.js';

/** Theme colours read from CSS custom properties (updated when the theme changes). */
export function themeColors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    bg: v('--chart-bg'), grid: v('--chart-grid'), axis: v('--muted'), text: v('--text'), up: v('--up'), down: v('--down'),
    accent: v('--accent'), accent2: v('--accent-2'), accent3: v('--accent-3'), accent4: v('--accent-4'), warn: v('--warn'),
    band: v('--band'), band2: v('--band-2'), area: v('--area'), bbFill: v('--bb-fill'), crosshair: v('--crosshair'), volume: v('--volume'),
    font: '11px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  };
}

/** A canvas (plus an optional overlay canvas for crosshairs) sized to `container`. */
export class Surface {
  /** `draw(ctx, width, height, colors)` paints the base layer; `drawOverlay` the cheap top layer. */
  constructor(container, { draw, drawOverlay = null, className = '' } = {}) {
    this.container = container;
    this.drawBase = draw;
    this.drawTop = drawOverlay;
    this.canvas = document.createElement('canvas');
    this.canvas.className = `chart-canvas ${className}`;
    this.canvas.setAttribute('aria-hidden', 'true');
    container.append(this.canvas);
    if (drawOverlay) {
      this.overlay = document.createElement('canvas');
      this.overlay.className = 'chart-canvas chart-overlay';
      this.overlay.setAttribute('aria-hidden', 'true');
      container.append(this.overlay);
    }
    this.width = 0;
    this.height = 0;
    this.colors = themeColors();
    this.pending = 0;
    this.pendingTop = 0;
    this.draws = 0;
    this.drawTimes = new Float32Array(256); // the last 256 base-layer draw durations (ms), a ring

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.offTheme = on('theme', () => { this.colors = themeColors(); this.invalidate(); });
    this.resize();
  }

  resize() {
    const rect = this.container.getBoundingClientRect();
    const w = Math.max(1, Math.floor(rect.width));
    const h = Math.max(1, Math.floor(rect.height));
    if (w === this.width && h === this.height) return;
    this.width = w;
    this.height = h;
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.overlay].filter(Boolean)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    }
    this.drawNow();
  }

  /** Schedules a full redraw on the next animation frame. */
  invalidate() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.drawNow(); });
  }

  /** Schedules only the overlay (crosshair) redraw. */
  invalidateOverlay() {
    if (!this.overlay || this.pendingTop || this.pending) return;
    this.pendingTop = requestAnimationFrame(() => { this.pendingTop = 0; this.paintOverlay(); });
  }

  /** Draws synchronously (used for the first paint so "first chart" is measured honestly). */
  drawNow() {
    if (this.pending) { cancelAnimationFrame(this.pending); this.pending = 0; }
    const started = performance.now();
    const ctx = this.context(this.canvas);
    ctx.clearRect(0, 0, this.width, this.height);
    this.drawBase(ctx, this.width, this.height, this.colors);
    this.drawTimes[this.draws % this.drawTimes.length] = performance.now() - started;
    this.draws += 1;
    this.paintOverlay();
  }

  paintOverlay() {
    if (!this.overlay) return;
    const ctx = this.context(this.overlay);
    ctx.clearRect(0, 0, this.width, this.height);
    this.drawTop(ctx, this.width, this.height, this.colors);
  }

  context(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = this.colors.font;
    return ctx;
  }

  /** Stops observing; the canvases go with the container. */
  destroy() {
    this.resizeObserver.disconnect();
    this.offTheme();
    if (this.pending) cancelAnimationFrame(this.pending);
    if (this.pendingTop) cancelAnimationFrame(this.pendingTop);
  }
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** A label for a tick value with sensible decimals for the step. */
export function tickLabel(v, step) {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step)));
  return v.toFixed(decimals);
}

/** Draws a crisp 1-px horizontal line. */
export function hline(ctx, x0, x1, y) {
  const yy = Math.round(y) + 0.5;
  ctx.beginPath(); ctx.moveTo(x0, yy); ctx.lineTo(x1, yy); ctx.stroke();
}

/** Draws a crisp 1-px vertical line. */
export function vline(ctx, x, y0, y1) {
  const xx = Math.round(x) + 0.5;
  ctx.beginPath(); ctx.moveTo(xx, y0); ctx.lineTo(xx, y1); ctx.stroke();
}

/**
 * Indices of `dates` (YYYY-MM-DD, ascending) between `from` and `to` that start a new period, chosen so labels sit
 * at least `minGap` px apart. `xOf(i)` gives a pixel position. Returns [{i, label}].
 */
export function dateTicks(dates, from, to, xOf, minGap = 80) {
  const pxPerBar = Math.abs(xOf(from + 1) - xOf(from)) || 1;
  const barsPerLabel = minGap / pxPerBar;
  let unit;
  if (barsPerLabel <= 5) unit = 'day';
  else if (barsPerLabel <= 21) unit = 'month';
  else if (barsPerLabel <= 63) unit = 'quarter';
  else if (barsPerLabel <= 250) unit = 'year';
  else unit = 'years';
  const key = (d) => {
    if (unit === 'day') return d;
    if (unit === 'month') return d.slice(0, 7);
    if (unit === 'quarter') return `${d.slice(0, 4)}Q${Math.floor((Number(d.slice(5, 7)) - 1) / 3)}`;
    if (unit === 'year') return d.slice(0, 4);
    return String(Math.floor(Number(d.slice(0, 4)) / Math.max(2, Math.ceil(barsPerLabel / 250))));
  };
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const label = (d) => {
    if (unit === 'day') return `${months[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}`;
    if (unit === 'month' || unit === 'quarter') {
      const m = Number(d.slice(5, 7));
      return m === 1 ? d.slice(0, 4) : months[m - 1];
    }
    return d.slice(0, 4);
  };
  const out = [];
  let lastX = -Infinity;
  const start = Math.max(1, Math.floor(from));
  const end = Math.min(dates.length - 1, Math.ceil(to));
  for (let i = start; i <= end; i++) {
    if (key(dates[i]) === key(dates[i - 1])) continue;
    const x = xOf(i);
    if (x - lastX < minGap) continue;
    out.push({ i, label: label(dates[i]) });
    lastX = x;
  }
  return out;
}
