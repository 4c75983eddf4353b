//! Excel input (`.xlsx`, `.xlsm`): one sheet read as the rows of a CSV file would be. Every
//! cell becomes the text a person would have typed — a whole number without `.0`, a date
//! cell as `YYYY-MM-DD` — so the same parsers and validation apply, and a row's `line` is its
//! row number in the sheet (the header row is 1).

use anyhow::{Context, Result, bail};
use calamine::{Data, DataRef, Reader, SheetType, SheetVisible, Xlsx};
use chrono::{Days, NaiveDate};
use csv::{Position, StringRecord};
use onshi_core::input::whole_number;
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// The widest sheet read: a cell with a value beyond this column is not part of an export's
/// table (the header has about fifteen), and reading to it would only waste memory.
const MAX_COLUMNS: u32 = 1024;

/// The most cells read (the national file has about three million).
const MAX_CELLS: usize = 64 << 20;

/// What a cell's text starts with when the cell cannot be read as a value: the row is then
/// rejected for it (see [`fault`]). No text a person types holds this control character; a
/// CSV cell that does is rejected as a control character anyway.
pub const FAULT: char = '\u{1}';

/// How a sheet cell fails to be a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// One of Excel's error values (`#N/A`).
    Error,
    /// A formula saved without its value.
    Formula,
    /// A code stored as a number whose leading zero cannot be put back.
    LeadingZero,
}

impl Fault {
    fn tag(self) -> char {
        match self {
            Fault::Error => 'E',
            Fault::Formula => 'F',
            Fault::LeadingZero => 'Z',
        }
    }

    fn mark(self, shown: &str) -> String {
        format!("{FAULT}{}{shown}", self.tag())
    }
}

/// The fault a cell's text carries, and the text to show for the cell.
pub fn fault(cell: &str) -> Option<(Fault, &str)> {
    let rest = cell.strip_prefix(FAULT)?;
    let mut chars = rest.chars();
    let fault = match chars.next()? {
        'E' => Fault::Error,
        'F' => Fault::Formula,
        'Z' => Fault::LeadingZero,
        _ => return None,
    };
    Some((fault, chars.as_str()))
}

/// Whether `path` names a workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// What a column holds, for reading its number cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An institution code: a number cell lost its leading zero.
    Code,
    Other,
}

/// A sheet's data rows, handed out in chunks as a CSV reader's are.
#[derive(Debug)]
pub struct SheetRows {
    /// `file.xlsx[Sheet]`: the input's name in messages and rejects.
    pub name: String,
    /// The file's size in bytes.
    pub len: u64,
    rows: std::vec::IntoIter<(u64, Vec<Data>)>,
    /// The columns that hold codes.
    codes: Vec<usize>,
}

impl SheetRows {
    /// Opens `sheet` (the first visible one when None) of the workbook, checked whole first;
    /// returns its rows after the header, and the header's cells.
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<(SheetRows, Vec<String>)> {
        let file = path.display().to_string();
        let bytes = super::package::checked(path, &file)?;
        let mut wb: Xlsx<Cursor<Vec<u8>>> =
            Xlsx::new(bytes).with_context(|| format!("cannot open {file} as a workbook"))?;
        let chosen = choose_sheet(&wb, sheet, &file)?;
        let name = format!("{file}[{chosen}]");
        let formulas = formulas(&mut wb, &chosen, &name)?;
        let mut rows = cells(&mut wb, &chosen, &name, &formulas)?.into_iter();
        let Some((_, header)) = rows.next() else {
            bail!("{name}: the sheet is empty");
        };
        let header = header.iter().map(|c| cell_text(c, Role::Other)).collect();
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        let sheet = SheetRows {
            name,
            len,
            rows: rows.collect::<Vec<_>>().into_iter(),
            codes: Vec::new(),
        };
        Ok((sheet, header))
    }

    /// Says which columns hold institution codes (their number cells are read as codes).
    pub fn set_code_columns(&mut self, columns: Vec<usize>) {
        self.codes = columns;
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
            for (i, c) in cells.iter().enumerate() {
                let role = match self.codes.contains(&i) {
                    true => Role::Code,
                    false => Role::Other,
                };
                r.push_field(&cell_text(c, role));
            }
            let mut pos = Position::new();
            pos.set_line(line);
            r.set_position(Some(pos));
            n += 1;
        }
        n
    }
}

/// The sheet named, or the first visible worksheet; a hidden sheet skipped or chosen is said
/// on stderr (a workbook's first tab is not always its first sheet).
fn choose_sheet(wb: &Xlsx<Cursor<Vec<u8>>>, sheet: Option<&str>, file: &str) -> Result<String> {
    let sheets = wb.sheets_metadata();
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    let hidden = |s: &calamine::Sheet| s.visible != SheetVisible::Visible;
    if let Some(want) = sheet {
        let Some(s) = sheets.iter().find(|s| s.name == want) else {
            bail!(
                "{file}: no sheet named {want:?} (sheets: {})",
                names.join(", ")
            );
        };
        if hidden(s) {
            eprintln!(
                "onshi: {file}: the sheet {want:?} is hidden in the workbook; reading it as asked"
            );
        }
        return Ok(want.to_owned());
    }
    let Some(first) = sheets
        .iter()
        .find(|s| !hidden(s) && s.typ == SheetType::WorkSheet)
    else {
        bail!(
            "{file}: the workbook has no visible worksheet (sheets: {})",
            names.join(", ")
        );
    };
    let skipped: Vec<&str> = sheets
        .iter()
        .take_while(|s| s.name != first.name)
        .map(|s| s.name.as_str())
        .collect();
    if !skipped.is_empty() {
        eprintln!(
            "onshi: {file}: reading the first visible sheet {:?}; skipped before it: {} \
             (hidden, or not a worksheet; --sheet NAME chooses)",
            first.name,
            skipped.join(", ")
        );
    }
    Ok(first.name.clone())
}

/// The sheet's formula cells, by (row, column).
fn formulas(
    wb: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    name: &str,
) -> Result<HashMap<(u32, u32), String>> {
    let mut reader = wb
        .worksheet_cells_reader(sheet)
        .with_context(|| format!("{name}: cannot read the sheet"))?;
    let mut out = HashMap::new();
    while let Some(cell) = reader
        .next_formula()
        .with_context(|| format!("{name}: cannot read the sheet"))?
    {
        if !cell.get_value().is_empty() {
            out.insert(cell.get_position(), cell.get_value().clone());
        }
    }
    Ok(out)
}

/// The sheet's rows that hold a value, in order, each with its line (its row number): read
/// cell by cell, so that a value far out (`XFD1048576`) costs nothing but is refused, and a
/// sheet of millions of empty formatted cells is not a table of them.
fn cells(
    wb: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    name: &str,
    formulas: &HashMap<(u32, u32), String>,
) -> Result<Vec<(u64, Vec<Data>)>> {
    let mut reader = wb
        .worksheet_cells_reader(sheet)
        .with_context(|| format!("{name}: cannot read the sheet"))?;
    let mut rows: Vec<(u64, Vec<Data>)> = Vec::new();
    let mut count = 0_usize;
    while let Some(cell) = reader
        .next_cell()
        .with_context(|| format!("{name}: cannot read the sheet"))?
    {
        let (row, col) = cell.get_position();
        let value = match (cell.get_value(), formulas.get(&(row, col))) {
            (DataRef::Empty, Some(f)) => Data::String(Fault::Formula.mark(&format!("={f}"))),
            (DataRef::Empty, None) => continue,
            (v, _) => Data::from(v.clone()),
        };
        if col >= MAX_COLUMNS {
            bail!(
                "{name}: cell {} holds a value beyond column {MAX_COLUMNS}, far outside any \
                 export's table; delete it (or the columns after the table) and save again",
                cell_name(row, col)
            );
        }
        count += 1;
        if count > MAX_CELLS {
            bail!("{name}: more than {MAX_CELLS} cells hold values: this is not an export");
        }
        let line = u64::from(row) + 1;
        if rows.last().is_none_or(|(l, _)| *l != line) {
            rows.push((line, Vec::new()));
        }
        let cells = &mut rows.last_mut().expect("pushed above").1;
        let at = col as usize;
        if cells.len() <= at {
            cells.resize(at + 1, Data::Empty);
        }
        cells[at] = value;
    }
    // Rows come in order in every workbook Excel writes; put any other back in order.
    rows.sort_by_key(|(line, _)| *line);
    rows.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            for (i, c) in std::mem::take(&mut later.1).into_iter().enumerate() {
                if c != Data::Empty {
                    if first.1.len() <= i {
                        first.1.resize(i + 1, Data::Empty);
                    }
                    first.1[i] = c;
                }
            }
        }
        same
    });
    Ok(rows)
}

/// A cell's A1 name (`XFD1048576`).
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// A cell as the text a person types: numbers without a needless `.0`, dates as ISO dates
/// of the day the cell shows; a code typed as a number gets its leading zero back when its
/// check digit then holds; an error value or a formula without its value is a [`Fault`].
fn cell_text(cell: &Data, role: Role) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) if role == Role::Code => code_number(*i),
        Data::Float(f) if role == Role::Code => match whole_number(*f) {
            Some(i) => code_number(i),
            None => f.to_string(),
        },
        Data::Int(i) => i.to_string(),
        Data::Float(f) => whole_number(*f).map_or_else(|| f.to_string(), |i| i.to_string()),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => shown_day(d),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => Fault::Error.mark(&e.to_string()),
    }
}

/// A code stored as a number: Excel drops the leading zero of prefectures 01–09. Put back
/// when the ten digits then pass the check digit; else the row is rejected saying so.
fn code_number(n: i64) -> String {
    let digits = n.to_string();
    if n <= 0 || digits.len() >= 10 {
        return digits;
    }
    static RULES: std::sync::OnceLock<onshi_core::RuleSet> = std::sync::OnceLock::new();
    let padded = format!("{n:010}");
    let rules = RULES.get_or_init(onshi_core::RuleSet::latest);
    match onshi_core::parse::parse_institution_code(&padded, None, rules) {
        Ok(_) => padded,
        Err(_) => Fault::LeadingZero.mark(&digits),
    }
}

/// The day a date-time cell shows: its date part. The reader rounds the time to the
/// millisecond, which carries a time a fraction of a second before midnight into the next
/// day; such a cell shows the day before.
fn shown_day(d: &calamine::ExcelDateTime) -> String {
    let Some(t) = d.as_datetime() else {
        return excel_date(d.as_f64());
    };
    let carried = t.time() == chrono::NaiveTime::MIN && d.as_f64().fract() > 0.5;
    let day = match carried {
        true => t.date().pred_opt().unwrap_or(t.date()),
        false => t.date(),
    };
    day.to_string()
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
        let text = |d: Data| cell_text(&d, Role::Other);
        assert_eq!(text(Data::Float(279_950.0)), "279950");
        assert_eq!(text(Data::Float(-0.0)), "0");
        assert_eq!(text(Data::Float(1.5)), "1.5");
        assert_eq!(text(Data::Int(3)), "3");
        assert_eq!(text(Data::Error(calamine::CellErrorType::NA)), "\u{1}E#N/A");
        assert_eq!(fault("\u{1}E#N/A"), Some((Fault::Error, "#N/A")));
        assert_eq!(fault("#N/A"), None);
        // A code that lost its leading zero: put back when the check digit holds.
        let code = |d: Data| cell_text(&d, Role::Code);
        assert_eq!(code(Data::Float(110_113_719.0)), "0110113719");
        assert_eq!(code(Data::Int(110_113_718)), "\u{1}Z110113718");
        assert_eq!(code(Data::Int(1_310_112_342)), "1310112342");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(0, 26), "AA1");
        // 44286 is 2021-03-31 in Excel's 1900 system.
        assert_eq!(excel_date(44286.0), "2021-03-31");
        assert_eq!(excel_date(44286.75), "2021-03-31");
    }
}
