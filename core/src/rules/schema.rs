//! The shape of a rule file and of the holiday calendar, and the checks that refuse an
//! impossible one. Shared by the build script (which encodes the embedded files) and the
//! library (which loads others), so both refuse exactly the same files.
//!
//! Every table refuses unknown keys (`deny_unknown_fields`) and every key is required unless
//! marked otherwise: a misspelt parameter is an error, never a silent default.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Dates written `YYYY-MM-DD`, read without chrono's general parser (which cost the page some
/// 15 KB of wasm to read the rule file's dates).
pub mod iso_date {
    use chrono::NaiveDate;
    use serde::de::{Error, Visitor};
    use serde::{Deserialize, Deserializer};
    use std::fmt;

    /// The date, if `s` is one written `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let n = |from: usize, to: usize| {
            b[from..to].iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        NaiveDate::from_ymd_opt(i32::try_from(n(0, 4)?).ok()?, n(5, 7)?, n(8, 10)?)
    }

    struct Iso;
    impl Visitor<'_> for Iso {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date written YYYY-MM-DD")
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<NaiveDate, E> {
            parse(s).ok_or_else(|| E::custom(format!("{s:?} is not a date written YYYY-MM-DD")))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_str(Iso)
    }

    /// An optional date (through `deserialize_option`, which a format without field names needs).
    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        struct Date(NaiveDate);
        impl<'de> serde::Deserialize<'de> for Date {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize(d).map(Date)
            }
        }
        Ok(Option::<Date>::deserialize(d)?.map(|Date(date)| date))
    }
}

/// How a parameter's value is read: as serde reads it, dates as [`iso_date`] does.
pub trait FromRule<'de>: Sized {
    fn from_rule<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

macro_rules! from_rule_as_serde {
    ($($t:ty),*) => {$(
        impl<'de> FromRule<'de> for $t {
            fn from_rule<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$t>::deserialize(d)
            }
        }
    )*};
}
from_rule_as_serde!(
    Vec<DeferralDeadlines>,
    u32,
    u64,
    bool,
    Rate,
    String,
    Vec<u64>,
    Vec<u8>,
    Vec<String>,
    DepreciationStart
);

impl<'de> FromRule<'de> for NaiveDate {
    fn from_rule<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        iso_date::deserialize(d)
    }
}

/// One parameter of a rule: its value, the date it takes effect and its legal reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "T: FromRule<'de>"))]
pub struct Param<T> {
    #[serde(deserialize_with = "FromRule::from_rule")]
    pub value: T,
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub effective_from: NaiveDate,
    /// 出典 — the id of the document in [`RuleFile::sources`].
    pub source: String,
    /// 根拠 — the article or passage of the source, in Japanese.
    pub article: String,
    /// The same article, in English.
    pub article_en: String,
    /// True when the documents are silent and the project chose the value (a Decision).
    #[serde(default)]
    pub decision: bool,
}

/// What kind of document a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// 通知
    Notice,
    /// 事務連絡
    JimuRenraku,
    /// 手引き
    Guide,
    Leaflet,
    /// 審議会資料
    Council,
    /// 報道
    Press,
    /// FAQ or an information page
    Faq,
    /// 法令
    Law,
    /// The project's own decision where the documents are silent.
    Decision,
    /// A what-if rule file (a scenario), citing itself.
    Scenario,
}

impl SourceKind {
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::Notice => "notice",
            SourceKind::JimuRenraku => "jimu_renraku",
            SourceKind::Guide => "guide",
            SourceKind::Leaflet => "leaflet",
            SourceKind::Council => "council",
            SourceKind::Press => "press",
            SourceKind::Faq => "faq",
            SourceKind::Law => "law",
            SourceKind::Decision => "decision",
            SourceKind::Scenario => "scenario",
        }
    }
}

/// One source document (出典): who issued it, its title, number and date, where to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub issuer: String,
    pub title: String,
    pub title_en: String,
    /// 文書番号, where the document has one (保連発1130第1号).
    #[serde(default)]
    pub number: Option<String>,
    /// `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` where the document gives no day.
    #[serde(default)]
    pub date: Option<String>,
    /// Where to read it, where the document gives an address.
    #[serde(default)]
    pub url: Option<String>,
    pub kind: SourceKind,
    /// The name a citation gives, in Japanese and English.
    pub short: String,
    pub short_en: String,
}

/// Whether `d` is a date written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn is_partial_date(d: &str) -> bool {
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        4 => digits(0..4),
        7 => {
            digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && (&b[5..7] >= b"01".as_slice() && &b[5..7] <= b"12".as_slice())
        }
        10 => iso_date::parse(d).is_some(),
        _ => false,
    }
}

/// An exact rate written as a fraction, e.g. `"3/4"` (補助率).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub numerator: u32,
    pub denominator: u32,
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

impl std::str::FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (n, d) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not a fraction like \"3/4\""))?;
        let numerator = n
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: bad numerator"))?;
        let denominator = d
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: bad denominator"))?;
        if denominator == 0 {
            return Err(format!("{s:?}: the denominator is zero"));
        }
        Ok(Rate {
            numerator,
            denominator,
        })
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub rule_set: RuleSetMeta,
    /// 出典 — the documents the parameters cite, by id.
    pub sources: std::collections::BTreeMap<String, Source>,
    pub categories: Categories,
    pub large_chain: LargeChain,
    pub eligibility: Eligibility,
    pub special_regime: SpecialRegime,
    pub deadlines: Deadlines,
    pub plausible_dates: PlausibleDates,
    pub money: Money,
    pub line_items: LineItemEligibility,
    pub retention: Retention,
    pub institution_code: InstitutionCodeRules,
    pub preparation: Preparation,
    pub readiness: Readiness,
    pub after_grant: AfterGrant,
    pub forms: Forms,
    /// The second special window of the 2022-08-10 revision (absent before it).
    #[serde(default)]
    pub special_window_2022: Option<SpecialWindow2022>,
    /// The difference payment of the 2022-08-10 revision (absent before it).
    #[serde(default)]
    pub difference_payment: Option<DifferencePayment>,
    /// Later deadlines for a 猶予届 (deferral notice), from the 2023-04-01 revision.
    #[serde(default)]
    pub deferral: Option<Deferral>,
}

impl RuleFile {
    /// Whether the texts shown beside the rules (forms, lines and terminals, duties) are the
    /// same as `base`'s: a built-in reform then is stored without them (the page's size).
    pub fn texts_equal(&self, base: &RuleFile) -> bool {
        self.forms == base.forms
            && self.readiness == base.readiness
            && self.after_grant.duties == base.after_grant.duties
    }

    /// The file without those texts, nor the sources `base` holds alike (a reform cites its
    /// base's documents and adds its own).
    pub fn without_texts_of(mut self, base: &RuleFile) -> RuleFile {
        self.forms = Forms::default();
        self.readiness = Readiness::default();
        self.after_grant.duties = Vec::new();
        self.sources.retain(|id, s| base.sources.get(id) != Some(s));
        self
    }

    /// The file with `base`'s texts and sources in place.
    pub fn with_texts_of(mut self, base: &RuleFile) -> RuleFile {
        self.forms = base.forms.clone();
        self.readiness = base.readiness.clone();
        self.after_grant.duties = base.after_grant.duties.clone();
        for (id, s) in &base.sources {
            self.sources.entry(id.clone()).or_insert_with(|| s.clone());
        }
        self
    }
}

/// The categories a measure of 2022 covers, by their rule-file names.
pub const CATEGORY_NAMES: [&str; 3] = ["hospital", "large_chain_pharmacy", "clinic_or_pharmacy"];

/// 2022-08-10: a reader applied for in a window and a vendor contract by a date give the
/// special regime again (the cost in full up to the cap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialWindow2022 {
    pub reader_applied_from: Param<NaiveDate>,
    pub reader_applied_by: Param<NaiveDate>,
    /// システム事業者との契約 — signed on or before.
    pub contracted_by: Param<NaiveDate>,
    /// The categories it covers (names of `categories.*`).
    pub categories: Param<Vec<String>>,
}

/// 2022-08-10: an institution that applied for its reader before the window and started
/// operation in a period is paid the difference up to the new amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DifferencePayment {
    pub reader_applied_by: Param<NaiveDate>,
    pub operation_started_from: Param<NaiveDate>,
    pub operation_started_by: Param<NaiveDate>,
    /// A grant application filed before this date counts as already paid: no difference.
    pub paid_if_applied_before: Param<NaiveDate>,
}

/// 猶予届: the deadlines by deferral type (types not listed have deadlines not known here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deferral {
    pub deadlines: Param<Vec<DeferralDeadlines>>,
}

/// The deadlines of some deferral types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeferralDeadlines {
    pub types: Vec<u8>,
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub project_completed_by: NaiveDate,
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub application_filed_by: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetMeta {
    pub id: String,
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub effective_from: NaiveDate,
    pub title: String,
    pub title_en: String,
    /// A reform names the rule set it changes (a built-in id or a path) and gives only the
    /// parameters it changes.
    #[serde(default)]
    pub extends: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    pub hospital: CategoryRules,
    pub large_chain_pharmacy: CategoryRules,
    pub clinic_or_pharmacy: CategoryRules,
}

/// The rules of one category (区分).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRules {
    pub name: String,
    pub name_en: String,
    /// 無償提供台数 — card readers provided free.
    pub reader_quota: Param<u32>,
    /// 補助限度額 — the most project cost that counts, by readers provided (index 0 = 1 reader).
    pub caps: Param<Vec<u64>>,
    /// 補助率 — share of the capped cost paid under the standard regime.
    pub standard_rate: Param<Rate>,
    /// 別紙特例様式 — the special-regime form, by readers provided.
    pub special_forms: Param<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LargeChain {
    /// Group prescriptions a month from which a pharmacy is a 大型チェーン薬局 (inclusive).
    pub threshold_rx_per_month: Param<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// No card reader applied for, no grant at all (003).
    pub reader_required: Param<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialRegime {
    /// 特例補助 applies to reader applications submitted on or before this date.
    pub reader_applied_by: Param<NaiveDate>,
    /// The form filed when the standard regime applies.
    pub form_fallback: Param<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub project_completed_by: Param<NaiveDate>,
    pub application_filed_by: Param<NaiveDate>,
}

/// The dates an input may hold (each of its date fields): outside them a date is a typing
/// error (`1000-01-01`, `1999-01-01`), not a case the rules decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlausibleDates {
    pub earliest: Param<NaiveDate>,
    pub latest: Param<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// The grant is cut down to a multiple of this (1,000円未満切り捨て).
    pub rounding_unit: Param<u64>,
    /// 消費税率 — added, floored, to each amount entered without tax.
    pub tax_rate: Param<Rate>,
    /// Larger input amounts are refused as implausible.
    pub max_amount: Param<u64>,
}

/// Whether each kind of line item is eligible cost (補助対象経費).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineItemEligibility {
    pub terminal: Param<bool>,
    pub package_software: Param<bool>,
    pub line: Param<bool>,
    pub system_modification: Param<bool>,
    pub network: Param<bool>,
    pub recurring: Param<bool>,
    pub extra_reader: Param<bool>,
    pub customisation: Param<bool>,
    pub unrelated_ict: Param<bool>,
    pub other: Param<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub years_after_fiscal_year: Param<u32>,
    pub fiscal_year_start_month: Param<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionCodeRules {
    pub legacy_check_prefectures: Param<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preparation {
    pub reader_application_months_before_start: Param<u32>,
    pub order_months_before_start: Param<u32>,
    pub applications_business_days_before_setup: Param<u32>,
    pub setup_business_days_before_start: Param<u32>,
    pub operations_business_days_before_start: Param<u32>,
}

/// Lines and terminals that online verification runs on (docs/rules.md).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    pub lines: Vec<LineRule>,
    pub terminal_os: Vec<OsRule>,
}

/// Whether a kind of line carries online verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Supported,
    /// Supported where offered (e.g. 光クロス, limited area).
    Limited,
    /// Supported until `ends_on`.
    Ending,
    NotSupported,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRule {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub status: LineStatus,
    #[serde(default, deserialize_with = "iso_date::option")]
    pub ends_on: Option<NaiveDate>,
    pub source: String,
    pub article: String,
    pub article_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsRule {
    pub id: String,
    pub name: String,
    pub supported: bool,
    pub source: String,
    pub article: String,
    pub article_en: String,
}

/// The conditions after the grant (実施要領 第5 1; docs/rules.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfterGrant {
    /// 提供に要した費用相当額 — what one provided card reader is worth.
    pub reader_value: Param<u64>,
    /// 減価償却（５年） — months over which a reader's value falls to nothing.
    pub reader_depreciation_months: Param<u32>,
    /// The date the readers' depreciation runs from.
    pub depreciation_from: Param<DepreciationStart>,
    /// 全部又は一部 — the most of the grant that may be asked back.
    pub grant_repayable: Param<Rate>,
    /// 耐用年数 of the verification terminal (a personal computer).
    pub useful_life_terminal_years: Param<u32>,
    /// 耐用年数 of software (package software, system modification).
    pub useful_life_software_years: Param<u32>,
    /// 耐用年数 of the rest (line, network work).
    pub useful_life_other_years: Param<u32>,
    /// The duties, as text with their citations (shown, not computed).
    pub duties: Vec<Duty>,
}

/// Which input date a provided reader's depreciation starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepreciationStart {
    ReaderAppliedOn,
    CompletedOn,
}

impl DepreciationStart {
    pub fn id(self) -> &'static str {
        match self {
            DepreciationStart::ReaderAppliedOn => "reader_applied_on",
            DepreciationStart::CompletedOn => "completed_on",
        }
    }
}

/// One duty after the grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duty {
    pub id: String,
    pub text: String,
    pub text_en: String,
    pub source: String,
    pub article: String,
    pub article_en: String,
}

/// A fixed text in both languages.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    pub ja: String,
    pub en: String,
}

/// The application forms' fixed text (別紙特例様式1〜5), laid out by the page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forms {
    pub source: String,
    pub article: String,
    pub article_en: String,
    pub addressee: Wording,
    pub section: Wording,
    pub title: Wording,
    pub record: Wording,
    pub rounding: Wording,
    pub tax: Wording,
    pub notes: Vec<Wording>,
    pub attachments_source: String,
    pub attachments_article: Wording,
    pub attachments_title: Wording,
    /// 添付書類 — what is filed with the form.
    pub attachments: Vec<Wording>,
    pub labels: FormLabels,
    /// By form name: every name in `categories.*.special_forms` and `special_regime.form_fallback`.
    pub layouts: std::collections::BTreeMap<String, FormLayout>,
}

/// The labels of a form's fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormLabels {
    pub applicant: Wording,
    pub date: Wording,
    pub year: Wording,
    pub month: Wording,
    pub day: Wording,
    pub prefecture: Wording,
    pub fee_schedule: Wording,
    pub founder: Wording,
    pub address: Wording,
    pub phone: Wording,
    pub reader_applied_on: Wording,
    pub total_cost: Wording,
    pub cap: Wording,
    pub lower: Wording,
    pub rate: Wording,
    pub lower_times_rate: Wording,
    pub yen: Wording,
}

/// What differs between the forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormLayout {
    pub purpose: Wording,
    pub for_whom: Wording,
    pub name_label: Wording,
    pub code_label: Wording,
    pub declaration: Wording,
    pub notes: Vec<Wording>,
    pub source: String,
    pub article: String,
    pub article_en: String,
    #[serde(default)]
    pub decision: bool,
}

/// The holiday calendar file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    pub calendar: CalendarData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarData {
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub covers_from: NaiveDate,
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub covers_to: NaiveDate,
    pub citation: String,
    pub citation_en: String,
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    #[serde(deserialize_with = "iso_date::deserialize")]
    pub date: NaiveDate,
    pub name: String,
}

/// An impossible value in a rule or calendar file, naming its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct SchemaError {
    pub key: String,
    pub message: String,
}

/// The largest `money.max_amount` a rule file may set: 100 billion yen, so that the sums of a
/// hundred million institutions' amounts still fit a 64-bit integer in every output.
pub const MAX_PLAUSIBLE_AMOUNT: u64 = 100_000_000_000;

pub trait Validate {
    fn validate(&self) -> Result<(), SchemaError>;
}

fn check(ok: bool, key: &str, message: impl FnOnce() -> String) -> Result<(), SchemaError> {
    if ok {
        Ok(())
    } else {
        Err(SchemaError {
            key: key.to_owned(),
            message: message(),
        })
    }
}

impl<T> Param<T> {
    fn check_dated(
        &self,
        key: &str,
        rule_set_from: NaiveDate,
        sources: &Sources,
    ) -> Result<(), SchemaError> {
        check_source(sources, &self.source, key)?;
        check(self.effective_from <= rule_set_from, key, || {
            format!(
                "takes effect on {} after the rule set's own date {rule_set_from}",
                self.effective_from
            )
        })?;
        check(!self.article.trim().is_empty(), key, || {
            "has no article (the passage of its source it rests on)".into()
        })?;
        check(!self.article_en.trim().is_empty(), key, || {
            "has no English article".into()
        })
    }
}

/// The sources of a rule file, by id.
pub type Sources = std::collections::BTreeMap<String, Source>;

fn check_source(sources: &Sources, id: &str, key: &str) -> Result<(), SchemaError> {
    check(sources.contains_key(id), key, || {
        format!("cites the source {id:?}, which is not in [sources]")
    })
}

fn validate_sources(sources: &Sources) -> Result<(), SchemaError> {
    for (id, s) in sources {
        let key = format!("sources.{id}");
        for (field, text) in [
            ("issuer", &s.issuer),
            ("title", &s.title),
            ("title_en", &s.title_en),
            ("short", &s.short),
            ("short_en", &s.short_en),
        ] {
            check(!text.trim().is_empty(), &key, || {
                format!("has an empty {field}")
            })?;
        }
        if let Some(d) = &s.date {
            check(is_partial_date(d), &key, || {
                format!("date {d:?} is not written YYYY-MM-DD, YYYY-MM or YYYY")
            })?;
        }
        if let Some(u) = &s.url {
            check(
                u.starts_with("https://") || u.starts_with("http://"),
                &key,
                || format!("url {u:?} is not a web address"),
            )?;
        }
    }
    Ok(())
}

fn check_rate(p: &Param<Rate>, key: &str, at_most_one: bool) -> Result<(), SchemaError> {
    let r = p.value;
    check(r.denominator > 0, key, || format!("{r}: zero denominator"))?;
    if at_most_one {
        check(r.numerator > 0 && r.numerator <= r.denominator, key, || {
            format!("{r} is not a rate between 0 (exclusive) and 1")
        })
    } else {
        check(r.numerator < r.denominator, key, || {
            format!("{r} is not a rate below 1")
        })
    }
}

/// Whether `id` is a usable rule-set id: 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
pub fn is_plain_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Validate for RuleFile {
    fn validate(&self) -> Result<(), SchemaError> {
        let from = self.rule_set.effective_from;
        let src = &self.sources;
        let id = &self.rule_set.id;
        // The id names output columns (`grant_<id>`), sheets and files: plain characters.
        check(is_plain_id(id), "rule_set.id", || {
            format!(
                "{id:?} is not an id: use 1 to 64 letters, digits, `-`, `_` or `.` (it names columns and sheets)"
            )
        })?;
        validate_sources(src)?;
        self.validate_texts_cite()?;
        for (name, c) in [
            ("hospital", &self.categories.hospital),
            (
                "large_chain_pharmacy",
                &self.categories.large_chain_pharmacy,
            ),
            ("clinic_or_pharmacy", &self.categories.clinic_or_pharmacy),
        ] {
            let key = |k: &str| format!("categories.{name}.{k}");
            let quota = c.reader_quota.value;
            c.reader_quota
                .check_dated(&key("reader_quota"), from, src)?;
            check((1..=20).contains(&quota), &key("reader_quota"), || {
                format!("{quota} is not between 1 and 20")
            })?;
            c.caps.check_dated(&key("caps"), from, src)?;
            check(c.caps.value.len() == quota as usize, &key("caps"), || {
                format!(
                    "has {} values; expected one per reader up to the quota of {quota}",
                    c.caps.value.len()
                )
            })?;
            check(c.caps.value.iter().all(|&v| v > 0), &key("caps"), || {
                "a cap must be more than 0 yen".into()
            })?;
            // One envelope shared with the readers: each reader more leaves less for the rest.
            check(
                c.caps.value.windows(2).all(|w| w[1] <= w[0]),
                &key("caps"),
                || {
                    format!(
                        "{:?} rises with the readers provided; a cap can only stay or fall",
                        c.caps.value
                    )
                },
            )?;
            check(
                c.special_forms.value.iter().all(|f| !f.trim().is_empty()),
                &key("special_forms"),
                || "a form has no name".into(),
            )?;
            c.standard_rate
                .check_dated(&key("standard_rate"), from, src)?;
            check_rate(&c.standard_rate, &key("standard_rate"), true)?;
            c.special_forms
                .check_dated(&key("special_forms"), from, src)?;
            check(
                c.special_forms.value.len() == quota as usize,
                &key("special_forms"),
                || {
                    format!(
                        "has {} forms; expected one per reader up to the quota of {quota}",
                        c.special_forms.value.len()
                    )
                },
            )?;
            check(!c.name.trim().is_empty(), &key("name"), || {
                "is empty".into()
            })?;
        }
        let t = &self.large_chain.threshold_rx_per_month;
        t.check_dated("large_chain.threshold_rx_per_month", from, src)?;
        check(t.value > 0, "large_chain.threshold_rx_per_month", || {
            "must be more than 0".into()
        })?;
        self.eligibility
            .reader_required
            .check_dated("eligibility.reader_required", from, src)?;
        self.special_regime.reader_applied_by.check_dated(
            "special_regime.reader_applied_by",
            from,
            src,
        )?;
        self.special_regime
            .form_fallback
            .check_dated("special_regime.form_fallback", from, src)?;
        check(
            !self.special_regime.form_fallback.value.trim().is_empty(),
            "special_regime.form_fallback",
            || "the form has no name".into(),
        )?;
        let d = &self.deadlines;
        d.project_completed_by
            .check_dated("deadlines.project_completed_by", from, src)?;
        d.application_filed_by
            .check_dated("deadlines.application_filed_by", from, src)?;
        check(
            d.project_completed_by.value <= d.application_filed_by.value,
            "deadlines.application_filed_by",
            || {
                format!(
                    "{} is before the project deadline {}",
                    d.application_filed_by.value, d.project_completed_by.value
                )
            },
        )?;
        let by = self.special_regime.reader_applied_by.value;
        check(
            by <= d.project_completed_by.value,
            "special_regime.reader_applied_by",
            || {
                format!(
                    "{by} is after the project deadline {}",
                    d.project_completed_by.value
                )
            },
        )?;
        let p = &self.plausible_dates;
        p.earliest
            .check_dated("plausible_dates.earliest", from, src)?;
        p.latest.check_dated("plausible_dates.latest", from, src)?;
        check(
            p.earliest.value <= by && d.application_filed_by.value <= p.latest.value,
            "plausible_dates",
            || {
                format!(
                    "{} to {} does not hold the rules' own dates ({by} to {})",
                    p.earliest.value, p.latest.value, d.application_filed_by.value
                )
            },
        )?;
        let m = &self.money;
        m.rounding_unit
            .check_dated("money.rounding_unit", from, src)?;
        check(m.rounding_unit.value >= 1, "money.rounding_unit", || {
            "must be at least 1 yen".into()
        })?;
        m.tax_rate.check_dated("money.tax_rate", from, src)?;
        check_rate(&m.tax_rate, "money.tax_rate", false)?;
        m.max_amount.check_dated("money.max_amount", from, src)?;
        check(
            (1..=MAX_PLAUSIBLE_AMOUNT).contains(&m.max_amount.value),
            "money.max_amount",
            || {
                format!(
                    "{} is not between 1 and {MAX_PLAUSIBLE_AMOUNT} yen",
                    m.max_amount.value
                )
            },
        )?;
        let smallest_cap = [
            &self.categories.hospital,
            &self.categories.large_chain_pharmacy,
            &self.categories.clinic_or_pharmacy,
        ]
        .iter()
        .flat_map(|c| c.caps.value.iter().copied())
        .min()
        .unwrap_or(0);
        check(
            m.rounding_unit.value <= smallest_cap,
            "money.rounding_unit",
            || {
                format!(
                    "{} is above the smallest cap ({smallest_cap}): every grant there would be 0",
                    m.rounding_unit.value
                )
            },
        )?;
        let l = &self.line_items;
        for (k, p) in [
            ("terminal", &l.terminal),
            ("package_software", &l.package_software),
            ("line", &l.line),
            ("system_modification", &l.system_modification),
            ("network", &l.network),
            ("recurring", &l.recurring),
            ("extra_reader", &l.extra_reader),
            ("customisation", &l.customisation),
            ("unrelated_ict", &l.unrelated_ict),
            ("other", &l.other),
        ] {
            p.check_dated(&format!("line_items.{k}"), from, src)?;
        }
        let r = &self.retention;
        r.years_after_fiscal_year
            .check_dated("retention.years_after_fiscal_year", from, src)?;
        check(
            r.years_after_fiscal_year.value <= 100,
            "retention.years_after_fiscal_year",
            || format!("{} years is not plausible", r.years_after_fiscal_year.value),
        )?;
        r.fiscal_year_start_month
            .check_dated("retention.fiscal_year_start_month", from, src)?;
        check(
            (1..=12).contains(&r.fiscal_year_start_month.value),
            "retention.fiscal_year_start_month",
            || format!("{} is not a month", r.fiscal_year_start_month.value),
        )?;
        let c = &self.institution_code.legacy_check_prefectures;
        c.check_dated("institution_code.legacy_check_prefectures", from, src)?;
        check(
            c.value.iter().all(|p| (1..=47).contains(p)),
            "institution_code.legacy_check_prefectures",
            || "a prefecture code must be between 1 and 47".into(),
        )?;
        for (i, l) in self.readiness.lines.iter().enumerate() {
            let key = format!("readiness.lines[{i}]");
            check(!l.id.is_empty(), &key, || "has an empty id".into())?;
            check(
                (l.status == LineStatus::Ending) == l.ends_on.is_some(),
                &key,
                || {
                    format!(
                        "{}: `ends_on` is given exactly when the status is `ending`",
                        l.id
                    )
                },
            )?;
            check(
                self.readiness.lines[..i].iter().all(|o| o.id != l.id),
                &key,
                || format!("{}: the id is used twice", l.id),
            )?;
        }
        self.validate_after_grant(from)?;
        self.validate_forms()?;
        self.validate_revisions(from)?;
        let p = &self.preparation;
        for (k, v, max) in [
            (
                "reader_application_months_before_start",
                &p.reader_application_months_before_start,
                24,
            ),
            (
                "order_months_before_start",
                &p.order_months_before_start,
                24,
            ),
            (
                "applications_business_days_before_setup",
                &p.applications_business_days_before_setup,
                250,
            ),
            (
                "setup_business_days_before_start",
                &p.setup_business_days_before_start,
                250,
            ),
            (
                "operations_business_days_before_start",
                &p.operations_business_days_before_start,
                250,
            ),
        ] {
            let key = format!("preparation.{k}");
            v.check_dated(&key, from, src)?;
            check(v.value <= max, &key, || {
                format!("{} is more than {max}", v.value)
            })?;
        }
        Ok(())
    }
}

impl RuleFile {
    fn validate_after_grant(&self, from: NaiveDate) -> Result<(), SchemaError> {
        let a = &self.after_grant;
        let src = &self.sources;
        a.reader_value
            .check_dated("after_grant.reader_value", from, src)?;
        check(
            a.reader_value.value <= self.money.max_amount.value,
            "after_grant.reader_value",
            || format!("{} is more than money.max_amount", a.reader_value.value),
        )?;
        a.reader_depreciation_months.check_dated(
            "after_grant.reader_depreciation_months",
            from,
            src,
        )?;
        check(
            (1..=600).contains(&a.reader_depreciation_months.value),
            "after_grant.reader_depreciation_months",
            || {
                format!(
                    "{} is not between 1 and 600",
                    a.reader_depreciation_months.value
                )
            },
        )?;
        a.depreciation_from
            .check_dated("after_grant.depreciation_from", from, src)?;
        a.grant_repayable
            .check_dated("after_grant.grant_repayable", from, src)?;
        let r = a.grant_repayable.value;
        check(
            r.numerator <= r.denominator,
            "after_grant.grant_repayable",
            || format!("{r} is more than the whole grant"),
        )?;
        for (k, p) in [
            ("useful_life_terminal_years", &a.useful_life_terminal_years),
            ("useful_life_software_years", &a.useful_life_software_years),
            ("useful_life_other_years", &a.useful_life_other_years),
        ] {
            let key = format!("after_grant.{k}");
            p.check_dated(&key, from, src)?;
            check((1..=50).contains(&p.value), &key, || {
                format!("{} years is not plausible", p.value)
            })?;
        }
        Ok(())
    }

    /// The measures and deadlines of the later revisions, when the rule set has them.
    fn validate_revisions(&self, from: NaiveDate) -> Result<(), SchemaError> {
        let src = &self.sources;
        let window = |k: &str| format!("special_window_2022.{k}");
        if let Some(w) = &self.special_window_2022 {
            w.reader_applied_from
                .check_dated(&window("reader_applied_from"), from, src)?;
            w.reader_applied_by
                .check_dated(&window("reader_applied_by"), from, src)?;
            w.contracted_by
                .check_dated(&window("contracted_by"), from, src)?;
            w.categories.check_dated(&window("categories"), from, src)?;
            let (a, b) = (w.reader_applied_from.value, w.reader_applied_by.value);
            check(a <= b, &window("reader_applied_by"), || {
                format!("{b} is before the window opens ({a})")
            })?;
            for c in &w.categories.value {
                check(
                    CATEGORY_NAMES.contains(&c.as_str()),
                    &window("categories"),
                    || format!("{c:?} is not one of {CATEGORY_NAMES:?}"),
                )?;
            }
        }
        if let Some(d) = &self.difference_payment {
            let key = |k: &str| format!("difference_payment.{k}");
            d.reader_applied_by
                .check_dated(&key("reader_applied_by"), from, src)?;
            d.operation_started_from
                .check_dated(&key("operation_started_from"), from, src)?;
            d.operation_started_by
                .check_dated(&key("operation_started_by"), from, src)?;
            d.paid_if_applied_before
                .check_dated(&key("paid_if_applied_before"), from, src)?;
            let (a, b) = (d.operation_started_from.value, d.operation_started_by.value);
            check(a <= b, &key("operation_started_by"), || {
                format!("{b} is before the period opens ({a})")
            })?;
            check(
                self.special_window_2022.is_some(),
                "difference_payment",
                || {
                    "needs special_window_2022 (it pays up to the window's amount, for its categories)".into()
                },
            )?;
        }
        if let Some(d) = &self.deferral {
            d.deadlines.check_dated("deferral.deadlines", from, src)?;
            let mut seen = Vec::new();
            for e in &d.deadlines.value {
                for t in &e.types {
                    check(
                        (1..=6).contains(t) && !seen.contains(t),
                        "deferral.deadlines",
                        || format!("type {t} is not between 1 and 6, or is listed twice"),
                    )?;
                    seen.push(*t);
                }
                check(
                    e.project_completed_by <= e.application_filed_by,
                    "deferral.deadlines",
                    || {
                        format!(
                            "{} is before the project deadline {}",
                            e.application_filed_by, e.project_completed_by
                        )
                    },
                )?;
            }
        }
        Ok(())
    }

    /// The texts shown beside the rules (lines, terminals, duties, forms) cite known sources.
    fn validate_texts_cite(&self) -> Result<(), SchemaError> {
        let src = &self.sources;
        for l in &self.readiness.lines {
            check_source(src, &l.source, &format!("readiness.lines.{}", l.id))?;
        }
        for o in &self.readiness.terminal_os {
            check_source(src, &o.source, &format!("readiness.terminal_os.{}", o.id))?;
        }
        for d in &self.after_grant.duties {
            check_source(src, &d.source, &format!("after_grant.duties.{}", d.id))?;
        }
        check_source(src, &self.forms.source, "forms")?;
        check_source(
            src,
            &self.forms.attachments_source,
            "forms.attachments_source",
        )?;
        for (name, l) in &self.forms.layouts {
            check_source(src, &l.source, &format!("forms.layouts.{name}"))?;
        }
        Ok(())
    }

    fn validate_forms(&self) -> Result<(), SchemaError> {
        let c = &self.categories;
        let names = [&c.hospital, &c.large_chain_pharmacy, &c.clinic_or_pharmacy]
            .into_iter()
            .flat_map(|c| c.special_forms.value.iter())
            .chain([&self.special_regime.form_fallback.value]);
        for name in names {
            check(
                self.forms.layouts.contains_key(name),
                "forms.layouts",
                || format!("has no layout for the form {name:?}"),
            )?;
        }
        Ok(())
    }
}

impl Validate for CalendarFile {
    fn validate(&self) -> Result<(), SchemaError> {
        let c = &self.calendar;
        check(c.covers_from <= c.covers_to, "calendar.covers_to", || {
            format!("{} is before covers_from {}", c.covers_to, c.covers_from)
        })?;
        for (i, h) in c.holidays.iter().enumerate() {
            let key = format!("calendar.holidays[{i}]");
            check(
                (c.covers_from..=c.covers_to).contains(&h.date),
                &key,
                || format!("{} is outside the years the calendar covers", h.date),
            )?;
            if i > 0 {
                check(c.holidays[i - 1].date < h.date, &key, || {
                    format!("{} is not after the holiday before it", h.date)
                })?;
            }
        }
        Ok(())
    }
}
