//! A citation is what was read: each step of an explanation cites exactly the rule parameters
//! the computation read while computing that step, and a parameter that changes a step's result
//! is cited by that step or by one before it.

use chrono::Duration;
use onshi_core::rules::schema::DepreciationStart;
use onshi_core::rules::{ParamId, Rate, RuleFile};
use onshi_core::{
    AssessOptions, Assessment, Institution, InstitutionInput, RuleSet, Step, TraceStep, assess,
};
use onshi_tests::load_cases;

/// The keys a trace step cites.
fn cited(s: &TraceStep<'_>) -> Vec<&'static str> {
    s.rules.iter().map(|r| r.key).collect()
}

/// Checks that every step of `a`'s trace cites exactly what its derivation recorded as read.
pub fn cites_what_was_read(a: &Assessment<'_>) -> Result<(), String> {
    let d = &a.derivation;
    let mut items = d.items.iter();
    let mut item_tax_pending = None;
    for s in &a.trace {
        let read: Vec<&str> = match s.step {
            "line_item_tax" => {
                let item = items.next().ok_or("more item steps than items")?;
                item_tax_pending = Some(item);
                item.tax_reads.iter().map(ParamId::key).collect()
            }
            "line_item" => {
                let item = match item_tax_pending.take() {
                    Some(i) => i,
                    None => items.next().ok_or("more item steps than items")?,
                };
                item.reads.iter().map(ParamId::key).collect()
            }
            id => {
                let step = Step::ALL.into_iter().find(|x| x.id() == id).ok_or(id)?;
                d.reads(step).iter().map(ParamId::key).collect()
            }
        };
        if cited(s) != read {
            return Err(format!(
                "step {} cites {:?}, read {:?}",
                s.step,
                cited(s),
                read
            ));
        }
        for r in &s.rules {
            let id = ParamId::from_key(r.key).ok_or(r.key)?;
            if a.rules.cite(id) != *r {
                return Err(format!("step {}: {} is not the rule set's", s.step, r.key));
            }
        }
    }
    Ok(())
}

fn assess_json<'r>(rules: &'r RuleSet, json: &str) -> Assessment<'r> {
    let input: InstitutionInput = serde_json::from_str(json).unwrap();
    let inst = Institution::from_input(&input, rules).unwrap();
    assess(rules, &inst, AssessOptions { trace: true })
}

fn step<'a, 'r>(a: &'a Assessment<'r>, id: &str) -> &'a TraceStep<'r> {
    a.trace
        .iter()
        .find(|s| s.step == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

#[test]
fn every_data_file_case_cites_what_it_read() {
    let mut checked = 0;
    for (rules, (name, case)) in revisions()
        .into_iter()
        .flat_map(|r| load_cases().into_iter().map(move |c| (r.clone(), c)))
    {
        let input: InstitutionInput = match serde_json::from_value(case.input_value()).ok() {
            Some(i) => i,
            None => continue,
        };
        let Ok(inst) = Institution::from_input(&input, &rules) else {
            continue;
        };
        let a = assess(&rules, &inst, AssessOptions { trace: true });
        if let Err(e) = cites_what_was_read(&a) {
            panic!("{name} under {}: {e}", rules.id());
        }
        checked += 1;
    }
    assert!(checked >= 150, "only {checked} cases assessed");
}

/// Every built-in revision, oldest first.
fn revisions() -> Vec<RuleSet> {
    onshi_core::rules::built_in_ids()
        .filter_map(RuleSet::built_in)
        .collect()
}

#[test]
fn a_late_application_under_a_deferral_names_the_deferral_deadline_it_read() {
    let rules = RuleSet::latest();
    let a = assess_json(
        &rules,
        r#"{"kind":"clinic","readers":1,"deferral":1,"reader_applied_on":"2021-02-10","completed_on":"2023-09-01","applied_on":"2024-01-05","total_cost":300000}"#,
    );
    let regime = step(&a, "regime");
    assert_eq!(cited(regime), ["deferral.deadlines"]);
    assert_eq!(
        regime.detail_en,
        "not eligible: applied for the grant 2024-01-05, after the deadline 2023-12-31"
    );
}

#[test]
fn the_standard_regime_under_the_2022_revision_says_the_later_measures_did_not_pay() {
    let rules = RuleSet::latest();
    // A reader in the 2022 window without a contract date, and operation outside the period.
    let a = assess_json(
        &rules,
        r#"{"kind":"clinic","readers":1,"reader_applied_on":"2022-09-01","completed_on":"2023-03-01","applied_on":"2023-04-01","total_cost":300000}"#,
    );
    assert_eq!(a.regime, onshi_core::Regime::Standard);
    let regime = step(&a, "regime");
    assert!(
        regime.detail_en.contains("nor does the 2022 window"),
        "{}",
        regime.detail_en
    );
    assert!(
        regime.detail.contains("令和4年の特例の条件も満たさない"),
        "{}",
        regime.detail
    );
    // Under the 2020 set there is no later measure to mention.
    let rules = RuleSet::embedded();
    let a = assess_json(
        &rules,
        r#"{"kind":"clinic","readers":1,"reader_applied_on":"2022-09-01","total_cost":300000}"#,
    );
    assert!(!step(&a, "regime").detail_en.contains("nor"));
}

#[test]
fn a_project_completed_late_is_refused_by_the_project_deadline_and_says_so() {
    let rules = RuleSet::embedded();
    let a = assess_json(
        &rules,
        r#"{"kind":"hospital","readers":1,"reader_applied_on":"2021-03-01","completed_on":"2023-04-02","total_cost":"3,000,000"}"#,
    );
    let regime = step(&a, "regime");
    assert_eq!(cited(regime), ["deadlines.project_completed_by"]);
    assert!(regime.detail.contains("2023-04-02") && regime.detail.contains("2023-03-31"));
    assert_eq!(
        regime.detail_en,
        "not eligible: completed 2023-04-02, after the deadline 2023-03-31"
    );
    // A plain total: no tax was added, so no step cites the tax rate.
    assert!(
        a.trace
            .iter()
            .all(|s| !cited(s).contains(&"money.tax_rate"))
    );
    assert_eq!(cited(step(&a, "eligible_cost")), Vec::<&str>::new());
    // The category of a hospital is its kind: no parameter, and never a cap.
    assert_eq!(cited(step(&a, "category")), Vec::<&str>::new());
    // The grant is the regime's amount: no rounding happens in that step.
    assert_eq!(cited(step(&a, "grant")), Vec::<&str>::new());
    // Money in words is formatted: 2,101,000円 × 1/2 = 1,050,500円.
    assert_eq!(
        step(&a, "standard_rate").detail,
        "2,101,000円 × 1/2 = 1,050,500円"
    );
}

#[test]
fn the_steps_cite_the_parameters_they_use() {
    let rules = RuleSet::embedded();
    let a = assess_json(
        &rules,
        r#"{"kind":"pharmacy","group_rx_per_month":50000,"readers":2,"reader_applied_on":"2021-02-10","completed_on":"2021-03-15","applied_on":"2021-04-01","line_items":[{"category":"terminal","amount":100000,"tax_included":false},{"category":"recurring","amount":2200,"tax_included":true}]}"#,
    );
    let want: &[(&str, &[&str])] = &[
        ("category", &["large_chain.threshold_rx_per_month"]),
        (
            "readers_provided",
            &["categories.large_chain_pharmacy.reader_quota"],
        ),
        ("cap", &["categories.large_chain_pharmacy.caps"]),
        ("line_item_tax", &["money.tax_rate"]),
        ("line_item", &["line_items.terminal"]),
        (
            "eligible_cost",
            &[
                "line_items.terminal",
                "line_items.recurring",
                "money.tax_rate",
            ],
        ),
        ("capped_cost", &["categories.large_chain_pharmacy.caps"]),
        (
            "standard_rate",
            &["categories.large_chain_pharmacy.standard_rate"],
        ),
        ("standard_grant", &["money.rounding_unit"]),
        ("special_eligibility", &["special_regime.reader_applied_by"]),
        ("special_grant", &["money.rounding_unit"]),
        ("regime", &["special_regime.reader_applied_by"]),
        ("form", &["categories.large_chain_pharmacy.special_forms"]),
        (
            "retention",
            &[
                "retention.years_after_fiscal_year",
                "retention.fiscal_year_start_month",
            ],
        ),
    ];
    for (id, keys) in want {
        let mut got = cited(step(&a, id));
        let mut keys = keys.to_vec();
        got.sort_unstable();
        keys.sort_unstable();
        assert_eq!(got, keys, "{id}");
    }
    assert_eq!(
        step(&a, "retention").detail,
        "2021-03-15 完了 → 2020年度（4月始まり）の終了後5年 → 2026-03-31まで"
    );
}

/// Each parameter the assessment may read, changed to another valid value.
fn perturbed(base: &RuleSet) -> Vec<(ParamId, RuleSet)> {
    type Change = fn(&mut RuleFile);
    let changes: &[(ParamId, Change)] = &[
        (ParamId::HospitalCaps, |f| {
            f.categories
                .hospital
                .caps
                .value
                .iter_mut()
                .for_each(|c| *c += 7_000)
        }),
        (ParamId::LargeChainCaps, |f| {
            f.categories.large_chain_pharmacy.caps.value[0] += 7_000
        }),
        (ParamId::ClinicCaps, |f| {
            f.categories.clinic_or_pharmacy.caps.value[0] -= 7_000
        }),
        (ParamId::HospitalStandardRate, |f| {
            f.categories.hospital.standard_rate.value = Rate {
                numerator: 2,
                denominator: 3,
            }
        }),
        (ParamId::LargeChainStandardRate, |f| {
            f.categories.large_chain_pharmacy.standard_rate.value = Rate {
                numerator: 2,
                denominator: 3,
            }
        }),
        (ParamId::ClinicStandardRate, |f| {
            f.categories.clinic_or_pharmacy.standard_rate.value = Rate {
                numerator: 2,
                denominator: 3,
            }
        }),
        (ParamId::HospitalSpecialForms, |f| {
            let mut names = f.categories.hospital.special_forms.value.clone();
            names.iter_mut().for_each(|n| rename_form(f, n));
            f.categories.hospital.special_forms.value = names;
        }),
        (ParamId::LargeChainSpecialForms, |f| {
            let mut names = f
                .categories
                .large_chain_pharmacy
                .special_forms
                .value
                .clone();
            rename_form(f, &mut names[0]);
            f.categories.large_chain_pharmacy.special_forms.value = names;
        }),
        (ParamId::ClinicSpecialForms, |f| {
            let mut names = f.categories.clinic_or_pharmacy.special_forms.value.clone();
            rename_form(f, &mut names[0]);
            f.categories.clinic_or_pharmacy.special_forms.value = names;
        }),
        (ParamId::LargeChainThreshold, |f| {
            f.large_chain.threshold_rx_per_month.value = 30_000
        }),
        (ParamId::ReaderRequired, |f| {
            f.eligibility.reader_required.value = false
        }),
        (ParamId::SpecialReaderAppliedBy, |f| {
            f.special_regime.reader_applied_by.value -= Duration::days(60)
        }),
        (ParamId::FormFallback, |f| {
            let mut name = f.special_regime.form_fallback.value.clone();
            rename_form(f, &mut name);
            f.special_regime.form_fallback.value = name;
        }),
        (ParamId::ProjectCompletedBy, |f| {
            f.deadlines.project_completed_by.value -= Duration::days(200)
        }),
        (ParamId::ApplicationFiledBy, |f| {
            f.deadlines.application_filed_by.value -= Duration::days(60)
        }),
        (ParamId::RoundingUnit, |f| f.money.rounding_unit.value = 100),
        (ParamId::TaxRate, |f| {
            f.money.tax_rate.value = Rate {
                numerator: 8,
                denominator: 100,
            }
        }),
        (ParamId::ItemTerminal, |f| {
            f.line_items.terminal.value = false
        }),
        (ParamId::ItemRecurring, |f| {
            f.line_items.recurring.value = true
        }),
        (ParamId::ItemOther, |f| f.line_items.other.value = true),
        (ParamId::ItemNetwork, |f| f.line_items.network.value = false),
        (ParamId::RetentionYears, |f| {
            f.retention.years_after_fiscal_year.value = 7
        }),
        (ParamId::FiscalYearStartMonth, |f| {
            f.retention.fiscal_year_start_month.value = 1
        }),
        (ParamId::ReaderValue, |f| {
            f.after_grant.reader_value.value = 120_000
        }),
        (ParamId::ReaderDepreciationMonths, |f| {
            f.after_grant.reader_depreciation_months.value = 48
        }),
        (ParamId::DepreciationFrom, |f| {
            f.after_grant.depreciation_from.value = DepreciationStart::CompletedOn
        }),
        (ParamId::GrantRepayable, |f| {
            f.after_grant.grant_repayable.value = Rate {
                numerator: 1,
                denominator: 2,
            }
        }),
        (ParamId::UsefulLifeTerminal, |f| {
            f.after_grant.useful_life_terminal_years.value = 2
        }),
        (ParamId::UsefulLifeSoftware, |f| {
            f.after_grant.useful_life_software_years.value = 3
        }),
        (ParamId::UsefulLifeOther, |f| {
            f.after_grant.useful_life_other_years.value = 9
        }),
    ];
    let later: &[(ParamId, Change)] = &[
        (ParamId::WindowReaderFrom, |f| {
            if let Some(w) = &mut f.special_window_2022 {
                w.reader_applied_from.value = date("2022-07-01");
            }
        }),
        (ParamId::WindowReaderBy, |f| {
            if let Some(w) = &mut f.special_window_2022 {
                w.reader_applied_by.value = date("2022-11-30");
            }
        }),
        (ParamId::WindowContractedBy, |f| {
            if let Some(w) = &mut f.special_window_2022 {
                w.contracted_by.value = date("2023-01-31");
            }
        }),
        (ParamId::WindowCategories, |f| {
            if let Some(w) = &mut f.special_window_2022 {
                w.categories.value = vec!["hospital".into()];
            }
        }),
        (ParamId::DifferenceReaderBy, |f| {
            if let Some(d) = &mut f.difference_payment {
                d.reader_applied_by.value = date("2022-01-01");
            }
        }),
        (ParamId::DifferenceOperationFrom, |f| {
            if let Some(d) = &mut f.difference_payment {
                d.operation_started_from.value = date("2022-09-01");
            }
        }),
        (ParamId::DifferenceOperationBy, |f| {
            if let Some(d) = &mut f.difference_payment {
                d.operation_started_by.value = date("2022-12-31");
            }
        }),
        (ParamId::DifferencePaidBefore, |f| {
            if let Some(d) = &mut f.difference_payment {
                d.paid_if_applied_before.value = date("2022-11-01");
            }
        }),
        (ParamId::DeferralDeadlines, |f| {
            if let Some(d) = &mut f.deferral {
                d.deadlines.value[0].types = vec![1];
                d.deadlines.value[0].application_filed_by = date("2023-11-30");
            }
        }),
    ];
    changes
        .iter()
        .chain(later.iter().filter(|(id, _)| base.try_cite(*id).is_some()))
        .map(|(id, change)| {
            let mut f = base.file().clone();
            change(&mut f);
            (
                *id,
                RuleSet::from_file(f, "perturbed").expect("a valid change"),
            )
        })
        .collect()
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().expect("a date")
}

/// Renames a form, its layout with it (a rule set lays out every form it names).
fn rename_form(f: &mut RuleFile, name: &mut String) {
    let layout = f.forms.layouts[name.as_str()].clone();
    name.push('*');
    f.forms.layouts.insert(name.clone(), layout);
}

/// Every step whose result moves when `id` changes cites `id` itself or follows a step that
/// does: no parameter reaches a result without being cited on the way.
pub fn changes_are_cited(
    base: &Assessment<'_>,
    id: ParamId,
    other: &Assessment<'_>,
) -> Result<(), String> {
    let mut cited_so_far = false;
    for s in &base.trace {
        cited_so_far |= s.rules.iter().any(|r| r.key == id.key());
        let moved = other
            .trace
            .iter()
            .find(|o| o.step == s.step && o.label == s.label && o.before == s.before)
            .is_none_or(|o| o.after != s.after);
        if moved && !cited_so_far {
            return Err(format!(
                "{} moved step {} without being cited",
                id.key(),
                s.step
            ));
        }
    }
    Ok(())
}

mod random {
    use super::*;
    use chrono::NaiveDate;
    use onshi_core::{Cost, Kind, LineItem, LineItemCategory, Yen};
    use proptest::prelude::*;

    include!("common/strategies.rs");

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn every_step_cites_what_it_read(i in institution()) {
            for rules in revisions() {
                let a = assess(&rules, &i, AssessOptions { trace: true });
                prop_assert_eq!(cites_what_was_read(&a), Ok(()), "{}", rules.id());
            }
        }

        #[test]
        fn no_parameter_moves_a_result_uncited(i in institution()) {
            for rules in revisions() {
                let a = assess(&rules, &i, AssessOptions { trace: true });
                for (id, other) in perturbed(&rules) {
                    let b = assess(&other, &i, AssessOptions { trace: true });
                    prop_assert_eq!(changes_are_cited(&a, id, &b), Ok(()), "{}", rules.id());
                }
            }
        }
    }
}
