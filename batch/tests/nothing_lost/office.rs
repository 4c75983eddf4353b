//! The files Japanese offices really produce: header names in half-width kana or with stray
//! spaces, mixed line ends, UTF-16 "Unicode テキスト", tabs, trailing control bytes.

use crate::common::*;
use std::path::Path;

/// Runs the batch on `bytes` written as `name` in `dir`; returns (exit code, stderr, the
/// output directory).
pub fn run_on(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    extra: &[&str],
) -> (Option<i32>, String, std::path::PathBuf) {
    let input = dir.join(name);
    std::fs::write(&input, bytes).unwrap();
    let out = dir.join(format!("out-{name}"));
    let mut args = vec![
        "batch",
        "--institutions",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = onshi(&args);
    (o.status.code(), text(&o.stderr), out)
}

const ROWS: &str = "0110113719,A医院,clinic,,1,2021-02-10,2021-05-01,2021-06-01,279950,\n\
                    1310112342,B病院,hospital,,3,2021-03-01,2021-06-30,2021-07-15,5000000,\n";

/// The header as CP932 exports write it (half-width kana, full-width Latin, spaces inside
/// names) gives the same grants as the canonical one: the reader date is read, so the special
/// regime pays.
#[test]
fn half_width_kana_and_spaced_headers_are_the_columns_they_name() {
    let d = tempfile::tempdir().unwrap();
    let canonical = format!("{HEADER}\n{ROWS}");
    let (code, err, want) = run_on(d.path(), "canonical.csv", canonical.as_bytes(), &[]);
    assert_eq!(code, Some(0), "{err}");
    let grants = std::fs::read_to_string(want.join("grants.csv")).unwrap();
    assert!(grants.contains(",special,"), "{grants}");
    let office = "医療機関等ｺｰﾄﾞ,名称,種別,ｸﾞﾙｰﾌﾟ処方箋受付回数,ｶｰﾄﾞﾘｰﾀﾞｰ申込台数,\
                  ｶｰﾄﾞﾘｰﾀﾞｰ提供申請日,事業 完了日,補助金　申請日,総事業費,申請額";
    let text = format!("{office}\r\n{ROWS}");
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let (code, err, got) = run_on(d.path(), "office.csv", &cp932, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("ignored columns"), "{err}");
    assert_eq!(
        std::fs::read_to_string(got.join("grants.csv")).unwrap(),
        grants
    );
}

/// A header cell one typo away from a known name stops the run before anything is written,
/// saying which name it is close to; it is never dropped as an ignored column.
#[test]
fn a_header_close_to_a_known_name_stops_with_did_you_mean() {
    let d = tempfile::tempdir().unwrap();
    let header = HEADER.replace("reader_applied_on", "reader_aplied_on");
    let (code, err, out) = run_on(
        d.path(),
        "typo.csv",
        format!("{header}\n{ROWS}").as_bytes(),
        &[],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("line 1, column 6: \"reader_aplied_on\"")
            && err.contains("did you mean \"reader_applied_on\""),
        "{err}"
    );
    assert!(!out.exists());
}

/// UTF-16 with its byte-order mark.
fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for unit in std::iter::once(0xFEFF_u16).chain(text.encode_utf16()) {
        out.extend_from_slice(&if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

/// The grants of the canonical header over `rows`, written as `name` in `d`.
fn grants_of(d: &Path, name: &str, rows: &str) -> String {
    let (code, err, out) = run_on(d, name, format!("{HEADER}\n{rows}").as_bytes(), &[]);
    assert_eq!(code, Some(0), "{name}: {err}");
    std::fs::read_to_string(out.join("grants.csv")).unwrap()
}

/// The grants of the canonical file, to compare every other form with.
fn canonical_grants(d: &Path) -> String {
    grants_of(d, "canonical.csv", ROWS)
}

/// Excel's 「Unicode テキスト」 (UTF-16LE with a BOM, tab-separated, CRLF), UTF-16BE, and a
/// tab-separated UTF-8 file read as the CSV they hold; UTF-16 without a BOM is refused with
/// the option that reads it.
#[test]
fn unicode_text_and_tab_separated_exports_read_as_their_csv() {
    let d = tempfile::tempdir().unwrap();
    let want = canonical_grants(d.path());
    let tsv = format!("{HEADER}\n{ROWS}")
        .replace(',', "\t")
        .replace('\n', "\r\n");
    let csv = format!("{HEADER}\n{ROWS}");
    for (name, bytes) in [
        ("unicode-text.txt", utf16(&tsv, true)),
        ("utf16be.csv", utf16(&csv, false)),
        ("tabs.tsv", tsv.clone().into_bytes()),
    ] {
        let (code, err, out) = run_on(d.path(), name, &bytes, &[]);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(
            std::fs::read_to_string(out.join("grants.csv")).unwrap(),
            want,
            "{name}"
        );
    }
    let no_bom = utf16(&tsv, true)[2..].to_vec();
    let (code, err, _) = run_on(d.path(), "no-bom.txt", &no_bom, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--encoding utf-16le"), "{err}");
    let (code, err, out) = run_on(
        d.path(),
        "no-bom-told.txt",
        &no_bom,
        &["--encoding", "utf-16le"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("grants.csv")).unwrap(),
        want
    );
    // Told commas, a tab-separated header is one cell: the message says so.
    let (code, err, _) = run_on(
        d.path(),
        "tabs-as-csv.tsv",
        tsv.as_bytes(),
        &["--delimiter", "comma"],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("separated by tabs: give --delimiter tab"),
        "{err}"
    );
}

/// A trailing Ctrl-Z or NUL padding is not a row; a NUL inside a value is a reject naming
/// its column, never a value passed on.
#[test]
fn trailing_control_bytes_are_not_rows_and_inner_ones_are_rejected() {
    let d = tempfile::tempdir().unwrap();
    let want = canonical_grants(d.path());
    for (name, tail) in [
        ("ctrl-z.csv", &b"\x1a"[..]),
        ("nul-padded.csv", &[0u8; 300][..]),
        ("both.csv", b"\x1a\x00\x00\n"),
    ] {
        let mut bytes = format!("{HEADER}\n{ROWS}").into_bytes();
        bytes.extend_from_slice(tail);
        let (code, err, out) = run_on(d.path(), name, &bytes, &[]);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(
            std::fs::read_to_string(out.join("grants.csv")).unwrap(),
            want,
            "{name}"
        );
    }
    let inner = format!("{HEADER}\n{ROWS}")
        .replacen("A医院", "A医\0院", 1)
        .replacen("\n1310", "\n\x1a\n1310", 1);
    let (code, err, out) = run_on(d.path(), "inner.csv", inner.as_bytes(), &[]);
    assert_eq!(code, Some(1), "{err}");
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 3, "{rejects}");
    assert!(
        lines[1].starts_with(&format!(
            "{},2,name,A医\\u{{0}}院,control_character",
            out.parent().unwrap().join("inner.csv").display()
        )),
        "{rejects}"
    );
    assert!(
        lines[2].contains(",3,") && lines[2].contains("control_character"),
        "{rejects}"
    );
}

/// Amounts as an office types them in 万円 (`27.995万円`, `５００万円`) are the same yen as
/// the plain figures: the same grants, byte for byte.
#[test]
fn amounts_in_ten_thousands_read_as_their_yen() {
    let d = tempfile::tempdir().unwrap();
    let want = canonical_grants(d.path());
    let rows = ROWS
        .replace(",279950,", ",27.995万円,")
        .replace(",5000000,", ",５００万円,");
    assert_ne!(rows, ROWS);
    assert_eq!(grants_of(d.path(), "man.csv", &rows), want);
}
