//! Notices: what a person must know about an assessment, in Japanese and English.

use chrono::NaiveDate;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::model::Lang;
use crate::money::Yen;

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
    /// Reader in the 2022 window, but no contract date: the window is not assumed.
    ContractDateUnknown,
    /// Reader in the 2022 window, but the vendor contract came after its date.
    ContractDeadlinePassed,
    /// An earlier reader, but no operation start date: the difference payment is not assumed.
    OperationDateUnknown,
    /// An earlier reader, but operation started outside the difference payment's period.
    OperationOutsidePeriod,
    /// The grant was applied for before the 2022 revision: paid already, no difference.
    AlreadyPaid,
    /// A deferral notice under rules that have no deferral.
    DeferralNotInRules,
    /// A deferral type whose deadlines the rules do not know: an estimate.
    DeferralDeadlinesUnknown,
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
            NoticeCode::ContractDateUnknown => "contract_date_unknown",
            NoticeCode::ContractDeadlinePassed => "contract_deadline_passed",
            NoticeCode::OperationDateUnknown => "operation_date_unknown",
            NoticeCode::OperationOutsidePeriod => "operation_outside_period",
            NoticeCode::AlreadyPaid => "already_paid",
            NoticeCode::DeferralNotInRules => "deferral_not_in_rules",
            NoticeCode::DeferralDeadlinesUnknown => "deferral_deadlines_unknown",
        }
    }
}

/// The figures a notice speaks of. Kept as values so that bulk runs never format text; the
/// message is written only when someone reads it ([`Notice::message`], serialisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Facts {
    None,
    /// Group prescriptions a month and the 大型チェーン薬局 threshold.
    LargeChain {
        rx: u64,
        threshold: u64,
    },
    GroupRxUnknown {
        threshold: u64,
    },
    ReadersBeyondQuota {
        applied: u32,
        quota: u32,
    },
    IneligibleCost {
        amount: Yen,
    },
    CostAboveCap {
        cap: Yen,
        excess: Yen,
    },
    SpecialDeadlinePassed {
        applied: NaiveDate,
        by: NaiveDate,
    },
    ReaderDateUnknown {
        by: NaiveDate,
        special: Yen,
    },
    /// A project or application date after its deadline.
    DeadlinePassed {
        date: NaiveDate,
        deadline: NaiveDate,
    },
    /// A project or application date not given.
    DateUnknown {
        deadline: NaiveDate,
    },
    AppliedBeforeCompletion {
        applied: NaiveDate,
        completed: NaiveDate,
    },
    ClaimDiffers {
        claimed: Yen,
        grant: Yen,
        difference: Yen,
    },
    ContractUnknown {
        by: NaiveDate,
        special: Yen,
    },
    ContractLate {
        contracted: NaiveDate,
        by: NaiveDate,
    },
    OperationUnknown {
        from: NaiveDate,
        by: NaiveDate,
        special: Yen,
    },
    OperationOutside {
        started: NaiveDate,
        from: NaiveDate,
        by: NaiveDate,
    },
    AlreadyPaid {
        before: NaiveDate,
    },
    Deferral {
        kind: u8,
    },
}

/// Something a person must know about an assessment. The message exists in Japanese and
/// English; both are written out when the notice is serialised (`message`, `message_en`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub code: NoticeCode,
    pub severity: Severity,
    facts: Facts,
}

/// A yen amount as the Japanese texts write it.
pub(crate) fn ja(y: Yen) -> String {
    y.to_string()
}

/// A yen amount as the English texts write it.
pub(crate) fn en(y: Yen) -> String {
    format!("¥{}", y.grouped())
}

impl Notice {
    pub(crate) fn new(code: NoticeCode, severity: Severity, facts: Facts) -> Notice {
        Notice {
            code,
            severity,
            facts,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use Facts as F;
        use NoticeCode as C;
        let ja_text = matches!(lang, Lang::Ja);
        // Only the language asked for is formatted (the page asks for both, per notice).
        macro_rules! pick {
            ($ja:expr, $en:expr $(,)?) => {
                if ja_text { $ja } else { $en }
            };
        }
        match (self.code, self.facts) {
            (_, F::LargeChain { rx, threshold }) => pick!(
                format!("グループの処方箋受付が月{rx}回で{threshold}回以上のため、大型チェーン薬局として計算しました"),
                format!("The group receives {rx} prescriptions a month, at least {threshold}, so the pharmacy counts as a large chain pharmacy"),
            ),
            (_, F::GroupRxUnknown { threshold }) => pick!(
                format!("グループの処方箋受付回数が未入力のため、大型チェーン薬局以外として計算しました（月{threshold}回以上なら大型チェーン薬局です）"),
                format!("The group's monthly prescriptions are not given, so the pharmacy is treated as not a large chain (a large chain receives {threshold} or more a month)"),
            ),
            (_, F::ReadersBeyondQuota { applied, quota }) => {
                let extra = applied.saturating_sub(quota);
                pick!(
                    format!("申込 {applied}台のうち無償提供は {quota}台までです。残り {extra}台は自己負担で購入し、補助の対象になりません"),
                    format!("Of the {applied} readers applied for, {quota} are provided free; the other {extra} are bought by the institution and are not eligible"),
                )
            }
            (_, F::IneligibleCost { amount }) => pick!(
                format!("補助対象外の経費 {}（月額費用・追加のカードリーダー等）は自己負担です", ja(amount)),
                format!("{} of costs that are not eligible (monthly charges, extra readers, …) is self-paid", en(amount)),
            ),
            (_, F::CostAboveCap { cap, excess }) => pick!(
                format!("補助対象経費が補助限度額 {} を超えています。超えた {} は自己負担です", ja(cap), ja(excess)),
                format!("The eligible cost is above the cap of {}; the {} above it is self-paid", en(cap), en(excess)),
            ),
            (_, F::SpecialDeadlinePassed { applied, by }) => pick!(
                format!("カードリーダーの提供申請日 {applied} が {by} より後のため、特例補助は受けられません（通常の補助になります）"),
                format!("The reader was applied for on {applied}, after {by}, so the special regime does not apply (standard regime)"),
            ),
            (_, F::ReaderDateUnknown { by, special }) => pick!(
                format!("カードリーダーをまだ申し込んでいない（または提供申請日が分からない）ため、通常の補助で計算しました。{by} までに申し込んでいれば特例補助で {} です", ja(special)),
                format!("The card reader is not applied for yet (or the date is unknown), so the standard regime was used. Applied for on or before {by}, the special regime would pay {}", en(special)),
            ),
            (code, F::DeadlinePassed { date, deadline }) => {
                let (what, what_en) = deadline_words(code);
                pick!(
                    format!("{what}（{date}）が期限 {deadline} を過ぎているため、補助は受けられません"),
                    format!("The {what_en} ({date}) is after the deadline of {deadline}, so no grant is paid"),
                )
            }
            (code, F::DateUnknown { deadline }) => {
                let (what, what_en) = deadline_words(code);
                pick!(
                    format!("{what}が未入力のため見込みの額です（期限 {deadline}）"),
                    format!("The {what_en} date is not given, so this is an estimate (deadline {deadline})"),
                )
            }
            (_, F::AppliedBeforeCompletion { applied, completed }) => pick!(
                format!("補助金申請日 {applied} が事業完了日 {completed} より前です（申請は完了後、領収書を添えて行います）"),
                format!("The grant application ({applied}) is dated before completion ({completed}); the application follows completion, with receipts"),
            ),
            (_, F::ClaimDiffers { claimed, grant, difference }) => pick!(
                format!("申請額 {} は再計算した交付額 {} と {} 異なります", ja(claimed), ja(grant), ja(difference)),
                format!("The claimed {} differs from the recomputed grant {} by {}", en(claimed), en(grant), en(difference)),
            ),
            (_, F::ContractUnknown { by, special }) => pick!(
                format!("カードリーダーの申込みは令和4年の特例の期間内です。システム事業者との契約日が未入力のため通常の補助で計算しました。{by} までに契約していれば {} です", ja(special)),
                format!("The reader was applied for in the 2022 special window. No vendor contract date is given, so the standard regime was used; with a contract by {by} the grant would be {}", en(special)),
            ),
            (_, F::ContractLate { contracted, by }) => pick!(
                format!("システム事業者との契約日 {contracted} が {by} より後のため、令和4年の特例は受けられません（通常の補助になります）"),
                format!("The vendor contract ({contracted}) is after {by}, so the 2022 special window does not apply (standard regime)"),
            ),
            (_, F::OperationUnknown { from, by, special }) => pick!(
                format!("運用開始日が未入力のため通常の補助で計算しました。{from}〜{by} に運用を開始していれば差額補助で {} です", ja(special)),
                format!("No operation start date, so the standard regime was used; with operation started from {from} to {by} the difference payment would bring the grant to {}", en(special)),
            ),
            (_, F::OperationOutside { started, from, by }) => pick!(
                format!("運用開始日 {started} が {from}〜{by} の外のため、差額補助は受けられません"),
                format!("Operation started on {started}, outside {from} to {by}, so the difference payment does not apply"),
            ),
            (_, F::AlreadyPaid { before }) => pick!(
                format!("補助金申請日が {before} より前のため、交付済みとして差額補助は計算していません"),
                format!("The grant was applied for before {before}, so it counts as already paid and no difference is computed"),
            ),
            (C::DeferralNotInRules, F::Deferral { kind }) => pick!(
                format!("この規則には猶予届の定めがないため、猶予届（類型{kind}）は期限に影響しません"),
                format!("These rules have no deferral notices, so the deferral (type {kind}) does not change the deadlines"),
            ),
            (_, F::Deferral { kind }) => pick!(
                format!("猶予届（類型{kind}）の期限はこの規則では分からないため、期限は判定せず見込みの額です"),
                format!("The deadlines of a type {kind} deferral are not known in these rules, so no deadline was applied and this is an estimate"),
            ),
            (C::NoReader, F::None) => pick!(
                "顔認証付きカードリーダーを申し込まない場合、費用は全て補助の対象外です".into(),
                "Without a card reader application, none of the cost is eligible for the grant".into(),
            ),
            (C::LegacyCheckDigit, F::None) => pick!(
                "医療機関コードは旧方式（6桁）の検証番号でのみ一致しました。コードを確認してください".into(),
                "The institution code passes only the legacy 6-digit check; please confirm it".into(),
            ),
            (code, F::None) => code.id().to_owned(),
        }
    }
}

/// The date a deadline notice speaks of (Japanese, English).
fn deadline_words(code: NoticeCode) -> (&'static str, &'static str) {
    match code {
        NoticeCode::ProjectDeadlinePassed | NoticeCode::CompletionDateUnknown => {
            ("事業完了日", "project completion")
        }
        _ => ("補助金申請日", "grant application"),
    }
}

impl Serialize for Notice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Notice", 4)?;
        m.serialize_field("code", &self.code)?;
        m.serialize_field("severity", &self.severity)?;
        m.serialize_field("message", &self.message(Lang::Ja))?;
        m.serialize_field("message_en", &self.message(Lang::En))?;
        m.end()
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
            NoticeCode::ContractDateUnknown,
            NoticeCode::ContractDeadlinePassed,
            NoticeCode::OperationDateUnknown,
            NoticeCode::OperationOutsidePeriod,
            NoticeCode::AlreadyPaid,
            NoticeCode::DeferralNotInRules,
            NoticeCode::DeferralDeadlinesUnknown,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.id());
        }
    }
}
