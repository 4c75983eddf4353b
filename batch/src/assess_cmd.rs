//! `onshi assess`: one institution in (JSON), its assessment out.

use anyhow::{Context, Result};
use onshi_core::{AssessOptions, Institution, InstitutionInput, Lang, RuleSet, assess};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use crate::Outcome;

pub const EXAMPLES: &str = "\
Examples:
  echo '{\"kind\":\"clinic\",\"readers\":1,\"reader_applied_on\":\"R3.2.10\",\"total_cost\":\"279,950円\"}' | onshi assess
  onshi assess clinic.json --text
  onshi assess clinic.json --text --lang en
  onshi assess hospital.json --rules my-rules.toml
  onshi assess clinic.json --rules 2020-11-30       (a built-in revision; default: the latest)
  onshi assess clinic.json --as-of 2022-10-01       (the revision in force on a date)

Input fields: kind (hospital | clinic | dental_clinic | pharmacy, or 病院 …), readers,
group_rx_per_month, reader_applied_on, contracted_on (vendor contract), operation_started_on,
deferral (猶予届 type 1–6), completed_on, applied_on, claimed, institution_code, name,
disposed_on (what disposing of the equipment that day may cost), and either total_cost
(tax included) or line_items: [{category, amount, tax_included}].
Dates may be 2021-03-31, 2021/3/31, 令和3年3月31日, R3.3.31 …; amounts 1,234,567円, ￥1,234,567 …";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The institution as JSON; standard input when absent or `-`.
    file: Option<PathBuf>,
    /// Print for a person (with the trace) instead of JSON.
    #[arg(long)]
    text: bool,
    /// Language of --text.
    #[arg(long, value_enum, default_value = "ja")]
    lang: LangArg,
    /// The rules: a built-in revision's id (2020-11-30, 2022-08-10, 2023-04-01) or a rule
    /// file (TOML). Default: the latest revision, the rules as finally paid.
    #[arg(long, value_name = "ID|FILE")]
    rules: Option<PathBuf>,
    /// The built-in revision in force on this date (instead of --rules).
    #[arg(long, value_name = "DATE", conflicts_with = "rules")]
    as_of: Option<String>,
    /// Print the peak memory on stderr (`peak_rss_kib N`, for the benchmarks).
    #[arg(long, hide = true)]
    timings: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LangArg {
    Ja,
    En,
}

/// The rules a `--rules` value names: the latest built-in revision when none, a built-in
/// revision by its id, or a rule file: a whole one or a reform, whose `extends` names a
/// built-in revision or another file (a path relative to the reform's own directory).
pub fn load_rules(spec: Option<&PathBuf>) -> Result<RuleSet> {
    match spec {
        None => Ok(RuleSet::latest()),
        Some(p) => match built_in_named(p) {
            Some(set) => Ok(set),
            None => not_posing_as_built_in(p, load_rule_file(p, 0)?),
        },
    }
}

/// A rule file may carry a built-in revision's id only with that revision's rules (the file
/// the revision is built from): any other would be labelled as the official rules.
fn not_posing_as_built_in(path: &Path, set: RuleSet) -> Result<RuleSet> {
    match RuleSet::built_in(set.id()) {
        Some(b) if b.file() != set.file() => anyhow::bail!(
            "{}: `rule_set.id` {:?} is a built-in revision's, but these rules differ from it; \
             give the file an id of its own",
            path.display(),
            set.id()
        ),
        _ => Ok(set),
    }
}

/// The built-in revision a `--rules` value names, when it names one and no such file exists.
pub fn built_in_named(p: &Path) -> Option<RuleSet> {
    if p.exists() {
        return None;
    }
    p.to_str().and_then(RuleSet::built_in)
}

/// `--rules` or `--as-of`: the rules to use.
pub fn choose_rules(spec: Option<&PathBuf>, as_of: Option<&str>) -> Result<RuleSet> {
    let Some(text) = as_of else {
        return load_rules(spec);
    };
    let date = onshi_core::parse::parse_date(text)
        .map_err(|r| anyhow::anyhow!("--as-of {text:?}: {}", r.message(Lang::En)))?;
    RuleSet::as_of(date).ok_or_else(|| {
        anyhow::anyhow!(
            "--as-of {date}: no built-in revision was in force then (the first took effect on {})",
            onshi_core::rules::BUILT_IN
        )
    })
}

fn load_rule_file(path: &Path, depth: usize) -> Result<RuleSet, onshi_core::RuleError> {
    let origin = path.display().to_string();
    let unreadable = |message: String| onshi_core::RuleError::Syntax {
        origin: origin.clone(),
        message,
    };
    // A chain of reforms that comes back on itself would never end.
    if depth > 16 {
        return Err(unreadable(
            "`extends` goes more than 16 files deep (a cycle?)".into(),
        ));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| unreadable(format!("cannot read: {e}")))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    RuleSet::from_toml_with(&text, &origin, &mut |base| {
        load_rule_file(&dir.join(base), depth + 1)
    })
}

pub fn run(args: &Args) -> Result<Outcome> {
    let rules = choose_rules(args.rules.as_ref(), args.as_of.as_deref())?;
    let (origin, reader): (String, Box<dyn Read>) =
        match args.file.as_ref().filter(|p| p.as_os_str() != "-") {
            Some(p) => (
                p.display().to_string(),
                Box::new(
                    std::fs::File::open(p)
                        .with_context(|| format!("cannot read {}", p.display()))?,
                ),
            ),
            None => ("<stdin>".to_owned(), Box::new(io::stdin())),
        };
    // Read as it streams in: a quote of a million items is never held as text too.
    let mut reader = io::BufReader::with_capacity(1 << 16, reader);
    // Windows editors save UTF-8 with a byte-order mark; JSON does not allow one, people do.
    if reader
        .fill_buf()
        .with_context(|| format!("cannot read {origin}"))?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    let input: InstitutionInput = serde_json::from_reader(reader)
        .with_context(|| format!("{origin}: not an institution in JSON"))?;
    let institution = Institution::from_input(&input, &rules)
        .with_context(|| format!("{origin}: invalid input"))?;
    let assessment = assess(&rules, &institution, AssessOptions { trace: true });
    let mut out = io::stdout().lock();
    if args.text {
        let lang = match args.lang {
            LangArg::Ja => Lang::Ja,
            LangArg::En => Lang::En,
        };
        out.write_all(crate::text::render(&assessment, &rules, lang).as_bytes())?;
    } else {
        serde_json::to_writer_pretty(&mut out, &assessment)?;
        writeln!(out)?;
    }
    out.flush()?;
    if let Some(kib) = args.timings.then(crate::batch::peak_rss_kib).flatten() {
        eprintln!("peak_rss_kib {kib}");
    }
    Ok(Outcome::Ok)
}
