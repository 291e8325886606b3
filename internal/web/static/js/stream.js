// The live event stream: one connection to /api/v1/events/stream for the
// whole session, read with fetch() so that the token travels in the
// Authorization header (EventSource cannot send one, and a token in a URL
// ends up in logs and history). It reconnects by itself and resumes after
// the last event it saw, so no change is missed while it was away.

import { session } from './api.js';

const listeners = new Set();
const stateListeners = new Set();
let ctrl = null;
let lastID = '';
let state = 'off';

// onEvent calls fn with every event (an object as GET /events lists them)
// and returns the function that stops it.
export function onEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
}

export function start() {
  if (ctrl) return;
  ctrl = new AbortController();
  run(ctrl.signal);
}

export function stop() {
  if (ctrl) ctrl.abort();
  ctrl = null;
  lastID = '';
  setState('off');
}

function setState(s) {
  state = s;
  stateListeners.forEach((fn) => fn(s));
}

async function run(signal) {
  let wait = 1000;
  while (!signal.aborted) {
    try {
      const headers = { Authorization: `Bearer ${session.token}`, Accept: 'text/event-stream' };
      if (lastID) headers['Last-Event-ID'] = lastID;
      const res = await fetch('/api/v1/events/stream', { headers, signal, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) {
        setState('off');
        return;
      }
      if (res.ok && res.body) {
        setState('live');
        wait = 1000;
        await read(res.body, signal);
      }
    } catch {
      // the connection dropped or never opened: retry below
    }
    if (signal.aborted) return;
    setState('reconnecting');
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 15000);
  }
}

// read parses Server-Sent Events: "id:" and "data:" lines, an event per blank line.
async function read(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener('abort', () => reader.cancel().catch(() => {}));
  let buf = '';
  let id = '';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (data.length) dispatch(id, data.join('\n'));
        id = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'id') id = val;
      else if (name === 'data') data.push(val);
    }
  }
}

function dispatch(id, data) {
  if (id) lastID = id;
  let ev;
  try {
    ev = JSON.parse(data);
  } catch {
    return;
  }
  listeners.forEach((fn) => {
    try {
      fn(ev);
    } catch (err) {
      console.error(err);
    }
  });
}
