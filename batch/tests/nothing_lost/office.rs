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
