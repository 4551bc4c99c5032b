// Funnel report page (#/funnel?from=…&to=…&mode=…&group_by=…): GET
// /api/v1/reports/funnel (SPEC §3) drawn as horizontal bars that narrow
// stage by stage, banded TOFU / MOFU / BOFU, with the conversion and the
// velocity of each step, the totals per part and overall; with group_by,
// one small funnel per group in a scrollable row. A bar links to the
// contact list filtered by its `contacts_filter`. The page's state lives
// in the address; any other parameter there is a contact filter passed
// on to the report (#/funnel?…&owner_id=3), shown as a removable chip.

import { api, isAbort, withQuery } from '../api.js';
import { h, t, pageHeader, showError } from '../dom.js';
import { loadUsers, fieldOf } from '../crm.js';
import { labelOf, filterValueText } from '../fields.js';
import { getLocale, has, onLocaleChange } from '../i18n.js';
import { FUNNEL_MODES, FUNNEL_GROUPS, FUNNEL_PRESETS, FUNNEL_BACK_KEY } from '../constants.js';

const PAGE_KEYS = new Set(['from', 'to', 'mode', 'group_by']);
// Dates are calendar days of the business time zone (SPEC §3).
const BUSINESS_TZ = 'Asia/Ho_Chi_Minh';
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

const intlLocale = () => (getLocale() === 'en' ? 'en-GB' : 'vi-VN');

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

/** The page state read from the address (defaults: last 12 months, cohort). */
function stateFrom(query) {
  const [dfrom, dto] = presetRange('last_12_months');
  const from = query.get('from');
  const to = query.get('to');
  const mode = query.get('mode');
  const group = query.get('group_by');
  const filters = new URLSearchParams();
  for (const [k, v] of query) if (!PAGE_KEYS.has(k) && v !== '') filters.append(k, v);
  return {
    from: from && DAY_RE.test(from) ? from : dfrom,
    to: to && DAY_RE.test(to) ? to : dto,
    mode: FUNNEL_MODES.includes(mode) ? mode : 'cohort',
    group_by: FUNNEL_GROUPS.includes(group) ? group : '',
    filters,
  };
}

function queryOf(st) {
  const q = new URLSearchParams({ from: st.from, to: st.to, mode: st.mode });
  if (st.group_by) q.set('group_by', st.group_by);
  for (const [k, v] of st.filters) q.append(k, v);
  return q;
}

export async function render(main, ctx) {
  const users = await loadUsers().catch(() => []);
  if (!ctx.alive()) return null;
  const view = { ctx, users, st: stateFrom(ctx.query), doc: null, ctl: null, seq: 0 };

  main.append(pageHeader('nav.funnel', h('p', { class: 'muted', i18n: 'funnel.intro' })));
  main.append(controls(view));
  view.chips = h('div', { class: 'filter-chips', id: 'funnel-filters' });
  view.error = h('p', { class: 'form-error', role: 'alert', id: 'funnel-error', hidden: true });
  view.summary = h('div', { class: 'funnel-summary', id: 'funnel-summary' });
  view.chart = h('div', { class: 'funnel-chart-wrap', id: 'funnel-chart', 'aria-busy': 'true' });
  view.groups = h('div', { class: 'funnel-groups', id: 'funnel-groups', tabindex: '0', role: 'region', i18nLabel: 'funnel.groups_title', hidden: true });
  view.groupsTitle = h('h2', { class: 'card-title', id: 'funnel-groups-title', i18n: 'funnel.groups_title', hidden: true });
  main.append(
    view.chips,
    view.error,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'funnel-chart-title' },
      h('h2', { class: 'card-title', id: 'funnel-chart-title', i18n: 'funnel.chart_title' }),
      view.summary,
      view.chart,
    ),
    h('section', { class: 'funnel-groups-section', 'aria-labelledby': 'funnel-groups-title' }, view.groupsTitle, view.groups),
  );
  load(view);
  const stop = onLocaleChange(() => {
    syncControls(view);
    drawChips(view);
    draw(view);
  });
  return () => {
    stop();
    if (view.ctl) view.ctl.abort();
  };
}

/* ------------------------------------------------------------ controls */

function controls(view) {
  const st = view.st;
  const from = h('input', { type: 'date', id: 'funnel-from', value: st.from, required: true });
  const to = h('input', { type: 'date', id: 'funnel-to', value: st.to, required: true });
  const onDate = () => {
    if (!DAY_RE.test(from.value) || !DAY_RE.test(to.value)) return;
    view.st.from = from.value;
    view.st.to = to.value;
    changed(view);
  };
  from.addEventListener('change', onDate);
  to.addEventListener('change', onDate);
  view.fromInput = from;
  view.toInput = to;

  view.presets = FUNNEL_PRESETS.map((p) =>
    h('button', {
      type: 'button',
      class: 'btn btn-small btn-secondary funnel-preset',
      'data-preset': p,
      i18n: `funnel.preset.${p}`,
      onclick: () => {
        [view.st.from, view.st.to] = presetRange(p);
        from.value = view.st.from;
        to.value = view.st.to;
        changed(view);
      },
    }),
  );

  view.modeInputs = FUNNEL_MODES.map((m) => {
    const input = h('input', { type: 'radio', name: 'funnel-mode', value: m, id: `funnel-mode-${m}` });
    input.checked = st.mode === m;
    input.addEventListener('change', () => {
      if (!input.checked) return;
      view.st.mode = m;
      changed(view);
    });
    return h('label', { class: 'kind-tab', for: `funnel-mode-${m}` }, input, h('span', { i18n: `funnel.mode.${m}` }));
  });
  view.modeHelp = h('p', { class: 'muted funnel-mode-help', id: 'funnel-mode-help', 'aria-live': 'polite' });

  const group = h(
    'select',
    { id: 'funnel-group' },
    h('option', { value: '', i18n: 'funnel.group.none' }),
    FUNNEL_GROUPS.map((g) => h('option', { value: g, i18n: `funnel.group.${g}` })),
  );
  group.value = st.group_by;
  group.addEventListener('change', () => {
    view.st.group_by = group.value;
    changed(view);
  });
  view.groupSelect = group;

  const bar = h(
    'div',
    { class: 'funnel-controls', id: 'funnel-controls', role: 'group', i18nLabel: 'funnel.controls' },
    h(
      'div',
      { class: 'filter-bar' },
      h('div', { class: 'filter filter-date' }, h('label', { for: 'funnel-from', class: 'filter-label', i18n: 'funnel.from' }), from),
      h('div', { class: 'filter filter-date' }, h('label', { for: 'funnel-to', class: 'filter-label', i18n: 'funnel.to' }), to),
      h('div', { class: 'filter funnel-presets', role: 'group', i18nLabel: 'funnel.presets' }, h('span', { class: 'filter-label', 'aria-hidden': 'true', i18n: 'funnel.presets' }), h('div', { class: 'funnel-preset-row' }, view.presets)),
      h('div', { class: 'filter' }, h('label', { for: 'funnel-group', class: 'filter-label', i18n: 'funnel.group_by' }), group),
    ),
    h(
      'fieldset',
      { class: 'funnel-mode' },
      h('legend', { class: 'filter-label', i18n: 'funnel.mode_label' }),
      h('div', { class: 'kind-tabs', id: 'funnel-mode' }, view.modeInputs),
      view.modeHelp,
    ),
  );
  syncControls(view);
  return bar;
}

/** The controls follow the state (after a preset, or on a language change). */
function syncControls(view) {
  const st = view.st;
  view.presets.forEach((b) => {
    const r = presetRange(b.dataset.preset);
    b.setAttribute('aria-pressed', String(!!r && r[0] === st.from && r[1] === st.to));
  });
  view.modeHelp.textContent = t(`funnel.mode_help.${st.mode}`);
}

function changed(view) {
  syncControls(view);
  load(view);
}

/** Contact filters from the address, one chip each (× removes it). */
function drawChips(view) {
  view.chips.replaceChildren(
    ...[...view.st.filters].map(([k, v]) =>
      h(
        'span',
        { class: 'filter-chip', 'data-key': k },
        filterLabel(view, k, v),
        h('button', {
          type: 'button',
          class: 'chip-remove',
          i18nLabel: 'filter.remove',
          onclick: () => {
            const rest = new URLSearchParams();
            for (const [a, b] of view.st.filters) if (a !== k) rest.append(a, b);
            view.st.filters = rest;
            load(view);
          },
        }, '×'),
      ),
    ),
  );
}

/** A contact filter's chip text: the field's label and the value in words. */
function filterLabel(view, k, v) {
  const name = k.replace(/\[.*$/, '');
  const op = (/\[(\w+)\]$/.exec(k) || [])[1];
  const def = fieldOf('contacts', name);
  const label = def ? labelOf(def) : { text: name };
  const known = filterValueText(def, name, op, v, { users: view.users });
  return [
    h('span', {}, label.key ? h('span', { i18n: label.key }) : label.text, known === null && op ? ` ${op}` : '', ': '),
    h('strong', {}, known === null ? v : known),
  ];
}

/* ------------------------------------------------------------- loading */

async function load(view) {
  const st = view.st;
  const q = queryOf(st);
  view.ctx.replaceQuery(q);
  drawChips(view);
  view.error.hidden = true;
  if (st.from > st.to) {
    view.error.textContent = t('funnel.bad_range');
    view.error.hidden = false;
    return;
  }
  if (view.ctl) view.ctl.abort();
  const ctl = new AbortController();
  view.ctl = ctl;
  const seq = ++view.seq;
  view.chart.setAttribute('aria-busy', 'true');
  let doc;
  try {
    doc = await api.get(withQuery('/api/v1/reports/funnel', q), { signal: ctl.signal });
  } catch (err) {
    if (isAbort(err) || seq !== view.seq || !view.ctx.alive()) return;
    view.chart.removeAttribute('aria-busy');
    showError(view.error, err);
    return;
  }
  if (seq !== view.seq || !view.ctx.alive()) return;
  view.doc = doc;
  draw(view);
  view.chart.removeAttribute('aria-busy');
}

/* ------------------------------------------------------------- drawing */

const countOf = (doc, s) => (doc.mode === 'period' ? s.entered : s.reached);

function fmtInt(n) {
  return new Intl.NumberFormat(intlLocale()).format(Number(n || 0));
}

export function fmtPercent(x) {
  return new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(Number(x || 0));
}

export function fmtDays(x) {
  return new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);
}

function draw(view) {
  const doc = view.doc;
  if (!doc) return;
  view.summary.replaceChildren(...summary(doc));
  view.chart.replaceChildren(funnelChart(doc, doc, { id: 'funnel-main' }));
  const grouped = Array.isArray(doc.groups) && view.st.group_by;
  view.groups.hidden = !grouped;
  view.groupsTitle.hidden = !grouped;
  if (!grouped) {
    view.groups.replaceChildren();
    return;
  }
  view.groups.replaceChildren(
    ...(doc.groups.length
      ? doc.groups.map((g) => groupCard(view, doc, g))
      : [h('p', { class: 'muted', i18n: 'funnel.no_groups' })]),
  );
}

/** Contacts, overall conversion and the totals per part. */
function summary(doc) {
  const what = doc.mode === 'period' ? 'entered' : 'reached';
  const stat = (id, labelKey, value, hintKey) =>
    h(
      'div',
      { class: 'funnel-stat', id },
      h('span', { class: 'funnel-stat-label', i18n: labelKey }),
      h('strong', { class: 'funnel-stat-value', 'data-value': String(value.raw) }, value.text),
      hintKey ? h('span', { class: 'funnel-stat-hint muted', i18n: hintKey }) : null,
    );
  return [
    stat('funnel-contacts', `funnel.contacts_${doc.mode}`, { raw: doc.contacts, text: fmtInt(doc.contacts) }),
    stat('funnel-overall', 'funnel.overall', { raw: doc.overall, text: fmtPercent(doc.overall) }, 'funnel.overall_hint'),
    ...(doc.parts || []).map((p) =>
      h(
        'div',
        { class: `funnel-stat funnel-stat-part part-${p.part.toLowerCase()}`, id: `funnel-part-${p.part}` },
        h('span', { class: 'funnel-stat-label' }, p.part, ' · ', h('span', { i18n: `funnel.part.${p.part.toLowerCase()}` })),
        h('strong', { class: 'funnel-stat-value', 'data-value': String(p[what]) }, fmtInt(p[what])),
        h('span', { class: 'funnel-stat-hint muted', i18n: `funnel.part_hint.${what}` }),
      ),
    ),
  ];
}

/**
 * The chart of funnel f (the report or one of its groups): the stages in
 * bands of consecutive stages of one part, each a bar whose fill is
 * proportional to its count (the largest count fills the track), then
 * the step to the next stage. opts: {id, small}.
 */
export function funnelChart(doc, f, opts = {}) {
  const stages = f.stages || [];
  const max = Math.max(1, ...stages.map((s) => countOf(doc, s)));
  const bands = [];
  for (const [i, s] of stages.entries()) {
    const last = bands[bands.length - 1];
    if (last && last.part === s.part) last.items.push([i, s]);
    else bands.push({ part: s.part, items: [[i, s]] });
  }
  const partTotal = (part) => {
    const p = (f.parts || []).find((x) => x.part === part);
    return p ? countOf(doc, p) : null;
  };
  return h(
    'div',
    { class: `funnel${opts.small ? ' funnel-small' : ''}`, id: opts.id || null, 'data-mode': doc.mode },
    bands.map((b) => {
      const total = partTotal(b.part);
      const partKey = b.part.toLowerCase();
      return h(
        'section',
        { class: `funnel-band band-${partKey}`, 'data-part': b.part },
        h(
          'div',
          { class: 'band-label' },
          h('strong', { class: 'band-name' }, b.part === 'post' ? h('span', { i18n: 'funnel.part.post' }) : b.part),
          b.part === 'post' ? null : h('span', { class: 'band-title', i18n: `funnel.part.${partKey}` }),
          total === null ? null : h('span', { class: 'band-total', 'data-value': String(total) }, t('funnel.band_total', { n: fmtInt(total) })),
        ),
        h('ol', { class: 'funnel-steps', start: String(b.items[0][0] + 1) }, b.items.map(([i, s]) => step(doc, s, i, i + 1 < stages.length, max, opts))),
      );
    }),
  );
}

function step(doc, s, i, hasNext, max, opts) {
  const n = countOf(doc, s);
  const fill = h('span', { class: 'bar-fill' });
  // The CSP forbids style attributes, not the CSSOM.
  fill.style.width = `${(n / max) * 100}%`;
  const label = t('funnel.bar_label', { stage: t(`stage.${s.stage}`), n: fmtInt(n) });
  const inner = [
    h('span', { class: 'bar-name', i18n: `stage.${s.stage}` }),
    h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
    h('span', { class: 'bar-count' }, fmtInt(n)),
  ];
  const bar = s.contacts_filter
    ? h(
        'a',
        {
          class: 'funnel-bar',
          href: `#/contacts?${s.contacts_filter}`,
          'data-stage': s.stage,
          'data-count': String(n),
          'aria-label': label,
          title: t('funnel.bar_open'),
          onclick: () => {
            try {
              sessionStorage.setItem(FUNNEL_BACK_KEY, location.hash);
            } catch {
              /* storage off: the list shows a plain link to the funnel */
            }
          },
        },
        inner,
      )
    : h('span', { class: 'funnel-bar funnel-bar-static', 'data-stage': s.stage, 'data-count': String(n), 'aria-label': label }, inner);
  return h(
    'li',
    { class: 'funnel-step', 'data-stage': s.stage },
    bar,
    hasNext ? stepToNext(s, opts) : null,
  );
}

/** Conversion to the next stage and the velocity of the step. */
function stepToNext(s, opts) {
  const v = s.velocity_days;
  const conv = s.conversion_to_next;
  return h(
    'p',
    { class: 'funnel-next', 'data-stage': s.stage },
    h('span', { class: 'next-arrow', 'aria-hidden': 'true' }, '↓'),
    h('span', { class: 'next-conv', 'data-value': conv === null ? '' : String(conv), title: t('funnel.conversion_hint') }, conv === null ? '—' : fmtPercent(conv)),
    h(
      'span',
      { class: 'next-velocity muted', title: t('funnel.velocity_hint') },
      opts.small ? null : h('span', { class: 'sr-only', i18n: 'funnel.velocity' }),
      h('span', { class: 'next-median', 'data-value': v ? String(v.median) : '' }, v ? t('funnel.median_days', { n: fmtDays(v.median) }) : t('funnel.median_none')),
      ' · ',
      h('span', { class: 'next-p75', 'data-value': v ? String(v.p75) : '' }, v ? t('funnel.p75_days', { n: fmtDays(v.p75) }) : t('funnel.p75_none')),
    ),
  );
}

/** The display name of a group of doc (grouped by `by`). */
function groupName(view, by, g) {
  if (g.key === null || g.key === undefined) return t(`funnel.group_empty.${by}`);
  if (by === 'source') return has(`source.${g.key}`) ? t(`source.${g.key}`) : String(g.key);
  if (by === 'month') {
    const [y, m] = String(g.key).split('-').map(Number);
    if (!y || !m) return String(g.key);
    return new Intl.DateTimeFormat(intlLocale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
  }
  if (g.name) return g.name;
  if (by === 'owner') {
    const u = view.users.find((x) => x.id === g.key);
    if (u) return u.name || u.email;
  }
  return t(`funnel.group_n.${by}`, { id: g.key });
}

function groupCard(view, doc, g) {
  const by = view.st.group_by;
  const name = groupName(view, by, g);
  const headId = `funnel-group-${String(g.key ?? 'none').replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  return h(
    'article',
    { class: 'card funnel-group', 'data-key': g.key === null || g.key === undefined ? '' : String(g.key), 'aria-labelledby': headId },
    h('h3', { class: 'funnel-group-name', id: headId }, name),
    h(
      'p',
      { class: 'funnel-group-meta muted' },
      h('span', { class: 'funnel-group-contacts', 'data-value': String(g.contacts) }, t(`funnel.group_contacts_${doc.mode}`, { n: fmtInt(g.contacts) })),
      ' · ',
      h('span', { class: 'funnel-group-overall', 'data-value': String(g.overall) }, t('funnel.group_overall', { pct: fmtPercent(g.overall) })),
    ),
    funnelChart(doc, g, { small: true }),
  );
}
