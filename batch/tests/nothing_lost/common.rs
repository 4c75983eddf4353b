//! What the themed modules share: running `onshi`, and reading an output directory.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

pub const HEADER: &str = "institution_code,name,kind,group_rx_per_month,readers,reader_applied_on,completed_on,applied_on,total_cost,claimed";

/// The binary under test: this build's, or another given as `ONSHI_BIN` (to show that a
/// test fails on an earlier build: `ONSHI_BIN=old/onshi cargo test --test nothing_lost`).
pub fn bin() -> std::path::PathBuf {
    std::env::var_os("ONSHI_BIN").map_or_else(|| env!("CARGO_BIN_EXE_onshi").into(), Into::into)
}

pub fn onshi(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("onshi runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A clean institutions file of `rows` clinics whose costs start at `cost`.
pub fn clinics(rows: usize, cost: u64) -> String {
    clinics_claiming(rows, cost, 0)
}

/// The same, each claiming `more` yen above its grant (an audit finding) unless `more` is 0.
pub fn clinics_claiming(rows: usize, cost: u64, more: u64) -> String {
    let mut s = format!("{HEADER}\n");
    for i in 0..rows {
        let code = with_check_digit(&format!("011011{:03}", i % 1000));
        s.push_str(&format!(
            "{code},医院{i},clinic,,1,2021-02-10,2021-05-01,2021-06-01,{},{}\n",
            cost + i as u64,
            match more {
                0 => String::new(),
                m => ((cost + i as u64).min(210_000) + m).to_string(),
            }
        ));
    }
    s
}

/// A 9-digit code with its check digit (the institution code's Luhn digit, weights 2,1,2…
/// from the right).
pub fn with_check_digit(nine: &str) -> String {
    let sum: u32 = nine
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    format!("{nine}{}", (10 - sum % 10) % 10)
}

/// The outputs in `dir` a reader sees: every file not hidden, by name, with its bytes.
pub fn visible(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    entries(dir)
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// The hidden entries of `dir` other than its lock file.
pub fn hidden(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.starts_with('.') && n != ".onshi.lock")
        .collect()
}

pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A small deterministic generator (the test's delays and choices repeat run after run).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}
