// The funnel page (#/funnel, SPEC §3, issue 5) on a handful of contacts
// created through the API in March and April 2020 (before anything the
// demo loads) with backdated stage moves, so every number has a known
// answer: the page shows the API's numbers in both modes, one funnel per
// group, keeps its state in the address, and a bar opens the contact
// list showing exactly the contacts behind it. On a contact page the
// stage path changes the stage, the change reaches the timeline and the
// milestones card shows the first entry into each stage.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, DEMO_ADMIN } from './harness.mjs';
import { apiClient } from './crm.mjs';

let env;
let api;
let page;
let repA;
const C = {}; // the test contacts by letter

// Noon in Hà Nội (05:00 UTC) on a day of 2020.
const at = (day) => `2020-${day}T05:00:00Z`;

// Cohort March 2020 (hand-computed below):
//   A organic: subscriber 03-02, lead 03-04, MQL 03-06, SQL 03-10,
//              opportunity 03-15, customer 03-25
//   B paid:    subscriber 03-03, lead 03-05
//   C organic: lead 03-05, MQL 03-08
//   D referral (owned by a sales rep): subscriber 03-10
//   E referral: customer 03-20 (skipped every earlier stage)
//   F paid:    created 03-20, no stage
//   G organic: created 04-02, lead 04-02 (April: not in the March cohort)
const PEOPLE = {
  A: { source: 'organic_search', created: '03-02', moves: [['subscriber', '03-02'], ['lead', '03-04'], ['marketing_qualified_lead', '03-06'], ['sales_qualified_lead', '03-10'], ['opportunity', '03-15'], ['customer', '03-25']] },
  B: { source: 'paid_search', created: '03-03', moves: [['subscriber', '03-03'], ['lead', '03-05']] },
  C: { source: 'organic_search', created: '03-05', moves: [['lead', '03-05'], ['marketing_qualified_lead', '03-08']] },
  D: { source: 'referral', created: '03-10', moves: [['subscriber', '03-10']], rep: true },
  E: { source: 'referral', created: '03-12', moves: [['customer', '03-20']] },
  F: { source: 'paid_search', created: '03-20', moves: [] },
  G: { source: 'organic_search', created: '04-02', moves: [['lead', '04-02']] },
};
const MARCH = 'from=2020-03-01&to=2020-03-31';
const STAGES = ['subscriber', 'lead', 'marketing_qualified_lead', 'sales_qualified_lead', 'opportunity', 'customer', 'evangelist'];
const COHORT = {
  contacts: 6,
  counts: [5, 4, 3, 2, 2, 2, 0],
  // sub: A 2, B 2; lead: A 2, C 3; MQL: A 4; SQL: A 5; opp: A 10
  velocity: [[2, 2], [2.5, 2.75], [4, 4], [5, 5], [10, 10], null],
  parts: { TOFU: 5, MOFU: 3, BOFU: 2 },
  overall: 2 / 5,
};
// First entries in March: sub A B D; lead A B C; MQL A C; SQL A; opp A; customer A E
const PERIOD_COUNTS = [3, 3, 2, 1, 1, 2, 0];

before(async () => {
  env = await setup();
  api = await apiClient(env.server.url);
  const users = (await api.get('/api/v1/users?limit=500')).data;
  repA = users.find((u) => u.role === 'sales_rep' && u.active);
  assert.ok(repA, 'the demo has an active sales rep');
  for (const [k, p] of Object.entries(PEOPLE)) {
    const body = {
      first_name: `Phễu ${k}`,
      last_name: 'Kiểm',
      email: `pheu.${k.toLowerCase()}@funnel.example.vn`,
      source: p.source,
      created_at: at(p.created),
      ...(p.rep ? { owner_id: repA.id } : {}),
    };
    if (p.moves.length) Object.assign(body, { lifecycle_stage: p.moves[0][0], stage_changed_at: at(p.moves[0][1]) });
    const c = await api.post('/api/v1/contacts', body);
    for (const [stage, day] of p.moves.slice(1)) await api.patch(`/api/v1/contacts/${c.id}`, { lifecycle_stage: stage, stage_changed_at: at(day) });
    C[k] = await api.get(`/api/v1/contacts/${c.id}`);
  }
  page = await env.newPage();
  await login(page);
});
after(async () => {
  if (env) await env.close();
});

const funnelApi = (q, client = api) => client.get(`/api/v1/reports/funnel?${q}`);
const pct = (x) => new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 }).format(x);
const days = (x) => new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);
const idsOf = (list) => list.map((c) => c.id).sort((a, b) => a - b);

async function waitFunnel(p = page) {
  await p.waitForFunction(() => document.querySelector('#funnel-main') && !document.querySelector('#funnel-chart[aria-busy]'));
}

/** What a funnel chart (root selector) shows, stage by stage. */
function readChart(root, p = page) {
  return p.locator(root).evaluate((el) =>
    [...el.querySelectorAll('.funnel-step')].map((li) => {
      const next = li.querySelector('.funnel-next');
      return {
        stage: li.dataset.stage,
        count: Number(li.querySelector('.funnel-bar').dataset.count),
        countText: li.querySelector('.bar-count').textContent,
        href: li.querySelector('a.funnel-bar')?.getAttribute('href') ?? null,
        part: li.closest('.funnel-band').dataset.part,
        conv: next ? next.querySelector('.next-conv').textContent : null,
        median: next ? next.querySelector('.next-median').textContent : null,
        p75: next ? next.querySelector('.next-p75').textContent : null,
      };
    }),
  );
}

/** Asserts chart rows equal funnel f of the API (mode's count field). */
function sameAsApi(rows, f, mode) {
  const what = mode === 'period' ? 'entered' : 'reached';
  assert.deepEqual(rows.map((r) => r.stage), f.stages.map((s) => s.stage));
  assert.deepEqual(rows.map((r) => r.part), f.stages.map((s) => s.part));
  assert.deepEqual(rows.map((r) => r.count), f.stages.map((s) => s[what]));
  assert.deepEqual(rows.map((r) => r.countText), f.stages.map((s) => new Intl.NumberFormat('vi-VN').format(s[what])));
  for (const [i, s] of f.stages.entries()) {
    const r = rows[i];
    if (i === f.stages.length - 1) {
      assert.equal(r.conv, null, 'no step after the last stage');
      continue;
    }
    assert.equal(r.conv, pct(s.conversion_to_next), `conversion of ${s.stage}`);
    if (s.velocity_days) {
      assert.equal(r.median, `trung vị ${days(s.velocity_days.median)} ngày`, s.stage);
      assert.equal(r.p75, `p75 ${days(s.velocity_days.p75)} ngày`, s.stage);
    } else {
      assert.equal(r.median, 'trung vị —', s.stage);
      assert.equal(r.p75, 'p75 —', s.stage);
    }
    assert.equal(r.href, s.contacts_filter ? `#/contacts?${s.contacts_filter}` : null);
  }
}

const stat = (id, p = page) => p.locator(`#${id} .funnel-stat-value`).getAttribute('data-value').then(Number);

test('the nav opens the funnel; the cohort funnel shows the known numbers, equal to the API', async () => {
  await page.locator('nav a[data-route="funnel"]').click();
  await waitFunnel();
  assert.equal((await page.locator('h1').textContent()).trim(), 'Phễu chuyển đổi');
  // default: cohort, last 12 months, in the address
  assert.match(page.url(), /#\/funnel\?from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}&mode=cohort$/);
  assert.equal(await page.locator('.funnel-preset[data-preset="last_12_months"]').getAttribute('aria-pressed'), 'true');

  await page.goto(`/#/funnel?${MARCH}`);
  await waitFunnel();
  const f = await funnelApi(MARCH);
  // the API itself gives the hand-computed answers
  assert.deepEqual(f.stages.map((s) => s.reached), COHORT.counts);
  assert.deepEqual(f.stages.map((s) => (s.velocity_days ? [s.velocity_days.median, s.velocity_days.p75] : null)).slice(0, 6), COHORT.velocity);
  const rows = await readChart('#funnel-main');
  sameAsApi(rows, f, 'cohort');
  assert.deepEqual(rows.map((r) => r.count), COHORT.counts);
  // a few on-screen strings written out
  assert.equal(rows[0].conv, '80%'); // 4 of 5 subscribers became leads
  assert.equal(rows[1].median, 'trung vị 2,5 ngày');
  assert.equal(rows[1].p75, 'p75 2,8 ngày'); // 2.75
  assert.equal(rows[5].median, 'trung vị —'); // no customer became an evangelist
  // bars narrow with the counts: the widest is the first stage
  const widths = await page.locator('#funnel-main .bar-fill').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  assert.ok(widths[0] > widths[1] && widths[1] > widths[2] && widths[2] > widths[3] && widths[6] === 0, JSON.stringify(widths));
  assert.ok(Math.abs(widths[3] / widths[0] - 2 / 5) < 0.02, 'width proportional to the count');
  // totals: contacts, overall, per part (also on the band labels)
  assert.equal(await stat('funnel-contacts'), COHORT.contacts);
  assert.equal(await stat('funnel-overall'), f.overall);
  assert.equal(f.overall, COHORT.overall);
  assert.equal((await page.locator('#funnel-overall .funnel-stat-value').textContent()).trim(), '40%');
  for (const p of f.parts) {
    assert.equal(await stat(`funnel-part-${p.part}`), p.reached);
    assert.equal(p.reached, COHORT.parts[p.part]);
    assert.equal(await page.locator(`#funnel-main .funnel-band[data-part="${p.part}"] .band-total`).getAttribute('data-value'), String(p.reached));
  }
  assert.deepEqual(await page.locator('#funnel-main .funnel-band').evaluateAll((els) => els.map((e) => e.dataset.part)), ['TOFU', 'MOFU', 'BOFU', 'post']);
  assert.equal(await page.locator('#funnel-groups').isHidden(), true);
});

test('period mode counts first entries in the period, and says what it counts', async () => {
  await page.goto(`/#/funnel?${MARCH}`);
  await waitFunnel();
  assert.match(await page.locator('#funnel-mode-help').textContent(), /được tạo trong kỳ/);
  await page.locator('label[for="funnel-mode-period"]').click();
  await page.waitForFunction(() => /mode=period/.test(location.hash));
  await page.waitForFunction(() => document.querySelector('#funnel-main')?.dataset.mode === 'period' && !document.querySelector('#funnel-chart[aria-busy]'));
  assert.match(await page.locator('#funnel-mode-help').textContent(), /bất kể được tạo khi nào/);
  const f = await funnelApi(`${MARCH}&mode=period`);
  assert.deepEqual(f.stages.map((s) => s.entered), PERIOD_COUNTS);
  const rows = await readChart('#funnel-main');
  sameAsApi(rows, f, 'period');
  assert.equal(await stat('funnel-contacts'), f.contacts);
  for (const p of f.parts) assert.equal(await stat(`funnel-part-${p.part}`), p.entered);
});

test('group by draws one funnel per group, each equal to the API', async () => {
  await page.goto(`/#/funnel?${MARCH}&mode=cohort`);
  await waitFunnel();
  await page.locator('#funnel-group').selectOption('source');
  await page.waitForFunction(() => /group_by=source/.test(location.hash) && document.querySelectorAll('#funnel-groups .funnel-group').length > 0 && !document.querySelector('#funnel-chart[aria-busy]'));
  const f = await funnelApi(`${MARCH}&group_by=source`);
  assert.deepEqual(f.groups.map((g) => g.key).sort(), ['organic_search', 'paid_search', 'referral']);
  const cards = page.locator('#funnel-groups .funnel-group');
  assert.equal(await cards.count(), f.groups.length);
  assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => e.dataset.key)), f.groups.map((g) => g.key));
  const names = { organic_search: 'Tìm kiếm tự nhiên', paid_search: 'Quảng cáo tìm kiếm', referral: 'Giới thiệu' };
  for (const g of f.groups) {
    const sel = `#funnel-groups .funnel-group[data-key="${g.key}"]`;
    assert.equal((await page.locator(`${sel} .funnel-group-name`).textContent()).trim(), names[g.key]);
    assert.equal(await page.locator(`${sel} .funnel-group-contacts`).getAttribute('data-value'), String(g.contacts));
    assert.equal(g.contacts, 2);
    sameAsApi(await readChart(sel), g, 'cohort');
  }
  // organic: A and C
  assert.deepEqual(f.groups.find((g) => g.key === 'organic_search').stages.map((s) => s.reached), [2, 2, 2, 1, 1, 1, 0]);
  // the total funnel is still there and unchanged
  assert.deepEqual((await readChart('#funnel-main')).map((r) => r.count), COHORT.counts);
  // the row scrolls sideways rather than squeezing the funnels
  assert.equal(await page.locator('#funnel-groups').evaluate((e) => getComputedStyle(e).overflowX), 'auto');

  // by month over March and April: two funnels, in time order
  await page.locator('#funnel-to').fill('2020-04-30');
  await page.locator('#funnel-group').selectOption('month');
  await page.waitForFunction(() => /to=2020-04-30/.test(location.hash) && /group_by=month/.test(location.hash) && document.querySelectorAll('#funnel-groups .funnel-group').length === 2 && !document.querySelector('#funnel-chart[aria-busy]'));
  const m = await funnelApi('from=2020-03-01&to=2020-04-30&group_by=month');
  assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => e.dataset.key)), ['2020-03', '2020-04']);
  assert.deepEqual(m.groups.map((g) => g.key), ['2020-03', '2020-04']);
  sameAsApi(await readChart('#funnel-groups .funnel-group[data-key="2020-04"]'), m.groups[1], 'cohort');
  assert.match(await page.locator('#funnel-groups .funnel-group[data-key="2020-04"] .funnel-group-name').textContent(), /4.*2020/);
  // back to none: the row goes away
  await page.locator('#funnel-group').selectOption('');
  await page.waitForFunction(() => !/group_by/.test(location.hash) && document.querySelector('#funnel-groups').hidden);
});

test('the address keeps the state: a reload and a shared link show the same funnel', async () => {
  const hash = `#/funnel?${MARCH}&mode=period&group_by=source`;
  await page.goto(`/${hash}`);
  await waitFunnel();
  await page.waitForFunction(() => document.querySelectorAll('#funnel-groups .funnel-group').length === 3);
  const before = await readChart('#funnel-main');
  await page.reload();
  await waitFunnel();
  await page.waitForFunction(() => document.querySelectorAll('#funnel-groups .funnel-group').length === 3);
  assert.equal(new URL(page.url()).hash, hash);
  assert.equal(await page.locator('#funnel-from').inputValue(), '2020-03-01');
  assert.equal(await page.locator('#funnel-to').inputValue(), '2020-03-31');
  assert.equal(await page.locator('#funnel-mode-period').isChecked(), true);
  assert.equal(await page.locator('#funnel-group').inputValue(), 'source');
  assert.deepEqual(await readChart('#funnel-main'), before);
  assert.deepEqual(before.map((r) => r.count), PERIOD_COUNTS);

  // someone else opens the link (logging in first): same funnel
  const other = await env.newPage();
  await other.goto(`/${hash}`);
  await other.locator('#login-email').fill(DEMO_ADMIN.email);
  await other.locator('#login-password').fill(DEMO_ADMIN.password);
  await other.locator('form.login-form button[type=submit]').click();
  await waitFunnel(other);
  assert.equal(new URL(other.url()).hash, hash);
  assert.deepEqual(await readChart('#funnel-main', other), before);
  await other.context().close();

  // a contact filter in the address goes to the report and shows as a chip
  await page.goto(`/#/funnel?${MARCH}&source=referral`);
  await waitFunnel();
  const chip = page.locator('#funnel-filters .filter-chip[data-key="source"]');
  assert.match(await chip.textContent(), /Nguồn gốc: Giới thiệu/);
  const ref = await funnelApi(`${MARCH}&source=referral`);
  assert.deepEqual((await readChart('#funnel-main')).map((r) => r.count), ref.stages.map((s) => s.reached));
  assert.equal(ref.contacts, 2);
  await chip.getByRole('button', { name: 'Bỏ bộ lọc này' }).click();
  await page.waitForFunction(() => !/source=/.test(location.hash) && !document.querySelector('#funnel-chart[aria-busy]'));
  assert.deepEqual((await readChart('#funnel-main')).map((r) => r.count), COHORT.counts);
});

test('a preset sets the period to whole months ending today', async () => {
  await page.goto(`/#/funnel?${MARCH}`);
  await waitFunnel();
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m] = today.split('-').map(Number);
  const first = (yy, mm) => new Date(Date.UTC(yy, mm - 1, 1)).toISOString().slice(0, 10);
  const want = {
    this_month: first(y, m),
    last_3_months: first(y, m - 2),
    last_12_months: first(y, m - 11),
    this_year: `${y}-01-01`,
  };
  for (const [preset, from] of Object.entries(want)) {
    await page.locator(`.funnel-preset[data-preset="${preset}"]`).click();
    await page.waitForFunction((f) => location.hash.includes(`from=${f}&`) && !document.querySelector('#funnel-chart[aria-busy]'), from);
    assert.ok(page.url().includes(`to=${today}`), page.url());
    assert.equal(await page.locator('#funnel-from').inputValue(), from);
    assert.equal(await page.locator(`.funnel-preset[data-preset="${preset}"]`).getAttribute('aria-pressed'), 'true');
    const q = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    assert.equal(await stat('funnel-contacts'), (await funnelApi(q.toString())).contacts);
  }
});

/** The ids of the rows of the contact list, once it has loaded. */
async function listedIds(p = page) {
  await p.waitForFunction(() => document.querySelector('#list-table') && !document.querySelector('#list-table tbody[aria-busy]') && document.querySelector('#list-count').textContent !== '');
  return (await p.locator('#list-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)))).sort((a, b) => a - b);
}

test('a bar opens the contact list with exactly its contacts, the filter shown and clearable', async () => {
  const hash = `#/funnel?${MARCH}&mode=cohort`;
  await page.goto(`/${hash}`);
  await waitFunnel();
  const f = await funnelApi(MARCH);
  await page.locator('#funnel-main a.funnel-bar[data-stage="marketing_qualified_lead"]').click();
  await page.waitForURL(/#\/contacts\?/);
  // the list may write its query back (encoded): compare the parameters
  const params = (u) => [...new URLSearchParams(u.slice(u.indexOf('?') + 1))].sort();
  assert.deepEqual(params(new URL(page.url()).hash), params(`?${f.stages[2].contacts_filter}`));
  // MQL or later, created in March: A, C and E
  assert.deepEqual(await listedIds(), idsOf([C.A, C.C, C.E]));
  // the filter, said in words
  assert.equal(await page.locator('#filter-created-from').inputValue(), '2020-03-01');
  assert.equal(await page.locator('#filter-created-to').inputValue(), '2020-03-31');
  const chip = page.locator('#filter-chips .filter-chip[data-key="highest_stage[in]"]');
  assert.equal((await chip.textContent()).replace('×', '').trim(), 'Giai đoạn cao nhất: Lead đủ chuẩn marketing (MQL) trở lên');
  assert.match(await page.locator('#list-funnel-note').textContent(), /phễu/);
  // back to the same funnel
  await page.locator('#list-back-funnel').click();
  await waitFunnel();
  assert.equal(new URL(page.url()).hash, hash);

  // the first bar: any stage at all (F, with none, is left out)
  await page.locator('#funnel-main a.funnel-bar[data-stage="subscriber"]').click();
  assert.deepEqual(await listedIds(), idsOf([C.A, C.B, C.C, C.D, C.E]));
  assert.match(await page.locator('#filter-chips .filter-chip[data-key="highest_stage[empty]"]').textContent(), /Giai đoạn cao nhất: \(có giá trị\)/);
  // clearing the filters lists everyone again, and the note goes away
  await page.locator('#filter-clear').click();
  await page.waitForFunction(() => !/highest_stage/.test(location.hash));
  await page.waitForFunction(() => document.querySelector('#list-funnel-note').hidden && document.querySelectorAll('#list-table tbody tr').length === 50);
  assert.equal(await page.locator('#filter-chips .filter-chip').count(), 0);

  // a bar of a group, and a bar of the period mode
  await page.goto(`/#/funnel?${MARCH}&group_by=source`);
  await page.waitForFunction(() => document.querySelectorAll('#funnel-groups .funnel-group').length === 3);
  await page.locator('#funnel-groups .funnel-group[data-key="paid_search"] a.funnel-bar[data-stage="lead"]').click();
  assert.deepEqual(await listedIds(), idsOf([C.B]));
  assert.match(await page.locator('#filter-chips .filter-chip[data-key="source"]').textContent(), /Quảng cáo tìm kiếm/);
  await page.goto(`/#/funnel?${MARCH}&mode=period`);
  await waitFunnel();
  await page.locator('#funnel-main a.funnel-bar[data-stage="customer"]').click();
  assert.deepEqual(await listedIds(), idsOf([C.A, C.E]));
  assert.match(await page.locator('#filter-chips .filter-chip[data-key="became_customer_at[gte]"]').textContent(), /Ngày thành khách hàng: từ 01\/03\/2020/);
  assert.match(await page.locator('#filter-chips .filter-chip[data-key="became_customer_at[lte]"]').textContent(), /Ngày thành khách hàng: đến 31\/03\/2020/);
});

test('a sales rep sees the funnel of the contacts they may see', async () => {
  const rep = await env.newPage();
  await login(rep, { email: repA.email, password: DEMO_ADMIN.password });
  await rep.locator('nav a[data-route="funnel"]').waitFor();
  await rep.goto(`/#/funnel?${MARCH}`);
  await waitFunnel(rep);
  const repApi = await apiClient(env.server.url, { email: repA.email, password: DEMO_ADMIN.password });
  const f = await funnelApi(MARCH, repApi);
  assert.equal(f.contacts, 1); // D only
  assert.equal(await stat('funnel-contacts', rep), 1);
  sameAsApi(await readChart('#funnel-main', rep), f, 'cohort');
  await rep.locator('#funnel-main a.funnel-bar[data-stage="subscriber"]').click();
  assert.deepEqual(await listedIds(rep), [C.D.id]);
  await rep.context().close();
});

test('the funnel page works in English', async () => {
  await page.goto(`/#/funnel?${MARCH}`);
  await waitFunnel();
  await page.locator('header .lang-btn[data-locale="en"]').click();
  await page.waitForFunction(() => document.querySelector('h1').textContent.trim() === 'Funnel');
  assert.equal((await page.locator('label[for="funnel-mode-period"]').textContent()).trim(), 'Period');
  assert.match(await page.locator('#funnel-main .funnel-next[data-stage="lead"] .next-median').textContent(), /^median 2\.5 d$/);
  assert.equal((await page.locator('#funnel-overall .funnel-stat-value').textContent()).trim(), '40%');
  await page.locator('header .lang-btn[data-locale="vi"]').click();
  await page.waitForFunction(() => document.querySelector('h1').textContent.trim() === 'Phễu chuyển đổi');
});

test('a contact shows its milestones; a stage change from the path reaches the timeline', async () => {
  const b = C.B;
  await page.goto(`/#/contacts/${b.id}`);
  const card = page.locator('#milestones');
  await card.locator('#milestones-list').waitFor();
  // the stage is at the top of the page, on the stage path
  await page.locator('#stage-path button[data-stage="lead"][aria-current="step"]').waitFor();
  const milestone = (s) => card.locator(`.milestone[data-stage="${s}"]`);
  assert.equal(await milestone('subscriber').getAttribute('data-at'), b.became_subscriber_at);
  assert.equal(await milestone('lead').locator('time').getAttribute('datetime'), b.became_lead_at);
  assert.equal(b.became_lead_at, '2020-03-05T05:00:00Z');
  assert.match(await milestone('lead').locator('time').textContent(), /05\/03\/2020/);
  assert.equal((await milestone('customer').textContent()).includes('chưa tới'), true);
  assert.match(await card.locator('#milestone-highest').textContent(), /Lead/);
  // read-only: no editor in the card
  assert.equal(await card.locator('button, input, select').count(), 0);

  const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${b.id}`) && r.request().method() === 'PATCH');
  await page.locator('#stage-path button[data-stage="marketing_qualified_lead"]').click();
  const res = await patched;
  assert.equal(res.status(), 200);
  assert.deepEqual(JSON.parse(res.request().postData()), { lifecycle_stage: 'marketing_qualified_lead' });
  await page.locator('#stage-path button[data-stage="marketing_qualified_lead"][aria-current="step"]').waitFor();
  const entry = page.locator('#timeline li[data-type="stage_change"]').filter({ hasText: 'Giai đoạn vòng đời: Lead → Lead đủ chuẩn marketing (MQL)' });
  await entry.first().waitFor();
  const after = await api.get(`/api/v1/contacts/${b.id}`);
  assert.equal(after.lifecycle_stage, 'marketing_qualified_lead');
  assert.equal(after.highest_stage, 'marketing_qualified_lead');
  assert.ok(after.became_marketing_qualified_lead_at);
  await page.waitForFunction((v) => document.querySelector('.milestone[data-stage="marketing_qualified_lead"]')?.dataset.at === v, after.became_marketing_qualified_lead_at);
  assert.match(await card.locator('#milestone-highest').textContent(), /MQL/);
  // the older moves are on the timeline too (backdated: at their dates)
  const older = page.locator('#timeline li[data-type="stage_change"]').filter({ hasText: 'Người đăng ký → Lead' });
  assert.match(await older.locator('time').getAttribute('datetime'), /^2020-03-05T05:00:00/);
  // and the funnel counts the move the day it happened (period mode, today)
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const f = await funnelApi(`from=${today}&to=${today}&mode=period&email=${encodeURIComponent(b.email)}`);
  assert.equal(f.stages[2].entered, 1);
});

test('no script errors were raised', () => {
  assert.deepEqual(env.errors.map(String), []);
});
