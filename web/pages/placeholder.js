// Placeholder for the sections of SPEC §13 that arrive in a later release,
// and the "page not found" answer for unknown routes (ctx.section null).

import { h, pageHeader } from '../dom.js';

export async function render(main, ctx) {
  if (!ctx.section) {
    main.append(
      pageHeader('notfound.title'),
      h(
        'section',
        { class: 'card empty-state' },
        h('p', { i18n: 'notfound.body' }),
        h('p', {}, h('a', { href: '#/dashboard', class: 'btn btn-primary', i18n: 'notfound.home' })),
      ),
    );
    return;
  }
  main.append(
    pageHeader(`nav.${ctx.section}`),
    h(
      'section',
      { class: 'card empty-state', 'aria-labelledby': 'placeholder-title' },
      h('h2', { id: 'placeholder-title', i18n: 'placeholder.title' }),
      h('p', { i18n: `placeholder.${ctx.section}` }),
      h('p', { class: 'muted', i18n: 'placeholder.body' }),
      h('p', {}, h('a', { href: '#/dashboard', class: 'btn btn-secondary', i18n: 'placeholder.back' })),
    ),
  );
}
