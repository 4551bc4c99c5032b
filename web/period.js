// What the report pages (funnel, attribution) share: the period of a
// report in whole days of the business time zone — two date inputs and
// the quick ranges (this month, the last 3 or 12 months, this year) —
// and the fetch of a report whose answer is dropped when a newer one
// was asked for meanwhile. A page keeps {st: {from, to}, ctx, error} in
// its view; these helpers add {ctl, seq} to it.

import { api, isAbort, withQuery } from './api.js';
import { h, t, showError } from './dom.js';
import { onLocaleChange } from './i18n.js';
import { FUNNEL_PRESETS } from './constants.js';

// Dates are calendar days of the business time zone (SPEC §3).
const BUSINESS_TZ = 'Asia/Ho_Chi_Minh';
export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Today in the business time zone, "YYYY-MM-DD". */
export function businessToday(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: BUSINESS_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * The [from, to] days of a preset, ending today: this month, the last
 * 3 or 12 months (the current month and the ones before it, so months
 * are whole when grouped by month) and this year.
 */
export function presetRange(preset, today = businessToday()) {
  const [y, m] = today.split('-').map(Number);
  const first = (year, month) => {
    const d = new Date(Date.UTC(year, month - 1, 1));
    return d.toISOString().slice(0, 10);
  };
  switch (preset) {
    case 'this_month':
      return [first(y, m), today];
    case 'last_3_months':
      return [first(y, m - 2), today];
    case 'last_12_months':
      return [first(y, m - 11), today];
    case 'this_year':
      return [first(y, 1), today];
    default:
      return null;
  }
}

/**
 * The period's controls for view.st {from, to}: returns [from field, to
 * field, quick ranges] (filter-bar children) and sets view.syncPeriod,
 * which marks the preset that matches the period. opts: {prefix (element
 * ids: <prefix>-from, <prefix>-to), fromKey, toKey (label keys),
 * onChange (after the period changed)}.
 */
export function periodControls(view, { prefix, fromKey, toKey, onChange }) {
  const st = view.st;
  const from = h('input', { type: 'date', id: `${prefix}-from`, value: st.from, required: true });
  const to = h('input', { type: 'date', id: `${prefix}-to`, value: st.to, required: true });
  const onDate = () => {
    if (!DAY_RE.test(from.value) || !DAY_RE.test(to.value)) return;
    view.st.from = from.value;
    view.st.to = to.value;
    onChange();
  };
  from.addEventListener('change', onDate);
  to.addEventListener('change', onDate);
  const presets = FUNNEL_PRESETS.map((p) =>
    h('button', {
      type: 'button',
      class: 'btn btn-small btn-secondary funnel-preset',
      'data-preset': p,
      i18n: `funnel.preset.${p}`,
      onclick: () => {
        [view.st.from, view.st.to] = presetRange(p);
        from.value = view.st.from;
        to.value = view.st.to;
        onChange();
      },
    }),
  );
  view.syncPeriod = () =>
    presets.forEach((b) => {
      const r = presetRange(b.dataset.preset);
      b.setAttribute('aria-pressed', String(!!r && r[0] === view.st.from && r[1] === view.st.to));
    });
  return [
    h('div', { class: 'filter filter-date' }, h('label', { for: `${prefix}-from`, class: 'filter-label', i18n: fromKey }), from),
    h('div', { class: 'filter filter-date' }, h('label', { for: `${prefix}-to`, class: 'filter-label', i18n: toKey }), to),
    h('div', { class: 'filter funnel-presets', role: 'group', i18nLabel: 'funnel.presets' }, h('span', { class: 'filter-label', 'aria-hidden': 'true', i18n: 'funnel.presets' }), h('div', { class: 'funnel-preset-row' }, presets)),
  ];
}

/**
 * Radio buttons drawn as tabs, one per value: ids <name>-<value>, label
 * key labelKey(value); the one equal to current is checked, and
 * onPick(value) runs when another is chosen.
 */
export function radioTabs(name, values, current, labelKey, onPick) {
  return values.map((v) => {
    const input = h('input', { type: 'radio', name, value: v, id: `${name}-${v}` });
    input.checked = current === v;
    input.addEventListener('change', () => {
      if (input.checked) onPick(v);
    });
    return h('label', { class: 'kind-tab', for: `${name}-${v}` }, input, h('span', { i18n: labelKey(v) }));
  });
}

/**
 * Starts a report page whose controls are drawn: view.changed() (for the
 * controls' handlers) syncs them and loads again; the first load runs
 * now; a language switch syncs the controls and redraws. sync, load and
 * redraw take the view. Returns the page's cleanup.
 */
export function startReport(view, { sync, load, redraw }) {
  view.changed = () => {
    sync(view);
    load(view);
  };
  load(view);
  const stop = onLocaleChange(() => {
    sync(view);
    redraw(view);
  });
  return () => {
    stop();
    if (view.ctl) view.ctl.abort();
  };
}

/**
 * The controls of a report page: a bar of filters (the period among
 * them) above a set of tabs with a line of help. opts: {id, labelKey
 * (the group's name), filters (nodes), legendKey, tabsId, tabs, help}.
 */
export function reportControls({ id, labelKey, filters, legendKey, tabsId, tabs, help }) {
  return h(
    'div',
    { class: 'funnel-controls', id, role: 'group', i18nLabel: labelKey },
    h('div', { class: 'filter-bar' }, filters),
    h(
      'fieldset',
      { class: 'funnel-mode' },
      h('legend', { class: 'filter-label', i18n: legendKey }),
      h('div', { class: 'kind-tabs', id: tabsId }, tabs),
      help,
    ),
  );
}

/**
 * Writes query q into the address and fetches the report at path with
 * it, the element busy marked aria-busy meanwhile. Returns the document,
 * or null when the period is backwards (view.error says badRangeKey), the
 * request failed (view.error says why) or a newer load replaced it.
 */
export async function loadReport(view, path, q, busy, badRangeKey) {
  view.ctx.replaceQuery(q);
  view.error.hidden = true;
  if (view.st.from > view.st.to) {
    view.error.textContent = t(badRangeKey);
    view.error.hidden = false;
    return null;
  }
  if (view.ctl) view.ctl.abort();
  const ctl = new AbortController();
  view.ctl = ctl;
  const seq = (view.seq || 0) + 1;
  view.seq = seq;
  busy.setAttribute('aria-busy', 'true');
  let doc;
  try {
    doc = await api.get(withQuery(path, q), { signal: ctl.signal });
  } catch (err) {
    if (isAbort(err) || seq !== view.seq || !view.ctx.alive()) return null;
    busy.removeAttribute('aria-busy');
    showError(view.error, err);
    return null;
  }
  if (seq !== view.seq || !view.ctx.alive()) return null;
  return doc;
}

/**
 * Loads the report at path with query q (loadReport, badRangeKey for a
 * backwards period), keeps it in view.doc and draws it with draw(view),
 * then marks busy no longer busy. Does nothing more when loadReport
 * gave no document.
 */
export async function showReport(view, path, q, busy, badRangeKey, draw) {
  const doc = await loadReport(view, path, q, busy, badRangeKey);
  if (!doc) return;
  view.doc = doc;
  draw(view);
  busy.removeAttribute('aria-busy');
}

/** A figure of a report's summary: its label, and its value as text
 * with the raw value in data-value (what the tests read). */
export function reportStat(id, labelKey, raw, text) {
  return h(
    'div',
    { class: 'funnel-stat', id },
    h('span', { class: 'funnel-stat-label', i18n: labelKey }),
    h('strong', { class: 'funnel-stat-value', 'data-value': String(raw) }, text),
  );
}
