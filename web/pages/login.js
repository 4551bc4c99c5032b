// Login page (#/login): email and password against POST /api/v1/auth/login.
// Shown without the shell; carries its own language switch, whose choice is
// kept in this browser until the user's own setting takes over.

import { api } from '../api.js';
import { h, field, validate, formErrorBox, showError, clearErrors } from '../dom.js';

export async function render(main, ctx) {
  const error = formErrorBox();
  error.id = 'login-error';
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', i18n: 'login.submit' });
  const form = h(
    'form',
    { class: 'login-form', novalidate: true, 'aria-describedby': 'login-error' },
    field({ id: 'login-email', name: 'email', label: 'login.email', type: 'email', required: true, autocomplete: 'username' }),
    field({ id: 'login-password', name: 'password', label: 'login.password', type: 'password', required: true, autocomplete: 'current-password' }),
    error,
    submit,
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!validate(form)) return;
    clearErrors(form);
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      const body = await api.post(
        '/api/v1/auth/login',
        { email: form.elements.email.value.trim(), password: form.elements.password.value },
        { auth: false },
      );
      if (!ctx.alive()) return;
      ctx.onLogin(body);
    } catch (err) {
      if (!ctx.alive()) return;
      // A 401 here always means the email or the password is wrong,
      // whatever code the server names it with.
      if (err.status === 401) showError(error, { code: 'invalid_credentials' });
      else showError(error, err);
      form.elements.password.value = '';
      form.elements.password.focus();
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });

  main.append(
    h(
      'div',
      { class: 'login-wrap' },
      h(
        'section',
        { class: 'login-card', 'aria-labelledby': 'login-title' },
        h(
          'div',
          { class: 'login-top' },
          h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '', width: '36', height: '36' }), h('span', { class: 'brand-name', i18n: 'app.name' })),
          ctx.langSwitch(),
        ),
        h('h1', { id: 'login-title', tabindex: '-1', i18n: 'login.title' }),
        h('p', { class: 'muted', i18n: 'login.intro' }),
        form,
      ),
      h('p', { class: 'login-foot muted', i18n: 'app.tagline' }),
    ),
  );
  form.elements.email.focus();
}
