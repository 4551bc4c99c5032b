// Translation of the web UI. Each language has one flat catalogue,
// /i18n/<locale>.json, mapping a key to a string with optional {name}
// placeholders. Elements carry their key in data-i18n (text) or
// data-i18n-aria-label / data-i18n-placeholder / data-i18n-title
// (attributes), so switching the language rewrites the page in place
// without losing what the user typed.

import { LOCALES } from './constants.js';

const STORAGE_KEY = 'pheu.locale';
const catalogues = {};
let locale = LOCALES[0];
const listeners = new Set();

/** Fetches every catalogue once; call before anything is rendered. */
export async function loadCatalogues() {
  await Promise.all(
    LOCALES.map(async (loc) => {
      const res = await fetch(`/i18n/${loc}.json`, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`cannot load catalogue ${loc}: HTTP ${res.status}`);
      catalogues[loc] = await res.json();
    }),
  );
}

/** Returns a supported locale for `loc`, or null. */
export function normaliseLocale(loc) {
  if (typeof loc !== 'string') return null;
  const short = loc.toLowerCase().slice(0, 2);
  return LOCALES.includes(short) ? short : null;
}

export function getLocale() {
  return locale;
}

/** True when the current catalogue has `key`. */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(catalogues[locale] || {}, key);
}

/**
 * Translates `key` into the current language, replacing {name} with
 * vars.name. A missing key falls back to the default language, then to the
 * key itself, so a gap shows up on screen instead of an empty label.
 */
export function t(key, vars) {
  let s = catalogues[locale]?.[key];
  if (s === undefined) s = catalogues[LOCALES[0]]?.[key];
  if (s === undefined) {
    console.warn(`i18n: missing key ${key}`);
    s = key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

const ATTRS = ['aria-label', 'placeholder', 'title'];

/** Sets the text and attributes of `el` from its data-i18n* keys. */
export function translateElement(el) {
  const key = el.getAttribute('data-i18n');
  if (key) {
    const raw = el.getAttribute('data-i18n-vars');
    el.textContent = t(key, raw ? JSON.parse(raw) : undefined);
  }
  for (const attr of ATTRS) {
    const k = el.getAttribute(`data-i18n-${attr}`);
    if (k) {
      const raw = el.getAttribute(`data-i18n-${attr}-vars`);
      el.setAttribute(attr, t(k, raw ? JSON.parse(raw) : undefined));
    }
  }
}

/** Translates `root` and every element below it that carries a key. */
export function applyI18n(root = document) {
  const sel = ['[data-i18n]', ...ATTRS.map((a) => `[data-i18n-${a}]`)].join(',');
  if (root.nodeType === 1 && root.matches(sel)) translateElement(root);
  root.querySelectorAll(sel).forEach(translateElement);
}

/**
 * Switches the language: sets <html lang>, rewrites the document and tells
 * the listeners. Unknown locales are ignored; returns the locale in force.
 */
export function setLocale(loc) {
  const next = normaliseLocale(loc);
  if (!next) return locale;
  locale = next;
  document.documentElement.lang = next;
  applyI18n(document);
  for (const fn of listeners) fn(next);
  return next;
}

/** Calls fn(locale) after every setLocale; returns a function to stop. */
export function onLocaleChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The language chosen on this browser before login, or null. */
export function storedLocale() {
  try {
    return normaliseLocale(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

export function storeLocale(loc) {
  try {
    localStorage.setItem(STORAGE_KEY, loc);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}
