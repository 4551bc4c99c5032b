// Campaigns in the web UI (SPEC §4, issue 6): a marketer-side user creates
// a campaign from the list, adds and removes dated cost entries on its
// page and sees the total against the budget; a sales rep reads the same
// campaign without the controls that change it. Every change made in the
// browser is checked through the API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, DEMO_ADMIN } from './harness.mjs';
import { apiClient } from './crm.mjs';

let env;
let api;
let page;
let campaignId;

before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const costRows = () => page.locator('#costs-table tbody tr');

test('a campaign is created from the list and lands on its page', async () => {
  await page.goto('/#/campaigns');
  await page.locator('#list-create').click();
  const form = page.locator('#create-campaign-form');
  await form.waitFor();
  await page.locator('#new-campaign-name').fill('Tết 2027 — Facebook');
  await page.locator('#new-campaign-channel').selectOption('social');
  await page.locator('#new-campaign-start-date').fill('2027-01-05');
  await page.locator('#new-campaign-end-date').fill('2027-02-15');
  await page.locator('#new-campaign-budget').fill('10000000');
  await page.locator('#new-campaign-utm-campaign').fill('tet2027-fb');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/#\/campaigns\/\d+$/);
  campaignId = Number(page.url().match(/(\d+)$/)[1]);
  assert.equal((await page.locator('#record-title').textContent()).trim(), 'Tết 2027 — Facebook');
  const c = await api.get(`/api/v1/campaigns/${campaignId}`);
  assert.deepEqual(
    [c.name, c.channel, c.status, c.start_date, c.end_date, c.budget, c.currency, c.cost, c.utm_campaign, c.owner_id],
    ['Tết 2027 — Facebook', 'social', 'planned', '2027-01-05', '2027-02-15', 10000000, 'VND', 0, 'tet2027-fb', api.user.id],
  );
  await page.locator('#costs-empty').waitFor();
  // the list shows it too
  await page.goto('/#/campaigns?channel=social');
  await page.locator('#list-table tbody tr', { hasText: 'Tết 2027 — Facebook' }).waitFor();
});

test('cost entries add up against the budget, and removing one takes it off', async () => {
  await page.goto(`/#/campaigns/${campaignId}`);
  await page.locator('#cost-form').waitFor();
  const add = async (date, amount, note) => {
    const before = await costRows().count();
    await page.locator('#cost-date').fill(date);
    await page.locator('#cost-amount').fill(amount);
    await page.locator('#cost-note').fill(note);
    await page.locator('#cost-add').click();
    await page.waitForFunction((n) => document.querySelectorAll('#costs-table tbody tr').length === n + 1, before);
  };
  await add('2027-01-10', '2500000', 'Quảng cáo tuần 1');
  await add('2027-01-20', '1000000', 'Thiết kế banner');
  // the total against the budget, in the page's words: 3.5M of 10M = 35%
  await page.waitForFunction(() => /35\s?%/.test((document.querySelector('#costs-total')?.textContent || '')));
  const total = await page.locator('#costs-total').textContent();
  assert.match(total.replace(/\s/g, ''), /3\.500\.000.*10\.000\.000/);
  assert.equal(await page.locator('#costs-meter').getAttribute('value'), '35');
  // newest date first
  const firstRow = await costRows().first().textContent();
  assert.match(firstRow, /Thiết kế banner/);
  let c = await api.get(`/api/v1/campaigns/${campaignId}`);
  assert.equal(c.cost, 3500000);
  const entries = (await api.get(`/api/v1/campaigns/${campaignId}/costs`)).data;
  assert.deepEqual(entries.map((e) => [e.date, e.amount, e.note]), [
    ['2027-01-20', 1000000, 'Thiết kế banner'],
    ['2027-01-10', 2500000, 'Quảng cáo tuần 1'],
  ]);
  // the property list follows
  await page.waitForFunction(() => /3\.500\.000/.test((document.querySelector('#prop-cost-value')?.textContent || '')));

  // a bad amount is refused in the form, nothing sent
  await page.locator('#cost-amount').fill('abc');
  await page.locator('#cost-add').click();
  await page.locator('#cost-amount-error').waitFor({ state: 'visible' });
  assert.equal((await api.get(`/api/v1/campaigns/${campaignId}/costs`)).data.length, 2);

  page.once('dialog', (d) => d.accept());
  await costRows().filter({ hasText: 'Thiết kế banner' }).getByRole('button').click();
  await page.waitForFunction(() => document.querySelectorAll('#costs-table tbody tr').length === 1);
  await page.waitForFunction(() => /25\s?%/.test((document.querySelector('#costs-total')?.textContent || '')));
  c = await api.get(`/api/v1/campaigns/${campaignId}`);
  assert.equal(c.cost, 2500000);
});

test('a goal is edited inline and kept with the others', async () => {
  await page.goto(`/#/campaigns/${campaignId}`);
  await page.locator('#prop-goal_leads-edit').click();
  await page.locator('#edit-goal_leads').fill('300');
  await page.locator('#edit-goal_leads').press('Enter');
  await page.waitForFunction(() => /300/.test((document.querySelector('#prop-goal_leads-value')?.textContent || '')));
  const c = await api.get(`/api/v1/campaigns/${campaignId}`);
  assert.deepEqual(c.goals, { leads: 300, mqls: null, revenue: null });
});

test('a sales rep reads campaigns but has no control that changes them', async () => {
  const users = (await api.get('/api/v1/users?limit=500')).data;
  const rep = users.find((u) => u.role === 'sales_rep' && u.active);
  assert.ok(rep, 'the demo has a sales rep');
  const p = await env.newPage();
  try {
    await login(p, { email: rep.email, password: DEMO_ADMIN.password });
    await p.locator('.nav-link[data-route="campaigns"]').click();
    await p.locator('#list-table tbody tr', { hasText: 'Tết 2027 — Facebook' }).waitFor();
    assert.equal(await p.locator('#list-create').count(), 0);
    await p.goto(`/#/campaigns/${campaignId}`);
    await p.locator('#costs-table tbody tr').first().waitFor();
    assert.equal(await p.locator('#cost-form').count(), 0);
    assert.equal(await p.locator('#record-delete').count(), 0);
    assert.equal(await p.locator('.prop-edit').count(), 0);
    assert.equal(await p.locator('#costs-table button').count(), 0);
    assert.match((await p.locator('#costs-total').textContent()).replace(/\s/g, ''), /2\.500\.000/);
  } finally {
    await p.context().close();
  }
});

test('no page error and no missing translation on the way', () => {
  assert.deepEqual(env.errors.map(String), []);
});
