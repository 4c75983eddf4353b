// Words on the page that state a rule: written from the rule set (wasm ruleSet()), never typed
// here, so that another rule set says what it does. Pure functions, tested in Node with
// changed rule sets (tests/hints.test.mjs).

export const CATEGORIES = ['terminal', 'package_software', 'line', 'system_modification', 'network', 'recurring', 'extra_reader', 'customisation', 'unrelated_ict', 'other'];
const CATEGORY_NAMES = {
  ja: ['資格確認端末', 'パッケージソフト', 'オンライン請求回線', '既存システムの改修', 'ネットワーク環境の整備', '月額費用', '追加のカードリーダー', 'カスタマイズ', '関係のないICT機器', 'その他'],
  en: ['Verification terminal', 'Package software', 'Online-claims line', 'System modification', 'Network set-up', 'Monthly charges', 'Extra card readers', 'Customisation', 'Unrelated ICT', 'Other'],
};

const count = (n, lang) => n.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en');

/** The free readers per kind, and that no reader means no grant (when the rules say so). */
export function readersHint(rules, lang) {
  const c = rules.categories;
  const h = c.hospital.reader_quota.value;
  const o = c.clinic_or_pharmacy.reader_quota.value;
  const required = rules.eligibility.reader_required.value;
  if (lang === 'ja') {
    return `病院は${h}台まで、診療所・薬局は${o}台まで無償で提供されます。${required ? '申し込まない場合は補助の対象外です。' : ''}`;
  }
  const free = (n) => (n === 1 ? '1 free reader' : `up to ${n} free readers`);
  return `Hospitals get ${free(h)}, clinics and pharmacies ${free(o)}.${required ? ' Without a reader application there is no grant.' : ''}`;
}

/** Who is a large chain pharmacy, and the standard rates that differ by it. */
export function rxHint(rules, lang) {
  const n = count(rules.large_chain.threshold_rx_per_month.value, lang);
  const large = rules.categories.large_chain_pharmacy.standard_rate.value;
  const other = rules.categories.clinic_or_pharmacy.standard_rate.value;
  return lang === 'ja'
    ? `グループ全体で月${n}回以上の薬局は「大型チェーン薬局」になり、通常の補助の補助率が ${other} から ${large} になります。`
    : `A pharmacy whose group receives ${n} or more prescriptions a month is a “large chain pharmacy”: the standard rate is ${large} instead of ${other}.`;
}

/** A line-item category's label, marked when the rules do not count it as eligible cost. */
export function categoryLabel(rules, category, lang) {
  const name = CATEGORY_NAMES[lang][CATEGORIES.indexOf(category)];
  if (rules.line_items[category].value) return name;
  return lang === 'ja' ? `${name}（対象外）` : `${name} (not eligible)`;
}
