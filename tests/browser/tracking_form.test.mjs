// Tracking and a web form end to end (SPEC §4, issue 6 item 8): a real
// headless Chromium visits a site on another origin (a small HTTP server
// of this test, listed in the tracking_origins setting) that embeds /t.js
// and the snippet of a form. It lands with UTM tags of a Facebook
// campaign, goes to a second page, and submits the form there. Through the
// API, the new contact then has both page views joined to it with the
// form_submit touch, the original source (social) and campaign of the
// first page view, and the form's target stage; the visitor id of every
// touch is the site's _pheu_vid cookie, and the thank-you page viewed after
// the submission is the contact's at once. The builder page shows the
// submission.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { setup, login, freePort } from './harness.mjs';
import { apiClient } from './crm.mjs';

let env;
let api;
let site; // {url, close}
let fb; // the Facebook campaign of the landing tags
let web; // the form's own campaign
let form;
let snippet;
const email = `web.lead.${process.pid}@example.vn`;

/** A site of two pages on its own port; /pricing holds the form. */
async function startSite(pheuUrl) {
  const port = await freePort();
  const page = (title, body) =>
    `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${title}</title>` +
    `<script async src="${pheuUrl}/t.js"></script></head><body><h1>${title}</h1>${body}</body></html>`;
  const srv = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const html =
      path === '/landing' ? page('Phần mềm bán hàng', '<a id="to-pricing" href="/pricing">Bảng giá</a>')
      : path === '/pricing' ? page('Bảng giá', snippet)
      : path === '/thanks' ? page('Cảm ơn', '<p id="thanks">Đã nhận</p>')
      : null;
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html || 'not found');
  });
  await new Promise((ok) => srv.listen(port, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => srv.close(ok)) };
}

before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  site = await startSite(env.server.url);
  await api.patch('/api/v1/settings', { tracking_origins: [site.url] });
  const tag = `fb-form-${process.pid}`;
  fb = await api.post('/api/v1/campaigns', { name: 'Facebook — phần mềm bán hàng', channel: 'social', utm_campaign: tag });
  web = await api.post('/api/v1/campaigns', { name: 'Website — bảng giá', channel: 'content' });
  form = await api.post('/api/v1/forms', {
    name: 'Nhận báo giá',
    campaign_id: web.id,
    target_stage: 'lead',
    fields: [
      { name: 'ho_ten', label: 'Họ và tên', type: 'text', required: true, maps_to: 'first_name' },
      { name: 'email', label: 'Email', type: 'email', required: true, maps_to: 'email' },
      { name: 'sdt', label: 'Số điện thoại', type: 'phone', maps_to: 'phone' },
    ],
    consent_text: 'Tôi đồng ý nhận báo giá và tin tức qua email.',
    redirect_url: `${site.url}/thanks`,
  });
  snippet = (await api.get(`/api/v1/forms/${form.id}/embed`)).html;
});

after(async () => {
  if (site) await site.close();
  if (env) await env.close();
});

/** Waits for `check()` to return a truthy value (the tracking writes in
 * batches), for at most 10 s; returns the value. */
async function eventually(check, what) {
  const deadline = Date.now() + 10_000;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what} (last: ${JSON.stringify(last)})`);
}

test('a visitor from a Facebook ad who fills the form becomes a lead with both page views', async () => {
  const context = await env.browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const views = () => page.waitForResponse((r) => /\/t\/collect\?|\/t\.gif\?/.test(r.url()));

  const landing = `${site.url}/landing?utm_source=facebook&utm_medium=paid_social&utm_campaign=${fb.utm_campaign}`;
  let seen = views();
  await page.goto(landing);
  assert.ok((await seen).status() < 300);
  const vid = await page.evaluate(() => window.pheu.vid());
  assert.match(vid, /^[0-9a-f]{32}$/);

  seen = views();
  await page.locator('#to-pricing').click();
  await page.waitForURL(`${site.url}/pricing`);
  await seen;
  const f = page.locator('form.pheu-form');
  // the snippet's script filled the hidden tracking inputs
  assert.equal(await f.locator('[name=visitor_id]').inputValue(), vid);
  assert.equal(await f.locator('[name=page_url]').inputValue(), `${site.url}/pricing`);
  // the honeypot is there but out of sight
  const hp = f.locator('[name=fax_number]');
  assert.equal(await hp.count(), 1);
  const box = await hp.boundingBox();
  assert.ok(!box || box.x + box.width < 0, JSON.stringify(box));

  await f.locator('[name=ho_ten]').fill('Nguyễn Thị Web');
  await f.locator('[name=email]').fill(email.toUpperCase());
  await f.locator('[name=sdt]').fill('0987 654 321');
  await f.locator('[name=consent]').check();
  await f.locator('button[type=submit]').click();
  await page.waitForURL(`${site.url}/thanks`);
  await page.locator('#thanks').waitFor();
  const cookie = (await context.cookies(site.url)).find((c) => c.name === '_pheu_vid');
  assert.equal(cookie && cookie.value, vid);
  assert.deepEqual(errors, []);
  await context.close();

  const found = await eventually(async () => (await api.get(`/api/v1/contacts?email=${encodeURIComponent(email)}`)).data[0], 'the contact');
  const tps = await eventually(async () => {
    const list = (await api.get(`/api/v1/touchpoints?contact_id=${found.id}`)).data;
    return list.length === 4 ? list : null;
  }, 'four touches on the contact');
  // newest first: the thank-you page (the visitor is known by then), the
  // form, the pricing page, the landing page
  assert.deepEqual(
    tps.map((t) => [t.kind, t.visitor_id, t.campaign_id, t.utm_source, t.utm_medium]),
    [
      ['page_view', vid, null, null, null],
      ['form_submit', vid, web.id, null, null],
      ['page_view', vid, null, null, null],
      ['page_view', vid, fb.id, 'facebook', 'paid_social'],
    ],
  );
  assert.deepEqual(
    tps.map((t) => t.url),
    [`${site.url}/thanks`, `${site.url}/pricing`, `${site.url}/pricing`, landing],
  );
  const c = await eventually(async () => {
    const x = await api.get(`/api/v1/contacts/${found.id}`);
    return x.source === 'social' ? x : null;
  }, 'the original source of the first page view');
  assert.deepEqual(
    [c.first_name, c.email, c.phone, c.lifecycle_stage, c.source, c.source_campaign_id],
    ['Nguyễn Thị Web', email, '+84987654321', 'lead', 'social', fb.id],
  );
  const consents = (await api.get(`/api/v1/contacts/${c.id}/consents`)).data;
  assert.deepEqual(
    consents.map((k) => [k.purpose, k.granted, k.text, k.source, k.form_id, k.ip]),
    [['email_marketing', true, 'Tôi đồng ý nhận báo giá và tin tức qua email.', 'form', form.id, '127.0.0.1']],
  );
  // the timeline says the form created it
  const tl = (await api.get(`/api/v1/contacts/${c.id}/timeline`)).data;
  assert.deepEqual(tl.find((e) => e.type === 'created').via, { kind: 'form', id: form.id });
});

test('the builder lists the form with its submission and the contact it made', async () => {
  const page = await env.newPage();
  await login(page);
  await page.goto('/#/forms');
  const row = page.locator('#webforms-table tbody tr', { hasText: 'Nhận báo giá' });
  await row.waitFor();
  assert.equal((await row.locator('td').nth(3).textContent()).trim(), '1');
  await row.locator('a').click();
  await page.waitForURL(new RegExp(`#/forms/${form.id}$`));
  const sub = page.locator('#wf-subs-table tbody tr');
  await sub.first().waitFor();
  assert.equal(await sub.count(), 1);
  assert.match(await sub.first().textContent(), /Nguyễn Thị Web/);
  assert.match(await page.locator('#wf-snippet').inputValue(), new RegExp(`/f/${form.key}`));
  await page.locator('#wf-preview form').waitFor();
  // a contact's timeline names the form
  await sub.first().locator('a').click();
  await page.locator('.tl-via', { hasText: 'Nhận báo giá' }).waitFor();
  assert.deepEqual(env.errors, []);
});

test('a marketer builds a form in the UI and a sales rep only reads it', async () => {
  const page = await env.newPage();
  await login(page);
  await page.goto('/#/forms/new');
  await page.locator('#wf-name').fill('Đăng ký dùng thử');
  await page.locator('#wf-add').click();
  const rows = page.locator('.wf-field');
  assert.equal(await rows.count(), 3);
  const third = rows.nth(2);
  await third.locator('[name=f_label]').fill('Quy mô');
  await third.locator('[name=f_name]').fill('quy_mo');
  await third.locator('[name=f_type]').selectOption('select');
  await third.locator('[name=f_options]').fill('1–10\n11–50\nTrên 50');
  // move it to the top
  await third.locator('button', { hasText: 'Chuyển lên' }).click();
  await rows.nth(1).locator('button', { hasText: 'Chuyển lên' }).click();
  await page.locator('#wf-target').selectOption('subscriber');
  await page.locator('#wf-thanks').fill('Cảm ơn, chúng tôi sẽ gọi lại!');
  await page.locator('#wf-save').click();
  await page.waitForURL(/#\/forms\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  const f = await api.get(`/api/v1/forms/${id}`);
  assert.deepEqual(
    [f.name, f.target_stage, f.thank_you_message, f.fields.map((x) => [x.name, x.type])],
    ['Đăng ký dùng thử', 'subscriber', 'Cảm ơn, chúng tôi sẽ gọi lại!', [['quy_mo', 'select'], ['first_name', 'text'], ['email', 'email']]],
  );
  assert.deepEqual(f.fields[0].options, ['1–10', '11–50', 'Trên 50']);
  // a field error names the row it is in
  await page.locator('.wf-field').nth(1).locator('[name=f_name]').fill('Bad Name');
  await page.locator('#wf-save').click();
  await page.locator('.wf-field').nth(1).locator('.field-error:not([hidden])').waitFor();
  // a sales rep reads the form without the controls that change it
  const users = (await api.get('/api/v1/users?limit=500')).data;
  const rep = users.find((u) => u.role === 'sales_rep');
  const rp = await env.newPage();
  await login(rp, { email: rep.email, password: 'pheu-demo' });
  await rp.goto(`/#/forms/${id}`);
  await rp.locator('#wf-form').waitFor();
  assert.equal(await rp.locator('#wf-save').count(), 0);
  assert.equal(await rp.locator('#wf-name').isDisabled(), true);
  assert.deepEqual(env.errors, []);
});

test('the hosted page of a form, shared with UTM tags, runs its script under its CSP and makes a lead', async () => {
  const context = await env.browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text()); // a CSP refusal is logged so
  });
  const who = `hosted.${process.pid}@example.vn`;
  const url = `${env.server.url}/f/${form.key}?utm_source=zalo&utm_medium=social&utm_campaign=chia-se`;
  const res = await page.goto(url);
  assert.equal(res.status(), 200);
  assert.equal(await page.title(), 'Nhận báo giá');
  assert.equal(await page.locator('h1').textContent(), 'Nhận báo giá');
  const f = page.locator('form.pheu-form');
  // the inline script ran (its hash is in the CSP): the hidden inputs are filled
  assert.equal(await f.locator('[name=page_url]').inputValue(), url);
  assert.equal(await f.locator('[name=utm_source]').inputValue(), 'zalo');
  await f.locator('[name=ho_ten]').fill('Trần Văn Zalo');
  await f.locator('[name=email]').fill(who);
  await f.locator('button[type=submit]').click();
  await page.waitForURL(`${site.url}/thanks`);
  assert.deepEqual(problems, []);
  await context.close();

  const c = await eventually(async () => (await api.get(`/api/v1/contacts?email=${encodeURIComponent(who)}`)).data[0], 'the contact');
  const tps = (await api.get(`/api/v1/touchpoints?contact_id=${c.id}`)).data;
  assert.deepEqual(
    tps.map((t) => [t.kind, t.url, t.utm_source, t.utm_medium, t.utm_campaign]),
    [['form_submit', url, 'zalo', 'social', 'chia-se']],
  );
  assert.equal(c.lifecycle_stage, 'lead');
});

test('the builder gives the hosted page link', async () => {
  const page = await env.newPage();
  await login(page);
  await page.goto(`/#/forms/${form.id}`);
  const link = page.locator('#wf-hosted-url');
  await link.waitFor();
  assert.ok((await link.inputValue()).endsWith(`/f/${form.key}`));
  assert.equal(await page.locator('#wf-hosted').getAttribute('href'), await link.inputValue());
  assert.equal((await page.locator('#wf-hosted').textContent()).trim(), 'Mở trang');
  assert.deepEqual(env.errors, []);
});
