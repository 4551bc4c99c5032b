// Campaign performance page (#/campaign_report?from=…&to=…&model=…
// [&channel=…][&sort=…]): GET /api/v1/reports/campaigns (SPEC §4,
// decision 0015) as a table of campaigns — spend, reach, the funnel they
// fed, attributed revenue and the ratios — sortable by any column (click
// a header, again to reverse), its totals, and a chart of spend against
// revenue per channel drawn as inline SVG. The page's state lives in the
// address, so a reload or a bookmark shows the same report.

import { h, t, pageHeader } from '../dom.js';
import { formatMoney, formatNumber } from '../format.js';
import { has } from '../i18n.js';
import { ATTRIBUTION_MODELS, CAMPAIGN_CHANNELS } from '../constants.js';
import { DAY_RE, presetRange, periodControls, startReport, showReport, reportStat } from '../period.js';
import { fmtPercent } from './funnel.js';
import { syncControls } from './attribution.js';

const SVG = 'http://www.w3.org/2000/svg';

// The table's columns, in the order a marketer reads them (money first:
// spend, revenue, ROI, then each funnel count beside its cost): the
// row's key and how it is shown (text sorts by the locale).
const COLUMNS = [
  { key: 'name', kind: 'text' },
  { key: 'channel', kind: 'text' },
  { key: 'cost', kind: 'money' },
  { key: 'revenue', kind: 'money' },
  { key: 'roi', kind: 'percent' },
  { key: 'leads', kind: 'int' },
  { key: 'cost_per_lead', kind: 'money' },
  { key: 'mqls', kind: 'int' },
  { key: 'cost_per_mql', kind: 'money' },
  { key: 'customers', kind: 'int' },
  { key: 'cac', kind: 'money' },
  { key: 'touchpoints', kind: 'int' },
  { key: 'new_contacts', kind: 'int' },
  { key: 'sqls', kind: 'int' },
  { key: 'deals', kind: 'int' },
  { key: 'mql_to_sql', kind: 'percent' },
  { key: 'sql_to_customer', kind: 'percent' },
];
const SORT_KEYS = COLUMNS.map((c) => c.key);

/** The page state read from the address (defaults: linear, the last 12
 * months, every channel, by revenue descending). */
function stateFrom(query) {
  const [dfrom, dto] = presetRange('last_12_months');
  const from = query.get('from');
  const to = query.get('to');
  const model = query.get('model');
  const channel = query.get('channel');
  const sort = query.get('sort') || '-revenue';
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  return {
    model: ATTRIBUTION_MODELS.includes(model) ? model : 'linear',
    from: from && DAY_RE.test(from) ? from : dfrom,
    to: to && DAY_RE.test(to) ? to : dto,
    channel: CAMPAIGN_CHANNELS.includes(channel) ? channel : '',
    sortKey: SORT_KEYS.includes(key) ? key : 'revenue',
    desc: SORT_KEYS.includes(key) ? desc : true,
  };
}

function queryOf(st) {
  const q = new URLSearchParams({ from: st.from, to: st.to, model: st.model });
  if (st.channel) q.set('channel', st.channel);
  q.set('sort', `${st.desc ? '-' : ''}${st.sortKey}`);
  return q;
}

export async function render(main, ctx) {
  const view = { ctx, st: stateFrom(ctx.query), doc: null, ctl: null, seq: 0 };
  main.append(pageHeader('nav.campaign_report', h('p', { class: 'muted', i18n: 'campaign_report.intro' })));
  main.append(controls(view));
  view.error = h('p', { class: 'form-error', role: 'alert', id: 'cperf-error', hidden: true });
  view.summary = h('div', { class: 'funnel-summary', id: 'cperf-summary' });
  view.chart = h('div', { class: 'cperf-chart', id: 'cperf-chart' });
  view.table = h('div', { class: 'table-wrap', id: 'cperf-report', 'aria-busy': 'true' });
  view.excluded = h('p', { class: 'attr-excluded muted', id: 'cperf-excluded', hidden: true });
  main.append(
    view.error,
    view.summary,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'cperf-chart-title' },
      h('h2', { class: 'card-title', id: 'cperf-chart-title', i18n: 'campaign_report.chart_title' }),
      view.chart,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'cperf-table-title' },
      h('h2', { class: 'card-title', id: 'cperf-table-title', i18n: 'campaign_report.table_title' }),
      view.table,
      view.excluded,
    ),
  );
  return startReport(view, { sync: syncControls, load, redraw: draw });
}

/* ------------------------------------------------------------ controls */

function select(id, values, current, labelKey, onPick) {
  const el = h('select', { id }, values.map((v) => h('option', { value: v, i18n: labelKey(v) })));
  el.value = current;
  el.addEventListener('change', () => onPick(el.value));
  return el;
}

function controls(view) {
  const st = view.st;
  view.modelSelect = select('cperf-model', ATTRIBUTION_MODELS, st.model, (m) => `attribution.model.${m}`, (m) => {
    view.st.model = m;
    view.changed();
  });
  view.channelSelect = select('cperf-channel', ['', ...CAMPAIGN_CHANNELS], st.channel, (c) => (c ? `channel.${c}` : 'campaign_report.all_channels'), (c) => {
    view.st.channel = c;
    view.changed();
  });
  const period = periodControls(view, { prefix: 'cperf', fromKey: 'campaign_report.from', toKey: 'campaign_report.to', onChange: () => view.changed() });
  view.modelHelp = h('p', { class: 'muted funnel-mode-help', id: 'cperf-model-help', 'aria-live': 'polite' });
  const bar = h(
    'div',
    { class: 'funnel-controls', id: 'cperf-controls', role: 'group', i18nLabel: 'attribution.controls' },
    h(
      'div',
      { class: 'filter-bar' },
      h('div', { class: 'filter' }, h('label', { for: 'cperf-model', class: 'filter-label', i18n: 'campaign_report.model_label' }), view.modelSelect),
      period,
      h('div', { class: 'filter' }, h('label', { for: 'cperf-channel', class: 'filter-label', i18n: 'campaign_report.channel' }), view.channelSelect),
    ),
    view.modelHelp,
  );
  syncControls(view);
  return bar;
}

/* ------------------------------------------------------------- loading */

function load(view) {
  return showReport(view, '/api/v1/reports/campaigns', queryOf(view.st), view.table, 'attribution.bad_range', draw);
}

/* ------------------------------------------------------------- drawing */

function draw(view) {
  const doc = view.doc;
  if (!doc) return;
  view.summary.replaceChildren(...summary(doc));
  view.chart.replaceChildren(chart(doc));
  view.table.replaceChildren(table(view, doc));
  const n = doc.excluded ? doc.excluded.campaigns : 0;
  view.excluded.hidden = !n;
  view.excluded.textContent = n ? t('campaign_report.excluded', { n: formatNumber(n) }) : '';
}

const channelName = (c) => (has(`channel.${c}`) ? t(`channel.${c}`) : String(c));

/** A figure as text: money in the report currency, counts, percentages;
 * null as a dash. */
function fmt(kind, v, currency) {
  if (v === null || v === undefined) return '—';
  if (kind === 'money') return formatMoney(v, currency);
  if (kind === 'percent') return fmtPercent(v);
  return formatNumber(v);
}

/** Spend, revenue, ROI and CAC over every campaign shown. */
function summary(doc) {
  const tt = doc.totals;
  return [
    reportStat('cperf-total-cost', 'campaign_report.col.cost', tt.cost, fmt('money', tt.cost, doc.currency)),
    reportStat('cperf-total-revenue', 'campaign_report.col.revenue', tt.revenue, fmt('money', tt.revenue, doc.currency)),
    reportStat('cperf-total-roi', 'campaign_report.col.roi', tt.roi, fmt('percent', tt.roi)),
    reportStat('cperf-total-cac', 'campaign_report.col.cac', tt.cac, fmt('money', tt.cac, doc.currency)),
  ];
}

/** Compares two rows by column key (text by the locale, nulls last
 * whichever the direction). */
function compareBy(key, desc) {
  const text = COLUMNS.find((c) => c.key === key).kind === 'text';
  return (a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null) return (x === null) - (y === null);
    let c = text ? String(x).localeCompare(String(y), 'vi') : x - y;
    if (!c) c = a.campaign_id - b.campaign_id;
    return desc ? -c : c;
  };
}

/** A column header: a button that sorts by it, again to reverse. */
function headerCell(view, col) {
  const st = view.st;
  const active = st.sortKey === col.key;
  const sortState = active ? (st.desc ? 'descending' : 'ascending') : 'none';
  const arrow = active ? (st.desc ? ' ▼' : ' ▲') : '';
  return h(
    'th',
    { scope: 'col', class: col.kind === 'text' ? '' : 'num', 'aria-sort': sortState, 'data-key': col.key },
    h(
      'button',
      {
        type: 'button',
        class: 'cperf-sort',
        onclick: () => {
          if (st.sortKey === col.key) st.desc = !st.desc;
          else {
            st.sortKey = col.key;
            st.desc = col.kind !== 'text';
          }
          view.ctx.replaceQuery(queryOf(st));
          draw(view);
        },
      },
      h('span', { i18n: `campaign_report.col.${col.key}` }),
      arrow,
    ),
  );
}

function cell(doc, r, col) {
  const v = r[col.key];
  if (col.key === 'name') {
    return h('th', { scope: 'row', class: 'cperf-name' }, h('a', { href: `#/campaigns/${r.campaign_id}` }, r.name));
  }
  if (col.key === 'channel') return h('td', { 'data-value': v }, channelName(v));
  return h('td', { class: `num cperf-${col.key}`, 'data-value': v === null ? '' : String(v) }, fmt(col.kind, v, doc.currency));
}

function table(view, doc) {
  const rows = [...doc.rows].sort(compareBy(view.st.sortKey, view.st.desc));
  const body = rows.map((r) => h('tr', { class: 'cperf-row', 'data-id': String(r.campaign_id) }, COLUMNS.map((c) => cell(doc, r, c))));
  const totals = h(
    'tr',
    { id: 'cperf-totals' },
    h('th', { scope: 'row', i18n: 'attribution.total' }),
    h('td', {}, ''),
    COLUMNS.slice(2).map((c) => h('td', { class: `num cperf-${c.key}`, 'data-value': String(doc.totals[c.key]) }, fmt(c.kind, doc.totals[c.key], doc.currency))),
  );
  return h(
    'table',
    { class: 'table attr-table cperf-table', id: 'cperf-table' },
    h('caption', { class: 'sr-only' }, t('campaign_report.caption', { model: t(`attribution.model.${doc.model}`) })),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => headerCell(view, c)))),
    h('tbody', {}, body.length ? body : h('tr', { class: 'cperf-empty' }, h('td', { colspan: String(COLUMNS.length), class: 'muted', i18n: 'campaign_report.empty' }))),
    h('tfoot', {}, totals),
  );
}

/* --------------------------------------------------------------- chart */

/** Spend and revenue summed per channel, biggest spender first. */
function byChannel(doc) {
  const m = new Map();
  for (const r of doc.rows) {
    const s = m.get(r.channel) || { channel: r.channel, cost: 0, revenue: 0 };
    s.cost += r.cost || 0;
    s.revenue += r.revenue || 0;
    m.set(r.channel, s);
  }
  return [...m.values()].sort((a, b) => b.cost - a.cost || b.revenue - a.revenue || a.channel.localeCompare(b.channel));
}

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Two horizontal bars per channel (spend, revenue) on one scale, each
 * labelled with its amount; a legend on top. */
function chart(doc) {
  const data = byChannel(doc);
  if (!data.length) return h('p', { class: 'muted', i18n: 'campaign_report.empty' });
  const max = Math.max(1, ...data.map((d) => Math.max(d.cost, d.revenue)));
  const label = 150;
  const width = 720;
  const barW = width - label - 170;
  const rowH = 44;
  const top = 28;
  const height = top + data.length * rowH;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', id: 'cperf-chart-svg', class: 'cperf-svg' });
  root.append(svg('title', {}, t('campaign_report.chart_title')));
  const legend = [
    ['cperf-bar-cost', 'campaign_report.col.cost'],
    ['cperf-bar-revenue', 'campaign_report.col.revenue'],
  ];
  legend.forEach(([cls, key], i) => {
    const x = label + i * 140;
    root.append(svg('rect', { x, y: 6, width: 12, height: 12, class: cls }), svg('text', { x: x + 18, y: 16, class: 'cperf-legend' }, t(key)));
  });
  data.forEach((d, i) => {
    const y = top + i * rowH;
    const g = svg('g', { class: 'cperf-group', 'data-channel': d.channel });
    g.append(svg('text', { x: label - 8, y: y + 20, 'text-anchor': 'end', class: 'cperf-axis' }, channelName(d.channel)));
    [
      ['cost', 'cperf-bar-cost', 2],
      ['revenue', 'cperf-bar-revenue', 19],
    ].forEach(([k, cls, dy]) => {
      const w = Math.max(d[k] > 0 ? 1 : 0, Math.round((d[k] / max) * barW));
      g.append(
        svg('rect', { x: label, y: y + dy, width: w, height: 15, class: cls, 'data-value': d[k] }),
        svg('text', { x: label + w + 6, y: y + dy + 12, class: 'cperf-amount' }, formatMoney(d[k], doc.currency)),
      );
    });
    root.append(g);
  });
  return root;
}
