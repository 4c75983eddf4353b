//! The assessment's JSON Schema (`onshi schema assessment`) holds for every data-file case's
//! output and for random institutions, and refuses what it should. The page's wasm build
//! returns the same JSON as the native one for every case (web/tests/wasm-cases.test.mjs), so
//! its outputs hold too.

use onshi_core::assess::ASSESSMENT_SCHEMA;
use onshi_core::{AssessOptions, RuleSet, assess};
use onshi_tests::{load_cases, run_native};
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(ASSESSMENT_SCHEMA).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema")
}

fn problems(v: &jsonschema::Validator, out: &Value) -> Vec<String> {
    v.iter_errors(out)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_case_output_holds() {
    let v = validator();
    let rules = RuleSet::embedded();
    let mut checked = 0;
    for (name, case) in load_cases() {
        let input = case.input_value();
        let out = run_native(&input, &rules);
        if out.get("error").is_some() || out.get("error_fields").is_some() {
            continue;
        }
        assert_eq!(problems(&v, &out), Vec::<String>::new(), "{name}");
        checked += 1;
    }
    assert!(checked >= 25, "{checked}");
}

#[test]
fn what_the_schema_refuses() {
    let v = validator();
    let rules = RuleSet::embedded();
    let out = run_native(
        &json!({"kind":"clinic","readers":1,"reader_applied_on":"2021-02-10","total_cost":279950}),
        &rules,
    );
    assert!(problems(&v, &out).is_empty());
    let mut bad = out.clone();
    bad["schema_version"] = json!("onshi.assessment/1");
    assert!(!problems(&v, &bad).is_empty());
    let mut bad = out.clone();
    bad["grant"] = json!("279000");
    assert!(!problems(&v, &bad).is_empty());
    let mut bad = out.clone();
    bad["trace"][2]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("citation");
    assert!(!problems(&v, &bad).is_empty());
    let mut bad = out;
    bad["extra"] = json!(1);
    assert!(!problems(&v, &bad).is_empty());
}

mod random {
    use super::*;
    use chrono::NaiveDate;
    use onshi_core::{Cost, Institution, Kind, LineItem, LineItemCategory, Yen};
    use proptest::prelude::*;

    include!("common/strategies.rs");

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]
        #[test]
        fn random_outputs_hold(i in institution()) {
            let v = validator();
            let rules = RuleSet::embedded();
            let out = serde_json::to_value(assess(&rules, &i, AssessOptions { trace: true })).unwrap();
            prop_assert_eq!(problems(&v, &out), Vec::<String>::new());
        }
    }
}
