//! Workbooks read strictly and safely: a damaged package stops the run, a cell that is not a
//! value (an error, a formula never calculated, a code that lost its leading zero) rejects its
//! row, the first visible sheet is read, a value far outside the table stops the run before
//! anything is allocated for it, and the dates Japanese Excel writes read as their days.

use crate::common::*;
use std::io::Write;
use std::path::Path;

/// A sheet: its name, whether it is hidden, and its `<sheetData>` rows.
struct Sheet<'a> {
    name: &'a str,
    hidden: bool,
    rows: String,
}

/// A workbook written part by part, as Excel lays it out (inline strings, so no shared
/// strings part); `styles`: the `<cellXfs>` and `<numFmts>` to declare; `stored`: parts kept
/// uncompressed (as some tools write them).
fn workbook(sheets: &[Sheet], styles: &str, stored: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = match stored {
        true => zip::CompressionMethod::Stored,
        false => zip::CompressionMethod::Deflated,
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut part = |name: &str, text: String| {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    part(
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>"#
        ),
    );
    part("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into());
    let entries: String = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let state = if s.hidden { r#" state="hidden""# } else { "" };
            format!(
                r#"<sheet name="{}" sheetId="{}"{state} r:id="rId{}"/>"#,
                s.name,
                i + 1,
                i + 1
            )
        })
        .collect();
    part(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{entries}</sheets></workbook>"#
        ),
    );
    let rels: String = (1..=sheets.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect::<String>()
        + &format!(r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#, sheets.len() + 1);
    part(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    part(
        "xl/styles.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{styles}</styleSheet>"#
        ),
    );
    for (i, s) in sheets.iter().enumerate() {
        part(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>"#,
                s.rows
            ),
        );
    }
    zip.finish().unwrap().into_inner()
}

const PLAIN_STYLES: &str = r#"<cellXfs count="1"><xf numFmtId="0"/></cellXfs>"#;

/// A row of cells: `s:text` an inline string, `n:1.5` a number, `d:44237` a number in style
/// 1, `e:#N/A` an error, `f:SUM(A1)` a formula saved without its value, empty: no cell.
fn row(line: u32, cells: &[&str]) -> String {
    let col = |i: usize| char::from(b'A' + i as u8);
    let body: String = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, c)| {
            let r = format!("{}{line}", col(i));
            let (kind, v) = c.split_once(':').unwrap();
            match kind {
                "s" => format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#),
                "n" => format!(r#"<c r="{r}"><v>{v}</v></c>"#),
                "d" => format!(r#"<c r="{r}" s="1"><v>{v}</v></c>"#),
                "e" => format!(r#"<c r="{r}" t="e"><v>{v}</v></c>"#),
                "f" => format!(r#"<c r="{r}"><f>{v}</f></c>"#),
                other => panic!("{other}"),
            }
        })
        .collect();
    format!(r#"<row r="{line}">{body}</row>"#)
}

fn header_row() -> String {
    let cells: Vec<String> = HEADER.split(',').map(|h| format!("s:{h}")).collect();
    row(1, &cells.iter().map(String::as_str).collect::<Vec<_>>())
}

fn run_workbook(d: &Path, name: &str, bytes: &[u8]) -> (Option<i32>, String, std::path::PathBuf) {
    let input = d.join(name);
    std::fs::write(&input, bytes).unwrap();
    let out = d.join(format!("out-{name}"));
    let o = onshi(&[
        "batch",
        "--institutions",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (o.status.code(), text(&o.stderr), out)
}

/// A byte flipped in a stored part (a cost of 641290 read as 941290) fails the part's CRC:
/// the run stops, exit 2, writing nothing.
#[test]
fn a_damaged_workbook_stops_the_run() {
    let d = tempfile::tempdir().unwrap();
    let rows = header_row()
        + &row(
            2,
            &[
                "s:0110113719",
                "s:A医院",
                "s:clinic",
                "",
                "n:1",
                "s:2021-02-10",
                "s:2021-05-01",
                "s:2021-06-01",
                "n:641290",
                "",
            ],
        );
    let sheets = [Sheet {
        name: "医療機関",
        hidden: false,
        rows,
    }];
    let good = workbook(&sheets, PLAIN_STYLES, true);
    let (code, err, _) = run_workbook(d.path(), "good.xlsx", &good);
    assert_eq!(code, Some(0), "{err}");
    let at = good.windows(6).position(|w| w == b"641290").unwrap();
    let mut bad = good.clone();
    bad[at] = b'9';
    let (code, err, out) = run_workbook(d.path(), "bad.xlsx", &bad);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the workbook is damaged") && err.contains("sheet1.xml"),
        "{err}"
    );
    assert!(!out.exists());
}

/// Cells that are not values reject their row, each saying what it is; a code stored as a
/// number gets its leading zero back when the check digit then holds.
#[test]
fn cells_that_are_not_values_reject_their_row() {
    let d = tempfile::tempdir().unwrap();
    let base = |code: &str, cost: &str, claimed: &str| -> Vec<String> {
        [
            "s:A医院",
            "s:clinic",
            "",
            "n:1",
            "s:2021-02-10",
            "s:2021-05-01",
            "s:2021-06-01",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .into_iter()
        .fold(vec![code.to_owned()], |mut v, c| {
            v.push(c);
            v
        })
        .into_iter()
        .chain([cost.to_owned(), claimed.to_owned()])
        .collect()
    };
    let as_refs = |v: &Vec<String>| v.iter().map(String::as_str).collect::<Vec<_>>().join("|");
    let lines = [
        base("n:110113719", "n:279950", ""),
        base("s:1310112342", "e:#N/A", ""),
        base("s:1310112359", "n:279950", "f:SUM(J9:J10)"),
        base("n:110113718", "n:279950", ""),
    ];
    let mut rows = header_row();
    for (i, cells) in lines.iter().enumerate() {
        let joined = as_refs(cells);
        rows += &row(i as u32 + 2, &joined.split('|').collect::<Vec<_>>());
    }
    let sheets = [Sheet {
        name: "一覧",
        hidden: false,
        rows,
    }];
    let (code, err, out) = run_workbook(
        d.path(),
        "cells.xlsx",
        &workbook(&sheets, PLAIN_STYLES, false),
    );
    assert_eq!(code, Some(1), "{err}");
    let grants = std::fs::read_to_string(out.join("grants.csv")).unwrap();
    assert!(
        grants.lines().nth(1).unwrap().starts_with("2,0110113719,"),
        "{grants}"
    );
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let got: Vec<(String, String, String)> = rejects
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_owned(), f[2].to_owned(), f[4].to_owned())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("3".into(), "total_cost".into(), "sheet_error".into()),
            ("4".into(), "claimed".into(), "formula_without_value".into()),
            (
                "5".into(),
                "institution_code".into(),
                "leading_zero_lost".into()
            ),
        ],
        "{rejects}"
    );
    assert!(
        rejects.contains(",#N/A,") && rejects.contains("=SUM(J9:J10)"),
        "{rejects}"
    );
}

/// A hidden first sheet is skipped, and said so; the first visible one is read.
#[test]
fn the_first_visible_sheet_is_read() {
    let d = tempfile::tempdir().unwrap();
    let data = header_row()
        + &row(
            2,
            &[
                "s:0110113719",
                "s:A医院",
                "s:clinic",
                "",
                "n:1",
                "s:2021-02-10",
                "s:2021-05-01",
                "s:2021-06-01",
                "n:279950",
                "",
            ],
        );
    let sheets = [
        Sheet {
            name: "作業用",
            hidden: true,
            rows: row(1, &["s:memo"]),
        },
        Sheet {
            name: "提出用",
            hidden: false,
            rows: data,
        },
    ];
    let (code, err, out) = run_workbook(
        d.path(),
        "hidden.xlsx",
        &workbook(&sheets, PLAIN_STYLES, false),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("reading the first visible sheet \"提出用\"; skipped before it: 作業用"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("grants.csv"))
            .unwrap()
            .lines()
            .count(),
        2
    );
}

/// One value in the sheet's last cell (a 5 KB file that once asked for 512 GiB) stops the
/// run at once, naming the cell.
#[test]
fn a_value_far_outside_the_table_stops_the_run() {
    let d = tempfile::tempdir().unwrap();
    let rows = header_row() + r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let sheets = [Sheet {
        name: "S",
        hidden: false,
        rows,
    }];
    let (code, err, out) = run_workbook(
        d.path(),
        "far.xlsx",
        &workbook(&sheets, PLAIN_STYLES, false),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cell XFD1048576 holds a value beyond column 1024"),
        "{err}"
    );
    assert!(!out.exists());
}

/// Dates in Japanese Excel's built-in 和暦 style (number format 57, named by its id only)
/// and in a custom 和暦 format read as the days they show, as does a date-time a fraction of
/// a second before midnight: the same grant as the dates typed as text.
#[test]
fn japanese_date_formats_read_as_their_days() {
    let d = tempfile::tempdir().unwrap();
    let typed = header_row()
        + &row(
            2,
            &[
                "s:0110113719",
                "s:A医院",
                "s:clinic",
                "",
                "n:1",
                "s:2021-02-10",
                "s:2021-05-01",
                "s:2021-06-01",
                "n:279950",
                "",
            ],
        );
    let text_book = workbook(
        &[Sheet {
            name: "S",
            hidden: false,
            rows: typed,
        }],
        PLAIN_STYLES,
        false,
    );
    let (code, err, want) = run_workbook(d.path(), "typed.xlsx", &text_book);
    assert_eq!(code, Some(0), "{err}");
    let want = std::fs::read_to_string(want.join("grants.csv")).unwrap();
    let dated = header_row()
        + &row(
            2,
            &[
                "s:0110113719",
                "s:A医院",
                "s:clinic",
                "",
                "n:1",
                "d:44237",
                "d:44317.999999999",
                "d:44348",
                "n:279950",
                "",
            ],
        );
    let builtin = r#"<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="57" applyNumberFormat="1"/></cellXfs>"#;
    let custom = r#"<numFmts count="1"><numFmt numFmtId="176" formatCode="[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="176" applyNumberFormat="1"/></cellXfs>"#;
    for (name, styles) in [("builtin.xlsx", builtin), ("custom.xlsx", custom)] {
        let sheets = [Sheet {
            name: "S",
            hidden: false,
            rows: dated.clone(),
        }];
        let (code, err, out) = run_workbook(d.path(), name, &workbook(&sheets, styles, false));
        let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap_or_default();
        assert_eq!(code, Some(0), "{name}: {err} {rejects}");
        assert_eq!(
            std::fs::read_to_string(out.join("grants.csv")).unwrap(),
            want,
            "{name}"
        );
    }
}
