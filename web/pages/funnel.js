// Funnel report page (#/funnel?from=…&to=…&mode=…&group_by=…): GET
// /api/v1/reports/funnel (SPEC §3) drawn as horizontal bars that narrow
// stage by stage, banded TOFU / MOFU / BOFU, with the conversion and the
// velocity of each step, the totals per part and overall; with group_by,
// one small funnel per group in a scrollable row. A bar links to the
// contact list filtered by its `contacts_filter`. The page's state lives
// in the address; any other parameter there is a contact filter passed
// on to the report (#/funnel?…&owner_id=3), shown as a removable chip.

import { h, t, pageHeader } from '../dom.js';
import { loadUsers, fieldOf } from '../crm.js';
import { labelOf, filterValueText } from '../fields.js';
import { getLocale, has } from '../i18n.js';
import { FUNNEL_MODES, FUNNEL_GROUPS, FUNNEL_BACK_KEY } from '../constants.js';
import { DAY_RE, presetRange, periodControls, reportControls, radioTabs, startReport, loadReport } from '../period.js';

export { businessToday, presetRange } from '../period.js';

const PAGE_KEYS = new Set(['from', 'to', 'mode', 'group_by']);

const intlLocale = () => (getLocale() === 'en' ? 'en-GB' : 'vi-VN');

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
  const redraw = () => {
    drawChips(view);
    draw(view);
  };
  return startReport(view, { sync: syncControls, load, redraw });
}

/* ------------------------------------------------------------ controls */

function controls(view) {
  const st = view.st;
  const period = periodControls(view, { prefix: 'funnel', fromKey: 'funnel.from', toKey: 'funnel.to', onChange: () => view.changed() });

  view.modeInputs = radioTabs('funnel-mode', FUNNEL_MODES, st.mode, (m) => `funnel.mode.${m}`, (m) => {
    view.st.mode = m;
    view.changed();
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
    view.changed();
  });
  view.groupSelect = group;

  const bar = reportControls({
    id: 'funnel-controls',
    labelKey: 'funnel.controls',
    filters: [period, h('div', { class: 'filter' }, h('label', { for: 'funnel-group', class: 'filter-label', i18n: 'funnel.group_by' }), group)],
    legendKey: 'funnel.mode_label',
    tabsId: 'funnel-mode',
    tabs: view.modeInputs,
    help: view.modeHelp,
  });
  syncControls(view);
  return bar;
}

/** The controls follow the state (after a preset, or on a language change). */
function syncControls(view) {
  view.syncPeriod();
  view.modeHelp.textContent = t(`funnel.mode_help.${view.st.mode}`);
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
  const q = queryOf(view.st);
  drawChips(view);
  const doc = await loadReport(view, '/api/v1/reports/funnel', q, view.chart, 'funnel.bad_range');
  if (!doc) return;
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
