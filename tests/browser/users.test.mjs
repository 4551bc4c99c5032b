// Users and teams admin pages: the demo users are listed, an admin creates
// a user and a team through the forms, and API errors appear next to the
// field they name.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, DEMO_ADMIN } from './harness.mjs';

let env;
let page;
before(async () => {
  env = await setup();
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const rows = () => page.locator('#users-table tbody tr');

test('the users page lists the demo users', async () => {
  await page.locator('nav a[data-route="users"]').click();
  await page.waitForURL(/#\/users$/);
  await rows().first().waitFor();
  const n = await rows().count();
  assert.ok(n > 5, `expected more than 5 users, got ${n}`);
  const admin = rows().filter({ hasText: DEMO_ADMIN.email });
  assert.equal(await admin.count(), 1, 'the admin row is present');
  assert.match(await admin.textContent(), /Quản trị viên/);
  // Vietnamese names come through intact (NFC, with diacritics).
  const names = await page.locator('#users-table tbody td:nth-child(2)').allTextContents();
  assert.ok(names.some((s) => /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(s)), 'Vietnamese names');
});

test('an admin creates a user through the form', async () => {
  const before = await rows().count();
  const email = `tran.thi.thu.${Date.now()}@demo.pheu.vn`;
  const form = page.locator('#user-create-form');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Họ và tên').fill('Trần Thị Thu');
  await form.getByLabel('Vai trò').selectOption('marketer');
  const teamOptions = await form.locator('#new-user-team option').count();
  if (teamOptions > 1) await form.locator('#new-user-team').selectOption({ index: 1 });
  await form.getByLabel('Mật khẩu ban đầu').fill('mat-khau-123');
  await form.getByRole('button', { name: 'Tạo người dùng' }).click();

  const row = rows().filter({ hasText: email });
  await row.waitFor();
  assert.match(await row.textContent(), /Trần Thị Thu/);
  assert.match(await row.textContent(), /Chuyên viên marketing/);
  assert.equal(await rows().count(), before + 1);
  // The form is empty again, ready for the next user.
  assert.equal(await form.getByLabel('Email').inputValue(), '');

  // The same email again: the server's 409 shows next to the email field.
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Họ và tên').fill('Trần Thị Thu');
  await form.getByLabel('Mật khẩu ban đầu').fill('mat-khau-123');
  await form.getByRole('button', { name: 'Tạo người dùng' }).click();
  const err = page.locator('#new-user-email-error');
  await err.waitFor({ state: 'visible' });
  assert.ok((await err.textContent()).trim().length > 0);
  assert.equal(await page.locator('#new-user-email').getAttribute('aria-invalid'), 'true');
  assert.equal(await rows().count(), before + 1);
});

test('an admin edits a user in the dialog', async () => {
  const row = rows().filter({ hasText: /tran\.thi\.thu\./ });
  await row.getByRole('button').click();
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  await dlg.getByLabel('Vai trò').selectOption('sales_rep');
  await dlg.getByLabel('Tài khoản đang hoạt động').uncheck();
  const saved = page.waitForResponse((r) => /\/api\/v1\/users\/\d+$/.test(r.url()) && r.request().method() === 'PATCH');
  await dlg.getByRole('button', { name: 'Lưu' }).click();
  assert.equal((await saved).status(), 200);
  await dlg.waitFor({ state: 'detached' });
  assert.match(await row.textContent(), /Nhân viên kinh doanh/);
  assert.match(await row.textContent(), /Đã khóa/);
});

test('the teams page shows the tree and an admin creates a team', async () => {
  await page.locator('nav a[data-route="teams"]').click();
  await page.waitForURL(/#\/teams$/);
  await page.locator('#team-tree li').first().waitFor();
  const before = await page.locator('#team-tree li').count();
  assert.ok(before > 0);

  const form = page.locator('#team-create-form');
  const name = `Nhóm Đà Nẵng ${Date.now() % 100000}`;
  await form.getByLabel('Tên nhóm').fill(name);
  await form.getByLabel('Loại nhóm').selectOption('success');
  await form.locator('#new-team-parent').selectOption({ index: 1 });
  const parentText = (await form.locator('#new-team-parent option:checked').textContent()).replace(/^(— )+/, '');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/teams') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Tạo nhóm' }).click();
  const res = await created;
  assert.equal(res.status(), 201);
  const team = await res.json();

  const item = page.locator(`#team-tree li[data-team-id="${team.id}"]`);
  await item.waitFor();
  assert.equal(await item.locator(':scope > .team-row .team-name').textContent(), name);
  assert.equal(await page.locator('#team-tree li').count(), before + 1);
  assert.match(await item.locator(':scope > .team-row').textContent(), /Chăm sóc khách hàng/);
  // It sits under the chosen parent.
  const parentName = await item.locator('xpath=ancestor::li[1]/div[contains(@class,"team-row")]//span[contains(@class,"team-name")]').textContent();
  assert.equal(parentName, parentText);
});

test('a sales rep sees the users but no admin forms', async () => {
  const users = await page.evaluate(() => fetch('/api/v1/users?limit=500').then((r) => r.json()));
  const rep = users.data.find((u) => u.role === 'sales_rep' && u.active);
  assert.ok(rep, 'the demo has an active sales rep');
  const other = await env.newPage();
  await login(other, { email: rep.email, password: DEMO_ADMIN.password });
  assert.match(await other.locator('#greeting').textContent(), new RegExp(rep.name));
  assert.equal((await other.locator('#user-role').textContent()).trim(), 'Nhân viên kinh doanh');
  await other.goto('/#/users');
  await other.locator('#users-table tbody tr').first().waitFor();
  assert.equal(await other.locator('#user-create-form').count(), 0);
  assert.equal(await other.locator('#users-table tbody button').count(), 0);
  await other.goto('/#/teams');
  await other.locator('#team-tree').waitFor();
  assert.equal(await other.locator('#team-create-form').count(), 0);
  await other.context().close();
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
