// Deal pipeline board (#/deals/board?pipeline=<id>): one column per stage
// of the chosen pipeline, with the number and total amount of its deals
// (GET /api/v1/pipelines/{id}/totals, visibility applied by the server).
// Cards move between stages by drag and drop, or from the keyboard with
// the stage menu on each card; the move is shown at once, sent as PATCH
// {stage_id}, and undone if the server refuses it.

import { api, withQuery } from '../api.js';
import { h, t, pageHeader, notifyError, showError } from '../dom.js';
import { loadPipelines, loadUsers, loadNames, cachedName, recordHref, rememberNames } from '../crm.js';
import { createDialog } from '../forms.js';
import { dealTabs } from './list.js';
import { formatMoney, formatSums, formatDate, formatNumber } from '../format.js';
import { onLocaleChange } from '../i18n.js';

const PER_COLUMN = 25;

export async function render(main, ctx) {
  const [pipelines, users] = await Promise.all([loadPipelines(), loadUsers().catch(() => [])]);
  if (!ctx.alive()) return null;
  const refs = { users, pipelines };
  const wanted = Number(ctx.query.get('pipeline'));
  let pipeline = pipelines.find((p) => p.id === wanted) || pipelines.find((p) => p.name === 'New business') || pipelines[0];

  const board = {
    ctx,
    refs,
    pipeline,
    deals: new Map(), // id -> deal
    totals: new Map(), // stage id -> [{currency, count, amount}]
    columns: new Map(), // stage id -> {el, list, head, more, next}
    live: h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite', id: 'board-live' }),
    dragging: null,
    seq: 0,
  };

  const create = h('button', {
    type: 'button',
    class: 'btn btn-primary',
    id: 'board-create',
    i18n: 'create.button_deal',
    onclick: () =>
      createDialog('deals', {
        refs,
        user: ctx.user,
        preset: { pipeline_id: board.pipeline.id },
        onCreated: () => drawBoard(board),
      }),
  });
  const header = pageHeader('nav.deals');
  header.append(h('div', { class: 'page-actions' }, create));

  const picker = h(
    'select',
    { id: 'board-pipeline' },
    pipelines.map((p) => h('option', { value: String(p.id), selected: p.id === pipeline.id ? true : null }, p.name)),
  );
  picker.addEventListener('change', () => {
    board.pipeline = pipelines.find((p) => String(p.id) === picker.value);
    ctx.replaceQuery({ pipeline: board.pipeline.id });
    drawBoard(board);
  });
  board.el = h('div', { class: 'board', id: 'board' });
  board.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  main.append(
    header,
    dealTabs('board'),
    h(
      'div',
      { class: 'board-tools' },
      h('label', { for: 'board-pipeline', class: 'filter-label', i18n: 'field.pipeline_id' }),
      picker,
      h('p', { class: 'muted board-hint', id: 'board-hint', i18n: 'board.hint' }),
    ),
    board.error,
    board.el,
    board.live,
  );
  ctx.replaceQuery({ pipeline: pipeline.id });
  await drawBoard(board);
  const stop = onLocaleChange(() => {
    for (const s of board.pipeline.stages) drawHead(board, s);
  });
  return stop;
}

/* ---------------------------------------------------------------- draw */

async function drawBoard(board) {
  const seq = ++board.seq;
  const { pipeline } = board;
  board.deals.clear();
  board.columns.clear();
  board.error.hidden = true;
  board.el.setAttribute('aria-busy', 'true');
  const cols = pipeline.stages.map((s) => column(board, s));
  board.el.replaceChildren(...cols);
  try {
    await Promise.all([loadTotals(board), ...pipeline.stages.map((s) => loadColumn(board, s, null, seq))]);
  } catch (err) {
    if (seq !== board.seq) return;
    showError(board.error, err);
  }
  if (seq !== board.seq) return;
  board.el.removeAttribute('aria-busy');
  for (const s of pipeline.stages) drawHead(board, s);
}

function column(board, stage) {
  const list = h('ol', { class: 'board-cards', 'aria-labelledby': `col-${stage.id}-title` });
  const head = h('div', { class: 'board-col-head' });
  const more = h('button', { type: 'button', class: 'btn btn-small btn-secondary board-more', i18n: 'list.load_more', hidden: true });
  const el = h(
    'section',
    { class: `board-col col-${stage.kind}`, 'data-stage-id': stage.id, 'aria-labelledby': `col-${stage.id}-title` },
    head,
    list,
    more,
  );
  const col = { el, list, head, more, next: null, stage };
  board.columns.set(stage.id, col);
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      await loadColumn(board, stage, col.next, board.seq);
    } catch (err) {
      notifyError(err);
    }
    more.disabled = false;
  });
  // Drop target: any deal card of this board.
  el.addEventListener('dragover', (e) => {
    if (!board.dragging) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    el.classList.add('drop-target');
  });
  el.addEventListener('dragleave', (e) => {
    if (!el.contains(e.relatedTarget)) el.classList.remove('drop-target');
  });
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    el.classList.remove('drop-target');
    const id = Number(e.dataTransfer.getData('text/plain')) || board.dragging;
    board.dragging = null;
    if (id) move(board, id, stage.id);
  });
  return el;
}

async function loadColumn(board, stage, cursor, seq) {
  const page = await api.get(
    withQuery('/api/v1/deals', { pipeline_id: board.pipeline.id, stage_id: stage.id, sort: '-created_at', limit: PER_COLUMN, cursor }),
  );
  if (seq !== board.seq) return;
  const deals = page.data || [];
  const companies = deals.map((d) => d.company_id).filter(Boolean);
  if (companies.length) await loadNames('companies', companies);
  if (seq !== board.seq) return;
  rememberNames('deals', deals);
  const col = board.columns.get(stage.id);
  for (const d of deals) {
    if (board.deals.has(d.id)) continue; // moved here meanwhile
    board.deals.set(d.id, d);
    col.list.append(card(board, d));
  }
  col.next = page.next_cursor || null;
  col.more.hidden = !col.next;
  drawHead(board, stage);
}

async function loadTotals(board) {
  const r = await api.get(`/api/v1/pipelines/${board.pipeline.id}/totals`);
  board.totals.clear();
  for (const row of r.data || []) {
    if (!board.totals.has(row.stage_id)) board.totals.set(row.stage_id, []);
    board.totals.get(row.stage_id).push({ currency: row.currency || 'VND', count: row.count, amount: row.amount });
  }
}

function stageTotals(board, stageId) {
  const rows = board.totals.get(stageId) || [];
  return { count: rows.reduce((n, r) => n + r.count, 0), rows };
}

function drawHead(board, stage) {
  const col = board.columns.get(stage.id);
  if (!col) return;
  const { count, rows } = stageTotals(board, stage.id);
  col.head.replaceChildren(
    h(
      'h2',
      { class: 'board-col-title', id: `col-${stage.id}-title` },
      h('span', { class: 'board-stage-name' }, stage.name),
      h('span', { class: 'count-badge board-count', 'data-count': count }, formatNumber(count)),
    ),
    h(
      'p',
      { class: 'board-col-meta' },
      h('span', { class: 'board-total', 'data-amount': JSON.stringify(rows.map((r) => [r.currency, r.amount])) }, formatSums(rows)),
      stage.kind === 'open' ? h('span', { class: 'muted board-prob' }, ` · ${stage.probability}%`) : h('span', { class: 'muted board-prob', i18n: `deal_status.${stage.kind}` }),
    ),
  );
  col.list.setAttribute('data-empty-text', t('board.empty_column'));
}

function card(board, d) {
  const stages = board.pipeline.stages;
  const sel = h(
    'select',
    { class: 'card-stage', id: `card-${d.id}-stage`, i18nLabel: 'board.move_label', i18nLabelVars: { name: d.name } },
    stages.map((s) => h('option', { value: String(s.id), selected: s.id === d.stage_id ? true : null }, s.name)),
  );
  sel.addEventListener('change', () => move(board, d.id, Number(sel.value), { focus: true }));
  const owner = (board.refs.users || []).find((u) => u.id === d.owner_id);
  const li = h(
    'li',
    { class: 'deal-card', draggable: 'true', 'data-deal-id': d.id },
    h('a', { href: recordHref('deals', d.id), class: 'deal-card-name', draggable: 'false' }, d.name),
    d.company_id ? h('p', { class: 'deal-card-company muted' }, cachedName('companies', d.company_id) || `#${d.company_id}`) : null,
    h('p', { class: 'deal-card-amount' }, formatMoney(d.amount, d.currency)),
    h(
      'p',
      { class: 'deal-card-meta muted' },
      owner ? h('span', {}, owner.name) : null,
      d.close_date ? h('span', {}, ` · ${formatDate(d.close_date)}`) : null,
    ),
    h('div', { class: 'deal-card-move' }, sel),
  );
  li.addEventListener('dragstart', (e) => {
    board.dragging = d.id;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(d.id));
    li.classList.add('dragging');
  });
  li.addEventListener('dragend', () => {
    li.classList.remove('dragging');
    board.dragging = null;
    board.el.querySelectorAll('.drop-target').forEach((c) => c.classList.remove('drop-target'));
  });
  return li;
}

/* ---------------------------------------------------------------- move */

function adjust(board, stageId, deal, sign) {
  const rows = board.totals.get(stageId) || [];
  let row = rows.find((r) => r.currency === (deal.currency || 'VND'));
  if (!row) {
    row = { currency: deal.currency || 'VND', count: 0, amount: 0 };
    rows.push(row);
    board.totals.set(stageId, rows);
  }
  row.count += sign;
  row.amount += sign * Number(deal.amount || 0);
  if (row.count <= 0) board.totals.set(stageId, rows.filter((r) => r !== row));
}

/**
 * Moves deal id to stage `to`: at once on screen (card and totals), then
 * PATCH; on failure everything goes back and the error is shown.
 */
async function move(board, id, to, { focus = false } = {}) {
  const d = board.deals.get(id);
  const target = board.columns.get(to);
  if (!d || !target || d.stage_id === to) return;
  const from = d.stage_id;
  const source = board.columns.get(from);
  const li = board.el.querySelector(`li[data-deal-id="${id}"]`);
  if (!li) return;
  const next = li.nextSibling; // to put it back exactly where it was
  const stageOf = (sid) => board.pipeline.stages.find((s) => s.id === sid);

  // optimistic
  adjust(board, from, d, -1);
  adjust(board, to, d, +1);
  target.list.prepend(li);
  li.classList.add('is-saving');
  li.setAttribute('aria-busy', 'true');
  d.stage_id = to;
  const sel = li.querySelector('select.card-stage');
  sel.value = String(to);
  drawHead(board, stageOf(from));
  drawHead(board, stageOf(to));
  if (focus) sel.focus();
  board.live.textContent = t('board.moving', { name: d.name, stage: stageOf(to).name });

  try {
    const updated = await api.patch(`/api/v1/deals/${id}`, { stage_id: to });
    Object.assign(d, updated);
    li.classList.remove('is-saving');
    li.removeAttribute('aria-busy');
    board.live.textContent = t('board.moved', { name: d.name, stage: stageOf(to).name });
    // the server's totals are the truth (another user may have moved deals)
    try {
      await loadTotals(board);
      for (const s of board.pipeline.stages) drawHead(board, s);
    } catch {
      /* keep the local totals */
    }
  } catch (err) {
    adjust(board, to, d, -1);
    adjust(board, from, d, +1);
    d.stage_id = from;
    if (next && next.parentNode === source.list) source.list.insertBefore(li, next);
    else source.list.append(li);
    li.classList.remove('is-saving');
    li.removeAttribute('aria-busy');
    sel.value = String(from);
    drawHead(board, stageOf(from));
    drawHead(board, stageOf(to));
    if (focus) sel.focus();
    board.live.textContent = t('board.move_failed', { name: d.name });
    if (err.status !== 401) notifyError(err);
  }
}
