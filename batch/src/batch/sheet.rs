//! Excel input (`.xlsx`, `.xlsm`): one sheet read as the rows of a CSV file would be. Every
//! cell becomes the text a person would have typed — a whole number without `.0`, a date
//! cell as `YYYY-MM-DD` — so the same parsers and validation apply, and a row's `line` is its
//! row number in the sheet (the header row is 1).

use anyhow::{Context, Result, bail};
use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{Days, NaiveDate};
use csv::{Position, StringRecord};
use onshi_core::input::whole_number;
use std::path::Path;

/// Whether `path` names a workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// A sheet's data rows, handed out in chunks as a CSV reader's are.
#[derive(Debug)]
pub struct SheetRows {
    /// `file.xlsx[Sheet]`: the input's name in messages and rejects.
    pub name: String,
    /// The file's size in bytes.
    pub len: u64,
    rows: std::vec::IntoIter<(u64, Vec<String>)>,
}

impl SheetRows {
    /// Opens `sheet` (the first when None) of the workbook; returns its rows after the header,
    /// and the header's cells.
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<(SheetRows, Vec<String>)> {
        let file = path.display().to_string();
        let mut wb: Xlsx<_> =
            open_workbook(path).with_context(|| format!("cannot open {file} as a workbook"))?;
        let names = wb.sheet_names();
        let chosen = match sheet {
            Some(s) if names.iter().any(|n| n == s) => s.to_owned(),
            Some(s) => bail!(
                "{file}: no sheet named {s:?} (sheets: {})",
                names.join(", ")
            ),
            None => match names.first() {
                Some(n) => n.clone(),
                None => bail!("{file}: the workbook has no sheet"),
            },
        };
        let range = wb
            .worksheet_range(&chosen)
            .with_context(|| format!("{file}: cannot read the sheet {chosen:?}"))?;
        let name = format!("{file}[{chosen}]");
        // The sheet's first used row may not be row 1: lines count from the sheet's top.
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut rows = range.rows().enumerate().map(|(i, cells)| {
            let line = first_row + i as u64 + 1;
            (line, cells.iter().map(cell_text).collect::<Vec<_>>())
        });
        let Some((_, header)) = rows.next() else {
            bail!("{name}: the sheet is empty");
        };
        // A row with no value at all is a blank line.
        let data: Vec<(u64, Vec<String>)> = rows
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect();
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        let sheet = SheetRows {
            name,
            len,
            rows: data.into_iter(),
        };
        Ok((sheet, header))
    }

    /// Up to `max` rows into `records` (reusing them); how many, 0 at the end.
    pub fn read_chunk(&mut self, records: &mut Vec<StringRecord>, max: usize) -> usize {
        let mut n = 0;
        while n < max {
            let Some((line, cells)) = self.rows.next() else {
                break;
            };
            if n == records.len() {
                records.push(StringRecord::new());
            }
            let r = &mut records[n];
            r.clear();
            // Trailing empty cells are the sheet's used width, not cells of this row.
            let used = cells
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |i| i + 1);
            for c in &cells[..used] {
                r.push_field(c);
            }
            let mut pos = Position::new();
            pos.set_line(line);
            r.set_position(Some(pos));
            n += 1;
        }
        n
    }
}

/// A cell as the text a person types: numbers without a needless `.0`, dates as ISO dates.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => whole_number(*f).map_or_else(|| f.to_string(), |i| i.to_string()),
        Data::Bool(b) => b.to_string(),
        // A time of day is dropped: dates here are days.
        Data::DateTime(d) if d.is_datetime() => d
            .as_datetime()
            .map_or_else(|| excel_date(d.as_f64()), |t| t.date().to_string()),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel date serial (days since 1899-12-30, in the 1900 system) as `YYYY-MM-DD`; a time
/// of day is dropped (dates here are days).
fn excel_date(serial: f64) -> String {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let days = whole_number(serial.floor()).and_then(|d| u64::try_from(d).ok());
    match days.and_then(|d| epoch.checked_add_days(Days::new(d))) {
        Some(date) => date.to_string(),
        None => serial.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_typed_text() {
        assert_eq!(cell_text(&Data::Float(279_950.0)), "279950");
        assert_eq!(cell_text(&Data::Float(-0.0)), "0");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Int(3)), "3");
        // 44286 is 2021-03-31 in Excel's 1900 system.
        assert_eq!(excel_date(44286.0), "2021-03-31");
        assert_eq!(excel_date(44286.75), "2021-03-31");
    }
}
