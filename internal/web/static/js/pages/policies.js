// Update policies: which pushes become rollouts, and how they roll out.

import { get } from '../api.js';
import { h, clear, badge, table, errorBox, loading, debounce, pager } from '../dom.js';

const limit = 100;

export function policiesPage(main, ctx) {
  const body = h('div', {}, loading());
  let offset = 0;
  clear(main,
    h('div', { class: 'heading' }, h('h1', {}, 'Update policies'), h('span', { class: 'spacer' }),
      ctx.can('approver') && h('a', { href: '#/policies/new', class: 'button primary', testid: 'new-policy', 'data-write': '' }, 'New policy')),
    h('p', { class: 'lead' }, 'A push of an approved image becomes a rollout when an enabled policy matches it; the most specific pattern wins.'),
    body);

  async function load() {
    try {
      const res = await get(`/policies?limit=${limit}&offset=${offset}`);
      const rows = res.items.map((p) => h('tr', { testid: 'policy-row', 'data-pattern': p.image_pattern },
        h('td', {}, h('a', { href: `#/policies/${p.id}`, class: 'mono' }, p.image_pattern),
          p.description && h('div', { class: 'small muted' }, p.description)),
        h('td', { class: 'mono' }, p.tag_constraint || h('span', { class: 'muted' }, 'any')),
        h('td', {}, p.update_strategy),
        h('td', {}, batches(p)),
        h('td', { class: 'num' }, delay(p.batch_delay_seconds)),
        h('td', { class: 'num' }, `${p.health_check_timeout_seconds}s`),
        h('td', { class: 'num' }, `${p.failure_threshold_percent}%`),
        h('td', {}, p.auto_rollback ? 'yes' : 'no'),
        h('td', {}, p.enabled ? badge('enabled') : badge('disabled'))));
      clear(body,
        table('Policies', ['Image pattern', 'Tags', 'Strategy', 'Batches', '#Delay', '#Health timeout', '#Failure threshold', 'Auto rollback', 'State'],
          rows, 'No policies yet: approved pushes create no rollouts until a policy matches them.', { testid: 'policies' }),
        pager(offset, limit, res.total, (o) => { offset = o; load(); }));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  const reload = debounce(load, 300);
  ctx.on((e) => { if (e.type.startsWith('image.policy_')) reload(); });
  load();
}

export function batches(p) {
  const size = p.batch_percent ? `${p.batch_percent}% per batch` : `${p.batch_size} per batch`;
  return p.update_strategy === 'canary' ? `canary ${p.canary_size}, then ${size}` : p.update_strategy === 'immediate' ? 'all at once' : size;
}

export function delay(s) {
  if (!s) return 'none';
  return s % 60 === 0 ? `${s / 60} min` : `${s}s`;
}
