//! What-if: how the grant moves with the project cost and, for hospitals, with the readers
//! applied for. Every figure is an assessment by the same rules ([`crate::assess`]); the page
//! only draws them.

use serde::Serialize;

use crate::assess::{AssessOptions, assess};
use crate::input::{Cost, Institution};
use crate::model::{Category, Regime};
use crate::money::Yen;
use crate::rules::{Rate, RuleSet};

/// How many equal steps the cost axis is cut into (the cap is added as a point of its own).
pub const STEPS: u32 = 60;

/// The grant against the eligible cost, from 0 to 1.5 × the cap, for one institution's case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// 補助限度額 for this case.
    pub cap: Yen,
    /// The end of the cost axis: 1.5 × the cap.
    pub max_cost: Yen,
    /// Each regime on its own terms, before refusals (deadlines, no reader): the lines.
    pub points: Vec<Point>,
    /// The case itself: its eligible cost and the grant it gets.
    pub current: Current,
    /// Hospitals: the cap and the grant at the current cost for 1 … quota readers.
    pub readers: Vec<ReaderOption>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Eligible cost (税込).
    pub cost: Yen,
    /// What the standard regime pays at that cost.
    pub standard: Yen,
    /// What the special regime pays at that cost.
    pub special: Yen,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Current {
    pub cost: Yen,
    pub grant: Yen,
    pub regime: Regime,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReaderOption {
    pub readers: u32,
    pub cap: Yen,
    pub grant: Yen,
    pub regime: Regime,
}

/// The what-if of `inst` under `rules`.
pub fn what_if(rules: &RuleSet, inst: &Institution) -> WhatIf {
    let quiet = AssessOptions { trace: false };
    let here = assess(rules, inst, quiet);
    let cap = here.cap;
    let max_cost = cap.times_floor_to(
        Rate {
            numerator: 3,
            denominator: 2,
        },
        1,
    );
    let mut at = inst.clone();
    let mut costs: Vec<Yen> = (0..=STEPS)
        .map(|i| {
            max_cost.times_floor_to(
                Rate {
                    numerator: i,
                    denominator: STEPS,
                },
                1,
            )
        })
        .collect();
    // The steps rise; the cap goes in its place unless one of them is the cap.
    let i = costs.partition_point(|c| *c < cap);
    if costs.get(i) != Some(&cap) {
        costs.insert(i, cap);
    }
    let points = costs
        .into_iter()
        .map(|cost| {
            at.cost = Cost::Total(cost);
            let a = assess(rules, &at, quiet);
            Point {
                cost,
                standard: a.derivation.standard,
                special: a.derivation.special_amount,
            }
        })
        .collect();
    let readers = if here.category == Category::Hospital {
        let quota = rules.file().categories.hospital.reader_quota.value;
        let mut at = inst.clone();
        (1..=quota)
            .map(|readers| {
                at.readers = readers;
                let a = assess(rules, &at, quiet);
                ReaderOption {
                    readers,
                    cap: a.cap,
                    grant: a.grant,
                    regime: a.regime,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    WhatIf {
        cap,
        max_cost,
        points,
        current: Current {
            cost: here.eligible_cost,
            grant: here.grant,
            regime: here.regime,
        },
        readers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InstitutionInput;

    fn inst(json: &str, rules: &RuleSet) -> Institution {
        let input: InstitutionInput = serde_json::from_str(json).unwrap();
        Institution::from_input(&input, rules).unwrap()
    }

    #[test]
    fn the_lines_follow_the_rules_and_bend_at_the_cap() {
        let rules = RuleSet::embedded();
        let w = what_if(
            &rules,
            &inst(
                r#"{"kind":"clinic","readers":1,"reader_applied_on":"2021-02-10","total_cost":279950}"#,
                &rules,
            ),
        );
        assert_eq!(w.cap, Yen::new(429_000));
        assert_eq!(w.max_cost, Yen::new(643_500));
        assert_eq!(w.points.first().unwrap().special, Yen::ZERO);
        let at_cap = w.points.iter().find(|p| p.cost == w.cap).unwrap();
        // 3/4 of 429,000 = 321,750 → 321,000 (docs/rules.md's golden maximum).
        assert_eq!(
            (at_cap.standard, at_cap.special),
            (Yen::new(321_000), Yen::new(429_000))
        );
        let last = w.points.last().unwrap();
        assert_eq!(
            (last.cost, last.standard, last.special),
            (Yen::new(643_500), Yen::new(321_000), Yen::new(429_000))
        );
        assert_eq!(
            (w.current.cost, w.current.grant),
            (Yen::new(279_950), Yen::new(279_000))
        );
        assert!(w.readers.is_empty());
        // The cap is 2/3 of the axis: one of the 61 steps already.
        assert_eq!(w.points.len(), STEPS as usize + 1);
    }

    #[test]
    fn a_hospital_sees_each_number_of_readers() {
        let rules = RuleSet::embedded();
        let w = what_if(
            &rules,
            &inst(
                r#"{"kind":"hospital","readers":3,"reader_applied_on":"2021-03-31","total_cost":"5,000,000"}"#,
                &rules,
            ),
        );
        let got: Vec<_> = w
            .readers
            .iter()
            .map(|r| (r.readers, r.cap.whole(), r.grant.whole()))
            .collect();
        assert_eq!(
            got,
            [
                (1, 2_101_000, 2_101_000),
                (2, 2_002_000, 2_002_000),
                (3, 1_903_000, 1_903_000)
            ]
        );
    }
}
