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
import fs from 'node:fs/promises';
import path from 'node:path';
import { DemoServer, launchChromium, DEMO_YEAR, REPO_ROOT, TARGET_DIR } from './helpers.mjs';

const log = (...args) => console.log('[e2e]', ...args);

// ---- shared state -------------------------------------------------------
const server = new DemoServer({ prefix: 'gongjiang-e2e-', log });
let browser;
let page;

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
    console.error(`--- server output (tail) ---\n${server.output().slice(-3000)}`);
    throw err;
  }
}

const pathname = () => new URL(page.url()).pathname;

// ---- the test -----------------------------------------------------------
describe('login and organisations (browser)', { timeout: 300_000 }, () => {
  before(async () => {
    await server.start();
    browser = await launchChromium();
    log(`chromium ${browser.version()} launched`);
    const context = await browser.newContext({
      baseURL: server.url,
      locale: 'zh-CN',
      viewport: { width: 1366, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
  });

  after(async () => {
    try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await server.stop();
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
