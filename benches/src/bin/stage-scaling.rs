//! The batch's compute stage alone (`onshi_batch::batch::stage`, the function `onshi batch`
//! runs on each chunk), 1 worker thread against 2, over a whole file held in memory.
//!
//! In a real run the stage shares the 2 cores with reading and writing, so its own scaling is
//! measured here. Runs alternate (1 thread, 2 threads, 1, 2, …) so that a slow spell of a
//! shared machine falls on both alike; each pair gives a ratio, and the medians are reported.
//! Beside them, the best run of each thread count and their ratio: another process can only
//! add time to a run, never take it away, so the fastest run is the closest to what the code
//! does on a machine of its own (the estimator `timeit` recommends).
//!
//! Each chunk's rows are dropped off the clock before the next chunk, as the batch drops them
//! on its writer thread, so the memory is reused as in the batch.
//!
//! `stage-scaling --institutions F [--line-items F] [--pairs N]` prints
//! `rows R pairs N t1_ns A t2_ns B ratio_min X ratio_median Y ratio_max Z t1_best_ns C
//! t2_best_ns D ratio_best W`.

use anyhow::{Context as _, Result, bail};
use onshi_batch::batch::stage::ComputeStage;
use std::path::PathBuf;
use std::time::{Duration, Instant};

// As in the `onshi` binary: the stage allocates per row on every thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(v: &mut [u128]) -> u128 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// A ratio in hundredths (`181` → `1.81`), in integers as everywhere in onshi.
fn hundredths(r: u128) -> String {
    format!("{}.{:02}", r / 100, r % 100)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut inst, mut items, mut pairs) = (None, None, 15usize);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--institutions" => inst = Some(PathBuf::from(value()?)),
            "--line-items" => items = Some(PathBuf::from(value()?)),
            "--pairs" => pairs = value()?.parse()?,
            _ => bail!("unknown argument {a}"),
        }
    }
    let Some(inst) = inst else {
        bail!("usage: stage-scaling --institutions F [--line-items F] [--pairs N]");
    };
    if pairs == 0 {
        bail!("--pairs must be at least 1");
    }
    let stage = ComputeStage::load(&inst, items.as_deref())?;
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the worker threads")
    };
    let (one, two) = (pool(1)?, pool(2)?);
    // Chunk by chunk, each chunk's rows dropped off the clock before the next one starts, as
    // the batch's writer drops them: the memory is reused as it is in the batch.
    let time = |pool: &rayon::ThreadPool| -> (Duration, usize) {
        let (mut t, mut computed) = (Duration::ZERO, 0);
        for i in 0..stage.chunks() {
            let start = Instant::now();
            let rows = pool.install(|| stage.run_chunk(i));
            t += start.elapsed();
            computed += rows.rows();
        }
        (t, computed)
    };
    // Warm-up: the pages of the results, the caches, both pools' threads.
    let (_, computed) = time(&one);
    let (_, computed2) = time(&two);
    if computed != computed2 || computed == 0 {
        bail!("1 and 2 threads computed {computed} and {computed2} rows");
    }
    let (mut t1, mut t2, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..pairs {
        let (a, _) = time(&one);
        let (b, _) = time(&two);
        t1.push(a.as_nanos());
        t2.push(b.as_nanos());
        ratios.push(a.as_nanos() * 100 / b.as_nanos().max(1));
    }
    let best = |v: &[u128]| v.iter().copied().min().unwrap_or(0);
    let (best1, best2) = (best(&t1), best(&t2));
    let (lo, hi) = (
        ratios.iter().copied().min().unwrap_or(0),
        ratios.iter().copied().max().unwrap_or(0),
    );
    println!(
        "rows {} pairs {pairs} t1_ns {} t2_ns {} ratio_min {} ratio_median {} ratio_max {} \
         t1_best_ns {best1} t2_best_ns {best2} ratio_best {}",
        stage.rows(),
        median(&mut t1),
        median(&mut t2),
        hundredths(lo),
        hundredths(median(&mut ratios)),
        hundredths(hi),
        hundredths(best1 * 100 / best2.max(1))
    );
    Ok(())
}
