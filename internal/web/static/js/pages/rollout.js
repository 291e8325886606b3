// One rollout: its progress, per-status and per-batch counts and its
// devices, kept current by the event stream; and the controls an approver
// may use on it.

import { get, post } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, toast, ask, pager, shortImage, keepFocus } from '../dom.js';
import { bar, updateBar, percent, isActive, outcomes } from '../progress.js';

const limit = 100;
const statuses = ['pending', 'updating', ...outcomes];

// Which controls each rollout status offers (the API's state machine decides; this only hides the impossible).
const controls = {
  pending: ['start', 'cancel'],
  in_progress: ['pause', 'cancel', 'rollback'],
  paused: ['resume', 'cancel', 'rollback'],
  completed: ['rollback'],
  failed: ['rollback'],
  cancelled: ['rollback'],
};

const labels = { start: 'Start', pause: 'Pause', resume: 'Resume', cancel: 'Cancel rollout…', rollback: 'Roll back…' };

export function rolloutPage(main, ctx) {
  const id = ctx.params[0];
  const write = ctx.can('approver');
  let offset = 0;
  let r = null;
  let busy = false;
  let again = false;
  const head = h('div', {}, h('h1', {}, `Rollout #${id}`), loading());
  const progress = h('section', { 'aria-labelledby': 'progress-title', hidden: true });
  const progressBar = bar({ id, counts: {}, total_devices: 0 });
  const progressText = h('p', { class: 'progress-label', testid: 'progress-text' });
  const chips = h('ul', { class: 'chips', 'aria-label': 'Devices by status' });
  progress.append(h('h2', { id: 'progress-title' }, 'Progress'), progressBar, progressText, chips);
  const batches = h('section', { 'aria-labelledby': 'batches-title' });
  const devices = h('section', { 'aria-labelledby': 'devices-title' });
  clear(main, h('p', { class: 'crumbs' }, h('a', { href: '#/rollouts' }, '← Rollouts')), head, progress, batches, devices);

  // load fetches the rollout and its devices; calls while one runs fold into one more.
  async function load() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const [ro, devs] = await Promise.all([get(`/rollouts/${id}`), get(`/rollouts/${id}/devices?limit=${limit}&offset=${offset}`)]);
      r = ro;
      render(devs);
    } catch (err) {
      clear(head, h('h1', {}, `Rollout #${id}`), errorBox(err));
    } finally {
      busy = false;
      if (again) {
        again = false;
        load();
      }
    }
  }

  function render(devs) {
    keepFocus(head, () => renderHead());
    progress.hidden = false;
    updateBar(progressBar, r);
    const done = outcomes.reduce((n, s) => n + (r.counts[s] || 0), 0);
    progressText.replaceChildren(h('span', { testid: 'progress-percent' }, `${percent(r)}%`),
      h('span', {}, `${done} of ${r.total_devices} device${r.total_devices === 1 ? '' : 's'} settled`));
    chips.replaceChildren(...statuses.map((s) => h('li', { testid: `count-${s}` }, h('b', {}, String(r.counts[s] || 0)), s.replace('_', ' '))));
    renderBatches();
    renderDevices(devs);
  }

  function renderHead() {
    const facts = [
      ['Image', h('span', { class: 'mono' }, r.image)],
      r.digest && ['Digest', h('span', { class: 'mono small' }, r.digest)],
      ['Strategy', `${r.update_strategy}${r.batch_size ? `, batches of ${r.batch_size}` : ''}${r.batch_percent ? `, ${r.batch_percent}% per batch` : ''}` +
        `${r.canary_size ? `, canary ${r.canary_size}` : ''}${r.batch_delay_seconds ? `, ${r.batch_delay_seconds}s between batches` : ''}`],
      ['Health', `${r.health_check_timeout_seconds}s to report healthy; stops at ${r.failure_threshold_percent}% failed` +
        `${r.auto_rollback ? ' and rolls back' : ''}`],
      ['Batch', r.total_batches ? `${r.current_batch} of ${r.total_batches}` : '—'],
      ['Trigger', r.trigger],
      ['Created', ago(r.created_at)],
      r.started_at && ['Started', ago(r.started_at)],
      r.completed_at && ['Finished', ago(r.completed_at)],
    ].filter(Boolean);
    clear(head,
      h('div', { class: 'heading', 'data-key': 'head' },
        h('h1', {}, `Rollout #${r.id}: ${shortImage(r.image)}`),
        h('span', { testid: 'rollout-status', 'data-status': r.status }, badge(r.status)),
        h('span', { class: 'spacer' }),
        write && (controls[r.status] || []).map((a) => h('button', { type: 'button', testid: `rollout-${a}`, 'data-write': '',
          class: a === 'cancel' || a === 'rollback' ? 'danger' : a === 'start' || a === 'resume' ? 'primary' : null,
          onclick: () => act(a) }, labels[a]))),
      r.reason && h('p', { class: 'notice', testid: 'rollout-reason' }, r.reason),
      h('dl', { class: 'facts card' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  }

  function renderBatches() {
    const rows = (r.batches || []).map((b) => {
      const settled = outcomes.reduce((n, s) => n + (b.counts[s] || 0), 0);
      const state = b.batch < r.current_batch || settled === b.total ? 'done' : b.batch === r.current_batch && isActive(r) ? 'current' : 'waiting';
      return h('tr', { testid: 'batch-row', 'data-batch': b.batch },
        h('td', { class: 'num' }, String(b.batch)),
        h('td', {}, state === 'current' ? h('strong', {}, 'current') : state),
        h('td', { class: 'num' }, String(b.total)),
        statuses.map((s) => h('td', { class: 'num' }, b.counts[s] ? String(b.counts[s]) : h('span', { class: 'muted' }, '0'))));
    });
    clear(batches, h('h2', { id: 'batches-title' }, 'Batches'),
      table('Batches', ['#Batch', 'State', '#Devices', ...statuses.map((s) => `#${s.replace('_', ' ')}`)], rows, 'No batches: this rollout has no devices.', { testid: 'batches' }));
  }

  function renderDevices(devs) {
    const rows = devs.items.map((d) => h('tr', { testid: 'device-row', 'data-device': d.device_uuid, 'data-status': d.status },
      h('td', {}, h('a', { href: `#/devices/${encodeURIComponent(d.device_uuid)}`, class: 'mono' }, d.device_uuid)),
      h('td', {}, d.app),
      h('td', { class: 'num' }, String(d.batch)),
      h('td', {}, badge(d.status)),
      h('td', { class: 'mono small' }, shortImage(d.previous_image), h('span', { class: 'arrow', 'aria-label': 'to' }, '→'), shortImage(d.target_image)),
      h('td', { class: 'small' }, d.error || ''),
      h('td', {}, ago(d.updated_at))));
    clear(devices, h('h2', { id: 'devices-title' }, 'Devices'),
      table('Devices in this rollout', ['Device', 'App', '#Batch', 'Status', 'Image', 'Error', 'Updated'], rows,
        'No device runs this image, so there is nothing to update.', { testid: 'rollout-devices' }),
      pager(offset, limit, devs.total, (o) => { offset = o; load(); }));
  }

  async function act(action) {
    let reason = '';
    if (action === 'cancel' || action === 'rollback') {
      reason = await ask({
        title: action === 'cancel' ? 'Cancel this rollout?' : 'Roll this rollout back?',
        text: action === 'cancel' ? 'No further batch starts. Devices keep what they run now.'
          : 'Every device given the new image gets its previous image back.',
        reason: 'Reason (optional)', confirm: action === 'cancel' ? 'Cancel rollout' : 'Roll back', danger: true });
      if (reason === null) return;
    }
    try {
      r = await post(`/rollouts/${id}/${action}`, reason ? { reason } : undefined);
      toast(`Rollout #${id}: ${r.status.replace('_', ' ')}.`);
    } catch (err) {
      toast(err.message, true);
    }
    load();
  }

  // Batch starts and ends, status changes and the target states they write
  // arrive on the stream; between them, a slow poll catches device verdicts.
  ctx.on((e) => {
    if (e.subject === `rollout/${id}` || (e.type === 'device.target_state_changed' && r && isActive(r))) load();
  });
  ctx.every(5000, () => { if (r && isActive(r) && !document.hidden) load(); });
  load();
}
