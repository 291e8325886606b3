// The approval queue: images pushed that are not in the registry wait here
// for an approver to let them through or turn them away.

import { get, post, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, toast, ask, fullName, debounce, keepFocus, pager, sortable, sortBy, settleFocus } from '../dom.js';
import { urlState } from '../query.js';

const limit = 50;

// The API lists requests newest first and does not sort; until it takes
// ?sort=, a column sorts the page loaded.
const sortValue = (r, key) => ({ image: fullName(r), pushes: r.request_count, first_seen: r.first_seen_at, last_seen: r.last_seen_at }[key]);

export function approvalsPage(main, ctx) {
  const write = ctx.can('approver');
  const url = urlState(ctx, { status: 'pending', sort: '', page: 1 }, () => {
    status.value = url.state.status;
    state.selected.clear();
    load();
  });
  const state = { items: [], total: 0, selected: new Set() };
  const status = h('select', { id: 'approval-status', testid: 'approval-status', value: url.state.status },
    h('option', { value: 'pending' }, 'Pending'), h('option', { value: 'approved' }, 'Approved'),
    h('option', { value: 'rejected' }, 'Rejected'), h('option', { value: 'expired' }, 'Expired'), h('option', { value: '' }, 'All'));
  const approveSel = h('button', { type: 'button', class: 'primary', testid: 'approve-selected', 'data-write': '' }, 'Approve selected');
  const rejectSel = h('button', { type: 'button', class: 'danger', testid: 'reject-selected', 'data-write': '' }, 'Reject selected');
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Approval queue'),
    h('p', { class: 'lead' }, 'Pushes of images that are not in the approved registry were refused and wait here. ' +
      'Approving one adds the image to the registry, so its next push passes the gate.'),
    h('div', { class: 'toolbar' },
      h('label', { for: 'approval-status' }, 'Show', status),
      h('span', { class: 'spacer' }),
      write && [approveSel, rejectSel]),
    body);

  async function load() {
    try {
      const { status: st, page } = url.state;
      const res = await get(`/approval-requests${qs({ status: st, limit, offset: (page - 1) * limit })}`);
      if (!res.items.length && page > 1 && res.total > 0) {
        url.replace({ page: Math.ceil(res.total / limit) });
        return load();
      }
      state.items = res.items;
      state.total = res.total;
      const ids = new Set(res.items.map((r) => r.id));
      state.selected.forEach((id) => ids.has(id) || state.selected.delete(id));
      render();
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  function render() {
    const pending = url.state.status === 'pending';
    const sort = (text, key, num) => sortable(text, key, url.state.sort, (v) => { url.set({ sort: v }); render(); }, num);
    const selectable = write && pending;
    approveSel.hidden = rejectSel.hidden = !selectable;
    approveSel.disabled = rejectSel.disabled = state.selected.size === 0;
    approveSel.textContent = `Approve selected${state.selected.size ? ` (${state.selected.size})` : ''}`;
    rejectSel.textContent = `Reject selected${state.selected.size ? ` (${state.selected.size})` : ''}`;
    const all = selectable && h('input', { type: 'checkbox', 'aria-label': 'Select all', testid: 'select-all',
      checked: state.items.length > 0 && state.selected.size === state.items.length,
      onchange: (e) => {
        state.items.forEach((r) => (e.target.checked ? state.selected.add(r.id) : state.selected.delete(r.id)));
        render();
      } });
    const headers = [selectable ? h('th', { scope: 'col', class: 'select', 'data-label': '' }, all) : null, sort('Image', 'image'), 'Tags seen',
      sort('Pushes', 'pushes', true), sort('First seen', 'first_seen'), sort('Last seen', 'last_seen'),
      pending ? null : 'Decision', write && pending ? h('th', { scope: 'col', 'data-label': '' }, h('span', { class: 'muted' }, 'Actions')) : null].filter(Boolean);
    const empty = pending ? 'Nothing waits for approval. Pushes of images not in the registry appear here.' : 'No requests.';
    const caption = `${state.total} ${pending ? 'pending ' : ''}request${state.total === 1 ? '' : 's'}`;
    const rows = sortBy(state.items, url.state.sort, sortValue).map((r) => row(r, selectable, pending));
    keepFocus(body, () => clear(body, table('Approval requests', headers, rows, empty, { testid: 'approvals', caption }),
      pager((url.state.page - 1) * limit, limit, state.total, (o) => { url.set({ page: o / limit + 1 }); load(); })));
  }

  function row(r, selectable, pending) {
    const name = fullName(r);
    return h('tr', { testid: 'approval-row', 'data-id': r.id, 'data-key': r.id, 'data-image': name },
      selectable && h('td', { class: 'select', 'data-label': '' }, h('input', { type: 'checkbox', testid: 'select-row', 'aria-label': `Select ${name}`, checked: state.selected.has(r.id),
        onchange: (e) => {
          if (e.target.checked) state.selected.add(r.id);
          else state.selected.delete(r.id);
          render();
        } })),
      h('td', { class: 'key' }, h('strong', {}, name),
        r.digest && h('div', { class: 'small mono' }, r.digest.slice(0, 19)),
        (r.pusher || r.required > 1) && h('div', { class: 'small muted', testid: 'approval-progress' },
          [r.pusher && `pushed by ${r.pusher}`, r.required > 1 && `${r.approvals} of ${r.required} approvals`].filter(Boolean).join(' · ')),
        r.required > 1 && h('progress', { max: r.required, value: Math.min(r.approvals, r.required), testid: 'approval-meter',
          'aria-label': `${r.approvals} of ${r.required} approvals` }),
        checkList(r.checks),
        r.rule && h('div', { class: 'small muted' }, `rule ${r.rule}`, r.expires_at && [', expires ', ago(r.expires_at)]),
        r.decisions && r.decisions.length > 0 && h('ul', { class: 'decisions small', testid: 'decisions' }, r.decisions.map((d) =>
          h('li', { testid: 'decision' }, h('strong', {}, d.by), d.role && ` (${d.role})`, ` ${d.verdict === 'approve' ? 'approved' : 'rejected'}`,
            d.deploy && ' and asked to deploy', ' ', ago(d.at), d.reason && `: ${d.reason}`)))),
      h('td', { class: 'mono' }, (r.tags_seen && r.tags_seen.length ? r.tags_seen : [r.tag]).join(', ')),
      h('td', { class: 'num' }, String(r.request_count)),
      h('td', {}, ago(r.first_seen_at)),
      h('td', {}, ago(r.last_seen_at)),
      !pending && h('td', {}, badge(r.status), r.decided_by && h('span', { class: 'small muted' }, ` by ${r.decided_by}`),
        r.reason && h('div', { class: 'small' }, r.reason)),
      write && pending && h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', testid: 'approve', 'data-write': '', 'aria-label': `Approve ${name}`,
          onclick: () => decide([r.id], 'approve', name) }, 'Approve'),
        h('button', { type: 'button', testid: 'approve-deploy', 'data-write': '', 'aria-label': `Approve and deploy ${name}`,
          onclick: () => decide([r.id], 'approve', name, true) }, 'Approve & deploy'),
        h('button', { type: 'button', class: 'danger', testid: 'reject', 'data-write': '', 'aria-label': `Reject ${name}`,
          onclick: () => decide([r.id], 'reject', name) }, 'Reject…')));
  }

  async function decide(ids, action, name, deploy) {
    let reason = '';
    if (action === 'reject') {
      reason = await ask({ title: name ? `Reject ${name}?` : `Reject ${ids.length} requests?`,
        text: 'Its pushes stay refused. The reason is kept with the decision.', reason: 'Reason (optional)',
        confirm: 'Reject', danger: true });
      if (reason === null) return;
    }
    try {
      if (ids.length === 1) {
        const res = await post(`/approval-requests/${ids[0]}/${action}`, action === 'reject' && reason ? { reason } : deploy ? { deploy: true } : undefined);
        toast(res && res.status === 'pending' ? `Approval of ${name || 'request'} recorded: ${res.approvals} of ${res.required}.`
          : `${action === 'approve' ? 'Approved' : 'Rejected'} ${name || 'request'}${deploy ? '; it will be deployed' : ''}.`);
      } else {
        const res = await post('/approval-requests/bulk', { ids, action, reason: reason || undefined });
        const failed = res.results.filter((x) => x.error);
        toast(`${action === 'approve' ? 'Approved' : 'Rejected'} ${res.results.length - failed.length} of ${ids.length}.` +
          (failed.length ? ` ${failed.length} failed: ${failed[0].error.message}` : ''), failed.length > 0);
      }
      ids.forEach((id) => state.selected.delete(id));
    } catch (err) {
      toast(err.message, true);
    }
    await load();
    // A bulk action disables its button as the selection empties: focus the list instead.
    settleFocus(body.querySelector('table'), body);
  }

  approveSel.addEventListener('click', () => decide([...state.selected], 'approve', state.selected.size === 1 ? nameOf([...state.selected][0]) : ''));
  rejectSel.addEventListener('click', () => decide([...state.selected], 'reject', state.selected.size === 1 ? nameOf([...state.selected][0]) : ''));
  status.addEventListener('change', () => {
    url.set({ status: status.value, page: 1 });
    state.selected.clear();
    load();
  });
  const reload = debounce(load, 300);
  ctx.on((e) => {
    if (e.type.startsWith('image.approval_') || e.type === 'image.webhook_rejected') reload();
  });

  function nameOf(id) {
    const r = state.items.find((x) => x.id === id);
    return r ? fullName(r) : '';
  }

  load();
}

// checkList renders the CI checks reported for a request's digest: name,
// status and, for an http(s) URL only, a link to the run.
function checkList(checks) {
  const names = Object.keys(checks || {}).sort();
  if (!names.length) return null;
  const cls = { success: 'succeeded', failure: 'failed', pending: 'pending' };
  return h('ul', { class: 'plain small', testid: 'checks', 'aria-label': 'Checks' }, names.map((n) => {
    const c = checks[n];
    const link = /^https?:\/\//i.test(c.url || '') && h('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer' }, 'details');
    return h('li', { testid: 'check', 'data-name': n, 'data-status': c.status, title: c.summary || '' },
      badge(cls[c.status] || c.status, c.status), ' ', h('span', { class: 'mono' }, n), link && [' ', link]);
  }));
}
