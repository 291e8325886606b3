// API tokens (admin only): who may use the API and the UI, with what role.
// A new token's secret is shown once; revoking one refuses it at once.

import { get, post, del, session } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, field, showError, clearErrors, toast, ask, keepFocus, focusOn, debounce, adminOnly } from '../dom.js';
import { onceCard } from '../secret.js';

const roles = [['viewer', 'Viewer: reads only'], ['approver', 'Approver: approves, rolls out'], ['admin', 'Admin: everything']];

export function tokensPage(main, ctx) {
  if (!ctx.can('admin')) return adminOnly(main, 'API tokens', 'API tokens');
  const secretBox = h('div', {});
  const body = h('div', {}, loading());
  const form = createForm();
  clear(main,
    h('h1', {}, 'API tokens'),
    h('p', { class: 'lead' }, 'Each person or script gets a token of its own, with the weakest role that does the job. Only a token\'s hash is kept: its secret is shown once, when made.'),
    secretBox, form, body);

  // load lists the tokens, keeping the focus on the control that had it,
  // else on what after() gives. An answer like the one shown changes
  // nothing, so the reload an event of our own action causes does not
  // replace a button under the pointer.
  let shown = '';
  let after = () => form.elements.name;
  async function load() {
    try {
      const res = await get('/tokens');
      const key = JSON.stringify(res.items);
      if (key === shown) return;
      shown = key;
      keepFocus(body, () => clear(body, table('API tokens', ['Name', 'Role', 'Created', 'Last used', 'State', 'Actions'],
        res.items.map(row), 'No tokens.', { testid: 'tokens' })), () => after());
    } catch (err) {
      shown = '';
      clear(body, errorBox(err));
    }
  }

  function row(t) {
    return h('tr', { testid: 'token-row', 'data-key': t.id, 'data-name': t.name },
      h('td', { class: 'key' }, t.name),
      h('td', {}, badge(`role-${t.role}`, t.role)),
      h('td', {}, ago(t.created_at)),
      h('td', {}, ago(t.last_used_at)),
      h('td', { testid: 'token-state' }, t.revoked_at ? [badge('revoked'), ' ', ago(t.revoked_at)] : badge('active')),
      h('td', { class: 'actions' }, !t.revoked_at && h('button', { type: 'button', class: 'danger', testid: 'revoke-token', 'data-write': '',
        'aria-label': `Revoke ${t.name}`, onclick: () => revoke(t) }, 'Revoke…')));
  }

  function createForm() {
    const f = h('form', { class: 'card grid', testid: 'token-form', 'aria-labelledby': 'token-form-title', novalidate: true },
      h('h2', { id: 'token-form-title', class: 'wide' }, 'New token'),
      field({ label: 'Name', name: 'name', required: true, placeholder: 'ci-pipeline, alice', hint: 'Who or what uses it: it is shown in the audit trail.' }),
      field({ label: 'Role', name: 'role', value: 'viewer', options: roles,
        hint: 'A viewer changes nothing; an approver also approves images and runs rollouts; an admin also manages tokens, registries and devices.' }),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', testid: 'create-token', 'data-write': '' }, 'Create token')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      try {
        const tok = await post('/tokens', { name: f.elements.name.value.trim(), role: f.elements.role.value });
        f.reset();
        showSecret(tok);
        load();
      } catch (err) {
        showError(f, err);
      }
    });
    return f;
  }

  function showSecret(tok) {
    const card = onceCard(`Token ${tok.name} (${tok.role})`, [['Token', tok.token, 'token-secret']],
      h('p', { class: 'small muted' }, 'Use it as Authorization: Bearer <token>, or paste it into this UI\'s sign-in box.'),
      () => {
        clear(secretBox);
        focusOn(form.elements.name);
      }, 'token-once');
    clear(secretBox, card);
    focusOn(card);
  }

  async function revoke(t) {
    const self = t.name === session.me.name ? ' It may be the token you are signed in with: then this session ends too.' : '';
    if (await ask({ title: `Revoke ${t.name}?`, text: `Anything using it is refused from now on; this cannot be undone.${self}`,
      confirm: 'Revoke', danger: true }) === null) return;
    // A revoked token has no Revoke button: the focus goes to its state.
    after = () => body.querySelector(`[data-key="${t.id}"] [data-testid=token-state]`);
    try {
      await del(`/tokens/${t.id}`);
      toast(`${t.name} revoked.`);
    } catch (err) {
      toast(err.message, true);
    }
    await load();
  }

  const reload = debounce(load, 300);
  ctx.on((e) => { if (e.type.startsWith('token.')) reload(); });
  load();
}
