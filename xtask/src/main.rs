//! `cargo xtask` — project tasks beyond plain cargo.
//!
//! - `cargo xtask run`  — the main job (for now: `onshi assess` on a worked example).
//! - `cargo xtask test` — every test: fmt, clippy, the wasm32 build of the core, all tests.
//!
//! Each task installs what it needs that a fresh machine with only the Rust toolchain lacks.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(e) = run() {
        eprintln!("xtask: error: {e}");
        for c in e.chain().skip(1) {
            eprintln!("  caused by: {c}");
        }
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => main_job(),
        Some("test") => test(),
        _ => {
            eprintln!(
                "usage: cargo xtask <run|test>\n  run   the main job\n  test  every test (what CI runs)"
            );
            std::process::exit(2);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace")
        .to_owned()
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn step(name: &str, cmd: &mut Command) -> Result<()> {
    eprintln!("\n==> {name}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn output(cmd: &mut Command) -> String {
    cmd.output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// Installs rustup components and targets that are missing.
fn ensure_toolchain() -> Result<()> {
    let installed = output(Command::new("rustup").args(["component", "list", "--installed"]));
    for comp in ["rustfmt", "clippy"] {
        if !installed.lines().any(|l| l.starts_with(comp)) {
            step(
                &format!("install {comp}"),
                Command::new("rustup").args(["component", "add", comp]),
            )?;
        }
    }
    let targets = output(Command::new("rustup").args(["target", "list", "--installed"]));
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step(
            "install the wasm32 target",
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        )?;
    }
    Ok(())
}

fn test() -> Result<()> {
    ensure_toolchain()?;
    step("format", cargo().args(["fmt", "--all", "--check"]))?;
    step(
        "clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "core builds for wasm32 (no feature flags)",
        cargo().args([
            "build",
            "-p",
            "onshi-core",
            "--target",
            "wasm32-unknown-unknown",
        ]),
    )?;
    step(
        "core builds for wasm32 without the TOML loader",
        cargo().args([
            "build",
            "-p",
            "onshi-core",
            "--no-default-features",
            "--target",
            "wasm32-unknown-unknown",
        ]),
    )?;
    let (passed, failed) = cargo_test()?;
    // One closing line for every runner's results together.
    println!("\ntests: {passed} passed, {failed} failed");
    if failed > 0 || passed == 0 {
        bail!("tests failed");
    }
    Ok(())
}

/// Runs `cargo test --workspace`, echoing its output, and adds up its result lines.
fn cargo_test() -> Result<(u64, u64)> {
    use std::io::{BufRead, BufReader};
    eprintln!("\n==> tests");
    let mut child = cargo()
        .args(["test", "--workspace"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("cannot start cargo test")?;
    let (mut passed, mut failed) = (0, 0);
    for line in BufReader::new(child.stdout.take().context("no stdout")?).lines() {
        let line = line?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(what)) = (words.next(), words.next()) {
                    match (n.parse::<u64>(), what) {
                        (Ok(n), "passed") => passed += n,
                        (Ok(n), "failed") => failed += n,
                        _ => {}
                    }
                }
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        failed = failed.max(1);
    }
    Ok((passed, failed))
}

fn main_job() -> Result<()> {
    let example = root().join("batch/examples/clinic-start-pack.json");
    step(
        "build onshi",
        cargo().args(["build", "--release", "-p", "onshi-batch"]),
    )?;
    for lang in ["ja", "en"] {
        step(
            &format!("onshi assess --text --lang {lang} {}", example.display()),
            cargo()
                .args([
                    "run",
                    "--quiet",
                    "--release",
                    "-p",
                    "onshi-batch",
                    "--",
                    "assess",
                    "--text",
                    "--lang",
                    lang,
                ])
                .arg(&example),
        )?;
    }
    Ok(())
}
