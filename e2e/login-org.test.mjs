// Browser end-to-end test: log in as the demo city user, browse and filter
// the organisation list, and submit an organisation form with a bad USCC
// check character.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/
// Environment:
//   GONGJIANG_BIN  server binary (default target/debug/gongjiang, repo-root relative)
//   CHROMIUM       Chromium executable (default /usr/bin/chromium)
//   E2E_VERBOSE=1  echo the server's output live
//   E2E_KEEP=1     keep the temporary data directory
//
// Uses playwright-core only (no browser download): the browser is the
// system Chromium (Debian: `apt-get install chromium fonts-noto-cjk`).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// The demo's last complete year (as the demo computes it: the year before today in
// Beijing time): its statistics are approved, and every page opens on it.
const DEMO_YEAR = String(new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear() - 1);

const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(E2E_DIR, '..');
const TARGET_DIR = path.join(REPO_ROOT, 'target');

function resolveBin() {
  const fromEnv = process.env.GONGJIANG_BIN;
  if (!fromEnv) return path.join(REPO_ROOT, 'target', 'debug', 'gongjiang');
  if (path.isAbsolute(fromEnv)) return fromEnv;
  const fromCwd = path.resolve(process.cwd(), fromEnv);
  return existsSync(fromCwd) ? fromCwd : path.resolve(REPO_ROOT, fromEnv);
}

const BIN = resolveBin();
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const VERBOSE = !!process.env.E2E_VERBOSE;
const HEALTH_TIMEOUT_MS = 90_000;

const log = (...args) => console.log('[e2e]', ...args);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- shared state -------------------------------------------------------
let dataDir;
let server;            // ChildProcess
let serverExited = null; // { code, signal } once it has exited
let serverOutput = '';   // tail of stdout+stderr, shown on failure
let baseUrl;
let browser;
let page;

function keepOutput(chunk) {
  const s = chunk.toString();
  if (VERBOSE) process.stderr.write(s.replace(/^/gm, '[server] '));
  serverOutput = (serverOutput + s).slice(-8000);
}

async function waitHealthy() {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (serverExited) {
      throw new Error(`server exited early (code ${serverExited.code}, signal ${serverExited.signal})\n` +
        `--- server output ---\n${serverOutput}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(250);
  }
  throw new Error(`server not healthy after ${HEALTH_TIMEOUT_MS / 1000}s (last: ${last})\n` +
    `--- server output ---\n${serverOutput}`);
}

async function stopServer() {
  if (!server || serverExited) return;
  log(`stopping server (pid ${server.pid})`);
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const t = setTimeout(() => { if (!serverExited) server.kill('SIGKILL'); }, 5000);
  await exited;
  clearTimeout(t);
}

// Last-resort: never leave the server running if the runner dies.
process.on('exit', () => { if (server && !serverExited) server.kill('SIGKILL'); });

async function shot(name) {
  await fs.mkdir(TARGET_DIR, { recursive: true });
  const file = path.join(TARGET_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot -> ${path.relative(REPO_ROOT, file)}`);
}

// Wrap a step: on failure, save a screenshot and show the server log tail.
async function step(name, fn) {
  log(`step: ${name}`);
  try {
    await fn();
    log(`ok:   ${name}`);
  } catch (err) {
    log(`FAIL: ${name} (url: ${page?.url()})`);
    if (page) {
      const safe = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await shot(`e2e-failure-${safe}.png`).catch(() => {});
    }
    console.error(`--- server output (tail) ---\n${serverOutput.slice(-3000)}`);
    throw err;
  }
}

const pathname = () => new URL(page.url()).pathname;

// ---- the test -----------------------------------------------------------
describe('login and organisations (browser)', { timeout: 300_000 }, () => {
  before(async () => {
    assert.ok(existsSync(BIN), `server binary not found: ${BIN} (run \`cargo build\` or set GONGJIANG_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found: ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gongjiang-e2e-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const args = ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir];
    const shown = path.relative(REPO_ROOT, BIN);
    log(`starting ${shown.startsWith('..') ? BIN : shown} ${args.join(' ')}`);
    server = spawn(BIN, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', keepOutput);
    server.stderr.on('data', keepOutput);
    server.on('exit', (code, signal) => { serverExited = { code, signal }; });
    server.on('error', (e) => { serverExited = { code: null, signal: String(e) }; });

    const t0 = Date.now();
    await waitHealthy();
    log(`server healthy at ${baseUrl} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    log(`chromium ${browser.version()} launched`);
    const context = await browser.newContext({
      baseURL: baseUrl,
      locale: 'zh-CN',
      viewport: { width: 1366, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
  });

  after(async () => {
    try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await stopServer();
    if (dataDir && !process.env.E2E_KEEP) {
      await fs.rm(dataDir, { recursive: true, force: true });
    } else if (dataDir) {
      log(`kept data dir ${dataDir}`);
    }
  });

  test('log in as the demo city user and land on the dashboard', async () => {
    await step('open /login', async () => {
      const res = await page.goto('/login');
      assert.equal(res.status(), 200, 'GET /login status');
    });
    await step('submit login form', async () => {
      const form = page.locator('form', { has: page.locator('input[name=password]') });
      await form.locator('input[name=username]').fill('city');
      await form.locator('input[name=password]').fill('gongjiang-demo');
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/'),
        form.locator('button[type=submit]').first().click(),
      ]);
      assert.equal(pathname(), '/');
    });
    await step('dashboard shows 常州市', async () => {
      await page.getByText('常州市').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => {});
      await shot('e2e-home.png');
    });
    await step('dashboard draws the pilot treemap by district', async () => {
      const res = await page.goto(`/dashboard?org=320400&period=${DEMO_YEAR}`);
      assert.equal(res.status(), 200, 'GET /dashboard status');
      // ECharts renders into a canvas inside the chart element once the page has loaded.
      const treemap = page.locator('[data-chart-kind=treemap]');
      await treemap.locator('canvas').first().waitFor();
      assert.equal(await treemap.getAttribute('data-drawn'), '1', 'treemap drawn');
      const data = JSON.parse(await treemap.getAttribute('data-chart'));
      assert.ok(data.tree.length > 0, 'treemap has districts');
      log(`treemap districts: ${data.tree.map((d) => `${d.name} ${d.value}`).join(', ')}`);
      await page.waitForLoadState('networkidle').catch(() => {});
      await shot('e2e-dashboard.png');
    });
  });

  test('organisation list shows rows and can be filtered', async () => {
    await step('open /orgs', async () => {
      const res = await page.goto('/orgs');
      assert.equal(res.status(), 200, 'GET /orgs status');
      assert.equal(pathname(), '/orgs', 'not redirected away (still logged in?)');
      const rows = page.locator('table.table tbody tr');
      await rows.first().waitFor();
      log(`/orgs rows: ${await rows.count()}`);
    });
    await step('filter by 天宁', async () => {
      const filters = page.locator('form.filters');
      await filters.locator('input[name=q]').fill('天宁');
      // Works for a plain GET form (navigation) and for an htmx form (XHR).
      const answered = page.waitForResponse(
        (r) => new URL(r.url()).pathname.startsWith('/orgs') && r.url().includes('q='));
      const submit = filters.locator('button[type=submit], input[type=submit]');
      if (await submit.count()) await submit.first().click();
      else await filters.locator('input[name=q]').press('Enter');
      const res = await answered;
      assert.equal(res.status(), 200, `filter request ${res.url()}`);
      await page.waitForLoadState('load');
      await page.waitForLoadState('networkidle').catch(() => {});
      const rows = page.locator('table.table tbody tr');
      await rows.first().waitFor();
      const n = await rows.count();
      log(`/orgs?q=天宁 rows: ${n}`);
      assert.ok(n >= 1, 'expected at least one row after filtering by 天宁');
    });
  });

  test('new organisation with a bad USCC check character is rejected', async () => {
    const name = '测试企业有限公司';
    await step('open /orgs/new', async () => {
      const res = await page.goto('/orgs/new');
      assert.equal(res.status(), 200, 'GET /orgs/new status');
    });
    await step('fill and submit the form', async () => {
      const form = page.locator('form', { has: page.locator('input[name=uscc]') });
      await form.locator('input[name=name]').fill(name);
      await form.locator('select[name=kind]').selectOption('enterprise');
      await form.locator('input[name=uscc]').fill('91320402MA1XXXXX00');
      await form.locator('select[name=region_code]').selectOption('320402');
      await form.locator('button[type=submit]').first().click();
    });
    await step('page shows the 校验码 error and keeps the input', async () => {
      const err = page.locator('.field.has-error .field-error', { hasText: '校验码' });
      await err.first().waitFor();
      log(`field error: ${(await err.first().innerText()).trim()}`);
      const nameInput = page.locator('input[name=name]');
      assert.equal(await nameInput.inputValue(), name, 'name input keeps the typed value');
      await shot('e2e-org-error.png');
    });
  });
});
