// Settings page (#/settings): the business's currency and time zone (read
// only), exchange rates, and for admins the website tracking snippet to
// copy and the sites allowed to send page views (GET/PATCH
// /api/v1/settings; docs/decisions/0016-tracking.md).

import { api } from '../api.js';
import { h, field, onSubmit, formErrorBox, notify, pageHeader, loading } from '../dom.js';

export async function render(main, ctx) {
  main.append(pageHeader('settings.title'));
  const busy = loading();
  main.append(busy);
  const s = await api.get('/api/v1/settings');
  if (!ctx.alive()) return;
  busy.remove();
  main.append(businessCard(s));
  if (ctx.isAdmin) main.append(trackingCard(s));
  main.append(ratesCard(s, ctx.isAdmin));
}

function card(id, titleKey, ...body) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id, class: 'card-title', i18n: titleKey }),
    ...body,
  );
}

function businessCard(s) {
  return card(
    'settings-business-title',
    'settings.business_title',
    h(
      'dl',
      { class: 'settings-list' },
      h('dt', { i18n: 'settings.currency' }),
      h('dd', { id: 'settings-currency' }, s.currency),
      h('dt', { i18n: 'settings.time_zone' }),
      h('dd', { id: 'settings-time-zone' }, s.time_zone),
    ),
    h('p', { class: 'muted', i18n: 'settings.business_hint' }),
  );
}

/**
 * A form of one textarea setting: `name` is the API key (server errors
 * land next to the field), `send(value)` saves it.
 */
function textForm({ id, name, label, hint, value, submit, send }) {
  const area = h('textarea', { id, name, rows: '4', spellcheck: 'false' });
  area.value = value;
  const button = h('button', { type: 'submit', class: 'btn btn-primary', i18n: submit });
  const form = h(
    'form',
    { id: `${id}-form`, novalidate: true },
    field({ id, name, label, hint, control: area }),
    formErrorBox(),
    h('div', { class: 'form-actions' }, button),
  );
  onSubmit(form, button, async () => {
    await send(area);
    notify({ key: 'settings.saved' });
  });
  return form;
}

/* ------------------------------------------------------------ tracking */

/** The snippet for this server: it is reached where the UI is. */
function snippet() {
  return `<script async src="${location.origin}/t.js"></script>`;
}

function trackingCard(s) {
  const code = h('textarea', { id: 'settings-snippet', readonly: true, rows: '2', spellcheck: 'false' });
  code.value = snippet();
  const copy = h('button', { type: 'button', class: 'btn btn-secondary', id: 'settings-copy', i18n: 'settings.copy' });
  copy.addEventListener('click', async () => {
    code.select();
    try {
      await navigator.clipboard.writeText(code.value);
      notify({ key: 'settings.copied' });
    } catch {
      notify({ key: 'settings.copy_failed' }, 'error');
    }
  });

  const form = textForm({
    id: 'settings-origins',
    name: 'tracking_origins',
    label: 'settings.origins_label',
    hint: 'settings.origins_hint',
    value: (s.tracking_origins || []).join('\n'),
    submit: 'settings.save_origins',
    send: async (area) => {
      const list = area.value.split(/\s+/).filter(Boolean);
      const saved = await api.patch('/api/v1/settings', { tracking_origins: list });
      area.value = saved.tracking_origins.join('\n');
    },
  });

  return card(
    'settings-tracking-title',
    'settings.tracking_title',
    h('p', { i18n: 'settings.tracking_intro' }),
    field({ id: 'settings-snippet', name: 'snippet', label: 'settings.snippet_label', hint: 'settings.snippet_hint', control: code }),
    h('div', { class: 'form-actions' }, copy),
    h('p', { class: 'muted', id: 'settings-consent-hint', i18n: 'settings.consent_hint' }),
    form,
  );
}

/* ------------------------------------------------------ exchange rates */

/** "USD 25400" lines into {USD: 25400}; null when a line is not one. */
function parseRates(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const m = /^([A-Za-z]{3})\s*[=:\s]\s*([0-9]+(?:[.,][0-9]+)?)$/.exec(t);
    if (!m) return null;
    out[m[1].toUpperCase()] = Number(m[2].replace(',', '.'));
  }
  return out;
}

function ratesCard(s, isAdmin) {
  const rates = s.fx_rates || {};
  const text = Object.keys(rates)
    .sort()
    .map((k) => `${k} ${rates[k]}`)
    .join('\n');
  if (!isAdmin) {
    return card(
      'settings-fx-title',
      'settings.fx_title',
      text ? h('pre', { id: 'settings-fx-view' }, text) : h('p', { class: 'muted', i18n: 'settings.fx_none' }),
    );
  }
  const form = textForm({
    id: 'settings-fx',
    name: 'fx_rates',
    label: 'settings.fx_label',
    hint: 'settings.fx_hint',
    value: text,
    submit: 'settings.save_fx',
    send: async (area) => {
      const parsed = parseRates(area.value);
      if (!parsed) {
        const err = new Error('bad line');
        err.field = 'fx_rates';
        err.code = 'bad_line';
        throw err;
      }
      await api.patch('/api/v1/settings', { fx_rates: parsed });
    },
  });
  return card('settings-fx-title', 'settings.fx_title', form);
}
