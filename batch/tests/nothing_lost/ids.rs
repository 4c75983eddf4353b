//! Ids that can be used: a rule set's id labels its results, names columns and sheets; a
//! bad one is refused when the rules load, before any work, never at the end of the run.

use crate::common::*;
use std::path::Path;

fn example() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/special-deadline-2021-09-30.toml");
    std::fs::read_to_string(p).unwrap()
}

fn with_id(id: &str) -> String {
    example().replace(
        "id = \"scenario-special-deadline-2021-09-30\"",
        &format!("id = {id:?}"),
    )
}

fn input(d: &Path) -> String {
    let p = d.join("in.csv");
    std::fs::write(&p, clinics(3, 100_000)).unwrap();
    p.to_str().unwrap().to_owned()
}

/// A reform that keeps its base's id, or a whole file that takes a built-in revision's id
/// with other rules, would be labelled as the official rules: refused, exit 2, naming it. The
/// built-in revision's own file, loaded by its path, is accepted.
#[test]
fn a_rule_set_cannot_pass_for_the_official_rules() {
    let d = tempfile::tempdir().unwrap();
    let inst = input(d.path());
    let reform = d.path().join("same-id.toml");
    std::fs::write(&reform, with_id("2020-11-30")).unwrap();
    let whole = d.path().join("whole.toml");
    let official = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/rules/2020-11-30.toml");
    let edited =
        std::fs::read_to_string(&official)
            .unwrap()
            .replacen("value = 1000", "value = 100", 1);
    std::fs::write(&whole, edited).unwrap();
    for (flag, file, says) in [
        ("--compare", &reform, "an id of its own"),
        ("--rules", &reform, "an id of its own"),
        (
            "--rules",
            &whole,
            "is a built-in revision's, but these rules differ",
        ),
    ] {
        let out = d.path().join("out");
        let o = onshi(&[
            "batch",
            "--institutions",
            &inst,
            flag,
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{flag} {}", file.display());
        assert!(text(&o.stderr).contains(says), "{}", text(&o.stderr));
        assert!(!out.exists());
    }
    let out = d.path().join("official");
    let o = onshi(&[
        "batch",
        "--institutions",
        &inst,
        "--rules",
        official.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// Scenario ids alike in their first 26 characters, or in all but case, each get a sheet of
/// their own in summary.xlsx; ids with characters a sheet name cannot hold are refused when
/// the rules load.
#[test]
fn scenario_ids_always_name_sheets_of_their_own() {
    let d = tempfile::tempdir().unwrap();
    let inst = input(d.path());
    let ids = [
        "scenario-special-deadline-2021-09-30",
        "scenario-special-deadline-2021-12-31",
        "Scenario-Special-Deadline-2021-09-30",
    ];
    let mut args = vec!["batch".to_owned(), "--institutions".into(), inst.clone()];
    for (i, id) in ids.iter().enumerate() {
        let f = d.path().join(format!("s{i}.toml"));
        std::fs::write(&f, with_id(id)).unwrap();
        args.extend(["--compare".into(), f.to_str().unwrap().to_owned()]);
    }
    let out = d.path().join("out");
    args.extend(["--out".into(), out.to_str().unwrap().to_owned()]);
    let o = onshi(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("summary.xlsx")).unwrap();
    let sheets: Vec<String> = calamine::Reader::sheet_names(&wb)
        .into_iter()
        .filter(|s| s.starts_with("シナリオ"))
        .collect();
    assert_eq!(sheets.len(), 3, "{sheets:?}");
    for bad in ["a/b", "x[1]", "what?", "a*b", "c:d", "back\\\\slash"] {
        let f = d.path().join("bad.toml");
        std::fs::write(&f, with_id(bad)).unwrap();
        let o = onshi(&[
            "batch",
            "--institutions",
            &inst,
            "--compare",
            f.to_str().unwrap(),
            "--out",
            d.path().join("bad").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            text(&o.stderr).contains("is not an id"),
            "{bad}: {}",
            text(&o.stderr)
        );
    }
}

/// `--threads` is 1 to 256: more is refused at once (it took minutes), not obeyed.
#[test]
fn the_thread_count_is_bounded() {
    let d = tempfile::tempdir().unwrap();
    let inst = input(d.path());
    for (n, code) in [("0", 2), ("5000", 2), ("257", 2), ("256", 0), ("1", 0)] {
        let out = d.path().join(format!("out-{n}"));
        let o = onshi(&[
            "batch",
            "--institutions",
            &inst,
            "--threads",
            n,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(code),
            "--threads {n}: {}",
            text(&o.stderr)
        );
        if code == 2 {
            assert!(text(&o.stderr).contains("1..=256"), "{}", text(&o.stderr));
        }
    }
}
