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
    revision: '計算に使う規則', revisionHint: 'ふだんは最新（最終的に支払われた規則）のまま。当時の規則で計算し直すときに選びます。',
    revisionOption: (title, from, latest) => `${from}から：${title}${latest ? '（最新）' : ''}`,
    measure: { standard: '通常の補助', special_2020: '特例補助（令和2年度の措置）', special_2022: '特例補助（令和4年に再開された分）', difference_2022: '差額の補助（令和4年の見直し）' },
    hCost: '2. 費用', costMode: '入力のしかた', costTotal: '総額（税込）で入力', costItems: '見積の明細で入力',
    totalCost: '事業費の総額（税込）', amountHint: '例：279,950円、28万円、￥279,950',
    presetLead: 'NTT東日本「スタートパック」の見積額を入れることもできます。',
    presetExisting: 'スタートパック（既設回線）を入れる', presetNew: 'スタートパック（新設回線）を入れる',
    addItem: '明細を追加', hResult: '3. 試算の結果', why: '詳細：計算の式と、根拠になった規則', hPlan: '6. 準備のスケジュール', hPlanPast: '6. 参考：準備のスケジュール',
    planSummary: '準備の手順と期限を見る', planSummaryPast: '準備の手順と期限を見る（申請の受付は終わっています。記録のための参考です）',
    startOn: '運用開始の目標日', line: 'オンライン請求に使っている回線', os: '資格確認端末のOS', unknown: '分からない',
    hKeep: '7. 印刷・共有・保存', printLead: '結果はA4用紙1枚に根拠とともに、申請書は記入済みの様式で印刷します。ブラウザの印刷（Ctrl+P）では、いま見ている方が印刷されます。', printResult: '結果を印刷する', printForm: '申請書を印刷する', keep: '入力内容をこの端末（ブラウザ）に保存する',
    copyLink: 'リンクをコピーする', linkLabel: '入力内容を含むリンク', linkHint: '「#」より後ろはブラウザの中だけで使われ、サーバーには送られません。', copied: 'リンクをコピーしました。', copyFailed: 'コピーできませんでした。上の欄から手で選んでコピーしてください。',
    linkUnknown: (keys) => `リンクの中の分からない項目を使いませんでした：${keys}`,
    closed: (d, late) => `補助金の申請受付は ${d} に終了しました${late ? `（猶予届が受理された場合は ${late}）` : ''}。ここでの結果は、記録・監査・処分のための再計算です。`,
    hApplicant: '申請者（申請書に記入する内容・任意）', applicantLead: '申請書に記入されるだけで、どこにも送信されません。空欄なら、印刷後に手で記入できます。',
    institutionCode: '医療機関コード（10桁）', codeHint: '例：3410712362、34-1071236-2', codeDerived: (p, f) => `都道府県コード ${p}・点数表コード ${f}`,
    name: '保険医療機関等の名称', founder: '開設者氏名', postalCode: '郵便番号', postalHint: '例：730-0011', address: '所在地', phone: '電話番号',
    hWhatIf: '費用を変えた場合の補助金額（グラフ）を見る', chartTitle: '補助対象経費と補助金額のグラフ',
    chartDesc: (cap, sp, st) => `補助限度額 ${cap}円まで、特例補助は経費の全額（千円未満切り捨て）、通常の補助はその一部。限度額での補助金額は特例 ${sp}円、通常 ${st}円。`,
    chartX: '補助対象経費（税込・円）', you: 'あなたの場合', chartTable: 'グラフの数値（円）', chartFigures: 'グラフの数値を表で見る',
    readersTable: 'カードリーダーの台数ごとの補助限度額と、いまの費用での補助金額（円）', grantAtCost: 'いまの費用での補助金額',
    hSheet: '4. 申請書', sheetLead: '申請書の記入例です。「申請書を印刷する」でA4用紙1枚に印刷できます（添付書類の一覧は2枚目）。', sheetNone: '補助の対象外のため、申請書はありません。',
    hAfter: '5. 補助を受けた後（義務・保存期限・処分）', duties: '守ること', hDisposal: '設備を処分するとき',
    disposalLead: '補助で整えた設備を耐用年数より前に売ったり捨てたりするには承認が必要です。そのとき、補助金の全部または一部と、無償で受けたカードリーダーの残りの価値を返すよう求められることがあります。下の額は、求められうる最大の額です。', retentionNone: '事業完了日を入れると、帳簿等の保存期限を表示します。',
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
    late: '期限を過ぎています', by: 'まで', rule: '根拠', decision: 'この点は規則に書かれていないため、このツールが決めた扱いです', ruleKey: '規則の項目',
    past: '過ぎています', notAppliedValue: 'まだ申し込んでいない', printed: (d) => `印刷日：${d}`, inputsTitle: '入力した内容', notGiven: '未入力',
    itemsSummary: (n, parts) => `見積の明細 ${n}件（${parts}）`, itemsCount: (label, n) => `${label} ${n}件`,
    errorsTitle: (n) => `次の${n}件の入力を確認してください。`, errorsOnlyForm: '申請書や処分の額にだけ使う項目なので、試算の結果はそのまま表示しています。',
    summaryBar: (g, s, r) => `補助金 ${g}・自己負担 ${s}・${r} — 結果を見る`, summaryErrors: (n) => `入力に確認が必要な項目が${n}件あります — 一覧を見る`,
    approx: (man) => `約${man}万円`,
    inCap: (c, cap) => `費用 ${c} は補助限度額 ${cap} 以内なので、全額が補助の対象です。`,
    overCap: (c, cap) => `費用 ${c} のうち、補助限度額の ${cap} までが補助の対象です。超えた分は自己負担です。`,
    ineligiblePart: (x) => `このほかの ${x} は補助の対象にならない費用で、全額が自己負担です。`,
    regimes: (rate, unit) => `特例補助は、期限までにカードリーダーを申し込むなどの条件を満たすと、対象になる費用の全額を補助します。通常の補助は、その${rate}です（どちらも${unit}円未満は切り捨て）。`,
    paidSpecial: (m, g) => `この場合は${m}となり、補助金は ${g} です。`,
    paidStandard: (g) => `この場合は通常の補助となり、補助金は ${g} です。`,
    specialWouldBe: (g) => `特例補助の条件を満たしていれば ${g} でした（理由は「お知らせ」をご覧ください）。`,
    paidNone: '補助の対象になりません（理由は「お知らせ」をご覧ください）。',
    hospitalCap: (v) => `病院の補助限度額は、無償で提供されるカードリーダーが1台増えるごとに ${v} ずつ下がります。カードリーダーの代金も同じ限度額の中に数えるためです。`,
    rules: (id, title, latest) => `計算規則：${id}（${title}）${latest ? '— 最終的に支払われた規則' : '— 最新ではない規則'}`,
    retention: '帳簿等の保存期限', businessDays: '営業日で計算', readinessLine: '回線', readinessOs: '端末のOS',
  },
  en: {
    skip: 'Skip to content', site: 'Online eligibility verification grant calculator', title: 'Estimate your grant',
    lead: 'Estimates the Medical Information Support Fund\'s grant for introducing online eligibility verification, special measure included. What you enter is computed on this device only, never sent anywhere.',
    loading: 'Preparing the calculator…', hInstitution: '1. Your institution', kind: 'Kind of institution',
    kindHospital: 'Hospital', kindClinic: 'Medical clinic', kindDental: 'Dental clinic', kindPharmacy: 'Pharmacy',
    rx: 'Prescriptions received a month by the whole group', readers: 'Card readers applied for',
    readerDate: 'Date of the card reader application', dateHint: 'e.g. 2021-02-10, 令和3年2月10日, R3.2.10',
    notApplied: 'Not applied yet', completedOn: 'Project completion date (if known)', appliedOn: 'Grant application date (if known)',
    contractedOn: 'Date of the contract with the system vendor', contractedHint: 'One of the conditions of the special regime reopened in 2022.',
    operationOn: 'Date operation started (online verification in use)', operationHint: 'Decides whether the 2022 revision pays you the difference.',
    deferral: 'Type of an accepted deferral notice (猶予届)', deferralHint: 'An accepted deferral notice extends the completion and application deadlines.', deferralNone: 'No deferral notice', deferralType: (n) => `Type ${n}`,
    revision: 'Rules to compute with', revisionHint: 'Keep the latest (the rules as finally paid) unless recomputing under the rules of the time.',
    revisionOption: (title, from, latest) => `From ${from}: ${title}${latest ? ' (latest)' : ''}`,
    measure: { standard: 'Standard regime', special_2020: 'Special regime (2020 measure)', special_2022: 'Special regime (reopened in 2022)', difference_2022: 'Difference payment (2022 revision)' },
    hCost: '2. Costs', costMode: 'How to enter the cost', costTotal: 'One total (tax included)', costItems: 'The quote, line by line',
    totalCost: 'Total project cost (tax included)', amountHint: 'e.g. 279,950円, 28万円 (280,000), ￥279,950',
    presetLead: "You can fill in NTT East's “start pack” quote.",
    presetExisting: 'Start pack (existing line)', presetNew: 'Start pack (new line)',
    addItem: 'Add a line item', hResult: '3. Result', why: 'Details: the formulas and the rules behind them', hPlan: '6. Preparation schedule', hPlanPast: '6. For reference: the preparation schedule',
    planSummary: 'Show the steps and their deadlines', planSummaryPast: 'Show the steps and their deadlines (applications have closed: for the record only)',
    startOn: 'Target start of operation', line: 'Line used for online claims', os: 'Operating system of the terminal', unknown: "Don't know",
    hKeep: '7. Print, share and keep', printLead: 'The result prints on one A4 page with its reasons, the form as filled in. The browser\'s print (Ctrl+P) prints the one you are looking at.', printResult: 'Print the result', printForm: 'Print the form', keep: 'Keep my inputs on this device (browser)',
    copyLink: 'Copy the link', linkLabel: 'A link with your inputs', linkHint: 'The part after "#" stays in the browser and is never sent to a server.', copied: 'The link is copied.', copyFailed: 'Could not copy: select the link above and copy it by hand.',
    linkUnknown: (keys) => `Keys in the link that were not used: ${keys}`,
    closed: (d, late) => `Grant applications closed on ${d}${late ? ` (${late} with an accepted deferral notice)` : ''}. Results here are recomputations for records, audits and disposals.`,
    hApplicant: 'Applicant (for the form, optional)', applicantLead: 'Only for the form; never sent anywhere. Left empty, the form prints blanks.',
    institutionCode: 'Institution code (10 digits)', codeHint: 'e.g. 3410712362, 34-1071236-2', codeDerived: (p, f) => `Prefecture code ${p}, fee-schedule code ${f}`,
    name: 'Name of the institution', founder: 'Founder', postalCode: 'Postal code', postalHint: 'e.g. 730-0011', address: 'Address', phone: 'Phone',
    hWhatIf: 'How the grant moves with the cost (a chart)', chartTitle: 'Grant against eligible cost',
    chartDesc: (cap, sp, st) => `Up to the cap of ${cap} yen the special regime pays the whole cost (cut to the thousand), the standard regime a share. At the cap: special ${sp} yen, standard ${st} yen.`,
    chartX: 'Eligible cost (tax incl., yen)', you: 'Your case', chartTable: 'The chart\'s figures (yen)', chartFigures: 'The chart\'s figures as a table',
    readersTable: 'Cap and grant at your cost, by card readers (yen)', grantAtCost: 'Grant at your cost',
    hSheet: '4. Application form', sheetLead: 'The form, filled in. "Print the form" prints it on one A4 page (the documents to attach on a second).', sheetNone: 'No grant, so there is no form to file.',
    hAfter: '5. After the grant (duties, books, disposal)', duties: 'Duties', hDisposal: 'Disposing of the equipment',
    disposalLead: 'Selling or scrapping the equipment before its useful life ends needs approval, and you may be asked to return all or part of the grant and what is left of the value of the free card reader. The figure below is the most that may be asked.', retentionNone: 'Enter the completion date to see how long to keep the books.',
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
    late: 'Late', by: 'by', rule: 'Rule', decision: 'the rules do not say this: it is how this tool decided to treat it', ruleKey: 'Rule item',
    past: 'past', notAppliedValue: 'not applied for yet', printed: (d) => `Printed on ${d}`, inputsTitle: 'What you entered', notGiven: 'not given',
    itemsSummary: (n, parts) => `${n} line items (${parts})`, itemsCount: (label, n) => `${label}: ${n}`,
    errorsTitle: (n) => `Please check ${n === 1 ? 'this entry' : `these ${n} entries`}.`, errorsOnlyForm: 'Used only on the form or for a disposal, so the result is shown as it is.',
    summaryBar: (g, s, r) => `Grant ${g}, you pay ${s}, ${r} — see the result`, summaryErrors: (n) => `${n} ${n === 1 ? 'entry needs' : 'entries need'} checking — see the list`,
    inCap: (c, cap) => `The cost of ${c} is within the cap of ${cap}, so all of it counts.`,
    overCap: (c, cap) => `Of the cost of ${c}, the part up to the cap of ${cap} counts; you pay the rest.`,
    ineligiblePart: (x) => `The other ${x} is cost the grant does not cover; you pay all of it.`,
    regimes: (rate, unit) => `The special regime pays all of the cost that counts when its conditions are met (such as applying for the card reader in time); the standard regime pays ${rate} of it (both cut down to a multiple of ¥${unit}).`,
    paidSpecial: (m, g) => `Here the ${m} applies: the grant is ${g}.`,
    paidStandard: (g) => `Here the standard regime applies: the grant is ${g}.`,
    specialWouldBe: (g) => `Meeting the special regime's conditions, it would have been ${g} (see the notices for why not).`,
    paidNone: 'No grant is paid (see the notices for why).',
    hospitalCap: (v) => `A hospital's cap falls by ${v} with each more card reader it is given free, because the readers' price counts within the same cap.`,
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

/** Whole yen as people write them: 279,950円 (¥279,950 in English). */
const yen = (n) => (lang === 'en' ? `¥${n.toLocaleString('en')}` : `${n.toLocaleString('ja-JP')}円`);

/** A headline amount, with the rounded 万円 a person says beside it: 279,000円（約28万円）. */
function yenSaid(n) {
  if (lang === 'en' || n < 100000) return yen(n);
  const man = Math.round(n / 10000);
  return `${yen(n)}（${man * 10000 === n ? '' : '約'}${man.toLocaleString('ja-JP')}万円）`;
}

const ERA = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', timeZone: 'UTC' });
const EN_DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const EN_ERA = new Intl.DateTimeFormat('en-u-ca-japanese', { era: 'short', year: 'numeric', timeZone: 'UTC' });

/** An ISO date as a person reads it: 2021年2月10日（令和3年）, 10 Feb 2021 (Reiwa 3). */
function dateText(iso) {
  if (!iso) return '';
  const d = new Date(`${iso}T00:00:00Z`);
  if (lang === 'en') return `${EN_DATE.format(d)} (${EN_ERA.format(d).replace(/^(\d+) (\S+)$/, '$2 $1')})`;
  const [y, m, day] = iso.split('-').map(Number);
  return `${y}年${m}月${day}日（${ERA.format(d)}）`;
}

/** A date, marked as past when it is before today. */
const dateSaid = (iso) => (iso && iso < today() ? `${dateText(iso)} — ${t('past')}` : dateText(iso));

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
    // A row with no amount yet (just added) is not an entry: not sent, so it blanks nothing.
    sentRows = [...$('items').children].filter((row) => row.querySelector('.item-amount').value.trim());
    input.line_items = sentRows.map((row) => ({
      category: row.querySelector('select').value,
      amount: row.querySelector('.item-amount').value,
      tax_included: row.querySelector('.item-tax').checked,
    }));
  }
  return input;
}

let sentRows = []; // the item rows sent to the core, in the order its errors count them
const costMode = () => document.querySelector('input[name=cost-mode]:checked').value;

function showErrors(errors) {
  const fields = ['kind', 'group_rx_per_month', 'readers', 'reader_applied_on', 'contracted_on', 'operation_started_on', 'completed_on', 'applied_on', 'deferral', 'disposed_on', 'institution_code', 'name', 'total_cost', 'line_items'];
  for (const f of fields) setError($(`err-${f}`), $(f), null);
  const rows = [...$('items').children];
  for (const row of rows) setError(row.querySelector('.field-error'), row.querySelector('.item-amount'), null);
  for (const e of errors) {
    const m = /^line_items\[(\d+)\]/.exec(e.field);
    const msg = e.value ? `「${e.value}」：${pick(e, 'message')}` : pick(e, 'message');
    const row = m && sentRows[Number(m[1])];
    if (row) setError(row.querySelector('.field-error'), row.querySelector('.item-amount'), msg);
    else setError($(`err-${e.field}`) ?? $('err-line_items'), $(e.field), msg);
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
  const blocking = errors.filter((e) => !FORM_ONLY.includes(e.field));
  let a = null;
  if (!blocking.length) {
    for (const e of errors) delete input[e.field];
    a = assess(input, true, choice());
  }
  showWhereTheyMatter(a); // with no result: a field with a value (and so its error) is never hidden
  renderSummary(a, errors);
  showErrorList(errors, Boolean(a));
  if (a) {
    renderResult(a);
    renderWhatIf(input);
    renderSheet(a, input, code);
    renderAfter(a);
    renderPrintHead(a, input, code);
  } else {
    $('result').replaceChildren();
    for (const id of ['explain', 'notices', 'trace', 'trace-print', 'print-head', 'what-if', 'sheet-view', 'after-figures']) $(id).replaceChildren();
  }
  renderPlan();
  keep();
  $('share-link').value = shareLink();
}

// Fields the result does not depend on (the form's applicant, a disposal date): an error there
// shows beside the field and in the result's list, and the result is computed without it.
const FORM_ONLY = ['institution_code', 'name', 'disposed_on'];

/** Where an error's field is on the page: its input (a line item's amount, the first kind). */
function fieldInput(field) {
  const m = /^line_items\[(\d+)\]/.exec(field);
  if (m) return sentRows[Number(m[1])]?.querySelector('.item-amount') ?? $('add-item');
  if (field === 'kind') return document.querySelector('input[name=kind]');
  return $(field) ?? $('total_cost');
}

function fieldLabel(field) {
  const m = /^line_items\[(\d+)\]/.exec(field);
  if (m) return `${t('item')} ${[...$('items').children].indexOf(sentRows[Number(m[1])]) + 1}`;
  if (field === 'kind') return t('kind');
  return document.querySelector(`label[for="${CSS.escape(field)}"]`)?.textContent ?? field;
}

/**
 * Every field in error, each a link that takes the person to it. The same errors keep the same
 * list: leaving a field re-renders the result, and a link replaced under the pointer is never
 * clicked.
 */
let shownErrors = '';
function showErrorList(errors, onlyForm) {
  const key = JSON.stringify([lang, onlyForm, errors]);
  if (key === shownErrors) return;
  shownErrors = key;
  $('errors').replaceChildren(...(errors.length ? [errorList(errors, onlyForm)] : []));
}

function errorList(errors, onlyForm) {
  // In the order of the page, as a person reads it.
  const inOrder = [...errors].sort((x, y) => (fieldInput(x.field).compareDocumentPosition(fieldInput(y.field)) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  const ul = el('ul', {}, ...inOrder.map((e) => {
    const target = fieldInput(e.field);
    const link = el('a', { href: `#${target.id || 'kind-group'}`, text: `${fieldLabel(e.field)}：${e.value ? `「${e.value}」 ` : ''}${pick(e, 'message')}` });
    link.addEventListener('click', (ev) => { ev.preventDefault(); target.scrollIntoView({ block: 'center' }); target.focus({ preventScroll: true }); });
    return el('li', {}, link);
  }));
  return el('div', { class: 'error-summary', id: 'error-summary' },
    el('p', { text: t('errorsTitle', errors.length) }), ul, onlyForm ? el('p', { class: 'hint no-print', text: t('errorsOnlyForm') }) : null);
}

/** The phone's bar: the grant while the person types, or how many fields need checking. */
function renderSummary(a, errors) {
  const link = $('summary-link');
  link.textContent = a ? t('summaryBar', yen(a.grant), yen(a.self_pay), a.measure ? t('measure')[a.measure] : t('notEligible')) : t('summaryErrors', errors.length);
  link.href = a ? '#h-result' : '#error-summary';
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
let lastWhatIf = null; // redrawn at the width it is shown (its text stays 14 px on a phone)
function renderWhatIf(input) {
  const start = performance.now();
  const w = whatIf(input, choice());
  whatIfMs.push(performance.now() - start);
  document.body.dataset.whatIfMs = whatIfMs.slice(-50).join(',');
  lastWhatIf = input;
  $('what-if').replaceChildren(...whatIfChart(w, t, $('what-if').clientWidth));
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
    [t('retention'), a.retention_until ? dateSaid(a.retention_until) : t('retentionNone'), 'retention'],
    a.useful_life_until ? [t('usefulLife'), dateSaid(a.useful_life_until), 'useful-life'] : null,
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
  const duties = rules.after_grant.duties;
  // One source for all (the usual case): named once above the list, each duty with its article.
  const one = duties.every((d) => d.source === duties[0].source) ? duties[0].source : null;
  const src = one && rules.sources[one];
  $('duties-source').replaceChildren(...(one ? [`${t('rule')}：`, linked(src.url, lang === 'en' ? src.short_en : src.short)] : []));
  $('duties').replaceChildren(...duties.map((d) => {
    const article = lang === 'ja' ? d.article : d.article_en;
    return el('li', {}, el('span', { text: lang === 'ja' ? d.text : d.text_en }), ' ',
      one ? el('span', { class: 'article', text: `（${article}）` })
        : el('span', { class: 'citation' }, `${t('rule')}：`, ...citation(rules, d.source, article, lang)));
  }));
}

function renderResult(a) {
  const other = a.regime === 'special' ? [t('standard'), a.standard_grant]
    : a.regime === 'standard' ? [t('special'), a.special_grant] : null;
  const regimeName = a.measure ? t('measure')[a.measure] : t('notEligible');
  const rows = [
    [t('grant'), yenSaid(a.grant), 'grant'],
    [t('selfPay'), yen(a.self_pay), 'self-pay'],
    [t('regime'), regimeName, 'regime'],
    [t('form'), a.form ?? '—', 'form'],
    [t('cap'), yen(a.cap)],
    [t('eligibleCost'), yen(a.eligible_cost)],
    a.ineligible_cost > 0 ? [t('ineligibleCost'), yen(a.ineligible_cost)] : null,
    other ? [t('other'), `${other[0]}${lang === 'ja' ? '：' : ': '}${other[1] == null ? t('notEligible') : yen(other[1])}`] : null,
    a.retention_until ? [t('retention'), dateSaid(a.retention_until)] : null,
  ].filter(Boolean);
  const dl = el('dl', { class: 'figures' });
  for (const [k, v, id] of rows) dl.append(el('div', id ? { class: 'row', id: `r-${id}` } : { class: 'row' }, el('dt', { text: k }), el('dd', { text: v })));
  const parts = [dl];
  if (a.estimate) parts.push(el('p', { class: 'estimate', text: t('estimate') }));
  $('result').replaceChildren(...parts);
  const notices = a.notices.length ? [el('h3', { text: t('notices') }), el('ul', { class: 'notices' },
    ...a.notices.map((n) => el('li', { class: `notice ${n.severity}`, text: pick(n, 'message') })))] : [];
  $('notices').replaceChildren(...notices);
  renderExplain(a);
  renderTrace(a);
}

/** The core's rate (`standard_rate`, e.g. "3/4") as it is said: 4分の3; as given in English. */
const rateWords = (rate) => (lang === 'ja' && /^\d+\/\d+$/.test(rate) ? rate.split('/').reverse().join('分の') : rate);

/** The result in sentences, from the core's figures and the rules' values. */
function renderExplain(a) {
  const capped = a.regime === 'ineligible' ? null : a.trace.find((s) => s.step === 'capped_cost')?.after.value;
  const lines = [];
  if (capped != null) lines.push(capped === a.eligible_cost ? t('inCap', yen(a.eligible_cost), yen(a.cap)) : t('overCap', yen(a.eligible_cost), yen(a.cap)));
  if (capped != null && a.ineligible_cost > 0) lines.push(t('ineligiblePart', yen(a.ineligible_cost)));
  lines.push(t('regimes', rateWords(a.standard_rate), rules.money.rounding_unit.value.toLocaleString(lang)));
  if (a.regime === 'special') lines.push(t('paidSpecial', t('measure')[a.measure], yen(a.grant)));
  else if (a.regime === 'standard') {
    lines.push(t('paidStandard', yen(a.grant)));
    if (a.special_grant != null && a.special_grant > a.grant) lines.push(t('specialWouldBe', yen(a.special_grant)));
  } else lines.push(t('paidNone'));
  if (a.category === 'hospital') lines.push(t('hospitalCap', yen(rules.after_grant.reader_value.value)));
  $('explain').replaceChildren(...lines.map((l) => el('p', { text: l })));
}

/** The steps with their formulas and rules (folded), and the printed table of them. */
function renderTrace(a) {
  const cite = (r) => linked(r.source.url, pick(r, 'citation'));
  $('trace').replaceChildren(...a.trace.map((s) => el('li', {},
    el('span', { class: 'step-label', text: `${pick(s, 'label')}：` }), el('span', { text: pick(s, 'detail') }),
    ...s.rules.map((r) => el('span', { class: 'citation' }, `${t('rule')}：`, cite(r), `（${t('ruleKey')} ${r.key}）`,
      r.decision ? el('span', { class: 'decision', text: t('decision') }) : null)))));
  // On paper: one page. Beyond a few line items, their rows give way to the inputs' summary.
  const isItem = (s) => s.step === 'line_item' || s.step === 'line_item_tax';
  const steps = a.trace.filter(isItem).length > 4 ? a.trace.filter((s) => !isItem(s)) : a.trace;
  // Each source is written once, numbered, with the articles read in it (the citations as on
  // screen, grouped); a step names its sources' numbers.
  const sources = new Map();
  const ref = (r) => {
    const c = pick(r, 'citation'); const article = pick(r, 'article');
    const name = c.endsWith(article) ? c.slice(0, c.length - article.length).replace(/[\s,]+$/, '') : c;
    if (!sources.has(r.source.id)) sources.set(r.source.id, { n: sources.size + 1, name, articles: [] });
    const entry = sources.get(r.source.id);
    if (name !== c && !entry.articles.includes(article)) entry.articles.push(article);
    return `[${entry.n}]`;
  };
  const rows = steps.map((s, i) => el('tr', {},
    el('th', { scope: 'row', text: `${i + 1}. ${pick(s, 'label')}` }), el('td', { text: pick(s, 'detail') }),
    el('td', { class: 'refs', text: [...new Set(s.rules.map(ref))].join('') })));
  $('trace-print').replaceChildren(
    el('table', { class: 'trace-table' }, el('caption', { text: t('why') }), el('tbody', {}, ...rows)),
    el('ol', { class: 'print-sources', 'aria-label': t('rule') }, ...[...sources.values()].map((x) => el('li', { text: `${x.name}${lang === 'ja' ? '　' : ': '}${x.articles.join(lang === 'ja' ? '；' : '; ')}` }))));
}

/** Two to a row, the way a form on paper reads; a long value (the line items) keeps a row of its own. */
function pairs(rows) {
  const out = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    if (last?.length === 1 && row[1].length <= 24 && last[0][1].length <= 24) last.push(row); else out.push([row]);
  }
  return out;
}

/** On the printed result: who, what was entered, under which rules, and when it was printed. */
function renderPrintHead(a, input, code) {
  const items = [...$('items').children];
  const counts = new Map();
  for (const row of items) {
    const label = categoryLabel(rules, row.querySelector('select').value, lang);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const cost = input.line_items
    ? t('itemsSummary', items.length, [...counts].map(([l, n]) => t('itemsCount', l, n)).join(lang === 'ja' ? '、' : '; '))
    : yen(a.total_cost);
  const date = (f) => (input[f] ? dateText(isoDate(input[f])) : null);
  const who = [$('name').value.trim(), code?.code].filter(Boolean).join(' ');
  const rows = [
    who ? [t('name'), who] : null,
    [t('kind'), document.querySelector('input[name=kind]:checked')?.nextElementSibling?.textContent ?? input.kind],
    [t('readers'), String(input.readers)],
    [t('readerDate'), $('not-applied').checked ? t('notAppliedValue') : (date('reader_applied_on') ?? t('notGiven'))],
    ...['contracted_on', 'operation_started_on', 'completed_on', 'applied_on'].map((f) => (input[f] ? [fieldLabel(f), date(f)] : null)),
    input.deferral ? [t('deferral'), t('deferralType', input.deferral)] : null,
    [t('totalCost'), cost],
  ].filter(Boolean);
  $('print-head').replaceChildren(
    el('p', { class: 'print-meta', text: `${t('printed', dateText(today()))}　${$('rules-line').textContent}` }),
    el('table', { class: 'print-inputs' }, el('caption', { text: t('inputsTitle') }),
      el('tbody', {}, ...pairs(rows).map((pair) => el('tr', {}, ...pair.flatMap(([k, v]) => [el('th', { scope: 'row', text: k }), el('td', { text: v })]))))));
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
      el('span', { class: 'plan-date', text: s.latest ? `${dateText(s.latest)} ${t('by')}` : '' }),
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

/** The printable view the person is looking at: the form when its section fills the middle of the window. */
function viewInSight() {
  const box = document.querySelector('.sheet-section').getBoundingClientRect();
  return $('sheet') && box.top < innerHeight / 2 && box.bottom > innerHeight / 2 ? 'form' : 'result';
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
  const closed = today() > (last ?? by);
  $('closed').hidden = !closed;
  $('closed').textContent = t('closed', dateText(by), last && dateText(last));
  // A schedule for a project that can no longer be filed is kept for the record, folded.
  $('h-plan').textContent = t(closed ? 'hPlanPast' : 'hPlan');
  $('plan-summary').textContent = t(closed ? 'planSummaryPast' : 'planSummary');
  if (!planFolded) { $('plan-details').open = !closed; planFolded = true; }
}
let planFolded = false; // folded once, on load; then as the person leaves it

/** The phone's summary bar shows while the inputs are in view and the result is not; the chart follows its width. */
function watchLayout() {
  const seen = { form: false, result: false };
  const watch = (id, key, options) => new IntersectionObserver((entries) => {
    for (const e of entries) seen[key] = e.isIntersecting;
    $('summary-bar').hidden = !(seen.form && !seen.result);
  }, options).observe($(id));
  watch('form', 'form');
  watch('result', 'result', { rootMargin: '0px 0px -30% 0px' });
  let width = 0;
  new ResizeObserver(() => {
    const now = $('what-if').clientWidth;
    if (lastWhatIf && Math.abs(now - width) > 16) { width = now; renderWhatIf(lastWhatIf); }
  }).observe($('what-if'));
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
  $('add-item').addEventListener('click', () => { addRow().querySelector('.item-amount').focus(); update(); });
  $('print-result').addEventListener('click', () => printView('result'));
  $('print-form').addEventListener('click', () => printView('form'));
  $('copy-link').addEventListener('click', copyLink);
  // Ctrl+P prints what is in view: the form when the person is at the form, else the result
  // (never the input fields). The choice is dropped after printing.
  window.addEventListener('beforeprint', () => { document.body.dataset.print ??= viewInSight(); });
  window.addEventListener('afterprint', () => { delete document.body.dataset.print; });
  window.addEventListener('hashchange', () => { const v = restoreLink(location.hash); rules = ruleSet(choice()); applyStrings(); update(); showView(v); });
  watchLayout();
  update();
  showView(view);
  if ('serviceWorker' in navigator && location.protocol !== 'file:') navigator.serviceWorker.register('sw.js').catch(() => {});
}

main().catch((e) => {
  const p = $('loading');
  p.hidden = false;
  p.textContent = `${t('loading')} — ${e.message}`;
});
