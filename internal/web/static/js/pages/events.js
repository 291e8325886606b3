// The audit trail: every change, newest first, with new ones arriving live.

import { get, qs } from '../api.js';
import { h, clear, ago, table, errorBox, loading, debounce, labelCells } from '../dom.js';
import { urlState } from '../query.js';

const limit = 50;

export function eventsPage(main, ctx) {
  const url = urlState(ctx, { type: '', subject: '' }, () => {
    show();
    load();
  });
  const type = h('input', { id: 'event-type', type: 'search', placeholder: 'image.rollout_*', testid: 'event-type' });
  const subject = h('input', { id: 'event-subject', type: 'search', placeholder: 'rollout/3', testid: 'event-subject' });
  const live = h('input', { id: 'event-live', type: 'checkbox', checked: true, testid: 'event-live' });
  const body = h('div', {}, loading());
  const more = h('button', { type: 'button', testid: 'older-events', hidden: true }, 'Show older events');
  let tbody = null;
  let labels = [];
  let oldest = 0;
  clear(main,
    h('h1', {}, 'Events'),
    h('p', { class: 'lead' }, 'Every change is an event, written with the change itself. A filter ending in * matches a prefix.'),
    h('div', { class: 'toolbar', role: 'search' },
      h('label', { for: 'event-type' }, 'Type', type),
      h('label', { for: 'event-subject' }, 'Subject', subject),
      h('span', { class: 'field check' }, live, h('label', { for: 'event-live' }, 'Show new events as they happen'))),
    body, more);

  const filters = () => ({ type: url.state.type, subject: url.state.subject });
  const add = (e, first) => tbody[first ? 'prepend' : 'append'](labelCells(row(e), labels));

  // show puts the state (from the URL) into the filter controls.
  function show() {
    type.value = url.state.type;
    subject.value = url.state.subject;
  }

  async function load(before) {
    try {
      const res = await get(`/events${qs({ ...filters(), limit, before })}`);
      if (!before) {
        const t = table('Events', ['#ID', 'When', 'Type', 'Subject', 'Actor', 'Details'], [], 'No events match.', { testid: 'events' });
        tbody = t.querySelector('tbody');
        labels = t.querySelector('table').labels;
        clear(body, t);
      }
      // The API lists a page oldest first; the feed shows the newest on top.
      const items = [...res.items].sort((a, b) => b.id - a.id);
      if (items.length) tbody.querySelector('[data-testid=empty]')?.closest('tr').remove();
      items.forEach((e) => add(e, false));
      oldest = items.length ? items[items.length - 1].id : oldest;
      more.hidden = res.items.length < limit;
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  const matches = (pattern, value) => !pattern || (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern);

  ctx.on((e) => {
    if (!live.checked || !tbody) return;
    const f = filters();
    if (!matches(f.type, e.type) || !matches(f.subject, e.subject)) return;
    tbody.querySelector('[data-testid=empty]')?.closest('tr').remove();
    add(e, true);
  });
  const reload = debounce(() => load(), 300);
  const typed = () => {
    url.replace({ type: type.value.trim(), subject: subject.value.trim() });
    reload();
  };
  type.addEventListener('input', typed);
  subject.addEventListener('input', typed);
  more.addEventListener('click', () => load(oldest));
  show();
  load();
}

function row(e) {
  return h('tr', { testid: 'event-row', 'data-type': e.type },
    h('td', { class: 'num' }, String(e.id)),
    h('td', {}, ago(e.created_at)),
    h('td', { class: 'mono' }, e.type),
    h('td', { class: 'mono small' }, subjectLink(e.subject)),
    h('td', { class: 'small' }, e.actor),
    h('td', {}, e.payload && Object.keys(e.payload).length
      ? h('details', {}, h('summary', {}, summary(e)), h('pre', {}, JSON.stringify(e.payload, null, 2)))
      : ''));
}

// subjectLink links a subject to its page where the UI has one.
function subjectLink(subject) {
  const m = /^(rollout|policy|image|device)\/([^/]+)$/.exec(subject || '');
  if (!m) return subject || '';
  const page = { rollout: 'rollouts', policy: 'policies', image: 'images', device: 'devices' }[m[1]];
  if (m[1] === 'image' && !/^\d+$/.test(m[2])) return subject;
  return h('a', { href: `#/${page}/${m[2]}` }, subject);
}

function summary(e) {
  const p = e.payload;
  const bits = [p.image && `${p.image}${p.tag ? `:${p.tag}` : ''}`, p.batch && `batch ${p.batch}`, p.reason, p.status].filter(Boolean);
  return bits.length ? bits.join(' · ').slice(0, 120) : 'payload';
}
