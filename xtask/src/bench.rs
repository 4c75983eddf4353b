//! `cargo xtask bench` — the benchmark suite, its report, and the instruction-count gate.
//!
//! - `cargo xtask bench` runs the criterion benches (core, parse, batch end to end beside its
//!   I/O floor), the batch's compute stage alone with 1 and 2 threads (`stage-scaling`),
//!   measures peak memory and the batch's stage times, the wasm build in Node, and the gate's
//!   instruction counts, and writes one table to `<target>/bench-report.md`.
//! - `--quick`: criterion's shortest useful runs (a minute or two in all).
//! - `--gate`: only the instruction counts (valgrind's callgrind), compared with the committed
//!   baseline `benches/baseline.json`; fails when one grows more than 10%. `cargo xtask test`
//!   runs this.
//! - `--save-baseline`: count again and write `benches/baseline.json` (a deliberate change
//!   that shows in review).

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::{cargo, root, step, target_dir};

/// Growth of an instruction count over the baseline that fails the gate.
const GATE_TOLERANCE_PERCENT: u64 = 10;
/// The national file (docs/rules.md: about 228,000 institutions).
const NATIONAL_ROWS: u64 = 228_000;
/// The gate's small batch run: big enough to cover every stage, small enough for valgrind.
const GATE_BATCH_ROWS: &str = "2000";

pub fn bench(args: &[String]) -> Result<()> {
    let has = |f: &str| args.iter().any(|a| a == f);
    if let Some(bad) = args
        .iter()
        .find(|a| !["--quick", "--huge", "--gate", "--save-baseline"].contains(&a.as_str()))
    {
        bail!(
            "unknown option {bad} (cargo xtask bench [--quick] [--huge] [--gate] [--save-baseline])"
        );
    }
    if has("--save-baseline") {
        let counts = gate_counts()?;
        save_baseline(&counts)?;
        print!("{}", gate_table(&counts, &counts));
        eprintln!("wrote {}", baseline_path().display());
        return Ok(());
    }
    if has("--gate") {
        return gate();
    }
    full(has("--quick"), has("--huge"))
}

fn baseline_path() -> PathBuf {
    root().join("benches/baseline.json")
}

fn release_bin(name: &str) -> PathBuf {
    target_dir().join("release").join(name)
}

fn build_release() -> Result<()> {
    step(
        "build onshi and the bench binaries (release)",
        cargo().args([
            "build",
            "--release",
            "-p",
            "onshi-batch",
            "-p",
            "onshi-benches",
            "--bins",
        ]),
    )
}

fn ensure_valgrind() -> Result<()> {
    if Command::new("valgrind").arg("--version").output().is_ok() {
        return Ok(());
    }
    step("apt-get update", Command::new("apt-get").arg("update"))?;
    step(
        "install valgrind (Debian)",
        Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "valgrind"]),
    )
}

/// Instructions counted by callgrind: the `Collected` figure it prints.
fn callgrind(name: &str, toggle: Option<&str>, cmd: &[&std::ffi::OsStr]) -> Result<u64> {
    let dir = target_dir().join("bench-gate");
    std::fs::create_dir_all(&dir)?;
    let mut c = Command::new("valgrind");
    c.arg("--tool=callgrind")
        .arg(format!(
            "--callgrind-out-file={}",
            dir.join(format!("callgrind.{name}")).display()
        ))
        // One thread for polars too: a count must not depend on scheduling.
        .env("POLARS_MAX_THREADS", "1")
        .env("RAYON_NUM_THREADS", "1");
    if let Some(t) = toggle {
        c.arg(format!("--toggle-collect={t}"));
    }
    c.args(cmd);
    let out = c
        .output()
        .with_context(|| format!("cannot run valgrind for {name}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!("{name} under callgrind failed ({}):\n{stderr}", out.status);
    }
    stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .with_context(|| format!("no instruction count from callgrind for {name}:\n{stderr}"))
}

/// The gate's workloads and their instruction counts.
fn gate_counts() -> Result<BTreeMap<String, u64>> {
    ensure_valgrind()?;
    build_release()?;
    eprintln!("\n==> instruction counts (valgrind --tool=callgrind)");
    let gate = release_bin("gate");
    let onshi = release_bin("onshi");
    let mut counts = BTreeMap::new();
    for (name, what) in [
        ("core assess+audit (4,096 institutions)", "core"),
        ("core assess traced (4,096 institutions)", "traced"),
        ("parse codes+dates+amounts (3 × 4,096)", "parse"),
    ] {
        let n = callgrind(
            what,
            Some("*gate_work*"),
            &[gate.as_os_str(), what.as_ref()],
        )?;
        eprintln!("  {name}: {n}");
        counts.insert(name.to_owned(), n);
    }
    let dir = target_dir().join("bench-gate");
    let inst = dir.join("gate.csv");
    let items = dir.join("gate-items.csv");
    let out = Command::new(&onshi)
        .args([
            "gen",
            "--count",
            GATE_BATCH_ROWS,
            "--seed",
            "7",
            "--dirty",
            "--out",
        ])
        .arg(&inst)
        .arg("--line-items")
        .arg(&items)
        .output()?;
    if !out.status.success() {
        bail!("onshi gen failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let n = callgrind(
        "batch",
        None,
        &[
            onshi.as_os_str(),
            "batch".as_ref(),
            "--institutions".as_ref(),
            inst.as_os_str(),
            "--line-items".as_ref(),
            items.as_os_str(),
            "--threads".as_ref(),
            "1".as_ref(),
            "--out".as_ref(),
            dir.join("out").as_os_str(),
        ],
    )?;
    let name = format!("onshi batch, whole process ({GATE_BATCH_ROWS} rows, 1 thread)");
    eprintln!("  {name}: {n}");
    counts.insert(name, n);
    Ok(counts)
}

fn load_baseline() -> Result<BTreeMap<String, u64>> {
    let p = baseline_path();
    let text = std::fs::read_to_string(&p).with_context(|| {
        format!(
            "cannot read {} (create it with cargo xtask bench --save-baseline)",
            p.display()
        )
    })?;
    let counts: BTreeMap<String, u64> = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a map of counts", p.display()))?;
    if counts.is_empty() {
        bail!("{}: no counts", p.display());
    }
    Ok(counts)
}

fn save_baseline(counts: &BTreeMap<String, u64>) -> Result<()> {
    let mut s = serde_json::to_string_pretty(counts)?;
    s.push('\n');
    std::fs::write(baseline_path(), s)?;
    Ok(())
}

/// Change in per mille (integer arithmetic: the workspace lints keep floats out).
fn per_mille(now: u64, base: u64) -> i64 {
    if base == 0 {
        return 0;
    }
    let diff = i128::from(now) - i128::from(base);
    i64::try_from(diff * 1000 / i128::from(base)).unwrap_or(i64::MAX)
}

fn fmt_per_mille(pm: i64) -> String {
    let sign = if pm < 0 { "-" } else { "+" };
    let a = pm.unsigned_abs();
    format!("{sign}{}.{}%", a / 10, a % 10)
}

fn gate_table(base: &BTreeMap<String, u64>, now: &BTreeMap<String, u64>) -> String {
    let mut s = String::from(
        "| gate workload | baseline (instructions) | now | change |\n|---|---:|---:|---:|\n",
    );
    for (k, n) in now {
        let (b, change) = match base.get(k) {
            Some(b) => (b.to_string(), fmt_per_mille(per_mille(*n, *b))),
            None => ("—".into(), "new".into()),
        };
        let _ = writeln!(s, "| {k} | {b} | {n} | {change} |");
    }
    s
}

pub fn gate() -> Result<()> {
    let base = load_baseline()?;
    let now = gate_counts()?;
    println!("\n{}", gate_table(&base, &now));
    let limit = i64::try_from(GATE_TOLERANCE_PERCENT * 10).unwrap_or(i64::MAX);
    let grown: Vec<&String> = now
        .iter()
        .filter(|(k, n)| base.get(*k).is_some_and(|b| per_mille(**n, *b) > limit))
        .map(|(k, _)| k)
        .collect();
    let missing: Vec<&String> = base.keys().filter(|k| !now.contains_key(*k)).collect();
    if !missing.is_empty() {
        bail!("the baseline names workloads that no longer run: {missing:?}");
    }
    if !grown.is_empty() {
        bail!(
            "instruction counts grew more than {GATE_TOLERANCE_PERCENT}% over benches/baseline.json: {grown:?} (if intended, run cargo xtask bench --save-baseline and commit the change)"
        );
    }
    println!("benchmark gate: every count within {GATE_TOLERANCE_PERCENT}% of the baseline");
    Ok(())
}

/// Criterion's mean time of one iteration, in nanoseconds.
fn criterion_mean_ns(group: &str, function: &str) -> Result<u128> {
    let p = target_dir()
        .join("criterion")
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let text =
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", p.display()))?;
    let ns = v["mean"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("{}: no mean", p.display()))?;
    // Whole nanoseconds are plenty; the report does integer arithmetic from here on.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(ns as u128)
}

/// `n` per second from nanoseconds per `elements`, for people (`3.61 M/s`).
fn rate(elements: u64, ns: u128) -> String {
    if ns == 0 {
        return "—".into();
    }
    let per_s = u128::from(elements) * 1_000_000_000 / ns;
    if per_s >= 1_000_000 {
        format!(
            "{}.{:02} M/s",
            per_s / 1_000_000,
            per_s % 1_000_000 / 10_000
        )
    } else if per_s >= 1_000 {
        format!("{}.{} k/s", per_s / 1_000, per_s % 1_000 / 100)
    } else {
        format!("{per_s} /s")
    }
}

fn ns_each(elements: u64, ns: u128) -> String {
    let each = ns / u128::from(elements.max(1));
    if each >= 10_000 {
        format!("{}.{} µs", each / 1000, each % 1000 / 100)
    } else {
        format!("{each} ns")
    }
}

fn secs(ns: u128) -> String {
    format!(
        "{}.{:03} s",
        ns / 1_000_000_000,
        ns % 1_000_000_000 / 1_000_000
    )
}

/// `a / b` with two decimals, for ratios (`1.43×`).
fn ratio(a: u128, b: u128) -> String {
    if b == 0 {
        return "—".into();
    }
    let r = a * 100 / b;
    format!("{}.{:02}×", r / 100, r % 100)
}

/// Runs a command to completion; returns its wall time (ns), peak resident memory (KiB, as
/// the program reports it from Linux's `VmHWM` on its last line of stderr: `peak_rss_kib N`)
/// and stderr.
fn measure(cmd: &mut Command) -> Result<(u128, u64, String)> {
    let start = Instant::now();
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let wall = start.elapsed().as_nanos();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!("{cmd:?} failed ({}):\n{err}", out.status);
    }
    let rss = err
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    Ok((wall, rss, err))
}

/// The compute stage's time from `onshi batch --timings`.
fn compute_ns(stderr: &str) -> Option<u128> {
    let line = stderr.lines().find(|l| l.starts_with("timings:"))?;
    let t = line.split("compute ").nth(1)?.split(' ').next()?;
    let (s, frac) = t.split_once('.')?;
    let frac = format!("{frac:0<9}");
    Some(s.parse::<u128>().ok()? * 1_000_000_000 + frac[..9].parse::<u128>().ok()?)
}

fn full(quick: bool, huge: bool) -> Result<()> {
    build_release()?;
    let criterion_args: &[&str] = if quick {
        &[
            "--warm-up-time",
            "0.5",
            "--measurement-time",
            "1",
            "--noplot",
        ]
    } else {
        &["--warm-up-time", "2", "--measurement-time", "5", "--noplot"]
    };
    step(
        "criterion: core, parse, batch",
        cargo()
            .args(["bench", "-p", "onshi-benches"])
            .args([
                "--bench", "core", "--bench", "parse", "--bench", "batch", "--",
            ])
            .args(criterion_args)
            .env("ONSHI_BIN", release_bin("onshi")),
    )?;
    let data = target_dir().join("bench-data");
    let inst = data.join(format!("national-{NATIONAL_ROWS}.csv"));
    let items = data.join(format!("national-{NATIONAL_ROWS}-items.csv"));

    eprintln!("\n==> peak memory and stage times (one run each)");
    let batch = |threads: &str| -> Result<(u128, u64, String)> {
        measure(
            batch_cmd(
                &inst,
                Some(&items),
                &data.join(format!("out-mem-{threads}")),
            )
            .args(["--threads", threads, "--timings"])
            .env("POLARS_MAX_THREADS", threads),
        )
    };
    let b1 = batch("1")?;
    let b2 = batch("2")?;
    let big = big_quote(&data)?;
    let peer = peer_bench(&data, if quick { 3 } else { 5 });
    let curve = cost_curve(&data, if huge { &[1, 10, 100] } else { &[1, 10] });
    let floor = measure(
        Command::new(release_bin("io-floor"))
            .arg("--institutions")
            .arg(&inst)
            .arg("--line-items")
            .arg(&items)
            .args(["--columns", "23", "--out"])
            .arg(data.join("out-mem-floor")),
    )?;

    let scaling = stage_scaling(&inst, &items, if quick { 5 } else { 15 });
    let wasm = wasm_bench();
    let gate_now = gate_counts()?;
    let gate_base = load_baseline().unwrap_or_default();

    let c = |g: &str, f: &str| criterion_mean_ns(g, f).ok();
    let core_n = 4096;
    let mut r = String::new();
    writeln!(r, "# onshi benchmarks\n")?;
    writeln!(
        r,
        "Machine: {} cores. Criterion means ({} mode); one thread unless named. Targets from issue 5.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if quick { "quick" } else { "full" }
    )?;
    writeln!(r, "| benchmark | figure | floor / comparison | target |")?;
    writeln!(r, "|---|---:|---|---|")?;
    let floor_core = c("core", "input_copy_floor");
    for (f, what, target) in [
        (
            "assess",
            "core: assess, trace off",
            "≥ 5,000,000/s (≤ 200 ns)",
        ),
        (
            "assess_and_audit",
            "core: assess + audit (what the batch does)",
            "",
        ),
        ("assess_traced", "core: assess with the trace", ""),
    ] {
        if let Some(ns) = c("core", f) {
            let fl = floor_core.map_or("—".into(), |fl| {
                format!(
                    "input copy {} ({}); {} the floor",
                    rate(core_n, fl),
                    ns_each(core_n, fl),
                    ratio(ns, fl)
                )
            });
            writeln!(
                r,
                "| {what} | {} ({} each) | {fl} | {target} |",
                rate(core_n, ns),
                ns_each(core_n, ns)
            )?;
        }
    }
    for (f, what) in [
        ("institution_code", "parse: institution codes"),
        ("date", "parse: dates (和暦 among them)"),
        ("amount", "parse: amounts (full-width among them)"),
    ] {
        if let Some(ns) = c("parse", f) {
            writeln!(
                r,
                "| {what} | {} ({} each) | — | — |",
                rate(4096, ns),
                ns_each(4096, ns)
            )?;
        }
    }
    let floor_ns = c("batch", "io_floor");
    for t in ["1", "2"] {
        if let Some(ns) = c("batch", &format!("onshi_threads_{t}")) {
            let fl = floor_ns.map_or("—".into(), |fl| {
                format!("I/O floor {}; {} the floor", secs(fl), ratio(ns, fl))
            });
            writeln!(
                r,
                "| batch end to end, {NATIONAL_ROWS} rows + line items, {t} thread(s) | {} ({}) | {fl} | ≤ 1.5× the floor |",
                secs(ns),
                rate(NATIONAL_ROWS, ns)
            )?;
        }
    }
    match &scaling {
        Ok(s) => writeln!(
            r,
            "| batch compute stage alone, {NATIONAL_ROWS} rows, 1 → 2 threads ({} alternating pairs) | medians {} → {} ({}× faster; pairs {}–{}×); best runs {} → {} ({}×) | — | ≥ 1.7× |",
            s.pairs,
            secs(s.t1_ns),
            secs(s.t2_ns),
            s.ratio_median,
            s.ratio_min,
            s.ratio_max,
            secs(s.t1_best_ns),
            secs(s.t2_best_ns),
            s.ratio_best
        )?,
        Err(e) => writeln!(
            r,
            "| batch compute stage alone | not measured: {e} | — | ≥ 1.7× |"
        )?,
    }
    if let (Some(c1), Some(c2)) = (compute_ns(&b1.2), compute_ns(&b2.2)) {
        writeln!(
            r,
            "| the same stage inside one run (`--timings`), sharing the cores with reading and writing | {} → {} ({} faster) | — | — |",
            secs(c1),
            secs(c2),
            ratio(c1, c2)
        )?;
    }
    writeln!(
        r,
        "| batch peak memory (1 / 2 threads) | {} / {} MiB | I/O floor {} MiB; {} the floor | ≤ 2× the floor |",
        b1.1 / 1024,
        b2.1 / 1024,
        floor.1 / 1024,
        ratio(u128::from(b2.1), u128::from(floor.1))
    )?;
    match &peer {
        Ok(p) => {
            writeln!(
                r,
                "| `onshi batch --outputs grants` vs the polars-python script (`benches/peer/peer.py polars`), clean national file, {} alternating runs | onshi median {} (best {}), script median {} (best {}): onshi {} faster by medians, {} by best runs | — | ≥ 3×{} |",
                p.runs,
                secs(p.grants.0),
                secs(p.grants.1),
                secs(p.script.0),
                secs(p.script.1),
                ratio(p.script.0, p.grants.0),
                ratio(p.script.1, p.grants.1),
                if p.script.0 >= 3 * p.grants.0 {
                    " ✓"
                } else {
                    ": not met; where the time goes: benches/README.md, \"The peer\""
                }
            )?;
            writeln!(
                r,
                "| all outputs vs the same script | onshi median {} (best {}): {} the script's median time | — | ≤ 1.0×{} |",
                secs(p.all.0),
                secs(p.all.1),
                ratio(p.all.0, p.script.0),
                if p.all.0 <= p.script.0 {
                    " ✓"
                } else {
                    ": not met"
                }
            )?;
        }
        Err(e) => writeln!(
            r,
            "| onshi vs the polars-python script | not measured: {e:#} | — | ≥ 3× |"
        )?,
    }
    writeln!(
        r,
        "| onshi assess, one hospital with {BIG_QUOTE_ITEMS} line items (trace by category) | {}, peak {} MiB | — | ≤ 3 s, ≤ 300 MB |",
        secs(big.0),
        big.1 / 1024
    )?;
    match &wasm {
        Ok(w) => {
            writeln!(
                r,
                "| wasm assess through the JS boundary (Node), trace off (9 rounds of {} calls) | median {} ({} each); best round {} each | — | ≤ 20 µs per call |",
                w.calls,
                rate(w.calls, w.median_ns),
                ns_each(w.calls, w.median_ns),
                ns_each(w.calls, w.best_ns)
            )?;
            writeln!(
                r,
                "| the same with the trace, as the page calls it | median {} each; best round {} each | — | — |",
                ns_each(w.calls, w.trace_median_ns),
                ns_each(w.calls, w.trace_best_ns)
            )?;
        }
        Err(e) => writeln!(
            r,
            "| wasm assess (Node) | not measured: {e} | — | ≤ 20 µs |"
        )?,
    }
    match &curve {
        Ok(c) => r.push_str(&curve_table(c)),
        Err(e) => writeln!(r, "\nThe cost curve: not measured: {e:#}")?,
    }
    writeln!(r, "\n## Instruction counts (the CI gate)\n")?;
    r.push_str(&gate_table(&gate_base, &gate_now));
    writeln!(
        r,
        "\nStage times of the single runs: 1 thread `{}`; 2 threads `{}`.",
        b1.2.lines()
            .find(|l| l.starts_with("timings:"))
            .unwrap_or("—"),
        b2.2.lines()
            .find(|l| l.starts_with("timings:"))
            .unwrap_or("—")
    )?;
    let out = target_dir().join("bench-report.md");
    std::fs::write(&out, &r)?;
    println!("\n{r}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The compute stage's scaling from `stage-scaling` (alternating 1- and 2-thread runs).
#[derive(Debug)]
struct Scaling {
    pairs: String,
    t1_ns: u128,
    t2_ns: u128,
    ratio_min: String,
    ratio_median: String,
    ratio_max: String,
    t1_best_ns: u128,
    t2_best_ns: u128,
    ratio_best: String,
}

fn stage_scaling(inst: &std::path::Path, items: &std::path::Path, pairs: u32) -> Result<Scaling> {
    eprintln!("\n==> the compute stage alone, 1 against 2 threads ({pairs} pairs)");
    let out = Command::new(release_bin("stage-scaling"))
        .arg("--institutions")
        .arg(inst)
        .arg("--line-items")
        .arg(items)
        .args(["--pairs", &pairs.to_string()])
        .output()
        .context("cannot run stage-scaling")?;
    if !out.status.success() {
        bail!("stage-scaling: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // `rows R pairs N t1_ns A t2_ns B ratio_min X ratio_median Y ratio_max Z t1_best_ns C
    // t2_best_ns D ratio_best W`
    let field = |name| value_of(&text, name, "stage-scaling").map(str::to_owned);
    Ok(Scaling {
        pairs: field("pairs")?,
        t1_ns: field("t1_ns")?.parse()?,
        t2_ns: field("t2_ns")?.parse()?,
        ratio_min: field("ratio_min")?,
        ratio_median: field("ratio_median")?,
        ratio_max: field("ratio_max")?,
        t1_best_ns: field("t1_best_ns")?.parse()?,
        t2_best_ns: field("t2_best_ns")?.parse()?,
        ratio_best: field("ratio_best")?,
    })
}

/// The value after `name` in a benchmark's `name value name value …` line.
fn value_of<'t>(text: &'t str, name: &str, program: &str) -> Result<&'t str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .find(|w| w[0] == name)
        .map(|w| w[1])
        .with_context(|| format!("no {name} in the output of {program}: {text}"))
}

/// The wasm `assess` in Node: rounds of `calls` calls, their median and best times (ns), without
/// the trace and with it.
#[derive(Debug)]
struct WasmTimes {
    calls: u64,
    median_ns: u128,
    best_ns: u128,
    trace_median_ns: u128,
    trace_best_ns: u128,
}

fn wasm_bench() -> Result<WasmTimes> {
    let web = crate::build_web()?;
    let script = root().join("benches/wasm/assess.mjs");
    let out = Command::new("node")
        .arg(&script)
        .env("ONSHI_WEB_DIR", &web)
        .output()
        .with_context(|| format!("cannot run node {}", script.display()))?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // `calls N ns T best_ns B trace_ns T2 trace_best_ns B2`
    let field = |name| -> Result<u128> { Ok(value_of(&text, name, "assess.mjs")?.parse()?) };
    Ok(WasmTimes {
        calls: u64::try_from(field("calls")?)?,
        median_ns: field("ns")?,
        best_ns: field("best_ns")?,
        trace_median_ns: field("trace_ns")?,
        trace_best_ns: field("trace_best_ns")?,
    })
}

/// Line items in the large single assessment.
const BIG_QUOTE_ITEMS: usize = 1_000_000;

/// Times `onshi assess` on one hospital with [`BIG_QUOTE_ITEMS`] line items (written once into
/// `data`): wall time and peak memory.
fn big_quote(data: &std::path::Path) -> Result<(u128, u64, String)> {
    let path = data.join(format!("quote-{BIG_QUOTE_ITEMS}.json"));
    if !path.exists() {
        let categories = ["terminal", "line", "network", "other", "package_software"];
        let items: Vec<serde_json::Value> = (0..BIG_QUOTE_ITEMS)
            .map(|i| {
                serde_json::json!({
                    "category": categories[i % categories.len()],
                    "amount": 100 + i % 7,
                    "tax_included": i % 2 == 0,
                })
            })
            .collect();
        let input = serde_json::json!({
            "kind": "hospital", "readers": 3, "reader_applied_on": "2021-02-10",
            "line_items": items,
        });
        std::fs::create_dir_all(data)?;
        std::fs::write(&path, serde_json::to_vec(&input)?)?;
    }
    measure(
        Command::new(release_bin("onshi"))
            .arg("assess")
            .arg(&path)
            .arg("--timings")
            .stdout(std::process::Stdio::null()),
    )
}

/// The peer comparison: (median, best) wall times of each contender.
#[derive(Debug)]
struct Peer {
    runs: usize,
    grants: (u128, u128),
    all: (u128, u128),
    script: (u128, u128),
}

/// The polars version the peer script runs on (installed in a virtual environment of the
/// benchmarks' own, never in `cargo xtask test`).
const PEER_POLARS: &str = "polars==2.1.0";

/// A Python with polars, in `<target>/bench-venv` (made on first use).
fn peer_python() -> Result<PathBuf> {
    let venv = target_dir().join("bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        step(
            "python3 -m venv (the peer script's environment)",
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
        )?;
    }
    let has_polars = Command::new(&python)
        .args(["-c", "import polars"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_polars {
        step(
            &format!("pip install {PEER_POLARS}"),
            Command::new(&python).args(["-m", "pip", "install", "--quiet", PEER_POLARS]),
        )?;
    }
    Ok(python)
}

/// Runs `onshi batch --outputs grants`, the whole batch and the peer script on the same clean
/// national file, alternating, `runs` times each.
fn peer_bench(data: &std::path::Path, runs: usize) -> Result<Peer> {
    let python = peer_python()?;
    let clean = data.join(format!("national-{NATIONAL_ROWS}-clean.csv"));
    if !clean.exists() {
        step(
            "onshi gen --clean (the peer's input)",
            Command::new(release_bin("onshi"))
                .args([
                    "gen",
                    "--count",
                    &NATIONAL_ROWS.to_string(),
                    "--seed",
                    "1",
                    "--clean",
                    "--out",
                ])
                .arg(&clean),
        )?;
    }
    let script = root().join("benches/peer/peer.py");
    let onshi = |outputs: Option<&str>, out: &str| -> Result<u128> {
        let mut cmd = batch_cmd(&clean, None, &data.join(out));
        if let Some(o) = outputs {
            cmd.args(["--outputs", o]);
        }
        Ok(measure(&mut cmd)?.0)
    };
    let (mut grants, mut all, mut peer) = (Vec::new(), Vec::new(), Vec::new());
    eprintln!("\n==> onshi vs the polars-python script ({runs} alternating runs)");
    for _ in 0..runs {
        grants.push(onshi(Some("grants"), "peer-onshi-grants")?);
        let start = Instant::now();
        let o = Command::new(&python)
            .arg(&script)
            .arg("polars")
            .arg(&clean)
            .arg(data.join("peer-script.csv"))
            .output()?;
        if !o.status.success() {
            bail!("peer.py failed: {}", String::from_utf8_lossy(&o.stderr));
        }
        peer.push(start.elapsed().as_nanos());
        all.push(onshi(None, "peer-onshi-all")?);
    }
    let stats = |v: &mut Vec<u128>| {
        v.sort_unstable();
        (v[v.len() / 2], v[0])
    };
    Ok(Peer {
        runs,
        grants: stats(&mut grants),
        all: stats(&mut all),
        script: stats(&mut peer),
    })
}

/// One point of the cost curve: the scale (× the national file), rows, wall and CPU time (ns,
/// ms) and peak memory (KiB) of whole `onshi batch` runs with line items (medians of `runs`),
/// and how the run joined its line items (`--timings`).
#[derive(Debug)]
struct CurvePoint {
    scale: u64,
    rows: u64,
    runs: usize,
    wall_ns: u128,
    cpu_ms: u64,
    rss_kib: u64,
    join: String,
}

/// The bounds of issue 17, by scale, in hundredths: (time / 1×, memory / 1×).
fn curve_bounds(scale: u64) -> Option<(u128, u128)> {
    match scale {
        10 => Some((1100, 150)),
        100 => Some((11000, 200)),
        _ => None,
    }
}

/// `onshi batch` with line items on the national file repeated `scales` times over (files
/// generated once, kept in `data`): three runs each up to 10×, one at 100×.
fn cost_curve(data: &std::path::Path, scales: &[u64]) -> Result<Vec<CurvePoint>> {
    eprintln!("\n==> the cost curve ({scales:?} × the national file)");
    let mut points = Vec::new();
    for &scale in scales {
        let rows = NATIONAL_ROWS * scale;
        let inst = data.join(format!("curve-{rows}.csv"));
        let items = data.join(format!("curve-{rows}-items.csv"));
        if !inst.exists() || !items.exists() {
            step(
                &format!("onshi gen --count {rows} --dirty --line-items"),
                Command::new(release_bin("onshi"))
                    .args([
                        "gen",
                        "--count",
                        &rows.to_string(),
                        "--seed",
                        "1",
                        "--dirty",
                        "--out",
                    ])
                    .arg(&inst)
                    .arg("--line-items")
                    .arg(&items),
            )?;
        }
        let runs = if scale >= 100 { 1 } else { 3 };
        let out = data.join(format!("curve-out-{scale}"));
        let (mut wall, mut cpu, mut rss) = (Vec::new(), Vec::new(), Vec::new());
        let mut join = String::new();
        for _ in 0..runs {
            let (wall_ns, rss_kib, err) =
                measure(batch_cmd(&inst, Some(&items), &out).arg("--timings"))?;
            let field = |key: &str| err.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
            cpu.push(
                field("cpu_ms ")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0u64),
            );
            join = field("join: ").unwrap_or("—").to_owned();
            wall.push(wall_ns);
            rss.push(rss_kib);
        }
        // The outputs of a 100× run are gigabytes: they are not kept.
        let _ = std::fs::remove_dir_all(&out);
        points.push(CurvePoint {
            scale,
            rows,
            runs,
            wall_ns: median(&mut wall),
            cpu_ms: median(&mut cpu),
            rss_kib: median(&mut rss),
            join,
        });
    }
    Ok(points)
}

fn median<T: Ord + Copy + Default>(v: &mut [T]) -> T {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn curve_table(points: &[CurvePoint]) -> String {
    let mut t = String::from(
        "\n## The cost curve (whole `onshi batch` runs with line items, all outputs; medians)\n\n\
         | scale | rows | runs | line items joined | wall | CPU | peak memory | wall / 1× | CPU / 1× | memory / 1× | bound (time, memory) |\n\
         |---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    let Some(one) = points.first() else {
        return t;
    };
    for p in points {
        let wall = p.wall_ns * 100 / one.wall_ns.max(1);
        let mem = u128::from(p.rss_kib) * 100 / u128::from(one.rss_kib.max(1));
        let bound = curve_bounds(p.scale).map_or("—".to_owned(), |(tb, mb)| {
            let mark = |ok: bool| if ok { "✓" } else { "✗" };
            format!(
                "≤ {} {}, ≤ {} {}",
                ratio(tb, 100),
                mark(wall <= tb),
                ratio(mb, 100),
                mark(mem <= mb)
            )
        });
        let _ = writeln!(
            t,
            "| {}× | {} | {} | {} | {} | {} | {} MiB | {} | {} | {} | {bound} |",
            p.scale,
            p.rows,
            p.runs,
            p.join,
            secs(p.wall_ns),
            secs(u128::from(p.cpu_ms) * 1_000_000),
            p.rss_kib / 1024,
            ratio(p.wall_ns, one.wall_ns),
            ratio(u128::from(p.cpu_ms), u128::from(one.cpu_ms)),
            ratio(u128::from(p.rss_kib), u128::from(one.rss_kib)),
        );
    }
    t
}

/// `onshi batch` (release) on `inst` (and `items`) into `out`; callers add their options.
fn batch_cmd(
    inst: &std::path::Path,
    items: Option<&std::path::Path>,
    out: &std::path::Path,
) -> Command {
    let mut cmd = Command::new(release_bin("onshi"));
    cmd.arg("batch").arg("--institutions").arg(inst);
    if let Some(items) = items {
        cmd.arg("--line-items").arg(items);
    }
    cmd.arg("--out").arg(out);
    cmd
}
