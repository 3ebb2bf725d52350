// The REST client: JSON in and out, the API key header, and errors as ApiError {status, code, detail}.

import { apiKey, learnRole } from './session.js';
import { emit } from './events.js';

/** An error the API (or the network) reported; `detail` is safe to show to the user. */
export class ApiError extends Error {
  constructor(status, code, detail, body = null) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body;
  }
}

/** Builds `/path?query` (undefined, null and '' values are left out). */
export function url(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Encodes one path segment (tickers like ^GSPC). */
export const seg = (s) => encodeURIComponent(s);

/**
 * Sends a request. Options: `query`, `body` (JSON), `raw` + `contentType` (e.g. a CSV file), `signal`,
 * `withHeaders` (resolve to {data, headers}). Rejects with ApiError.
 */
export async function request(method, path, options = {}) {
  const headers = { Accept: 'application/json' };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let body;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['Content-Type'] = options.contentType || 'application/octet-stream';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url(path, options.query), { method, headers, body, signal: options.signal, cache: 'no-store' });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server did not answer. Is stockcast running?');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!response.ok) {
    const detail = (data && data.detail) || `${response.status} ${response.statusText}`;
    const code = (data && data.code) || `http_${response.status}`;
    if (response.status === 401) emit('auth-required', { detail });
    if (response.status === 403 && key) learnRole(method === 'GET' ? 'key' : 'viewer');
    throw new ApiError(response.status, code, detail, data);
  }
  return options.withHeaders ? { data, headers: response.headers } : data;
}

/** GET with a query object. */
export const get = (path, query, options = {}) => request('GET', path, { ...options, query });
/** POST a JSON body. */
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
/** DELETE. */
export const del = (path, query, options = {}) => request('DELETE', path, { ...options, query });
