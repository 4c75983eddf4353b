//! The assessment: what grant an institution gets, under which regime, and why.
//!
//! [`assess`] reads as the rules do (docs/rules.md): category → readers provided → cap →
//! eligible cost → `min(cost, cap)` → standard `× rate` / special in full → floor to 1,000 yen →
//! refusals (no reader, deadlines) → the larger regime → form → retention. Only the final grant
//! is rounded. Each step reads rule parameters through a [`Reading`], which notes them: the
//! [`Derivation`] keeps, per step, what was read and the facts the figures do not hold, and
//! [`crate::explain`] writes the words from it — no text here.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use smallvec::SmallVec;

use crate::explain::{self, TraceStep};
use crate::input::{Cost, Institution, LineItem};
use crate::model::{Category, Kind, Measure, Regime};
use crate::money::Yen;
use crate::notice::{Facts, Notice, NoticeCode, Severity};
use crate::rules::schema::DepreciationStart;
use crate::rules::{ParamSet, Rate, Reading, RuleSet, by_category as cat, p};

/// The version of the assessment's JSON shape (`onshi schema assessment` prints its schema).
pub const SCHEMA_VERSION: &str = "onshi.assessment/4";

/// The JSON Schema (draft 2020-12) of the assessment's JSON, kept by hand beside the types and
/// checked against every data-file case's output.
pub const ASSESSMENT_SCHEMA: &str = include_str!("../schema/assessment.schema.json");

/// What the caller wants besides the figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AssessOptions {
    /// Write the explanation ([`Assessment::trace`]), with one step per line item. Off for
    /// bulk runs, which explain only the steps they show ([`explain::step`]).
    pub trace: bool,
}

/// A step of the computation, in the order the rules run (stable ids in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Category,
    ReadersProvided,
    Cap,
    /// Tax added to one line item entered without it (one step per such item).
    LineItemTax,
    /// Whether one line item is eligible cost (one step per item).
    LineItem,
    EligibleCost,
    CappedCost,
    StandardRate,
    StandardGrant,
    SpecialEligibility,
    /// The second special window of 2022 (a reader in the window, a contract by a date).
    SpecialWindow2022,
    /// The 2022 difference payment (an earlier reader, operation started in a period).
    DifferencePayment,
    SpecialGrant,
    NoReader,
    ProjectDeadline,
    ApplicationDeadline,
    Regime,
    Grant,
    Form,
    /// 耐用年数: until when the equipment is bound to its purpose (第5 1(2)).
    UsefulLife,
    Retention,
    /// What disposing of the equipment on a given day may cost (第5 1(6)).
    Disposal,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 22] = [
        Step::Category,
        Step::ReadersProvided,
        Step::Cap,
        Step::LineItemTax,
        Step::LineItem,
        Step::EligibleCost,
        Step::CappedCost,
        Step::StandardRate,
        Step::StandardGrant,
        Step::SpecialEligibility,
        Step::SpecialWindow2022,
        Step::DifferencePayment,
        Step::SpecialGrant,
        Step::NoReader,
        Step::ProjectDeadline,
        Step::ApplicationDeadline,
        Step::Regime,
        Step::Grant,
        Step::Form,
        Step::UsefulLife,
        Step::Retention,
        Step::Disposal,
    ];

    /// The stable id, as in JSON (`cap`, `regime`, …).
    pub fn id(self) -> &'static str {
        match self {
            Step::Category => "category",
            Step::ReadersProvided => "readers_provided",
            Step::Cap => "cap",
            Step::LineItemTax => "line_item_tax",
            Step::LineItem => "line_item",
            Step::EligibleCost => "eligible_cost",
            Step::CappedCost => "capped_cost",
            Step::StandardRate => "standard_rate",
            Step::StandardGrant => "standard_grant",
            Step::SpecialEligibility => "special_eligibility",
            Step::SpecialWindow2022 => "special_window_2022",
            Step::DifferencePayment => "difference_payment",
            Step::SpecialGrant => "special_grant",
            Step::NoReader => "no_reader",
            Step::ProjectDeadline => "project_deadline",
            Step::ApplicationDeadline => "application_deadline",
            Step::Regime => "regime",
            Step::Grant => "grant",
            Step::Form => "form",
            Step::UsefulLife => "useful_life",
            Step::Retention => "retention",
            Step::Disposal => "disposal",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

/// Why no regime pays (docs/rules.md): each refusal that holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refusals {
    pub no_reader: bool,
    pub project_deadline: bool,
    pub application_deadline: bool,
}

impl Refusals {
    pub fn any(self) -> bool {
        self.no_reader || self.project_deadline || self.application_deadline
    }
}

/// One line item as the rules read it (kept when the trace is asked for).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStep {
    pub item: LineItem,
    /// Tax added, when the amount was entered without it.
    pub tax_added: Option<Yen>,
    pub with_tax: Yen,
    pub eligible: bool,
    pub tax_reads: ParamSet,
    pub reads: ParamSet,
}

/// The line items of one category taken together: what the trace shows instead of one step
/// per item when there are more than [`ITEM_STEPS_MAX`] of them.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemGroup {
    pub category: crate::model::LineItemCategory,
    pub count: u64,
    /// Of them, entered without tax, and the tax added to those.
    pub taxed_count: u64,
    pub tax_added: Yen,
    /// Their sum with tax.
    pub with_tax: Yen,
    pub eligible: bool,
    pub tax_reads: ParamSet,
    pub reads: ParamSet,
}

/// The most line items the trace explains one by one; beyond it, by category (a million
/// items once made a 1.2 GB explanation).
pub const ITEM_STEPS_MAX: usize = 100;

/// How the figures were reached: which steps ran, the parameters each read, and the facts
/// the figures themselves do not hold. Fixed size (no allocation) unless line items are traced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derivation {
    taken: u32,
    reads: [ParamSet; Step::ALL.len()],
    /// Group prescriptions a month, as given (pharmacies).
    pub group_rx_per_month: Option<u64>,
    pub reader_applied_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    /// True when the cost was given as one total rather than line items.
    pub total_given: bool,
    /// min(eligible cost, cap): the cost that counts.
    pub capped: Yen,
    /// `capped × rate`, exact, before rounding.
    pub standard_exact: Yen,
    /// What the standard regime pays before any refusal.
    pub standard: Yen,
    /// `capped` floored to the rounding unit: what the special regime pays when it applies.
    pub special_amount: Yen,
    pub special_applies: bool,
    /// The special measure that applies, when one does.
    pub special_measure: Option<Measure>,
    pub contracted_on: Option<NaiveDate>,
    pub operation_started_on: Option<NaiveDate>,
    pub deferral: Option<u8>,
    /// How the 2022 window judged the institution, when the rules have it and it was asked.
    pub window: Option<WindowCheck>,
    /// How the 2022 difference payment judged it, likewise.
    pub difference: Option<DifferenceCheck>,
    /// The deadlines of the deferral notice's type: known, or not known here.
    pub deferral_deadlines: Option<Option<(NaiveDate, NaiveDate)>>,
    pub refusals: Refusals,
    /// The fiscal year (by its starting year) in which the project was completed.
    pub fiscal_year: Option<i32>,
    /// Keep the books until (第5 1(5) main text), before the useful life is weighed.
    pub books_until: Option<NaiveDate>,
    /// The longest useful life of the assets acquired, in years.
    pub useful_life_years: u32,
    pub disposed_on: Option<NaiveDate>,
    /// One entry per line item, when the trace was asked for (up to [`ITEM_STEPS_MAX`]).
    pub items: Vec<ItemStep>,
    /// The items by category instead, when there were more, in category order.
    pub item_groups: Vec<ItemGroup>,
}

impl Derivation {
    /// Whether the step ran for this institution.
    pub fn has(&self, step: Step) -> bool {
        self.taken & step.bit() != 0
    }

    /// The parameters the step read.
    pub fn reads(&self, step: Step) -> ParamSet {
        self.reads[step as usize]
    }

    /// The steps that ran, in order (per-item steps are in [`Derivation::items`]).
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        Step::ALL.into_iter().filter(|s| self.has(*s))
    }
}

/// What the 2022 window found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowCheck {
    /// The category is not one the window covers.
    NotCovered,
    /// The reader was applied for outside the window (or not at all).
    ReaderOutside,
    ContractInTime,
    ContractLate,
    ContractUnknown,
}

/// What the 2022 difference payment found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DifferenceCheck {
    /// The reader was applied for after the payment's date (or not at all).
    ReaderOutside,
    /// The grant was applied for before the revision: paid already.
    AlreadyPaid,
    OperationInPeriod,
    OperationOutside,
    OperationUnknown,
}

/// A value before or after a step of the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum TraceValue {
    Yen(Yen),
    Count(u64),
    Date(NaiveDate),
    Kind(Kind),
    Category(Category),
    Regime(Regime),
    Rate(Rate),
    Flag(bool),
    Text(String),
    /// Not known (a date not given).
    Unknown,
}

/// The result of assessing one institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment<'r> {
    pub schema_version: &'static str,
    /// The rule set used.
    #[serde(rename = "rule_set", serialize_with = "rule_set_id")]
    pub rules: &'r RuleSet,
    pub kind: Kind,
    pub category: Category,
    pub readers_applied: u32,
    /// 無償提供台数 actually provided: `min(applied, quota)`.
    pub readers_provided: u32,
    /// 補助限度額
    pub cap: Yen,
    /// 補助率 of the standard regime.
    pub standard_rate: Rate,
    /// 補助対象経費 (税込)
    pub eligible_cost: Yen,
    /// Costs that are not eligible (税込): the institution pays them.
    pub ineligible_cost: Yen,
    /// Everything the project costs (税込).
    pub total_cost: Yen,
    /// What the standard regime pays (0 when no regime may pay).
    pub standard_grant: Yen,
    /// What the special regime pays, when the institution qualifies for it.
    pub special_grant: Option<Yen>,
    pub regime: Regime,
    /// The measure that pays (None when nothing is paid).
    pub measure: Option<Measure>,
    /// 交付額 — what is paid.
    pub grant: Yen,
    /// What the institution pays itself: total cost less the grant.
    pub self_pay: Yen,
    /// The application form to file (None when there is no grant).
    pub form: Option<&'r str>,
    /// Keep books and vouchers until this date (docs/rules.md), when the completion date is known.
    pub retention_until: Option<NaiveDate>,
    /// 耐用年数 — the equipment may not be disposed of without approval before this date
    /// (第5 1(2)), when the completion date is known.
    pub useful_life_until: Option<NaiveDate>,
    /// What disposing of the equipment on `disposed_on` may cost (第5 1(6)), when given.
    pub disposal: Option<Disposal>,
    /// 申請額, when given.
    pub claimed: Option<Yen>,
    /// `claimed − grant`: positive is an over-claim.
    pub claim_difference: Option<Yen>,
    /// True when a date was unknown, so the result is an estimate.
    pub estimate: bool,
    /// Inline up to four (no allocation for most assessments).
    pub notices: SmallVec<[Notice; 4]>,
    /// How the figures were reached (the explanation is written from it).
    #[serde(skip)]
    pub derivation: Derivation,
    /// The explanation, when asked for ([`AssessOptions::trace`]).
    pub trace: Vec<TraceStep<'r>>,
}

fn rule_set_id<S: serde::Serializer>(rules: &&RuleSet, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rules.id())
}

impl Assessment<'_> {
    pub fn has_notice(&self, code: NoticeCode) -> bool {
        self.notices.iter().any(|n| n.code == code)
    }
}

/// Assesses one institution under `rules`.
pub fn assess<'r>(rules: &'r RuleSet, inst: &Institution, opts: AssessOptions) -> Assessment<'r> {
    // Built in place and filled step by step: the assessment is large, and moving it between
    // the steps cost more than the rules themselves.
    let mut a = Assessment::blank(rules, inst);
    run(rules, inst, opts, &mut a);
    if opts.trace {
        a.trace = explain::trace(&a);
    }
    a
}

/// The rules, top to bottom in docs/rules.md's order, filling `a`.
fn run<'r>(rules: &'r RuleSet, inst: &Institution, opts: AssessOptions, a: &mut Assessment<'r>) {
    let mut c = Calc::new(rules, inst, opts, a);
    let category = c.category(); // §1
    let provided = c.readers_provided(category); // §1
    let cap = c.cap(category, provided); // §2
    let (eligible, ineligible) = c.eligible_cost(); // §5
    let capped = c.capped_cost(category, provided, eligible); // §2
    let (rate, standard) = c.standard_grant(category, capped); // §3, §4
    let special = c.special_grant(category, capped); // 特例補助 of 2020 and 2022, rounding
    let refusals = c.refusals(); // no reader, deadlines
    let regime = c.regime(refusals, special.map(|(_, m)| m)); // the measure that pays
    let special = special.map(|(y, _)| y);
    let grant = c.grant(regime, standard, special); // §3
    let form = c.form(category, provided, regime); // §7
    let useful_life_until = c.useful_life(); // §9 (2)
    let retention_until = c.retention(useful_life_until); // §9 (5)
    let disposal = c.disposal(provided, grant, useful_life_until); // §9 (6)
    c.finish(Figures {
        category,
        provided,
        cap,
        eligible,
        ineligible,
        rate,
        standard,
        special,
        regime,
        grant,
        form,
        retention_until,
        useful_life_until,
        disposal,
    });
}

impl<'r> Assessment<'r> {
    /// The inputs in place, every figure still to compute.
    fn blank(rules: &'r RuleSet, inst: &Institution) -> Self {
        Assessment {
            schema_version: SCHEMA_VERSION,
            rules,
            kind: inst.kind,
            category: Category::ClinicOrPharmacy,
            readers_applied: inst.readers,
            readers_provided: 0,
            cap: Yen::ZERO,
            standard_rate: Rate {
                numerator: 0,
                denominator: 1,
            },
            eligible_cost: Yen::ZERO,
            ineligible_cost: Yen::ZERO,
            total_cost: Yen::ZERO,
            standard_grant: Yen::ZERO,
            special_grant: None,
            regime: Regime::Ineligible,
            measure: None,
            grant: Yen::ZERO,
            self_pay: Yen::ZERO,
            form: None,
            retention_until: None,
            useful_life_until: None,
            disposal: None,
            claimed: inst.claimed,
            claim_difference: None,
            estimate: false,
            notices: SmallVec::new(),
            derivation: Derivation {
                taken: 0,
                reads: [ParamSet::EMPTY; Step::ALL.len()],
                group_rx_per_month: inst.group_rx_per_month,
                reader_applied_on: inst.reader_applied_on,
                completed_on: inst.completed_on,
                applied_on: inst.applied_on,
                total_given: false,
                capped: Yen::ZERO,
                standard_exact: Yen::ZERO,
                standard: Yen::ZERO,
                special_amount: Yen::ZERO,
                special_applies: false,
                special_measure: None,
                contracted_on: inst.contracted_on,
                operation_started_on: inst.operation_started_on,
                deferral: inst.deferral,
                window: None,
                difference: None,
                deferral_deadlines: None,
                refusals: Refusals::default(),
                fiscal_year: None,
                books_until: None,
                useful_life_years: 0,
                disposed_on: inst.disposed_on,
                items: Vec::new(),
                item_groups: Vec::new(),
            },
            trace: Vec::new(),
        }
    }
}

/// The figures of an assessment, gathered for [`Calc::finish`].
struct Figures<'r> {
    category: Category,
    provided: u32,
    cap: Yen,
    eligible: Yen,
    ineligible: Yen,
    rate: Rate,
    standard: Yen,
    special: Option<Yen>,
    regime: Regime,
    grant: Yen,
    form: Option<&'r str>,
    retention_until: Option<NaiveDate>,
    useful_life_until: Option<NaiveDate>,
    disposal: Option<Disposal>,
}

/// The state of one assessment under way: the recorded reading, the derivation, the notices.
struct Calc<'r, 'i, 'a> {
    r: Reading<'r>,
    inst: &'i Institution,
    opts: AssessOptions,
    /// The assessment being filled: its derivation and notices are written as the steps run.
    a: &'a mut Assessment<'r>,
}

impl<'r, 'i, 'a> Calc<'r, 'i, 'a> {
    fn new(
        rules: &'r RuleSet,
        inst: &'i Institution,
        opts: AssessOptions,
        a: &'a mut Assessment<'r>,
    ) -> Self {
        Calc {
            r: Reading::new(rules),
            inst,
            opts,
            a,
        }
    }

    /// Closes a step: it ran, and read what was read since the last step closed.
    fn done(&mut self, step: Step) {
        let d = &mut self.a.derivation;
        d.taken |= step.bit();
        d.reads[step as usize] = self.r.take();
    }

    fn notice(&mut self, code: NoticeCode, severity: Severity, facts: Facts) {
        self.a.notices.push(Notice::new(code, severity, facts));
    }

    /// 区分: hospitals are hospitals; a pharmacy is a large chain from the group threshold.
    fn category(&mut self) -> Category {
        let inst = self.inst;
        let category = match inst.kind {
            Kind::Hospital => Category::Hospital,
            Kind::Pharmacy => {
                let threshold = *self.r.get(p::LargeChainThreshold);
                match inst.group_rx_per_month {
                    Some(rx) if rx >= threshold => {
                        let facts = Facts::LargeChain { rx, threshold };
                        self.notice(NoticeCode::LargeChainThreshold, Severity::Info, facts);
                        Category::LargeChainPharmacy
                    }
                    Some(_) => Category::ClinicOrPharmacy,
                    None => {
                        self.a.estimate = true;
                        let facts = Facts::GroupRxUnknown { threshold };
                        self.notice(NoticeCode::GroupRxUnknown, Severity::Warning, facts);
                        Category::ClinicOrPharmacy
                    }
                }
            }
            Kind::Clinic | Kind::DentalClinic => Category::ClinicOrPharmacy,
        };
        self.done(Step::Category);
        category
    }

    /// 無償提供台数 = min(applied, quota).
    fn readers_provided(&mut self, category: Category) -> u32 {
        let quota = *self.r.get(cat::reader_quota(category));
        let applied = self.inst.readers;
        if applied > quota {
            let facts = Facts::ReadersBeyondQuota { applied, quota };
            self.notice(NoticeCode::ReadersBeyondQuota, Severity::Warning, facts);
        }
        self.done(Step::ReadersProvided);
        applied.min(quota)
    }

    /// 補助限度額 for the readers provided (one envelope shared with the other costs).
    fn cap(&mut self, category: Category, provided: u32) -> Yen {
        let cap = cap_of(self.r.get(cat::caps(category)).as_slice(), provided);
        self.done(Step::Cap);
        cap
    }

    /// Eligible and ineligible cost, tax added per line item entered without it.
    fn eligible_cost(&mut self) -> (Yen, Yen) {
        let inst = self.inst;
        let (mut eligible, mut ineligible) = (Yen::ZERO, Yen::ZERO);
        let mut all_reads = ParamSet::EMPTY;
        match &inst.cost {
            Cost::Total(total) => {
                self.a.derivation.total_given = true;
                eligible = *total;
            }
            Cost::LineItems(items) => {
                let one_by_one = self.opts.trace && items.len() <= ITEM_STEPS_MAX;
                let mut groups: Vec<ItemGroup> = Vec::new();
                for item in items {
                    let step = self.line_item(item);
                    all_reads = all_reads.union(step.tax_reads).union(step.reads);
                    if step.eligible {
                        eligible = eligible + step.with_tax;
                    } else {
                        ineligible = ineligible + step.with_tax;
                    }
                    if one_by_one {
                        self.a.derivation.items.push(step);
                    } else if self.opts.trace {
                        add_to_group(&mut groups, &step);
                    }
                }
                groups.sort_by_key(|g| g.category as u8);
                self.a.derivation.item_groups = groups;
                if ineligible > Yen::ZERO {
                    let facts = Facts::IneligibleCost { amount: ineligible };
                    self.notice(NoticeCode::IneligibleCostExcluded, Severity::Info, facts);
                }
            }
        }
        // The sum applied each item's rules (their reads were taken item by item): the step
        // cites them all.
        self.a.derivation.taken |= Step::EligibleCost.bit();
        self.a.derivation.reads[Step::EligibleCost as usize] = all_reads;
        (eligible, ineligible)
    }

    fn line_item(&mut self, item: &LineItem) -> ItemStep {
        let tax_added = item.tax_added(|| *self.r.get(p::TaxRate));
        let tax_reads = self.r.take();
        let eligible = *self.r.get(cat::line_item(item.category));
        ItemStep {
            item: item.clone(),
            tax_added,
            with_tax: item.amount + tax_added.unwrap_or_default(),
            eligible,
            tax_reads,
            reads: self.r.take(),
        }
    }

    /// The cost that counts: min(eligible cost, cap).
    fn capped_cost(&mut self, category: Category, provided: u32, eligible: Yen) -> Yen {
        let cap = cap_of(self.r.get(cat::caps(category)).as_slice(), provided);
        if eligible > cap {
            let facts = Facts::CostAboveCap {
                cap,
                excess: eligible - cap,
            };
            self.notice(NoticeCode::CostAboveCap, Severity::Info, facts);
        }
        self.done(Step::CappedCost);
        self.a.derivation.capped = eligible.min(cap);
        self.a.derivation.capped
    }

    /// Standard regime: floor_to_unit(capped × rate), the exact product kept for the trace.
    fn standard_grant(&mut self, category: Category, capped: Yen) -> (Rate, Yen) {
        let rate = *self.r.get(cat::standard_rate(category));
        self.a.derivation.standard_exact = capped.times(rate);
        self.done(Step::StandardRate);
        let unit = *self.r.get(p::RoundingUnit);
        self.a.derivation.standard = capped.times_floor_to(rate, unit);
        self.done(Step::StandardGrant);
        (rate, self.a.derivation.standard)
    }

    /// The special measures: the 2020 window, then (where the rules have them) the 2022 window
    /// and the difference payment; each pays the capped cost in full, floored.
    fn special_grant(&mut self, category: Category, capped: Yen) -> Option<(Yen, Measure)> {
        let inst = self.inst;
        let by = *self.r.get(p::SpecialReaderAppliedBy);
        let applies = inst.readers > 0 && inst.reader_applied_on.is_some_and(|d| d <= by);
        self.a.derivation.special_applies = applies;
        self.done(Step::SpecialEligibility);
        let measure = if applies {
            Some(Measure::Special2020)
        } else {
            self.later_measures(category)
        };
        self.a.derivation.special_measure = measure;
        let unit = *self.r.get(p::RoundingUnit);
        self.a.derivation.special_amount = capped.floor_to(unit);
        if let Some(m) = measure {
            self.done(Step::SpecialGrant);
            return Some((self.a.derivation.special_amount, m));
        }
        self.r.take(); // the unit was read only for the notices' figure
        if inst.readers > 0 {
            let special = self.a.derivation.special_amount;
            self.later_notices(special);
            match inst.reader_applied_on {
                Some(applied) => {
                    let facts = Facts::SpecialDeadlinePassed { applied, by };
                    self.notice(NoticeCode::SpecialDeadlinePassed, Severity::Warning, facts);
                }
                None => {
                    self.a.estimate = true;
                    let facts = Facts::ReaderDateUnknown { by, special };
                    self.notice(NoticeCode::ReaderDateUnknown, Severity::Warning, facts);
                }
            }
        }
        None
    }

    /// The 2022 window, then the difference payment, when the rules have them.
    fn later_measures(&mut self, category: Category) -> Option<Measure> {
        let inst = self.inst;
        let reader = inst.reader_applied_on.filter(|_| inst.readers > 0);
        let (Some(from), Some(by)) = (
            self.r.get_opt(p::WindowReaderFrom).copied(),
            self.r.get_opt(p::WindowReaderBy).copied(),
        ) else {
            return None;
        };
        let covered = self
            .r
            .get_opt(p::WindowCategories)
            .is_some_and(|c| c.iter().any(|n| n == category.id()));
        let check = if !covered {
            WindowCheck::NotCovered
        } else if !reader.is_some_and(|d| (from..=by).contains(&d)) {
            WindowCheck::ReaderOutside
        } else {
            let contracted_by = self.r.get_opt(p::WindowContractedBy).copied();
            match (inst.contracted_on, contracted_by) {
                (Some(c), Some(b)) if c <= b => WindowCheck::ContractInTime,
                (Some(_), _) => WindowCheck::ContractLate,
                (None, _) => WindowCheck::ContractUnknown,
            }
        };
        self.a.derivation.window = Some(check);
        self.done(Step::SpecialWindow2022);
        if check == WindowCheck::ContractInTime {
            return Some(Measure::Special2022);
        }
        if !covered {
            return None;
        }
        let d = self.difference(reader)?;
        self.a.derivation.difference = Some(d);
        self.done(Step::DifferencePayment);
        (d == DifferenceCheck::OperationInPeriod).then_some(Measure::Difference2022)
    }

    /// The difference payment: a reader applied for by its date, not paid before the revision,
    /// operation started in its period.
    fn difference(&mut self, reader: Option<NaiveDate>) -> Option<DifferenceCheck> {
        let inst = self.inst;
        let by = self.r.get_opt(p::DifferenceReaderBy).copied()?;
        if reader.is_none_or(|d| d > by) {
            return Some(DifferenceCheck::ReaderOutside);
        }
        let paid_before = self.r.get_opt(p::DifferencePaidBefore).copied()?;
        if inst.applied_on.is_some_and(|a| a < paid_before) {
            return Some(DifferenceCheck::AlreadyPaid);
        }
        let from = self.r.get_opt(p::DifferenceOperationFrom).copied()?;
        let until = self.r.get_opt(p::DifferenceOperationBy).copied()?;
        Some(match inst.operation_started_on {
            Some(o) if (from..=until).contains(&o) => DifferenceCheck::OperationInPeriod,
            Some(_) => DifferenceCheck::OperationOutside,
            None => DifferenceCheck::OperationUnknown,
        })
    }

    /// What a person must know when a 2022 measure nearly applied.
    fn later_notices(&mut self, special: Yen) {
        let f = self.r.rules().file();
        let d = &self.a.derivation;
        let (window, difference) = (d.window, d.difference);
        if let Some(w) = &f.special_window_2022 {
            let by = w.contracted_by.value;
            match window {
                Some(WindowCheck::ContractUnknown) => {
                    self.a.estimate = true;
                    let facts = Facts::ContractUnknown { by, special };
                    self.notice(NoticeCode::ContractDateUnknown, Severity::Warning, facts);
                }
                Some(WindowCheck::ContractLate) => {
                    let facts = Facts::ContractLate {
                        contracted: self.inst.contracted_on.unwrap_or(by),
                        by,
                    };
                    self.notice(NoticeCode::ContractDeadlinePassed, Severity::Warning, facts);
                }
                _ => {}
            }
        }
        if let Some(dp) = &f.difference_payment {
            let (from, by) = (
                dp.operation_started_from.value,
                dp.operation_started_by.value,
            );
            match difference {
                Some(DifferenceCheck::OperationUnknown) => {
                    self.a.estimate = true;
                    let facts = Facts::OperationUnknown { from, by, special };
                    self.notice(NoticeCode::OperationDateUnknown, Severity::Warning, facts);
                }
                Some(DifferenceCheck::OperationOutside) => {
                    let started = self.inst.operation_started_on.unwrap_or(from);
                    let facts = Facts::OperationOutside { started, from, by };
                    self.notice(NoticeCode::OperationOutsidePeriod, Severity::Warning, facts);
                }
                Some(DifferenceCheck::AlreadyPaid) => {
                    let before = dp.paid_if_applied_before.value;
                    let facts = Facts::AlreadyPaid { before };
                    self.notice(NoticeCode::AlreadyPaid, Severity::Info, facts);
                }
                _ => {}
            }
        }
    }

    /// No reader, no grant (003); the project and application deadlines, inclusive.
    fn refusals(&mut self) -> Refusals {
        let inst = self.inst;
        let mut refusals = Refusals::default();
        if inst.readers == 0 {
            refusals.no_reader = *self.r.get(p::ReaderRequired);
            if refusals.no_reader {
                self.notice(NoticeCode::NoReader, Severity::Refusal, Facts::None);
            }
            self.done(Step::NoReader);
        }
        refusals.project_deadline = self.deadline(Step::ProjectDeadline);
        refusals.application_deadline = self.deadline(Step::ApplicationDeadline);
        if let (Some(completed), Some(applied)) = (inst.completed_on, inst.applied_on)
            && applied < completed
        {
            let facts = Facts::AppliedBeforeCompletion { applied, completed };
            self.notice(
                NoticeCode::AppliedBeforeCompletion,
                Severity::Warning,
                facts,
            );
        }
        if inst.code.is_some_and(|c| c.legacy_check()) {
            self.notice(NoticeCode::LegacyCheckDigit, Severity::Warning, Facts::None);
        }
        self.a.derivation.refusals = refusals;
        refusals
    }

    /// One deadline: true when the date is past it. An unknown date makes an estimate. An
    /// accepted deferral notice moves both deadlines, where the rules know its type.
    fn deadline(&mut self, step: Step) -> bool {
        let (date, key, passed, unknown) = match step {
            Step::ProjectDeadline => (
                self.inst.completed_on,
                p::ProjectCompletedBy,
                NoticeCode::ProjectDeadlinePassed,
                NoticeCode::CompletionDateUnknown,
            ),
            _ => (
                self.inst.applied_on,
                p::ApplicationFiledBy,
                NoticeCode::ApplicationDeadlinePassed,
                NoticeCode::ApplicationDateUnknown,
            ),
        };
        let deadline = match self.deferral_deadlines(step) {
            Some(Some((project, application))) => {
                if step == Step::ProjectDeadline {
                    project
                } else {
                    application
                }
            }
            Some(None) => {
                // The type's deadlines are not known here: an estimate, never a refusal.
                self.a.estimate = true;
                self.done(step);
                return false;
            }
            None => *self.r.get(key),
        };
        let late = date.is_some_and(|d| d > deadline);
        match date {
            Some(date) if late => {
                let facts = Facts::DeadlinePassed { date, deadline };
                self.notice(passed, Severity::Refusal, facts);
            }
            Some(_) => {}
            None => {
                self.a.estimate = true;
                let facts = Facts::DateUnknown { deadline };
                self.notice(unknown, Severity::Info, facts);
            }
        }
        self.done(step);
        late
    }

    /// The deadlines of the institution's deferral type: None without a deferral the rules
    /// know of; Some(None) when the type's deadlines are not known. Notices once.
    fn deferral_deadlines(&mut self, step: Step) -> Option<Option<(NaiveDate, NaiveDate)>> {
        let t = self.inst.deferral?;
        let first = step == Step::ProjectDeadline;
        let Some(list) = self.r.get_opt(p::DeferralDeadlines) else {
            if first {
                let facts = Facts::Deferral { kind: t };
                self.notice(NoticeCode::DeferralNotInRules, Severity::Info, facts);
            }
            return None;
        };
        let found = list
            .iter()
            .find(|e| e.types.contains(&t))
            .map(|e| (e.project_completed_by, e.application_filed_by));
        if first && found.is_none() {
            let facts = Facts::Deferral { kind: t };
            self.notice(
                NoticeCode::DeferralDeadlinesUnknown,
                Severity::Warning,
                facts,
            );
        }
        self.a.derivation.deferral_deadlines = Some(found);
        Some(found)
    }

    /// The regime that pays: none when refused, else the special measure when one applies
    /// (never less). The step reads the rules that decided it, to say why.
    fn regime(&mut self, refusals: Refusals, special: Option<Measure>) -> Regime {
        let measure = if refusals.any() {
            if refusals.no_reader {
                self.r.get(p::ReaderRequired);
            }
            if refusals.project_deadline {
                self.read_deadline(p::ProjectCompletedBy);
            }
            if refusals.application_deadline {
                self.read_deadline(p::ApplicationFiledBy);
            }
            None
        } else {
            let m = special.unwrap_or(Measure::Standard);
            match m {
                Measure::Special2020 => {
                    self.r.get(p::SpecialReaderAppliedBy);
                }
                Measure::Special2022 => {
                    self.r.get_opt(p::WindowReaderFrom);
                    self.r.get_opt(p::WindowReaderBy);
                    self.r.get_opt(p::WindowContractedBy);
                }
                Measure::Difference2022 => {
                    self.r.get_opt(p::DifferenceReaderBy);
                    self.r.get_opt(p::DifferenceOperationFrom);
                    self.r.get_opt(p::DifferenceOperationBy);
                }
                Measure::Standard => {
                    self.r.get(p::SpecialReaderAppliedBy);
                    self.r.get_opt(p::WindowReaderBy);
                }
            }
            Some(m)
        };
        self.a.measure = measure;
        self.done(Step::Regime);
        measure.map_or(Regime::Ineligible, Measure::regime)
    }

    /// Reads the deadline that refused: the deferral's, when one set it.
    fn read_deadline(&mut self, key: crate::rules::Key<NaiveDate>) {
        if matches!(self.a.derivation.deferral_deadlines, Some(Some(_))) {
            self.r.get_opt(p::DeferralDeadlines);
        } else {
            self.r.get(key);
        }
    }

    /// 交付額: the regime's amount (the special one never pays less than the standard).
    fn grant(&mut self, regime: Regime, standard: Yen, special: Option<Yen>) -> Yen {
        let grant = match regime {
            Regime::Special => special.unwrap_or_default().max(standard),
            Regime::Standard => standard,
            Regime::Ineligible => Yen::ZERO,
        };
        self.done(Step::Grant);
        grant
    }

    /// 別紙特例様式 by category and readers, or the standard regime's form.
    fn form(&mut self, category: Category, provided: u32, regime: Regime) -> Option<&'r str> {
        let form = match regime {
            Regime::Special => {
                let forms = self.r.get(cat::special_forms(category));
                forms[cap_index(provided).min(forms.len() - 1)].as_str()
            }
            Regime::Standard => self.r.get(p::FormFallback).as_str(),
            Regime::Ineligible => return None,
        };
        self.done(Step::Form);
        Some(form)
    }

    /// 耐用年数: from completion, the longest life of the eligible assets (every kind of asset
    /// when the cost is one total). Runs when completion is known or a disposal is priced.
    fn useful_life(&mut self) -> Option<NaiveDate> {
        let inst = self.inst;
        if inst.completed_on.is_none() && inst.disposed_on.is_none() {
            return None;
        }
        let mut years = 0;
        match &inst.cost {
            Cost::Total(_) => {
                for key in [
                    p::UsefulLifeTerminal,
                    p::UsefulLifeSoftware,
                    p::UsefulLifeOther,
                ] {
                    years = years.max(*self.r.get(key));
                }
            }
            Cost::LineItems(items) => {
                let rules = self.r.rules();
                for item in items {
                    // Whether it is eligible was read (and cited) by the eligible-cost step.
                    if cat::line_item(item.category).of(rules.file()).value {
                        years = years.max(*self.r.get(cat::useful_life(item.category)));
                    }
                }
            }
        }
        self.a.derivation.useful_life_years = years;
        let until = inst
            .completed_on
            .and_then(|c| c.checked_add_months(chrono::Months::new(12 * years)));
        self.done(Step::UsefulLife);
        until
    }

    /// Keep the books 5 years after the end of the fiscal year of completion (第5 1(5)), or
    /// until the useful life ends or the disposal is done, whichever is later.
    fn retention(&mut self, useful_life_until: Option<NaiveDate>) -> Option<NaiveDate> {
        let completed = self.inst.completed_on?;
        let start = *self.r.get(p::FiscalYearStartMonth);
        let years = *self.r.get(p::RetentionYears);
        let fy = if completed.month() >= start {
            completed.year()
        } else {
            completed.year() - 1
        };
        let books = i32::try_from(years)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(fy + 1 + y, start, 1))
            .and_then(|d| d.pred_opt());
        self.a.derivation.fiscal_year = Some(fy);
        self.a.derivation.books_until = books;
        let until = [books, useful_life_until, self.inst.disposed_on]
            .into_iter()
            .flatten()
            .max();
        self.done(Step::Retention);
        until
    }

    /// What disposing of the equipment may cost (第5 1(6)): the provided readers' value less
    /// straight-line depreciation by whole months, plus up to the whole grant while the
    /// equipment is within its useful life (an unknown completion counts as within).
    fn disposal(
        &mut self,
        provided: u32,
        grant: Yen,
        useful_life_until: Option<NaiveDate>,
    ) -> Option<Disposal> {
        let inst = self.inst;
        let disposed_on = inst.disposed_on?;
        let value = *self.r.get(p::ReaderValue);
        let months = *self.r.get(p::ReaderDepreciationMonths);
        let start = match self.r.get(p::DepreciationFrom) {
            DepreciationStart::ReaderAppliedOn => inst.reader_applied_on,
            DepreciationStart::CompletedOn => inst.completed_on,
        };
        let elapsed = start
            .map_or(0, |s| whole_months(s, disposed_on))
            .min(months);
        let readers_value =
            Yen::new(i64::try_from(value).unwrap_or(i64::MAX) * i64::from(provided));
        let left = Rate {
            numerator: months - elapsed,
            denominator: months,
        };
        let readers_remaining = readers_value.times_floor_to(left, 1);
        let within = useful_life_until.is_none_or(|u| disposed_on < u);
        let repayable = *self.r.get(p::GrantRepayable);
        let grant_up_to = if within {
            grant.times_floor_to(repayable, 1)
        } else {
            Yen::ZERO
        };
        if start.is_none() || useful_life_until.is_none() {
            self.a.estimate = true;
        }
        self.done(Step::Disposal);
        Some(Disposal {
            disposed_on,
            depreciation_from: start,
            readers_provided: provided,
            reader_value: Yen::new(i64::try_from(value).unwrap_or(i64::MAX)),
            months_elapsed: elapsed,
            depreciation_months: months,
            readers_remaining,
            within_useful_life: within,
            grant_up_to,
            up_to: readers_remaining + grant_up_to,
        })
    }

    /// The figures in place, and the claim against the grant.
    fn finish(mut self, f: Figures<'r>) {
        let inst = self.inst;
        let total_cost = f.eligible + f.ineligible;
        let claim_difference = inst.claimed.map(|c| c - f.grant);
        if let (Some(claimed), Some(difference)) = (inst.claimed, claim_difference)
            && difference != Yen::ZERO
        {
            let facts = Facts::ClaimDiffers {
                claimed,
                grant: f.grant,
                difference,
            };
            self.notice(NoticeCode::ClaimDiffers, Severity::Warning, facts);
        }
        let refused = f.regime == Regime::Ineligible;
        let a = &mut *self.a;
        a.category = f.category;
        a.readers_provided = f.provided;
        a.cap = f.cap;
        a.standard_rate = f.rate;
        a.eligible_cost = f.eligible;
        a.ineligible_cost = f.ineligible;
        a.total_cost = total_cost;
        a.standard_grant = if refused { Yen::ZERO } else { f.standard };
        a.special_grant = if refused { None } else { f.special };
        a.regime = f.regime;
        a.grant = f.grant;
        a.self_pay = total_cost - f.grant;
        a.form = f.form;
        a.retention_until = f.retention_until;
        a.useful_life_until = f.useful_life_until;
        a.disposal = f.disposal;
        a.claim_difference = claim_difference;
    }
}

/// Whole months from `from` to `to` (a month counts once its day is reached; a month-end start
/// counts at the end of a shorter month). 0 when `to` is before `from`.
fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    let guess = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let mut m = u32::try_from(guess.max(0)).unwrap_or(0);
    while m > 0
        && from
            .checked_add_months(chrono::Months::new(m))
            .is_none_or(|d| d > to)
    {
        m -= 1;
    }
    m
}

/// What an early disposal may cost (第5 1(6)): the most that may have to be returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disposal {
    pub disposed_on: NaiveDate,
    /// The date the readers' depreciation runs from (None: not known, so none assumed).
    pub depreciation_from: Option<NaiveDate>,
    pub readers_provided: u32,
    /// 提供に要した費用相当額 of one reader.
    pub reader_value: Yen,
    pub months_elapsed: u32,
    pub depreciation_months: u32,
    /// The readers' value left after depreciation.
    pub readers_remaining: Yen,
    /// Before the end of the useful life (or the completion date is unknown).
    pub within_useful_life: bool,
    /// The most of the grant that may be asked back.
    pub grant_up_to: Yen,
    /// `readers_remaining + grant_up_to`.
    pub up_to: Yen,
}

/// Caps and forms are listed by readers provided, from one; no reader counts as one.
fn cap_index(provided: u32) -> usize {
    provided.max(1) as usize - 1
}

fn cap_of(caps: &[u64], provided: u32) -> Yen {
    let cap = caps[cap_index(provided).min(caps.len() - 1)];
    Yen::new(i64::try_from(cap).unwrap_or(i64::MAX))
}

/// Adds one item to its category's group (a category's items share their rules).
fn add_to_group(groups: &mut Vec<ItemGroup>, s: &ItemStep) {
    let category = s.item.category;
    let i = match groups.iter().position(|g| g.category == category) {
        Some(i) => i,
        None => {
            groups.push(ItemGroup {
                category,
                count: 0,
                taxed_count: 0,
                tax_added: Yen::ZERO,
                with_tax: Yen::ZERO,
                eligible: s.eligible,
                tax_reads: ParamSet::EMPTY,
                reads: ParamSet::EMPTY,
            });
            groups.len() - 1
        }
    };
    let g = &mut groups[i];
    g.count += 1;
    if let Some(tax) = s.tax_added {
        g.taxed_count += 1;
        g.tax_added = g.tax_added + tax;
    }
    g.with_tax = g.with_tax + s.with_tax;
    g.tax_reads = g.tax_reads.union(s.tax_reads);
    g.reads = g.reads.union(s.reads);
}
