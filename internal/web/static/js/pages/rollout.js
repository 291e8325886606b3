// One rollout: its progress, per-status and per-batch counts, its devices
// (with why each failed) and who did what to it, kept current by the event
// stream; and the controls an approver may use on it.

import { get, post, qs } from '../api.js';
import { h, clear, ago, badge, bytes, table, errorBox, loading, toast, ask, pager, shortImage, keepFocus } from '../dom.js';
import { bar, updateBar, percent, isActive, outcomes, statusLabel, failures } from '../progress.js';
import { urlState } from '../query.js';
import { nextStep, countdown, batchTimes } from '../schedule.js';

const limit = 100;
const order = ['pending', 'updating', 'baking', 'deferred', ...outcomes];

// Which controls each rollout status offers (the API's state machine decides; this only hides the impossible).
const controls = {
  planning: ['cancel'],
  pending: ['start', 'cancel'],
  in_progress: ['pause', 'cancel', 'rollback'],
  paused: ['resume', 'cancel', 'rollback'],
  waiting_for_window: ['pause', 'cancel', 'rollback'],
  completed: ['rollback'],
  completed_with_failures: ['rollback'],
  failed: ['rollback'],
  cancelled: ['rollback'],
};

const labels = { start: 'Start', pause: 'Pause', resume: 'Resume', cancel: 'Cancel rollout…', rollback: 'Roll back…' };

// deviceStatuses are the device statuses the API counts for r, in the order of a device's life.
function deviceStatuses(r) {
  const known = Object.keys(r.counts || {});
  return [...order.filter((s) => known.includes(s)), ...known.filter((s) => !order.includes(s))];
}

export function rolloutPage(main, ctx) {
  const id = ctx.params[0];
  const write = ctx.can('approver');
  const url = urlState(ctx, { status: '', page: 1 }, () => load());
  let r = null;
  let busy = false;
  let again = false;
  const head = h('div', {}, h('h1', {}, `Rollout #${id}`), loading());
  const progress = h('section', { 'aria-labelledby': 'progress-title', hidden: true });
  const progressBar = bar({ id, counts: {}, total_devices: 0 });
  const progressText = h('p', { class: 'progress-label', testid: 'progress-text' });
  const clock = h('p', { class: 'countdown', testid: 'countdown', hidden: true, 'aria-live': 'off' });
  const chips = h('ul', { class: 'chips', 'aria-label': 'Devices by status' });
  progress.append(h('h2', { id: 'progress-title' }, 'Progress'), progressBar, progressText, clock, chips);
  const batches = h('section', { 'aria-labelledby': 'batches-title' });
  const devices = h('section', { 'aria-labelledby': 'devices-title' });
  const activity = h('section', { 'aria-labelledby': 'activity-title' });
  const why = h('section', { 'aria-labelledby': 'why-title', testid: 'failure-analysis', hidden: true });
  clear(main, h('p', { class: 'crumbs' }, h('a', { href: '#/rollouts' }, '← Rollouts')), head, progress, why, batches, devices, activity);

  // load fetches the rollout and its devices; calls while one runs fold into one more.
  async function load() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const { status, page } = url.state;
      const [ro, devs] = await Promise.all([get(`/rollouts/${id}`),
        get(`/rollouts/${id}/devices${qs({ status, limit, offset: (page - 1) * limit })}`)]);
      r = ro;
      render(devs);
      await loadFailures();
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
    // The button pressed may be gone (Pause became Resume): focus the control now offered, or the status.
    keepFocus(head, () => renderHead(), () => head.querySelector('.controls button') || head.querySelector('[data-testid=rollout-status]'));
    progress.hidden = false;
    updateBar(progressBar, r);
    const done = outcomes.reduce((n, s) => n + (r.counts[s] || 0), 0);
    const failed = failures(r);
    clear(progressText, h('span', { testid: 'progress-percent' }, `${percent(r)}% settled`),
      failed > 0 && h('span', { class: 'bad', testid: 'progress-failures' }, `${failed} failed or timed out`),
      h('span', {}, `${done} of ${r.total_devices} device${r.total_devices === 1 ? '' : 's'}`));
    chips.replaceChildren(...deviceStatuses(r).map((s) => h('li', { testid: `count-${s}` },
      h('a', { href: `#/rollouts/${id}?status=${s}`, 'aria-label': `${r.counts[s] || 0} ${statusLabel(s)}: show them` },
        h('b', {}, String(r.counts[s] || 0)), statusLabel(s)))));
    tick();
    renderBatches();
    keepFocus(devices, () => renderDevices(devs));
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
      r.download_bytes !== undefined && ['Download', h('span', { testid: 'rollout-download' }, bytes(r.download_bytes))],
      r.cost && ['Cost', costOf(r.cost)],
      ['Created', ago(r.created_at)],
      r.started_at && ['Started', ago(r.started_at)],
      r.completed_at && ['Finished', ago(r.completed_at)],
    ].filter(Boolean);
    const withFailures = r.status === 'completed_with_failures';
    clear(head,
      h('div', { class: 'heading', 'data-key': 'head' },
        h('h1', {}, `Rollout #${r.id}: ${shortImage(r.image)}`),
        h('span', { testid: 'rollout-status', 'data-status': r.status }, badge(r.status, statusLabel(r.status))),
        h('span', { class: 'spacer' }),
        write && h('span', { class: 'controls' }, (controls[r.status] || []).map((a) => h('button', { type: 'button', testid: `rollout-${a}`, 'data-write': '',
          class: a === 'cancel' || a === 'rollback' ? 'danger' : a === 'start' || a === 'resume' ? 'primary' : null,
          onclick: () => act(a) }, labels[a])))),
      withFailures && h('p', { class: 'notice warn', testid: 'failure-summary' },
        `Every batch ran, but ${failures(r)} device${failures(r) === 1 ? '' : 's'} failed or timed out (below the failure threshold). `,
        h('a', { href: `#/rollouts/${id}?status=failed` }, 'Show the failed devices')),
      r.reason && h('p', { class: 'notice', testid: 'rollout-reason' }, r.reason),
      h('dl', { class: 'facts card' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  }

  // tick redraws the countdown to the next batch or window, when there is one.
  function tick() {
    const next = r && nextStep(r);
    clock.hidden = !next;
    if (next) clock.textContent = `${next.what} ${countdown(next.at, Date.now())}`;
  }

  function renderBatches() {
    const list = r.batches || [];
    // Only the statuses some batch has: a column of zeros says nothing and widens the table.
    const cols = deviceStatuses(r).filter((s) => list.some((b) => b.counts[s]));
    const rows = list.map((b) => {
      const settled = outcomes.reduce((n, s) => n + (b.counts[s] || 0), 0);
      const times = batchTimes(r, b);
      const state = times.status || (b.batch < r.current_batch || settled === b.total ? 'done' : b.batch === r.current_batch && isActive(r) ? 'running' : 'pending');
      return h('tr', { testid: 'batch-row', 'data-batch': b.batch },
        h('td', { class: 'num' }, String(b.batch)),
        h('td', { testid: 'batch-state' }, state === 'running' ? h('strong', {}, state) : state),
        h('td', { class: 'num' }, String(b.total)),
        h('td', { testid: 'batch-started' }, times.started ? ago(times.started) : h('span', { class: 'muted' }, '—')),
        h('td', { testid: 'batch-finished' }, times.finished ? ago(times.finished) : h('span', { class: 'muted' }, '—')),
        cols.map((s) => h('td', { class: 'num' }, b.counts[s] ? String(b.counts[s]) : h('span', { class: 'muted' }, '0'))));
    });
    clear(batches, h('h2', { id: 'batches-title' }, 'Batches'),
      table('Batches', ['#Batch', 'State', '#Devices', 'Started', 'Finished', ...cols.map((s) => `#${statusLabel(s)}`)], rows,
        'No batches: this rollout has no devices.', { testid: 'batches' }));
  }

  function renderDevices(devs) {
    const filter = h('select', { id: 'rollout-device-status', testid: 'device-status-filter', value: url.state.status,
      onchange: (e) => { url.set({ status: e.target.value, page: 1 }); load(); } },
    h('option', { value: '' }, 'Any status'), deviceStatuses(r).map((s) => h('option', { value: s }, `${statusLabel(s)} (${r.counts[s] || 0})`)));
    filter.value = url.state.status;
    clear(devices, h('h2', { id: 'devices-title' }, 'Devices'),
      h('div', { class: 'toolbar' }, h('label', { for: 'rollout-device-status' }, 'Status', filter)),
      table('Devices in this rollout', ['Device', 'App', '#Batch', 'Status', 'Image', 'Message', 'Updated'], devs.items.map(deviceRow),
        url.state.status ? `No device is ${statusLabel(url.state.status)}.` : 'No device runs this image, so there is nothing to update.',
        { testid: 'rollout-devices' }),
      pager((url.state.page - 1) * limit, limit, devs.total, (o) => { url.set({ page: o / limit + 1 }); load(); }));
  }

  // loadFailures shows what the devices judged failed reported, grouped by
  // message and exit code. A rollback or cancel changes their status, not
  // their verdict, so this reads every device and picks the verdicts.
  let failuresShown = '';
  async function loadFailures() {
    const c = r.counts || {};
    const key = `${r.status}/${failures(r)}/${c.rolled_back || 0}`;
    if (!failures(r) && !c.rolled_back) {
      why.hidden = true;
      return;
    }
    if (key === failuresShown) return;
    failuresShown = key;
    const all = await get(`/rollouts/${id}/devices${qs({ limit: 1000 })}`);
    const failed = all.items.filter((d) => d.outcome === 'failed' || d.outcome === 'timed_out');
    why.hidden = failed.length === 0;
    clear(why, h('h2', { id: 'why-title' }, 'Why devices failed'),
      all.total > all.items.length && h('p', { class: 'muted small' }, `From the first ${all.items.length} of ${all.total} devices.`),
      h('ul', { class: 'failures' }, failureGroups(failed).map((g) => h('li', { testid: 'failure-group' },
        h('div', {}, h('strong', {}, `${g.devices.length} device${g.devices.length === 1 ? '' : 's'} ${statusLabel(g.outcome)}`),
          typeof g.exit_code === 'number' && h('span', { class: 'exit mono', testid: 'failure-exit' }, ` exit code ${g.exit_code}`)),
        h('div', { class: 'mono small', testid: 'failure-message' }, g.message || g.error || 'no message'),
        g.message && g.error && h('div', { class: 'small muted' }, g.error),
        h('div', { class: 'small' }, g.devices.slice(0, 20).map((d, i) => [i ? ', ' : '',
          h('a', { href: `#/devices/${encodeURIComponent(d.device_uuid)}` }, d.device_name || d.device_uuid)]),
        g.devices.length > 20 && ` and ${g.devices.length - 20} more`)))));
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
      toast(`Rollout #${id}: ${statusLabel(r.status)}.`);
    } catch (err) {
      toast(err.message, true);
    }
    load();
  }

  // Batch starts and ends, status changes and the target states they write
  // arrive on the stream; between them, a slow poll catches device verdicts.
  ctx.on((e) => {
    if (e.subject === `rollout/${id}`) loadActivity();
    if (e.subject === `rollout/${id}` || (e.type === 'device.target_state_changed' && r && isActive(r))) load();
  });
  ctx.every(5000, () => { if (r && isActive(r) && !document.hidden) load(); });
  ctx.every(1000, tick);
  load();
  loadActivity();

  async function loadActivity() {
    try {
      const res = await get(`/events${qs({ subject: `rollout/${id}`, limit: 100 })}`);
      clear(activity, h('h2', { id: 'activity-title' }, 'Activity'), activityList(res.items));
    } catch (err) {
      clear(activity, h('h2', { id: 'activity-title' }, 'Activity'), errorBox(err));
    }
  }
}

// costOf renders a rollout's estimated and actual cost; amounts keep
// sub-cent precision, as the API rounds them to 1/10,000.
function costOf(c) {
  if (!c.currency) return h('span', { class: 'muted', testid: 'rollout-cost' }, 'no cost rules');
  const money = (n) => `${(n || 0).toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 4 })} ${c.currency}`;
  return h('span', { testid: 'rollout-cost' },
    h('span', { testid: 'cost-estimated' }, `${money(c.estimated_cost)} estimated`), ', ',
    h('span', { testid: 'cost-actual' }, `${money(c.actual_cost)} actual (${bytes(c.actual_bytes)})`),
    c.unpriced_devices > 0 && h('span', { class: 'muted' }, `; ${c.unpriced_devices} device(s) under no cost rule`));
}

function deviceRow(d) {
  const name = d.device_name;
  return h('tr', { testid: 'device-row', 'data-device': d.device_uuid, 'data-status': d.status, 'data-key': `${d.device_uuid}/${d.app}` },
    h('td', {}, h('a', { href: `#/devices/${encodeURIComponent(d.device_uuid)}`, class: name ? null : 'mono', testid: 'device-name' }, name || d.device_uuid),
      name && h('div', { class: 'mono small muted' }, d.device_uuid)),
    h('td', {}, d.app),
    h('td', { class: 'num' }, d.batch ? String(d.batch) : h('span', { class: 'muted' }, '—')),
    h('td', {}, badge(d.status, statusLabel(d.status)),
      d.outcome && d.outcome !== d.status && h('div', { class: 'small', testid: 'device-outcome' }, `judged ${statusLabel(d.outcome)}`)),
    h('td', { class: 'mono small' }, shortImage(d.previous_image), h('span', { class: 'arrow', 'aria-label': 'to' }, '→'), shortImage(d.target_image)),
    h('td', { class: 'small', testid: 'device-message' }, d.message || '',
      typeof d.exit_code === 'number' && h('span', { class: 'exit mono', testid: 'exit-code' }, ` exit code ${d.exit_code}`),
      d.error && d.error !== d.message && h('div', { class: 'muted', testid: 'device-reason' }, d.error)),
    h('td', {}, ago(d.judged_at || d.updated_at)));
}

// failureGroups groups failed devices by what they reported, largest group first.
function failureGroups(devs) {
  const groups = new Map();
  for (const d of devs) {
    const k = JSON.stringify([d.outcome, d.message, d.exit_code ?? null, d.message ? '' : d.error]);
    if (!groups.has(k)) groups.set(k, { outcome: d.outcome, message: d.message, exit_code: d.exit_code, error: d.error, devices: [] });
    groups.get(k).devices.push(d);
  }
  return [...groups.values()].sort((a, b) => b.devices.length - a.devices.length);
}

// activityList shows who did what to the rollout, newest first, from its events.
function activityList(events) {
  if (!events.length) return h('p', { class: 'muted' }, 'Nothing recorded yet.');
  return h('ol', { class: 'activity', testid: 'activity' }, [...events].sort((a, b) => b.id - a.id).map((e) => {
    const p = e.payload || {};
    return h('li', { testid: 'activity-item', 'data-type': e.type },
      h('span', { class: 'mono small' }, e.type.replace(/^image\.rollout_/, 'rollout ')),
      p.batch && ` batch ${p.batch}`,
      h('span', { class: 'muted' }, ' by '), h('strong', { testid: 'activity-actor' }, e.actor || 'airlock'), ' ', ago(e.created_at),
      p.reason && h('div', { class: 'small' }, p.reason));
  }));
}
