// Teams page (#/teams): the team tree (nested by parent_id) with each
// team's kind and manager. Admins create teams here and edit a team's name,
// kind, parent and manager in a dialog (PATCH /api/v1/teams/{id}).

import { api, listAll } from '../api.js';
import { TEAM_KINDS } from '../constants.js';
import {
  h, field, select, onSubmit, clearErrors, formErrorBox,
  openDialog, notify, pageHeader, loading, setText, byName,
} from '../dom.js';
import { buildTree, flatTree, indentName } from '../tree.js';

export async function render(main, ctx) {
  const count = h('p', { class: 'muted', id: 'teams-count' });
  main.append(pageHeader('teams.title', count));
  const busy = loading();
  main.append(busy);

  const [teams, users] = await Promise.all([
    listAll('/api/v1/teams'),
    listAll('/api/v1/users').catch(() => []), // manager names only
  ]);
  if (!ctx.alive()) return;
  busy.remove();

  const view = { teams, users, ctx, count, treeBox: h('div', { id: 'team-tree' }) };
  const layout = h('div', { class: ctx.isAdmin ? 'split' : 'single' });
  layout.append(
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'team-tree-title' },
      h('h2', { id: 'team-tree-title', class: 'card-title', i18n: 'teams.tree_title' }),
      view.treeBox,
    ),
  );
  if (ctx.isAdmin) layout.append(createForm(view));
  main.append(layout);
  refresh(view);
}

/* ----------------------------------------------------------------- tree */

function refresh(view) {
  setText(view.count, 'teams.count', { n: view.teams.length });
  if (view.teams.length === 0) {
    view.treeBox.replaceChildren(h('p', { class: 'muted', i18n: 'teams.empty' }));
    return;
  }
  view.treeBox.replaceChildren(treeList(view, buildTree(view.teams), true));
}

function treeList(view, nodes, top) {
  return h('ul', { class: top ? 'tree' : 'tree-children' }, nodes.map((n) => treeItem(view, n)));
}

function managerName(view, id) {
  if (id === null || id === undefined) return null;
  const u = view.users.find((x) => x.id === id);
  return u ? u.name || u.email : `#${id}`;
}

function treeItem(view, node) {
  const tm = node.team;
  const manager = managerName(view, tm.manager_id);
  return h(
    'li',
    { 'data-team-id': tm.id },
    h(
      'div',
      { class: 'team-row' },
      h(
        'div',
        { class: 'team-main' },
        h('span', { class: 'team-name' }, tm.name),
        h('span', { class: `kind-badge kind-${TEAM_KINDS.includes(tm.kind) ? tm.kind : 'other'}`, i18n: TEAM_KINDS.includes(tm.kind) ? `kind.${tm.kind}` : null }, TEAM_KINDS.includes(tm.kind) ? null : tm.kind),
      ),
      h(
        'div',
        { class: 'team-meta muted' },
        manager === null
          ? h('span', { i18n: 'teams.no_manager' })
          : [h('span', { i18n: 'teams.manager_label' }), ' ', h('span', { class: 'team-manager' }, manager)],
      ),
      view.ctx.isAdmin
        ? h('button', {
            type: 'button',
            class: 'btn btn-small btn-secondary',
            i18n: 'common.edit',
            i18nLabel: 'teams.edit_label',
            i18nLabelVars: { name: tm.name },
            onclick: () => editDialog(view, tm),
          })
        : null,
    ),
    node.children.length ? treeList(view, node.children, false) : null,
  );
}

/* ---------------------------------------------------------------- forms */

function kindSelect(id, current) {
  return select(
    { id, name: 'kind', required: true },
    TEAM_KINDS.map((k) => ({ value: k, label: `kind.${k}`, selected: k === current })),
  );
}

// Parent choices; `self` (when editing) and its subtree are left out so a
// team cannot be put under itself.
function parentSelect(view, id, current, self) {
  const banned = self ? subtreeIds(view, self.id) : new Set();
  return select({ id, name: 'parent_id' }, [
    { value: '', label: 'teams.no_parent', selected: current === null || current === undefined },
    ...flatTree(view.teams)
      .filter(({ team }) => !banned.has(team.id))
      .map(({ team, depth }) => ({ value: String(team.id), text: indentName(team.name, depth), selected: team.id === current })),
  ]);
}

function subtreeIds(view, rootId) {
  const ids = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const tm of view.teams) {
      if (!ids.has(tm.id) && ids.has(tm.parent_id)) {
        ids.add(tm.id);
        grew = true;
      }
    }
  }
  return ids;
}

function managerSelect(view, id, current) {
  const active = view.users.filter((u) => u.active || u.id === current);
  return select({ id, name: 'manager_id' }, [
    { value: '', label: 'teams.no_manager_option', selected: current === null || current === undefined },
    ...[...active].sort(byName).map((u) => ({ value: String(u.id), text: `${u.name} (${u.email})`, selected: u.id === current })),
  ]);
}

function idValue(v) {
  return v === '' ? null : Number(v);
}

function createForm(view) {
  const error = formErrorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'teams.create_submit' });
  const form = h(
    'form',
    { id: 'team-create-form', novalidate: true },
    field({ id: 'new-team-name', name: 'name', label: 'teams.name', required: true, autocomplete: 'off' }),
    field({ id: 'new-team-kind', name: 'kind', label: 'teams.kind', required: true, control: kindSelect('new-team-kind', 'sales') }),
    field({ id: 'new-team-parent', name: 'parent_id', label: 'teams.parent', control: parentSelect(view, 'new-team-parent', null, null) }),
    field({ id: 'new-team-manager', name: 'manager_id', label: 'teams.manager', control: managerSelect(view, 'new-team-manager', null) }),
    error,
    h('div', { class: 'form-actions' }, submit),
  );
  onSubmit(form, submit, async (el) => {
    const body = {
      name: el.name.value.trim(),
      kind: el.kind.value,
      parent_id: idValue(el.parent_id.value),
      manager_id: idValue(el.manager_id.value),
    };
    const team = await api.post('/api/v1/teams', body);
    if (!view.ctx.alive()) return;
    view.teams.push(team);
    refresh(view);
    // The new team is a possible parent for the next one.
    el.parent_id.replaceChildren(...parentSelect(view, 'tmp', null, null).options);
    form.reset();
    clearErrors(form);
    notify({ key: 'teams.created', vars: { name: team.name } });
    form.elements.name.focus();
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'team-create-title' },
    h('h2', { id: 'team-create-title', class: 'card-title', i18n: 'teams.create_title' }),
    form,
  );
}

function editDialog(view, tm) {
  const error = formErrorBox();
  const save = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'common.save' });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const nameInput = h('input', { type: 'text', id: 'edit-team-name', name: 'name', required: true, value: tm.name, autocomplete: 'off' });
  const form = h(
    'form',
    { id: 'team-edit-form', novalidate: true },
    field({ id: 'edit-team-name', name: 'name', label: 'teams.name', required: true, control: nameInput }),
    field({ id: 'edit-team-kind', name: 'kind', label: 'teams.kind', required: true, control: kindSelect('edit-team-kind', tm.kind) }),
    field({ id: 'edit-team-parent', name: 'parent_id', label: 'teams.parent', control: parentSelect(view, 'edit-team-parent', tm.parent_id, tm) }),
    field({ id: 'edit-team-manager', name: 'manager_id', label: 'teams.manager', control: managerSelect(view, 'edit-team-manager', tm.manager_id) }),
    error,
    h('div', { class: 'form-actions' }, cancel, save),
  );
  const dlg = openDialog('teams.edit_title', form);
  cancel.addEventListener('click', () => dlg.close());
  onSubmit(form, save, async (el) => {
    const patch = {};
    if (el.name.value.trim() !== tm.name) patch.name = el.name.value.trim();
    if (el.kind.value !== tm.kind) patch.kind = el.kind.value;
    const parent = idValue(el.parent_id.value);
    if (parent !== (tm.parent_id ?? null)) patch.parent_id = parent;
    const manager = idValue(el.manager_id.value);
    if (manager !== (tm.manager_id ?? null)) patch.manager_id = manager;
    if (Object.keys(patch).length === 0) {
      dlg.close();
      return;
    }
    const updated = await api.patch(`/api/v1/teams/${encodeURIComponent(tm.id)}`, patch);
    const i = view.teams.findIndex((x) => x.id === tm.id);
    if (i >= 0) view.teams[i] = { ...tm, ...(updated || patch) };
    refresh(view);
    dlg.close();
    const b = view.treeBox.querySelector(`li[data-team-id="${CSS.escape(String(tm.id))}"] > .team-row button`);
    if (b) b.focus();
    notify({ key: 'teams.updated', vars: { name: view.teams[i >= 0 ? i : 0].name } });
  }, () => dlg.close());
}
