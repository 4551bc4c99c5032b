// Web forms page (#/forms, #/forms/new, #/forms/<id>): the list of
// web-to-lead forms with their submission counts; the builder (fields
// with their type, mapping and order, target stage, campaign, consent,
// redirect or thank-you message); the embeddable snippet with a live
// preview; and the submissions (the contacts a form created or updated).
// Admins and marketing roles edit; everyone else reads (decision 0017).

import { api, listAll, withQuery } from '../api.js';
import { LIFECYCLE_STAGES } from '../constants.js';
import { h, field, select, clearErrors, formErrorBox, notify, notifyError, pageHeader, loading, setText, setLiteral, t } from '../dom.js';
import { loadCampaigns, loadCustomFields, cachedName } from '../crm.js';
import { formatDateTime, contactName } from '../format.js';

const WRITERS = ['admin', 'marketing_manager', 'marketer'];
const TYPES = ['text', 'email', 'phone', 'textarea', 'select', 'checkbox', 'hidden'];
const PROPERTIES = ['first_name', 'last_name', 'email', 'phone', 'title', 'city', 'country'];
const TARGETS = LIFECYCLE_STAGES.filter((s) => s !== 'other');
const PURPOSES = ['email_marketing', 'sms_marketing', 'profiling'];

export async function render(main, ctx) {
  const canWrite = !!ctx.user && WRITERS.includes(ctx.user.role);
  if (ctx.rest.length === 0) return renderList(main, ctx, canWrite);
  const id = ctx.rest[0] === 'new' ? null : Number(ctx.rest[0]);
  if (id === null && !canWrite) return renderList(main, ctx, canWrite);
  if (id !== null && !(Number.isInteger(id) && id > 0)) {
    main.append(h('p', { class: 'form-error', role: 'alert', i18n: 'notfound.title' }));
    return undefined;
  }
  return renderEditor(main, ctx, id, canWrite);
}

/* ----------------------------------------------------------------- list */

async function renderList(main, ctx, canWrite) {
  const archived = ctx.query.get('archived') === 'true';
  const count = h('p', { class: 'muted', id: 'webforms-count' });
  const actions = h(
    'div',
    { class: 'page-actions' },
    h('a', { class: 'btn btn-secondary btn-small', href: archived ? '#/forms' : '#/forms?archived=true', i18n: archived ? 'webforms.show_active' : 'webforms.show_archived' }),
    canWrite ? h('a', { class: 'btn btn-primary', id: 'webforms-new', href: '#/forms/new', i18n: 'webforms.new' }) : null,
  );
  main.append(pageHeader(archived ? 'webforms.archived_title' : 'nav.forms', count), actions);
  const busy = loading();
  main.append(busy);
  const [forms] = await Promise.all([
    listAll(withQuery('/api/v1/forms', { archived: archived ? 'true' : null })),
    loadCampaigns().catch(() => []),
  ]);
  if (!ctx.alive()) return;
  busy.remove();
  setText(count, 'webforms.count', { n: forms.length });
  if (forms.length === 0) {
    main.append(h('section', { class: 'card' }, h('p', { class: 'muted', i18n: 'webforms.empty' })));
    return;
  }
  const head = ['webforms.col_name', 'webforms.col_campaign', 'webforms.col_target', 'webforms.col_submissions', 'webforms.col_last', 'webforms.col_created'];
  main.append(
    h(
      'section',
      { class: 'card card-flush' },
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', i18nLabel: 'nav.forms' },
        h(
          'table',
          { class: 'table list-table', id: 'webforms-table' },
          h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col', i18n: k })))),
          h(
            'tbody',
            {},
            forms.map((f) =>
              h(
                'tr',
                { 'data-form-id': f.id },
                h('td', { class: 'cell-name' }, h('a', { href: `#/forms/${f.id}` }, f.name)),
                h('td', {}, f.campaign_id ? cachedName('campaigns', f.campaign_id) || `#${f.campaign_id}` : '—'),
                h('td', { i18n: f.target_stage ? `stage.${f.target_stage}` : 'webforms.no_target' }),
                h('td', { class: 'num' }, String(f.submissions)),
                h('td', {}, f.last_submission_at ? formatDateTime(f.last_submission_at) : '—'),
                h('td', {}, formatDateTime(f.created_at)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return undefined;
}

/* --------------------------------------------------------------- editor */

async function renderEditor(main, ctx, id, canWrite) {
  const busy = loading();
  main.append(busy);
  const [form, campaigns, customs] = await Promise.all([
    id ? api.get(`/api/v1/forms/${id}`) : Promise.resolve(newForm()),
    loadCampaigns().catch(() => []),
    loadCustomFields('contacts'),
  ]);
  if (!ctx.alive()) return undefined;
  busy.remove();
  if (id) ctx.setTitleText(form.name);
  const view = { ctx, form, campaigns, customs, canWrite, rows: h('ol', { class: 'wf-fields', id: 'wf-fields' }) };
  main.append(
    h(
      'div',
      { class: 'page-header' },
      h(
        'div',
        { class: 'page-heading' },
        h('h1', { tabindex: '-1', i18n: id ? null : 'webforms.new' }, id ? form.name : null),
        id && form.archived ? h('span', { class: 'kind-badge', i18n: 'webforms.archived' }) : null,
      ),
    ),
    h('p', {}, h('a', { href: '#/forms', i18n: 'webforms.back' })),
  );
  main.append(editorForm(view));
  if (id) {
    const embed = h('section', { class: 'card', id: 'wf-embed', 'aria-labelledby': 'wf-embed-title' }, h('h2', { class: 'card-title', id: 'wf-embed-title', i18n: 'webforms.embed_title' }), loading());
    const subs = h('section', { class: 'card', id: 'wf-submissions', 'aria-labelledby': 'wf-subs-title' }, h('h2', { class: 'card-title', id: 'wf-subs-title', i18n: 'webforms.submissions_title' }), loading());
    main.append(embed, subs);
    fillEmbed(view, embed);
    fillSubmissions(view, subs);
  }
  return undefined;
}

function newForm() {
  return {
    name: '',
    fields: [
      { name: 'first_name', label: t('webforms.default_first_name'), type: 'text', required: false, maps_to: 'first_name' },
      { name: 'email', label: 'Email', type: 'email', required: true, maps_to: 'email' },
    ],
    target_stage: 'lead',
    campaign_id: null,
    consent_text: null,
    consent_purpose: 'email_marketing',
    consent_required: false,
    redirect_url: null,
    thank_you_message: null,
    submit_label: null,
    honeypot_field: 'fax_number',
    locale: 'vi',
  };
}

let seq = 0;

function mappingChoices(view) {
  const out = [{ value: '', label: 'webforms.maps_none' }];
  for (const p of PROPERTIES) out.push({ value: p, label: `field.${p}` });
  for (const c of view.customs) out.push({ value: `custom.${c.name}`, text: `${c.label} (custom.${c.name})` });
  return out;
}

// One row of the field list: label, name, type, mapping, required, the
// options of a select (one a line), the value of a hidden field, and
// buttons to move or remove it.
function fieldRow(view, f) {
  const n = ++seq;
  const mk = (name) => `wf-f${n}-${name}`;
  const typeSel = select({ id: mk('type'), name: 'f_type' }, TYPES.map((ty) => ({ value: ty, label: `webforms.type.${ty}`, selected: ty === f.type })));
  const mapSel = select({ id: mk('maps_to'), name: 'f_maps_to' }, mappingChoices(view).map((o) => ({ ...o, selected: o.value === (f.maps_to || '') })));
  const options = h('textarea', { id: mk('options'), name: 'f_options', rows: '3' });
  options.value = (f.options || []).join('\n');
  const value = h('input', { id: mk('value'), name: 'f_value', type: 'text', value: f.value || '' });
  const optBox = field({ id: mk('options'), name: 'f_options', label: 'webforms.options', hint: 'webforms.options_hint', control: options });
  const valBox = field({ id: mk('value'), name: 'f_value', label: 'webforms.hidden_value', control: value });
  const sync = () => {
    optBox.hidden = typeSel.value !== 'select';
    valBox.hidden = typeSel.value !== 'hidden';
  };
  typeSel.addEventListener('change', sync);
  const row = h(
    'li',
    { class: 'wf-field card' },
    h(
      'div',
      { class: 'wf-field-grid' },
      field({ id: mk('label'), name: 'f_label', label: 'webforms.label', attrs: { value: f.label || '' } }),
      field({ id: mk('name'), name: 'f_name', label: 'webforms.name', required: true, attrs: { value: f.name || '', pattern: '[a-z][a-z0-9_]{0,39}' } }),
      field({ id: mk('type'), name: 'f_type', label: 'webforms.type_label', control: typeSel }),
      field({ id: mk('maps_to'), name: 'f_maps_to', label: 'webforms.maps_to', control: mapSel }),
      field({ id: mk('required'), name: 'f_required', label: 'webforms.required', type: 'checkbox', attrs: { checked: !!f.required } }),
    ),
    optBox,
    valBox,
    view.canWrite
      ? h(
          'div',
          { class: 'wf-field-actions' },
          h('button', { type: 'button', class: 'btn btn-small btn-secondary', i18n: 'webforms.up', onclick: () => move(row, -1) }),
          h('button', { type: 'button', class: 'btn btn-small btn-secondary', i18n: 'webforms.down', onclick: () => move(row, 1) }),
          h('button', { type: 'button', class: 'btn btn-small btn-secondary', i18n: 'webforms.remove', onclick: () => row.remove() }),
        )
      : null,
  );
  sync();
  return row;
}

function move(row, dir) {
  const sib = dir < 0 ? row.previousElementSibling : row.nextElementSibling;
  if (!sib) return;
  if (dir < 0) sib.before(row);
  else sib.after(row);
  row.querySelector('input').focus();
}

function readRow(row) {
  const q = (n) => row.querySelector(`[name="f_${n}"]`);
  const f = {
    name: q('name').value.trim(),
    label: q('label').value.trim() || null,
    type: q('type').value,
    required: q('required').checked,
    maps_to: q('maps_to').value || null,
  };
  if (f.type === 'select') f.options = q('options').value.split('\n').map((s) => s.trim()).filter(Boolean);
  if (f.type === 'hidden') f.value = q('value').value || null;
  return f;
}

function textField(id, name, label, value, extra = {}) {
  return field({ id, name, label, attrs: { value: value || '', ...extra } });
}

function areaField(id, name, label, value, hint) {
  const el = h('textarea', { id, name, rows: '3' });
  el.value = value || '';
  return field({ id, name, label, hint, control: el });
}

function editorForm(view) {
  const f = view.form;
  const err = formErrorBox();
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'wf-save', i18n: f.id ? 'common.save' : 'webforms.create' });
  for (const fd of f.fields) view.rows.append(fieldRow(view, fd));
  const campaignSel = select({ id: 'wf-campaign', name: 'campaign_id' }, [
    { value: '', label: 'webforms.no_campaign', selected: !f.campaign_id },
    ...view.campaigns.map((c) => ({ value: String(c.id), text: c.name, selected: c.id === f.campaign_id })),
  ]);
  const targetSel = select({ id: 'wf-target', name: 'target_stage' }, [
    { value: '', label: 'webforms.no_target', selected: !f.target_stage },
    ...TARGETS.map((s) => ({ value: s, label: `stage.${s}`, selected: s === f.target_stage })),
  ]);
  const purposeSel = select({ id: 'wf-purpose', name: 'consent_purpose' }, PURPOSES.map((p) => ({ value: p, label: `webforms.purpose.${p}`, selected: p === f.consent_purpose })));
  const localeSel = select({ id: 'wf-locale', name: 'locale' }, ['vi', 'en'].map((l) => ({ value: l, label: `lang.${l}`, selected: l === f.locale })));
  const form = h(
    'form',
    { class: 'card', id: 'wf-form', novalidate: true },
    h('h2', { class: 'card-title', i18n: 'webforms.settings_title' }),
    textField('wf-name', 'name', 'webforms.form_name', f.name, { required: true }),
    h('div', { class: 'wf-grid' },
      field({ id: 'wf-target', name: 'target_stage', label: 'webforms.target_stage', hint: 'webforms.target_hint', control: targetSel }),
      field({ id: 'wf-campaign', name: 'campaign_id', label: 'webforms.campaign', control: campaignSel }),
      field({ id: 'wf-locale', name: 'locale', label: 'webforms.locale', control: localeSel }),
    ),
    h('h3', { class: 'wf-subtitle', i18n: 'webforms.fields_title' }),
    view.rows,
    view.canWrite ? h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'wf-add', i18n: 'webforms.add_field', onclick: () => {
      const row = fieldRow(view, { name: '', label: '', type: 'text', required: false, maps_to: null });
      view.rows.append(row);
      row.querySelector('input').focus();
    } }) : null,
    h('h3', { class: 'wf-subtitle', i18n: 'webforms.consent_title' }),
    areaField('wf-consent', 'consent_text', 'webforms.consent_text', f.consent_text, 'webforms.consent_hint'),
    h('div', { class: 'wf-grid' },
      field({ id: 'wf-purpose', name: 'consent_purpose', label: 'webforms.consent_purpose', control: purposeSel }),
      field({ id: 'wf-consent-req', name: 'consent_required', label: 'webforms.consent_required', type: 'checkbox', attrs: { checked: !!f.consent_required } }),
    ),
    h('h3', { class: 'wf-subtitle', i18n: 'webforms.after_title' }),
    textField('wf-redirect', 'redirect_url', 'webforms.redirect_url', f.redirect_url, { type: 'url', placeholder: 'https://' }),
    areaField('wf-thanks', 'thank_you_message', 'webforms.thank_you', f.thank_you_message, 'webforms.thank_you_hint'),
    h('div', { class: 'wf-grid' },
      textField('wf-submit', 'submit_label', 'webforms.submit_label', f.submit_label),
      textField('wf-honeypot', 'honeypot_field', 'webforms.honeypot', f.honeypot_field),
    ),
    err,
    view.canWrite ? h('div', { class: 'form-actions' }, save, f.id ? archiveButton(view) : null, f.id ? deleteButton(view) : null) : null,
  );
  if (!view.canWrite) form.querySelectorAll('input, select, textarea').forEach((c) => (c.disabled = true));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = readForm(form, view);
    save.disabled = true;
    try {
      const out = f.id ? await api.patch(`/api/v1/forms/${f.id}`, body) : await api.post('/api/v1/forms', body);
      notify({ key: f.id ? 'webforms.saved' : 'webforms.created', vars: { name: out.name } });
      if (f.id) view.ctx.navigate(`forms/${out.id}`);
      else view.ctx.navigate(`forms/${out.id}`);
    } catch (ex) {
      if (ex.status === 401) return;
      showSaveError(form, ex);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function readForm(form, view) {
  const v = (n) => form.elements.namedItem(n).value.trim();
  return {
    name: v('name'),
    fields: [...view.rows.children].map(readRow),
    target_stage: v('target_stage') || null,
    campaign_id: v('campaign_id') ? Number(v('campaign_id')) : null,
    locale: v('locale'),
    consent_text: v('consent_text') || null,
    consent_purpose: v('consent_purpose'),
    consent_required: form.elements.namedItem('consent_required').checked,
    redirect_url: v('redirect_url') || null,
    thank_you_message: v('thank_you_message') || null,
    submit_label: v('submit_label') || null,
    honeypot_field: v('honeypot_field') || null,
  };
}

// A server error names "name" or "fields[2].type": the first goes next to
// the field, the second next to the control of that row.
function showSaveError(form, ex) {
  const m = ex.field && /^fields\[(\d+)\]\.(\w+)$/.exec(ex.field);
  let control = null;
  if (m) {
    const row = form.querySelectorAll('.wf-field')[Number(m[1])];
    control = row ? row.querySelector(`[name="f_${m[2]}"]`) : null;
  } else if (ex.field) {
    control = form.elements.namedItem(ex.field);
  }
  const p = control && control.id ? form.querySelector(`#${CSS.escape(control.id)}-error`) : null;
  if (p) {
    control.setAttribute('aria-invalid', 'true');
    setLiteral(p, ex.message);
    p.hidden = false;
    control.focus();
    return;
  }
  const box = form.querySelector('.form-error');
  setLiteral(box, ex.field ? `${ex.field}: ${ex.message}` : ex.message);
  box.hidden = false;
  box.focus();
}

function archiveButton(view) {
  const f = view.form;
  return h('button', {
    type: 'button',
    class: 'btn btn-secondary',
    id: 'wf-archive',
    i18n: f.archived ? 'webforms.restore' : 'webforms.archive',
    onclick: async () => {
      try {
        await api.patch(`/api/v1/forms/${f.id}`, { archived: !f.archived });
        notify({ key: f.archived ? 'webforms.restored' : 'webforms.archived_done', vars: { name: f.name } });
        view.ctx.navigate(`forms/${f.id}`);
      } catch (ex) {
        if (ex.status !== 401) notifyError(ex);
      }
    },
  });
}

function deleteButton(view) {
  const f = view.form;
  return h('button', {
    type: 'button',
    class: 'btn btn-secondary',
    id: 'wf-delete',
    i18n: 'common.delete',
    onclick: async () => {
      if (!window.confirm(t('webforms.confirm_delete', { name: f.name }))) return;
      try {
        const out = await api.del(`/api/v1/forms/${f.id}`);
        notify({ key: out ? 'webforms.archived_done' : 'webforms.deleted', vars: { name: f.name } });
        view.ctx.navigate('forms');
      } catch (ex) {
        if (ex.status !== 401) notifyError(ex);
      }
    },
  });
}

/* ---------------------------------------------------- embed and preview */

async function fillEmbed(view, card) {
  let out;
  try {
    out = await api.get(`/api/v1/forms/${view.form.id}/embed`);
  } catch (ex) {
    card.lastChild.replaceWith(h('p', { class: 'form-error' }, ex.message));
    return;
  }
  if (!view.ctx.alive()) return;
  const code = h('textarea', { id: 'wf-snippet', class: 'wf-snippet', rows: '8', readonly: true });
  code.value = out.html;
  // GET on the address the form posts to is its hosted page
  const link = h('input', { id: 'wf-hosted-url', class: 'wf-hosted-url', type: 'text', readonly: true });
  link.value = out.action_url;
  card.lastChild.replaceWith(
    h('div', {},
      h('p', { class: 'muted', i18n: 'webforms.embed_hint' }),
      field({ id: 'wf-snippet', name: 'snippet', label: 'webforms.snippet', control: code }),
      copyButton('wf-copy', code),
      h('h3', { class: 'wf-subtitle', i18n: 'webforms.hosted_title' }),
      h('p', { class: 'muted', i18n: 'webforms.hosted_hint' }),
      field({ id: 'wf-hosted-url', name: 'hosted_url', label: 'webforms.hosted_url', control: link }),
      h('p', {},
        copyButton('wf-copy-link', link),
        ' ',
        h('a', { id: 'wf-hosted', class: 'btn btn-secondary btn-small', href: out.action_url, target: '_blank', rel: 'noopener', i18n: 'webforms.hosted_open' }),
      ),
      h('h3', { class: 'wf-subtitle', i18n: 'webforms.preview' }),
      preview(out.html),
    ),
  );
}

// A button copying the value of control (a textarea or input).
function copyButton(id, control) {
  return h('button', {
    type: 'button',
    class: 'btn btn-secondary btn-small',
    id,
    i18n: 'webforms.copy',
    onclick: async () => {
      control.select();
      try {
        await navigator.clipboard.writeText(control.value);
      } catch {
        document.execCommand('copy');
      }
      notify({ key: 'webforms.copied' });
    },
  });
}

// The snippet drawn as a site would draw it, without its script (the
// page's own CSP would refuse it anyway) and without sending anything.
function preview(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('script').forEach((s) => s.remove());
  const box = h('div', { class: 'wf-preview', id: 'wf-preview' });
  box.append(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
  box.querySelectorAll('[style]').forEach((el) => el.removeAttribute('style'));
  box.querySelectorAll('form').forEach((f) => f.addEventListener('submit', (e) => {
    e.preventDefault();
    notify({ key: 'webforms.preview_only' });
  }));
  return box;
}

/* ---------------------------------------------------------- submissions */

async function fillSubmissions(view, card) {
  let rows;
  try {
    rows = await listAll(`/api/v1/forms/${view.form.id}/submissions`, 500);
  } catch (ex) {
    card.lastChild.replaceWith(h('p', { class: 'form-error' }, ex.message));
    return;
  }
  if (!view.ctx.alive()) return;
  if (rows.length === 0) {
    card.lastChild.replaceWith(h('p', { class: 'muted', i18n: 'webforms.no_submissions' }));
    return;
  }
  const head = ['webforms.col_time', 'webforms.col_contact', 'webforms.col_action', 'webforms.col_values'];
  card.lastChild.replaceWith(
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', i18nLabel: 'webforms.submissions_title' },
      h('table', { class: 'table', id: 'wf-subs-table' },
        h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col', i18n: k })))),
        h('tbody', {}, rows.map((s) => h('tr', { 'data-submission-id': s.id },
          h('td', {}, formatDateTime(s.at)),
          h('td', {}, h('a', { href: `#/contacts/${s.contact_id}` }, contactName(s.contact) || `#${s.contact_id}`)),
          h('td', { i18n: `webforms.action.${s.action}` }),
          h('td', { class: 'wf-values' }, Object.entries(s.data).map(([k, v]) => `${k}: ${v}`).join(' · ')),
        ))),
      ),
    ),
  );
}
