// Takes screenshots of the main pages for a visual check (not a test):
//   node tests/browser/screenshots.mjs [OUTDIR]   (default /tmp, ui-*.png)
// Uses the same harness as the tests: a demo database and a fresh server.

import { join } from 'node:path';
import { setup, login } from './harness.mjs';
import { apiClient, seed } from './crm.mjs';

const out = process.argv[2] || '/tmp';
const env = await setup();
try {
  const shot = (page, name) => page.screenshot({ path: join(out, `ui-${name}.png`), fullPage: true });
  const page = await env.newPage();
  await page.goto('/#/login');
  await page.locator('#login-title').waitFor();
  await shot(page, 'login');
  await page.locator('#login-email').fill('admin@demo.pheu.vn');
  await page.locator('#login-password').fill('wrong-password');
  await page.locator('#login-password').press('Enter');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  await shot(page, 'login-error');
  await login(page);
  await page.locator('#stat-users-value').filter({ hasText: /^\d+$/ }).waitFor();
  await shot(page, 'dashboard');
  await page.goto('/#/users');
  await page.locator('#users-table tbody tr').first().waitFor();
  await shot(page, 'users');
  await page.locator('#users-table tbody tr').nth(1).getByRole('button').click();
  await page.locator('dialog[open]').waitFor();
  await shot(page, 'users-dialog');
  await page.keyboard.press('Escape');
  await page.goto('/#/teams');
  await page.locator('#team-tree li').first().waitFor();
  await shot(page, 'teams');
  await page.goto('/#/reports');
  await page.locator('.empty-state').waitFor();
  await shot(page, 'placeholder');
  await page.locator('header .lang-btn[data-locale="en"]').click();
  await page.goto('/#/users');
  await page.locator('#users-table tbody tr').first().waitFor();
  await shot(page, 'users-en');
  await page.locator('header .lang-btn[data-locale="vi"]').click();

  // CRM pages, on records seeded through the API.
  const api = await apiClient(env.server.url);
  const users = (await api.get('/api/v1/users?limit=500')).data;
  const owners = users.filter((u) => u.role === 'sales_rep').map((u) => u.id);
  const data = await seed(api, { n: 40, owners: owners.length ? owners : [api.user.id] });
  await page.goto('/#/contacts');
  await page.locator('#list-table tbody tr').first().waitFor();
  await shot(page, 'contacts');
  await page.locator('#list-search').pressSequentially('dang');
  await page.waitForFunction(() => /q=dang/.test(location.hash) && !document.querySelector('#list-table tbody[aria-busy]'));
  await shot(page, 'contacts-search');
  await page.goto(`/#/contacts/${data.contacts[4].id}`);
  await page.locator('#timeline li').first().waitFor();
  await shot(page, 'contact');
  await page.locator('.prop[data-field="title"] .prop-edit').click();
  await shot(page, 'contact-edit');
  await page.goto(`/#/deals/${data.deals[1].id}`);
  await page.locator('#assoc-contacts li').first().waitFor();
  await shot(page, 'deal');
  await page.goto(`/#/deals/board?pipeline=${data.pipeline.id}`);
  await page.locator('.deal-card').first().waitFor();
  await shot(page, 'board');
  await page.goto('/#/funnel?group_by=source');
  await page.waitForFunction(() => document.querySelector('#funnel-main') && !document.querySelector('#funnel-chart[aria-busy]'));
  await shot(page, 'funnel');
  await page.locator('#funnel-main a.funnel-bar[data-stage="marketing_qualified_lead"]').click();
  await page.waitForFunction(() => document.querySelector('#list-funnel-note') && !document.querySelector('#list-table tbody[aria-busy]'));
  await shot(page, 'funnel-contacts');
  await page.goto('/#/contacts/import');
  await page.locator('#import-file').setInputFiles({
    name: 'hubspot.csv', mimeType: 'text/csv',
    buffer: Buffer.from('First Name,Last Name,Email,Phone Number,Lifecycle Stage,Contact owner\r\nThị Hồng,Lâm,hong.lam@example.vn,0903 111 222,lead,\r\n'),
  });
  await page.locator('#import-next').click();
  await page.locator('#map-table').waitFor();
  await shot(page, 'import-mapping');

  const phone = await env.newPage({ viewport: { width: 390, height: 780 } });
  await login(phone);
  await phone.locator('#stat-users-value').filter({ hasText: /^\d+$/ }).waitFor();
  await phone.screenshot({ path: join(out, 'ui-narrow-dashboard.png') });
  await phone.locator('#menu-toggle').click();
  await phone.screenshot({ path: join(out, 'ui-narrow-menu.png') });
  await phone.goto('/#/users');
  await phone.locator('#users-table tbody tr').first().waitFor();
  await shot(phone, 'narrow-users');
  await phone.goto(`/#/contacts/${data.contacts[4].id}`);
  await phone.locator('#timeline li').first().waitFor();
  await shot(phone, 'narrow-contact');
  await phone.goto('/#/funnel');
  await phone.waitForFunction(() => document.querySelector('#funnel-main') && !document.querySelector('#funnel-chart[aria-busy]'));
  await shot(phone, 'narrow-funnel');
  await phone.goto(`/#/deals/board?pipeline=${data.pipeline.id}`);
  await phone.locator('.deal-card').first().waitFor();
  await shot(phone, 'narrow-board');
  console.log(`screenshots written to ${out}/ui-*.png`);
} finally {
  await env.close();
}
