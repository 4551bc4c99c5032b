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
      { id: 'contacts' },
      { id: 'companies' },
      { id: 'deals' },
      { id: 'activities' },
      { id: 'products' },
    ],
  },
  {
    id: 'marketing',
    sections: [
      { id: 'campaigns' },
      { id: 'forms' },
      { id: 'segments' },
      { id: 'emails' },
      { id: 'automation' },
    ],
  },
  { id: 'insights', sections: [{ id: 'reports' }] },
  {
    id: 'admin',
    sections: [{ id: 'users', page: true }, { id: 'teams', page: true }, { id: 'settings' }],
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
