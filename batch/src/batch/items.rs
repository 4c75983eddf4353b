//! The line-items file: quotes itemised per institution, read and checked before the
//! institutions so each institution can take its items.

use anyhow::{Context, Result};
use csv::StringRecord;
use onshi_core::parse::{
    InstitutionCode, parse_amount, parse_bool, parse_institution_code, parse_line_item_category,
};
use onshi_core::{Field, ItemField, LineItem, Reason, RuleSet};
use rayon::prelude::*;
use std::path::Path;

use super::columns::{Header, ITEM_COLUMNS, ItemCol};
use super::encoding::Encoding;
use super::source::{self, TextOptions};
use super::{Reject, RowError};

/// Records read at a time; each chunk is parsed on every worker thread.
const CHUNK: usize = 1 << 16;

/// The line items of one institution.
#[derive(Debug, Default)]
pub struct ItemsFor {
    pub items: Vec<LineItem>,
    /// Lines of the good items.
    pub lines: Vec<u64>,
    /// Lines of items that were rejected: the institution's cost is then unknown.
    pub bad_lines: Vec<u64>,
}

/// A row's share of a join on disk (`spill`): whether it repeats an earlier row's code, and its line items.
#[derive(Debug, Default)]
pub struct Attachment {
    /// The first line with this row's code, when this is not it.
    pub duplicate_of: Option<u64>,
    /// The row's line items (every row with the code gets them, as in memory).
    pub items: ItemsFor,
}

/// The attachments of one chunk of rows, by line.
#[derive(Debug, Default)]
pub struct Attached(pub(super) Vec<(u64, Attachment)>);

impl Attached {
    pub fn get(&self, line: u64) -> Option<&Attachment> {
        self.0
            .binary_search_by_key(&line, |(l, _)| *l)
            .ok()
            .map(|i| &self.0[i].1)
    }
}

/// The whole line-items file.
#[derive(Debug, Default)]
pub struct LineItems {
    /// The file's name, encoding and ignored columns (None: no file was read).
    pub read: Option<ItemsFile>,
    pub by_code: super::CodeMap<ItemsFor>,
    /// Rows rejected on their own (bad code, category, amount, tax flag).
    pub rejects: Vec<Reject>,
    pub rows: u64,
}

/// One row of the file, read on a worker thread and filed in input order afterwards.
pub(super) enum ItemRow {
    Good {
        code: InstitutionCode,
        line: u64,
        item: LineItem,
    },
    Bad {
        code: Option<InstitutionCode>,
        reject: Reject,
    },
}

/// What reading a row needs.
struct Reading<'a> {
    file: &'a str,
    header: &'a Header<ItemCol>,
    rules: &'a RuleSet,
    max: u64,
}

/// The file read, whatever was done with its rows.
#[derive(Debug)]
pub struct ItemsFile {
    pub file: String,
    pub encoding: Encoding,
    pub extra_columns: Vec<String>,
}

/// Reads the line-items file chunk by chunk, handing each chunk's rows, in input order, to
/// `each` (which runs while the next chunk is read).
pub(super) fn read_rows(
    path: &Path,
    options: TextOptions,
    sheet: Option<&str>,
    rules: &RuleSet,
    mut each: impl FnMut(Vec<ItemRow>) -> Result<()> + Send,
) -> Result<ItemsFile> {
    let (mut reader, encoding, _, header) = source::open_with_header(
        path,
        options,
        sheet,
        &ITEM_COLUMNS,
        &[
            ItemCol::InstitutionCode,
            ItemCol::Category,
            ItemCol::Amount,
            ItemCol::TaxIncluded,
        ],
    )?;
    let file = reader.name(path);
    let reading = Reading {
        file: &file,
        header: &header,
        rules,
        max: rules.file().money.max_amount.value,
    };
    let cannot_read = || format!("{file}: cannot read");
    // Two sets of records: the next chunk is read while the current one is parsed and filed.
    let (mut records, mut next) = (Vec::new(), Vec::new());
    let mut n = source::read_chunk(&mut reader, &mut records, CHUNK).with_context(cannot_read)?;
    while n > 0 {
        let current = &records[..n];
        let (done, more) = rayon::join(
            || each(current.par_iter().map(|r| reading.row(r)).collect()),
            || source::read_chunk(&mut reader, &mut next, CHUNK),
        );
        done?;
        std::mem::swap(&mut records, &mut next);
        n = more.with_context(cannot_read)?;
    }
    Ok(ItemsFile {
        file,
        encoding,
        extra_columns: header.extra.clone(),
    })
}

impl LineItems {
    pub fn load(
        path: &Path,
        options: TextOptions,
        sheet: Option<&str>,
        rules: &RuleSet,
    ) -> Result<LineItems> {
        let mut out = LineItems::default();
        let read = read_rows(path, options, sheet, rules, |rows| {
            out.file(rows);
            Ok(())
        })?;
        out.read = Some(read);
        Ok(out)
    }

    /// Files read rows under their institution, in input order.
    fn file(&mut self, rows: Vec<ItemRow>) {
        for row in rows {
            self.rows += 1;
            match row {
                ItemRow::Good { code, line, item } => {
                    let e = self.by_code.entry(code).or_default();
                    e.items.push(item);
                    e.lines.push(line);
                }
                ItemRow::Bad { code, reject } => {
                    if let Some(code) = code {
                        self.by_code
                            .entry(code)
                            .or_default()
                            .bad_lines
                            .push(reject.line);
                    }
                    self.rejects.push(reject);
                }
            }
        }
    }
}

impl Reading<'_> {
    /// Reads one row with the core's parsers; every bad value of it is named.
    fn row(&self, record: &StringRecord) -> ItemRow {
        let line = source::line_of(record);
        let cell = |c: ItemCol| {
            self.header
                .index(c)
                .and_then(|i| record.get(i))
                .map_or("", onshi_core::parse::trim)
        };
        let label = |c: ItemCol| self.header.label(c).unwrap_or("").to_owned();
        let mut errors: Vec<RowError> = self.header.extra_cells(record).into_iter().collect();
        errors.extend(self.header.control_characters(record));
        let code_text = cell(ItemCol::InstitutionCode);
        let code_col = label(ItemCol::InstitutionCode);
        let code = if code_text.is_empty() {
            errors.push(RowError::missing(code_col, Field::InstitutionCode));
            None
        } else {
            parse_institution_code(code_text, None, self.rules)
                .map_err(|reason| {
                    let e = RowError::new(code_col, Field::InstitutionCode, code_text, reason);
                    errors.push(e);
                })
                .ok()
        };
        // One line item per row: its values are those of the first item.
        let field = |c: ItemCol| {
            let field = match c {
                ItemCol::Category => ItemField::Category,
                ItemCol::Amount => ItemField::Amount,
                _ => ItemField::TaxIncluded,
            };
            Field::Item { index: 0, field }
        };
        let mut read = |c: ItemCol, text: &str, r: Result<(), Reason>| {
            if text.is_empty() {
                errors.push(RowError::missing(label(c), field(c)));
            } else if let Err(reason) = r {
                errors.push(RowError::new(label(c), field(c), text, reason));
            }
        };
        let category_text = cell(ItemCol::Category);
        let category = parse_line_item_category(category_text);
        let amount_text = cell(ItemCol::Amount);
        let amount = parse_amount(amount_text, self.max);
        let tax_text = cell(ItemCol::TaxIncluded);
        let tax = parse_bool(tax_text);
        read(
            ItemCol::Category,
            category_text,
            category.as_ref().map(drop).map_err(Clone::clone),
        );
        read(
            ItemCol::Amount,
            amount_text,
            amount.as_ref().map(drop).map_err(Clone::clone),
        );
        read(
            ItemCol::TaxIncluded,
            tax_text,
            tax.as_ref().map(drop).map_err(Clone::clone),
        );
        match (code, errors.is_empty(), category, amount, tax) {
            (Some(code), true, Ok(category), Ok(amount), Ok(tax_included)) => ItemRow::Good {
                code,
                line,
                item: LineItem {
                    category,
                    amount,
                    tax_included,
                },
            },
            (code, ..) => ItemRow::Bad {
                code,
                reject: Reject::new(self.file, line, record, errors),
            },
        }
    }
}
