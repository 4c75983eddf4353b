//! `summary.xlsx`: the summary as an analyst opens it in Excel — the national totals, the
//! prefecture × kind table, the audit by finding and by prefecture with the yen at stake, and
//! one sheet per scenario. Numbers are stored as numbers (yen formatted), header rows are frozen, headers
//! are Japanese with the English beside them.

use anyhow::Result;
use onshi_core::{Finding, Lang, Measure};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

use super::summary::{
    Group, PREFECTURES, Summary, Sums, Table, Value, prefecture_label, scenario_col,
};

/// A column's header: Japanese, then English.
fn header(name: &str, scenarios: &[String]) -> String {
    let fixed = [
        ("prefecture", "都道府県コード"),
        ("prefecture_name", "都道府県"),
        ("category", "区分"),
        ("kind", "種別"),
        ("institutions", "医療機関等数"),
        ("eligible_cost", "補助対象経費"),
        ("grant", "補助額"),
        ("standard_only", "通常補助のみの額"),
        ("special_measure_cost", "特例補助による増額"),
        ("at_cap", "限度額に達した数"),
        ("special_institutions", "特例補助の数"),
        ("standard_institutions", "通常補助の数"),
        ("ineligible_institutions", "対象外の数"),
    ];
    if let Some((_, ja)) = fixed.iter().find(|(en, _)| *en == name) {
        return format!("{ja}\n{name}");
    }
    for m in Measure::ALL {
        if name == format!("grant_by_{}", m.id()) {
            return format!("補助額：{}\n{name}", m.name(Lang::Ja));
        }
        if name == format!("institutions_by_{}", m.id()) {
            return format!("数：{}\n{name}", m.name(Lang::Ja));
        }
    }
    for id in scenarios {
        for (what, ja) in [
            ("grant", "補助額"),
            ("difference", "差額"),
            ("gain", "増える数"),
            ("lose", "減る数"),
            ("same", "同じ数"),
        ] {
            if name == scenario_col(what, id) {
                return format!("{ja}（{id}）\n{name}");
            }
        }
    }
    name.to_owned()
}

/// Whether a column holds yen (else a count or a code).
fn is_yen(name: &str) -> bool {
    [
        "eligible_cost",
        "grant",
        "standard_only",
        "special_measure_cost",
        "difference",
    ]
    .iter()
    .any(|y| name == *y || name.starts_with(&format!("{y}_")))
}

struct Formats {
    header: Format,
    yen: Format,
    count: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_text_wrap(),
            yen: Format::new().set_num_format("#,##0\"円\";-#,##0\"円\""),
            count: Format::new().set_num_format("#,##0"),
        }
    }
}

/// Writes the table's columns `names` of the rows `keep` into `ws`: one header row (frozen),
/// then the rows.
fn write_table(
    ws: &mut Worksheet,
    t: &Table,
    keep: impl Fn(&[Value]) -> bool,
    names: &[String],
    scenarios: &[String],
    f: &Formats,
) -> Result<()> {
    page_setup(ws)?;
    // About nine columns to a landscape page: a wide table prints over pages, not shrunk
    // to an unreadable size.
    ws.set_print_fit_to_pages(u16::try_from(names.len().div_ceil(9)).unwrap_or(1), 0);
    let rows: Vec<&Vec<Value>> = t.rows.iter().filter(|r| keep(r)).collect();
    for (c, name) in names.iter().enumerate() {
        let col = u16::try_from(c)?;
        let title = header(name, scenarios);
        ws.write_string_with_format(0, col, &title, &f.header)?;
        let mut width = title.lines().map(text_width).max().unwrap_or(8);
        let Some(k) = t.column(name) else { continue };
        for (r, values) in rows.iter().enumerate() {
            let row = u32::try_from(r + 1)?;
            match &values[k] {
                Value::Text(s) => {
                    width = width.max(text_width(s));
                    ws.write_string(row, col, s)?;
                }
                Value::Number(n) => {
                    #[allow(clippy::cast_precision_loss)] // yen sums stay far below 2^53
                    let n = *n as f64;
                    let format = if is_yen(name) { &f.yen } else { &f.count };
                    ws.write_number_with_format(row, col, n, format)?;
                }
            }
        }
        // Room for the widest figure written with its separators and 円.
        let figures = if is_yen(name) { 18 } else { 10 };
        // Long headers (a scenario's id) wrap rather than widen the table off the page.
        ws.set_column_width(
            col,
            u16::try_from(width.max(figures) + 2).unwrap_or(24).min(24),
        )?;
    }
    Ok(())
}

/// A sheet's header row: each column's two-line title and its width.
fn head_row(ws: &mut Worksheet, columns: &[(&str, u16)], f: &Formats) -> Result<()> {
    for (c, (title, width)) in columns.iter().enumerate() {
        let col = u16::try_from(c)?;
        ws.write_string_with_format(0, col, *title, &f.header)?;
        ws.set_column_width(col, *width)?;
    }
    Ok(())
}

/// Frozen two-line headers; printed landscape, one page wide, as an analyst prints a table.
fn page_setup(ws: &mut Worksheet) -> Result<()> {
    ws.set_freeze_panes(1, 0)?;
    ws.set_row_height(0, 66)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// A text's width in Excel's character units: CJK and full-width characters count two.
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The workbook's bytes.
pub fn render(summary: &Summary, table: &Table) -> Result<Vec<u8>> {
    let f = Formats::new();
    let scenarios = &summary.scenarios;
    let mut wb = Workbook::new();
    // A fixed creation date (ZIP's epoch, the earliest a workbook can carry): the same run
    // gives the same bytes, as every other output does.
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let national = |r: &[Value]| r[0] == Value::Number(0);
    write_table(
        wb.add_worksheet().set_name("全国 National")?,
        table,
        national,
        &table.columns,
        scenarios,
        &f,
    )?;
    write_table(
        wb.add_worksheet().set_name("都道府県×種別 Prefectures")?,
        table,
        |_| true,
        &table.columns,
        scenarios,
        &f,
    )?;
    let national = summary.national();
    let audit: Vec<(Finding, u64, i64)> = Finding::ALL
        .iter()
        .zip(&national.findings)
        .map(|(f, (n, y))| (*f, *n, *y))
        .collect();
    measure_sheet(
        wb.add_worksheet().set_name("措置別 By measure")?,
        summary,
        &f,
    )?;
    audit_sheet(wb.add_worksheet().set_name("監査 Audit")?, &audit, &f)?;
    audit_by_prefecture(
        wb.add_worksheet()
            .set_name("監査×都道府県 Audit by prefecture")?,
        summary,
        &f,
    )?;
    for (n, id) in scenarios.iter().enumerate() {
        let mut names: Vec<String> = [
            "prefecture",
            "prefecture_name",
            "category",
            "kind",
            "institutions",
            "grant",
        ]
        .map(str::to_owned)
        .to_vec();
        names.extend(["grant", "difference", "gain", "lose", "same"].map(|w| scenario_col(w, id)));
        let title = scenario_sheet_name(n, id);
        write_table(
            wb.add_worksheet().set_name(title)?,
            table,
            |_| true,
            &names,
            scenarios,
            &f,
        )?;
    }
    Ok(wb.save_to_buffer()?)
}

/// The sheet of the `n`th scenario (from 0): numbered, so that ids alike in their first
/// characters, or in all but case (Excel's names ignore it), still name sheets of their own;
/// at most Excel's 31 characters (the full id heads the sheet's columns). Ids hold only
/// letters, digits, `-`, `_` and `.` (checked when the rules load), none of which a sheet
/// name refuses.
pub fn scenario_sheet_name(n: usize, id: &str) -> String {
    format!("シナリオ{} {id}", n + 1).chars().take(31).collect()
}

/// What each measure paid (the revisions' standard regime, 2020 special, 2022 window and
/// difference payment): nationally, then by kind, one row per measure and kind.
fn measure_sheet(ws: &mut Worksheet, s: &Summary, f: &Formats) -> Result<()> {
    page_setup(ws)?;
    head_row(
        ws,
        &[
            ("措置\nmeasure", 16),
            ("措置（日本語）\nmeasure_ja", 44),
            ("種別\nkind", 20),
            ("医療機関等数\ninstitutions", 14),
            ("交付額\ngrant", 20),
        ],
        f,
    )?;
    let mut sets: Vec<(&str, Sums)> = vec![("全国 all", s.national())];
    sets.extend(Group::ALL.map(|g| (g.name(Lang::Ja), s.group(g))));
    let mut row = 1;
    for m in Measure::ALL {
        for (kind, t) in &sets {
            let (n, y) = t.by_measure(m);
            ws.write_string(row, 0, m.id())?;
            ws.write_string(row, 1, m.name(Lang::Ja))?;
            ws.write_string(row, 2, *kind)?;
            #[allow(clippy::cast_precision_loss)]
            {
                ws.write_number_with_format(row, 3, n as f64, &f.count)?;
                ws.write_number_with_format(row, 4, y as f64, &f.yen)?;
            }
            row += 1;
        }
    }
    Ok(())
}

/// The audit by prefecture: per finding, how many and the yen at stake.
fn audit_by_prefecture(ws: &mut Worksheet, s: &Summary, f: &Formats) -> Result<()> {
    page_setup(ws)?;
    ws.write_string_with_format(0, 0, "都道府県コード\nprefecture", &f.header)?;
    ws.write_string_with_format(0, 1, "都道府県\nprefecture_name", &f.header)?;
    ws.set_column_width(1, 12)?;
    for (i, finding) in Finding::ALL.iter().enumerate() {
        let col = u16::try_from(2 + 2 * i)?;
        let (ja, id) = (finding.name(Lang::Ja), finding.id());
        ws.write_string_with_format(0, col, format!("{ja} 件数\n{id}"), &f.header)?;
        ws.write_string_with_format(0, col + 1, format!("{ja} 金額差\n{id}_yen"), &f.header)?;
        ws.set_column_width(col, 12)?;
        ws.set_column_width(col + 1, 18)?;
    }
    for (r, p) in PREFECTURES.enumerate() {
        let row = u32::try_from(r + 1)?;
        let t = s.prefecture(p);
        ws.write_number_with_format(row, 0, f64::from(p), &f.count)?;
        ws.write_string(row, 1, prefecture_label(p, Lang::Ja))?;
        for (i, (n, y)) in t.findings.iter().enumerate() {
            let col = u16::try_from(2 + 2 * i)?;
            #[allow(clippy::cast_precision_loss)]
            {
                ws.write_number_with_format(row, col, *n as f64, &f.count)?;
                ws.write_number_with_format(row, col + 1, *y as f64, &f.yen)?;
            }
        }
    }
    Ok(())
}

/// The audit by finding: how many, and the yen at stake (the claimed amount's distance from
/// the grant, over-claimed and under-claimed alike).
fn audit_sheet(ws: &mut Worksheet, audit: &[(Finding, u64, i64)], f: &Formats) -> Result<()> {
    page_setup(ws)?;
    head_row(
        ws,
        &[
            ("所見\nfinding", 16),
            ("所見（日本語）\nfinding_ja", 40),
            ("件数\nfindings", 12),
            ("金額差（絶対値の計）\nyen_at_stake", 20),
        ],
        f,
    )?;
    for (r, (finding, count, yen)) in audit.iter().enumerate() {
        let row = u32::try_from(r + 1)?;
        ws.write_string(row, 0, finding.id())?;
        ws.write_string(row, 1, finding.name(Lang::Ja))?;
        #[allow(clippy::cast_precision_loss)]
        {
            ws.write_number_with_format(row, 2, *count as f64, &f.count)?;
            ws.write_number_with_format(row, 3, *yen as f64, &f.yen)?;
        }
    }
    Ok(())
}
