// Releases: each pushed content of an image under a tag, with what was
// decided about it. The list filters by image, tag and status (kept in the
// URL); a release's page shows its content, why it is held and its rollout.

import { get, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, debounce, pager, keepFocus } from '../dom.js';
import { statusLabel } from '../progress.js';
import { urlState } from '../query.js';

const limit = 50;
export const releaseStatuses = ['resolving', 'ready', 'held', 'refused', 'known_bad', 'duplicate'];
// The releases that need someone to look at them, as views of the status filter.
const attention = [['held', 'Held'], ['known_bad', 'Rolled back'], ['refused', 'Refused']];

// repository is a release's normalised repository, docker.io/library/redis.
export function repository(r) {
  return [r.registry, r.namespace, r.name].filter(Boolean).join('/');
}

// knownBadOf is the known-bad hold r's content falls under, or undefined:
// holds name a digest, or image:tag for content that was not pinned.
export function knownBadOf(r, holds) {
  const content = r.pinned && r.digest ? r.digest : `${repository(r)}:${r.tag}`;
  return holds.find((k) => k.content === content);
}

// releaseBadge is the release's status, with what a held one waits for,
// and whether its content is held as known bad.
export function releaseBadge(r, bad) {
  const status = badge(r.status, statusLabel(r.status));
  return h('span', { testid: 'release-status', 'data-status': r.status },
    r.status === 'known_bad' ? h('span', { testid: 'release-known-bad' }, status) : status,
    r.hold && h('span', { class: 'small muted', testid: 'release-hold' }, ` waits for ${statusLabel(r.hold)}`),
    bad && r.status !== 'known_bad' && [' ', h('span', { testid: 'release-known-bad' }, badge('known_bad', 'known bad'))]);
}

export function releasesPage(main, ctx) {
  const url = urlState(ctx, { image: '', tag: '', status: '', page: 1 }, () => {
    show();
    load();
  });
  const state = url.state;
  const image = h('input', { type: 'search', id: 'release-image', testid: 'release-image', placeholder: 'docker.io/library/redis' });
  const tag = h('input', { type: 'search', id: 'release-tag', testid: 'release-tag', placeholder: '7.4-alpine' });
  const status = h('select', { id: 'release-status', testid: 'release-status-filter' }, h('option', { value: '' }, 'Any status'),
    releaseStatuses.map((s) => h('option', { value: s }, statusLabel(s))));
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Releases'),
    h('p', { class: 'lead' }, 'Each push of an approved image is a release: one content (digest) under a tag. ' +
      'Rules, platforms and rollbacks may hold or refuse it; a ready release rolls out under its policy.'),
    h('div', { class: 'toolbar', role: 'search' },
      h('label', { for: 'release-image' }, 'Image', image),
      h('label', { for: 'release-tag' }, 'Tag', tag),
      h('label', { for: 'release-status' }, 'Status', status)),
    h('p', { class: 'views', testid: 'attention' }, h('span', { class: 'muted' }, 'Needs attention: '),
      attention.map(([s, text]) => h('a', { href: `#/releases?status=${s}`, testid: `view-${s}` }, text))),
    body);

  async function load() {
    try {
      const [res, holds] = await Promise.all([
        get(`/releases${qs({ image: state.image, tag: state.tag, status: state.status, limit, offset: (state.page - 1) * limit })}`),
        get('/known-bad')]);
      const rows = res.items.map((r) => h('tr', { testid: 'release-row', 'data-id': r.id, 'data-key': r.id },
        h('td', {}, h('a', { href: `#/releases/${r.id}`, testid: 'release-link' }, `#${r.id}`)),
        h('td', { class: 'mono' }, `${repository(r)}:${r.tag}`,
          r.digest && h('div', { class: 'small muted' }, r.digest.slice(0, 19), r.pinned ? '' : ' (not pinned)')),
        h('td', {}, releaseBadge(r, knownBadOf(r, holds.items)), r.reason && h('div', { class: 'small' }, r.reason)),
        h('td', {}, r.platforms && r.platforms.length ? platformList(r.platforms) : h('span', { class: 'muted' }, '—')),
        h('td', {}, r.rollout_id ? h('a', { href: `#/rollouts/${r.rollout_id}`, testid: 'release-rollout' }, `#${r.rollout_id}`) : h('span', { class: 'muted' }, '—')),
        h('td', { class: 'small' }, r.source, r.pusher && h('div', { class: 'muted' }, r.pusher)),
        h('td', {}, ago(r.pushed_at))));
      keepFocus(body, () => clear(body, table('Releases', ['Release', 'Image', 'Status', 'Platforms', 'Rollout', 'Source', 'Pushed'], rows,
        state.image || state.tag || state.status ? 'No release matches.' : 'No releases yet. A push of an approved image makes one.',
        { testid: 'releases', caption: `${res.total} release${res.total === 1 ? '' : 's'}` }),
      pager((state.page - 1) * limit, limit, res.total, (o) => { url.set({ page: o / limit + 1 }); load(); })));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  // show puts the state (from the URL) into the filter controls.
  function show() {
    image.value = state.image;
    tag.value = state.tag;
    status.value = state.status;
  }

  const typed = debounce(load, 300);
  image.addEventListener('input', () => { url.replace({ image: image.value.trim(), page: 1 }); typed(); });
  tag.addEventListener('input', () => { url.replace({ tag: tag.value.trim(), page: 1 }); typed(); });
  status.addEventListener('change', () => { url.set({ status: status.value, page: 1 }); load(); });
  ctx.on((e) => { if (e.type.startsWith('release.') || e.type.startsWith('image.rollout_')) typed(); });
  show();
  load();
}

// platformList renders os/arch[/variant] of each platform.
export function platformList(platforms) {
  return h('span', { class: 'mono small', testid: 'release-platforms' },
    platforms.map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')).join(', '));
}
