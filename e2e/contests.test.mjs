// Browser journey of issue #12 (labour and skills contests), done by clicking, each
// person in a browser context of their own, with a screenshot of every step under
// target/e2e-contests/:
//
// The city's office opens the demo's contest being marked this year and watches its live
// ranking; a judge (expert2) opens the marking sheet from 劳动和技能竞赛, picks an entrant
// still to mark and scores its two judgement aspects against the descriptors; the city's
// page picks the scores up by itself (the ranking polls every 5 s). Then two-person
// entry: the office enters a paper mark, is offered no confirmation of its own, and the
// judge confirms it.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/contests.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DemoServer, launchChromium, newPage, signIn, clickAndWait, screenshots, stepper,
  noProblems, beijingYear,
} from './helpers.mjs';

const DIR = 'e2e-contests';
const log = (...args) => console.log('[e2e-contests]', ...args);
const YEAR = String(beijingYear());

const server = new DemoServer({ prefix: 'gongjiang-e2e-contests-', log });
let browser;
const pages = new Map();
let current = null;
const step = stepper({ dir: DIR, log, server, page: () => current });
const shot = screenshots(DIR, { prefix: 'contest', log });

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

/// Opens 劳动和技能竞赛 from the side navigation, then this year's contest.
async function openContest(page) {
  await clickAndWait(page, page.locator('nav.sidenav a.nav-link[href="/contests"]'));
  await clickAndWait(page, page.locator('table a', { hasText: `JS-${YEAR}-001` }));
  assert.match(new URL(page.url()).pathname, /^\/contests\/\d+$/);
}

describe('a contest is marked while the office watches the live ranking', () => {
  before(async () => {
    await server.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('judges score, the ranking follows, paper marks take two people', async () => {
    let contestPath = '';
    let entrant = '';
    let before = '';
    await step('the office opens the contest and sees the live ranking', async () => {
      const page = await as('city');
      await openContest(page);
      contestPath = new URL(page.url()).pathname;
      const box = page.locator('[data-ranking]');
      await box.waitFor();
      assert.ok(await box.getAttribute('hx-get'), 'the ranking polls while marks come in');
      assert.match(await box.innerText(), /待复评/);
      before = await box.innerText();
      await noProblems(page, contestPath);
      await shot(page, 'ranking');
    });

    await step('a judge opens the marking sheet at an entrant still to mark', async () => {
      const page = await as('expert2');
      await clickAndWait(page, page.locator('nav.sidenav a.nav-link[href="/contests"]'));
      await clickAndWait(page, page.locator('table a', { hasText: `JS-${YEAR}-001` }));
      await clickAndWait(page, page.locator('.page-header a', { hasText: '评分' }));
      const todo = page.locator('nav.entry-list li', { has: page.locator('.badge', { hasText: '待评' }) }).first();
      entrant = (await todo.locator('a').innerText()).trim();
      await clickAndWait(page, todo.locator('a'));
      await noProblems(page, 'marking sheet');
      await shot(page, 'sheet');
    });

    await step('the judge scores the judgement aspects against their descriptors', async () => {
      const page = await as('expert2');
      for (const aspect of ['工艺规范', '安全文明生产']) {
        const set = page.locator('fieldset', { has: page.locator('legend', { hasText: aspect }) });
        await set.locator('input[type=radio][value="2"]').check();
      }
      await clickAndWait(page, page.locator('form button[type=submit]', { hasText: '保存评分' }));
      assert.match(await page.locator('.alert-success').innerText(), /已保存/);
      await shot(page, 'scored');
    });

    await step('the office page picks the scores up by itself', async () => {
      const page = await as('city');
      await page.waitForFunction(
        (old) => document.querySelector('[data-ranking]')?.innerText !== old,
        before,
        { timeout: 15_000 },
      );
      await noProblems(page, 'after the poll');
      await shot(page, 'ranking-updated');
    });

    await step('the office enters a paper mark; it waits for a second person', async () => {
      const page = await as('city');
      await page.goto(`${contestPath}/marking`);
      await clickAndWait(page, page.locator('nav.entry-list a', { hasText: entrant }).first());
      const set = page.locator('fieldset', { has: page.locator('legend', { hasText: '实操作品精度' }) });
      await set.locator('input').fill('88');
      await clickAndWait(page, page.locator('form button[type=submit]', { hasText: '保存评分' }));
      const after = page.locator('fieldset', { has: page.locator('legend', { hasText: '实操作品精度' }) });
      assert.match(await after.innerText(), /待另一人确认/);
      // The one who entered it is offered no confirmation (the server refuses it too).
      assert.equal(await page.locator('button', { hasText: '确认成绩' }).count(), 0);
      await shot(page, 'paper-mark');
    });

    await step('the judge confirms the paper mark', async () => {
      const page = await as('expert2');
      await page.reload();
      await clickAndWait(page, page.locator('button', { hasText: '确认成绩' }).first());
      assert.match(await page.locator('.alert-success').innerText(), /已保存/);
      const set = page.locator('fieldset', { has: page.locator('legend', { hasText: '实操作品精度' }) });
      assert.match(await set.innerText(), /已确认/);
      await noProblems(page, 'confirmed');
      await shot(page, 'confirmed');
    });
  });
});
