//! Assessments per second on one thread (trace off and on).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onshi_core::{AssessOptions, Cost, Institution, Kind, RuleSet, Yen, assess};
use std::hint::black_box;

fn corpus() -> Vec<Institution> {
    let kinds = [
        Kind::Hospital,
        Kind::Clinic,
        Kind::DentalClinic,
        Kind::Pharmacy,
    ];
    (0..1000u32)
        .map(|i| Institution {
            code: None,
            kind: kinds[i as usize % 4],
            group_rx_per_month: Some(u64::from(i) * 97),
            readers: i % 5,
            reader_applied_on: chrono::NaiveDate::from_ymd_opt(2021, 1 + i % 12, 1 + i % 28),
            completed_on: None,
            applied_on: None,
            cost: Cost::Total(Yen::new(i64::from(i) * 3_217)),
            claimed: None,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rules = RuleSet::embedded();
    let corpus = corpus();
    let mut g = c.benchmark_group("core");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    for (name, trace) in [("assess", false), ("assess_traced", true)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for i in &corpus {
                    black_box(assess(&rules, black_box(i), AssessOptions { trace }));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
