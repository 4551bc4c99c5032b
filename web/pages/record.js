// Record page (#/contacts/12, #/companies/3, #/deals/7, #/campaigns/4):
// the properties with inline editing (one PATCH per field; the API's field
// error shows under the field), the contact's lifecycle stage path, the
// associated records, the collaborators, the activity form and the
// timeline; a campaign shows its cost entries instead (campaign.js).

import { api, listAll, withQuery } from '../api.js';
import { h, t, notify, notifyError, showError, setText, openDialog, field, formErrorBox, onSubmit } from '../dom.js';
import {
  OBJECTS, fieldOf, recordHref, recordTitle, rememberNames, loadNames, loadUsers,
  loadPipelines, loadCustomFields, findStage, cachedName, loadCampaigns, forgetCampaigns,
} from '../crm.js';
import { display, control, readControl, labelEl, customDef, InputError, enumText } from '../fields.js';
import { recordPicker, pickerValue } from '../picker.js';
import { createDialog, activityForm } from '../forms.js';
import { timeline } from '../timeline.js';
import { formatMoney, initialsOf, formatDateTime } from '../format.js';
import { LIFECYCLE_STAGES, CAMPAIGN_WRITERS } from '../constants.js';
import { costsCard, campaignSummary } from '../campaign.js';
import { has, onLocaleChange } from '../i18n.js';

// Properties shown, in order, per object (then the custom fields).
const PROPS = {
  contacts: ['last_name', 'first_name', 'email', 'phone', 'company_id', 'title', 'lifecycle_stage', 'lead_status', 'source', 'source_campaign_id', 'owner_id', 'city', 'country', 'score', 'created_at', 'updated_at'],
  companies: ['name', 'domain', 'industry', 'size_band', 'phone', 'city', 'country', 'parent_id', 'owner_id', 'lifecycle_stage', 'created_at', 'updated_at'],
  deals: ['name', 'amount', 'currency', 'stage_id', 'status', 'pipeline_id', 'close_date', 'owner_id', 'company_id', 'forecast_category', 'won_reason', 'lost_reason', 'closed_at', 'created_at', 'updated_at'],
  campaigns: ['name', 'channel', 'status', 'start_date', 'end_date', 'budget', 'currency', 'cost', 'utm_campaign', 'parent_id', 'owner_id', 'goal_leads', 'goal_mqls', 'goal_revenue', 'created_at', 'updated_at'],
};
// Shown but changed elsewhere: the pipeline moves with the stage.
const NOT_EDITABLE = new Set(['pipeline_id']);
const PATH_STAGES = LIFECYCLE_STAGES.filter((s) => s !== 'other');

export async function render(main, ctx) {
  const obj = ctx.section;
  const id = Number(ctx.rest[0]);
  const meta = OBJECTS[obj];
  const isCampaign = obj === 'campaigns';
  const [record, users, pipelines, customFields, campaigns] = await Promise.all([
    api.get(`${meta.path}/${id}`).catch((err) => {
      if (err.status === 404) return null;
      throw err;
    }),
    loadUsers().catch(() => []),
    loadPipelines().catch(() => []),
    isCampaign ? [] : loadCustomFields(obj),
    isCampaign || obj === 'contacts' ? loadCampaigns().catch(() => []) : [],
  ]);
  if (!ctx.alive()) return null;
  if (!record) {
    notFound(main, obj);
    return null;
  }
  // the campaign list is read once; a contact's original campaign may be newer
  if (record.source_campaign_id) await loadNames('campaigns', [record.source_campaign_id]);
  if (!ctx.alive()) return null;
  const refs = { users, pipelines, customFields, campaigns, record };
  // campaigns are read by everyone, written by marketing and admins
  const readOnly = isCampaign && !CAMPAIGN_WRITERS.includes(ctx.user.role);
  const page = { obj, id, meta, ctx, refs, record, main, readOnly };
  await loadRefNames(record);
  if (!ctx.alive()) return null;
  rememberNames(obj, [record]);
  if (isCampaign) return renderCampaign(page);

  page.header = h('div', { class: 'record-header' });
  page.props = h('dl', { class: 'props', id: 'record-props' });
  page.tl = timeline(obj, id, refs, { onChange: () => refresh(page) });
  const log = activityForm({
    link: activityLink(obj, record),
    refs,
    user: ctx.user,
    onLogged: () => page.tl.reload(),
  });

  const side = h(
    'div',
    { class: 'record-side' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'props-title' },
      h('h2', { id: 'props-title', class: 'card-title', i18n: 'record.properties' }),
      page.props,
    ),
  );
  const assoc = h('div', { class: 'record-assoc', id: 'record-assoc' });
  page.assoc = assoc;
  page.milestones = obj === 'contacts' ? h('section', { class: 'card', id: 'milestones', 'aria-labelledby': 'milestones-title' }) : null;
  page.collab = h('section', { class: 'card', id: 'collaborators', 'aria-labelledby': 'collab-title' });
  const center = h(
    'div',
    { class: 'record-main' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'log-title' },
      h('h2', { id: 'log-title', class: 'card-title', i18n: 'activity.log_title' }),
      log,
    ),
    page.tl.el,
  );
  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#/${obj}`, i18n: `nav.${obj}` })),
    page.header,
    h('div', { class: 'record-grid' }, side, center, h('div', { class: 'record-right' }, page.milestones, assoc, page.collab)),
  );
  drawHeader(page);
  drawProps(page);
  drawMilestones(page);
  drawAssociations(page);
  drawCollaborators(page);
  const stop = onLocaleChange(() => {
    drawHeader(page);
    drawProps(page);
    drawMilestones(page);
  });
  return stop;
}

/** A campaign's page: its properties and its cost entries. */
function renderCampaign(page) {
  const { main, obj } = page;
  page.header = h('div', { class: 'record-header' });
  page.props = h('dl', { class: 'props', id: 'record-props' });
  page.costs = costsCard(page.record, {
    readOnly: page.readOnly,
    onChange: () => refresh(page),
  });
  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#/${obj}`, i18n: `nav.${obj}` })),
    page.header,
    h(
      'div',
      { class: 'record-grid record-grid-campaign' },
      h(
        'div',
        { class: 'record-side' },
        h('section', { class: 'card', 'aria-labelledby': 'props-title' }, h('h2', { id: 'props-title', class: 'card-title', i18n: 'record.properties' }), page.props),
      ),
      h('div', { class: 'record-main' }, page.costs.el),
    ),
  );
  drawHeader(page);
  drawProps(page);
  return onLocaleChange(() => {
    drawHeader(page);
    drawProps(page);
    page.costs.redraw();
  });
}

function notFound(main, obj) {
  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#/${obj}`, i18n: `nav.${obj}` })),
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1', i18n: 'record.not_found_title' })),
    h('section', { class: 'card empty-state' }, h('p', { i18n: 'record.not_found' }), h('p', {}, h('a', { href: `#/${obj}`, class: 'btn btn-secondary', i18n: `record.back_${OBJECTS[obj].singular}` }))),
  );
}

/** The links of an activity logged from this record. */
function activityLink(obj, r) {
  if (obj === 'contacts') return { contact_id: r.id, ...(r.company_id ? { company_id: r.company_id } : {}) };
  if (obj === 'companies') return { company_id: r.id };
  return { deal_id: r.id, ...(r.company_id ? { company_id: r.company_id } : {}) };
}

async function loadRefNames(r) {
  const jobs = [];
  if (r.company_id) jobs.push(loadNames('companies', [r.company_id]));
  if (r.parent_id) jobs.push(loadNames(r.channel ? 'campaigns' : 'companies', [r.parent_id]));
  if (Array.isArray(r.contact_ids) && r.contact_ids.length) jobs.push(loadNames('contacts', r.contact_ids));
  await Promise.all(jobs);
}

/** Reads the record again (after a change made elsewhere on the page). */
async function refresh(page) {
  try {
    const r = await api.get(`${page.meta.path}/${page.id}`);
    if (!page.ctx.alive()) return;
    await loadRefNames(r);
    setRecord(page, r);
  } catch (err) {
    notifyError(err);
  }
}

function setRecord(page, r) {
  page.record = r;
  page.refs.record = r;
  rememberNames(page.obj, [r]);
  drawHeader(page);
  drawProps(page);
  drawMilestones(page);
  if (page.costs) page.costs.setCampaign(r);
}

/**
 * A contact's lifecycle milestones: the first entry into each funnel
 * stage (became_<stage>_at, kept by the server from the stage history,
 * read-only here) and its highest stage ever.
 */
function drawMilestones(page) {
  if (!page.milestones) return;
  const r = page.record;
  page.milestones.replaceChildren(
    h('h2', { id: 'milestones-title', class: 'card-title', i18n: 'record.milestones' }),
    h('p', { class: 'muted field-hint', i18n: 'record.milestones_hint' }),
    h(
      'dl',
      { class: 'milestones', id: 'milestones-list' },
      PATH_STAGES.map((s) => {
        const at = r[`became_${s}_at`];
        return h(
          'div',
          { class: `milestone${r.highest_stage === s ? ' is-highest' : ''}`, 'data-stage': s, 'data-at': at || '' },
          h('dt', { i18n: `stage.${s}` }),
          h('dd', {}, at ? h('time', { datetime: at }, formatDateTime(at)) : h('span', { class: 'muted', i18n: 'record.milestone_none' })),
        );
      }),
    ),
    r.highest_stage
      ? h('p', { class: 'milestone-highest', id: 'milestone-highest' }, h('span', { class: 'muted', i18n: 'field.highest_stage' }), ': ', display(fieldOf('contacts', 'highest_stage'), r.highest_stage))
      : null,
  );
}

/* -------------------------------------------------------------- header */

function drawHeader(page) {
  const { obj, record: r, refs } = page;
  const title = recordTitle(obj, r);
  page.ctx.setTitleText(title);
  const sub = [];
  if (obj === 'contacts') {
    if (r.title) sub.push(r.title);
    if (r.company_id) sub.push(h('a', { href: recordHref('companies', r.company_id) }, cachedName('companies', r.company_id) || `#${r.company_id}`));
    if (r.email) sub.push(r.email);
  } else if (obj === 'companies') {
    if (r.domain) sub.push(r.domain);
    if (r.industry) sub.push(r.industry);
    if (r.city) sub.push(r.city);
  } else if (obj === 'campaigns') {
    sub.push(...campaignSummary(r));
  } else {
    sub.push(h('strong', { class: 'deal-amount' }, formatMoney(r.amount, r.currency)));
    const s = findStage(refs.pipelines, r.stage_id);
    if (s) sub.push(`${s.pipeline.name} · ${s.stage.name}`);
    sub.push(h('span', { class: `deal-status deal-${r.status}` }, enumText(fieldOf('deals', 'status'), r.status)));
  }
  const del = page.readOnly ? null : h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'record-delete', i18n: 'common.delete', onclick: () => remove(page) });
  const merge = obj === 'deals' || obj === 'campaigns' ? null : h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'record-merge', i18n: 'merge.button', onclick: () => mergeDialog(page) });
  const heading = h('h1', { tabindex: '-1', id: 'record-title' }, title);
  page.header.replaceChildren(
    h('div', { class: 'record-avatar', 'aria-hidden': 'true' }, obj === 'deals' ? '₫' : initialsOf(title)),
    h(
      'div',
      { class: 'record-heading' },
      heading,
      sub.length ? h('p', { class: 'record-sub muted' }, sub.flatMap((x, i) => (i ? [' · ', x] : [x]))) : null,
      obj === 'contacts' ? stagePath(page) : null,
    ),
    h('div', { class: 'page-actions' }, merge, del),
  );
  // Keep focus on the page heading when the header is redrawn under it.
  if (document.activeElement === document.body) heading.focus({ preventScroll: true });
}

/** The contact's lifecycle stage as a path of buttons (click to change). */
function stagePath(page) {
  const cur = page.record.lifecycle_stage;
  const curIdx = PATH_STAGES.indexOf(cur);
  return h(
    'nav',
    { class: 'stage-path-wrap', i18nLabel: 'record.stage_path' },
    h(
      'ol',
      { class: 'stage-path', id: 'stage-path' },
      PATH_STAGES.map((s, i) =>
        h(
          'li',
          { class: i < curIdx ? 'done' : i === curIdx ? 'current' : '' },
          h('button', {
            type: 'button',
            'data-stage': s,
            'aria-current': s === cur ? 'step' : null,
            i18n: `stage.${s}`,
            onclick: async (e) => {
              if (s === cur) return;
              e.currentTarget.disabled = true;
              try {
                await save(page, { lifecycle_stage: s });
                // the path was drawn again: keep focus on the chosen stage
                const again = page.header.querySelector(`#stage-path button[data-stage="${s}"]`);
                if (again) again.focus();
                notify({ key: 'record.stage_changed', vars: { stage: t(`stage.${s}`) } });
              } catch (err) {
                notifyError(err);
                if (e.currentTarget) e.currentTarget.disabled = false;
              }
            },
          }),
        ),
      ),
    ),
  );
}

/**
 * Merges another contact (or company) into this one: the other record's
 * activities, deals, stage history and collaborators move here and it is
 * removed (POST /api/v1/<obj>/{id}/merge {"merge_id"}).
 */
function mergeDialog(page) {
  const { obj, meta, record } = page;
  const picker = recordPicker({ id: 'merge-with', name: 'merge_id', obj, value: null });
  const error = formErrorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'merge.submit' });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = h(
    'form',
    { id: 'merge-form', novalidate: true },
    h('p', { i18n: `merge.intro_${meta.singular}`, i18nVars: { name: recordTitle(obj, record) } }),
    field({ id: 'merge-with', name: 'merge_id', label: `merge.pick_${meta.singular}`, required: true, control: picker.el }),
    error,
    h('div', { class: 'form-actions' }, cancel, submit),
  );
  const dlg = openDialog('merge.title', form);
  cancel.addEventListener('click', () => dlg.close());
  onSubmit(form, submit, async () => {
    const other = pickerValue(picker.input);
    if (!other) throw { field: 'merge_id', code: 'input', message: t(`merge.pick_${meta.singular}`) };
    if (other === record.id) throw { field: 'merge_id', code: 'input', message: t('merge.same') };
    const name = cachedName(obj, other) || `#${other}`;
    if (!window.confirm(t('merge.confirm', { other: name, name: recordTitle(obj, record) }))) return;
    const r = await api.post(`${meta.path}/${record.id}/merge`, { merge_id: other });
    dlg.close();
    await loadRefNames(r);
    setRecord(page, r);
    page.tl.reload();
    drawAssociations(page);
    drawCollaborators(page);
    notify({ key: 'merge.done', vars: { other: name } });
  }, () => dlg.close());
}

async function remove(page) {
  const name = recordTitle(page.obj, page.record);
  if (!window.confirm(t(`record.confirm_delete_${page.meta.singular}`, { name }))) return;
  try {
    await api.del(`${page.meta.path}/${page.id}`);
  } catch (err) {
    notifyError(err);
    return;
  }
  notify({ key: `record.deleted_${page.meta.singular}`, vars: { name } });
  if (page.obj === 'campaigns') forgetCampaigns();
  page.ctx.navigate(page.obj);
}

/** PATCHes body, takes the answer as the new record, refreshes the timeline. */
async function save(page, body) {
  const r = await api.patch(`${page.meta.path}/${page.id}`, body);
  if (!page.ctx.alive()) return r;
  await loadRefNames(r);
  setRecord(page, r);
  if (page.obj === 'campaigns') {
    forgetCampaigns();
    return r;
  }
  page.tl.reload();
  if ('company_id' in body || 'contact_ids' in body) drawAssociations(page);
  return r;
}

/* ---------------------------------------------------------- properties */

function propDefs(page) {
  const defs = PROPS[page.obj].map((n) => fieldOf(page.obj, n)).filter(Boolean);
  return defs.concat((page.refs.customFields || []).map(customDef));
}

function valueOf(record, def) {
  if (def.custom) return (record.custom || {})[def.custom.name] ?? null;
  if (def.goal) return (record.goals || {})[def.goal] ?? null;
  return record[def.name];
}

function drawProps(page) {
  const editing = page.props.querySelector('.prop.is-editing');
  if (editing) return; // do not pull an open editor from under the user
  page.props.replaceChildren(...propDefs(page).map((def) => propRow(page, def)));
}

function propRow(page, def) {
  const key = def.name.replace(/[^a-z0-9_]/gi, '-');
  const editable = !page.readOnly && !def.ro && !NOT_EDITABLE.has(def.name) && !(def.admin && !page.ctx.isAdmin);
  const v = display(def, valueOf(page.record, def), page.refs);
  const value = h('span', { class: 'prop-value', id: `prop-${key}-value` }, v === '' ? h('span', { class: 'muted' }, '—') : v);
  const row = h('div', { class: 'prop', 'data-field': def.name });
  const label = labelEl('dt', def, { id: `prop-${key}-label` });
  const dd = h('dd', {}, value);
  if (editable) {
    const btn = h(
      'button',
      {
        type: 'button',
        class: 'prop-edit',
        id: `prop-${key}-edit`,
        'aria-describedby': `prop-${key}-label prop-${key}-value`,
        onclick: () => openEditor(page, def, row),
      },
      h('span', { 'aria-hidden': 'true' }, '✎'),
      h('span', { class: 'sr-only', i18n: 'record.edit_field' }),
    );
    dd.append(btn);
    // Clicking the value (outside a link) edits it too.
    value.addEventListener('click', (e) => {
      if (!e.target.closest('a')) openEditor(page, def, row);
    });
    value.classList.add('prop-clickable');
  }
  row.append(label, dd);
  return row;
}

/** Replaces a property's value with its editor: Enter saves, Escape cancels. */
function openEditor(page, def, row) {
  const other = page.props.querySelector('.prop.is-editing');
  if (other && other !== row) closeEditor(page, other);
  const key = def.name.replace(/[^a-z0-9_]/gi, '-');
  const r = page.record;
  let c;
  if (def.name === 'stage_id') {
    // every stage of every pipeline: moving to another pipeline's stage
    // moves the deal to that pipeline
    const sel = h(
      'select',
      { id: `edit-${key}`, name: def.name },
      page.refs.pipelines.map((p) => h('optgroup', { label: p.name }, p.stages.map((s) => h('option', { value: String(s.id), selected: s.id === r.stage_id ? true : null }, s.name)))),
    );
    c = { el: sel, input: sel };
  } else {
    c = control(def, valueOf(r, def), page.refs, { id: `edit-${key}`, name: def.name });
  }
  c.input.setAttribute('aria-labelledby', `prop-${key}-label`);
  c.input.setAttribute('aria-describedby', `edit-${key}-error`);
  const err = h('p', { class: 'field-error', id: `edit-${key}-error`, hidden: true, role: 'alert' });
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', i18n: 'common.save' });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'common.cancel', onclick: () => closeEditor(page, row, true) });
  const form = h('form', { class: 'prop-form', novalidate: true }, c.el, h('div', { class: 'prop-actions' }, saveBtn, cancel), err);
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeEditor(page, row, true);
    } else if (e.key === 'Enter' && e.target.tagName === 'SELECT' && !e.target.multiple) {
      // a <select> does not submit its form on Enter; an inline editor should
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    c.input.removeAttribute('aria-invalid');
    if (c.input.type === 'email' && c.input.validity.typeMismatch) {
      showFieldError(c.input, err, { message: t('form.invalid_email') });
      return;
    }
    let value;
    try {
      value = readControl(def, c.input, r.currency || 'VND');
    } catch (ex) {
      showFieldError(c.input, err, ex instanceof InputError ? { message: t(ex.key) } : ex);
      return;
    }
    let body;
    if (def.custom) body = { custom: { ...(r.custom || {}), [def.custom.name]: value } };
    else if (def.goal) body = { goals: { ...(r.goals || {}), [def.goal]: value } };
    else if (def.name === 'stage_id') {
      const s = findStage(page.refs.pipelines, value);
      body = { stage_id: value, ...(s && s.pipeline.id !== r.pipeline_id ? { pipeline_id: s.pipeline.id } : {}) };
    } else body = { [def.name]: value };
    if (!def.custom && def.name !== 'stage_id' && JSON.stringify(value) === JSON.stringify(valueOf(r, def) ?? null)) {
      closeEditor(page, row, true);
      return;
    }
    saveBtn.disabled = true;
    try {
      row.classList.remove('is-editing');
      await save(page, body);
      const again = page.props.querySelector(`.prop[data-field="${CSS.escape(def.name)}"] .prop-edit`);
      if (again) again.focus();
      notify({ key: 'record.saved' });
    } catch (ex) {
      row.classList.add('is-editing');
      saveBtn.disabled = false;
      if (ex.status === 401) return;
      if (ex.status === 409 && ex.existingId) {
        const link = h('a', { href: recordHref(page.obj, ex.existingId), i18n: `form.open_existing_${page.meta.singular}` });
        showFieldError(c.input, err, ex, page.meta.singular);
        err.append(' ', link);
      } else showFieldError(c.input, err, ex, page.meta.singular);
    }
  });
  row.classList.add('is-editing');
  const dd = row.querySelector('dd');
  dd.replaceChildren(form);
  c.input.focus();
  if (c.input.select && c.input.type === 'text') c.input.select();
}

function showFieldError(input, p, ex, scope) {
  const key = ex && ex.field && ex.code && scope ? `error.${scope}.${ex.field}.${ex.code}` : null;
  if (key && has(key)) setText(p, key);
  else p.textContent = (ex && ex.message) || t('error.generic');
  p.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

function closeEditor(page, row, refocus) {
  row.classList.remove('is-editing');
  const def = propDefs(page).find((d) => d.name === row.dataset.field);
  if (!def) return;
  const fresh = propRow(page, def);
  row.replaceWith(fresh);
  if (refocus) {
    const b = fresh.querySelector('.prop-edit');
    if (b) b.focus();
  }
}

/* -------------------------------------------------------- associations */

function assocCard(id, titleKey, count, body, action) {
  return h(
    'section',
    { class: 'card assoc-card', id, 'aria-labelledby': `${id}-title` },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { id: `${id}-title`, class: 'card-title' }, h('span', { i18n: titleKey }), count !== null ? h('span', { class: 'count-badge' }, String(count)) : null),
      action,
    ),
    body,
  );
}

function assocList(obj, records, extra) {
  if (!records.length) return h('p', { class: 'muted', i18n: `record.no_${OBJECTS[obj].singular}` });
  return h(
    'ul',
    { class: 'assoc-list' },
    records.map((r) =>
      h(
        'li',
        { 'data-id': r.id },
        h('a', { href: recordHref(obj, r.id), class: 'assoc-name' }, recordTitle(obj, r)),
        extra ? extra(r) : null,
      ),
    ),
  );
}

async function drawAssociations(page) {
  const { obj, record: r, refs, ctx } = page;
  const box = page.assoc;
  const cards = [];
  const token = (page.assocToken = (page.assocToken || 0) + 1);
  const dealExtra = (d) =>
    h('span', { class: 'assoc-meta muted' }, formatMoney(d.amount, d.currency), ' · ', (findStage(refs.pipelines, d.stage_id) || { stage: { name: '' } }).stage.name);
  const contactExtra = (c) => h('span', { class: 'assoc-meta muted' }, c.title || c.email || '');
  try {
    if (obj === 'contacts' || obj === 'deals') {
      const company = r.company_id ? await api.get(`/api/v1/companies/${r.company_id}`).catch(() => null) : null;
      cards.push(assocCard('assoc-company', 'record.company', null, company ? assocList('companies', [company], (c) => h('span', { class: 'assoc-meta muted' }, c.domain || c.city || '')) : h('p', { class: 'muted', i18n: 'record.no_company' }), null));
    }
    if (obj === 'contacts') {
      const deals = await dealsOfContact(r);
      cards.push(
        assocCard('assoc-deals', 'record.deals', deals.length, assocList('deals', deals, dealExtra), addButton('create.button_deal', () =>
          createDialog('deals', {
            refs,
            user: ctx.user,
            preset: { contact_ids: [r.id], ...(r.company_id ? { company_id: r.company_id } : {}), name: `${recordTitle('contacts', r)}` },
            onCreated: () => drawAssociations(page),
          }),
        )),
      );
    }
    if (obj === 'companies') {
      const [contacts, deals] = await Promise.all([
        api.get(withQuery('/api/v1/contacts', { company_id: r.id, limit: 20, sort: 'last_name' })),
        api.get(withQuery('/api/v1/deals', { company_id: r.id, limit: 20, sort: '-created_at' })),
      ]);
      cards.push(
        assocCard(
          'assoc-contacts',
          'record.contacts',
          contacts.next_cursor ? `${contacts.data.length}+` : contacts.data.length,
          h('div', {}, assocList('contacts', contacts.data, contactExtra), contacts.next_cursor ? h('a', { href: `#/contacts?company_id=${r.id}`, class: 'assoc-all', i18n: 'record.see_all' }) : null),
          addButton('create.button_contact', () => createDialog('contacts', { refs, user: ctx.user, preset: { company_id: r.id }, onCreated: () => drawAssociations(page) })),
        ),
        assocCard(
          'assoc-deals',
          'record.deals',
          deals.next_cursor ? `${deals.data.length}+` : deals.data.length,
          h('div', {}, assocList('deals', deals.data, dealExtra), deals.next_cursor ? h('a', { href: `#/deals?company_id=${r.id}`, class: 'assoc-all', i18n: 'record.see_all' }) : null),
          addButton('create.button_deal', () => createDialog('deals', { refs, user: ctx.user, preset: { company_id: r.id, name: r.name }, onCreated: () => drawAssociations(page) })),
        ),
      );
    }
    if (obj === 'deals') {
      const ids = r.contact_ids || [];
      const contacts = ids.length ? (await api.get(withQuery('/api/v1/contacts', { 'id[in]': ids.join(','), limit: 100 }))).data : [];
      rememberNames('contacts', contacts);
      const picker = recordPicker({
        id: 'deal-add-contact',
        name: 'contact',
        obj: 'contacts',
        value: null,
        placeholder: 'record.add_contact_placeholder',
        onPick: async (cid) => {
          if (!cid || ids.includes(cid)) return;
          try {
            await save(page, { contact_ids: [...ids, cid] });
            notify({ key: 'record.contact_added' });
          } catch (err) {
            notifyError(err);
          }
        },
      });
      const remove = (c) =>
        h('button', {
          type: 'button',
          class: 'btn-link remove-link',
          i18n: 'record.remove',
          i18nLabel: 'record.remove_contact',
          i18nLabelVars: { name: recordTitle('contacts', c) },
          onclick: async () => {
            try {
              await save(page, { contact_ids: ids.filter((x) => x !== c.id) });
            } catch (err) {
              notifyError(err);
            }
          },
        });
      cards.push(
        assocCard(
          'assoc-contacts',
          'record.contacts',
          contacts.length,
          h(
            'div',
            {},
            assocList('contacts', contacts, (c) => [contactExtra(c), ' ', remove(c)]),
            h('div', { class: 'assoc-add' }, h('label', { for: 'deal-add-contact', class: 'sr-only', i18n: 'record.add_contact' }), picker.el),
          ),
          null,
        ),
      );
    }
  } catch (err) {
    if (token !== page.assocToken || !ctx.alive()) return;
    const p = h('p', { class: 'form-error', role: 'alert' });
    showError(p, err);
    box.replaceChildren(p);
    return;
  }
  if (token !== page.assocToken || !ctx.alive()) return;
  box.replaceChildren(...cards);
}

function addButton(key, onclick) {
  return h('button', { type: 'button', class: 'btn btn-small btn-secondary', i18n: key, onclick });
}

/**
 * The deals a contact is on. The API cannot filter deals by contact yet
 * (contact_ids is not a list filter): try `contact_ids=<id>`, and when
 * the server refuses it read the deals of the contact's company and keep
 * those that list the contact.
 */
async function dealsOfContact(c) {
  try {
    const r = await api.get(withQuery('/api/v1/deals', { contact_ids: c.id, limit: 50 }));
    return r.data || [];
  } catch (err) {
    if (err.status !== 400) throw err;
  }
  if (!c.company_id) return [];
  const deals = await listAll(withQuery('/api/v1/deals', { company_id: c.company_id }), 2000);
  return deals.filter((d) => (d.contact_ids || []).includes(c.id));
}

/* ------------------------------------------------------- collaborators */

async function drawCollaborators(page) {
  const box = page.collab;
  const { refs, meta, id } = page;
  let list;
  try {
    list = (await api.get(`${meta.path}/${id}/collaborators`)).data || [];
  } catch (err) {
    const p = h('p', { class: 'form-error', role: 'alert' });
    showError(p, err);
    box.replaceChildren(h('h2', { id: 'collab-title', class: 'card-title', i18n: 'record.collaborators' }), p);
    return;
  }
  if (!page.ctx.alive()) return;
  const taken = new Set(list.map((c) => c.user_id));
  const candidates = (refs.users || []).filter((u) => u.active !== false && !taken.has(u.id) && u.id !== page.record.owner_id);
  candidates.sort((a, b) => String(a.name).localeCompare(String(b.name), 'vi'));
  const sel = h(
    'select',
    { id: 'collab-user', name: 'user_id' },
    h('option', { value: '', i18n: 'record.pick_user' }),
    candidates.map((u) => h('option', { value: String(u.id) }, u.name || u.email)),
  );
  const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const add = h('button', { type: 'submit', class: 'btn btn-small btn-secondary', i18n: 'record.add_collaborator' });
  const form = h(
    'form',
    { class: 'collab-form', novalidate: true },
    h('label', { for: 'collab-user', class: 'sr-only', i18n: 'record.add_collaborator' }),
    sel,
    add,
    err,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!sel.value) return;
    add.disabled = true;
    try {
      await api.post(`${meta.path}/${id}/collaborators`, { user_id: Number(sel.value) });
      await drawCollaborators(page);
      const again = page.collab.querySelector('#collab-user');
      if (again) again.focus();
    } catch (ex) {
      add.disabled = false;
      showError(err, ex);
    }
  });
  box.replaceChildren(
    h('div', { class: 'card-head' }, h('h2', { id: 'collab-title', class: 'card-title' }, h('span', { i18n: 'record.collaborators' }), h('span', { class: 'count-badge' }, String(list.length)))),
    list.length
      ? h(
          'ul',
          { class: 'assoc-list', id: 'collab-list' },
          list.map((c) =>
            h(
              'li',
              { 'data-user-id': c.user_id },
              h('span', { class: 'assoc-name' }, c.name || c.email),
              h('span', { class: 'assoc-meta muted' }, c.email),
              ' ',
              h('button', {
                type: 'button',
                class: 'btn-link remove-link',
                i18n: 'record.remove',
                i18nLabel: 'record.remove_collaborator',
                i18nLabelVars: { name: c.name || c.email },
                onclick: async () => {
                  try {
                    await api.del(`${meta.path}/${id}/collaborators/${c.user_id}`);
                    await drawCollaborators(page);
                    const again = page.collab.querySelector('#collab-user');
                    if (again) again.focus();
                  } catch (ex) {
                    notifyError(ex);
                  }
                },
              }),
            ),
          ),
        )
      : h('p', { class: 'muted', i18n: 'record.no_collaborators' }),
    form,
  );
}
