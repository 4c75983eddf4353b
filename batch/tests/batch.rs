//! `onshi batch` and `onshi gen` end to end, as an analyst runs them.

use onshi_core::input::{InstitutionInput, LineItemInput, Scalar};
use onshi_core::parse::parse_institution_code;
use onshi_core::{AssessOptions, Institution, RuleSet, assess};
use polars::prelude::{ParquetReader, SerReader};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn onshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .output()
        .expect("onshi runs")
}

/// `onshi gen` of `count` dirty rows with `seed`, into `inst` and `items`, plus `extra`.
fn generate(inst: &Path, items: &Path, count: &str, seed: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "gen",
        "--count",
        count,
        "--seed",
        seed,
        "--out",
        inst.to_str().unwrap(),
        "--line-items",
        items.to_str().unwrap(),
        "--dirty",
    ];
    args.extend_from_slice(extra);
    onshi(&args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

fn scenario() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/special-deadline-2021-09-30.toml")
        .display()
        .to_string()
}

/// Reads a CSV written by the batch: header and rows as maps.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn s(row: &HashMap<String, String>, k: &str) -> String {
    row.get(k)
        .cloned()
        .unwrap_or_else(|| panic!("no column {k}"))
}

fn p(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn golden_cp932_file_with_japanese_headers_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = onshi(&[
        "batch",
        "--institutions",
        &data("golden-cp932.csv"),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&o.stdout);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("20 rows in = 8 computed + 12 rejected"),
        "{stdout}"
    );
    assert_eq!(
        stderr.matches("ignored columns: 備考").count(),
        1,
        "{stderr}"
    );

    // line, code, category, regime, grant, audit — worked out by hand from docs/rules.md.
    let expected = [
        (2, "1310100019", "hospital", "special", "1903000", ""),
        (
            3,
            "0110113719",
            "clinic_or_pharmacy",
            "special",
            "279000",
            "",
        ),
        (
            4,
            "1330100031",
            "clinic_or_pharmacy",
            "special",
            "429000",
            "under_claim",
        ),
        (
            5,
            "1340100047",
            "large_chain_pharmacy",
            "standard",
            "150000",
            "over_claim;special_without_application",
        ),
        (
            6,
            "1340100054",
            "clinic_or_pharmacy",
            "ineligible",
            "0",
            "over_claim;project_deadline_passed",
        ),
        (8, "2710100062", "clinic_or_pharmacy", "ineligible", "0", ""),
        (9, "2710100088", "hospital", "special", "1500000", ""),
        (
            10,
            "0110112489",
            "clinic_or_pharmacy",
            "standard",
            "209000",
            "",
        ),
    ];
    let grants = read_csv(&p(&out, "grants.csv"));
    let got: Vec<(u64, String, String, String, String, String)> = grants
        .iter()
        .map(|r| {
            (
                s(r, "line").parse().unwrap(),
                s(r, "institution_code"),
                s(r, "category"),
                s(r, "regime"),
                s(r, "grant"),
                s(r, "audit"),
            )
        })
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(l, c, cat, reg, g, a)| {
            (
                *l,
                c.to_string(),
                cat.to_string(),
                reg.to_string(),
                g.to_string(),
                a.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // Surface forms were read, not guessed: the quoted name with a comma and quotes, the
    // two-line name, the full-width count and claim, 和暦 and R/令 dates.
    assert_eq!(
        s(&grants[1], "name"),
        "医療法人社団 \"さくら\"会, さくら医院"
    );
    assert_eq!(s(&grants[1], "claimed"), "279000");
    assert_eq!(s(&grants[1], "readers_applied"), "1");
    assert_eq!(s(&grants[4], "name"), "ひかり薬局\n駅前店");
    assert_eq!(s(&grants[2], "standard_grant"), "321000");
    assert_eq!(s(&grants[2], "special_grant"), "429000");
    // The standard regime is claimed on the ordinary form, not a 別紙特例様式.
    assert!(!s(&grants[3], "form").contains("特例"), "{:?}", grants[3]);
    assert_eq!(s(&grants[6], "estimate"), "true");
    assert_eq!(s(&grants[0], "form"), "別紙特例様式3");
    assert_eq!(s(&grants[0], "prefecture"), "13");

    // line, column as written, reason code.
    let expected_rejects = [
        (11, "医療機関等コード", "bad_check_digit"),
        (12, "医療機関等コード", "kind_mismatch"),
        (13, "医療機関等コード", "duplicate_code"),
        (14, "種別", "unknown_kind"),
        (15, "カードリーダー申込台数", "missing"),
        (16, "事業完了日", "impossible_date"),
        (17, "総事業費", "bad_amount"),
        (18, "総事業費", "negative_amount"),
        (19, "総事業費", "absurd_amount"),
        (20, "医療機関等コード", "bad_prefecture"),
        (21, "医療機関等コード", "missing"),
        (22, "カードリーダー申込台数", "bad_count"),
    ];
    let rejects = read_csv(&p(&out, "rejects.csv"));
    let got: Vec<(u64, String, String)> = rejects
        .iter()
        .map(|r| (s(r, "line").parse().unwrap(), s(r, "column"), s(r, "code")))
        .collect();
    let want: Vec<_> = expected_rejects
        .iter()
        .map(|(l, c, k)| (*l, c.to_string(), k.to_string()))
        .collect();
    assert_eq!(got, want);
    for r in &rejects {
        assert!(s(r, "file").ends_with("golden-cp932.csv"));
        assert!(!s(r, "reason").is_empty() && !s(r, "reason_en").is_empty());
        assert!(!s(r, "record").is_empty());
    }
    let dup = &rejects[2];
    assert_eq!(s(dup, "value"), "13-1010001-9");
    assert!(s(dup, "reason_en").contains("line 2"), "{dup:?}");
    // A value that a spreadsheet would read as a formula is written with a leading '.
    assert_eq!(s(&rejects[7], "value"), "'-1,000");
    assert!(s(&rejects[11], "record").contains("台数誤り医院"));

    // Audit: one row per finding, each with the deciding trace step and its citation.
    let audit = read_csv(&p(&out, "audit.csv"));
    let got: Vec<(String, String, String)> = audit
        .iter()
        .map(|r| (s(r, "line"), s(r, "finding"), s(r, "step")))
        .collect();
    let want: Vec<(String, String, String)> = [
        ("4", "under_claim", "regime"),
        ("5", "over_claim", "regime"),
        ("5", "special_without_application", "special_eligibility"),
        ("6", "over_claim", "regime"),
        ("6", "project_deadline_passed", "project_deadline"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(s(&audit[0], "difference"), "-108000");
    assert!(
        s(&audit[2], "trace").contains("2021-04-01 > 2021-03-31"),
        "{:?}",
        audit[2]
    );
    assert!(s(&audit[2], "citation").contains("附則第1"));
    assert!(s(&audit[4], "trace_en").contains("2023-04-01 > deadline 2023-03-31"));
    // The over-claim of a late project: the regime step says why nothing is paid.
    assert_eq!(s(&audit[3], "parameter"), "deadlines.project_completed_by");
    assert!(s(&audit[3], "trace_en").contains("not eligible: completed 2023-04-01"));

    // Summary: national total of the eight computed rows; standard alone and the difference.
    let summary = read_csv(&p(&out, "summary.csv"));
    let all = summary.iter().find(|r| s(r, "category") == "all").unwrap();
    assert_eq!(s(all, "institutions"), "8");
    assert_eq!(s(all, "grant"), "4470000");
    // Standard alone: 951,000 + 209,000 + 321,000 + 150,000 + 0 + 0 + 750,000 + 209,000.
    assert_eq!(s(all, "standard_only"), "2590000");
    assert_eq!(s(all, "special_measure_cost"), "1880000");
    // By measure: the file has no contract or operation dates, so the 2022 measures pay
    // nothing, and the measures' grants add up to the total.
    assert_eq!(s(all, "grant_by_special_2022"), "0");
    assert_eq!(s(all, "grant_by_difference_2022"), "0");
    let by: i64 = [
        "standard",
        "special_2020",
        "special_2022",
        "difference_2022",
    ]
    .iter()
    .map(|m| s(all, &format!("grant_by_{m}")).parse::<i64>().unwrap())
    .sum();
    assert_eq!(by, 4_470_000);
    let tokyo_hosp = summary
        .iter()
        .find(|r| s(r, "prefecture") == "13" && s(r, "category") == "hospital")
        .unwrap();
    assert_eq!(s(tokyo_hosp, "prefecture_name"), "東京都");
    assert_eq!(s(tokyo_hosp, "grant"), "1903000");

    // Parquet holds the same rows.
    let file = std::fs::File::open(p(&out, "grants.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    assert_eq!(df.height(), 8);

    // The report stands alone: no script, no external file; charts are inline SVG.
    let html = std::fs::read_to_string(p(&out, "report.html")).unwrap();
    // The SVG namespace is a name, not a fetch; a link to a source document is followed only
    // on a click.
    let mut checked = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    while let Some(start) = checked.find("<a href=\"https://") {
        let end = start + checked[start..].find("</a>").unwrap() + "</a>".len();
        checked.replace_range(start..end, "");
    }
    for bad in [
        "<script", " src=", "<link", "@import", "url(", "http://", "https://",
    ] {
        assert!(!checked.contains(bad), "report contains {bad}");
    }
    assert!(html.matches("<svg").count() >= 4);
    assert!(html.contains("4,470,000円"));
    assert!(html.contains("2023-04-01"));
}

/// The report's head says what run it is: the day (ISO and 和暦; `SOURCE_DATE_EPOCH` fixes it),
/// the program, the rules, the rows with separators, links to the files beside it, and the
/// definitions; the national amounts carry their size in 億円.
#[test]
fn the_report_says_what_run_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args([
            "batch",
            "--institutions",
            &data("golden-cp932.csv"),
            "--out",
        ])
        .arg(&out)
        .args(["--outputs", "grants,audit,report"])
        // 2025-12-04 00:00 UTC, 09:00 in Japan.
        .env("SOURCE_DATE_EPOCH", "1764806400")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for want in [
        "<dd>2025-12-04（令和7年12月4日）</dd>",
        concat!("<dd>onshi ", env!("CARGO_PKG_VERSION"), "</dd>"),
        "2023-04-01（令和5年4月1日） から",
        "20 行 = 計算 8 + 除外 12",
        "<a href=\"grants.csv\">grants.csv</a>、<a href=\"rejects.csv\">rejects.csv</a>、<a href=\"audit.csv\">audit.csv</a></dd>",
        "用語と計算の方法",
        "指摘ごとの金額差は重なります",
    ] {
        assert!(html.contains(want), "the report lacks {want}");
    }
    assert!(
        !html.contains("href=\"summary.xlsx\""),
        "a file not written is not linked"
    );
}

/// The report's rejects by reason are rejects.csv counted by file and reason; its over- and
/// under-claims and their net are audit.csv's differences added up; a scenario is headed by
/// its rule file's title, not its id.
#[test]
fn the_report_counts_rejects_and_nets_the_claims_as_the_files_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        generate(&d.join("in.csv"), &d.join("items.csv"), "3000", "11", &[])
            .status
            .success()
    );
    let out = run_to(d, "x", &["--compare", &scenario()]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let mut by_reason = std::collections::BTreeMap::<(String, String), u64>::new();
    for r in read_csv(&out.join("rejects.csv")) {
        *by_reason.entry((s(&r, "file"), s(&r, "code"))).or_default() += 1;
    }
    assert!(by_reason.len() > 5, "{by_reason:?}");
    let grouped = |v: i64| onshi_core::Yen::new(v).grouped();
    for ((file, code), n) in &by_reason {
        let row = html
            .split(&format!("<tr><td>{file}</td><td>{code}</td>"))
            .nth(1)
            .unwrap_or_else(|| panic!("no row for {file} {code}"));
        let row = row.split("</tr>").next().unwrap();
        let n = grouped(i64::try_from(*n).unwrap());
        assert!(
            row.ends_with(&format!("<td class=\"n\">{n}</td>")),
            "{file} {code}: {row}"
        );
    }
    let audit = read_csv(&out.join("audit.csv"));
    let sum = |finding: &str| -> i64 {
        audit
            .iter()
            .filter(|r| s(r, "finding") == finding)
            .map(|r| s(r, "difference").parse::<i64>().unwrap().abs())
            .sum()
    };
    let (over, under) = (sum("over_claim"), sum("under_claim"));
    assert!(over > 0 && under > 0, "{over} {under}");
    for (label, v) in [
        ("過大申請の計", over),
        ("過少申請の計", under),
        ("差引（過大 − 過少）", over - under),
    ] {
        let row = html
            .split(label)
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap();
        assert!(row.contains(&format!("{}円", grouped(v))), "{label}: {row}");
    }
    assert!(html.contains(
        "<h2>シナリオ：特例補助の提供申請期限を令和3年9月30日に延長した場合（2020-11-30 規則を基に）"
    ));
    assert!(!html.contains("<h2>scenario-special-deadline"));
}

/// A reform of the built-in rules, written in the test: the clinic standard rate halved.
const HALF_RATE: &str = r#"
[rule_set]
id = "clinic-rate-half"
extends = "2020-11-30"
effective_from = "2020-11-30"
title = "試算：診療所の補助率 1/2"
title_en = "Trial: clinic rate 1/2"

[categories.clinic_or_pharmacy]
standard_rate = { value = "1/2", effective_from = "2020-11-30", citation = "試算", citation_en = "trial" }
"#;

fn batch_to(out: &Path, extra: &[&str]) -> Output {
    let inst = data("golden-cp932.csv");
    let mut args = vec!["batch", "--institutions", inst.as_str()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", out.to_str().unwrap()]);
    onshi(&args)
}

#[test]
fn compare_adds_each_scenario_grant_and_its_budget_impact() {
    let dir = tempfile::tempdir().unwrap();
    let half = dir.path().join("half.toml");
    std::fs::write(&half, HALF_RATE).unwrap();
    let out = dir.path().join("out");
    let scenario = scenario();
    let o = batch_to(
        &out,
        &["--compare", &scenario, "--compare", half.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let grants = read_csv(&p(&out, "grants.csv"));
    let by_line = |l: &str| grants.iter().find(|r| s(r, "line") == l).unwrap();
    let id = "scenario-special-deadline-2021-09-30";
    let col = |w: &str| format!("{w}_{id}");
    // Reader applied on 2021-04-01: standard today, special if the deadline were 2021-09-30.
    assert_eq!(s(by_line("5"), &col("grant")), "300000");
    assert_eq!(s(by_line("5"), &col("difference")), "150000");
    assert_eq!(s(by_line("10"), &col("grant")), "279000");
    assert_eq!(s(by_line("10"), &col("difference")), "70000");
    assert_eq!(s(by_line("2"), &col("difference")), "0");
    // Line 10 (a clinic under the standard regime, 279,950円): 3/4 → 209,000; 1/2 → 139,000.
    assert_eq!(s(by_line("10"), "grant"), "209000");
    assert_eq!(s(by_line("10"), "grant_clinic-rate-half"), "139000");
    assert_eq!(s(by_line("10"), "difference_clinic-rate-half"), "-70000");
    let summary = read_csv(&p(&out, "summary.csv"));
    let all = summary.iter().find(|r| s(r, "category") == "all").unwrap();
    assert_eq!(s(all, &col("difference")), "220000");
    assert_eq!(
        (
            s(all, &col("gain")),
            s(all, &col("lose")),
            s(all, &col("same"))
        ),
        ("2".into(), "0".into(), "6".into())
    );
    assert!(s(all, "difference_clinic-rate-half").starts_with('-'));
    let html = std::fs::read_to_string(p(&out, "report.html")).unwrap();
    assert!(html.contains(id) && html.contains("clinic-rate-half"));
    assert!(html.contains("220,000円"));
    // Two scenarios with one id would write clashing columns: refused before anything runs.
    let o = batch_to(
        &dir.path().join("dup"),
        &["--compare", &scenario, "--compare", &scenario],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains(id), "{}", text(&o.stderr));
}

#[test]
fn the_example_reform_reproduces_the_whole_scenario_file() {
    let overlay = std::fs::read_to_string(scenario()).unwrap();
    let content = overlay
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    assert!(
        content.count() <= 10,
        "the example is meant to be a short reform"
    );
    // The same scenario written as a whole rule file: the built-in one with the date changed.
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/rules/2020-11-30.toml"),
    )
    .unwrap();
    let line = |t: &str, k: &str| t.lines().find(|l| l.starts_with(k)).unwrap().to_owned();
    let whole = base
        .replacen(
            &line(&base, "reader_applied_by"),
            &line(&base, "reader_applied_by").replacen("2021-03-31", "2021-09-30", 1),
            1,
        )
        .replacen(&line(&base, "id ="), &line(&overlay, "id ="), 1)
        .replacen(&line(&base, "title ="), &line(&overlay, "title ="), 1)
        .replacen(&line(&base, "title_en ="), &line(&overlay, "title_en ="), 1);
    let dir = tempfile::tempdir().unwrap();
    let whole_path = dir.path().join("whole.toml");
    std::fs::write(&whole_path, whole).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    batch_to(&a, &["--compare", whole_path.to_str().unwrap()]);
    batch_to(&b, &["--compare", &scenario()]);
    for f in ["grants.csv", "summary.csv", "rejects.csv"] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs");
    }
    // Inherited values cite the base; the changed one cites the reform and names it.
    let rules = RuleSet::from_toml_str(&overlay, "scenario").unwrap();
    let by = onshi_core::rules::ParamId::SpecialReaderAppliedBy;
    assert_eq!(rules.set_by(by), "scenario-special-deadline-2021-09-30");
    assert!(rules.cite(by).citation.starts_with("シナリオ"));
    assert_eq!(
        rules.set_by(onshi_core::rules::ParamId::ClinicCaps),
        "2020-11-30"
    );
}

/// One generated institution row, by canonical column.
fn input_of(row: &HashMap<String, String>, items: Option<&Vec<LineItemInput>>) -> InstitutionInput {
    let t = |k: &str| {
        row.get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    InstitutionInput {
        institution_code: t("institution_code"),
        name: t("name"),
        kind: t("kind"),
        group_rx_per_month: t("group_rx_per_month").map(Scalar::Text),
        readers: t("readers").map(Scalar::Text),
        reader_applied_on: t("reader_applied_on"),
        completed_on: t("completed_on"),
        applied_on: t("applied_on"),
        disposed_on: None,
        contracted_on: t("contracted_on"),
        operation_started_on: t("operation_started_on"),
        deferral: t("deferral").map(Scalar::Text),
        total_cost: if items.is_some() {
            None
        } else {
            t("total_cost").map(Scalar::Text)
        },
        line_items: items.cloned(),
        claimed: t("claimed").map(Scalar::Text),
    }
}

#[test]
fn a_national_file_agrees_with_the_single_case_path_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("national.csv");
    let items = dir.path().join("items.csv");
    let out = dir.path().join("out");
    let g = generate(&inst, &items, "228000", "3", &[]);
    assert!(g.status.success(), "{}", text(&g.stderr));
    let o = onshi(&[
        "batch",
        "--institutions",
        inst.to_str().unwrap(),
        "--line-items",
        items.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    let grants = read_csv(&p(&out, "grants.csv"));
    let rejects = read_csv(&p(&out, "rejects.csv"));
    let inst_rejects: Vec<_> = rejects
        .iter()
        .filter(|r| s(r, "file").ends_with("national.csv"))
        .collect();
    assert!(
        stdout.contains(&format!(
            "228000 rows in = {} computed + {} rejected",
            grants.len(),
            inst_rejects.len()
        )),
        "{stdout}"
    );
    assert_eq!(grants.len() + inst_rejects.len(), 228_000);
    // Every reject reason of the dirty share shows up.
    for code in [
        "bad_check_digit",
        "kind_mismatch",
        "duplicate_code",
        "unknown_kind",
        "missing",
        "impossible_date",
        "negative_amount",
        "absurd_amount",
        "bad_amount",
        "bad_prefecture",
        "bad_count",
    ] {
        assert!(
            rejects.iter().any(|r| s(r, "code") == code),
            "no {code} reject"
        );
    }

    // Read the inputs independently and assess each computed row the way `onshi assess` does.
    let rules = RuleSet::latest();
    // LF line ends for the csv crate, which miscounts lines after CRLF (the batch handles it
    // itself; the test counts lines its own way).
    let content = std::fs::read_to_string(&inst)
        .unwrap()
        .replace("\r\n", "\n");
    let mut reader = csv::Reader::from_reader(content.as_bytes());
    let header = reader.headers().unwrap().clone();
    let mut by_line: HashMap<u64, HashMap<String, String>> = HashMap::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let line = rec.position().unwrap().line();
        by_line.insert(
            line,
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect(),
        );
    }
    let mut item_map: HashMap<String, Vec<LineItemInput>> = HashMap::new();
    for row in read_csv(&items) {
        let Ok(code) = parse_institution_code(&s(&row, "institution_code"), None, &rules) else {
            continue;
        };
        item_map
            .entry(code.to_string())
            .or_default()
            .push(LineItemInput {
                category: s(&row, "category"),
                amount: Scalar::Text(s(&row, "amount")),
                tax_included: Scalar::Text(s(&row, "tax_included")),
                description: None,
            });
    }
    // Lines of input (physical, counted by the test's own reader) are each in exactly one file.
    let mut lines: Vec<u64> = grants
        .iter()
        .map(|r| s(r, "line"))
        .chain(inst_rejects.iter().map(|r| s(r, "line")))
        .map(|l| l.parse().unwrap())
        .collect();
    lines.sort_unstable();
    let mut input_lines: Vec<u64> = by_line.keys().copied().collect();
    input_lines.sort_unstable();
    assert_eq!(lines.len(), input_lines.len());
    if let Some(i) = (0..lines.len()).find(|&i| lines[i] != input_lines[i]) {
        panic!(
            "line {} of the input is not in grants or rejects",
            input_lines[i]
        );
    }

    let mut samples = Vec::new();
    let mut measures = std::collections::BTreeSet::new();
    for (i, g) in grants.iter().enumerate() {
        let line: u64 = s(g, "line").parse().unwrap();
        let row = &by_line[&line];
        let code = s(g, "institution_code");
        let input = input_of(row, item_map.get(&code));
        let inst =
            Institution::from_input(&input, &rules).unwrap_or_else(|e| panic!("line {line}: {e}"));
        let a = assess(&rules, &inst, AssessOptions::default());
        let opt = |y: Option<onshi_core::Yen>| y.map(|y| y.whole().to_string()).unwrap_or_default();
        assert_eq!(
            (
                s(g, "category"),
                s(g, "regime"),
                s(g, "measure"),
                s(g, "grant"),
                s(g, "cap"),
                s(g, "eligible_cost"),
                s(g, "standard_grant"),
                s(g, "special_grant"),
                s(g, "self_pay"),
                s(g, "claimed"),
            ),
            (
                a.category.id().to_owned(),
                a.regime.id().to_owned(),
                a.measure.map_or(String::new(), |m| m.id().to_owned()),
                a.grant.whole().to_string(),
                a.cap.whole().to_string(),
                a.eligible_cost.whole().to_string(),
                a.standard_grant.whole().to_string(),
                opt(a.special_grant),
                a.self_pay.whole().to_string(),
                opt(a.claimed),
            ),
            "line {line}"
        );
        if i % 7_500 == 0 {
            samples.push((input, g.clone()));
        }
        measures.insert(s(g, "measure"));
    }
    // The generated country exercises every measure of the revisions.
    for m in [
        "standard",
        "special_2020",
        "special_2022",
        "difference_2022",
    ] {
        assert!(
            measures.contains(m),
            "no institution paid by {m}: {measures:?}"
        );
    }
    // And a sample through the `onshi assess` command itself.
    for (input, g) in samples {
        let json = serde_json::to_string(&input).unwrap();
        let f = dir.path().join("one.json");
        std::fs::write(&f, json).unwrap();
        let o = onshi(&["assess", f.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["grant"].to_string(), s(&g, "grant"));
        assert_eq!(v["regime"].as_str().unwrap(), s(&g, "regime"));
        assert_eq!(v["eligible_cost"].to_string(), s(&g, "eligible_cost"));
    }
    // Line items: every row used or rejected.
    let item_rows = read_csv(&items).len();
    let item_rejects = rejects
        .iter()
        .filter(|r| s(r, "file").ends_with("items.csv"))
        .count();
    let used: usize = stdout
        .lines()
        .find(|l| l.contains("line items in"))
        .and_then(|l| l.split(" = ").nth(1))
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(used + item_rejects, item_rows, "{stdout}");
}

/// A report's bytes without its line of links to the files beside it (other files as they are).
fn beside_unlinked(bytes: Vec<u8>) -> Vec<u8> {
    const LINE: &str = "<dt>同じフォルダのファイル";
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        return bytes;
    };
    match text.find(LINE) {
        Some(start) => {
            let end = start + text[start..].find("</dd>").unwrap_or(0);
            format!("{}{}", &text[..start], &text[end..]).into_bytes()
        }
        None => bytes,
    }
}

fn run_to(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec![
        "batch".to_owned(),
        "--institutions".to_owned(),
        dir.join("in.csv").display().to_string(),
        "--line-items".to_owned(),
        dir.join("items.csv").display().to_string(),
        "--out".to_owned(),
        out.display().to_string(),
        // Small chunks: many batches, so order across chunks is exercised too.
        "--chunk-rows".to_owned(),
        "997".to_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = onshi(&refs);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    out
}

#[test]
fn the_same_bytes_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cp932 = ["--encoding", "cp932", "--japanese-headers"];
    let g = generate(
        &d.join("in.csv"),
        &d.join("items.csv"),
        "20000",
        "11",
        &cp932,
    );
    assert!(g.status.success(), "{}", text(&g.stderr));
    let one = run_to(d, "one", &["--threads", "1", "--compare", &scenario()]);
    let two = run_to(d, "two", &["--threads", "2", "--compare", &scenario()]);
    // Joined on disk (as inputs above --spill-above are): the same bytes.
    let spill = [
        "--spill-above",
        "0",
        "--spill-partitions",
        "5",
        "--compare",
        &scenario(),
    ];
    let disk = run_to(d, "disk", &spill);
    for f in [
        "grants.csv",
        "grants.parquet",
        "rejects.csv",
        "summary.csv",
        "audit.csv",
        "report.html",
        "summary.xlsx",
    ] {
        let a = std::fs::read(one.join(f)).unwrap();
        let b = std::fs::read(two.join(f)).unwrap();
        assert!(a == b, "{f} differs between --threads 1 and 2");
        assert!(!a.is_empty());
        let c = std::fs::read(disk.join(f)).unwrap();
        assert!(a == c, "{f} differs when joined on disk");
    }
    // A chosen subset is byte for byte what the whole run wrote; rejects.csv always comes.
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    for (outputs, files) in [
        ("grants", &["grants.csv"][..]),
        ("summary,audit", &["summary.csv", "audit.csv"]),
        ("parquet,report", &["grants.parquet", "report.html"]),
        ("xlsx", &["summary.xlsx"]),
    ] {
        // Into `one`, which holds a whole set: the outputs not chosen go with that set.
        let out = run_to(d, "one", &["--compare", &scenario(), "--outputs", outputs]);
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".onshi.lock")
            .collect();
        names.sort();
        let mut want: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        want.push("rejects.csv".into());
        want.sort();
        assert_eq!(names, want, "--outputs {outputs}");
        for f in files.iter().chain(&["rejects.csv"]) {
            // The report links the files beside it: the subset's, by design.
            let (a, b) = (
                beside_unlinked(read(&out, f)),
                beside_unlinked(read(&two, f)),
            );
            assert!(a == b, "--outputs {outputs}: {f} differs");
        }
    }
    let o = onshi(&[
        "batch",
        "--institutions",
        "x",
        "--out",
        "y",
        "--outputs",
        "xlsx",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // The generator is deterministic too.
    let again = d.join("again.csv");
    generate(&again, &d.join("again-items.csv"), "20000", "11", &cp932);
    assert!(std::fs::read(&again).unwrap() == std::fs::read(d.join("in.csv")).unwrap());
}

#[test]
fn line_items_replace_the_total_and_bad_ones_reject_their_institution() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("in.csv"),
        "institution_code,kind,readers,reader_applied_on,total_cost\n\
         1310100019,clinic,1,2021-02-01,999\n\
         1310100027,clinic,1,2021-02-01,\n\
         0110113719,clinic,1,2021-02-01,279950\n",
    )
    .unwrap();
    std::fs::write(
        d.join("items.csv"),
        "医療機関等コード,区分,金額,税込\n\
         1310100019,network,\"58,300\",税込\n\
         1310100019,terminal,90000,税抜\n\
         1310100019,recurring,2200,税込\n\
         1310100027,network,abc,税込\n\
         1310100027,terminal,99000,税込\n\
         3410712362,terminal,99000,税込\n",
    )
    .unwrap();
    let out = run_to(d, "out", &[]);
    let grants = read_csv(&out.join("grants.csv"));
    assert_eq!(grants.len(), 2);
    // 58,300 + 90,000 × 1.1 = 157,300 eligible; the monthly fee is not.
    assert_eq!(s(&grants[0], "eligible_cost"), "157300");
    assert_eq!(s(&grants[0], "ineligible_cost"), "2200");
    assert_eq!(s(&grants[0], "grant"), "157000");
    assert_eq!(s(&grants[1], "grant"), "279000");
    let rejects = read_csv(&out.join("rejects.csv"));
    let got: Vec<(String, String, String)> = rejects
        .iter()
        .map(|r| {
            let f = s(r, "file");
            let f = f.rsplit('/').next().unwrap().to_owned();
            (f, s(r, "line"), s(r, "code"))
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("in.csv", "3", "line_item_rejected"),
        ("items.csv", "5", "bad_amount"),
        ("items.csv", "6", "institution_rejected"),
        ("items.csv", "7", "no_institution"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
}

/// Repeated codes and line items joined on disk give the bytes of the run in memory, across
/// chunk boundaries: a duplicate gets the items too, the first row accounts for them (used, or
/// rejected with it), items of no institution and bad items are rejected in line order.
#[test]
fn joined_on_disk_or_in_memory_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("in.csv"),
        format!(
            "{HEADER}\r\n\
             1310100019,\"A\r\nB\",clinic,,1,2021-02-01,,,999,\r\n\
             \r\n\
             1310100027,C,clinic,,1,2021-02-01,,,,\r\n\
             0110113719,D,clinic,,x,2021-02-01,,,,\r\n\
             1310100019,E,clinic,,1,2021-02-01,,,5000,\r\n\
             0110113719,F,clinic,,1,2021-02-01,,,,\r\n\
             3410712362,G,pharmacy,,1,2021-02-01,,,100000,\r\n\
             bad,H,clinic,,1,2021-02-01,,,1,\r\n\
             3410712362,I,pharmacy,,1,2021-02-01,,,100000,\r\n"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("items.csv"),
        "institution_code,category,amount,tax_included\n\
         1310100019,network,58300,true\n\
         0110113719,terminal,99000,true\n\
         1310100027,network,abc,true\n\
         9999999999,terminal,1,true\n\
         1310100019,terminal,90000,false\n\
         1310100027,terminal,99000,true\n\
         0110113719,line,1000,true\n\
         1310100035,terminal,99000,true\n",
    )
    .unwrap();
    let files = ["grants.csv", "rejects.csv", "audit.csv", "summary.csv"];
    let mut runs = Vec::new();
    // On disk in 1 and in 7 partitions (a file this small would have 1).
    for (name, spill, parts) in [
        ("mem", "1000000000", "1"),
        ("disk", "0", "1"),
        ("disk7", "0", "7"),
    ] {
        for chunk in ["1", "3", "1000"] {
            let out = d.join(format!("{name}-{chunk}"));
            let o = onshi(&[
                "batch",
                "--institutions",
                d.join("in.csv").to_str().unwrap(),
                "--line-items",
                d.join("items.csv").to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--chunk-rows",
                chunk,
                "--spill-above",
                spill,
                "--spill-partitions",
                parts,
            ]);
            assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
            let names: Vec<String> = std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.') && n != ".onshi.lock")
                .collect();
            assert!(names.is_empty(), "scratch left behind: {names:?}");
            let bytes: Vec<Vec<u8>> = files
                .iter()
                .map(|f| std::fs::read(out.join(f)).unwrap())
                .collect();
            runs.push((
                format!("{name} --chunk-rows {chunk}"),
                bytes,
                text(&o.stdout),
            ));
        }
    }
    for (what, bytes, stdout) in &runs[1..] {
        for (f, (a, b)) in files.iter().zip(runs[0].1.iter().zip(bytes)) {
            assert!(a == b, "{f} differs: {what} against {}", runs[0].0);
        }
        let counts = |o: &str| o.lines().take(2).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(counts(stdout), counts(&runs[0].2), "{what}");
    }
    // What the runs say, checked by hand. Lines 2–3 hold one record, line 4 is blank; 7, 8
    // and 11 repeat the codes of 2, 6 and 9. 1310100027 (line 5) has a bad item; the first
    // rows of 0110113719 (6) and of 3410712362 (9, a medical code on a pharmacy) are
    // rejected, and the items of the first go with it.
    let rejects = read_csv(&d.join("mem-1").join("rejects.csv"));
    let got: Vec<(String, String)> = rejects
        .iter()
        .map(|r| {
            let file = s(r, "file");
            let file = file.rsplit('/').next().unwrap().to_owned();
            (format!("{file}:{}", s(r, "line")), s(r, "code"))
        })
        .collect();
    let want = [
        ("in.csv:5", "line_item_rejected"),
        ("in.csv:6", "bad_count"),
        ("in.csv:7", "duplicate_code"),
        ("in.csv:8", "duplicate_code"),
        ("in.csv:9", "kind_mismatch"),
        ("in.csv:10", "bad_code_character"),
        ("in.csv:11", "duplicate_code"),
        ("items.csv:3", "institution_rejected"),
        ("items.csv:4", "bad_amount"),
        ("items.csv:5", "bad_prefecture"),
        ("items.csv:7", "institution_rejected"),
        ("items.csv:8", "institution_rejected"),
        ("items.csv:9", "no_institution"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn failures_write_nothing_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out");
    let outs = out.to_str().unwrap();
    let run = |input: &Path| {
        onshi(&[
            "batch",
            "--institutions",
            input.to_str().unwrap(),
            "--out",
            outs,
        ])
    };

    let o = run(&d.join("missing.csv"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("cannot open"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stderr).contains("caused by"), "{}", text(&o.stderr));

    let bin = d.join("binary.csv");
    std::fs::write(&bin, [0x80u8, 0xFF, 0xFE, 0x00, 0x81, 0x20].repeat(10)).unwrap();
    let o = run(&bin);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("neither UTF-8 nor CP932"),
        "{}",
        text(&o.stderr)
    );

    let no_kind = d.join("no-kind.csv");
    std::fs::write(
        &no_kind,
        "institution_code,readers,total_cost\n1310100019,1,1\n",
    )
    .unwrap();
    let o = run(&no_kind);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("kind (種別)"),
        "{}",
        text(&o.stderr)
    );

    // A bad byte far past the part used for detection: found while reading, nothing kept.
    let late = d.join("late.csv");
    let mut bytes = b"institution_code,kind,readers,total_cost\n".to_vec();
    for _ in 0..5_000 {
        bytes.extend_from_slice(b"0110113719,clinic,1,279950\n");
    }
    bytes.extend_from_slice(b"0110113719,clinic,1,\xFF\n");
    std::fs::write(&late, &bytes).unwrap();
    let o = onshi(&[
        "batch",
        "--institutions",
        late.to_str().unwrap(),
        "--out",
        outs,
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("line 5002"), "{}", text(&o.stderr));
    assert!(!out.exists(), "a failed run left {}", out.display());

    // Never over an input file.
    let inputs = d.join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    let grants = inputs.join("grants.csv");
    std::fs::write(
        &grants,
        "institution_code,kind,readers,total_cost\n0110113719,clinic,1,279950\n",
    )
    .unwrap();
    let before = std::fs::read(&grants).unwrap();
    let o = onshi(&[
        "batch",
        "--institutions",
        grants.to_str().unwrap(),
        "--out",
        inputs.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("is an input"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read(&grants).unwrap(), before);
    assert_eq!(std::fs::read_dir(&inputs).unwrap().count(), 1);
}

#[test]
fn a_clean_file_exits_0_and_help_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("clean.csv");
    std::fs::write(
        &input,
        "\u{FEFF}institution_code,kind,readers,reader_applied_on,total_cost\n0110113719,clinic,1,R3.2.10,\"279,950円\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = onshi(&[
        "batch",
        "--institutions",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("1 rows in = 1 computed + 0 rejected"));
    // Silent on stderr when it is not a terminal (no progress bar, no extra columns).
    assert_eq!(text(&o.stderr), "");
    let grants = read_csv(&out.join("grants.csv"));
    assert_eq!(s(&grants[0], "grant"), "279000");
    for cmd in ["batch", "gen"] {
        let h = onshi(&[cmd, "--help"]);
        assert!(h.status.success());
        assert!(text(&h.stdout).contains("Examples:"));
    }
}

/// The benchmarks' compute stage (`batch::stage`) holds every input row, in the batch's chunks,
/// and computes the same rows whatever the thread count: those the batch writes to
/// `grants.csv`, and the later duplicates of a code, which the batch rejects after the stage.
#[test]
fn the_benchmarks_compute_stage_computes_what_the_batch_does() {
    use onshi_batch::batch::stage::ComputeStage;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let g = generate(&d.join("in.csv"), &d.join("items.csv"), "40000", "5", &[]);
    assert!(g.status.success(), "{}", text(&g.stderr));
    let out = d.join("out");
    let o = onshi(&[
        "batch",
        "--institutions",
        d.join("in.csv").to_str().unwrap(),
        "--line-items",
        d.join("items.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let grants = read_csv(&out.join("grants.csv")).len();
    let rejects = read_csv(&out.join("rejects.csv"));
    let duplicates = rejects
        .iter()
        .filter(|r| r.values().any(|v| v == "duplicate_code"))
        .count();

    let stage = ComputeStage::load(&d.join("in.csv"), Some(&d.join("items.csv"))).unwrap();
    assert_eq!(stage.rows(), 40000, "every input row is in the stage");
    assert_eq!(stage.chunks(), 2, "32,768-row chunks, as in the batch");
    let computed = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        (0..stage.chunks())
            .map(|i| pool.install(|| stage.run_chunk(i)).rows())
            .sum::<usize>()
    };
    let one = computed(1);
    assert_eq!(one, computed(2));
    assert!(duplicates > 0, "the dirty file has duplicate codes");
    assert!(
        (grants..=grants + duplicates).contains(&one),
        "stage computed {one}; the batch wrote {grants} grants and rejected {duplicates} duplicates"
    );
    assert!(
        one > grants,
        "duplicates of valid rows are computed by the stage"
    );
}

/// Outputs are created as any new file is: 0666 less the umask (a shared drive's group can
/// read them), also when a rerun replaces files of another mode.
#[cfg(unix)]
#[test]
fn outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |umask: &str| {
        let script = format!("umask {umask}; exec \"$0\" batch --institutions \"$1\" --out \"$2\"");
        let o = Command::new("sh")
            .args([
                "-c",
                &script,
                env!("CARGO_BIN_EXE_onshi"),
                &data("golden-cp932.csv"),
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    };
    let modes = || -> Vec<u32> {
        let mut m: Vec<u32> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap())
            // The lock file is the directory's, made once; not an output.
            .filter(|e| e.file_name() != ".onshi.lock")
            .map(|e| e.metadata().unwrap().permissions().mode() & 0o777)
            .collect();
        m.dedup();
        m
    };
    run("022");
    assert_eq!(modes(), [0o644]);
    run("027");
    assert_eq!(modes(), [0o640]);
}

/// The header of the hand-written institution files below.
/// One computed clinic under [`HEADER`].
const CLINIC_ROW: &str = "0110113719,A,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n";

const HEADER: &str = "institution_code,name,kind,group_rx_per_month,readers,reader_applied_on,completed_on,applied_on,total_cost,claimed";

/// Writes `content` as `name` in `dir` and runs `onshi batch` on it into `out-<name>`.
fn batch_on(dir: &Path, name: &str, content: &str) -> (PathBuf, Output) {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    let out = dir.join(format!("out-{name}"));
    let inst = path.to_str().unwrap();
    let o = onshi(&[
        "batch",
        "--institutions",
        inst,
        "--out",
        out.to_str().unwrap(),
    ]);
    (out, o)
}

/// `279,950` unquoted makes a cell too many; the row is rejected, never computed as 279 yen,
/// and the line items file is held to the same rule.
#[test]
fn a_row_with_more_cells_than_its_header_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "3410712362,A,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279,950,\n\
                0110113719,B,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n";
    let (out, o) = batch_on(dir.path(), "x.csv", &format!("{HEADER}\n{rows}"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let rejects = read_csv(&p(&out, "rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(s(&rejects[0], "line"), "2");
    assert_eq!(s(&rejects[0], "code"), "extra_cells");
    assert_eq!(s(&rejects[0], "column"), "column 11");
    let grants = read_csv(&p(&out, "grants.csv"));
    assert_eq!(grants.len(), 1);
    assert_eq!(s(&grants[0], "institution_code"), "0110113719");
}

/// A quote that never closes would make every later line part of one value ("2 rows in" for
/// a thousand lines): the run stops with exit 2 naming the line where the quote opened.
#[test]
fn an_unclosed_quote_stops_the_run_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let row = "3410712362,A,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n";
    let bad = "0110113719,\"B,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n";
    let content = format!("{HEADER}\n{row}{bad}{}", row.repeat(1000));
    let (out, o) = batch_on(dir.path(), "q.csv", &content);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("q.csv")
            && err.contains("line 3: a quote (\") opens a value that never closes"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
}

/// `-` reads standard input, and a pipe needs no --encoding: the encoding is detected from
/// the first bytes without seeking back.
#[test]
fn standard_input_and_pipes_are_read_without_seeking() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(data("golden-cp932.csv")).unwrap();
    let piped = |path: &str, out: &Path| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args([
                "batch",
                "--institutions",
                path,
                "--out",
                out.to_str().unwrap(),
            ])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
        child.wait_with_output().unwrap()
    };
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    let o = piped("-", &a);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let o = piped("/dev/stdin", &b);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    onshi(&[
        "batch",
        "--institutions",
        &data("golden-cp932.csv"),
        "--out",
        c.to_str().unwrap(),
    ]);
    let grants = |d: &Path| std::fs::read(d.join("grants.csv")).unwrap();
    assert_eq!(grants(&a), grants(&c));
    assert_eq!(grants(&b), grants(&c));
    let rejects = read_csv(&p(&a, "rejects.csv"));
    assert_eq!(s(&rejects[0], "file"), "<stdin>");
    let o = onshi(&[
        "batch",
        "--institutions",
        "-",
        "--line-items",
        "-",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// A stream that never ends a line is refused at 64 MiB, with exit 2 and the line named,
/// instead of growing until the allocator aborts.
#[cfg(unix)]
#[test]
fn an_endless_line_is_refused_not_followed_into_memory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = onshi(&[
        "batch",
        "--institutions",
        "/dev/zero",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("/dev/zero") && err.contains("line 1 is longer than 64 MiB"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
}

/// The outputs are one set: when one of them cannot be put in place (here report.html is a
/// directory), the run fails and the directory keeps the whole previous set, no temporary.
#[test]
fn a_failed_run_leaves_the_previous_set_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f");
    let inst = data("golden-cp932.csv");
    let first = onshi(&[
        "batch",
        "--institutions",
        &inst,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let read_all = || -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.ends_with(".onshi.lock"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::create_dir(out.join("report.html")).unwrap();
    let before = read_all();
    // Another rule set: every output of a successful second run would differ.
    let half = dir.path().join("half.toml");
    std::fs::write(&half, HALF_RATE).unwrap();
    let second = onshi(&[
        "batch",
        "--institutions",
        &inst,
        "--rules",
        half.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(second.status.code(), Some(2));
    assert!(
        text(&second.stderr).contains("report.html"),
        "{}",
        text(&second.stderr)
    );
    assert_eq!(
        read_all(),
        before,
        "the previous set, whole, and nothing else"
    );
    assert!(out.join("report.html").is_dir());
}

/// Rejects name the physical line: blank lines count, a quoted name's line breaks count, and a
/// file whose lines end in CR alone counts them as lines too.
#[test]
fn line_numbers_are_physical_whatever_the_line_ends() {
    let header = HEADER;
    let good = "0110113719,B,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,";
    let multi = "0110113719,\"B\r\nC\",clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,";
    let bad = "3410712362,C,clinic,,x,2021-02-10,2021-05-01,2021-06-01,279950,";
    let dir = tempfile::tempdir().unwrap();
    for (name, content, want) in [
        (
            "blank.csv",
            format!("{header}\n\n\n{good}\n\n{bad}\n"),
            ("4", "6"),
        ),
        ("cr.csv", format!("{header}\r{good}\r{bad}\r"), ("2", "3")),
        (
            "crlf.csv",
            format!("{header}\r\n\r\n{multi}\r\n\r\n{bad}\r\n"),
            ("3", "6"),
        ),
    ] {
        let (out, o) = batch_on(dir.path(), name, &content);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
        let grants = read_csv(&p(&out, "grants.csv"));
        let rejects = read_csv(&p(&out, "rejects.csv"));
        assert_eq!(
            (
                s(&grants[0], "line").as_str(),
                s(&rejects[0], "line").as_str()
            ),
            want,
            "{name}"
        );
    }
}

/// Text that a spreadsheet would run as a formula gets a leading `'` in the CSV outputs; the
/// Parquet file keeps the name as read.
#[test]
fn names_that_look_like_formulas_are_written_inert() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "0110113719,\"=HYPERLINK(\"\"http://x\"\")\",clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n\
                3410712362,+1+1,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,1\n\
                0140342262,@SUM(A1),clinic,,x,2021-02-10,2021-05-01,2021-06-01,279950,\n\
                0110112489,Plain,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n";
    let (out, o) = batch_on(dir.path(), "x.csv", &format!("{HEADER}\n{rows}"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let grants = read_csv(&p(&out, "grants.csv"));
    let names: Vec<String> = grants.iter().map(|r| s(r, "name")).collect();
    assert_eq!(names, ["'=HYPERLINK(\"http://x\")", "'+1+1", "Plain"]);
    let audit = read_csv(&p(&out, "audit.csv"));
    assert_eq!(s(&audit[0], "name"), "'+1+1");
    let rejects = read_csv(&p(&out, "rejects.csv"));
    assert!(
        s(&rejects[0], "record").starts_with("0140342262,@SUM"),
        "a record starts with its code"
    );
    let file = std::fs::File::open(p(&out, "grants.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    let first = df
        .column("name")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .map(str::to_owned);
    assert_eq!(first.as_deref(), Some("=HYPERLINK(\"http://x\")"));
}

/// A write that fails (here the file-size limit, as a full disk would) names the output it
/// was for, and a new output directory goes with the failed run.
#[cfg(unix)]
#[test]
fn a_failed_write_names_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new");
    let script = "trap '' XFSZ; ulimit -f 2; exec \"$0\" batch --institutions \"$1\" --out \"$2\"";
    let o = Command::new("sh")
        .args([
            "-c",
            script,
            env!("CARGO_BIN_EXE_onshi"),
            &data("golden-cp932.csv"),
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("cannot write") && err.contains("grants.csv"),
        "{err}"
    );
    assert!(!out.exists(), "the new directory is removed");
}

/// Ctrl-C or SIGTERM in the middle of a run removes its temporaries and the directory it made,
/// and exits 130; a later run removes the temporaries of a run killed outright (SIGKILL), but
/// not those of a running process nor other files.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_leaves_nothing_and_a_killed_ones_leftovers_go() {
    let dir = tempfile::tempdir().unwrap();
    let row = CLINIC_ROW;
    for signal in ["INT", "TERM"] {
        let out = dir.path().join(format!("made/by/{signal}"));
        // Rows from a pipe kept open (more than the 64 KiB the encoding is detected from), one
        // chunk at a time: the run waits mid-way with its files open.
        let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["batch", "--institutions", "-", "--chunk-rows", "1", "--out"])
            .arg(&out)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(
            &mut stdin,
            format!("{HEADER}\n{}", row.repeat(2000)).as_bytes(),
        )
        .unwrap();
        let temporaries = || {
            std::fs::read_dir(&out)
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                        .count()
                })
                .unwrap_or(0)
        };
        let waited = std::time::Instant::now();
        while temporaries() < 4 {
            assert!(waited.elapsed().as_secs() < 60, "no temporaries appeared");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let pid = child.id().to_string();
        assert!(
            Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .unwrap()
                .success()
        );
        let o = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(o.status.code(), Some(130), "{signal}: {}", text(&o.stderr));
        assert!(
            !dir.path().join("made").exists(),
            "{signal}: the directories it made are gone"
        );
    }

    // Killed runs' temporaries: one whose process is gone, one whose id is still in use (this
    // test's; a reused id, or another PID namespace's). The next run holds the directory's
    // lock, so both are a dead run's. Another hidden file is not a temporary.
    let out = dir.path().join("kept");
    std::fs::create_dir(&out).unwrap();
    let dead = out.join(".grants.csv.onshi-999999999.Ab3xYz");
    let live = out.join(format!(".audit.csv.onshi-{}.Q1w2E3", std::process::id()));
    let other = out.join(".notes");
    for f in [&dead, &live, &other] {
        std::fs::write(f, "x").unwrap();
    }
    // A killed run's scratch directory (a large input's codes and line items), not empty.
    let dead_scratch = out.join(".scratch.onshi-999999999.Zz9yX8");
    std::fs::create_dir(&dead_scratch).unwrap();
    std::fs::write(dead_scratch.join("items-0"), "x").unwrap();
    let inst = dir.path().join("one.csv");
    std::fs::write(&inst, format!("{HEADER}\n{row}")).unwrap();
    let o = onshi(&[
        "batch",
        "--institutions",
        inst.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!dead.exists() && !live.exists() && other.exists());
    assert!(!dead_scratch.exists());
}

/// A run joining on disk that is stopped while it partitions the line items (read from a pipe
/// kept open) leaves no scratch file, and no directory it made.
#[test]
fn an_interrupted_join_on_disk_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("in.csv");
    let row = CLINIC_ROW;
    std::fs::write(&inst, format!("{HEADER}\n{}", row.repeat(100))).unwrap();
    let out = dir.path().join("made/here");
    let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args([
            "batch",
            "--spill-above",
            "0",
            "--line-items",
            "-",
            "--institutions",
        ])
        .arg(&inst)
        .arg("--out")
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let item = "0110113719,terminal,99000,true\n";
    let items = format!(
        "institution_code,category,amount,tax_included\n{}",
        item.repeat(3000)
    );
    std::io::Write::write_all(&mut stdin, items.as_bytes()).unwrap();
    let scratch = || {
        std::fs::read_dir(&out).is_ok_and(|d| {
            d.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".scratch.onshi-")
            })
        })
    };
    let waited = std::time::Instant::now();
    while !scratch() {
        assert!(
            waited.elapsed().as_secs() < 60,
            "no scratch directory appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(o.status.code(), Some(130), "{}", text(&o.stderr));
    assert!(
        !dir.path().join("made").exists(),
        "the directories it made are gone"
    );
}

/// A fault in the institutions found by the join's second read of them (past the first
/// chunk, read before) is the error reported, not the line items' pass it stopped.
#[test]
fn a_bad_institution_byte_while_joining_on_disk_is_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("in.csv");
    let row = CLINIC_ROW;
    let mut bytes = format!("{HEADER}\n{row}").into_bytes();
    bytes.extend(b"\xff\xfe,B,clinic,,1,,,,1,\n");
    std::fs::write(&inst, bytes).unwrap();
    let items = dir.path().join("items.csv");
    let item = "0110113719,terminal,99000,true\n";
    let lines = format!(
        "institution_code,category,amount,tax_included\n{}",
        item.repeat(5000)
    );
    std::fs::write(&items, lines).unwrap();
    let out = dir.path().join("o");
    let o = onshi(&[
        "batch",
        "--spill-above",
        "0",
        "--chunk-rows",
        "1",
        "--encoding",
        "utf-8",
        "--institutions",
        inst.to_str().unwrap(),
        "--line-items",
        items.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("in.csv: cannot read") && err.contains("(line 3) is not valid UTF-8"),
        "{err}"
    );
    assert!(!err.contains("stopped"), "{err}");
    assert!(!out.exists());
}

/// A fault in the line items found while joining on disk (after the output directory was
/// made) names its line, changes no output and leaves no scratch file behind.
#[test]
fn a_bad_line_item_byte_while_joining_on_disk_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("in.csv");
    let row = CLINIC_ROW;
    std::fs::write(&inst, format!("{HEADER}\n{row}")).unwrap();
    let items = dir.path().join("items.csv");
    let mut bytes = b"institution_code,category,amount,tax_included\n".to_vec();
    bytes.extend(b"0110113719,terminal,99000,true\n0110113719,\xff,1,true\n");
    std::fs::write(&items, bytes).unwrap();
    for (out, made) in [("new/dir", true), ("kept", false)] {
        let out = dir.path().join(out);
        if !made {
            std::fs::create_dir(&out).unwrap();
            std::fs::write(out.join("grants.csv"), "previous").unwrap();
        }
        let o = onshi(&[
            "batch",
            "--spill-above",
            "0",
            "--encoding",
            "utf-8",
            "--institutions",
            inst.to_str().unwrap(),
            "--line-items",
            items.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("(line 3) is not valid UTF-8"), "{err}");
        if made {
            assert!(!dir.path().join("new").exists());
        } else {
            let names: Vec<String> = std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(names, [".onshi.lock", "grants.csv"]);
            assert_eq!(
                std::fs::read_to_string(out.join("grants.csv")).unwrap(),
                "previous"
            );
        }
    }
}

/// A new `--out a/b/c` whose run fails leaves none of a, b, c behind.
#[test]
fn a_failed_run_removes_the_directories_it_made() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("bad.csv");
    std::fs::write(&inst, "no,header,here\n1,2,3\n").unwrap();
    let out = dir.path().join("a/b/c");
    let o = onshi(&[
        "batch",
        "--institutions",
        inst.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(!dir.path().join("a").exists());
}

/// A bad byte on line 2 is reported on line 2, not as an unreadable header (reading the header
/// reads ahead).
#[test]
fn a_bad_byte_after_the_header_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("d.csv");
    std::fs::write(&inst, b"institution_code,kind\n\xff\xfe,x\n").unwrap();
    let out = dir.path().join("o");
    let o = onshi(&[
        "batch",
        "--institutions",
        inst.to_str().unwrap(),
        "--encoding",
        "utf-8",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("(line 2) is not valid UTF-8") && !err.contains("header"),
        "{err}"
    );
}

/// `onshi gen --clean` writes plain forms only (what a script reading the CSV expects) and the
/// same institutions as without it: the batch gives the same grants from both.
#[test]
fn a_clean_file_has_plain_forms_and_the_same_institutions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (clean, plain) = (d.join("clean.csv"), d.join("forms.csv"));
    for (path, extra) in [(&clean, &["--clean"][..]), (&plain, &[][..])] {
        let mut args = vec![
            "gen",
            "--count",
            "3000",
            "--seed",
            "5",
            "--out",
            path.to_str().unwrap(),
        ];
        args.extend(extra);
        assert!(onshi(&args).status.success());
    }
    let rows = read_csv(&clean);
    let digits = |s: &str, n: Option<usize>| {
        s.bytes().all(|b| b.is_ascii_digit()) && n.is_none_or(|n| s.len() == n)
    };
    for r in &rows {
        assert!(digits(&s(r, "institution_code"), Some(10)), "{r:?}");
        assert!(
            ["hospital", "clinic", "dental_clinic", "pharmacy"].contains(&s(r, "kind").as_str())
        );
        for k in ["group_rx_per_month", "readers", "total_cost", "claimed"] {
            assert!(digits(&s(r, k), None), "{k}: {r:?}");
        }
        for k in ["reader_applied_on", "completed_on", "applied_on"] {
            let v = s(r, k);
            assert!(
                v.is_empty()
                    || (v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-'),
                "{k}: {v}"
            );
        }
    }
    assert!(std::fs::read(&clean).unwrap() != std::fs::read(&plain).unwrap());
    let grants = |input: &Path, name: &str| {
        let out = d.join(name);
        onshi(&[
            "batch",
            "--institutions",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--outputs",
            "grants",
        ]);
        read_csv(&out.join("grants.csv"))
            .iter()
            .map(|r| {
                (
                    s(r, "line"),
                    s(r, "institution_code"),
                    s(r, "regime"),
                    s(r, "grant"),
                )
            })
            .collect::<Vec<_>>()
    };
    let a = grants(&clean, "a");
    assert_eq!(a.len(), 3000);
    assert_eq!(a, grants(&plain, "b"));
}

/// summary.xlsx holds the figures of summary.csv as numbers (read back with calamine), the
/// audit by finding with the yen at stake of audit.csv, and a sheet per scenario.
#[test]
fn the_workbook_matches_the_csv_outputs() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        generate(&d.join("in.csv"), &d.join("items.csv"), "3000", "4", &[])
            .status
            .success()
    );
    let out = run_to(d, "x", &["--compare", &scenario()]);
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(
        names[..5],
        [
            "全国 National",
            "都道府県×種別 Prefectures",
            "措置別 By measure",
            "監査 Audit",
            "監査×都道府県 Audit by prefecture"
        ]
    );
    assert!(names[5].starts_with("シナリオ1 "), "{names:?}");
    let cell = |c: &Data| match c {
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("unexpected cell {other:?}"),
    };
    let csv_rows = read_csv(&out.join("summary.csv"));
    // By measure: the national rows give summary.csv's national grant_by_<measure>, which add
    // up to the national grant; the report gives the same figures, and ranks the prefectures
    // by what the 2022 measures paid.
    let national = csv_rows
        .iter()
        .find(|r| s(r, "prefecture") == "0" && s(r, "kind") == "all" && s(r, "category") == "all")
        .unwrap();
    let by_measure = wb.worksheet_range("措置別 By measure").unwrap();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    let mut total = 0_i64;
    for r in by_measure
        .rows()
        .skip(1)
        .filter(|r| cell(&r[2]) == "全国 all")
    {
        let m = cell(&r[0]);
        assert_eq!(cell(&r[4]), s(national, &format!("grant_by_{m}")), "{m}");
        assert_eq!(
            cell(&r[3]),
            s(national, &format!("institutions_by_{m}")),
            "{m}"
        );
        let yen: i64 = cell(&r[4]).parse().unwrap();
        total += yen;
        assert!(
            report.contains(&onshi_core::Yen::new(yen).grouped()),
            "{m}: {yen}"
        );
    }
    assert_eq!(total.to_string(), s(national, "grant"));
    assert!(report.contains("Grants by the measure that paid"));
    let ranked = report
        .split("By prefecture: what the 2022 measures paid, largest first")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let firsts: Vec<i64> = ranked
        .split("<tr><td>")
        .skip(1)
        .map(|r| {
            r.split("<td class=\"n\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(
        firsts.len() > 10 && firsts.windows(2).all(|w| w[0] >= w[1]),
        "{firsts:?}"
    );
    let sheet = wb.worksheet_range("都道府県×種別 Prefectures").unwrap();
    let mut rows = sheet.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(cell).collect();
    // Japanese, then the CSV's column name.
    assert_eq!(header[6], "補助額\ngrant");
    let columns: Vec<String> = header
        .iter()
        .map(|h| h.rsplit('\n').next().unwrap().to_owned())
        .collect();
    let sheet_rows: Vec<Vec<String>> = rows.map(|r| r.iter().map(cell).collect()).collect();
    assert_eq!(sheet_rows.len(), csv_rows.len());
    for (row, csv_row) in sheet_rows.iter().zip(&csv_rows) {
        for (name, value) in columns.iter().zip(row) {
            assert_eq!(value, &s(csv_row, name), "{name}");
        }
    }
    // Numbers are numbers, not text.
    assert!(matches!(sheet.get((1, 6)), Some(Data::Float(_))));
    let audit = read_csv(&out.join("audit.csv"));
    let sheet = wb.worksheet_range("監査 Audit").unwrap();
    let (mut count, mut yen) = (0.0, 0.0);
    // No text in the report's charts below 11 px at 100% zoom.
    let sizes: Vec<f64> = report
        .split("font-size=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert!(sizes.len() > 50, "{}", sizes.len());
    assert!(sizes.iter().all(|s| *s >= 11.0), "{sizes:?}");
    for r in sheet.rows().skip(1) {
        let (Data::Float(c), Data::Float(y)) = (&r[2], &r[3]) else {
            panic!("{r:?}")
        };
        count += c;
        yen += y;
        // The report's audit table leads with the same yen at stake.
        let grouped = onshi_core::Yen::new(*y as i64).grouped();
        assert!(
            report.contains(&format!("<td>{grouped}</td>")) || report.contains(&grouped),
            "{grouped}"
        );
    }
    let want_yen: i64 = audit
        .iter()
        .filter_map(|r| s(r, "difference").parse::<i64>().ok())
        .map(i64::abs)
        .sum();
    assert_eq!(count as usize, audit.len());
    assert_eq!(yen as i64, want_yen);
    assert!(want_yen > 0);
    // By prefecture: 47 rows whose yen at stake add up to the same total.
    let by_pref = wb
        .worksheet_range("監査×都道府県 Audit by prefecture")
        .unwrap();
    let mut pref_yen = 0.0;
    for r in by_pref.rows().skip(1) {
        for pair in r[2..].chunks(2) {
            let Data::Float(y) = &pair[1] else {
                panic!("{r:?}")
            };
            pref_yen += y;
        }
    }
    assert_eq!(by_pref.rows().count(), 48);
    assert_eq!(pref_yen as i64, want_yen);
}

/// Writes a CSV file as a one-sheet workbook: every cell as text, or (`typed`) whole numbers
/// as numbers and ISO dates as date cells.
fn csv_to_xlsx(csv_path: &Path, xlsx: &Path, typed: bool) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("明細 data").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(csv_path)
        .unwrap();
    for (row, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        for (col, v) in rec.iter().enumerate() {
            let (row, col) = (row as u32, col as u16);
            let ymd =
                (v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-').then(|| {
                    (
                        v[..4].parse::<u16>(),
                        v[5..7].parse::<u8>(),
                        v[8..].parse::<u8>(),
                    )
                });
            match (typed, v.parse::<i64>(), ymd) {
                (true, Ok(n), _) if row > 0 && !v.starts_with('0') => {
                    ws.write_number(row, col, n as f64).unwrap();
                }
                (true, _, Some((Ok(y), Ok(m), Ok(d)))) => {
                    let dt = ExcelDateTime::from_ymd(y, m, d).unwrap();
                    ws.write_datetime_with_format(row, col, &dt, &date).unwrap();
                }
                _ => {
                    ws.write_string(row, col, v).unwrap();
                }
            }
        }
    }
    wb.save(xlsx).unwrap();
}

/// An export saved from Excel gives the grants its CSV gives, whether its cells hold text or
/// typed numbers and dates; a row's line is its row in the sheet, and a reject names the sheet.
#[test]
fn a_workbook_reads_as_its_csv_does() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (inst, items) = (d.join("in.csv"), d.join("items.csv"));
    let g = onshi(&[
        "gen",
        "--count",
        "1500",
        "--seed",
        "9",
        "--clean",
        "--out",
        inst.to_str().unwrap(),
        "--line-items",
        items.to_str().unwrap(),
    ]);
    assert!(g.status.success(), "{}", text(&g.stderr));
    let grants = |inst: &Path, items: &Path, name: &str| {
        let out = d.join(name);
        let o = onshi(&[
            "batch",
            "--institutions",
            inst.to_str().unwrap(),
            "--line-items",
            items.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{}",
            text(&o.stderr)
        );
        read_csv(&out.join("grants.csv"))
    };
    let from_csv = grants(&inst, &items, "csv");
    assert!(from_csv.len() > 1400);
    for typed in [false, true] {
        let (x_inst, x_items) = (
            d.join(format!("in-{typed}.xlsx")),
            d.join(format!("items-{typed}.xlsx")),
        );
        csv_to_xlsx(&inst, &x_inst, typed);
        csv_to_xlsx(&items, &x_items, typed);
        let from_xlsx = grants(&x_inst, &x_items, &format!("xlsx-{typed}"));
        assert_eq!(from_xlsx.len(), from_csv.len(), "typed {typed}");
        for (a, b) in from_xlsx.iter().zip(&from_csv) {
            let without_line = |r: &HashMap<String, String>| {
                let mut r = r.clone();
                r.remove("line");
                r
            };
            assert_eq!(without_line(a), without_line(b), "typed {typed}");
        }
    }
    // A bad row: rejected with the sheet named and its row number.
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        format!("{HEADER}\n0110113719,A,clinic,,two,2021-02-10,2021-05-01,2021-06-01,279950,\n"),
    )
    .unwrap();
    let x = d.join("bad.xlsx");
    csv_to_xlsx(&bad, &x, true);
    let out = d.join("bad-out");
    let o = onshi(&[
        "batch",
        "--institutions",
        x.to_str().unwrap(),
        "--sheet",
        "明細 data",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(
        s(&rejects[0], "file"),
        format!("{}[明細 data]", x.display())
    );
    assert_eq!(s(&rejects[0], "line"), "2");
    assert_eq!(s(&rejects[0], "column"), "readers");
    let o = onshi(&[
        "batch",
        "--institutions",
        x.to_str().unwrap(),
        "--sheet",
        "nope",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no sheet named \"nope\""),
        "{}",
        text(&o.stderr)
    );
}

/// The report by kind for analysts: the kinds apart (大型チェーン薬局 too), per institution
/// and at the cap, the distribution, the tile map of the 47 prefectures, each chart with its
/// table; figures that agree with summary.csv.
#[test]
fn the_report_is_by_kind_with_a_prefecture_tile_map() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        generate(&d.join("in.csv"), &d.join("items.csv"), "3000", "7", &[])
            .status
            .success()
    );
    let out = run_to(d, "x", &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let summary = read_csv(&out.join("summary.csv"));
    let national = |kind: &str| {
        summary
            .iter()
            .find(|r| s(r, "prefecture") == "0" && s(r, "kind") == kind)
            .unwrap_or_else(|| panic!("no national row for {kind}"))
            .clone()
    };
    let yen = |v: &str| onshi_core::Yen::new(v.parse().unwrap()).grouped();
    for (kind, ja) in [
        ("hospital", "病院"),
        ("clinic", "医科診療所"),
        ("dental_clinic", "歯科診療所"),
        ("pharmacy", "薬局"),
        ("large_chain_pharmacy", "大型チェーン薬局"),
    ] {
        let row = national(kind);
        let grant = yen(&s(&row, "grant"));
        assert!(
            html.contains(&format!("<td>{ja} ")) && html.contains(&grant),
            "{kind}: {grant}"
        );
        // The mean grant, rounded down, is in the table.
        let n: i64 = s(&row, "institutions").parse().unwrap();
        let g: i64 = s(&row, "grant").parse().unwrap();
        assert!(
            html.contains(&onshi_core::Yen::new(g / n).grouped()),
            "{kind} mean"
        );
    }
    let all = national("all");
    let n: u64 = s(&all, "institutions").parse().unwrap();
    let at_cap: u64 = s(&all, "at_cap").parse().unwrap();
    let share = at_cap * 1000 / n;
    assert!(html.contains(&format!("{}.{}%", share / 10, share % 10)));
    // The tile map: one square per prefecture, with a legend and a table.
    let map = html
        .split("<svg class=\"tile-map\"")
        .nth(1)
        .expect("a tile map")
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(map.matches("<title>").count(), 47);
    assert_eq!(map.matches("<rect").count(), 47 + 5);
    // Its table ranks the prefectures by grant per institution, the largest first, as
    // summary.csv's rows give it.
    let ranked = html
        .split("Figures, ranked by grant per institution")
        .nth(1)
        .expect("the ranked table")
        .split("</table>")
        .next()
        .unwrap();
    let per_institution: Vec<i64> = ranked
        .split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td class=\"n\">").nth(1).unwrap();
            cell.split('<')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    let mut by_prefecture = std::collections::BTreeMap::<String, (i64, i64)>::new();
    for r in summary.iter().filter(|r| s(r, "prefecture") != "0") {
        let e = by_prefecture.entry(s(r, "prefecture")).or_default();
        e.0 += s(r, "grant").parse::<i64>().unwrap();
        e.1 += s(r, "institutions").parse::<i64>().unwrap();
    }
    let mut expected: Vec<i64> = by_prefecture
        .values()
        .map(|(grant, n)| grant.checked_div(*n).unwrap_or(0))
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(per_institution, expected);
    assert!(ranked.contains("<tr><td>1 "));
    // Every chart has its table; the distribution's bands count every institution.
    assert_eq!(
        html.matches("<svg").count(),
        html.matches("<figure").count()
    );
    assert!(html.matches("<table>").count() >= html.matches("<figure").count());
    assert!(html.contains("交付額の分布"));
    let tile_sizes: Vec<f64> = map
        .split("font-size=\"")
        .skip(1)
        .map(|v| v.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert!(tile_sizes.iter().all(|v| *v >= 11.0));
}

/// The institutions of the revisions' examples, as an office would export them (Japanese
/// headers, the later revisions' columns by their Japanese names): the final rules pay what
/// was paid; `--rules 2020-11-30` pays what the first set alone would have.
#[test]
fn the_revisions_examples_in_a_batch_file_pay_as_they_were_paid() {
    use onshi_core::parse::InstitutionCode;
    let dir = tempfile::tempdir().unwrap();
    // Each row: the fee-schedule digit of its code, the file's cells (kind, rx, readers, reader,
    // contract, operation, completed, applied, deferral, cost), then the grant and measure under
    // the final rules, and the grant under 2020-11-30.
    let rows = [
        "1|clinic,,1,2022-09-01,2023-01-15,,2023-03-20,2023-08-01,,400000|400000 special_2022|0",
        "1|hospital,,2,2022-12-31,2023-02-28,,2023-03-31,2023-09-30,,3000000|2002000 special_2022|0",
        "1|hospital,,2,2023-01-01,2023-02-28,,2023-03-31,2023-09-30,,3000000|1001000 standard|0",
        "1|clinic,,1,2021-10-01,,2022-10-01,2022-09-20,2022-10-15,,350000|350000 difference_2022|262000",
        "4|pharmacy,50000,1,2022-09-01,2023-01-10,,,,,500000|214000 standard|214000",
        "1|clinic,,1,2022-11-01,2023-02-20,,2023-09-15,2023-12-20,1,429000|429000 special_2022|0",
    ]
    .map(|r| r.split('|').collect::<Vec<_>>());
    let mut csv = String::from(
        "医療機関等コード,種別,グループ処方箋受付回数,カードリーダー申込台数,カードリーダー提供申請日,契約締結日,運用開始日,事業完了日,補助金申請日,猶予届類型,総事業費\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let n = 100 + u16::try_from(i).unwrap();
        let code = InstitutionCode::new(13, r[0].parse().unwrap(), 1, n).unwrap();
        csv.push_str(&format!("{code},{}\n", r[1]));
    }
    let inst = dir.path().join("revisions.csv");
    std::fs::write(&inst, csv).unwrap();
    for (rules, latest) in [(None, true), (Some("2020-11-30"), false)] {
        let out = dir.path().join(rules.unwrap_or("latest"));
        let mut args = vec![
            "batch",
            "--institutions",
            inst.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if let Some(id) = rules {
            args.extend(["--rules", id]);
        }
        let o = onshi(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let grants = read_csv(&out.join("grants.csv"));
        assert_eq!(
            grants.len(),
            rows.len(),
            "{:?}",
            read_csv(&out.join("rejects.csv"))
        );
        for (g, r) in grants.iter().zip(&rows) {
            let (grant, measure) = r[2].split_once(' ').unwrap();
            if latest {
                assert_eq!(
                    (s(g, "grant"), s(g, "measure")),
                    (grant.into(), measure.into()),
                    "{}",
                    r[1]
                );
            } else {
                assert_eq!(s(g, "grant"), r[3], "{} under 2020-11-30", r[1]);
            }
        }
        // The report names the revision and the documents behind it, linked where they can be read.
        let report = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(report.contains("保連発1130第1号"));
        assert!(report.contains(if latest {
            "2023-04-01（"
        } else {
            "2020-11-30（"
        }));
        assert_eq!(
            report.contains("<a href=\"https://www.mhlw.go.jp/stf/newpage_27429.html\">"),
            latest
        );
    }
}
