//! The columns of the input files: canonical names and their Japanese aliases.

use anyhow::{Result, bail};
use onshi_core::{Field, Reason};
use unicode_normalization::UnicodeNormalization;

use super::sheet::Fault;

/// A column of the institutions file: the core's input field of the same name.
pub use onshi_core::Field as Col;

/// A column of the line-items file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemCol {
    InstitutionCode,
    Category,
    Amount,
    TaxIncluded,
    Description,
}

/// (column, canonical name, Japanese aliases). The first alias is the one `onshi gen` writes.
pub const INSTITUTION_COLUMNS: [(Col, &str, &[&str]); 13] = [
    (
        Col::InstitutionCode,
        "institution_code",
        &["医療機関等コード", "医療機関コード", "薬局コード"],
    ),
    (Col::Name, "name", &["名称", "医療機関名", "医療機関等名称"]),
    (Col::Kind, "kind", &["種別"]),
    (
        Col::GroupRxPerMonth,
        "group_rx_per_month",
        &["グループ処方箋受付回数"],
    ),
    (Col::Readers, "readers", &["カードリーダー申込台数"]),
    (
        Col::ReaderAppliedOn,
        "reader_applied_on",
        &["カードリーダー提供申請日", "提供申請日"],
    ),
    (Col::CompletedOn, "completed_on", &["事業完了日"]),
    (Col::AppliedOn, "applied_on", &["補助金申請日"]),
    (
        Col::ContractedOn,
        "contracted_on",
        &["契約締結日", "システム事業者契約日", "契約日"],
    ),
    (
        Col::OperationStartedOn,
        "operation_started_on",
        &["運用開始日"],
    ),
    (Col::Deferral, "deferral", &["猶予届類型", "猶予届"]),
    (Col::TotalCost, "total_cost", &["総事業費"]),
    (Col::Claimed, "claimed", &["申請額"]),
];

pub const ITEM_COLUMNS: [(ItemCol, &str, &[&str]); 5] = [
    (
        ItemCol::InstitutionCode,
        "institution_code",
        &["医療機関等コード", "医療機関コード", "薬局コード"],
    ),
    (ItemCol::Category, "category", &["区分", "経費区分"]),
    (ItemCol::Amount, "amount", &["金額"]),
    (ItemCol::TaxIncluded, "tax_included", &["税込"]),
    (ItemCol::Description, "description", &["内容", "摘要"]),
];

/// Where each known column is in a file's header, and the header's own spelling of it.
#[derive(Debug, Clone)]
pub struct Header<C> {
    /// (column, index in the record, the header text as written).
    pub found: Vec<(C, usize, String)>,
    /// Header cells that name no known column (ignored).
    pub extra: Vec<String>,
}

impl<C: Copy + PartialEq> Header<C> {
    /// Matches header cells to columns however an office wrote them: case, full- or
    /// half-width forms (NFKC), spaces anywhere and the long vowel's look-alikes do not matter.
    /// A column given twice, a required one missing, or a cell close to a known name without
    /// being it (a typo would silently drop the column) is an error naming `file`.
    pub fn read<'a>(
        file: &str,
        cells: impl IntoIterator<Item = &'a str>,
        table: &[(C, &'static str, &'static [&'static str])],
        required: &[C],
    ) -> Result<Header<C>> {
        let mut found: Vec<(C, usize, String)> = Vec::new();
        let mut extra = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            let key = header_key(cell);
            let hit = table.iter().find(|(_, canon, aliases)| {
                std::iter::once(canon)
                    .chain(aliases.iter())
                    .any(|n| header_key(n) == key)
            });
            match hit {
                Some((c, canon, _)) => {
                    if let Some((_, j, first)) = found.iter().find(|(f, _, _)| f == c) {
                        bail!(
                            "{file}: line 1: columns {} ({first:?}) and {} ({cell:?}) both give {canon}",
                            j + 1,
                            i + 1
                        );
                    }
                    found.push((*c, i, cell.to_owned()));
                }
                None => {
                    if let Some(near) = near_name(&key, table) {
                        bail!(
                            "{file}: line 1, column {}: {cell:?} is not a column onshi knows; \
                             did you mean {near:?}? Rename it in the header (or, if it is \
                             another column, give it a name further from {near:?})",
                            i + 1
                        );
                    }
                    extra.push(cell.to_owned());
                }
            }
        }
        let missing: Vec<String> = table
            .iter()
            .filter(|(c, _, _)| required.contains(c) && !found.iter().any(|(f, _, _)| f == c))
            .map(|(_, canon, aliases)| format!("{canon} ({})", aliases[0]))
            .collect();
        if !missing.is_empty() {
            bail!(
                "{file}: line 1: the header lacks the required column{} {}",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", ")
            );
        }
        Ok(Header { found, extra })
    }

    /// How many cells the header has (known columns and ignored ones).
    pub fn width(&self) -> usize {
        self.found.len() + self.extra.len()
    }

    /// The reject of a record with more cells than the header, if it has more: the cells
    /// beyond the header, under the name of the first of them (`column 11`).
    pub fn extra_cells(&self, record: &csv::StringRecord) -> Option<super::RowError> {
        let width = self.width();
        let found = record.len();
        (found > width).then(|| {
            let extra: Vec<&str> = record.iter().skip(width).collect();
            let reason = onshi_core::Reason::ExtraCells {
                header: width,
                found,
            };
            let column = format!("column {}", width + 1);
            super::RowError::new(column, onshi_core::Field::Record, extra.join(","), reason)
        })
    }

    /// The rejects of the cells holding a control character other than a tab or a line
    /// break (a NUL, a Ctrl-Z): each names its column, with the character shown as `\u{0}`;
    /// and of the workbook cells that are not values (an error, a formula without its value,
    /// a code that lost its leading zero), which the sheet marks so.
    pub fn control_characters(&self, record: &csv::StringRecord) -> Vec<super::RowError> {
        let is_control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
        // Most rows have none: one scan of the row's bytes before looking cell by cell.
        let bytes = record.as_byte_record().as_slice();
        if !bytes.iter().any(|&b| b < 0x20 || b == 0x7F || b == 0xC2) {
            return Vec::new();
        }
        record
            .iter()
            .enumerate()
            .filter_map(|(i, cell)| {
                let column = self.column_name(i);
                if let Some((fault, shown)) = super::sheet::fault(cell) {
                    let reason = match fault {
                        Fault::Error => Reason::SheetError {
                            text: shown.to_owned(),
                        },
                        Fault::Formula => Reason::FormulaWithoutValue,
                        Fault::LeadingZero => Reason::LeadingZeroLost,
                    };
                    return Some(super::RowError::new(column, Field::Record, shown, reason));
                }
                let c = cell.chars().find(|&c| is_control(c))?;
                let shown: String = cell
                    .chars()
                    .map(|c| match is_control(c) {
                        true => c.escape_unicode().to_string(),
                        false => c.to_string(),
                    })
                    .collect();
                let reason = onshi_core::Reason::ControlCharacter { code: u32::from(c) };
                Some(super::RowError::new(
                    column,
                    onshi_core::Field::Record,
                    shown,
                    reason,
                ))
            })
            .collect()
    }

    /// The header's name of the record's `i`th cell (`column 11` beyond the header).
    fn column_name(&self, i: usize) -> String {
        let known = self
            .found
            .iter()
            .find(|(_, j, _)| *j == i)
            .map(|(_, _, s)| s.clone());
        known.unwrap_or_else(|| format!("column {}", i + 1))
    }

    /// Index in the record of `c`, if the file has it.
    pub fn index(&self, c: C) -> Option<usize> {
        self.found
            .iter()
            .find(|(f, _, _)| *f == c)
            .map(|(_, i, _)| *i)
    }

    /// The header's spelling of `c` (for messages), else `canon`.
    pub fn label(&self, c: C) -> Option<&str> {
        self.found
            .iter()
            .find(|(f, _, _)| *f == c)
            .map(|(_, _, s)| s.as_str())
    }
}

/// A header cell as it is compared: NFKC (half-width kana and full-width Latin become their
/// usual forms), no whitespace, ASCII lowercase, and every look-alike of the long vowel mark
/// (hyphens, minus, the half-width mark) as ー.
pub fn header_key(cell: &str) -> String {
    cell.nfkc()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c {
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF70}' => 'ー',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The known name (canonical or alias) that `key` is within a typo of, if any: one edit for
/// names of 5 characters or more, two for ASCII names from 10. Shorter names are never
/// guessed at (名称 and 氏名 are different columns).
fn near_name<C>(
    key: &str,
    table: &[(C, &'static str, &'static [&'static str])],
) -> Option<&'static str> {
    table
        .iter()
        .flat_map(|(_, canon, aliases)| std::iter::once(*canon).chain(aliases.iter().copied()))
        .find(|name| {
            let name_key = header_key(name);
            let len = name_key.chars().count();
            // A Japanese name is dense: two edits there are often another word
            // (カードリーダー申込日 is not カードリーダー申込台数).
            let allowed = match (len, name_key.is_ascii()) {
                (0..=4, _) => 0,
                (5..=9, _) | (_, false) => 1,
                _ => 2,
            };
            allowed > 0 && strsim::levenshtein(key, &name_key) <= allowed
        })
}

/// The canonical name of an institutions column.
pub fn canonical(c: Col) -> &'static str {
    INSTITUTION_COLUMNS
        .iter()
        .find(|(f, _, _)| *f == c)
        .map_or("", |(_, canon, _)| canon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_and_japanese_names_in_any_order() {
        let h = Header::read(
            "a.csv",
            [
                "種別",
                " Institution_Code ",
                "備考",
                "カードリーダー申込台数",
                "総事業費",
            ],
            &INSTITUTION_COLUMNS,
            &[
                Col::InstitutionCode,
                Col::Kind,
                Col::Readers,
                Col::TotalCost,
            ],
        )
        .unwrap();
        assert_eq!(h.index(Col::Kind), Some(0));
        assert_eq!(h.index(Col::InstitutionCode), Some(1));
        assert_eq!(h.index(Col::Readers), Some(3));
        assert_eq!(h.index(Col::Name), None);
        assert_eq!(h.extra, ["備考"]);
        assert_eq!(h.label(Col::Kind), Some("種別"));
    }

    #[test]
    fn missing_and_doubled_columns_are_errors() {
        let e = Header::read(
            "a.csv",
            ["種別", "readers"],
            &INSTITUTION_COLUMNS,
            &[Col::InstitutionCode, Col::Kind],
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("institution_code (医療機関等コード)"),
            "{e}"
        );
        let e = Header::read("a.csv", ["kind", "種別"], &INSTITUTION_COLUMNS, &[]).unwrap_err();
        assert!(e.to_string().contains("both give kind"), "{e}");
    }

    /// Header names as CP932 exports and hand-typed sheets write them.
    #[test]
    fn half_width_kana_full_width_latin_and_inner_spaces_match() {
        for (cell, col) in [
            ("ｶｰﾄﾞﾘｰﾀﾞｰ提供申請日", Col::ReaderAppliedOn),
            ("カードリーダー 提供申請日", Col::ReaderAppliedOn),
            ("カードリーダ−申込台数", Col::Readers),
            ("ｶｰﾄﾞﾘｰﾀﾞｰ申込台数", Col::Readers),
            ("ＩＮＳＴＩＴＵＴＩＯＮ＿ＣＯＤＥ", Col::InstitutionCode),
            ("institution _code", Col::InstitutionCode),
            ("医療機関等　コード", Col::InstitutionCode),
            ("\u{feff}総事業費", Col::TotalCost),
        ] {
            let h = Header::read("a.csv", [cell], &INSTITUTION_COLUMNS, &[]).unwrap();
            assert_eq!(h.index(col), Some(0), "{cell}");
        }
    }

    #[test]
    fn a_name_close_to_a_known_one_stops_with_did_you_mean() {
        for (cell, near) in [
            ("カードリーダ提供申請日", "カードリーダー提供申請日"),
            ("reader", "readers"),
            ("institution_cod", "institution_code"),
        ] {
            let e = Header::read("a.csv", ["種別", cell], &INSTITUTION_COLUMNS, &[]).unwrap_err();
            let e = e.to_string();
            assert!(e.contains(&format!("did you mean {near:?}")), "{e}");
            assert!(e.contains("column 2"), "{e}");
        }
        // Far from every name, or short: ignored, as before.
        for cell in [
            "備考",
            "氏名",
            "解約日",
            "担当者メールアドレス",
            "カードリーダー申込日",
        ] {
            let h = Header::read("a.csv", [cell], &INSTITUTION_COLUMNS, &[]).unwrap();
            assert_eq!(h.extra, [cell]);
        }
    }
}
