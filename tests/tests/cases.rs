//! Runs every data-file case of `tests/cases/` through the native core.

use onshi_core::RuleSet;
use onshi_tests::{check, load_cases, run_native};

#[test]
fn every_case_holds() {
    let cases = load_cases();
    assert!(cases.len() >= 30, "the cases went missing: {}", cases.len());
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let rules = case.rule_set();
        let output = case.run_native(&rules);
        let mut problems = check(&case.expected, &output);
        for step in output["trace"].as_array().into_iter().flatten() {
            for k in ["label", "label_en", "detail", "detail_en"] {
                if step[k].as_str().is_none_or(str::is_empty) {
                    problems.push(format!("trace step {} has no {k}", step["step"]));
                }
            }
            for rule in step["rules"].as_array().into_iter().flatten() {
                for k in [
                    "key",
                    "effective_from",
                    "citation",
                    "citation_en",
                    "rule_set",
                ] {
                    if rule[k].as_str().is_none_or(str::is_empty) {
                        problems.push(format!("trace step {}: a rule has no {k}", step["step"]));
                    }
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name} ({}):\n    {}",
                case.description,
                problems.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_checker_can_fail() {
    let rules = RuleSet::embedded();
    let (_, case) = load_cases()
        .into_iter()
        .find(|(n, _)| n == "special_cap_clinic")
        .unwrap();
    let input = case.input_value();
    let mut output = run_native(&input, &rules);
    assert!(check(&case.expected, &output).is_empty());
    output["grant"] = serde_json::json!(428_000);
    assert_eq!(check(&case.expected, &output).len(), 1);
}
