// What a campaign's page adds to the generic record page: the line under
// its name (channel, status, spend against budget) and the card of its
// dated cost entries (GET/POST/DELETE /api/v1/campaigns/{id}/costs), whose
// sum the server keeps as the campaign's cost (docs/decisions/0011).

import { api, listAll } from './api.js';
import { h, t, notify, notifyError, field, formErrorBox, onSubmit, setText } from './dom.js';
import { formatMoney, formatDate, moneyToInput, parseMoney } from './format.js';

/** Share of the budget spent, in whole percent (null without a budget). */
function spentPercent(c) {
  if (!c.budget) return null;
  return Math.round((c.cost * 100) / c.budget);
}

/** The spend line: "Spent 4.000.000 ₫ of 10.000.000 ₫ (40%)". */
function spendText(c) {
  const vars = { cost: formatMoney(c.cost, c.currency), budget: formatMoney(c.budget, c.currency), pct: spentPercent(c) };
  return c.budget === null || c.budget === undefined ? t('costs.spent_no_budget', vars) : t('costs.spent_of_budget', vars);
}

/** The parts of the line under a campaign's name. */
export function campaignSummary(c) {
  return [
    t(`channel.${c.channel}`),
    h('span', { class: `campaign-status campaign-${c.status}` }, t(`campaign_status.${c.status}`)),
    h('strong', { id: 'campaign-spend' }, spendText(c)),
  ];
}

/** Today in the browser's time zone, YYYY-MM-DD. */
function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * The cost entries card of campaign c. readOnly hides the form and the
 * remove buttons; onChange() runs after an entry is added or removed
 * (the page reads the campaign again, and calls setCampaign with it).
 * Returns {el, setCampaign(c), redraw()}.
 */
export function costsCard(c, { readOnly, onChange }) {
  const state = { c, entries: [] };
  const total = h('p', { id: 'costs-total', class: 'costs-total' });
  const meter = h('progress', { id: 'costs-meter', max: '100', value: '0', i18nLabel: 'costs.meter' });
  const body = h('tbody', {});
  const empty = h('p', { class: 'muted', id: 'costs-empty', i18n: 'costs.empty', hidden: true });
  const table = h(
    'table',
    { class: 'table', id: 'costs-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'costs.date' }), h('th', { scope: 'col', class: 'num', i18n: 'costs.amount' }), h('th', { scope: 'col', i18n: 'costs.note' }), readOnly ? null : h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'costs.actions' })))),
    body,
  );
  const el = h(
    'section',
    { class: 'card', id: 'campaign-costs', 'aria-labelledby': 'costs-title' },
    h('h2', { id: 'costs-title', class: 'card-title', i18n: 'costs.title' }),
    total,
    meter,
    readOnly ? null : addForm(),
    h('div', { class: 'table-wrap' }, table),
    empty,
  );

  function drawTotal() {
    setText(total, state.c.budget === null || state.c.budget === undefined ? 'costs.spent_no_budget' : 'costs.spent_of_budget', {
      cost: formatMoney(state.c.cost, state.c.currency),
      budget: formatMoney(state.c.budget, state.c.currency),
      pct: spentPercent(state.c),
    });
    const pct = spentPercent(state.c);
    meter.hidden = pct === null;
    meter.value = Math.min(100, pct || 0);
    el.classList.toggle('over-budget', pct !== null && pct > 100);
  }

  function drawRows() {
    body.replaceChildren(
      ...state.entries.map((e) =>
        h(
          'tr',
          { 'data-cost-id': String(e.id) },
          h('td', {}, formatDate(e.date)),
          h('td', { class: 'num' }, formatMoney(e.amount, e.currency)),
          h('td', {}, e.note || ''),
          readOnly
            ? null
            : h(
                'td',
                {},
                h('button', {
                  type: 'button',
                  class: 'btn btn-secondary btn-small',
                  i18n: 'costs.remove',
                  i18nLabel: 'costs.remove_label',
                  i18nLabelVars: { date: formatDate(e.date), amount: formatMoney(e.amount, e.currency) },
                  onclick: () => remove(e),
                }),
              ),
        ),
      ),
    );
    empty.hidden = state.entries.length > 0;
    table.hidden = state.entries.length === 0;
  }

  async function load() {
    try {
      state.entries = await listAll(`/api/v1/campaigns/${state.c.id}/costs`);
    } catch (err) {
      notifyError(err);
      return;
    }
    drawRows();
  }

  async function remove(e) {
    if (!window.confirm(t('costs.confirm_remove', { date: formatDate(e.date), amount: formatMoney(e.amount, e.currency) }))) return;
    try {
      await api.del(`/api/v1/campaigns/${state.c.id}/costs/${e.id}`);
    } catch (err) {
      notifyError(err);
      return;
    }
    notify({ key: 'costs.removed' });
    await load();
    if (onChange) onChange();
  }

  function addForm() {
    const date = h('input', { type: 'date', id: 'cost-date', name: 'date', value: today(), required: true });
    const amount = h('input', { type: 'text', id: 'cost-amount', name: 'amount', inputmode: 'decimal', required: true, autocomplete: 'off' });
    const note = h('input', { type: 'text', id: 'cost-note', name: 'note', maxlength: '500', autocomplete: 'off' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'cost-add', i18n: 'costs.add' });
    const form = h(
      'form',
      { id: 'cost-form', class: 'cost-form', novalidate: true },
      h(
        'div',
        { class: 'form-grid form-grid-3' },
        field({ id: 'cost-date', name: 'date', label: 'costs.date', required: true, control: date }),
        field({ id: 'cost-amount', name: 'amount', label: 'costs.amount', required: true, control: amount }),
        field({ id: 'cost-note', name: 'note', label: 'costs.note', control: note }),
      ),
      formErrorBox(),
      h('div', { class: 'form-actions' }, submit),
    );
    onSubmit(form, submit, async () => {
      const v = parseMoney(amount.value, state.c.currency);
      if (Number.isNaN(v)) throw { field: 'amount', code: 'input', message: t('form.invalid_amount') };
      const sent = { date: date.value, amount: v };
      if (note.value.trim()) sent.note = note.value.trim();
      await api.post(`/api/v1/campaigns/${state.c.id}/costs`, sent);
      amount.value = '';
      note.value = '';
      notify({ key: 'costs.added', vars: { amount: formatMoney(v, state.c.currency) } });
      await load();
      if (onChange) onChange();
      amount.focus();
    });
    // the amount field shows the campaign's currency's format
    amount.placeholder = moneyToInput(0, c.currency);
    return form;
  }

  drawTotal();
  load();
  return {
    el,
    setCampaign(next) {
      state.c = next;
      drawTotal();
    },
    redraw() {
      drawTotal();
      drawRows();
    },
  };
}
