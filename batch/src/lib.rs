//! The `onshi` command line as a library: the binary's subcommands, and the batch's compute
//! stage on its own for the benchmarks (`batch::stage`).

pub mod assess_cmd;
pub mod batch;
pub mod generate;
pub mod rules_cmd;
mod text;

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    Ok,
    /// Finished, with findings worth a non-zero status (rows rejected).
    Findings,
}
