// The timeline of a contact, company or deal (GET /api/v1/<obj>/{id}/
// timeline): activities, lifecycle stage changes, field changes, creation,
// merges and a contact's touchpoints, newest first, a page at a time ("show older"). Open tasks
// can be marked done from here.

import { api, withQuery } from './api.js';
import { h, t, notifyError, showError } from './dom.js';
import { OBJECTS, fieldOf, loadNames } from './crm.js';
import { display, enumText, labelEl, customDef } from './fields.js';
import { formatDateTime } from './format.js';
import { has } from './i18n.js';
import { icon } from './icons.js';

const PAGE = 20;
// Fields whose changes are noise on a timeline (they follow other changes).
const QUIET = new Set(['updated_at', 'phone_key']);

/**
 * Builds the timeline section of record `id` of `obj`. Returns {el,
 * reload}. refs: {users, pipelines, customFields}.
 */
export function timeline(obj, id, refs, { onChange } = {}) {
  const list = h('ol', { class: 'timeline', id: 'timeline', 'aria-live': 'polite', 'aria-busy': 'true' });
  const status = h('p', { class: 'muted', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const more = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'timeline-more', i18n: 'timeline.older', hidden: true });
  let next = null;
  let seq = 0;

  const load = async (cursor) => {
    const my = ++seq;
    error.hidden = true;
    let page;
    try {
      page = await api.get(withQuery(`${OBJECTS[obj].path}/${id}/timeline`, { limit: PAGE, cursor }));
    } catch (err) {
      if (my !== seq) return;
      list.removeAttribute('aria-busy');
      showError(error, err);
      return;
    }
    if (my !== seq) return;
    const entries = page.data || [];
    await namesFor(entries);
    if (my !== seq) return;
    const items = entries.map((e) => entry(e, obj, refs, { reload: () => load(null), onChange }));
    if (cursor) list.append(...items);
    else list.replaceChildren(...items);
    list.removeAttribute('aria-busy');
    next = page.next_cursor || null;
    more.hidden = !next;
    status.textContent = list.children.length ? '' : t('timeline.empty');
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    await load(next);
    more.disabled = false;
  });
  load(null);
  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title', class: 'card-title', i18n: 'timeline.title' }),
    error,
    list,
    status,
    h('div', { class: 'list-more' }, more),
  );
  return { el, reload: () => load(null) };
}

/** Caches the names of the records the entries refer to. */
async function namesFor(entries) {
  const want = { companies: [], contacts: [], deals: [], campaigns: [] };
  for (const e of entries) {
    if (e.touchpoint && e.touchpoint.campaign_id) want.campaigns.push(e.touchpoint.campaign_id);
    const a = e.activity;
    if (a) {
      if (a.contact_id) want.contacts.push(a.contact_id);
      if (a.company_id) want.companies.push(a.company_id);
      if (a.deal_id) want.deals.push(a.deal_id);
    }
    for (const [k, pair] of Object.entries(e.changes || {})) {
      const target = k === 'company_id' || k === 'parent_id' ? 'companies' : k === 'contact_id' ? 'contacts' : k === 'deal_id' ? 'deals' : null;
      if (target) for (const v of pair) if (typeof v === 'number') want[target].push(v);
    }
  }
  const forms = [...new Set(entries.filter((e) => e.via && e.via.kind === 'form' && !formNames.has(e.via.id)).map((e) => e.via.id))];
  await Promise.all([
    ...Object.entries(want).map(([o, ids]) => (ids.length ? loadNames(o, ids) : null)),
    ...forms.map((id) =>
      api
        .get(`/api/v1/forms/${id}`)
        .then((f) => formNames.set(id, f.name))
        .catch(() => formNames.set(id, null)),
    ),
  ]);
}

// Names of the web forms that wrote entries ("via": {"kind":"form"}).
const formNames = new Map();

/** "via the form X", linked to the form, for an entry a form wrote. */
function viaForm(id) {
  const name = formNames.get(id) || `#${id}`;
  return h('a', { class: 'tl-who tl-via', href: `#/forms/${id}` }, t('timeline.via_form', { name }));
}

function who(refs, userId) {
  if (!userId) return t('timeline.system');
  const u = (refs.users || []).find((x) => x.id === userId);
  return u ? u.name || u.email : t('common.user_n', { id: userId });
}

function meta(e, refs) {
  return h(
    'p',
    { class: 'tl-meta muted' },
    e.via && e.via.kind === 'form' && !e.user_id ? viaForm(e.via.id) : h('span', { class: 'tl-who' }, who(refs, e.user_id)),
    ' · ',
    h('time', { datetime: e.at }, formatDateTime(e.at)),
  );
}

function entry(e, obj, refs, hooks) {
  switch (e.type) {
    case 'activity':
      return activityEntry(e, refs, hooks);
    case 'stage_change':
      return h(
        'li',
        { class: 'tl-item tl-stage', 'data-type': 'stage_change' },
        h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, icon('stage_change')),
        h(
          'div',
          { class: 'tl-body' },
          h(
            'p',
            { class: 'tl-title' },
            e.from
              ? t('timeline.stage_from_to', { from: enumText({ prefix: 'stage' }, e.from), to: enumText({ prefix: 'stage' }, e.to) })
              : t('timeline.stage_set', { to: enumText({ prefix: 'stage' }, e.to) }),
            e.reason && e.reason !== 'manual' && has(`timeline.reason.${e.reason}`) ? h('span', { class: 'muted' }, ` (${t(`timeline.reason.${e.reason}`)})`) : null,
          ),
          meta(e, refs),
        ),
      );
    case 'field_change':
      return changeEntry(e, obj, refs);
    case 'touchpoint':
      return touchpointEntry(e, refs);
    case 'created':
      return h(
        'li',
        { class: 'tl-item tl-created', 'data-type': 'created' },
        h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, icon('created')),
        h('div', { class: 'tl-body' }, h('p', { class: 'tl-title', i18n: `timeline.created_${OBJECTS[obj].singular}` }), meta(e, refs)),
      );
    case 'merged':
      return h(
        'li',
        { class: 'tl-item tl-merged', 'data-type': 'merged' },
        h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, icon('merged')),
        h('div', { class: 'tl-body' }, h('p', { class: 'tl-title' }, t('timeline.merged', { id: e.merged_id ?? '?' })), meta(e, refs)),
      );
    default:
      return h('li', { class: 'tl-item', 'data-type': e.type }, h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, '•'), h('div', { class: 'tl-body' }, h('p', { class: 'tl-title' }, e.type), meta(e, refs)));
  }
}

function activityEntry(e, refs, hooks) {
  const a = e.activity || {};
  const isOpenTask = a.kind === 'task' && !a.done_at;
  const overdue = isOpenTask && a.due_at && new Date(a.due_at) < new Date();
  const outcome = a.outcome ? (has(`outcome.${a.outcome}`) ? t(`outcome.${a.outcome}`) : a.outcome) : null;
  const done = h('button', {
    type: 'button',
    class: 'btn btn-small btn-secondary tl-done',
    i18n: 'timeline.mark_done',
    onclick: async (ev) => {
      ev.currentTarget.disabled = true;
      try {
        await api.patch(`/api/v1/activities/${a.id}`, { done_at: new Date().toISOString() });
        hooks.reload();
        if (hooks.onChange) hooks.onChange();
      } catch (err) {
        ev.currentTarget.disabled = false;
        notifyError(err);
      }
    },
  });
  return h(
    'li',
    { class: `tl-item tl-activity tl-kind-${a.kind}`, 'data-type': 'activity', 'data-activity-id': a.id },
    h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, icon(a.kind)),
    h(
      'div',
      { class: 'tl-body' },
      h(
        'p',
        { class: 'tl-title' },
        h('span', { class: 'kind-badge', i18n: `activity_kind.${a.kind}` }),
        ' ',
        h('strong', { class: 'tl-subject' }, a.subject || ''),
        outcome ? h('span', { class: 'tl-outcome' }, ` · ${outcome}`) : null,
      ),
      a.body ? h('p', { class: 'tl-text' }, a.body) : null,
      a.kind === 'task'
        ? h(
            'p',
            { class: `tl-due ${overdue ? 'tl-overdue' : ''}` },
            a.done_at
              ? t('timeline.task_done', { at: formatDateTime(a.done_at) })
              : a.due_at
                ? t(overdue ? 'timeline.task_overdue' : 'timeline.task_due', { at: formatDateTime(a.due_at) })
                : t('timeline.task_open'),
            isOpenTask ? [' ', done] : null,
          )
        : null,
      meta(e, refs),
    ),
  );
}

// Kinds drawn with an icon of their own; the rest use the generic one.
const TP_ICONS = { email_open: 'email', email_click: 'email', call: 'call', meeting: 'meeting' };

function touchpointEntry(e, refs) {
  const tp = e.touchpoint || {};
  const utm = [tp.utm_source, tp.utm_medium].filter(Boolean).join(' / ');
  const kind = has(`touchpoint_kind.${tp.kind}`) ? t(`touchpoint_kind.${tp.kind}`) : tp.kind;
  return h(
    'li',
    { class: `tl-item tl-touchpoint tl-kind-${tp.kind}`, 'data-type': 'touchpoint', 'data-touchpoint-id': tp.id },
    h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, icon(TP_ICONS[tp.kind] || 'touchpoint')),
    h(
      'div',
      { class: 'tl-body' },
      h(
        'p',
        { class: 'tl-title' },
        h('span', { class: 'kind-badge' }, t('timeline.touchpoint', { kind })),
        tp.campaign_id ? [' ', display({ name: 'campaign_id', type: 'campaign' }, tp.campaign_id, refs)] : null,
        utm ? h('span', { class: 'tl-utm muted' }, ` · ${utm}`) : null,
      ),
      tp.url ? h('p', { class: 'tl-text tl-url' }, tp.url) : null,
      meta(e, refs),
    ),
  );
}

function changeEntry(e, obj, refs) {
  const rows = [];
  for (const [name, pair] of Object.entries(e.changes || {})) {
    if (QUIET.has(name)) continue;
    const [from, to] = Array.isArray(pair) ? pair : [null, pair];
    if (name === 'custom') {
      const a = from && typeof from === 'object' ? from : {};
      const b = to && typeof to === 'object' ? to : {};
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (JSON.stringify(a[k]) === JSON.stringify(b[k])) continue;
        const cf = (refs.customFields || []).find((x) => x.name === k);
        const def = cf ? customDef(cf) : { name: `custom.${k}`, type: 'text', custom: { label: k }, label: k };
        rows.push(changeRow(def, a[k], b[k], refs));
      }
      continue;
    }
    const def = fieldOf(obj, name) || { name, type: name.endsWith('_ids') ? 'ids' : 'text' };
    rows.push(changeRow(def, from, to, refs));
  }
  return h(
    'li',
    { class: 'tl-item tl-change', 'data-type': 'field_change' },
    h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, icon('field_change')),
    h('div', { class: 'tl-body' }, h('p', { class: 'tl-title', i18n: 'timeline.changed' }), rows.length ? h('ul', { class: 'tl-changes' }, rows) : null, meta(e, refs)),
  );
}

function shown(def, v, refs) {
  if (def.type === 'ids') return Array.isArray(v) && v.length ? v.map((x) => `#${x}`).join(', ') : '';
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return JSON.stringify(v);
  return display(def, v, refs);
}

function changeRow(def, from, to, refs) {
  const a = shown(def, from, refs);
  const b = shown(def, to, refs);
  const empty = () => h('span', { class: 'muted', i18n: 'timeline.empty_value' });
  return h(
    'li',
    { 'data-field': def.name },
    labelEl('span', def, { class: 'tl-field' }),
    ': ',
    h('span', { class: 'tl-old' }, a === '' ? empty() : a),
    ' → ',
    h('span', { class: 'tl-new' }, b === '' ? empty() : b),
  );
}
