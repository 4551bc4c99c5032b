// Dashboard (#/dashboard): greets the user and shows the numbers of users
// and teams the user may see, counted from the list endpoints. Only real
// data: a count that cannot be read says so instead of guessing.

import { listAll } from '../api.js';
import { h, setText, setLiteral, showError } from '../dom.js';
import { getLocale, onLocaleChange } from '../i18n.js';

export async function render(main, ctx) {
  const u = ctx.user;
  const usersCount = statCard('stat-users', 'dashboard.users_count', 'dashboard.users_hint', '#/users', 'dashboard.open_users');
  const teamsCount = statCard('stat-teams', 'dashboard.teams_count', 'dashboard.teams_hint', '#/teams', 'dashboard.open_teams');
  const teamValue = h('dd', { id: 'account-team', i18n: 'common.loading' });
  const langValue = h('dd', { id: 'account-lang', i18n: `lang.${getLocale()}` });
  const stop = onLocaleChange((loc) => setText(langValue, `lang.${loc}`));

  main.append(
    h(
      'div',
      { class: 'page-header' },
      h(
        'div',
        { class: 'page-heading' },
        h('h1', { tabindex: '-1', id: 'greeting', i18n: 'dashboard.greeting', i18nVars: { name: u.name || u.email } }),
        h('p', { class: 'muted' }, h('span', { i18n: 'dashboard.signed_in_as' }), ' ', h('strong', { class: 'role-badge', i18n: `role.${u.role}` })),
      ),
    ),
    h('section', { class: 'stats', 'aria-labelledby': 'stats-title' }, h('h2', { id: 'stats-title', class: 'sr-only', i18n: 'dashboard.stats_title' }), usersCount.el, teamsCount.el),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'account-title' },
      h('h2', { id: 'account-title', i18n: 'dashboard.account_title' }),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', { i18n: 'users.col_email' }), h('dd', {}, u.email || '')),
        h('div', {}, h('dt', { i18n: 'users.col_role' }), h('dd', { i18n: `role.${u.role}` })),
        h('div', {}, h('dt', { i18n: 'users.col_team' }), teamValue),
        h('div', {}, h('dt', { i18n: 'shell.language' }), langValue),
      ),
    ),
  );

  const [users, teams] = await Promise.allSettled([listAll('/api/v1/users'), listAll('/api/v1/teams')]);
  if (!ctx.alive()) {
    stop();
    return null;
  }
  usersCount.set(users);
  teamsCount.set(teams);
  if (!u.team_id) setText(teamValue, 'users.no_team');
  else if (teams.status === 'fulfilled') {
    const team = teams.value.find((tm) => tm.id === u.team_id);
    if (team) setLiteral(teamValue, team.name);
    else setText(teamValue, 'common.unknown');
  } else setText(teamValue, 'common.unknown');
  return stop;
}

function statCard(id, labelKey, hintKey, href, linkKey) {
  const value = h('p', { class: 'stat-value', id: `${id}-value`, 'aria-live': 'polite' }, '…');
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const el = h(
    'article',
    { class: 'card stat', id, 'aria-labelledby': `${id}-label` },
    h('h3', { class: 'stat-label', id: `${id}-label`, i18n: labelKey }),
    value,
    h('p', { class: 'muted stat-hint', i18n: hintKey }),
    err,
    h('a', { href, class: 'stat-link', i18n: linkKey }),
  );
  return {
    el,
    set(result) {
      if (result.status === 'fulfilled') {
        value.textContent = new Intl.NumberFormat(getLocale() === 'en' ? 'en-US' : 'vi-VN').format(result.value.length);
      } else {
        value.textContent = '—';
        showError(err, result.reason);
      }
    },
  };
}
