// The fleet: each device's online status, what it runs against what it
// should run, and its last metrics.

import { get, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, debounce, pager, shortImage, keepFocus, sortable } from '../dom.js';
import { urlState } from '../query.js';

const limit = 25;

// The columns the API sorts by (?sort=), by the key of their header.
const apiSort = { device: 'name', '-device': '-name', created: 'created', '-created': '-created' };

export function devicesPage(main, ctx) {
  const url = urlState(ctx, { q: '', online: '', labels: '', sort: '', page: 1 }, () => {
    show();
    load();
  });
  const state = url.state;
  const search = h('input', { id: 'device-search', type: 'search', placeholder: 'name, uuid or label', testid: 'device-search' });
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

  // load is one request whatever the fleet's size: the list carries each
  // device's apps (current and target image) and health.
  async function load() {
    try {
      const res = await get(`/devices${qs({ q: state.q, online: state.online, labels: state.labels, sort: apiSort[state.sort],
        limit, offset: (state.page - 1) * limit })}`);
      const rows = res.items.map(row);
      const sort = (text, key) => sortable(text, key, state.sort, (v) => { url.set({ sort: v, page: 1 }); load(); });
      const total = res.total_estimated ? `about ${res.total}` : null;
      keepFocus(body, () => clear(body,
        table('Devices', [sort('Device', 'device'), 'Status', 'Health', 'Labels', 'Apps: current → target', 'Last seen', sort('Added', 'created')], rows,
          state.q || state.online || state.labels ? 'No device matches.' : 'No devices yet. Run airlock agent to simulate a fleet, or provision devices with POST /api/v1/devices (or /devices/import).',
          { testid: 'devices' }),
        total && h('p', { class: 'small muted', testid: 'devices-estimate' }, `${total} devices: the count is an estimate.`),
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

const healthBadge = { healthy: 'succeeded', updating: 'in_progress', unhealthy: 'failed', unknown: 'pending' };

function row(d) {
  return h('tr', { testid: 'device-row', 'data-device': d.uuid, 'data-key': d.uuid },
    h('td', {}, h('a', { href: `#/devices/${encodeURIComponent(d.uuid)}`, testid: 'device-link' }, d.name || d.uuid),
      d.name && d.name !== d.uuid && h('div', { class: 'mono small muted' }, d.uuid)),
    h('td', {}, d.online ? badge('online') : badge('offline')),
    h('td', { testid: 'device-health' }, badge(healthBadge[d.health] || 'pending', d.health)),
    h('td', { class: 'small' }, Object.entries(d.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ') || h('span', { class: 'muted' }, '—')),
    h('td', {}, listApps(d.apps || [])),
    h('td', {}, ago(d.last_seen_at)),
    h('td', {}, ago(d.created_at)));
}

// listApps shows the list's apps: each one's reported image, and its target when they differ.
function listApps(list) {
  if (!list.length) return h('span', { class: 'muted' }, 'no apps');
  return h('ul', { class: 'plain' }, list.map((a) => {
    const same = a.current_image && a.current_image === a.target_image;
    return h('li', { class: 'mono small', testid: 'device-app', 'data-app': a.app },
      `${a.app}: `,
      a.current_image ? shortImage(a.current_image) : h('span', { class: 'muted' }, 'not reported'),
      a.status && h('span', { class: 'muted' }, ` (${a.status}${a.healthy === false ? ', unhealthy' : ''})`),
      !same && a.target_image && [h('span', { class: 'arrow', 'aria-label': 'should become' }, ' → '), h('span', { class: 'drift' }, shortImage(a.target_image))]);
  }));
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
