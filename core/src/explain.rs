//! The explanation of an assessment, written from its [`Derivation`]: each step with what went
//! in, what came out, the words in Japanese and English, and the rule parameters the step read
//! — the ones [`crate::assess`] noted while computing it, never a list typed beside the text.
//! Written only when someone reads it (the trace, `--text`, audit rows, the page).

use serde::Serialize;

use crate::assess::{
    Assessment, DifferenceCheck, ItemGroup, ItemStep, Step, TraceValue, WindowCheck,
};
use crate::model::{Kind, Lang, Measure, Regime};
use crate::money::Yen;
use crate::rules::{Cited, ParamSet, RuleSet, by_category as cat, p};

/// One step of the explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep<'r> {
    /// Stable id of the step (`cap`, `standard_grant`, …).
    pub step: &'static str,
    pub label: &'static str,
    pub label_en: &'static str,
    pub before: Option<TraceValue>,
    pub after: TraceValue,
    /// The rule parameters the step read, with value, date and citation. Empty for a step that
    /// only combines the results of earlier steps or echoes an input.
    pub rules: Vec<Cited<'r>>,
    /// The step written out with its numbers.
    pub detail: String,
    pub detail_en: String,
}

impl TraceStep<'_> {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => self.label,
            Lang::En => self.label_en,
        }
    }
    pub fn detail(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.detail,
            Lang::En => &self.detail_en,
        }
    }
    /// The citations of the rules read, joined by `; ` (empty when none was read).
    pub fn citations(&self, lang: Lang) -> String {
        let each = self.rules.iter().map(|c| match lang {
            Lang::Ja => c.citation,
            Lang::En => c.citation_en,
        });
        each.collect::<Vec<_>>().join("; ")
    }
    /// The keys of the rules read, joined by `;`.
    pub fn keys(&self) -> String {
        let keys: Vec<_> = self.rules.iter().map(|c| c.key).collect();
        keys.join(";")
    }
}

/// The whole explanation, in the order the rules ran.
pub fn trace<'r>(a: &Assessment<'r>) -> Vec<TraceStep<'r>> {
    let mut out = Vec::with_capacity(20 + 2 * a.derivation.items.len());
    for s in a.derivation.steps() {
        if s == Step::EligibleCost {
            for (i, item) in a.derivation.items.iter().enumerate() {
                items(a.rules, i + 1, item, &mut out);
            }
            for group in &a.derivation.item_groups {
                item_group(a.rules, group, &mut out);
            }
        }
        out.extend(step(a, s));
    }
    out
}

/// One step of the explanation, when it ran (audit rows show the step of each finding).
pub fn step<'r>(a: &Assessment<'r>, s: Step) -> Option<TraceStep<'r>> {
    let d = &a.derivation;
    if !d.has(s) {
        return None;
    }
    let w = words(a, s)?;
    Some(TraceStep {
        step: s.id(),
        label: w.label.0,
        label_en: w.label.1,
        before: w.before,
        after: w.after,
        rules: cite(a.rules, d.reads(s)),
        detail: w.detail.0,
        detail_en: w.detail.1,
    })
}

fn cite(rules: &RuleSet, read: ParamSet) -> Vec<Cited<'_>> {
    read.iter().map(|id| rules.cite(id)).collect()
}

/// A yen amount in Japanese text: `1,050,000円` (a fraction kept exactly).
fn ja(y: Yen) -> String {
    format!("{}円", y.grouped_exact())
}

/// A yen amount in English text: `¥1,050,000`.
fn en(y: Yen) -> String {
    format!("¥{}", y.grouped_exact())
}

/// A count with thousands separators.
fn n(v: u64) -> String {
    Yen::new(i64::try_from(v).unwrap_or(i64::MAX)).grouped()
}

/// A step's words and values.
struct Words {
    label: (&'static str, &'static str),
    before: Option<TraceValue>,
    after: TraceValue,
    detail: (String, String),
}

fn words(a: &Assessment<'_>, s: Step) -> Option<Words> {
    let d = &a.derivation;
    let f = a.rules.file();
    let cat_rules = a.rules.category(a.category);
    let (cat_ja, cat_en) = (&cat_rules.name, &cat_rules.name_en);
    let unit = p::RoundingUnit.of(f).value;
    let unit_text = n(unit);
    let w = match s {
        Step::Category => {
            let detail = match (a.kind == Kind::Pharmacy, d.group_rx_per_month) {
                (true, Some(rx)) => {
                    let t = p::LargeChainThreshold.of(f).value;
                    let cmp = if rx >= t { "≥" } else { "<" };
                    (
                        format!("処方箋受付 月{}回 {cmp} {}回 → {cat_ja}", n(rx), n(t)),
                        format!("{} prescriptions a month {cmp} {} → {cat_en}", n(rx), n(t)),
                    )
                }
                (true, None) => (
                    format!("処方箋受付回数が不明 → {cat_ja}"),
                    format!("prescriptions a month unknown → {cat_en}"),
                ),
                (false, _) => (
                    format!("{} → {cat_ja}", a.kind.name(Lang::Ja)),
                    format!("{} → {cat_en}", a.kind.name(Lang::En)),
                ),
            };
            Words {
                label: ("区分", "Category"),
                before: Some(TraceValue::Kind(a.kind)),
                after: TraceValue::Category(a.category),
                detail,
            }
        }
        Step::ReadersProvided => {
            let quota = cat::reader_quota(a.category).of(f).value;
            let (applied, provided) = (a.readers_applied, a.readers_provided);
            Words {
                label: ("無償提供台数", "Readers provided"),
                before: Some(TraceValue::Count(u64::from(applied))),
                after: TraceValue::Count(u64::from(provided)),
                detail: (
                    format!("min(申込 {applied}台, 上限 {quota}台) = {provided}台"),
                    format!("min({applied} applied, quota {quota}) = {provided}"),
                ),
            }
        }
        Step::Cap => {
            let readers = a.readers_provided.max(1);
            Words {
                label: ("補助限度額", "Cap"),
                before: Some(TraceValue::Count(u64::from(readers))),
                after: TraceValue::Yen(a.cap),
                detail: (
                    format!("{cat_ja}・カードリーダー{readers}台 → {}", ja(a.cap)),
                    format!("{cat_en}, {readers} reader(s) → {}", en(a.cap)),
                ),
            }
        }
        Step::EligibleCost => Words {
            label: ("補助対象経費", "Eligible cost"),
            before: None,
            after: TraceValue::Yen(a.eligible_cost),
            detail: if d.total_given {
                (
                    format!("総事業費（税込）{}（入力のまま）", ja(a.eligible_cost)),
                    format!(
                        "total project cost (tax included) {}, as given",
                        en(a.eligible_cost)
                    ),
                )
            } else {
                (
                    format!(
                        "補助対象の明細の合計（税込）{}、対象外 {}",
                        ja(a.eligible_cost),
                        ja(a.ineligible_cost)
                    ),
                    format!(
                        "sum of eligible items (tax included) {}; not eligible {}",
                        en(a.eligible_cost),
                        en(a.ineligible_cost)
                    ),
                )
            },
        },
        Step::CappedCost => Words {
            label: ("補助の基準額", "Cost that counts"),
            before: Some(TraceValue::Yen(a.eligible_cost)),
            after: TraceValue::Yen(d.capped),
            detail: (
                format!(
                    "min({}, 限度額 {}) = {}",
                    ja(a.eligible_cost),
                    ja(a.cap),
                    ja(d.capped)
                ),
                format!(
                    "min({}, cap {}) = {}",
                    en(a.eligible_cost),
                    en(a.cap),
                    en(d.capped)
                ),
            ),
        },
        Step::StandardRate => Words {
            label: ("補助率（通常）", "Rate (standard)"),
            before: Some(TraceValue::Yen(d.capped)),
            after: TraceValue::Yen(d.standard_exact),
            detail: (
                format!(
                    "{} × {} = {}",
                    ja(d.capped),
                    a.standard_rate,
                    ja(d.standard_exact)
                ),
                format!(
                    "{} × {} = {}",
                    en(d.capped),
                    a.standard_rate,
                    en(d.standard_exact)
                ),
            ),
        },
        Step::StandardGrant => Words {
            label: ("通常の補助額", "Standard grant"),
            before: Some(TraceValue::Yen(d.standard_exact)),
            after: TraceValue::Yen(d.standard),
            detail: (
                format!("{unit_text}円未満切り捨て → {}", ja(d.standard)),
                format!(
                    "cut down to a multiple of ¥{unit_text} → {}",
                    en(d.standard)
                ),
            ),
        },
        Step::SpecialEligibility => special_eligibility(a),
        Step::SpecialWindow2022 => window_2022(a)?,
        Step::DifferencePayment => difference_2022(a)?,
        Step::SpecialGrant => Words {
            label: ("特例補助の額", "Special grant"),
            before: Some(TraceValue::Yen(d.capped)),
            after: TraceValue::Yen(d.special_amount),
            detail: (
                format!(
                    "{}（全額、{unit_text}円未満切り捨て）→ {}",
                    ja(d.capped),
                    ja(d.special_amount)
                ),
                format!(
                    "{} in full, cut down to a multiple of ¥{unit_text} → {}",
                    en(d.capped),
                    en(d.special_amount)
                ),
            ),
        },
        Step::NoReader => Words {
            label: ("カードリーダーの申込み", "Card reader applied for"),
            before: Some(TraceValue::Count(0)),
            after: TraceValue::Flag(!d.refusals.no_reader),
            detail: if d.refusals.no_reader {
                (
                    "カードリーダーの申込みがないため補助なし".into(),
                    "no card reader applied for, so no grant".into(),
                )
            } else {
                (
                    "カードリーダーの申込みなし（この規則では補助の条件ではない）".into(),
                    "no card reader applied for (not a condition under these rules)".into(),
                )
            },
        },
        Step::ProjectDeadline => deadline(
            ("事業完了日", "Completed on"),
            d.completed_on,
            d.deferral_deadlines
                .map(|k| k.map(|(project, _)| project))
                .unwrap_or(Some(p::ProjectCompletedBy.of(f).value)),
        ),
        Step::ApplicationDeadline => deadline(
            ("補助金申請日", "Grant applied on"),
            d.applied_on,
            d.deferral_deadlines
                .map(|k| k.map(|(_, application)| application))
                .unwrap_or(Some(p::ApplicationFiledBy.of(f).value)),
        ),
        Step::Regime => regime(a),
        Step::Grant => Words {
            label: ("交付額", "Grant"),
            before: None,
            after: TraceValue::Yen(a.grant),
            detail: (
                format!(
                    "交付額 {}、自己負担 {} − {} = {}",
                    ja(a.grant),
                    ja(a.total_cost),
                    ja(a.grant),
                    ja(a.self_pay)
                ),
                format!(
                    "grant {}; self-paid {} − {} = {}",
                    en(a.grant),
                    en(a.total_cost),
                    en(a.grant),
                    en(a.self_pay)
                ),
            ),
        },
        Step::Form => {
            let form = a.form?;
            let detail = if a.regime == Regime::Special {
                let r = a.readers_provided.max(1);
                (
                    format!("{cat_ja}・{r}台 → {form}"),
                    format!("{cat_en}, {r} reader(s) → {form}"),
                )
            } else {
                (
                    format!("通常の補助 → {form}"),
                    format!("standard regime → {form}"),
                )
            };
            Words {
                label: ("申請様式", "Application form"),
                before: None,
                after: TraceValue::Text(form.to_owned()),
                detail,
            }
        }
        Step::UsefulLife => useful_life(a),
        Step::Retention => retention(a)?,
        Step::Disposal => disposal(a)?,
        Step::LineItemTax | Step::LineItem => return None,
    };
    Some(w)
}

fn useful_life(a: &Assessment<'_>) -> Words {
    let d = &a.derivation;
    let years = d.useful_life_years;
    let what = if d.total_given {
        (
            "総額入力のため最も長い区分",
            "one total given, so the longest kind",
        )
    } else {
        (
            "補助対象の明細のうち最も長い区分",
            "the longest of the eligible items",
        )
    };
    let (ja, en) = match (d.completed_on, a.useful_life_until) {
        (Some(c), Some(u)) => (
            format!(
                "耐用年数 {years}年（{}）：{c} 完了 → {u} に経過（それより前の処分には承認が必要）",
                what.0
            ),
            format!(
                "useful life {years} years ({}): completed {c} → ends on {u} (disposal before then needs approval)",
                what.1
            ),
        ),
        _ => (
            format!(
                "耐用年数 {years}年（{}）：完了日が不明のため期限は未定",
                what.0
            ),
            format!(
                "useful life {years} years ({}): completion date unknown, so no end date",
                what.1
            ),
        ),
    };
    Words {
        label: ("耐用年数", "Useful life"),
        before: d.completed_on.map(TraceValue::Date),
        after: a
            .useful_life_until
            .map_or(TraceValue::Unknown, TraceValue::Date),
        detail: (ja, en),
    }
}

fn retention(a: &Assessment<'_>) -> Option<Words> {
    let f = a.rules.file();
    let d = &a.derivation;
    let (c, until, fy, books) = (
        d.completed_on?,
        a.retention_until?,
        d.fiscal_year?,
        d.books_until?,
    );
    let years = p::RetentionYears.of(f).value;
    let month = p::FiscalYearStartMonth.of(f).value;
    let mut ja = format!("{c} 完了 → {fy}年度（{month}月始まり）の終了後{years}年 → {books}");
    let mut en =
        format!("completed {c} → fiscal {fy} (from month {month}) + {years} years → {books}");
    if until > books {
        let why = if Some(until) == d.disposed_on {
            ("処分日", "the disposal")
        } else {
            ("耐用年数の終わり", "the end of the useful life")
        };
        ja.push_str(&format!("；{}（{until}）の方が遅い → {until}", why.0));
        en.push_str(&format!("; {} ({until}) is later → {until}", why.1));
    }
    ja.push_str("まで");
    en.push_str(" is the last day");
    Some(Words {
        label: ("帳簿等の保存期限", "Keep books until"),
        before: Some(TraceValue::Date(c)),
        after: TraceValue::Date(until),
        detail: (ja, en),
    })
}

fn disposal(a: &Assessment<'_>) -> Option<Words> {
    let x = a.disposal.as_ref()?;
    let (m, total) = (x.months_elapsed, x.depreciation_months);
    let readers = match x.depreciation_from {
        Some(from) => (
            format!(
                "カードリーダー {}台 × {} を {from} から{total}か月で償却、{m}か月経過 → 残額 {}",
                x.readers_provided,
                ja(x.reader_value),
                ja(x.readers_remaining)
            ),
            format!(
                "{} reader(s) × {} depreciated over {total} months from {from}, {m} elapsed → {} left",
                x.readers_provided,
                en(x.reader_value),
                en(x.readers_remaining)
            ),
        ),
        None => (
            format!(
                "カードリーダー {}台 × {}（償却の起算日が不明のため全額）",
                x.readers_provided,
                ja(x.readers_remaining)
            ),
            format!(
                "{} reader(s): {} (the depreciation start is unknown, so in full)",
                x.readers_provided,
                en(x.readers_remaining)
            ),
        ),
    };
    let grant = if x.within_useful_life {
        (
            format!("耐用年数内のため補助金 最大 {}", ja(x.grant_up_to)),
            format!(
                "within the useful life, so up to {} of the grant",
                en(x.grant_up_to)
            ),
        )
    } else {
        (
            "耐用年数の経過後のため補助金の返納なし".to_owned(),
            "after the useful life, so none of the grant".to_owned(),
        )
    };
    Some(Words {
        label: (
            "処分した場合の返納額（最大）",
            "Repayment on disposal (at most)",
        ),
        before: Some(TraceValue::Date(x.disposed_on)),
        after: TraceValue::Yen(x.up_to),
        detail: (
            format!("{}；{} → 最大 {}", readers.0, grant.0, ja(x.up_to)),
            format!("{}; {} → at most {}", readers.1, grant.1, en(x.up_to)),
        ),
    })
}

fn special_eligibility(a: &Assessment<'_>) -> Words {
    let d = &a.derivation;
    let by = p::SpecialReaderAppliedBy.of(a.rules.file()).value;
    let detail = match d.reader_applied_on {
        _ if a.readers_applied == 0 => (
            format!("カードリーダーの申込みなし（{by} までの申請が条件）"),
            format!("no card reader applied for (an application by {by} is required)"),
        ),
        Some(x) => {
            let cmp = if x <= by { "≤" } else { ">" };
            (
                format!("提供申請日 {x} {cmp} {by}"),
                format!("reader applied on {x} {cmp} {by}"),
            )
        }
        None => (
            format!(
                "カードリーダーをまだ申し込んでいない、または提供申請日が不明（{by} までの申込みが条件）"
            ),
            format!("reader not applied for yet, or its date unknown (required by {by})"),
        ),
    };
    Words {
        label: ("特例補助の対象", "Special regime applies"),
        before: Some(
            d.reader_applied_on
                .map_or(TraceValue::Unknown, TraceValue::Date),
        ),
        after: TraceValue::Flag(d.special_applies),
        detail,
    }
}

fn deadline(
    label: (&'static str, &'static str),
    date: Option<chrono::NaiveDate>,
    by: Option<chrono::NaiveDate>,
) -> Words {
    let Some(by) = by else {
        let (x, x_en) = given(date);
        return Words {
            label,
            before: Some(date.map_or(TraceValue::Unknown, TraceValue::Date)),
            after: TraceValue::Flag(true),
            detail: (
                format!("{x}（猶予届の類型の期限が分からないため判定しない）"),
                format!("{x_en} (the deferral type's deadline is not known, so not judged)"),
            ),
        };
    };
    let ok = date.is_none_or(|x| x <= by);
    let detail = match date {
        Some(x) => {
            let cmp = if ok { "≤" } else { ">" };
            (
                format!("{x} {cmp} 期限 {by}"),
                format!("{x} {cmp} deadline {by}"),
            )
        }
        None => (
            format!("未入力（期限 {by}）"),
            format!("not given (deadline {by})"),
        ),
    };
    Words {
        label,
        before: Some(date.map_or(TraceValue::Unknown, TraceValue::Date)),
        after: TraceValue::Flag(ok),
        detail,
    }
}

/// A date as the trace writes it, or that it was not given (Japanese, English).
fn given(date: Option<chrono::NaiveDate>) -> (String, String) {
    match date {
        Some(x) => (x.to_string(), x.to_string()),
        None => ("未入力".into(), "not given".into()),
    }
}

/// The 2022 window: a reader applied for in it and a vendor contract by its date.
fn window_2022(a: &Assessment<'_>) -> Option<Words> {
    let d = &a.derivation;
    let w = a.rules.file().special_window_2022.as_ref()?;
    let (from, by, cby) = (
        w.reader_applied_from.value,
        w.reader_applied_by.value,
        w.contracted_by.value,
    );
    let name = (
        &a.rules.category(a.category).name,
        &a.rules.category(a.category).name_en,
    );
    let (reader, reader_en) = given(d.reader_applied_on);
    let (contract, contract_en) = given(d.contracted_on);
    let detail = match d.window? {
        WindowCheck::NotCovered => (
            format!("{}は令和4年の特例の対象外", name.0),
            format!("the 2022 window does not cover: {}", name.1),
        ),
        WindowCheck::ReaderOutside => (
            format!("提供申請日 {reader} が {from}〜{by} の外"),
            format!("reader applied on {reader_en}, outside {from} to {by}"),
        ),
        WindowCheck::ContractInTime => (
            format!(
                "提供申請日 {reader}（{from}〜{by} の内）、契約日 {contract}（{cby} まで）→ 対象"
            ),
            format!(
                "reader applied on {reader_en} (within {from} to {by}), contract {contract_en} (by {cby}) → applies"
            ),
        ),
        WindowCheck::ContractLate | WindowCheck::ContractUnknown => (
            format!(
                "提供申請日 {reader}（{from}〜{by} の内）、契約日 {contract}（{cby} までが条件）→ 対象外"
            ),
            format!(
                "reader applied on {reader_en} (within {from} to {by}), contract {contract_en} (required by {cby}) → does not apply"
            ),
        ),
    };
    Some(Words {
        label: ("令和4年の特例の対象", "2022 special window applies"),
        before: Some(
            d.reader_applied_on
                .map_or(TraceValue::Unknown, TraceValue::Date),
        ),
        after: TraceValue::Flag(d.window == Some(WindowCheck::ContractInTime)),
        detail,
    })
}

/// The 2022 difference payment: an earlier reader, operation started in a period.
fn difference_2022(a: &Assessment<'_>) -> Option<Words> {
    let d = &a.derivation;
    let dp = a.rules.file().difference_payment.as_ref()?;
    let (rby, from, by, before) = (
        dp.reader_applied_by.value,
        dp.operation_started_from.value,
        dp.operation_started_by.value,
        dp.paid_if_applied_before.value,
    );
    let (op, op_en) = given(d.operation_started_on);
    let detail = match d.difference? {
        DifferenceCheck::ReaderOutside => (
            format!("提供申請日が {rby} より後、またはまだ申し込んでいない"),
            format!("reader applied for after {rby}, or not applied for yet"),
        ),
        DifferenceCheck::AlreadyPaid => (
            format!("補助金申請日が {before} より前（交付済み）"),
            format!("grant applied for before {before} (already paid)"),
        ),
        DifferenceCheck::OperationInPeriod => (
            format!("提供申請日 {rby} まで、運用開始日 {op}（{from}〜{by} の内）→ 差額を補助"),
            format!(
                "reader applied for by {rby}, operation started {op_en} (within {from} to {by}) → the difference is paid"
            ),
        ),
        DifferenceCheck::OperationOutside | DifferenceCheck::OperationUnknown => (
            format!("運用開始日 {op}（{from}〜{by} が条件）→ 対象外"),
            format!("operation started {op_en} (required from {from} to {by}) → does not apply"),
        ),
    };
    Some(Words {
        label: ("令和4年の差額補助の対象", "2022 difference payment applies"),
        before: Some(
            d.operation_started_on
                .map_or(TraceValue::Unknown, TraceValue::Date),
        ),
        after: TraceValue::Flag(d.difference == Some(DifferenceCheck::OperationInPeriod)),
        detail,
    })
}

/// The regime and what decided it.
fn regime(a: &Assessment<'_>) -> Words {
    let d = &a.derivation;
    let f = a.rules.file();
    let detail = match a.regime {
        Regime::Ineligible => {
            let mut why: Vec<(String, String)> = Vec::new();
            if d.refusals.no_reader {
                why.push((
                    "カードリーダーの申込みがない".into(),
                    "no card reader applied for".into(),
                ));
            }
            // With an accepted deferral notice the deadlines are its type's, not the general ones.
            let (project_by, application_by) = d.deferral_deadlines.flatten().unwrap_or((
                p::ProjectCompletedBy.of(f).value,
                p::ApplicationFiledBy.of(f).value,
            ));
            for (refused, date, by, what) in [
                (
                    d.refusals.project_deadline,
                    d.completed_on,
                    project_by,
                    ("事業完了日", "completed"),
                ),
                (
                    d.refusals.application_deadline,
                    d.applied_on,
                    application_by,
                    ("補助金申請日", "applied for the grant"),
                ),
            ] {
                if let (true, Some(x)) = (refused, date) {
                    why.push((
                        format!("{} {x} が期限 {by} より後", what.0),
                        format!("{} {x}, after the deadline {by}", what.1),
                    ));
                }
            }
            let (ja_why, en_why): (Vec<_>, Vec<_>) = why.into_iter().unzip();
            (
                format!("補助の対象外：{}", ja_why.join("、")),
                format!("not eligible: {}", en_why.join("; ")),
            )
        }
        Regime::Special => {
            let m = a.measure.unwrap_or(Measure::Special2020);
            (
                format!(
                    "{}：特例 {} ≥ 通常 {}（規則 {}）",
                    m.name(Lang::Ja),
                    ja(d.special_amount),
                    ja(d.standard),
                    a.rules.id()
                ),
                format!(
                    "{}: special {} ≥ standard {} (rules {})",
                    m.name(Lang::En),
                    en(d.special_amount),
                    en(d.standard),
                    a.rules.id()
                ),
            )
        }
        Regime::Standard => {
            let by = p::SpecialReaderAppliedBy.of(f).value;
            let mut why = match d.reader_applied_on {
                Some(x) => (
                    format!("提供申請日 {x} が {by} より後"),
                    format!("reader applied on {x}, after {by}"),
                ),
                None => (
                    format!(
                        "カードリーダーをまだ申し込んでいない、または提供申請日が不明（{by} までが条件）"
                    ),
                    format!("reader not applied for yet, or its date unknown (required by {by})"),
                ),
            };
            // The later measures were judged in their own steps; say that they did not pay.
            if d.window.is_some() {
                why.0.push_str("、令和4年の特例の条件も満たさない");
                why.1.push_str("; nor does the 2022 window");
            }
            if d.difference.is_some() {
                why.0.push_str("、差額補助の条件も満たさない");
                why.1.push_str("; nor the difference payment");
            }
            (
                format!("特例の対象外（{}）→ 通常の補助 {}", why.0, ja(d.standard)),
                format!(
                    "special regime does not apply ({}) → standard {}",
                    why.1,
                    en(d.standard)
                ),
            )
        }
    };
    Words {
        label: ("適用する補助", "Regime applied"),
        before: None,
        after: TraceValue::Regime(a.regime),
        detail,
    }
}

/// The steps of one line item: tax added (when entered without it), then its eligibility.
fn items<'r>(rules: &'r RuleSet, i: usize, s: &ItemStep, out: &mut Vec<TraceStep<'r>>) {
    let (cat_ja, cat_en) = (
        s.item.category.name(Lang::Ja),
        s.item.category.name(Lang::En),
    );
    if let Some(tax) = s.tax_added {
        let rate = p::TaxRate.of(rules.file()).value;
        out.push(TraceStep {
            step: Step::LineItemTax.id(),
            label: "消費税の加算",
            label_en: "Consumption tax added",
            before: Some(TraceValue::Yen(s.item.amount)),
            after: TraceValue::Yen(s.with_tax),
            rules: cite(rules, s.tax_reads),
            detail: format!(
                "明細{i}（{cat_ja}）税抜 {} + 消費税 {}（{rate}、1円未満切り捨て）",
                ja(s.item.amount),
                ja(tax)
            ),
            detail_en: format!(
                "item {i} ({cat_en}) {} before tax + tax {} ({rate}, floored to the yen)",
                en(s.item.amount),
                en(tax)
            ),
        });
    }
    let (yes_ja, yes_en) = eligibility_words(s.eligible);
    out.push(TraceStep {
        step: Step::LineItem.id(),
        label: "明細の区分",
        label_en: "Line item",
        before: Some(TraceValue::Yen(s.with_tax)),
        after: TraceValue::Flag(s.eligible),
        rules: cite(rules, s.reads),
        detail: format!("明細{i}（{cat_ja}）{}：{yes_ja}", ja(s.with_tax)),
        detail_en: format!("item {i} ({cat_en}) {}: {yes_en}", en(s.with_tax)),
    });
}

/// The steps of one category's items taken together: the tax added to those entered without
/// it, then the category's eligibility.
fn item_group<'r>(rules: &'r RuleSet, g: &ItemGroup, out: &mut Vec<TraceStep<'r>>) {
    let (cat_ja, cat_en) = (g.category.name(Lang::Ja), g.category.name(Lang::En));
    let n = g.count;
    if g.taxed_count > 0 {
        let rate = p::TaxRate.of(rules.file()).value;
        let t = g.taxed_count;
        out.push(TraceStep {
            step: Step::LineItemTax.id(),
            label: "消費税の加算",
            label_en: "Consumption tax added",
            before: None,
            after: TraceValue::Yen(g.tax_added),
            rules: cite(rules, g.tax_reads),
            detail: format!(
                "区分「{cat_ja}」の税抜の明細{t}件に消費税 計{}（{rate}、明細ごとに1円未満切り捨て）",
                ja(g.tax_added)
            ),
            detail_en: format!(
                "{t} {cat_en} items before tax: tax {} in all ({rate}, each floored to the yen)",
                en(g.tax_added)
            ),
        });
    }
    let (yes_ja, yes_en) = eligibility_words(g.eligible);
    out.push(TraceStep {
        step: Step::LineItem.id(),
        label: "明細の区分",
        label_en: "Line items",
        before: Some(TraceValue::Yen(g.with_tax)),
        after: TraceValue::Flag(g.eligible),
        rules: cite(rules, g.reads),
        detail: format!("区分「{cat_ja}」の明細{n}件 計{}：{yes_ja}", ja(g.with_tax)),
        detail_en: format!("{n} {cat_en} items, {} in all: {yes_en}", en(g.with_tax)),
    });
}

/// A line item's eligibility in words (Japanese, English).
fn eligibility_words(eligible: bool) -> (&'static str, &'static str) {
    if eligible {
        ("補助対象", "eligible")
    } else {
        ("補助対象外", "not eligible")
    }
}
