// A record picker: a text box that searches contacts, companies or deals
// as you type (q=, Vietnamese-aware on the server) and offers the matches
// in a list box (the ARIA 1.2 combobox pattern: arrow keys move, Enter
// picks, Escape closes). The chosen id is kept in input.dataset.value;
// pickerValue(input) reads it.

import { api, isAbort, withQuery } from './api.js';
import { h } from './dom.js';
import { OBJECTS, recordTitle, rememberNames } from './crm.js';

let seq = 0;

/** True when `q` has something the server can search for. */
export function searchable(q) {
  return /[\p{L}\p{N}]/u.test(q || '');
}

/**
 * Returns {el, input}. opts: id, name, obj ('companies', 'contacts',
 * 'deals'), value (id or null), text (its display name), placeholder key,
 * onPick(id, record) called after a choice (id null when cleared).
 */
export function recordPicker(opts) {
  const listId = `picker-list-${++seq}`;
  const input = h('input', {
    id: opts.id,
    name: opts.name,
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    i18nPlaceholder: opts.placeholder || `picker.search_${opts.obj}`,
    class: 'picker-input',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true, i18nLabel: `picker.results_${opts.obj}` });
  const el = h('div', { class: 'picker' }, input, list);

  let chosen = { id: opts.value ?? null, text: opts.text || '' };
  let results = [];
  let active = -1;
  let timer = null;
  let ctl = null;

  input.value = chosen.text;
  input.dataset.value = chosen.id === null ? '' : String(chosen.id);

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const mark = (i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const pick = (r) => {
    chosen = r ? { id: r.id, text: recordTitle(opts.obj, r) } : { id: null, text: '' };
    input.value = chosen.text;
    input.dataset.value = chosen.id === null ? '' : String(chosen.id);
    close();
    if (opts.onPick) opts.onPick(chosen.id, r || null);
  };
  const show = () => {
    list.replaceChildren(
      ...results.map((r, i) =>
        h(
          'li',
          {
            id: `${listId}-${i}`,
            role: 'option',
            'aria-selected': 'false',
            class: 'picker-option',
            // mousedown, not click: the input must not lose focus first
            onmousedown: (e) => {
              e.preventDefault();
              pick(r);
            },
          },
          h('span', { class: 'picker-name' }, recordTitle(opts.obj, r)),
          r.email ? h('span', { class: 'picker-meta muted' }, r.email) : r.domain ? h('span', { class: 'picker-meta muted' }, r.domain) : null,
        ),
      ),
    );
    if (results.length === 0) list.append(h('li', { class: 'picker-empty muted', role: 'option', 'aria-disabled': 'true', i18n: 'picker.none' }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    mark(results.length ? 0 : -1);
  };
  const search = async () => {
    const q = input.value.trim();
    if (ctl) ctl.abort();
    if (!searchable(q)) {
      results = [];
      close();
      return;
    }
    ctl = new AbortController();
    try {
      const page = await api.get(withQuery(OBJECTS[opts.obj].path, { q, limit: 8 }), { signal: ctl.signal });
      results = page.data || [];
      rememberNames(opts.obj, results);
      if (document.activeElement === input) show();
    } catch (err) {
      if (!isAbort(err)) {
        results = [];
        close();
      }
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden;
    if (e.key === 'ArrowDown' && open && results.length) {
      e.preventDefault();
      mark((active + 1) % results.length);
    } else if (e.key === 'ArrowUp' && open && results.length) {
      e.preventDefault();
      mark((active - 1 + results.length) % results.length);
    } else if (e.key === 'Enter' && open) {
      e.preventDefault(); // never submit the form while choosing
      if (active >= 0) pick(results[active]);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      e.stopPropagation(); // close the list, not the dialog
      close();
    }
  });
  input.addEventListener('blur', () => {
    clearTimeout(timer);
    setTimeout(() => {
      close();
      if (!input.value.trim()) {
        if (chosen.id !== null) pick(null);
      } else input.value = chosen.text; // typed text that was not picked
    }, 0);
  });
  return { el, input };
}

/** The id chosen in a picker input, or null. */
export function pickerValue(input) {
  if (!input.value.trim()) return null; // cleared, even before it lost focus
  const v = input.dataset.value;
  return v ? Number(v) : null;
}
