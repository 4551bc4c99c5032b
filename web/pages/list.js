// List pages (#/contacts, #/companies, #/deals, #/activities,
// #/campaigns): a table
// over GET /api/v1/<object> with filters, sortable column headers,
// search as you type (q=, debounced; a newer request cancels the older
// one), "load more" through next_cursor, saved views (GET/POST/DELETE
// /api/v1/views) and a link to the CSV export of the same list.
//
// The list's query (filters, sort, q) lives in the address
// (#/contacts?lifecycle_stage=lead&sort=-created_at), so a reload, a
// bookmark or a saved view shows the same list.

import { api, isAbort, withQuery } from '../api.js';
import { h, t, pageHeader, notify, notifyError, showError, openDialog, field, formErrorBox, onSubmit } from '../dom.js';
import {
  OBJECTS, fieldOf, recordHref, recordTitle, rememberNames, loadNames, loadUsers, loadPipelines, loadCampaigns,
} from '../crm.js';
import { display, userOptions, stageOptions, labelOf, filterValueText } from '../fields.js';
import { searchable } from '../picker.js';
import { createDialog, activityDialog } from '../forms.js';
import { ACTIVITY_KINDS, IMPORT_ROLES, IMPORT_OBJECTS, CAMPAIGN_CHANNELS, CAMPAIGN_STATUSES, CAMPAIGN_WRITERS, FUNNEL_BACK_KEY } from '../constants.js';
import { formatDate } from '../format.js';
import { onLocaleChange } from '../i18n.js';

const PAGE_SIZE = 50;
// Query keys of the list that are not filters the API knows.
const LIST_KEYS = new Set(['sort', 'q']);

export async function render(main, ctx) {
  const obj = ctx.section;
  const meta = OBJECTS[obj];
  const [users, pipelines, campaigns] = await Promise.all([
    loadUsers().catch(() => []),
    loadPipelines().catch(() => []),
    obj === 'campaigns' ? loadCampaigns().catch(() => []) : [],
  ]);
  if (!ctx.alive()) return null;
  const refs = { users, pipelines, campaigns };

  const view = {
    obj,
    meta,
    ctx,
    refs,
    params: cleanParams(ctx.query),
    rows: [],
    next: null,
    ctl: null,
    seq: 0,
    views: [],
  };

  /* ------------------------------------------------------------ header */
  const count = h('p', { class: 'muted list-count', id: 'list-count', 'aria-live': 'polite' });
  const actions = h('div', { class: 'page-actions' });
  const mayCreate = obj !== 'campaigns' || CAMPAIGN_WRITERS.includes(ctx.user.role);
  if (obj !== 'activities' && mayCreate) {
    actions.append(
      h('button', {
        type: 'button',
        class: 'btn btn-primary',
        id: 'list-create',
        i18n: `create.button_${meta.singular}`,
        onclick: () =>
          createDialog(obj, {
            refs,
            user: ctx.user,
            onCreated: (rec) => ctx.navigate(`${obj}/${rec.id}`),
          }),
      }),
    );
    if (IMPORT_ROLES.includes(ctx.user.role) && IMPORT_OBJECTS.includes(obj)) actions.append(h('a', { class: 'btn btn-secondary', href: `#/${obj}/import`, id: 'list-import', i18n: 'list.import' }));
    if (obj === 'campaigns' && CAMPAIGN_WRITERS.includes(ctx.user.role)) actions.append(h('a', { class: 'btn btn-secondary', href: '#/campaigns/import', id: 'list-import', i18n: 'list.import_touchpoints' }));
  } else if (obj === 'activities') {
    actions.append(
      h('button', {
        type: 'button',
        class: 'btn btn-primary',
        id: 'list-create',
        i18n: 'activity.new_button',
        onclick: () => activityDialog({ refs, user: ctx.user, onLogged: () => reload(view) }),
      }),
    );
  }
  const exportLink = h('a', { class: 'btn btn-secondary', id: 'list-export', i18n: 'list.export_csv', download: '' });
  actions.append(exportLink);
  view.exportLink = exportLink;
  const header = pageHeader(`nav.${obj}`, count);
  header.append(actions);
  main.append(header);
  if (obj === 'deals') main.append(dealTabs('list'));
  view.count = count;

  /* ------------------------------------------------------------- views */
  main.append(viewsBar(view));

  /* ----------------------------------------------------------- filters */
  main.append(filterBar(view));

  /* ------------------------------------------------------------- table */
  view.tbody = h('tbody', {});
  view.thead = h('thead', {}, h('tr', {}, meta.columns.map((c) => headerCell(view, c))));
  view.status = h('p', { class: 'list-status muted', role: 'status', 'aria-live': 'polite' });
  view.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  view.more = h('button', { type: 'button', class: 'btn btn-secondary', id: 'list-more', i18n: 'list.load_more', hidden: true, onclick: () => loadMore(view) });
  main.append(
    h(
      'section',
      { class: 'card card-flush', 'aria-labelledby': 'list-title' },
      h('h2', { id: 'list-title', class: 'sr-only', i18n: `nav.${obj}` }),
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', i18nLabel: `nav.${obj}` }, h('table', { class: 'table list-table', id: 'list-table' }, view.thead, view.tbody)),
      view.error,
      view.status,
      h('div', { class: 'list-more' }, view.more),
    ),
  );

  loadViews(view);
  reload(view);
  const stop = onLocaleChange(() => {
    redrawRows(view);
    drawChips(view);
  });
  return () => {
    stop();
    if (view.ctl) view.ctl.abort();
    clearTimeout(view.timer);
  };
}

/** Board / list switch shown on the deals pages. */
export function dealTabs(current) {
  return h(
    'nav',
    { class: 'view-tabs', i18nLabel: 'deals.views' },
    h('a', { href: '#/deals', class: 'view-tab', 'aria-current': current === 'list' ? 'page' : null, i18n: 'deals.tab_list' }),
    h('a', { href: '#/deals/board', class: 'view-tab', id: 'tab-board', 'aria-current': current === 'board' ? 'page' : null, i18n: 'deals.tab_board' }),
  );
}

/** The list query of a URLSearchParams: no cursor or limit. */
function cleanParams(q) {
  const p = new URLSearchParams();
  for (const [k, v] of q) if (k !== 'cursor' && k !== 'limit' && v !== '') p.append(k, v);
  return p;
}

/** A canonical string of a query, to compare views with the current list. */
function canon(p) {
  return [...new URLSearchParams(p)].filter(([k, v]) => k !== 'cursor' && k !== 'limit' && v !== '').map(([k, v]) => `${k}=${v}`).sort().join('&');
}

/* ------------------------------------------------------------- loading */

function apiParams(view, cursor) {
  const p = new URLSearchParams(view.params);
  if (!p.has('sort') && !p.has('q')) p.set('sort', view.meta.defaultSort);
  if (p.has('q') && !searchable(p.get('q'))) p.delete('q');
  p.set('limit', String(PAGE_SIZE));
  if (cursor) p.set('cursor', cursor);
  return p;
}

/** Reads the first page again (after a change of filters, sort or q). */
async function reload(view) {
  view.ctx.replaceQuery(view.params);
  drawChips(view);
  syncHeaders(view);
  syncViews(view);
  updateExport(view);
  view.rows = [];
  view.next = null;
  view.status.textContent = t('common.loading');
  view.tbody.setAttribute('aria-busy', 'true');
  await fetchPage(view, null);
}

async function loadMore(view) {
  if (!view.next) return;
  view.more.disabled = true;
  await fetchPage(view, view.next);
  view.more.disabled = false;
}

async function fetchPage(view, cursor) {
  if (view.ctl) view.ctl.abort();
  const ctl = new AbortController();
  view.ctl = ctl;
  const seq = ++view.seq;
  view.error.hidden = true;
  let page;
  try {
    page = await api.get(withQuery(view.meta.path, apiParams(view, cursor)), { signal: ctl.signal });
  } catch (err) {
    if (isAbort(err) || seq !== view.seq || !view.ctx.alive()) return;
    view.tbody.removeAttribute('aria-busy');
    view.status.textContent = '';
    showError(view.error, err);
    return;
  }
  const rows = page.data || [];
  await lookupNames(view, rows);
  if (seq !== view.seq || !view.ctx.alive()) return; // a newer request won
  view.rows = cursor ? view.rows.concat(rows) : rows;
  view.next = page.next_cursor || null;
  rememberNames(view.obj, rows);
  if (cursor) view.tbody.append(...rows.map((r) => row(view, r)));
  else view.tbody.replaceChildren(...rows.map((r) => row(view, r)));
  view.tbody.removeAttribute('aria-busy');
  view.more.hidden = !view.next;
  showCount(view);
}

async function lookupNames(view, rows) {
  const want = { companies: [], contacts: [], deals: [] };
  for (const r of rows) {
    if (r.company_id) want.companies.push(r.company_id);
    if (r.contact_id) want.contacts.push(r.contact_id);
    if (r.deal_id) want.deals.push(r.deal_id);
  }
  await Promise.all(Object.entries(want).map(([o, ids]) => (ids.length ? loadNames(o, ids) : null)));
}

function showCount(view) {
  const n = view.rows.length;
  const searching = view.params.has('q') && searchable(view.params.get('q'));
  if (n === 0) {
    view.status.textContent = t(searching ? 'list.no_match_search' : hasFilters(view) ? 'list.no_match' : `list.empty_${view.meta.singular}`);
  } else {
    view.status.textContent = searching ? t('list.sorted_by_relevance') : '';
  }
  view.count.textContent = t(view.next ? 'list.count_more' : 'list.count', { n });
}

function hasFilters(view) {
  return [...view.params.keys()].some((k) => !LIST_KEYS.has(k) || k === 'q');
}

function redrawRows(view) {
  view.tbody.replaceChildren(...view.rows.map((r) => row(view, r)));
  showCount(view);
}

/* --------------------------------------------------------------- table */

function headerCell(view, col) {
  const label = col.name === 'name' ? 'field.name' : `field.${col.name}`;
  if (!col.sort) return h('th', { scope: 'col', i18n: label });
  const btn = h(
    'button',
    { type: 'button', class: 'sort-btn', 'data-sort': col.sort, onclick: () => toggleSort(view, col.sort) },
    h('span', { i18n: label }),
    h('span', { class: 'sort-icon', 'aria-hidden': 'true' }),
  );
  return h('th', { scope: 'col', 'data-sort': col.sort }, btn);
}

function currentSort(view) {
  return view.params.get('sort') || view.meta.defaultSort;
}

function toggleSort(view, key) {
  const cur = currentSort(view);
  const next = cur === key ? `-${key}` : cur === `-${key}` ? key : key;
  view.params.set('sort', next);
  reload(view);
}

/** aria-sort on the headers; sorting is off while searching (relevance). */
function syncHeaders(view) {
  const cur = currentSort(view);
  const searching = view.params.has('q') && searchable(view.params.get('q'));
  view.thead.querySelectorAll('th[data-sort]').forEach((th) => {
    const key = th.dataset.sort;
    const state = searching ? 'none' : cur === key ? 'ascending' : cur === `-${key}` ? 'descending' : 'none';
    if (state === 'none') th.removeAttribute('aria-sort');
    else th.setAttribute('aria-sort', state);
    const btn = th.querySelector('button');
    btn.disabled = searching;
    btn.className = `sort-btn sort-${state}`;
  });
}

function cell(view, r, col) {
  const obj = view.obj;
  if (col.name === 'name' || (obj === 'activities' && col.name === 'subject')) {
    const title = recordTitle(obj, r);
    return h('td', { class: 'cell-name' }, obj === 'activities' ? title : h('a', { href: recordHref(obj, r.id) }, title));
  }
  const def = fieldOf(obj, col.name);
  let v;
  // In a list, times are dates and addresses plain text (the record page links them).
  if (def.type === 'time') v = formatDate(r[col.name]);
  else if (def.type === 'email' || def.type === 'phone') v = r[col.name] || '';
  else v = display(def, r[col.name], { ...view.refs, record: r });
  const cls = col.name === 'amount' ? 'cell-num'
    : def.type === 'time' || def.type === 'date' || def.type === 'phone' ? 'cell-nowrap'
    : def.type === 'email' ? 'cell-email'
    : ['company', 'contact', 'deal', 'user', 'stage'].includes(def.type) ? 'cell-ref' : null;
  return h('td', { class: cls }, v === '' ? h('span', { class: 'muted' }, '—') : v);
}

function row(view, r) {
  return h('tr', { 'data-id': r.id }, view.meta.columns.map((c) => cell(view, r, c)));
}

/* ------------------------------------------------------------- filters */

function filterBar(view) {
  const { obj, meta, refs } = view;
  const p = view.params;
  const controls = [];
  const set = (key, value) => {
    if (value === '' || value === null || value === undefined) view.params.delete(key);
    else view.params.set(key, value);
  };

  if (meta.searchable) {
    const search = h('input', {
      type: 'search',
      id: 'list-search',
      class: 'search-input',
      value: p.get('q') || '',
      autocomplete: 'off',
      spellcheck: 'false',
      i18nPlaceholder: `list.search_${meta.singular}`,
      i18nLabel: `list.search_${meta.singular}`,
    });
    search.addEventListener('input', () => {
      clearTimeout(view.timer);
      view.timer = setTimeout(() => {
        const q = search.value.trim();
        const was = view.params.get('q') || '';
        set('q', q);
        // Typing a mark-less prefix that is not yet a word (", ") changes
        // nothing the server would see: skip the request.
        if ((searchable(q) ? q : '') === (searchable(was) ? was : '') && q !== '') return;
        reload(view);
      }, 250);
    });
    controls.push(h('div', { class: 'filter filter-search' }, search));
  }

  const selectFilter = (id, key, labelKey, opts) => {
    const sel = h('select', { id, 'data-filter': key }, opts);
    sel.value = p.get(key) || '';
    sel.addEventListener('change', () => {
      set(key, sel.value);
      if (key === 'pipeline_id') {
        view.params.delete('stage_id');
        fillStages();
      }
      reload(view);
    });
    controls.push(h('div', { class: 'filter' }, h('label', { for: id, class: 'filter-label', i18n: labelKey }), sel));
    return sel;
  };

  let stageSel = null;
  const fillStages = () => {
    if (!stageSel) return;
    const pid = Number(view.params.get('pipeline_id')) || null;
    const pipes = pid ? refs.pipelines.filter((x) => x.id === pid) : refs.pipelines;
    stageSel.replaceChildren(
      h('option', { value: '', i18n: 'filter.any_stage' }),
      ...pipes.map((pp) => (pid ? stageOptions(pp, null) : h('optgroup', { label: pp.name }, stageOptions(pp, null)))).flat(),
    );
    stageSel.value = view.params.get('stage_id') || '';
  };

  for (const f of meta.filters) {
    if (f === 'lifecycle_stage') {
      const def = fieldOf(obj, 'lifecycle_stage');
      selectFilter('filter-stage', 'lifecycle_stage', 'field.lifecycle_stage', [
        h('option', { value: '', i18n: 'filter.any_stage' }),
        ...def.values.map((v) => h('option', { value: v, i18n: `stage.${v}` })),
      ]);
    } else if (f === 'owner_id') {
      selectFilter('filter-owner', 'owner_id', 'field.owner_id', userOptions(refs, null, { emptyKey: 'filter.any_owner' }));
    } else if (f === 'pipeline_id') {
      selectFilter('filter-pipeline', 'pipeline_id', 'field.pipeline_id', [
        h('option', { value: '', i18n: 'filter.any_pipeline' }),
        ...refs.pipelines.map((pp) => h('option', { value: String(pp.id) }, pp.name)),
      ]);
    } else if (f === 'stage_id') {
      stageSel = selectFilter('filter-deal-stage', 'stage_id', 'field.stage_id', []);
      fillStages();
    } else if (f === 'status') {
      selectFilter('filter-status', 'status', 'field.status', [
        h('option', { value: '', i18n: 'filter.any_status' }),
        ...fieldOf('deals', 'status').values.map((v) => h('option', { value: v, i18n: `deal_status.${v}` })),
      ]);
    } else if (f === 'channel') {
      selectFilter('filter-channel', 'channel', 'field.channel', [
        h('option', { value: '', i18n: 'filter.any_channel' }),
        ...CAMPAIGN_CHANNELS.map((v) => h('option', { value: v, i18n: `channel.${v}` })),
      ]);
    } else if (f === 'campaign_status') {
      selectFilter('filter-status', 'status', 'field.status', [
        h('option', { value: '', i18n: 'filter.any_status' }),
        ...CAMPAIGN_STATUSES.map((v) => h('option', { value: v, i18n: `campaign_status.${v}` })),
      ]);
    } else if (f === 'kind') {
      selectFilter('filter-kind', 'kind', 'field.kind', [
        h('option', { value: '', i18n: 'filter.any_kind' }),
        ...ACTIVITY_KINDS.map((v) => h('option', { value: v, i18n: `activity_kind.${v}` })),
      ]);
    } else if (f === 'done') {
      selectFilter('filter-done', 'done_at[empty]', 'filter.done', [
        h('option', { value: '', i18n: 'filter.any' }),
        h('option', { value: 'true', i18n: 'filter.open_only' }),
        h('option', { value: 'false', i18n: 'filter.done_only' }),
      ]);
    } else if (f === 'created') {
      for (const [id, key, label] of [
        ['filter-created-from', 'created_at[gte]', 'filter.created_from'],
        ['filter-created-to', 'created_at[lte]', 'filter.created_to'],
      ]) {
        const input = h('input', { type: 'date', id, value: p.get(key) || '', 'data-filter': key });
        input.addEventListener('change', () => {
          if (input.value && !/^\d{4}-\d{2}-\d{2}$/.test(input.value)) return;
          set(key, input.value);
          reload(view);
        });
        controls.push(h('div', { class: 'filter filter-date' }, h('label', { for: id, class: 'filter-label', i18n: label }), input));
      }
    }
  }

  const clear = h('button', {
    type: 'button',
    class: 'btn btn-small btn-secondary filter-clear',
    id: 'filter-clear',
    i18n: 'filter.clear',
    onclick: () => {
      const sort = view.params.get('sort');
      view.params = new URLSearchParams(sort ? { sort } : {});
      applyParamsToControls(view);
      reload(view);
    },
  });
  view.chips = h('div', { class: 'filter-chips', id: 'filter-chips' });
  view.filterBar = h('div', { class: 'filter-bar', role: 'search', i18nLabel: 'filter.label' }, controls, h('div', { class: 'filter filter-actions' }, clear));
  return h('div', {}, view.filterBar, view.chips);
}

/**
 * Filters of the list that no control shows (a link such as "see all
 * contacts of this company" adds company_id=…, a bar of the funnel
 * report highest_stage[in]=… or became_lead_at[gte]=…): one chip each,
 * with a button that removes it. A list opened from the funnel says so
 * and links back to it.
 */
async function drawChips(view) {
  const shown = new Set(['sort', 'q', ...[...view.filterBar.querySelectorAll('[data-filter]')].map((el) => el.dataset.filter)]);
  const extra = [...view.params].filter(([k]) => !shown.has(k));
  const refs = extra.map(([k, v]) => {
    const name = k.replace(/\[.*$/, '');
    const target = { company_id: 'companies', parent_id: 'companies', contact_id: 'contacts', deal_id: 'deals' }[name];
    const ids = v.split(',').filter((x) => /^\d+$/.test(x)).map(Number);
    return target && ids.length ? loadNames(target, ids) : null;
  });
  await Promise.all(refs);
  if (!view.ctx.alive()) return;
  view.chips.replaceChildren(
    ...extra.map(([k, v]) => {
      const name = k.replace(/\[.*$/, '');
      const op = (/\[(\w+)\]$/.exec(k) || [])[1];
      const def = fieldOf(view.obj, name);
      const label = def ? labelOf(def) : { text: name };
      const known = filterValueText(def, name, op, v, view.refs);
      return h(
        'span',
        { class: 'filter-chip', 'data-key': k },
        h('span', {}, label.key ? h('span', { i18n: label.key }) : label.text, known === null && op && op !== 'eq' ? ` ${op}` : '', ': '),
        h('strong', {}, known === null ? v : known),
        h('button', {
          type: 'button',
          class: 'chip-remove',
          i18nLabel: 'filter.remove',
          onclick: () => {
            view.params.delete(k);
            reload(view);
          },
        }, '×'),
      );
    }),
  );
  drawFunnelNote(view);
}

/** "The contacts of a funnel bar · Back to the funnel" above the chips. */
function drawFunnelNote(view) {
  const fromFunnel = view.obj === 'contacts' && [...view.params.keys()].some((k) => /^(highest_stage|became_[a-z_]+_at)\[/.test(k));
  if (!view.funnelNote) {
    view.funnelNote = h('p', { class: 'list-funnel-note', id: 'list-funnel-note', hidden: true });
    view.chips.before(view.funnelNote);
  }
  view.funnelNote.hidden = !fromFunnel;
  if (!fromFunnel) return;
  let back = null;
  try {
    back = sessionStorage.getItem(FUNNEL_BACK_KEY);
  } catch {
    /* storage off */
  }
  const href = back && back.startsWith('#/funnel') ? back : '#/funnel';
  view.funnelNote.replaceChildren(
    h('span', { i18n: 'list.from_funnel' }),
    h('a', { href, id: 'list-back-funnel', i18n: 'list.back_to_funnel' }),
  );
}

/** Sets every filter control from view.params (after a view or "clear"). */
function applyParamsToControls(view) {
  const bar = view.filterBar;
  const search = bar.querySelector('#list-search');
  if (search) search.value = view.params.get('q') || '';
  bar.querySelectorAll('[data-filter]').forEach((el) => {
    if (el.id === 'filter-deal-stage') {
      // the options depend on the pipeline
      const pid = Number(view.params.get('pipeline_id')) || null;
      const pipes = pid ? view.refs.pipelines.filter((x) => x.id === pid) : view.refs.pipelines;
      el.replaceChildren(
        h('option', { value: '', i18n: 'filter.any_stage' }),
        ...pipes.map((pp) => (pid ? stageOptions(pp, null) : h('optgroup', { label: pp.name }, stageOptions(pp, null)))).flat(),
      );
    }
    el.value = view.params.get(el.dataset.filter) || '';
  });
}

function updateExport(view) {
  const p = new URLSearchParams(view.params);
  if (p.has('q') && !searchable(p.get('q'))) p.delete('q');
  const q = new URLSearchParams({ format: 'csv' });
  for (const [k, v] of p) q.append(k, v);
  view.exportLink.href = `/api/v1/exports/${view.obj}?${q}`;
}

/* --------------------------------------------------------------- views */

function viewsBar(view) {
  const sel = h('select', { id: 'view-select' });
  sel.addEventListener('change', () => {
    const v = view.views.find((x) => String(x.id) === sel.value);
    if (!v) return;
    view.params = cleanParams(new URLSearchParams(v.query));
    applyParamsToControls(view);
    reload(view);
  });
  const save = h('button', { type: 'button', class: 'btn btn-small btn-secondary', id: 'view-save', i18n: 'views.save', onclick: () => saveViewDialog(view) });
  const del = h('button', {
    type: 'button',
    class: 'btn btn-small btn-secondary',
    id: 'view-delete',
    i18n: 'views.delete',
    hidden: true,
    onclick: () => deleteView(view),
  });
  view.viewSelect = sel;
  view.viewDelete = del;
  return h(
    'div',
    { class: 'views-bar' },
    h('label', { for: 'view-select', class: 'filter-label', i18n: 'views.label' }),
    sel,
    save,
    del,
  );
}

async function loadViews(view) {
  try {
    const r = await api.get(withQuery('/api/v1/views', { object: view.obj }));
    if (!view.ctx.alive()) return;
    view.views = r.data || [];
  } catch (err) {
    if (err.status !== 404) notifyError(err);
    view.views = [];
  }
  syncViews(view);
}

/** Shows the view that matches the current list (or "current filters"). */
function syncViews(view) {
  const sel = view.viewSelect;
  if (!sel) return;
  const cur = canon(view.params);
  const match = view.views.find((v) => canon(new URLSearchParams(v.query)) === cur);
  sel.replaceChildren(
    h('option', { value: '', disabled: true, i18n: match ? 'views.pick' : view.views.length ? 'views.unsaved' : 'views.none' }),
    ...view.views.map((v) => h('option', { value: String(v.id) }, v.name)),
  );
  sel.value = match ? String(match.id) : '';
  view.viewDelete.hidden = !match;
  view.viewDelete.dataset.id = match ? String(match.id) : '';
}

function saveViewDialog(view) {
  const input = h('input', { type: 'text', id: 'view-name', name: 'name', maxlength: '200', required: true, autocomplete: 'off' });
  const error = formErrorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'common.save' });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = h(
    'form',
    { id: 'view-form', novalidate: true },
    field({ id: 'view-name', name: 'name', label: 'views.name', required: true, control: input }),
    h('p', { class: 'muted field-hint', i18n: 'views.save_hint' }),
    error,
    h('div', { class: 'form-actions' }, cancel, submit),
  );
  const dlg = openDialog('views.save_title', form);
  cancel.addEventListener('click', () => dlg.close());
  onSubmit(form, submit, async () => {
    const body = { object: view.obj, name: input.value.trim(), query: new URLSearchParams(view.params).toString() };
    const v = await api.post('/api/v1/views', body);
    view.views.push(v);
    view.views.sort((a, b) => String(a.name).localeCompare(String(b.name), 'vi'));
    dlg.close();
    syncViews(view);
    notify({ key: 'views.saved', vars: { name: v.name } });
  }, () => dlg.close());
}

async function deleteView(view) {
  const id = view.viewDelete.dataset.id;
  const v = view.views.find((x) => String(x.id) === id);
  if (!v) return;
  if (!window.confirm(t('views.confirm_delete', { name: v.name }))) return;
  try {
    await api.del(`/api/v1/views/${encodeURIComponent(id)}`);
  } catch (err) {
    notifyError(err);
    return;
  }
  view.views = view.views.filter((x) => x !== v);
  syncViews(view);
  view.viewSelect.focus();
  notify({ key: 'views.deleted', vars: { name: v.name } });
}
