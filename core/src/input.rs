//! One institution as people and exports describe it ([`InstitutionInput`], every value as
//! written) and as the rules read it ([`Institution`], checked and typed).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

use crate::error::{Field, FieldError, ItemField, Reason};
use crate::model::{Kind, LineItemCategory};
use crate::money::Yen;
use crate::parse::{self, InstitutionCode};
use crate::rules::{Rate, RuleSet};

pub mod by_name;

/// A number or the text of one (`3`, `"３台"`, `"1,234,567円"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    Int(i64),
    Bool(bool),
    Text(String),
}

// Read by the value's own type rather than `#[serde(untagged)]`, which tries each variant in
// turn: every failed try is an error value, and in the browser (serde-wasm-bindgen) each is a
// JS `Error` with a captured stack — most of the page's time per assessment.
impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a boolean or text")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                // Beyond i64 the parsers still see the figure, and say why it is refused.
                Ok(i64::try_from(v).map_or_else(|_| Scalar::Text(v.to_string()), Scalar::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                // A whole number is one whatever its notation (`5.0`, `-0`), as JavaScript
                // reads it: the browser never sees the difference, so neither may the CLI.
                // A fraction (`1.5`) goes to the parsers as text, which name the field.
                Ok(whole_number(v).map_or_else(|| Scalar::Text(v.to_string()), Scalar::Int))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A number a format hands over as a float (JSON, a spreadsheet cell), as an integer when it
/// is a whole one that a float holds exactly. The float is only looked at, never computed
/// with: amounts stay integers and exact decimals.
pub fn whole_number(v: f64) -> Option<i64> {
    const SAFE: f64 = 9_007_199_254_740_991.0; // 2^53 - 1
    #[allow(clippy::cast_possible_truncation)]
    (v.fract() == 0.0 && v.abs() <= SAFE).then_some(v as i64)
}

impl Scalar {
    pub fn as_value(&self) -> Value<'_> {
        match self {
            Scalar::Int(i) => Value::Int(*i),
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Text(s) => Value::Text(s),
        }
    }
}

/// A [`Scalar`] borrowed: a number, or text as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    Int(i64),
    Bool(bool),
    Text(&'a str),
}

impl Value<'_> {
    fn text(&self) -> Cow<'_, str> {
        match self {
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Text(s) => Cow::Borrowed(s),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Value::Text(s) if crate::parse::trim(s).is_empty())
    }
}

/// One institution's values, borrowed: what [`Institution::from_view`] reads. A batch row lends
/// its cells without copying them; an [`InstitutionInput`] lends its own ([`InstitutionInput::view`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct InputView<'a> {
    pub institution_code: Option<&'a str>,
    /// The code already read (without the kind), when the caller read it: not read again.
    pub institution_code_read: Option<InstitutionCode>,
    pub kind: Option<&'a str>,
    pub group_rx_per_month: Option<Value<'a>>,
    pub readers: Option<Value<'a>>,
    pub reader_applied_on: Option<&'a str>,
    pub completed_on: Option<&'a str>,
    pub applied_on: Option<&'a str>,
    pub disposed_on: Option<&'a str>,
    pub contracted_on: Option<&'a str>,
    pub operation_started_on: Option<&'a str>,
    pub deferral: Option<Value<'a>>,
    pub total_cost: Option<Value<'a>>,
    pub line_items: Option<ItemsView<'a>>,
    pub claimed: Option<Value<'a>>,
}

/// Line items as written, or already read (a batch reads its line-item file once, through the
/// same parsers, and lends the result).
#[derive(Debug, Clone, Copy)]
pub enum ItemsView<'a> {
    Written(&'a [LineItemInput]),
    Read(&'a [LineItem]),
}

impl InstitutionInput {
    /// The input's values, borrowed.
    pub fn view(&self) -> InputView<'_> {
        InputView {
            institution_code: self.institution_code.as_deref(),
            institution_code_read: None,
            kind: self.kind.as_deref(),
            group_rx_per_month: self.group_rx_per_month.as_ref().map(Scalar::as_value),
            readers: self.readers.as_ref().map(Scalar::as_value),
            reader_applied_on: self.reader_applied_on.as_deref(),
            completed_on: self.completed_on.as_deref(),
            applied_on: self.applied_on.as_deref(),
            disposed_on: self.disposed_on.as_deref(),
            contracted_on: self.contracted_on.as_deref(),
            operation_started_on: self.operation_started_on.as_deref(),
            deferral: self.deferral.as_ref().map(Scalar::as_value),
            total_cost: self.total_cost.as_ref().map(Scalar::as_value),
            line_items: self.line_items.as_deref().map(ItemsView::Written),
            claimed: self.claimed.as_ref().map(Scalar::as_value),
        }
    }
}

/// One institution, every value as written (the JSON of `onshi assess`, the page's form, a
/// batch row). Field names are those of the batch CSV.
///
/// Read as a map whatever the format ([`mod@by_name`]): every key is seen, so a misspelt field is
/// refused in the browser as on the command line, and a value of the wrong type names its field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct InstitutionInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_rx_per_month: Option<Scalar>,
    pub readers: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_applied_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_on: Option<String>,
    /// 処分日 — to see what disposing of the equipment on that day may cost (第5 1(6)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposed_on: Option<String>,
    /// 契約締結日 — the contract with the system vendor (the 2022 window asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracted_on: Option<String>,
    /// 運用開始日 — the start of online verification (the 2022 difference payment asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_started_on: Option<String>,
    /// 猶予届類型 — the type (1–6) of an accepted deferral notice, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferral: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_cost: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<LineItemInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed: Option<Scalar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct LineItemInput {
    pub category: String,
    pub amount: Scalar,
    pub tax_included: Scalar,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

by_name::read_as_map!(
    InstitutionInput,
    "an institution: an object of named fields (kind, readers, …)"
);
by_name::read_as_map!(
    LineItemInput,
    "a line item: an object of named fields (category, amount, tax_included)"
);

/// The project cost: one tax-inclusive total, or the quote's line items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    /// 総事業費 (税込) — all of it eligible work.
    Total(Yen),
    LineItems(Vec<LineItem>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub category: LineItemCategory,
    pub amount: Yen,
    /// Whether `amount` already includes consumption tax (税込).
    pub tax_included: bool,
}

impl LineItem {
    /// The tax the rules add to an amount entered without it: `floor(amount × rate)` (a decision,
    /// docs/rules.md); None when the amount includes it. `rate` is asked for only then.
    pub fn tax_added(&self, rate: impl FnOnce() -> Rate) -> Option<Yen> {
        (!self.tax_included).then(|| self.amount.times_floor_to(rate(), 1))
    }
}

/// One institution as the rules read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Institution {
    pub code: Option<InstitutionCode>,
    pub kind: Kind,
    /// Prescriptions a month received by the pharmacy's group (pharmacies only).
    pub group_rx_per_month: Option<u64>,
    /// カードリーダー申込台数
    pub readers: u32,
    /// 提供申請日 — None: not applied yet, or unknown.
    pub reader_applied_on: Option<NaiveDate>,
    /// 事業完了日
    pub completed_on: Option<NaiveDate>,
    /// 補助金申請日
    pub applied_on: Option<NaiveDate>,
    /// 処分日 — a disposal to price (第5 1(6)).
    pub disposed_on: Option<NaiveDate>,
    /// 契約締結日 — the vendor contract.
    pub contracted_on: Option<NaiveDate>,
    /// 運用開始日 — the start of operation.
    pub operation_started_on: Option<NaiveDate>,
    /// 猶予届類型 — an accepted deferral notice's type (1–6).
    pub deferral: Option<u8>,
    pub cost: Cost,
    /// 申請額 — what the institution claimed, when known (for audit).
    pub claimed: Option<Yen>,
}

/// Every field that could not be read (so a form can mark them all at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct InputErrors(pub Vec<FieldError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Collects field errors while reading the rest.
struct Reader<'r> {
    rules: &'r RuleSet,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn take<T>(&mut self, field: Field, text: &str, r: Result<T, Reason>) -> Option<T> {
        r.map_err(|reason| self.errors.push(FieldError::new(field, text, reason)))
            .ok()
    }

    fn missing(&mut self, field: Field) {
        self.errors
            .push(FieldError::new(field, "", Reason::Missing));
    }

    fn date(&mut self, field: Field, v: Option<&str>) -> Option<NaiveDate> {
        match v.map(crate::parse::trim) {
            None | Some("") => None,
            Some(s) => {
                let f = self.rules.file();
                let (earliest, latest) = (
                    f.plausible_dates.earliest.value,
                    f.plausible_dates.latest.value,
                );
                let date = parse::parse_date(s).and_then(|date| {
                    if (earliest..=latest).contains(&date) {
                        Ok(date)
                    } else {
                        Err(Reason::ImplausibleDate {
                            date,
                            earliest,
                            latest,
                        })
                    }
                });
                self.take(field, s, date)
            }
        }
    }

    fn amount(&mut self, field: Field, v: Value<'_>) -> Option<Yen> {
        let max = self.rules.file().money.max_amount.value;
        match v {
            Value::Int(i) if i >= 0 && i.unsigned_abs() <= max => Some(Yen::new(i)),
            _ => {
                let text = v.text();
                self.take(field, &text, parse::parse_amount(&text, max))
            }
        }
    }

    /// The plausibility limit holds for what the items cost together, tax added as the rules
    /// add it: many items each under the limit can still make an absurd project.
    fn items_total(&mut self, items: &[LineItem]) {
        let m = &self.rules.file().money;
        let max = m.max_amount.value;
        let total = items.iter().fold(Yen::ZERO, |sum, it| {
            sum + it.amount + it.tax_added(|| m.tax_rate.value).unwrap_or_default()
        });
        if total > Yen::new(i64::try_from(max).unwrap_or(i64::MAX)) {
            let value = total.whole().to_string();
            let reason = Reason::AbsurdAmount { max };
            self.errors
                .push(FieldError::new(Field::LineItems, value, reason));
        }
    }

    fn count(&mut self, field: Field, v: Value<'_>) -> Option<u64> {
        match v {
            Value::Int(i) if i >= 0 => Some(i.unsigned_abs()),
            _ => {
                let text = v.text();
                self.take(field, &text, parse::parse_count(&text))
            }
        }
    }
}

/// Most card readers anyone applies for; more is a typing error, not a hospital.
const MAX_READERS: u64 = 1000;

impl Institution {
    /// Reads and checks an input, reporting every field that is wrong.
    pub fn from_input(
        input: &InstitutionInput,
        rules: &RuleSet,
    ) -> Result<Institution, InputErrors> {
        Institution::from_view(input.view(), rules)
    }

    /// Reads and checks borrowed values, reporting every field that is wrong (the one reading
    /// of inputs: [`Institution::from_input`] comes here too).
    pub fn from_view(input: InputView<'_>, rules: &RuleSet) -> Result<Institution, InputErrors> {
        let mut r = Reader {
            rules,
            errors: Vec::new(),
        };
        let kind = match input.kind {
            None => {
                r.missing(Field::Kind);
                None
            }
            Some(k) => r.take(Field::Kind, k, parse::parse_kind(k)),
        };
        let code = match (
            input.institution_code.map(crate::parse::trim),
            input.institution_code_read,
        ) {
            (None | Some(""), _) => None,
            // Read once by the caller: only its agreement with the kind is left to check.
            (Some(c), Some(read)) => match kind {
                Some(k) => r.take(
                    Field::InstitutionCode,
                    c,
                    parse::kind_fits(read.fee_schedule(), k),
                ),
                None => Some(()),
            }
            .map(|()| read),
            (Some(c), None) => r.take(
                Field::InstitutionCode,
                c,
                parse::parse_institution_code(c, kind, rules),
            ),
        };
        let group_rx_per_month = match input.group_rx_per_month {
            Some(v) if !v.is_blank() => r.count(Field::GroupRxPerMonth, v),
            _ => None,
        };
        let readers = match input.readers {
            Some(v) if !v.is_blank() => r.count(Field::Readers, v).and_then(|n| {
                if n > MAX_READERS {
                    let reason = Reason::AbsurdCount { max: MAX_READERS };
                    r.errors
                        .push(FieldError::new(Field::Readers, n.to_string(), reason));
                    None
                } else {
                    u32::try_from(n).ok()
                }
            }),
            _ => {
                r.missing(Field::Readers);
                None
            }
        };
        let reader_applied_on = r.date(Field::ReaderAppliedOn, input.reader_applied_on);
        let completed_on = r.date(Field::CompletedOn, input.completed_on);
        let applied_on = r.date(Field::AppliedOn, input.applied_on);
        let disposed_on = r.date(Field::DisposedOn, input.disposed_on);
        let contracted_on = r.date(Field::ContractedOn, input.contracted_on);
        let operation_started_on = r.date(Field::OperationStartedOn, input.operation_started_on);
        let deferral = match input.deferral {
            Some(v) if !v.is_blank() => r.count(Field::Deferral, v).and_then(|n| {
                if (1..=6).contains(&n) {
                    u8::try_from(n).ok()
                } else {
                    let reason = Reason::BadDeferral;
                    r.errors
                        .push(FieldError::new(Field::Deferral, n.to_string(), reason));
                    None
                }
            }),
            _ => None,
        };
        if let (Some(d), Some(reader_applied_on)) = (disposed_on, reader_applied_on)
            && d < reader_applied_on
        {
            let reason = Reason::DisposedBeforeReader { reader_applied_on };
            let text = input.disposed_on.unwrap_or_default().trim();
            r.errors
                .push(FieldError::new(Field::DisposedOn, text, reason));
        }
        let total = input.total_cost.filter(|v| !v.is_blank());
        let cost = match (total, input.line_items) {
            (Some(_), Some(_)) => {
                r.errors
                    .push(FieldError::new(Field::TotalCost, "", Reason::CostTwice));
                None
            }
            (Some(v), None) => r.amount(Field::TotalCost, v).map(Cost::Total),
            (None, Some(ItemsView::Read(items))) => Some(Cost::LineItems(items.to_vec())),
            (None, Some(ItemsView::Written(items))) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, it) in items.iter().enumerate() {
                    let item = |field| Field::Item { index, field };
                    let category = r.take(
                        item(ItemField::Category),
                        &it.category,
                        parse::parse_line_item_category(&it.category),
                    );
                    let amount = r.amount(item(ItemField::Amount), it.amount.as_value());
                    let tax = match it.tax_included {
                        Scalar::Bool(b) => Some(b),
                        ref v => {
                            let value = v.as_value();
                            let text = value.text();
                            let read = parse::parse_bool(&text);
                            r.take(item(ItemField::TaxIncluded), &text, read)
                        }
                    };
                    if let (Some(category), Some(amount), Some(tax_included)) =
                        (category, amount, tax)
                    {
                        out.push(LineItem {
                            category,
                            amount,
                            tax_included,
                        });
                    }
                }
                Some(Cost::LineItems(out))
            }
            (None, None) => {
                r.missing(Field::TotalCost);
                None
            }
        };
        if let Some(Cost::LineItems(items)) = &cost {
            r.items_total(items);
        }
        let claimed = match input.claimed {
            Some(v) if !v.is_blank() => r.amount(Field::Claimed, v),
            _ => None,
        };
        match (kind, readers, cost) {
            (Some(kind), Some(readers), Some(cost)) if r.errors.is_empty() => Ok(Institution {
                code,
                kind,
                group_rx_per_month,
                readers,
                reader_applied_on,
                completed_on,
                applied_on,
                disposed_on,
                contracted_on,
                operation_started_on,
                deferral,
                cost,
                claimed,
            }),
            _ => Err(InputErrors(r.errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Institution, InputErrors> {
        let input: InstitutionInput = serde_json::from_str(json).unwrap();
        Institution::from_input(&input, &RuleSet::embedded())
    }

    #[test]
    fn reads_a_clinic_with_surface_forms() {
        let i = read(r#"{"kind":"医科診療所","readers":"１台","reader_applied_on":"R3.2.10","total_cost":"￥279,950"}"#).unwrap();
        assert_eq!(i.kind, Kind::Clinic);
        assert_eq!(i.readers, 1);
        assert_eq!(i.reader_applied_on, "2021-02-10".parse().ok());
        assert_eq!(i.cost, Cost::Total(Yen::new(279_950)));
    }

    #[test]
    fn reports_every_bad_field() {
        let e = read(r#"{"kind":"clinic","readers":"two","completed_on":"2021-02-30","line_items":[{"category":"network","amount":"-1","tax_included":true}]}"#).unwrap_err();
        let fields: Vec<String> = e.0.iter().map(|e| e.field.to_string()).collect();
        assert_eq!(fields, ["readers", "completed_on", "line_items[0].amount"]);
        assert!(e.to_string().contains("2021-02-30"));
    }

    #[test]
    fn requires_kind_readers_and_cost() {
        let e = read("{}").unwrap_err();
        let fields: Vec<String> = e.0.iter().map(|e| e.field.to_string()).collect();
        assert_eq!(fields, ["kind", "readers", "total_cost"]);
    }

    #[test]
    fn the_limit_holds_for_the_items_together_tax_included() {
        let item = r#"{"category":"terminal","amount":600000000,"tax_included":true}"#;
        let e = read(&format!(
            r#"{{"kind":"clinic","readers":1,"line_items":[{item},{item}]}}"#
        ))
        .unwrap_err();
        assert_eq!(e.0[0].field, Field::LineItems);
        assert_eq!(e.0[0].code(), "absurd_amount");
        assert_eq!(e.0[0].value, "1200000000");
        // 10⁹ before tax is 1.1 × 10⁹ with it: over the limit, as a total of 10⁹ + 1 is.
        let e = read(r#"{"kind":"clinic","readers":1,"line_items":[{"category":"terminal","amount":1000000000,"tax_included":false}]}"#).unwrap_err();
        assert_eq!(e.0[0].value, "1100000000");
        assert!(read(r#"{"kind":"clinic","readers":1,"line_items":[{"category":"terminal","amount":900000000,"tax_included":false}]}"#).is_ok());
    }

    #[test]
    fn refuses_unknown_fields() {
        assert!(
            serde_json::from_str::<InstitutionInput>(r#"{"kind":"clinic","reader":1}"#).is_err()
        );
    }
}
