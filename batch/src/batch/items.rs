//! The line-items file: quotes itemised per institution, read and checked before the
//! institutions so each institution can take its items.

use anyhow::{Context, Result};
use csv::StringRecord;
use onshi_core::parse::{
    InstitutionCode, ParseError, parse_amount, parse_bool, parse_institution_code,
    parse_line_item_category,
};
use onshi_core::{LineItem, RuleSet};
use std::collections::HashMap;
use std::path::Path;

use super::columns::{Header, ITEM_COLUMNS, ItemCol};
use super::encoding::Encoding;
use super::source;
use super::{Reject, RowError};

/// The line items of one institution.
#[derive(Debug, Default)]
pub struct ItemsFor {
    pub items: Vec<LineItem>,
    /// Lines of the good items.
    pub lines: Vec<u64>,
    /// Lines of items that were rejected: the institution's cost is then unknown.
    pub bad_lines: Vec<u64>,
}

/// The whole line-items file.
#[derive(Debug, Default)]
pub struct LineItems {
    pub file: String,
    pub encoding: Option<Encoding>,
    pub by_code: HashMap<InstitutionCode, ItemsFor>,
    /// Rows rejected on their own (bad code, category, amount, tax flag).
    pub rejects: Vec<Reject>,
    pub rows: u64,
    pub extra_columns: Vec<String>,
}

impl LineItems {
    pub fn load(path: &Path, forced: Option<Encoding>, rules: &RuleSet) -> Result<LineItems> {
        let file = path.display().to_string();
        let (mut reader, encoding, _) = source::open(path, forced)?;
        let headers = reader
            .headers()
            .with_context(|| format!("{file}: cannot read the header"))?
            .clone();
        let header = Header::read(
            &file,
            headers.iter(),
            &ITEM_COLUMNS,
            &[
                ItemCol::InstitutionCode,
                ItemCol::Category,
                ItemCol::Amount,
                ItemCol::TaxIncluded,
            ],
        )?;
        let max = rules.file().money.max_amount.value;
        let mut out = LineItems {
            file: file.clone(),
            encoding: Some(encoding),
            extra_columns: header.extra.clone(),
            ..LineItems::default()
        };
        let mut record = StringRecord::new();
        loop {
            let more = reader
                .read_record(&mut record)
                .with_context(|| format!("{file}: cannot read"))?;
            if !more {
                break;
            }
            out.rows += 1;
            let line = source::line_of(&record);
            let cell = |c: ItemCol| {
                header
                    .index(c)
                    .and_then(|i| record.get(i))
                    .unwrap_or("")
                    .trim()
            };
            let label = |c: ItemCol| header.label(c).unwrap_or("").to_owned();
            let mut errors = Vec::new();
            let code_text = cell(ItemCol::InstitutionCode);
            let code = if code_text.is_empty() {
                errors.push(RowError::missing(label(ItemCol::InstitutionCode)));
                None
            } else {
                parse_institution_code(code_text, None, rules)
                    .map_err(|e| errors.push(RowError::parse(label(ItemCol::InstitutionCode), e)))
                    .ok()
            };
            // Read once here with the core's parsers; the rows borrow the result.
            let mut read = |c: ItemCol, text: &str, r: Result<(), ParseError>| {
                if text.is_empty() {
                    errors.push(RowError::missing(label(c)));
                } else if let Err(e) = r {
                    errors.push(RowError::parse(label(c), e));
                }
            };
            let category_text = cell(ItemCol::Category);
            let category = parse_line_item_category(category_text);
            let amount_text = cell(ItemCol::Amount);
            let amount = parse_amount(amount_text, max);
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
                (Some(code), true, Ok(category), Ok(amount), Ok(tax_included)) => {
                    let e = out.by_code.entry(code).or_default();
                    e.items.push(LineItem {
                        category,
                        amount,
                        tax_included,
                    });
                    e.lines.push(line);
                }
                (code, ..) => {
                    if let Some(code) = code {
                        out.by_code.entry(code).or_default().bad_lines.push(line);
                    }
                    out.rejects.push(Reject::new(&file, line, &record, errors));
                }
            }
        }
        Ok(out)
    }
}
