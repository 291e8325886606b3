// The fleet: each device's online status, what it runs against what it
// should run, and its last metrics.

import { get, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, debounce, pager, shortImage, keepFocus } from '../dom.js';

const limit = 25;

export function devicesPage(main, ctx) {
  let offset = 0;
  const online = h('select', { id: 'device-online', testid: 'device-online' },
    h('option', { value: '' }, 'All'), h('option', { value: 'true' }, 'Online'), h('option', { value: 'false' }, 'Offline'));
  const labels = h('input', { id: 'device-labels', type: 'search', placeholder: 'site=berlin', testid: 'device-labels' });
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Devices'),
    h('p', { class: 'lead' }, 'Devices poll their target state and report what they run. A device whose current image differs from its target is still updating (or failed to).'),
    h('div', { class: 'toolbar', role: 'search' },
      h('label', { for: 'device-online' }, 'Status', online),
      h('label', { for: 'device-labels' }, 'Labels', labels)),
    body);

  async function load() {
    try {
      const res = await get(`/devices${qs({ online: online.value, labels: labels.value.trim(), limit, offset })}`);
      const details = await detailsOf(res.items);
      const rows = res.items.map((d, i) => row(d, details[i]));
      keepFocus(body, () => clear(body,
        table('Devices', ['Device', 'Status', 'Labels', 'Apps: current → target', 'Metrics', 'Last seen'], rows,
          online.value || labels.value ? 'No device matches.' : 'No devices yet. Run airlock agent to simulate a fleet, or provision devices with POST /api/v1/devices.',
          { testid: 'devices' }),
        pager(offset, limit, res.total, (o) => { offset = o; load(); })));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  const reload = debounce(load, 1000);
  online.addEventListener('change', () => { offset = 0; load(); });
  labels.addEventListener('input', debounce(() => { offset = 0; load(); }, 300));
  ctx.on((e) => { if (e.type.startsWith('device.')) reload(); });
  // Reports and heartbeats make no events: refresh on a slow clock.
  ctx.every(10000, () => { if (!document.hidden) load(); });
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
