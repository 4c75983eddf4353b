//! One institution row: read through the core's input path, assessed, audited.

use csv::StringRecord;
use onshi_core::input::{InputView, ItemsView, Value};
use onshi_core::parse::{InstitutionCode, parse_institution_code};
use onshi_core::{
    AssessOptions, Assessment, Field, Finding, Institution, RuleSet, Yen, assess, audit, explain,
};
use smallvec::SmallVec;

use super::RowError;
use super::columns::{Col, Header, canonical};
use super::items::{Attached, ItemsFor, LineItems};
use super::source;

/// What rows need to be read and assessed.
pub struct Ctx<'a> {
    pub rules: &'a RuleSet,
    /// The `--compare` scenarios, in the order given.
    pub compare: &'a [RuleSet],
    pub header: &'a Header<Col>,
    /// The line items in memory (empty when they are joined on disk).
    pub items: &'a LineItems,
    /// The line-items file's name, in messages.
    pub items_file: &'a str,
    /// Whether audit findings are wanted (grants name them, the report counts them).
    pub findings: bool,
    /// Whether each finding's deciding step is explained (only audit.csv shows it).
    pub explain_findings: bool,
    /// Whether each computed row's line of grants.csv is written (on the workers).
    pub grants_csv: bool,
}

/// An institution assessed (borrowing text from the rule set).
pub struct Computed<'r> {
    pub code: InstitutionCode,
    pub assessment: Assessment<'r>,
    /// The grant under each `--compare` scenario.
    pub compare: SmallVec<[Yen; 2]>,
    /// Audit findings with the explained step that decides each.
    pub findings: Vec<(Finding, Option<AuditStep>)>,
    /// The row's line of grants.csv, when it is wanted.
    pub grants_line: Vec<u8>,
}

/// The explained step of an audit finding, as `audit.csv` writes it.
pub struct AuditStep {
    pub step: &'static str,
    /// The rule keys the step read, joined by `;`.
    pub parameter: String,
    /// Their citations (Japanese), joined by `; `.
    pub citation: String,
    pub trace: String,
    pub trace_en: String,
}

impl AuditStep {
    fn of(s: &explain::TraceStep<'_>) -> AuditStep {
        AuditStep {
            step: s.step,
            parameter: s.keys(),
            citation: s.citations(onshi_core::Lang::Ja),
            trace: format!("{}: {}", s.label, s.detail),
            trace_en: format!("{}: {}", s.label_en, s.detail_en),
        }
    }
}

/// One row after the parallel stage (duplicates are found after it, in input order).
pub struct Row<'r> {
    pub line: u64,
    /// The code, when it reads as a code at all (for duplicate detection).
    pub key: Option<InstitutionCode>,
    pub result: Result<Box<Computed<'r>>, Vec<RowError>>,
}

/// A cell of the row, trimmed; None when empty or absent.
fn cell<'r>(header: &Header<Col>, record: &'r StringRecord, c: Col) -> Option<&'r str> {
    header
        .index(c)
        .and_then(|i| record.get(i))
        .map(onshi_core::parse::trim)
        .filter(|s| !s.is_empty())
}

/// The row's code cell, and the code it reads as (the key of duplicates and line items,
/// whether or not the row is computed).
pub fn code_of<'r>(
    header: &Header<Col>,
    record: &'r StringRecord,
    rules: &RuleSet,
) -> (Option<&'r str>, Option<InstitutionCode>) {
    let text = cell(header, record, Col::InstitutionCode);
    (
        text,
        text.and_then(|t| parse_institution_code(t, None, rules).ok()),
    )
}

impl<'a> Ctx<'a> {
    fn cell<'r>(&self, record: &'r StringRecord, c: Col) -> Option<&'r str> {
        cell(self.header, record, c)
    }

    fn label(&self, c: Col) -> String {
        self.header.label(c).unwrap_or(canonical(c)).to_owned()
    }

    /// Reads, assesses and audits one row.
    /// `attached`: the chunk's share of a join on disk (else the line items are looked up in
    /// memory).
    pub fn process(&self, record: &StringRecord, attached: Option<&Attached>) -> Row<'a> {
        let line = source::line_of(record);
        let (code_text, key) = code_of(self.header, record, self.rules);
        let items = key.and_then(|k| match attached {
            Some(a) => a.get(line).map(|a| &a.items),
            None => self.items.by_code.get(&k),
        });
        let result = self.compute(record, code_text, key, items);
        Row { line, key, result }
    }

    /// The row's name as read (trimmed; empty when there is none).
    pub fn name<'r>(&self, record: &'r StringRecord) -> &'r str {
        self.cell(record, Col::Name).unwrap_or("")
    }

    fn compute(
        &self,
        record: &StringRecord,
        code_text: Option<&str>,
        key: Option<InstitutionCode>,
        items: Option<&ItemsFor>,
    ) -> Result<Box<Computed<'a>>, Vec<RowError>> {
        let text = |c: Col| self.cell(record, c);
        let scalar = |c: Col| text(c).map(Value::Text);
        let mut errors = Vec::new();
        // A cell too many shifts nothing (columns are found by header) but means a value was
        // cut in two: the row is not computed from half of it.
        errors.extend(self.header.extra_cells(record));
        errors.extend(self.header.control_characters(record));
        if code_text.is_none() {
            let column = self.label(Col::InstitutionCode);
            errors.push(RowError::missing(column, Field::InstitutionCode));
        }
        if let Some(bad) = items.filter(|i| !i.bad_lines.is_empty()) {
            errors.push(RowError::bad_line_items(self.items_file, &bad.bad_lines));
        }
        let items = items.filter(|i| !i.items.is_empty());
        let input = InputView {
            institution_code: code_text,
            // Read once, for the duplicates check; the core checks it against the kind.
            institution_code_read: key,
            kind: text(Col::Kind),
            group_rx_per_month: scalar(Col::GroupRxPerMonth),
            readers: scalar(Col::Readers),
            reader_applied_on: text(Col::ReaderAppliedOn),
            completed_on: text(Col::CompletedOn),
            applied_on: text(Col::AppliedOn),
            contracted_on: text(Col::ContractedOn),
            operation_started_on: text(Col::OperationStartedOn),
            deferral: scalar(Col::Deferral),
            // A disposal is priced one institution at a time (`onshi assess`, the page).
            disposed_on: None,
            // Line items replace the total for the institutions they name.
            total_cost: if items.is_some() {
                None
            } else {
                scalar(Col::TotalCost)
            },
            line_items: items.map(|i| ItemsView::Read(&i.items)),
            claimed: scalar(Col::Claimed),
        };
        let institution = match Institution::from_view(input, self.rules) {
            Ok(i) if errors.is_empty() => i,
            Ok(_) => return Err(errors),
            Err(e) => {
                errors.extend(e.0.into_iter().map(|error| RowError {
                    column: self.column_of(error.field),
                    error,
                }));
                return Err(errors);
            }
        };
        let Some(code) = institution.code else {
            return Err(errors);
        };
        let assessment = assess(self.rules, &institution, AssessOptions::default());
        let compare = self
            .compare
            .iter()
            .map(|r| assess(r, &institution, AssessOptions::default()).grant)
            .collect();
        // The findings' steps are explained from the row's one assessment.
        let findings = match self.findings {
            true => audit(&assessment)
                .into_iter()
                .map(|f| {
                    let step = self
                        .explain_findings
                        .then(|| explain::step(&assessment, f.step()));
                    (f, step.flatten().map(|s| AuditStep::of(&s)))
                })
                .collect(),
            false => Vec::new(),
        };
        Ok(Box::new(Computed {
            code,
            assessment,
            compare,
            findings,
            grants_line: Vec::new(),
        }))
    }

    /// The header's name of the column an input field came from.
    fn column_of(&self, field: Field) -> String {
        match field {
            Field::Item { .. } | Field::LineItems => self.items_file.to_owned(),
            // The core reads values, never the shape of a row.
            Field::Record => String::new(),
            column => self.label(column),
        }
    }
}
