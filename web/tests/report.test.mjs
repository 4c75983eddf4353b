// The batch's report.html as an analyst opens and prints it, in Chromium: no chart text cut by
// its picture or printed over another, first columns on one line, every count with its
// separators, no axe violation, headings kept with what follows them in print. The report is
// the one `cargo xtask test` writes from a generated national file (ONSHI_REPORT names it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const artefacts = process.env.ONSHI_ARTEFACTS ?? '.';
const report = process.env.ONSHI_REPORT ?? join(artefacts, 'report/out/report.html');
let browser;

before(async () => {
  assert.ok(existsSync(report), `${report} is missing: run \`cargo xtask test\`, which writes it with onshi batch, or set ONSHI_REPORT`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
});
after(async () => { await browser?.close(); });

/** Opens the report at `width` with every table unfolded. */
async function open(width) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(pathToFileURL(report).href);
  await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
  return page;
}

// In the page: every <text> of every chart, measured in the chart's own units against its
// viewBox and against the other texts of the chart. Each fault is described.
function chartFaults(root = document) {
  const faults = [];
  for (const svg of root.querySelectorAll('svg')) {
    const vb = svg.viewBox.baseVal;
    const name = svg.getAttribute('aria-label') ?? svg.querySelector('text')?.textContent ?? '(chart)';
    const texts = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent, b: t.getBBox() }));
    for (const { t, b } of texts) {
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5) {
        faults.push(`${name}: 「${t}」 is cut by the picture's edge`);
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const [a, c] = [texts[i].b, texts[j].b];
        const w = Math.min(a.x + a.width, c.x + c.width) - Math.max(a.x, c.x);
        const h = Math.min(a.y + a.height, c.y + c.height) - Math.max(a.y, c.y);
        if (w > 1 && h > 1) faults.push(`${name}: 「${texts[i].t}」 overprints 「${texts[j].t}」`);
      }
    }
  }
  return faults;
}

test('the check itself catches a chart text cut at the edge and two texts on one another', async () => {
  const page = await browser.newPage();
  await page.setContent(`<svg viewBox="0 0 100 40" width="100" height="40" aria-label="probe">
    <text x="0" y="20" text-anchor="middle" font-size="13">clipped title</text>
    <text x="60" y="30" font-size="13">a</text><text x="60" y="30" font-size="13">b</text></svg>`);
  const faults = await page.evaluate(chartFaults);
  assert.ok(faults.some((f) => f.includes('clipped title') && f.includes('edge')), faults.join('\n'));
  assert.ok(faults.some((f) => f.includes('overprints')), faults.join('\n'));
  await page.close();
});

for (const width of [1280, 800]) {
  test(`at ${width} px no chart text is cut or printed over another`, async () => {
    const page = await open(width);
    const faults = await page.evaluate(chartFaults);
    assert.deepEqual(faults, []);
    assert.ok(await page.locator('svg').count() >= 8, 'the report has its charts');
    await page.screenshot({ path: join(artefacts, `report-${width}.png`), fullPage: true });
    await page.close();
  });
}

test('the first column of every table keeps its name on one line, and no table leaves the page', async () => {
  const page = await open(1280);
  const faults = await page.evaluate(() => {
    const out = [];
    const main = document.querySelector('main').getBoundingClientRect();
    for (const cell of document.querySelectorAll('tr > :first-child')) {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
      if (cell.tagName === 'TD' && lines > 1) out.push(`「${cell.textContent}」 takes ${lines} lines`);
    }
    for (const t of document.querySelectorAll('table')) {
      const r = t.getBoundingClientRect();
      if (r.right > main.right + 1) out.push(`the table headed 「${t.querySelector('th')?.textContent}」 leaves the page by ${Math.round(r.right - main.right)} px`);
    }
    return out;
  });
  assert.deepEqual(faults, []);
  await page.close();
});

test('every figure in a table carries its thousands separators', async () => {
  const page = await open(1280);
  const bare = await page.evaluate(() => [...document.querySelectorAll('td, dd')]
    .flatMap((c) => c.textContent.match(/(?<![\d,.\-:/])\d{5,}(?![\d,])/g) ?? [])
    .filter((n) => !/^20\d\d$/.test(n)));
  assert.deepEqual(bare, []);
  await page.close();
});

test('the head says what run this is, and the report has its definitions and rejects', async () => {
  const page = await open(1280);
  const text = await page.locator('main').innerText();
  for (const want of ['実行日', 'onshi ', '規則', '用語と計算の方法', '除外した行（理由別）', '過大申請の計', '差引', 'rejects.csv']) {
    assert.ok(text.includes(want), `the report lacks 「${want}」`);
  }
  assert.match(text, /令和\d+年/, 'the run date in 和暦 beside ISO');
  const links = await page.locator('a[href="grants.csv"], a[href="summary.xlsx"]').count();
  assert.equal(links, 2, 'links to the outputs beside the report');
  await page.close();
});

test('the report has no axe WCAG 2.1 AA violation', async () => {
  const page = await open(1280);
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), []);
  await page.close();
});

test('printed on A4, headings stay with what follows them and no chart or row is split', async () => {
  const page = await open(1280);
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true, margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' } });
  writeFileSync(join(artefacts, 'report.pdf'), pdf);
  assert.ok(Number(/\/Count (\d+)/.exec(pdf.toString('latin1'))?.[1]) > 1, 'the report prints');
  // Chromium paginates by these properties; the PDF is kept to look at.
  const loose = await page.evaluate(() => [
    ...[...document.querySelectorAll('h2, h3, caption, figcaption')].filter((e) => getComputedStyle(e).breakAfter !== 'avoid'),
    ...[...document.querySelectorAll('figure, tr')].filter((e) => getComputedStyle(e).breakInside !== 'avoid'),
  ].map((e) => `${e.tagName}: ${e.textContent.slice(0, 40)}`));
  assert.deepEqual(loose, []);
  await page.close();
});
