// The Stocks page chart: candlesticks with volume, MA/EMA/Bollinger overlays, past predictions with their
// intervals, an RSI or MACD pane, a crosshair with an OHLCV tooltip, and pan/zoom by mouse, touch and keyboard.
// Canvas, drawing only the visible bars (one column per pixel when bars are thinner than a pixel).

import { Surface, niceTicks, tickLabel, hline, vline, dateTicks } from './surface.js';
import { bindChartInput } from './chart-input.js';
import { drawIndicatorPane } from './indicator-pane.js';
import { h } from '../dom.js';
import * as fmt from '../format.js';

const AXIS_W = 62;
const AXIS_H = 20;
const PAD_L = 6;
const PAD_T = 8;
const MIN_BARS = 10;

const OVERLAYS = {
  ma: [['MA5', 'accent'], ['MA10', 'accent4']],
  ema: [['EMA12', 'accent2'], ['EMA26', 'accent3']],
  bb: [['BB_upper', 'accent'], ['BB_middle', 'axis'], ['BB_lower', 'accent']],
};

/** The candlestick chart. Data attributes on its element describe what is drawn (tests read them). */
export class PriceChart {
  /** `onView({from, to})` is called (not debounced) after the visible range changes by user input. */
  constructor(container, { onView = () => {}, label = 'Price chart' } = {}) {
    this.series = null;
    this.start = 0;
    this.end = 0;
    this.overlays = new Set();
    this.pane = 'none';
    this.predictions = [];
    this.hover = null;
    this.onView = onView;
    this.pointers = new Map();
    this.el = h('div', {
      class: 'price-chart', tabindex: '0', role: 'img', 'aria-label': `${label}. Arrow keys pan, + and - zoom, Home and End jump.`,
      dataset: { bars: '0', pane: 'none', overlays: '', predictions: '0' },
    });
    this.tooltip = h('div', { class: 'chart-tooltip', hidden: true, role: 'status' });
    this.legend = h('div', { class: 'chart-legend' });
    container.append(this.el);
    this.el.chart = this; // for the UI benchmark (draw timings) and debugging from the console
    this.surface = new Surface(this.el, {
      draw: (ctx, w, hgt, c) => this.draw(ctx, w, hgt, c),
      drawOverlay: (ctx, w, hgt, c) => this.drawCrosshair(ctx, w, hgt, c),
    });
    this.el.append(this.legend, this.tooltip);
    bindChartInput(this);
  }

  /** Sets the bars. With `keepView`, a view anchored at the latest bar stays anchored there. */
  setData(series, { keepView = false } = {}) {
    const old = this.series;
    const oldSpan = this.end - this.start;
    const anchoredRight = old && this.end >= old.length - 0.5;
    const fromDate = old && old.dates[Math.max(0, Math.floor(this.start))];
    this.series = series;
    this.el.dataset.bars = String(series.length);
    this.el.dataset.first = series.dates[0] || '';
    this.el.dataset.last = series.dates[series.length - 1] || '';
    if (keepView && old && old.length > 0) {
      // stay at the latest session only if the old data already reached it; otherwise keep the same dates
      if (anchoredRight && old.dates[old.length - 1] === series.dates[series.length - 1]) {
        this.setRange(series.length - oldSpan, series.length);
      } else {
        const i = series.lowerBound(fromDate) + (this.start - Math.floor(this.start));
        this.setRange(i, i + oldSpan);
      }
    } else {
      this.setRange(series.length - Math.min(series.length, 250), series.length);
    }
    this.surface.drawNow();
    this.updateLegend(null);
  }

  /** Shows sessions from `from` to `to` (dates); missing ends default to the latest year. */
  setView(from, to) {
    if (!this.series || this.series.length === 0) return;
    const s = this.series;
    const end = to ? Math.min(s.length, s.lowerBound(to) + (s.dates[s.lowerBound(to)] === to ? 1 : 0)) : s.length;
    const start = from ? s.lowerBound(from) : Math.max(0, end - 250);
    this.setRange(start, Math.max(end, start + MIN_BARS));
    this.surface.invalidate();
  }

  /** Overlays (a Set of 'ma' | 'ema' | 'bb' | 'pred') and the lower pane ('none' | 'rsi' | 'macd'). */
  setOptions({ overlays, pane }) {
    if (overlays) this.overlays = new Set(overlays);
    if (pane) this.pane = pane;
    this.el.dataset.overlays = [...this.overlays].sort().join(',');
    this.el.dataset.pane = this.pane;
    this.surface.invalidate();
    this.updateLegend(this.hover ? this.hover.i : null);
  }

  /** Past predictions ({target_date, predicted_close, lower_80, …, actual_close}). */
  setPredictions(list) {
    this.predictions = list || [];
    this.el.dataset.predictions = String(this.predictions.length);
    this.surface.invalidate();
  }

  /** The visible range as dates. */
  visibleDates() {
    const s = this.series;
    if (!s || s.length === 0) return { from: '', to: '' };
    const i0 = Math.max(0, Math.min(s.length - 1, Math.ceil(this.start)));
    const i1 = Math.max(0, Math.min(s.length - 1, Math.ceil(this.end) - 1));
    return { from: s.dates[i0], to: s.dates[i1] };
  }

  destroy() {
    this.surface.destroy();
    this.el.remove();
  }

  // ---- view ---------------------------------------------------------------------------------------------------

  setRange(start, end) {
    const n = this.series ? this.series.length : 0;
    let span = Math.max(Math.min(MIN_BARS, n || MIN_BARS), Math.min(end - start, Math.max(n, MIN_BARS)));
    const maxEnd = n + span * 0.08;
    let s = start;
    if (s + span > maxEnd) s = maxEnd - span;
    if (s < 0) s = 0;
    if (s + span > maxEnd) span = maxEnd - s;
    this.start = s;
    this.end = s + span;
    const { from, to } = this.visibleDates();
    this.el.dataset.from = from;
    this.el.dataset.to = to;
  }

  plotWidth() { return Math.max(1, this.surface.width - AXIS_W - PAD_L); }

  barWidth() { return this.plotWidth() / (this.end - this.start); }

  xOf(i) { return PAD_L + (i - this.start + 0.5) * this.barWidth(); }

  indexAt(x) { return Math.floor(this.start + (x - PAD_L) / this.barWidth()); }

  pan(bars) {
    this.setRange(this.start + bars, this.end + bars);
    this.viewChanged();
  }

  zoom(factor, anchorX = null) {
    const span = this.end - this.start;
    const newSpan = span * factor;
    const ax = anchorX === null ? PAD_L + this.plotWidth() : anchorX;
    const anchor = this.start + (ax - PAD_L) / this.barWidth();
    const frac = (anchor - this.start) / span;
    this.setRange(anchor - newSpan * frac, anchor - newSpan * frac + newSpan);
    this.viewChanged();
  }

  viewChanged() {
    this.surface.invalidate();
    this.onView(this.visibleDates());
  }

  // ---- hover --------------------------------------------------------------------------------------------------

  setHover(x, y) {
    if (x === null || !this.series) {
      this.hover = null;
      this.tooltip.hidden = true;
      this.updateLegend(null);
      this.surface.invalidateOverlay();
      return;
    }
    const i = this.indexAt(x);
    if (i < 0 || i >= this.series.length || x > PAD_L + this.plotWidth()) {
      this.setHover(null);
      return;
    }
    this.hover = { i, x, y };
    this.showTooltip(i, x, y);
    this.updateLegend(i);
    this.surface.invalidateOverlay();
  }

  showTooltip(i, x, y) {
    const s = this.series;
    const c = s.columns;
    const prev = i > 0 ? c.close[i - 1] : NaN;
    const change = prev ? c.close[i] / prev - 1 : NaN;
    const rows = [
      ['O', fmt.price(c.open[i])], ['H', fmt.price(c.high[i])], ['L', fmt.price(c.low[i])], ['C', fmt.price(c.close[i])],
      ['V', fmt.int(c.volume[i])], ['Δ', fmt.signedPct(change)],
    ];
    const pred = this.predictionAt(s.dates[i]);
    this.tooltip.replaceChildren(
      h('div', { class: 'tt-date' }, s.dates[i]),
      h('dl', {}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { field: k } }, v)])),
      pred ? h('div', { class: 'tt-pred' }, `Predicted ${fmt.price(pred.predicted_close)} (80 % ${fmt.price(pred.lower_80)}–${fmt.price(pred.upper_80)})`) : null,
    );
    this.tooltip.dataset.date = s.dates[i];
    this.tooltip.hidden = false;
    const w = this.tooltip.offsetWidth || 150;
    const left = x + 16 + w > this.surface.width - AXIS_W ? x - 16 - w : x + 16;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${Math.max(4, Math.min(y - 20, this.surface.height - 150))}px`;
  }

  predictionAt(date) {
    if (!this.overlays.has('pred')) return null;
    return this.predictions.find((p) => p.target_date === date) || null;
  }

  updateLegend(i) {
    const s = this.series;
    if (!s || s.length === 0) { this.legend.replaceChildren(); return; }
    const at = i === null ? s.length - 1 : i;
    const items = [];
    for (const key of ['ma', 'ema', 'bb']) {
      if (!this.overlays.has(key)) continue;
      for (const [field, color] of OVERLAYS[key]) {
        if (key === 'bb' && field === 'BB_middle') continue;
        items.push(h('span', { class: `lg lg-${color}` }, `${field.replace('BB_', 'BB ')} ${fmt.price(s.col(field)[at])}`));
      }
    }
    if (this.overlays.has('pred')) items.push(h('span', { class: 'lg lg-warn' }, `predictions ${this.predictions.length}`));
    this.legend.replaceChildren(...items);
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  layout(width, height) {
    const plotH = height - PAD_T - AXIS_H;
    const paneH = this.pane === 'none' ? 0 : Math.max(50, Math.round(plotH * 0.26));
    const gap = paneH ? 12 : 0;
    const mainH = plotH - paneH - gap;
    return { left: PAD_L, plotW: width - AXIS_W - PAD_L, mainTop: PAD_T, mainH, paneTop: PAD_T + mainH + gap, paneH, bottom: height - AXIS_H };
  }

  visibleIndices() {
    const n = this.series.length;
    return [Math.max(0, Math.floor(this.start)), Math.min(n - 1, Math.ceil(this.end))];
  }

  draw(ctx, width, height, colors) {
    const s = this.series;
    if (!s || s.length === 0 || width < 50) return;
    const L = this.layout(width, height);
    this.L = L;
    const [i0, i1] = this.visibleIndices();
    const c = s.columns;

    // price range over the visible bars (and overlays, predictions)
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = i0; i <= i1; i++) {
      if (c.low[i] < lo) lo = c.low[i];
      if (c.high[i] > hi) hi = c.high[i];
    }
    if (this.overlays.has('bb')) {
      for (let i = i0; i <= i1; i++) {
        if (c.BB_lower[i] < lo) lo = c.BB_lower[i];
        if (c.BB_upper[i] > hi) hi = c.BB_upper[i];
      }
    }
    const preds = this.visiblePredictions(i0, i1);
    for (const { p } of preds) {
      if (p.lower_80 < lo) lo = p.lower_80;
      if (p.upper_80 > hi) hi = p.upper_80;
    }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    const pad = (hi - lo) * 0.06 || 1;
    lo -= pad;
    hi += pad;
    const volH = L.mainH * 0.18;
    const priceH = L.mainH - volH;
    const y = (v) => L.mainTop + (hi - v) / (hi - lo) * priceH;
    this.yScale = { lo, hi, y, invert: (py) => hi - (py - L.mainTop) / priceH * (hi - lo) };

    // grid and price axis
    const ticks = niceTicks(lo, hi, Math.max(2, Math.round(priceH / 50)));
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = colors.axis;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const lastY = y(c.close[s.length - 1]);
    for (const t of ticks) {
      const yy = y(t);
      if (yy < L.mainTop || yy > L.mainTop + priceH) continue;
      hline(ctx, PAD_L, PAD_L + L.plotW, yy);
      if (Math.abs(yy - lastY) > 12) ctx.fillText(tickLabel(t, step), PAD_L + L.plotW + 6, yy);
    }
    const dticks = dateTicks(s.dates, this.start, this.end, (i) => this.xOf(i));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of dticks) {
      const x = this.xOf(t.i);
      vline(ctx, x, L.mainTop, L.bottom);
      ctx.fillText(t.label, x, L.bottom + 5);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD_L, 0, L.plotW, height);
    ctx.clip();

    // volume
    let vmax = 0;
    for (let i = i0; i <= i1; i++) if (c.volume[i] > vmax) vmax = c.volume[i];
    const bw = this.barWidth();
    const vBase = L.mainTop + L.mainH;
    ctx.fillStyle = colors.volume;
    if (vmax > 0) {
      this.columnsOrBars(i0, i1, bw, (x0, x1, a, b) => {
        let v = 0;
        for (let i = a; i <= b; i++) if (c.volume[i] > v) v = c.volume[i];
        const vh = v / vmax * volH;
        ctx.fillRect(x0, vBase - vh, Math.max(1, x1 - x0), vh);
      });
    }

    if (this.overlays.has('bb')) this.drawBand(ctx, c.BB_upper, c.BB_lower, i0, i1, y, colors.bbFill);

    // candles
    if (bw >= 2) {
      const body = Math.max(1, Math.min(bw * 0.7, bw - 1));
      for (let i = i0; i <= i1; i++) {
        const up = c.close[i] >= c.open[i];
        ctx.fillStyle = up ? colors.up : colors.down;
        const x = this.xOf(i);
        ctx.fillRect(Math.round(x) , Math.round(y(c.high[i])), 1, Math.max(1, Math.round(y(c.low[i]) - y(c.high[i]))));
        const top = y(Math.max(c.open[i], c.close[i]));
        const bot = y(Math.min(c.open[i], c.close[i]));
        ctx.fillRect(Math.round(x - body / 2 + 0.5), Math.round(top), Math.round(body), Math.max(1, Math.round(bot - top)));
      }
    } else {
      this.columnsOrBars(i0, i1, bw, (x0, x1, a, b) => {
        let l = Infinity;
        let hh = -Infinity;
        for (let i = a; i <= b; i++) { if (c.low[i] < l) l = c.low[i]; if (c.high[i] > hh) hh = c.high[i]; }
        ctx.fillStyle = c.close[b] >= c.open[a] ? colors.up : colors.down;
        ctx.fillRect(x0, Math.round(y(hh)), Math.max(1, x1 - x0), Math.max(1, Math.round(y(l) - y(hh))));
      });
    }

    for (const key of ['ma', 'ema', 'bb']) {
      if (!this.overlays.has(key)) continue;
      for (const [field, color] of OVERLAYS[key]) this.drawLine(ctx, c[field], i0, i1, y, colors[color], key === 'bb' ? 1 : 1.4);
    }
    if (preds.length) this.drawPredictions(ctx, preds, y, colors);
    ctx.restore();

    // last close marker on the axis
    const last = s.length - 1;
    const yl = y(c.close[last]);
    if (yl >= L.mainTop && yl <= L.mainTop + priceH) {
      ctx.fillStyle = c.close[last] >= c.open[last] ? colors.up : colors.down;
      ctx.fillRect(PAD_L + L.plotW + 1, yl - 8, AXIS_W - 2, 16);
      ctx.fillStyle = '#fff';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(fmt.price(c.close[last]), PAD_L + L.plotW + 5, yl);
    }

    if (L.paneH) drawIndicatorPane(ctx, this, L, i0, i1, colors);
  }

  /** Calls `fn(x0, x1, a, b)` per pixel column (thin bars) or per bar. */
  columnsOrBars(i0, i1, bw, fn) {
    if (bw >= 2) {
      const w = Math.max(1, bw * 0.7);
      for (let i = i0; i <= i1; i++) {
        const x = this.xOf(i);
        fn(Math.round(x - w / 2), Math.round(x + w / 2), i, i);
      }
      return;
    }
    let a = i0;
    while (a <= i1) {
      const x0 = Math.floor(this.xOf(a));
      let b = a;
      while (b + 1 <= i1 && Math.floor(this.xOf(b + 1)) === x0) b++;
      fn(x0, x0 + 1, a, b);
      a = b + 1;
    }
  }

  drawLine(ctx, col, i0, i1, y, color, width) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    let pen = false;
    const stride = Math.max(1, Math.floor(1 / this.barWidth()));
    for (let i = i0; i <= i1; i += stride) {
      const v = col[i];
      if (Number.isNaN(v)) { pen = false; continue; }
      const x = this.xOf(i);
      if (pen) ctx.lineTo(x, y(v)); else { ctx.moveTo(x, y(v)); pen = true; }
    }
    ctx.stroke();
  }

  drawBand(ctx, upper, lower, i0, i1, y, color) {
    ctx.fillStyle = color;
    const stride = Math.max(1, Math.floor(1 / this.barWidth()));
    let runStart = -1;
    const flush = (end) => {
      if (runStart < 0) return;
      ctx.beginPath();
      for (let i = runStart; i <= end; i += stride) ctx.lineTo(this.xOf(i), y(upper[i]));
      for (let i = end; i >= runStart; i -= stride) ctx.lineTo(this.xOf(i), y(lower[i]));
      ctx.closePath();
      ctx.fill();
      runStart = -1;
    };
    for (let i = i0; i <= i1; i++) {
      if (Number.isNaN(upper[i]) || Number.isNaN(lower[i])) flush(i - 1);
      else if (runStart < 0) runStart = i;
    }
    flush(i1);
  }

  visiblePredictions(i0, i1) {
    if (!this.overlays.has('pred') || this.predictions.length === 0) return [];
    const out = [];
    for (const p of this.predictions) {
      const i = this.series.indexOf(p.target_date);
      if (i >= i0 && i <= i1) out.push({ i, p });
    }
    return out;
  }

  drawPredictions(ctx, preds, y, colors) {
    const bw = this.barWidth();
    const w = Math.max(2, Math.min(10, bw * 0.6));
    for (const { i, p } of preds) {
      const x = this.xOf(i);
      ctx.fillStyle = colors.band2;
      if (Number.isFinite(p.lower_95)) ctx.fillRect(x - w / 2, y(p.upper_95), w, y(p.lower_95) - y(p.upper_95));
      ctx.fillStyle = colors.band;
      if (Number.isFinite(p.lower_80)) ctx.fillRect(x - w / 2, y(p.upper_80), w, y(p.lower_80) - y(p.upper_80));
      ctx.fillStyle = colors.warn;
      ctx.beginPath();
      ctx.arc(x, y(p.predicted_close), Math.max(2, Math.min(4, bw / 3)), 0, Math.PI * 2);
      ctx.fill();
    }
  }

  drawCrosshair(ctx, width, height, colors) {
    if (!this.hover || !this.series || !this.L) return;
    const { i, y: py } = this.hover;
    const L = this.L;
    const x = this.xOf(i);
    ctx.strokeStyle = colors.crosshair;
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1;
    vline(ctx, x, L.mainTop, L.bottom);
    if (py >= L.mainTop && py <= L.mainTop + L.mainH) hline(ctx, PAD_L, PAD_L + L.plotW, py);
    ctx.setLineDash([]);
    ctx.fillStyle = colors.text;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'center';
    const label = this.series.dates[i];
    const tw = ctx.measureText(label).width + 10;
    ctx.fillRect(x - tw / 2, L.bottom + 1, tw, AXIS_H - 2);
    ctx.fillStyle = colors.bg;
    ctx.fillText(label, x, L.bottom + AXIS_H / 2);
    if (this.yScale && py >= L.mainTop && py <= L.mainTop + L.mainH * 0.82) {
      ctx.fillStyle = colors.text;
      ctx.fillRect(PAD_L + L.plotW + 1, py - 8, AXIS_W - 2, 16);
      ctx.fillStyle = colors.bg;
      ctx.textAlign = 'left';
      ctx.fillText(fmt.price(this.yScale.invert(py)), PAD_L + L.plotW + 5, py);
    }
  }
}
