// What a person meets around the figures (issue: the answer beside the question, forms that
// never break, plain words): the layout at 1280 and 375 px, the form's text never overprinted,
// printing what is in view, the result on one A4 page, and the words of the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artefacts, axe, grant, newContext, open, printed, url } from './browser.mjs';
import { overlaps } from './overlap.mjs';

const WIDE = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 800 };
const inView = (page, sel) => page.locator(sel).evaluate((n) => { const r = n.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.width > 0; });

for (const lang of ['ja', 'en']) {
  test(`1280 px (${lang}): the result is a column beside the inputs, in view while typing; the page is at most 4,000 px tall`, async () => {
    const { page, problems, context } = await open(WIDE, `lang=${lang}`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 4000, `the fresh page is ${height}px tall`);
    const form = await page.locator('#form').boundingBox();
    const result = await page.locator('.result').boundingBox();
    assert.ok(result.x >= form.x + form.width, 'the result stands to the right of the inputs');
    await page.locator('#total_cost').scrollIntoViewIfNeeded();
    await page.fill('#total_cost', '300,000');
    assert.ok(await inView(page, '#r-grant'), 'the grant is in view beside the cost field');
    assert.match(await grant(page), lang === 'ja' ? /^225,000円（約23万円）$/ : /^¥225,000$/);
    // Below the inputs the result scrolls away: it never covers the form or the fields after it.
    for (const sel of ['#sheet', '#disposed_on', '#share-link']) {
      await page.locator(sel).scrollIntoViewIfNeeded();
      const [r, x] = [await page.locator('.result').boundingBox(), await page.locator(sel).boundingBox()];
      const apart = r.y + r.height <= x.y || x.y + x.height <= r.y || r.x + r.width <= x.x || x.x + x.width <= r.x;
      assert.ok(apart, `the result covers ${sel}`);
    }
    await page.screenshot({ path: join(artefacts, `page-1280-${lang}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`375 px (${lang}): a bar gives the grant while the inputs are in view, and gives way to the result`, async () => {
    const { page, context } = await open(PHONE, `lang=${lang}`);
    await page.locator('#readers').scrollIntoViewIfNeeded();
    assert.ok(await page.locator('#summary-bar').isVisible(), 'the bar shows over the inputs');
    await page.fill('#reader_applied_on', '2021-02-10');
    assert.match(await page.locator('#summary-bar').textContent(), lang === 'ja' ? /補助金 279,000円・自己負担 950円・特例補助/ : /Grant ¥279,000, you pay ¥950, Special regime/);
    await page.locator('#h-result').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.getElementById('summary-bar').hidden);
    await page.click('#lang-toggle');
    const toggle = await page.locator('#lang-toggle').boundingBox();
    assert.ok(toggle.height < 60, `the language button stays on one line (${toggle.height}px)`);
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: join(artefacts, `page-375-${lang}.png`), fullPage: true });
    await context.close();
  });
}

// The special sheet (clinic and hospital) and the standard one, filled and blank.
const SHEETS = {
  special: 'kind=clinic&readers=1&reader_applied_on=2021-02-10&total_cost=279950&name=%E3%81%8A%E3%82%93%E3%81%97%E5%86%85%E7%A7%91',
  standard: 'kind=clinic&readers=1&total_cost=279950',
  hospital: 'kind=hospital&readers=3&reader_applied_on=2021-03-31&total_cost=5000000&institution_code=3410712362',
};

test('no text of the form overprints another, from 320 px up and in print, in both languages', async () => {
  const faults = [];
  for (const [name, hash] of Object.entries(SHEETS)) {
    for (const lang of ['ja', 'en']) {
      const context = await newContext({ viewport: { width: 320, height: 800 } });
      const page = await context.newPage();
      await page.goto(url(`${hash}&lang=${lang}`));
      await page.waitForSelector('#loading', { state: 'hidden' });
      for (const width of [320, 375, 480, 640, 768, 1000, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        for (const f of await page.evaluate(overlaps, '#sheet')) faults.push(`${name} ${lang} ${width}px: ${f}`);
      }
      await page.evaluate(() => { document.body.dataset.print = 'form'; });
      await page.emulateMedia({ media: 'print' });
      for (const f of await page.evaluate(overlaps, '#sheet')) faults.push(`${name} ${lang} print: ${f}`);
      await context.close();
    }
  }
  assert.deepEqual(faults, []);
});

test('the overlap check finds text that overprints (it can fail)', async () => {
  const { page, context } = await open(PHONE, SHEETS.standard);
  // The sheet as it was before the fix: the date kept on one line in a row of narrow cells.
  await page.evaluate(() => {
    for (const n of document.querySelectorAll('#sheet .date-fill, #sheet .nb')) n.style.whiteSpace = 'nowrap';
    const table = document.querySelector('#sheet .sheet-amounts');
    table.style.display = 'table';
    table.querySelector('thead').style.display = 'table-header-group';
    table.querySelector('tbody').style.display = 'table-row-group';
    table.querySelector('tbody tr').style.display = 'table-row';
    for (const td of table.querySelectorAll('td')) td.style.display = 'table-cell';
  });
  const faults = await page.evaluate(overlaps, '#sheet');
  assert.ok(faults.some((f) => /overprints|leaves its cell/.test(f)), faults.join('\n'));
  await context.close();
});

const beforePrint = (page) => page.evaluate(() => {
  window.dispatchEvent(new Event('beforeprint'));
  const view = document.body.dataset.print;
  window.dispatchEvent(new Event('afterprint'));
  return view;
});

test('Ctrl+P prints what is in view: the form when opened at view=form or scrolled to it, else the result', async () => {
  const { page, context } = await open(WIDE, `${SHEETS.special}&view=form`);
  assert.equal(await beforePrint(page), 'form');
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.equal(await beforePrint(page), 'result');
  await page.locator('#sheet').scrollIntoViewIfNeeded();
  assert.equal(await beforePrint(page), 'form');
  await page.evaluate(() => { window.print = () => { window.printedAs = document.body.dataset.print; }; });
  await page.click('#print-result');
  assert.equal(await page.evaluate(() => window.printedAs), 'result', 'a button prints what it says');
  await context.close();
});

// A pharmacy with six line items, a deferral, a disposal and a code that does not fit: the longest result.
const LONG = 'kind=pharmacy&readers=1&group_rx_per_month=45%2C000&reader_applied_on=2022-11-01&contracted_on=2023-02-20&completed_on=2023-09-15&applied_on=2023-12-20&deferral=2&disposed_on=2024-05-01&name=%E3%81%8A%E3%82%93%E3%81%97%E8%96%AC%E5%B1%80&institution_code=3410712362'
  + [['network', 58300], ['terminal', 99000], ['network', 2200], ['network', 6600], ['recurring', 2200], ['line', 32780]]
    .map(([c, a], i) => `&line_items%5B${i}%5D.category=${c}&line_items%5B${i}%5D.amount=${a}`).join('');

for (const lang of ['ja', 'en']) {
  test(`the printed result (${lang}) is one A4 page with the institution, the inputs, the print date and the citations`, async () => {
    const { page, context } = await open(WIDE, `${LONG}&lang=${lang}`);
    const head = await page.locator('#print-head').textContent();
    assert.match(head, /おんし薬局/);
    assert.match(head, lang === 'ja' ? /印刷日：\d{4}年\d+月\d+日（令和\d+年）/ : /Printed on \d+ \w+ \d{4} \(Reiwa \d+\)/);
    assert.match(head, lang === 'ja' ? /見積の明細 6件（ネットワーク環境の整備 3件/ : /6 line items \(Network set-up: 3/);
    const print = await page.locator('#trace-print').textContent();
    assert.doesNotMatch(print, /categories\.|special_regime\.|after_grant\./, 'citations, not rule keys');
    assert.match(print, lang === 'ja' ? /保連発1130第1号/ : /Implementation Guidelines/);
    const { pages } = await printed(page, 'result', `result-long-${lang}.pdf`);
    assert.equal(pages, 1);
    await context.close();
  });
}

test('plain words: sentences lead, formulas sit behind 詳細; money, 和暦 dates, past dates marked', async () => {
  const { page, context } = await open(WIDE, 'kind=clinic&readers=1&reader_applied_on=2021-02-10&completed_on=2021-03-15&total_cost=279950');
  const explain = await page.locator('#explain').textContent();
  assert.match(explain, /費用 279,950円 は補助限度額 429,000円 以内なので、全額が補助の対象です。/);
  assert.match(explain, /通常の補助は、その4分の3です（どちらも1,000円未満は切り捨て）/);
  assert.match(explain, /特例補助（令和2年度の措置）となり、補助金は 279,000円 です/);
  const shown = await page.locator('main').innerText();
  assert.doesNotMatch(shown, /min\(|≤|categories\./, 'no formula or rule key outside the details');
  assert.doesNotMatch(shown, /\d\.\d+万円/, 'never 27.995万円');
  assert.equal(await grant(page), '279,000円（約28万円）');
  assert.equal(await page.locator('#why').evaluate((d) => d.open), false);
  await page.click('#why summary');
  assert.match(await page.locator('#trace').innerText(), /min\(/);
  assert.match(await page.locator('#a-retention dd').textContent(), /^2026年3月31日（令和8年） — 過ぎています$/);
  await page.fill('#total_cost', '5,000,000');
  assert.match(await page.locator('#explain').textContent(), /費用 5,000,000円 のうち、補助限度額の 429,000円 までが補助の対象です/);
  await context.close();
  // Before the date, it is not marked.
  const early = await newContext({ viewport: WIDE });
  const p2 = await early.newPage();
  await p2.clock.setFixedTime(new Date('2021-04-01T09:00:00'));
  await p2.goto(url('kind=clinic&readers=1&reader_applied_on=2021-02-10&completed_on=2021-03-15&total_cost=279950'));
  await p2.waitForSelector('#loading', { state: 'hidden' });
  assert.equal(await p2.locator('#a-retention dd').textContent(), '2026年3月31日（令和8年）');
  await early.close();
});

test('a hospital is told why its cap falls with more readers; "not applied yet" is said as such', async () => {
  const { page, context } = await open(WIDE, 'kind=hospital&readers=2&reader_applied_on=2021-03-31&total_cost=1500000');
  assert.match(await page.locator('#explain').textContent(), /1台増えるごとに 99,000円 ずつ下がります/);
  await page.check('#not-applied');
  const notices = await page.locator('#notices').textContent();
  assert.match(notices, /まだ申し込んでいない/);
  assert.doesNotMatch(notices, /提供申請日が未入力/);
  await context.close();
});

test('an error in an optional field leaves the result; every error is listed with a link to its field', async () => {
  const { page, context } = await open(WIDE, 'kind=clinic&readers=1&reader_applied_on=2021-02-10&total_cost=279950&institution_code=12345');
  assert.match(await grant(page), /^279,000円/);
  const list = page.locator('#errors .error-summary a');
  assert.equal(await list.count(), 1);
  assert.match(await list.textContent(), /医療機関コード（10桁）：「12345」/);
  await list.click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'institution_code');
  await page.fill('#readers', 'x');
  await page.fill('#total_cost', '12,34');
  assert.equal(await page.locator('#r-grant').count(), 0, 'a field the result needs: no figure');
  const links = await page.locator('#errors .error-summary a').allTextContents();
  assert.equal(links.length, 3, links.join('\n'));
  await page.locator('#errors .error-summary a', { hasText: '事業費' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'total_cost');
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('a line item just added (no amount yet) leaves the result in place and takes the focus', async () => {
  const { page, context } = await open(WIDE, 'kind=clinic&readers=1&reader_applied_on=2021-02-10&line_items%5B0%5D.category=terminal&line_items%5B0%5D.amount=99000');
  assert.match(await grant(page), /^99,000円/);
  await page.click('#add-item');
  assert.match(await grant(page), /^99,000円/);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('item-amount')), true);
  await page.keyboard.type('10,000');
  assert.match(await grant(page), /^109,000円/);
  await context.close();
});

test('the what-if chart keeps its text at the page\'s size on a phone, its point inside the drawing', async () => {
  const { page, context } = await open(PHONE, 'kind=clinic&readers=1&reader_applied_on=2021-02-10&total_cost=429000');
  await page.click('#what-if-details > summary');
  const chart = page.locator('svg.what-if');
  await chart.scrollIntoViewIfNeeded();
  const scale = await chart.evaluate((s) => s.getBoundingClientRect().width / s.viewBox.baseVal.width);
  assert.ok(scale > 0.95, `drawn at ${scale.toFixed(2)}× (text ${(14 * scale).toFixed(1)} px)`);
  const [svgBox, dot] = [await chart.boundingBox(), await page.locator('svg.what-if circle.you').boundingBox()];
  assert.ok(dot.y >= svgBox.y && dot.y + dot.height <= svgBox.y + svgBox.height, 'the point is not cut');
  assert.equal(await page.locator('#phone').evaluate((n) => getComputedStyle(n).minHeight), '48px', 'the phone field is styled as the others');
  await page.locator('.chart').screenshot({ path: join(artefacts, 'chart-375.png') });
  await context.close();
});
