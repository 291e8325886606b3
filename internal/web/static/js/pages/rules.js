// Supply-chain rules: each judges the releases whose image matches its
// pattern (signatures, scan findings, tags, registries, age, labels,
// approvals, checks, a test ring). Admins create, edit and delete them.

import { get, post, put, del } from '../api.js';
import { h, clear, badge, table, errorBox, loading, toast, ask, field, showError, clearErrors, keepFocus, focusOn } from '../dom.js';

// A starting point for each kind's own settings, shown when the kind is chosen.
const templates = {
  signature: { identities: [{ issuer: 'https://token.actions.githubusercontent.com', subject_regexp: '^https://github.com/acme/' }], threshold: 1 },
  vulnerabilities: { max_severity: 'high', require_report: true },
  tag: { deny: ['latest'], require_semver: true },
  registries: { allow: ['ghcr.io/acme'] },
  age: { min_age: '72h' },
  labels: { require: [{ key: 'org.opencontainers.image.source' }] },
  approvals: { required: 2, separate_duties: true },
  checks: { required: ['ci/tests'] },
  test_ring: { selector: { ring: 'test' }, auto_approve: false },
};
const kinds = Object.keys(templates);
const common = ['id', 'name', 'image_pattern', 'kind', 'mode'];

// settingsOf is a rule's own settings: every field but the common ones.
function settingsOf(rule) {
  return Object.fromEntries(Object.entries(rule).filter(([k]) => !common.includes(k)));
}

export function rulesPage(main, ctx) {
  const write = ctx.can('admin');
  let editing = null; // the rule the form edits, or null for a new one
  const newButton = write && h('button', { type: 'button', class: 'primary', testid: 'new-rule', 'data-write': '',
    'aria-expanded': 'false', 'aria-controls': 'rule-form', onclick: () => openForm(null) }, 'New rule');
  const form = write && ruleForm();
  const body = h('div', {}, loading());
  clear(main,
    h('div', { class: 'heading' }, h('h1', {}, 'Rules'), h('span', { class: 'spacer' }), newButton),
    h('p', { class: 'lead' }, 'Rules judge each release of the images their pattern matches. An enforce rule that fails refuses the release; ' +
      'one that waits for evidence (a signature, a scan report, approvals) holds it. A warn rule only reports.'),
    form, body);

  async function load() {
    try {
      const res = await get('/rules');
      const rows = res.items.map((r) => h('tr', { testid: 'rule-row', 'data-id': r.id, 'data-key': r.id },
        h('td', { class: 'key' }, h('strong', { testid: 'rule-name' }, r.name)),
        h('td', { class: 'mono' }, r.image_pattern),
        h('td', {}, r.kind),
        h('td', {}, badge(r.mode === 'enforce' ? 'enabled' : 'pending', r.mode)),
        h('td', { class: 'mono small', testid: 'rule-settings' }, JSON.stringify(settingsOf(r))),
        write && h('td', { class: 'actions' },
          h('button', { type: 'button', testid: 'edit-rule', 'data-write': '', 'aria-label': `Edit ${r.name}`, onclick: () => openForm(r) }, 'Edit'),
          h('button', { type: 'button', class: 'danger', testid: 'delete-rule', 'data-write': '', 'aria-label': `Delete ${r.name}`, onclick: () => remove(r) }, 'Delete…'))));
      keepFocus(body, () => clear(body, table('Rules', ['Name', 'Image pattern', 'Kind', 'Mode', 'Settings', write && 'Actions'].filter(Boolean), rows,
        'No rules: every approved push is judged by its policy alone.', { testid: 'rules' })), () => newButton);
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  function ruleForm() {
    const f = h('form', { class: 'card grid', id: 'rule-form', hidden: true, 'aria-label': 'Rule', testid: 'rule-form' },
      h('h2', { class: 'wide', testid: 'rule-form-title' }, 'New rule'),
      field({ label: 'Name', name: 'name', required: true, placeholder: 'signed-by-ci' }),
      field({ label: 'Image pattern', name: 'image_pattern', required: true, placeholder: 'ghcr.io/acme/*:*', hint: 'Which images the rule judges, as policies match them.' }),
      field({ label: 'Kind', name: 'kind', options: kinds.map((k) => [k, k.replace('_', ' ')]) }),
      field({ label: 'Mode', name: 'mode', options: [['enforce', 'Enforce: refuse or hold'], ['warn', 'Warn: report only']] }),
      field({ label: 'Settings (JSON)', name: 'settings', type: 'textarea', wide: true, hint: 'The fields of the chosen kind.' }),
      h('div', { class: 'form-actions wide' },
        h('button', { type: 'submit', class: 'primary', 'data-write': '', testid: 'rule-submit' }, 'Save rule'),
        h('button', { type: 'button', testid: 'rule-cancel', onclick: () => closeForm() }, 'Cancel')));
    const settings = f.elements.settings;
    settings.classList.add('mono');
    settings.rows = 6;
    // A new kind brings its template, unless the settings were typed by hand.
    f.elements.kind.addEventListener('change', () => {
      const typed = settings.value.trim() && !Object.values(templates).some((t) => JSON.stringify(t, null, 2) === settings.value);
      if (!typed) settings.value = JSON.stringify(templates[f.elements.kind.value], null, 2);
    });
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      save(f);
    });
    return f;
  }

  async function save(f) {
    clearErrors(f);
    let settings;
    try {
      settings = JSON.parse(f.elements.settings.value || '{}');
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new Error('must be a JSON object');
    } catch (err) {
      showError(f, { field: 'settings', message: `Not valid JSON: ${err.message}` });
      return;
    }
    const input = { ...settings, name: f.elements.name.value.trim(), image_pattern: f.elements.image_pattern.value.trim(),
      kind: f.elements.kind.value, mode: f.elements.mode.value };
    try {
      const saved = editing ? await put(`/rules/${editing.id}`, input) : await post('/rules', input);
      toast(`Rule ${saved.name} saved.`);
      closeForm();
      await load();
    } catch (err) {
      // A field of the kind's own settings is shown at the settings box, named.
      const own = err.field && !common.includes(err.field.split('.')[0]);
      showError(f, own ? { field: 'settings', message: `${err.field}: ${err.message}` } : err);
    }
  }

  function openForm(rule) {
    editing = rule;
    clearErrors(form);
    const r = rule || { name: '', image_pattern: '', kind: 'signature', mode: 'enforce' };
    form.querySelector('[data-testid=rule-form-title]').textContent = rule ? `Edit rule ${rule.name}` : 'New rule';
    for (const k of ['name', 'image_pattern', 'kind', 'mode']) form.elements[k].value = r[k];
    form.elements.settings.value = JSON.stringify(rule ? settingsOf(rule) : templates[r.kind], null, 2);
    form.hidden = false;
    newButton.setAttribute('aria-expanded', 'true');
    form.elements.name.focus();
  }

  function closeForm() {
    form.hidden = true;
    newButton.setAttribute('aria-expanded', 'false');
    focusOn(newButton);
  }

  async function remove(rule) {
    const ok = await ask({ title: `Delete rule ${rule.name}?`, text: 'Releases are no longer judged by it.',
      confirm: 'Delete', danger: true });
    if (ok === null) return;
    try {
      await del(`/rules/${rule.id}`);
      toast(`Rule ${rule.name} deleted.`);
    } catch (err) {
      toast(err.message, true);
    }
    await load();
    focusOn(body.querySelector('[data-testid=edit-rule]') || newButton || body);
  }

  load();
}
