// Number and date formatting, in one place so every page says things the same way.

const nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** A price with two decimals, or an en dash. */
export const price = (v) => (isNum(v) ? nf2.format(v) : '–');
/** An integer with thousands separators. */
export const int = (v) => (isNum(v) ? nf0.format(v) : '–');
/** 12.3K, 4.5M. */
export const short = (v) => (isNum(v) ? compact.format(v) : '–');
/** A fraction (0.123) as a percentage ("12.3 %"). */
export const pct = (v, digits = 1) => (isNum(v) ? `${(v * 100).toFixed(digits)} %` : '–');
/** A signed percentage change ("+1.23 %"). */
export const signedPct = (v, digits = 2) => (isNum(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(digits)} %` : '–');
/** A number with a fixed number of decimals. */
export const fixed = (v, digits = 3) => (isNum(v) ? v.toFixed(digits) : '–');

/** Bytes as B / KB / MB. */
export function bytes(v) {
  if (!isNum(v)) return '–';
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  return `${(v / 1024 ** 3).toFixed(2)} GB`;
}

/** Seconds as a latency ("12 ms", "1.20 s"). */
export function seconds(v) {
  if (!isNum(v)) return '–';
  if (v < 1) return `${(v * 1000).toFixed(v < 0.01 ? 2 : 0)} ms`;
  return `${v.toFixed(2)} s`;
}

/** Milliseconds as a duration ("850 ms", "3.2 s", "2 min 5 s"). */
export function duration(ms) {
  if (!isNum(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60000);
  return `${m} min ${Math.round((ms % 60000) / 1000)} s`;
}

/** Milliseconds since the epoch of an ISO timestamp, 0 when missing (compare times, never ISO strings:
 * "…12Z" sorts after "…12.110Z"). */
export const ms = (iso) => (iso ? Date.parse(iso) || 0 : 0);

/** "3 min ago" for an ISO timestamp. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** An ISO timestamp as local "2026-11-27 16:05:01". */
export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Local "16:05:01" for epoch seconds. */
export function clock(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Adds `days` calendar days to a `YYYY-MM-DD` date. */
export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today as `YYYY-MM-DD` (UTC). */
export const today = () => new Date().toISOString().slice(0, 10);

/** An ETL source with the import folder left out ("csv:sample/goog.csv"). */
export const source = (s) => (s && s.startsWith('csv:') && s.includes('/import/') ? `csv:${s.slice(s.indexOf('/import/') + 8)}` : s || '–');

/** Human names of the model types the API accepts. */
export const MODEL_TYPES = [
  ['naive', 'Naive (last close)'],
  ['drift', 'Drift'],
  ['linear_regression', 'Ridge regression'],
  ['xgboost', 'XGBoost'],
  ['random_forest', 'Random forest'],
];

/** A model type's display name. */
export const modelType = (t) => (MODEL_TYPES.find(([k]) => k === t)?.[1] ?? t ?? '–');
