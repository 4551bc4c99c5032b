// Shared set-up of the browser tests: a fresh database with the demo
// business, a `pheu serve` on a free loopback port, and headless Chromium.
// Everything started here is stopped by stop() / the returned close
// functions, and by an exit hook if a test run dies half-way.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

import { REPO } from './paths.mjs';

const run = promisify(execFile);
export { REPO };
export const BIN = process.env.PHEU_BIN || join(REPO, 'pheu');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
// With PHEU_TEST_PG_URL (tests/with-pg.sh), each server gets a new
// PostgreSQL database instead of a SQLite file.
const PG_URL = process.env.PHEU_TEST_PG_URL || '';
let pgSeq = 0;

/** A new database for one server: a SQLite path or a PostgreSQL URL. */
async function newDatabase(dir) {
  if (!PG_URL) return join(dir, 't.db');
  const name = `b_${process.pid}_${++pgSeq}`;
  await run('psql', [`${PG_URL}/postgres`, '-qc', `CREATE DATABASE ${name}`]);
  return `${PG_URL}/${name}`;
}

export const DEMO_ADMIN = { email: 'admin@demo.pheu.vn', password: 'pheu-demo' };

const live = new Set(); // child processes to kill on exit
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function pheu(args, timeout) {
  try {
    return await run(BIN, args, { timeout, maxBuffer: 16 << 20 });
  } catch (err) {
    throw new Error(`${BIN} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${err.stderr || ''}${err.stdout || ''}`);
  }
}

/**
 * Creates a database with `pheu init` and `pheu demo`, starts `pheu serve`
 * and waits until GET /healthz answers 200. Returns {url, dir, log, stop}.
 */
export async function startServer() {
  try {
    await access(BIN);
  } catch {
    throw new Error(`pheu binary not found at ${BIN} (build it with make, or set PHEU_BIN)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'pheu-browser-'));
  const db = await newDatabase(dir);
  let child = null;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    if (child) live.delete(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pheu(['init', '--db', db], 60_000);
    await pheu(['demo', '--db', db], 300_000);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let log = '';
    child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    await waitHealthy(url, child, () => log);
    return { url, dir, db, log: () => log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitHealthy(url, child, log) {
  const deadline = Date.now() + 20_000;
  let last = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`pheu serve exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${log()}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pheu serve not healthy after 20 s (${last}):\n${log()}`);
}

/** Starts headless Chromium with the project's fixed flags. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * One server and one browser for a test file. Returns {server, browser,
 * newPage, close}; newPage() opens a fresh context (own cookies and
 * localStorage) with a desktop viewport and collects page errors.
 */
export async function setup() {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const errors = [];
  const newPage = async (opts = {}) => {
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: opts.viewport || { width: 1280, height: 800 },
      locale: 'vi-VN',
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e));
    page.on('console', (m) => {
      if (m.text().startsWith('i18n: missing key')) errors.push(m.text());
    });
    return page;
  };
  const close = async () => {
    try {
      await browser.close();
    } finally {
      await server.stop();
    }
  };
  return { server, browser, newPage, errors, close };
}

/** Logs in through the form and waits for the dashboard. */
export async function login(page, { email, password } = DEMO_ADMIN) {
  await page.goto('/#/login');
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await page.locator('form.login-form button[type=submit]').click();
  await page.waitForURL(/#\/dashboard$/);
  await page.locator('#greeting').waitFor();
}
