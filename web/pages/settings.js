// Settings page (#/settings): the business's currency and time zone (read
// only), exchange rates, and for admins the website tracking snippet to
// copy and the sites allowed to send page views (GET/PATCH
// /api/v1/settings; docs/decisions/0016-tracking.md).

import { api } from '../api.js';
import { h, field, onSubmit, formErrorBox, fieldError, notify, pageHeader, loading } from '../dom.js';

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

  const origins = h('textarea', { id: 'settings-origins', name: 'tracking_origins', rows: '4', spellcheck: 'false' });
  origins.value = (s.tracking_origins || []).join('\n');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'settings.save_origins' });
  const form = h(
    'form',
    { id: 'settings-origins-form', novalidate: true },
    field({ id: 'settings-origins', name: 'tracking_origins', label: 'settings.origins_label', hint: 'settings.origins_hint', control: origins }),
    formErrorBox(),
    h('div', { class: 'form-actions' }, submit),
  );
  onSubmit(form, submit, async (el) => {
    const list = el.tracking_origins.value.split(/\s+/).filter(Boolean);
    const saved = await api.patch('/api/v1/settings', { tracking_origins: list });
    origins.value = saved.tracking_origins.join('\n');
    notify({ key: 'settings.saved' });
  });

  return card(
    'settings-tracking-title',
    'settings.tracking_title',
    h('p', { i18n: 'settings.tracking_intro' }),
    field({ id: 'settings-snippet', name: 'snippet', label: 'settings.snippet_label', hint: 'settings.snippet_hint', control: code }),
    h('div', { class: 'form-actions' }, copy),
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
  const area = h('textarea', { id: 'settings-fx', name: 'fx_rates', rows: '4', spellcheck: 'false' });
  area.value = text;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'settings.save_fx' });
  const form = h(
    'form',
    { id: 'settings-fx-form', novalidate: true },
    field({ id: 'settings-fx', name: 'fx_rates', label: 'settings.fx_label', hint: 'settings.fx_hint', control: area }),
    formErrorBox(),
    h('div', { class: 'form-actions' }, submit),
  );
  onSubmit(form, submit, async (el) => {
    const parsed = parseRates(el.fx_rates.value);
    if (!parsed) {
      fieldError(el.fx_rates, { key: 'settings.fx_bad_line' });
      el.fx_rates.focus();
      return;
    }
    await api.patch('/api/v1/settings', { fx_rates: parsed });
    notify({ key: 'settings.saved' });
  });
  return card('settings-fx-title', 'settings.fx_title', form);
}
