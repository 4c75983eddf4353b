//! `cargo xtask` — project tasks beyond plain cargo.
//!
//! - `cargo xtask run`  — the main job: `onshi assess` on a worked example, `onshi gen` of the
//!   national dataset and `onshi batch` over it (outputs in `out/`), then the page is built and
//!   served on 127.0.0.1.
//! - `cargo xtask test` — every test: fmt, clippy, the wasm32 build, all Rust tests, the data
//!   cases through the wasm build in Node, and the page in headless Chromium.
//! - `cargo xtask web`  — build the page into `<target>/web` and report its sizes.
//! - `cargo xtask bench` — the benchmarks, `<target>/bench-report.md`, and the
//!   instruction-count gate (see `bench.rs`).
//!
//! Each task installs what it needs that a fresh machine with only the Rust toolchain lacks.

mod bench;

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
    if matches!(
        args.first().map(String::as_str),
        Some("run" | "test" | "web" | "bench")
    ) {
        ensure_toolchain()?;
    }
    match args.first().map(String::as_str) {
        Some("run") => main_job(),
        Some("test") => test(),
        Some("web") => build_web().map(|_| ()),
        Some("bench") => bench::bench(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <run|test|web|bench>\n  run   the main job\n  test  every test (what CI runs)\n  web   build the page into <target>/web\n  bench the benchmarks and <target>/bench-report.md [--quick] [--gate] [--save-baseline]"
            );
            std::process::exit(2);
        }
    }
}

fn root() -> PathBuf {
    // `cargo run` sets it at run time: a binary built in a shared target dir from another
    // clone (the same sources, so cargo does not rebuild it) must not act on that clone.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest
        .parent()
        .expect("xtask is in the workspace")
        .to_owned()
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    // `cargo run` gave xtask its own package's variables. A build script that watches one of
    // them (ring's watches CARGO_MANIFEST_DIR and CARGO_PKG_NAME) would see a change between
    // `cargo xtask …` and a plain `cargo build`, and everything above it — polars, ten
    // minutes here — would be rebuilt each time one follows the other.
    for (key, _) in std::env::vars_os() {
        let Some(k) = key.to_str() else { continue };
        if k.starts_with("CARGO_PKG_")
            || matches!(
                k,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "OUT_DIR"
            )
        {
            c.env_remove(&key);
        }
    }
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
    let (mut passed, mut failed) = cargo_test()?;
    let web = build_web()?;
    let native = target_dir().join("web-test/native-cases.json");
    std::fs::create_dir_all(native.parent().expect("has a parent"))?;
    step(
        "native outputs of the data cases",
        cargo()
            .args([
                "run",
                "--quiet",
                "-p",
                "onshi-tests",
                "--bin",
                "native-cases",
                "--",
            ])
            .arg(&native),
    )?;
    sample_report()?;
    ensure_chromium()?;
    let (p, f) = node_tests(&web, &native)?;
    passed += p;
    failed += f;
    // The benchmark gate: instruction counts against benches/baseline.json.
    eprintln!("\n==> benchmark gate (instruction counts)");
    match bench::gate() {
        Ok(()) => passed += 1,
        Err(e) => {
            eprintln!("benchmark gate: FAILED: {e:#}");
            failed += 1;
        }
    }
    // One closing line for every runner's results together.
    println!("\ntests: {passed} passed, {failed} failed");
    if failed > 0 || passed == 0 {
        bail!("tests failed");
    }
    Ok(())
}

/// Runs a test runner, echoing its output, and adds up the (passed, failed) counts that
/// `count` reads off its lines. A runner that fails counts at least one failure.
fn run_counting(
    name: &str,
    cmd: &mut Command,
    count: impl Fn(&str) -> (u64, u64),
) -> Result<(u64, u64)> {
    use std::io::{BufRead, BufReader};
    eprintln!("\n==> {name}");
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {name}"))?;
    let (mut passed, mut failed) = (0, 0);
    for line in BufReader::new(child.stdout.take().context("no stdout")?).lines() {
        let line = line?;
        println!("{line}");
        let (p, f) = count(&line);
        passed += p;
        failed += f;
    }
    if !child.wait()?.success() {
        failed = failed.max(1);
    }
    Ok((passed, failed))
}

/// `cargo test --workspace`: counts from its `test result:` lines.
fn cargo_test() -> Result<(u64, u64)> {
    run_counting("tests", cargo().args(["test", "--workspace"]), |line| {
        let (mut p, mut f) = (0, 0);
        for part in line
            .strip_prefix("test result: ")
            .unwrap_or_default()
            .split([';', '.'])
        {
            let mut words = part.split_whitespace();
            match (words.next().map(str::parse::<u64>), words.next()) {
                (Some(Ok(n)), Some("passed")) => p += n,
                (Some(Ok(n)), Some("failed")) => f += n,
                _ => {}
            }
        }
        (p, f)
    })
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

/// The wasm-bindgen version the workspace pins (`wasm-bindgen = "=X"`): the CLI must match it.
fn wasm_bindgen_version() -> Result<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml"))?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("wasm-bindgen = \"="))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("Cargo.toml does not pin wasm-bindgen with `=`")
}

fn ensure_wasm_bindgen(version: &str) -> Result<PathBuf> {
    let have = output(Command::new("wasm-bindgen").arg("--version"));
    if have.split_whitespace().nth(1) == Some(version) {
        return Ok(PathBuf::from("wasm-bindgen"));
    }
    // Not --locked: the registry mirror may lag the CLI's own lock file.
    step(
        &format!("install wasm-bindgen-cli {version}"),
        Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", version]),
    )?;
    Ok(PathBuf::from("wasm-bindgen"))
}

/// Debian's Chromium, and a Japanese font so that screenshots show the text.
fn ensure_chromium() -> Result<()> {
    let font = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    if Path::new("/usr/bin/chromium").exists() && font.exists() {
        return Ok(());
    }
    step("apt-get update", Command::new("apt-get").arg("update"))?;
    step(
        "install Chromium and a Japanese font (Debian)",
        Command::new("apt-get").args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "fonts-noto-cjk",
        ]),
    )
}

fn ensure_npm(web_src: &Path) -> Result<()> {
    if web_src.join("node_modules/.package-lock.json").exists() {
        return Ok(());
    }
    step(
        "npm ci (web)",
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(web_src),
    )
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

/// The design tokens the page's styles use (directly or through another token): the rest of the
/// 200-odd custom properties would only add bytes.
fn used_tokens(tokens: &str, style: &str) -> String {
    let refs = |text: &str| -> Vec<String> {
        text.split("var(--")
            .skip(1)
            .map(|r| {
                let end = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
                format!("--{}", &r[..end.unwrap_or(r.len())])
            })
            .collect()
    };
    let mut used: std::collections::BTreeSet<String> = refs(style).into_iter().collect();
    let definition = |line: &str| {
        line.trim()
            .split_once(':')
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
    };
    loop {
        let before = used.len();
        for (name, value) in tokens.lines().filter_map(definition) {
            if used.contains(&name) {
                used.extend(refs(&value));
            }
        }
        if used.len() == before {
            break;
        }
    }
    tokens
        .lines()
        .filter(|l| {
            !l.trim().starts_with("--") || definition(l).is_some_and(|(n, _)| used.contains(&n))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything the page loads, gzip -9. The goal is 150 KB; the three built-in revisions (their
/// sources, the 2022 measures, the revision picker and its fields) took the page to about
/// 170 KB, the 万円 amount reader to 171.6 KB and the page's layout, sentences and print head
/// to 176.6 KB, so the bound is 177 KB until a size pass brings it back (benches/README.md,
/// "The page's size").
const PAGE_BUDGET: usize = 177_000;

/// The page's script modules, the entry first: bundled into one `app.js` (wasm-bindgen's glue
/// in `pkg/` too; it stays there for the Node tests).
const MODULES: [&str; 6] = [
    "app.js", "hints.js", "dom.js", "chart.js", "sheet.js", "share.js",
];

/// Builds the page into `<target>/web`: the wasm core through wasm-bindgen (and wasm-opt when
/// present), the page's files, and the design tokens. Prints the sizes.
fn build_web() -> Result<PathBuf> {
    let version = wasm_bindgen_version()?;
    let bindgen = ensure_wasm_bindgen(&version)?;
    let web_src = root().join("web");
    ensure_npm(&web_src)?;
    step(
        "build the wasm core",
        cargo().args([
            "build",
            "-p",
            "onshi-wasm",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "release-wasm",
        ]),
    )?;
    let out = target_dir().join("web");
    let pkg = out.join("pkg");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&pkg)?;
    let wasm = target_dir().join("wasm32-unknown-unknown/release-wasm/onshi_wasm.wasm");
    step(
        "wasm-bindgen --target web",
        Command::new(bindgen)
            .args(["--target", "web", "--out-dir"])
            .arg(&pkg)
            .arg(&wasm),
    )?;
    let bg = pkg.join("onshi_wasm_bg.wasm");
    // binaryen from npm: Debian's wasm-opt (version 108) breaks wasm-bindgen's externref table.
    let wasm_opt = web_src.join("node_modules/.bin/wasm-opt");
    if wasm_opt.exists() {
        step(
            "wasm-opt -Oz --converge",
            Command::new(&wasm_opt)
                .args(["-Oz", "--converge", "--strip-producers", "-o"])
                .arg(&bg)
                .arg(&bg),
        )?;
    } else {
        eprintln!("(wasm-opt not found in web/node_modules: the page is built unoptimised)");
    }
    for f in MODULES.iter().chain(&["index.html", "sw.js", "style.css"]) {
        std::fs::copy(web_src.join(f), out.join(f)).with_context(|| format!("copy web/{f}"))?;
    }
    // One minified script (the page's modules and wasm-bindgen's glue) and minified styles:
    // the page's 150 KB gzip budget counts every byte it loads.
    let esbuild = web_src.join("node_modules/.bin/esbuild");
    step(
        "esbuild app.js (bundle, minify)",
        Command::new(&esbuild)
            .args([
                "app.js",
                "--bundle",
                "--minify",
                "--format=esm",
                "--target=es2022",
                // Japanese as UTF-8, not \uXXXX escapes: 8 KB less raw, 0.4 KB less gzip.
                "--charset=utf8",
            ])
            .args(["--outfile=app.js", "--allow-overwrite"])
            .current_dir(&out),
    )?;
    for f in &MODULES[1..] {
        std::fs::remove_file(out.join(f))?;
    }
    let tokens = web_src.join("node_modules/@digital-go-jp/design-tokens/dist/tokens.css");
    let style = std::fs::read_to_string(web_src.join("style.css"))?;
    let tokens = used_tokens(&std::fs::read_to_string(tokens)?, &style);
    std::fs::write(out.join("tokens.css"), tokens)?;
    for name in ["style.css", "tokens.css"] {
        let src = out.join(name);
        step(
            &format!("esbuild {name} (minify)"),
            Command::new(&esbuild)
                .arg(&src)
                .args(["--minify", "--allow-overwrite"])
                .arg(format!("--outfile={}", out.join(name).display())),
        )?;
    }
    let mut total = (0, 0);
    eprintln!("\npage sizes (raw / gzip -9):");
    for f in [
        "pkg/onshi_wasm_bg.wasm",
        "app.js",
        "index.html",
        "style.css",
        "tokens.css",
    ] {
        let bytes = std::fs::read(out.join(f))?;
        let gz = gzip_len(&bytes)?;
        eprintln!("  {f:<24} {:>8} B {:>8} B", bytes.len(), gz);
        total = (total.0 + bytes.len(), total.1 + gz);
    }
    eprintln!(
        "  {:<24} {:>8} B {:>8} B  (at most {PAGE_BUDGET} B gzip)",
        "the page in all", total.0, total.1
    );
    if total.1 > PAGE_BUDGET {
        bail!(
            "the page is {} B gzip, over its budget of {PAGE_BUDGET} B",
            total.1
        );
    }
    Ok(out)
}

/// A batch run on a generated dirty national sample with a scenario, for the report's browser
/// test: `web-test/report/out/report.html` and the files beside it. The batch exits 1 because
/// the sample has rejects, as it is meant to.
fn sample_report() -> Result<()> {
    let dir = target_dir().join("web-test/report");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let onshi = |args: &[&str]| {
        let mut c = cargo();
        c.args([
            "run",
            "--quiet",
            "-p",
            "onshi-batch",
            "--bin",
            "onshi",
            "--",
        ])
        .args(args);
        c
    };
    let (inst, items, out) = (
        dir.join("national.csv"),
        dir.join("items.csv"),
        dir.join("out"),
    );
    let path = |p: &Path| p.display().to_string();
    step(
        "a dirty national sample for the report's test",
        &mut onshi(&[
            "gen",
            "--count",
            "3000",
            "--seed",
            "7",
            "--dirty",
            "--out",
            &path(&inst),
            "--line-items",
            &path(&items),
        ]),
    )?;
    let example = root().join("batch/examples/special-deadline-2021-09-30.toml");
    eprintln!("\n==> its report (onshi batch --compare)");
    let status = onshi(&[
        "batch",
        "--institutions",
        &path(&inst),
        "--line-items",
        &path(&items),
        "--compare",
        &path(&example),
        "--out",
        &path(&out),
    ])
    .status()?;
    if status.code() != Some(1) {
        bail!("the sample's batch run ended with {status}, not 1 (rows rejected)");
    }
    Ok(())
}

/// The Node suites: the data cases through the wasm build, and the page in Chromium (TAP's
/// `# pass N` / `# fail N` lines).
fn node_tests(web: &Path, native: &Path) -> Result<(u64, u64)> {
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-reporter=tap", "tests/"])
        .current_dir(root().join("web"))
        .env("ONSHI_WEB_DIR", web)
        .env("ONSHI_NATIVE_CASES", native)
        .env("ONSHI_ARTEFACTS", target_dir().join("web-test"));
    run_counting("node --test (wasm cases, browser)", &mut cmd, |line| {
        let n = |prefix| {
            line.strip_prefix(prefix)
                .and_then(|n| n.trim().parse().ok())
        };
        (n("# pass ").unwrap_or(0), n("# fail ").unwrap_or(0))
    })
}

fn serve(web: &Path) -> Result<()> {
    step(
        "serve the page on http://127.0.0.1:8080/ (Ctrl-C to stop)",
        Command::new("node")
            .arg(root().join("web/serve.mjs"))
            .arg(web)
            .arg("8080"),
    )
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
    national_batch()?;
    let web = build_web()?;
    serve(&web)
}

/// The analysts' job on a synthetic country: `onshi gen` writes the ~228,000 institutions
/// (with line items and a share of dirty rows), `onshi batch` recomputes them against the
/// built-in rules and the example scenario. Outputs in `out/`.
fn national_batch() -> Result<()> {
    let out = root().join("out");
    std::fs::create_dir_all(&out)?;
    let onshi = || {
        let mut c = cargo();
        c.args(["run", "--quiet", "--release", "-p", "onshi-batch", "--"]);
        c
    };
    step(
        "onshi gen --count 228000 (the national dataset)",
        onshi()
            .args(["gen", "--count", "228000", "--seed", "1", "--dirty"])
            .arg("--out")
            .arg(out.join("national.csv"))
            .arg("--line-items")
            .arg(out.join("national-items.csv")),
    )?;
    eprintln!("\n==> onshi batch (national dataset, compared with the example scenario)");
    let status = onshi()
        .arg("batch")
        .arg("--institutions")
        .arg(out.join("national.csv"))
        .arg("--line-items")
        .arg(out.join("national-items.csv"))
        .arg("--compare")
        .arg(root().join("batch/examples/special-deadline-2021-09-30.toml"))
        .arg("--out")
        .arg(out.join("batch"))
        .status()?;
    // 1: finished with rejected rows, which the dirty share guarantees.
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("onshi batch failed ({status})");
    }
    eprintln!("report: {}", out.join("batch/report.html").display());
    Ok(())
}
