//! Every parameter of a rule file by its key, read so that the reading is recorded.
//!
//! The computation reads a parameter only through a [`Key`] and a [`Reading`], which notes the
//! parameter's [`ParamId`]; a step of the explanation cites exactly the parameters noted while
//! it was computed. Keys are the rule file's dotted paths (`money.tax_rate`): one list below
//! gives each parameter its id, its key, its type and where it lives in [`RuleFile`].

use chrono::NaiveDate;
use serde::Serialize;

use super::RuleSet;
use super::schema::{DeferralDeadlines, DepreciationStart, Param, Rate, RuleFile, Source};
use crate::model::{Category, LineItemCategory};

/// A typed handle on one parameter: its id and where it lives in a rule file.
#[derive(Debug)]
pub struct Key<T: 'static> {
    pub id: ParamId,
    get: fn(&RuleFile) -> Option<&Param<T>>,
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Key<T> {}

impl<T> Key<T> {
    /// The parameter in `f` (not recorded: for code that explains, not code that computes).
    /// Only for parameters every rule set has (not those of a later revision's section).
    pub fn of(self, f: &RuleFile) -> &Param<T> {
        (self.get)(f).expect("a parameter every rule set has")
    }

    /// The parameter in `f`, when its section is in this rule set.
    pub fn try_of(self, f: &RuleFile) -> Option<&Param<T>> {
        (self.get)(f)
    }
}

macro_rules! params {
    ($($id:ident: $ty:ty = $key:literal => $get:expr;)*) => {
        /// One parameter of a rule file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ParamId { $($id),* }

        impl ParamId {
            /// Every parameter, in the rule file's order.
            pub const ALL: &'static [ParamId] = &[$(ParamId::$id),*];

            /// The rule file's key, e.g. `categories.hospital.caps`.
            pub fn key(self) -> &'static str {
                match self { $(ParamId::$id => $key),* }
            }

            /// The parameter's value and its reference, as a rule file holds them.
            fn meta(self, f: &RuleFile) -> Option<(ParamValue<'_>, Reference<'_>)> {
                match self { $(ParamId::$id => p::$id.try_of(f).map(split)),* }
            }
        }

        /// The typed keys, one per parameter.
        #[allow(non_upper_case_globals)]
        pub mod p {
            use super::*;
            $(pub const $id: Key<$ty> = Key { id: ParamId::$id, get: $get };)*
        }
    };
}

params! {
    HospitalReaderQuota: u32 = "categories.hospital.reader_quota" => |f| Some(&f.categories.hospital.reader_quota);
    HospitalCaps: Vec<u64> = "categories.hospital.caps" => |f| Some(&f.categories.hospital.caps);
    HospitalStandardRate: Rate = "categories.hospital.standard_rate" => |f| Some(&f.categories.hospital.standard_rate);
    HospitalSpecialForms: Vec<String> = "categories.hospital.special_forms" => |f| Some(&f.categories.hospital.special_forms);
    LargeChainReaderQuota: u32 = "categories.large_chain_pharmacy.reader_quota" => |f| Some(&f.categories.large_chain_pharmacy.reader_quota);
    LargeChainCaps: Vec<u64> = "categories.large_chain_pharmacy.caps" => |f| Some(&f.categories.large_chain_pharmacy.caps);
    LargeChainStandardRate: Rate = "categories.large_chain_pharmacy.standard_rate" => |f| Some(&f.categories.large_chain_pharmacy.standard_rate);
    LargeChainSpecialForms: Vec<String> = "categories.large_chain_pharmacy.special_forms" => |f| Some(&f.categories.large_chain_pharmacy.special_forms);
    ClinicReaderQuota: u32 = "categories.clinic_or_pharmacy.reader_quota" => |f| Some(&f.categories.clinic_or_pharmacy.reader_quota);
    ClinicCaps: Vec<u64> = "categories.clinic_or_pharmacy.caps" => |f| Some(&f.categories.clinic_or_pharmacy.caps);
    ClinicStandardRate: Rate = "categories.clinic_or_pharmacy.standard_rate" => |f| Some(&f.categories.clinic_or_pharmacy.standard_rate);
    ClinicSpecialForms: Vec<String> = "categories.clinic_or_pharmacy.special_forms" => |f| Some(&f.categories.clinic_or_pharmacy.special_forms);
    LargeChainThreshold: u64 = "large_chain.threshold_rx_per_month" => |f| Some(&f.large_chain.threshold_rx_per_month);
    ReaderRequired: bool = "eligibility.reader_required" => |f| Some(&f.eligibility.reader_required);
    SpecialReaderAppliedBy: NaiveDate = "special_regime.reader_applied_by" => |f| Some(&f.special_regime.reader_applied_by);
    FormFallback: String = "special_regime.form_fallback" => |f| Some(&f.special_regime.form_fallback);
    ProjectCompletedBy: NaiveDate = "deadlines.project_completed_by" => |f| Some(&f.deadlines.project_completed_by);
    ApplicationFiledBy: NaiveDate = "deadlines.application_filed_by" => |f| Some(&f.deadlines.application_filed_by);
    PlausibleEarliest: NaiveDate = "plausible_dates.earliest" => |f| Some(&f.plausible_dates.earliest);
    PlausibleLatest: NaiveDate = "plausible_dates.latest" => |f| Some(&f.plausible_dates.latest);
    RoundingUnit: u64 = "money.rounding_unit" => |f| Some(&f.money.rounding_unit);
    TaxRate: Rate = "money.tax_rate" => |f| Some(&f.money.tax_rate);
    MaxAmount: u64 = "money.max_amount" => |f| Some(&f.money.max_amount);
    ItemTerminal: bool = "line_items.terminal" => |f| Some(&f.line_items.terminal);
    ItemPackageSoftware: bool = "line_items.package_software" => |f| Some(&f.line_items.package_software);
    ItemLine: bool = "line_items.line" => |f| Some(&f.line_items.line);
    ItemSystemModification: bool = "line_items.system_modification" => |f| Some(&f.line_items.system_modification);
    ItemNetwork: bool = "line_items.network" => |f| Some(&f.line_items.network);
    ItemRecurring: bool = "line_items.recurring" => |f| Some(&f.line_items.recurring);
    ItemExtraReader: bool = "line_items.extra_reader" => |f| Some(&f.line_items.extra_reader);
    ItemCustomisation: bool = "line_items.customisation" => |f| Some(&f.line_items.customisation);
    ItemUnrelatedIct: bool = "line_items.unrelated_ict" => |f| Some(&f.line_items.unrelated_ict);
    ItemOther: bool = "line_items.other" => |f| Some(&f.line_items.other);
    RetentionYears: u32 = "retention.years_after_fiscal_year" => |f| Some(&f.retention.years_after_fiscal_year);
    FiscalYearStartMonth: u32 = "retention.fiscal_year_start_month" => |f| Some(&f.retention.fiscal_year_start_month);
    LegacyCheckPrefectures: Vec<u8> = "institution_code.legacy_check_prefectures" => |f| Some(&f.institution_code.legacy_check_prefectures);
    ReaderApplicationMonths: u32 = "preparation.reader_application_months_before_start" => |f| Some(&f.preparation.reader_application_months_before_start);
    OrderMonths: u32 = "preparation.order_months_before_start" => |f| Some(&f.preparation.order_months_before_start);
    ApplicationsBusinessDays: u32 = "preparation.applications_business_days_before_setup" => |f| Some(&f.preparation.applications_business_days_before_setup);
    SetupBusinessDays: u32 = "preparation.setup_business_days_before_start" => |f| Some(&f.preparation.setup_business_days_before_start);
    OperationsBusinessDays: u32 = "preparation.operations_business_days_before_start" => |f| Some(&f.preparation.operations_business_days_before_start);
    ReaderValue: u64 = "after_grant.reader_value" => |f| Some(&f.after_grant.reader_value);
    ReaderDepreciationMonths: u32 = "after_grant.reader_depreciation_months" => |f| Some(&f.after_grant.reader_depreciation_months);
    DepreciationFrom: DepreciationStart = "after_grant.depreciation_from" => |f| Some(&f.after_grant.depreciation_from);
    GrantRepayable: Rate = "after_grant.grant_repayable" => |f| Some(&f.after_grant.grant_repayable);
    UsefulLifeTerminal: u32 = "after_grant.useful_life_terminal_years" => |f| Some(&f.after_grant.useful_life_terminal_years);
    UsefulLifeSoftware: u32 = "after_grant.useful_life_software_years" => |f| Some(&f.after_grant.useful_life_software_years);
    UsefulLifeOther: u32 = "after_grant.useful_life_other_years" => |f| Some(&f.after_grant.useful_life_other_years);
    WindowReaderFrom: NaiveDate = "special_window_2022.reader_applied_from" => |f| f.special_window_2022.as_ref().map(|w| &w.reader_applied_from);
    WindowReaderBy: NaiveDate = "special_window_2022.reader_applied_by" => |f| f.special_window_2022.as_ref().map(|w| &w.reader_applied_by);
    WindowContractedBy: NaiveDate = "special_window_2022.contracted_by" => |f| f.special_window_2022.as_ref().map(|w| &w.contracted_by);
    WindowCategories: Vec<String> = "special_window_2022.categories" => |f| f.special_window_2022.as_ref().map(|w| &w.categories);
    DifferenceReaderBy: NaiveDate = "difference_payment.reader_applied_by" => |f| f.difference_payment.as_ref().map(|d| &d.reader_applied_by);
    DifferenceOperationFrom: NaiveDate = "difference_payment.operation_started_from" => |f| f.difference_payment.as_ref().map(|d| &d.operation_started_from);
    DifferenceOperationBy: NaiveDate = "difference_payment.operation_started_by" => |f| f.difference_payment.as_ref().map(|d| &d.operation_started_by);
    DifferencePaidBefore: NaiveDate = "difference_payment.paid_if_applied_before" => |f| f.difference_payment.as_ref().map(|d| &d.paid_if_applied_before);
    DeferralDeadlines: Vec<DeferralDeadlines> = "deferral.deadlines" => |f| f.deferral.as_ref().map(|d| &d.deadlines);
}

impl ParamId {
    /// The parameter's source id and article (Japanese, English), when the rule set has it.
    pub(super) fn reference(self, f: &RuleFile) -> Option<(&str, &str, &str)> {
        self.meta(f)
            .map(|(_, r)| (r.source, r.article, r.article_en))
    }

    /// The parameter with this key, if there is one.
    pub fn from_key(key: &str) -> Option<ParamId> {
        ParamId::ALL.iter().copied().find(|p| p.key() == key)
    }

    fn bit(self) -> u128 {
        1 << (self as u8)
    }
}

/// The per-category keys.
pub mod by_category {
    use super::*;

    pub fn reader_quota(c: Category) -> Key<u32> {
        match c {
            Category::Hospital => p::HospitalReaderQuota,
            Category::LargeChainPharmacy => p::LargeChainReaderQuota,
            Category::ClinicOrPharmacy => p::ClinicReaderQuota,
        }
    }
    pub fn caps(c: Category) -> Key<Vec<u64>> {
        match c {
            Category::Hospital => p::HospitalCaps,
            Category::LargeChainPharmacy => p::LargeChainCaps,
            Category::ClinicOrPharmacy => p::ClinicCaps,
        }
    }
    pub fn standard_rate(c: Category) -> Key<Rate> {
        match c {
            Category::Hospital => p::HospitalStandardRate,
            Category::LargeChainPharmacy => p::LargeChainStandardRate,
            Category::ClinicOrPharmacy => p::ClinicStandardRate,
        }
    }
    pub fn special_forms(c: Category) -> Key<Vec<String>> {
        match c {
            Category::Hospital => p::HospitalSpecialForms,
            Category::LargeChainPharmacy => p::LargeChainSpecialForms,
            Category::ClinicOrPharmacy => p::ClinicSpecialForms,
        }
    }
    /// The useful life (耐用年数) of what a line-item category buys.
    pub fn useful_life(c: LineItemCategory) -> Key<u32> {
        use LineItemCategory as L;
        match c {
            L::Terminal => p::UsefulLifeTerminal,
            L::PackageSoftware | L::SystemModification => p::UsefulLifeSoftware,
            _ => p::UsefulLifeOther,
        }
    }
    /// Whether a line-item category is eligible cost.
    pub fn line_item(c: LineItemCategory) -> Key<bool> {
        use LineItemCategory as L;
        match c {
            L::Terminal => p::ItemTerminal,
            L::PackageSoftware => p::ItemPackageSoftware,
            L::Line => p::ItemLine,
            L::SystemModification => p::ItemSystemModification,
            L::Network => p::ItemNetwork,
            L::Recurring => p::ItemRecurring,
            L::ExtraReader => p::ItemExtraReader,
            L::Customisation => p::ItemCustomisation,
            L::UnrelatedIct => p::ItemUnrelatedIct,
            L::Other => p::ItemOther,
        }
    }
}

/// A set of parameters (those one step read), in [`ParamId`] order. No allocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParamSet(u128);

impl ParamSet {
    pub const EMPTY: ParamSet = ParamSet(0);

    pub fn insert(&mut self, p: ParamId) {
        self.0 |= p.bit();
    }
    pub fn contains(self, p: ParamId) -> bool {
        self.0 & p.bit() != 0
    }
    pub fn union(self, other: ParamSet) -> ParamSet {
        ParamSet(self.0 | other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = ParamId> {
        ParamId::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<ParamId> for ParamSet {
    fn from_iter<I: IntoIterator<Item = ParamId>>(iter: I) -> Self {
        let mut s = ParamSet::EMPTY;
        iter.into_iter().for_each(|p| s.insert(p));
        s
    }
}

/// Reads parameters of a rule set and notes which were read.
#[derive(Debug)]
pub struct Reading<'r> {
    rules: &'r RuleSet,
    read: ParamSet,
}

impl<'r> Reading<'r> {
    pub fn new(rules: &'r RuleSet) -> Self {
        Reading {
            rules,
            read: ParamSet::EMPTY,
        }
    }

    /// The value of a parameter every rule set has, noted as read.
    pub fn get<T>(&mut self, key: Key<T>) -> &'r T {
        self.read.insert(key.id);
        &key.of(self.rules.file()).value
    }

    /// The value of a parameter of a later revision's section, noted as read when the rule
    /// set has it.
    pub fn get_opt<T>(&mut self, key: Key<T>) -> Option<&'r T> {
        let p = key.try_of(self.rules.file())?;
        self.read.insert(key.id);
        Some(&p.value)
    }

    /// The parameters read since the last call, and a fresh start.
    pub fn take(&mut self) -> ParamSet {
        std::mem::take(&mut self.read)
    }

    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }
}

/// A parameter's value, as JSON writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue<'r> {
    Count(u64),
    Flag(bool),
    Rate(Rate),
    Date(NaiveDate),
    Text(&'r str),
    Counts(&'r [u64]),
    Codes(&'r [u8]),
    Texts(&'r [String]),
    Deferrals(&'r [DeferralDeadlines]),
}

trait AsValue {
    fn as_value(&self) -> ParamValue<'_>;
}
impl AsValue for u32 {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Count(u64::from(*self))
    }
}
impl AsValue for u64 {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Count(*self)
    }
}
impl AsValue for bool {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Flag(*self)
    }
}
impl AsValue for Rate {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Rate(*self)
    }
}
impl AsValue for NaiveDate {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Date(*self)
    }
}
impl AsValue for String {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Text(self)
    }
}
impl AsValue for DepreciationStart {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Text(self.id())
    }
}
impl AsValue for Vec<u64> {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Counts(self)
    }
}
impl AsValue for Vec<u8> {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Codes(self)
    }
}
impl AsValue for Vec<DeferralDeadlines> {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Deferrals(self)
    }
}
impl AsValue for Vec<String> {
    fn as_value(&self) -> ParamValue<'_> {
        ParamValue::Texts(self)
    }
}

/// What a parameter says besides its value.
struct Reference<'r> {
    effective_from: NaiveDate,
    source: &'r str,
    article: &'r str,
    article_en: &'r str,
    decision: bool,
}

fn split<T: AsValue>(p: &Param<T>) -> (ParamValue<'_>, Reference<'_>) {
    let r = Reference {
        effective_from: p.effective_from,
        source: &p.source,
        article: &p.article,
        article_en: &p.article_en,
        decision: p.decision,
    };
    (p.value.as_value(), r)
}

/// A source document as a citation names it (`onshi rules sources` lists them all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef<'r> {
    pub id: &'r str,
    pub issuer: &'r str,
    pub title: &'r str,
    pub title_en: &'r str,
    pub number: Option<&'r str>,
    pub date: Option<&'r str>,
    pub url: Option<&'r str>,
    pub kind: &'static str,
}

impl<'r> SourceRef<'r> {
    pub fn new(id: &'r str, s: &'r Source) -> Self {
        SourceRef {
            id,
            issuer: &s.issuer,
            title: &s.title,
            title_en: &s.title_en,
            number: s.number.as_deref(),
            date: s.date.as_deref(),
            url: s.url.as_deref(),
            kind: s.kind.id(),
        }
    }
}

/// A parameter as an explanation cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited<'r> {
    pub key: &'static str,
    pub value: ParamValue<'r>,
    pub effective_from: NaiveDate,
    /// The document the value comes from.
    pub source: SourceRef<'r>,
    /// The article or passage of the source.
    pub article: &'r str,
    pub article_en: &'r str,
    /// The citation as a reader sees it: the document's name and the article.
    pub citation: &'r str,
    pub citation_en: &'r str,
    /// A value the project chose where the documents are silent (a Decision).
    pub decision: bool,
    /// The rule set that set the value: the file's own id, or the reform's that changed it.
    pub rule_set: &'r str,
}

impl RuleSet {
    /// A parameter with its value and reference, for citing.
    /// A parameter with its value and reference, for citing; None when the rule set does not
    /// have it (a later revision's section).
    pub fn try_cite(&self, id: ParamId) -> Option<Cited<'_>> {
        let (value, r) = id.meta(self.file())?;
        let source = self.source(r.source);
        Some(Cited {
            key: id.key(),
            value,
            effective_from: r.effective_from,
            source,
            article: r.article,
            article_en: r.article_en,
            citation: self.cited_text(id, 0),
            citation_en: self.cited_text(id, 1),
            decision: r.decision,
            rule_set: self.set_by(id),
        })
    }

    /// A parameter the rule set has, for citing.
    pub fn cite(&self, id: ParamId) -> Cited<'_> {
        self.try_cite(id).expect("a parameter of this rule set")
    }

    /// The source with this id (a validated rule set holds every id it cites).
    pub fn source<'a>(&'a self, id: &'a str) -> SourceRef<'a> {
        let s = &self.file().sources[id];
        SourceRef::new(id, s)
    }

    /// A citation as a reader sees it: the source's name, then the article.
    pub fn citation(&self, source: &str, article: &str, lang: crate::Lang) -> String {
        let s = &self.file().sources[source];
        match lang {
            crate::Lang::Ja => format!("{} {article}", s.short),
            crate::Lang::En => format!("{}, {article}", s.short_en),
        }
    }
}
