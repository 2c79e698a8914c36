// Browser journeys of issue #10 ("Done means"), done by clicking, each person in a
// browser context of their own, with a screenshot of every step under
// target/e2e-journeys/:
//
// 1. A pilot application approved after 公示: the unit signs in, opens 申报与审核, clicks
//    新建:试点申报, fills the form (a level it does not hold: 县级 — the held ones are not
//    offered) and submits; the street (town), the district and the city accept it from
//    their 待办; the case goes on public notice; once the notice period has run (moved
//    into the past in the database: the one thing no user does by hand) the city approves
//    it. After each step the unit's 消息通知 shows it; at the end the unit is a 县级
//    pilot, on the pilot's page and on its organisation page.
// 2. A 六有 item returned and resubmitted: the unit fills its six items for the current
//    year and submits; the district (天宁区) returns one with a reason and accepts the
//    others; the unit sees the reason, fixes the item and resubmits; the district
//    accepts it and the year's case is approved.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/journeys.test.mjs
// Environment: GONGJIANG_BIN, CHROMIUM, E2E_VERBOSE=1, E2E_KEEP=1 (see helpers.mjs);
// SQLITE3 (default `sqlite3` on the PATH) for ending the notice period.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  DemoServer, launchChromium, newPage, signIn, clickAndWait, screenshots, stepper,
  noProblems, beijingYear,
} from './helpers.mjs';

const DIR = 'e2e-journeys';
const log = (...args) => console.log('[e2e-journeys]', ...args);
const SQLITE3 = process.env.SQLITE3 || 'sqlite3';
/// The current year, as the server counts it.
const YEAR = String(beijingYear());

const server = new DemoServer({ prefix: 'gongjiang-e2e-journeys-', log });
let browser;
/// The page of each signed-in user, by user name.
const pages = new Map();
/// The page the journey is on (for the failure screenshot).
let current = null;
const step = stepper({ dir: DIR, log, server, page: () => current });
const pilotShot = screenshots(DIR, { prefix: 'pilot', log });
const liuyouShot = screenshots(DIR, { prefix: 'liuyou', log });

/// The page of `user`, signed in on first use.
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

/// Follows a link of the side navigation.
async function nav(page, href) {
  await clickAndWait(page, page.locator(`nav.sidenav a.nav-link[href="${href}"]`));
  assert.equal(new URL(page.url()).pathname, href);
}

/// Opens 消息通知 (待办 → 消息通知).
async function openNotifications(page) {
  await nav(page, '/inbox');
  await clickAndWait(page, page.locator('.page-header a[href="/notifications"]'));
}

/// Opens the user's 消息通知 and returns the messages, newest first.
async function notifications(page) {
  await openNotifications(page);
  await noProblems(page, '/notifications');
  return page.locator('ul.notifications li').allInnerTexts();
}

/// The reviewer opens 待办, finds the case by title and opens it.
async function openFromInbox(page, title) {
  await nav(page, '/inbox');
  const link = page.locator('table.table tbody tr a', { hasText: title });
  assert.equal(await link.count(), 1, `"${title}" is in the inbox of ${page.url()}`);
  await clickAndWait(page, link);
  assert.match(new URL(page.url()).pathname, /^\/cases\/\d+$/);
}

/// Clicks one of the actions of the case page (accept, return, …) with a comment.
async function act(page, action, comment) {
  const form = page.locator('#act-form');
  if (comment) await form.locator('textarea[name=comment]').fill(comment);
  await clickAndWait(page, form.locator(`button[name=_action][value=${action}]`));
}

const statusBadge = (page) => page.locator('.page-header h1 .badge').innerText();

describe('journeys by clicking (browser)', { timeout: 300_000 }, () => {
  before(async () => {
    await server.start();
    browser = await launchChromium();
    log(`chromium ${browser.version()} launched`);
  });

  after(async () => {
    try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await server.stop();
  });

  test('a pilot application climbs the levels, passes 公示 and is approved', { timeout: 90_000 }, async () => {
    const t0 = Date.now();
    let unit;
    let caseUrl;
    let title;

    await step('the unit signs in and clears its notifications', async () => {
      unit = await as('unit');
      await openNotifications(unit);
      const readAll = unit.locator('form[action="/notifications"] button[type=submit]');
      if (await readAll.count()) await clickAndWait(unit, readAll);
      assert.equal(await unit.locator('ul.notifications li').count(), 0);
      await pilotShot(unit, 'unit-notifications-empty');
    });

    await step('the unit opens 申报与审核 and clicks 新建:试点申报', async () => {
      await nav(unit, '/cases');
      await noProblems(unit, '/cases');
      await pilotShot(unit, 'unit-cases');
      await clickAndWait(unit, unit.locator('.page-header a[href="/cases/new?process=pilot_application"]'));
      assert.equal(await unit.locator('h1').innerText(), '试点申报 · 新建');
    });

    await step('the form offers only the levels the unit does not hold', async () => {
      const held = await unit.locator('.card', { hasText: '本单位现有试点' }).innerText();
      log(`held: ${held.replace(/\s+/g, ' ')}`);
      const offered = await unit.locator('#f-level option').allInnerTexts();
      assert.ok(offered.includes('县级'), `offered: ${offered}`);
      for (const level of ['省级', '市级']) {
        if (held.includes(level)) assert.ok(!offered.includes(level), `${level} is held and offered: ${offered}`);
      }
    });

    await step('the unit fills the form and submits it', async () => {
      await unit.selectOption('#f-level', { label: '县级' });
      await unit.fill('#f-year', YEAR);
      await unit.fill('#f-feature', '工匠学院+师带徒,一企一特色');
      await unit.fill('#f-plan', '目标:三年培养高技能人才200名。\n举措:建设工匠学院,推行师带徒和技能等级自主评价。\n进度:每季度评估一次。\n保障:设立专项经费。');
      await unit.fill('#f-contact', '张三 0519-88888888');
      await pilotShot(unit, 'unit-form-filled');
      await clickAndWait(unit, unit.locator('form[action="/cases"] button[name=_submit][value="1"]'));
      assert.match(new URL(unit.url()).pathname, /^\/cases\/\d+$/, 'the case page opens');
      caseUrl = new URL(unit.url()).pathname;
      title = (await unit.locator('.page-header h1').innerText()).replace(/\s*审核中\s*$/, '').trim();
      assert.equal(await statusBadge(unit), '审核中');
      log(`case ${caseUrl}: ${title}`);
      await noProblems(unit, caseUrl);
      await pilotShot(unit, 'unit-submitted');
    });

    // Each reviewer in turn: opens the case from 待办, accepts it; the unit then sees
    // the step in its notifications.
    const reviews = [
      { user: 'town', comment: '经核实,申报材料属实', next: /您的申报已进入“.*区.*”/ },
      { user: 'tianning', comment: '同意推荐', next: /您的申报已进入“.*市.*”/ },
      { user: 'city', comment: '同意,进入公示', next: /您的申报已进入公示/ },
    ];
    for (const r of reviews) {
      await step(`${r.user} accepts it from the inbox`, async () => {
        const page = await as(r.user);
        await openFromInbox(page, title);
        assert.equal(new URL(page.url()).pathname, caseUrl);
        await pilotShot(page, `${r.user}-case`);
        await act(page, 'accept', r.comment);
        assert.equal(new URL(page.url()).pathname, caseUrl);
        await noProblems(page, `${caseUrl} after ${r.user}`);
        await pilotShot(page, `${r.user}-accepted`);
      });
      await step(`the unit sees the step of ${r.user} in its notifications`, async () => {
        const notes = await notifications(unit);
        log(`unit notifications: ${notes.join(' | ')}`);
        assert.match(notes[0] || '', r.next);
        assert.ok(notes[0].includes(title), notes[0]);
        await pilotShot(unit, `unit-notified-after-${r.user}`);
      });
    }

    const city = await as('city');
    await step('the case is on public notice; the city cannot decide before it ends', async () => {
      await city.goto(caseUrl);
      assert.equal(await statusBadge(city), '公示中');
      await city.locator('#objections').waitFor();
      await act(city, 'accept');
      const error = await city.locator('.alert-error').allInnerTexts();
      assert.ok(error.some((e) => e.includes('公示期尚未结束')), `errors: ${error}`);
      assert.equal(await statusBadge(city), '公示中');
      // The refusal is answered 422 with the form: expected, not a problem of the page.
      city.problems.splice(0);
      await pilotShot(city, 'city-notice-running');
    });

    await step('the unit sees the notice on its case page', async () => {
      await clickAndWait(unit, unit.locator(`ul.notifications li a[href="${caseUrl}"]`).first());
      assert.equal(await statusBadge(unit), '公示中');
      await pilotShot(unit, 'unit-case-in-notice');
    });

    await step('(setup) the five days of the notice pass', async () => {
      const id = Number(caseUrl.split('/').pop());
      const db = path.join(server.dataDir, 'gongjiang.db');
      const sql = `UPDATE wf_cases SET due_at = ${Date.now() - 60_000} WHERE id = ${id} AND status = 'notice';` +
        `SELECT changes();`;
      let out;
      try {
        out = execFileSync(SQLITE3, ['-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' });
      } catch (e) {
        throw new Error(`ending the notice period needs the sqlite3 command-line tool (${SQLITE3}): ${e.message}`);
      }
      assert.equal(out.trim(), '1', 'one case in notice moved');
    });

    await step('the city approves it at the end of the notice', async () => {
      await city.goto(caseUrl);
      assert.equal(await statusBadge(city), '公示中');
      await pilotShot(city, 'city-notice-over');
      await act(city, 'accept', '公示期满无异议,同意确定为县级试点');
      assert.deepEqual(await city.locator('.alert-error').allInnerTexts(), []);
      assert.equal(await statusBadge(city), '已通过');
      await noProblems(city, `${caseUrl} approved`);
      await pilotShot(city, 'city-approved');
    });

    await step('the unit is told it was approved', async () => {
      const notes = await notifications(unit);
      log(`unit notifications: ${notes.join(' | ')}`);
      assert.match(notes[0] || '', /已通过/);
      assert.ok(notes[0].includes(title), notes[0]);
      assert.equal(notes.filter((n) => n.includes(title)).length, 4, 'district, city, notice, approved');
      await pilotShot(unit, 'unit-notified-approved');
    });

    await step('the unit is a county-level pilot', async () => {
      await clickAndWait(unit, unit.locator(`ul.notifications li a[href="${caseUrl}"]`).first());
      assert.equal(await statusBadge(unit), '已通过');
      // The case leads to the pilots of the applicant (its organisation page).
      const created = unit.locator('dl.facts a[data-pilot]');
      assert.equal(await created.count(), 1, 'the case links to the pilot it created');
      await clickAndWait(unit, created);
      assert.match(new URL(unit.url()).pathname, /^\/orgs\/\d+$/);
      const row = unit.locator('.tab-panel table tbody tr', { hasText: '县级' });
      assert.equal(await row.count(), 1, await unit.locator('main').innerText());
      const cells = await row.locator('td').allInnerTexts();
      assert.equal(cells[2].trim(), YEAR, `${cells}`);
      assert.match(cells[3], /工匠学院/, `${cells}`);
      await noProblems(unit, unit.url());
      await pilotShot(unit, 'unit-org-pilots');
    });

    await step('the pilot register lists it', async () => {
      await nav(unit, '/pilots');
      await unit.selectOption('form.filters select[name=level]', 'county');
      await clickAndWait(unit, unit.locator('form.filters button[type=submit]'));
      const rows = await unit.locator('table.table tbody tr').allInnerTexts();
      assert.ok(rows.some((r) => r.includes('县级') && r.includes(YEAR)), `rows: ${rows}`);
      await noProblems(unit, unit.url());
      await pilotShot(unit, 'unit-pilot-register');
    });
    const secs = (Date.now() - t0) / 1000;
    log(`pilot journey took ${secs.toFixed(1)} s`);
  });

  test('a 六有 item is returned with a reason, fixed, resubmitted and accepted', { timeout: 90_000 }, async () => {
    const t0 = Date.now();
    const unit = await as('unit');
    await unit.goto('/');
    let sheetUrl;
    let caseTitle;

    const evidence = {
      organisation: '成立产改工作领导小组,总经理任组长,工会主席任副组长。',
      plan: '《产改实施方案》经职代会审议通过。',
      tasks: `${YEAR}年产改任务清单共10项。`,
      guidance: '开展劳模工匠宣讲4场。',
      skills: '建立技能等级自主评价制度。',
      rights: '签订工资专项集体合同。',
    };

    await step(`the unit opens 六有建设 for ${YEAR}`, async () => {
      await clickAndWait(unit, unit.locator('nav.sidenav a.nav-link[href="/liuyou"]'));
      // The unit lands on its own sheet (the latest year with approved data); it picks the
      // current year.
      assert.match(new URL(unit.url()).pathname, /^\/liuyou\/\d+\/\d{4}$/);
      await clickAndWait(unit, unit.locator(`.page-header .actions a`, { hasText: YEAR }));
      sheetUrl = new URL(unit.url()).pathname;
      assert.ok(sheetUrl.endsWith(`/${YEAR}`), sheetUrl);
      const orgName = (await unit.locator('.page-header h1').innerText()).split(' · ')[0].trim();
      caseTitle = `${orgName} ${YEAR}年六有佐证`;
      await noProblems(unit, sheetUrl);
      await liuyouShot(unit, 'unit-sheet-empty');
    });

    await step('the unit fills the six items', async () => {
      for (const [item, text] of Object.entries(evidence)) {
        const card = unit.locator(`.card#${item}`);
        await card.locator('textarea[name=text]').fill(text);
        if (item === 'plan') {
          await card.locator('input[type=file][name=files]').setInputFiles({
            name: '产改实施方案.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 产改实施方案\n'),
          });
        }
        await clickAndWait(unit, card.locator('button[type=submit]'));
        assert.equal(await unit.locator('main > .alert-error').count(), 0, `saving ${item}`);
        assert.ok(unit.url().includes(sheetUrl));
        assert.match(await unit.locator(`.card#${item} .pre`).innerText(), new RegExp(text.slice(0, 6)));
      }
      await liuyouShot(unit, 'unit-sheet-filled');
    });

    await step('the unit submits the year', async () => {
      await clickAndWait(unit, unit.locator(`form[action="${sheetUrl}/submit"] button[type=submit]`));
      assert.equal(await unit.locator('main > .alert-error').count(), 0);
      const badges = await unit.locator('.liuyou-items .card-title .badge').allInnerTexts();
      assert.deepEqual(badges, Array(6).fill('待审核'));
      await noProblems(unit, sheetUrl);
      await liuyouShot(unit, 'unit-submitted');
    });

    const district = await as('tianning');
    const reason = '实施方案未见职代会审议记录,请补充会议决议';
    await step('the district opens the case from its inbox and the sheet from the case', async () => {
      await nav(district, '/inbox');
      const link = district.locator('table.table tbody tr a', { hasText: caseTitle });
      assert.equal(await link.count(), 1, `"${caseTitle}" is in the district's inbox`);
      await clickAndWait(district, link);
      await liuyouShot(district, 'district-case');
      await clickAndWait(district, district.locator(`#items a[href="${sheetUrl}"]`));
      assert.equal(new URL(district.url()).pathname, sheetUrl);
    });

    await step('the district returns 有产改实施方案 with a reason and accepts the others', async () => {
      const plan = district.locator('.card#plan');
      await plan.locator('input[name=reason]').fill(reason);
      await liuyouShot(district, 'district-returning');
      await clickAndWait(district, plan.locator('button[name=decision][value=return]'));
      for (const item of Object.keys(evidence).filter((i) => i !== 'plan')) {
        await clickAndWait(district, district.locator(`.card#${item} button[name=decision][value=accept]`));
        assert.equal(await district.locator('main > .alert-error').count(), 0, `accepting ${item}`);
      }
      const badges = await district.locator('.liuyou-items .card-title .badge').allInnerTexts();
      assert.deepEqual(badges, ['已通过', '已退回', '已通过', '已通过', '已通过', '已通过']);
      await noProblems(district, sheetUrl);
      await liuyouShot(district, 'district-reviewed');
    });

    await step('the unit is told and sees the reason on its sheet', async () => {
      const notes = await notifications(unit);
      log(`unit notifications: ${notes.join(' | ')}`);
      const returned = unit.locator('ul.notifications li', { hasText: '已退回修改' }).first();
      assert.ok(await returned.count(), `notifications: ${notes}`);
      await liuyouShot(unit, 'unit-notified-returned');
      await clickAndWait(unit, returned.locator('a'));
      // The case page lists the returned item with its reason and leads to the sheet.
      assert.match(await unit.locator('#items').innerText(), new RegExp(reason));
      await clickAndWait(unit, unit.locator(`#items a[href="${sheetUrl}"]`));
      const plan = unit.locator('.card#plan');
      assert.equal(await plan.locator('.card-title .badge').innerText(), '已退回');
      assert.match(await plan.locator('.alert-error').innerText(), new RegExp(reason));
      await liuyouShot(unit, 'unit-sees-reason');
    });

    await step('the unit fixes the item and resubmits', async () => {
      const plan = unit.locator('.card#plan');
      await plan.locator('textarea[name=text]').fill(
        '《产改实施方案》经第三届职代会第二次会议审议通过(附会议决议)。');
      await plan.locator('input[type=file][name=files]').setInputFiles({
        name: '职代会决议.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 职代会决议\n'),
      });
      await clickAndWait(unit, plan.locator('button[type=submit]'));
      assert.equal(await unit.locator('main > .alert-error').count(), 0, 'saving the fixed item');
      assert.match(await unit.locator('.card#plan .files').innerText(), /职代会决议\.pdf/);
      await clickAndWait(unit, unit.locator(`form[action="${sheetUrl}/submit"] button[type=submit]`));
      const badges = await unit.locator('.liuyou-items .card-title .badge').allInnerTexts();
      assert.deepEqual(badges, ['已通过', '待审核', '已通过', '已通过', '已通过', '已通过']);
      await noProblems(unit, sheetUrl);
      await liuyouShot(unit, 'unit-resubmitted');
    });

    await step('the district accepts the fixed item; the year is approved', async () => {
      await district.goto(sheetUrl);
      const plan = district.locator('.card#plan');
      assert.match(await plan.innerText(), /职代会决议\.pdf/);
      await liuyouShot(district, 'district-sees-fix');
      await clickAndWait(district, plan.locator('button[name=decision][value=accept]'));
      const badges = await district.locator('.liuyou-items .card-title .badge').allInnerTexts();
      assert.deepEqual(badges, Array(6).fill('已通过'));
      await clickAndWait(district, district.locator('main p a[href^="/cases/"]').first());
      assert.equal(await statusBadge(district), '已通过');
      await noProblems(district, district.url());
      await liuyouShot(district, 'district-case-approved');
    });

    await step('the unit is told the year was approved', async () => {
      const notes = await notifications(unit);
      log(`unit notifications: ${notes.join(' | ')}`);
      assert.match(notes[0] || '', /已通过[:：]/);
      assert.ok(notes[0].endsWith(caseTitle), `newest: ${notes[0]}`);
      await liuyouShot(unit, 'unit-notified-approved');
    });
    log(`六有 journey took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});
