// Controls for CRM fields, shared by the create forms and the inline
// editors of a record page: control(def, value, refs) builds the input
// for one field (built-in or custom), readControl(def, el, record) reads
// it back into the value the API expects, and display(def, value,
// record) renders a value for reading. `refs` holds what the choices
// come from: {users, pipelines, campaigns, record}.

import { h, t } from './dom.js';
import { recordPicker, pickerValue } from './picker.js';
import { cachedName, findStage, recordHref } from './crm.js';
import {
  formatMoney, moneyToInput, parseMoney, formatDate, formatDateTime,
  toLocalInput, fromLocalInput, formatNumber,
} from './format.js';
import { has } from './i18n.js';
import { LIFECYCLE_STAGES } from './constants.js';

// The stages a contact's highest stage can be, in funnel order.
const FUNNEL_STAGES = LIFECYCLE_STAGES.filter((x) => x !== 'other');

const REF_OBJ = { company: 'companies', contact: 'contacts', deal: 'deals' };

/** A custom field declaration as a field definition. */
export function customDef(cf) {
  return { name: `custom.${cf.name}`, custom: cf, type: `cf_${cf.type}`, label: cf.label, options: cf.options || [] };
}

/** The label of a field: its catalogue key, or a custom field's label. */
export function labelOf(def) {
  if (def.custom) return { text: def.label };
  if (def.labelKey) return { key: def.labelKey };
  // a field this UI does not know yet (a newer server) shows its API name
  return has(`field.${def.name}`) ? { key: `field.${def.name}` } : { text: def.name };
}

/** A label element for def. */
export function labelEl(tag, def, props = {}) {
  const l = labelOf(def);
  return l.key ? h(tag, { ...props, i18n: l.key }) : h(tag, props, l.text);
}

function userName(refs, id) {
  const u = (refs.users || []).find((x) => x.id === id);
  return u ? u.name || u.email : t('common.user_n', { id });
}

/** The text of an enum value (translated when the catalogue has it). */
export function enumText(def, v) {
  if (v === null || v === undefined || v === '') return '';
  if (def.literal) return String(v);
  const key = `${def.prefix}.${v}`;
  return has(key) ? t(key) : String(v);
}

/**
 * A read-only rendering of value (a node or a string); '' when empty.
 * record gives the currency of a money field.
 */
export function display(def, value, refs = {}) {
  const record = refs.record || {};
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return '';
  switch (def.type) {
    case 'enum':
      if (def.prefix === 'stage') return h('span', { class: `stage-badge stage-${value}` }, enumText(def, value));
      if (def.prefix === 'deal_status') return h('span', { class: `deal-status deal-${value}` }, enumText(def, value));
      return enumText(def, value);
    case 'user':
      return userName(refs, value);
    case 'company':
    case 'contact':
    case 'deal': {
      const obj = REF_OBJ[def.type];
      const name = cachedName(obj, value);
      return h('a', { href: recordHref(obj, value) }, name || `#${value}`);
    }
    case 'campaign':
      return h('a', { href: recordHref('campaigns', value) }, cachedName('campaigns', value) || `#${value}`);
    case 'pipeline': {
      const p = (refs.pipelines || []).find((x) => x.id === value);
      return p ? p.name : `#${value}`;
    }
    case 'stage': {
      const s = findStage(refs.pipelines || [], value);
      return s ? s.stage.name : `#${value}`;
    }
    case 'money':
      return formatMoney(value, record.currency || 'VND');
    case 'cf_money':
      return formatMoney(value, 'VND');
    case 'date':
    case 'cf_date':
      return formatDate(value);
    case 'time':
      return formatDateTime(value);
    case 'int':
    case 'cf_number':
      return formatNumber(value);
    case 'email':
      return h('a', { href: `mailto:${value}` }, value);
    case 'phone':
      return h('a', { href: `tel:${value}` }, value);
    case 'cf_bool':
      return t(value ? 'common.yes' : 'common.no');
    case 'cf_multiselect':
      return Array.isArray(value) ? value.join(', ') : String(value);
    default:
      return String(value);
  }
}

function options(list, current, { empty = true, emptyKey = 'common.none' } = {}) {
  const out = [];
  if (empty) out.push(h('option', { value: '', i18n: emptyKey }));
  for (const o of list) {
    out.push(
      h('option', { value: String(o.value), selected: String(o.value) === String(current ?? '') ? true : null, i18n: o.key || null }, o.key ? null : o.text),
    );
  }
  return out;
}

/** The users as <option>s, the caller first. */
export function userOptions(refs, current, opts) {
  const users = [...(refs.users || [])].filter((u) => u.active !== false || u.id === current);
  users.sort((a, b) => String(a.name).localeCompare(String(b.name), 'vi'));
  const list = users.map((u) => ({ value: u.id, text: u.name || u.email }));
  if (current !== null && current !== undefined && !users.some((u) => u.id === current)) list.unshift({ value: current, text: userName(refs, current) });
  return options(list, current, opts);
}

/** Stage <option>s of a pipeline. */
export function stageOptions(pipeline, current) {
  return (pipeline ? pipeline.stages : []).map((s) =>
    h('option', { value: String(s.id), selected: s.id === current ? true : null }, s.name),
  );
}

/**
 * The control for def with the current value. Returns the element to
 * place (a picker's wrapper, or the input itself) and the control that
 * holds the value ({el, input}). id and name are set on the input.
 */
export function control(def, value, refs = {}, { id, name = def.name } = {}) {
  const record = refs.record || {};
  const base = { id, name };
  let input;
  switch (def.type) {
    case 'enum':
      input = h('select', base, options(def.values.map((v) => (def.literal ? { value: v, text: v } : { value: v, key: `${def.prefix}.${v}` })), value, { empty: !def.required }));
      break;
    case 'user':
      input = h('select', base, userOptions(refs, value));
      break;
    case 'pipeline':
      input = h('select', base, options((refs.pipelines || []).map((p) => ({ value: p.id, text: p.name })), value, { empty: false }));
      break;
    case 'campaign':
      // notSelf: a campaign's parent is any campaign but itself
      input = h('select', base, options((refs.campaigns || []).filter((c) => !def.notSelf || c.id !== record.id).map((c) => ({ value: c.id, text: c.name })), value));
      break;
    case 'stage': {
      const pid = record.pipeline_id ?? (refs.pipelines || [])[0]?.id;
      const pipeline = (refs.pipelines || []).find((p) => p.id === pid);
      input = h('select', base, stageOptions(pipeline, value));
      break;
    }
    case 'company':
    case 'contact':
    case 'deal': {
      const obj = REF_OBJ[def.type];
      const p = recordPicker({ id, name, obj, value, text: value ? cachedName(obj, value) || `#${value}` : '' });
      return p;
    }
    case 'money':
      input = h('input', { ...base, type: 'text', inputmode: 'decimal', value: moneyToInput(value, record.currency || 'VND') });
      break;
    case 'cf_money':
      input = h('input', { ...base, type: 'text', inputmode: 'decimal', value: moneyToInput(value, 'VND') });
      break;
    case 'date':
    case 'cf_date':
      input = h('input', { ...base, type: 'date', value: value || '' });
      break;
    case 'time':
      input = h('input', { ...base, type: 'datetime-local', value: toLocalInput(value) });
      break;
    case 'int':
    case 'cf_number':
      input = h('input', { ...base, type: 'number', step: def.type === 'int' ? '1' : 'any', value: value ?? '' });
      break;
    case 'email':
      input = h('input', { ...base, type: 'email', value: value || '', autocomplete: 'off' });
      break;
    case 'phone':
      input = h('input', { ...base, type: 'tel', value: value || '', autocomplete: 'off' });
      break;
    case 'cf_bool':
      input = h('select', base, options([{ value: 'true', key: 'common.yes' }, { value: 'false', key: 'common.no' }], value === null || value === undefined ? '' : String(value)));
      break;
    case 'cf_select':
      input = h('select', base, options(def.options.map((o) => ({ value: o, text: o })), value));
      break;
    case 'cf_multiselect':
      input = h(
        'select',
        { ...base, multiple: true, size: String(Math.min(6, Math.max(2, def.options.length))) },
        def.options.map((o) => h('option', { value: o, selected: Array.isArray(value) && value.includes(o) ? true : null }, o)),
      );
      break;
    default:
      input = h('input', { ...base, type: 'text', value: value ?? '', maxlength: def.type === 'text' ? '1000' : null });
  }
  if (def.required) input.required = true;
  return { el: input, input };
}

/** Thrown by readControl for a value the API would refuse (shown by the field). */
export class InputError extends Error {
  constructor(key) {
    super(key);
    this.key = key;
  }
}

/** Reads the control of def back into an API value (null when empty). */
export function readControl(def, input, currency = 'VND') {
  switch (def.type) {
    case 'company':
    case 'contact':
    case 'deal':
      return pickerValue(input);
    case 'user':
    case 'pipeline':
    case 'stage':
    case 'campaign':
      return input.value ? Number(input.value) : null;
    case 'money':
    case 'cf_money': {
      if (!input.value.trim()) return def.type === 'money' && !def.nullable ? 0 : null;
      const v = parseMoney(input.value, currency);
      if (Number.isNaN(v)) throw new InputError('form.invalid_amount');
      return v;
    }
    case 'time':
      return fromLocalInput(input.value);
    case 'int': {
      if (input.value === '') return null;
      const n = Number(input.value);
      if (!Number.isInteger(n)) throw new InputError('form.invalid_number');
      return n;
    }
    case 'cf_number': {
      if (input.value === '') return null;
      const n = Number(input.value);
      if (!Number.isFinite(n)) throw new InputError('form.invalid_number');
      return n;
    }
    case 'cf_bool':
      return input.value === '' ? null : input.value === 'true';
    case 'cf_multiselect': {
      const vals = [...input.selectedOptions].map((o) => o.value);
      return vals.length ? vals : null;
    }
    default: {
      const v = input.value.trim();
      return v === '' ? null : v;
    }
  }
}

/* ------------------------------------------------------ list filters */

/** The text of one value of field def in a filter chip. */
function filterOne(def, v, refs) {
  if (!def) return v;
  if (/^\d+$/.test(v) && ['company', 'contact', 'deal', 'user', 'stage', 'pipeline'].includes(def.type)) {
    const d = display(def, Number(v), refs);
    return typeof d === 'string' ? d : d.textContent;
  }
  if (def.type === 'enum') return enumText(def, v);
  if ((def.type === 'time' || def.type === 'date') && /^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
  return v;
}

/**
 * The value of list filter `name[op]=v` said in words for a chip ("from
 * 01/03/2020", "Lead or later", "(empty)", a user's name), or null when
 * op is not one the UI knows (the caller then shows it raw). def is the
 * field (or undefined), refs {users, pipelines}.
 */
export function filterValueText(def, name, op, v, refs = {}) {
  if (!op || op === 'eq') return filterOne(def, v, refs);
  if (op === 'empty') return t(v === 'false' ? 'filter.op.not_empty' : 'filter.op.empty');
  if (['gte', 'lte', 'gt', 'lt'].includes(op)) return t(`filter.op.${op}`, { v: filterOne(def, v, refs) });
  if (op === 'in') {
    const list = v.split(',');
    // highest_stage[in]=lead,…,evangelist: every stage from one on
    const i = FUNNEL_STAGES.indexOf(list[0]);
    if (name === 'highest_stage' && i >= 0 && list.join(',') === FUNNEL_STAGES.slice(i).join(',')) {
      return t('filter.stage_at_least', { stage: t(`stage.${list[0]}`) });
    }
    return list.map((x) => filterOne(def, x, refs)).join(', ');
  }
  return null;
}
