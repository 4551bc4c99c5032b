// The import wizard: a small CSV (HubSpot-style headers, a semicolon
// delimiter, a byte order mark) is uploaded, its columns are mapped, the
// dry run reports the bad row and writes nothing, and the import adds the
// contacts, which then appear in the list.
//
// The import endpoint (POST /api/v1/imports) may not be on this server
// yet: then the wizard must say so, and the rest of the test is skipped
// with that reason. It is skipped only when the endpoint answers 404.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login } from './harness.mjs';
import { apiClient } from './crm.mjs';

let env;
let api;
let page;
let available = true;

before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  const probe = await api.post('/api/v1/imports?object=contacts&dry_run=1', 'email\r\nprobe@example.vn\r\n', { raw: true });
  available = probe.status !== 404;
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const CSV =
  '\ufeffFirst Name;Last Name;Email;Phone Number;Lifecycle Stage;Ghi chú\r\n' +
  'Thị Hồng;Lâm;hong.lam@example.vn;0903 111 222;lead;khách hội chợ\r\n' +
  'Quang Vinh;Tạ;vinh.ta@example.vn;+84 904-333-444;customer;\r\n' +
  'Sai;Email;khong-phai-email;;lead;\r\n';

async function toMapping() {
  await page.goto('/#/contacts');
  await page.locator('#list-import').click();
  await page.locator('#import-file').setInputFiles({ name: 'hoi-cho.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
  await page.locator('#import-next').click();
  await page.locator('#map-table').waitFor();
}

test('the wizard detects the columns and lets the user change them', async () => {
  await toMapping();
  const mapping = await page.locator('#map-table select').evaluateAll((ss) => ss.map((s) => [s.dataset.column, s.value]));
  assert.deepEqual(mapping, [
    ['First Name', 'first_name'],
    ['Last Name', 'last_name'],
    ['Email', 'email'],
    ['Phone Number', 'phone'],
    ['Lifecycle Stage', 'lifecycle_stage'],
    ['Ghi chú', ''],
  ]);
  // Samples come from the rows, parsed with the detected ';'.
  assert.match(await page.locator('#map-table tbody tr').nth(2).textContent(), /hong\.lam@example\.vn/);
  // Two columns on one field is refused until fixed.
  await page.locator('#map-5').selectOption('email');
  await page.locator('#map-error').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#import-dry-run').isDisabled(), true);
  await page.locator('#map-5').selectOption('');
  assert.equal(await page.locator('#import-dry-run').isDisabled(), false);
});

test('the dry run reports the bad row; the import adds the contacts', async (t) => {
  if (!available) {
    // The wizard says the server cannot import, instead of failing silently.
    await page.locator('#import-dry-run').click();
    await page.locator('#check-error').waitFor({ state: 'visible' });
    assert.match(await page.locator('#check-error').textContent(), /pheu import/);
    t.skip('POST /api/v1/imports answers 404 on this server: the import API is not there yet');
    return;
  }
  const sent = page.waitForRequest((r) => r.url().includes('/api/v1/imports?') && r.method() === 'POST');
  await page.locator('#import-dry-run').click();
  const req = await sent;
  assert.match(req.url(), /object=contacts/);
  assert.match(req.url(), /dry_run=1/);
  assert.equal(new URL(req.url()).searchParams.get('map'), 'first_name=first_name,last_name=last_name,email=email,phone=phone,lifecycle_stage=lifecycle_stage');
  assert.match(req.headers()['content-type'], /^text\/csv/);
  // The file sent has our field names and only the mapped columns.
  assert.equal(req.postData().split('\r\n')[0], 'first_name,last_name,email,phone,lifecycle_stage');
  await page.locator('#import-summary').waitFor();
  assert.equal(await page.locator('#import-summary dd').nth(0).getAttribute('data-n'), '3');
  assert.equal(await page.locator('#import-summary dd').nth(1).getAttribute('data-n'), '2');
  assert.equal(await page.locator('#import-summary dd').nth(2).getAttribute('data-n'), '1');
  const errors = page.locator('#import-errors tbody tr');
  await errors.first().waitFor();
  assert.match(await errors.first().textContent(), /email/i);
  // Nothing written by the dry run.
  assert.equal((await api.get('/api/v1/contacts?email=hong.lam@example.vn')).data.length, 0);

  await page.locator('#import-run').click();
  await page.locator('#import-done').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#import-progress').getAttribute('aria-valuenow'), '100');
  assert.equal(await page.locator('#run-result #import-summary dd').nth(1).getAttribute('data-n'), '2');
  const hong = (await api.get('/api/v1/contacts?email=hong.lam@example.vn')).data;
  assert.equal(hong.length, 1);
  assert.equal(hong[0].phone, '+84903111222');
  assert.equal(hong[0].lifecycle_stage, 'lead');

  // They appear in the list.
  await page.locator('#import-view').click();
  await page.waitForURL(/#\/contacts$/);
  await page.locator('#list-search').pressSequentially('lam thi hong');
  await page.locator('#list-table tbody tr', { hasText: 'Lâm Thị Hồng' }).waitFor();
  await page.locator('#list-search').fill('');
  await page.locator('#list-search').pressSequentially('ta quang vinh');
  await page.locator('#list-table tbody tr', { hasText: 'Tạ Quang Vinh' }).waitFor();
});

test('touchpoints are imported from the campaigns list', async (t) => {
  if (!available) {
    t.skip('POST /api/v1/imports answers 404 on this server');
    return;
  }
  const email = `tp.${Date.now()}@example.vn`;
  const contact = await api.post('/api/v1/contacts', { first_name: 'Điểm', last_name: 'Chạm', email });
  const csv =
    'Email,Type,UTM Source,UTM Medium,Date,Ghi chú\r\n' +
    `${email},ad_click,facebook,paid_social,2026-03-01T08:00:00Z,x\r\n` +
    `${email},tweet,,,2026-03-02T08:00:00Z,\r\n` +
    `${email},page_view,,,2026-03-03T08:00:00Z,\r\n`;
  await page.goto('/#/campaigns');
  await page.locator('#list-import').click();
  await page.waitForURL(/#\/campaigns\/import$/);
  assert.deepEqual(await page.locator('#import-object option').evaluateAll((os) => os.map((o) => o.value)), ['touchpoints']);
  await page.locator('#import-file').setInputFiles({ name: 'ads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.locator('#import-next').click();
  await page.locator('#map-table').waitFor();
  const mapping = await page.locator('#map-table select').evaluateAll((ss) => ss.map((s) => s.value));
  assert.deepEqual(mapping, ['email', 'kind', 'utm_source', 'utm_medium', 'at', '']);
  const sent = page.waitForRequest((r) => r.url().includes('/api/v1/imports?') && r.method() === 'POST');
  await page.locator('#import-dry-run').click();
  const req = await sent;
  assert.equal(new URL(req.url()).searchParams.get('object'), 'touchpoints');
  assert.equal(new URL(req.url()).searchParams.get('map'), null);
  assert.equal(req.postData().split('\r\n')[0], 'email,kind,utm_source,utm_medium,at');
  await page.locator('#import-summary').waitFor();
  assert.equal(await page.locator('#import-summary dd').nth(1).getAttribute('data-n'), '2');
  assert.equal(await page.locator('#import-summary dd').nth(2).getAttribute('data-n'), '1');
  assert.equal((await api.get(`/api/v1/touchpoints?contact_id=${contact.id}`)).data.length, 0);
  await page.locator('#import-run').click();
  await page.locator('#import-done').waitFor({ timeout: 30_000 });
  const got = (await api.get(`/api/v1/touchpoints?contact_id=${contact.id}`)).data;
  assert.deepEqual(
    got.map((x) => [x.kind, x.utm_source, x.at]),
    [
      ['page_view', null, '2026-03-03T08:00:00Z'],
      ['ad_click', 'facebook', '2026-03-01T08:00:00Z'],
    ],
  );
  assert.equal((await api.get(`/api/v1/contacts/${contact.id}`)).source, 'social');
  await page.locator('#import-view').click();
  await page.waitForURL(/#\/campaigns$/);
});

test('a file that is not UTF-8 is refused before upload', async () => {
  await page.goto('/#/contacts');
  await page.locator('#list-import').click();
  await page.locator('#import-file').setInputFiles({ name: 'latin1.csv', mimeType: 'text/csv', buffer: Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0x4e, 0x67, 0x75, 0x79, 0xea, 0x6e, 0x0a]) });
  await page.locator('#import-next').click();
  const err = page.locator('#import-file-error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /UTF-8/);
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
