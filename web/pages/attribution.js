// Attribution report page (#/attribution?model=…&by=…&won_from=…&won_to=…
// [&currency=…]): GET /api/v1/reports/attribution (SPEC §4, decision
// 0014) as a table of campaigns or channels sorted by attributed revenue,
// each with its share of the revenue won and the touchpoints credited;
// then the deals without touches (unattributed) and the deals left out
// for want of an exchange rate (excluded). The page's state lives in the
// address, so a reload or a bookmark shows the same report.

import { h, t, pageHeader } from '../dom.js';
import { formatMoney, formatNumber } from '../format.js';
import { has } from '../i18n.js';
import { ATTRIBUTION_MODELS, ATTRIBUTION_BY } from '../constants.js';
import { DAY_RE, presetRange, periodControls, reportControls, radioTabs, startReport, showReport, reportStat } from '../period.js';
import { fmtPercent } from './funnel.js';

const CURRENCY_RE = /^[A-Z]{3}$/;

/** The page state read from the address (defaults: linear, by campaign,
 * the last 12 months, the business's currency). */
function stateFrom(query) {
  const [dfrom, dto] = presetRange('last_12_months');
  const from = query.get('won_from');
  const to = query.get('won_to');
  const model = query.get('model');
  const by = query.get('by');
  const cur = query.get('currency');
  return {
    model: ATTRIBUTION_MODELS.includes(model) ? model : 'linear',
    by: ATTRIBUTION_BY.includes(by) ? by : 'campaign',
    from: from && DAY_RE.test(from) ? from : dfrom,
    to: to && DAY_RE.test(to) ? to : dto,
    currency: cur && CURRENCY_RE.test(cur) ? cur : '',
  };
}

function queryOf(st) {
  const q = new URLSearchParams({ model: st.model, by: st.by, won_from: st.from, won_to: st.to });
  if (st.currency) q.set('currency', st.currency);
  return q;
}

export async function render(main, ctx) {
  const view = { ctx, st: stateFrom(ctx.query), doc: null, ctl: null, seq: 0 };
  main.append(pageHeader('nav.attribution', h('p', { class: 'muted', i18n: 'attribution.intro' })));
  main.append(controls(view));
  view.error = h('p', { class: 'form-error', role: 'alert', id: 'attr-error', hidden: true });
  view.summary = h('div', { class: 'funnel-summary', id: 'attr-summary' });
  view.table = h('div', { class: 'table-wrap', id: 'attr-report', 'aria-busy': 'true' });
  view.excluded = h('p', { class: 'attr-excluded muted', id: 'attr-excluded', hidden: true });
  main.append(
    view.error,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'attr-table-title' },
      h('h2', { class: 'card-title', id: 'attr-table-title', i18n: 'attribution.table_title' }),
      view.summary,
      view.table,
      view.excluded,
    ),
  );
  return startReport(view, { sync: syncControls, load, redraw: draw });
}

/* ------------------------------------------------------------ controls */

function controls(view) {
  const st = view.st;
  const model = h(
    'select',
    { id: 'attr-model' },
    ATTRIBUTION_MODELS.map((m) => h('option', { value: m, i18n: `attribution.model.${m}` })),
  );
  model.value = st.model;
  model.addEventListener('change', () => {
    view.st.model = model.value;
    view.changed();
  });
  view.modelSelect = model;

  view.byInputs = radioTabs('attr-by', ATTRIBUTION_BY, st.by, (b) => `attribution.by.${b}`, (b) => {
    view.st.by = b;
    view.changed();
  });

  const period = periodControls(view, { prefix: 'attr', fromKey: 'attribution.won_from', toKey: 'attribution.won_to', onChange: () => view.changed() });

  const cur = h('input', { type: 'text', id: 'attr-currency', value: st.currency, maxlength: '3', size: '9', autocomplete: 'off', spellcheck: 'false', i18nPlaceholder: 'attribution.currency_default' });
  cur.addEventListener('change', () => {
    const v = cur.value.trim().toUpperCase();
    cur.value = v;
    if (v && !CURRENCY_RE.test(v)) {
      view.error.textContent = t('attribution.bad_currency');
      view.error.hidden = false;
      return;
    }
    view.st.currency = v;
    view.changed();
  });
  view.currencyInput = cur;
  view.modelHelp = h('p', { class: 'muted funnel-mode-help', id: 'attr-model-help', 'aria-live': 'polite' });

  const bar = reportControls({
    id: 'attr-controls',
    labelKey: 'attribution.controls',
    filters: [
      h('div', { class: 'filter' }, h('label', { for: 'attr-model', class: 'filter-label', i18n: 'attribution.model_label' }), model),
      period,
      h('div', { class: 'filter' }, h('label', { for: 'attr-currency', class: 'filter-label', i18n: 'attribution.currency' }), cur),
    ],
    legendKey: 'attribution.by_label',
    tabsId: 'attr-by',
    tabs: view.byInputs,
    help: view.modelHelp,
  });
  syncControls(view);
  return bar;
}

/** The controls follow the state (after a preset, or on a language
 * change): the period's quick ranges and the model's help line (the
 * campaign report's controls too). */
export function syncControls(view) {
  view.syncPeriod();
  view.modelHelp.textContent = t(`attribution.model_help.${view.st.model}`);
}

/* ------------------------------------------------------------- loading */

function load(view) {
  return showReport(view, '/api/v1/reports/attribution', queryOf(view.st), view.table, 'attribution.bad_range', draw);
}

/* ------------------------------------------------------------- drawing */

/** A row's share of the revenue won in the period (0 when none). */
const shareOf = (doc, revenue) => (doc.total_revenue > 0 ? revenue / doc.total_revenue : 0);

/** The display name of a row: its campaign, or its channel's label. */
function rowName(doc, r) {
  if (r.key === null || r.key === undefined) return t(`attribution.none.${doc.by}`);
  if (doc.by === 'channel') return has(`channel.${r.key}`) ? t(`channel.${r.key}`) : String(r.key);
  return r.name || t('attribution.campaign_n', { id: r.key });
}

function draw(view) {
  const doc = view.doc;
  if (!doc) return;
  view.summary.replaceChildren(...summary(doc));
  view.table.replaceChildren(table(doc));
  drawExcluded(view, doc);
}

/** Revenue won, deals counted and the share that found no touch. */
function summary(doc) {
  return [
    reportStat('attr-total', 'attribution.total_revenue', doc.total_revenue, formatMoney(doc.total_revenue, doc.currency)),
    reportStat('attr-deals', 'attribution.deals', doc.deals, formatNumber(doc.deals)),
    reportStat('attr-attributed', 'attribution.attributed_share', shareOf(doc, doc.total_revenue - doc.unattributed.revenue), fmtPercent(shareOf(doc, doc.total_revenue - doc.unattributed.revenue))),
  ];
}

function shareCell(doc, revenue) {
  const share = shareOf(doc, revenue);
  const fill = h('span', { class: 'attr-bar-fill' });
  // The CSP forbids style attributes, not the CSSOM.
  fill.style.width = `${share * 100}%`;
  return h(
    'td',
    { class: 'num attr-share', 'data-value': String(share) },
    h('span', { class: 'attr-bar', 'aria-hidden': 'true' }, fill),
    h('span', { class: 'attr-share-text' }, fmtPercent(share)),
  );
}

function table(doc) {
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', i18n: `attribution.by.${doc.by}` }),
    h('th', { scope: 'col', class: 'num', i18n: 'attribution.revenue' }),
    h('th', { scope: 'col', class: 'num', i18n: 'attribution.share' }),
    h('th', { scope: 'col', class: 'num', i18n: 'attribution.touchpoints' }),
  );
  const rows = doc.rows.map((r) => {
    const name = rowName(doc, r);
    const link = doc.by === 'campaign' && r.key !== null ? h('a', { href: `#/campaigns/${r.key}` }, name) : name;
    return h(
      'tr',
      { class: 'attr-row', 'data-key': r.key === null ? '' : String(r.key) },
      h('th', { scope: 'row', class: 'attr-name' }, link),
      h('td', { class: 'num attr-revenue', 'data-value': String(r.revenue) }, formatMoney(r.revenue, doc.currency)),
      shareCell(doc, r.revenue),
      h('td', { class: 'num attr-touches', 'data-value': String(r.touchpoints) }, formatNumber(r.touchpoints)),
    );
  });
  const un = doc.unattributed;
  const foot = h(
    'tfoot',
    {},
    h(
      'tr',
      { id: 'attr-unattributed', 'data-deals': String(un.deals) },
      h('th', { scope: 'row' }, t('attribution.unattributed', { n: formatNumber(un.deals) })),
      h('td', { class: 'num attr-revenue', 'data-value': String(un.revenue) }, formatMoney(un.revenue, doc.currency)),
      shareCell(doc, un.revenue),
      h('td', { class: 'num' }, '—'),
    ),
    h(
      'tr',
      { id: 'attr-sum' },
      h('th', { scope: 'row', i18n: 'attribution.total' }),
      h('td', { class: 'num attr-revenue', 'data-value': String(doc.total_revenue) }, formatMoney(doc.total_revenue, doc.currency)),
      shareCell(doc, doc.total_revenue),
      h('td', { class: 'num' }, ''),
    ),
  );
  return h(
    'table',
    { class: 'table attr-table', id: 'attr-table' },
    h('caption', { class: 'sr-only' }, t('attribution.caption', { model: t(`attribution.model.${doc.model}`) })),
    h('thead', {}, head),
    h('tbody', {}, rows.length ? rows : h('tr', { class: 'attr-empty' }, h('td', { colspan: '4', class: 'muted', i18n: 'attribution.empty' }))),
    foot,
  );
}

/** Deals in a currency without an exchange rate: how many, how much. */
function drawExcluded(view, doc) {
  const ex = doc.excluded || { deals: 0, revenue_by_currency: {} };
  view.excluded.hidden = !ex.deals;
  if (!ex.deals) {
    view.excluded.replaceChildren();
    return;
  }
  const sums = Object.entries(ex.revenue_by_currency).map(([cur, amt]) => formatMoney(amt, cur));
  view.excluded.dataset.deals = String(ex.deals);
  view.excluded.replaceChildren(t('attribution.excluded', { n: formatNumber(ex.deals), sums: sums.join(' + ') }));
}
