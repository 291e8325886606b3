// The approved-image registry: search and filter it, and add images.

import { get, post, qs } from '../api.js';
import { h, clear, ago, badge, table, errorBox, loading, field, showError, clearErrors, fullName, debounce, pager, sortable, sortBy } from '../dom.js';
import { urlState } from '../query.js';

const limit = 50;

// The API lists images by name and does not sort otherwise; until it takes
// ?sort=, a column sorts the page loaded.
const sortValue = (img, key) => ({ image: fullName(img), category: img.category, status: img.approval_status, updated: img.updated_at }[key]);

export function imagesPage(main, ctx) {
  const write = ctx.can('approver');
  const url = urlState(ctx, { search: '', status: '', category: '', sort: '', page: 1 }, () => {
    show();
    load();
  });
  const state = url.state;
  const search = h('input', { type: 'search', id: 'image-search', testid: 'image-search', placeholder: 'redis, portainer…' });
  const status = h('select', { id: 'image-status', testid: 'image-status' },
    h('option', { value: '' }, 'Any status'), h('option', { value: 'approved' }, 'Approved'),
    h('option', { value: 'pending' }, 'Pending'), h('option', { value: 'rejected' }, 'Rejected'));
  const category = h('select', { id: 'image-category', testid: 'image-category' }, h('option', { value: '' }, 'Any category'));
  const categories = h('datalist', { id: 'categories' });
  const addButton = write && h('button', { type: 'button', class: 'primary', testid: 'add-image', 'data-write': '',
    'aria-expanded': 'false', 'aria-controls': 'add-image-form' }, 'Add image');
  const form = write && addForm();
  const body = h('div', {}, loading());
  clear(main,
    h('h1', {}, 'Images'),
    h('p', { class: 'lead' }, 'Only images approved here pass the webhook gate. A tag marked deprecated is refused even for an approved image.'),
    h('div', { class: 'toolbar', role: 'search' },
      h('label', { for: 'image-search' }, 'Search', search),
      h('label', { for: 'image-status' }, 'Status', status),
      h('label', { for: 'image-category' }, 'Category', category),
      h('span', { class: 'spacer' }), addButton),
    form, categories, body);

  async function load() {
    try {
      const res = await get(`/images${qs({ search: state.search, status: state.status, category: state.category, limit, offset: (state.page - 1) * limit })}`);
      const rows = sortBy(res.items, state.sort, sortValue).map((img) => h('tr', { testid: 'image-row', 'data-image': fullName(img) },
        h('td', {}, h('a', { href: `#/images/${img.id}` }, fullName(img)), img.description && h('div', { class: 'small muted' }, img.description)),
        h('td', {}, img.category || h('span', { class: 'muted' }, '—')),
        h('td', {}, badge(img.approval_status)),
        h('td', {}, img.is_official ? 'yes' : ''),
        h('td', {}, ago(img.updated_at))));
      const filtered = state.search || state.status || state.category;
      const empty = filtered ? 'No image matches these filters.' : 'The registry is empty. Add an image, or approve a request in the approval queue.';
      const sort = (text, key) => sortable(text, key, state.sort, (v) => { url.set({ sort: v }); load(); });
      clear(body, table('Images', [sort('Image', 'image'), sort('Category', 'category'), sort('Status', 'status'), 'Official', sort('Updated', 'updated')],
        rows, empty, { testid: 'images' }),
      pager((state.page - 1) * limit, limit, res.total, (o) => { url.set({ page: o / limit + 1 }); load(); }));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  async function loadCategories() {
    try {
      const res = await get('/images/categories');
      category.append(...res.items.map((c) => h('option', { value: c.category }, `${c.category} (${c.count})`)));
      category.value = state.category;
      categories.append(...res.items.map((c) => h('option', { value: c.category })));
    } catch {
      // the filter just offers no categories
    }
  }

  function addForm() {
    const f = h('form', { class: 'card grid', id: 'add-image-form', testid: 'add-image-form', hidden: true, 'aria-label': 'Add image' },
      field({ label: 'Image', name: 'image_name', required: true, placeholder: 'redis or ghcr.io/acme/app',
        hint: 'A name as you would pull it: redis, portainer/portainer-ce, ghcr.io/acme/app.' }),
      field({ label: 'Category', name: 'category', placeholder: 'database' }),
      field({ label: 'Status', name: 'approval_status', value: 'approved',
        options: [['approved', 'Approved'], ['pending', 'Pending'], ['rejected', 'Rejected']] }),
      field({ label: 'Official image', name: 'is_official', type: 'checkbox' }),
      field({ label: 'Description', name: 'description', type: 'textarea', wide: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'primary', testid: 'add-image-submit', 'data-write': '' }, 'Add image'),
        h('button', { type: 'button', onclick: () => toggle(false) }, 'Cancel')));
    f.querySelector('[name=category]').setAttribute('list', 'categories');
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      const v = (n) => f.elements[n].value.trim();
      try {
        const img = await post('/images', { image_name: v('image_name'), category: v('category'), description: v('description'),
          approval_status: v('approval_status'), is_official: f.elements.is_official.checked });
        location.hash = `#/images/${img.id}`;
      } catch (err) {
        showError(f, err);
      }
    });
    return f;
  }

  function toggle(open) {
    form.hidden = !open;
    addButton.setAttribute('aria-expanded', String(open));
    if (open) form.querySelector('input').focus();
    else addButton.focus();
  }

  if (addButton) addButton.addEventListener('click', () => toggle(form.hidden));
  // show puts the state (from the URL) into the filter controls.
  function show() {
    search.value = state.search;
    status.value = state.status;
    category.value = state.category;
  }

  const reload = debounce(load, 250);
  search.addEventListener('input', () => { url.replace({ search: search.value.trim(), page: 1 }); reload(); });
  status.addEventListener('change', () => { url.set({ status: status.value, page: 1 }); load(); });
  category.addEventListener('change', () => { url.set({ category: category.value, page: 1 }); load(); });
  ctx.on((e) => { if (e.type.startsWith('image.registry.')) reload(); });
  show();
  loadCategories();
  load();
}
