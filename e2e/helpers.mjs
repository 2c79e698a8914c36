// Shared helpers of the browser tests: start `gongjiang serve --demo` on a temporary
// data directory (a copy of the demo loaded once, see `demoTemplate`) and a free port, launch the system Chromium through playwright-core,
// sign demo accounts in (each in a browser context of its own, so several people can
// take turns on one case), take screenshots and wrap steps so that a failure leaves a
// screenshot and the server's log tail.
//
// Environment: GONGJIANG_BIN (default target/debug/gongjiang, repo-root relative),
// CHROMIUM (default /usr/bin/chromium), E2E_VERBOSE=1 (echo the server's output),
// E2E_KEEP=1 (keep the data directory), E2E_FRESH=1 (load the demo in every server).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..');
export const TARGET_DIR = path.join(REPO_ROOT, 'target');
export const PASSWORD = 'gongjiang-demo';

/// The year in Beijing time (the demo and the server's "today").
export const beijingYear = () => new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear();
/// The demo's last complete year: its statistics are approved, every page opens on it.
export const DEMO_YEAR = String(beijingYear() - 1);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function resolveBin() {
  const fromEnv = process.env.GONGJIANG_BIN;
  if (!fromEnv) return path.join(REPO_ROOT, 'target', 'debug', 'gongjiang');
  if (path.isAbsolute(fromEnv)) return fromEnv;
  const fromCwd = path.resolve(process.cwd(), fromEnv);
  return existsSync(fromCwd) ? fromCwd : path.resolve(REPO_ROOT, fromEnv);
}

export const BIN = resolveBin();
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const VERBOSE = !!process.env.E2E_VERBOSE;
const HEALTH_TIMEOUT_MS = 90_000;

export function freePort() {
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

/// The demo data directory of this binary and day (`target/e2e-demo/<day>-<binary>`),
/// loaded once by `gongjiang demo` and copied by every server: each suite starts on the
/// same fresh demo without loading it again (about 25 s each on a debug build). The
/// demo is relative to the day it is loaded, hence the day in the key. E2E_FRESH=1
/// loads the demo in each server instead.
export async function demoTemplate(log = console.log) {
  const st = await fs.stat(BIN);
  const day = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const root = path.join(TARGET_DIR, 'e2e-demo');
  const key = `${day}-${st.size}-${Math.floor(st.mtimeMs)}`;
  const dir = path.join(root, key);
  if (existsSync(path.join(dir, 'gongjiang.db'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  const t0 = Date.now();
  const proc = spawn(BIN, ['--data-dir', tmp, 'demo'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => { err = (err + c.toString()).slice(-4000); });
  const code = await new Promise((r) => { proc.on('exit', r); proc.on('error', () => r(-1)); });
  assert.equal(code, 0, `gongjiang demo failed (exit ${code}):\n${err}`);
  try {
    await fs.rename(tmp, dir);
    log(`demo template ${dir} loaded in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  } catch (e) {
    // Another runner made it first: use theirs.
    await fs.rm(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'gongjiang.db'))) throw e;
  }
  // Templates of other days and builds are not needed again.
  for (const old of await fs.readdir(root)) {
    if (old !== key && !old.includes('.tmp-')) {
      await fs.rm(path.join(root, old), { recursive: true, force: true });
    }
  }
  return dir;
}

/// A demo server on a fresh data directory. `await server.start()`, then `server.url`,
/// `server.dataDir`, `server.output()` (tail of its log); `await server.stop()`.
export class DemoServer {
  constructor({ prefix = 'gongjiang-e2e-', log = console.log } = {}) {
    this.prefix = prefix;
    this.log = log;
    this.proc = null;
    this.exited = null;
    this.tail = '';
  }

  output() {
    return this.tail;
  }

  async start() {
    assert.ok(existsSync(BIN), `server binary not found: ${BIN} (run \`cargo build\` or set GONGJIANG_BIN)`);
    this.dataDir = await fs.mkdtemp(path.join(os.tmpdir(), this.prefix));
    if (!process.env.E2E_FRESH) {
      // `serve --demo` on a database that already holds data starts at once.
      await fs.cp(await demoTemplate(this.log), this.dataDir, { recursive: true });
    }
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const args = ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--data-dir', this.dataDir];
    this.log(`starting ${BIN} ${args.join(' ')}`);
    this.proc = spawn(BIN, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      const s = chunk.toString();
      if (VERBOSE) process.stderr.write(s.replace(/^/gm, '[server] '));
      this.tail = (this.tail + s).slice(-8000);
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.proc.on('exit', (code, signal) => { this.exited = { code, signal }; });
    this.proc.on('error', (e) => { this.exited = { code: null, signal: String(e) }; });
    // Never leave the server running if the runner dies.
    process.on('exit', () => { if (this.proc && !this.exited) this.proc.kill('SIGKILL'); });
    const t0 = Date.now();
    await this.waitHealthy();
    this.log(`server healthy at ${this.url} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }

  async waitHealthy() {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`server exited early (code ${this.exited.code}, signal ${this.exited.signal})\n` +
          `--- server output ---\n${this.tail}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
        last = `HTTP ${res.status}`;
      } catch (e) {
        last = e.cause?.code || e.message;
      }
      await sleep(250);
    }
    throw new Error(`server not healthy after ${HEALTH_TIMEOUT_MS / 1000}s (last: ${last})\n` +
      `--- server output ---\n${this.tail}`);
  }

  async stop() {
    if (this.proc && !this.exited) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exited) this.proc.kill('SIGKILL'); }, 5000);
      await exited;
      clearTimeout(t);
    }
    if (this.dataDir && !process.env.E2E_KEEP) {
      await fs.rm(this.dataDir, { recursive: true, force: true });
    } else if (this.dataDir) {
      this.log(`kept data dir ${this.dataDir}`);
    }
  }
}

/// The system Chromium, headless.
export async function launchChromium() {
  assert.ok(existsSync(CHROMIUM), `Chromium not found: ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// A new browser context and page on `baseURL`: Chinese, desktop size. Console errors,
/// page errors and CSP violations are collected in `page.problems` (see `noProblems`).
export async function newPage(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    locale: 'zh-CN',
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const problems = [];
  await context.exposeBinding('__gjCspViolation', (_source, v) => {
    problems.push(`CSP violation: ${v.directive} blocked ${v.blocked || '(inline)'} (${v.url})`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__gjCspViolation({
        directive: e.effectiveDirective || e.violatedDirective,
        blocked: e.blockedURI,
        url: document.location.href,
      });
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(30_000);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const at = msg.location()?.url || '';
    if (at.endsWith('/favicon.ico')) return;
    problems.push(`console error: ${msg.text()} at ${at}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.problems = problems;
  return page;
}

/// Fails if the page reported console errors, page errors or CSP violations since the
/// last call.
export async function noProblems(page, where) {
  await page.waitForLoadState('load');
  const seen = page.problems.splice(0);
  assert.deepEqual(seen, [], `${where}: the browser reported problems:\n${seen.join('\n')}`);
}

/// Signs `username` in through the login form, on `page`.
export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/login');
  const form = page.locator('form', { has: page.locator('input[name=password]') });
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login'),
    form.locator('button[type=submit]').first().click(),
  ]);
}

/// Clicks `locator` and waits for the navigation it starts (a link or a form's button)
/// to load.
export async function clickAndWait(page, locator) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
}

/// Screenshots (full page) into `target/<dir>/<prefix>-NN-<name>.png`, numbered in the
/// order taken.
export function screenshots(dir, { prefix = 'shot', log = console.log } = {}) {
  let n = 0;
  const folder = path.join(TARGET_DIR, dir);
  return async function shot(page, name) {
    await fs.mkdir(folder, { recursive: true });
    n += 1;
    const file = path.join(folder, `${prefix}-${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    log(`screenshot -> ${path.relative(REPO_ROOT, file)}`);
    return file;
  };
}

/// Runs one step of a journey; on failure saves a screenshot of `page()` (the page in
/// use) under target/<dir>/ and prints the server's log tail.
export function stepper({ dir, log = console.log, server, page }) {
  return async function step(name, fn) {
    log(`step: ${name}`);
    try {
      await fn();
    } catch (err) {
      const p = page();
      log(`FAIL: ${name} (url: ${p?.url()})`);
      if (p) {
        const folder = path.join(TARGET_DIR, dir);
        await fs.mkdir(folder, { recursive: true }).catch(() => {});
        const safe = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60);
        await p.screenshot({ path: path.join(folder, `failure-${safe}.png`), fullPage: true }).catch(() => {});
      }
      if (server) console.error(`--- server output (tail) ---\n${server.output().slice(-3000)}`);
      throw err;
    }
  };
}
