// The fleet overview: per image, how many device apps run its latest
// release, are updating, are behind on an older release, or are failing.
// One request, whatever the fleet's size; the search and sort are in the URL.

import { get } from '../api.js';
import { h, clear, table, errorBox, loading, debounce, keepFocus, sortable, sortBy, shortImage } from '../dom.js';
import { urlState } from '../query.js';

// matches: every word of q is in the image's name or its latest tag. The
// list has a row per image, all loaded, so it is searched here.
function matches(q, x) {
  const hay = `${x.repository} ${x.latest ? x.latest.tag : ''}`.toLowerCase();
  return q.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

const columns = [['on_latest', 'On latest'], ['updating', 'Updating'], ['behind', 'Behind'], ['failing', 'Failing']];

export function fleetPage(main, ctx) {
  const url = urlState(ctx, { q: '', sort: '-failing', attention: '' }, () => {
    show();
    render();
  });
  const state = url.state;
  let items = null;
  const search = h('input', { type: 'search', id: 'fleet-search', testid: 'fleet-search', placeholder: 'redis, ghcr.io/acme…' });
  const attention = h('input', { type: 'checkbox', id: 'fleet-attention', testid: 'fleet-attention' });
  const totals = h('ul', { class: 'chips', 'aria-label': 'The whole fleet', testid: 'fleet-totals' });
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Fleet'),
    h('p', { class: 'lead' }, 'Per image, the device apps told to run it: on its latest ready release, still updating, ' +
      'settled on an older release, or failing (exited, failed or unhealthy).'),
    totals,
    h('div', { class: 'toolbar', role: 'search' }, h('label', { for: 'fleet-search' }, 'Search', search),
      h('span', { class: 'field check' }, attention, h('label', { for: 'fleet-attention' }, 'Only images that need attention'))),
    body);

  async function load() {
    try {
      items = (await get('/fleet/images')).items;
      render();
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  function render() {
    if (!items) return;
    const sum = (k) => items.reduce((n, x) => n + x[k], 0);
    totals.replaceChildren(h('li', {}, h('b', {}, String(sum('devices'))), 'device apps'),
      ...columns.map(([k, text]) => h('li', { testid: `total-${k}` }, h('b', {}, String(sum(k))), text.toLowerCase())));
    const shown = items.filter((x) => matches(state.q, x) &&
      (!state.attention || x.failing > 0 || x.behind > 0 || x.updating > 0));
    const sort = (text, key, num) => sortable(text, key, state.sort, (v) => { url.set({ sort: v }); render(); }, num);
    const rows = sortBy(shown, state.sort, (x, k) => (k === 'image' ? x.repository : x[k])).map((x) => h('tr', { testid: 'fleet-row', 'data-key': x.repository, 'data-image': x.repository },
      h('td', { class: 'key mono' }, h('strong', {}, shortImage(x.repository))),
      h('td', {}, x.latest ? h('a', { href: `#/releases/${x.latest.release_id}`, class: 'mono', testid: 'fleet-latest' }, x.latest.tag)
        : h('span', { class: 'muted' }, 'no release')),
      h('td', { class: 'num' }, String(x.devices)),
      columns.map(([k]) => h('td', { class: `num${k === 'failing' && x.failing ? ' bad' : ''}`, testid: `fleet-${k}` }, String(x[k]))),
      h('td', {}, fleetBar(x))));
    keepFocus(body, () => clear(body, table('Images in the fleet', [sort('Image', 'image'), 'Latest', sort('Devices', 'devices', true),
      ...columns.map(([k, text]) => sort(text, k, true)), 'Share'], rows,
    items.length ? 'No image matches.' : 'No device is told to run any image yet.', { testid: 'fleet' })));
  }

  // show puts the state (from the URL) into the controls.
  function show() {
    search.value = state.q;
    attention.checked = state.attention === '1';
  }

  search.addEventListener('input', () => { url.replace({ q: search.value.trim() }); render(); });
  attention.addEventListener('change', () => { url.set({ attention: attention.checked ? '1' : '' }); render(); });
  const reload = debounce(load, 1000);
  ctx.on((e) => { if (e.type.startsWith('device.') || e.type.startsWith('image.rollout_') || e.type.startsWith('release.')) reload(); });
  // Device reports make no events: look again on a slow clock.
  ctx.every(15000, () => { if (!document.hidden) load(); });
  show();
  load();
}

// fleetBar draws the shares of an image's apps, as the rollout bar does.
function fleetBar(x) {
  const bar = h('div', { class: 'progress mini', role: 'img', testid: 'fleet-bar',
    'aria-label': columns.map(([k, text]) => `${x[k]} ${text.toLowerCase()}`).join(', ') });
  for (const [k, seg] of [['on_latest', 'succeeded'], ['updating', 'updating'], ['behind', 'skipped'], ['failing', 'failed']]) {
    const s = h('span', { class: `seg-${seg}` });
    s.style.width = x.devices ? `${(x[k] * 100) / x.devices}%` : '0';
    bar.append(s);
  }
  return bar;
}
