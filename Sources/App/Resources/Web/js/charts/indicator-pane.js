// The price chart's lower pane: RSI 14 with its 30/70 guides, or MACD 12/26/9 with its signal line and histogram.

import { hline } from './surface.js';

/** Draws the pane chosen on `chart` (a PriceChart) for bars i0…i1 into the layout box `L` (left, plotW, paneTop, paneH). */
export function drawIndicatorPane(ctx, chart, L, i0, i1, colors) {
  const c = chart.series.columns;
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  ctx.strokeRect(L.left + 0.5, L.paneTop + 0.5, L.plotW - 1, L.paneH - 1);
  ctx.fillStyle = colors.axis;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(chart.pane === 'rsi' ? 'RSI 14' : 'MACD 12/26/9', L.left + 6, L.paneTop + 4);
  ctx.textBaseline = 'middle';
  let lo;
  let hi;
  if (chart.pane === 'rsi') { lo = 0; hi = 100; } else {
    lo = Infinity; hi = -Infinity;
    for (let i = i0; i <= i1; i++) {
      for (const f of ['MACD', 'MACD_signal', 'MACD_hist']) {
        const v = c[f][i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!Number.isFinite(lo)) { lo = -1; hi = 1; }
    const m = Math.max(Math.abs(lo), Math.abs(hi)) * 1.1 || 1;
    lo = -m; hi = m;
  }
  const y = (v) => L.paneTop + (hi - v) / (hi - lo) * L.paneH;
  const guides = chart.pane === 'rsi' ? [30, 70] : [0];
  for (const g of guides) {
    ctx.strokeStyle = colors.grid;
    hline(ctx, L.left, L.left + L.plotW, y(g));
    ctx.fillText(String(g), L.left + L.plotW + 6, y(g));
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(L.left, L.paneTop, L.plotW, L.paneH);
  ctx.clip();
  if (chart.pane === 'rsi') {
    chart.drawLine(ctx, c.RSI14, i0, i1, y, colors.accent2, 1.3);
  } else {
    const bw = chart.barWidth();
    chart.columnsOrBars(i0, i1, bw, (x0, x1, a) => {
      const v = c.MACD_hist[a];
      if (Number.isNaN(v)) return;
      ctx.fillStyle = v >= 0 ? colors.up : colors.down;
      ctx.fillRect(x0, Math.min(y(0), y(v)), Math.max(1, x1 - x0), Math.abs(y(v) - y(0)));
    });
    chart.drawLine(ctx, c.MACD, i0, i1, y, colors.accent, 1.3);
    chart.drawLine(ctx, c.MACD_signal, i0, i1, y, colors.accent4, 1.3);
  }
  ctx.restore();
}
