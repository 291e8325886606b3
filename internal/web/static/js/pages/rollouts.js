// Rollouts, newest first, with their progress; and starting one by hand.

import { get, post, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, field, showError, clearErrors, debounce, pager, shortImage, keepFocus, sortable, sortBy } from '../dom.js';
import { bar, percent, isActive, statusLabel } from '../progress.js';
import { urlState } from '../query.js';

const limit = 50;
const statuses = ['planning', 'pending', 'in_progress', 'paused', 'waiting_for_window', 'completed', 'completed_with_failures', 'failed',
  'rolled_back', 'cancelled', 'superseded'];
// The rollouts that need someone to look at them, as views of the status filter.
const attention = [['failed', 'Failed'], ['completed_with_failures', 'Completed with failures'], ['rolled_back', 'Rolled back'], ['paused', 'Paused']];

// The API sorts by creation (?sort=); the other columns sort the page loaded.
const apiSort = { id: 'created', '-id': '-created', created: 'created', '-created': '-created' };
const sortValue = (r, key) => ({ id: r.id, image: r.image, status: r.status, progress: percent(r), created: r.created_at }[key]);

export function rolloutsPage(main, ctx) {
  const write = ctx.can('approver');
  const url = urlState(ctx, { q: '', status: '', sort: '', page: 1 }, () => {
    show();
    load();
  });
  const state = url.state;
  let active = false;
  const status = h('select', { id: 'rollout-status', testid: 'rollout-status-filter' }, h('option', { value: '' }, 'Any status'),
    statuses.map((s) => h('option', { value: s }, statusLabel(s))));
  const search = h('input', { type: 'search', id: 'rollout-search', testid: 'rollout-search', placeholder: 'redis:7.4, #12…' });
  const newButton = write && h('button', { type: 'button', class: 'primary', testid: 'new-rollout', 'data-write': '',
    'aria-expanded': 'false', 'aria-controls': 'new-rollout-form' }, 'New rollout');
  const form = write && newForm();
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Rollouts'),
    h('p', { class: 'lead' }, 'Each approved push that a policy matches rolls out to the devices running that image, batch by batch, judged by their reports.'),
    h('div', { class: 'toolbar', role: 'search' }, h('label', { for: 'rollout-search' }, 'Search', search),
      h('label', { for: 'rollout-status' }, 'Status', status), h('span', { class: 'spacer' }), newButton),
    h('p', { class: 'views', testid: 'attention' }, h('span', { class: 'muted' }, 'Needs attention: '),
      attention.map(([s, text]) => h('a', { href: `#/rollouts?status=${s}`, testid: `view-${s}` }, text))),
    form, body);

  async function load() {
    try {
      const res = await get(`/rollouts${qs({ q: state.q, status: state.status, sort: apiSort[state.sort], limit, offset: (state.page - 1) * limit })}`);
      const rows = (apiSort[state.sort] ? res.items : sortBy(res.items, state.sort, sortValue)).map((r) => h('tr', { testid: 'rollout-row', 'data-id': r.id, 'data-key': r.id },
        h('td', {}, h('a', { href: `#/rollouts/${r.id}`, testid: 'rollout-link' }, `#${r.id}`)),
        h('td', { class: 'mono' }, shortImage(r.image)),
        h('td', {}, r.update_strategy),
        h('td', {}, badge(r.status, statusLabel(r.status))),
        h('td', {}, bar(r, true), ` ${percent(r)}%`, h('div', { class: 'small muted' }, `${r.total_devices} device${r.total_devices === 1 ? '' : 's'}`)),
        h('td', {}, r.total_batches ? `${r.current_batch} of ${r.total_batches}` : '—'),
        h('td', { class: 'small' }, r.trigger),
        h('td', {}, ago(r.created_at))));
      active = res.items.some(isActive);
      const sort = (text, key) => sortable(text, key, state.sort, (v) => { url.set({ sort: v, page: 1 }); load(); });
      const headers = [sort('Rollout', 'id'), sort('Image', 'image'), 'Strategy', sort('Status', 'status'), sort('Progress', 'progress'), 'Batch', 'Trigger',
        sort('Created', 'created')];
      keepFocus(body, () => clear(body, table('Rollouts', headers, rows,
        state.status || state.q ? 'No rollout matches.' : 'No rollouts yet. An approved push that a policy matches starts one; so does New rollout.',
        { testid: 'rollouts' }),
      pager((state.page - 1) * limit, limit, res.total, (o) => { url.set({ page: o / limit + 1 }); load(); })));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  function newForm() {
    const f = h('form', { class: 'card grid', id: 'new-rollout-form', hidden: true, 'aria-label': 'New rollout', testid: 'new-rollout-form' },
      field({ label: 'Image', name: 'image', required: true, placeholder: 'redis:7.4-alpine', hint: 'With the tag to roll out.' }),
      field({ label: 'Strategy', name: 'update_strategy', value: 'staged',
        options: [['staged', 'Staged'], ['canary', 'Canary'], ['immediate', 'Immediate'], ['manual', 'Manual (start later)']] }),
      field({ label: 'Batch size', name: 'batch_size', type: 'number', min: 1, value: '10' }),
      field({ label: 'Canary size', name: 'canary_size', type: 'number', min: 0, hint: 'For the canary strategy.' }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'primary', 'data-write': '', testid: 'new-rollout-submit' }, 'Start rollout'),
        h('button', { type: 'button', onclick: () => toggle(false) }, 'Cancel')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      const input = { image: f.elements.image.value.trim(), update_strategy: f.elements.update_strategy.value };
      for (const n of ['batch_size', 'canary_size']) if (f.elements[n].value !== '') input[n] = Number(f.elements[n].value);
      try {
        const r = await post('/rollouts', input);
        location.hash = `#/rollouts/${r.id}`;
      } catch (err) {
        showError(f, err);
      }
    });
    return f;
  }

  function toggle(open) {
    form.hidden = !open;
    newButton.setAttribute('aria-expanded', String(open));
    if (open) form.querySelector('input').focus();
    else newButton.focus();
  }

  if (newButton) newButton.addEventListener('click', () => toggle(form.hidden));
  // show puts the state (from the URL) into the filter controls.
  function show() {
    search.value = state.q;
    status.value = state.status;
  }

  status.addEventListener('change', () => { url.set({ status: status.value, page: 1 }); load(); });
  const reload = debounce(load, 300);
  search.addEventListener('input', () => { url.replace({ q: search.value.trim(), page: 1 }); reload(); });
  show();
  ctx.on((e) => { if (e.type.startsWith('image.rollout_')) reload(); });
  // Device verdicts within a batch make no event: look again while one runs.
  ctx.every(5000, () => { if (active && !document.hidden) load(); });
  load();
}
