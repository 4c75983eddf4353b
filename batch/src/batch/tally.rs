//! The rejected rows counted by file and reason, for the report: how many rows each fault
//! cost, with the first such row's message as an example.

use std::collections::BTreeMap;

/// One reason's count in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    pub file: String,
    /// The reason's stable id, as in rejects.csv's `code` column.
    pub code: String,
    pub rows: u64,
    /// The first rejected row of this reason: its line and its message (Japanese, English).
    pub first_line: u64,
    pub example: (String, String),
}

/// The counts, filled as rejects.csv is written (in input order, so the examples are the
/// same whatever the threads).
#[derive(Debug, Default)]
pub struct RejectTally {
    by: BTreeMap<(String, String), ReasonCount>,
}

impl RejectTally {
    /// Counts one row of rejects.csv, given as its fields (file, line, column, value, code,
    /// reason, reason_en, …).
    pub fn add<S: AsRef<[u8]>>(&mut self, fields: &[S]) {
        let text = |i: usize| {
            let f = fields.get(i).map_or(&[][..], AsRef::as_ref);
            String::from_utf8_lossy(f).into_owned()
        };
        let (file, code) = (text(0), text(4));
        let entry = self
            .by
            .entry((file.clone(), code.clone()))
            .or_insert_with(|| ReasonCount {
                file,
                code,
                rows: 0,
                first_line: text(1).parse().unwrap_or(0),
                example: (text(5), text(6)),
            });
        entry.rows += 1;
    }

    /// The counts, most rows first (then by file and reason, so ties keep one order).
    pub fn ranked(&self) -> Vec<ReasonCount> {
        let mut v: Vec<ReasonCount> = self.by.values().cloned().collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.rows));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rows_by_file_and_reason_keeping_the_first_example() {
        let mut t = RejectTally::default();
        t.add(&[
            "a.csv",
            "4",
            "cost",
            "x",
            "bad_amount",
            "読めません",
            "not an amount",
        ]);
        t.add(&["a.csv", "9", "cost", "y", "bad_amount", "別", "other"]);
        t.add(&[
            "b.csv",
            "2",
            "code",
            "z",
            "bad_amount",
            "読めません",
            "not an amount",
        ]);
        t.add(&["a.csv", "5", "kind", "?", "unknown_kind", "種別", "kind"]);
        let r = t.ranked();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].file.as_str(), r[0].code.as_str(), r[0].rows),
            ("a.csv", "bad_amount", 2)
        );
        assert_eq!(
            (r[0].first_line, r[0].example.1.as_str()),
            (4, "not an amount")
        );
        assert_eq!(
            (r[1].file.as_str(), r[1].code.as_str()),
            ("a.csv", "unknown_kind")
        );
        assert_eq!((r[2].file.as_str(), r[2].rows), ("b.csv", 1));
    }
}
