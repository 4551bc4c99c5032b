// Import wizard (#/contacts/import, #/companies/import, #/deals/import, and
// #/campaigns/import for touchpoints):
// 1. choose a CSV file; 2. check how its columns map to our fields (found
// from our names and HubSpot's and Salesforce's export headers; the user
// can change any); 3. a dry run (POST /api/v1/imports?dry_run=1) that
// lists the rows the server would refuse; 4. the import itself, polled
// (GET /api/v1/imports/{id}) until it is done, with a link to the error
// report.
//
// The file is read in the browser and sent again with one header per
// mapped column, named by its target (our field names, or `owner`,
// `company`, `contact`, `pipeline`, `stage`, `became_<stage>` for values
// the server looks up), with the same list in `map=`; unmapped columns
// are left out.

import { api } from '../api.js';
import { h, t, pageHeader, showError, setText } from '../dom.js';
import { parseCsv, detectDelimiter, stripBom, detectMapping, targetsOf, toCsv } from '../csv.js';
import { IMPORT_OBJECTS } from '../constants.js';
import { formatNumber } from '../format.js';

const PREVIEW_ROWS = 3;
const POLL_MS = 400;
const MAX_ERRORS_SHOWN = 100;
// The columns of the server's error report (GET /api/v1/imports/{id}/errors).
const ERROR_COLUMNS = ['row', 'column', 'reason'];

export async function render(main, ctx) {
  const wiz = {
    ctx,
    // The campaigns section imports their touchpoints (columns named like
    // POST /api/v1/touchpoints's fields; the server takes no `map`).
    obj: ctx.section === 'campaigns' ? 'touchpoints' : ctx.section,
    file: null,
    text: null,
    delimiter: ',',
    headers: [],
    preview: [],
    mapping: [],
    timer: null,
    stopped: false,
  };
  wiz.steps = h(
    'ol',
    { class: 'wizard-steps', id: 'wizard-steps' },
    ['upload', 'map', 'check', 'run'].map((s, i) => h('li', { 'data-step': s }, h('span', { class: 'step-n', 'aria-hidden': 'true' }, String(i + 1)), h('span', { i18n: `import.step_${s}` }))),
  );
  wiz.body = h('div', { class: 'wizard-body' });
  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: `#/${ctx.section}`, i18n: `nav.${ctx.section}` })),
    pageHeader('import.title'),
    h('section', { class: 'card wizard', 'aria-labelledby': 'wizard-step-title' }, wiz.steps, wiz.body),
  );
  stepUpload(wiz);
  return () => {
    wiz.stopped = true;
    clearTimeout(wiz.timer);
  };
}

function mark(wiz, step) {
  let past = true;
  wiz.steps.querySelectorAll('li').forEach((li) => {
    const cur = li.dataset.step === step;
    if (cur) past = false;
    li.className = cur ? 'current' : past ? 'done' : '';
    if (cur) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
}

function stepTitle(key) {
  return h('h2', { id: 'wizard-step-title', class: 'card-title', tabindex: '-1', i18n: key });
}

function focusTitle(wiz) {
  const el = wiz.body.querySelector('#wizard-step-title');
  if (el) el.focus();
}

/* -------------------------------------------------------------- upload */

function stepUpload(wiz) {
  mark(wiz, 'upload');
  const objSel = h(
    'select',
    { id: 'import-object' },
    (wiz.obj === 'touchpoints' ? ['touchpoints'] : IMPORT_OBJECTS.filter((o) => o !== 'activities')).map((o) =>
      h('option', { value: o, selected: o === wiz.obj ? true : null, i18n: `object.${o}` }),
    ),
  );
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.tsv,.txt,text/csv' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'import-file-error' });
  const next = h('button', { type: 'submit', class: 'btn btn-primary', id: 'import-next', i18n: 'import.next' });
  const form = h(
    'form',
    { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'import-object', i18n: 'import.object' }), objSel),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'import-file', i18n: 'import.file' }),
      file,
      h('p', { class: 'field-hint', id: 'import-file-hint', i18n: 'import.file_hint' }),
    ),
    error,
    h('div', { class: 'form-actions' }, next),
  );
  file.setAttribute('aria-describedby', 'import-file-hint import-file-error');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const f = file.files && file.files[0];
    if (!f) {
      setText(error, 'import.choose_file');
      error.hidden = false;
      file.focus();
      return;
    }
    next.disabled = true;
    try {
      await readFile(wiz, f);
    } catch (err) {
      next.disabled = false;
      setText(error, err.key || 'import.unreadable', err.vars);
      error.hidden = false;
      file.focus();
      return;
    }
    wiz.obj = objSel.value;
    wiz.mapping = detectMapping(wiz.obj, wiz.headers);
    stepMap(wiz);
  });
  wiz.body.replaceChildren(stepTitle('import.step_upload'), h('p', { class: 'muted', i18n: 'import.upload_intro' }), form);
}

/** Reads and checks the file: UTF-8, a header line, at least one row. */
async function readFile(wiz, f) {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const loose = new TextDecoder('utf-8').decode(bytes);
    const bad = loose.slice(0, loose.indexOf('\ufffd')).split('\n').length;
    throw Object.assign(new Error('utf8'), { key: 'import.not_utf8', vars: { line: bad } });
  }
  text = stripBom(text);
  if (!text.trim()) throw Object.assign(new Error('empty'), { key: 'import.empty_file' });
  wiz.delimiter = detectDelimiter(text);
  const { rows } = parseCsv(text, wiz.delimiter, PREVIEW_ROWS + 1);
  if (rows.length < 2) throw Object.assign(new Error('no rows'), { key: 'import.no_rows' });
  wiz.file = f;
  wiz.text = text;
  wiz.headers = rows[0].map((x) => x.trim());
  wiz.preview = rows.slice(1);
}

/* ------------------------------------------------------------- mapping */

function stepMap(wiz) {
  mark(wiz, 'map');
  const targets = targetsOf(wiz.obj);
  const selects = wiz.headers.map((hd, i) => {
    const sel = h(
      'select',
      { id: `map-${i}`, 'data-column': hd },
      h('option', { value: '', i18n: 'import.skip' }),
      targets.map((tg) => h('option', { value: tg, selected: wiz.mapping[i] === tg ? true : null, i18n: `import.target.${tg}` })),
    );
    sel.addEventListener('change', () => {
      wiz.mapping[i] = sel.value;
      check();
    });
    return sel;
  });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'map-error' });
  const check = () => {
    const seen = new Map();
    let dup = null;
    wiz.mapping.forEach((m, i) => {
      if (!m) return;
      if (seen.has(m)) dup = m;
      seen.set(m, i);
    });
    selects.forEach((s, i) => s.toggleAttribute('aria-invalid', !!dup && wiz.mapping[i] === dup));
    if (dup) setText(error, 'import.duplicate_target', { target: t(`import.target.${dup}`) });
    else if (!wiz.mapping.some(Boolean)) setText(error, 'import.nothing_mapped');
    error.hidden = !dup && wiz.mapping.some(Boolean);
    next.disabled = !error.hidden;
  };
  const back = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'import.back', onclick: () => stepUpload(wiz) });
  const next = h('button', { type: 'button', class: 'btn btn-primary', id: 'import-dry-run', i18n: 'import.dry_run', onclick: () => stepCheck(wiz) });
  const table = h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', i18nLabel: 'import.mapping' },
    h(
      'table',
      { class: 'table map-table', id: 'map-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'import.col_column' }), h('th', { scope: 'col', i18n: 'import.col_sample' }), h('th', { scope: 'col', i18n: 'import.col_field' }))),
      h(
        'tbody',
        {},
        wiz.headers.map((hd, i) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('label', { for: `map-${i}` }, hd || t('import.unnamed', { n: i + 1 }))),
            h('td', { class: 'map-sample muted' }, wiz.preview.map((r) => r[i]).filter((v) => v !== undefined && v !== '').slice(0, PREVIEW_ROWS).join(' · ')),
            h('td', {}, selects[i]),
          ),
        ),
      ),
    ),
  );
  wiz.body.replaceChildren(
    stepTitle('import.step_map'),
    h('p', { class: 'muted' }, t('import.map_intro', { file: wiz.file.name, object: t(`object.${wiz.obj}`) })),
    table,
    error,
    h('div', { class: 'form-actions' }, back, next),
  );
  check();
  focusTitle(wiz);
}

/** The file again, with only the mapped columns, headed by their targets. */
function buildCsv(wiz) {
  const { rows } = parseCsv(wiz.text, wiz.delimiter);
  const cols = wiz.mapping.map((m, i) => (m ? i : -1)).filter((i) => i >= 0);
  const width = wiz.headers.length;
  const out = [cols.map((i) => wiz.mapping[i])];
  for (const r of rows.slice(1)) {
    const mapped = cols.map((i) => r[i] ?? '');
    // A row with the wrong number of fields keeps a wrong count, so the
    // server reports it on that row instead of importing shifted values.
    if (r.length !== width) mapped.push('');
    out.push(mapped);
  }
  return { csv: toCsv(out), rows: rows.length - 1 };
}

/* ---------------------------------------------------------- the runs */

/** Starts an import job; resolves with its final status. */
async function runJob(wiz, dryRun, onProgress) {
  const { csv } = buildCsv(wiz);
  const q = new URLSearchParams({ object: wiz.obj });
  if (dryRun) q.set('dry_run', '1');
  // The headers already are the targets; `map` says so explicitly, so the
  // server never guesses (a deal's "company" column, say). Touchpoint
  // columns can only name fields: no `map` there.
  if (wiz.obj !== 'touchpoints') q.set('map', wiz.mapping.filter(Boolean).map((m) => `${m}=${m}`).join(','));
  let job = await api.post(`/api/v1/imports?${q}`, csv, { type: 'text/csv; charset=utf-8' });
  while (job.status === 'queued' || job.status === 'running') {
    if (onProgress) onProgress(job);
    await new Promise((ok) => (wiz.timer = setTimeout(ok, POLL_MS)));
    if (wiz.stopped) throw Object.assign(new Error('stopped'), { stopped: true });
    job = await api.get(`/api/v1/imports/${encodeURIComponent(job.id)}`);
  }
  if (onProgress) onProgress(job);
  return job;
}

function progressBar(id) {
  const bar = h('div', { class: 'progress', role: 'progressbar', id, 'aria-valuemin': '0', 'aria-valuemax': '100', i18nLabel: 'import.progress' }, h('div', { class: 'progress-fill' }));
  const text = h('p', { class: 'muted progress-text', 'aria-live': 'polite' });
  return {
    el: h('div', { class: 'progress-wrap' }, bar, text),
    set(job) {
      const total = Number(job.rows_total || 0);
      const done = Number(job.rows_ok || 0) + Number(job.rows_failed || 0);
      const pct = total ? Math.min(100, Math.round((done / total) * 100)) : job.status === 'done' ? 100 : 0;
      bar.setAttribute('aria-valuenow', String(pct));
      bar.firstChild.style.width = `${pct}%`;
      text.textContent = total ? t('import.progress_rows', { done: formatNumber(done), total: formatNumber(total) }) : t(`import.status.${job.status}`);
    },
  };
}

function summary(job) {
  return h(
    'dl',
    { class: 'facts import-summary', id: 'import-summary' },
    h('div', {}, h('dt', { i18n: 'import.rows_total' }), h('dd', { 'data-n': job.rows_total ?? 0 }, formatNumber(job.rows_total))),
    h('div', {}, h('dt', { i18n: 'import.rows_ok' }), h('dd', { class: 'ok-text', 'data-n': job.rows_ok ?? 0 }, formatNumber(job.rows_ok))),
    h('div', {}, h('dt', { i18n: 'import.rows_failed' }), h('dd', { class: job.rows_failed ? 'danger-text' : '', 'data-n': job.rows_failed ?? 0 }, formatNumber(job.rows_failed))),
  );
}

/** The first rows of the error report (row, column, reason) as a table. */
async function errorTable(job) {
  if (!job.errors_url || !job.rows_failed) return null;
  let text;
  try {
    const res = await fetch(job.errors_url, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) return null;
    text = stripBom(await res.text());
  } catch {
    return null;
  }
  const { rows } = parseCsv(text, detectDelimiter(text), MAX_ERRORS_SHOWN + 1);
  if (rows.length < 2) return null;
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', i18nLabel: 'import.errors_title' },
    h(
      'table',
      { class: 'table error-table', id: 'import-errors' },
      h('thead', {}, h('tr', {}, rows[0].map((c) => (ERROR_COLUMNS.includes(c) ? h('th', { scope: 'col', i18n: `import.err_${c}` }) : h('th', { scope: 'col' }, c))))),
      h('tbody', {}, rows.slice(1).map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
    ),
  );
}

function unavailable(err) {
  return err && (err.status === 404 || err.status === 405);
}

async function stepCheck(wiz) {
  mark(wiz, 'check');
  const bar = progressBar('dry-run-progress');
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'check-error' });
  const back = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'import.back_mapping', onclick: () => stepMap(wiz) });
  const result = h('div', { id: 'check-result' });
  const intro = h('p', { class: 'muted', i18n: 'import.checking' });
  wiz.body.replaceChildren(stepTitle('import.step_check'), intro, bar.el, error, result, h('div', { class: 'form-actions' }, back));
  focusTitle(wiz);
  let job;
  try {
    job = await runJob(wiz, true, (j) => bar.set(j));
  } catch (err) {
    if (err.stopped) return;
    if (unavailable(err)) setText(error, 'import.unavailable');
    else showError(error, err);
    error.hidden = false;
    return;
  }
  if (job.status === 'failed') {
    setText(error, 'import.check_failed');
    error.hidden = false;
  }
  const errors = await errorTable(job);
  if (wiz.stopped) return;
  setText(intro, 'import.checked');
  const run = h('button', {
    type: 'button',
    class: 'btn btn-primary',
    id: 'import-run',
    disabled: !job.rows_ok || job.status === 'failed' ? true : null,
    onclick: () => stepRun(wiz),
  });
  setText(run, 'import.run', { n: formatNumber(job.rows_ok || 0) });
  result.replaceChildren(
    summary(job),
    job.rows_failed
      ? h('p', {}, t('import.check_has_errors', { n: formatNumber(job.rows_failed) }))
      : h('p', { class: 'ok-text', i18n: 'import.check_clean' }),
    errors ? h('h3', { i18n: 'import.errors_title' }) : null,
    errors,
    job.errors_url && job.rows_failed ? h('p', {}, h('a', { href: job.errors_url, download: '', id: 'dry-run-errors', i18n: 'import.download_errors' })) : null,
  );
  wiz.body.querySelector('.form-actions').append(run);
}

async function stepRun(wiz) {
  mark(wiz, 'run');
  const bar = progressBar('import-progress');
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'run-error' });
  const result = h('div', { id: 'run-result' });
  wiz.body.replaceChildren(stepTitle('import.step_run'), bar.el, error, result);
  focusTitle(wiz);
  let job;
  try {
    job = await runJob(wiz, false, (j) => bar.set(j));
  } catch (err) {
    if (err.stopped) return;
    if (unavailable(err)) setText(error, 'import.unavailable');
    else showError(error, err);
    error.hidden = false;
    return;
  }
  if (job.status === 'done') mark(wiz, null); // every step done
  const again = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'import.another', onclick: () => stepUpload(wiz) });
  result.replaceChildren(
    h('p', { class: job.status === 'done' ? 'ok-text' : 'danger-text', id: 'import-done', role: 'status' }, t(job.status === 'done' ? 'import.done' : 'import.failed', { n: formatNumber(job.rows_ok || 0) })),
    summary(job),
    job.errors_url && job.rows_failed ? h('p', {}, h('a', { href: job.errors_url, download: '', id: 'import-errors-link', i18n: 'import.download_errors' })) : null,
    h('div', { class: 'form-actions' }, again, h('a', { href: `#/${wiz.ctx.section}`, class: 'btn btn-primary', id: 'import-view', i18n: `import.view_${wiz.obj}` })),
  );
}
