// Declared registries (admin only): their hosts, aliases, kind and pull
// credentials. A new or rotated webhook secret is shown here once, with what
// to paste into the registry; it lives in this page's memory only, so
// leaving the page or reloading it discards it.

import { get, post, put, del } from '../api.js';
import { h, clear, ago, table, errorBox, loading, field, showError, clearErrors, toast, ask, keepFocus, focusOn, debounce, adminOnly } from '../dom.js';
import { secretCard } from '../secret.js';

const kinds = [['distribution', 'CNCF Distribution'], ['harbor', 'Harbor'], ['ghcr', 'GitHub (ghcr.io)'], ['dockerhub', 'Docker Hub'],
  ['quay', 'Quay'], ['acr', 'Azure (ACR)'], ['generic', 'Generic']];
const kindName = Object.fromEntries(kinds);

export function registriesPage(main, ctx) {
  if (!ctx.can('admin')) return adminOnly(main, 'Registries', 'Declared registries and their webhook secrets');
  const declare = h('button', { type: 'button', class: 'primary', testid: 'declare-registry', 'data-write': '',
    'aria-expanded': 'false', 'aria-controls': 'registry-form' }, 'Declare registry');
  const secretBox = h('div', {});
  const formBox = h('div', {});
  const body = h('div', {}, loading());
  clear(main,
    h('div', { class: 'heading' }, h('h1', {}, 'Registries'), h('span', { class: 'spacer' }), declare),
    h('p', { class: 'lead' }, 'A declared registry gets a webhook secret of its own that speaks for its host and aliases only: ' +
      'a push it sends naming any other host is refused. Declare Distribution and Harbor registries, which take the host from the pushing client.'),
    secretBox, formBox, body);

  // load lists the registries. An answer like the one shown changes
  // nothing on the page, so the reload an event of our own action causes
  // does not replace a button under the pointer.
  let shown = '';
  async function load(then) {
    try {
      const res = await get('/registries');
      const key = JSON.stringify(res.items);
      if (key !== shown) {
        shown = key;
        keepFocus(body, () => clear(body, table('Registries', ['Host', 'Aliases', 'Kind', 'Plain HTTP', 'Pull credentials', 'Updated', 'Actions'],
          res.items.map(row), 'No registry is declared: pushes are checked with the global webhook secret.', { testid: 'registries' })), () => declare);
      }
      if (then) then();
    } catch (err) {
      shown = '';
      clear(body, errorBox(err));
    }
  }

  function row(r) {
    return h('tr', { testid: 'registry-row', 'data-key': r.id, 'data-host': r.host },
      h('td', { class: 'key mono' }, r.host),
      h('td', { class: 'mono' }, r.aliases.length ? r.aliases.join(', ') : h('span', { class: 'muted' }, 'none')),
      h('td', {}, kindName[r.kind] || r.kind),
      h('td', {}, r.insecure ? 'yes' : 'no'),
      h('td', {}, r.username ? [h('span', { class: 'mono' }, r.username), r.password_set ? ' · password set' : ''] : h('span', { class: 'muted' }, 'none')),
      h('td', {}, ago(r.updated_at)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', testid: 'edit-registry', 'data-write': '', 'aria-label': `Edit ${r.host}`, onclick: () => openForm(r) }, 'Edit'),
        h('button', { type: 'button', testid: 'rotate-secret', 'data-write': '', 'aria-label': `Rotate the secret of ${r.host}`, onclick: () => rotate(r) }, 'Rotate secret'),
        h('button', { type: 'button', class: 'danger', testid: 'delete-registry', 'data-write': '', 'aria-label': `Delete ${r.host}`, onclick: () => remove(r) }, 'Delete')));
  }

  // openForm shows the form to declare a registry (reg null) or edit reg.
  function openForm(reg) {
    const f = registryForm(reg, () => closeForm(reg));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      save(f, reg);
    });
    clear(formBox, f);
    declare.setAttribute('aria-expanded', String(!reg));
    f.querySelector(reg ? '[name=aliases]' : '[name=host]').focus();
  }

  // closeForm puts the focus back where the form was opened from.
  function closeForm(reg) {
    clear(formBox);
    declare.setAttribute('aria-expanded', 'false');
    focusOn(reg ? editButton(reg.id) || declare : declare);
  }

  const editButton = (id) => body.querySelector(`[data-key="${id}"] [data-testid=edit-registry]`);

  async function save(f, reg) {
    clearErrors(f);
    const input = readForm(f);
    try {
      if (!reg) {
        const made = await post('/registries', input);
        clear(formBox);
        declare.setAttribute('aria-expanded', 'false');
        showSecret(made, 'declared');
        load();
        return;
      }
      delete input.host;
      await put(`/registries/${reg.id}`, input);
      toast(`${reg.host} saved.`);
      clear(formBox);
      load(() => focusOn(editButton(reg.id) || declare));
    } catch (err) {
      showError(f, err);
    }
  }

  function showSecret(reg, what) {
    const card = secretCard(reg, what, () => {
      clear(secretBox);
      focusOn(editButton(reg.id) || declare);
    });
    clear(secretBox, card);
    focusOn(card);
  }

  async function rotate(r) {
    if (await ask({ title: `Rotate the webhook secret of ${r.host}?`,
      text: 'A new secret is made and shown once. The old one stops working at once: the registry\'s deliveries are refused until it sends the new one.',
      confirm: 'Rotate secret', danger: true }) === null) return;
    try {
      showSecret(await post(`/registries/${r.id}/rotate-secret`), 'secret rotated');
    } catch (err) {
      toast(err.message, true);
    }
  }

  async function remove(r) {
    if (await ask({ title: `Delete ${r.host}?`, text: 'Its webhook secret stops working at once. Images recorded under the host stay.',
      confirm: 'Delete', danger: true }) === null) return;
    try {
      await del(`/registries/${r.id}`);
      toast(`${r.host} deleted.`);
    } catch (err) {
      toast(err.message, true);
    }
    await load();
  }

  declare.addEventListener('click', () => (formBox.querySelector('form') ? closeForm(null) : openForm(null)));
  const reload = debounce(() => load(), 300);
  ctx.on((e) => { if (e.type.startsWith('registry.')) reload(); });
  load();
}

function registryForm(reg, cancel) {
  const f = h('form', { class: 'card grid', id: 'registry-form', testid: 'registry-form', 'aria-labelledby': 'registry-form-title', novalidate: true },
    h('h2', { id: 'registry-form-title', class: 'wide' }, reg ? `Edit ${reg.host}` : 'Declare a registry'),
    field({ label: 'Host', name: 'host', required: true, value: reg?.host, placeholder: 'registry.lab:5000',
      hint: reg ? 'The host cannot change: images are recorded under it.' : 'The one spelling images are recorded under: host[:port].' }),
    field({ label: 'Aliases', name: 'aliases', value: (reg?.aliases || []).join(', '), placeholder: '10.0.0.5:5000, localhost:5000',
      hint: 'Other names clients push to, separated by commas.' }),
    field({ label: 'Kind', name: 'kind', value: reg?.kind || 'distribution', options: kinds,
      hint: reg ? 'The kind names the webhook URL: after changing it, rotate the secret to see the new configuration.' : 'The webhook format the registry sends.' }),
    field({ label: 'Plain HTTP (insecure)', name: 'insecure', type: 'checkbox', value: reg?.insecure }),
    field({ label: 'Pull username', name: 'username', value: reg?.username }),
    field({ label: 'Pull password', name: 'password', type: 'password',
      hint: reg?.password_set ? 'A password is saved: leave this empty to keep it.' : 'Write-only: it is never shown again.' }),
    reg?.password_set && field({ label: 'Remove the saved credentials', name: 'clear_credentials', type: 'checkbox' }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary', testid: 'save-registry', 'data-write': '' }, reg ? 'Save' : 'Declare registry'),
      h('button', { type: 'button', testid: 'cancel-registry', onclick: cancel }, 'Cancel')));
  f.elements.host.readOnly = Boolean(reg);
  f.elements.password.autocomplete = 'new-password';
  return f;
}

// readForm is the registry the form describes; the password goes only when
// typed (an edit keeps the saved one), or as "" to remove the credentials.
function readForm(f) {
  const v = (n) => f.elements[n].value.trim();
  const input = { host: v('host'), aliases: v('aliases').split(/[\s,]+/).filter(Boolean), kind: v('kind'),
    insecure: f.elements.insecure.checked, username: v('username') };
  if (f.elements.password.value) input.password = f.elements.password.value;
  if (f.elements.clear_credentials?.checked) Object.assign(input, { username: '', password: '' });
  return input;
}
