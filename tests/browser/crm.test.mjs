// CRM pages: search as you type in the contact list, sorting, filters and
// saved views, inline editing on a record page, logging an activity to
// the timeline, a touchpoint on the timeline with the original source and
// campaign it sets, the create form's duplicate link, the deal board's drag
// and drop (and its keyboard alternative) with the stage totals, and
// record visibility for a sales rep. Records are made through the API
// (tests/browser/crm.mjs); every change made in the browser is checked
// through the API as well.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, DEMO_ADMIN } from './harness.mjs';
import { apiClient, seed } from './crm.mjs';

let env;
let api;
let page;
let data;
let repA;
let repB;

before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  const users = (await api.get('/api/v1/users?limit=500')).data;
  const reps = users.filter((u) => u.role === 'sales_rep' && u.active);
  assert.ok(reps.length >= 2, 'the demo has two active sales reps');
  [repA, repB] = reps;
  data = await seed(api, { n: 12, owners: [repA.id, repB.id] });
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const listRows = (p = page) => p.locator('#list-table tbody tr');

test('search as you type finds a Vietnamese name typed without marks', async () => {
  const target = await api.post('/api/v1/contacts', {
    first_name: 'Thị Phương Thảo',
    last_name: 'Đặng',
    email: 'phuong.thao.dang@example.vn',
    owner_id: repA.id,
  });
  // A near miss that must not match the full query.
  await api.post('/api/v1/contacts', { first_name: 'Văn Phương', last_name: 'Đặng', email: 'van.phuong@example.vn' });

  await page.goto('/#/contacts');
  await listRows().first().waitFor();
  const searches = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/v1/contacts' && u.searchParams.has('q')) searches.push(u.searchParams.get('q'));
  });
  const box = page.locator('#list-search');
  await box.click();
  await box.pressSequentially('dang thi phuong', { delay: 40 });
  const row = listRows().filter({ hasText: 'Đặng Thị Phương Thảo' });
  await row.waitFor();
  await page.waitForFunction(() => !document.querySelector('#list-table tbody[aria-busy]'));
  // Only the full query's answer is on screen: the near miss is gone, and
  // every row matches all three words, marks or not.
  await page.waitForFunction(() => !/Đặng Văn Phương/.test(document.querySelector('#list-table tbody').textContent));
  const fold = (x) => x.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase();
  for (const name of await page.locator('#list-table tbody td.cell-name').allTextContents()) {
    for (const w of ['dang', 'thi', 'phuong']) assert.ok(fold(name).split(/\s+/).some((x) => x.startsWith(w)), `${name} matches ${w}`);
  }
  assert.match(await row.textContent(), /phuong\.thao\.dang@example\.vn/);
  // Debounced: far fewer requests than key presses.
  assert.ok(searches.length >= 1 && searches.length < 8, `requests sent: ${JSON.stringify(searches)}`);
  assert.equal(searches.at(-1), 'dang thi phuong');
  // The query is in the address, so a reload shows the same list.
  assert.match(page.url(), /[?&]q=dang(\+|%20)thi(\+|%20)phuong/);
  await page.reload();
  await listRows().filter({ hasText: 'Đặng Thị Phương Thảo' }).waitFor();
  assert.equal(await page.locator('#list-search').inputValue(), 'dang thi phuong');
  // The name links to the record page.
  await row.getByRole('link', { name: 'Đặng Thị Phương Thảo' }).click();
  await page.waitForURL(new RegExp(`#/contacts/${target.id}$`));
  assert.equal((await page.locator('#record-title').textContent()).trim(), 'Đặng Thị Phương Thảo');
});

test('the list filters, sorts, saves a view and loads more', async () => {
  await page.goto('/#/contacts');
  await listRows().first().waitFor();
  // Filter by lifecycle stage: every row shows it.
  const wait = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/contacts' && r.request().method() === 'GET');
  let res = wait();
  await page.locator('#filter-stage').selectOption('customer');
  assert.equal((await res).status(), 200);
  await page.waitForFunction(() => !document.querySelector('#list-table tbody[aria-busy]'));
  const stages = await page.locator('#list-table tbody td:nth-child(5)').allTextContents();
  assert.ok(stages.length > 0);
  assert.ok(stages.every((s) => s.trim() === 'Khách hàng'), JSON.stringify(stages));
  // Sort by email, then descending: the header says so.
  res = wait();
  await page.locator('th[data-sort="email"] button').click();
  assert.match((await res).url(), /sort=email/);
  assert.equal(await page.locator('th[data-sort="email"]').getAttribute('aria-sort'), 'ascending');
  res = wait();
  await page.locator('th[data-sort="email"] button').click();
  assert.match((await res).url(), /sort=-email/);
  assert.equal(await page.locator('th[data-sort="email"]').getAttribute('aria-sort'), 'descending');
  await page.waitForFunction(() => !document.querySelector('#list-table tbody[aria-busy]'));
  const emails = await page.locator('#list-table tbody td:nth-child(2)').allTextContents();
  assert.deepEqual(emails, [...emails].sort().reverse());

  // Save the view, clear the filters, pick the view again.
  await page.locator('#view-save').click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByLabel('Tên chế độ xem').fill('Khách hàng theo email');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/views') && r.request().method() === 'POST');
  await dlg.getByRole('button', { name: 'Lưu' }).click();
  assert.equal((await saved).status(), 201);
  const views = (await api.get('/api/v1/views?object=contacts')).data;
  // (the admin's own views: the API client logs in as the same admin)
  const v = views.find((x) => x.name === 'Khách hàng theo email');
  assert.ok(v, 'the view is stored');
  assert.match(v.query, /lifecycle_stage=customer/);
  assert.match(v.query, /sort=-email/);
  await page.locator('#filter-clear').click();
  await page.waitForFunction(() => document.querySelector('#filter-stage').value === '');
  await page.locator('#view-select').selectOption({ label: 'Khách hàng theo email' });
  await page.waitForFunction(() => document.querySelector('#filter-stage').value === 'customer');
  assert.match(page.url(), /lifecycle_stage=customer/);
  // The export link carries the same filters.
  const href = await page.locator('#list-export').getAttribute('href');
  assert.match(href, /^\/api\/v1\/exports\/contacts\?format=csv&/);
  assert.match(href, /lifecycle_stage=customer/);

  // Load more: 50 per page, more rows after the click.
  for (let i = 0; i < 45; i++) await api.post('/api/v1/contacts', { first_name: `Khách ${i}`, last_name: 'Lý', email: `ly${i}@example.vn` });
  await page.goto('/#/contacts');
  await page.locator('#filter-clear').click();
  await page.waitForFunction(() => document.querySelectorAll('#list-table tbody tr').length === 50);
  await page.locator('#list-more').click();
  await page.waitForFunction(() => document.querySelectorAll('#list-table tbody tr').length > 50);
});

test('a contact field is edited in place, and the API error shows under it', async () => {
  const c = data.contacts[0];
  await page.goto(`/#/contacts/${c.id}`);
  const prop = page.locator('.prop[data-field="title"]');
  await prop.locator('.prop-edit').click();
  const input = prop.locator('input');
  await input.fill('Phó giám đốc kinh doanh');
  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${c.id}`) && r.request().method() === 'PATCH');
  await input.press('Enter');
  const res = await saved;
  assert.equal(res.status(), 200);
  assert.deepEqual(JSON.parse(res.request().postData()), { title: 'Phó giám đốc kinh doanh' });
  await page.locator('.prop[data-field="title"] .prop-value').filter({ hasText: 'Phó giám đốc kinh doanh' }).waitFor();
  assert.equal((await api.get(`/api/v1/contacts/${c.id}`)).title, 'Phó giám đốc kinh doanh');
  // The change is on the timeline.
  await page.locator('#timeline li[data-type="field_change"]').filter({ hasText: 'Phó giám đốc kinh doanh' }).waitFor();

  // An email another contact has: 409, shown under the field with a link.
  const other = data.contacts[1];
  await page.locator('.prop[data-field="email"] .prop-edit').click();
  await page.locator('.prop[data-field="email"] input').fill(other.email);
  await page.locator('.prop[data-field="email"] input').press('Enter');
  const err = page.locator('#edit-email-error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /Đã có liên hệ với email này/);
  assert.equal(await err.locator('a').getAttribute('href'), `#/contacts/${other.id}`);
  assert.equal(await page.locator('.prop[data-field="email"] input').getAttribute('aria-invalid'), 'true');
  await page.keyboard.press('Escape');
  await page.locator('.prop[data-field="email"] .prop-value').filter({ hasText: c.email }).waitFor();
  assert.equal((await api.get(`/api/v1/contacts/${c.id}`)).email, c.email);

  // The lifecycle stage changes from the stage path.
  const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${c.id}`) && r.request().method() === 'PATCH');
  await page.locator('#stage-path button[data-stage="evangelist"]').click();
  assert.equal((await patched).status(), 200);
  await page.locator('#stage-path button[data-stage="evangelist"][aria-current="step"]').waitFor();
  assert.equal((await api.get(`/api/v1/contacts/${c.id}`)).lifecycle_stage, 'evangelist');
  await page.locator('#timeline li[data-type="stage_change"]').filter({ hasText: 'Người ủng hộ' }).first().waitFor();
});

test('a touchpoint shows on the contact timeline, and the first touch sets the original source and campaign', async () => {
  const c = data.contacts[3];
  const key = `tp-browser-${Date.now()}`;
  const camp = await api.post('/api/v1/campaigns', { name: `Tìm kiếm Tết ${key}`, channel: 'paid_search', utm_campaign: key });
  const tp = await api.post('/api/v1/touchpoints', {
    contact_id: c.id,
    kind: 'ad_click',
    utm_source: 'google',
    utm_medium: 'cpc',
    utm_campaign: key.toUpperCase(),
    url: 'https://shop.example.vn/tet?utm_medium=cpc',
    at: '2020-01-02T03:04:05Z',
  });
  assert.equal(tp.campaign_id, camp.id);
  await page.goto(`/#/contacts/${c.id}`);
  // the oldest entry: page through the timeline until it shows
  const item = page.locator(`#timeline li[data-touchpoint-id="${tp.id}"]`);
  for (let i = 0; i < 20 && !(await item.count()); i++) {
    const more = page.locator('#timeline-more');
    if (await more.isVisible()) await more.click();
    await page.waitForTimeout(200);
  }
  await item.waitFor();
  const text = await item.textContent();
  assert.match(text, /Điểm chạm: Nhấp quảng cáo/);
  assert.match(text, new RegExp(`Tìm kiếm Tết ${key}`));
  assert.match(text, /google \/ cpc/);
  assert.match(text, /shop\.example\.vn\/tet/);
  await page.locator('.prop[data-field="source"] .prop-value').filter({ hasText: 'Quảng cáo tìm kiếm' }).waitFor();
  await page.locator('.prop[data-field="source_campaign_id"] .prop-value').filter({ hasText: `Tìm kiếm Tết ${key}` }).waitFor();
});

test('logging an activity from a contact shows it on the timeline', async () => {
  const c = data.contacts[2];
  await page.goto(`/#/contacts/${c.id}`);
  const form = page.locator('#log-form');
  await form.locator('label.kind-tab', { hasText: 'Cuộc họp' }).click();
  await form.getByLabel('Tiêu đề').fill('Họp giới thiệu giải pháp tại Đà Nẵng');
  await form.getByLabel('Nội dung').fill('Khách quan tâm gói doanh nghiệp.');
  await form.getByLabel('Kết quả').selectOption('completed');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Ghi lại hoạt động' }).click();
  const res = await created;
  assert.equal(res.status(), 201);
  const act = await res.json();
  assert.equal(act.kind, 'meeting');
  assert.equal(act.contact_id, c.id);
  assert.equal(act.outcome, 'completed');
  assert.ok(act.done_at);
  const item = page.locator(`#timeline li[data-activity-id="${act.id}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /Cuộc họp/);
  assert.match(await item.textContent(), /Họp giới thiệu giải pháp tại Đà Nẵng/);
  assert.match(await item.textContent(), /Đã diễn ra/);
  // Newest first.
  assert.equal(await page.locator('#timeline > li').first().getAttribute('data-activity-id'), String(act.id));
  const listed = (await api.get(`/api/v1/activities?contact_id=${c.id}`)).data;
  assert.ok(listed.some((a) => a.id === act.id));

  // A task with a due date, then marked done from the timeline.
  await form.locator('label.kind-tab', { hasText: 'Công việc' }).click();
  await form.getByLabel('Tiêu đề').fill('Gửi báo giá');
  await form.getByLabel('Hạn hoàn thành').fill('2030-01-15T09:30');
  const task = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Tạo công việc' }).click();
  const t = await (await task).json();
  assert.equal(t.kind, 'task');
  assert.equal(t.done_at, null);
  assert.equal(new Date(t.due_at).getTime(), new Date('2030-01-15T09:30').getTime());
  const taskItem = page.locator(`#timeline li[data-activity-id="${t.id}"]`);
  await taskItem.getByRole('button', { name: 'Đánh dấu hoàn thành' }).click();
  await page.locator(`#timeline li[data-activity-id="${t.id}"] .tl-due`).filter({ hasText: 'Đã hoàn thành' }).waitFor();
  assert.ok((await api.get(`/api/v1/activities/${t.id}`)).done_at);
});

test('creating a duplicate contact links to the existing one', async () => {
  const c = data.contacts[3];
  await page.goto('/#/contacts');
  await page.locator('#list-create').click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByLabel('Họ', { exact: true }).fill('Trần');
  await dlg.getByLabel('Tên', { exact: true }).fill('Khánh Linh');
  await dlg.getByLabel('Email').fill(c.email.toUpperCase());
  const res = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
  await dlg.getByRole('button', { name: 'Tạo liên hệ' }).click();
  assert.equal((await res).status(), 409);
  const link = dlg.locator('#new-contact-email-error a');
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), `#/contacts/${c.id}`);
  await link.click();
  await page.waitForURL(new RegExp(`#/contacts/${c.id}$`));

  // A new one goes through and opens its page; the company picker searches.
  await page.goto('/#/contacts');
  await page.locator('#list-create').click();
  await dlg.getByLabel('Họ', { exact: true }).fill('Trần');
  await dlg.getByLabel('Tên', { exact: true }).fill('Khánh Linh');
  await dlg.getByLabel('Email').fill('khanh.linh.tran@example.vn');
  await dlg.getByLabel('Điện thoại').fill('0987 654 321');
  const company = dlg.getByRole('combobox', { name: 'Công ty' });
  await company.pressSequentially('dong xanh');
  await dlg.getByRole('option', { name: /Cà phê Đồng Xanh/ }).click();
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
  await dlg.getByRole('button', { name: 'Tạo liên hệ' }).click();
  const rec = await (await created).json();
  assert.equal(rec.phone, '+84987654321');
  assert.equal(rec.company_id, data.companies.find((x) => x.name === 'Cà phê Đồng Xanh').id);
  await page.waitForURL(new RegExp(`#/contacts/${rec.id}$`));
});

async function totals(pipelineId) {
  const rows = (await api.get(`/api/v1/pipelines/${pipelineId}/totals`)).data;
  const by = {};
  for (const r of rows) by[r.stage_id] = { count: (by[r.stage_id]?.count || 0) + r.count, amount: (by[r.stage_id]?.amount || 0) + r.amount };
  return by;
}

const headCount = (stageId) => page.locator(`.board-col[data-stage-id="${stageId}"] .board-count`).getAttribute('data-count').then(Number);

test('dragging a deal on the board moves it, and the stage totals follow', async () => {
  const { pipeline } = data;
  const deal = data.deals[0];
  const from = deal.stage_id;
  const to = pipeline.stages.find((s) => s.kind === 'won').id;
  const before = await totals(pipeline.id);

  // Wide enough for every column: a drag to a column scrolled out of
  // view is not something the test driver can do.
  const page = await env.newPage({ viewport: { width: 2400, height: 1000 } });
  await login(page);
  const headCount = (stageId) => page.locator(`.board-col[data-stage-id="${stageId}"] .board-count`).getAttribute('data-count').then(Number);
  await page.goto(`/#/deals/board?pipeline=${pipeline.id}`);
  const card = page.locator(`li.deal-card[data-deal-id="${deal.id}"]`);
  await card.waitFor();
  await page.waitForFunction(() => !document.querySelector('#board[aria-busy]'));
  assert.equal(await headCount(from), before[from].count);
  const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/deals/${deal.id}`) && r.request().method() === 'PATCH');
  // Dropped on the column's head: a long column's middle can be below the fold.
  await card.dragTo(page.locator(`.board-col[data-stage-id="${to}"]`), { targetPosition: { x: 60, y: 20 } });
  const res = await patched;
  assert.equal(res.status(), 200);
  assert.deepEqual(JSON.parse(res.request().postData()), { stage_id: to });
  await page.locator(`.board-col[data-stage-id="${to}"] li.deal-card[data-deal-id="${deal.id}"]`).waitFor();

  // Through the API: the deal is won, and the totals moved by its amount.
  const after = (await api.get(`/api/v1/deals/${deal.id}`));
  assert.equal(after.stage_id, to);
  assert.equal(after.status, 'won');
  const t2 = await totals(pipeline.id);
  assert.equal((t2[from]?.count || 0), before[from].count - 1);
  assert.equal((t2[from]?.amount || 0), before[from].amount - deal.amount);
  assert.equal(t2[to].count, (before[to]?.count || 0) + 1);
  assert.equal(t2[to].amount, (before[to]?.amount || 0) + deal.amount);
  // On screen: the column headers show the same numbers.
  await page.waitForFunction(([sid, n]) => document.querySelector(`.board-col[data-stage-id="${sid}"] .board-count`)?.dataset.count === String(n), [to, t2[to].count]);
  assert.equal(await headCount(from), t2[from]?.count || 0);
  assert.match(await page.locator(`.board-col[data-stage-id="${to}"] .board-total`).textContent(), new RegExp(new Intl.NumberFormat('vi-VN').format(t2[to].amount).replace(/\./g, '\\.')));

  // The keyboard alternative: the stage menu on the card.
  const back = page.waitForResponse((r) => r.url().endsWith(`/api/v1/deals/${deal.id}`) && r.request().method() === 'PATCH');
  await page.locator(`#card-${deal.id}-stage`).selectOption(String(from));
  assert.equal((await back).status(), 200);
  await page.locator(`.board-col[data-stage-id="${from}"] li.deal-card[data-deal-id="${deal.id}"]`).waitFor();
  assert.equal((await api.get(`/api/v1/deals/${deal.id}`)).stage_id, from);
  // Focus stays on the moved card's menu.
  assert.equal(await page.evaluate(() => document.activeElement.id), `card-${deal.id}-stage`);
  await page.context().close();
});

test('a refused move is undone on the board', async () => {
  const { pipeline } = data;
  const deal = data.deals[1];
  const from = deal.stage_id;
  const to = pipeline.stages.find((s) => s.kind === 'lost').id;
  await page.goto(`/#/deals/board?pipeline=${pipeline.id}`);
  await page.locator(`li.deal-card[data-deal-id="${deal.id}"]`).waitFor();
  await page.waitForFunction(() => !document.querySelector('#board[aria-busy]'));
  const countFrom = await headCount(from);
  // The deal is deleted behind the board's back: the PATCH answers 404.
  await api.del(`/api/v1/deals/${deal.id}`);
  const res = page.waitForResponse((r) => r.url().endsWith(`/api/v1/deals/${deal.id}`) && r.request().method() === 'PATCH');
  await page.locator(`#card-${deal.id}-stage`).selectOption(String(to));
  assert.equal((await res).status(), 404);
  await page.locator(`.board-col[data-stage-id="${from}"] li.deal-card[data-deal-id="${deal.id}"]`).waitFor();
  await page.locator('#notice.notice-error').waitFor();
  assert.equal(await headCount(from), countFrom);
  assert.equal(await page.locator(`#card-${deal.id}-stage`).inputValue(), String(from));
});

test("a sales rep does not see another rep's contacts", async () => {
  const mine = await api.post('/api/v1/contacts', { first_name: 'Minh Khôi', last_name: 'Lương', email: 'minh.khoi@example.vn', owner_id: repA.id });
  const theirs = await api.post('/api/v1/contacts', { first_name: 'Minh Khuê', last_name: 'Lương', email: 'minh.khue@example.vn', owner_id: repB.id });
  const rep = await env.newPage();
  await login(rep, { email: repA.email, password: DEMO_ADMIN.password });
  await rep.goto('/#/contacts');
  await rep.locator('#list-table tbody tr').first().waitFor();
  const ids = await rep.locator('#list-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)));
  assert.ok(ids.includes(mine.id), 'the rep sees their own contact');
  assert.equal(await rep.locator('#list-import').count(), 0, 'reps do not import');
  assert.ok(!ids.includes(theirs.id), "the rep does not see the other rep's contact");
  const own = data.contacts.filter((c) => c.owner_id === repA.id).length;
  assert.ok(ids.length >= own);
  // Nor through search, nor by address.
  await rep.locator('#list-search').pressSequentially('luong minh kh', { delay: 20 });
  await rep.locator(`#list-table tbody tr[data-id="${mine.id}"]`).waitFor();
  await rep.waitForFunction(() => /q=luong/.test(location.hash) && !document.querySelector('#list-table tbody[aria-busy]'));
  assert.equal(await rep.locator(`#list-table tbody tr[data-id="${theirs.id}"]`).count(), 0);
  await rep.goto(`/#/contacts/${theirs.id}`);
  await rep.locator('h1', { hasText: 'Không tìm thấy bản ghi' }).waitFor();
  await rep.context().close();
});

test('company and deal pages show their associated records', async () => {
  const co = data.companies[0];
  await page.goto(`/#/companies/${co.id}`);
  await page.locator('#assoc-contacts li').first().waitFor();
  const names = await page.locator('#assoc-contacts .assoc-name').allTextContents();
  const expected = data.contacts.filter((c) => c.company_id === co.id);
  assert.equal(names.length, expected.length);
  await page.locator('#assoc-deals li').first().waitFor();
  // The company's contacts as a list: the filter shows as a chip.
  await page.goto(`/#/contacts?company_id=${co.id}`);
  const chip = page.locator('#filter-chips .filter-chip');
  await chip.filter({ hasText: co.name }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#list-table tbody tr').length === n && !document.querySelector('#list-table tbody[aria-busy]'), expected.length);
  await chip.getByRole('button', { name: 'Bỏ bộ lọc này' }).click();
  await page.waitForFunction(() => !location.hash.includes('company_id'));
  await page.waitForFunction((n) => document.querySelectorAll('#list-table tbody tr').length > n, expected.length);

  const deal = data.deals[2];
  await page.goto(`/#/deals/${deal.id}`);
  await page.locator('#assoc-contacts li').first().waitFor();
  assert.equal(await page.locator('#assoc-contacts li').count(), deal.contact_ids.length);
  assert.match(await page.locator('#assoc-company').textContent(), new RegExp(data.companies[2].name));
  // Amounts in VND, no decimals.
  assert.match(await page.locator('.record-sub').textContent(), /45\.000\.000\s₫/);
  // Add a collaborator.
  await page.locator('#collab-user').selectOption({ index: 1 });
  const added = page.waitForResponse((r) => r.url().endsWith(`/api/v1/deals/${deal.id}/collaborators`) && r.request().method() === 'POST');
  await page.locator('#collaborators button[type=submit]').click();
  assert.equal((await added).status(), 201);
  await page.locator('#collab-list li').first().waitFor();
  assert.equal((await api.get(`/api/v1/deals/${deal.id}/collaborators`)).data.length, 1);
});

test('a duplicate contact is merged into the one on screen', async () => {
  const keep = await api.post('/api/v1/contacts', { first_name: 'Bảo Ngọc', last_name: 'Huỳnh', email: 'bao.ngoc@example.vn' });
  const dup = await api.post('/api/v1/contacts', { first_name: 'Bảo Ngọc', last_name: 'Huỳnh', phone: '0911 222 333' });
  const act = await api.post('/api/v1/activities', { kind: 'note', subject: 'Ghi chú trên bản trùng', contact_id: dup.id });
  await page.goto(`/#/contacts/${keep.id}`);
  await page.locator('#record-merge').click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByRole('combobox').pressSequentially('0911222333');
  await dlg.getByRole('option', { name: /Huỳnh Bảo Ngọc/ }).click();
  page.once('dialog', (d) => d.accept());
  const merged = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${keep.id}/merge`));
  await dlg.getByRole('button', { name: 'Gộp' }).click();
  assert.equal((await merged).status(), 200);
  await dlg.waitFor({ state: 'detached' });
  await page.locator(`#timeline li[data-activity-id="${act.id}"]`).waitFor();
  assert.equal((await api.get(`/api/v1/contacts/${dup.id}`, { raw: true })).status, 404);
  assert.equal((await api.get(`/api/v1/activities/${act.id}`)).contact_id, keep.id);
  await page.locator('.prop[data-field="phone"] .prop-value').filter({ hasText: '+84911222333' }).waitFor();
});

test('the pages work in English', async () => {
  await page.locator('header .lang-btn[data-locale="en"]').click();
  await page.goto('/#/contacts');
  await listRows().first().waitFor();
  assert.equal((await page.locator('h1').textContent()).trim(), 'Contacts');
  assert.equal((await page.locator('#list-create').textContent()).trim(), 'New contact');
  await page.goto(`/#/deals/board?pipeline=${data.pipeline.id}`);
  await page.locator('.deal-card').first().waitFor();
  assert.match(await page.locator('#board-hint').textContent(), /Drag a card/);
  await page.locator('header .lang-btn[data-locale="vi"]').click();
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
