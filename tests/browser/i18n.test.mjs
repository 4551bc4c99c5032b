// Unit test of the translation catalogues (no server, no browser): both
// languages have the same keys and placeholders, and every key the web UI
// uses, literally or derived from web/constants.js, exists.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_WEB } from './paths.mjs';

const load = async (loc) => JSON.parse(await readFile(join(REPO_WEB, 'i18n', `${loc}.json`), 'utf8'));
const vi = await load('vi');
const en = await load('en');

// constants.js is an ES module in a folder without package.json: load it
// as a data: URL so Node does not take it for CommonJS.
const constantsSrc = await readFile(join(REPO_WEB, 'constants.js'), 'utf8');
const C = await import(`data:text/javascript,${encodeURIComponent(constantsSrc)}`);

async function walk(dir) {
  const out = [];
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

const files = await walk(REPO_WEB);
const sources = await Promise.all(
  files.filter((f) => /\.(js|html)$/.test(f)).map(async (f) => ({ file: relative(REPO_WEB, f), text: await readFile(f, 'utf8') })),
);

const KEY = "[a-z][a-z0-9_]*(?:\\.[a-z0-9_]+)+";
const PATTERNS = [
  new RegExp(`\\bt\\(\\s*'(${KEY})'`, 'g'), // t('key')
  new RegExp(`data-i18n(?:-[a-z-]+)?="(${KEY})"`, 'g'), // data-i18n="key" in HTML
  new RegExp(`\\bi18n(?:Label|Placeholder|Title)?:\\s*'(${KEY})'`, 'g'), // h(tag, {i18n: 'key'})
];

/** Keys used literally in web/: the patterns above, plus any quoted dotted
 * string whose first part is a catalogue namespace (pageHeader('x.y'),
 * field({label: 'x.y'}), notify({key: 'x.y'}), …). */
function usedKeys() {
  const namespaces = new Set(Object.keys(vi).map((k) => k.split('.')[0]));
  const found = new Map();
  const note = (key, file) => {
    if (!found.has(key)) found.set(key, new Set());
    found.get(key).add(file);
  };
  for (const { file, text } of sources) {
    for (const re of PATTERNS) for (const m of text.matchAll(re)) note(m[1], file);
    for (const m of text.matchAll(new RegExp(`'(${KEY})'`, 'g'))) {
      if (namespaces.has(m[1].split('.')[0])) note(m[1], file);
    }
  }
  return found;
}

/** Keys the UI builds from constants (role.${r}, nav.${s}, …). */
function derivedKeys() {
  return [
    ...C.ROLES.map((r) => `role.${r}`),
    ...C.TEAM_KINDS.map((k) => `kind.${k}`),
    ...C.LOCALES.flatMap((l) => [`lang.${l}`, `lang.short.${l}`]),
    ...C.NAV_GROUPS.map((g) => `nav.group.${g.id}`),
    ...C.SECTIONS.map((s) => `nav.${s}`),
    ...C.PLACEHOLDER_SECTIONS.map((s) => `placeholder.${s}`),
    ...C.TRANSLATED_ERRORS.map((e) => `error.${e}`),
    ...C.LIFECYCLE_STAGES.map((s) => `stage.${s}`),
    ...C.LEAD_STATUSES.map((s) => `lead_status.${s}`),
    ...C.SOURCES.map((s) => `source.${s}`),
    ...C.SIZE_BANDS.map((s) => `size_band.${s}`),
    ...C.DEAL_STATUSES.map((s) => `deal_status.${s}`),
    ...C.FORECAST_CATEGORIES.map((s) => `forecast.${s}`),
    ...C.ACTIVITY_KINDS.map((s) => `activity_kind.${s}`),
    ...C.OUTCOME_IDS.map((s) => `outcome.${s}`),
    ...C.CUSTOM_FIELD_TYPES.map((s) => `cf_type.${s}`),
    ...C.IMPORT_OBJECTS.map((s) => `object.${s}`),
    ...C.FUNNEL_MODES.flatMap((m) => [`funnel.mode.${m}`, `funnel.mode_help.${m}`, `funnel.contacts_${m}`, `funnel.group_contacts_${m}`]),
    ...C.FUNNEL_GROUPS.flatMap((g) => [`funnel.group.${g}`, `funnel.group_empty.${g}`, `funnel.group_n.${g}`]),
    ...C.FUNNEL_PRESETS.map((p) => `funnel.preset.${p}`),
    ...C.FUNNEL_PARTS.map((p) => `funnel.part.${p.toLowerCase()}`),
    ...['reached', 'entered'].map((w) => `funnel.part_hint.${w}`),
    ...C.LIFECYCLE_STAGES.filter((s) => s !== 'other').map((s) => `field.became_${s}_at`),
    ...C.ATTRIBUTION_MODELS.flatMap((m) => [`attribution.model.${m}`, `attribution.model_help.${m}`]),
    ...C.ATTRIBUTION_BY.flatMap((b) => [`attribution.by.${b}`, `attribution.none.${b}`]),
  ];
}

test('vi.json and en.json have exactly the same keys', () => {
  const a = Object.keys(vi).sort();
  const b = Object.keys(en).sort();
  assert.deepEqual(
    a.filter((k) => !(k in en)),
    [],
    'keys only in vi.json',
  );
  assert.deepEqual(
    b.filter((k) => !(k in vi)),
    [],
    'keys only in en.json',
  );
  assert.ok(a.length > 50, `expected a real catalogue, got ${a.length} keys`);
});

test('every string is non-empty and has the same {placeholders} in both languages', () => {
  const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(vi)) {
    assert.equal(typeof vi[k], 'string', `vi ${k}`);
    assert.equal(typeof en[k], 'string', `en ${k}`);
    assert.ok(vi[k].trim() && en[k].trim(), `empty string for ${k}`);
    assert.deepEqual(vars(vi[k]), vars(en[k]), `placeholders differ for ${k}`);
  }
});

test('Vietnamese is written with its diacritics', () => {
  assert.equal(vi['login.title'], 'Đăng nhập');
  assert.equal(vi['nav.users'], 'Người dùng');
  assert.equal(en['nav.users'], 'Users');
});

test('every key used in web/ exists in both catalogues', () => {
  const used = usedKeys();
  assert.ok(used.size > 50, `scanner found only ${used.size} keys`);
  const missing = [];
  for (const [key, where] of used) {
    if (!(key in vi) || !(key in en)) missing.push(`${key} (${[...where].join(', ')})`);
  }
  assert.deepEqual(missing, [], 'keys used in web/ but missing from a catalogue');
});

test('keys built from the CRM objects, fields and import targets exist', async () => {
  const src = (f) => readFile(join(REPO_WEB, f), 'utf8');
  const crm = await src('crm.js');
  const csv = await src('csv.js');
  const fields = [...crm.matchAll(/\bF\('([a-z_]+)'/g)].map((m) => `field.${m[1]}`);
  const columns = [...crm.matchAll(/\{ name: '([a-z_]+)', sort:/g)].map((m) => `field.${m[1]}`);
  const targets = [...csv.slice(csv.indexOf('const TARGETS')).matchAll(/^ {4}([a-z_]+): \[/gm)].map((m) => `import.target.${m[1]}`);
  assert.ok(fields.length > 40 && columns.length > 20 && targets.length > 20, 'the scanner found the tables');
  const perObject = ['contact', 'company', 'deal'].flatMap((o) => [
    `create.button_${o}`, `create.title_${o}`, `create.submit_${o}`, `create.created_${o}`,
    `form.open_existing_${o}`, `record.back_${o}`, `record.confirm_delete_${o}`, `record.deleted_${o}`,
    `record.no_${o}`, `list.empty_${o}`, `list.search_${o}`, `timeline.created_${o}`,
  ]);
  const merge = ['contact', 'company'].flatMap((o) => [`merge.intro_${o}`, `merge.pick_${o}`]);
  const perPlural = ['contacts', 'companies', 'deals'].flatMap((o) => [`picker.search_${o}`, `picker.results_${o}`, `import.view_${o}`]);
  const missing = [...fields, ...columns, ...targets, ...perObject, ...perPlural, ...merge, 'list.empty_activity', 'import.err_row', 'import.err_column', 'import.err_reason']
    .filter((k) => !(k in vi) || !(k in en));
  assert.deepEqual([...new Set(missing)], []);
});

test('keys built from roles, team kinds, languages and sections exist', () => {
  const missing = derivedKeys().filter((k) => !(k in vi) || !(k in en));
  assert.deepEqual(missing, []);
  assert.equal(C.ROLES.length, 8, 'the eight roles of SPEC §1');
});

test('web/ file names are lower case and of served types only', () => {
  for (const f of files) {
    const rel = relative(REPO_WEB, f);
    assert.match(rel, /^[a-z0-9_\-/.]+$/, `bad file name ${rel}`);
    assert.match(rel, /\.(html|js|css|json|svg)$/, `unserved file type ${rel}`);
  }
});
