// The page in headless Chromium (Debian's, driven by playwright-core), as a person uses it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { serve } from '../serve.mjs';

const web = process.env.ONSHI_WEB_DIR;
const artefacts = process.env.ONSHI_ARTEFACTS ?? '.';
let server; let browser; let origin;

before(async () => {
  server = await serve(web, 0);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(artefacts, { recursive: true });
});
after(async () => { await browser?.close(); server?.close(); });

async function open(viewport = { width: 1000, height: 1400 }) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`); });
  await page.goto(`${origin}/`);
  await page.waitForSelector('#loading', { state: 'hidden' });
  return { page, problems, context };
}

const grant = (page) => page.locator('#r-grant dd').textContent();

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('loads with no console error and no request outside its origin', async () => {
  const { page, problems, context } = await open();
  assert.match(await page.locator('h1').textContent(), /補助金/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('clinic with the start pack: 279,000円 special; 209,000円 after 2021-03-31', async () => {
  const { page, problems, context } = await open();
  await page.check('input[name=kind][value=clinic]');
  await page.check('input[name=cost-mode][value=items]');
  await page.click('#preset-existing');
  await page.fill('#reader_applied_on', '2021-02-10');
  assert.match(await grant(page), /^279,000円/);
  assert.match(await page.locator('#r-regime dd').textContent(), /特例/);
  assert.match(await page.locator('#r-form dd').textContent(), /別紙特例様式5/);
  await page.fill('#reader_applied_on', '2021-05-10');
  assert.match(await grant(page), /^209,000円/);
  assert.match(await page.locator('#r-regime dd').textContent(), /通常/);
  await page.fill('#reader_applied_on', 'R3.2.10');
  await page.fill('#start_on', '2021-06-01');
  await page.click('#why summary');
  await page.screenshot({ path: join(artefacts, 'page-ja.png'), fullPage: true });
  await page.click('#lang-toggle');
  assert.match(await grant(page), /^¥279,000/);
  await page.screenshot({ path: join(artefacts, 'page-en.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('hospital, 3 readers applied on 2021-03-31, 5,000,000 yen: 1,903,000円', async () => {
  const { page, context } = await open();
  await page.check('input[name=kind][value=hospital]');
  await page.fill('#readers', '3');
  await page.fill('#reader_applied_on', '2021-03-31');
  await page.fill('#total_cost', '5,000,000');
  assert.match(await grant(page), /^1,903,000円/);
  await context.close();
});

test('an invalid amount shows an error in words next to its field', async () => {
  const { page, context } = await open();
  await page.fill('#total_cost', '12,34');
  const err = await page.locator('#err-total_cost').textContent();
  assert.match(err, /12,34/);
  assert.doesNotMatch(err, /NaN|undefined/);
  assert.equal(await page.getAttribute('#total_cost', 'aria-invalid'), 'true');
  await page.fill('#total_cost', '279,950');
  assert.equal(await page.locator('#err-total_cost').textContent(), '');
  await context.close();
});

test('the English toggle changes the labels', async () => {
  const { page, context } = await open();
  assert.equal(await page.locator('label[for=readers]').textContent(), '顔認証付きカードリーダーの申込台数');
  await page.click('#lang-toggle');
  assert.equal(await page.locator('label[for=readers]').textContent(), 'Card readers applied for');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.locator('h1').textContent(), /Estimate/);
  await context.close();
});

test('the plan lists the steps in date order', async () => {
  const { page, context } = await open();
  await page.fill('#start_on', '令和3年6月1日');
  await page.selectOption('#line', 'isdn');
  const dates = await page.locator('.plan .plan-date').allTextContents();
  assert.ok(dates.length >= 8, `${dates.length} steps`);
  const iso = dates.map((d) => d.slice(0, 10));
  assert.deepEqual(iso, [...iso].sort());
  assert.match(await page.locator('#plan').textContent(), /ISDN/);
  await context.close();
});

test('no WCAG 2.1 AA violation (axe), in both languages and with results shown', async () => {
  const { page, context } = await open();
  await page.check('input[name=cost-mode][value=items]');
  await page.click('#preset-new');
  await page.fill('#reader_applied_on', '2021-02-10');
  await page.fill('#start_on', '2021-06-01');
  await page.click('#why summary');
  assert.deepEqual(await axe(page), []);
  await page.click('#lang-toggle');
  assert.deepEqual(await axe(page), []);
  await page.fill('#readers', 'x');
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('works at 375 px wide and by keyboard', async () => {
  const { page, context } = await open({ width: 375, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `page is ${width}px wide`);
  await page.focus('#lang-toggle');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.focus('input[name=kind][value=clinic]');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('input[name=kind]:checked').getAttribute('value'), 'hospital');
  await context.close();
});

test('inputs are kept only when asked', async () => {
  const { page, context } = await open();
  await page.fill('#total_cost', '300,000');
  await page.reload();
  await page.waitForSelector('#loading', { state: 'hidden' });
  assert.equal(await page.inputValue('#total_cost'), '279,950');
  await page.check('#keep');
  await page.fill('#total_cost', '300,000');
  await page.reload();
  await page.waitForSelector('#loading', { state: 'hidden' });
  assert.equal(await page.inputValue('#total_cost'), '300,000');
  await context.close();
});
