// The language switch: it applies at once, is saved for the user with
// PATCH /api/v1/me and survives a reload (and a new browser); before login
// it is kept in this browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login } from './harness.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  if (env) await env.close();
});

const navUsers = (page) => page.locator('nav a[data-route="users"]');
const navDashboard = (page) => page.locator('nav a[data-route="dashboard"]');

async function switchTo(page, loc) {
  const saved = page.waitForResponse(
    (r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH',
  );
  await page.locator(`header .lang-btn[data-locale="${loc}"]`).click();
  const res = await saved;
  assert.equal(res.status(), 200, `PATCH /api/v1/me answered ${res.status()}`);
  assert.equal((await res.json()).locale, loc);
}

test('switching to English and back changes the texts and persists', async () => {
  const page = await env.newPage();
  await login(page);
  assert.equal((await navUsers(page).textContent()).trim(), 'Người dùng');
  assert.equal((await navDashboard(page).textContent()).trim(), 'Bảng điều khiển');

  await switchTo(page, 'en');
  assert.equal((await navUsers(page).textContent()).trim(), 'Users');
  assert.equal((await navDashboard(page).textContent()).trim(), 'Dashboard');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.locator('#greeting').textContent(), /^Hello, /);
  assert.equal(await page.locator('header .lang-btn[data-locale="en"]').getAttribute('aria-pressed'), 'true');

  await page.reload();
  await page.locator('#greeting').waitFor();
  assert.equal((await navUsers(page).textContent()).trim(), 'Users');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');

  // The choice belongs to the user, not to this browser.
  const other = await env.newPage();
  await login(other);
  assert.equal((await navUsers(other).textContent()).trim(), 'Users');
  await other.context().close();

  await switchTo(page, 'vi');
  assert.equal((await navUsers(page).textContent()).trim(), 'Người dùng');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  await page.reload();
  await page.locator('#greeting').waitFor();
  assert.equal((await navUsers(page).textContent()).trim(), 'Người dùng');
  assert.match(await page.locator('#greeting').textContent(), /^Xin chào, /);
  await page.context().close();
});

test('on the login page the choice is kept in this browser', async () => {
  const page = await env.newPage();
  await page.goto('/#/login');
  await page.locator('#login-title').waitFor();
  assert.equal((await page.locator('#login-title').textContent()).trim(), 'Đăng nhập');
  await page.locator('.login-card .lang-btn[data-locale="en"]').click();
  assert.equal((await page.locator('#login-title').textContent()).trim(), 'Log in');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('label[for="login-password"]').innerText(), 'Password *');
  await page.reload();
  await page.locator('#login-title').waitFor();
  assert.equal((await page.locator('#login-title').textContent()).trim(), 'Log in');
  await page.locator('.login-card .lang-btn[data-locale="vi"]').click();
  assert.equal((await page.locator('#login-title').textContent()).trim(), 'Đăng nhập');
  await page.context().close();
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
