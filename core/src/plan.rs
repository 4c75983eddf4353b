//! 準備作業の手引き — the preparation plan (docs/rules.md): from a target start of operation,
//! the latest date of each step, and a readiness check of the line and the terminal (§11).
//! "Today" is passed in, never read.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, OutsideCalendar};
use crate::rules::schema::LineStatus;
use crate::rules::schema::iso_date;
use crate::rules::{Cited, ParamSet, Reading, RuleSet, p};

/// What a plan is made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// 運用開始日 — the target start of operation.
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub start_on: NaiveDate,
    /// Today, to flag steps already late (the caller's clock, never the core's).
    #[serde(default, deserialize_with = "iso_date::option")]
    pub today: Option<NaiveDate>,
    /// A line id of the rule set's `readiness.lines`.
    #[serde(default)]
    pub line: Option<String>,
    /// A terminal OS id of the rule set's `readiness.terminal_os`.
    #[serde(default)]
    pub terminal_os: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep<'r> {
    pub step: &'static str,
    pub label: &'static str,
    pub label_en: &'static str,
    /// The latest date for the step (None for steps with no date of their own).
    pub latest: Option<NaiveDate>,
    /// True when the date counts business days (weekends and holidays skipped).
    pub business_days: bool,
    /// True when `today` is past `latest`.
    pub late: bool,
    pub rule: String,
    pub rule_en: String,
    /// The rule parameters the step's date was computed from.
    pub rules: Vec<Cited<'r>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub id: String,
    pub name: String,
    /// `supported`, `limited`, `ending`, `not_supported` (lines) or `supported` /
    /// `not_supported` (terminals).
    pub status: String,
    pub ok: bool,
    pub message: String,
    pub message_en: String,
    pub citation: String,
    pub citation_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan<'r> {
    pub start_on: NaiveDate,
    /// In date order.
    pub steps: Vec<PlanStep<'r>>,
    pub warnings: Vec<PlanWarning>,
    pub line: Option<Readiness>,
    pub terminal_os: Option<Readiness>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanWarning {
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
}

/// A plan that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Calendar(#[from] OutsideCalendar),
    #[error("unknown {what} {id:?} (one of {known})")]
    Unknown {
        what: &'static str,
        id: String,
        known: String,
    },
}

fn months_before(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n))
        .unwrap_or(NaiveDate::MIN)
}

/// Makes the preparation plan for `input.start_on`. Each step cites the parameters that its
/// date was computed from (none for a step dated by another step or by the input).
pub fn plan<'r>(
    rules: &'r RuleSet,
    calendar: &Calendar,
    input: &PlanInput,
) -> Result<Plan<'r>, PlanError> {
    let mut r = Reading::new(rules);
    let start = input.start_on;
    let late = |latest: NaiveDate| input.today.is_some_and(|t| t > latest);
    let mut steps = Vec::with_capacity(9);
    let mut push = |step: &'static str,
                    label: (&'static str, &'static str),
                    latest: NaiveDate,
                    business_days: bool,
                    rule: (String, String),
                    read: ParamSet| {
        steps.push(PlanStep {
            step,
            label: label.0,
            label_en: label.1,
            latest: Some(latest),
            business_days,
            late: late(latest),
            rule: rule.0,
            rule_en: rule.1,
            rules: read.iter().map(|id| rules.cite(id)).collect(),
        })
    };

    let m = *r.get(p::ReaderApplicationMonths);
    let reader_by = months_before(start, m);
    let reader_reads = r.take();
    push(
        "portal_registration",
        (
            "ポータルサイトのアカウント登録",
            "Register on the portal site",
        ),
        reader_by,
        false,
        (
            "最初に（カードリーダー申込みの前）".into(),
            "first (before the card reader application)".into(),
        ),
        ParamSet::EMPTY,
    );
    push(
        "reader_application",
        (
            "顔認証付きカードリーダーの申込み",
            "Apply for the card reader",
        ),
        reader_by,
        false,
        (
            format!("運用開始の{m}か月前まで"),
            format!("{m} months before the start of operation"),
        ),
        reader_reads,
    );
    push(
        "vendor_quote",
        (
            "システムベンダーへの見積依頼",
            "Ask the system vendor for a quote",
        ),
        reader_by,
        false,
        (
            "カードリーダー申込み後すぐ".into(),
            "right after the card reader application".into(),
        ),
        ParamSet::EMPTY,
    );
    let o = *r.get(p::OrderMonths);
    push(
        "order",
        ("システムベンダーへの発注", "Order from the system vendor"),
        months_before(start, o),
        false,
        (
            format!("運用開始の{o}か月前まで"),
            format!("{o} month(s) before the start of operation"),
        ),
        r.take(),
    );
    let sd = *r.get(p::SetupBusinessDays);
    let setup_by = calendar.business_days_before(start, sd)?;
    let setup_reads = r.take();
    let ad = *r.get(p::ApplicationsBusinessDays);
    push(
        "usage_and_certificate_application",
        (
            "利用申請・電子証明書発行申請",
            "Usage application and certificate application",
        ),
        calendar.business_days_before(setup_by, ad)?,
        true,
        (
            format!("機器設定の{ad}営業日前まで"),
            format!("{ad} business days before equipment set-up"),
        ),
        // Counted back from the set-up date, which its own parameter set.
        setup_reads.union(r.take()),
    );
    push(
        "equipment_setup",
        (
            "機器の受取・設定、運用テスト",
            "Equipment set-up and operation test",
        ),
        setup_by,
        true,
        (
            format!("運用開始の{sd}営業日前まで（ベンダー訪問1〜4回）"),
            format!("{sd} business days before the start (vendor visits 1–4 times)"),
        ),
        setup_reads,
    );
    let od = *r.get(p::OperationsBusinessDays);
    push(
        "operations_preparation",
        (
            "運用準備（受付の流れ・患者への周知・ポスター掲示）",
            "Prepare operations (reception workflow, patient notice, poster)",
        ),
        calendar.business_days_before(start, od)?,
        true,
        (
            format!("運用開始の{od}営業日前まで"),
            format!("{od} business day(s) before the start"),
        ),
        r.take(),
    );
    push(
        "start_of_operation",
        ("運用開始", "Start of operation"),
        start,
        false,
        ("目標日（入力）".into(), "the target date (as given)".into()),
        ParamSet::EMPTY,
    );
    let deadline = *r.get(p::ApplicationFiledBy);
    push(
        "grant_application",
        (
            "補助金の申請（領収書等を添付）",
            "Apply for the grant (with receipts)",
        ),
        deadline,
        false,
        (
            format!("事業完了後、{deadline}まで"),
            format!("after completion, by {deadline}"),
        ),
        r.take(),
    );
    // Stable: steps on the same date keep the guide's order.
    steps.sort_by_key(|s| s.latest);

    let mut warnings = Vec::new();
    if let Some(today) = input.today {
        for s in steps.iter().filter(|s| s.late) {
            let l = s.latest.unwrap_or(start);
            warnings.push(PlanWarning {
                code: "late",
                message: format!("「{}」の期限 {l} を過ぎています（今日 {today}）", s.label),
                message_en: format!(
                    "“{}” is late: it was due by {l} (today is {today})",
                    s.label_en
                ),
            });
        }
    }
    let special = &rules.file().special_regime.reader_applied_by;
    if reader_by > special.value {
        warnings.push(PlanWarning {
            code: "special_regime_needs_earlier_application",
            message: format!("特例補助を受けるには、カードリーダーを{}までに申し込む必要があります（計画上の期限 {reader_by} より前）", special.value),
            message_en: format!("For the special regime the reader must be applied for by {} (earlier than the plan's {reader_by})", special.value),
        });
    }
    let project = &rules.file().deadlines.project_completed_by;
    if start > project.value {
        warnings.push(PlanWarning {
            code: "after_project_deadline",
            message: format!(
                "運用開始 {start} が事業完了の期限 {} より後です。補助を受けられません",
                project.value
            ),
            message_en: format!(
                "The start {start} is after the project deadline of {}: no grant would be paid",
                project.value
            ),
        });
    }

    let line = input
        .line
        .as_deref()
        .map(|id| line_readiness(rules, id, start))
        .transpose()?;
    let terminal_os = input
        .terminal_os
        .as_deref()
        .map(|id| os_readiness(rules, id))
        .transpose()?;
    Ok(Plan {
        start_on: start,
        steps,
        warnings,
        line,
        terminal_os,
    })
}

/// The entry of a readiness list with this id, or an error listing the known ids.
fn find<'a, T>(
    list: &'a [T],
    id: &str,
    what: &'static str,
    id_of: impl Fn(&T) -> &str,
) -> Result<&'a T, PlanError> {
    list.iter()
        .find(|x| id_of(x) == id)
        .ok_or_else(|| PlanError::Unknown {
            what,
            id: id.to_owned(),
            known: list.iter().map(&id_of).collect::<Vec<_>>().join(", "),
        })
}

fn line_readiness(rules: &RuleSet, id: &str, start: NaiveDate) -> Result<Readiness, PlanError> {
    let l = find(&rules.file().readiness.lines, id, "line", |l| &l.id)?;
    let (status, ok, ja, en) = match (l.status, l.ends_on) {
        (LineStatus::Supported, _) | (LineStatus::Ending, None) => (
            "supported",
            true,
            format!("{}はオンライン資格確認に対応しています", l.name),
            format!("{} supports online verification", l.name_en),
        ),
        (LineStatus::Limited, _) => (
            "limited",
            true,
            format!(
                "{}は提供エリアが限られます。エリアを確認してください",
                l.name
            ),
            format!("{} is offered in a limited area: check yours", l.name_en),
        ),
        (LineStatus::Ending, Some(end)) if start <= end => (
            "ending",
            true,
            format!("{}は{end}に提供終了です。移行を計画してください", l.name),
            format!("{} ends on {end}: plan a move", l.name_en),
        ),
        // Validation gives every `ending` line its date.
        (LineStatus::Ending, Some(end)) => (
            "ending",
            false,
            format!(
                "{}は{end}に提供終了のため、運用開始時には使えません",
                l.name
            ),
            format!(
                "{} ends on {end}, before the start: change lines",
                l.name_en
            ),
        ),
        (LineStatus::NotSupported, _) => (
            "not_supported",
            false,
            format!("{}は対応していません。光回線への切替えが必要です", l.name),
            format!("{} is not supported: an optical line is needed", l.name_en),
        ),
    };
    Ok(Readiness {
        id: l.id.clone(),
        name: l.name.clone(),
        status: status.into(),
        ok,
        message: ja,
        message_en: en,
        citation: rules.citation(&l.source, &l.article, crate::Lang::Ja),
        citation_en: rules.citation(&l.source, &l.article_en, crate::Lang::En),
    })
}

fn os_readiness(rules: &RuleSet, id: &str) -> Result<Readiness, PlanError> {
    let list = &rules.file().readiness.terminal_os;
    let os = find(list, id, "terminal OS", |o| &o.id)?;
    let supported: Vec<&str> = list
        .iter()
        .filter(|o| o.supported)
        .map(|o| o.name.as_str())
        .collect();
    let (ja, en) = if os.supported {
        (
            format!("{}は資格確認端末に使えます", os.name),
            format!("{} can run the verification terminal", os.name),
        )
    } else {
        (
            format!("資格確認端末には {} が必要です", supported.join(" / ")),
            format!("The verification terminal needs {}", supported.join(" or ")),
        )
    };
    Ok(Readiness {
        id: os.id.clone(),
        name: os.name.clone(),
        status: if os.supported {
            "supported"
        } else {
            "not_supported"
        }
        .into(),
        ok: os.supported,
        message: ja,
        message_en: en,
        citation: rules.citation(&os.source, &os.article, crate::Lang::Ja),
        citation_en: rules.citation(&os.source, &os.article_en, crate::Lang::En),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    static RULES: std::sync::LazyLock<RuleSet> = std::sync::LazyLock::new(RuleSet::embedded);

    fn make(start: &str, today: Option<&str>) -> Plan<'static> {
        plan(
            &RULES,
            &Calendar::embedded(),
            &PlanInput {
                start_on: d(start),
                today: today.map(d),
                line: Some("b_flets".into()),
                terminal_os: Some("other".into()),
            },
        )
        .unwrap()
    }

    #[test]
    fn steps_are_dated_and_in_order() {
        let p = make("2021-05-10", None);
        let date = |id: &str| {
            p.steps
                .iter()
                .find(|s| s.step == id)
                .unwrap()
                .latest
                .unwrap()
        };
        assert_eq!(date("reader_application"), d("2021-01-10"));
        assert_eq!(date("order"), d("2021-04-10"));
        // 10 business days before Mon 2021-05-10, skipping Golden Week (4/29, 5/3–5/5).
        assert_eq!(date("equipment_setup"), d("2021-04-20"));
        assert_eq!(date("usage_and_certificate_application"), d("2021-04-13"));
        assert_eq!(date("operations_preparation"), d("2021-05-07"));
        let dates: Vec<_> = p.steps.iter().map(|s| s.latest).collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(p.steps[0].step, "portal_registration");
        assert!(p.warnings.iter().all(|w| w.code != "late"));
    }

    #[test]
    fn late_steps_are_flagged_against_today() {
        let p = make("2021-05-10", Some("2021-02-01"));
        let late: Vec<_> = p.steps.iter().filter(|s| s.late).map(|s| s.step).collect();
        assert_eq!(
            late,
            ["portal_registration", "reader_application", "vendor_quote"]
        );
        assert_eq!(p.warnings.iter().filter(|w| w.code == "late").count(), 3);
    }

    #[test]
    fn readiness_of_line_and_terminal() {
        let p = make("2021-05-10", None);
        let line = p.line.unwrap();
        assert_eq!((line.status.as_str(), line.ok), ("ending", false));
        assert!(!p.terminal_os.unwrap().ok);
        let early = make("2021-01-15", None).line.unwrap();
        assert!(early.ok);
    }

    #[test]
    fn unknown_ids_and_uncovered_dates_are_errors() {
        let rules = RuleSet::embedded();
        let cal = Calendar::embedded();
        let mut input = PlanInput {
            start_on: d("2021-05-10"),
            today: None,
            line: Some("dial-up".into()),
            terminal_os: None,
        };
        assert!(matches!(
            plan(&rules, &cal, &input),
            Err(PlanError::Unknown { .. })
        ));
        input.line = None;
        input.start_on = d("2040-01-01");
        assert!(matches!(
            plan(&rules, &cal, &input),
            Err(PlanError::Calendar(_))
        ));
    }
}
