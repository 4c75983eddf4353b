// The self-assessment page. Every rule comes from the wasm core; this file only gathers the
// form into the core's input, and shows the core's output. Text a person typed is only ever set
// with textContent. Nothing is sent anywhere; inputs are kept in localStorage only on request.
import init, { assess, inputErrors, parseDate, planPreparation, ruleSet } from './pkg/onshi_wasm.js';
import { CATEGORIES, categoryLabel, readersHint, rxHint } from './hints.js';

const STRINGS = {
  ja: {
    skip: '本文へ移動', site: 'オンライン資格確認 導入補助金の試算', title: '補助金の額を試算する',
    lead: '医療情報化支援基金によるオンライン資格確認の導入補助金（特例補助を含む）を試算します。入力した内容はこの端末の中だけで計算され、どこにも送信されません。',
    loading: '計算の準備をしています…', hInstitution: '1. 医療機関・薬局について', kind: '種別',
    kindHospital: '病院', kindClinic: '医科診療所', kindDental: '歯科診療所', kindPharmacy: '薬局',
    rx: 'グループ全体の処方箋受付回数（月あたり）', readers: '顔認証付きカードリーダーの申込台数',
    readerDate: 'カードリーダーの提供申請日', dateHint: '例：2021-02-10、令和3年2月10日、R3.2.10',
    notApplied: 'まだ申し込んでいない', completedOn: '事業完了日（分かれば）', appliedOn: '補助金の申請日（分かれば）',
    hCost: '2. 費用', costMode: '入力のしかた', costTotal: '総額（税込）で入力', costItems: '見積の明細で入力',
    totalCost: '事業費の総額（税込）', amountHint: '例：279,950円、￥279,950',
    presetLead: 'NTT東日本「スタートパック」の見積額を入れることもできます。',
    presetExisting: 'スタートパック（既設回線）を入れる', presetNew: 'スタートパック（新設回線）を入れる',
    addItem: '明細を追加', hResult: '3. 試算の結果', why: '計算の根拠を見る', hPlan: '4. 準備のスケジュール',
    startOn: '運用開始の目標日', line: 'オンライン請求に使っている回線', os: '資格確認端末のOS', unknown: '分からない',
    hKeep: '5. 印刷・保存', print: '結果を印刷する', keep: '入力内容をこの端末（ブラウザ）に保存する',
    category: '経費の区分', amount: '金額', taxIncluded: '税込', remove: '削除', item: '明細',
    grant: '補助金の額', selfPay: '自己負担額', cap: '補助限度額', regime: '適用される補助', other: 'もう一方の補助',
    form: '申請様式', notices: 'お知らせ', standard: '通常の補助', special: '特例補助', notEligible: '対象外',
    eligibleCost: '補助対象経費', ineligibleCost: '補助対象外の経費', estimate: '日付が未入力のため見込みの額です。',
    fixErrors: '入力内容を確認してください。', planNone: '目標日を入れると、各手続きの期限が表示されます。',
    late: '期限を過ぎています', by: 'まで', rule: '根拠', decision: 'プロジェクトの決定',
    rules: (id) => `計算規則：${id}（医療提供体制設備整備交付金実施要領 附則第1 特例補助）`,
    retention: '帳簿等の保存期限', businessDays: '営業日で計算', readinessLine: '回線', readinessOs: '端末のOS',
  },
  en: {
    skip: 'Skip to content', site: 'Online eligibility verification grant calculator', title: 'Estimate your grant',
    lead: 'Estimates the grant of the Medical Information Support Fund for introducing online eligibility verification (special measure included). What you enter is computed on this device only and is never sent anywhere.',
    loading: 'Preparing the calculator…', hInstitution: '1. Your institution', kind: 'Kind of institution',
    kindHospital: 'Hospital', kindClinic: 'Medical clinic', kindDental: 'Dental clinic', kindPharmacy: 'Pharmacy',
    rx: 'Prescriptions received a month by the whole group', readers: 'Card readers applied for',
    readerDate: 'Date of the card reader application', dateHint: 'e.g. 2021-02-10, 令和3年2月10日, R3.2.10',
    notApplied: 'Not applied yet', completedOn: 'Project completion date (if known)', appliedOn: 'Grant application date (if known)',
    hCost: '2. Costs', costMode: 'How to enter the cost', costTotal: 'One total (tax included)', costItems: 'The quote, line by line',
    totalCost: 'Total project cost (tax included)', amountHint: 'e.g. 279,950円, ￥279,950',
    presetLead: "You can fill in NTT East's “start pack” quote.",
    presetExisting: 'Start pack (existing line)', presetNew: 'Start pack (new line)',
    addItem: 'Add a line item', hResult: '3. Result', why: 'Why: the calculation step by step', hPlan: '4. Preparation schedule',
    startOn: 'Target start of operation', line: 'Line used for online claims', os: 'Operating system of the terminal', unknown: "Don't know",
    hKeep: '5. Print and keep', print: 'Print the result', keep: 'Keep my inputs on this device (browser)',
    category: 'Category', amount: 'Amount', taxIncluded: 'Tax included', remove: 'Remove', item: 'Item',
    grant: 'Grant', selfPay: 'You pay', cap: 'Cap', regime: 'Regime applied', other: 'The other regime',
    form: 'Form to file', notices: 'Notices', standard: 'Standard regime', special: 'Special regime', notEligible: 'not eligible',
    eligibleCost: 'Eligible cost', ineligibleCost: 'Not eligible cost', estimate: 'A date is missing, so this is an estimate.',
    fixErrors: 'Please check your input.', planNone: 'Enter a target date to see the deadline of each step.',
    late: 'Late', by: 'by', rule: 'Rule', decision: 'project decision',
    rules: (id) => `Rules: ${id} (Implementation Guidelines, Supplementary Provision 1)`,
    retention: 'Keep the books until', businessDays: 'counted in business days', readinessLine: 'Line', readinessOs: 'Terminal OS',
  },
};

// NTT East start pack (seed 004), tax included.
const PRESETS = {
  existing: [['network', '58,300', 'ルーター'], ['terminal', '99,000', 'PC'], ['network', '2,200', 'HUB'], ['network', '6,600', '派遣費'], ['network', '11,550', '基本工事'], ['network', '9,350', '機器設定'], ['terminal', '31,790', 'PC設定'], ['network', '3,850', '接続確認'], ['network', '3,300', '工事'], ['network', '54,010', 'LAN配線'], ['recurring', '2,200', '月額利用料']],
  new: [['line', '32,780', '回線工事'], ['network', '58,300', 'ルーター'], ['terminal', '99,000', 'PC'], ['network', '11,550', '基本工事'], ['network', '9,350', '機器設定'], ['terminal', '31,790', 'PC設定'], ['network', '3,850', '接続確認'], ['network', '36,300', 'LAN配線'], ['recurring', '8,140', '月額利用料']],
};
const KEEP_KEY = 'onshi-inputs';

let lang = 'ja';
let rules = null;
const $ = (id) => document.getElementById(id);
const t = (key, ...args) => { const s = STRINGS[lang][key]; return typeof s === 'function' ? s(...args) : s; };
const pick = (obj, key) => (lang === 'ja' ? obj[key] : obj[`${key}_en`]);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

function yen(n) {
  if (lang === 'en') return `¥${n.toLocaleString('en')}`;
  const s = `${n.toLocaleString('ja-JP')}円`;
  return n >= 10000 ? `${s}（${(n / 10000).toLocaleString('ja-JP', { maximumFractionDigits: 4 })}万円）` : s;
}

function applyStrings() {
  document.documentElement.lang = lang;
  document.title = t('site');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  const toggle = $('lang-toggle');
  toggle.textContent = lang === 'ja' ? 'English' : '日本語';
  toggle.setAttribute('lang', lang === 'ja' ? 'en' : 'ja');
  if (rules) {
    $('rx-hint').textContent = rxHint(rules, lang);
    $('readers-hint').textContent = readersHint(rules, lang);
    $('rules-line').textContent = t('rules', rules.rule_set.id);
    fillSelect($('line'), rules.readiness.lines.map((l) => [l.id, lang === 'ja' ? l.name : l.name_en]));
    fillSelect($('terminal_os'), rules.readiness.terminal_os.map((o) => [o.id, o.name]));
  }
  for (const row of $('items').children) relabelRow(row);
}

function fillSelect(select, options) {
  const current = select.value;
  while (select.options.length > 1) select.remove(1);
  select.options[0].textContent = t('unknown');
  for (const [value, text] of options) select.add(new Option(text, value));
  select.value = current;
}

let rowSeq = 0;
function addRow(category = 'terminal', amount = '', taxIncluded = true, description = '') {
  const n = ++rowSeq;
  const select = el('select', { id: `cat-${n}`, class: 'item-category' });
  CATEGORIES.forEach((c) => select.add(new Option('', c)));
  select.value = category;
  const amountInput = el('input', { id: `amt-${n}`, class: 'item-amount', inputmode: 'numeric', 'aria-describedby': `err-amt-${n}` });
  amountInput.value = amount;
  const tax = el('input', { type: 'checkbox', id: `tax-${n}`, class: 'item-tax' });
  tax.checked = taxIncluded;
  const row = el('li', { class: 'item' },
    el('div', { class: 'field' }, el('label', { for: `cat-${n}`, class: 'l-cat' }), select),
    el('div', { class: 'field' }, el('label', { for: `amt-${n}`, class: 'l-amt' }), amountInput, el('p', { class: 'field-error', id: `err-amt-${n}` })),
    el('label', { class: 'inline' }, tax, el('span', { class: 'l-tax' })),
    el('button', { type: 'button', class: 'button-secondary remove' }));
  row.dataset.description = description;
  row.querySelector('.remove').addEventListener('click', () => { row.remove(); update(); });
  $('items').append(row);
  relabelRow(row);
  return row;
}

function relabelRow(row) {
  const i = [...$('items').children].indexOf(row) + 1;
  const desc = row.dataset.description ? ` ${row.dataset.description}` : '';
  row.querySelector('.l-cat').textContent = `${t('item')} ${i}${desc}：${t('category')}`;
  row.querySelector('.l-amt').textContent = `${t('item')} ${i}：${t('amount')}`;
  row.querySelector('.l-tax').textContent = t('taxIncluded');
  row.querySelector('.remove').textContent = `${t('item')} ${i}：${t('remove')}`;
  [...row.querySelector('select').options].forEach((o, k) => { o.textContent = categoryLabel(rules, CATEGORIES[k], lang); });
}

function fillPreset(name) {
  $('items').replaceChildren();
  for (const [c, a, d] of PRESETS[name]) addRow(c, a, true, d);
  update();
}

function gather() {
  const kind = document.querySelector('input[name=kind]:checked')?.value;
  const input = { kind, readers: $('readers').value };
  if (kind === 'pharmacy' && $('group_rx_per_month').value.trim()) input.group_rx_per_month = $('group_rx_per_month').value;
  if (!$('not-applied').checked && $('reader_applied_on').value.trim()) input.reader_applied_on = $('reader_applied_on').value;
  for (const f of ['completed_on', 'applied_on']) if ($(f).value.trim()) input[f] = $(f).value;
  if (document.querySelector('input[name=cost-mode]:checked').value === 'total') {
    input.total_cost = $('total_cost').value;
  } else {
    input.line_items = [...$('items').children].map((row) => ({
      category: row.querySelector('select').value,
      amount: row.querySelector('.item-amount').value,
      tax_included: row.querySelector('.item-tax').checked,
    }));
  }
  return input;
}

function showErrors(errors) {
  const fields = ['kind', 'group_rx_per_month', 'readers', 'reader_applied_on', 'completed_on', 'applied_on', 'total_cost', 'line_items'];
  for (const f of fields) setError($(`err-${f}`), $(f), null);
  const rows = [...$('items').children];
  for (const row of rows) setError(row.querySelector('.field-error'), row.querySelector('.item-amount'), null);
  for (const e of errors) {
    const m = /^line_items\[(\d+)\]/.exec(e.field);
    const msg = `「${e.value}」：${pick(e, 'message')}`;
    if (m && rows[Number(m[1])]) setError(rows[Number(m[1])].querySelector('.field-error'), rows[Number(m[1])].querySelector('.item-amount'), msg);
    else setError($(`err-${e.field}`) ?? $('err-line_items'), $(e.field), e.value ? msg : pick(e, 'message'));
  }
}

function setError(node, input, message) {
  if (!node) return;
  node.textContent = message ?? '';
  if (input) {
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

function update() {
  $('rx-field').hidden = document.querySelector('input[name=kind]:checked')?.value !== 'pharmacy';
  const items = document.querySelector('input[name=cost-mode]:checked').value === 'items';
  $('items-field').hidden = !items;
  $('total-field').hidden = items;
  $('reader_applied_on').disabled = $('not-applied').checked;
  const input = gather();
  const errors = inputErrors(input);
  showErrors(errors);
  const result = $('result');
  if (errors.length) {
    result.replaceChildren(el('p', { class: 'error-summary', text: t('fixErrors') }));
    $('trace').replaceChildren();
  } else {
    renderResult(assess(input, true));
  }
  renderPlan();
  keep();
}

function renderResult(a) {
  const other = a.regime === 'special' ? [t('standard'), a.standard_grant]
    : a.regime === 'standard' ? [t('special'), a.special_grant] : null;
  const regimeName = { special: t('special'), standard: t('standard'), ineligible: t('notEligible') }[a.regime];
  const rows = [
    [t('grant'), yen(a.grant), 'grant'],
    [t('selfPay'), yen(a.self_pay), 'self-pay'],
    [t('cap'), yen(a.cap)],
    [t('eligibleCost'), yen(a.eligible_cost)],
    a.ineligible_cost > 0 ? [t('ineligibleCost'), yen(a.ineligible_cost)] : null,
    [t('regime'), regimeName, 'regime'],
    other ? [t('other'), `${other[0]}：${other[1] == null ? t('notEligible') : yen(other[1])}`] : null,
    [t('form'), a.form ?? '—', 'form'],
    a.retention_until ? [t('retention'), a.retention_until] : null,
  ].filter(Boolean);
  const dl = el('dl', { class: 'figures' });
  for (const [k, v, id] of rows) dl.append(el('div', id ? { class: 'row', id: `r-${id}` } : { class: 'row' }, el('dt', { text: k }), el('dd', { text: v })));
  const parts = [dl];
  if (a.estimate) parts.push(el('p', { class: 'estimate', text: t('estimate') }));
  if (a.notices.length) {
    parts.push(el('h3', { text: t('notices') }));
    const ul = el('ul', { class: 'notices' });
    for (const n of a.notices) ul.append(el('li', { class: `notice ${n.severity}`, text: pick(n, 'message') }));
    parts.push(ul);
  }
  $('result').replaceChildren(...parts);
  $('trace').replaceChildren(...a.trace.map((s) => el('li', {},
    el('span', { class: 'step-label', text: `${pick(s, 'label')}：` }), el('span', { text: pick(s, 'detail') }),
    ...s.rules.map((r) => el('span', { class: 'citation', text: `${t('rule')}：${pick(r, 'citation')}（${r.key}${r.decision ? `、${t('decision')}` : ''}）` })))));
}

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function renderPlan() {
  const out = $('plan');
  const start = $('start_on').value.trim();
  setError($('err-start_on'), $('start_on'), null);
  if (!start) { out.replaceChildren(el('p', { class: 'hint', text: t('planNone') })); return; }
  const input = { start_on: start, today: today() };
  if ($('line').value) input.line = $('line').value;
  if ($('terminal_os').value) input.terminal_os = $('terminal_os').value;
  let plan;
  try {
    plan = planPreparation({ ...input, start_on: parseDate(start) });
  } catch (e) {
    setError($('err-start_on'), $('start_on'), `「${start}」：${e.message}`);
    out.replaceChildren();
    return;
  }
  const ol = el('ol', { class: 'plan' });
  for (const s of plan.steps) {
    ol.append(el('li', { class: s.late ? 'late' : '' },
      el('span', { class: 'plan-date', text: s.latest ? `${s.latest} ${t('by')}` : '' }),
      el('span', { class: 'plan-label', text: pick(s, 'label') }),
      el('span', { class: 'hint', text: `${pick(s, 'rule')}${s.business_days ? `（${t('businessDays')}）` : ''}` }),
      s.late ? el('strong', { class: 'late-flag', text: t('late') }) : null));
  }
  const parts = [ol];
  for (const w of plan.warnings.filter((x) => x.code !== 'late')) parts.push(el('p', { class: 'notice warning', text: pick(w, 'message') }));
  for (const [key, r] of [['readinessLine', plan.line], ['readinessOs', plan.terminal_os]]) {
    if (r) parts.push(el('p', { class: `notice ${r.ok ? 'info' : 'refusal'}`, text: `${t(key)}：${pick(r, 'message')}` }));
  }
  out.replaceChildren(...parts);
}

function keep() {
  if (!$('keep').checked) { localStorage.removeItem(KEEP_KEY); return; }
  const fields = {};
  for (const node of document.querySelectorAll('#form input, #form select, #start_on, #line, #terminal_os')) {
    if (node.id) fields[node.id] = node.type === 'checkbox' ? node.checked : node.value;
  }
  const kind = document.querySelector('input[name=kind]:checked')?.value;
  const mode = document.querySelector('input[name=cost-mode]:checked').value;
  const items = [...$('items').children].map((r) => [r.querySelector('select').value, r.querySelector('.item-amount').value, r.querySelector('.item-tax').checked, r.dataset.description]);
  localStorage.setItem(KEEP_KEY, JSON.stringify({ fields, kind, mode, items, lang }));
}

function restore() {
  let saved;
  try { saved = JSON.parse(localStorage.getItem(KEEP_KEY) ?? 'null'); } catch { saved = null; }
  if (!saved) return;
  $('keep').checked = true;
  for (const [id, v] of Object.entries(saved.fields ?? {})) {
    const node = $(id);
    if (!node || node.type === 'radio') continue;
    if (node.type === 'checkbox') node.checked = Boolean(v); else node.value = String(v);
  }
  document.querySelector(`input[name=kind][value="${CSS.escape(saved.kind ?? 'clinic')}"]`)?.click();
  document.querySelector(`input[name=cost-mode][value="${CSS.escape(saved.mode ?? 'total')}"]`)?.click();
  for (const [c, a, tax, d] of saved.items ?? []) addRow(c, a, tax, d);
  if (saved.lang === 'en') lang = 'en';
}

async function main() {
  await init();
  rules = ruleSet();
  restore();
  applyStrings();
  $('loading').hidden = true;
  document.body.addEventListener('input', update);
  document.body.addEventListener('change', update);
  $('form').addEventListener('submit', (e) => e.preventDefault());
  $('lang-toggle').addEventListener('click', () => { lang = lang === 'ja' ? 'en' : 'ja'; applyStrings(); update(); });
  $('preset-existing').addEventListener('click', () => fillPreset('existing'));
  $('preset-new').addEventListener('click', () => fillPreset('new'));
  $('add-item').addEventListener('click', () => { addRow(); update(); });
  $('print').addEventListener('click', () => { $('why').open = true; window.print(); });
  update();
  if ('serviceWorker' in navigator && location.protocol !== 'file:') navigator.serviceWorker.register('sw.js').catch(() => {});
}

main().catch((e) => {
  const p = $('loading');
  p.hidden = false;
  p.textContent = `${t('loading')} — ${e.message}`;
});
