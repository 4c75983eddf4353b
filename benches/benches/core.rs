//! Assessments per second on one thread: trace off (what bulk runs use), trace on (what the
//! page and audit rows use), and the floor — the same loop doing only the input copy.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onshi_benches::{CORE_CORPUS, copy_input, institutions, rules};
use onshi_core::{AssessOptions, assess, audit};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let rules = rules();
    let corpus = institutions(CORE_CORPUS, 1);
    let mut g = c.benchmark_group("core");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    g.bench_function("input_copy_floor", |b| {
        b.iter(|| {
            for i in &corpus {
                black_box(copy_input(black_box(i)));
            }
        })
    });
    for (name, trace) in [("assess", false), ("assess_traced", true)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for i in &corpus {
                    black_box(assess(&rules, black_box(i), AssessOptions { trace }));
                }
            })
        });
    }
    g.bench_function("assess_and_audit", |b| {
        b.iter(|| {
            for i in &corpus {
                let a = assess(&rules, black_box(i), AssessOptions::default());
                black_box(audit(&a));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
