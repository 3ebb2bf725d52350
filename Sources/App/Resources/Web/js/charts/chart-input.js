// Pan and zoom for the price chart: mouse drag, wheel, two-finger pinch, double-click to reset, and the keyboard
// (arrows pan, + and - or up and down zoom, Home and End jump) when the chart has the focus.

/** Wires the input handlers of `chart` (a PriceChart) to its element. */
export function bindChartInput(chart) {
  const el = chart.el;
  el.addEventListener('wheel', (e) => {
    if (!chart.series) return;
    e.preventDefault();
    const rect = el.getBoundingClientRect();
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) chart.pan((e.deltaX / chart.barWidth()));
    else chart.zoom(Math.exp(e.deltaY * 0.0015), e.clientX - rect.left);
  }, { passive: false });

  el.addEventListener('pointerdown', (e) => {
    if (!chart.series) return;
    try { el.setPointerCapture(e.pointerId); } catch { /* synthetic pointers cannot be captured */ }
    chart.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    el.classList.add('dragging');
  });
  el.addEventListener('pointermove', (e) => {
    if (!chart.series) return;
    const rect = el.getBoundingClientRect();
    const prev = chart.pointers.get(e.pointerId);
    if (prev) {
      if (chart.pointers.size === 2) {
        const other = [...chart.pointers.entries()].find(([id]) => id !== e.pointerId)[1];
        const before = Math.hypot(prev.x - other.x, prev.y - other.y);
        const after = Math.hypot(e.clientX - other.x, e.clientY - other.y);
        if (before > 10 && after > 10) chart.zoom(before / after, (e.clientX + other.x) / 2 - rect.left);
      } else {
        chart.pan((prev.x - e.clientX) / chart.barWidth());
      }
      chart.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    }
    chart.setHover(e.clientX - rect.left, e.clientY - rect.top);
  });
  const release = (e) => {
    chart.pointers.delete(e.pointerId);
    if (chart.pointers.size === 0) el.classList.remove('dragging');
  };
  el.addEventListener('pointerup', release);
  el.addEventListener('pointercancel', release);
  el.addEventListener('pointerleave', () => { if (chart.pointers.size === 0) chart.setHover(null); });
  el.addEventListener('dblclick', () => { chart.setRange(chart.series.length - 250, chart.series.length); chart.viewChanged(); });

  el.addEventListener('keydown', (e) => {
    if (!chart.series || e.ctrlKey || e.metaKey || e.altKey) return;
    const span = chart.end - chart.start;
    const step = Math.max(1, span * (e.shiftKey ? 0.5 : 0.1));
    const keys = {
      ArrowLeft: () => chart.pan(-step), ArrowRight: () => chart.pan(step),
      ArrowUp: () => chart.zoom(0.8), ArrowDown: () => chart.zoom(1.25),
      '+': () => chart.zoom(0.8), '=': () => chart.zoom(0.8), '-': () => chart.zoom(1.25), _: () => chart.zoom(1.25),
      Home: () => { chart.setRange(0, span); chart.viewChanged(); },
      End: () => { chart.setRange(chart.series.length - span, chart.series.length); chart.viewChanged(); },
    };
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    e.stopPropagation();
    act();
  });
}
