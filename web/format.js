// Formatting of CRM values for display and back for editing: money in
// minor units (SPEC §2: VND has no decimals, USD two), dates, times, and
// people's names. Everything follows the UI language (vi-VN or en-GB
// conventions); the stored values never change with it.

import { getLocale } from './i18n.js';

const intlLocale = () => (getLocale() === 'en' ? 'en-GB' : 'vi-VN');

const moneyFormats = new Map();
function moneyFormat(currency, compact) {
  const key = `${intlLocale()}|${currency}|${compact ? 1 : 0}`;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(intlLocale(), {
        style: 'currency',
        currency,
        ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
      });
    } catch {
      f = new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: 2 });
    }
    moneyFormats.set(key, f);
  }
  return f;
}

/** Decimal places of a currency (VND 0, USD 2, …). */
export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** "15.000.000 ₫" from 15000000 minor units of VND; '' for null. */
export function formatMoney(minor, currency = 'VND', { compact = false } = {}) {
  if (minor === null || minor === undefined || minor === '') return '';
  const major = Number(minor) / 10 ** currencyDigits(currency);
  return moneyFormat(currency, compact).format(major);
}

/** Minor units → the plain number typed in an input ("1500.5"). */
export function moneyToInput(minor, currency = 'VND') {
  if (minor === null || minor === undefined) return '';
  const d = currencyDigits(currency);
  return d ? (Number(minor) / 10 ** d).toFixed(d) : String(minor);
}

/**
 * What the user typed (grouping dots, spaces or commas allowed as the
 * locale writes them) → integer minor units, or NaN when it is not an
 * amount. Vietnamese writes 1.500.000,5; English 1,500,000.5.
 */
export function parseMoney(text, currency = 'VND') {
  let s = String(text).trim().replace(/[\s\u00a0₫$€¥]/g, '');
  if (!s) return NaN;
  const vi = getLocale() !== 'en';
  const group = vi ? '.' : ',';
  const dec = vi ? ',' : '.';
  // A single "." (vi) or "," (en) followed by 1–2 digits is most likely a
  // decimal mark typed the other way round: accept both.
  if (s.split(group).length === 2 && /^\d+[.,]\d{1,2}$/.test(s) && !s.includes(dec)) s = s.replace(group, dec);
  s = s.split(group).join('').replace(dec, '.');
  if (!/^\d+(\.\d+)?$/.test(s)) return NaN;
  const d = currencyDigits(currency);
  return Math.round(Number(s) * 10 ** d);
}

/** Sums a list of {currency, amount} into "a ₫ + b US$" (one per currency). */
export function formatSums(rows, opts) {
  const by = new Map();
  for (const r of rows) by.set(r.currency || 'VND', (by.get(r.currency || 'VND') || 0) + Number(r.amount || 0));
  if (by.size === 0) return formatMoney(0, 'VND', opts);
  return [...by].map(([cur, amt]) => formatMoney(amt, cur, opts)).join(' + ');
}

/** "28/11/2026" from an ISO time or a YYYY-MM-DD date; '' for null. */
export function formatDate(value) {
  if (!value) return '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleDateString(intlLocale(), { day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** "28/11/2026 15:32" from an ISO time, in the browser's time zone. */
export function formatDateTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString(intlLocale(), { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** An ISO time → the value of an <input type=datetime-local> (local time). */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an <input type=datetime-local> → ISO 8601 UTC, or null. */
export function fromLocalInput(v) {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Formats an integer with the locale's grouping. */
export function formatNumber(n) {
  return new Intl.NumberFormat(intlLocale()).format(Number(n || 0));
}

/**
 * A contact's display name. Vietnamese order, family name first
 * ("Nguyễn Văn An": last_name "Nguyễn", first_name "Văn An"), in both UI
 * languages: a person's name does not change with the interface language.
 * Falls back to the email, then the phone.
 */
export function contactName(c) {
  if (!c) return '';
  const name = [c.last_name, c.first_name].filter(Boolean).join(' ').trim();
  return name || c.email || c.phone || `#${c.id}`;
}

/** Two letters for an avatar. */
export function initialsOf(name) {
  const parts = String(name || '?').trim().split(/\s+/);
  const first = parts[0] ? parts[0][0] : '';
  const last = parts.length > 1 ? parts[parts.length - 1][0] : '';
  return (first + last).toUpperCase();
}
