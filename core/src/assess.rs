//! The assessment: what grant an institution gets, under which regime, and why.
//!
//! Order of the rules (RULES.md §1–§7): category → readers provided → cap → eligible cost →
//! `min(cost, cap)` → standard `× rate` / special in full → floor to 1,000 yen → deadlines →
//! the larger regime → form. Only the final grant is rounded.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use smallvec::SmallVec;

use crate::input::{Cost, Institution};
use crate::model::{Category, Kind, Lang, Regime};
use crate::money::Yen;
use crate::notice::{Facts, Notice, NoticeCode, Severity, en, ja};
use crate::rules::{Param, Rate, RuleSet};

/// What the caller wants besides the figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AssessOptions<'a> {
    /// Build the explanation trace (off for bulk runs: it costs allocations).
    pub trace: bool,
    /// With `trace`, only the steps of these names (as in [`TraceStep::step`]); `None`: all.
    /// A batch's audit rows show the one step of each finding ([`crate::Finding::step`]), and
    /// writing the other steps' text would cost many times as much.
    pub trace_only: Option<&'a [&'static str]>,
}

/// A value before or after a step of the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum TraceValue {
    Yen(Yen),
    Count(u64),
    Date(NaiveDate),
    Kind(Kind),
    Category(Category),
    Regime(Regime),
    Rate(Rate),
    Flag(bool),
    Text(String),
    /// Not known (a date not given).
    Unknown,
}

/// One step of the computation, with the rule parameter it used and its legal citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep {
    /// Stable id of the step (`cap`, `standard_grant`, …).
    pub step: &'static str,
    pub label: &'static str,
    pub label_en: &'static str,
    pub before: Option<TraceValue>,
    pub after: TraceValue,
    /// The rule-file key of the parameter used, e.g. `categories.hospital.caps`.
    pub parameter: Option<String>,
    pub parameter_value: Option<TraceValue>,
    pub citation: String,
    pub citation_en: String,
    /// The step written out with its numbers.
    pub detail: String,
    pub detail_en: String,
}

impl TraceStep {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => self.label,
            Lang::En => self.label_en,
        }
    }
    pub fn citation(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.citation,
            Lang::En => &self.citation_en,
        }
    }
    pub fn detail(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.detail,
            Lang::En => &self.detail_en,
        }
    }
}

/// The result of assessing one institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment<'r> {
    /// The rule set used (its id; borrowed, so that bulk runs copy no text).
    pub rule_set: &'r str,
    pub kind: Kind,
    pub category: Category,
    pub readers_applied: u32,
    /// 無償提供台数 actually provided: `min(applied, quota)`.
    pub readers_provided: u32,
    /// 補助限度額
    pub cap: Yen,
    /// 補助率 of the standard regime.
    pub standard_rate: Rate,
    /// 補助対象経費 (税込)
    pub eligible_cost: Yen,
    /// Costs that are not eligible (税込): the institution pays them.
    pub ineligible_cost: Yen,
    /// Everything the project costs (税込).
    pub total_cost: Yen,
    /// What the standard regime pays (0 when no regime may pay).
    pub standard_grant: Yen,
    /// What the special regime pays, when the institution qualifies for it.
    pub special_grant: Option<Yen>,
    pub regime: Regime,
    /// 交付額 — what is paid.
    pub grant: Yen,
    /// What the institution pays itself: total cost less the grant.
    pub self_pay: Yen,
    /// The application form to file (None when there is no grant).
    pub form: Option<&'r str>,
    /// Keep books and vouchers until this date (RULES.md §9), when the completion date is known.
    pub retention_until: Option<NaiveDate>,
    /// 申請額, when given.
    pub claimed: Option<Yen>,
    /// `claimed − grant`: positive is an over-claim.
    pub claim_difference: Option<Yen>,
    /// True when a date was unknown, so the result is an estimate.
    pub estimate: bool,
    /// Inline up to four (no allocation for most assessments).
    pub notices: SmallVec<[Notice; 4]>,
    /// Empty unless asked for ([`AssessOptions::trace`]).
    pub trace: Vec<TraceStep>,
}

impl Assessment<'_> {
    pub fn has_notice(&self, code: NoticeCode) -> bool {
        self.notices.iter().any(|n| n.code == code)
    }
}

/// Builds trace steps only when asked for; the closures cost nothing otherwise. Every step
/// names the rule parameter it rests on, so every step carries a legal citation.
struct Tracer<'a> {
    steps: Option<Vec<TraceStep>>,
    only: Option<&'a [&'static str]>,
}

/// A step under construction.
struct Step {
    label: (&'static str, &'static str),
    before: Option<TraceValue>,
    after: TraceValue,
    detail: (String, String),
}

impl Tracer<'_> {
    /// A step that uses a rule parameter: the citation comes from it.
    fn add_param<T>(
        &mut self,
        step: &'static str,
        key: impl FnOnce() -> String,
        p: &Param<T>,
        value: impl FnOnce(&T) -> TraceValue,
        s: impl FnOnce() -> Step,
    ) {
        let Some(steps) = &mut self.steps else {
            return;
        };
        if self.only.is_none_or(|only| only.contains(&step)) {
            let s = s();
            steps.push(TraceStep {
                step,
                label: s.label.0,
                label_en: s.label.1,
                before: s.before,
                after: s.after,
                parameter: Some(key()),
                parameter_value: Some(value(&p.value)),
                citation: p.citation.clone(),
                citation_en: p.citation_en.clone(),
                detail: s.detail.0,
                detail_en: s.detail.1,
            });
        }
    }
}

fn cat_key_of(c: Category, k: &str) -> String {
    format!("categories.{}.{k}", c.id())
}

fn date_or_unknown(d: Option<NaiveDate>) -> TraceValue {
    d.map_or(TraceValue::Unknown, TraceValue::Date)
}

/// Assesses one institution under `rules`.
pub fn assess<'r>(
    rules: &'r RuleSet,
    inst: &Institution,
    opts: AssessOptions<'_>,
) -> Assessment<'r> {
    let f = rules.file();
    let mut t = Tracer {
        steps: opts.trace.then(|| Vec::with_capacity(24)),
        only: opts.trace_only,
    };
    let mut notices: SmallVec<[Notice; 4]> = SmallVec::new();
    let mut estimate = false;

    // 1. Category (区分).
    let threshold = &f.large_chain.threshold_rx_per_month;
    let category = match (inst.kind, inst.group_rx_per_month) {
        (Kind::Hospital, _) => Category::Hospital,
        (Kind::Pharmacy, Some(rx)) if rx >= threshold.value => Category::LargeChainPharmacy,
        _ => Category::ClinicOrPharmacy,
    };
    let cat = rules.category(category);
    if inst.kind == Kind::Pharmacy {
        match inst.group_rx_per_month {
            Some(rx) if category == Category::LargeChainPharmacy => notices.push(Notice::new(
                NoticeCode::LargeChainThreshold,
                Severity::Info,
                Facts::LargeChain {
                    rx,
                    threshold: threshold.value,
                },
            )),
            Some(_) => {}
            None => {
                estimate = true;
                notices.push(Notice::new(
                    NoticeCode::GroupRxUnknown,
                    Severity::Warning,
                    Facts::GroupRxUnknown {
                        threshold: threshold.value,
                    },
                ));
            }
        }
        t.add_param(
            "category",
            || "large_chain.threshold_rx_per_month".into(),
            threshold,
            |v| TraceValue::Count(*v),
            || Step {
                label: ("区分", "Category"),
                before: Some(TraceValue::Kind(inst.kind)),
                after: TraceValue::Category(category),
                detail: match inst.group_rx_per_month {
                    Some(rx) => {
                        let cmp = if rx >= threshold.value { "≥" } else { "<" };
                        (
                            format!(
                                "処方箋受付 月{rx}回 {cmp} {}回 → {}",
                                threshold.value, cat.name
                            ),
                            format!(
                                "{rx} prescriptions a month {cmp} {} → {}",
                                threshold.value, cat.name_en
                            ),
                        )
                    }
                    None => (
                        format!("処方箋受付回数が不明 → {}", cat.name),
                        format!("prescriptions a month unknown → {}", cat.name_en),
                    ),
                },
            },
        );
    } else {
        t.add_param(
            "category",
            || cat_key_of(category, "caps"),
            &cat.caps,
            |_| TraceValue::Category(category),
            || Step {
                label: ("区分", "Category"),
                before: Some(TraceValue::Kind(inst.kind)),
                after: TraceValue::Category(category),
                detail: (
                    format!("{} → {}", inst.kind.name(Lang::Ja), cat.name),
                    format!("{} → {}", inst.kind.name(Lang::En), cat.name_en),
                ),
            },
        );
    }

    // 2. Readers provided: min(applied, quota).
    let quota = cat.reader_quota.value;
    let provided = inst.readers.min(quota);
    let cat_key = |k: &str| cat_key_of(category, k);
    t.add_param(
        "readers_provided",
        || cat_key("reader_quota"),
        &cat.reader_quota,
        |v| TraceValue::Count(u64::from(*v)),
        || Step {
            label: ("無償提供台数", "Readers provided"),
            before: Some(TraceValue::Count(u64::from(inst.readers))),
            after: TraceValue::Count(u64::from(provided)),
            detail: (
                format!(
                    "min(申込 {}台, 上限 {quota}台) = {provided}台",
                    inst.readers
                ),
                format!("min({} applied, quota {quota}) = {provided}", inst.readers),
            ),
        },
    );
    if inst.readers > quota {
        notices.push(Notice::new(
            NoticeCode::ReadersBeyondQuota,
            Severity::Warning,
            Facts::ReadersBeyondQuota {
                applied: inst.readers,
                quota,
            },
        ));
    }

    // 3. Cap for the readers provided (one envelope shared between readers and other costs).
    let cap_index = provided.max(1) as usize - 1;
    let cap = Yen::new(cat.caps.value[cap_index] as i64);
    t.add_param(
        "cap",
        || cat_key("caps"),
        &cat.caps,
        |_| TraceValue::Yen(cap),
        || Step {
            label: ("補助限度額", "Cap"),
            before: Some(TraceValue::Count(u64::from(provided.max(1)))),
            after: TraceValue::Yen(cap),
            detail: (
                format!(
                    "{}・カードリーダー{}台 → {}",
                    cat.name,
                    provided.max(1),
                    ja(cap)
                ),
                format!(
                    "{}, {} reader(s) → {}",
                    cat.name_en,
                    provided.max(1),
                    en(cap)
                ),
            ),
        },
    );

    // 4. Eligible and ineligible cost, tax added per line when entered without it.
    let tax = &f.money.tax_rate;
    let (eligible, ineligible) = match &inst.cost {
        Cost::Total(total) => {
            t.add_param(
                "eligible_cost",
                || "money.tax_rate".into(),
                tax,
                |v| TraceValue::Rate(*v),
                || Step {
                    label: ("補助対象経費", "Eligible cost"),
                    before: None,
                    after: TraceValue::Yen(*total),
                    detail: (
                        format!("総事業費（税込）{}", ja(*total)),
                        format!("total project cost (tax included) {}", en(*total)),
                    ),
                },
            );
            (*total, Yen::ZERO)
        }
        Cost::LineItems(items) => {
            let mut eligible = Yen::ZERO;
            let mut ineligible = Yen::ZERO;
            for (i, item) in items.iter().enumerate() {
                let with_tax = if item.tax_included {
                    item.amount
                } else {
                    let added = item.amount.times_floor_to(tax.value, 1);
                    t.add_param(
                        "line_item_tax",
                        || "money.tax_rate".into(),
                        tax,
                        |v| TraceValue::Rate(*v),
                        || Step {
                            label: ("消費税の加算", "Consumption tax added"),
                            before: Some(TraceValue::Yen(item.amount)),
                            after: TraceValue::Yen(item.amount + added),
                            detail: (
                                format!(
                                    "明細{}（{}）税抜 {} + 消費税 {}（1円未満切り捨て）",
                                    i + 1,
                                    item.category.name(Lang::Ja),
                                    ja(item.amount),
                                    ja(added)
                                ),
                                format!(
                                    "item {} ({}) {} before tax + tax {} (floored to the yen)",
                                    i + 1,
                                    item.category.name(Lang::En),
                                    en(item.amount),
                                    en(added)
                                ),
                            ),
                        },
                    );
                    item.amount + added
                };
                let rule = rules.line_item_eligible(item.category);
                if rule.value {
                    eligible = eligible + with_tax;
                } else {
                    ineligible = ineligible + with_tax;
                }
                t.add_param(
                    "line_item",
                    || format!("line_items.{}", item.category.id()),
                    rule,
                    |v| TraceValue::Flag(*v),
                    || Step {
                        label: ("明細の区分", "Line item"),
                        before: Some(TraceValue::Yen(with_tax)),
                        after: TraceValue::Flag(rule.value),
                        detail: (
                            format!(
                                "明細{}（{}）{}：{}",
                                i + 1,
                                item.category.name(Lang::Ja),
                                ja(with_tax),
                                if rule.value {
                                    "補助対象"
                                } else {
                                    "補助対象外"
                                }
                            ),
                            format!(
                                "item {} ({}) {}: {}",
                                i + 1,
                                item.category.name(Lang::En),
                                en(with_tax),
                                if rule.value {
                                    "eligible"
                                } else {
                                    "not eligible"
                                }
                            ),
                        ),
                    },
                );
            }
            t.add_param(
                "eligible_cost",
                || "money.tax_rate".into(),
                tax,
                |v| TraceValue::Rate(*v),
                || Step {
                    label: ("補助対象経費", "Eligible cost"),
                    before: None,
                    after: TraceValue::Yen(eligible),
                    detail: (
                        format!(
                            "補助対象の明細の合計（税込）{}、対象外 {}",
                            ja(eligible),
                            ja(ineligible)
                        ),
                        format!(
                            "sum of eligible items (tax included) {}; not eligible {}",
                            en(eligible),
                            en(ineligible)
                        ),
                    ),
                },
            );
            if ineligible > Yen::ZERO {
                notices.push(Notice::new(
                    NoticeCode::IneligibleCostExcluded,
                    Severity::Info,
                    Facts::IneligibleCost { amount: ineligible },
                ));
            }
            (eligible, ineligible)
        }
    };
    let total_cost = eligible + ineligible;

    // 5. The cost that counts: min(eligible cost, cap).
    let capped = eligible.min(cap);
    t.add_param(
        "capped_cost",
        || cat_key("caps"),
        &cat.caps,
        |_| TraceValue::Yen(cap),
        || Step {
            label: ("補助の基準額", "Cost that counts"),
            before: Some(TraceValue::Yen(eligible)),
            after: TraceValue::Yen(capped),
            detail: (
                format!("min({}, {}) = {}", ja(eligible), ja(cap), ja(capped)),
                format!("min({}, {}) = {}", en(eligible), en(cap), en(capped)),
            ),
        },
    );
    if eligible > cap {
        notices.push(Notice::new(
            NoticeCode::CostAboveCap,
            Severity::Info,
            Facts::CostAboveCap {
                cap,
                excess: eligible - cap,
            },
        ));
    }

    // 6. Standard regime: floor_to_unit(capped × rate).
    let unit = &f.money.rounding_unit;
    let rate = &cat.standard_rate;
    // The exact product only for the trace; the grant in one integer step.
    let standard_raw = || capped.times(rate.value);
    let standard = capped.times_floor_to(rate.value, unit.value);
    t.add_param(
        "standard_rate",
        || cat_key("standard_rate"),
        rate,
        |v| TraceValue::Rate(*v),
        || Step {
            label: ("補助率（通常）", "Rate (standard)"),
            before: Some(TraceValue::Yen(capped)),
            after: TraceValue::Yen(standard_raw()),
            detail: (
                format!(
                    "{} × {} = {}",
                    ja(capped),
                    rate.value,
                    standard_raw().decimal().normalize()
                ),
                format!(
                    "{} × {} = {}",
                    en(capped),
                    rate.value,
                    standard_raw().decimal().normalize()
                ),
            ),
        },
    );
    t.add_param(
        "standard_grant",
        || "money.rounding_unit".into(),
        unit,
        |v| TraceValue::Yen(Yen::new(*v as i64)),
        || Step {
            label: ("通常の補助額", "Standard grant"),
            before: Some(TraceValue::Yen(standard_raw())),
            after: TraceValue::Yen(standard),
            detail: (
                format!("{}円未満切り捨て → {}", unit.value, ja(standard)),
                format!(
                    "cut down to a multiple of {} yen → {}",
                    unit.value,
                    en(standard)
                ),
            ),
        },
    );

    // 7. Special regime: reader application on or before the date, cost in full up to the cap.
    let by = &f.special_regime.reader_applied_by;
    let special_amount = capped.floor_to(unit.value);
    let special_ok = inst.readers > 0 && inst.reader_applied_on.is_some_and(|d| d <= by.value);
    t.add_param(
        "special_eligibility",
        || "special_regime.reader_applied_by".into(),
        by,
        |v| TraceValue::Date(*v),
        || Step {
            label: ("特例補助の対象", "Special regime applies"),
            before: Some(date_or_unknown(inst.reader_applied_on)),
            after: TraceValue::Flag(special_ok),
            detail: match inst.reader_applied_on {
                Some(d) => (
                    format!(
                        "提供申請日 {d} {} {}",
                        if d <= by.value { "≤" } else { ">" },
                        by.value
                    ),
                    format!(
                        "reader applied on {d} {} {}",
                        if d <= by.value { "≤" } else { ">" },
                        by.value
                    ),
                ),
                None => (
                    "提供申請日が未入力（未申請）".into(),
                    "reader application date not given (not applied)".into(),
                ),
            },
        },
    );
    if special_ok {
        t.add_param(
            "special_grant",
            || "money.rounding_unit".into(),
            unit,
            |v| TraceValue::Yen(Yen::new(*v as i64)),
            || Step {
                label: ("特例補助の額", "Special grant"),
                before: Some(TraceValue::Yen(capped)),
                after: TraceValue::Yen(special_amount),
                detail: (
                    format!(
                        "{}（全額、{}円未満切り捨て）→ {}",
                        ja(capped),
                        unit.value,
                        ja(special_amount)
                    ),
                    format!(
                        "{} in full, cut down to a multiple of {} yen → {}",
                        en(capped),
                        unit.value,
                        en(special_amount)
                    ),
                ),
            },
        );
    } else if inst.readers > 0 {
        match inst.reader_applied_on {
            Some(d) => notices.push(Notice::new(
                NoticeCode::SpecialDeadlinePassed,
                Severity::Warning,
                Facts::SpecialDeadlinePassed {
                    applied: d,
                    by: by.value,
                },
            )),
            None => {
                estimate = true;
                notices.push(Notice::new(
                    NoticeCode::ReaderDateUnknown,
                    Severity::Warning,
                    Facts::ReaderDateUnknown {
                        by: by.value,
                        special: special_amount,
                    },
                ));
            }
        }
    }

    // 8. Refusals: no reader; deadlines (inclusive). Unknown dates make an estimate.
    let mut refused = false;
    let reader_rule = &f.eligibility.reader_required;
    if inst.readers == 0 && reader_rule.value {
        refused = true;
        notices.push(Notice::new(
            NoticeCode::NoReader,
            Severity::Refusal,
            Facts::None,
        ));
        t.add_param(
            "no_reader",
            || "eligibility.reader_required".into(),
            reader_rule,
            |v| TraceValue::Flag(*v),
            || Step {
                label: ("カードリーダーの申込み", "Card reader applied for"),
                before: Some(TraceValue::Count(0)),
                after: TraceValue::Flag(false),
                detail: (
                    "カードリーダーの申込みがないため補助なし（003）".into(),
                    "no card reader applied for, so no grant (003)".into(),
                ),
            },
        );
    }
    let d = &f.deadlines;
    for (step, date, param, key, code_passed, code_unknown, what) in [
        (
            "project_deadline",
            inst.completed_on,
            &d.project_completed_by,
            "deadlines.project_completed_by",
            NoticeCode::ProjectDeadlinePassed,
            NoticeCode::CompletionDateUnknown,
            ("事業完了日", "Completed on"),
        ),
        (
            "application_deadline",
            inst.applied_on,
            &d.application_filed_by,
            "deadlines.application_filed_by",
            NoticeCode::ApplicationDeadlinePassed,
            NoticeCode::ApplicationDateUnknown,
            ("補助金申請日", "Grant applied on"),
        ),
    ] {
        let ok = date.is_none_or(|x| x <= param.value);
        match date {
            Some(x) if x > param.value => {
                refused = true;
                notices.push(Notice::new(
                    code_passed,
                    Severity::Refusal,
                    Facts::DeadlinePassed {
                        date: x,
                        deadline: param.value,
                    },
                ));
            }
            Some(_) => {}
            None => {
                estimate = true;
                notices.push(Notice::new(
                    code_unknown,
                    Severity::Info,
                    Facts::DateUnknown {
                        deadline: param.value,
                    },
                ));
            }
        }
        t.add_param(
            step,
            || key.into(),
            param,
            |v| TraceValue::Date(*v),
            || Step {
                label: what,
                before: Some(date_or_unknown(date)),
                after: TraceValue::Flag(ok),
                detail: match date {
                    Some(x) => (
                        format!("{x} {} 期限 {}", if ok { "≤" } else { ">" }, param.value),
                        format!(
                            "{x} {} deadline {}",
                            if ok { "≤" } else { ">" },
                            param.value
                        ),
                    ),
                    None => (
                        format!("未入力（期限 {}）", param.value),
                        format!("not given (deadline {})", param.value),
                    ),
                },
            },
        );
    }
    if let (Some(c), Some(a)) = (inst.completed_on, inst.applied_on) {
        if a < c {
            notices.push(Notice::new(
                NoticeCode::AppliedBeforeCompletion,
                Severity::Warning,
                Facts::AppliedBeforeCompletion {
                    applied: a,
                    completed: c,
                },
            ));
        }
    }
    if inst.code.is_some_and(|c| c.legacy_check()) {
        notices.push(Notice::new(
            NoticeCode::LegacyCheckDigit,
            Severity::Warning,
            Facts::None,
        ));
    }

    // 9. The regime that pays more (special never pays less), unless refused.
    let (regime, standard_grant, special_grant) = if refused {
        (Regime::Ineligible, Yen::ZERO, None)
    } else if special_ok {
        (Regime::Special, standard, Some(special_amount))
    } else {
        (Regime::Standard, standard, None)
    };
    let grant = match regime {
        Regime::Special => special_amount.max(standard),
        Regime::Standard => standard,
        Regime::Ineligible => Yen::ZERO,
    };
    t.add_param(
        "regime",
        || "special_regime.reader_applied_by".into(),
        by,
        |v| TraceValue::Date(*v),
        || Step {
            label: ("適用する補助", "Regime applied"),
            before: None,
            after: TraceValue::Regime(regime),
            detail: match regime {
                Regime::Special => (
                    format!(
                        "特例 {} ≥ 通常 {} → 特例補助",
                        ja(special_amount),
                        ja(standard)
                    ),
                    format!(
                        "special {} ≥ standard {} → special regime",
                        en(special_amount),
                        en(standard)
                    ),
                ),
                Regime::Standard => (
                    format!("特例の対象外 → 通常の補助 {}", ja(standard)),
                    format!("special regime does not apply → standard {}", en(standard)),
                ),
                Regime::Ineligible => ("補助の対象外".into(), "no grant".into()),
            },
        },
    );
    let self_pay = total_cost - grant;
    t.add_param(
        "grant",
        || "money.rounding_unit".into(),
        unit,
        |v| TraceValue::Yen(Yen::new(*v as i64)),
        || Step {
            label: ("交付額", "Grant"),
            before: None,
            after: TraceValue::Yen(grant),
            detail: (
                format!(
                    "交付額 {}、自己負担 {} − {} = {}",
                    ja(grant),
                    ja(total_cost),
                    ja(grant),
                    ja(self_pay)
                ),
                format!(
                    "grant {}; self-paid {} − {} = {}",
                    en(grant),
                    en(total_cost),
                    en(grant),
                    en(self_pay)
                ),
            ),
        },
    );

    // 10. The form to file.
    let form = match regime {
        Regime::Special => {
            let p = &cat.special_forms;
            let form = p.value[cap_index].as_str();
            t.add_param(
                "form",
                || cat_key("special_forms"),
                p,
                |_| TraceValue::Text(form.to_owned()),
                || Step {
                    label: ("申請様式", "Application form"),
                    before: None,
                    after: TraceValue::Text(form.to_owned()),
                    detail: (
                        format!("{}・{}台 → {form}", cat.name, provided),
                        format!("{}, {} reader(s) → {form}", cat.name_en, provided),
                    ),
                },
            );
            Some(form)
        }
        Regime::Standard => {
            let p = &f.special_regime.form_fallback;
            t.add_param(
                "form",
                || "special_regime.form_fallback".into(),
                p,
                |v| TraceValue::Text(v.clone()),
                || Step {
                    label: ("申請様式", "Application form"),
                    before: None,
                    after: TraceValue::Text(p.value.clone()),
                    detail: (
                        format!("通常の補助 → {}", p.value),
                        format!("standard regime → {}", p.value),
                    ),
                },
            );
            Some(p.value.as_str())
        }
        Regime::Ineligible => None,
    };

    // 11. Keep the books 5 years after the end of the fiscal year of completion.
    let retention_until = inst.completed_on.and_then(|c| {
        let r = &f.retention;
        let start = r.fiscal_year_start_month.value;
        let fy = if c.month() >= start {
            c.year()
        } else {
            c.year() - 1
        };
        let until =
            NaiveDate::from_ymd_opt(fy + 1 + r.years_after_fiscal_year.value as i32, start, 1)?
                .pred_opt()?;
        t.add_param(
            "retention",
            || "retention.years_after_fiscal_year".into(),
            &r.years_after_fiscal_year,
            |v| TraceValue::Count(u64::from(*v)),
            || Step {
                label: ("帳簿等の保存期限", "Keep books until"),
                before: Some(TraceValue::Date(c)),
                after: TraceValue::Date(until),
                detail: (
                    format!(
                        "{c} 完了 → {fy}年度末の翌日から{}年 → {until}まで",
                        r.years_after_fiscal_year.value
                    ),
                    format!(
                        "completed {c} → fiscal {fy} + {} years → until {until}",
                        r.years_after_fiscal_year.value
                    ),
                ),
            },
        );
        Some(until)
    });

    // 12. The claim, when given, against the recomputed grant.
    let claim_difference = inst.claimed.map(|c| c - grant);
    if let Some(diff) = claim_difference.filter(|d| *d != Yen::ZERO) {
        let claimed = inst.claimed.unwrap_or_default();
        notices.push(Notice::new(
            NoticeCode::ClaimDiffers,
            Severity::Warning,
            Facts::ClaimDiffers {
                claimed,
                grant,
                difference: diff,
            },
        ));
    }

    Assessment {
        rule_set: rules.id(),
        kind: inst.kind,
        category,
        readers_applied: inst.readers,
        readers_provided: provided,
        cap,
        standard_rate: rate.value,
        eligible_cost: eligible,
        ineligible_cost: ineligible,
        total_cost,
        standard_grant,
        special_grant,
        regime,
        grant,
        self_pay,
        form,
        retention_until,
        claimed: inst.claimed,
        claim_difference,
        estimate,
        notices,
        trace: t.steps.unwrap_or_default(),
    }
}
