// The API client. The token lives in sessionStorage only: it is gone when
// the browser tab closes, and it is sent in the Authorization header, never
// in a URL.

const KEY = 'airlock.token';
const ranks = { viewer: 1, approver: 2, admin: 3 };

export const session = { token: sessionStorage.getItem(KEY) || '', me: null };

export class APIError extends Error {
  constructor(status, body) {
    super(body.message || body.error || `The server answered ${status}`);
    this.status = status;
    this.title = body.error || '';
    this.field = body.field || '';
  }
}

// api calls /api/v1+path and returns the decoded answer (null for 204).
// Errors come back as APIError with the API's message and field; a 401
// ends the session (unless quiet: a token being tried has none to end).
export async function api(method, path, body, quiet = false) {
  const init = { method, headers: { Authorization: `Bearer ${session.token}` }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new APIError(0, { error: 'Network error', message: 'The server did not answer. Is airlock serve running?' });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!res.ok) {
    const err = new APIError(res.status, data || {});
    if (res.status === 401 && session.token && !quiet) expired(err.message);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

// qs builds a query string from the non-empty values of params.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

// signIn checks a token by asking who it belongs to, and keeps it for
// this browser tab only when it works.
export async function signIn(token) {
  session.token = token.trim();
  try {
    session.me = await api('GET', '/me', undefined, true);
  } catch (err) {
    session.token = '';
    throw err;
  }
  sessionStorage.setItem(KEY, session.token);
  return session.me;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  session.token = '';
  session.me = null;
}

function expired(message) {
  signOut();
  window.dispatchEvent(new CustomEvent('airlock:signedout', { detail: message }));
}

// can tells whether the signed-in role may do what role may.
export function can(role) {
  return Boolean(session.me) && (ranks[session.me.role] || 0) >= ranks[role];
}
