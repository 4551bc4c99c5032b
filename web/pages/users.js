// Users admin page (#/users): the users the caller may see, with their role,
// team and state. Admins also get a form to create a user and an edit
// dialog for role, team and active (PATCH /api/v1/users/{id}).

import { api, listAll } from '../api.js';
import { ROLES } from '../constants.js';
import {
  h, field, select, onSubmit, clearErrors, formErrorBox,
  openDialog, notify, pageHeader, loading, setText,
} from '../dom.js';
import { flatTree, indentName } from '../tree.js';

export async function render(main, ctx) {
  const count = h('p', { class: 'muted', id: 'users-count' });
  main.append(pageHeader('users.title', count));
  const busy = loading();
  main.append(busy);

  const [users, teams] = await Promise.all([
    listAll('/api/v1/users'),
    listAll('/api/v1/teams').catch(() => []), // names only: the table works without them
  ]);
  if (!ctx.alive()) return;
  busy.remove();

  const view = { users, teams, ctx, count, tbody: null };
  const table = usersTable(view);
  // The form sits above the table so the table keeps the full width.
  if (ctx.isAdmin) main.append(createForm(view));
  main.append(
    h(
      'section',
      { class: 'card card-flush', 'aria-labelledby': 'users-list-title' },
      h('h2', { id: 'users-list-title', class: 'card-title', i18n: 'users.list_title' }),
      table,
    ),
  );
  refresh(view);
}

/* ---------------------------------------------------------------- table */

function usersTable(view) {
  view.tbody = h('tbody', {});
  const cols = ['users.col_email', 'users.col_name', 'users.col_role', 'users.col_team', 'users.col_active'];
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', i18nLabel: 'users.list_title' },
    h(
      'table',
      { class: 'table', id: 'users-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          cols.map((k) => h('th', { scope: 'col', i18n: k })),
          view.ctx.isAdmin ? h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'common.actions' })) : null,
        ),
      ),
      view.tbody,
    ),
  );
}

function refresh(view) {
  const sorted = [...view.users].sort((a, b) => String(a.email).localeCompare(String(b.email)));
  view.tbody.replaceChildren(...sorted.map((u) => userRow(view, u)));
  setText(view.count, 'users.count', { n: view.users.length });
}

function teamName(view, id) {
  if (id === null || id === undefined) return null;
  const tm = view.teams.find((x) => x.id === id);
  return tm ? tm.name : `#${id}`;
}

function userRow(view, u) {
  const team = teamName(view, u.team_id);
  return h(
    'tr',
    { 'data-user-id': u.id },
    h('td', { class: 'cell-email' }, u.email),
    h('td', {}, u.name),
    h('td', {}, h('span', { class: 'role-badge', i18n: `role.${u.role}` })),
    h('td', {}, team === null ? h('span', { class: 'muted', i18n: 'users.no_team' }) : team),
    h(
      'td',
      {},
      h('span', { class: u.active ? 'status status-on' : 'status status-off', i18n: u.active ? 'users.active' : 'users.inactive' }),
    ),
    view.ctx.isAdmin
      ? h(
          'td',
          { class: 'cell-actions' },
          h('button', {
            type: 'button',
            class: 'btn btn-small btn-secondary',
            i18n: 'common.edit',
            i18nLabel: 'users.edit_label',
            i18nLabelVars: { name: u.name || u.email },
            onclick: () => editDialog(view, u),
          }),
        )
      : null,
  );
}

/* ---------------------------------------------------------------- forms */

function roleSelect(id, current) {
  return select(
    { id, name: 'role', required: true },
    ROLES.map((r) => ({ value: r, label: `role.${r}`, selected: r === current })),
  );
}

function teamSelect(view, id, current) {
  return select({ id, name: 'team_id' }, [
    { value: '', label: 'users.no_team', selected: current === null || current === undefined },
    ...flatTree(view.teams).map(({ team, depth }) => ({
      value: String(team.id),
      text: indentName(team.name, depth),
      selected: team.id === current,
    })),
  ]);
}

function teamValue(v) {
  return v === '' ? null : Number(v);
}

function createForm(view) {
  const error = formErrorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'users.create_submit' });
  const form = h(
    'form',
    { id: 'user-create-form', novalidate: true },
    h('div', { class: 'form-grid' },
    field({ id: 'new-user-email', name: 'email', label: 'users.col_email', type: 'email', required: true, autocomplete: 'off' }),
    field({ id: 'new-user-name', name: 'name', label: 'users.col_name', required: true, autocomplete: 'off' }),
    field({ id: 'new-user-role', name: 'role', label: 'users.col_role', required: true, control: roleSelect('new-user-role', 'sales_rep') }),
    field({ id: 'new-user-team', name: 'team_id', label: 'users.col_team', control: teamSelect(view, 'new-user-team', null) }),
    field({
      id: 'new-user-password', name: 'password', label: 'users.password', type: 'password', required: true,
      autocomplete: 'new-password', hint: 'users.password_hint', attrs: { minlength: '8', maxlength: '1024' },
    }),
    ),
    error,
    h('div', { class: 'form-actions' }, submit),
  );
  onSubmit(form, submit, async (el) => {
    const body = {
      email: el.email.value.trim(),
      name: el.name.value.trim(),
      role: el.role.value,
      team_id: teamValue(el.team_id.value),
      password: el.password.value,
    };
    const user = await api.post('/api/v1/users', body);
    if (!view.ctx.alive()) return;
    view.users.push(user);
    refresh(view);
    form.reset();
    clearErrors(form);
    notify({ key: 'users.created', vars: { email: user.email } });
    const row = view.tbody.querySelector(`tr[data-user-id="${CSS.escape(String(user.id))}"]`);
    if (row) {
      row.classList.add('row-new');
      row.scrollIntoView({ block: 'nearest' });
    }
    el.email.focus();
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'user-create-title' },
    h('h2', { id: 'user-create-title', class: 'card-title', i18n: 'users.create_title' }),
    form,
  );
}

function editDialog(view, u) {
  const error = formErrorBox();
  const active = h('input', { type: 'checkbox', id: 'edit-user-active', name: 'active', checked: !!u.active });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'common.save' });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = h(
    'form',
    { id: 'user-edit-form', novalidate: true },
    h('p', { class: 'dialog-subject' }, h('strong', {}, u.name), ' ', h('span', { class: 'muted' }, u.email)),
    field({ id: 'edit-user-role', name: 'role', label: 'users.col_role', required: true, control: roleSelect('edit-user-role', u.role) }),
    field({ id: 'edit-user-team', name: 'team_id', label: 'users.col_team', control: teamSelect(view, 'edit-user-team', u.team_id) }),
    field({ id: 'edit-user-active', name: 'active', label: 'users.active_label', control: active }),
    error,
    h('div', { class: 'form-actions' }, cancel, save),
  );
  const dlg = openDialog('users.edit_title', form);
  cancel.addEventListener('click', () => dlg.close());
  onSubmit(form, save, async (el) => {
    const patch = {};
    if (el.role.value !== u.role) patch.role = el.role.value;
    const team = teamValue(el.team_id.value);
    if (team !== (u.team_id ?? null)) patch.team_id = team;
    if (el.active.checked !== !!u.active) patch.active = el.active.checked;
    if (Object.keys(patch).length === 0) {
      dlg.close();
      return;
    }
    const updated = await api.patch(`/api/v1/users/${encodeURIComponent(u.id)}`, patch);
    const i = view.users.findIndex((x) => x.id === u.id);
    if (i >= 0) view.users[i] = { ...u, ...(updated || patch) };
    refresh(view);
    dlg.close();
    focusRowButton(view, u.id);
    notify({ key: 'users.updated', vars: { email: u.email } });
  }, () => dlg.close());
}

// After a redraw the dialog's opener is gone: give focus to its successor.
function focusRowButton(view, id) {
  const b = view.tbody.querySelector(`tr[data-user-id="${CSS.escape(String(id))}"] button`);
  if (b) b.focus();
}
