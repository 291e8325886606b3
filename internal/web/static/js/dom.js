// Small DOM helpers. Every piece of data reaches the page as text (never
// as markup), so nothing the API returns can inject script.

// h builds an element: h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child).
// Attributes set to null, undefined or false are left out; `testid` sets data-testid.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'value') value = v;
    else if (k === 'checked' || k === 'selected') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  if (value !== undefined) el.value = value;
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// clear replaces el's children with children (skipping null, as h does).
export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// fullName is an image's normalised repository, e.g. docker.io/library/redis.
export function fullName(x) {
  return [x.registry, x.namespace, x.image_name].filter(Boolean).join('/');
}

// shortImage drops the docker.io/library/ a reader does not need.
export function shortImage(ref) {
  if (!ref) return '';
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

// ago renders a timestamp as "3 minutes ago", with the exact time on hover.
export function ago(ts) {
  if (!ts) return h('span', { class: 'muted' }, 'never');
  const d = new Date(ts);
  const secs = Math.round((d.getTime() - Date.now()) / 1000);
  let text = rtf.format(0, 'second');
  for (const [unit, n] of units) {
    if (Math.abs(secs) >= n || unit === 'second') {
      text = Math.abs(secs) < 5 ? 'just now' : rtf.format(Math.trunc(secs / n), unit);
      break;
    }
  }
  return h('time', { datetime: d.toISOString(), title: d.toLocaleString() }, text);
}

// bytes renders a byte count in decimal units (as registries and bills
// count them): 1.2 MB.
export function bytes(n) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Number(n) || 0;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${units[i]}`;
}

export function badge(status, label) {
  return h('span', { class: `badge ${status}`, testid: 'badge' }, label || String(status).replaceAll('_', ' '));
}

export function emptyRow(cols, text) {
  return h('tr', {}, h('td', { colspan: cols, class: 'empty', testid: 'empty' }, text));
}

// table builds a table with a header row; rows are <tr> elements. It comes
// in a box that scrolls sideways on its own when the table is wider than the
// page, and each cell carries its column's name (data-label), which narrow
// screens show beside it when rows are stacked. attrs.caption adds a caption.
export function table(label, headers, rows, empty, attrs = {}) {
  const { caption, ...rest } = attrs;
  const ths = headers.map((x) => (x instanceof Node ? x : h('th', { scope: 'col', class: x.startsWith('#') ? 'num' : null }, x.replace(/^#/, ''))));
  const t = h('table', { 'aria-label': label, class: 'stack', ...rest },
    caption && h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ths)),
    h('tbody', {}, rows.length ? rows : emptyRow(headers.length, empty)));
  t.labels = ths.map((th) => (th.dataset.label ?? th.textContent).trim());
  rows.forEach((tr) => labelCells(tr, t.labels));
  return h('div', { class: 'table-wrap' }, t);
}

// labelCells names each cell of tr after its column (for rows added later).
export function labelCells(tr, labels) {
  let col = 0;
  for (const td of tr.children) {
    if (!td.hasAttribute('data-label')) td.dataset.label = labels[col] || '';
    col += td.colSpan || 1;
  }
  return tr;
}

// sortable is a column header that sorts by key when pressed: sort is the
// current "key" (ascending) or "-key" (descending); onSort gets the new one.
export function sortable(text, key, sort, onSort, num = false) {
  const dir = sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : null;
  const next = dir === 'ascending' ? `-${key}` : key;
  const th = h('th', { scope: 'col', class: `sortable${num ? ' num' : ''}`, 'aria-sort': dir, 'data-label': text },
    h('button', { type: 'button', class: 'sort', testid: `sort-${key}`, onclick: () => onSort(next) },
      text, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ' ↕')));
  return th;
}

// sortBy orders items by sort ("key" or "-key"); value(item, key) gives what to compare.
export function sortBy(items, sort, value = (x, k) => x[k]) {
  if (!sort) return items;
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  const cmp = (a, b) => {
    const x = value(a, key) ?? '';
    const y = value(b, key) ?? '';
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
  };
  return [...items].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
}

export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert', testid: 'error' }, err && err.message ? err.message : String(err));
}

export function loading() {
  return h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading…');
}

// toast shows a short message in the page's live region.
export function toast(message, bad = false) {
  const box = document.getElementById('toast');
  const item = h('div', { class: bad ? 'bad' : null, testid: 'toast' }, message);
  box.append(item);
  setTimeout(() => item.remove(), bad ? 8000 : 4000);
}

// field builds a labelled input; opts: {label, name, type, value, hint, required, options, placeholder, wide}.
let seq = 0;
export function field(opts) {
  const id = `f${++seq}`;
  const hintId = opts.hint ? `${id}-hint` : null;
  let input;
  const common = { id, name: opts.name, 'aria-describedby': hintId, required: opts.required, testid: `field-${opts.name}` };
  if (opts.options) {
    input = h('select', { ...common, value: opts.value ?? '' },
      opts.options.map(([v, text]) => h('option', { value: v }, text)));
  } else if (opts.type === 'textarea') {
    input = h('textarea', { ...common, placeholder: opts.placeholder, value: opts.value ?? '' });
  } else if (opts.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: Boolean(opts.value) });
    return h('div', { class: `field check${opts.wide ? ' wide' : ''}` }, input, h('label', { for: id }, opts.label),
      hintId && h('span', { id: hintId, class: 'hint' }, opts.hint));
  } else {
    input = h('input', { ...common, type: opts.type || 'text', placeholder: opts.placeholder, min: opts.min, max: opts.max,
      autocomplete: 'off', value: opts.value ?? '' });
  }
  return h('div', { class: `field${opts.wide ? ' wide' : ''}` }, h('label', { for: id }, opts.label), input,
    hintId && h('span', { id: hintId, class: 'hint' }, opts.hint));
}

// showError puts an API error next to the input it names (the "field" of a
// 422), or at the top of the form when it names none, and moves focus there.
export function showError(form, err) {
  clearErrors(form);
  const input = err.field && findInput(form, err.field);
  if (input) {
    const msg = h('span', { class: 'field-error', id: `${input.id}-err`, testid: 'field-error' }, `${err.message}`);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), msg.id].filter(Boolean).join(' '));
    input.closest('.field').append(msg);
    input.focus();
    return;
  }
  const box = errorBox(err);
  form.prepend(box);
  box.tabIndex = -1;
  box.focus();
}

function findInput(form, name) {
  for (let n = name; n; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') {
    const el = form.querySelector(`[name="${CSS.escape(n)}"]`);
    if (el) return el;
  }
  return null;
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error, .error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    const ids = (e.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-err'));
    if (ids.length) e.setAttribute('aria-describedby', ids.join(' '));
    else e.removeAttribute('aria-describedby');
  });
}

// ask opens a modal dialog and resolves with the reason typed (or '') on
// confirm, null on cancel. opts: {title, text, confirm, danger, reason: label, reasonRequired}.
export function ask(opts) {
  return new Promise((resolve) => {
    const reason = opts.reason ? field({ label: opts.reason, name: 'reason', type: 'textarea', required: opts.reasonRequired }) : null;
    const form = h('form', { method: 'dialog' },
      h('h2', { id: 'dlg-title' }, opts.title),
      opts.text && h('p', {}, opts.text),
      reason,
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', value: 'cancel', testid: 'dialog-cancel', onclick: () => dlg.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', value: 'ok', class: opts.danger ? 'danger solid' : 'primary', testid: 'dialog-confirm' }, opts.confirm || 'OK')));
    const dlg = h('dialog', { 'aria-labelledby': 'dlg-title', testid: 'dialog' }, form);
    dlg.addEventListener('close', () => {
      const text = reason ? reason.querySelector('textarea').value.trim() : '';
      dlg.remove();
      resolve(dlg.returnValue === 'ok' ? text : null);
    });
    document.body.append(dlg);
    dlg.showModal();
    (reason ? reason.querySelector('textarea') : form.querySelector('[value="ok"]')).focus();
  });
}

// debounce calls fn once calls stop coming for ms.
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// pager renders "1–50 of 123" with previous/next buttons; go gets the new offset.
export function pager(offset, limit, total, go) {
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return h('nav', { class: 'pager', 'aria-label': 'Pages', testid: 'pager' },
    h('span', { testid: 'pager-range' }, `${total ? offset + 1 : 0}–${last} of ${total}`),
    h('button', { type: 'button', testid: 'pager-prev', disabled: offset === 0, onclick: () => go(Math.max(0, offset - limit)) }, 'Previous'),
    h('button', { type: 'button', testid: 'pager-next', disabled: last >= total, onclick: () => go(offset + limit) }, 'Next'));
}

// keepFocus re-renders within container and puts the focus back on the
// control that had it (matched by its row's data-key and its data-testid),
// so a keyboard user does not lose their place when a list refreshes. When
// that row is gone (approved, deleted), the same control of the row now in
// its place takes the focus, or else what fallback() returns, or else the
// container itself.
export function keepFocus(container, render, fallback = () => null) {
  const el = document.activeElement;
  const row = el && container.contains(el) ? el.closest('[data-key]') : null;
  const id = row && el.dataset.testid;
  const index = row ? [...container.querySelectorAll('[data-key]')].indexOf(row) : -1;
  render();
  if (!id) return;
  const find = (r) => r && r.querySelector(`[data-testid="${CSS.escape(id)}"]`);
  const rows = [...container.querySelectorAll('[data-key]')];
  const again = find(container.querySelector(`[data-key="${CSS.escape(row.dataset.key)}"]`)) ||
    find(rows[Math.min(index, rows.length - 1)]);
  focusOn(again || fallback() || container);
}

// focusOn moves the focus to el, making it focusable by script if it is
// not already, so focus never falls back to the document after an action.
export function focusOn(el) {
  if (!el) return;
  if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) el.tabIndex = -1;
  el.focus({ preventScroll: false });
}

// settleFocus puts the focus on fallback when it has fallen to the document
// (the control that had it was removed or disabled) or rests on one of the
// containers given (where keepFocus leaves it when the control is gone).
export function settleFocus(fallback, ...containers) {
  const el = document.activeElement;
  if (!el || el === document.body || !el.isConnected || containers.includes(el)) focusOn(fallback);
}

// copyButton copies text() to the clipboard when pressed. Where the
// Clipboard API is refused (a page served over plain HTTP from a host other
// than localhost), it selects source, so the user can copy it by hand.
export function copyButton(label, text, source, testid) {
  return h('button', { type: 'button', testid, onclick: async () => {
    try {
      await navigator.clipboard.writeText(text());
      toast('Copied.');
    } catch {
      getSelection().selectAllChildren(source);
      toast('Selected: press Ctrl+C (⌘C) to copy.');
    }
  } }, label);
}

// adminOnly fills main with a page's title and why it shows nothing: the
// API keeps what for admins (what: what the page would show).
export function adminOnly(main, title, what) {
  clear(main, h('h1', {}, title),
    h('p', { class: 'notice', testid: 'admin-only' }, `${what} are for admins only; your role may not see them.`));
}
