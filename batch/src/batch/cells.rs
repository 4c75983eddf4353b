//! Cells and lines of the CSV outputs, as they are written: text made inert for
//! spreadsheets, polars' quoting kept for grants.csv, a reject's fields.

use onshi_core::{Lang, Yen};

use super::Reject;
use super::rows::Computed;
use super::summary::scenario_col;

/// A text cell as a spreadsheet may open it: one that begins with `=`, `+`, `-`, `@`, a tab
/// or a CR would be run as a formula (CSV injection), so it gets a leading `'` (OWASP).
pub fn excel_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// grants.csv's columns; each `--compare` scenario adds two after them.
const GRANT_COLUMNS: [&str; 24] = [
    "line",
    "institution_code",
    "name",
    "prefecture",
    "kind",
    "category",
    "readers_applied",
    "readers_provided",
    "cap",
    "total_cost",
    "eligible_cost",
    "ineligible_cost",
    "standard_grant",
    "special_grant",
    "regime",
    "measure",
    "grant",
    "self_pay",
    "form",
    "estimate",
    "claimed",
    "claim_difference",
    "audit",
    "notices",
];

/// grants.csv's header line.
pub fn grants_header(scenarios: &[String]) -> Vec<u8> {
    let mut names: Vec<String> = GRANT_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for id in scenarios {
        names.push(scenario_col("grant", id));
        names.push(scenario_col("difference", id));
    }
    let mut b = Vec::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        csv_text(&mut b, Some(n));
    }
    b.push(b'\n');
    b
}

/// One row of grants.csv for a computed institution (`name` as read; written
/// [`excel_safe`]). Cells are written as polars' CSV writer wrote them, so that the file
/// keeps its bytes: numbers plain, a missing value empty, `true`/`false`.
pub fn grant_line(line: u64, c: &Computed, name: &str) -> Vec<u8> {
    let a = &c.assessment;
    let mut b = Vec::with_capacity(320);
    let mut num = itoa::Buffer::new();
    let mut int = |b: &mut Vec<u8>, v: Option<i64>| {
        if let Some(v) = v {
            b.extend_from_slice(num.format(v).as_bytes());
        }
        b.push(b',');
    };
    int(&mut b, Some(line as i64));
    b.extend_from_slice(&c.code.ascii());
    b.push(b',');
    csv_text(
        &mut b,
        Some(excel_safe(name)).filter(|n| !n.is_empty()).as_deref(),
    );
    b.push(b',');
    int(&mut b, Some(i64::from(c.code.prefecture())));
    // Ids are snake_case ASCII: nothing to quote.
    for id in [a.kind.id(), a.category.id()] {
        b.extend_from_slice(id.as_bytes());
        b.push(b',');
    }
    int(&mut b, Some(i64::from(a.readers_applied)));
    int(&mut b, Some(i64::from(a.readers_provided)));
    for y in [
        a.cap,
        a.total_cost,
        a.eligible_cost,
        a.ineligible_cost,
        a.standard_grant,
    ] {
        int(&mut b, Some(y.whole()));
    }
    int(&mut b, a.special_grant.map(Yen::whole));
    b.extend_from_slice(a.regime.id().as_bytes());
    b.push(b',');
    // The measure that paid (empty when nothing is paid): standard, special_2020, ….
    b.extend_from_slice(a.measure.map_or("", onshi_core::Measure::id).as_bytes());
    b.push(b',');
    int(&mut b, Some(a.grant.whole()));
    int(&mut b, Some(a.self_pay.whole()));
    csv_text(&mut b, a.form);
    b.push(b',');
    b.extend_from_slice(if a.estimate { b"true," } else { b"false," });
    int(&mut b, a.claimed.map(Yen::whole));
    int(&mut b, a.claim_difference.map(Yen::whole));
    csv_ids(&mut b, c.findings.iter().map(|(f, _)| f.id()));
    b.push(b',');
    csv_ids(&mut b, a.notices.iter().map(|n| n.code.id()));
    for g in &c.compare {
        b.push(b',');
        b.extend_from_slice(num.format(g.whole()).as_bytes());
        b.push(b',');
        b.extend_from_slice(num.format((*g - a.grant).whole()).as_bytes());
    }
    b.push(b'\n');
    b
}

/// Ids joined with `;`; empty for none.
fn csv_ids<'a>(b: &mut Vec<u8>, ids: impl Iterator<Item = &'a str>) {
    for (i, id) in ids.enumerate() {
        if i > 0 {
            b.push(b';');
        }
        b.extend_from_slice(id.as_bytes());
    }
}

/// A text cell: quoted when it holds a comma, a quote or a line break (quotes doubled), `""`
/// when empty (an empty cell is a missing value).
fn csv_text(b: &mut Vec<u8>, text: Option<&str>) {
    let Some(t) = text else { return };
    let bytes = t.as_bytes();
    let special = |c: &u8| matches!(c, b',' | b'"' | b'\n' | b'\r');
    if bytes.is_empty() {
        b.extend_from_slice(b"\"\"");
    } else if !bytes.iter().any(special) {
        b.extend_from_slice(bytes);
    } else {
        b.push(b'"');
        for &c in bytes {
            if c == b'"' {
                b.push(b'"');
            }
            b.push(c);
        }
        b.push(b'"');
    }
}

/// The fields of `r`'s row in rejects.csv.
pub fn reject_fields(r: &Reject) -> [String; 9] {
    let (first, rest) = match r.errors.split_first() {
        Some((f, rest)) => (Some(f), rest),
        None => (None, &[][..]),
    };
    let other = rest
        .iter()
        .map(|e| {
            format!(
                "{}={:?}: {}",
                e.column,
                e.error.value,
                e.error.message(Lang::En)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    [
        excel_safe(&r.file).into_owned(),
        r.line.to_string(),
        excel_safe(first.map_or("", |e| e.column.as_str())).into_owned(),
        excel_safe(first.map_or("", |e| e.error.value.as_str())).into_owned(),
        first.map_or("", |e| e.error.code()).to_owned(),
        first.map_or(String::new(), |e| e.error.message(Lang::Ja)),
        first.map_or(String::new(), |e| e.error.message(Lang::En)),
        excel_safe(&other).into_owned(),
        excel_safe(&r.record).into_owned(),
    ]
}
