// A secret shown once: a card with each value and a copy button, which
// the user dismisses when done. Nothing here is stored anywhere: the card
// and the page's memory are the only places the secret is.

import { h, copyButton } from './dom.js';
import { setup } from './notify.js';

// onceCard is the card: title, the values ([label, text, testid]) and
// what else to show (extra), and done called by its Done button.
export function onceCard(title, values, extra, done, testid) {
  const card = h('section', { class: 'card once', testid, 'aria-labelledby': `${testid}-title`, tabindex: -1 },
    h('h2', { id: `${testid}-title` }, title),
    h('p', { class: 'notice warn', testid: 'shown-once' },
      'Copy it now: it is shown this once and never again. Leaving or reloading this page discards it.'),
    h('dl', { class: 'facts' }, values.map(([label, text, id]) => {
      const c = h('code', { class: 'secret', testid: id }, text);
      return [h('dt', {}, label), h('dd', {}, c, ' ', copyButton('Copy', () => text, c, `copy-${id}`))];
    })),
    extra,
    h('p', {}, h('button', { type: 'button', class: 'primary', testid: 'secret-done', onclick: done }, 'Done: I have copied it')));
  return card;
}

// secretCard shows a registry's new webhook secret with how to configure
// the registry to send it.
export function secretCard(reg, what, done) {
  const s = setup(reg.kind, reg.host, reg.webhook_url, reg.webhook_secret);
  const pre = s.config && h('pre', { class: 'config', testid: 'notify-config', tabindex: 0, 'aria-label': `${s.file} to paste` }, s.config);
  return onceCard(`${reg.host}: webhook ${what}`,
    [['Webhook URL', reg.webhook_url, 'webhook-url'], ['Secret', reg.webhook_secret, 'webhook-secret']],
    [h('h3', {}, 'Configure the registry'),
      h('ol', { class: 'steps', testid: 'notify-steps' }, s.steps.map((step) => h('li', {}, step.map((p) => (typeof p === 'string' ? p : h('code', {}, p.code)))))),
      pre, pre && h('p', {}, copyButton(`Copy ${s.file}`, () => s.config, pre, 'copy-config'))],
    done, 'registry-secret');
}
