// What the server tells the UI about itself (GET /api/ui/config): Grafana/Prometheus links, instance, whether reads
// need a key. Loaded once; a server without the route gives the defaults.

import { get } from './api.js';

const DEFAULTS = { grafana_url: '', prometheus_url: '', instance: '', read_requires_key: false, available: false };
let pending = null;

/** The UI configuration (never rejects). */
export function uiConfig() {
  if (!pending) {
    pending = get('/api/ui/config')
      .then((c) => ({ ...DEFAULTS, ...c, available: true }))
      .catch(() => ({ ...DEFAULTS }));
  }
  return pending;
}
