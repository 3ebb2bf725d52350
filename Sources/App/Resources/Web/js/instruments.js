// The stored instruments (GET /api/datasets), cached briefly and shared by every page's ticker picker.

import { get } from './api.js';
import { h } from './dom.js';

const TTL_MS = 15000;
let cache = null;
let cachedAt = 0;
let inflight = null;

/** The dataset rows, from cache when fresh (`force` reloads). */
export async function datasets(force = false) {
  if (!force && cache && Date.now() - cachedAt < TTL_MS) return cache;
  if (!inflight) {
    inflight = get('/api/datasets').then((rows) => {
      cache = Array.isArray(rows) ? rows : [];
      cachedAt = Date.now();
      return cache;
    }).finally(() => { inflight = null; });
  }
  return inflight;
}

/** Forgets the cache (after an import or ETL run). */
export function invalidate() { cache = null; }

/** The dataset row for a ticker (and exchange when given), or null. */
export async function find(ticker, exchange = '') {
  const rows = await datasets();
  const t = String(ticker || '').toUpperCase();
  return rows.find((r) => r.ticker.toUpperCase() === t && (!exchange || r.exchange === exchange)) || null;
}

/** A `<select>` of stored instruments; value "TICKER|EXCHANGE". */
export function instrumentSelect(rows, selected, attrs = {}) {
  return h('select', attrs, rows.map((r) => {
    const v = `${r.ticker}|${r.exchange}`;
    return h('option', { value: v, selected: v === selected || (!selected.includes('|') && r.ticker === selected) }, `${r.ticker} · ${r.exchange}`);
  }));
}

/** Splits "TICKER|EXCHANGE". */
export function splitInstrument(value) {
  const [ticker, exchange = ''] = String(value || '').split('|');
  return { ticker, exchange };
}
