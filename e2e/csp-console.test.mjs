// Browser test of the Content-Security-Policy (issue 9): walk console pages as the
// demo city user in headless Chromium and fail on any CSP violation (a
// `securitypolicyviolation` event or a console error), then check that the behaviour
// moved out of inline handlers into app.js still works: the select-all checkbox of the
// inbox, the period select that submits its form, the confirmation before a delete,
// the charts, the back link of the error page and the API docs (Swagger UI).
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/
// Environment: GONGJIANG_BIN, CHROMIUM, E2E_VERBOSE=1, E2E_KEEP=1 (see helpers.mjs).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DemoServer, launchChromium, REPO_ROOT, sleep, DEMO_YEAR, TARGET_DIR } from './helpers.mjs';

const log = (...args) => console.log('[e2e-csp]', ...args);

const server = new DemoServer({ prefix: 'gongjiang-e2e-csp-', log });
let browser;
let page;
// Everything the browser complained about: CSP violations, console errors, page errors.
let problems = [];
// Pages opened on purpose with an error status: the browser logs their status as an error.
const errorPages = new Set();

async function shot(name) {
  await fs.mkdir(TARGET_DIR, { recursive: true });
  const file = path.join(TARGET_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot -> ${path.relative(REPO_ROOT, file)}`);
}

async function step(name, fn) {
  log(`step: ${name}`);
  try {
    await fn();
    log(`ok:   ${name}`);
  } catch (err) {
    log(`FAIL: ${name} (url: ${page?.url()})`);
    if (page) {
      const safe = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await shot(`e2e-csp-failure-${safe}.png`).catch(() => {});
    }
    console.error(`--- server output (tail) ---\n${server.output().slice(-3000)}`);
    throw err;
  }
}

const pathname = () => new URL(page.url()).pathname;

// Lets pending work (deferred scripts, chart drawing, htmx swaps) finish, then fails
// with every violation and console error seen since the last check.
async function noProblems(where) {
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle').catch(() => {});
  await sleep(150);
  const seen = problems;
  problems = [];
  assert.deepEqual(seen, [], `${where}: the browser reported problems:\n${seen.join('\n')}`);
}

// Opens a console page, checks that it is served under the strict policy and that
// nothing on it breaks that policy.
async function visit(url, { status = 200 } = {}) {
  if (status !== 200) errorPages.add(new URL(url, server.url).href);
  const res = await page.goto(url);
  assert.equal(res.status(), status, `GET ${url} status`);
  const csp = (await res.allHeaders())['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'(;|$)/, `${url}: CSP script-src (${csp})`);
  assert.match(csp, /style-src 'self'(;|$)/, `${url}: CSP style-src (${csp})`);
  assert.doesNotMatch(csp, /unsafe-(inline|eval)/, `${url}: CSP not strict (${csp})`);
  await noProblems(url);
  return res;
}

async function chartDrawn(locator, what) {
  await locator.locator('canvas').first().waitFor();
  assert.equal(await locator.getAttribute('data-drawn'), '1', `${what} drawn`);
  // Hover the middle of the chart: tooltips must not break the policy either.
  const box = await locator.boundingBox();
  for (const fx of [0.25, 0.5, 0.75]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.6);
    await sleep(120);
  }
  await page.mouse.move(0, 0);
}

describe('Content-Security-Policy in the console (browser)', { timeout: 300_000 }, () => {
  before(async () => {
    await server.start();

    browser = await launchChromium();
    const context = await browser.newContext({
      baseURL: server.url,
      locale: 'zh-CN',
      viewport: { width: 1366, height: 900 },
    });
    // Every violation the page sees, reported to the test (init scripts and bindings
    // run outside the page's policy).
    await context.exposeBinding('__gjCspViolation', (_source, v) => {
      problems.push(`CSP violation: ${v.directive} blocked ${v.blocked || '(inline)'} ` +
        `at ${v.source}:${v.line} sample=${JSON.stringify(v.sample)} (${v.url})`);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__gjCspViolation({
          directive: e.effectiveDirective || e.violatedDirective,
          blocked: e.blockedURI,
          source: e.sourceFile,
          line: e.lineNumber,
          sample: e.sample,
          url: document.location.href,
        });
      });
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const at = msg.location()?.url || '';
      // The browser asks for /favicon.ico by itself; there is none (404), which is no fault
      // of the page.
      if (at.endsWith('/favicon.ico')) return;
      if (errorPages.has(at) && msg.text().startsWith('Failed to load resource')) return;
      problems.push(`console error: ${msg.text()} at ${at} (${page.url()})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message} (${page.url()})`));
  });

  after(async () => {
    try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await server.stop();
  });

  test('console pages run under a strict CSP and keep their behaviour', async () => {
    await step('login page, then sign in as city', async () => {
      await visit('/login');
      const form = page.locator('form', { has: page.locator('input[name=password]') });
      await form.locator('input[name=username]').fill('city');
      await form.locator('input[name=password]').fill('gongjiang-demo');
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/'),
        form.locator('button[type=submit]').first().click(),
      ]);
      await noProblems('after login');
    });

    await step('home: headline figures and the district chart', async () => {
      await visit('/');
      await chartDrawn(page.locator('[data-chart]').first(), 'home chart');
      await noProblems('home chart hover');
    });

    await step('dashboard: charts, and the period select submits its form', async () => {
      await visit(`/dashboard?org=320400&period=${DEMO_YEAR}`);
      const charts = page.locator('[data-chart]');
      const n = await charts.count();
      assert.ok(n >= 2, `dashboard charts: ${n}`);
      for (let i = 0; i < n; i++) await chartDrawn(charts.nth(i), `dashboard chart ${i}`);
      await noProblems('dashboard chart hover');
      const select = page.locator('form.filters select[name=period]');
      const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
      const other = options.find((v) => v !== DEMO_YEAR);
      assert.ok(other, `another period to choose: ${options}`);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/dashboard' && u.searchParams.get('period') === other),
        select.selectOption(other),
      ]);
      assert.equal(await page.locator('form.filters select[name=period]').inputValue(), other);
      await noProblems('dashboard after period change');
    });

    await step('reports completeness: the period select submits too', async () => {
      await visit('/reports/completeness');
      const select = page.locator('form.filters select[name=period]');
      const current = await select.inputValue();
      const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
      const other = options.find((v) => v !== current);
      if (other) {
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get('period') === other),
          select.selectOption(other),
        ]);
      } else {
        log('only one period: nothing to switch to');
      }
      await noProblems('completeness');
    });

    await step('organisations: list with htmx filters, tree', async () => {
      await visit('/orgs');
      await page.locator('table.table tbody tr').first().waitFor();
      const filters = page.locator('form.filters');
      const kind = filters.locator('select').first();
      const values = await kind.locator('option').evaluateAll((os) => os.map((o) => o.value));
      const value = values.find((v) => v !== '');
      if (value) {
        const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/orgs' &&
          r.request().headers()['hx-request'] === 'true');
        await kind.selectOption(value);
        assert.equal((await answered).status(), 200, 'htmx filter request');
      }
      await noProblems('orgs htmx filter');
      await visit('/orgs/tree');
      // The depth indentation comes from app.css now (no style= attribute).
      const pads = await page.locator('table.tree tbody tr').evaluateAll((rows) =>
        rows.slice(0, 30).map((r) => [r.dataset.depth, getComputedStyle(r.cells[0]).paddingLeft]));
      const deeper = pads.find(([d]) => d === '1');
      assert.ok(deeper, 'a row at depth 1');
      assert.equal(deeper[1], '36px', 'depth 1 indentation');
    });

    await step('inbox: the select-all box ticks and unticks every case', async () => {
      await visit('/inbox');
      const all = page.locator('#bulk-form thead input[type=checkbox]');
      await all.waitFor();
      const boxes = page.locator('#bulk-form input[name=id]');
      const n = await boxes.count();
      assert.ok(n >= 1, `cases in the inbox: ${n}`);
      await all.check();
      assert.equal(await boxes.evaluateAll((bs) => bs.filter((b) => b.checked).length), n, 'all ticked');
      await all.uncheck();
      assert.equal(await boxes.evaluateAll((bs) => bs.filter((b) => b.checked).length), 0, 'none ticked');
      await noProblems('inbox');
    });

    await step('policies: delete asks for confirmation, and "cancel" keeps the document', async () => {
      await visit('/policies');
      const links = page.locator('main a[href^="/policies/"]');
      const hrefs = (await links.evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
        .filter((h) => /^\/policies\/\d+$/.test(h));
      assert.ok(hrefs.length > 0, 'policy documents listed');
      let found = null;
      for (const h of hrefs.slice(0, 20)) {
        await visit(h);
        if (await page.locator('form[action$="/delete"] button[type=submit]').count()) { found = h; break; }
      }
      assert.ok(found, 'a policy the city may delete');
      let asked = null;
      page.once('dialog', async (d) => { asked = `${d.type()}: ${d.message()}`; await d.dismiss(); });
      await page.locator('form[action$="/delete"] button[type=submit]').first().click();
      await sleep(300);
      assert.ok(asked && asked.startsWith('confirm: '), `a confirmation was asked (${asked})`);
      assert.equal(pathname(), found, 'still on the document after cancelling');
      await noProblems('policy delete confirm');
      await visit(found);
    });

    await step('liuyou overview with its chart', async () => {
      await visit('/liuyou');
      await chartDrawn(page.locator('[data-chart]').first(), 'liuyou chart');
      await noProblems('liuyou chart hover');
    });

    await step('tasks: progress bars without inline styles', async () => {
      await visit('/tasks');
      const bars = page.locator('progress.task-progress');
      if (await bars.count()) {
        const w = await bars.first().evaluate((b) => b.getBoundingClientRect().width);
        assert.ok(w > 50, `progress bar width ${w}`);
      }
    });

    await step('error page: the back link goes back', async () => {
      await visit('/orgs');
      await visit('/orgs/999999999', { status: 404 });
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/orgs'),
        page.locator('a[data-back]').click(),
      ]);
      await noProblems('error page back');
    });

    await step('API docs: Swagger UI renders under its policy', async () => {
      const res = await page.goto('/api/docs');
      assert.equal(res.status(), 200);
      const csp = (await res.allHeaders())['content-security-policy'] || '';
      assert.match(csp, /script-src 'self'(;|$)/, `docs CSP (${csp})`);
      await page.locator('.swagger-ui .info .title').first().waitFor();
      await page.locator('.swagger-ui .opblock').first().waitFor();
      await page.locator('.swagger-ui .opblock-summary').first().click();
      await sleep(300);
      await noProblems('api docs');
      await shot('e2e-csp-api-docs.png');
    });
  });
});
