//! One record for a value that cannot be used: the field, the value as written, and a reason
//! that writes its own message in Japanese and English (as [`crate::Notice`] does). The
//! parsers give the reason, the input reader names the field, the batch's rejects and the page
//! show the message; reason ids ([`Reason::id`]) are stable strings in every output.

use chrono::NaiveDate;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use std::fmt;

use crate::model::{Kind, Lang, LineItemCategory};
use crate::money::Yen;

/// A field of an institution's input (the batch CSV's column names; `line_items[i].amount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    InstitutionCode,
    Name,
    Kind,
    GroupRxPerMonth,
    Readers,
    ReaderAppliedOn,
    CompletedOn,
    AppliedOn,
    /// 処分日 — when the equipment was (or will be) disposed of.
    DisposedOn,
    /// 契約締結日
    ContractedOn,
    /// 運用開始日
    OperationStartedOn,
    /// 猶予届類型
    Deferral,
    TotalCost,
    /// The line items as a whole (e.g. some of them were rejected).
    LineItems,
    Claimed,
    /// One value of the line item at `index` (from 0).
    Item {
        index: usize,
        field: ItemField,
    },
    /// A row of a file as a whole (its shape, not one value).
    Record,
}

/// A value of one line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemField {
    Category,
    Amount,
    TaxIncluded,
}

impl ItemField {
    pub fn id(self) -> &'static str {
        match self {
            ItemField::Category => "category",
            ItemField::Amount => "amount",
            ItemField::TaxIncluded => "tax_included",
        }
    }
}

impl Field {
    /// The field's name, as the JSON input and the batch CSV write it (line items aside).
    pub fn id(self) -> &'static str {
        match self {
            Field::InstitutionCode => "institution_code",
            Field::Name => "name",
            Field::Kind => "kind",
            Field::GroupRxPerMonth => "group_rx_per_month",
            Field::Readers => "readers",
            Field::ReaderAppliedOn => "reader_applied_on",
            Field::CompletedOn => "completed_on",
            Field::AppliedOn => "applied_on",
            Field::DisposedOn => "disposed_on",
            Field::ContractedOn => "contracted_on",
            Field::OperationStartedOn => "operation_started_on",
            Field::Deferral => "deferral",
            Field::TotalCost => "total_cost",
            Field::LineItems | Field::Item { .. } => "line_items",
            Field::Claimed => "claimed",
            Field::Record => "record",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Item { index, field } => write!(f, "line_items[{index}].{}", field.id()),
            other => f.write_str(other.id()),
        }
    }
}

/// Why a value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Missing,
    EmptyAmount,
    NegativeAmount,
    FractionalAmount,
    BadAmount,
    AbsurdAmount {
        max: u64,
    },
    NegativeCount,
    BadCount,
    /// A deferral type outside 1–6.
    BadDeferral,
    AbsurdCount {
        max: u64,
    },
    BadCodeCharacter(char),
    BadCodeLength(usize),
    BadPrefecture(u8),
    BadFeeSchedule(u8),
    KindMismatch {
        digit: u8,
        kind: Kind,
    },
    BadCheckDigit {
        found: u8,
        expected: u8,
    },
    BadDate,
    NoSuchDay {
        year: i32,
        month: u32,
        day: u32,
    },
    OutsideEra {
        date: NaiveDate,
        era: &'static str,
    },
    /// A real date outside the rule set's `plausible_dates`.
    ImplausibleDate {
        date: NaiveDate,
        earliest: NaiveDate,
        latest: NaiveDate,
    },
    /// A disposal dated before the reader was applied for.
    DisposedBeforeReader {
        reader_applied_on: NaiveDate,
    },
    UnknownKind,
    UnknownCategory,
    BadBool,
    CostTwice,
    /// A row with more cells than its file's header (an unquoted `279,950` makes two).
    ExtraCells {
        header: usize,
        found: usize,
    },
    /// A value holding a control character (a NUL, a Ctrl-Z): the file is damaged, or was
    /// written in another format than it claims.
    ControlCharacter {
        code: u32,
    },
    /// A workbook cell holding one of Excel's error values (`#N/A`, `#VALUE!`, …).
    SheetError {
        text: String,
    },
    /// A workbook formula cell saved without its value (the file was not recalculated).
    FormulaWithoutValue,
    /// A code stored as a number in a workbook, whose leading zero was lost: with it put back,
    /// the check digit still does not hold.
    LeadingZeroLost,
    /// Some of the institution's line items (these lines of this file) were rejected.
    LineItemsRejected {
        file: String,
        lines: String,
    },
    /// The institution code repeats the row on this line (the first row keeps it).
    DuplicateCode {
        first: u64,
    },
    /// A line item whose institution (on this line of this file) was rejected.
    InstitutionRejected {
        file: String,
        line: u64,
    },
    /// A line item whose code no institution of this file has.
    NoInstitution {
        file: String,
    },
}

impl Reason {
    /// The stable id, as in every output (`bad_date`, `negative_amount`, …).
    pub fn id(&self) -> &'static str {
        use Reason as R;
        match self {
            R::Missing => "missing",
            R::EmptyAmount => "empty",
            R::NegativeAmount => "negative_amount",
            R::FractionalAmount | R::BadAmount => "bad_amount",
            R::AbsurdAmount { .. } => "absurd_amount",
            R::NegativeCount => "negative_count",
            R::BadCount => "bad_count",
            R::BadDeferral => "bad_deferral",
            R::AbsurdCount { .. } => "absurd_count",
            R::BadCodeCharacter(_) => "bad_code_character",
            R::BadCodeLength(_) => "bad_code_length",
            R::BadPrefecture(_) => "bad_prefecture",
            R::BadFeeSchedule(_) => "bad_fee_schedule",
            R::KindMismatch { .. } => "kind_mismatch",
            R::BadCheckDigit { .. } => "bad_check_digit",
            R::BadDate => "bad_date",
            R::NoSuchDay { .. } | R::OutsideEra { .. } => "impossible_date",
            R::ImplausibleDate { .. } => "implausible_date",
            R::DisposedBeforeReader { .. } => "disposed_before_reader",
            R::UnknownKind => "unknown_kind",
            R::UnknownCategory => "unknown_category",
            R::BadBool => "bad_bool",
            R::CostTwice => "cost_twice",
            R::ExtraCells { .. } => "extra_cells",
            R::ControlCharacter { .. } => "control_character",
            R::SheetError { .. } => "sheet_error",
            R::FormulaWithoutValue => "formula_without_value",
            R::LeadingZeroLost => "leading_zero_lost",
            R::LineItemsRejected { .. } => "line_item_rejected",
            R::DuplicateCode { .. } => "duplicate_code",
            R::InstitutionRejected { .. } => "institution_rejected",
            R::NoInstitution { .. } => "no_institution",
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let (ja, en) = self.texts();
        match lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    fn texts(&self) -> (String, String) {
        use Reason as R;
        let s = |ja: &str, en: &str| (ja.to_owned(), en.to_owned());
        match self {
            R::Missing => s("必須の項目です", "this value is required"),
            R::EmptyAmount => s("金額が空です", "the amount is empty"),
            R::NegativeAmount => s("金額が負の値です", "the amount is negative"),
            R::FractionalAmount => s("1円未満の端数は入力できません", "amounts are whole yen"),
            R::BadAmount => s(
                "金額として読めません（例：1,234,567円、28万円）",
                "not an amount (e.g. 1,234,567円, 28万円)",
            ),
            R::AbsurdAmount { max } => {
                let max = Yen::new(i64::try_from(*max).unwrap_or(i64::MAX)).grouped();
                (
                    format!("金額が大きすぎます（上限 {max}円）"),
                    format!("the amount is implausibly large (limit {max} yen)"),
                )
            }
            R::NegativeCount => s("負の数は入力できません", "a count cannot be negative"),
            R::BadCount => s("整数で入力してください", "not a whole number"),
            R::BadDeferral => s(
                "猶予届の類型は1〜6の数字で入力してください",
                "a deferral notice type is a number from 1 to 6",
            ),
            R::AbsurdCount { max } => (
                format!("台数が多すぎます（上限 {max}台）"),
                format!("implausibly many readers (limit {max})"),
            ),
            R::BadCodeCharacter(c) => (
                format!("コードに使えない文字「{c}」があります"),
                format!("the code contains {c:?}, which is neither a digit nor a separator"),
            ),
            R::BadCodeLength(n) => (
                format!("コードは10桁です（{n}桁あります）"),
                format!("a code has 10 digits, this one has {n}"),
            ),
            R::BadPrefecture(p) => (
                format!("都道府県番号 {p:02} は 01〜47 ではありません"),
                format!("prefecture {p:02} is not between 01 and 47"),
            ),
            R::BadFeeSchedule(d) => (
                format!("点数表番号 {d} は 1（医科）・3（歯科）・4（調剤）ではありません"),
                format!("fee-schedule digit {d} is not 1 (medical), 3 (dental) or 4 (pharmacy)"),
            ),
            R::KindMismatch { digit, kind } => (
                format!(
                    "点数表番号 {digit} は種別「{}」と合いません",
                    kind.name(Lang::Ja)
                ),
                format!("fee-schedule digit {digit} does not fit the kind {kind}"),
            ),
            R::BadCheckDigit { found, expected } => (
                format!("検証番号が合いません（{found} ではなく {expected} のはずです）"),
                format!("the check digit is {found} but should be {expected}"),
            ),
            R::DisposedBeforeReader { reader_applied_on } => (
                format!("処分日がカードリーダーの提供申請日（{reader_applied_on}）より前です"),
                format!(
                    "the disposal is dated before the card reader application ({reader_applied_on})"
                ),
            ),
            R::BadDate => s(
                "日付として読めません（例：2021-03-31、令和3年3月31日、R3.3.31）",
                "not a date (e.g. 2021-03-31, 令和3年3月31日, R3.3.31)",
            ),
            R::NoSuchDay { year, month, day } => (
                format!("{year}年{month}月{day}日という日はありません"),
                format!("{year}-{month:02}-{day:02} does not exist"),
            ),
            R::OutsideEra { date, era } => (
                format!("{date} は{era}の期間外です"),
                format!("{date} is outside the {era} era"),
            ),
            R::ImplausibleDate {
                date,
                earliest,
                latest,
            } => (
                format!("{date} はこの制度の日付としてありえません（{earliest}〜{latest}）"),
                format!(
                    "{date} is not a plausible date for this programme ({earliest} to {latest})"
                ),
            ),
            R::UnknownKind => s(
                "種別が不明です（病院・医科診療所・歯科診療所・薬局のいずれか）",
                "unknown kind (hospital, clinic, dental_clinic or pharmacy)",
            ),
            R::UnknownCategory => (
                "経費の区分が不明です".to_owned(),
                format!(
                    "unknown line-item category (one of {})",
                    LineItemCategory::ALL.map(|c| c.id()).join(", ")
                ),
            ),
            R::BadBool => s(
                "「税込」か「税抜」（true / false）で入力してください",
                "expected true or false (税込 / 税抜)",
            ),
            R::CostTwice => s(
                "総事業費と明細の両方が入力されています（どちらか一方にしてください）",
                "give either total_cost or line_items, not both",
            ),
            R::ExtraCells { header, found } => (
                format!(
                    "この行は{found}列で、見出しの{header}列より多くなっています（引用符のない「,」を含む値かもしれません）"
                ),
                format!(
                    "the row has {found} cells, more than the header's {header} (a value with an unquoted comma?)"
                ),
            ),
            R::ControlCharacter { code } => (
                format!(
                    "値に制御文字（U+{code:04X}）が含まれています（ファイルが壊れているか、別の形式で書き出されています）"
                ),
                format!(
                    "the value holds a control character (U+{code:04X}): the file is damaged, or was written in another format"
                ),
            ),
            R::SheetError { text } => (
                format!("セルが Excel のエラー値 {text} です（数式の参照先を確かめてください）"),
                format!("the cell holds Excel's error {text} (check what its formula refers to)"),
            ),
            R::FormulaWithoutValue => s(
                "数式の値が保存されていません（Excel で再計算して保存し直してください）",
                "a formula saved without its value: recalculate the workbook in Excel and save it again",
            ),
            R::LeadingZeroLost => s(
                "コードが数値として保存され、先頭の 0 が失われています（0 を補ってもチェックデジットが合いません。文字列として入力し直してください）",
                "the code was stored as a number and lost its leading zero; with the zero put back its check digit still fails: enter it as text",
            ),
            R::LineItemsRejected { file, lines } => (
                format!("明細（{file} の {lines} 行目）が読めないため、事業費が確定しません"),
                format!(
                    "line items on line {lines} of {file} were rejected, so the cost is not known"
                ),
            ),
            R::DuplicateCode { first } => (
                format!(
                    "同じ医療機関等コードが {first} 行目にもあります（2件目以降は計算しません）"
                ),
                format!(
                    "the same institution code is on line {first}; later rows are not computed"
                ),
            ),
            R::InstitutionRejected { file, line } => (
                format!(
                    "この医療機関等（{file} の {line} 行目）が計算されなかったため使われません"
                ),
                format!("its institution (line {line} of {file}) was rejected"),
            ),
            R::NoInstitution { file } => (
                format!("{file} にこの医療機関等コードがありません"),
                format!("no institution in {file} has this code"),
            ),
        }
    }
}

/// A value that cannot be used: which field, what was written, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    /// What was written (empty when nothing was).
    pub value: String,
    pub reason: Reason,
}

impl FieldError {
    pub fn new(field: Field, value: impl Into<String>, reason: Reason) -> FieldError {
        FieldError {
            field,
            value: value.into(),
            reason,
        }
    }

    /// The reason's stable id.
    pub fn code(&self) -> &'static str {
        self.reason.id()
    }

    pub fn message(&self, lang: Lang) -> String {
        self.reason.message(lang)
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ja, en) = self.reason.texts();
        write!(f, "{}: {:?}: {en} ({ja})", self.field, shown(&self.value))
    }
}

/// The longest value a message repeats, in characters.
pub const SHOWN_CHARS: usize = 80;

/// A value as a message repeats it: cut after [`SHOWN_CHARS`] characters, saying how long it
/// was (a megabyte of text once filled the terminal).
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => value.into(),
        Some((cut, _)) => {
            let n = value.chars().count();
            format!("{}… ({n} characters)", &value[..cut]).into()
        }
    }
}

impl std::error::Error for FieldError {}

/// `{field, value, code, message, message_en}`: what the page shows beside a field.
impl Serialize for FieldError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ja, en) = self.reason.texts();
        let mut st = s.serialize_struct("FieldError", 5)?;
        st.serialize_field("field", &self.field.to_string())?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &ja)?;
        st.serialize_field("message_en", &en)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_writes_its_message_in_both_languages() {
        let e = FieldError::new(Field::Readers, "two", Reason::BadCount);
        assert_eq!(e.code(), "bad_count");
        assert_eq!(e.message(Lang::Ja), "整数で入力してください");
        assert_eq!(
            e.to_string(),
            "readers: \"two\": not a whole number (整数で入力してください)"
        );
        let item = Field::Item {
            index: 2,
            field: ItemField::Amount,
        };
        assert_eq!(item.to_string(), "line_items[2].amount");
        let json =
            serde_json::to_value(FieldError::new(item, "-1", Reason::NegativeAmount)).unwrap();
        assert_eq!(json["field"], "line_items[2].amount");
        assert_eq!(json["code"], "negative_amount");
        assert_eq!(json["message_en"], "the amount is negative");
    }
}
