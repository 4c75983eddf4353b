//! The line-items file: quotes itemised per institution, read and checked before the
//! institutions so each institution can take its items.

use anyhow::{Context, Result};
use csv::StringRecord;
use onshi_core::RuleSet;
use onshi_core::input::LineItemInput;
use onshi_core::input::Scalar;
use onshi_core::parse::{
    InstitutionCode, parse_amount, parse_bool, parse_institution_code, parse_line_item_category,
};
use std::collections::HashMap;
use std::path::Path;

use super::columns::{Header, ITEM_COLUMNS, ItemCol};
use super::encoding::Encoding;
use super::source;
use super::{Reject, RowError};

/// The line items of one institution.
#[derive(Debug, Default)]
pub struct ItemsFor {
    pub items: Vec<LineItemInput>,
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
                    .to_owned()
            };
            let label = |c: ItemCol| header.label(c).unwrap_or("").to_owned();
            let mut errors = Vec::new();
            let code_text = cell(ItemCol::InstitutionCode);
            let code = if code_text.is_empty() {
                errors.push(RowError::missing(label(ItemCol::InstitutionCode)));
                None
            } else {
                parse_institution_code(&code_text, None, rules)
                    .map_err(|e| errors.push(RowError::parse(label(ItemCol::InstitutionCode), e)))
                    .ok()
            };
            let category = cell(ItemCol::Category);
            let amount = cell(ItemCol::Amount);
            let tax = cell(ItemCol::TaxIncluded);
            for (c, text, check) in [
                (
                    ItemCol::Category,
                    &category,
                    parse_line_item_category(&category).map(drop),
                ),
                (
                    ItemCol::Amount,
                    &amount,
                    parse_amount(&amount, max).map(drop),
                ),
                (ItemCol::TaxIncluded, &tax, parse_bool(&tax).map(drop)),
            ] {
                if text.is_empty() {
                    errors.push(RowError::missing(label(c)));
                } else if let Err(e) = check {
                    errors.push(RowError::parse(label(c), e));
                }
            }
            let description = Some(cell(ItemCol::Description)).filter(|d| !d.is_empty());
            match (code, errors.is_empty()) {
                (Some(code), true) => {
                    let e = out.by_code.entry(code).or_default();
                    e.items.push(LineItemInput {
                        category,
                        amount: Scalar::Text(amount),
                        tax_included: Scalar::Text(tax),
                        description,
                    });
                    e.lines.push(line);
                }
                (code, _) => {
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
