// Small DOM helpers shared by the pages: element construction with
// translation keys, labelled form fields, field-level API errors, the
// global notice area and modal dialogs. No framework, no state.

import { t, has, translateElement } from './i18n.js';
import { TRANSLATED_ERRORS } from './constants.js';

const I18N_PROPS = {
  i18n: 'data-i18n',
  i18nVars: 'data-i18n-vars',
  i18nLabel: 'data-i18n-aria-label',
  i18nLabelVars: 'data-i18n-aria-label-vars',
  i18nPlaceholder: 'data-i18n-placeholder',
  i18nTitle: 'data-i18n-title',
};

/**
 * Creates <tag> with attributes and children. Props: `class`, `on<event>`
 * handlers, i18n / i18nVars / i18nLabel / i18nPlaceholder / i18nTitle
 * (translation keys, kept on the element so a language switch rewrites it),
 * booleans (true → present, false/null → absent), anything else as an
 * attribute. Children: nodes, strings, arrays, null (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let translated = false;
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k in I18N_PROPS) {
      el.setAttribute(I18N_PROPS[k], typeof v === 'string' ? v : JSON.stringify(v));
      translated = true;
    } else if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.className = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  if (translated) translateElement(el);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Sets el's text to translation `key` and keeps the key for later switches. */
export function setText(el, key, vars) {
  el.setAttribute('data-i18n', key);
  if (vars) el.setAttribute('data-i18n-vars', JSON.stringify(vars));
  else el.removeAttribute('data-i18n-vars');
  translateElement(el);
}

/** Sets el's text to a literal (untranslated) string, e.g. a server message. */
export function setLiteral(el, text) {
  el.removeAttribute('data-i18n');
  el.removeAttribute('data-i18n-vars');
  el.textContent = text;
}

/**
 * Shows error `err` (an ApiError or Error) in `el`: a known code in the
 * user's language, otherwise the server's own message.
 */
export function showError(el, err) {
  const code = err && err.code;
  if (code && TRANSLATED_ERRORS.includes(code) && has(`error.${code}`)) setText(el, `error.${code}`);
  else if (err && err.message) setLiteral(el, err.message);
  else setText(el, 'error.generic');
  el.hidden = false;
}

/* ---------------------------------------------------------------- fields */

/**
 * A labelled form field: <div class=field><label/>control<p error/></div>.
 * `control` defaults to an <input>; opts: id, name, label (key), type,
 * required, autocomplete, hint (key), control, attrs (extra input attrs).
 */
export function field(opts) {
  const { id, name, label, type = 'text', required, autocomplete, hint } = opts;
  const placed =
    opts.control ||
    h('input', { id, name, type, required: !!required, autocomplete, ...(opts.attrs || {}) });
  // A composite control (a record picker) is placed whole; its inner
  // input gets the id, name and descriptions.
  const control = /^(INPUT|SELECT|TEXTAREA)$/.test(placed.tagName) ? placed : placed.querySelector('input, select, textarea');
  if (!control.id) control.id = id;
  if (!control.name) control.name = name;
  if (required) control.setAttribute('aria-required', 'true');
  const errId = `${control.id}-error`;
  const hintId = `${control.id}-hint`;
  const describedBy = [hint ? hintId : null, errId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  // label: a catalogue key, or {text} for a literal (a custom field's label)
  const labelText = typeof label === 'string' ? h('span', { i18n: label }) : h('span', {}, label.text);
  return h(
    'div',
    { class: control.type === 'checkbox' ? 'field field-check' : 'field' },
    control.type === 'checkbox' ? [control, h('label', { for: control.id }, labelText)] : [
      h('label', { for: control.id }, labelText, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      placed,
    ],
    hint ? h('p', { class: 'field-hint', id: hintId, i18n: hint }) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }),
  );
}

/** A <select> with options [{value, label (key) | text (literal)}]. */
export function select(opts, options) {
  const el = h('select', { id: opts.id, name: opts.name, required: !!opts.required });
  for (const o of options) {
    el.append(
      h('option', { value: o.value, selected: o.selected, i18n: o.label }, o.label ? null : o.text),
    );
  }
  return el;
}

/** Removes every field and form error shown in `form`. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error, .form-error').forEach((p) => {
    p.hidden = true;
    setLiteral(p, '');
  });
  form.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
}

/** Marks `control` invalid with a message (translated key or literal). */
export function fieldError(control, { key, text }) {
  const p = control.form.querySelector(`#${CSS.escape(control.id)}-error`);
  control.setAttribute('aria-invalid', 'true');
  if (p) {
    if (key) setText(p, key);
    else setLiteral(p, text);
    p.hidden = false;
  }
}

/**
 * Shows API error `err` in `form`: next to the field named in err.field
 * when the form has it, otherwise in the form's .form-error. Focuses the
 * offending control.
 */
export function showFormError(form, err) {
  const control = err && err.field ? form.elements.namedItem(err.field) : null;
  if (control && control.id) {
    // A known (field, code) pair has a message in the UI language; any
    // other error shows the server's own message. A form of one kind of
    // record (data-error-scope="contact") has messages of its own.
    const scope = form.dataset.errorScope;
    const key = scope ? `error.${scope}.${err.field}.${err.code}` : `error.field.${err.field}.${err.code}`;
    if (has(key)) fieldError(control, { key });
    else if (err.message) fieldError(control, { text: err.message });
    else fieldError(control, { key: 'error.generic' });
    // A duplicate (409) can carry a link to the record it collides with.
    const p = form.querySelector(`#${CSS.escape(control.id)}-error`);
    if (p && err.link) p.append(' ', err.link);
    control.focus();
    return;
  }
  const box = form.querySelector('.form-error');
  if (box) {
    showError(box, err);
    if (err && err.link) box.append(' ', err.link);
    box.focus();
  }
}

/**
 * Checks required and email fields before sending, with messages in the
 * UI language (the browser's own bubbles follow the browser's language).
 * Returns true when the form may be sent.
 */
export function validate(form) {
  clearErrors(form);
  let first = null;
  for (const c of form.elements) {
    if (!c.willValidate || !c.id) continue;
    let key = null;
    if (c.validity.valueMissing) key = 'form.required';
    else if (c.validity.typeMismatch && c.type === 'email') key = 'form.invalid_email';
    else if (c.validity.tooShort) key = 'form.too_short';
    if (key) {
      fieldError(c, { key });
      first = first || c;
    }
  }
  if (first) first.focus();
  return !first;
}

/**
 * Wires a form's submission: checks it with validate(), then runs
 * `send(form.elements)` with `button` disabled. A server error is shown
 * next to the field it names; on a 401 (the api module has already sent
 * the user to the login page) `onUnauth` runs instead.
 */
export function onSubmit(form, button, send, onUnauth = () => {}) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!validate(form)) return;
    button.disabled = true;
    try {
      await send(form.elements);
    } catch (err) {
      if (err.status === 401) onUnauth();
      else showFormError(form, err);
    } finally {
      button.disabled = false;
    }
  });
}

/** An empty, focusable form-level error box (role=alert). */
export function formErrorBox() {
  return h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
}

/* ---------------------------------------------------------------- notice */

let noticeTimer = null;

/**
 * Shows a short message in the global notice area (a polite live region).
 * `msg` is {key, vars} for a catalogue string or {text} for a literal;
 * kind is 'ok' or 'error'. OK notices fade after a few seconds.
 */
export function notify(msg, kind = 'ok') {
  const box = document.getElementById('notice');
  if (!box) return;
  const text = box.querySelector('.notice-text');
  if (msg.key) setText(text, msg.key, msg.vars);
  else setLiteral(text, msg.text);
  box.className = `notice notice-${kind}`;
  box.hidden = false;
  clearTimeout(noticeTimer);
  if (kind === 'ok') noticeTimer = setTimeout(() => (box.hidden = true), 5000);
}

export function notifyError(err) {
  const code = err && err.code;
  if (code && TRANSLATED_ERRORS.includes(code) && has(`error.${code}`)) notify({ key: `error.${code}` }, 'error');
  else notify(err && err.message ? { text: err.message } : { key: 'error.generic' }, 'error');
}

/* ---------------------------------------------------------------- dialog */

/**
 * Opens a modal <dialog> titled with key `title` around `body` (a <form>
 * whose submit handler is the caller's). The dialog removes itself when
 * closed and gives focus back to the element that opened it.
 */
export function openDialog(title, body) {
  const opener = document.activeElement;
  const titleId = `dlg-title-${Math.random().toString(36).slice(2, 8)}`;
  const dlg = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId, i18n: title }),
    body,
  );
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  const first = dlg.querySelector('input, select, textarea, button');
  if (first) first.focus();
  return dlg;
}

/* ---------------------------------------------------------------- format */

/** Sorts records by name with Vietnamese collation. */
export function byName(a, b) {
  return String(a.name || '').localeCompare(String(b.name || ''), 'vi');
}

/** A page heading: <h1 tabindex=-1> so the router can move focus to it. */
export function pageHeader(titleKey, ...extra) {
  return h(
    'div',
    { class: 'page-header' },
    h('div', { class: 'page-heading' }, h('h1', { i18n: titleKey, tabindex: '-1' }), ...extra),
  );
}

/** Lets a screen reader hear `key` while a region is loading. */
export function loading() {
  return h('p', { class: 'loading', role: 'status', i18n: 'common.loading' });
}

// Re-export so pages can translate one-off strings without a second import.
export { t };
