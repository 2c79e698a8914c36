// Browser journey of an import (issue #10, "the import result never appears"): as the
// district user 天宁区, download the organisations template from the import page, take its
// column headers from the workbook itself, write a CSV with one good row and one row whose
// 统一社会信用代码 has a wrong check character, upload it with 跳过无效行, and see the
// result — whether the job finished before the page was rendered or is polled by htmx:
// the counts, the sentence that the valid row was written, the problem under the
// template's column name and the rejected-rows download; then find the job in 导入记录.
// Screenshots go to target/e2e-import-*.png.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/import-result.test.mjs
// Environment: GONGJIANG_BIN, CHROMIUM, E2E_VERBOSE=1, E2E_KEEP=1 (see helpers.mjs).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { DemoServer, launchChromium, REPO_ROOT, TARGET_DIR, sleep } from './helpers.mjs';

const log = (...args) => console.log('[e2e-import]', ...args);

// ---------- a minimal .xlsx reader: enough to take the header row of a sheet ----------

/// The files of a zip archive (stored or deflated), by name.
function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'the template is a zip archive (.xlsx)');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'zip central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, method === 0 ? data : zlib.inflateRawSync(data));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const unescapeXml = (s) => s
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/// The first row of the sheet named `sheetName`, as text.
function headerRow(xlsx, sheetName) {
  const files = unzip(xlsx);
  const text = (name) => {
    const f = files.get(name);
    assert.ok(f, `${name} in the workbook`);
    return f.toString('utf8');
  };
  const workbook = text('xl/workbook.xml');
  const sheet = [...workbook.matchAll(/<sheet\b[^>]*>/g)].map((m) => m[0])
    .find((tag) => tag.includes(`name="${sheetName}"`));
  assert.ok(sheet, `sheet ${sheetName} in the template`);
  const rid = /r:id="([^"]+)"/.exec(sheet)[1];
  const rels = text('xl/_rels/workbook.xml.rels');
  const rel = [...rels.matchAll(/<Relationship\b[^>]*>/g)].map((m) => m[0])
    .find((tag) => tag.includes(`Id="${rid}"`));
  let target = /Target="([^"]+)"/.exec(rel)[1];
  target = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  const shared = files.has('xl/sharedStrings.xml')
    ? [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)]
      .map((m) => unescapeXml([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')))
    : [];
  const row = /<row\b[^>]*>([\s\S]*?)<\/row>/.exec(text(target));
  assert.ok(row, 'a header row');
  return [...row[1].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)].map((c) => {
    const attrs = c[1];
    const body = c[2] || '';
    if (/t="s"/.test(attrs)) return shared[Number(/<v>([^<]*)<\/v>/.exec(body)[1])];
    const t = /<t[^>]*>([\s\S]*?)<\/t>/.exec(body) || /<v>([^<]*)<\/v>/.exec(body);
    return t ? unescapeXml(t[1]) : '';
  });
}

/// A valid 统一社会信用代码 (GB 32100) ending in `n`, in 天宁区.
function uscc(n) {
  const ALPHA = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body = `91320402MA${String(n).padStart(7, '0')}`;
  const sum = [...body].reduce((s, ch, i) => s + ALPHA.indexOf(ch) * W[i], 0);
  return body + ALPHA[(31 - (sum % 31)) % 31];
}

// ---------- the server and the browser ----------

const server = new DemoServer({ prefix: 'gongjiang-e2e-import-', log });
let browser;
let page;
let problems = [];

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
  } catch (err) {
    log(`FAIL: ${name} (url: ${page?.url()})`);
    if (page) await shot(`e2e-import-failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`).catch(() => {});
    console.error(`--- server output (tail) ---\n${server.output().slice(-3000)}`);
    throw err;
  }
}

async function noProblems(where) {
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle').catch(() => {});
  await sleep(150);
  const seen = problems;
  problems = [];
  assert.deepEqual(seen, [], `${where}: the browser reported problems:\n${seen.join('\n')}`);
}

async function downloadBytes(locator) {
  const [download] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: await fs.readFile(file) };
}

describe('import: template → upload → result → history (browser)', { timeout: 300_000 }, () => {
  before(async () => {
    await server.start();
    browser = await launchChromium();
    const context = await browser.newContext({
      baseURL: server.url,
      locale: 'zh-CN',
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true,
    });
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
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const at = msg.location()?.url || '';
      if (at.endsWith('/favicon.ico')) return;
      problems.push(`console error: ${msg.text()} at ${at}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  });

  after(async () => {
    try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
    await server.stop();
  });

  test('a file with one bad row: the result, the written row, the history', async () => {
    await step('sign in as the district', async () => {
      await page.goto('/login');
      const form = page.locator('form', { has: page.locator('input[name=password]') });
      await form.locator('input[name=username]').fill('tianning');
      await form.locator('input[name=password]').fill('gongjiang-demo');
      await Promise.all([
        page.waitForURL((u) => u.pathname !== '/login'),
        form.locator('button[type=submit]').first().click(),
      ]);
    });

    let headers;
    await step('download the organisations template from the import page', async () => {
      await page.goto('/imports');
      await noProblems('/imports');
      const { name, bytes } = await downloadBytes(page.locator('a[href="/imports/template/orgs"]'));
      assert.equal(name, 'orgs-template.xlsx');
      headers = headerRow(bytes, '单位');
      log(`template headers: ${headers.join(', ')}`);
      assert.ok(headers.some((h) => h.startsWith('统一社会信用代码')), headers.join(','));
    });

    const good = uscc(777_001);
    const bad = '91320402MA1XXXXX00';
    const fileName = `e2e-${Date.now()}.csv`;
    await step('fill it (as CSV) with one good and one bad row and upload it, skipping invalid rows', async () => {
      const row = (values) => headers.map((h) => values[h.replace(/\*$/, '')] ?? '').join(',');
      const lines = [
        headers.join(','),
        row({ 单位名称: '浏览器导入有限公司', 统一社会信用代码: good, 单位类型: '企业', 所属区划代码: '320402', 是否链主企业: '否' }),
        row({ 单位名称: '浏览器坏码有限公司', 统一社会信用代码: bad, 单位类型: '企业', 所属区划代码: '320402', 是否链主企业: '否' }),
      ];
      await page.selectOption('#f-kind', 'orgs');
      await page.setInputFiles('#f-file', {
        name: fileName,
        mimeType: 'text/csv',
        buffer: Buffer.from(lines.join('\n') + '\n', 'utf8'),
      });
      await page.check('input[name=skip_invalid]');
      await Promise.all([
        page.waitForURL((u) => /^\/imports\/[0-9a-f]{16}$/.test(u.pathname)),
        page.click('form[action="/imports"] button[type=submit]'),
      ]);
    });

    const jobPath = new URL(page.url()).pathname;
    await step('the result appears (rendered, or swapped in by the poll)', async () => {
      const result = page.locator('[data-import-result="done"]');
      await result.waitFor({ timeout: 30_000 });
      const text = await result.innerText();
      assert.match(text, /1 行无效被跳过/, text);
      assert.match(text, /其余 1 行有效数据已写入/, text);
      assert.equal((await page.locator('[data-count="created"]').innerText()).trim(), '1');
      assert.equal((await page.locator('[data-count="rejected"]').innerText()).trim(), '1');
      const cells = await page.locator('table.table tbody tr').first().locator('td').allInnerTexts();
      assert.equal(cells[0].trim(), '3', `the bad row is row 3: ${cells}`);
      assert.equal(cells[1].trim(), '统一社会信用代码', `${cells}`);
      assert.match(cells[2], /校验/, `${cells}`);
      assert.equal(await page.locator('text=正在校验').count(), 0);
      await noProblems(jobPath);
      await shot('e2e-import-result.png');
    });

    await step('the rejected rows download', async () => {
      const { name, bytes } = await downloadBytes(page.locator(`a[href="${jobPath}/rejected.xlsx"]`));
      assert.equal(name, 'orgs-rejected.xlsx');
      assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    });

    await step('reopening the page shows the same result at once', async () => {
      await page.goto(jobPath);
      await noProblems(jobPath);
      assert.equal(await page.locator('[data-import-result="done"]').count(), 1);
      assert.equal(await page.locator('[hx-trigger]').count(), 0, 'no polling once done');
    });

    await step('the import history lists the job and leads back to it', async () => {
      await page.goto('/imports/history');
      await noProblems('/imports/history');
      const line = page.locator('table[data-import-history] tbody tr', { hasText: fileName });
      assert.equal(await line.count(), 1);
      const text = await line.innerText();
      assert.match(text, /单位名录/, text);
      assert.match(text, /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/, text);
      assert.match(text, /部分写入/, text);
      await shot('e2e-import-history.png');
      await Promise.all([
        page.waitForURL((u) => u.pathname === jobPath),
        line.locator(`a[href="${jobPath}"]`).first().click(),
      ]);
    });

    await step('a larger file: the progress is polled until the result replaces it', async () => {
      await page.goto('/imports');
      const row = (values) => headers.map((h) => values[h.replace(/\*$/, '')] ?? '').join(',');
      const lines = [headers.join(',')];
      for (let i = 0; i < 4000; i++) {
        lines.push(row({ 单位名称: `轮询测试${i}有限公司`, 统一社会信用代码: uscc(780_000 + i), 单位类型: '企业', 所属区划代码: '320402', 是否链主企业: '否' }));
      }
      lines.push(row({ 单位名称: '轮询坏码有限公司', 统一社会信用代码: bad, 单位类型: '企业', 所属区划代码: '320402', 是否链主企业: '否' }));
      await page.selectOption('#f-kind', 'orgs');
      await page.setInputFiles('#f-file', {
        name: 'large.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(lines.join('\n') + '\n', 'utf8'),
      });
      await page.check('input[name=dry_run]');
      await Promise.all([
        page.waitForURL((u) => /^\/imports\/[0-9a-f]{16}$/.test(u.pathname)),
        page.click('form[action="/imports"] button[type=submit]'),
      ]);
      const polled = await page.locator('[data-import-running]').count();
      log(polled ? 'the page opened while the job ran: polling' : 'the job had finished before the page was rendered');
      if (polled) await shot('e2e-import-progress.png');
      const result = page.locator('[data-import-result="done"]');
      await result.waitFor({ timeout: 120_000 });
      const text = await result.innerText();
      assert.match(text, /未写入任何数据/, text);
      assert.equal((await page.locator('[data-count="would_create"]').innerText()).trim(), '4,000');
      assert.equal((await page.locator('[data-count="rejected"]').innerText()).trim(), '1');
      assert.equal(await page.locator('[data-import-running]').count(), 0);
      await noProblems('polled job page');
    });

    await step('the good row is in the register', async () => {
      await page.goto(`/orgs?q=${good}`);
      assert.match(await page.locator('main, body').first().innerText(), /浏览器导入有限公司/);
    });
  });
});
