//! A join on disk reads the institutions file twice: the two reads are proven to be of the
//! same file with the same codes on the same lines, or the run stops and writes nothing; what
//! cannot be read twice (a pipe) is joined in memory.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Two generated exports (institutions and line items) of the same size and different rows.
fn exports(d: &Path) -> [(PathBuf, PathBuf); 2] {
    [3, 4].map(|seed| {
        let inst = d.join(format!("in-{seed}.csv"));
        let items = d.join(format!("items-{seed}.csv"));
        let o = onshi(&[
            "gen",
            "--count",
            "5000",
            "--seed",
            &seed.to_string(),
            "--out",
            inst.to_str().unwrap(),
            "--line-items",
            items.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        (inst, items)
    })
}

/// The run's accounts: its rows, and its line items.
fn counts(stdout: &[u8]) -> String {
    text(stdout).lines().take(2).collect::<Vec<_>>().join("\n")
}

fn joined_on_disk<'a>(inst: &'a str, items: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "batch",
        "--institutions",
        inst,
        "--line-items",
        items,
        "--spill-above",
        "0",
        "--outputs",
        "grants",
        "--out",
        out,
    ]
}

/// The institutions file replaced (renamed over, or rewritten in place) at moments spread over
/// 40 runs joining on disk: each run either stops (exit 2, naming the file, nothing written)
/// or writes exactly what a run on one whole file writes, with every line item accounted for.
#[test]
fn a_file_changed_between_the_two_reads_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let [(a, items), (b, _)] = exports(d);
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    // What each file gives alone, with the same line items.
    let whole = [&a, &b].map(|inst| {
        let out = d.join(format!(
            "whole-{}",
            inst.file_name().unwrap().to_string_lossy()
        ));
        let o = onshi(&joined_on_disk(&s(inst), &s(&items), &s(&out)));
        assert!(
            o.status.code().is_some_and(|c| c < 2),
            "{}",
            text(&o.stderr)
        );
        (
            std::fs::read(out.join("grants.csv")).unwrap(),
            counts(&o.stdout),
        )
    });
    let input = d.join("input.csv");
    let started = Instant::now();
    let o = {
        std::fs::copy(&a, &input).unwrap();
        onshi(&joined_on_disk(
            &s(&input),
            &s(&items),
            &s(&d.join("timing")),
        ))
    };
    assert!(o.status.code().is_some_and(|c| c < 2));
    let run = started.elapsed().as_micros() as u64;
    let mut lcg = Lcg(7);
    let mut stopped = 0;
    for i in 0..40 {
        std::fs::copy(&a, &input).unwrap();
        let out = d.join(format!("out-{i}"));
        let child = Command::new(bin())
            .args(joined_on_disk(&s(&input), &s(&items), &s(&out)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(lcg.below(run)));
        if i % 2 == 0 {
            let staged = d.join("staged.csv");
            std::fs::copy(&b, &staged).unwrap();
            std::fs::rename(&staged, &input).unwrap();
        } else {
            std::fs::write(&input, std::fs::read(&b).unwrap()).unwrap();
        }
        let o = child.wait_with_output().unwrap();
        match o.status.code() {
            Some(2) => {
                let e = text(&o.stderr);
                assert!(
                    e.contains(&format!("{} changed while it was being read", s(&input))),
                    "{e}"
                );
                assert!(
                    !out.exists(),
                    "run {i}: nothing is written, not even the directory"
                );
                stopped += 1;
            }
            Some(0 | 1) => {
                let got = (
                    std::fs::read(out.join("grants.csv")).unwrap(),
                    counts(&o.stdout),
                );
                assert!(
                    whole.contains(&got),
                    "run {i}: the outputs of neither file: {}",
                    got.1
                );
            }
            other => panic!("run {i}: exit {other:?}: {}", text(&o.stderr)),
        }
    }
    eprintln!("40 runs with the file changed under them: {stopped} stopped");
    assert!(stopped > 0, "no change was caught");
}

/// A named pipe given as the institutions (as `<(cat f.csv)` is) cannot be read twice: it is
/// joined in memory, with the same outputs as the file itself.
#[cfg(unix)]
#[test]
fn a_pipe_is_joined_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let [(a, items), _] = exports(d);
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let file_out = d.join("file");
    let o = onshi(&joined_on_disk(&s(&a), &s(&items), &s(&file_out)));
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&o.stderr)
    );
    let fifo = d.join("fifo.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let (fifo, a) = (fifo.clone(), a.clone());
        std::thread::spawn(move || std::fs::write(&fifo, std::fs::read(&a).unwrap()).unwrap())
    };
    let pipe_out = d.join("pipe");
    let p = onshi(&joined_on_disk(&s(&fifo), &s(&items), &s(&pipe_out)));
    writer.join().unwrap();
    assert_eq!(p.status.code(), o.status.code(), "{}", text(&p.stderr));
    assert!(
        text(&p.stdout).contains("line items in = 5"),
        "{}",
        text(&p.stdout)
    );
    assert_eq!(counts(&p.stdout), counts(&o.stdout));
    assert!(
        std::fs::read(pipe_out.join("grants.csv")).unwrap()
            == std::fs::read(file_out.join("grants.csv")).unwrap()
    );
}
