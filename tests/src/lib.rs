//! Cross-crate behavioural tests of onshi.
//!
//! The data-file cases (`tests/cases/*.toml`, one situation each, in the spirit of OpenFisca's
//! YAML tests) are read here so that every build can run them: natively by `tests/cases.rs`,
//! and through the wasm build by the page's Node suite.

use onshi_core::{AssessOptions, Institution, InstitutionInput, RuleSet, assess};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub description: String,
    pub source: String,
    /// The built-in revision to assess under (the latest when absent).
    #[serde(default)]
    pub rules: Option<String>,
    /// The input as a table, or (`input_json`) as JSON text, for what TOML cannot write: a
    /// list where an object belongs, `-0`.
    #[serde(default)]
    pub input: toml::Table,
    #[serde(default)]
    pub input_json: Option<String>,
    pub expected: toml::Table,
}

impl Case {
    /// The rule set the case is assessed under.
    pub fn rule_set(&self) -> RuleSet {
        match &self.rules {
            Some(id) => {
                RuleSet::built_in(id).unwrap_or_else(|| panic!("{id}: not a built-in revision"))
            }
            None => RuleSet::latest(),
        }
    }

    /// The input as the front ends receive it.
    pub fn input_value(&self) -> Value {
        match &self.input_json {
            Some(text) => serde_json::from_str(text).expect("input_json is JSON"),
            None => serde_json::to_value(&self.input).expect("a table is JSON"),
        }
    }
}

pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Every case file, sorted by name.
pub fn load_cases() -> Vec<(String, Case)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("readable case");
            let case: Case =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, case)
        })
        .collect()
}

impl Case {
    /// What the native build returns for the case: JSON text is read as `onshi assess` reads
    /// it (a key given twice is refused), a table as the object a page sends.
    pub fn run_native(&self, rules: &RuleSet) -> Value {
        match &self.input_json {
            Some(text) => match serde_json::from_str::<InstitutionInput>(text) {
                Ok(input) => assess_input(&input, rules),
                Err(e) => serde_json::json!({ "error": without_position(&e) }),
            },
            None => run_native(&self.input_value(), rules),
        }
    }
}

/// A JSON error's message without where it stands in the text (the page's reader counts
/// columns its own way; the message is what both say).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) if e.line() > 0 => text[..at].to_owned(),
        _ => text,
    }
}

/// What a front end returns for an input: the assessment as JSON, or the refused fields.
pub fn run_native(input: &Value, rules: &RuleSet) -> Value {
    let input: InstitutionInput = match serde_json::from_value(input.clone()) {
        Ok(i) => i,
        Err(e) => return serde_json::json!({ "error": e.to_string() }),
    };
    assess_input(&input, rules)
}

fn assess_input(input: &InstitutionInput, rules: &RuleSet) -> Value {
    match Institution::from_input(input, rules) {
        Ok(inst) => serde_json::to_value(assess(rules, &inst, AssessOptions { trace: true }))
            .expect("an assessment is JSON"),
        Err(errors) => {
            serde_json::json!({ "error_fields": errors.0.iter().map(|e| e.field.to_string()).collect::<Vec<_>>() })
        }
    }
}

/// Compares an output with a case's expectations; returns what differs.
pub fn check(expected: &toml::Table, output: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let expected = serde_json::to_value(expected).expect("a table is JSON");
    for (key, want) in expected.as_object().into_iter().flatten() {
        match key.as_str() {
            "error_mentions" => {
                let want = want.as_str().unwrap_or_default();
                if !output["error"].as_str().is_some_and(|e| e.contains(want)) {
                    problems.push(format!(
                        "error: expected one mentioning {want:?}, got {:?}",
                        output.get("error")
                    ));
                }
            }
            "null" => {
                for k in want
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !output.get(k).is_some_and(Value::is_null) {
                        problems.push(format!("{k}: expected null, got {:?}", output.get(k)));
                    }
                }
            }
            "notices" => {
                let want: BTreeSet<&str> = want
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let got: BTreeSet<&str> = output["notices"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n["code"].as_str())
                    .collect();
                if want != got {
                    problems.push(format!("notices: expected {want:?}, got {got:?}"));
                }
            }
            _ => {
                if output.get(key) != Some(want) {
                    problems.push(format!("{key}: expected {want}, got {:?}", output.get(key)));
                }
            }
        }
    }
    problems
}
