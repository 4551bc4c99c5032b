// Logging in: the demo admin lands on the dashboard that greets them by
// name; a wrong password shows an error and stays on the login page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, DEMO_ADMIN } from './harness.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  if (env) await env.close();
});

test('demo admin logs in and sees the dashboard with their name', async () => {
  const page = await env.newPage();
  await login(page);
  const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
  assert.ok(me.name, 'GET /api/v1/me has a name');
  assert.equal(me.email, DEMO_ADMIN.email);
  const greeting = await page.locator('#greeting').textContent();
  assert.ok(greeting.includes(me.name), `greeting "${greeting}" names ${me.name}`);
  assert.equal((await page.locator('#user-name').textContent()).trim(), me.name);
  // Counts come from the list endpoints: the demo has users and teams.
  await page.locator('#stat-users-value').filter({ hasText: /^\d+$/ }).waitFor();
  await page.locator('#stat-teams-value').filter({ hasText: /^\d+$/ }).waitFor();
  assert.ok(Number(await page.locator('#stat-users-value').textContent()) > 5);
  assert.ok(Number(await page.locator('#stat-teams-value').textContent()) > 0);
  // Landmarks and language.
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('header').count(), 1);
  assert.equal(await page.locator('nav').count(), 1);
  assert.equal(await page.locator('main').count(), 1);
  await page.context().close();
});

test('a wrong password shows an error message', async () => {
  const page = await env.newPage();
  await page.goto('/');
  await page.waitForURL(/#\/login$/);
  await page.getByLabel('Email').fill(DEMO_ADMIN.email);
  await page.getByLabel('Mật khẩu').fill('not-the-password');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  const alert = page.locator('#login-error');
  await alert.waitFor({ state: 'visible' });
  const text = (await alert.textContent()).trim();
  assert.ok(text.length > 0, 'error text is shown');
  assert.match(page.url(), /#\/login$/);
  assert.equal(await page.locator('#greeting').count(), 0);
  await page.context().close();
});

test('a page asked for before login opens after login; logout ends the session', async () => {
  const page = await env.newPage();
  await page.goto('/#/teams');
  await page.waitForURL(/#\/login$/);
  await page.locator('#login-email').fill(DEMO_ADMIN.email);
  await page.locator('#login-password').fill(DEMO_ADMIN.password);
  await page.locator('#login-password').press('Enter');
  await page.waitForURL(/#\/teams$/);
  await page.locator('#team-tree li').first().waitFor();

  await page.locator('#user-button').click();
  await page.locator('#logout-button').click();
  await page.waitForURL(/#\/login$/);
  const status = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
  assert.equal(status, 401);
  await page.context().close();
});

test('the shell is usable from the keyboard', async () => {
  const page = await env.newPage();
  await login(page);
  // After a fresh load the first Tab stop is the skip link; it moves focus
  // to the page heading. (After an in-app navigation the heading itself
  // has focus, so screen readers announce the new page.)
  await page.reload();
  await page.locator('#greeting').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  // A navigation link followed with Enter opens its page.
  await page.locator('nav a[data-route="teams"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/teams$/);
  // the URL changes first, then the shell renders the page and marks its link
  await page.locator('#team-tree li').first().waitFor();
  assert.equal(await page.locator('nav a[aria-current="page"]').getAttribute('data-route'), 'teams');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  // The user menu opens with Enter and closes with Escape.
  await page.locator('#user-button').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#user-button').getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'logout-button');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#user-button').getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'user-button');
  // A placeholder section says it arrives later (segments: SPEC §7).
  await page.goto('/#/segments');
  await page.locator('.empty-state').waitFor();
  assert.match(await page.locator('.empty-state').textContent(), /bản phát hành sau/);
  await page.context().close();
});

test('every input on the pages has a label', async () => {
  const page = await env.newPage();
  await login(page);
  for (const route of ['users', 'teams']) {
    await page.goto(`/#/${route}`);
    await page.locator('main form').first().waitFor();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea')]
        .filter((c) => c.type !== 'hidden' && c.labels.length === 0 && !c.getAttribute('aria-label'))
        .map((c) => c.id || c.name),
    );
    assert.deepEqual(unlabelled, [], `unlabelled controls on #/${route}`);
  }
  await page.context().close();
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
