// Price bars as columns (typed arrays), the shape the charts draw from quickly.

const NUMERIC = ['open', 'high', 'low', 'close', 'volume', 'MA5', 'MA10', 'EMA12', 'EMA26', 'BB_upper', 'BB_middle',
  'BB_lower', 'RSI14', 'MACD', 'MACD_signal', 'MACD_hist'];

/** Bars of one instrument in columns: `dates` (YYYY-MM-DD strings) and one Float64Array per field (NaN = none). */
export class PriceSeries {
  constructor(dates, columns) {
    this.dates = dates;
    this.columns = columns;
    this.length = dates.length;
    this.index = null;
  }

  /** Columns from API bars (ascending by date). */
  static fromBars(bars) {
    const n = bars.length;
    const dates = new Array(n);
    const columns = {};
    for (const f of NUMERIC) columns[f] = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const b = bars[i];
      dates[i] = b.date;
      for (const f of NUMERIC) {
        const v = b[f];
        columns[f][i] = typeof v === 'number' ? v : NaN;
      }
    }
    return new PriceSeries(dates, columns);
  }

  /** One column by API field name. */
  col(name) { return this.columns[name]; }

  /** The index of a session date, or -1. */
  indexOf(date) {
    if (!this.index) {
      this.index = new Map();
      this.dates.forEach((d, i) => this.index.set(d, i));
    }
    return this.index.get(date) ?? -1;
  }

  /** The first index whose date is ≥ `date` (binary search; `length` when none). */
  lowerBound(date) {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.dates[mid] < date) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}
