// Create or edit one update policy. The API validates; its message for a
// field is shown next to that field.

import { get, post, put, del } from '../api.js';
import { h, clear, errorBox, loading, field, showError, clearErrors, toast, ask } from '../dom.js';

const strategies = [['staged', 'Staged: batches one after another'], ['canary', 'Canary: a small first batch, then staged'],
  ['immediate', 'Immediate: every device at once'], ['manual', 'Manual: waits for someone to start it']];

export function policyPage(main, ctx) {
  const isNew = ctx.params[0] === 'new';
  const write = ctx.can('approver');
  const body = h('div', {}, loading());
  clear(main, h('p', { class: 'crumbs' }, h('a', { href: '#/policies' }, '← Policies')), body);

  async function load() {
    if (isNew && !write) {
      clear(body, h('h1', {}, 'New policy'), errorBox({ message: 'Your role may read policies but not create them; an approver or admin can.' }));
      return;
    }
    let p = { enabled: true, auto_rollback: true, update_strategy: 'staged', device_filter: {} };
    if (!isNew) {
      try {
        p = await get(`/policies/${ctx.params[0]}`);
      } catch (err) {
        clear(body, h('h1', {}, 'Policy'), errorBox(err));
        return;
      }
    }
    clear(body,
      h('div', { class: 'heading' }, h('h1', {}, isNew ? 'New policy' : `Policy ${p.image_pattern}`), h('span', { class: 'spacer' }),
        write && !isNew && h('button', { type: 'button', class: 'danger', testid: 'delete-policy', 'data-write': '', onclick: () => remove(p) }, 'Delete policy')),
      form(p));
    if (isNew) body.querySelector('[name=image_pattern]').focus();
  }

  function form(p) {
    const filter = p.device_filter || {};
    const labels = Object.entries(filter.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ');
    const num = (label, name, hint, min) => field({ label, name, type: 'number', min, value: p[name] || '', hint });
    const f = h('form', { class: 'card grid', testid: 'policy-form', 'aria-label': 'Policy', novalidate: true },
      h('fieldset', { class: 'wide', disabled: !write },
        h('legend', {}, 'What it matches'),
        h('div', { class: 'grid-inner' },
          field({ label: 'Image pattern', name: 'image_pattern', value: p.image_pattern, required: true,
            placeholder: 'redis:*', hint: 'An image with a tag glob: redis:*, docker.io/acme/*:stable, ghcr.io/acme/app:1.*' }),
          field({ label: 'Tag constraint', name: 'tag_constraint', value: p.tag_constraint, placeholder: '>=7.0, <8',
            hint: 'Optional semver range the tag must satisfy.' }),
          field({ label: 'Device labels', name: 'device_filter', value: labels, placeholder: 'site=berlin, tier=edge',
            hint: 'Optional: only devices carrying every key=value.' }),
          field({ label: 'Device uuids', name: 'device_filter.uuids', value: (filter.uuids || []).join(', '),
            hint: 'Optional: only these devices (comma separated).' }),
          field({ label: 'Enabled', name: 'enabled', type: 'checkbox', value: p.enabled }))),
      h('fieldset', { class: 'wide', disabled: !write },
        h('legend', {}, 'How it rolls out'),
        h('div', { class: 'grid-inner' },
          field({ label: 'Strategy', name: 'update_strategy', value: p.update_strategy, options: strategies }),
          num('Batch size', 'batch_size', 'Devices per batch (or give a percent).', 1),
          num('Batch percent', 'batch_percent', 'Percent of the devices per batch.', 1),
          num('Canary size', 'canary_size', 'Devices in the first batch (canary).', 0),
          num('Delay between batches (s)', 'batch_delay_seconds', 'Seconds to wait after a batch succeeds.', 0))),
      h('fieldset', { class: 'wide', disabled: !write },
        h('legend', {}, 'Health and failure'),
        h('div', { class: 'grid-inner' },
          num('Health check timeout (s)', 'health_check_timeout_seconds', 'A device not running the image healthy by then has timed out.', 1),
          num('Failure threshold (%)', 'failure_threshold_percent', 'Failed and timed-out devices that stop the rollout.', 1),
          num('Minimum devices judged', 'min_devices_for_threshold', 'The threshold applies once this many are judged.', 1),
          field({ label: 'Roll back automatically', name: 'auto_rollback', type: 'checkbox', value: p.auto_rollback }))),
      field({ label: 'Description', name: 'description', type: 'textarea', value: p.description, wide: true }),
      write && h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'primary', testid: 'save-policy', 'data-write': '' }, isNew ? 'Create policy' : 'Save'),
        h('a', { href: '#/policies' }, 'Cancel')));
    if (!write) f.querySelector('[name=description]').disabled = true;
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      save(f, p);
    });
    return f;
  }

  async function save(f, p) {
    clearErrors(f);
    let input;
    try {
      input = readForm(f, isNew);
    } catch (err) {
      showError(f, err);
      return;
    }
    try {
      const saved = isNew ? await post('/policies', input) : await put(`/policies/${p.id}`, input);
      toast(isNew ? `Policy ${saved.image_pattern} created.` : 'Policy saved.');
      location.hash = '#/policies';
    } catch (err) {
      showError(f, err);
    }
  }

  async function remove(p) {
    if (await ask({ title: `Delete policy ${p.image_pattern}?`, text: 'Pushes it matched will no longer create rollouts (unless another policy matches).',
      confirm: 'Delete', danger: true }) === null) return;
    try {
      await del(`/policies/${p.id}`);
      toast('Policy deleted.');
      location.hash = '#/policies';
    } catch (err) {
      toast(err.message, true);
    }
  }

  load();
}

// readForm turns the form into a PolicyInput. Empty numbers are left out so
// the API applies its defaults; an edit sends what the form shows.
function readForm(f, isNew) {
  const v = (n) => f.elements[n].value.trim();
  const input = {
    image_pattern: v('image_pattern'),
    tag_constraint: v('tag_constraint'),
    update_strategy: v('update_strategy'),
    enabled: f.elements.enabled.checked,
    auto_rollback: f.elements.auto_rollback.checked,
    description: v('description'),
    device_filter: { labels: parseLabels(v('device_filter')), uuids: v('device_filter.uuids').split(/[\s,]+/).filter(Boolean) },
  };
  for (const n of ['batch_size', 'batch_percent', 'canary_size', 'batch_delay_seconds', 'health_check_timeout_seconds',
    'failure_threshold_percent', 'min_devices_for_threshold']) {
    const raw = v(n);
    if (raw === '') {
      if (!isNew && (n === 'canary_size' || n === 'batch_delay_seconds')) input[n] = 0;
      continue;
    }
    const x = Number(raw);
    if (!Number.isInteger(x)) throw Object.assign(new Error('must be a whole number'), { field: n });
    input[n] = x;
  }
  return input;
}

function parseLabels(s) {
  const out = {};
  for (const pair of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = pair.indexOf('=');
    if (i <= 0) throw Object.assign(new Error(`want key=value pairs separated by commas, got "${pair}"`), { field: 'device_filter' });
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}
