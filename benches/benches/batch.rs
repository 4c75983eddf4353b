//! `onshi batch` end to end on the generated national file (228,000 institutions with line
//! items; CSV in, grants/summary/audit/report out) with 1 and 2 threads, beside its I/O
//! floor: polars reading the same CSVs and writing as many columns, with no rule work.
//!
//! Needs the release `onshi` binary (`cargo build --release -p onshi-batch`, which `cargo
//! xtask bench` does); the data are generated once into `<target>/bench-data`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The national file's size (docs/rules.md: about 228,000 institutions).
const ROWS: u64 = 228_000;
/// Columns of `grants.csv` without a comparison.
const GRANT_COLUMNS: &str = "23";

fn io_floor() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_io-floor"))
}

fn onshi() -> Option<PathBuf> {
    let p = std::env::var_os("ONSHI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            io_floor()
                .with_file_name("onshi")
                .with_extension(std::env::consts::EXE_EXTENSION)
        });
    p.exists().then_some(p)
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("the command starts");
    // 1: finished with rejected rows (the national file has a share of dirty rows).
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{cmd:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The national file and its line items, generated once (deterministic for the seed).
fn data(onshi: &Path) -> (PathBuf, PathBuf, PathBuf) {
    // <target>/<profile>/io-floor → <target>/bench-data, where `cargo xtask bench` looks.
    let dir = io_floor()
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/<bin>")
        .join("bench-data");
    let inst = dir.join(format!("national-{ROWS}.csv"));
    let items = dir.join(format!("national-{ROWS}-items.csv"));
    if !inst.exists() || !items.exists() {
        std::fs::create_dir_all(&dir).expect("create bench-data");
        run(Command::new(onshi)
            .args([
                "gen",
                "--count",
                &ROWS.to_string(),
                "--seed",
                "1",
                "--dirty",
            ])
            .arg("--out")
            .arg(&inst)
            .arg("--line-items")
            .arg(&items));
    }
    (inst, items, dir)
}

fn bench(c: &mut Criterion) {
    let Some(onshi) = onshi() else {
        eprintln!(
            "batch benches skipped: no release onshi binary (cargo build --release -p onshi-batch, or set ONSHI_BIN)"
        );
        return;
    };
    let (inst, items, dir) = data(&onshi);
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.bench_function("io_floor", |b| {
        b.iter(|| {
            run(Command::new(io_floor())
                .arg("--institutions")
                .arg(&inst)
                .arg("--line-items")
                .arg(&items)
                .args(["--columns", GRANT_COLUMNS, "--out"])
                .arg(dir.join("out-floor")))
        })
    });
    for threads in [1, 2] {
        g.bench_function(format!("onshi_threads_{threads}"), |b| {
            b.iter(|| {
                run(Command::new(&onshi)
                    .arg("batch")
                    .arg("--institutions")
                    .arg(&inst)
                    .arg("--line-items")
                    .arg(&items)
                    .args(["--threads", &threads.to_string(), "--out"])
                    .arg(dir.join(format!("out-{threads}")))
                    .env("POLARS_MAX_THREADS", threads.to_string()))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
