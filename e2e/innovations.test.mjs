// Browser journey of 群众性技术创新 (innovation results), done by clicking, each person in
// a browser context of their own, with a screenshot of every step under
// target/e2e-innovations/:
//
// The enterprise's contact (unit) opens 建功立业 › 创新成果, files a patent result with a
// mistyped patent number (the form comes back as typed, the error by the field), fixes
// the check digit and submits; the district office (天宁区) opens the case from 待办 and
// accepts it; the unit sees the result recognised, and the city puts it in the showcase.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/innovations.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DemoServer, launchChromium, newPage, signIn, clickAndWait, screenshots, stepper,
  noProblems, beijingYear,
} from './helpers.mjs';

const DIR = 'e2e-innovations';
const log = (...args) => console.log('[e2e-innovations]', ...args);
const YEAR = String(beijingYear());
const TITLE = '数控夹具快换定位装置';

const server = new DemoServer({ prefix: 'gongjiang-e2e-innovations-', log });
let browser;
const pages = new Map();
let current = null;
const step = stepper({ dir: DIR, log, server, page: () => current });
const shot = screenshots(DIR, { prefix: 'innovation', log });

async function as(user) {
  if (!pages.has(user)) {
    const page = await newPage(browser, server.url);
    current = page;
    await signIn(page, user);
    pages.set(user, page);
  }
  current = pages.get(user);
  return current;
}

async function nav(page, href) {
  await clickAndWait(page, page.locator(`nav.sidenav a.nav-link[href="${href}"]`));
  assert.equal(new URL(page.url()).pathname, href);
}

/// A patent number of this year with its check digit (`bad`: a wrong one).
function patent(bad = false) {
  const digits = `${YEAR}20876543`;
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = [...digits].reduce((s, d, i) => s + Number(d) * w[i], 0) % 11;
  const right = sum === 10 ? 'X' : String(sum);
  const wrong = right === '1' ? '2' : '1';
  return `ZL${digits}.${bad ? wrong : right}`;
}

describe('an innovation result is filed, reviewed and showcased', { timeout: 240_000 }, () => {
  before(async () => {
    await server.start();
    browser = await launchChromium();
  });
  after(async () => {
    try { await browser?.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await server.stop();
  });

  test('by clicking', async () => {
    let resultUrl;
    await step('the unit opens 创新成果 and the filing form', async () => {
      const page = await as('unit');
      await nav(page, '/innovations');
      assert.ok(await page.locator('[data-indicator="innovation_results"]').count() === 1);
      await clickAndWait(page, page.locator('.page-header a[href="/innovations/new"]'));
      await noProblems(page, '/innovations/new');
      await shot(page, 'form');
    });

    await step('a wrong check digit comes back by its field, as typed', async () => {
      const page = await as('unit');
      // The worker who made it: the first of the enterprise's registered workers, by
      // its registry id (as a user copies it from 职工与技能人才库).
      const list = await newPage(browser, server.url);
      await signIn(list, 'unit');
      await list.goto(`${server.url}/workers`);
      const href = await list.locator('table a[href^="/workers/"]').first().getAttribute('href');
      await list.close();
      const w = { id: href.split('/').pop() };
      current = page;
      await page.fill('#f-code', `CX-E2E-${YEAR}`);
      await page.fill('#f-title', TITLE);
      await page.selectOption('#f-type', 'patent');
      await page.fill('#f-authors', String(w.id));
      await page.fill('#f-patent', patent(true));
      await page.fill('#f-benefit', '26.8');
      await page.fill('#f-summary', '换型时间由40分钟缩短至8分钟，年节约工时1,200小时。');
      await clickAndWait(page, page.locator('form.form button[type=submit]'));
      const err = await page.locator('.field.has-error .field-error, .field-error').first().innerText();
      assert.match(err, /校验位错误/);
      assert.equal(await page.inputValue('#f-title'), TITLE);
      // The refusal is answered 422 with the form: expected, not a problem of the page.
      page.problems.splice(0);
      await shot(page, 'check-digit');
      await page.fill('#f-patent', patent());
      await clickAndWait(page, page.locator('form.form button[type=submit]'));
      resultUrl = new URL(page.url()).pathname;
      assert.match(resultUrl, /^\/innovations\/\d+$/);
      const body = await page.locator('main').innerText();
      assert.ok(body.includes('26.80万元') && body.includes(patent()), body);
      await noProblems(page, resultUrl);
      await shot(page, 'filed');
    });

    await step('the district accepts it from 待办', async () => {
      const page = await as('tianning');
      await nav(page, '/inbox');
      const link = page.locator('table.table tbody tr a', { hasText: TITLE });
      assert.equal(await link.count(), 1, 'the result waits in the district inbox');
      await clickAndWait(page, link);
      const form = page.locator('#act-form');
      await form.locator('textarea[name=comment]').fill('成果真实，效益可信，同意认定');
      await clickAndWait(page, form.locator('button[name=_action][value=accept]'));
      await noProblems(page, 'case after accept');
      await shot(page, 'accepted');
    });

    await step('the unit sees it recognised; the city showcases it', async () => {
      const unit = await as('unit');
      await unit.goto(server.url + resultUrl);
      assert.match(await unit.locator('main').innerText(), /已通过/);
      const city = await as('city');
      await city.goto(server.url + resultUrl);
      await clickAndWait(city, city.locator('form[action$="/showcase"] button[type=submit]'));
      assert.ok((await city.locator('.page-header h1').innerText()).includes('展示成果'));
      await nav(city, '/innovations');
      await city.selectOption('select[name=level]', 'featured');
      await clickAndWait(city, city.locator('form.filters button[type=submit]'));
      assert.ok(await city.locator('table a', { hasText: TITLE }).count() === 1);
      await noProblems(city, '/innovations?level=featured');
      await shot(city, 'showcase');
    });
  });
});
