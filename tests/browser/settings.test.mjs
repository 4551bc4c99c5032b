// Settings and the tracking snippet in a real browser (SPEC §4, issue 6
// item 3; decision 0016): the admin copies the snippet and lists the
// tracked sites on #/settings, edits exchange rates, and a page of a
// tracked site (a second local web server, http://localhost:PORT; a
// routed public-looking origin would meet Chromium's private network
// rules for loopback addresses, which real sites do not) that embeds
// /t.js gets the first-party _pheu_vid cookie, window.pheu.vid(), and its
// page views, single-page navigations included, recorded with their UTM
// tags and referrer. Everything is checked through the API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setup, login, freePort, BIN, DEMO_ADMIN } from './harness.mjs';
import { apiClient } from './crm.mjs';

let env;
let api;
let page;
let site; // the customer's website: every path is a page embedding t.js
let SITE; // its origin, http://localhost:PORT
let OTHER; // the same server by another name: a site not tracked

before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  page = await env.newPage();
  await login(page);
  const port = await freePort();
  SITE = `http://localhost:${port}`;
  OTHER = `http://127.0.0.1:${port}`;
  site = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    // pages under /consent/ load the script in consent mode
    const mode = req.url.startsWith('/consent/') ? ' data-consent="required"' : '';
    res.end(`<!doctype html><html><head><title>Cửa hàng</title>
<script async src="${env.server.url}/t.js"${mode}></script></head><body>${req.url}</body></html>`);
  });
  await new Promise((ok) => site.listen(port, '127.0.0.1', ok));
});
after(async () => {
  if (site) site.close();
  if (env) await env.close();
});

test('the admin sees the snippet and saves the tracked sites', async () => {
  await page.goto('/#/settings');
  await page.locator('#settings-origins-form').waitFor();
  assert.equal(await page.locator('#settings-currency').textContent(), 'VND');
  assert.equal(await page.locator('#settings-time-zone').textContent(), 'Asia/Ho_Chi_Minh');
  assert.equal(await page.locator('#settings-snippet').inputValue(), `<script async src="${env.server.url}/t.js"></script>`);
  // a bad origin is refused next to the field, nothing saved
  await page.locator('#settings-origins').fill('shop.example.vn');
  await page.locator('#settings-origins-form button[type=submit]').click();
  await page.locator('#settings-origins-error').waitFor({ state: 'visible' });
  assert.deepEqual((await api.get('/api/v1/settings')).tracking_origins, []);
  await page.locator('#settings-origins').fill(`${SITE.toUpperCase()}/\n  https://Blog.Example.vn:443  \n`);
  await page.locator('#settings-origins-form button[type=submit]').click();
  await page.waitForFunction((s) => document.querySelector('#settings-origins').value === `${s}\nhttps://blog.example.vn`, SITE);
  assert.deepEqual((await api.get('/api/v1/settings')).tracking_origins, [SITE, 'https://blog.example.vn']);
});

test('exchange rates are edited as lines, a bad line stays in the form', async () => {
  await page.goto('/#/settings');
  await page.locator('#settings-fx-form').waitFor();
  await page.locator('#settings-fx').fill('USD twenty');
  await page.locator('#settings-fx-form button[type=submit]').click();
  await page.locator('#settings-fx-error').waitFor({ state: 'visible' });
  assert.deepEqual((await api.get('/api/v1/settings')).fx_rates, {});
  await page.locator('#settings-fx').fill('usd 25400\nEUR: 27500,5');
  await page.locator('#settings-fx-form button[type=submit]').click();
  await page.locator('#settings-fx-error').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => !document.querySelector('#settings-fx-form button[type=submit]').disabled);
  let rates = {};
  for (let i = 0; i < 50 && !rates.USD; i++) {
    rates = (await api.get('/api/v1/settings')).fx_rates;
    if (!rates.USD) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(rates, { EUR: 27500.5, USD: 25400 });
});

test('a sales rep reads the settings without the tracking controls', async () => {
  const users = (await api.get('/api/v1/users?limit=500')).data;
  const rep = users.find((u) => u.role === 'sales_rep' && u.active);
  const p = await env.newPage();
  try {
    await login(p, { email: rep.email, password: DEMO_ADMIN.password });
    await p.goto('/#/settings');
    await p.locator('#settings-currency').waitFor();
    assert.equal(await p.locator('#settings-snippet').count(), 0);
    assert.equal(await p.locator('#settings-origins').count(), 0);
    assert.match(await p.locator('#settings-fx-view').textContent(), /EUR 27500\.5\nUSD 25400/);
  } finally {
    await p.context().close();
  }
});

/** Touchpoints of a visitor once there are n (the writer batches). */
async function touchesOf(vid, n) {
  let got = [];
  for (let i = 0; i < 100; i++) {
    got = (await api.get(`/api/v1/touchpoints?visitor_id=${encodeURIComponent(vid)}`)).data;
    if (got.length >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(got.length, n, JSON.stringify(got));
  return got.sort((a, b) => a.id - b.id);
}

test('t.js on a tracked site: first-party visitor id and page views', async () => {
  const context = await env.browser.newContext();
  try {
    const p = await context.newPage();
    await p.goto(`${SITE}/ao-dai?utm_source=facebook&utm_medium=social&utm_campaign=T%E1%BA%BFt%202027`, {
      referer: 'https://www.facebook.com/',
    });
    await p.waitForFunction(() => window.pheu && typeof window.pheu.vid === 'function');
    const vid = await p.evaluate(() => window.pheu.vid());
    assert.match(vid, /^[0-9a-f]{32}$/);
    const cookie = (await context.cookies(SITE)).find((c) => c.name === '_pheu_vid');
    assert.ok(cookie, 'the cookie is on the site itself');
    assert.equal(cookie.value, vid);
    assert.equal(cookie.domain, 'localhost');
    assert.equal(cookie.sameSite, 'Lax');
    // two years asked; Chromium keeps cookies at most 400 days
    assert.ok(cookie.expires * 1000 > Date.now() + 390 * 86400 * 1000, 'long-lived');
    assert.equal(await p.evaluate(() => window.pheu.base), env.server.url);

    // a single-page navigation is a second view, from the first page
    await p.evaluate(() => history.pushState({}, '', '/gio-hang'));
    let got = await touchesOf(vid, 2);
    assert.deepEqual(
      got.map((t) => [t.kind, t.url, t.referrer, t.utm_source, t.utm_medium, t.utm_campaign, t.contact_id]),
      [
        ['page_view', `${SITE}/ao-dai?utm_source=facebook&utm_medium=social&utm_campaign=T%E1%BA%BFt%202027`,
          'https://www.facebook.com/', 'facebook', 'social', 'Tết 2027', null],
        ['page_view', `${SITE}/gio-hang`, `${SITE}/ao-dai?utm_source=facebook&utm_medium=social&utm_campaign=T%E1%BA%BFt%202027`,
          null, null, null, null],
      ],
    );
    // the same address again sends nothing; a new page keeps the visitor
    await p.evaluate(() => window.pheu.page());
    await p.goto(`${SITE}/lien-he`);
    await p.waitForFunction(() => window.pheu && window.pheu.vid);
    assert.equal(await p.evaluate(() => window.pheu.vid()), vid);
    got = await touchesOf(vid, 3);
    assert.equal(got[2].url, `${SITE}/lien-he`);
  } finally {
    await context.close();
  }
});

test('a tracked email link lands with _pk, and t.js joins the visitor to the contact', async () => {
  const c = await api.post('/api/v1/contacts', { first_name: 'Lan', last_name: 'Trần', email: `lan.${Date.now()}@example.vn` });
  const { stdout } = await promisify(execFile)(BIN, [
    'track', 'link', '--db', env.server.db, '--base', env.server.url, '--contact', String(c.id), '--url', `${SITE}/uu-dai?x=1#mua`,
  ]);
  const context = await env.browser.newContext();
  try {
    const p = await context.newPage();
    await p.goto(stdout.trim());
    await p.waitForFunction(() => window.pheu && window.pheu.vid);
    // t.js took _pk out of the address; the fragment stays
    await p.waitForFunction(() => !location.search.includes('_pk'));
    assert.equal(p.url(), `${SITE}/uu-dai?x=1#mua`);
    const vid = await p.evaluate(() => window.pheu.vid());
    const got = await touchesOf(vid, 1);
    assert.deepEqual([got[0].kind, got[0].contact_id, got[0].url], ['page_view', c.id, `${SITE}/uu-dai?x=1#mua`]);
    const all = (await api.get(`/api/v1/touchpoints?contact_id=${c.id}`)).data.map((t) => t.kind).sort();
    assert.deepEqual(all, ['email_click', 'page_view']);
  } finally {
    await context.close();
  }
});

test('t.js on a site that is not tracked records nothing', async () => {
  const context = await env.browser.newContext();
  try {
    const refused = async () => (await api.get('/api/v1/tracking/stats')).refused.origin;
    const before = await refused();
    const p = await context.newPage();
    await p.goto(`${OTHER}/copied-snippet`);
    await p.waitForFunction(() => window.pheu && window.pheu.vid);
    const vid = await p.evaluate(() => window.pheu.vid());
    for (let i = 0; i < 100 && (await refused()) === before; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await refused(), before + 1, 'the view reached the server and was refused');
    assert.deepEqual((await api.get(`/api/v1/touchpoints?visitor_id=${vid}`)).data, []);
  } finally {
    await context.close();
  }
});

test('consent mode: nothing stored or sent until the visitor agrees, and forgotten on refusal', async () => {
  const context = await env.browser.newContext();
  try {
    const p = await context.newPage();
    const sent = [];
    p.on('request', (r) => {
      if (/\/t\/collect\?|\/t\.gif\?/.test(r.url())) sent.push(r.url());
    });
    const ready = () => p.waitForFunction(() => window.pheu && window.pheu.consent);
    const vidCookie = async () => (await context.cookies(SITE)).find((c) => c.name === '_pheu_vid');
    await p.goto(`${SITE}/consent/a`);
    await ready();
    assert.equal(await p.evaluate(() => window.pheu.tracking()), false);
    assert.equal(await p.evaluate(() => window.pheu.vid()), '');
    await p.evaluate(() => window.pheu.page());
    assert.equal(await vidCookie(), undefined);
    // the banner's "agree": this page's view goes out, with a new visitor
    await p.evaluate(() => window.pheu.consent(true));
    const vid = await p.evaluate(() => window.pheu.vid());
    assert.match(vid, /^[0-9a-f]{32}$/);
    assert.equal((await vidCookie()).value, vid);
    let got = await touchesOf(vid, 1);
    assert.equal(got[0].url, `${SITE}/consent/a`);
    // remembered on the next page
    await p.goto(`${SITE}/consent/b`);
    await ready();
    assert.equal(await p.evaluate(() => window.pheu.tracking()), true);
    assert.equal(await p.evaluate(() => window.pheu.vid()), vid);
    got = await touchesOf(vid, 2);
    // "refuse": the visitor id is deleted and nothing more is sent
    await p.evaluate(() => window.pheu.consent(false));
    assert.equal(await vidCookie(), undefined);
    const n = sent.length;
    await p.evaluate(() => history.pushState({}, '', '/consent/c'));
    await p.goto(`${SITE}/d`); // no consent mode, but the refusal is kept
    await ready();
    assert.equal(await p.evaluate(() => window.pheu.tracking()), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sent.length, n, sent.slice(n).join('\n'));
    assert.equal(await vidCookie(), undefined);
    assert.equal((await api.get(`/api/v1/touchpoints?visitor_id=${vid}`)).data.length, 2);
  } finally {
    await context.close();
  }
});

test('Global Privacy Control counts as a refusal', async () => {
  const context = await env.browser.newContext();
  try {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    const p = await context.newPage();
    const sent = [];
    p.on('request', (r) => {
      if (/\/t\/collect\?|\/t\.gif\?/.test(r.url())) sent.push(r.url());
    });
    await p.goto(`${SITE}/gpc`);
    await p.waitForFunction(() => window.pheu && window.pheu.consent);
    assert.equal(await p.evaluate(() => window.pheu.tracking()), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(sent, []);
    assert.equal((await context.cookies(SITE)).find((c) => c.name === '_pheu_vid'), undefined);
    // an explicit agreement on the site's banner still counts
    await p.evaluate(() => window.pheu.consent(true));
    assert.equal(await p.evaluate(() => window.pheu.tracking()), true);
    await touchesOf(await p.evaluate(() => window.pheu.vid()), 1);
  } finally {
    await context.close();
  }
});

test('no page error and no missing translation on the way', () => {
  assert.deepEqual(env.errors.map(String), []);
});
