// The share link's keys: `onshi assess`'s field names, line items as the errors name them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS, fromFragment, toFragment } from '../share.js';

test('a fragment round-trips fields and line items, URL-encoded', () => {
  const state = {
    fields: { kind: 'clinic', readers: '1', reader_applied_on: '令和3年2月10日', total_cost: '279,950円', name: 'A&B クリニック', view: 'form' },
    items: [{ category: 'network', amount: '58,300', tax_included: true, description: 'ルーター' }, { category: 'recurring', amount: '2200', tax_included: false }],
  };
  const hash = toFragment(state);
  assert.match(hash, /^kind=clinic&readers=1&reader_applied_on=%E4%BB%A4/);
  assert.match(hash, /name=A%26B/);
  assert.match(hash, /line_items%5B1%5D\.tax_included=false/);
  const back = fromFragment(`#${hash}`);
  assert.deepEqual(back.fields, state.fields);
  assert.deepEqual(back.items, [{ category: 'network', amount: '58,300', tax_included: 'true', description: 'ルーター' }, { category: 'recurring', amount: '2200', tax_included: 'false' }]);
  assert.deepEqual(back.unknown, []);
});

test('empty values are left out; unknown keys are reported, not used', () => {
  assert.equal(toFragment({ fields: { kind: 'clinic', name: ' ', phone: '' } }), 'kind=clinic');
  const r = fromFragment('kind=x&colour=red&line_items[0].price=1&line_items[9999].amount=1');
  assert.deepEqual(r.fields, { kind: 'x' });
  assert.deepEqual(r.items, []);
  assert.deepEqual(r.unknown, ['colour', 'line_items[0].price', 'line_items[9999].amount']);
});

test('the keys include every field of the page\'s link', () => {
  for (const k of ['kind', 'readers', 'group_rx_per_month', 'reader_applied_on', 'completed_on', 'applied_on', 'total_cost', 'institution_code', 'name', 'founder', 'postal_code', 'address', 'phone', 'disposed_on', 'view']) {
    assert.ok(FIELDS.includes(k), k);
  }
});
