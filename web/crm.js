// What the UI knows about the CRM objects of SPEC §2: their fields (type,
// choices, whether the API lets a user write them), list columns and
// filters, how a record is named and linked, and caches of the names the
// pages show for ids (users, companies, contacts, deals, pipelines and
// stages, custom field declarations). Field label key: field.<name>.

import { api, listAll, withQuery } from './api.js';
import {
  LIFECYCLE_STAGES, LEAD_STATUSES, SOURCES, SIZE_BANDS, DEAL_STATUSES,
  FORECAST_CATEGORIES, ACTIVITY_KINDS, CURRENCIES, CAMPAIGN_CHANNELS, CAMPAIGN_STATUSES,
} from './constants.js';
import { contactName } from './format.js';

/*
 * Field types: text, email, phone, enum (values, label prefix), company /
 * contact / deal (a record id, picked by search), user (a user id),
 * pipeline, stage, money (amount with the record's currency), currency,
 * date (YYYY-MM-DD), time (ISO 8601), int, ids (contact_ids), campaign (a
 * campaign id, picked from the list of campaigns).
 * ro: never written by the UI; admin: admins only (the API answers 422
 * otherwise); nullable: a money field left empty is null, not 0; goal:
 * one key of a campaign's goals object; labelKey: a label other than
 * field.<name>.
 */
const F = (name, type, extra = {}) => ({ name, type, ...extra });

export const OBJECTS = {
  contacts: {
    id: 'contacts',
    singular: 'contact',
    path: '/api/v1/contacts',
    searchable: true,
    fields: [
      F('first_name', 'text'),
      F('last_name', 'text'),
      F('email', 'email'),
      F('phone', 'phone'),
      F('company_id', 'company'),
      F('title', 'text'),
      F('lifecycle_stage', 'enum', { values: LIFECYCLE_STAGES, prefix: 'stage' }),
      F('lead_status', 'enum', { values: LEAD_STATUSES, prefix: 'lead_status' }),
      F('source', 'enum', { values: SOURCES, prefix: 'source' }),
      // the campaign of the first touchpoint (decision 0013)
      F('source_campaign_id', 'campaign', { labelKey: 'field.original_campaign' }),
      F('owner_id', 'user'),
      F('city', 'text'),
      F('country', 'text'),
      F('score', 'int', { ro: true }),
      F('created_at', 'time', { ro: true }),
      F('updated_at', 'time', { ro: true }),
      // kept by the server from the stage history (SPEC §3): the funnel
      // report's click-through filters on them
      F('highest_stage', 'enum', { values: LIFECYCLE_STAGES, prefix: 'stage', ro: true }),
      F('became_subscriber_at', 'time', { ro: true }),
      F('became_lead_at', 'time', { ro: true }),
      F('became_marketing_qualified_lead_at', 'time', { ro: true }),
      F('became_sales_qualified_lead_at', 'time', { ro: true }),
      F('became_opportunity_at', 'time', { ro: true }),
      F('became_customer_at', 'time', { ro: true }),
      F('became_evangelist_at', 'time', { ro: true }),
    ],
    // columns of the list: field name, sort key (null: not sortable)
    columns: [
      { name: 'name', sort: 'last_name' },
      { name: 'email', sort: 'email' },
      { name: 'phone', sort: null },
      { name: 'company_id', sort: null },
      { name: 'lifecycle_stage', sort: 'lifecycle_stage' },
      { name: 'owner_id', sort: null },
      { name: 'created_at', sort: 'created_at' },
    ],
    filters: ['lifecycle_stage', 'owner_id', 'created'],
    defaultSort: '-created_at',
  },
  companies: {
    id: 'companies',
    singular: 'company',
    path: '/api/v1/companies',
    searchable: true,
    fields: [
      F('name', 'text', { required: true }),
      F('domain', 'text'),
      F('industry', 'text'),
      F('size_band', 'enum', { values: SIZE_BANDS, prefix: 'size_band' }),
      F('phone', 'phone'),
      F('city', 'text'),
      F('country', 'text'),
      F('parent_id', 'company'),
      F('owner_id', 'user'),
      F('lifecycle_stage', 'enum', { values: LIFECYCLE_STAGES, prefix: 'stage', ro: true }),
      F('created_at', 'time', { ro: true }),
      F('updated_at', 'time', { ro: true }),
    ],
    columns: [
      { name: 'name', sort: 'name' },
      { name: 'domain', sort: 'domain' },
      { name: 'industry', sort: 'industry' },
      { name: 'city', sort: 'city' },
      { name: 'lifecycle_stage', sort: 'lifecycle_stage' },
      { name: 'owner_id', sort: null },
      { name: 'created_at', sort: 'created_at' },
    ],
    filters: ['lifecycle_stage', 'owner_id', 'created'],
    defaultSort: '-created_at',
  },
  deals: {
    id: 'deals',
    singular: 'deal',
    path: '/api/v1/deals',
    searchable: true,
    fields: [
      F('name', 'text', { required: true }),
      F('amount', 'money'),
      F('currency', 'enum', { values: CURRENCIES, literal: true }),
      F('pipeline_id', 'pipeline'),
      F('stage_id', 'stage'),
      F('status', 'enum', { values: DEAL_STATUSES, prefix: 'deal_status', ro: true }),
      F('close_date', 'date'),
      F('owner_id', 'user'),
      F('company_id', 'company'),
      F('forecast_category', 'enum', { values: FORECAST_CATEGORIES, prefix: 'forecast' }),
      F('won_reason', 'text'),
      F('lost_reason', 'text'),
      F('closed_at', 'time', { ro: true }),
      F('created_at', 'time', { ro: true }),
      F('updated_at', 'time', { ro: true }),
    ],
    columns: [
      { name: 'name', sort: 'name' },
      { name: 'amount', sort: 'amount' },
      { name: 'stage_id', sort: null },
      { name: 'status', sort: 'status' },
      { name: 'company_id', sort: null },
      { name: 'owner_id', sort: null },
      { name: 'close_date', sort: 'close_date' },
      { name: 'created_at', sort: 'created_at' },
    ],
    filters: ['pipeline_id', 'stage_id', 'status', 'owner_id', 'created'],
    defaultSort: '-created_at',
  },
  activities: {
    id: 'activities',
    singular: 'activity',
    path: '/api/v1/activities',
    searchable: false,
    fields: [
      F('kind', 'enum', { values: ACTIVITY_KINDS, prefix: 'activity_kind' }),
      F('subject', 'text'),
      F('due_at', 'time'),
      F('done_at', 'time'),
      F('outcome', 'text'),
      F('owner_id', 'user'),
      F('contact_id', 'contact'),
      F('company_id', 'company'),
      F('deal_id', 'deal'),
      F('created_at', 'time', { ro: true }),
    ],
    columns: [
      { name: 'kind', sort: 'kind' },
      { name: 'subject', sort: 'subject' },
      { name: 'contact_id', sort: null },
      { name: 'due_at', sort: 'due_at' },
      { name: 'done_at', sort: 'done_at' },
      { name: 'owner_id', sort: null },
      { name: 'created_at', sort: 'created_at' },
    ],
    filters: ['kind', 'done', 'owner_id', 'created'],
    defaultSort: '-created_at',
  },
  campaigns: {
    id: 'campaigns',
    singular: 'campaign',
    path: '/api/v1/campaigns',
    searchable: false,
    fields: [
      F('name', 'text', { required: true }),
      F('channel', 'enum', { values: CAMPAIGN_CHANNELS, prefix: 'channel', required: true }),
      F('status', 'enum', { values: CAMPAIGN_STATUSES, prefix: 'campaign_status', required: true }),
      F('start_date', 'date'),
      F('end_date', 'date'),
      F('budget', 'money', { nullable: true }),
      F('currency', 'enum', { values: CURRENCIES, literal: true, required: true }),
      F('cost', 'money', { ro: true }),
      F('utm_campaign', 'text'),
      F('parent_id', 'campaign', { labelKey: 'field.parent_campaign', notSelf: true }),
      F('owner_id', 'user'),
      F('goal_leads', 'int', { goal: 'leads' }),
      F('goal_mqls', 'int', { goal: 'mqls' }),
      F('goal_revenue', 'money', { goal: 'revenue', nullable: true }),
      F('created_at', 'time', { ro: true }),
      F('updated_at', 'time', { ro: true }),
    ],
    columns: [
      { name: 'name', sort: 'name' },
      { name: 'channel', sort: 'channel' },
      { name: 'status', sort: 'status' },
      { name: 'start_date', sort: 'start_date' },
      { name: 'end_date', sort: 'end_date' },
      { name: 'budget', sort: 'budget' },
      { name: 'cost', sort: 'cost' },
      { name: 'owner_id', sort: null },
    ],
    filters: ['channel', 'campaign_status', 'owner_id', 'created'],
    defaultSort: '-created_at',
  },
};

/** The field definition `name` of object `obj` (or undefined). */
export function fieldOf(obj, name) {
  return OBJECTS[obj].fields.find((f) => f.name === name);
}

/** "#/contacts/12" */
export function recordHref(obj, id) {
  return `#/${obj}/${id}`;
}

/** The display name of a record of `obj`. */
export function recordTitle(obj, r) {
  if (!r) return '';
  if (obj === 'contacts') return contactName(r);
  if (obj === 'activities') return r.subject || `#${r.id}`;
  return r.name || `#${r.id}`;
}

/* ------------------------------------------------------------- lookups */

// Names of records by id, filled from lists the pages already read and
// from batched `id[in]=` requests; kept for the session (names change
// rarely; a record page refreshes its own).
const names = { companies: new Map(), contacts: new Map(), deals: new Map(), campaigns: new Map() };

/** Remembers the names of records just read. */
export function rememberNames(obj, records) {
  const m = names[obj];
  if (!m) return;
  for (const r of records) if (r && r.id !== undefined) m.set(r.id, recordTitle(obj, r));
}

/** The cached name of record `id` of `obj`, or null. */
export function cachedName(obj, id) {
  const m = names[obj];
  return m && m.has(id) ? m.get(id) : null;
}

/**
 * Makes sure the names of `ids` of `obj` are cached: one `id[in]=…`
 * request per 64 unknown ids. Ids the caller may not see stay unknown.
 */
export async function loadNames(obj, ids) {
  const m = names[obj];
  const want = [...new Set(ids.filter((id) => id !== null && id !== undefined && !m.has(id)))];
  for (let i = 0; i < want.length; i += 64) {
    const chunk = want.slice(i, i + 64);
    try {
      const page = await api.get(withQuery(OBJECTS[obj].path, { 'id[in]': chunk.join(','), limit: 64 }));
      rememberNames(obj, page.data || []);
    } catch {
      /* names are decoration: the page shows the id instead */
    }
    for (const id of chunk) if (!m.has(id)) m.set(id, null);
  }
}

let usersPromise = null;

/** The users the caller may see (GET /api/v1/users), read once. */
export function loadUsers() {
  if (!usersPromise) {
    usersPromise = listAll('/api/v1/users').catch((err) => {
      usersPromise = null;
      throw err;
    });
  }
  return usersPromise;
}

let campaignsPromise = null;

/**
 * Every campaign, by name (GET /api/v1/campaigns, read once; every user
 * sees every campaign): the choices of a campaign field.
 */
export function loadCampaigns() {
  if (!campaignsPromise) {
    campaignsPromise = listAll(withQuery('/api/v1/campaigns', { sort: 'name' }))
      .then((list) => {
        rememberNames('campaigns', list);
        return list;
      })
      .catch((err) => {
        campaignsPromise = null;
        throw err;
      });
  }
  return campaignsPromise;
}

/** Forgets the campaigns read (after one is created, renamed or removed). */
export function forgetCampaigns() {
  campaignsPromise = null;
}

/** Forgets cached users (after login as someone else). */
export function resetCaches() {
  usersPromise = null;
  campaignsPromise = null;
  pipelinesPromise = null;
  customFieldsPromises.clear();
  for (const m of Object.values(names)) m.clear();
}

let pipelinesPromise = null;

/** The pipelines with their stages, ordered (GET /api/v1/pipelines). */
export function loadPipelines() {
  if (!pipelinesPromise) {
    pipelinesPromise = api
      .get('/api/v1/pipelines')
      .then((r) => (r.data || []).map((p) => ({ ...p, stages: [...p.stages].sort((a, b) => a.position - b.position) })))
      .catch((err) => {
        pipelinesPromise = null;
        throw err;
      });
  }
  return pipelinesPromise;
}

/** Finds a stage by id across pipelines: {stage, pipeline} or null. */
export function findStage(pipelines, stageId) {
  for (const p of pipelines) {
    const s = p.stages.find((x) => x.id === stageId);
    if (s) return { stage: s, pipeline: p };
  }
  return null;
}

const customFieldsPromises = new Map();

/** The custom fields declared for `obj` (GET /api/v1/custom-fields). */
export function loadCustomFields(obj) {
  const singular = OBJECTS[obj].singular;
  if (!customFieldsPromises.has(singular)) {
    customFieldsPromises.set(
      singular,
      api
        .get(withQuery('/api/v1/custom-fields', { object: singular }))
        .then((r) => r.data || [])
        .catch(() => []),
    );
  }
  return customFieldsPromises.get(singular);
}
