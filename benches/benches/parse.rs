//! The input parsers per second: institution codes, dates (和暦 among them), amounts
//! (full-width among them), each over a fixed mix of the surface forms exports use.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onshi_benches::{parse_corpus, rules};
use onshi_core::parse::{parse_amount, parse_date, parse_institution_code};
use std::hint::black_box;

const N: usize = 4096;
const MAX: u64 = 1_000_000_000;

fn bench(c: &mut Criterion) {
    let rules = rules();
    let corpus = parse_corpus(N, 2);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("institution_code", |b| {
        b.iter(|| {
            for t in &corpus.codes {
                let _ = black_box(parse_institution_code(black_box(t), None, &rules));
            }
        })
    });
    g.bench_function("date", |b| {
        b.iter(|| {
            for t in &corpus.dates {
                let _ = black_box(parse_date(black_box(t)));
            }
        })
    });
    g.bench_function("amount", |b| {
        b.iter(|| {
            for t in &corpus.amounts {
                let _ = black_box(parse_amount(black_box(t), MAX));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
