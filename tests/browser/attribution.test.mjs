// The attribution page (#/attribution, SPEC §4, issue 6) on deals won in
// March 2020 (before anything the demo loads), made through the API with
// backdated touchpoints, stages and dates so every figure has a known
// answer: the page shows the API's rows, shares, unattributed and
// excluded deals for the chosen model and grouping, keeps its state in
// the address, and links a campaign row to the campaign.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setup, login } from './harness.mjs';
import { apiClient } from './crm.mjs';
import { REPO_WEB } from './paths.mjs';

let env;
let api;
let page;
let vi;
const camp = {};

const MARCH = 'won_from=2020-03-01&won_to=2020-03-31';

// One deal of 3,000,000 ₫ won 2020-03-05 whose contact became a lead on
// 10 February, with three touches before the win and one after:
//   01-02 C1 (email)          first
//   10-02 C2 (social)         lead creation
//   20-02 no campaign, seo
//   10-03 C1                  after the win: not counted
// A deal of 1,000,000 ₫ without contacts (unattributed) and one of
// 100.00 USD (no exchange rate in the settings: excluded).
// linear: 1,000,000 each; u_shaped: C1 40% 1,200,000, C2 40% 1,200,000,
// the rest 600,000.
before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  vi = JSON.parse(await readFile(join(REPO_WEB, 'i18n', 'vi.json'), 'utf8'));
  camp.c1 = await api.post('/api/v1/campaigns', { name: 'Tết 2020 qua email', channel: 'email' });
  camp.c2 = await api.post('/api/v1/campaigns', { name: 'Mạng xã hội mùa xuân', channel: 'social' });
  const k = await api.post('/api/v1/contacts', { first_name: 'Phân Bổ', last_name: 'Nguyễn', lifecycle_stage: 'lead', stage_changed_at: '2020-02-10T03:00:00Z' });
  const touch = (at, extra) => api.post('/api/v1/touchpoints', { contact_id: k.id, kind: 'page_view', at, ...extra });
  await touch('2020-02-01T03:00:00Z', { campaign_id: camp.c1.id });
  await touch('2020-02-10T03:00:00Z', { campaign_id: camp.c2.id });
  await touch('2020-02-20T03:00:00Z', { channel: 'seo' });
  await touch('2020-03-10T03:00:00Z', { campaign_id: camp.c1.id });
  const pipes = (await api.get('/api/v1/pipelines')).data;
  const won = pipes.find((p) => p.name === 'New business').stages.find((s) => s.kind === 'won').id;
  const deal = (extra) => api.post('/api/v1/deals', { name: `Phân bổ ${extra.amount}`, stage_id: won, created_at: '2020-02-15T03:00:00Z', ...extra });
  await deal({ amount: 3000000, contact_ids: [k.id], closed_at: '2020-03-05T03:00:00Z' });
  await deal({ amount: 1000000, closed_at: '2020-03-06T03:00:00Z' });
  await deal({ amount: 10000, currency: 'USD', closed_at: '2020-03-07T03:00:00Z' });
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const report = (q) => api.get(`/api/v1/reports/attribution?${q}`);
const money = (n, cur = 'VND') => new Intl.NumberFormat('vi-VN', { style: 'currency', currency: cur }).format(cur === 'USD' ? n / 100 : n);
const pct = (x) => new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 }).format(x);
const norm = (s) => s.replace(/\s+/g, ' ').trim();

async function waitReport(check = () => true) {
  await page.waitForFunction(() => document.querySelector('#attr-table') && !document.querySelector('#attr-report[aria-busy]'));
  await page.waitForFunction(check);
}

/** What the table shows, row by row. */
function readRows() {
  return page.locator('#attr-table tbody tr.attr-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      key: tr.dataset.key,
      name: tr.querySelector('.attr-name').textContent.trim(),
      href: tr.querySelector('.attr-name a')?.getAttribute('href') ?? null,
      revenue: Number(tr.querySelector('.attr-revenue').dataset.value),
      revenueText: tr.querySelector('.attr-revenue').textContent,
      share: Number(tr.querySelector('.attr-share').dataset.value),
      shareText: tr.querySelector('.attr-share-text').textContent,
      touches: Number(tr.querySelector('.attr-touches').dataset.value),
    })),
  );
}

/** Asserts the table equals the API document, row for row. */
async function sameAsApi(doc) {
  const rows = await readRows();
  assert.deepEqual(rows.map((r) => r.key), doc.rows.map((r) => (r.key === null ? '' : String(r.key))));
  assert.deepEqual(rows.map((r) => r.revenue), doc.rows.map((r) => r.revenue));
  assert.deepEqual(rows.map((r) => norm(r.revenueText)), doc.rows.map((r) => norm(money(r.revenue, doc.currency))));
  assert.deepEqual(rows.map((r) => r.touches), doc.rows.map((r) => r.touchpoints));
  assert.deepEqual(rows.map((r) => r.shareText), doc.rows.map((r) => pct(r.revenue / doc.total_revenue)));
  const un = page.locator('#attr-unattributed');
  assert.equal(await un.getAttribute('data-deals'), String(doc.unattributed.deals));
  assert.equal(await un.locator('.attr-revenue').getAttribute('data-value'), String(doc.unattributed.revenue));
  assert.equal(await page.locator('#attr-total .funnel-stat-value').getAttribute('data-value'), String(doc.total_revenue));
  assert.equal(await page.locator('#attr-deals .funnel-stat-value').getAttribute('data-value'), String(doc.deals));
  return rows;
}

test('the nav opens the page; linear by campaign shows the known rows, equal to the API', async () => {
  await page.locator('nav a[data-route="attribution"]').click();
  await waitReport();
  assert.equal((await page.locator('h1').textContent()).trim(), 'Phân bổ doanh thu');
  assert.match(page.url(), /#\/attribution\?model=linear&by=campaign&won_from=\d{4}-\d{2}-01&won_to=\d{4}-\d{2}-\d{2}$/);

  await page.goto(`/#/attribution?model=linear&by=campaign&${MARCH}`);
  await waitReport(() => document.querySelectorAll('#attr-table tr.attr-row').length === 3);
  const doc = await report(`model=linear&by=campaign&${MARCH}`);
  // the API gives the hand-worked answer
  assert.deepEqual(doc.rows.map((r) => [r.key, r.revenue, r.touchpoints]), [
    [camp.c1.id, 1000000, 1],
    [camp.c2.id, 1000000, 1],
    [null, 1000000, 1],
  ]);
  assert.equal(doc.total_revenue, 4000000);
  assert.deepEqual(doc.unattributed, { revenue: 1000000, deals: 1 });
  assert.deepEqual(doc.excluded, { deals: 1, revenue_by_currency: { USD: 10000 } });
  const rows = await sameAsApi(doc);
  assert.deepEqual(rows.map((r) => r.name), [camp.c1.name, camp.c2.name, vi['attribution.none.campaign']]);
  assert.deepEqual(rows.map((r) => r.href), [`#/campaigns/${camp.c1.id}`, `#/campaigns/${camp.c2.id}`, null]);
  assert.equal(rows[0].shareText, '25%');
  assert.equal(norm(rows[0].revenueText), norm(money(1000000)));
  // the deal in dollars is left out, and the page says so
  const ex = page.locator('#attr-excluded');
  assert.equal(await ex.isVisible(), true);
  assert.equal(await ex.getAttribute('data-deals'), '1');
  assert.match(norm(await ex.textContent()), new RegExp(norm(money(10000, 'USD')).replace(/[.$]/g, '\\$&')));
  assert.equal(await page.locator('#attr-model').inputValue(), 'linear');
});

test('changing the model redraws the table from the API and keeps it in the address', async () => {
  await page.goto(`/#/attribution?model=linear&by=campaign&${MARCH}`);
  await waitReport(() => document.querySelectorAll('#attr-table tr.attr-row').length === 3);
  await page.locator('#attr-model').selectOption('u_shaped');
  await page.waitForFunction(() => /model=u_shaped/.test(location.hash));
  await waitReport(() => document.querySelector('#attr-table tr.attr-row .attr-revenue')?.dataset.value === '1200000');
  const doc = await report(`model=u_shaped&by=campaign&${MARCH}`);
  assert.deepEqual(doc.rows.map((r) => [r.key, r.revenue]), [
    [camp.c1.id, 1200000],
    [camp.c2.id, 1200000],
    [null, 600000],
  ]);
  await sameAsApi(doc);
  assert.match(await page.locator('#attr-model-help').textContent(), /40%/);
  // a reload shows the same report
  await page.reload();
  await waitReport(() => document.querySelector('#attr-table tr.attr-row .attr-revenue')?.dataset.value === '1200000');
  assert.equal(await page.locator('#attr-model').inputValue(), 'u_shaped');
});

test('by channel: a touch\'s own channel or its campaign\'s, with translated names', async () => {
  await page.goto(`/#/attribution?model=first_touch&by=campaign&${MARCH}`);
  await waitReport(() => document.querySelectorAll('#attr-table tr.attr-row').length === 1);
  await page.locator('label[for="attr-by-channel"]').click();
  await page.waitForFunction(() => /by=channel/.test(location.hash));
  await waitReport(() => document.querySelector('#attr-table tr.attr-row')?.dataset.key === 'email');
  const first = await report(`model=first_touch&by=channel&${MARCH}`);
  assert.deepEqual(first.rows.map((r) => [r.key, r.revenue]), [['email', 3000000]]);
  await sameAsApi(first);
  await page.locator('#attr-model').selectOption('linear');
  await waitReport(() => document.querySelectorAll('#attr-table tr.attr-row').length === 3);
  const doc = await report(`model=linear&by=channel&${MARCH}`);
  const rows = await sameAsApi(doc);
  // equal revenue: by key, email < seo < social
  assert.deepEqual(rows.map((r) => r.key), ['email', 'seo', 'social']);
  assert.deepEqual(rows.map((r) => r.name), [vi['channel.email'], vi['channel.seo'], vi['channel.social']]);
  assert.equal(await page.locator('#attr-table thead th').first().textContent(), vi['attribution.by.channel']);
});

test('an empty period and a bad range say so', async () => {
  await page.goto('/#/attribution?model=linear&by=campaign&won_from=2019-01-01&won_to=2019-01-31');
  await waitReport(() => document.querySelector('#attr-table .attr-empty'));
  assert.equal(await page.locator('#attr-total .funnel-stat-value').getAttribute('data-value'), '0');
  assert.equal(await page.locator('#attr-excluded').isHidden(), true);
  await page.locator('#attr-from').fill('2019-02-10');
  await page.locator('#attr-from').dispatchEvent('change');
  await page.locator('#attr-error').waitFor();
  assert.equal(await page.locator('#attr-error').textContent(), vi['attribution.bad_range']);
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
