// API helpers for the CRM browser tests: a logged-in HTTP client (session
// cookie + CSRF token, as the web UI uses) and a small seed of companies,
// contacts, deals and activities with Vietnamese names. The tests make
// their own records so they do not depend on what `pheu demo` loads.
//
//   node tests/browser/crm.mjs URL   seeds a running server (for manual checks)

import { DEMO_ADMIN } from './harness.mjs';

/** Logs in to `url` as `who` and returns {get, post, patch, del, user}. */
export async function apiClient(url, who = DEMO_ADMIN) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (res.status !== 200) throw new Error(`login as ${who.email}: HTTP ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const body = await res.json();
  const csrf = body.csrf_token;
  const call = async (method, path, data, opts = {}) => {
    const headers = { Cookie: cookie, Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    let payload;
    if (typeof data === 'string') {
      headers['Content-Type'] = opts.type || 'text/csv';
      payload = data;
    } else if (data !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(data);
    }
    const r = await fetch(`${url}${path}`, { method, headers, body: payload });
    const text = await r.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (opts.raw) return { status: r.status, body: json };
    if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
    return json;
  };
  return {
    user: body.user,
    get: (p, o) => call('GET', p, undefined, o),
    post: (p, d, o) => call('POST', p, d, o),
    patch: (p, d, o) => call('PATCH', p, d, o),
    del: (p, o) => call('DELETE', p, undefined, o),
  };
}

const FIRST = ['Văn An', 'Thị Bích', 'Minh Châu', 'Quốc Dũng', 'Thu Hà', 'Đức Huy', 'Ngọc Lan', 'Hoàng Long', 'Thanh Mai', 'Gia Bảo', 'Hải Yến', 'Công Phượng'];
const LAST = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Đặng', 'Võ', 'Bùi', 'Đỗ', 'Ngô'];
const STAGES = ['subscriber', 'lead', 'marketing_qualified_lead', 'sales_qualified_lead', 'opportunity', 'customer'];
const COMPANIES = [
  ['Công ty TNHH Sao Mai', 'saomai.vn', 'Sản xuất', 'Hà Nội'],
  ['Cà phê Đồng Xanh', 'dongxanh.vn', 'Thực phẩm', 'Đà Lạt'],
  ['Thép Hòa Bình', 'thephoabinh.vn', 'Công nghiệp', 'Hải Phòng'],
  ['Du lịch Biển Đông', 'biendong.travel', 'Du lịch', 'Đà Nẵng'],
  ['Nhựa Tiền Phong Nam', 'tpnam.vn', 'Sản xuất', 'TP Hồ Chí Minh'],
];

/**
 * Seeds `n` contacts spread over the companies and stages, owned by the
 * given owners in turn, plus one deal per company on the New business
 * pipeline and a call per contact. Returns {companies, contacts, deals}.
 */
export async function seed(api, { n = 30, owners = [api.user.id], tag = '' } = {}) {
  const companies = [];
  for (const [i, [name, domain, industry, city]] of COMPANIES.entries()) {
    companies.push(
      await api.post('/api/v1/companies', {
        name: `${name}${tag}`,
        domain: tag ? `${tag.trim().toLowerCase().replace(/[^a-z0-9]/g, '')}.${domain}` : domain,
        industry,
        city,
        country: 'VN',
        owner_id: owners[i % owners.length],
      }),
    );
  }
  const contacts = [];
  for (let i = 0; i < n; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[(i * 7) % LAST.length];
    const slug = `${i}${tag.replace(/\W/g, '')}`;
    contacts.push(
      await api.post('/api/v1/contacts', {
        first_name: first,
        last_name: last,
        email: `kh${slug}@example.vn`,
        phone: `09${String(12000000 + i * 7919 + (tag.length * 1000003)).slice(-8)}`,
        company_id: companies[i % companies.length].id,
        title: i % 3 ? 'Trưởng phòng mua hàng' : 'Giám đốc',
        city: companies[i % companies.length].city,
        country: 'VN',
        owner_id: owners[i % owners.length],
        lifecycle_stage: STAGES[i % STAGES.length],
      }),
    );
  }
  const pipelines = (await api.get('/api/v1/pipelines')).data;
  const nb = pipelines.find((p) => p.name === 'New business') || pipelines[0];
  const open = nb.stages.filter((s) => s.kind === 'open');
  const deals = [];
  for (const [i, co] of companies.entries()) {
    deals.push(
      await api.post('/api/v1/deals', {
        name: `Hợp đồng ${co.name}`,
        amount: (i + 1) * 15_000_000,
        currency: 'VND',
        pipeline_id: nb.id,
        stage_id: open[i % open.length].id,
        company_id: co.id,
        owner_id: co.owner_id,
        contact_ids: contacts.filter((c) => c.company_id === co.id).slice(0, 2).map((c) => c.id),
        close_date: `2027-0${(i % 9) + 1}-15`,
      }),
    );
  }
  for (const c of contacts.slice(0, Math.min(n, 10))) {
    await api.post('/api/v1/activities', {
      kind: 'call',
      subject: `Gọi giới thiệu cho ${c.last_name} ${c.first_name}`,
      outcome: 'connected',
      done_at: new Date().toISOString(),
      contact_id: c.id,
      owner_id: c.owner_id,
    });
  }
  return { companies, contacts, deals, pipeline: nb };
}

// Command line: seed a running server for a manual check.
if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] || 'http://127.0.0.1:8080';
  const api = await apiClient(url);
  const users = (await api.get('/api/v1/users?limit=500')).data;
  const owners = users.filter((u) => ['sales_rep', 'account_executive', 'sales_manager'].includes(u.role)).map((u) => u.id);
  const out = await seed(api, { n: Number(process.argv[3] || 120), owners: owners.length ? owners : [api.user.id] });
  console.log(`seeded ${out.companies.length} companies, ${out.contacts.length} contacts, ${out.deals.length} deals`);
}
