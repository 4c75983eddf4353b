// The page's rule words come from the rule set: the built-in one says what the seeds say, and
// a rule set with another quota, rate or eligible category makes the hints say that instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATEGORIES, categoryLabel, readersHint, rxHint } from '../hints.js';

const web = process.env.ONSHI_WEB_DIR;
if (!web) throw new Error('run through `cargo xtask test` (ONSHI_WEB_DIR)');
const wasm = await import(pathToFileURL(join(web, 'pkg/onshi_wasm.js')).href);
wasm.initSync({ module: readFileSync(join(web, 'pkg/onshi_wasm_bg.wasm')) });
const builtIn = wasm.ruleSet();
const changed = (edit) => { const r = structuredClone(builtIn); edit(r); return r; };

test('the built-in rules give the seeds\' figures', () => {
  assert.match(readersHint(builtIn, 'ja'), /病院は3台まで、診療所・薬局は1台まで/);
  assert.match(readersHint(builtIn, 'en'), /up to 3 free readers/);
  assert.match(rxHint(builtIn, 'ja'), /月40,000回以上/);
  assert.equal(categoryLabel(builtIn, 'terminal', 'ja'), '資格確認端末');
  assert.equal(categoryLabel(builtIn, 'other', 'ja'), 'その他（対象外）');
  assert.equal(CATEGORIES.length, Object.keys(builtIn.line_items).length);
});

test('a changed quota changes the readers hint', () => {
  const r = changed((x) => { x.categories.hospital.reader_quota.value = 2; x.categories.clinic_or_pharmacy.reader_quota.value = 2; });
  assert.match(readersHint(r, 'ja'), /病院は2台まで、診療所・薬局は2台まで/);
  assert.match(readersHint(r, 'en'), /clinics and pharmacies up to 2 free readers/);
});

test('a changed rate or threshold changes the pharmacy hint', () => {
  const r = changed((x) => { x.large_chain.threshold_rx_per_month.value = 30000; x.categories.large_chain_pharmacy.standard_rate.value = '2/3'; });
  assert.match(rxHint(r, 'ja'), /月30,000回以上/);
  assert.match(rxHint(r, 'en'), /2\/3/);
});

test('an eligible `other` category loses its "not eligible" mark', () => {
  const r = changed((x) => { x.line_items.other.value = true; x.line_items.terminal.value = false; });
  assert.equal(categoryLabel(r, 'other', 'ja'), 'その他');
  assert.equal(categoryLabel(r, 'other', 'en'), 'Other');
  assert.equal(categoryLabel(r, 'terminal', 'en'), 'Verification terminal (not eligible)');
});

test('without the reader condition the hint does not claim it', () => {
  const r = changed((x) => { x.eligibility.reader_required.value = false; });
  assert.doesNotMatch(readersHint(r, 'ja'), /対象外/);
});
