//! Notices: what a person must know about an assessment, in Japanese and English.

use serde::Serialize;

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Changes what the person pays or must do.
    Warning,
    /// No grant because of it.
    Refusal,
}

/// What a notice is about (stable codes for front ends and reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeCode {
    /// No card reader applied for: no grant at all (003).
    NoReader,
    /// Readers beyond the quota are bought by the institution.
    ReadersBeyondQuota,
    /// Reader application after the special-regime date: standard regime only.
    SpecialDeadlinePassed,
    /// Reader application date unknown: the special regime is not assumed.
    ReaderDateUnknown,
    ProjectDeadlinePassed,
    ApplicationDeadlinePassed,
    /// Completion date unknown: an estimate.
    CompletionDateUnknown,
    /// Grant application date unknown: an estimate.
    ApplicationDateUnknown,
    /// The 大型チェーン薬局 threshold decided the category.
    LargeChainThreshold,
    /// A pharmacy without its group's prescription count: treated as not a large chain.
    GroupRxUnknown,
    /// Eligible cost above the cap: the excess is self-paid.
    CostAboveCap,
    /// Line items that are not eligible cost.
    IneligibleCostExcluded,
    /// The grant application date is before the completion date.
    AppliedBeforeCompletion,
    /// The institution code passed only the legacy 6-digit check (prefectures 11–14).
    LegacyCheckDigit,
    /// The claimed amount differs from the recomputed grant.
    ClaimDiffers,
}

impl NoticeCode {
    /// The stable id, as in JSON (`no_reader`, `claim_differs`, …).
    pub fn id(self) -> &'static str {
        match self {
            NoticeCode::NoReader => "no_reader",
            NoticeCode::ReadersBeyondQuota => "readers_beyond_quota",
            NoticeCode::SpecialDeadlinePassed => "special_deadline_passed",
            NoticeCode::ReaderDateUnknown => "reader_date_unknown",
            NoticeCode::ProjectDeadlinePassed => "project_deadline_passed",
            NoticeCode::ApplicationDeadlinePassed => "application_deadline_passed",
            NoticeCode::CompletionDateUnknown => "completion_date_unknown",
            NoticeCode::ApplicationDateUnknown => "application_date_unknown",
            NoticeCode::LargeChainThreshold => "large_chain_threshold",
            NoticeCode::GroupRxUnknown => "group_rx_unknown",
            NoticeCode::CostAboveCap => "cost_above_cap",
            NoticeCode::IneligibleCostExcluded => "ineligible_cost_excluded",
            NoticeCode::AppliedBeforeCompletion => "applied_before_completion",
            NoticeCode::LegacyCheckDigit => "legacy_check_digit",
            NoticeCode::ClaimDiffers => "claim_differs",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub code: NoticeCode,
    pub severity: Severity,
    pub message: String,
    pub message_en: String,
}

impl Notice {
    pub(crate) fn new(code: NoticeCode, severity: Severity, ja: String, en: String) -> Notice {
        Notice {
            code,
            severity,
            message: ja,
            message_en: en,
        }
    }

    pub fn message(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Ja => &self.message,
            crate::Lang::En => &self.message_en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_json_names() {
        for c in [
            NoticeCode::NoReader,
            NoticeCode::ReadersBeyondQuota,
            NoticeCode::SpecialDeadlinePassed,
            NoticeCode::ReaderDateUnknown,
            NoticeCode::ProjectDeadlinePassed,
            NoticeCode::ApplicationDeadlinePassed,
            NoticeCode::CompletionDateUnknown,
            NoticeCode::ApplicationDateUnknown,
            NoticeCode::LargeChainThreshold,
            NoticeCode::GroupRxUnknown,
            NoticeCode::CostAboveCap,
            NoticeCode::IneligibleCostExcluded,
            NoticeCode::AppliedBeforeCompletion,
            NoticeCode::LegacyCheckDigit,
            NoticeCode::ClaimDiffers,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.id());
        }
    }
}
