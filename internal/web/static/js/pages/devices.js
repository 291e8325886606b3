// The fleet: each device's online status, what it runs against what it
// should run, and its last metrics.

import { get, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, debounce, pager, shortImage, keepFocus, sortable, sortBy } from '../dom.js';
import { urlState, matches } from '../query.js';

const limit = 25;

// The API lists devices by uuid and does not sort otherwise; until it takes
// ?sort=, a column sorts the page loaded.
const sortValue = (d, key) => ({ device: d.name || d.uuid, status: d.online ? 1 : 0, last_seen: d.last_seen_at }[key]);

export function devicesPage(main, ctx) {
  const url = urlState(ctx, { q: '', online: '', labels: '', sort: '', page: 1 }, () => {
    show();
    load();
  });
  const state = url.state;
  const search = h('input', { id: 'device-search', type: 'search', placeholder: 'name or uuid', testid: 'device-search' });
  const online = h('select', { id: 'device-online', testid: 'device-online' },
    h('option', { value: '' }, 'All'), h('option', { value: 'true' }, 'Online'), h('option', { value: 'false' }, 'Offline'));
  const labels = h('input', { id: 'device-labels', type: 'search', placeholder: 'site=berlin', testid: 'device-labels' });
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Devices'),
    h('p', { class: 'lead' }, 'Devices poll their target state and report what they run. A device whose current image differs from its target is still updating (or failed to).'),
    h('div', { class: 'toolbar', role: 'search' },
      h('label', { for: 'device-search' }, 'Search', search),
      h('label', { for: 'device-online' }, 'Status', online),
      h('label', { for: 'device-labels' }, 'Labels', labels)),
    h('p', { class: 'views', testid: 'attention' }, h('span', { class: 'muted' }, 'Needs attention: '),
      h('a', { href: '#/devices?online=false', testid: 'view-offline' }, 'Offline devices')),
    body);

  async function load() {
    try {
      const res = await get(`/devices${qs({ q: state.q, online: state.online, labels: state.labels, limit, offset: (state.page - 1) * limit })}`);
      // The API does not search by q yet: filter the page loaded. Remove once it does.
      const items = sortBy(res.items.filter((d) => matches(state.q, d.name, d.uuid, ...Object.entries(d.labels || {}).map(([k, v]) => `${k}=${v}`))),
        state.sort, sortValue);
      const details = await detailsOf(items);
      const rows = items.map((d, i) => row(d, details[i]));
      const sort = (text, key) => sortable(text, key, state.sort, (v) => { url.set({ sort: v }); load(); });
      keepFocus(body, () => clear(body,
        table('Devices', [sort('Device', 'device'), sort('Status', 'status'), 'Labels', 'Apps: current → target', 'Metrics', sort('Last seen', 'last_seen')], rows,
          state.q || state.online || state.labels ? 'No device matches.' : 'No devices yet. Run airlock agent to simulate a fleet, or provision devices with POST /api/v1/devices.',
          { testid: 'devices' }),
        pager((state.page - 1) * limit, limit, res.total, (o) => { url.set({ page: o / limit + 1 }); load(); })));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  // show puts the state (from the URL) into the filter controls.
  function show() {
    search.value = state.q;
    online.value = state.online;
    labels.value = state.labels;
  }

  const reload = debounce(load, 1000);
  const typed = debounce(load, 300);
  online.addEventListener('change', () => { url.set({ online: online.value, page: 1 }); load(); });
  labels.addEventListener('input', () => { url.replace({ labels: labels.value.trim(), page: 1 }); typed(); });
  search.addEventListener('input', () => { url.replace({ q: search.value.trim(), page: 1 }); typed(); });
  ctx.on((e) => { if (e.type.startsWith('device.')) reload(); });
  // Reports and heartbeats make no events: refresh on a slow clock.
  ctx.every(10000, () => { if (!document.hidden) load(); });
  show();
  load();
}

// detailsOf fetches the detail (target and reported state) of each device
// shown, a few at a time; a device that fails to load just shows less.
async function detailsOf(devices) {
  const out = new Array(devices.length).fill(null);
  let next = 0;
  async function worker() {
    while (next < devices.length) {
      const i = next++;
      try {
        out[i] = await get(`/devices/${encodeURIComponent(devices[i].uuid)}`);
      } catch {
        out[i] = null;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(4, devices.length) }, worker));
  return out;
}

function row(d, detail) {
  return h('tr', { testid: 'device-row', 'data-device': d.uuid, 'data-key': d.uuid },
    h('td', {}, h('a', { href: `#/devices/${encodeURIComponent(d.uuid)}`, testid: 'device-link' }, d.name || d.uuid),
      d.name && d.name !== d.uuid && h('div', { class: 'mono small muted' }, d.uuid)),
    h('td', {}, d.online ? badge('online') : badge('offline')),
    h('td', { class: 'small' }, Object.entries(d.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ') || h('span', { class: 'muted' }, '—')),
    h('td', {}, detail ? apps(detail) : h('span', { class: 'muted' }, '—')),
    h('td', { class: 'small' }, detail ? metrics(detail.current_state) : '—'),
    h('td', {}, ago(d.last_seen_at)));
}

// apps lists each app as its reported image, and the target when they differ.
export function apps(detail) {
  const target = (detail.target_state && detail.target_state.apps) || {};
  const current = (detail.current_state && detail.current_state.apps) || {};
  const names = [...new Set([...Object.keys(target), ...Object.keys(current)])].sort();
  if (!names.length) return h('span', { class: 'muted' }, 'no apps');
  return h('ul', { class: 'plain' }, names.map((n) => {
    const want = target[n] && target[n].image;
    const have = current[n];
    const same = have && want && have.image === want;
    return h('li', { class: 'mono small', testid: 'device-app', 'data-app': n },
      `${n}: `,
      have ? shortImage(have.image) : h('span', { class: 'muted' }, 'not reported'),
      have && have.status && h('span', { class: 'muted' }, ` (${have.status}${have.healthy === false ? ', unhealthy' : ''})`),
      !same && want && [h('span', { class: 'arrow', 'aria-label': 'should become' }, ' → '), h('span', { class: 'drift' }, shortImage(want))]);
  }));
}

export function metrics(state) {
  const m = (state && state.metrics) || {};
  const parts = [];
  if (typeof m.cpu_percent === 'number') parts.push(`CPU ${m.cpu_percent.toFixed(0)}%`);
  if (typeof m.memory_percent === 'number') parts.push(`mem ${m.memory_percent.toFixed(0)}%`);
  if (typeof m.uptime_seconds === 'number') parts.push(`up ${uptime(m.uptime_seconds)}`);
  return parts.length ? parts.join(' · ') : h('span', { class: 'muted' }, 'no metrics');
}

function uptime(s) {
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
