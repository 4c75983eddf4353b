//! Fixed workloads for the instruction-count gate: `cargo xtask bench` runs them under
//! `valgrind --tool=callgrind`, counting only the `gate_work_*` functions (the corpus is built
//! before them and is not counted).
//!
//! `gate core` — assess and audit the core corpus (trace off), as the batch does;
//! `gate traced` — the same with the trace, as the page does;
//! `gate parse` — the parsers over the parse corpus.

use onshi_benches::{CORE_CORPUS, institutions, parse_corpus, rules};
use onshi_core::parse::{parse_amount, parse_date, parse_institution_code};
use onshi_core::{AssessOptions, Institution, RuleSet, assess, audit};
use std::hint::black_box;

#[inline(never)]
fn gate_work_core(rules: &RuleSet, corpus: &[Institution], trace: bool) -> u64 {
    let mut n = 0;
    for i in corpus {
        let a = assess(rules, black_box(i), AssessOptions { trace });
        n += black_box(audit(&a)).len() as u64 + a.trace.len() as u64;
    }
    n
}

#[inline(never)]
fn gate_work_parse(rules: &RuleSet, codes: &[String], dates: &[String], amounts: &[String]) -> u64 {
    let mut ok = 0;
    for t in codes {
        ok += u64::from(parse_institution_code(black_box(t), None, rules).is_ok());
    }
    for t in dates {
        ok += u64::from(parse_date(black_box(t)).is_ok());
    }
    for t in amounts {
        ok += u64::from(parse_amount(black_box(t), 1_000_000_000).is_ok());
    }
    ok
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let rules = rules();
    let n = match what.as_str() {
        "core" | "traced" => {
            let corpus = institutions(CORE_CORPUS, 1);
            gate_work_core(&rules, &corpus, what == "traced")
        }
        "parse" => {
            let c = parse_corpus(4096, 2);
            gate_work_parse(&rules, &c.codes, &c.dates, &c.amounts)
        }
        _ => {
            eprintln!("usage: gate <core|traced|parse>");
            std::process::exit(2);
        }
    };
    println!("{what}: {n}");
}
