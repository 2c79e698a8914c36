// Browser check of issue #10, point 10 (charts): on the street drill-down of the
// dashboard, the home chart, the task board and the pair graphs no two visible labels
// overlap and none is cut off at the chart's edge; a town's home says why it has no
// chart instead of showing an empty frame. Reads the text elements ECharts drew
// (zrender's display list) and compares their bounding boxes; screenshots go to
// target/e2e-charts-*.png.
//
// Run from the repository root (after `cargo build`):
//   (cd e2e && npm ci) && node --test e2e/charts.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DemoServer, launchChromium, newPage, noProblems, signIn, REPO_ROOT, TARGET_DIR, sleep } from './helpers.mjs';

const log = (...args) => console.log('[e2e-charts]', ...args);
const server = new DemoServer({ prefix: 'gongjiang-e2e-charts-', log });
let browser;

before(async () => {
  await server.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server.stop();
});

async function shot(page, name) {
  await fs.mkdir(TARGET_DIR, { recursive: true });
  const file = path.join(TARGET_DIR, `e2e-charts-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot -> ${path.relative(REPO_ROOT, file)}`);
}

// The visible text labels of the chart in `selector`: their text and bounding box in
// the chart's own pixels, and the chart's size.
async function labels(page, selector) {
  const el = page.locator(selector).first();
  await el.locator('canvas').first().waitFor();
  await sleep(3000); // the force layout and the animations settle
  return el.evaluate((dom) => {
    const chart = window.echarts.getInstanceByDom(dom);
    const zr = chart.getZr();
    const out = [];
    // Texts (zrender's ZRText, type "text") hang in the element tree; the display list
    // holds only their spans.
    const walk = (e) => {
      if (e.ignore || e.invisible) return;
      if (e.type === 'text') {
        const text = String(e.style.text || '');
        if (text.trim() && e.style.opacity !== 0) {
          e.updateTransform && e.updateTransform();
          const r = e.getBoundingRect().clone();
          const m = e.getComputedTransform();
          if (m) r.applyTransform(m);
          out.push({ text, x: r.x, y: r.y, w: r.width, h: r.height });
        }
      }
      if (e.childrenRef) e.childrenRef().forEach(walk);
      const t = e.getTextContent && e.getTextContent();
      if (t) walk(t);
    };
    zr.storage.getRoots().forEach(walk);
    return { labels: out, width: zr.getWidth(), height: zr.getHeight() };
  });
}

function assertApart({ labels: ls, width, height }, where, { inside = true } = {}) {
  assert.ok(ls.length > 0, `${where}: no labels drawn`);
  for (let i = 0; i < ls.length; i++) {
    const a = ls[i];
    if (inside) {
      assert.ok(a.x >= -0.5 && a.y >= -0.5 && a.x + a.w <= width + 0.5 && a.y + a.h <= height + 0.5,
        `${where}: "${a.text}" is cut off at the edge (${JSON.stringify(a)}, chart ${width}×${height})`);
    }
    for (let j = i + 1; j < ls.length; j++) {
      const b = ls[j];
      // 0.5 px of slack for anti-aliased edges that merely touch.
      const overlap = a.x + a.w > b.x + 0.5 && b.x + b.w > a.x + 0.5 && a.y + a.h > b.y + 0.5 && b.y + b.h > a.y + 0.5;
      assert.ok(!overlap, `${where}: "${a.text}" overlaps "${b.text}" (${JSON.stringify(a)} ${JSON.stringify(b)})`);
    }
  }
}

test('chart labels never overlap and empty charts say why', async () => {
  const page = await newPage(browser, server.url);
  // The town account's street (19 units with pilots), opened by its district.
  const bars = '[data-chart-kind=bars]';
  await signIn(page, 'town');
  await page.goto('/dashboard');
  const street = await page.locator('form.filters input[name=org]').getAttribute('value');
  await signIn(page, 'tianning');
  await page.goto(`/dashboard?org=${street}`);
  await noProblems(page, 'street dashboard');
  const sj = JSON.parse(await page.locator(bars).getAttribute('data-chart'));
  assert.equal(sj.horizontal, true, 'horizontal bars on the street drill-down');
  const street_labels = await labels(page, bars);
  log(`street ${street}: ${sj.names.length} bars, ${street_labels.labels.length} labels`);
  await shot(page, 'street');
  assertApart(street_labels, 'street drill-down');
  // Every bar has its name on the axis (none hidden to make room).
  const names = new Set(street_labels.labels.map((l) => l.text));
  for (const n of sj.names) {
    assert.ok([...names].some((t) => t === n || (t.endsWith('…') && n.startsWith(t.slice(0, -1)))), `no label for ${n}`);
  }

  // The home chart: the long zone names fit.
  await signIn(page, 'city');
  await page.goto('/');
  await noProblems(page, 'home');
  const home = await labels(page, '#chart-districts');
  await shot(page, 'home');
  assertApart(home, 'home chart');
  assert.ok(home.labels.some((l) => l.text.startsWith('常州国家高新')), 'the long name is drawn');

  // The task board's chart by lead unit and the pair graphs.
  await page.goto('/tasks');
  await noProblems(page, 'tasks');
  const units = await labels(page, '[data-chart-kind=units]');
  await shot(page, 'tasks');
  assertApart(units, 'tasks by unit');
  const pie = await labels(page, '[data-chart-kind=status]');
  assertApart(pie, 'tasks by status', { inside: false });
  await page.goto('/pairs');
  await noProblems(page, 'pairs');
  const graphs = await page.locator('.chart-graph').count();
  assert.ok(graphs > 0, 'pair graphs');
  for (let i = 0; i < graphs; i++) {
    // Every label, the legend's too, inside the frame and apart from the others.
    assertApart(await labels(page, `.pair-graphs .card:nth-child(${i + 1}) .chart-graph`), `pair graph ${i + 1}`);
  }
  await shot(page, 'pairs');

  // A town's home: a sentence, no empty frame.
  await signIn(page, 'town');
  await page.goto('/');
  await noProblems(page, 'town home');
  assert.equal(await page.locator('[data-chart]').count(), 0, 'no empty chart frame');
  assert.match(await page.locator('#chart-districts-none').innerText(), /^暂无数据：/);
  await shot(page, 'town-home');
  await page.context().close();
});
