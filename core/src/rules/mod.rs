//! Dated rule sets as data. The built-in revisions are embedded (decoded from the compact form
//! the build script made of `rules/*.toml`), each a reform of the one before; others load from
//! TOML at run time.

#[cfg(feature = "toml")]
mod overlay;
pub mod params;
#[cfg(feature = "toml")]
mod reform;
pub mod schema;

use crate::model::{Category, LineItemCategory};
pub use params::{Cited, Key, ParamId, ParamSet, ParamValue, Reading, SourceRef, by_category, p};
pub use schema::{CategoryRules, Param, Rate, RuleFile, SchemaError, Source, SourceKind};

/// A rule file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// Not TOML, or a key unknown, missing or of the wrong type (the message names it).
    #[error("rule file {origin}: {message}")]
    Syntax { origin: String, message: String },
    /// A value that cannot be (the message names the key).
    #[error("rule file {origin}: {source}")]
    Invalid {
        origin: String,
        #[source]
        source: SchemaError,
    },
}

/// A validated rule set: every parameter of the rules, with its date and citation.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    file: RuleFile,
    /// For a reform: the parameters each rule set of the chain set, this one's first.
    reforms: Vec<(String, ParamSet)>,
    /// The id of the whole rule file at the bottom of the chain.
    root: String,
    /// The rule set this one extends, for the history of its parameters.
    base: Option<Box<RuleSet>>,
    /// Each parameter's citation as a reader sees it (Japanese, English), written once when
    /// the rule set is made, so that citing allocates nothing.
    citations: Vec<[String; 2]>,
}

/// The id of the first built-in rule set, the base of the others.
pub const BUILT_IN: &str = "2020-11-30";

/// The built-in revisions, oldest first: id and encoded rule file.
const REVISIONS: [(&str, &[u8]); 3] = [
    (
        "2020-11-30",
        include_bytes!(concat!(env!("OUT_DIR"), "/rules-2020-11-30.bin")),
    ),
    (
        "2022-08-10",
        include_bytes!(concat!(env!("OUT_DIR"), "/rules-2022-08-10.bin")),
    ),
    (
        "2023-04-01",
        include_bytes!(concat!(env!("OUT_DIR"), "/rules-2023-04-01.bin")),
    ),
];

/// The ids of the built-in revisions, oldest first.
pub fn built_in_ids() -> impl Iterator<Item = &'static str> {
    REVISIONS.iter().map(|(id, _)| *id)
}

impl RuleSet {
    /// The rules of 2020-11-30 (保連発1130第1号), built in: the first revision.
    pub fn embedded() -> RuleSet {
        RuleSet::built_in(BUILT_IN).expect("the first revision is built in")
    }

    /// The latest built-in revision: the rules as finally paid (the default).
    pub fn latest() -> RuleSet {
        let (id, _) = REVISIONS[REVISIONS.len() - 1];
        RuleSet::built_in(id).expect("the latest revision is built in")
    }

    /// A built-in revision by its id, with the revisions it extends behind it.
    pub fn built_in(id: &str) -> Option<RuleSet> {
        let n = REVISIONS.iter().position(|(r, _)| *r == id)?;
        let mut set: Option<RuleSet> = None;
        for (_, bytes) in &REVISIONS[..=n] {
            let (file, changed, inherits): (RuleFile, Vec<String>, bool) =
                postcard::from_bytes(bytes)
                    // The build script wrote these bytes from files it had validated.
                    .expect("built-in rule set decodes");
            let file = match (&set, inherits) {
                (Some(base), true) => file.with_texts_of(base.file()),
                _ => file,
            };
            let this = RuleSet::whole(file);
            set = Some(match set {
                None => this,
                Some(base) => {
                    let changed = changed
                        .iter()
                        .filter_map(|k| ParamId::from_key(k))
                        .collect();
                    this.over(base, changed)
                }
            });
        }
        set
    }

    /// The built-in revision in force on `date` (the latest that took effect by then).
    pub fn as_of(date: chrono::NaiveDate) -> Option<RuleSet> {
        let id = REVISIONS
            .iter()
            .rev()
            .map(|(id, _)| *id)
            .find(|id| schema::iso_date::parse(id).is_some_and(|d| d <= date))?;
        RuleSet::built_in(id)
    }

    fn whole(file: RuleFile) -> RuleSet {
        let root = file.rule_set.id.clone();
        let mut set = RuleSet {
            file,
            reforms: Vec::new(),
            root,
            base: None,
            citations: Vec::new(),
        };
        set.citations = ParamId::ALL
            .iter()
            .map(|id| match id.reference(set.file()) {
                Some((source, ja, en)) => [
                    set.citation(source, ja, crate::Lang::Ja),
                    set.citation(source, en, crate::Lang::En),
                ],
                None => [String::new(), String::new()],
            })
            .collect();
        set
    }

    /// A parameter's citation text, written when the rule set was made (0: Japanese, 1: English).
    fn cited_text(&self, id: ParamId, lang: usize) -> &str {
        &self.citations[id as usize][lang]
    }

    /// This rule set as a reform of `base` that set the `changed` parameters.
    fn over(mut self, base: RuleSet, changed: ParamSet) -> RuleSet {
        self.reforms = std::iter::once((self.id().to_owned(), changed))
            .chain(base.reforms.iter().cloned())
            .collect();
        self.root = base.root.clone();
        self.base = Some(Box::new(base));
        self
    }

    /// The rule set this one extends, when it is a reform.
    pub fn base(&self) -> Option<&RuleSet> {
        self.base.as_deref()
    }

    /// A parameter's history along the chain, oldest first: each rule set that set it, with
    /// the value it set (a revision that inherits it adds nothing).
    pub fn history(&self, id: ParamId) -> Vec<Cited<'_>> {
        let mut chain = vec![self];
        while let Some(b) = chain[chain.len() - 1].base() {
            chain.push(b);
        }
        let mut out: Vec<Cited<'_>> = Vec::new();
        for set in chain.into_iter().rev() {
            if let Some(c) = set.try_cite(id)
                && (c.rule_set == set.id() || out.is_empty())
            {
                out.push(c);
            }
        }
        out
    }

    /// Loads a rule file: a whole one, or a reform that `extends` the built-in rule set.
    /// `origin` names it in messages (usually its path).
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str, origin: &str) -> Result<RuleSet, RuleError> {
        RuleSet::from_toml_with(text, origin, &mut |base| {
            Err(RuleError::Syntax {
                origin: origin.to_owned(),
                message: format!(
                    "`rule_set.extends`: {base:?} is not a built-in rule set (the built-in one is {BUILT_IN:?})"
                ),
            })
        })
    }

    /// Loads a rule file whose `extends` may name another file: `base` loads it (the core
    /// reads no file; the caller does).
    #[cfg(feature = "toml")]
    pub fn from_toml_with(
        text: &str,
        origin: &str,
        base: &mut dyn FnMut(&str) -> Result<RuleSet, RuleError>,
    ) -> Result<RuleSet, RuleError> {
        reform::load(text, origin, base)
    }

    /// Validates an already-parsed rule file.
    pub fn from_file(file: RuleFile, origin: &str) -> Result<RuleSet, RuleError> {
        use schema::Validate;
        file.validate().map_err(|source| RuleError::Invalid {
            origin: origin.to_owned(),
            source,
        })?;
        Ok(RuleSet::whole(file))
    }

    /// Every parameter, as written in the rule file.
    pub fn file(&self) -> &RuleFile {
        &self.file
    }

    pub fn id(&self) -> &str {
        &self.file.rule_set.id
    }

    /// The id of the rule set that set this parameter's value (a reform's, or the base's).
    pub fn set_by(&self, id: ParamId) -> &str {
        self.reforms
            .iter()
            .find(|(_, set)| set.contains(id))
            .map_or(&self.root, |(by, _)| by)
    }

    /// The rule set this one extends, when it is a reform.
    pub fn extends(&self) -> Option<&str> {
        self.file.rule_set.extends.as_deref()
    }

    pub fn category(&self, c: Category) -> &CategoryRules {
        let cats = &self.file.categories;
        match c {
            Category::Hospital => &cats.hospital,
            Category::LargeChainPharmacy => &cats.large_chain_pharmacy,
            Category::ClinicOrPharmacy => &cats.clinic_or_pharmacy,
        }
    }

    pub fn line_item_eligible(&self, c: LineItemCategory) -> &Param<bool> {
        let l = &self.file.line_items;
        match c {
            LineItemCategory::Terminal => &l.terminal,
            LineItemCategory::PackageSoftware => &l.package_software,
            LineItemCategory::Line => &l.line,
            LineItemCategory::SystemModification => &l.system_modification,
            LineItemCategory::Network => &l.network,
            LineItemCategory::Recurring => &l.recurring,
            LineItemCategory::ExtraReader => &l.extra_reader,
            LineItemCategory::Customisation => &l.customisation,
            LineItemCategory::UnrelatedIct => &l.unrelated_ict,
            LineItemCategory::Other => &l.other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = include_str!("../../rules/2020-11-30.toml");

    #[test]
    fn a_built_in_reform_decodes_to_its_rule_file_loaded_whole() {
        // Stored without what it inherits (texts, sources), it must decode
        // to exactly what loading its file over its base gives.
        for (id, text) in [
            ("2022-08-10", include_str!("../../rules/2022-08-10.toml")),
            ("2023-04-01", include_str!("../../rules/2023-04-01.toml")),
        ] {
            let loaded = RuleSet::from_toml_with(text, id, &mut |base| {
                Ok(RuleSet::built_in(base).expect("a built-in base"))
            })
            .unwrap();
            let built_in = RuleSet::built_in(id).unwrap();
            assert!(built_in.file() == loaded.file(), "{id} decodes differently");
            for &p in ParamId::ALL {
                assert_eq!(
                    built_in.try_cite(p).map(|c| c.citation.to_owned()),
                    loaded.try_cite(p).map(|c| c.citation.to_owned()),
                    "{id} {}",
                    p.key()
                );
            }
        }
    }

    #[test]
    fn rule_file_dates_are_iso_only() {
        use super::schema::iso_date::parse;
        assert_eq!(
            parse("2020-11-30"),
            chrono::NaiveDate::from_ymd_opt(2020, 11, 30)
        );
        for bad in [
            "2020-1-30",
            "2020/11/30",
            "2020-11-31",
            "20201130",
            "2020-11-3０",
            "+2020-11-30",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let text = FILE.replacen(
            "effective_from = \"2020-11-30\"",
            "effective_from = \"2020-11-3\"",
            1,
        );
        let e = RuleSet::from_toml_str(&text, "r.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2020-11-3") && e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn embedded_equals_the_toml_file() {
        let loaded = RuleSet::from_toml_str(FILE, "2020-11-30.toml").unwrap();
        assert_eq!(loaded, RuleSet::embedded());
        assert_eq!(loaded.id(), "2020-11-30");
    }

    #[test]
    fn unknown_key_is_refused_and_named() {
        let text = FILE.replace("[large_chain]\n", "[large_chain]\nthreshhold = 1\n");
        let err = RuleSet::from_toml_str(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("threshhold"), "{err}");
    }

    #[test]
    fn missing_key_is_refused_and_named() {
        let text: String = FILE
            .lines()
            .filter(|l| !l.starts_with("rounding_unit"))
            .collect::<Vec<_>>()
            .join("\n");
        let err = RuleSet::from_toml_str(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("rounding_unit"), "{err}");
    }

    #[test]
    fn impossible_values_are_refused_and_named() {
        for (from, to, key) in [
            (
                "[2101000, 2002000, 1903000]",
                "[2101000, 2002000]",
                "categories.hospital.caps",
            ),
            (
                "value = \"3/4\"",
                "value = \"5/4\"",
                "categories.clinic_or_pharmacy.standard_rate",
            ),
            ("value = \"10/100\"", "value = \"1/0\"", "tax_rate"),
            ("value = 1000,", "value = 0,", "money.rounding_unit"),
            (
                "value = \"2023-06-30\"",
                "value = \"2023-01-31\"",
                "deadlines.application_filed_by",
            ),
            (
                "value = [11, 12, 13, 14]",
                "value = [11, 48]",
                "institution_code.legacy_check_prefectures",
            ),
            (
                "value = 4, effective_from = \"2020-11-30\", source = \"law-public-finance",
                "value = 13, effective_from = \"2020-11-30\", source = \"law-public-finance",
                "retention.fiscal_year_start_month",
            ),
            (
                "[2101000, 2002000, 1903000]",
                "[2101000, 2202000, 1903000]",
                "categories.hospital.caps",
            ),
            ("value = 1000,", "value = 500000,", "money.rounding_unit"),
            (
                "value = 1000000000,",
                "value = 9223372036854775807,",
                "money.max_amount",
            ),
            (
                "value = \"2021-03-31\"",
                "value = \"2023-04-30\"",
                "special_regime.reader_applied_by",
            ),
            (
                "[\"別紙特例様式4\"]",
                "[\" \"]",
                "categories.large_chain_pharmacy.special_forms",
            ),
            (
                "value = \"2019-04-01\"",
                "value = \"2021-06-01\"",
                "plausible_dates",
            ),
            (
                "value = \"実施要領 第7 の申請書\"",
                "value = \"\"",
                "special_regime.form_fallback",
            ),
        ] {
            assert!(FILE.contains(from), "fixture {from}");
            let text = FILE.replacen(from, to, 1);
            let err = RuleSet::from_toml_str(&text, "x.toml")
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{key}: {err}");
        }
    }

    #[test]
    fn a_citation_names_a_source_of_the_registry() {
        let text = FILE.replacen("source = \"horen-1130-1\"", "source = \"003\"", 1);
        let e = RuleSet::from_toml_str(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"003\"") && e.contains("[sources]"), "{e}");
        let text = FILE.replacen("date = \"2020-11-30\"", "date = \"30.11.2020\"", 1);
        let e = RuleSet::from_toml_str(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sources.horen-1130-1") && e.contains("30.11.2020"),
            "{e}"
        );
    }

    #[test]
    fn the_revisions_chain_and_are_chosen_by_date() {
        let ids: Vec<_> = built_in_ids().collect();
        assert_eq!(ids, ["2020-11-30", "2022-08-10", "2023-04-01"]);
        let latest = RuleSet::latest();
        assert_eq!(latest.id(), "2023-04-01");
        assert_eq!(latest.extends(), Some("2022-08-10"));
        assert_eq!(
            latest.base().and_then(RuleSet::base).map(RuleSet::id),
            Some("2020-11-30")
        );
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(RuleSet::as_of(d("2020-11-29")), None);
        assert_eq!(RuleSet::as_of(d("2020-11-30")).unwrap().id(), "2020-11-30");
        assert_eq!(RuleSet::as_of(d("2022-08-09")).unwrap().id(), "2020-11-30");
        assert_eq!(RuleSet::as_of(d("2022-08-10")).unwrap().id(), "2022-08-10");
        assert_eq!(RuleSet::as_of(d("2023-03-31")).unwrap().id(), "2022-08-10");
        assert_eq!(RuleSet::as_of(d("2026-12-03")).unwrap().id(), "2023-04-01");
        // Each parameter says which revision set it; the history lists each value once.
        assert_eq!(latest.set_by(ParamId::ApplicationFiledBy), "2023-04-01");
        assert_eq!(latest.set_by(ParamId::WindowReaderBy), "2022-08-10");
        assert_eq!(latest.set_by(ParamId::HospitalCaps), "2020-11-30");
        let h = latest.history(ParamId::ApplicationFiledBy);
        let got: Vec<_> = h.iter().map(|c| (c.rule_set, c.value.clone())).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(h[0].rule_set, "2020-11-30");
        assert_eq!(h[1].rule_set, "2023-04-01");
        assert_eq!(h[1].source.id, "ssk-portal-hojokin");
        assert_eq!(latest.history(ParamId::HospitalCaps).len(), 1);
        assert!(
            RuleSet::embedded()
                .try_cite(ParamId::WindowReaderBy)
                .is_none()
        );
    }

    #[test]
    fn no_citation_names_a_seed_file_number() {
        for id in built_in_ids() {
            let set = RuleSet::built_in(id).unwrap();
            for p in ParamId::ALL {
                if let Some(c) = set.try_cite(*p) {
                    for t in [&c.citation, &c.citation_en] {
                        let starts_with_number =
                            ["000", "001", "002", "003", "004"].iter().any(|n| {
                                t.starts_with(n)
                                    || t.contains(&format!(" {n} "))
                                    || t.contains(&format!("（{n}"))
                            });
                        assert!(
                            !starts_with_number && !t.contains("RULES.md"),
                            "{id} {}: {t}",
                            c.key
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn parameter_dated_after_its_rule_set_is_refused() {
        let text = FILE.replacen(
            "threshold_rx_per_month = { value = 40000, effective_from = \"2020-11-30\"",
            "threshold_rx_per_month = { value = 40000, effective_from = \"2021-01-01\"",
            1,
        );
        let err = RuleSet::from_toml_str(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("large_chain.threshold_rx_per_month"), "{err}");
    }
}
