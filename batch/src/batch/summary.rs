//! The run's sums as typed values: by prefecture × kind, with the regimes, the share at the cap,
//! the distribution of grants, the audit findings and each scenario. Added up row by row as the
//! rows are computed (each chunk its own, then merged), so that `summary.csv`, the report and
//! the workbook all render the same figures and none of them sums anything.

use onshi_core::{Assessment, Category, Finding, Kind, Lang, Measure, Regime, prefecture_name};

use super::rows::Computed;

/// 種別 as analysts tabulate it: the 大型チェーン薬局 apart from the other pharmacies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Hospital,
    Clinic,
    DentalClinic,
    Pharmacy,
    LargeChainPharmacy,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Hospital,
        Group::Clinic,
        Group::DentalClinic,
        Group::Pharmacy,
        Group::LargeChainPharmacy,
    ];

    pub fn of(a: &Assessment<'_>) -> Group {
        match (a.kind, a.category) {
            (Kind::Hospital, _) => Group::Hospital,
            (Kind::Clinic, _) => Group::Clinic,
            (Kind::DentalClinic, _) => Group::DentalClinic,
            (Kind::Pharmacy, Category::LargeChainPharmacy) => Group::LargeChainPharmacy,
            (Kind::Pharmacy, _) => Group::Pharmacy,
        }
    }

    /// The kind of institution, apart from the large chain (a pharmacy of its own category).
    fn kind(self) -> Option<Kind> {
        match self {
            Group::Hospital => Some(Kind::Hospital),
            Group::Clinic => Some(Kind::Clinic),
            Group::DentalClinic => Some(Kind::DentalClinic),
            Group::Pharmacy => Some(Kind::Pharmacy),
            Group::LargeChainPharmacy => None,
        }
    }

    /// The id in `summary.csv`'s `kind` column: the core's kind ids, and the large chain's
    /// category id.
    pub fn id(self) -> &'static str {
        self.kind()
            .map_or(Category::LargeChainPharmacy.id(), Kind::id)
    }

    /// The name in the report's tables (the core's kind names in Japanese; plurals in English).
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Group::LargeChainPharmacy, Lang::Ja) => "大型チェーン薬局",
            (g, Lang::Ja) => g.kind().map_or("", |k| k.name(Lang::Ja)),
            (Group::Hospital, Lang::En) => "Hospitals",
            (Group::Clinic, Lang::En) => "Medical clinics",
            (Group::DentalClinic, Lang::En) => "Dental clinics",
            (Group::Pharmacy, Lang::En) => "Pharmacies",
            (Group::LargeChainPharmacy, Lang::En) => "Large chain pharmacies",
        }
    }

    pub fn category(self) -> Category {
        match self {
            Group::Hospital => Category::Hospital,
            Group::LargeChainPharmacy => Category::LargeChainPharmacy,
            _ => Category::ClinicOrPharmacy,
        }
    }
}

/// The grant bands of the distribution, by their lower bounds in yen (the first band is 0).
pub const BANDS: [i64; 10] = [
    0, 1, 100_000, 200_000, 300_000, 400_000, 500_000, 1_000_000, 1_500_000, 2_000_000,
];

/// The band a grant falls in.
fn band(grant: i64) -> usize {
    BANDS.iter().rposition(|lo| grant >= *lo).unwrap_or(0)
}

/// A scenario's sums: its grants, and how many institutions gain, lose or stay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScenarioSums {
    pub grant: i64,
    pub gain: u64,
    pub lose: u64,
    pub same: u64,
}

/// The sums of a set of institutions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    pub institutions: u64,
    pub eligible_cost: i64,
    pub grant: i64,
    /// What the standard regime alone would pay.
    pub standard_only: i64,
    /// Institutions whose eligible cost reaches the cap.
    pub at_cap: u64,
    /// Count and yen by regime: special, standard, ineligible (in [`Regime`] order).
    pub regimes: [(u64, i64); 3],
    /// Count and yen by the measure that paid ([`Measure::ALL`] order): what each of the
    /// revisions' measures cost.
    pub measures: [(u64, i64); Measure::ALL.len()],
    /// Institutions by grant band ([`BANDS`]).
    pub bands: [u64; BANDS.len()],
    /// Audit findings by [`Finding::ALL`]: count and yen at stake (|claimed − grant|).
    pub findings: [(u64, i64); Finding::ALL.len()],
    pub scenarios: Vec<ScenarioSums>,
}

fn regime_index(r: Regime) -> usize {
    match r {
        Regime::Special => 0,
        Regime::Standard => 1,
        Regime::Ineligible => 2,
    }
}

impl Sums {
    fn zero(scenarios: usize) -> Sums {
        Sums {
            scenarios: vec![ScenarioSums::default(); scenarios],
            ..Sums::default()
        }
    }

    fn push(&mut self, c: &Computed<'_>) {
        let a = &c.assessment;
        let grant = a.grant.whole();
        self.institutions += 1;
        self.eligible_cost += a.eligible_cost.whole();
        self.grant += grant;
        self.standard_only += a.standard_grant.whole();
        self.at_cap += u64::from(a.eligible_cost >= a.cap);
        let r = &mut self.regimes[regime_index(a.regime)];
        *r = (r.0 + 1, r.1 + grant);
        if let Some(i) = a
            .measure
            .and_then(|m| Measure::ALL.iter().position(|x| *x == m))
        {
            let m = &mut self.measures[i];
            *m = (m.0 + 1, m.1 + grant);
        }
        self.bands[band(grant)] += 1;
        for (f, _) in &c.findings {
            let i = Finding::ALL.iter().position(|x| x == f).unwrap_or(0);
            let at_stake = a.claimed.map_or(0, |cl| (cl - a.grant).whole().abs());
            let s = &mut self.findings[i];
            *s = (s.0 + 1, s.1.saturating_add(at_stake));
        }
        for (s, g) in self.scenarios.iter_mut().zip(&c.compare) {
            let g = g.whole();
            s.grant += g;
            s.gain += u64::from(g > grant);
            s.lose += u64::from(g < grant);
            s.same += u64::from(g == grant);
        }
    }

    pub fn add(&mut self, o: &Sums) {
        self.institutions += o.institutions;
        self.eligible_cost += o.eligible_cost;
        self.grant += o.grant;
        self.standard_only += o.standard_only;
        self.at_cap += o.at_cap;
        for (a, b) in self.regimes.iter_mut().zip(&o.regimes) {
            *a = (a.0 + b.0, a.1 + b.1);
        }
        for (a, b) in self.measures.iter_mut().zip(&o.measures) {
            *a = (a.0 + b.0, a.1 + b.1);
        }
        for (a, b) in self.bands.iter_mut().zip(&o.bands) {
            *a += b;
        }
        for (a, b) in self.findings.iter_mut().zip(&o.findings) {
            *a = (a.0 + b.0, a.1.saturating_add(b.1));
        }
        for (a, b) in self.scenarios.iter_mut().zip(&o.scenarios) {
            a.grant += b.grant;
            a.gain += b.gain;
            a.lose += b.lose;
            a.same += b.same;
        }
    }

    /// Count and yen of the institutions a measure paid.
    pub fn by_measure(&self, m: Measure) -> (u64, i64) {
        Measure::ALL
            .iter()
            .position(|x| *x == m)
            .map_or((0, 0), |i| self.measures[i])
    }

    /// 特例による増額 — what the special measure adds to the standard regime alone.
    pub fn special_measure_cost(&self) -> i64 {
        self.grant - self.standard_only
    }

    /// The mean grant, in whole yen (rounded down); 0 for none.
    pub fn grant_per_institution(&self) -> i64 {
        let n = i64::try_from(self.institutions).unwrap_or(i64::MAX);
        if n == 0 { 0 } else { self.grant / n }
    }

    /// A count as a share of the institutions, in per mille (‰), rounded down.
    pub fn per_mille(&self, count: u64) -> u64 {
        (count * 1000).checked_div(self.institutions).unwrap_or(0)
    }
}

/// Prefectures 1–47 by JIS X 0401.
pub const PREFECTURES: std::ops::RangeInclusive<u8> = 1..=47;

/// The sums of a run by prefecture × kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The ids of the `--compare` scenarios, in the order given.
    pub scenarios: Vec<String>,
    /// `cells[(prefecture − 1) × 5 + group]`.
    cells: Vec<Sums>,
}

impl Summary {
    /// Empty sums for `scenarios` scenarios (named later, [`Summary::name_scenarios`]).
    pub fn new(scenarios: usize) -> Summary {
        let n = PREFECTURES.len() * Group::ALL.len();
        Summary {
            scenarios: vec![String::new(); scenarios],
            cells: vec![Sums::zero(scenarios); n],
        }
    }

    pub fn name_scenarios(&mut self, ids: &[String]) {
        self.scenarios = ids.to_vec();
    }

    fn index(prefecture: u8, group: Group) -> usize {
        (usize::from(prefecture.clamp(1, 47)) - 1) * Group::ALL.len() + group as usize
    }

    pub fn push(&mut self, c: &Computed<'_>) {
        let i = Summary::index(c.code.prefecture(), Group::of(&c.assessment));
        self.cells[i].push(c);
    }

    pub fn merge(&mut self, other: &Summary) {
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.add(b);
        }
    }

    pub fn cell(&self, prefecture: u8, group: Group) -> &Sums {
        &self.cells[Summary::index(prefecture, group)]
    }

    fn total<'a>(&self, cells: impl Iterator<Item = &'a Sums>) -> Sums {
        let mut t = Sums::zero(self.scenarios.len());
        cells.for_each(|c| t.add(c));
        t
    }

    pub fn national(&self) -> Sums {
        self.total(self.cells.iter())
    }

    pub fn group(&self, group: Group) -> Sums {
        self.total(PREFECTURES.map(|p| self.cell(p, group)))
    }

    pub fn category(&self, category: Category) -> Sums {
        let groups = Group::ALL.into_iter().filter(|g| g.category() == category);
        self.total(
            groups
                .flat_map(|g| PREFECTURES.map(move |p| (p, g)))
                .map(|(p, g)| self.cell(p, g)),
        )
    }

    pub fn prefecture(&self, prefecture: u8) -> Sums {
        self.total(Group::ALL.iter().map(|g| self.cell(prefecture, *g)))
    }

    /// The kinds with at least one institution, and their sums.
    pub fn groups(&self) -> Vec<(Group, Sums)> {
        Group::ALL
            .into_iter()
            .map(|g| (g, self.group(g)))
            .filter(|(_, s)| s.institutions > 0)
            .collect()
    }

    /// Every prefecture, in code order, with its sums (zero where none).
    pub fn prefectures(&self) -> Vec<(u8, Sums)> {
        PREFECTURES.map(|p| (p, self.prefecture(p))).collect()
    }
}

/// A prefecture's name (its code when there is none).
pub fn prefecture_label(code: u8, lang: Lang) -> String {
    prefecture_name(code, lang).map_or_else(|| format!("{code:02}"), str::to_owned)
}

/// A scenario's column (in `grants.csv` and `summary.csv`): `grant_<id>`, `difference_<id>`, ….
pub fn scenario_col(what: &str, id: &str) -> String {
    format!("{what}_{id}")
}

/// One value of the summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(i64),
}

/// The summary as one table (`summary.csv`, and the workbook's sheets): by prefecture × kind
/// (with its category), then nationally (prefecture 0) by kind, by category (`kind` = `all`)
/// and in all. Rows without an institution are left out, the national total never.
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

pub fn table(s: &Summary) -> Table {
    let mut columns: Vec<String> = [
        "prefecture",
        "prefecture_name",
        "category",
        "kind",
        "institutions",
        "eligible_cost",
        "grant",
        "standard_only",
        "special_measure_cost",
        "at_cap",
        "special_institutions",
        "standard_institutions",
        "ineligible_institutions",
    ]
    .map(str::to_owned)
    .to_vec();
    for m in Measure::ALL {
        columns.push(format!("grant_by_{}", m.id()));
        columns.push(format!("institutions_by_{}", m.id()));
    }
    for id in &s.scenarios {
        columns
            .extend(["grant", "difference", "gain", "lose", "same"].map(|w| scenario_col(w, id)));
    }
    let mut rows = Vec::new();
    let mut row = |pref: u8, category: &str, kind: &str, t: &Sums| {
        if t.institutions == 0 && kind != "all" {
            return;
        }
        let name = if pref == 0 {
            "全国".to_owned()
        } else {
            prefecture_label(pref, Lang::Ja)
        };
        let n = |v: u64| Value::Number(i64::try_from(v).unwrap_or(i64::MAX));
        let mut r = vec![
            Value::Number(i64::from(pref)),
            Value::Text(name),
            Value::Text(category.to_owned()),
            Value::Text(kind.to_owned()),
            n(t.institutions),
            Value::Number(t.eligible_cost),
            Value::Number(t.grant),
            Value::Number(t.standard_only),
            Value::Number(t.special_measure_cost()),
            n(t.at_cap),
            n(t.regimes[0].0),
            n(t.regimes[1].0),
            n(t.regimes[2].0),
        ];
        for (count, yen) in t.measures {
            r.extend([Value::Number(yen), n(count)]);
        }
        for sc in &t.scenarios {
            r.extend([
                Value::Number(sc.grant),
                Value::Number(sc.grant - t.grant),
                n(sc.gain),
                n(sc.lose),
                n(sc.same),
            ]);
        }
        rows.push(r);
    };
    for p in PREFECTURES {
        for g in Group::ALL {
            row(p, g.category().id(), g.id(), s.cell(p, g));
        }
    }
    for g in Group::ALL {
        row(0, g.category().id(), g.id(), &s.group(g));
    }
    for c in [
        Category::Hospital,
        Category::LargeChainPharmacy,
        Category::ClinicOrPharmacy,
    ] {
        let t = s.category(c);
        if t.institutions > 0 {
            row(0, c.id(), "all", &t);
        }
    }
    row(0, "all", "all", &s.national());
    Table { columns, rows }
}

/// `summary.csv`.
pub fn write_csv<W: std::io::Write>(t: &Table, w: W) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(&t.columns)?;
    for r in &t.rows {
        out.write_record(r.iter().map(|v| match v {
            Value::Text(s) => s.clone(),
            Value::Number(n) => n.to_string(),
        }))?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_take_each_grant_once() {
        assert_eq!(band(0), 0);
        assert_eq!(band(1), 1);
        assert_eq!(band(99_999), 1);
        assert_eq!(band(100_000), 2);
        assert_eq!(band(429_000), 5);
        assert_eq!(band(2_101_000), 9);
    }

    #[test]
    fn shares_round_down_and_survive_zero() {
        let s = Sums {
            institutions: 3,
            grant: 1_000,
            ..Sums::default()
        };
        assert_eq!(s.per_mille(1), 333);
        assert_eq!(s.grant_per_institution(), 333);
        assert_eq!(Sums::default().per_mille(0), 0);
        assert_eq!(Sums::default().grant_per_institution(), 0);
    }
}
