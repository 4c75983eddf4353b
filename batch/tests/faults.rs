//! Every physical data line of a faulty file ends in exactly one output, with its true line
//! number: random rows, good and bad (a value that is not one, a cell too many, cells missing,
//! a duplicate code, a name over two lines), blank lines between them, line ends in LF, CRLF,
//! CR alone or all three mixed; and a quote that never closes stops the run naming its line.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

const HEADER: &str = "institution_code,name,kind,group_rx_per_month,readers,reader_applied_on,completed_on,applied_on,total_cost,claimed,contracted_on,operation_started_on,deferral";

/// Rows that compute: `onshi gen`'s clean output, read once.
fn good_rows() -> &'static Vec<Vec<String>> {
    static ROWS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.csv");
        let o = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["gen", "--count", "200", "--seed", "3", "--out"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(o.status.success());
        let mut r = csv::Reader::from_path(&path).unwrap();
        r.records()
            .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
            .collect()
    })
}

#[derive(Debug, Clone, Copy)]
enum Row {
    Good,
    BadValue,
    ExtraCells,
    MissingCells,
    Duplicate,
    TwoLineName,
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        4 => Just(Row::Good),
        1 => Just(Row::BadValue),
        1 => Just(Row::ExtraCells),
        1 => Just(Row::MissingCells),
        1 => Just(Row::Duplicate),
        1 => Just(Row::TwoLineName),
    ]
}

fn cell(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The file's text, and for each row the physical line it starts on and whether it computes.
/// `eols`: the line ends, taken in turn (one for a file of one kind; several for a file whose
/// lines were pasted from several sources — never CR then LF, which is one CRLF).
fn build(rows: &[(Row, u8)], eols: &[&str], unclosed: bool) -> (String, Vec<(u64, bool)>, u64) {
    let good = good_rows();
    let mut turn = 0;
    let mut next = || {
        turn += 1;
        eols[(turn - 1) % eols.len()]
    };
    let mut text = format!("{HEADER}{}", next());
    let mut line = 2;
    let mut expected = Vec::new();
    // The first row computes, so that a duplicate of its code is always the one refused.
    let first = [(Row::Good, 0)];
    for (i, (kind, blanks)) in first.iter().chain(rows).enumerate() {
        for _ in 0..*blanks {
            text.push_str(next());
            line += 1;
        }
        let mut cells = good[i % good.len()].clone();
        let mut lines = 1;
        let computes = match kind {
            Row::Good => true,
            Row::BadValue => {
                cells[4] = "two".into();
                false
            }
            Row::ExtraCells => {
                cells.push(String::new());
                false
            }
            Row::MissingCells => {
                cells.truncate(3);
                false
            }
            Row::Duplicate => {
                cells = good[0].clone();
                false
            }
            Row::TwoLineName => {
                cells[1] = format!("本院{}別館", next());
                lines = 2;
                true
            }
        };
        let joined: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        text.push_str(&joined.join(","));
        text.push_str(next());
        expected.push((line, computes));
        line += lines;
    }
    if unclosed {
        text.push_str(&format!("0110113719,\"Unclosed,clinic,,1{}", next()));
        text.push_str(&format!("2,3{}", next()));
    }
    (text, expected, line)
}

/// `line` → the file it ended in (grants or rejects); a line in both or twice is an error.
fn outputs(out: &Path) -> Result<BTreeMap<u64, &'static str>, String> {
    let mut seen = BTreeMap::new();
    for (file, name) in [("grants.csv", "grants"), ("rejects.csv", "rejects")] {
        let mut r = csv::Reader::from_path(out.join(file)).map_err(|e| e.to_string())?;
        for rec in r.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            let line: u64 = rec[0]
                .parse()
                .or_else(|_| rec[1].parse())
                .map_err(|e| format!("{e:?}"))?;
            if seen.insert(line, name).is_some() {
                return Err(format!("line {line} appears twice"));
            }
        }
    }
    Ok(seen)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_physical_line_ends_in_exactly_one_output(
        rows in prop::collection::vec((row(), 0_u8..3), 1..25),
        eols in prop_oneof![
            Just(vec!["\n"]),
            Just(vec!["\r\n"]),
            Just(vec!["\r"]),
            Just(vec!["\n", "\r", "\r\n"]),
        ],
        unclosed in prop::bool::weighted(0.15),
    ) {
        let (text, expected, unclosed_line) = build(&rows, &eols, unclosed);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, &text).unwrap();
        let out = dir.path().join("out");
        let o = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["batch", "--institutions"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if unclosed {
            prop_assert_eq!(o.status.code(), Some(2), "{}", err);
            let named = format!("line {unclosed_line}: a quote");
            prop_assert!(err.contains(&named), "{}", err);
            prop_assert!(!out.exists());
            return Ok(());
        }
        prop_assert!(matches!(o.status.code(), Some(0 | 1)), "{}", err);
        let seen = outputs(&out).map_err(TestCaseError::fail)?;
        let lines: Vec<u64> = expected.iter().map(|(l, _)| *l).collect();
        prop_assert_eq!(seen.keys().copied().collect::<Vec<_>>(), lines);
        // Each row ends where its fault says.
        for (line, computes) in &expected {
            let want = if *computes { "grants" } else { "rejects" };
            prop_assert_eq!(seen[line], want, "line {}", line);
        }
    }
}

/// The expected lines are counted independently of onshi: by hand here.
#[test]
fn the_expected_lines_are_physical_lines() {
    let (text, expected, _) = build(
        &[(Row::Good, 1), (Row::TwoLineName, 0), (Row::Good, 2)],
        &["\r"],
        false,
    );
    // The header, the first row, a blank line, then the three rows (the second on two lines).
    assert_eq!(
        expected.iter().map(|e| e.0).collect::<Vec<_>>(),
        [2, 4, 5, 9]
    );
    assert!(!text.contains('\n'));
    assert_eq!(text.matches('\r').count(), 9);
    // Mixed: the same lines, whatever each one ends with.
    let rows = [(Row::Good, 1), (Row::TwoLineName, 0), (Row::Good, 2)];
    let (mixed, same, _) = build(&rows, &["\n", "\r", "\r\n"], false);
    assert_eq!(same, expected);
    assert!(mixed.contains("\n\r") && mixed.contains("\r\r\n"));
}
