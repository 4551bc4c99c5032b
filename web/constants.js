// Shared constants of the web UI: the roles of SPEC §1, the team kinds and the
// sections of the navigation (SPEC §13). Pure data, no DOM: the i18n unit
// test imports this file to check that every derived catalogue key exists.

/** The eight user roles, in the order of SPEC §1. Label key: role.<id>. */
export const ROLES = [
  'admin',
  'marketing_manager',
  'marketer',
  'sales_manager',
  'sales_rep',
  'sales_specialist',
  'account_executive',
  'customer_success',
];

/** Team kinds (teams.kind). Label key: kind.<id>. */
export const TEAM_KINDS = ['marketing', 'sales', 'success'];

/** The languages of the UI; the first is the default. Label key: lang.<id>. */
export const LOCALES = ['vi', 'en'];

/**
 * Navigation groups and their sections. Label keys: nav.group.<group> and
 * nav.<section>. A section with `page` has its own module; the others render
 * the placeholder page until their release.
 */
export const NAV_GROUPS = [
  { id: 'overview', sections: [{ id: 'dashboard', page: true }] },
  {
    id: 'sales',
    sections: [
      { id: 'contacts', page: true },
      { id: 'companies', page: true },
      { id: 'deals', page: true },
      { id: 'activities', page: true },
      { id: 'products' },
    ],
  },
  {
    id: 'marketing',
    sections: [
      { id: 'campaigns', page: true },
      { id: 'forms', page: true },
      { id: 'segments' },
      { id: 'emails' },
      { id: 'automation' },
    ],
  },
  {
    id: 'insights',
    sections: [
      { id: 'funnel', page: true },
      { id: 'attribution', page: true },
      { id: 'campaign_report', page: true },
      { id: 'reports' },
    ],
  },
  {
    id: 'admin',
    sections: [{ id: 'users', page: true }, { id: 'teams', page: true }, { id: 'settings', page: true }],
  },
];

/** Every section id, in navigation order. */
export const SECTIONS = NAV_GROUPS.flatMap((g) => g.sections.map((s) => s.id));

/** Sections that are placeholders in this release. */
export const PLACEHOLDER_SECTIONS = NAV_GROUPS.flatMap((g) =>
  g.sections.filter((s) => !s.page).map((s) => s.id),
);

/** Error codes with a translated message: error.<code>. */
export const TRANSLATED_ERRORS = [
  'invalid_credentials',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'not_found',
  'network',
];

/* ------------------------------------------------------------ CRM data */

/** Lifecycle stages (SPEC §3), funnel order. Label key: stage.<id>. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketing_qualified_lead',
  'sales_qualified_lead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

/** Lead statuses (contacts.lead_status). Label key: lead_status.<id>. */
export const LEAD_STATUSES = ['new', 'attempting', 'connected', 'accepted', 'rejected', 'bad_timing'];

/** Original sources (contacts.source). Label key: source.<id>. */
export const SOURCES = ['organic_search', 'paid_search', 'social', 'email', 'referral', 'direct', 'offline', 'other'];

/** Company size bands. Label key: size_band.<id>. */
export const SIZE_BANDS = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5001+'];

/** Deal statuses (read-only, follow the stage's kind). Label key: deal_status.<id>. */
export const DEAL_STATUSES = ['open', 'won', 'lost'];

/** Forecast categories. Label key: forecast.<id>. */
export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'omitted', 'closed'];

/** Activity kinds (SPEC §2). Label key: activity_kind.<id>. */
export const ACTIVITY_KINDS = ['call', 'email', 'meeting', 'demo', 'task', 'note', 'conference', 'sms'];

/** The kinds offered by the "log an activity" form on a record, in order. */
export const LOG_KINDS = ['call', 'meeting', 'demo', 'email', 'note', 'task'];

/**
 * Suggested outcomes per activity kind; stored as these ids (activities.outcome
 * is free text, so any other value is shown as written). Label key:
 * outcome.<id>.
 */
export const OUTCOMES = {
  call: ['connected', 'no_answer', 'left_voicemail', 'busy', 'wrong_number'],
  meeting: ['completed', 'rescheduled', 'no_show', 'cancelled'],
  demo: ['completed', 'rescheduled', 'no_show', 'cancelled'],
  email: ['sent', 'replied', 'bounced'],
  conference: ['completed', 'cancelled'],
  sms: ['sent', 'replied'],
};

/** Every outcome id of OUTCOMES, once. */
export const OUTCOME_IDS = [...new Set(Object.values(OUTCOMES).flat())];

/** Currencies offered for deals (the API accepts any ISO 4217 code). */
export const CURRENCIES = ['VND', 'USD', 'EUR', 'JPY', 'KRW', 'CNY', 'SGD', 'THB'];

/** Custom field types (SPEC §2). Label key: cf_type.<id>. */
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'money', 'date', 'bool', 'select', 'multiselect'];

/** Roles that may import (POST /api/v1/imports answers 403 to the others). */
export const IMPORT_ROLES = ['admin', 'sales_manager', 'marketing_manager', 'marketer'];

/** Objects that can be imported. Label key: object.<id>. */
export const IMPORT_OBJECTS = ['contacts', 'companies', 'deals', 'activities'];

/** Campaign channels (SPEC §4). Label key: channel.<id>. */
export const CAMPAIGN_CHANNELS = [
  'email',
  'social',
  'paid_search',
  'display',
  'seo',
  'content',
  'direct_mail',
  'radio',
  'tv',
  'event',
  'webinar',
  'pr',
  'referral',
  'brand_ambassador',
  'partner',
  'other',
];

/** Campaign statuses (decision 0011). Label key: campaign_status.<id>. */
export const CAMPAIGN_STATUSES = ['planned', 'active', 'paused', 'completed', 'cancelled'];

/** Roles that create, change and delete campaigns and their costs (SPEC §1). */
export const CAMPAIGN_WRITERS = ['admin', 'marketing_manager', 'marketer'];

/* ------------------------------------------------------------- reports */

/** Funnel report modes (SPEC §3). Label keys: funnel.mode.<id>, funnel.mode_help.<id>. */
export const FUNNEL_MODES = ['cohort', 'period'];

/**
 * The funnel's group_by values. Label keys: funnel.group.<id>,
 * funnel.group_empty.<id> (the group of contacts without a value) and
 * funnel.group_n.<id> (a group without a name).
 */
export const FUNNEL_GROUPS = ['source', 'campaign', 'owner', 'team', 'month'];

/** Period presets of the funnel page. Label key: funnel.preset.<id>. */
export const FUNNEL_PRESETS = ['this_month', 'last_3_months', 'last_12_months', 'this_year'];

/** Funnel parts (SPEC §3) as the report names them, lower-cased in label keys: funnel.part.<id>. */
export const FUNNEL_PARTS = ['TOFU', 'MOFU', 'BOFU', 'post'];

/** sessionStorage key: the funnel a contact list was opened from (its hash). */
export const FUNNEL_BACK_KEY = 'pheu.funnel.back';

/**
 * Attribution models (SPEC §4), in the SPEC's order. Label keys:
 * attribution.model.<id>, attribution.model_help.<id>.
 */
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'full_path', 'time_decay'];

/** What attribution sums by. Label keys: attribution.by.<id>, attribution.none.<id>. */
export const ATTRIBUTION_BY = ['campaign', 'channel'];
