// Browser test of phones and paper (issue 10, point 9): the console at 390 px wide —
// no horizontal overflow, the navigation behind a menu button (aria-expanded, opened by
// app.js; without JavaScript a link to the navigation placed after the content), logout
// reachable, the content on the first screen — and a case printed as an approval form
// (审批表): the 打印 button calls window.print(), and in print media there is no
// navigation, no button and no form field, while the facts, the steps and the table of
// opinions are there. Screenshots (and the case as an A4 PDF) go to target/e2e-screens/.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/mobile-print.test.mjs
// Environment: GONGJIANG_BIN, CHROMIUM, E2E_VERBOSE=1, E2E_KEEP=1 (see helpers.mjs).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DemoServer, launchChromium, REPO_ROOT, sleep } from './helpers.mjs';

const SCREENS = path.join(REPO_ROOT, 'target', 'e2e-screens');

// An ordinary phone held upright.
const PHONE = { width: 390, height: 844 };

const log = (...args) => console.log('[e2e-mobile]', ...args);

const server = new DemoServer({ prefix: 'gongjiang-e2e-mobile-', log });
let browser;
// Page errors and console errors seen by any page.
let problems = [];

async function shot(page, name, opts = {}) {
  await fs.mkdir(SCREENS, { recursive: true });
  const file = path.join(SCREENS, name);
  await page.screenshot({ path: file, ...opts });
  log(`screenshot -> ${path.relative(REPO_ROOT, file)}`);
}

async function step(page, name, fn) {
  log(`step: ${name}`);
  try {
    await fn();
    log(`ok:   ${name}`);
  } catch (err) {
    log(`FAIL: ${name} (url: ${page?.url()})`);
    if (page) {
      const safe = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await shot(page, `failure-${safe}.png`, { fullPage: true }).catch(() => {});
    }
    console.error(`--- server output (tail) ---\n${server.output().slice(-3000)}`);
    throw err;
  }
}

async function newPage({ javaScriptEnabled = true, viewport = PHONE } = {}) {
  const context = await browser.newContext({
    baseURL: server.url, locale: 'zh-CN', viewport, javaScriptEnabled,
    deviceScaleFactor: 1, isMobile: false, hasTouch: false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(30_000);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const at = msg.location()?.url || '';
    if (at.endsWith('/favicon.ico')) return;
    problems.push(`console error: ${msg.text()} at ${at} (${page.url()})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message} (${page.url()})`));
  return page;
}

async function signIn(page, user = 'city') {
  await page.goto('/login');
  const form = page.locator('form', { has: page.locator('input[name=password]') });
  await form.locator('input[name=username]').fill(user);
  await form.locator('input[name=password]').fill('gongjiang-demo');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    form.locator('button[type=submit]').first().click(),
  ]);
}

async function open(page, url) {
  const res = await page.goto(url);
  assert.equal(res.status(), 200, `GET ${url}`);
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle').catch(() => {});
  await sleep(100);
}

// Widths of the page and the elements that stick out past the right edge (for the message).
async function overflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 0.5) continue;
      // Inside a scrolling box (a table in its card) is fine.
      let p = el.parentElement;
      let clipped = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
        p = p.parentElement;
      }
      if (!clipped) wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(r.right)}`);
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      wide: wide.slice(0, 10),
    };
  });
}

async function box(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'element has a box');
  return b;
}

function noProblems(where) {
  const seen = problems;
  problems = [];
  assert.deepEqual(seen, [], `${where}: the browser reported problems:\n${seen.join('\n')}`);
}

describe('phones and print (browser)', { timeout: 300_000 }, () => {
  before(async () => {
    await server.start();
    browser = await launchChromium();
  });

  after(async () => {
    try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await server.stop();
  });

  // The first case in the city's inbox (it has history and the reviewer's form).
  async function someCase(page) {
    await open(page, '/inbox');
    const href = await page.locator('main a[href^="/cases/"]').evaluateAll((as) =>
      as.map((a) => a.getAttribute('href')).find((h) => /^\/cases\/\d+$/.test(h)));
    assert.ok(href, 'a case in the inbox');
    return href;
  }

  test('390 px: menu button, no overflow, logout reachable, content on the first screen', async () => {
    const page = await newPage();
    await step(page, 'sign in on a phone', () => signIn(page));
    const caseHref = await someCase(page);
    const pages = [
      ['home', '/'],
      ['list-orgs', '/orgs'],
      ['list-inbox', '/inbox'],
      ['form-org', '/orgs/new'],
      ['case', caseHref],
    ];
    for (const [name, url] of pages) {
      await step(page, `${name} (${url}) at 390 px`, async () => {
        await open(page, url);
        const o = await overflow(page);
        assert.ok(o.scrollWidth <= PHONE.width,
          `${url}: page is ${o.scrollWidth}px wide (body ${o.bodyScrollWidth}); sticking out: ${o.wide.join(', ')}`);
        assert.deepEqual(o.wide, [], `${url}: elements past the right edge`);

        // The menu button is there and the navigation is folded away.
        const toggle = page.locator('button[data-nav-toggle]');
        assert.ok(await toggle.isVisible(), 'menu button visible');
        const tb = await box(toggle);
        assert.ok(tb.x >= 0 && tb.x + tb.width <= PHONE.width && tb.y < PHONE.height, `menu button on screen: ${JSON.stringify(tb)}`);
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        const nav = page.locator('nav#sidenav');
        assert.equal(await nav.isVisible(), false, 'navigation folded');
        assert.equal(await page.locator('a.nav-toggle[href="#sidenav"]').isVisible(), false, 'no-JS link hidden');

        // Logout on the first screen, within the width.
        const logout = page.locator('form[action="/logout"] button[type=submit]');
        assert.ok(await logout.isVisible(), 'logout visible');
        const lb = await box(logout);
        assert.ok(lb.x >= 0 && lb.x + lb.width <= PHONE.width && lb.y + lb.height <= PHONE.height,
          `logout on the first screen: ${JSON.stringify(lb)}`);

        // The page's own content starts on the first screen.
        const h1 = page.locator('main.content h1').first();
        const first = (await h1.count()) ? h1 : page.locator('main.content > *').first();
        const hb = await box(first);
        assert.ok(hb.y < PHONE.height / 2, `content starts at ${Math.round(hb.y)}px`);
        await shot(page, `mobile-390-${name}.png`);
        await shot(page, `mobile-390-${name}-full.png`, { fullPage: true });

        // The button opens the navigation; every part is then at hand.
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        assert.ok(await nav.isVisible(), 'navigation open');
        const link = nav.locator('a.nav-link[href="/orgs"]');
        assert.ok(await link.isVisible(), 'a navigation link visible');
        const nb = await box(link);
        assert.ok(nb.y < PHONE.height && nb.x + nb.width <= PHONE.width, `nav link on screen: ${JSON.stringify(nb)}`);
        const o2 = await overflow(page);
        assert.ok(o2.scrollWidth <= PHONE.width, `${url} with the menu open: ${o2.scrollWidth}px wide`);
        await shot(page, `mobile-390-${name}-menu.png`);
        // Escape closes it and gives the focus back to the button.
        await page.keyboard.press('Escape');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await nav.isVisible(), false, 'navigation closed again');
        assert.ok(await toggle.evaluate((b) => document.activeElement === b), 'focus on the menu button');
        noProblems(url);
      });
    }

    await step(page, 'the menu leads somewhere', async () => {
      await open(page, '/');
      await page.locator('button[data-nav-toggle]').click();
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/orgs'),
        page.locator('nav#sidenav a.nav-link[href="/orgs"]').click(),
      ]);
      assert.equal(await page.locator('nav#sidenav').isVisible(), false, 'folded on the next page');
    });

    await step(page, 'a wide table scrolls inside its card', async () => {
      await open(page, '/orgs');
      const t = page.locator('main table.table').first();
      await t.waitFor();
      const { tableWidth, scroller } = await t.evaluate((el) => {
        // The table itself (phones) or a box around it (a card, .table-wrap).
        let p = el;
        while (p && !['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) p = p.parentElement;
        return {
          tableWidth: el.getBoundingClientRect().width,
          scroller: p ? { cls: p.className, right: p.getBoundingClientRect().right, sw: p.scrollWidth, cw: p.clientWidth } : null,
        };
      });
      assert.ok(scroller, 'the table sits in a scrolling box');
      assert.ok(scroller.sw > scroller.cw, `the table is wider than the phone and scrolls: ${JSON.stringify(scroller)}`);
      assert.ok(scroller.right <= PHONE.width, `the scrolling box fits: ${JSON.stringify(scroller)}`);
      log(`orgs table ${Math.round(tableWidth)}px, scrolling box .${scroller.cls} (${scroller.cw}px, scrolls ${scroller.sw}px)`);
    });
    await page.context().close();
  });

  test('390 px without JavaScript: content first, a link to the navigation after it', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await step(page, 'sign in without JavaScript', () => signIn(page));
    await step(page, 'home without JavaScript', async () => {
      await open(page, '/');
      const o = await overflow(page);
      assert.ok(o.scrollWidth <= PHONE.width, `page is ${o.scrollWidth}px wide: ${o.wide.join(', ')}`);
      assert.equal(await page.locator('button[data-nav-toggle]').isVisible(), false, 'no dead menu button');
      const link = page.locator('a.nav-toggle[href="#sidenav"]');
      assert.ok(await link.isVisible(), 'menu link visible');
      const main = await box(page.locator('main.content'));
      const nav = await box(page.locator('nav#sidenav'));
      assert.ok(main.y < PHONE.height / 2, `content starts at ${Math.round(main.y)}px`);
      assert.ok(nav.y > main.y, 'navigation after the content');
      const logout = await box(page.locator('form[action="/logout"] button[type=submit]'));
      assert.ok(logout.x + logout.width <= PHONE.width && logout.y < PHONE.height, 'logout on the first screen');
      await shot(page, 'mobile-390-nojs-home.png');
      await link.click();
      await sleep(100);
      const orgs = await box(page.locator('nav#sidenav a.nav-link[href="/orgs"]'));
      assert.ok(orgs.y >= 0 && orgs.y < PHONE.height, `the link scrolls to the navigation (${Math.round(orgs.y)})`);
      await shot(page, 'mobile-390-nojs-menu.png');
    });
    await page.context().close();
  });

  test('a case prints as an approval form', async () => {
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await step(page, 'sign in', () => signIn(page));
    const caseHref = await someCase(page);
    await step(page, 'the 打印 button calls window.print()', async () => {
      await open(page, caseHref);
      const btn = page.locator('main button[data-print]');
      assert.ok(await btn.isVisible(), 'print button visible');
      assert.equal((await btn.textContent()).trim(), '打印');
      // On screen: the reviewer's form is there (so hiding it on paper means something).
      assert.ok(await page.locator('main textarea, main select, main input:not([type=hidden])').count() > 0, 'form fields on screen');
      assert.equal(await page.locator('table.approval').isVisible(), false, 'approval table is for paper only');
      await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
      await btn.click();
      assert.equal(await page.evaluate(() => window.__printed), 1, 'window.print() called once');
    });
    await step(page, 'print media: no navigation, buttons or form fields; facts, steps, opinions', async () => {
      await page.emulateMedia({ media: 'print' });
      const shown = (sel) => page.locator(sel).evaluateAll((els) =>
        els.filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}` +
            `[${e.getAttribute('name') || e.textContent.trim().slice(0, 20)}]`));
      assert.deepEqual(await shown('header.topbar, nav.sidenav, nav.breadcrumbs'), [], 'navigation hidden');
      assert.deepEqual(await shown('button, .btn'), [], 'buttons hidden');
      assert.deepEqual(await shown('input:not([type=hidden]), select, textarea, label'), [], 'form fields hidden');
      assert.ok((await shown('main h1')).length === 1, 'title printed');
      const kind = await page.locator('p.print-kind').textContent();
      assert.ok(await page.locator('p.print-kind').isVisible() && kind.includes('审批表'), `form heading: ${kind}`);
      assert.ok(await page.locator('dl.facts').isVisible(), 'facts printed');
      const facts = await page.locator('dl.facts').textContent();
      assert.ok(facts.includes('申报单位') && facts.includes('事项类型'), 'applicant and process printed');
      assert.ok(await page.locator('ol.steps').isVisible(), 'steps printed');
      const table = page.locator('table.approval');
      assert.ok(await table.isVisible(), 'approval table printed');
      const heads = await table.locator('thead th').allTextContents();
      assert.deepEqual(heads, ['环节', '办理', '办理人', '办理时间', '意见']);
      const rows = await table.locator('tbody tr').count();
      assert.ok(rows >= 1, `history rows: ${rows}`);
      const date = await table.locator('tbody tr td').nth(3).textContent();
      assert.match(date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'date of the step');
      assert.equal(await page.locator('ol.timeline').isVisible(), false, 'the screen timeline gives way to the table');
      await shot(page, 'case-print.png', { fullPage: true });
      await fs.mkdir(SCREENS, { recursive: true });
      const pdf = path.join(SCREENS, 'case-print.pdf');
      await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true });
      const bytes = await fs.readFile(pdf);
      const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      log(`A4 PDF -> ${path.relative(REPO_ROOT, pdf)} (${pages} page(s))`);
      assert.ok(pages >= 1 && pages <= 4, `printed pages: ${pages}`);
      await page.emulateMedia({ media: 'screen' });
      noProblems('case print');
    });
    await page.context().close();
  });
});
