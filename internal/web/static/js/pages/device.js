// One device: what it should run, what it reports, its metrics and the
// rollouts it took part in.

import { get } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, shortImage } from '../dom.js';
import { apps, metrics } from './devices.js';

export function devicePage(main, ctx) {
  const uuid = ctx.params[0];
  const body = h('div', {}, loading());
  clear(main, h('p', { class: 'crumbs' }, h('a', { href: '#/devices' }, '← Devices')), body);

  async function load() {
    let d;
    try {
      d = await get(`/devices/${encodeURIComponent(uuid)}`);
    } catch (err) {
      clear(body, h('h1', {}, `Device ${uuid}`), errorBox(err));
      return;
    }
    const facts = [
      ['UUID', h('span', { class: 'mono' }, d.uuid)], ['Architecture', d.architecture || '—'],
      ['Labels', Object.entries(d.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ') || '—'],
      ['Last seen', ago(d.last_seen_at)], ['Last report', d.current_state ? ago(d.current_state.reported_at) : 'never'],
      ['Provisioned', ago(d.created_at)], ['Target version', String(d.target_state ? d.target_state.version : 0)],
    ];
    const rollouts = (d.rollouts || []).map((x) => h('tr', {},
      h('td', {}, h('a', { href: `#/rollouts/${x.rollout_id}` }, `#${x.rollout_id}`), ' ', badge(x.rollout_status)),
      h('td', {}, x.app), h('td', { class: 'num' }, String(x.batch)), h('td', {}, badge(x.status)),
      h('td', { class: 'mono small' }, shortImage(x.previous_image), h('span', { class: 'arrow', 'aria-label': 'to' }, '→'), shortImage(x.target_image)),
      h('td', {}, ago(x.updated_at))));
    const open = [...body.querySelectorAll('details')].map((x) => x.open);
    clear(body,
      h('div', { class: 'heading' }, h('h1', {}, d.name || d.uuid), d.online ? badge('online') : badge('offline')),
      h('div', { class: 'cols' },
        h('div', { class: 'card' }, h('h2', {}, 'Device'), h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
        h('div', { class: 'card' }, h('h2', {}, 'Apps'), apps(d), h('h2', {}, 'Metrics'), h('p', { testid: 'device-metrics' }, metrics(d.current_state)))),
      h('h2', {}, 'Rollouts'),
      table('Rollouts of this device', ['Rollout', 'App', '#Batch', 'Device status', 'Image', 'Updated'], rollouts, 'This device has been in no rollout.'),
      h('details', {}, h('summary', {}, 'Target state as the device reads it'), h('pre', {}, JSON.stringify(d.target_state, null, 2))),
      h('details', {}, h('summary', {}, 'Last report'), h('pre', {}, JSON.stringify(d.current_state, null, 2))));
    body.querySelectorAll('details').forEach((x, i) => { x.open = Boolean(open[i]); });
  }

  ctx.on((e) => { if (e.subject === `device/${uuid}`) load(); });
  ctx.every(10000, () => { if (!document.hidden) load(); });
  load();
}
