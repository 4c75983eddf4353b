//! One run at a time per `--out`, and a commit that a kill cannot leave half done: whatever
//! happens, the directory holds one whole set of outputs, the previous or the new.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Set = BTreeMap<String, Vec<u8>>;

/// Two inputs whose every output differs, and the set each writes alone.
struct Inputs {
    files: [PathBuf; 2],
    sets: [Set; 2],
}

fn inputs(dir: &Path) -> Inputs {
    let files = [dir.join("a.csv"), dir.join("b.csv")];
    // Each with a reject of its own and claims of its own: every output differs.
    std::fs::write(
        &files[0],
        clinics_claiming(30, 100_000, 7) + "0110113719,x,clinic,,a,,,,1,\n",
    )
    .unwrap();
    std::fs::write(
        &files[1],
        clinics_claiming(30, 200_000, 9) + "0110113719,x,clinic,,b,,,,1,\n",
    )
    .unwrap();
    let sets = [0, 1].map(|i| {
        let out = dir.join(format!("alone-{i}"));
        let o = onshi(&batch(&files[i], &out));
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        visible(&out)
    });
    assert_eq!(sets[0].len(), 7);
    for (name, bytes) in &sets[0] {
        assert_ne!(
            Some(bytes),
            sets[1].get(name),
            "{name} is the same for both inputs"
        );
    }
    Inputs { files, sets }
}

fn batch<'a>(input: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "batch",
        "--institutions",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]
}

fn spawn(args: &[&str]) -> Child {
    Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Which of `sets` the directory holds, whole and alone.
fn which(dir: &Path, sets: &[Set; 2]) -> Option<usize> {
    let got = visible(dir);
    sets.iter().position(|s| *s == got)
}

/// 200 pairs of runs started together into one directory: each either writes its whole set
/// or stops at once (exit 2) naming the run that holds the directory; the directory ends with
/// the set of a run that finished, and no temporary.
#[test]
fn two_runs_into_one_directory_never_mix_their_sets() {
    let d = tempfile::tempdir().unwrap();
    let inp = inputs(d.path());
    let out = d.path().join("out");
    let mut refused = 0;
    for pair in 0..200 {
        let children = [0, 1].map(|i| spawn(&batch(&inp.files[i], &out)));
        let done = children.map(|c| c.wait_with_output().unwrap());
        let mut finished = Vec::new();
        for (i, o) in done.iter().enumerate() {
            match o.status.code() {
                Some(1) => finished.push(i),
                Some(2) => {
                    let e = text(&o.stderr);
                    assert!(e.contains("is being written by another onshi run"), "{e}");
                    refused += 1;
                }
                other => panic!("pair {pair}: run {i} exited {other:?}: {}", text(&o.stderr)),
            }
        }
        assert!(!finished.is_empty(), "pair {pair}: neither run finished");
        let holds = which(&out, &inp.sets);
        assert!(
            holds.is_some_and(|s| finished.contains(&s)),
            "pair {pair}: the directory holds {holds:?}, runs {finished:?} finished: {:?}",
            entries(&out)
        );
        assert_eq!(hidden(&out), Vec::<String>::new(), "pair {pair}");
    }
    eprintln!("{refused} of 200 pairs had a run refused");
}

/// A run waiting on a pipe holds the directory: a second run (as from another container,
/// whose process ids are not this one's) is refused and touches none of its temporaries.
#[cfg(unix)]
#[test]
fn a_live_runs_temporaries_are_never_taken_for_leftovers() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let mut first = Command::new(bin())
        .args(["batch", "--institutions", "-", "--chunk-rows", "1", "--out"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    // More than the 64 KiB the encoding is detected from: the run starts, then waits.
    std::io::Write::write_all(&mut stdin, clinics(2000, 100_000).as_bytes()).unwrap();
    let waited = Instant::now();
    while std::fs::read_dir(&out).map_or(0, |e| e.count()) < 5 {
        assert!(waited.elapsed().as_secs() < 60, "no temporaries appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = entries(&out);
    let other = d.path().join("other.csv");
    std::fs::write(&other, clinics(3, 100_000)).unwrap();
    let second = onshi(&batch(&other, &out));
    assert_eq!(second.status.code(), Some(2));
    let e = text(&second.stderr);
    assert!(e.contains(&format!("process {}", first.id())), "{e}");
    assert_eq!(entries(&out), before, "the live run's files are untouched");
    drop(stdin);
    let o = first.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(hidden(&out), Vec::<String>::new());
}

/// 200 runs killed (SIGKILL): half at moments spread over their run, half at the moment of
/// their commit (a staircase that moves the delay toward where kills begin to find the new
/// set in place): after each, the next run into the directory (here one that then fails on its
/// input) leaves exactly one whole set, the previous or the new, and no temporary or journal.
#[test]
fn a_run_killed_at_any_moment_leaves_a_whole_set_after_the_next_run() {
    let d = tempfile::tempdir().unwrap();
    let inp = inputs(d.path());
    let out = d.path().join("out");
    // A run that recovers the directory, then fails on its third row (an unclosed quote),
    // read after its outputs are opened.
    let bad = d.path().join("bad.csv");
    let rows = clinics(2, 1);
    std::fs::write(&bad, format!("{rows}\"0110113719,x\n")).unwrap();
    let recover = ["--chunk-rows", "1"];
    let o = onshi(&batch(&inp.files[0], &out));
    assert_eq!(o.status.code(), Some(1));
    // How long a whole run takes here.
    let started = Instant::now();
    for _ in 0..5 {
        onshi(&batch(&inp.files[0], &d.path().join("timing")));
    }
    let whole = started.elapsed().as_micros() as u64 / 5;
    let mut lcg = Lcg(25);
    // The staircase's delay, and its step.
    let (mut at_commit, step) = (whole * 9 / 10, (whole / 50).max(1));
    let mut holds = 0;
    let (mut journals, mut new_sets) = (0, 0);
    for kill in 0..200 {
        let next = 1 - holds;
        let mut child = spawn(&batch(&inp.files[next], &out));
        let delay = match kill % 2 {
            0 => lcg.below(whole * 11 / 10 + 1),
            _ => (at_commit + lcg.below(2 * step + 1)).saturating_sub(step),
        };
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let _ = child.wait();
        if out.join(".onshi.journal").exists() {
            journals += 1;
        }
        let mut args = batch(&bad, &out);
        args.extend(recover);
        let o = onshi(&args);
        assert_eq!(o.status.code(), Some(2), "kill {kill}: {}", text(&o.stderr));
        let now = which(&out, &inp.sets);
        assert!(
            now.is_some(),
            "kill {kill} after {delay} µs: not one whole set: {:?}",
            entries(&out)
        );
        assert_eq!(hidden(&out), Vec::<String>::new(), "kill {kill}");
        if now == Some(next) {
            new_sets += 1;
        }
        if kill % 2 == 1 {
            at_commit = match now == Some(next) {
                true => at_commit.saturating_sub(step),
                false => at_commit + step,
            };
        }
        holds = now.unwrap_or(holds);
    }
    eprintln!(
        "200 kills: {journals} left a journal to roll back, {new_sets} had committed the new set"
    );
}
