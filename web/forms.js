// Create forms for contacts, companies and deals (in a dialog), and the
// activity form used on record pages and the activities list. A 409
// duplicate shows, next to the field it names, a link to the existing
// record.

import { api } from './api.js';
import { h, t, field, formErrorBox, onSubmit, openDialog, notify, clearErrors } from './dom.js';
import { OBJECTS, fieldOf, recordHref, recordTitle, rememberNames, forgetCampaigns } from './crm.js';
import { control, readControl, stageOptions, InputError } from './fields.js';
import { LOG_KINDS, ACTIVITY_KINDS, OUTCOMES } from './constants.js';
import { toLocalInput, fromLocalInput } from './format.js';

/** The fields each create form asks for, in order. */
const CREATE_FIELDS = {
  contacts: ['last_name', 'first_name', 'email', 'phone', 'company_id', 'title', 'lifecycle_stage', 'owner_id'],
  companies: ['name', 'domain', 'industry', 'size_band', 'phone', 'city', 'country', 'owner_id'],
  deals: ['name', 'amount', 'currency', 'pipeline_id', 'stage_id', 'close_date', 'company_id', 'owner_id'],
  campaigns: ['name', 'channel', 'status', 'start_date', 'end_date', 'budget', 'currency', 'utm_campaign', 'parent_id', 'owner_id'],
};

/** Adds a link to the existing record to a 409 error, then rethrows it. */
export function withDuplicateLink(obj, err) {
  if (err && err.status === 409 && err.existingId) {
    err.link = h('a', {
      href: recordHref(obj, err.existingId),
      class: 'existing-link',
      i18n: `form.open_existing_${OBJECTS[obj].singular}`,
    });
  }
  return err;
}

/** Turns an InputError of a control into a field error for showFormError. */
function inputError(def, e) {
  if (e instanceof InputError) return { field: def.name, code: 'input', message: t(e.key) };
  return e;
}

/**
 * Opens the create dialog of `obj`. preset: initial values (a company's
 * id when adding a contact from its page, …). refs: {users, pipelines}.
 * onCreated(record) runs after a 201.
 */
export function createDialog(obj, { preset = {}, refs, user, onCreated }) {
  const defs = CREATE_FIELDS[obj].map((n) => ({ ...fieldOf(obj, n) }));
  const values = { owner_id: user.id, ...(obj === 'deals' || obj === 'campaigns' ? { currency: 'VND' } : {}), ...preset };
  if (obj === 'campaigns' && !values.status) values.status = 'planned';
  if (obj === 'contacts' && !values.lifecycle_stage) values.lifecycle_stage = 'lead';
  if (obj === 'deals') {
    const p = refs.pipelines.find((x) => x.id === values.pipeline_id) || refs.pipelines[0];
    values.pipeline_id = p ? p.id : null;
    if (!values.stage_id && p) values.stage_id = (p.stages.find((s) => s.kind === 'open') || p.stages[0]).id;
  }
  const controls = {};
  const fields = defs.map((def) => {
    const id = `new-${OBJECTS[obj].singular}-${def.name.replace(/_/g, '-')}`;
    const c = control(def, values[def.name] ?? null, { ...refs, record: values }, { id });
    controls[def.name] = c.input;
    return field({ id, name: def.name, label: `field.${def.name}`, required: def.required, control: c.el });
  });
  if (obj === 'deals') {
    // The stage list follows the pipeline.
    controls.pipeline_id.addEventListener('change', () => {
      const p = refs.pipelines.find((x) => String(x.id) === controls.pipeline_id.value);
      const first = p && (p.stages.find((s) => s.kind === 'open') || p.stages[0]);
      controls.stage_id.replaceChildren(...stageOptions(p, first ? first.id : null));
    });
  }
  const error = formErrorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: `create.submit_${OBJECTS[obj].singular}` });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = h(
    'form',
    { id: `create-${OBJECTS[obj].singular}-form`, novalidate: true, 'data-error-scope': OBJECTS[obj].singular },
    h('div', { class: 'form-grid form-grid-2' }, fields),
    error,
    h('div', { class: 'form-actions' }, cancel, submit),
  );
  const dlg = openDialog(`create.title_${OBJECTS[obj].singular}`, form);
  dlg.classList.add('dialog-wide');
  cancel.addEventListener('click', () => dlg.close());
  onSubmit(
    form,
    submit,
    async () => {
      const body = {};
      const currency = controls.currency ? controls.currency.value || 'VND' : 'VND';
      for (const def of defs) {
        let v;
        try {
          v = readControl(def, controls[def.name], currency);
        } catch (e) {
          throw inputError(def, e);
        }
        if (v !== null) body[def.name] = v;
      }
      if (obj === 'contacts' && !body.first_name && !body.last_name && !body.email && !body.phone) {
        throw { field: 'last_name', code: 'input', message: t('create.contact_needs_name') };
      }
      for (const [k, v] of Object.entries(preset)) if (!(k in body) && !CREATE_FIELDS[obj].includes(k)) body[k] = v;
      let rec;
      try {
        rec = await api.post(OBJECTS[obj].path, body);
      } catch (err) {
        throw withDuplicateLink(obj, err);
      }
      rememberNames(obj, [rec]);
      if (obj === 'campaigns') forgetCampaigns();
      dlg.close();
      notify({ key: `create.created_${OBJECTS[obj].singular}`, vars: { name: recordTitle(obj, rec) } });
      if (onCreated) onCreated(rec);
    },
    () => dlg.close(),
  );
  return dlg;
}

/* ------------------------------------------------------------ activities */

/**
 * The "log an activity" form. link: the record ids the activity belongs
 * to ({contact_id, company_id, deal_id}); with pickers: true the form
 * also asks for them (the activities list). onLogged(activity) runs after
 * the activity is created. Returns the <form>.
 */
export function activityForm({ link = {}, refs, user, onLogged, pickers = false, idPrefix = 'log' }) {
  const kinds = pickers ? ACTIVITY_KINDS : LOG_KINDS;
  const id = (n) => `${idPrefix}-${n}`;
  const kindGroup = h(
    'fieldset',
    { class: 'kind-tabs' },
    h('legend', { class: 'sr-only', i18n: 'activity.kind_label' }),
    kinds.map((k, i) =>
      h(
        'label',
        { class: 'kind-tab' },
        h('input', { type: 'radio', name: 'kind', value: k, checked: i === 0 ? true : null, id: id(`kind-${k}`) }),
        h('span', { i18n: `activity_kind.${k}` }),
      ),
    ),
  );
  const subject = h('input', { id: id('subject'), name: 'subject', type: 'text', maxlength: '500', autocomplete: 'off' });
  const body = h('textarea', { id: id('body'), name: 'body', rows: '3' });
  const outcome = h('select', { id: id('outcome'), name: 'outcome' });
  const when = h('input', { id: id('when'), name: 'done_at', type: 'datetime-local' });
  const due = h('input', { id: id('due'), name: 'due_at', type: 'datetime-local' });
  const whenField = field({ id: id('when'), name: 'done_at', label: 'activity.when', control: when });
  const dueField = field({ id: id('due'), name: 'due_at', label: 'activity.due', required: true, control: due });
  const outcomeField = field({ id: id('outcome'), name: 'outcome', label: 'activity.outcome', control: outcome });
  const owner = control(fieldOf('activities', 'owner_id'), user.id, refs, { id: id('owner') });
  const linkFields = [];
  const linkControls = {};
  if (pickers) {
    for (const n of ['contact_id', 'company_id', 'deal_id']) {
      const c = control(fieldOf('activities', n), link[n] ?? null, refs, { id: id(n.replace('_', '-')) });
      linkControls[n] = c.input;
      linkFields.push(field({ id: c.input.id, name: n, label: `field.${n}`, control: c.el }));
    }
  }
  const error = formErrorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: id('submit') });
  const form = h(
    'form',
    { class: 'activity-form', id: `${idPrefix}-form`, novalidate: true },
    kindGroup,
    field({ id: id('subject'), name: 'subject', label: 'activity.subject', control: subject }),
    field({ id: id('body'), name: 'body', label: 'activity.body', control: body }),
    h('div', { class: 'form-grid' }, outcomeField, whenField, dueField, field({ id: id('owner'), name: 'owner_id', label: 'field.owner_id', control: owner.el })),
    linkFields.length ? h('div', { class: 'form-grid' }, linkFields) : null,
    error,
    h('div', { class: 'form-actions' }, submit),
  );

  const kind = () => form.querySelector('input[name=kind]:checked').value;
  const sync = () => {
    const k = kind();
    const isTask = k === 'task';
    dueField.hidden = !isTask;
    due.required = isTask;
    whenField.hidden = isTask;
    const outs = OUTCOMES[k] || [];
    outcomeField.hidden = outs.length === 0;
    const was = outcome.value;
    outcome.replaceChildren(
      h('option', { value: '', i18n: 'common.none' }),
      ...outs.map((o) => h('option', { value: o, selected: o === was ? true : null, i18n: `outcome.${o}` })),
    );
    submit.setAttribute('data-i18n', isTask ? 'activity.create_task' : 'activity.log');
    submit.textContent = t(isTask ? 'activity.create_task' : 'activity.log');
  };
  const reset = () => {
    form.reset();
    clearErrors(form);
    when.value = toLocalInput(new Date().toISOString());
    sync();
  };
  kindGroup.addEventListener('change', sync);
  reset();

  onSubmit(form, submit, async () => {
    const k = kind();
    const payload = { kind: k, ...link };
    if (subject.value.trim()) payload.subject = subject.value.trim();
    if (body.value.trim()) payload.body = body.value.trim();
    if (!outcomeField.hidden && outcome.value) payload.outcome = outcome.value;
    if (k === 'task') payload.due_at = fromLocalInput(due.value);
    else payload.done_at = fromLocalInput(when.value) || new Date().toISOString();
    const ownerId = owner.input.value ? Number(owner.input.value) : null;
    if (ownerId) payload.owner_id = ownerId;
    for (const [n, c] of Object.entries(linkControls)) {
      const v = readControl(fieldOf('activities', n), c);
      if (v) payload[n] = v;
      else delete payload[n];
    }
    if (!payload.subject && !payload.body) {
      throw { field: 'subject', code: 'input', message: t('activity.needs_subject') };
    }
    const act = await api.post('/api/v1/activities', payload);
    reset();
    notify({ key: k === 'task' ? 'activity.task_created' : 'activity.logged' });
    if (onLogged) onLogged(act);
  });
  return form;
}

/** The activity form in a dialog (the activities list's "new activity"). */
export function activityDialog({ refs, user, onLogged }) {
  let dlg = null;
  const form = activityForm({
    refs,
    user,
    pickers: true,
    idPrefix: 'new-activity',
    onLogged: (a) => {
      dlg.close();
      if (onLogged) onLogged(a);
    },
  });
  dlg = openDialog('activity.new_title', form);
  dlg.classList.add('dialog-wide');
  return dlg;
}
