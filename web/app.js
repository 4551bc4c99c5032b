// Entry point of the web UI: loads the catalogues, restores the session
// from GET /api/v1/me, builds the shell (navigation, user menu, language
// switch) and routes #/<section> to a page module in pages/.

import { loadCatalogues, setLocale, getLocale, storedLocale, storeLocale, normaliseLocale, onLocaleChange, t } from './i18n.js';
import { api, setCsrfToken, onUnauthorized } from './api.js';
import { NAV_GROUPS, LOCALES, SECTIONS } from './constants.js';
import { h, setText, notify, notifyError } from './dom.js';
import { icon } from './icons.js';
import * as loginPage from './pages/login.js';
import * as dashboardPage from './pages/dashboard.js';
import * as usersPage from './pages/users.js';
import * as teamsPage from './pages/teams.js';
import * as placeholderPage from './pages/placeholder.js';
import * as listPage from './pages/list.js';
import * as recordPage from './pages/record.js';
import * as boardPage from './pages/board.js';
import * as importPage from './pages/import.js';
import * as funnelPage from './pages/funnel.js';
import * as attributionPage from './pages/attribution.js';
import * as campaignReportPage from './pages/campaign_report.js';
import * as settingsPage from './pages/settings.js';
import * as webformsPage from './pages/webforms.js';
import { resetCaches } from './crm.js';

const PAGES = { login: loginPage, dashboard: dashboardPage, users: usersPage, teams: teamsPage, funnel: funnelPage, attribution: attributionPage, campaign_report: campaignReportPage, settings: settingsPage };
const CRM_OBJECTS = ['contacts', 'companies', 'deals', 'activities', 'campaigns'];
const IMPORTABLE = ['contacts', 'companies', 'deals', 'campaigns']; // campaigns: their touchpoints
const DEFAULT_ROUTE = 'dashboard';

const state = {
  user: null,
  afterLogin: null, // route asked for before logging in
  renderId: 0,
  cleanup: null,
  booted: false,
};

const $ = (id) => document.getElementById(id);

/* ------------------------------------------------------------- routing */

// A hash is #/<route>[/<sub>…][?<query>]: the route names the section
// (and the navigation entry), the sub-path a record or a view of it
// (#/contacts/12, #/deals/board, #/contacts/import) and the query a
// list's filters (#/contacts?lifecycle_stage=lead&sort=-created_at).
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const qi = raw.indexOf('?');
  const path = qi < 0 ? raw : raw.slice(0, qi);
  const query = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
  let segs;
  try {
    segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    segs = ['\u0000']; // malformed escape: not found
  }
  const route = segs[0] || '';
  return { route: /^[a-z0-9_-]*$/.test(route) ? route : '\u0000', rest: segs.slice(1), query };
}

function currentRoute() {
  return parseHash().route;
}

/** The page module for a route and its sub-path, or null (not found). */
function pageFor(route, rest) {
  if (CRM_OBJECTS.includes(route)) {
    if (rest.length === 0) return listPage;
    if (rest.length === 1 && /^[1-9]\d{0,17}$/.test(rest[0]) && route !== 'activities') return recordPage;
    if (rest.length === 1 && rest[0] === 'board' && route === 'deals') return boardPage;
    if (rest.length === 1 && rest[0] === 'import' && IMPORTABLE.includes(route)) return importPage;
    return null;
  }
  if (route === 'forms' && rest.length <= 1) return webformsPage;
  if (rest.length) return null;
  return PAGES[route] || (SECTIONS.includes(route) ? placeholderPage : null);
}

/** Goes to `route` (a section, or "contacts/12", "deals?status=open"). */
export function navigate(route) {
  if (location.hash === `#/${route}`) renderRoute();
  else location.hash = `#/${route}`;
}

/**
 * Rewrites the query part of the current hash without drawing the page
 * again (a list keeps its filters in the address so a reload or a
 * bookmark shows the same list).
 */
function replaceQuery(params) {
  const { route, rest } = parseHash();
  const q = params instanceof URLSearchParams ? params.toString() : new URLSearchParams(params).toString();
  const path = [route, ...rest.map(encodeURIComponent)].join('/');
  history.replaceState(null, '', `#/${path}${q ? `?${q}` : ''}`);
}

async function renderRoute() {
  let { route, rest, query } = parseHash();
  if (!state.user && route !== 'login') {
    if (route) state.afterLogin = location.hash.replace(/^#\/?/, '');
    history.replaceState(null, '', '#/login'); // no hashchange: render once
    route = 'login';
    rest = [];
    query = new URLSearchParams();
  } else if (state.user && (route === 'login' || route === '')) {
    const next = state.afterLogin && !state.afterLogin.startsWith('login') ? state.afterLogin : DEFAULT_ROUTE;
    state.afterLogin = null;
    history.replaceState(null, '', `#/${next}`);
    ({ route, rest, query } = parseHash());
  }

  const id = ++state.renderId;
  if (state.cleanup) {
    try {
      state.cleanup();
    } catch {
      /* a page's cleanup must not stop navigation */
    }
    state.cleanup = null;
  }
  document.body.classList.toggle('is-anon', !state.user);
  document.body.classList.toggle('is-auth', !!state.user);
  document.body.classList.remove('is-booting');
  closeMenus();
  // A dialog belongs to the page that opened it (a link in a dialog, such
  // as a duplicate's "open the existing record", leaves it behind).
  document.querySelectorAll('dialog[open]').forEach((d) => d.close());
  markCurrent(route);

  const main = $('main');
  const focusBefore = document.activeElement;
  main.replaceChildren();
  // Sections without a module of their own are drawn by the placeholder
  // page; unknown routes (section null) by the same page as "not found".
  const found = route === 'login' ? loginPage : pageFor(route, rest);
  const page = found || placeholderPage;
  const section = found && route !== 'login' ? route : null;
  setTitle(route === 'login' ? 'login.title' : section ? `nav.${section}` : 'notfound.title');

  const ctx = {
    user: state.user,
    section,
    rest,
    query,
    isAdmin: !!state.user && state.user.role === 'admin',
    alive: () => id === state.renderId,
    navigate,
    replaceQuery,
    // A page whose title is data (a record's name) sets it itself.
    setTitleText: (text) => {
      if (id === state.renderId) setTitle(null, text);
    },
    onLogin,
    langSwitch,
  };
  try {
    const cleanup = await page.render(main, ctx);
    if (id === state.renderId && typeof cleanup === 'function') state.cleanup = cleanup;
  } catch (err) {
    if (id !== state.renderId) return;
    if (err && err.status === 401) return; // onUnauthorized already moved on
    main.append(h('p', { class: 'form-error', role: 'alert' }, err && err.message ? err.message : t('error.generic')));
  }
  // Move focus to the new page's heading so screen readers announce it,
  // unless the user has put focus somewhere else while the page loaded.
  if (id === state.renderId && state.booted) {
    const h1 = main.querySelector('h1');
    const active = document.activeElement;
    const untouched = active === focusBefore || active === document.body || !focusBefore || !focusBefore.isConnected;
    if (h1 && untouched && !main.contains(active)) h1.focus();
  }
  state.booted = true;
}

function setTitle(key, text) {
  const base = t('app.name');
  if (text) document.title = `${text} · ${base}`;
  else document.title = key ? `${t(key)} · ${base}` : base;
  state.titleKey = key;
  state.titleText = text || null;
}

/* --------------------------------------------------------------- shell */

function buildNav() {
  const nav = $('sidenav');
  const groups = NAV_GROUPS.map((g) =>
    h(
      'div',
      { class: 'nav-group' },
      h('h2', { class: 'nav-group-title', id: `nav-group-${g.id}`, i18n: `nav.group.${g.id}` }),
      h(
        'ul',
        { 'aria-labelledby': `nav-group-${g.id}` },
        g.sections.map((s) =>
          h(
            'li',
            {},
            h(
              'a',
              { href: `#/${s.id}`, class: 'nav-link', 'data-route': s.id },
              icon(s.id),
              h('span', { i18n: `nav.${s.id}` }),
              s.page ? null : h('span', { class: 'nav-soon', i18n: 'nav.soon' }),
            ),
          ),
        ),
      ),
    ),
  );
  nav.replaceChildren(...groups);
}

function markCurrent(route) {
  document.querySelectorAll('.nav-link').forEach((a) => {
    if (a.dataset.route === route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

/**
 * A Vietnamese/English switch: two toggle buttons in a labelled group. Each
 * language name is written in its own language (lang attribute set).
 */
function langSwitch() {
  const group = h('div', { class: 'lang-switch', role: 'group', i18nLabel: 'shell.language' });
  for (const loc of LOCALES) {
    group.append(
      h(
        'button',
        {
          type: 'button',
          class: 'lang-btn',
          lang: loc,
          'data-locale': loc,
          'aria-pressed': String(loc === getLocale()),
          i18nTitle: `lang.${loc}`,
          onclick: () => changeLocale(loc),
        },
        h('span', { 'aria-hidden': 'true', class: 'lang-short', i18n: `lang.short.${loc}` }),
        h('span', { class: 'sr-only', i18n: `lang.${loc}` }),
      ),
    );
  }
  return group;
}

function syncLangButtons() {
  document.querySelectorAll('.lang-btn').forEach((b) => {
    b.setAttribute('aria-pressed', String(b.dataset.locale === getLocale()));
  });
}

/** Applies a language at once; saves it for the user (or this browser). */
async function changeLocale(loc) {
  if (loc === getLocale()) return;
  setLocale(loc);
  storeLocale(loc);
  if (!state.user) return;
  try {
    const user = await api.patch('/api/v1/me', { locale: loc });
    if (user && typeof user === 'object') state.user = { ...state.user, ...user };
  } catch (err) {
    if (err.status !== 401) notifyError(err);
  }
}

function showUser() {
  const u = state.user;
  const menu = $('user-menu');
  if (!u) {
    menu.hidden = true;
    return;
  }
  menu.hidden = false;
  $('user-name').textContent = u.name || u.email;
  setText($('user-role'), `role.${u.role}`);
  $('panel-name').textContent = u.name || u.email;
  setText($('panel-role'), `role.${u.role}`);
  $('user-email').textContent = u.email || '';
  $('user-avatar').textContent = initials(u.name || u.email || '?');
}

function initials(name) {
  const parts = String(name).trim().split(/\s+/);
  const first = parts[0] ? parts[0][0] : '';
  const last = parts.length > 1 ? parts[parts.length - 1][0] : '';
  return (first + last).toUpperCase();
}

function closeMenus() {
  setOpen($('menu-toggle'), $('sidenav'), false);
  setOpen($('user-button'), $('user-panel'), false);
}

function setOpen(button, panel, open) {
  button.setAttribute('aria-expanded', String(open));
  if (panel === $('sidenav')) document.body.classList.toggle('nav-open', open);
  else panel.hidden = !open;
}

function wireShell() {
  $('lang-slot-top').append(langSwitch());
  $('menu-toggle').addEventListener('click', () => {
    const open = $('menu-toggle').getAttribute('aria-expanded') !== 'true';
    setOpen($('menu-toggle'), $('sidenav'), open);
  });
  $('user-button').addEventListener('click', () => {
    const open = $('user-button').getAttribute('aria-expanded') !== 'true';
    setOpen($('user-button'), $('user-panel'), open);
    if (open) $('logout-button').focus();
  });
  document.addEventListener('click', (e) => {
    if (!$('user-menu').contains(e.target)) setOpen($('user-button'), $('user-panel'), false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if ($('user-button').getAttribute('aria-expanded') === 'true') {
      setOpen($('user-button'), $('user-panel'), false);
      $('user-button').focus();
    } else if ($('menu-toggle').getAttribute('aria-expanded') === 'true') {
      setOpen($('menu-toggle'), $('sidenav'), false);
      $('menu-toggle').focus();
    }
  });
  $('logout-button').addEventListener('click', logout);
  $('notice-close').addEventListener('click', () => ($('notice').hidden = true));
  // The skip link must not change the hash: the router owns it.
  $('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    const h1 = $('main').querySelector('h1');
    (h1 || $('main')).focus();
  });
  onLocaleChange(() => {
    syncLangButtons();
    setTitle(state.titleKey, state.titleText);
  });
}

/* ------------------------------------------------------------- session */

function adoptUser(user, csrf) {
  if (!state.user || state.user.id !== user.id) resetCaches();
  state.user = user;
  setCsrfToken(csrf || user.csrf_token || null);
  const loc = normaliseLocale(user.locale);
  if (loc) {
    setLocale(loc);
    storeLocale(loc);
  }
  showUser();
}

/** Called by the login page with the body of POST /auth/login. */
function onLogin(body) {
  adoptUser(body.user, body.csrf_token);
  renderRoute();
}

function dropSession() {
  state.user = null;
  setCsrfToken(null);
  showUser();
}

async function logout() {
  try {
    await api.post('/api/v1/auth/logout', undefined, { auth: false });
  } catch (err) {
    if (err.status !== 401) notifyError(err);
  }
  dropSession();
  state.afterLogin = null;
  location.hash = '#/login';
}

onUnauthorized((err) => {
  if (!state.user) return;
  dropSession();
  state.afterLogin = location.hash.replace(/^#\/?/, '');
  notify({ key: 'error.unauthorized' }, 'error');
  if (currentRoute() === 'login') renderRoute();
  else location.hash = '#/login';
});

/* ----------------------------------------------------------------- boot */

async function boot() {
  try {
    await loadCatalogues();
  } catch (err) {
    $('main').textContent = String(err.message || err);
    return;
  }
  setLocale(storedLocale() || LOCALES[0]);
  buildNav();
  wireShell();
  try {
    const me = await api.get('/api/v1/me', { auth: false });
    if (me && me.id !== undefined) adoptUser(me, me.csrf_token);
  } catch (err) {
    if (err.status !== 401) notifyError(err);
  }
  window.addEventListener('hashchange', renderRoute);
  await renderRoute();
}

boot();
