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
    let mut checked = 0;
    for (name, case) in load_cases() {
        let rules = case.rule_set();
        let out = case.run_native(&rules);
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

/// Beyond 100 line items the trace explains them by category: two steps at most per category
/// (tax added, eligibility), figures that add up to the assessment's, the JSON still valid.
#[test]
fn a_large_quote_is_explained_by_category() {
    let v = validator();
    let rules = RuleSet::embedded();
    let item = |i: usize| {
        let category = ["terminal", "network", "recurring"][i % 3];
        json!({"category": category, "amount": 1000 + i, "tax_included": i.is_multiple_of(2)})
    };
    let trace_of = |n: usize| {
        let items: Vec<Value> = (0..n).map(item).collect();
        let input = json!({"kind": "clinic", "readers": 1, "reader_applied_on": "2021-02-10", "line_items": items});
        run_native(&input, &rules)
    };
    let steps = |out: &Value, id: &str| -> Vec<Value> {
        out["trace"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["step"] == id)
            .cloned()
            .collect()
    };
    let few = trace_of(100);
    assert_eq!(
        steps(&few, "line_item").len(),
        100,
        "one step per item up to 100"
    );
    let many = trace_of(3001);
    assert_eq!(problems(&v, &many), Vec::<String>::new());
    let groups = steps(&many, "line_item");
    assert_eq!(groups.len(), 3, "one step per category");
    assert_eq!(steps(&many, "line_item_tax").len(), 3);
    let sum = |eligible: bool| -> i64 {
        groups
            .iter()
            .filter(|g| g["after"]["value"] == eligible)
            .map(|g| g["before"]["value"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum(true), many["eligible_cost"].as_i64().unwrap());
    assert_eq!(sum(false), many["ineligible_cost"].as_i64().unwrap());
    // Items 0, 3, 6 … are terminals: 1,001 of them, half entered without tax.
    assert!(
        groups[0]["detail_en"]
            .as_str()
            .unwrap()
            .starts_with("1001 "),
        "{}",
        groups[0]["detail_en"]
    );
}
