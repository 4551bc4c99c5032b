// CSV for the import wizard (RFC 4180: quoted fields, "" inside quotes,
// CRLF or LF, a UTF-8 byte order mark), with the delimiter detected from
// the header line (comma, semicolon or tab, as SPEC §12 allows), and the
// header names matched to the fields of an object: ours, and the column
// names of HubSpot's and Salesforce's exports.

/** Removes a leading byte order mark. */
export function stripBom(text) {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** ',' ';' or '\t': the one found most often outside quotes in the first line. */
export function detectDelimiter(text) {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c]++;
  }
  const [best, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return n > 0 ? best : ',';
}

/**
 * Parses text into rows of fields. `max` stops after that many rows (the
 * preview). Returns {rows, complete} (complete false when cut by max);
 * an unbalanced quote takes the rest of the file into one field, as the
 * server would report it.
 */
export function parseCsv(text, delimiter = ',', max = Infinity) {
  const rows = [];
  let row = [];
  let fieldText = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          fieldText += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      fieldText += c;
      i++;
      continue;
    }
    if (c === '"' && fieldText === '') {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      row.push(fieldText);
      fieldText = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(fieldText);
      fieldText = '';
      if (!(row.length === 1 && row[0] === '')) rows.push(row); // skip blank lines
      row = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (rows.length >= max) return { rows, complete: i >= n };
    } else {
      fieldText += c;
      i++;
    }
  }
  if (fieldText !== '' || row.length) {
    row.push(fieldText);
    rows.push(row);
  }
  return { rows, complete: true };
}

/** One CSV line: fields quoted when they need it. */
function line(fields) {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

/** Rows → CSV text (comma, CRLF). */
export function toCsv(rows) {
  return rows.map(line).join('\r\n') + '\r\n';
}

/** Lower case, no diacritics, đ → d, single spaces: for matching names. */
export function foldName(s) {
  return String(s)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/*
 * Target columns per object, named as the import API's `map` parameter
 * names them (src/import/mapping.c): our field names, `owner` (a user's
 * email or name), `company` (a company's name), `contact` (a contact's
 * email), `pipeline` and `stage` (by name), `became_<stage>` (when the
 * contact entered that lifecycle stage). Each lists the header names that
 * map to it, folded (see foldName).
 */
const TARGETS = {
  contacts: {
    first_name: ['first name', 'firstname', 'given name', 'ten'],
    last_name: ['last name', 'lastname', 'surname', 'family name', 'ho'],
    email: ['email', 'email address', 'e mail', 'thu dien tu'],
    phone: ['phone', 'phone number', 'mobile', 'mobile phone', 'mobile phone number', 'so dien thoai', 'dien thoai', 'sdt'],
    company: ['company', 'company name', 'account name', 'associated company', 'cong ty', 'ten cong ty'],
    title: ['title', 'job title', 'chuc danh', 'chuc vu'],
    city: ['city', 'mailing city', 'thanh pho', 'tinh thanh pho'],
    country: ['country', 'country region', 'mailing country', 'quoc gia'],
    lifecycle_stage: ['lifecycle stage', 'lifecyclestage', 'giai doan'],
    lead_status: ['lead status', 'hs lead status', 'trang thai'],
    source: ['source', 'original source', 'lead source', 'nguon'],
    owner: ['owner', 'contact owner', 'lead owner', 'owner email', 'nguoi phu trach'],
    created_at: ['created at', 'create date', 'created date', 'ngay tao'],
    became_subscriber: ['became a subscriber date'],
    became_lead: ['became a lead date'],
    became_marketing_qualified_lead: ['became a marketing qualified lead date'],
    became_sales_qualified_lead: ['became a sales qualified lead date'],
    became_opportunity: ['became an opportunity date'],
    became_customer: ['became a customer date'],
    became_evangelist: ['became an evangelist date'],
  },
  companies: {
    name: ['name', 'company name', 'account name', 'ten cong ty', 'ten'],
    domain: ['domain', 'company domain name', 'website', 'ten mien'],
    industry: ['industry', 'nganh', 'nganh nghe'],
    size_band: ['size band', 'company size', 'quy mo'],
    phone: ['phone', 'phone number', 'so dien thoai', 'dien thoai'],
    city: ['city', 'billing city', 'thanh pho'],
    country: ['country', 'country region', 'billing country', 'quoc gia'],
    owner: ['owner', 'company owner', 'account owner', 'nguoi phu trach'],
    created_at: ['created at', 'create date', 'created date', 'ngay tao'],
  },
  deals: {
    name: ['name', 'deal name', 'opportunity name', 'ten giao dich'],
    amount: ['amount', 'gia tri', 'so tien'],
    currency: ['currency', 'currency code', 'opportunity currency', 'tien te'],
    pipeline: ['pipeline', 'quy trinh'],
    stage: ['stage', 'deal stage', 'giai doan'],
    close_date: ['close date', 'closed date', 'ngay chot'],
    company: ['company', 'company name', 'account name', 'associated company', 'cong ty'],
    contact: ['contact', 'contact email', 'associated contact', 'email lien he'],
    owner: ['owner', 'deal owner', 'opportunity owner', 'nguoi phu trach'],
    created_at: ['created at', 'create date', 'created date', 'ngay tao'],
  },
  touchpoints: {
    email: ['email', 'email address', 'contact email', 'e mail', 'thu dien tu'],
    contact_id: ['contact id', 'ma lien he'],
    visitor_id: ['visitor id', 'cookie id', 'client id'],
    kind: ['kind', 'type', 'touchpoint type', 'interaction', 'loai'],
    channel: ['channel', 'kenh'],
    campaign_id: ['campaign id', 'ma chien dich'],
    utm_source: ['utm source', 'source', 'nguon'],
    utm_medium: ['utm medium', 'medium'],
    utm_campaign: ['utm campaign', 'campaign', 'campaign name', 'chien dich'],
    utm_term: ['utm term', 'term', 'keyword', 'tu khoa'],
    utm_content: ['utm content', 'content', 'ad content'],
    url: ['url', 'page url', 'landing page', 'trang'],
    referrer: ['referrer', 'referrer url', 'referer'],
    at: ['at', 'date', 'time', 'timestamp', 'occurred at', 'thoi gian', 'ngay'],
  },
};

/** The target columns of an object, in order. */
export function targetsOf(obj) {
  return Object.keys(TARGETS[obj] || {});
}

/**
 * For each header, the target it maps to (or '' to skip): the first
 * target whose name or aliases equal the folded header; a target is used
 * once.
 */
export function detectMapping(obj, headers) {
  const targets = TARGETS[obj] || {};
  const used = new Set();
  return headers.map((hd) => {
    const f = foldName(hd);
    for (const [target, aliases] of Object.entries(targets)) {
      if (used.has(target)) continue;
      if (f === foldName(target) || aliases.includes(f)) {
        used.add(target);
        return target;
      }
    }
    return '';
  });
}
