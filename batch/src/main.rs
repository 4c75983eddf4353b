//! `onshi` — the command line of onshi.
//!
//! Exit codes: 0 done, 1 done with findings, 2 could not run. Errors are printed with their
//! cause chain; a closed pipe (`onshi … | head`) is not an error.

use clap::{Parser, Subcommand};
use std::io::{self, Write};
use std::process::ExitCode;

use onshi_batch::{Outcome, assess_cmd, batch, generate, rules_cmd};

// The batch allocates per row on every thread; glibc's allocator spent a fifth of the run
// in malloc, free and faulting in fresh pages for each chunk.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// onshi — オンライン資格確認 導入補助の計算 (grants for online eligibility verification).
#[derive(Debug, Parser)]
#[command(name = "onshi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess one institution: read it as JSON, print the grant as JSON (or text with --text).
    #[command(after_help = assess_cmd::EXAMPLES)]
    Assess(assess_cmd::Args),
    /// Recompute the grants of every institution in a CSV export: grants, rejects, summary,
    /// audit and an HTML report.
    #[command(after_help = batch::EXAMPLES)]
    Batch(batch::Args),
    /// Write a synthetic export shaped like the national population.
    #[command(after_help = generate::EXAMPLES)]
    Gen(generate::Args),
    /// The built-in revisions: `onshi rules list`, `show ID`, `diff A B`, `sources`.
    #[command(subcommand)]
    Rules(rules_cmd::Command),
    /// Print the JSON Schema (draft 2020-12) of an output: `onshi schema assessment`.
    Schema {
        #[arg(value_enum)]
        what: SchemaName,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SchemaName {
    /// What `onshi assess` prints (and the page's `assess` returns).
    Assessment,
}

fn print_schema(what: SchemaName) -> anyhow::Result<Outcome> {
    let text = match what {
        SchemaName::Assessment => onshi_core::assess::ASSESSMENT_SCHEMA,
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Ok)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Assess(args) => assess_cmd::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Gen(args) => generate::run(&args),
        Command::Rules(cmd) => rules_cmd::run(&cmd),
        Command::Schema { what } => print_schema(what),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "onshi: error: {e}");
            for cause in e.chain().skip(1) {
                let _ = writeln!(err, "  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

/// A closed pipe on standard output (`onshi assess … | head`) is how a reader says it has
/// read enough: not an error. serde_json keeps the I/O error inside its own.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = c.downcast_ref::<io::Error>().map(io::Error::kind);
        let json = c
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        io.or(json) == Some(io::ErrorKind::BrokenPipe)
    })
}
