//! 監査 — checking what an institution claimed against what the rules pay.
//!
//! The findings an analyst follows up, each tied to the trace step that decides it, so a report
//! can quote the rule (with its citation) next to the institution.

use serde::Serialize;
use smallvec::SmallVec;

use crate::assess::{Assessment, Step};
use crate::model::{Lang, Regime};
use crate::money::Yen;
use crate::notice::NoticeCode;

/// An assessment's findings: at most four (one claim difference and three others), so inline —
/// the batch audits every row and most rows have one.
pub type Findings = SmallVec<[Finding; 4]>;

/// What is wrong with a claim or an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// 過大申請 — more claimed than the recomputed grant.
    OverClaim,
    /// 過少申請 — less claimed than the recomputed grant.
    UnderClaim,
    /// The special (full-cost) amount claimed without a reader application by the special date.
    SpecialWithoutApplication,
    /// 事業完了期限超過
    ProjectDeadlinePassed,
    /// 申請期限超過
    ApplicationDeadlinePassed,
}

impl Finding {
    pub const ALL: [Finding; 5] = [
        Finding::OverClaim,
        Finding::UnderClaim,
        Finding::SpecialWithoutApplication,
        Finding::ProjectDeadlinePassed,
        Finding::ApplicationDeadlinePassed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Finding::OverClaim => "over_claim",
            Finding::UnderClaim => "under_claim",
            Finding::SpecialWithoutApplication => "special_without_application",
            Finding::ProjectDeadlinePassed => "project_deadline_passed",
            Finding::ApplicationDeadlinePassed => "application_deadline_passed",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Finding::OverClaim, Lang::Ja) => "過大申請",
            (Finding::UnderClaim, Lang::Ja) => "過少申請",
            (Finding::SpecialWithoutApplication, Lang::Ja) => "提供申請期限後の特例補助の申請",
            (Finding::ProjectDeadlinePassed, Lang::Ja) => "事業完了期限の超過",
            (Finding::ApplicationDeadlinePassed, Lang::Ja) => "補助金申請期限の超過",
            (Finding::OverClaim, Lang::En) => "over-claim",
            (Finding::UnderClaim, Lang::En) => "under-claim",
            (Finding::SpecialWithoutApplication, Lang::En) => {
                "special regime claimed without a timely reader application"
            }
            (Finding::ProjectDeadlinePassed, Lang::En) => "project completed after the deadline",
            (Finding::ApplicationDeadlinePassed, Lang::En) => {
                "grant applied for after the deadline"
            }
        }
    }

    /// The step of the computation that decides this finding (explained by
    /// [`crate::explain::step`]).
    pub fn step(self) -> Step {
        match self {
            // The regime decides the amount: why none, or which regime pays and why.
            Finding::OverClaim | Finding::UnderClaim => Step::Regime,
            Finding::SpecialWithoutApplication => Step::SpecialEligibility,
            Finding::ProjectDeadlinePassed => Step::ProjectDeadline,
            Finding::ApplicationDeadlinePassed => Step::ApplicationDeadline,
        }
    }
}

/// The findings of one assessment, in [`Finding::ALL`] order; empty for a clean one.
pub fn audit(a: &Assessment) -> Findings {
    let mut out = Findings::new();
    if let Some(diff) = a.claim_difference {
        if diff > Yen::ZERO {
            out.push(Finding::OverClaim);
        } else if diff < Yen::ZERO {
            out.push(Finding::UnderClaim);
        }
    }
    // Claiming "the lower of cost and cap, floored" — the special form's amount — although the
    // reader application was late or missing.
    let special_denied = a.has_notice(NoticeCode::SpecialDeadlinePassed)
        || a.has_notice(NoticeCode::ReaderDateUnknown);
    if special_denied && a.regime != Regime::Special && a.readers_provided > 0 {
        // The amount the special regime would have paid, as the assessment computed it.
        let special_amount = a.derivation.special_amount;
        if a.claimed == Some(special_amount) && special_amount > a.standard_grant {
            out.push(Finding::SpecialWithoutApplication);
        }
    }
    if a.has_notice(NoticeCode::ProjectDeadlinePassed) {
        out.push(Finding::ProjectDeadlinePassed);
    }
    if a.has_notice(NoticeCode::ApplicationDeadlinePassed) {
        out.push(Finding::ApplicationDeadlinePassed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AssessOptions, Institution, InstitutionInput, RuleSet, assess};

    fn findings(json: &str) -> Vec<Finding> {
        findings_under(&RuleSet::embedded(), json)
    }

    fn findings_under(rules: &RuleSet, json: &str) -> Vec<Finding> {
        let input: InstitutionInput = serde_json::from_str(json).unwrap();
        let inst = Institution::from_input(&input, rules).unwrap();
        audit(&assess(rules, &inst, AssessOptions::default())).to_vec()
    }

    #[test]
    fn the_final_rules_find_no_fault_in_an_application_of_2023_08_01() {
        // Filed after the 2020 set's deadline (2023-06-30), within the final one (2023-09-30).
        let json = r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-02-10","completed_on":"2023-03-01","applied_on":"2023-08-01","total_cost":279950,"claimed":279000}"#;
        assert_eq!(findings_under(&RuleSet::latest(), json), []);
        assert_eq!(
            findings_under(&RuleSet::embedded(), json),
            [Finding::OverClaim, Finding::ApplicationDeadlinePassed]
        );
    }

    #[test]
    fn a_matching_claim_has_no_finding() {
        let f = findings(
            r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-02-10","completed_on":"2021-05-01","applied_on":"2021-06-01","total_cost":279950,"claimed":279000}"#,
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn the_special_amount_claimed_after_the_special_date() {
        // Applied for the reader on 2021-04-01: standard 209,000; the special amount 279,000.
        let f = findings(
            r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-04-01","completed_on":"2021-05-01","applied_on":"2021-06-01","total_cost":279950,"claimed":279000}"#,
        );
        assert_eq!(f, [Finding::OverClaim, Finding::SpecialWithoutApplication]);
        let f = findings(
            r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-04-01","total_cost":279950,"claimed":200000}"#,
        );
        assert_eq!(f, [Finding::UnderClaim]);
    }

    #[test]
    fn every_finding_step_is_explained_from_one_assessment() {
        let rules = RuleSet::embedded();
        let input: InstitutionInput = serde_json::from_str(
            r#"{"kind":"pharmacy","group_rx_per_month":100,"readers":1,"reader_applied_on":"2021-04-01","completed_on":"2023-04-01","applied_on":"2023-07-01","total_cost":279950,"claimed":279000}"#,
        )
        .unwrap();
        let inst = Institution::from_input(&input, &rules).unwrap();
        let a = assess(&rules, &inst, AssessOptions::default());
        let full = assess(&rules, &inst, AssessOptions { trace: true });
        for f in audit(&a) {
            let step = crate::explain::step(&a, f.step()).expect("the finding's step ran");
            let traced = full.trace.iter().find(|s| s.step == f.step().id());
            assert_eq!(Some(&step), traced, "{f:?}");
        }
    }

    #[test]
    fn deadlines_passed() {
        let f = findings(
            r#"{"kind":"pharmacy","group_rx_per_month":100,"readers":1,"reader_applied_on":"2021-02-10","completed_on":"2023-04-01","applied_on":"2023-07-01","total_cost":279950}"#,
        );
        assert_eq!(
            f,
            [
                Finding::ProjectDeadlinePassed,
                Finding::ApplicationDeadlinePassed
            ]
        );
        for f in Finding::ALL {
            assert!(!f.step().id().is_empty() && !f.name(Lang::En).is_empty());
        }
    }
}
