//! `onshi batch`: recompute the grants of every institution in an export.
//!
//! Reads and validates (every row ends in `grants` or `rejects`), fans the rows out with rayon
//! to the core, aggregates with polars, writes CSV, Parquet and a self-contained HTML report.
//! No rule is written here: amounts, regimes and audit findings all come from `onshi-core`.

mod cells;
mod cleanup;
mod columns;
mod commit;
pub mod encoding;
mod items;
mod lock;
mod output;
mod package;
mod report;
mod rows;
mod sheet;
mod source;
mod spill;
mod summary;
mod tally;
mod workbook;

use anyhow::{Context, Result, bail};
use csv::StringRecord;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use onshi_core::parse::InstitutionCode;
use onshi_core::{Field, FieldError, Reason};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::Outcome;
use crate::assess_cmd::{built_in_named, choose_rules, load_rules};
use columns::{Col, Header, INSTITUTION_COLUMNS};
use encoding::Encoding;
use items::LineItems;
use output::Outputs;

pub const EXAMPLES: &str = "\
Examples:
  onshi gen --count 228000 --seed 1 --out national.csv
  onshi batch --institutions national.csv --out out/
  onshi batch --institutions 医療機関.csv --line-items 明細.csv --out out/ --threads 2
  onshi batch --institutions national.csv --compare batch/examples/special-deadline-2021-09-30.toml --out out/

Columns (canonical or Japanese, any order; other columns are ignored):
  institution_code 医療機関等コード (required), name 名称, kind 種別 (required),
  group_rx_per_month グループ処方箋受付回数, readers カードリーダー申込台数 (required),
  reader_applied_on カードリーダー提供申請日, completed_on 事業完了日, applied_on 補助金申請日,
  total_cost 総事業費 (required unless --line-items), claimed 申請額.
Line items: institution_code, category 区分, amount 金額, tax_included 税込 (, description 内容).

Writes grants.csv, grants.parquet, rejects.csv, summary.csv, summary.xlsx, audit.csv and
report.html in DIR (--outputs grants,parquet,summary,audit,report,xlsx chooses; rejects.csv is
always written).
Exit status: 0 every row computed, 1 finished with rejected rows, 2 could not run.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The institutions CSV (UTF-8 or CP932, header row) or Excel workbook (.xlsx); `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    institutions: PathBuf,
    /// Itemised quotes: they replace total_cost for the institutions they name (`-`: standard
    /// input, when the institutions come from a file).
    #[arg(long, value_name = "FILE")]
    line_items: Option<PathBuf>,
    /// The rules: a built-in revision's id (2020-11-30, 2022-08-10, 2023-04-01) or a rule
    /// file (TOML). Default: the latest revision, the rules as finally paid.
    #[arg(long, value_name = "ID|FILE")]
    rules: Option<PathBuf>,
    /// The built-in revision in force on this date (instead of --rules).
    #[arg(long, value_name = "DATE", conflicts_with = "rules")]
    as_of: Option<String>,
    /// A scenario rule file (whole, or a reform that `extends` another): adds its grant and
    /// the difference, in columns named by its id. May be given several times.
    #[arg(long, value_name = "FILE")]
    compare: Vec<PathBuf>,
    /// Directory for the outputs (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The outputs to write, comma-separated (default: all); rejects.csv is always written,
    /// and outputs of an earlier run that this one does not write are removed with the rest
    /// of its set.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    outputs: Vec<output::OutputKind>,
    /// The sheet of an `.xlsx` institutions file (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The sheet of an `.xlsx` line-items file (default: the first).
    #[arg(long, value_name = "NAME")]
    line_items_sheet: Option<String>,
    /// Encoding of the input files; detected when absent (a BOM, UTF-8, CP932).
    #[arg(long, value_enum)]
    encoding: Option<Encoding>,
    /// The character between a text file's cells; detected from its header when absent.
    #[arg(long, value_enum)]
    delimiter: Option<source::Delimiter>,
    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Rows read and assessed at a time (memory stays bounded by it).
    #[arg(long, value_name = "ROWS", default_value_t = DEFAULT_CHUNK_ROWS, hide = true)]
    chunk_rows: usize,
    /// Inputs larger than this (institutions and line items, in bytes) are joined through
    /// scratch files under --out, so that memory does not grow with the file.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_SPILL_ABOVE, hide = true)]
    spill_above: u64,
    /// Partitions of a join on disk (default: one per 32 MiB of input).
    #[arg(long, value_name = "N", hide = true)]
    spill_partitions: Option<usize>,
    /// Print the wall-clock time of each stage (line items, read, compute, write) on stderr.
    #[arg(long)]
    timings: bool,
}

/// Rows read and assessed at a time, unless `--chunk-rows` says otherwise.
const DEFAULT_CHUNK_ROWS: usize = 1 << 15;

/// Input size above which codes and line items are joined on disk (`--spill-above`); see
/// the README's performance section for the measurement behind it.
const DEFAULT_SPILL_ABOVE: u64 = 64 << 20;

/// Wall-clock time spent in each stage of a run (`--timings`). Reading the next chunk overlaps
/// filing the current one (the first chunk, loading the line items), and writing runs on its
/// own threads, so the stages add up to more than the total.
#[derive(Debug, Default)]
struct Timings {
    /// Loading the line items (the first chunk of institutions is read meanwhile).
    items: Duration,
    read: Duration,
    compute: Duration,
    write: Duration,
}

/// A map keyed by institution code. foldhash is several times faster than the default SipHash
/// here; its fixed seed makes every run do the same work (the benchmark gate counts the
/// instructions of a whole run). The keys come from the analyst's own files, so there is no
/// adversary to randomise against.
pub type CodeMap<V> = std::collections::HashMap<InstitutionCode, V, foldhash::fast::FixedState>;

/// One reason a row is rejected: the core's record of the value and why, and the column it
/// came from as the file's header writes it.
#[derive(Debug, Clone)]
pub struct RowError {
    pub column: String,
    pub error: FieldError,
}

impl RowError {
    pub(super) fn new(
        column: String,
        field: Field,
        value: impl Into<String>,
        reason: Reason,
    ) -> RowError {
        RowError {
            column,
            error: FieldError::new(field, value, reason),
        }
    }

    fn missing(column: String, field: Field) -> RowError {
        RowError::new(column, field, "", Reason::Missing)
    }

    fn bad_line_items(file: &str, lines: &[u64]) -> RowError {
        let lines = lines
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let reason = Reason::LineItemsRejected {
            file: file.to_owned(),
            lines: lines.clone(),
        };
        RowError::new(file.to_owned(), Field::LineItems, lines, reason)
    }

    fn duplicate(column: String, value: String, first: u64) -> RowError {
        let reason = Reason::DuplicateCode { first };
        RowError::new(column, Field::InstitutionCode, value, reason)
    }
}

/// A row that was not computed, with every reason.
#[derive(Debug, Clone)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub errors: Vec<RowError>,
    pub record: String,
}

impl Reject {
    fn new(file: &str, line: u64, record: &StringRecord, mut errors: Vec<RowError>) -> Reject {
        unreadable_cells_first(&mut errors);
        Reject {
            file: file.to_owned(),
            line,
            errors,
            record: source::raw(record),
        }
    }
}

/// A cell that holds no value (a control character, an Excel error, a formula without its
/// value) says so once: what the parsers then made of its text for the same column is noise.
fn unreadable_cells_first(errors: &mut Vec<RowError>) {
    let unreadable = |e: &RowError| {
        matches!(
            e.error.reason,
            Reason::ControlCharacter { .. }
                | Reason::SheetError { .. }
                | Reason::FormulaWithoutValue
                | Reason::LeadingZeroLost
        )
    };
    let columns: Vec<String> = errors
        .iter()
        .filter(|e| unreadable(e))
        .map(|e| e.column.clone())
        .collect();
    if !columns.is_empty() {
        errors.retain(|e| unreadable(e) || !columns.contains(&e.column));
    }
}

/// Counts of a finished run.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub rows: u64,
    pub computed: u64,
    pub rejected: u64,
    pub item_rows: u64,
    pub items_used: u64,
    pub items_rejected: u64,
}

/// What the report states about the run.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub institutions: String,
    pub encoding: Encoding,
    pub line_items: Option<(String, Encoding)>,
    pub rule_set: String,
    /// The rule set's title (Japanese, English).
    pub rule_title: (String, String),
    /// The documents the rule set cites (its registry).
    pub sources: Vec<onshi_core::rules::schema::Source>,
    /// The ids of the `--compare` scenarios.
    pub compare: Vec<String>,
    /// Their titles (Japanese, English), in the same order.
    pub compare_titles: Vec<(String, String)>,
    pub counts: Counts,
    /// Each category's id and name, as the rule set names it.
    pub category_names: Vec<(&'static str, String)>,
    /// The day the rule set took effect.
    pub rule_from: chrono::NaiveDate,
    /// The day of the run, in Japan ([`run_date`]).
    pub run_date: chrono::NaiveDate,
}

/// Today in Japan (UTC+9, no daylight saving), or the day of `SOURCE_DATE_EPOCH` when it is
/// set: two runs of the same inputs then write the same bytes whenever they run.
pub fn run_date() -> chrono::NaiveDate {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days((secs + 9 * 3600).div_euclid(86_400))
}

impl Args {
    /// How the text inputs are read: encoding and delimiter, as given.
    fn text_options(&self) -> source::TextOptions {
        source::TextOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
        }
    }
}

pub fn run(args: &Args) -> Result<Outcome> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(usize::from(n));
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    pool.install(|| run_in_pool(args))
}

fn run_in_pool(args: &Args) -> Result<Outcome> {
    let selection = output::Selection::of(&args.outputs);
    let rules = choose_rules(args.rules.as_ref(), args.as_of.as_deref())?;
    let compare = args
        .compare
        .iter()
        .map(|p| load_rules(Some(p)))
        .collect::<Result<Vec<_>>>()?;
    // Scenario grants feed only the grant rows and their sums.
    let compare = if selection.grant_rows() {
        compare
    } else {
        Vec::new()
    };
    let scenarios: Vec<String> = compare.iter().map(|r| r.id().to_owned()).collect();
    let stdin = |p: &Path| p.as_os_str() == source::STDIN;
    if stdin(&args.institutions) && args.line_items.as_deref().is_some_and(stdin) {
        bail!("--institutions and --line-items cannot both be - (standard input is one stream)");
    }
    if let Some(dup) = scenarios
        .iter()
        .enumerate()
        .find(|(i, id)| scenarios[..*i].contains(id))
    {
        bail!(
            "two --compare rule sets have the id {:?}: their columns would clash",
            dup.1
        );
    }
    if let Some(same) = scenarios.iter().find(|id| *id == rules.id()) {
        bail!(
            "a --compare rule set has the id {same:?} of the rules it is compared with: give \
             the scenario an id of its own"
        );
    }
    let inputs: Vec<&PathBuf> = [Some(&args.institutions), args.line_items.as_ref()]
        .into_iter()
        .flatten()
        .chain(args.rules.as_ref())
        .chain(&args.compare)
        .filter(|p| built_in_named(p).is_none())
        .collect();

    // Everything that can make the run fail on its inputs is checked before any output exists.
    let (mut reader, encoding, file_len, header) = open_institutions(
        &args.institutions,
        args.text_options(),
        args.sheet.as_deref(),
        args.line_items.is_some(),
    )?;
    let inst_name = reader.name(&args.institutions);
    let code_label = header
        .label(Col::InstitutionCode)
        .unwrap_or("institution_code")
        .to_owned();
    let items_len = args
        .line_items
        .as_deref()
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len());
    // Joining on disk reads the institutions twice: a regular file can (the two reads are
    // proven to agree), standard input, a pipe or a socket cannot; a workbook is read whole
    // into memory anyway.
    let identity = reader
        .identity()
        .filter(|_| source::is_regular_file(&args.institutions));
    let spilling = identity.is_some() && file_len + items_len > args.spill_above;
    let started = Instant::now();
    let mut timings = Timings::default();
    let chunk = args.chunk_rows.max(1);
    // Two sets of records, reused chunk after chunk (reading allocates nothing once both are
    // in): the next chunk is read into one while the rows of the other are filed.
    let (mut records, mut next_records) = (Vec::new(), Vec::new());
    // The first chunk is read while the line items load (in memory).
    let (items, first) = rayon::join(
        || match &args.line_items {
            Some(p) if !spilling => LineItems::load(
                p,
                args.text_options(),
                args.line_items_sheet.as_deref(),
                &rules,
            ),
            _ => Ok(LineItems::default()),
        },
        || timed(|| source::read_chunk(&mut reader, &mut records, chunk)),
    );
    let mut items = items?;
    let (first, t) = first;
    timings.read += t;
    let mut n = first.map_err(|e| reader.read_error(&inst_name, e))?;

    cleanup::install();
    let mut out = Outputs::create(&args.out, &inputs, &scenarios, selection)?;
    let (mut spilled, item_rejects) = match spilling {
        true => {
            let inst = spill::Institutions {
                path: &args.institutions,
                identity: identity.context("a join on disk needs a regular file")?,
                encoding,
                delimiter: args.delimiter,
                name: &inst_name,
                code_label: &code_label,
            };
            let scratch = out.scratch()?;
            let (s, r) = join_on_disk(args, &scratch, &inst, &rules, file_len + items_len)?;
            (Some(s), Some(r))
        }
        false => (None, None),
    };
    timings.items = started.elapsed();
    // The line-items file as read, whichever way it was joined.
    let items_read = match spilled.as_mut() {
        Some(s) => s.items.take(),
        None => items.read.take(),
    };
    let items_file = items_read
        .as_ref()
        .map_or("", |f| f.file.as_str())
        .to_owned();
    let mut err = std::io::stderr().lock();
    if !header.extra.is_empty() {
        writeln!(
            err,
            "onshi: {inst_name}: ignored columns: {}",
            header.extra.join(", ")
        )?;
    }
    if let Some(f) = items_read.as_ref().filter(|f| !f.extra_columns.is_empty()) {
        writeln!(
            err,
            "onshi: {}: ignored columns: {}",
            f.file,
            f.extra_columns.join(", ")
        )?;
    }
    drop(err);

    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(file_len), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    let ctx = rows::Ctx {
        rules: &rules,
        compare: &compare,
        header: &header,
        items: &items,
        items_file: &items_file,
        findings: selection.findings(),
        explain_findings: selection.audit,
        grants_csv: selection.grants,
    };
    let mut filing = Filing {
        seen: Default::default(),
        counts: Counts::default(),
        header: &header,
        code_label: &code_label,
        inst_name: &inst_name,
        scenarios: scenarios.len(),
        selection,
        item_rejects,
        items_file: &items_file,
        codes_read: spill::CodesRead::default(),
    };
    // Writing overlaps the next chunk's reading and computing.
    let (to_writer, batches) = std::sync::mpsc::sync_channel::<output::Batch>(1);
    let writer = std::thread::spawn(move || -> Result<(Outputs, Duration)> {
        let mut busy = Duration::ZERO;
        for batch in batches {
            let t = Instant::now();
            out.finish_batch(batch)?;
            busy += t.elapsed();
        }
        Ok((out, busy))
    });
    let read_result = (|| -> Result<()> {
        while n > 0 {
            let current = &records[..n];
            let attached = match spilled.as_mut() {
                Some(s) => Some(s.take_until(current.last().map_or(0, source::line_of))?),
                None => None,
            };
            let attached = attached.as_ref();
            let (rows, compute) = timed(|| compute(&ctx, current, attached));
            timings.compute += compute;
            // Filing the chunk in input order (one thread) overlaps reading the next one.
            let (batch, (more, read)) = rayon::join(
                || filing.file(rows, current, attached),
                || timed(|| source::read_chunk(&mut reader, &mut next_records, chunk)),
            );
            timings.read += read;
            if to_writer.send(batch?).is_err() {
                break; // the writer failed: its error is reported below
            }
            progress.set_position(reader.consumed());
            std::mem::swap(&mut records, &mut next_records);
            n = more.map_err(|e| reader.read_error(&inst_name, e))?;
        }
        Ok(())
    })();
    drop(to_writer);
    let written_out = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    read_result?;
    let (mut out, busy) = written_out?;
    timings.write += busy;
    progress.finish_and_clear();

    // The file read to its end must still be the one opened, and a join on disk's two reads
    // must have read the same codes on the same lines.
    reader.check_unchanged(&inst_name)?;
    if spilled
        .as_ref()
        .is_some_and(|s| s.codes_read != filing.codes_read)
    {
        bail!(source::changed(&inst_name));
    }
    let Filing {
        seen,
        mut counts,
        item_rejects,
        ..
    } = filing;
    match (&spilled, item_rejects) {
        (Some(s), Some(rejects)) => {
            counts.item_rows = s.item_rows;
            counts.items_rejected = rejects.len;
            rejects.drain(|fields| out.reject_row(fields.iter().copied()))?;
        }
        _ => {
            counts.item_rows = items.rows;
            let names = (inst_name.as_str(), items_file.as_str(), code_label.as_str());
            let rejects = items_in_memory(&items, &seen, &mut counts, names);
            counts.items_rejected = rejects.len() as u64;
            for r in &rejects {
                out.reject(r)?;
            }
        }
    }

    let info = RunInfo {
        institutions: inst_name,
        encoding,
        line_items: args.line_items.as_ref().map(|p| {
            let encoding = items_read.as_ref().map(|f| f.encoding);
            (source::display_name(p), encoding.unwrap_or(Encoding::Utf8))
        }),
        rule_set: rules.id().to_owned(),
        rule_title: (
            rules.file().rule_set.title.clone(),
            rules.file().rule_set.title_en.clone(),
        ),
        sources: rules.file().sources.values().cloned().collect(),
        compare: scenarios.clone(),
        compare_titles: compare
            .iter()
            .map(|r| {
                let rs = &r.file().rule_set;
                (rs.title.clone(), rs.title_en.clone())
            })
            .collect(),
        category_names: onshi_core::Category::ALL
            .map(|c| (c.id(), rules.category(c).name.clone()))
            .to_vec(),
        counts: counts.clone(),
        rule_from: rules.file().rule_set.effective_from,
        run_date: run_date(),
    };
    let t = Instant::now();
    let written = out.finish(&info)?;
    timings.write += t.elapsed();
    if args.timings {
        eprintln!(
            "timings: line items {:.3} s, read {:.3} s, compute {:.3} s, write {:.3} s, total {:.3} s",
            timings.items.as_secs_f64(),
            timings.read.as_secs_f64(),
            timings.compute.as_secs_f64(),
            timings.write.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        match &spilled {
            Some(s) => eprintln!("join: on disk, {} partitions", s.partitions),
            None => eprintln!("join: in memory"),
        }
        if let Some(kib) = peak_rss_kib() {
            eprintln!("peak_rss_kib {kib}");
        }
        if let Some(ms) = cpu_ms() {
            eprintln!("cpu_ms {ms}");
        }
    }

    let mut so = std::io::stdout().lock();
    writeln!(
        so,
        "{} rows in = {} computed + {} rejected",
        counts.rows, counts.computed, counts.rejected
    )?;
    if args.line_items.is_some() {
        writeln!(
            so,
            "{} line items in = {} used + {} rejected",
            counts.item_rows, counts.items_used, counts.items_rejected
        )?;
    }
    for p in written {
        writeln!(so, "wrote {}", p.display())?;
    }
    so.flush()?;
    if counts.rejected + counts.items_rejected > 0 {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Ok)
    }
}

/// Partitions and joins the institutions' codes and the line items in `scratch` (see
/// `spill`), in `--spill-partitions` or one partition per 32 MiB of `input_bytes`.
fn join_on_disk(
    args: &Args,
    scratch: &Path,
    inst: &spill::Institutions,
    rules: &onshi_core::RuleSet,
    input_bytes: u64,
) -> Result<(spill::Spilled, spill::Sorter)> {
    let items = args.line_items.as_deref().map(|p| spill::ItemsInput {
        path: p,
        options: args.text_options(),
        sheet: args.line_items_sheet.as_deref(),
    });
    let partitions = args
        .spill_partitions
        .unwrap_or_else(|| spill::partitions_for(input_bytes));
    spill::Spilled::prepare(scratch, inst, items.as_ref(), rules, partitions)
}

/// The line items' rejects of an in-memory run, in line order: their own, and those whose
/// institution is missing or was rejected; counts the items used.
/// `names`: the institutions file's, the line items file's, and the code column's.
fn items_in_memory(
    items: &LineItems,
    seen: &CodeMap<(u64, bool)>,
    counts: &mut Counts,
    (inst_name, items_file, code_label): (&str, &str, &str),
) -> Vec<Reject> {
    let mut item_rejects = items.rejects.clone();
    let mut leftovers: Vec<(&InstitutionCode, &items::ItemsFor)> = items.by_code.iter().collect();
    leftovers.sort_by_key(|(_, i)| i.lines.first().copied().unwrap_or(0));
    for (code, group) in leftovers {
        match seen.get(code) {
            Some((_, true)) => counts.items_used += group.lines.len() as u64,
            other => {
                for &line in &group.lines {
                    let reason = match other {
                        Some((l, _)) => Reason::InstitutionRejected {
                            file: inst_name.to_owned(),
                            line: *l,
                        },
                        None => Reason::NoInstitution {
                            file: inst_name.to_owned(),
                        },
                    };
                    let code = code.to_string();
                    let r = spill::orphan_reject(items_file, line, code_label, code, reason);
                    item_rejects.push(r);
                }
            }
        }
    }
    item_rejects.sort_by_key(|r| r.line);
    item_rejects
}

/// The institutions file opened and its header read: the required columns are there.
fn open_institutions(
    path: &Path,
    options: source::TextOptions,
    sheet: Option<&str>,
    with_line_items: bool,
) -> Result<(source::CsvReader, Encoding, u64, Header<Col>)> {
    let mut required = vec![Col::InstitutionCode, Col::Kind, Col::Readers];
    if !with_line_items {
        required.push(Col::TotalCost);
    }
    source::open_with_header(path, options, sheet, &INSTITUTION_COLUMNS, &required)
}

/// The compute stage of one chunk: every row read, assessed and audited on the pool's threads.
fn compute<'a>(
    ctx: &rows::Ctx<'a>,
    records: &[StringRecord],
    attached: Option<&items::Attached>,
) -> Vec<rows::Row<'a>> {
    records
        .par_iter()
        .map(|r| {
            let mut row = ctx.process(r, attached);
            // grants.csv's line is written here, on the workers.
            if let Some(c) = row.result.as_mut().ok().filter(|_| ctx.grants_csv) {
                c.grants_line = cells::grant_line(row.line, c, ctx.name(r));
            }
            row
        })
        .collect()
}

/// The compute stage on its own, for the benchmarks: `onshi batch` overlaps it with reading
/// and writing, which share the cores, so its scaling with threads is measured here, apart.
pub mod stage {
    use super::*;
    use onshi_core::RuleSet;

    /// A whole institutions file read into memory with its line items, under the built-in rules.
    pub struct ComputeStage {
        rules: RuleSet,
        items: LineItems,
        header: Header<Col>,
        /// Chunks as the batch reads them.
        chunks: Vec<Vec<StringRecord>>,
    }

    /// The rows of one [`ComputeStage::run_chunk`], returned so that dropping them is not
    /// timed with it (the batch drops them on its writer thread).
    pub struct StageRows<'a>(Vec<rows::Row<'a>>);

    impl std::fmt::Debug for ComputeStage {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("ComputeStage")
                .field("rows", &self.rows())
                .finish_non_exhaustive()
        }
    }

    impl std::fmt::Debug for StageRows<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_tuple("StageRows").field(&self.rows()).finish()
        }
    }

    impl ComputeStage {
        /// Reads `institutions` (and `line_items`) as `onshi batch` does, in its default chunks.
        pub fn load(institutions: &Path, line_items: Option<&Path>) -> Result<ComputeStage> {
            let rules = load_rules(None)?;
            let (mut reader, _, _, header) =
                open_institutions(institutions, Default::default(), None, line_items.is_some())?;
            let items = match line_items {
                Some(p) => LineItems::load(p, Default::default(), None, &rules)?,
                None => LineItems::default(),
            };
            let mut chunks = Vec::new();
            loop {
                let mut records = Vec::new();
                let n = source::read_chunk(&mut reader, &mut records, DEFAULT_CHUNK_ROWS)?;
                if n == 0 {
                    break;
                }
                records.truncate(n);
                chunks.push(records);
            }
            Ok(ComputeStage {
                rules,
                items,
                header,
                chunks,
            })
        }

        /// Rows held.
        pub fn rows(&self) -> usize {
            self.chunks.iter().map(Vec::len).sum()
        }

        /// Chunks held.
        pub fn chunks(&self) -> usize {
            self.chunks.len()
        }

        /// Computes chunk `i` on the current rayon pool. One chunk at a time, as in the batch:
        /// holding every chunk's rows at once would time the kernel handing out fresh pages,
        /// which the batch, reusing the memory of the rows it has written, does not pay.
        ///
        /// # Panics
        /// When `i` is not below [`chunks`](Self::chunks).
        pub fn run_chunk(&self, i: usize) -> StageRows<'_> {
            let ctx = rows::Ctx {
                rules: &self.rules,
                compare: &[],
                header: &self.header,
                items: &self.items,
                items_file: self.items.read.as_ref().map_or("", |f| f.file.as_str()),
                findings: true,
                explain_findings: true,
                grants_csv: true,
            };
            StageRows(compute(&ctx, &self.chunks[i], None))
        }
    }

    impl StageRows<'_> {
        /// Rows computed (not rejected).
        pub fn rows(&self) -> usize {
            self.0.iter().filter(|r| r.result.is_ok()).count()
        }
    }
}

/// Files computed rows in input order: the first row of each code is computed, later ones are
/// rejected as duplicates; every row ends in the batch or its rejects.
struct Filing<'h> {
    /// First line of each code, and whether that row was computed (for line-item accounting).
    seen: CodeMap<(u64, bool)>,
    counts: Counts,
    header: &'h Header<Col>,
    code_label: &'h str,
    inst_name: &'h str,
    /// How many `--compare` scenarios each row carries.
    scenarios: usize,
    /// The outputs wanted (grants.csv's rows, the grant columns for grants.parquet).
    selection: output::Selection,
    /// When joined on disk: the line items' rejects, sorted by line at the end.
    item_rejects: Option<spill::Sorter>,
    items_file: &'h str,
    /// The codes of the rows, line by line (to compare with a join on disk's first read).
    codes_read: spill::CodesRead,
}

impl Filing<'_> {
    fn file(
        &mut self,
        rows: Vec<rows::Row>,
        records: &[StringRecord],
        attached: Option<&items::Attached>,
    ) -> Result<output::Batch> {
        let mut batch = output::Batch::new(rows.len(), self.scenarios, self.selection);
        let name_at = self.header.index(Col::Name);
        for (row, record) in rows.into_iter().zip(records) {
            self.counts.rows += 1;
            if let Some(code) = &row.key {
                self.codes_read.add(row.line, code);
            }
            let dup = match attached {
                Some(a) => self.joined(&row, a)?,
                None => self.seen(&row),
            };
            match (dup, row.result) {
                (None, Ok(c)) => {
                    self.counts.computed += 1;
                    let name = name_at
                        .and_then(|i| record.get(i))
                        .map_or("", onshi_core::parse::trim);
                    batch.push(row.line, *c, name);
                }
                (dup, result) => {
                    self.counts.rejected += 1;
                    let mut errors = Vec::new();
                    if let Some(first) = dup {
                        let value = self
                            .header
                            .index(Col::InstitutionCode)
                            .and_then(|i| record.get(i))
                            .unwrap_or("")
                            .to_owned();
                        errors.push(RowError::duplicate(
                            self.code_label.to_owned(),
                            value,
                            first,
                        ));
                    }
                    if let Err(e) = result {
                        errors.extend(e);
                    }
                    batch
                        .rejects
                        .push(Reject::new(self.inst_name, row.line, record, errors));
                }
            }
        }
        Ok(batch)
    }

    /// In memory: the first line of the row's code when an earlier row had it.
    fn seen(&mut self, row: &rows::Row) -> Option<u64> {
        row.key.and_then(|k| match self.seen.get(&k) {
            Some((first, _)) => Some(*first),
            None => {
                self.seen.insert(k, (row.line, row.result.is_ok()));
                None
            }
        })
    }

    /// Joined on disk: the same, from the row's attachment; the first row of a code accounts
    /// for its line items (used, or rejected with it).
    fn joined(&mut self, row: &rows::Row, attached: &items::Attached) -> Result<Option<u64>> {
        let (Some(code), Some(a)) = (row.key, attached.get(row.line)) else {
            return Ok(None);
        };
        if a.duplicate_of.is_some() {
            return Ok(a.duplicate_of);
        }
        let lines = &a.items.lines;
        match (row.result.is_ok(), self.item_rejects.as_mut()) {
            (true, _) => self.counts.items_used += lines.len() as u64,
            (false, Some(sorter)) => {
                for &line in lines {
                    let reason = Reason::InstitutionRejected {
                        file: self.inst_name.to_owned(),
                        line: row.line,
                    };
                    let code = code.to_string();
                    let r =
                        spill::orphan_reject(self.items_file, line, self.code_label, code, reason);
                    sorter.push(&r)?;
                }
            }
            (false, None) => {}
        }
        Ok(None)
    }
}

/// Runs `f`, returning its result and how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    (f(), t.elapsed())
}

/// The most memory the process has held (Linux's `VmHWM`), for `--timings`.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The CPU time the process has used, user and system, in milliseconds (Linux's
/// `/proc/self/stat`, whose clock ticks are 1/100 s on every Linux ABI), for `--timings`.
pub fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) start after its ')'.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) * 10)
}

/// Whether `a` and `b` name the same existing file.
pub(crate) fn is_same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
