// The self-assessment page. Every rule comes from the wasm core; this file only gathers the
// form into the core's input, and shows the core's output. Text a person typed is only ever set
// with textContent. Nothing is sent anywhere; inputs are kept in localStorage only on request.
import init, { assess, checkInstitutionCode, inputErrors, parseDate, planPreparation, revisions, ruleSet, whatIf } from './pkg/onshi_wasm.js';
import { CATEGORIES, categoryLabel, readersHint, rxHint } from './hints.js';
import { el } from './dom.js';
import { whatIfChart } from './chart.js';
import { applicationSheet, citation, linked } from './sheet.js';
import { FIELDS, fromFragment, toFragment } from './share.js';

const STRINGS = {
  ja: {
    skip: '本文へ移動', site: 'オンライン資格確認 導入補助金の試算', title: '補助金の額を試算する',
    lead: '医療情報化支援基金によるオンライン資格確認の導入補助金（特例補助を含む）を試算します。入力した内容はこの端末の中だけで計算され、どこにも送信されません。',
    loading: '計算の準備をしています…', hInstitution: '1. 医療機関・薬局について', kind: '種別',
    kindHospital: '病院', kindClinic: '医科診療所', kindDental: '歯科診療所', kindPharmacy: '薬局',
    rx: 'グループ全体の処方箋受付回数（月あたり）', readers: '顔認証付きカードリーダーの申込台数',
    readerDate: 'カードリーダーの提供申請日', dateHint: '例：2021-02-10、令和3年2月10日、R3.2.10',
    notApplied: 'まだ申し込んでいない', completedOn: '事業完了日（分かれば）', appliedOn: '補助金の申請日（分かれば）',
    contractedOn: 'システム事業者との契約日', contractedHint: '令和4年に再開された特例補助の条件のひとつです。',
    operationOn: '運用開始日（オンライン資格確認を始めた日）', operationHint: '令和4年の見直しで、差額が補助されるかどうかを決める日です。',
    deferral: '猶予届の類型（受理された場合）', deferralHint: '猶予届が受理されていれば、事業完了と補助金申請の期限が延びます。', deferralNone: '猶予届なし', deferralType: (n) => `類型${n}`,
    revision: '計算に使う規則', revisionHint: 'ふだんは最新の規則（最終的に支払われた規則）のままにします。当時の規則で計算し直すときに選びます。',
    revisionOption: (title, from, latest) => `${from}から：${title}${latest ? '（最新）' : ''}`,
    measure: { standard: '通常の補助', special_2020: '特例補助（令和2年度の措置）', special_2022: '特例補助（令和4年に再開された分）', difference_2022: '差額の補助（令和4年の見直し）' },
    hCost: '2. 費用', costMode: '入力のしかた', costTotal: '総額（税込）で入力', costItems: '見積の明細で入力',
    totalCost: '事業費の総額（税込）', amountHint: '例：279,950円、28万円、￥279,950',
    presetLead: 'NTT東日本「スタートパック」の見積額を入れることもできます。',
    presetExisting: 'スタートパック（既設回線）を入れる', presetNew: 'スタートパック（新設回線）を入れる',
    addItem: '明細を追加', hResult: '4. 試算の結果', why: '計算の根拠を見る', hPlan: '7. 準備のスケジュール',
    startOn: '運用開始の目標日', line: 'オンライン請求に使っている回線', os: '資格確認端末のOS', unknown: '分からない',
    hKeep: '8. 印刷・共有・保存', printResult: '結果を印刷する', printForm: '申請書を印刷する', keep: '入力内容をこの端末（ブラウザ）に保存する',
    copyLink: 'リンクをコピーする', linkLabel: '入力内容を含むリンク', linkHint: '「#」より後ろはブラウザの中だけで使われ、サーバーには送られません。', copied: 'リンクをコピーしました。', copyFailed: 'コピーできませんでした。上の欄から手で選んでコピーしてください。',
    linkUnknown: (keys) => `リンクの中の分からない項目を使いませんでした：${keys}`,
    closed: (d, late) => `補助金の申請受付は ${d} に終了しました${late ? `（猶予届が受理された場合は ${late}）` : ''}。ここでの結果は、記録・監査・処分のための再計算です。`,
    hApplicant: '3. 申請者（申請書に記入する内容・任意）', applicantLead: 'ここに入れた内容は申請書の表示にだけ使われ、どこにも送信されません。空欄のままなら、印刷した申請書に手で記入できます。',
    institutionCode: '医療機関コード（10桁）', codeHint: '例：3410712362、34-1071236-2', codeDerived: (p, f) => `都道府県コード ${p}・点数表コード ${f}`,
    name: '保険医療機関等の名称', founder: '開設者氏名', postalCode: '郵便番号', postalHint: '例：730-0011', address: '所在地', phone: '電話番号',
    hWhatIf: '費用を変えた場合の補助金額', chartTitle: '補助対象経費と補助金額のグラフ',
    chartDesc: (cap, sp, st) => `補助限度額 ${cap}円まで、特例補助は経費の全額（千円未満切り捨て）、通常の補助はその一部。限度額での補助金額は特例 ${sp}円、通常 ${st}円。`,
    chartX: '補助対象経費（税込・円）', you: 'あなたの場合', chartTable: 'グラフの数値（円）', chartFigures: 'グラフの数値を表で見る',
    readersTable: 'カードリーダーの台数ごとの補助限度額と、いまの費用での補助金額（円）', grantAtCost: 'いまの費用での補助金額',
    hSheet: '5. 申請書', sheetLead: '申請書の記入例です。「申請書を印刷する」でA4用紙1枚に印刷できます（添付書類の一覧は2枚目）。', sheetNone: '補助の対象外のため、申請書はありません。',
    hAfter: '6. 補助を受けた後（義務・保存期限・処分）', duties: '守ること', retentionNone: '事業完了日を入れると、帳簿等の保存期限を表示します。',
    usefulLife: '耐用年数の経過日（それより前の処分には承認が必要）', disposedOn: '設備を処分する日（売却・廃棄・譲渡など。予定でも可）',
    disposalNone: '処分する日を入れると、返納を求められうる額の上限を表示します。', upTo: '返納を求められうる額（最大）',
    readersLeft: (n, m, total) => `カードリーダー${n}台の提供費用相当額の残り（${total}か月のうち${m}か月経過）`,
    grantWithin: '補助金（耐用年数内のため、最大で全額）', grantAfter: '補助金（耐用年数の経過後のため、返納なし）',
    disposalEstimate: '日付が足りないため、最も多い場合の額です。',
    category: '経費の区分', amount: '金額', taxIncluded: '税込', remove: '削除', item: '明細',
    grant: '補助金の額', selfPay: '自己負担額', cap: '補助限度額', regime: '適用される補助', other: 'もう一方の補助',
    form: '申請様式', notices: 'お知らせ', standard: '通常の補助', special: '特例補助', notEligible: '対象外',
    eligibleCost: '補助対象経費', ineligibleCost: '補助対象外の経費', estimate: '日付が未入力のため見込みの額です。',
    fixErrors: '入力内容を確認してください。', planNone: '目標日を入れると、各手続きの期限が表示されます。',
    late: '期限を過ぎています', by: 'まで', rule: '根拠', decision: 'プロジェクトの決定',
    rules: (id, title, latest) => `計算規則：${id}（${title}）${latest ? '— 最終的に支払われた規則' : '— 最新ではない規則'}`,
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
    contractedOn: 'Date of the contract with the system vendor', contractedHint: 'One of the conditions of the special regime reopened in 2022.',
    operationOn: 'Date operation started (online verification in use)', operationHint: 'Decides whether the 2022 revision pays you the difference.',
    deferral: 'Type of an accepted deferral notice (猶予届)', deferralHint: 'An accepted deferral notice extends the completion and application deadlines.', deferralNone: 'No deferral notice', deferralType: (n) => `Type ${n}`,
    revision: 'Rules to compute with', revisionHint: 'The latest rules (the rules as finally paid) are the default. Choose another to recompute under the rules of the time.',
    revisionOption: (title, from, latest) => `From ${from}: ${title}${latest ? ' (latest)' : ''}`,
    measure: { standard: 'Standard regime', special_2020: 'Special regime (2020 measure)', special_2022: 'Special regime (reopened in 2022)', difference_2022: 'Difference payment (2022 revision)' },
    hCost: '2. Costs', costMode: 'How to enter the cost', costTotal: 'One total (tax included)', costItems: 'The quote, line by line',
    totalCost: 'Total project cost (tax included)', amountHint: 'e.g. 279,950円, 28万円 (280,000), ￥279,950',
    presetLead: "You can fill in NTT East's “start pack” quote.",
    presetExisting: 'Start pack (existing line)', presetNew: 'Start pack (new line)',
    addItem: 'Add a line item', hResult: '4. Result', why: 'Why: the calculation step by step', hPlan: '7. Preparation schedule',
    startOn: 'Target start of operation', line: 'Line used for online claims', os: 'Operating system of the terminal', unknown: "Don't know",
    hKeep: '8. Print, share and keep', printResult: 'Print the result', printForm: 'Print the form', keep: 'Keep my inputs on this device (browser)',
    copyLink: 'Copy the link', linkLabel: 'A link with your inputs', linkHint: 'The part after "#" stays in the browser and is never sent to a server.', copied: 'The link is copied.', copyFailed: 'Could not copy: select the link above and copy it by hand.',
    linkUnknown: (keys) => `Keys in the link that were not used: ${keys}`,
    closed: (d, late) => `Grant applications closed on ${d}${late ? ` (${late} with an accepted deferral notice)` : ''}. Results here are recomputations for records, audits and disposals.`,
    hApplicant: '3. Applicant (for the form, optional)', applicantLead: 'Used only to fill in the form shown below, never sent anywhere. Left empty, the printed form has blanks to fill by hand.',
    institutionCode: 'Institution code (10 digits)', codeHint: 'e.g. 3410712362, 34-1071236-2', codeDerived: (p, f) => `Prefecture code ${p}, fee-schedule code ${f}`,
    name: 'Name of the institution', founder: 'Founder', postalCode: 'Postal code', postalHint: 'e.g. 730-0011', address: 'Address', phone: 'Phone',
    hWhatIf: 'How the grant moves with the cost', chartTitle: 'Grant against eligible cost',
    chartDesc: (cap, sp, st) => `Up to the cap of ${cap} yen the special regime pays the whole cost (cut to the thousand), the standard regime a share. At the cap: special ${sp} yen, standard ${st} yen.`,
    chartX: 'Eligible cost (tax incl., yen)', you: 'Your case', chartTable: 'The chart\'s figures (yen)', chartFigures: 'The chart\'s figures as a table',
    readersTable: 'Cap and grant at your cost, by card readers (yen)', grantAtCost: 'Grant at your cost',
    hSheet: '5. Application form', sheetLead: 'The form, filled in. "Print the form" prints it on one A4 page (the documents to attach on a second).', sheetNone: 'No grant, so there is no form to file.',
    hAfter: '6. After the grant (duties, books, disposal)', duties: 'Duties', retentionNone: 'Enter the completion date to see how long to keep the books.',
    usefulLife: 'Useful life ends (disposal before then needs approval)', disposedOn: 'Date of disposal (sale, scrapping, transfer; planned is fine)',
    disposalNone: 'Enter a disposal date to see the most that may have to be returned.', upTo: 'May have to return (at most)',
    readersLeft: (n, m, total) => `Value left of ${n} provided reader(s) (${m} of ${total} months elapsed)`,
    grantWithin: 'Grant (within the useful life: up to all of it)', grantAfter: 'Grant (after the useful life: none)',
    disposalEstimate: 'A date is missing, so this is the largest case.',
    category: 'Category', amount: 'Amount', taxIncluded: 'Tax included', remove: 'Remove', item: 'Item',
    grant: 'Grant', selfPay: 'You pay', cap: 'Cap', regime: 'Regime applied', other: 'The other regime',
    form: 'Form to file', notices: 'Notices', standard: 'Standard regime', special: 'Special regime', notEligible: 'not eligible',
    eligibleCost: 'Eligible cost', ineligibleCost: 'Not eligible cost', estimate: 'A date is missing, so this is an estimate.',
    fixErrors: 'Please check your input.', planNone: 'Enter a target date to see the deadline of each step.',
    late: 'Late', by: 'by', rule: 'Rule', decision: 'project decision',
    rules: (id, title, latest) => `Rules: ${id} (${title}) — ${latest ? 'the rules as finally paid' : 'not the latest rules'}`,
    retention: 'Keep the books until', businessDays: 'counted in business days', readinessLine: 'Line', readinessOs: 'Terminal OS',
  },
};

// NTT East start pack, tax included.
const PRESETS = {
  existing: [['network', '58,300', 'ルーター'], ['terminal', '99,000', 'PC'], ['network', '2,200', 'HUB'], ['network', '6,600', '派遣費'], ['network', '11,550', '基本工事'], ['network', '9,350', '機器設定'], ['terminal', '31,790', 'PC設定'], ['network', '3,850', '接続確認'], ['network', '3,300', '工事'], ['network', '54,010', 'LAN配線'], ['recurring', '2,200', '月額利用料']],
  new: [['line', '32,780', '回線工事'], ['network', '58,300', 'ルーター'], ['terminal', '99,000', 'PC'], ['network', '11,550', '基本工事'], ['network', '9,350', '機器設定'], ['terminal', '31,790', 'PC設定'], ['network', '3,850', '接続確認'], ['network', '36,300', 'LAN配線'], ['recurring', '8,140', '月額利用料']],
};
const KEEP_KEY = 'onshi-inputs';

let lang = 'ja';
let rules = null;
let latestRules = null; // the banner says when applications closed: the latest rules know
let revisionList = [];
/** The revision chosen, as the core's choice ({rules: id}); undefined means the latest. */
const choice = () => ($('revision').value && $('revision').value !== latestId() ? { rules: $('revision').value } : undefined);
const latestId = () => revisionList[revisionList.length - 1]?.id;
const $ = (id) => document.getElementById(id);
const t = (key, ...args) => { const s = STRINGS[lang][key]; return typeof s === 'function' ? s(...args) : s; };
const pick = (obj, key) => (lang === 'ja' ? obj[key] : obj[`${key}_en`]);

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
    $('rules-line').textContent = t('rules', rules.rule_set.id, lang === 'ja' ? rules.rule_set.title : rules.rule_set.title_en, rules.rule_set.id === latestId());
    fillRevisions();
    [...$('deferral').options].slice(1).forEach((o) => { o.textContent = t('deferralType', o.value); });
    fillSelect($('line'), rules.readiness.lines.map((l) => [l.id, lang === 'ja' ? l.name : l.name_en]));
    fillSelect($('terminal_os'), rules.readiness.terminal_os.map((o) => [o.id, o.name]));
    renderDuties();
    showClosed();
  }
  for (const row of $('items').children) relabelRow(row);
}

function fillRevisions() {
  const select = $('revision');
  const current = select.value || latestId();
  select.replaceChildren(...revisionList.map((r, i) => new Option(
    t('revisionOption', lang === 'ja' ? r.title : r.title_en, r.effective_from, i === revisionList.length - 1), r.id)));
  select.value = current;
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

const APPLICANT = ['founder', 'postal_code', 'address', 'phone'];
let linkKind = null; // a kind from a link that matches no radio: kept so that its error shows

function gather() {
  const kind = document.querySelector('input[name=kind]:checked')?.value ?? linkKind ?? undefined;
  const input = { kind, readers: $('readers').value };
  if (kind === 'pharmacy' && $('group_rx_per_month').value.trim()) input.group_rx_per_month = $('group_rx_per_month').value;
  if (!$('not-applied').checked && $('reader_applied_on').value.trim()) input.reader_applied_on = $('reader_applied_on').value;
  for (const f of ['contracted_on', 'operation_started_on', 'completed_on', 'applied_on', 'disposed_on', 'institution_code', 'name']) if ($(f).value.trim()) input[f] = $(f).value;
  if ($('deferral').value) input.deferral = $('deferral').value;
  if (costMode() === 'total') {
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

const costMode = () => document.querySelector('input[name=cost-mode]:checked').value;

function showErrors(errors) {
  const fields = ['kind', 'group_rx_per_month', 'readers', 'reader_applied_on', 'contracted_on', 'operation_started_on', 'completed_on', 'applied_on', 'deferral', 'disposed_on', 'institution_code', 'name', 'total_cost', 'line_items'];
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
  $('rx-field').hidden = (document.querySelector('input[name=kind]:checked')?.value ?? linkKind) !== 'pharmacy';
  const items = costMode() === 'items';
  $('items-field').hidden = !items;
  $('total-field').hidden = items;
  $('reader_applied_on').disabled = $('not-applied').checked;
  const input = gather();
  const errors = inputErrors(input, choice());
  showErrors(errors);
  // Checked once: the derived codes beside the field and the form's applicant block.
  const code = errors.some((e) => e.field === 'institution_code') ? null : codeInfo(input.kind);
  showCode(code);
  const result = $('result');
  if (errors.length) {
    showWhereTheyMatter(null); // a field with a value (and so its error) is never hidden
    result.replaceChildren(el('p', { class: 'error-summary', text: t('fixErrors') }));
    for (const id of ['trace', 'trace-print', 'what-if', 'sheet-view', 'after-figures']) $(id).replaceChildren();
  } else {
    const a = assess(input, true, choice());
    showWhereTheyMatter(a);
    renderResult(a);
    renderWhatIf(input);
    renderSheet(a, input, code);
    renderAfter(a);
  }
  renderPlan();
  keep();
  $('share-link').value = shareLink();
}

// The notices by which the core says a field would change the result.
const MATTERS = {
  'contracted-field': ['contract_date_unknown', 'contract_deadline_passed'],
  'operation-field': ['operation_date_unknown', 'operation_outside_period'],
  'deferral-field': ['project_deadline_passed', 'application_deadline_passed'],
};

/** Shows the later revisions' fields where they matter; a field with a value stays. */
function showWhereTheyMatter(a) {
  const codes = new Set(a?.notices.map((n) => n.code) ?? []);
  const asked = (id) => MATTERS[id].some((c) => codes.has(c));
  $('contracted-field').hidden = !(asked('contracted-field') || a?.measure === 'special_2022' || $('contracted_on').value.trim());
  $('operation-field').hidden = !(asked('operation-field') || a?.measure === 'difference_2022' || $('operation_started_on').value.trim());
  // A deferral extends deadlines only in rules that have one.
  $('deferral-field').hidden = !($('deferral').value || (rules.deferral && asked('deferral-field')));
}

/** The prefecture and fee-schedule codes the core reads from a valid institution code. */
function codeInfo(kind) {
  const text = $('institution_code').value.trim();
  if (!text) return null;
  try { return checkInstitutionCode(text, kind ?? undefined); } catch { return null; }
}

function showCode(code) {
  $('code-derived').textContent = code ? t('codeDerived', String(code.prefecture).padStart(2, '0'), String(code.fee_schedule)) : '';
}

/** A date as the core reads it (ISO), or null. */
function isoDate(text) {
  if (!text?.trim()) return null;
  try { return parseDate(text); } catch { return null; }
}

let whatIfMs = [];
function renderWhatIf(input) {
  const start = performance.now();
  const w = whatIf(input, choice());
  whatIfMs.push(performance.now() - start);
  document.body.dataset.whatIfMs = whatIfMs.slice(-50).join(',');
  $('what-if').replaceChildren(...whatIfChart(w, t));
}

function renderSheet(a, input, code) {
  const who = { name: $('name').value.trim() };
  for (const k of APPLICANT) who[k] = $(k).value.trim();
  who.reader_applied_on = isoDate(input.reader_applied_on);
  who.applied_on = isoDate(input.applied_on);
  const sheet = applicationSheet(rules, a, who, code, lang);
  $('sheet-view').replaceChildren(...(sheet ?? [el('p', { class: 'hint', text: t('sheetNone') })]));
}

function renderAfter(a) {
  const rows = [
    [t('retention'), a.retention_until ?? t('retentionNone'), 'retention'],
    a.useful_life_until ? [t('usefulLife'), a.useful_life_until, 'useful-life'] : null,
  ];
  const x = a.disposal;
  const parts = [];
  if (x) {
    rows.push([t('upTo'), yen(x.up_to), 'up-to'],
      [t('readersLeft', x.readers_provided, x.months_elapsed, x.depreciation_months), yen(x.readers_remaining), 'readers-left'],
      [x.within_useful_life ? t('grantWithin') : t('grantAfter'), yen(x.grant_up_to), 'grant-up-to']);
    if (!x.depreciation_from || !a.useful_life_until) parts.push(el('p', { class: 'estimate', text: t('disposalEstimate') }));
  } else {
    parts.push(el('p', { class: 'hint', text: t('disposalNone') }));
  }
  const dl = el('dl', { class: 'figures' });
  for (const row of rows.filter(Boolean)) dl.append(el('div', { class: 'row', id: `a-${row[2]}` }, el('dt', { text: row[0] }), el('dd', { text: row[1] })));
  $('after-figures').replaceChildren(dl, ...parts);
}

function renderDuties() {
  $('duties').replaceChildren(...rules.after_grant.duties.map((d) => el('li', {},
    el('span', { text: lang === 'ja' ? d.text : d.text_en }),
    el('span', { class: 'citation' }, `${t('rule')}：`, ...citation(rules, d.source, lang === 'ja' ? d.article : d.article_en, lang)))));
}

function renderResult(a) {
  const other = a.regime === 'special' ? [t('standard'), a.standard_grant]
    : a.regime === 'standard' ? [t('special'), a.special_grant] : null;
  const regimeName = a.measure ? t('measure')[a.measure] : t('notEligible');
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
  $('trace-print').replaceChildren(el('table', { class: 'trace-table' },
    el('caption', { text: t('why') }),
    el('tbody', {}, ...a.trace.map((s, i) => el('tr', {},
      el('th', { scope: 'row', text: `${i + 1}. ${pick(s, 'label')}` }), el('td', { text: pick(s, 'detail') }),
      el('td', { text: s.rules.map((r) => r.key).join(' ') }))))));
  $('trace').replaceChildren(...a.trace.map((s) => el('li', {},
    el('span', { class: 'step-label', text: `${pick(s, 'label')}：` }), el('span', { text: pick(s, 'detail') }),
    ...s.rules.map((r) => el('span', { class: 'citation' }, `${t('rule')}：`, linked(r.source.url, pick(r, 'citation')), `（${r.key}${r.decision ? `、${t('decision')}` : ''}）`)))));
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
    plan = planPreparation({ ...input, start_on: parseDate(start) }, choice());
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
  for (const node of document.querySelectorAll('#form input, #form select, #start_on, #line, #terminal_os, #disposed_on, #revision')) {
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

/** The inputs as a link (see share.js for the keys). */
function shareLink() {
  const fields = { kind: document.querySelector('input[name=kind]:checked')?.value ?? linkKind, readers: $('readers').value, lang };
  for (const k of ['group_rx_per_month', 'contracted_on', 'operation_started_on', 'completed_on', 'applied_on', 'deferral', 'disposed_on', 'institution_code', 'name', ...APPLICANT, 'start_on']) fields[k] = $(k).value;
  fields.rules = choice()?.rules;
  if (fields.kind !== 'pharmacy') delete fields.group_rx_per_month;
  if (!$('not-applied').checked) fields.reader_applied_on = $('reader_applied_on').value;
  const items = [];
  if (costMode() === 'total') fields.total_cost = $('total_cost').value;
  else for (const row of $('items').children) items.push({ category: row.querySelector('select').value, amount: row.querySelector('.item-amount').value, tax_included: row.querySelector('.item-tax').checked, description: row.dataset.description });
  return `${location.origin}${location.pathname}#${toFragment({ fields, items })}`;
}

// A link key whose element has another id (an empty revision means the latest).
const LINK_ELEMENT = { rules: 'revision' };

/** Fills the form from a link's fragment; returns the view it asks for. */
function restoreLink(hash) {
  const { fields, items, unknown } = fromFragment(hash);
  if (!Object.keys(fields).length && !items.length) return null;
  // The link states the inputs whole: an optional field it leaves out is emptied, and a value
  // a select does not offer (a revision or deferral type the page lacks) is named, not used.
  for (const k of FIELDS) {
    const node = $(LINK_ELEMENT[k] ?? k);
    if (['kind', 'lang', 'view'].includes(k) || !node) continue;
    if (fields[k] != null) node.value = fields[k];
    else if (!['readers', 'total_cost'].includes(k)) node.value = '';
    if (fields[k] != null && node.value !== fields[k]) { unknown.push(`${k}=${fields[k]}`); node.value = ''; }
  }
  if (fields.reader_applied_on != null) $('not-applied').checked = false;
  const radio = fields.kind && document.querySelector(`input[name=kind][value="${CSS.escape(fields.kind)}"]`);
  linkKind = fields.kind && !radio ? fields.kind : null;
  if (radio) radio.checked = true;
  else if (fields.kind) for (const r of document.querySelectorAll('input[name=kind]')) r.checked = false;
  if (items.length) {
    document.querySelector('input[name=cost-mode][value=items]').checked = true;
    $('items').replaceChildren();
    for (const it of items) addRow(it.category ?? 'other', it.amount ?? '', !/^(false|0|税抜)$/i.test(it.tax_included ?? 'true'), it.description ?? '');
  } else if (fields.total_cost != null) {
    document.querySelector('input[name=cost-mode][value=total]').checked = true;
  }
  if (fields.lang === 'en' || fields.lang === 'ja') lang = fields.lang;
  $('link-note').textContent = unknown.length ? t('linkUnknown', unknown.join(', ')) : '';
  return fields.view ?? null;
}

function showView(view) {
  const heading = { form: 'h-sheet', result: 'h-result' }[view];
  if (!heading) return;
  $(heading).scrollIntoView();
  $(heading).focus({ preventScroll: true });
}

function printView(view) {
  document.body.dataset.print = view;
  if (view === 'result') $('why').open = true;
  window.print();
}

async function copyLink() {
  const link = shareLink();
  $('share-link').value = link;
  try {
    await navigator.clipboard.writeText(link);
    $('copy-status').textContent = t('copied');
  } catch {
    $('share-link').select();
    $('copy-status').textContent = t('copyFailed');
  }
}

function showClosed() {
  const by = latestRules.deadlines.application_filed_by.value;
  const deferred = (latestRules.deferral?.deadlines.value ?? []).map((d) => d.application_filed_by).sort();
  const last = deferred.length ? deferred[deferred.length - 1] : null;
  $('closed').hidden = today() <= (last ?? by);
  $('closed').textContent = t('closed', by, last);
}

async function main() {
  // Named from this script, so the path holds once the page is bundled into one file.
  await init({ module_or_path: new URL('pkg/onshi_wasm_bg.wasm', import.meta.url) });
  revisionList = revisions();
  fillRevisions();
  latestRules = ruleSet();
  rules = latestRules;
  // A link states the inputs whole: what this device kept is not mixed in.
  const view = location.hash.length > 1 ? restoreLink(location.hash) : (restore(), null);
  if (choice()) rules = ruleSet(choice());
  applyStrings();
  $('loading').hidden = true;
  // Shown once every label is written and the core is ready (the HTML holds no label text).
  $('app').hidden = false;
  document.body.addEventListener('input', update);
  document.body.addEventListener('change', update);
  $('form').addEventListener('submit', (e) => e.preventDefault());
  // Before the body's listener runs update(): the rules first, then the result under them.
  $('revision').addEventListener('change', () => { rules = ruleSet(choice()); applyStrings(); });
  $('lang-toggle').addEventListener('click', () => { lang = lang === 'ja' ? 'en' : 'ja'; applyStrings(); update(); });
  for (const r of document.querySelectorAll('input[name=kind]')) r.addEventListener('change', () => { linkKind = null; });
  $('preset-existing').addEventListener('click', () => fillPreset('existing'));
  $('preset-new').addEventListener('click', () => fillPreset('new'));
  $('add-item').addEventListener('click', () => { addRow(); update(); });
  $('print-result').addEventListener('click', () => printView('result'));
  $('print-form').addEventListener('click', () => printView('form'));
  $('copy-link').addEventListener('click', copyLink);
  // Ctrl+P prints the result, never the input form; the choice is dropped after printing.
  window.addEventListener('beforeprint', () => { document.body.dataset.print ??= 'result'; });
  window.addEventListener('afterprint', () => { delete document.body.dataset.print; });
  window.addEventListener('hashchange', () => { const v = restoreLink(location.hash); rules = ruleSet(choice()); applyStrings(); update(); showView(v); });
  update();
  showView(view);
  if ('serviceWorker' in navigator && location.protocol !== 'file:') navigator.serviceWorker.register('sw.js').catch(() => {});
}

main().catch((e) => {
  const p = $('loading');
  p.hidden = false;
  p.textContent = `${t('loading')} — ${e.message}`;
});
