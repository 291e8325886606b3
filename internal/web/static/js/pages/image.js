// One image: its details (editable by approvers) and its tags, which can be
// added, recommended and deprecated with a reason.

import { get, put, post, del, session } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, field, showError, clearErrors, fullName, toast, ask, debounce, keepFocus } from '../dom.js';

export function imagePage(main, ctx) {
  const id = ctx.params[0];
  const write = ctx.can('approver');
  const body = h('div', {}, loading());
  clear(main, h('p', { class: 'crumbs' }, h('a', { href: '#/images' }, '← Images')), body);

  async function load() {
    let img;
    try {
      img = await get(`/images/${id}`);
    } catch (err) {
      clear(body, h('h1', {}, `Image ${id}`), errorBox(err));
      return;
    }
    keepFocus(body, () => clear(body,
      h('div', { class: 'heading' }, h('h1', { testid: 'image-name' }, fullName(img)), badge(img.approval_status),
        h('span', { class: 'spacer' }),
        write && h('button', { type: 'button', class: 'danger', testid: 'delete-image', 'data-write': '', onclick: () => remove(img) }, 'Delete image')),
      h('div', { class: 'cols' },
        h('div', { class: 'card' }, h('h2', {}, 'Details'), facts(img)),
        write && h('div', { class: 'card' }, h('h2', {}, 'Edit'), editForm(img))),
      h('h2', { id: 'tags-title' }, 'Tags'),
      tagTable(img),
      write && h('div', { class: 'card' }, h('h2', {}, 'Add a tag'), tagForm(img))));
  }

  function facts(img) {
    const rows = [
      ['Registry', img.registry], ['Namespace', img.namespace || '—'], ['Name', img.image_name],
      ['Category', img.category || '—'], ['Official', img.is_official ? 'yes' : 'no'],
      ['Description', img.description || '—'],
      ['Approved', img.approved_at ? [ago(img.approved_at), ` by ${img.approved_by}`] : '—'],
      ['Added', ago(img.created_at)], ['Updated', ago(img.updated_at)],
      ['Pushed', h('a', { href: `#/releases?image=${encodeURIComponent(fullName(img))}`, testid: 'image-releases' }, 'Its releases')],
    ];
    return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }

  function editForm(img) {
    const f = h('form', { class: 'grid', testid: 'edit-image-form', 'aria-label': 'Edit image' },
      field({ label: 'Status', name: 'approval_status', value: img.approval_status,
        options: [['approved', 'Approved'], ['pending', 'Pending'], ['rejected', 'Rejected']] }),
      field({ label: 'Category', name: 'category', value: img.category }),
      field({ label: 'Official image', name: 'is_official', type: 'checkbox', value: img.is_official }),
      field({ label: 'Description', name: 'description', type: 'textarea', value: img.description, wide: true }),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', testid: 'save-image', 'data-write': '' }, 'Save')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      try {
        await put(`/images/${img.id}`, { approval_status: f.elements.approval_status.value, category: f.elements.category.value.trim(),
          description: f.elements.description.value.trim(), is_official: f.elements.is_official.checked });
        toast('Image saved.');
        load();
      } catch (err) {
        showError(f, err);
      }
    });
    return f;
  }

  function tagTable(img) {
    const tags = img.tags || [];
    const rows = tags.map((t) => h('tr', { testid: 'tag-row', 'data-tag': t.tag, 'data-key': t.id },
      h('td', { class: 'mono' }, h('strong', {}, t.tag)),
      h('td', { class: 'mono small', title: t.digest }, t.digest ? `${t.digest.slice(0, 19)}…` : '—'),
      h('td', {}, t.architecture || '—'),
      h('td', {},
        t.is_recommended && badge('recommended'), ' ',
        t.is_deprecated && badge('deprecated'),
        t.is_deprecated && t.deprecated_reason && h('div', { class: 'small', testid: 'deprecated-reason' }, t.deprecated_reason)),
      h('td', {}, t.source),
      h('td', {}, ago(t.updated_at)),
      write && h('td', { class: 'actions' },
        h('button', { type: 'button', testid: 'toggle-recommended', 'data-write': '', 'aria-pressed': String(t.is_recommended),
          'aria-label': `Recommended: ${t.tag}`, onclick: () => update(img, t, { is_recommended: !t.is_recommended }) },
        t.is_recommended ? 'Unrecommend' : 'Recommend'),
        t.is_deprecated
          ? h('button', { type: 'button', testid: 'undeprecate', 'data-write': '', 'aria-label': `Restore ${t.tag}`,
            onclick: () => update(img, t, { is_deprecated: false, deprecated_reason: '' }) }, 'Restore')
          : h('button', { type: 'button', class: 'danger', testid: 'deprecate', 'data-write': '', 'aria-label': `Deprecate ${t.tag}`,
            onclick: () => deprecate(img, t) }, 'Deprecate…'),
        h('button', { type: 'button', class: 'danger', testid: 'delete-tag', 'data-write': '', 'aria-label': `Delete ${t.tag}`,
          onclick: () => removeTag(img, t) }, 'Delete'))));
    const headers = ['Tag', 'Digest', 'Architecture', 'Flags', 'Source', 'Updated'];
    if (write) headers.push(h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Actions')));
    return table('Tags', headers, rows,
      'No tags yet. A push of an approved image adds its tag; you can also add one below.', { testid: 'tags', 'aria-labelledby': 'tags-title' });
  }

  async function update(img, t, change) {
    try {
      await put(`/images/${img.id}/tags/${t.id}`, change);
      toast(`Tag ${t.tag} updated.`);
    } catch (err) {
      toast(err.message, true);
    }
    load();
  }

  async function deprecate(img, t) {
    const reason = await ask({ title: `Deprecate ${img.image_name}:${t.tag}?`,
      text: 'Pushes of a deprecated tag are refused. Say why, so whoever pushes it knows what to use instead.',
      reason: 'Reason', reasonRequired: true, confirm: 'Deprecate', danger: true });
    if (reason === null) return;
    update(img, t, { is_deprecated: true, deprecated_reason: reason });
  }

  async function removeTag(img, t) {
    if (await ask({ title: `Delete tag ${t.tag}?`, text: 'The tag leaves the registry; a later push of it adds it again.', confirm: 'Delete', danger: true }) === null) return;
    try {
      await del(`/images/${img.id}/tags/${t.id}`);
      toast(`Tag ${t.tag} deleted.`);
    } catch (err) {
      toast(err.message, true);
    }
    load();
  }

  async function remove(img) {
    if (await ask({ title: `Delete ${fullName(img)}?`, text: 'The image and its tags leave the registry: its next push is refused and waits for approval again.',
      confirm: 'Delete image', danger: true }) === null) return;
    try {
      await del(`/images/${img.id}`);
      toast(`Deleted ${fullName(img)}.`);
      location.hash = '#/images';
    } catch (err) {
      toast(err.message, true);
    }
  }

  function tagForm(img) {
    const f = h('form', { class: 'grid', testid: 'add-tag-form', 'aria-label': 'Add a tag' },
      field({ label: 'Tag', name: 'tag', required: true, placeholder: '7.4-alpine' }),
      field({ label: 'Digest', name: 'digest', placeholder: 'sha256:…', hint: 'Optional.' }),
      field({ label: 'Architecture', name: 'architecture', placeholder: 'arm64', hint: 'Optional.' }),
      field({ label: 'Recommended', name: 'is_recommended', type: 'checkbox' }),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', testid: 'add-tag-submit', 'data-write': '' }, 'Add tag')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      const v = (n) => f.elements[n].value.trim();
      try {
        await post(`/images/${img.id}/tags`, { tag: v('tag'), digest: v('digest'), architecture: v('architecture'),
          is_recommended: f.elements.is_recommended.checked });
        toast(`Tag ${v('tag')} added.`);
        load();
      } catch (err) {
        showError(f, err);
      }
    });
    return f;
  }

  const reload = debounce(load, 300);
  ctx.on((e) => {
    const mine = e.subject === `image/${id}` || e.subject.startsWith(`image/${id}/`);
    if (mine && e.actor !== session.me.name) reload();
  });
  load();
}
