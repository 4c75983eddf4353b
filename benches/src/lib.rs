//! Benchmarks of onshi: the fixed corpora the criterion benches (`cargo bench -p
//! onshi-benches`) and the instruction-count gate (`gate` binary, driven by `cargo xtask
//! bench`) share, so both measure the same work.
//!
//! The corpora are generated from a fixed seed: the same institutions on every machine and
//! every run, so that a change in a figure is a change in the code.

use chrono::NaiveDate;
use onshi_core::parse::InstitutionCode;
use onshi_core::{Cost, Institution, Kind, LineItem, LineItemCategory, RuleSet, Yen};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Institutions in the core corpus: enough to leave the caches honest, few enough to build fast.
pub const CORE_CORPUS: usize = 4096;

fn date(rng: &mut ChaCha8Rng, from: NaiveDate, days: u64) -> NaiveDate {
    from + chrono::Days::new(rng.random_range(0..days))
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Generated institutions: every kind (hospitals, clinics, dental clinics, pharmacies with and
/// without a large group), both regimes (reader applications before and after the special
/// date, and none), totals and line items (with and without tax, eligible or not), claims
/// right and wrong, dates known and unknown.
pub fn institutions(n: usize, seed: u64) -> Vec<Institution> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let kind = match rng.random_range(0..100) {
                0..4 => Kind::Hospital,
                4..45 => Kind::Clinic,
                45..75 => Kind::DentalClinic,
                _ => Kind::Pharmacy,
            };
            let schedule = match kind {
                Kind::Hospital | Kind::Clinic => 1,
                Kind::DentalClinic => 3,
                Kind::Pharmacy => 4,
            };
            let code = InstitutionCode::new(
                rng.random_range(1..=47),
                schedule,
                rng.random_range(0..100),
                (i % 10_000) as u16,
            );
            let readers = match (kind, rng.random_range(0..20)) {
                (_, 0) => 0,
                (Kind::Hospital, r) => 1 + r % 4,
                (_, r) => 1 + u32::from(r == 1),
            };
            let reader_applied_on = (readers > 0 && rng.random_bool(0.95))
                .then(|| date(&mut rng, ymd(2020, 12, 1), 420));
            let completed_on = rng
                .random_bool(0.9)
                .then(|| date(&mut rng, ymd(2021, 3, 1), 420));
            let applied_on = completed_on
                .filter(|_| rng.random_bool(0.9))
                .map(|c| c + chrono::Days::new(rng.random_range(0..60)));
            let cost = if rng.random_bool(0.6) {
                Cost::Total(Yen::new(rng.random_range(200_000..6_000_000)))
            } else {
                let items = rng.random_range(2..9);
                Cost::LineItems(
                    (0..items)
                        .map(|_| LineItem {
                            category: LineItemCategory::ALL
                                [rng.random_range(0..LineItemCategory::ALL.len())],
                            amount: Yen::new(rng.random_range(1_000..900_000)),
                            tax_included: rng.random_bool(0.8),
                        })
                        .collect(),
                )
            };
            let claimed = rng
                .random_bool(0.7)
                .then(|| Yen::new(rng.random_range(0..4_000) * 1_000));
            Institution {
                code,
                kind,
                group_rx_per_month: (kind == Kind::Pharmacy && rng.random_bool(0.9))
                    .then(|| rng.random_range(0..100_000)),
                readers,
                reader_applied_on,
                completed_on,
                applied_on,
                disposed_on: None,
                contracted_on: None,
                operation_started_on: None,
                deferral: None,
                cost,
                claimed,
            }
        })
        .collect()
}

/// Texts as exports and people write them, for the parsers.
#[derive(Debug)]
pub struct ParseCorpus {
    /// Institution codes: plain, with separators, full-width.
    pub codes: Vec<String>,
    /// Dates: ISO, slashes, 年月日, 和暦 (令和/平成, initials, 元年), full-width.
    pub dates: Vec<String>,
    /// Amounts: plain, grouped, with 円 or ￥, full-width.
    pub amounts: Vec<String>,
}

const FULL_WIDTH_OFFSET: u32 = 0xFEE0;

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + FULL_WIDTH_OFFSET).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn grouped(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` texts of each kind, in a fixed mix of surface forms.
pub fn parse_corpus(n: usize, seed: u64) -> ParseCorpus {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut codes = Vec::with_capacity(n);
    let mut dates = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    for i in 0..n {
        let code = InstitutionCode::new(
            rng.random_range(1..=47),
            [1, 3, 4][i % 3],
            rng.random_range(0..100),
            rng.random_range(0..10_000),
        )
        .map(|c| c.to_string())
        .unwrap_or_default();
        codes.push(match i % 4 {
            0 | 1 => code,
            2 => format!(
                "{},{},{},{},{}",
                &code[0..2],
                &code[2..3],
                &code[3..5],
                &code[5..9],
                &code[9..]
            ),
            _ => full_width(&code),
        });
        let d = date(&mut rng, ymd(2019, 5, 1), 1200);
        let (y, m, day) = (
            chrono::Datelike::year(&d),
            chrono::Datelike::month(&d),
            chrono::Datelike::day(&d),
        );
        let reiwa = y - 2018;
        dates.push(match i % 6 {
            0 => d.to_string(),
            1 => format!("{y}/{m}/{day}"),
            2 => format!("{y}年{m}月{day}日"),
            3 if reiwa == 1 => format!("令和元年{m}月{day}日"),
            3 => format!("令和{reiwa}年{m}月{day}日"),
            4 => format!("R{reiwa}.{m}.{day}"),
            _ => full_width(&format!("令和{reiwa}年{m}月{day}日")),
        });
        let v: u64 = rng.random_range(1..10_000_000);
        amounts.push(match i % 5 {
            0 => v.to_string(),
            1 => grouped(v),
            2 => format!("{}円", grouped(v)),
            3 => format!("￥{}", grouped(v)),
            _ => full_width(&format!("{}円", grouped(v))),
        });
    }
    ParseCorpus {
        codes,
        dates,
        amounts,
    }
}

/// What the input-copy floor copies: the institution itself, as the assessment loop reads it.
pub fn copy_input(i: &Institution) -> Institution {
    i.clone()
}

/// The built-in rules (the bench corpora are built for them).
pub fn rules() -> RuleSet {
    RuleSet::embedded()
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_core::parse::{parse_amount, parse_date, parse_institution_code};
    use onshi_core::{AssessOptions, Regime, assess};

    #[test]
    fn every_parse_text_reads() {
        let rules = rules();
        let c = parse_corpus(600, 2);
        for t in &c.codes {
            assert!(parse_institution_code(t, None, &rules).is_ok(), "{t}");
        }
        for t in &c.dates {
            assert!(parse_date(t).is_ok(), "{t}");
        }
        for t in &c.amounts {
            assert!(parse_amount(t, 1_000_000_000).is_ok(), "{t}");
        }
        assert!(c.dates.iter().any(|d| d.starts_with("令和元年")));
        assert!(c.amounts.iter().any(|a| a.starts_with('１')));
    }

    #[test]
    fn the_core_corpus_covers_kinds_regimes_and_costs() {
        let rules = rules();
        let corpus = institutions(CORE_CORPUS, 1);
        let regimes: Vec<Regime> = corpus
            .iter()
            .map(|i| assess(&rules, i, AssessOptions::default()).regime)
            .collect();
        for r in [Regime::Special, Regime::Standard, Regime::Ineligible] {
            assert!(regimes.contains(&r), "{r:?}");
        }
        for k in [
            Kind::Hospital,
            Kind::Clinic,
            Kind::DentalClinic,
            Kind::Pharmacy,
        ] {
            assert!(corpus.iter().any(|i| i.kind == k), "{k:?}");
        }
        assert!(corpus.iter().any(|i| matches!(i.cost, Cost::LineItems(_))));
        assert!(corpus.iter().any(|i| matches!(i.cost, Cost::Total(_))));
        assert_eq!(corpus, institutions(CORE_CORPUS, 1), "deterministic");
    }
}
