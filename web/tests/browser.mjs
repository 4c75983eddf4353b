// The page in headless Chromium (Debian's, driven by playwright-core), shared by the browser
// test files: one server and one browser per file, pages opened as a person opens them.
import { before, after } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { serve } from '../serve.mjs';

const web = process.env.ONSHI_WEB_DIR;
export const artefacts = process.env.ONSHI_ARTEFACTS ?? '.';
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

/** The page's address, with a fragment (the inputs of a link) when given. */
export const url = (hash = '') => `${origin}/${hash ? `#${hash}` : ''}`;

/** A fresh browser context (no service worker: every test loads the page it was given). */
export const newContext = (options = {}) => browser.newContext({ serviceWorkers: 'block', ...options });

/** Opens the page; `problems` collects console errors, page errors and requests outside the page. */
export async function open(viewport = { width: 1000, height: 1400 }, hash = '') {
  const context = await newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`); });
  await page.goto(url(hash));
  await page.waitForSelector('#loading', { state: 'hidden' });
  return { page, problems, context };
}

export const grant = (page) => page.locator('#r-grant dd').textContent();

/** The schedule folds once applications have closed: open it to use it. */
export async function openPlan(page) {
  if (!(await page.locator('#plan-details').evaluate((d) => d.open))) await page.click('#plan-summary');
}

export async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Prints the page as `view` to an A4 PDF; its page count, and the sheet's height in print. */
export async function printed(page, view, file) {
  await page.evaluate((v) => { document.body.dataset.print = v; }, view);
  await page.emulateMedia({ media: 'print' });
  const sheetHeight = await page.evaluate(() => document.getElementById('sheet')?.getBoundingClientRect().height ?? 0);
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  writeFileSync(join(artefacts, file), pdf);
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => { delete document.body.dataset.print; });
  const pages = Number(/\/Count (\d+)/.exec(pdf.toString('latin1'))?.[1]);
  return { pages, sheetHeight };
}
