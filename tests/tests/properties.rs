//! Properties that hold for every institution, and round trips of the parsers.

use chrono::NaiveDate;
use onshi_core::parse::{format_wareki, parse_amount, parse_date, parse_institution_code};
use onshi_core::{
    AssessOptions, Cost, Institution, Kind, LineItem, LineItemCategory, RuleSet, Yen, assess,
};
use proptest::prelude::*;

include!("common/strategies.rs");

fn with_total(i: &Institution, total: i64) -> Institution {
    Institution {
        cost: Cost::Total(Yen::new(total)),
        ..i.clone()
    }
}

proptest! {
    #[test]
    fn grant_is_bounded_and_rounded(i in institution()) {
        let rules = RuleSet::embedded();
        let a = assess(&rules, &i, AssessOptions::default());
        prop_assert!(a.grant <= a.cap);
        prop_assert!(a.grant <= a.eligible_cost);
        prop_assert!(a.grant >= Yen::ZERO);
        prop_assert!(a.grant.whole() % 1000 == 0 && a.grant.is_whole());
        prop_assert_eq!(a.self_pay, a.total_cost - a.grant);
        if let Some(special) = a.special_grant {
            prop_assert!(special >= a.standard_grant);
            prop_assert_eq!(a.grant, special);
        }
    }

    #[test]
    fn grant_never_decreases_when_cost_rises(i in institution(), low in 0i64..3_000_000, extra in 0i64..3_000_000) {
        let rules = RuleSet::embedded();
        let a = assess(&rules, &with_total(&i, low), AssessOptions::default());
        let b = assess(&rules, &with_total(&i, low + extra), AssessOptions::default());
        prop_assert!(b.grant >= a.grant);
        prop_assert!(b.standard_grant >= a.standard_grant);
    }

    #[test]
    fn trace_does_not_change_the_figures(i in institution()) {
        let rules = RuleSet::embedded();
        let mut traced = assess(&rules, &i, AssessOptions { trace: true });
        prop_assert!(!traced.trace.is_empty());
        traced.trace.clear();
        // The trace keeps one derivation entry per line item; the figures are the same.
        traced.derivation.items.clear();
        prop_assert_eq!(traced, assess(&rules, &i, AssessOptions::default()));
    }

    #[test]
    fn dates_round_trip(d in date_in("1989-01-08", 365 * 40)) {
        prop_assert_eq!(parse_date(&d.to_string()).unwrap(), d);
        prop_assert_eq!(parse_date(&d.format("%Y/%-m/%-d").to_string()).unwrap(), d);
        prop_assert_eq!(parse_date(&format_wareki(d)).unwrap(), d);
    }

    #[test]
    fn amounts_round_trip(v in 0i64..=1_000_000_000, full_width in any::<bool>(), yen_sign in any::<bool>()) {
        let y = Yen::new(v);
        let mut text = if yen_sign { format!("￥{}", y.grouped()) } else { y.to_string() };
        if full_width {
            text = text.chars().map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c }).collect();
        }
        prop_assert_eq!(parse_amount(&text, 1_000_000_000).unwrap(), y);
    }

    #[test]
    fn codes_round_trip(pref in 1u8..=47, schedule in prop::sample::select(vec![1u8, 3, 4]), body in 0u32..1_000_000) {
        let rules = RuleSet::embedded();
        let nine = format!("{pref:02}{schedule}{body:06}");
        // Exactly one check digit makes the code valid under the 9-digit rule.
        let valid: Vec<_> = (0..10)
            .map(|c| format!("{nine}{c}"))
            .filter_map(|s| parse_institution_code(&s, None, &rules).ok().filter(|c| !c.legacy_check()))
            .collect();
        prop_assert_eq!(valid.len(), 1);
        let code = valid[0];
        prop_assert_eq!(parse_institution_code(&code.to_string(), None, &rules).unwrap(), code);
        prop_assert_eq!(parse_institution_code(&code.formatted(), None, &rules).unwrap(), code);
    }
}
