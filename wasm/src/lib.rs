//! The core compiled to WebAssembly for the public page. It only translates: plain JS objects
//! in through serde, the core's results out as serde structs, errors as JS `Error`s carrying
//! the core's message. No rule is written here.

use onshi_core::plan::{self, PlanInput};
use onshi_core::{
    AssessOptions, Calendar, Field, FieldError, Institution, InstitutionInput, Lang, RuleSet, parse,
};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One institution, every value as a person types it (numbers or text such as "279,950円"). */
export interface InstitutionInput {
  institution_code?: string; name?: string;
  kind: "hospital" | "clinic" | "dental_clinic" | "pharmacy" | string;
  group_rx_per_month?: number | string; readers: number | string;
  reader_applied_on?: string; completed_on?: string; applied_on?: string; disposed_on?: string;
  contracted_on?: string; operation_started_on?: string; deferral?: number | string;
  total_cost?: number | string;
  line_items?: { category: string; amount: number | string; tax_included: boolean | string; description?: string }[];
  claimed?: number | string;
}
export interface Notice { code: string; severity: "info" | "warning" | "refusal"; message: string; message_en: string }
export type TraceValue = { type: "yen" | "count"; value: number } | { type: "date" | "kind" | "category" | "regime" | "rate" | "text"; value: string } | { type: "flag"; value: boolean } | { type: "unknown" };
/** A rule parameter a step read: its value as the rule file writes it, its date and citation. */
export interface CitedRule {
  key: string; value: number | boolean | string | number[] | string[];
  effective_from: string; source: Source; article: string; article_en: string;
  citation: string; citation_en: string; decision: boolean; rule_set: string;
}
/** A source document a rule cites. */
export interface Source { id: string; issuer: string; title: string; title_en: string; number: string | null; date: string | null; url: string | null; kind: string }
/** Which built-in revision to assess under: an id, or the one in force on a date (default: the latest). */
export interface RulesChoice { rules?: string; asOf?: string }
export interface Revision { id: string; effective_from: string; title: string; title_en: string; extends: string | null }
export interface TraceStep {
  step: string; label: string; label_en: string; before: TraceValue | null; after: TraceValue;
  rules: CitedRule[]; detail: string; detail_en: string;
}
/** Amounts are whole yen. */
export interface Assessment {
  schema_version: "onshi.assessment/4"; rule_set: string; kind: string; category: "hospital" | "large_chain_pharmacy" | "clinic_or_pharmacy";
  readers_applied: number; readers_provided: number; cap: number; standard_rate: string;
  eligible_cost: number; ineligible_cost: number; total_cost: number;
  standard_grant: number; special_grant: number | null; regime: "special" | "standard" | "ineligible";
  measure: "standard" | "special_2020" | "special_2022" | "difference_2022" | null;
  grant: number; self_pay: number; form: string | null; retention_until: string | null;
  useful_life_until: string | null; disposal: Disposal | null;
  claimed: number | null; claim_difference: number | null; estimate: boolean;
  notices: Notice[]; trace: TraceStep[];
}
/** What disposing of the equipment on `disposed_on` may cost: the most to return (whole yen). */
export interface Disposal {
  disposed_on: string; depreciation_from: string | null; readers_provided: number; reader_value: number;
  months_elapsed: number; depreciation_months: number; readers_remaining: number;
  within_useful_life: boolean; grant_up_to: number; up_to: number;
}
/** The grant against the eligible cost (0 to 1.5 × the cap), each point assessed by the core. */
export interface WhatIf {
  cap: number; max_cost: number;
  points: { cost: number; standard: number; special: number }[];
  current: { cost: number; grant: number; regime: "special" | "standard" | "ineligible" };
  readers: { readers: number; cap: number; grant: number; regime: "special" | "standard" | "ineligible" }[];
}
export interface FieldError { field: string; value: string; code: string; message: string; message_en: string }
export interface PlanInput { start_on: string; today?: string; line?: string; terminal_os?: string }
export interface PlanStep { step: string; label: string; label_en: string; latest: string | null; business_days: boolean; late: boolean; rule: string; rule_en: string; rules: CitedRule[] }
export interface Readiness { id: string; name: string; status: string; ok: boolean; message: string; message_en: string; citation: string; citation_en: string }
export interface Plan { start_on: string; steps: PlanStep[]; warnings: { code: string; message: string; message_en: string }[]; line: Readiness | null; terminal_os: Readiness | null }
export interface CheckedCode { code: string; formatted: string; prefecture: number; fee_schedule: number; legacy_check: boolean }
"#;

#[wasm_bindgen]
extern "C" {
    /// JS's own `TypeError`, for an argument of the wrong type.
    #[wasm_bindgen(js_name = TypeError)]
    type JsTypeError;
    #[wasm_bindgen(constructor, js_class = "TypeError")]
    fn new(message: &str) -> JsTypeError;
}

/// The text of a string argument; any other value is a `TypeError` naming the argument (a
/// `&str` parameter given a number trapped the whole module instead).
fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| JsTypeError::new(&format!("{what} must be a string")).into())
}

/// A TypeError naming the argument `what` that is not an object (the plan's or
/// institution's input, the rules choice): `value` is what was given instead.
fn not_an_object(what: &str, value: &JsValue) -> JsValue {
    let given = match value.is_null() {
        true => "null".into(),
        false => value.js_typeof().as_string().unwrap_or_default(),
    };
    JsTypeError::new(&format!("{what} must be an object, not {given}")).into()
}

thread_local! {
    // Decoded once per page: the rule sets and calendar are immutable data. REVISIONS holds
    // every built-in revision, oldest first; the last, the latest, is the default.
    static REVISIONS: Vec<RuleSet> = onshi_core::rules::built_in_ids()
        .filter_map(RuleSet::built_in)
        .collect();
    static CALENDAR: Calendar = Calendar::embedded();
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesChoice {
    rules: Option<String>,
    #[serde(rename = "asOf")]
    as_of: Option<String>,
}

/// Runs `f` with the revision the choice names (the latest when none).
fn with_rules<T>(
    choice: JsValue,
    f: impl FnOnce(&RuleSet) -> Result<T, JsValue>,
) -> Result<T, JsValue> {
    let n = chosen(choice)?;
    REVISIONS.with(|all| f(&all[n]))
}

/// The index in REVISIONS of the revision a choice names (not generic: one copy in the page).
fn chosen(choice: JsValue) -> Result<usize, JsValue> {
    let choice: RulesChoice = if choice.is_undefined() || choice.is_null() {
        RulesChoice::default()
    } else if !choice.is_object() {
        return Err(not_an_object("the rules ({ rules } or { asOf })", &choice));
    } else {
        from_js(choice)?
    };
    let id = match (choice.rules, choice.as_of) {
        (Some(id), None) => id,
        (None, Some(d)) => {
            let date = parse::parse_date(&d).map_err(|r| JsError::new(&r.message(Lang::En)))?;
            let set = RuleSet::as_of(date)
                .ok_or_else(|| JsError::new(&format!("no revision was in force on {date}")))?;
            set.id().to_owned()
        }
        (None, None) => return Ok(REVISIONS.with(Vec::len) - 1),
        (Some(_), Some(_)) => return Err(JsError::new("give rules or asOf, not both").into()),
    };
    REVISIONS
        .with(|all| all.iter().position(|r| r.id() == id))
        .ok_or_else(|| JsError::new(&format!("{id:?} is not a built-in revision")).into())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()).into())
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    // The error is a JS `Error` already: its message, not its `toString()` ("Error: …"), is
    // what the new one carries.
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        let error: JsValue = e.into();
        let message = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_default();
        JsError::new(&message).into()
    })
}

fn read(input: JsValue, rules: &RuleSet) -> Result<Result<Institution, Vec<FieldError>>, JsValue> {
    if !input.is_object() {
        return Err(not_an_object("the institution", &input));
    }
    if input.is_array() {
        // serde-wasm-bindgen would read an array's pairs as a map; the CLI refuses a list.
        let e: serde::de::value::Error =
            onshi_core::input::by_name::not_a_map(InstitutionInput::EXPECTING);
        return Err(JsError::new(&e.to_string()).into());
    }
    let input: InstitutionInput = from_js(input)?;
    Ok(Institution::from_input(&input, rules).map_err(|e| e.0))
}

/// Assesses one institution (the same fields and output as `onshi assess`), under the latest
/// revision or the one `choice` names.
#[wasm_bindgen(unchecked_return_type = "Assessment")]
pub fn assess(
    #[wasm_bindgen(unchecked_param_type = "InstitutionInput")] input: JsValue,
    trace: Option<bool>,
    #[wasm_bindgen(unchecked_param_type = "RulesChoice | undefined")] choice: JsValue,
) -> Result<JsValue, JsValue> {
    let opts = AssessOptions {
        trace: trace.unwrap_or(true),
    };
    with_rules(choice, |r| {
        to_js(&onshi_core::assess(r, &institution(input, r)?, opts))
    })
}

/// The built-in revisions, oldest first.
#[wasm_bindgen(js_name = revisions, unchecked_return_type = "Revision[]")]
pub fn revisions() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Revision<'a> {
        id: &'a str,
        effective_from: String,
        title: &'a str,
        title_en: &'a str,
        extends: Option<&'a str>,
    }
    REVISIONS.with(|all| {
        let list: Vec<Revision<'_>> = all
            .iter()
            .map(|r| {
                let m = &r.file().rule_set;
                Revision {
                    id: r.id(),
                    effective_from: m.effective_from.to_string(),
                    title: &m.title,
                    title_en: &m.title_en,
                    extends: r.extends(),
                }
            })
            .collect();
        to_js(&list)
    })
}

/// How the grant moves with the cost (and, for hospitals, the readers): every point an
/// assessment by the core.
#[wasm_bindgen(js_name = whatIf, unchecked_return_type = "WhatIf")]
pub fn what_if(
    #[wasm_bindgen(unchecked_param_type = "InstitutionInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RulesChoice | undefined")] choice: JsValue,
) -> Result<JsValue, JsValue> {
    with_rules(choice, |r| {
        to_js(&onshi_core::whatif::what_if(r, &institution(input, r)?))
    })
}

/// The institution the input describes, or one error listing every field that cannot be read.
fn institution(input: JsValue, rules: &RuleSet) -> Result<Institution, JsValue> {
    read(input, rules)?
        .map_err(|e| JsError::new(&onshi_core::input::InputErrors(e).to_string()).into())
}

/// Every field of the input that cannot be read (empty when all are fine), for showing errors
/// next to their fields.
#[wasm_bindgen(js_name = inputErrors, unchecked_return_type = "FieldError[]")]
pub fn input_errors(
    #[wasm_bindgen(unchecked_param_type = "InstitutionInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RulesChoice | undefined")] choice: JsValue,
) -> Result<JsValue, JsValue> {
    with_rules(choice, |r| {
        to_js(&read(input, r)?.err().unwrap_or_default())
    })
}

/// The preparation plan for a target start of operation.
#[wasm_bindgen(js_name = planPreparation, unchecked_return_type = "Plan")]
pub fn plan_preparation(
    #[wasm_bindgen(unchecked_param_type = "PlanInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RulesChoice | undefined")] choice: JsValue,
) -> Result<JsValue, JsValue> {
    if !input.is_object() {
        return Err(not_an_object("the plan's input", &input));
    }
    let input: PlanInput = from_js(input)?;
    with_rules(choice, |r| {
        let plan = CALENDAR
            .with(|c| plan::plan(r, c, &input))
            .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&plan)
    })
}

#[derive(Serialize)]
struct CheckedCode {
    code: String,
    formatted: String,
    prefecture: u8,
    fee_schedule: u8,
    legacy_check: bool,
}

/// Checks an institution code (separators and full-width digits allowed); `kind`, when given,
/// must agree with its 点数表 digit.
#[wasm_bindgen(js_name = checkInstitutionCode, unchecked_return_type = "CheckedCode")]
pub fn check_institution_code(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | undefined")] kind: JsValue,
) -> Result<JsValue, JsValue> {
    let text = string_arg(&text, "checkInstitutionCode: the code")?;
    let kind = if kind.is_undefined() || kind.is_null() {
        None
    } else {
        Some(string_arg(&kind, "checkInstitutionCode: the kind")?)
    };
    let kind = kind
        .filter(|k| !k.is_empty())
        .map(|k| parse::parse_kind(&k).map_err(|r| FieldError::new(Field::Kind, k, r)))
        .transpose()
        .map_err(|e| JsError::new(&e.to_string()))?;
    let code = with_rules(JsValue::UNDEFINED, |r| {
        // The code's rules (prefectures, fee-schedule digits) are the same in every revision.
        parse::parse_institution_code(&text, kind, r).map_err(|reason| {
            JsError::new(&FieldError::new(Field::InstitutionCode, text, reason).to_string()).into()
        })
    })?;
    to_js(&CheckedCode {
        code: code.to_string(),
        formatted: code.formatted(),
        prefecture: code.prefecture(),
        fee_schedule: code.fee_schedule(),
        legacy_check: code.legacy_check(),
    })
}

/// Reads a date in any accepted form (ISO, slash, 和暦) and returns it as `YYYY-MM-DD`.
#[wasm_bindgen(js_name = parseDate)]
pub fn parse_date(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<String, JsValue> {
    let text = string_arg(&text, "parseDate: the date")?;
    parse::parse_date(&text)
        .map(|d| d.to_string())
        .map_err(|r| JsError::new(&r.message(Lang::Ja)).into())
}

/// Every parameter of a revision (the latest by default), with dates and sources, for display.
#[wasm_bindgen(js_name = ruleSet)]
pub fn rule_set(
    #[wasm_bindgen(unchecked_param_type = "RulesChoice | undefined")] choice: JsValue,
) -> Result<JsValue, JsValue> {
    with_rules(choice, |r| to_js(r.file()))
}
