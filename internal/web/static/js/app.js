// The admin UI's shell: sign-in, navigation and the hash router. Each page
// is a module that renders into <main> and registers its own cleanup.

import { session, signIn, signOut, get, can } from './api.js';
import * as stream from './stream.js';
import { h, clear, errorBox, debounce } from './dom.js';
import { approvalsPage } from './pages/approvals.js';
import { imagesPage } from './pages/images.js';
import { imagePage } from './pages/image.js';
import { policiesPage } from './pages/policies.js';
import { policyPage } from './pages/policy.js';
import { rolloutsPage } from './pages/rollouts.js';
import { rolloutPage } from './pages/rollout.js';
import { devicesPage } from './pages/devices.js';
import { devicePage } from './pages/device.js';
import { eventsPage } from './pages/events.js';
import { registriesPage } from './pages/registries.js';
import { tokensPage } from './pages/tokens.js';
import { releasesPage } from './pages/releases.js';
import { releasePage } from './pages/release.js';
import { rulesPage } from './pages/rules.js';
import { fleetPage } from './pages/fleet.js';

const routes = [
  [/^\/approvals$/, approvalsPage],
  [/^\/images$/, imagesPage],
  [/^\/images\/(\d+)$/, imagePage],
  [/^\/policies$/, policiesPage],
  [/^\/policies\/(new|\d+)$/, policyPage],
  [/^\/rollouts$/, rolloutsPage],
  [/^\/rollouts\/(\d+)$/, rolloutPage],
  [/^\/devices$/, devicesPage],
  [/^\/devices\/(.+)$/, devicePage],
  [/^\/events$/, eventsPage],
  [/^\/registries$/, registriesPage],
  [/^\/tokens$/, tokensPage],
  [/^\/releases$/, releasesPage],
  [/^\/releases\/(\d+)$/, releasePage],
  [/^\/rules$/, rulesPage],
  [/^\/fleet$/, fleetPage],
];

const main = document.getElementById('main');
let cleanups = [];
// The page shown: its path, the hash it was last given, and the function
// that applies a new query to it without rendering it again.
let current = { path: null, hash: null, restore: null };

function leavePage() {
  cleanups.forEach((fn) => fn());
  cleanups = [];
  current = { path: null, hash: null, restore: null };
}

// parse splits the fragment into the route and its query: #/rollouts?status=failed.
function parse() {
  const raw = location.hash.replace(/^#/, '');
  const i = raw.indexOf('?');
  return { path: decodeURIComponent(i < 0 ? raw : raw.slice(0, i)) || '/approvals', query: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}

// route renders the page the URL's fragment names. A change of query only
// (back/forward through a list's filters) is handed to the page shown.
function route() {
  if (!session.me || location.hash === current.hash) return;
  const { path, query } = parse();
  if (path === current.path && current.restore) {
    current.hash = location.hash;
    current.restore(query);
    return;
  }
  leavePage();
  const found = routes.find(([re]) => re.test(path));
  document.querySelectorAll('#nav a').forEach((a) => {
    const here = path === a.getAttribute('href').slice(1) || path.startsWith(`${a.getAttribute('href').slice(1)}/`);
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  // On a phone the nav scrolls sideways in its own box: keep the current page's link in view.
  const nav = document.querySelector('.top nav');
  const here = nav.querySelector('[aria-current=page]');
  if (here) nav.scrollLeft += here.getBoundingClientRect().left - nav.getBoundingClientRect().left - (nav.clientWidth - here.offsetWidth) / 2;
  clear(main);
  if (!found) {
    main.append(h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/approvals' }, 'Go to the approval queue')));
    return;
  }
  const [re, page] = found;
  current = { path, hash: location.hash, restore: null };
  page(main, pageContext(path, query, path.match(re).slice(1)));
  const title = main.querySelector('h1');
  document.title = title ? `${title.textContent} · Airlock` : 'Airlock';
  // Focus the page itself, not its heading: pages re-render their heading
  // once data arrives, and focus must not fall back to the document.
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

// pageContext is what a page gets: its route's parameters and query, the
// event stream, timers, and the means to keep its state in the URL.
function pageContext(path, query, params) {
  return {
    params,
    query,
    on: (fn) => cleanups.push(stream.onEvent(fn)),
    every: (ms, fn) => {
      const t = setInterval(fn, ms);
      cleanups.push(() => clearInterval(t));
    },
    onQuery: (fn) => { current.restore = fn; },
    // setQuery writes entries ([name, value] pairs) as the URL's query;
    // push makes a history entry, so back returns to the previous view.
    setQuery: (entries, push) => {
      const q = new URLSearchParams(entries).toString();
      const hash = `#${path}${q ? `?${q}` : ''}`;
      if (hash === location.hash) return;
      history[push ? 'pushState' : 'replaceState'](null, '', hash);
      current.hash = location.hash;
    },
    can,
  };
}

function showSignIn(message) {
  leavePage();
  stream.stop();
  document.getElementById('top').hidden = true;
  document.title = 'Sign in · Airlock';
  const input = h('input', { id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off',
    spellcheck: 'false', 'aria-describedby': 'token-hint', testid: 'token' });
  const form = h('form', { class: 'card signin', testid: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Airlock'),
    message && errorBox({ message }),
    h('div', { class: 'field' },
      h('label', { for: 'token' }, 'API token'),
      input,
      h('span', { class: 'hint', id: 'token-hint' },
        'Paste an API token: the admin token airlock serve printed on first start, or one made with airlock token. ' +
        'It is kept for this browser tab only.')),
    h('p', {}, h('button', { type: 'submit', class: 'primary', testid: 'signin-submit' }, 'Sign in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelectorAll('.error').forEach((x) => x.remove());
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await signIn(input.value);
      enter();
    } catch (err) {
      // The token typed stays in the box: it is fixed more easily than typed again.
      const msg = err.status === 401 ? 'That token is not valid (or was revoked).' : err.message;
      const box = errorBox({ message: msg });
      form.insertBefore(box, form.children[1]);
      button.disabled = false;
      input.focus();
    }
  });
  clear(main, form);
  input.focus();
}

// enter shows the signed-in UI.
function enter() {
  document.getElementById('top').hidden = false;
  document.getElementById('whoami').textContent = `${session.me.name} (${session.me.role})`;
  document.body.dataset.role = session.me.role;
  // Pages whose API is for admins only are not offered to other roles.
  document.querySelectorAll('#nav [data-admin]').forEach((li) => { li.hidden = !can('admin'); });
  stream.start();
  refreshPending();
  route();
}

// The nav shows how many approval requests wait.
async function refreshPending() {
  const badge = document.getElementById('pending-count');
  try {
    const res = await get('/approval-requests?status=pending&limit=1');
    badge.textContent = String(res.total);
    badge.hidden = res.total === 0;
  } catch {
    badge.hidden = true;
  }
}

async function boot() {
  const live = document.getElementById('live');
  stream.onState((s) => {
    live.dataset.state = s;
    live.textContent = { live: 'live', reconnecting: 'reconnecting…', off: 'offline' }[s];
  });
  const pending = debounce(refreshPending, 300);
  stream.onEvent((e) => {
    if (e.type.startsWith('image.approval_') || e.type.startsWith('image.webhook_')) pending();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  window.addEventListener('airlock:signedout', (e) => showSignIn(`Signed out: ${e.detail}`));
  document.getElementById('signout').addEventListener('click', () => {
    signOut();
    location.hash = '';
    showSignIn();
  });
  if (!session.token) return showSignIn();
  try {
    await signIn(session.token);
    enter();
  } catch (err) {
    showSignIn(err.status === 401 ? '' : err.message);
  }
}

boot();
