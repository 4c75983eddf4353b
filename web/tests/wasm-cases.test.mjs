// The core's data-file cases (tests/cases/*.toml), run a second time through the wasm build:
// every output must equal the native one, and the case's expectations must hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'smol-toml';
import { parseInstitutionJson } from '../json.js';

const web = process.env.ONSHI_WEB_DIR;
const nativePath = process.env.ONSHI_NATIVE_CASES;
if (!web || !nativePath) throw new Error('run through `cargo xtask test` (ONSHI_WEB_DIR and ONSHI_NATIVE_CASES)');
const wasm = await import(pathToFileURL(join(web, 'pkg/onshi_wasm.js')).href);
wasm.initSync({ module: readFileSync(join(web, 'pkg/onshi_wasm_bg.wasm')) });
const native = JSON.parse(readFileSync(nativePath, 'utf8'));
const casesDir = new URL('../../tests/cases/', import.meta.url);
const files = readdirSync(casesDir).filter((f) => f.endsWith('.toml')).sort();

// The same shape as the native runner's: the assessment, the refused fields, or the error.
// JSON text is read as the command line reads it (a key given twice is refused).
function runWasm(given, rules) {
  try {
    const input = typeof given === 'string' ? parseInstitutionJson(given) : given;
    const errors = wasm.inputErrors(input);
    if (errors.length) return { error_fields: errors.map((e) => e.field) };
    return wasm.assess(input, true, rules === undefined ? undefined : { rules });
  } catch (e) {
    assert.ok(e instanceof Error && !/^Error: /.test(e.message), `a plain message: ${e.message}`);
    return { error: e.message };
  }
}

test('every case file is covered by both builds', () => {
  assert.ok(files.length >= 30, `${files.length} cases`);
  assert.deepEqual(files.map((f) => f.slice(0, -5)), Object.keys(native).sort());
});

for (const file of files) {
  const name = file.slice(0, -5);
  test(`case ${name}: wasm equals native`, () => {
    const c = parse(readFileSync(new URL(file, casesDir), 'utf8'));
    const out = runWasm(c.input_json ?? c.input, c.rules);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(out)), native[name].output);
    for (const [k, v] of Object.entries(c.expected)) {
      if (k === 'notices') assert.deepEqual(out.notices.map((n) => n.code).sort(), [...v].sort());
      else if (k === 'error_mentions') assert.ok(out.error?.includes(v), `${out.error} mentions ${v}`);
      else if (k === 'null') v.forEach((f) => assert.equal(out[f], null, f));
      // Plain JSON values on both sides (the TOML reader makes tables without a prototype).
      else assert.deepEqual(JSON.parse(JSON.stringify(out[k])), JSON.parse(JSON.stringify(v)), k);
    }
  });
}

test('errors surface as JS Errors carrying the core message', () => {
  assert.throws(() => wasm.assess({ kind: 'clinic', readers: 'two', total_cost: 1 }, false), (e) => e instanceof Error && /readers/.test(e.message) && /two/.test(e.message));
  assert.throws(() => wasm.checkInstitutionCode('3410712363'), /check digit/);
  assert.equal(wasm.checkInstitutionCode('３４-107-1236-2', 'hospital').code, '3410712362');
  assert.equal(wasm.parseDate('令和元年5月1日'), '2019-05-01');
  assert.throws(() => wasm.parseDate('2021-02-30'), Error);
  assert.equal(wasm.ruleSet().large_chain.threshold_rx_per_month.value, 40000);
});

test('an argument of the wrong type is a TypeError naming it, and the module lives on', () => {
  assert.throws(() => wasm.parseDate(20210331), (e) => e instanceof TypeError && /parseDate/.test(e.message));
  assert.throws(() => wasm.checkInstitutionCode(110113719), (e) => e instanceof TypeError && /checkInstitutionCode/.test(e.message));
  assert.throws(() => wasm.checkInstitutionCode('0110113719', 3), (e) => e instanceof TypeError && /kind/.test(e.message));
  assert.equal(wasm.parseDate('R3.3.31'), '2021-03-31');
  assert.equal(wasm.checkInstitutionCode('0110113719').code, '0110113719');
  // Not an object where an institution or a rules choice belongs: the argument is named.
  for (const [f, what] of [[wasm.assess, 'the institution'], [wasm.whatIf, 'the institution'], [wasm.inputErrors, 'the institution'], [wasm.planPreparation, "the plan's input"]]) {
    for (const [bad, type] of [[undefined, 'undefined'], [null, 'null'], [3, 'number'], ['clinic', 'string']]) {
      assert.throws(() => f(bad), (e) => e instanceof TypeError && e.message === `${what} must be an object, not ${type}`, `${f.name}(${bad})`);
    }
  }
  const clinic = { kind: 'clinic', readers: 1, total_cost: 279950 };
  assert.throws(() => wasm.assess(clinic, false, 3), (e) => e instanceof TypeError && /^the rules .* must be an object, not number$/.test(e.message));
  assert.throws(() => wasm.ruleSet('2020-11-30'), (e) => e instanceof TypeError && /not string$/.test(e.message));
  assert.equal(wasm.assess(clinic, false).grant, wasm.assess({ ...clinic }, false, { rules: '2023-04-01' }).grant);
});

test('JSON text is read as the command line reads it', () => {
  assert.throws(() => parseInstitutionJson('{"kind":"clinic","kind":"hospital"}'), /duplicate field `kind`/);
  assert.throws(() => parseInstitutionJson('{"line_items":[{"amount":1,"amount":2}]}'), /duplicate field `amount`/);
  assert.equal(parseInstitutionJson('{"a":{"k":1},"b":{"k":2},"s":"{\\"k\\":1,\\"k\\":2}"}').b.k, 2);
  assert.equal(parseInstitutionJson('\uFEFF{"readers":1}').readers, 1);
});

test('the plan through wasm', () => {
  const plan = wasm.planPreparation({ start_on: '2021-05-10', today: '2021-02-01', line: 'isdn' });
  const dates = plan.steps.map((s) => s.latest);
  assert.deepEqual(dates, [...dates].sort());
  assert.equal(plan.line.ok, false);
  assert.ok(plan.steps.some((s) => s.late));
  // Each step cites what its date was computed from: nothing for steps dated by another.
  const cites = (id) => plan.steps.find((s) => s.step === id).rules.map((r) => r.key);
  assert.deepEqual(cites('portal_registration'), []);
  assert.deepEqual(cites('start_of_operation'), []);
  assert.deepEqual(cites('reader_application'), ['preparation.reader_application_months_before_start']);
});
