// Registered models as the pages need them: the list (bounded), champions, and the headline metrics at h = 1.

import { get } from './api.js';

const MAX_MODELS = 500;

/** Every registered model (up to the API's page bound of 500), newest first. */
export async function fetchModels(options = {}) {
  const rows = await get('/api/models', { skip: 0, limit: MAX_MODELS }, options);
  const list = Array.isArray(rows) ? rows : (rows.models || []);
  return list.sort((a, b) => b.id - a.id);
}

/** The champion model of an instrument, or null. */
export function championOf(models, ticker, exchange) {
  return models.find((m) => m.ticker === ticker && (!exchange || m.exchange === exchange) && (m.aliases || []).includes('champion')) || null;
}

/** Metrics of horizon `h` for the model and its baselines: { model, naive, drift } (each may be null). */
export function horizonMetrics(model, hz = 1) {
  const m = model && model.metrics;
  if (!m) return { model: null, naive: null, drift: null };
  const pick = (list) => (Array.isArray(list) ? list.find((r) => r.horizon === hz) || null : null);
  return { model: pick(m.model), naive: pick(m.naive), drift: pick(m.drift) };
}

/**
 * Realised accuracy of scored predictions (those with actual_close): mean absolute % error of the model and of the
 * naive forecast from the same origins, over the latest `n`.
 */
export function realisedError(predictions, n = 20) {
  const scored = predictions.filter((p) => Number.isFinite(p.actual_close) && p.actual_close > 0).slice(0, n);
  if (scored.length === 0) return null;
  let model = 0;
  let naive = 0;
  let naiveCount = 0;
  for (const p of scored) {
    model += Math.abs(p.actual_close - p.predicted_close) / p.actual_close;
    if (Number.isFinite(p.naive_error)) { naive += Math.abs(p.naive_error) / p.actual_close; naiveCount += 1; }
  }
  return { count: scored.length, model: model / scored.length, naive: naiveCount ? naive / naiveCount : null };
}
