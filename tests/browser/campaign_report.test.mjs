// The campaign performance page (#/campaign_report, SPEC §4, issue 6
// item 6) on March 2020 (before anything the demo loads), made through
// the API with backdated touches, stages and dates so every figure has a
// known answer: the page opens from the navigation with Vietnamese
// labels, shows the API's rows, sorts by a header click and reverses on
// a second one (kept in the address), and draws spend against revenue
// per channel as inline SVG.

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

const MARCH = 'from=2020-03-01&to=2020-03-31';

// C1 email spends 3,000,000 ₫, C2 social 1,000,000 ₫, C3 paid search
// 500,000 ₫, all in March 2020. One contact, first touched by C1 (its
// original campaign) and then by C2, becomes a lead in March and is on
// a deal of 2,000,000 ₫ won on 20 March: linear gives C1 and C2
// 1,000,000 ₫ each. C1: 1 lead, cost per lead 3,000,000 ₫, ROI -66.7 %.
before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  vi = JSON.parse(await readFile(join(REPO_WEB, 'i18n', 'vi.json'), 'utf8'));
  const mk = (name, channel, cost) => ({ name, channel, cost });
  for (const [k, c] of Object.entries({ c1: mk('Email khuyến mãi tháng 3', 'email', 3000000), c2: mk('Facebook mùa xuân', 'social', 1000000), c3: mk('Quảng cáo tìm kiếm', 'paid_search', 500000) })) {
    camp[k] = await api.post('/api/v1/campaigns', { name: c.name, channel: c.channel, start_date: '2020-03-01', end_date: '2020-03-31' });
    await api.post(`/api/v1/campaigns/${camp[k].id}/costs`, { date: '2020-03-10', amount: c.cost });
  }
  const k = await api.post('/api/v1/contacts', { first_name: 'Hiệu Quả', last_name: 'Trần', created_at: '2020-03-02T03:00:00Z' });
  await api.post('/api/v1/touchpoints', { contact_id: k.id, kind: 'page_view', at: '2020-03-02T03:00:00Z', campaign_id: camp.c1.id });
  await api.post('/api/v1/touchpoints', { contact_id: k.id, kind: 'ad_click', at: '2020-03-05T03:00:00Z', campaign_id: camp.c2.id });
  await api.patch(`/api/v1/contacts/${k.id}`, { lifecycle_stage: 'lead', stage_changed_at: '2020-03-05T03:00:00Z' });
  const pipes = (await api.get('/api/v1/pipelines')).data;
  const won = pipes.find((p) => p.name === 'New business').stages.find((s) => s.kind === 'won').id;
  await api.post('/api/v1/deals', { name: 'Hiệu quả 2020', amount: 2000000, stage_id: won, contact_ids: [k.id], created_at: '2020-03-10T03:00:00Z', closed_at: '2020-03-20T03:00:00Z' });
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const report = (q) => api.get(`/api/v1/reports/campaigns?${q}`);
const money = (n) => new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND' }).format(n);
const norm = (s) => s.replace(/\s+/g, ' ').trim();

async function waitReport(check = () => true) {
  await page.waitForFunction(() => document.querySelector('#cperf-table') && !document.querySelector('#cperf-report[aria-busy]'));
  await page.waitForFunction(check);
}

/** The ids of our campaigns in the order the table shows them. */
async function order() {
  const ids = new Set([camp.c1.id, camp.c2.id, camp.c3.id].map(String));
  const all = await page.locator('#cperf-table tbody tr.cperf-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  return all.filter((id) => ids.has(id)).map(Number);
}

const ours = () => document.querySelectorAll('#cperf-table tr.cperf-row').length >= 3;

test('the nav opens the page in Vietnamese; March shows the API\'s figures', async () => {
  await page.locator('nav a[data-route="campaign_report"]').click();
  await waitReport();
  assert.equal((await page.locator('h1').textContent()).trim(), vi['nav.campaign_report']);
  assert.match(page.url(), /#\/campaign_report\?from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}&model=linear&sort=-revenue$/);

  await page.goto(`/#/campaign_report?${MARCH}`);
  await waitReport(ours);
  const doc = await report(MARCH);
  const byId = Object.fromEntries(doc.rows.map((r) => [r.campaign_id, r]));
  // the API gives the hand-worked answer
  assert.deepEqual([camp.c1, camp.c2, camp.c3].map((c) => [byId[c.id].cost, byId[c.id].revenue, byId[c.id].leads, byId[c.id].touchpoints]), [
    [3000000, 1000000, 1, 1],
    [1000000, 1000000, 0, 1],
    [500000, 0, 0, 0],
  ]);
  assert.equal(byId[camp.c1.id].cost_per_lead, 3000000);
  // default order: revenue descending, equal revenue by id descending
  assert.deepEqual(await order(), [camp.c2.id, camp.c1.id, camp.c3.id]);
  const row = page.locator(`#cperf-table tr.cperf-row[data-id="${camp.c1.id}"]`);
  assert.equal(norm(await row.locator('.cperf-cost').textContent()), norm(money(3000000)));
  assert.equal(norm(await row.locator('.cperf-cost_per_lead').textContent()), norm(money(3000000)));
  assert.equal(await row.locator('.cperf-name a').getAttribute('href'), `#/campaigns/${camp.c1.id}`);
  assert.equal(await row.locator('td').first().textContent(), vi['channel.email']);
  // Vietnamese column labels
  const heads = await page.locator('#cperf-table thead th').allTextContents();
  assert.equal(heads[0].trim(), vi['campaign_report.col.name']);
  assert.equal(heads[2].trim(), vi['campaign_report.col.cost']);
  assert.equal(heads[3].trim(), `${vi['campaign_report.col.revenue']} ▼`);
  assert.equal(heads[4].trim(), vi['campaign_report.col.roi']);
});

test('a header click sorts by that column, a second click reverses it', async () => {
  await page.goto(`/#/campaign_report?${MARCH}`);
  await waitReport(ours);
  const cost = page.locator('#cperf-table thead th[data-key="cost"] button');
  await cost.click();
  await page.waitForFunction(() => /sort=-cost/.test(location.hash));
  assert.deepEqual(await order(), [camp.c1.id, camp.c2.id, camp.c3.id]);
  assert.equal(await page.locator('#cperf-table thead th[data-key="cost"]').getAttribute('aria-sort'), 'descending');
  await page.locator('#cperf-table thead th[data-key="cost"] button').click();
  await page.waitForFunction(() => /sort=cost(&|$)/.test(location.hash));
  assert.deepEqual(await order(), [camp.c3.id, camp.c2.id, camp.c1.id]);
  assert.equal(await page.locator('#cperf-table thead th[data-key="cost"]').getAttribute('aria-sort'), 'ascending');
  // a text column sorts A to Z first
  await page.locator('#cperf-table thead th[data-key="name"] button').click();
  await page.waitForFunction(() => /sort=name(&|$)/.test(location.hash));
  assert.deepEqual(await order(), [camp.c1.id, camp.c2.id, camp.c3.id]);
  // a reload keeps the order
  await page.reload();
  await waitReport(ours);
  assert.deepEqual(await order(), [camp.c1.id, camp.c2.id, camp.c3.id]);
});

test('spend against revenue per channel is drawn as SVG', async () => {
  await page.goto(`/#/campaign_report?${MARCH}`);
  await waitReport(ours);
  const svg = page.locator('#cperf-chart svg#cperf-chart-svg');
  assert.equal(await svg.count(), 1);
  const bars = async (ch) =>
    page.locator(`#cperf-chart-svg g.cperf-group[data-channel="${ch}"]`).evaluate((g) => ({
      cost: Number(g.querySelector('.cperf-bar-cost').dataset.value),
      revenue: Number(g.querySelector('.cperf-bar-revenue').dataset.value),
      costW: Number(g.querySelector('.cperf-bar-cost').getAttribute('width')),
      label: g.querySelector('.cperf-axis').textContent,
    }));
  const email = await bars('email');
  const social = await bars('social');
  const search = await bars('paid_search');
  assert.deepEqual([email.cost, email.revenue, social.cost, social.revenue, search.cost, search.revenue], [3000000, 1000000, 1000000, 1000000, 500000, 0]);
  assert.equal(email.label, vi['channel.email']);
  // one scale: the biggest spend is the longest bar
  assert.ok(email.costW > social.costW && social.costW > search.costW);
  // the channel filter keeps one channel's campaigns
  await page.locator('#cperf-channel').selectOption('social');
  await page.waitForFunction(() => /channel=social/.test(location.hash));
  await waitReport(() => document.querySelectorAll('#cperf-chart-svg g.cperf-group').length === 1);
  assert.deepEqual(await order(), [camp.c2.id]);
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
