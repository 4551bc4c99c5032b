// Fetch wrapper for /api/v1: JSON in and out, the session cookie, the
// X-CSRF-Token header on writes, and one error type. A 401 on any call
// except those that opt out hands over to the app (which shows the login
// page with the server's message).

let csrfToken = null;
let unauthorized = null;

/** An HTTP or network failure; fields come from the body's {"error":{…}}. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    const e = (body && typeof body === 'object' && body.error) || {};
    super(e.message || fallback || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e.code || (status === 429 ? 'rate_limited' : status === 0 ? 'network' : `http_${status}`);
    this.field = e.field || null;
    this.existingId = e.existing_id || null; // a 409 duplicate names the record it collides with
  }
}

/** Keeps the token sent with POST/PATCH/DELETE (from login or GET /me). */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Registers fn(err), called when a request answers 401. */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/**
 * Sends one request and returns the parsed JSON body (null for 204).
 * Throws ApiError on a non-2xx status or a network failure. opts.auth =
 * false keeps a 401 from sending the user to the login page (used by the
 * login form and the start-up probe of /me). opts.signal (an AbortSignal)
 * cancels the request: the promise then rejects with an AbortError, which
 * callers ignore (see isAbort). opts.type sends `body` as is (a string)
 * with that Content-Type instead of as JSON (the CSV import).
 */
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.signal) init.signal = opts.signal;
  if (body !== undefined && opts.type) {
    headers['Content-Type'] = opts.type;
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, null, e && e.message);
  }
  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && opts.auth !== false && unauthorized) unauthorized(err);
    throw err;
  }
  return data;
}

/** True for the rejection of a request cancelled through opts.signal. */
export function isAbort(err) {
  return !!err && err.name === 'AbortError';
}

/**
 * Builds "path?k=v&…" from an object or URLSearchParams; null, undefined
 * and '' values are left out.
 */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? params.entries() : Object.entries(params || {});
  for (const [k, v] of entries) if (v !== null && v !== undefined && v !== '') q.append(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
};

/**
 * Reads every page of a list endpoint ({data, next_cursor}) and returns
 * all records. `max` bounds the total so a huge list cannot hang the page.
 */
export async function listAll(path, max = 10000) {
  const out = [];
  let cursor = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    let url = `${path}${sep}limit=500`;
    if (cursor) url += `&cursor=${encodeURIComponent(cursor)}`;
    const page = await api.get(url);
    const rows = (page && page.data) || [];
    out.push(...rows);
    cursor = page && page.next_cursor;
    if (rows.length === 0) break;
  } while (cursor && out.length < max);
  return out;
}
