//! `onshi assess` as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn onshi(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("onshi runs");
    // onshi may exit (e.g. on a bad rule file) before reading its input: a closed pipe here
    // is not the test's concern.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

const CLINIC: &str =
    r#"{"kind":"clinic","readers":1,"reader_applied_on":"R3.2.10","total_cost":"279,950円"}"#;

#[test]
fn assess_prints_json_with_whole_yen_numbers() {
    let out = onshi(&["assess"], CLINIC);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["category"], "clinic_or_pharmacy");
    assert_eq!(v["regime"], "special");
    assert_eq!(v["grant"], 279_000);
    assert_eq!(v["standard_grant"], 209_000);
    assert_eq!(v["cap"], 429_000);
    assert_eq!(v["form"], "別紙特例様式5");
    assert!(v["notices"].is_array());
    let trace = v["trace"].as_array().unwrap();
    assert_eq!(v["schema_version"], "onshi.assessment/4");
    let cap = trace.iter().find(|s| s["step"] == "cap").unwrap();
    let rules = cap["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{cap}");
    assert_eq!(rules[0]["key"], "categories.clinic_or_pharmacy.caps");
    assert!(rules[0]["citation"].as_str().unwrap().contains("附則第1"));
    assert_eq!(rules[0]["value"], serde_json::json!([429_000]));
}

/// The command line reads JSON as the page does: a number as the nearest double (one ulp
/// above a whole number is a fraction of a yen, refused), and a key given twice refused.
#[test]
fn json_numbers_are_exact_and_repeated_keys_refused() {
    let ulp = r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-02-10","total_cost":279950.00000000006}"#;
    let out = onshi(&["assess"], ulp);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("total_cost"));
    let whole = ulp.replace("279950.00000000006", "279950.0");
    assert!(onshi(&["assess"], &whole).status.success());
    let twice = r#"{"kind":"clinic","readers":1,"total_cost":279950,"kind":"hospital"}"#;
    let out = onshi(&["assess"], twice);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate field `kind`"));
}

#[test]
fn assess_reads_a_file_argument() {
    let dir = std::env::temp_dir().join(format!("onshi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("clinic.json");
    std::fs::write(&path, CLINIC).unwrap();
    let out = onshi(&["assess", path.to_str().unwrap()], "");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grant"], 279_000);
}

#[test]
fn text_in_japanese_and_english() {
    let ja = String::from_utf8(onshi(&["assess", "--text"], CLINIC).stdout).unwrap();
    assert!(ja.contains("交付額: 279,000円"), "{ja}");
    assert!(ja.contains("計算の根拠"));
    assert!(ja.contains("実施要領 附則第1 2"));
    let en =
        String::from_utf8(onshi(&["assess", "--text", "--lang", "en"], CLINIC).stdout).unwrap();
    assert!(en.contains("Grant: ¥279,000"), "{en}");
    assert!(en.contains("Why (trace)"));
}

#[test]
fn bad_input_exits_2_with_a_message_naming_the_value() {
    let out = onshi(
        &["assess"],
        r#"{"kind":"clinic","readers":1,"total_cost":"12,34"}"#,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("total_cost") && err.contains("12,34"), "{err}");
    let out = onshi(&["assess"], "{not json");
    assert_eq!(out.status.code(), Some(2));
    let out = onshi(&["assess"], r#"{"kind":"clinic","readerz":1}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("readerz"));
}

#[test]
fn another_rule_file_changes_the_result() {
    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/rules/2020-11-30.toml"
    ))
    .unwrap();
    let posing = rules.replacen(
        "reader_applied_by = { value = \"2021-03-31\"",
        "reader_applied_by = { value = \"2021-09-30\"",
        1,
    );
    assert_ne!(rules, posing);
    // Other rules need an id of their own: under the built-in's they would pass for it.
    let later = posing.replacen("id = \"2020-11-30\"", "id = \"later-deadline\"", 1);
    assert_ne!(later, posing);
    let dir = std::env::temp_dir().join(format!("onshi-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("later.toml");
    std::fs::write(&path, later).unwrap();
    let input =
        r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-05-10","total_cost":279950}"#;
    let base: serde_json::Value =
        serde_json::from_slice(&onshi(&["assess"], input).stdout).unwrap();
    assert_eq!(base["grant"], 209_000);
    let out = onshi(&["assess", "--rules", path.to_str().unwrap()], input);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grant"], 279_000);
    std::fs::write(&path, &posing).unwrap();
    let out = onshi(&["assess", "--rules", path.to_str().unwrap()], input);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a built-in revision's"));
    std::fs::write(&path, &posing).unwrap();
    let out = onshi(&["assess", "--rules", path.to_str().unwrap()], input);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a built-in revision's"));

    std::fs::write(&path, rules.replace("[money]\n", "[money]\nrounding = 1\n")).unwrap();
    let out = onshi(&["assess", "--rules", path.to_str().unwrap()], input);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("rounding"));
}

#[test]
fn schema_prints_the_assessment_schema() {
    let out = onshi(&["schema", "assessment"], "");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["properties"]["schema_version"]["const"],
        "onshi.assessment/4"
    );
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let items = vec![r#"{"category":"terminal","amount":1000,"tax_included":true}"#; 20_000];
    let json = format!(
        r#"{{"kind":"clinic","readers":1,"line_items":[{}]}}"#,
        items.join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(&file, json).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["assess", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 10];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut head).unwrap();
    drop(child.stdout.take()); // the reader has read enough, as `| head -c 10` does
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// JSON saved with a byte-order mark is read; a value of the wrong type names its field; a
/// huge bad value is cut to 80 characters in the message.
#[test]
fn messages_name_the_field_and_cut_long_values() {
    let bom = format!("\u{feff}{CLINIC}");
    assert!(onshi(&["assess"], &bom).status.success());
    let o = onshi(
        &["assess"],
        r#"{"kind":"clinic","readers":[1],"total_cost":5}"#,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("readers: invalid type: sequence"),
        "{}",
        stderr(&o)
    );
    let long = format!(
        r#"{{"kind":"clinic","readers":1,"total_cost":"{}"}}"#,
        "9x".repeat(5000)
    );
    let o = onshi(&["assess"], &long);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("… (10000 characters)") && err.len() < 600,
        "{err}"
    );
}

/// `onshi gen --out -` writes to standard output, not to a file named `-`.
#[test]
fn gen_writes_standard_output_for_dash() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["gen", "--count", "3", "--seed", "1", "--out", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("institution_code,"));
    assert!(!dir.path().join("-").exists());
}

#[test]
fn assess_prices_a_disposal_and_cites_the_conditions() {
    let input = r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-02-10","total_cost":279950,"disposed_on":"2023-08-10"}"#;
    let out = onshi(&["assess"], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 99,000 × 30/60 for the reader, and (completion unknown) up to the whole grant.
    assert_eq!(v["disposal"]["readers_remaining"], 49_500);
    assert_eq!(v["disposal"]["grant_up_to"], 279_000);
    assert_eq!(v["disposal"]["up_to"], 328_500);
    assert_eq!(v["estimate"], true);
    let step = v["trace"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "disposal")
        .unwrap();
    let citations: Vec<&str> = step["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["citation"].as_str().unwrap())
        .collect();
    assert!(
        citations.iter().all(|c| c.contains("第5 1(6)")),
        "{citations:?}"
    );
    let life = v["trace"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "useful_life")
        .unwrap();
    assert!(
        life["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["citation"].as_str().unwrap().contains("第5 1(2)")),
        "{life}"
    );
    let text = onshi(&["assess", "--text"], input);
    assert!(String::from_utf8_lossy(&text.stdout).contains("328,500円"));
}

/// The auditor's clinic of the 2022 window: reader 2022-09-01, contract 2023-01-15, applied
/// 2023-08-01 (after the 2020 deadline, before the final one).
const CLINIC_2022: &str = r#"{"kind":"clinic","readers":1,"reader_applied_on":"2022-09-01","contracted_on":"2023-01-15","completed_on":"2023-03-20","applied_on":"2023-08-01","total_cost":"400,000"}"#;

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_rules_as_finally_paid_are_the_default_and_any_revision_can_be_chosen() {
    let v = json(&onshi(&["assess"], CLINIC_2022));
    assert_eq!(
        (v["grant"].as_i64(), v["measure"].as_str()),
        (Some(400_000), Some("special_2022"))
    );
    assert_eq!(v["rule_set"], "2023-04-01");
    let v = json(&onshi(&["assess", "--rules", "2020-11-30"], CLINIC_2022));
    assert_eq!(
        (v["grant"].as_i64(), v["regime"].as_str()),
        (Some(0), Some("ineligible"))
    );
    let v = json(&onshi(&["assess", "--as-of", "2022-09-01"], CLINIC_2022));
    assert_eq!(v["rule_set"], "2022-08-10");
    // Under 2022-08-10 the application deadline was still 2023-06-30.
    assert_eq!(v["grant"], 0);
    let out = onshi(&["assess", "--as-of", "2019-01-01"], CLINIC_2022);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2019-01-01"));
    // Every rule read carries its source; none is named by a file number.
    let v = json(&onshi(&["assess"], CLINIC_2022));
    for step in v["trace"].as_array().unwrap() {
        for r in step["rules"].as_array().unwrap() {
            assert!(
                r["source"]["title"].as_str().is_some_and(|t| !t.is_empty()),
                "{r}"
            );
            let c = r["citation"].as_str().unwrap();
            assert!(!c.starts_with("00") && !c.contains("RULES.md"), "{c}");
        }
    }
    let text = onshi(&["assess", "--text"], CLINIC_2022);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("社会保障審議会 医療保険部会 第152回"),
        "{text}"
    );
}

#[test]
fn rules_list_show_diff_and_sources() {
    let list = onshi(&["rules", "list"], "");
    let list = String::from_utf8_lossy(&list.stdout);
    for id in [
        "2020-11-30",
        "2022-08-10 ",
        "2023-04-01",
        "extends 2022-08-10",
        "default: 2023-04-01",
    ] {
        assert!(list.contains(id), "{id}: {list}");
    }
    let show = onshi(&["rules", "show", "2023-04-01"], "");
    let show = String::from_utf8_lossy(&show.stdout);
    // The application deadline's history: 2023-06-30 from 2020-11-30, then 2023-09-30.
    let at = show
        .find("deadlines.application_filed_by = \"2023-09-30\"")
        .expect("the key");
    let block: String = show[at..].lines().take(3).collect::<Vec<_>>().join("\n");
    assert!(
        block.contains("\"2023-06-30\" from 2020-11-30 (2020-11-30)"),
        "{block}"
    );
    assert!(
        block.contains("\"2023-09-30\" from 2023-04-01 (2023-04-01)"),
        "{block}"
    );
    let diff = onshi(&["rules", "diff", "2020-11-30", "2023-04-01"], "");
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.contains("deadlines.application_filed_by: \"2023-06-30\" → \"2023-09-30\""),
        "{diff}"
    );
    assert!(
        diff.contains("special_window_2022.contracted_by: (absent) → \"2023-02-28\""),
        "{diff}"
    );
    assert!(diff.contains("10 parameters differ"), "{diff}");
    let sources = onshi(&["rules", "sources"], "");
    let sources = String::from_utf8_lossy(&sources.stdout);
    assert!(
        sources.contains("保連発1130第1号")
            && sources.contains("https://www.mhlw.go.jp/stf/newpage_27429.html"),
        "{sources}"
    );
}
