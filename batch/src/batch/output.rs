//! The files of a run, written under temporary names in the output directory and renamed
//! into place only when the whole run has succeeded.

use anyhow::{Context, Result, bail};
use onshi_core::parse::InstitutionCode;
use onshi_core::{Finding, Lang, Yen};
use polars::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::cleanup;
use super::commit::{self, Pending};
use super::lock::DirLock;

use super::cells::{excel_safe, grants_header, reject_fields};
use super::report;
use super::rows::Computed;
use super::summary::{self, Summary, scenario_col};
use super::tally::RejectTally;
use super::workbook;
use super::{Reject, RunInfo, is_same_file};

pub const GRANTS_CSV: &str = "grants.csv";
pub const GRANTS_PARQUET: &str = "grants.parquet";
pub const REJECTS_CSV: &str = "rejects.csv";
pub const SUMMARY_CSV: &str = "summary.csv";
pub const AUDIT_CSV: &str = "audit.csv";
pub const REPORT_HTML: &str = "report.html";
pub const SUMMARY_XLSX: &str = "summary.xlsx";
pub const ALL: [&str; 7] = [
    GRANTS_CSV,
    GRANTS_PARQUET,
    REJECTS_CSV,
    SUMMARY_CSV,
    AUDIT_CSV,
    REPORT_HTML,
    SUMMARY_XLSX,
];

/// An output a run may be asked for (`--outputs`); `rejects.csv` is always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputKind {
    /// grants.csv
    Grants,
    /// grants.parquet
    Parquet,
    /// summary.csv
    Summary,
    /// audit.csv
    Audit,
    /// report.html
    Report,
    /// summary.xlsx
    Xlsx,
}

/// The outputs of a run, and so the work it does: what feeds only an output not asked for is
/// not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub grants: bool,
    pub parquet: bool,
    pub summary: bool,
    pub audit: bool,
    pub report: bool,
    pub xlsx: bool,
}

impl Selection {
    /// The files this selection writes, in the order of [`ALL`] (rejects.csv always).
    pub fn files(self) -> Vec<&'static str> {
        let on = [
            self.grants,
            self.parquet,
            true,
            self.summary,
            self.audit,
            self.report,
            self.xlsx,
        ];
        ALL.iter()
            .zip(on)
            .filter(|(_, o)| *o)
            .map(|(f, _)| *f)
            .collect()
    }

    pub const ALL: Selection = Selection {
        grants: true,
        parquet: true,
        summary: true,
        audit: true,
        report: true,
        xlsx: true,
    };

    /// The outputs named (all of them when none is).
    pub fn of(kinds: &[OutputKind]) -> Selection {
        if kinds.is_empty() {
            return Selection::ALL;
        }
        let has = |k| kinds.contains(&k);
        Selection {
            grants: has(OutputKind::Grants),
            parquet: has(OutputKind::Parquet),
            summary: has(OutputKind::Summary),
            audit: has(OutputKind::Audit),
            report: has(OutputKind::Report),
            xlsx: has(OutputKind::Xlsx),
        }
    }

    /// Whether the rows' grant columns are needed (a grants file, or the sums).
    pub fn grant_rows(self) -> bool {
        self.grants || self.parquet || self.sums()
    }

    /// Whether the sums by prefecture × category are needed.
    pub fn sums(self) -> bool {
        self.summary || self.report || self.xlsx
    }

    /// Whether audit findings are needed (the grants files name them; the report counts them).
    pub fn findings(self) -> bool {
        self.grants || self.parquet || self.audit || self.report || self.xlsx
    }
}

/// One computed row of `grants`, column by column. Text goes straight into polars' string
/// builders, so a row costs no allocation of its own.
pub struct GrantColumns {
    line: Vec<u64>,
    code: StringChunkedBuilder,
    name: StringChunkedBuilder,
    prefecture: Vec<u32>,
    kind: Vec<&'static str>,
    category: Vec<&'static str>,
    readers_applied: Vec<u32>,
    readers_provided: Vec<u32>,
    cap: Vec<i64>,
    total_cost: Vec<i64>,
    eligible_cost: Vec<i64>,
    ineligible_cost: Vec<i64>,
    standard_grant: Vec<i64>,
    special_grant: Vec<Option<i64>>,
    regime: Vec<&'static str>,
    measure: Vec<Option<&'static str>>,
    grant: Vec<i64>,
    self_pay: Vec<i64>,
    form: StringChunkedBuilder,
    estimate: Vec<bool>,
    claimed: Vec<Option<i64>>,
    claim_difference: Vec<Option<i64>>,
    audit: StringChunkedBuilder,
    notices: StringChunkedBuilder,
    /// Per scenario: its grant and the difference from this run's.
    compare_grant: Vec<Vec<i64>>,
    compare_difference: Vec<Vec<i64>>,
    /// Scratch for `;`-joined ids.
    ids: String,
}

impl GrantColumns {
    fn with_capacity(n: usize, scenarios: usize) -> GrantColumns {
        let text = |name: &str| StringChunkedBuilder::new(name.into(), n);
        GrantColumns {
            line: Vec::with_capacity(n),
            code: text("institution_code"),
            name: text("name"),
            prefecture: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            category: Vec::with_capacity(n),
            readers_applied: Vec::with_capacity(n),
            readers_provided: Vec::with_capacity(n),
            cap: Vec::with_capacity(n),
            total_cost: Vec::with_capacity(n),
            eligible_cost: Vec::with_capacity(n),
            ineligible_cost: Vec::with_capacity(n),
            standard_grant: Vec::with_capacity(n),
            special_grant: Vec::with_capacity(n),
            regime: Vec::with_capacity(n),
            measure: Vec::with_capacity(n),
            grant: Vec::with_capacity(n),
            self_pay: Vec::with_capacity(n),
            form: text("form"),
            estimate: Vec::with_capacity(n),
            claimed: Vec::with_capacity(n),
            claim_difference: Vec::with_capacity(n),
            audit: text("audit"),
            notices: text("notices"),
            compare_grant: (0..scenarios).map(|_| Vec::with_capacity(n)).collect(),
            compare_difference: (0..scenarios).map(|_| Vec::with_capacity(n)).collect(),
            ids: String::new(),
        }
    }

    /// Ids joined with `;` into `to`; an empty cell (null) for none.
    fn push_ids<I: IntoIterator<Item = &'static str>>(
        ids: &mut String,
        to: &mut StringChunkedBuilder,
        items: I,
    ) {
        ids.clear();
        for id in items {
            if !ids.is_empty() {
                ids.push(';');
            }
            ids.push_str(id);
        }
        to.append_option((!ids.is_empty()).then_some(ids.as_str()));
    }

    fn push(&mut self, line: u64, c: &Computed, name: &str) {
        let a = &c.assessment;
        self.line.push(line);
        let code = c.code.ascii();
        self.code
            .append_value(std::str::from_utf8(&code).unwrap_or_default());
        self.name
            .append_option(Some(name).filter(|n| !n.is_empty()));
        self.prefecture.push(u32::from(c.code.prefecture()));
        self.kind.push(a.kind.id());
        self.category.push(a.category.id());
        self.readers_applied.push(a.readers_applied);
        self.readers_provided.push(a.readers_provided);
        self.cap.push(a.cap.whole());
        self.total_cost.push(a.total_cost.whole());
        self.eligible_cost.push(a.eligible_cost.whole());
        self.ineligible_cost.push(a.ineligible_cost.whole());
        self.standard_grant.push(a.standard_grant.whole());
        self.special_grant.push(a.special_grant.map(Yen::whole));
        self.regime.push(a.regime.id());
        self.measure.push(a.measure.map(onshi_core::Measure::id));
        self.grant.push(a.grant.whole());
        self.self_pay.push(a.self_pay.whole());
        self.form.append_option(a.form);
        self.estimate.push(a.estimate);
        self.claimed.push(a.claimed.map(Yen::whole));
        self.claim_difference
            .push(a.claim_difference.map(Yen::whole));
        Self::push_ids(
            &mut self.ids,
            &mut self.audit,
            c.findings.iter().map(|(f, _)| f.id()),
        );
        Self::push_ids(
            &mut self.ids,
            &mut self.notices,
            a.notices.iter().map(|n| n.code.id()),
        );
        for (k, g) in c.compare.iter().enumerate() {
            self.compare_grant[k].push(g.whole());
            self.compare_difference[k].push((*g - a.grant).whole());
        }
    }

    fn into_frame(self, scenarios: &[String]) -> PolarsResult<DataFrame> {
        let height = self.line.len();
        let text = |b: StringChunkedBuilder| b.finish().into_column();
        let mut cols = vec![
            Column::new("line".into(), self.line),
            text(self.code),
            text(self.name),
            Column::new("prefecture".into(), self.prefecture),
            Column::new("kind".into(), self.kind),
            Column::new("category".into(), self.category),
            Column::new("readers_applied".into(), self.readers_applied),
            Column::new("readers_provided".into(), self.readers_provided),
            Column::new("cap".into(), self.cap),
            Column::new("total_cost".into(), self.total_cost),
            Column::new("eligible_cost".into(), self.eligible_cost),
            Column::new("ineligible_cost".into(), self.ineligible_cost),
            Column::new("standard_grant".into(), self.standard_grant),
            Column::new("special_grant".into(), self.special_grant),
            Column::new("regime".into(), self.regime),
            Column::new("measure".into(), self.measure),
            Column::new("grant".into(), self.grant),
            Column::new("self_pay".into(), self.self_pay),
            text(self.form),
            Column::new("estimate".into(), self.estimate),
            Column::new("claimed".into(), self.claimed),
            Column::new("claim_difference".into(), self.claim_difference),
            text(self.audit),
            text(self.notices),
        ];
        let per_scenario = self.compare_grant.into_iter().zip(self.compare_difference);
        for (id, (grant, difference)) in scenarios.iter().zip(per_scenario) {
            cols.push(Column::new(scenario_col("grant", id).into(), grant));
            cols.push(Column::new(
                scenario_col("difference", id).into(),
                difference,
            ));
        }
        DataFrame::new(height, cols)
    }
}

/// One audit finding, ready to write.
struct AuditRow {
    line: u64,
    code: InstitutionCode,
    name: String,
    finding: Finding,
    claimed: Option<i64>,
    grant: i64,
    step: Option<super::rows::AuditStep>,
}

/// One line of `audit.csv`, borrowing from its [`AuditRow`] (the columns of the header).
#[derive(serde::Serialize)]
struct AuditLine<'a> {
    line: u64,
    institution_code: &'a str,
    name: &'a str,
    finding: &'a str,
    finding_ja: &'a str,
    claimed: Option<i64>,
    grant: i64,
    difference: Option<i64>,
    step: &'a str,
    parameter: &'a str,
    citation: &'a str,
    trace: &'a str,
    trace_en: &'a str,
}

/// The rows of one chunk, built without touching the files (a writer thread writes them
/// while the next chunk is read and computed).
pub struct Batch {
    /// The outputs wanted: what feeds none of them is not kept.
    selection: Selection,
    grants: GrantColumns,
    /// The rows of grants.csv, written (when it is wanted).
    csv: Option<Vec<u8>>,
    /// This chunk's sums.
    summary: Summary,
    audit: Vec<AuditRow>,
    /// Rejected rows, in input order.
    pub rejects: Vec<Reject>,
}

impl Batch {
    /// An empty batch for up to `rows` rows of the outputs of `selection`.
    pub fn new(rows: usize, scenarios: usize, selection: Selection) -> Batch {
        let columns = if selection.parquet { rows } else { 0 };
        Batch {
            selection,
            grants: GrantColumns::with_capacity(columns, scenarios),
            csv: selection.grants.then(|| Vec::with_capacity(rows * 160)),
            summary: Summary::new(scenarios),
            audit: Vec::new(),
            rejects: Vec::new(),
        }
    }

    pub fn push(&mut self, line: u64, mut c: Computed, name: &str) {
        if self.selection.parquet {
            self.grants.push(line, &c, name);
        }
        if let Some(csv) = self.csv.as_mut() {
            csv.extend_from_slice(&c.grants_line);
        }
        if self.selection.sums() {
            self.summary.push(&c);
        }
        if !self.selection.audit {
            return;
        }
        for (finding, step) in c.findings.drain(..) {
            self.audit.push(AuditRow {
                line,
                code: c.code,
                name: name.to_owned(),
                finding,
                claimed: c.assessment.claimed.map(Yen::whole),
                grant: c.assessment.grant.whole(),
                step,
            });
        }
    }
}

type CsvOut = csv::Writer<BufWriter<File>>;

/// `audit.csv`'s writer, its header written (rows are serialised from [`AuditLine`]).
fn audit_writer(file: File) -> Result<CsvOut> {
    let mut audit = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(BufWriter::new(file));
    audit.write_record([
        "line",
        "institution_code",
        "name",
        "finding",
        "finding_ja",
        "claimed",
        "grant",
        "difference",
        "step",
        "parameter",
        "citation",
        "trace",
        "trace_en",
    ])?;
    Ok(audit)
}

/// `grants.parquet`, encoded and compressed on a thread of its own: it costs as much as all
/// the other outputs together, and the writer thread was the run's critical path.
struct ParquetSink {
    frames: Option<SyncSender<DataFrame>>,
    thread: Option<JoinHandle<PolarsResult<()>>>,
}

impl ParquetSink {
    fn start(mut writer: polars::io::parquet::write::BatchedWriter<BufWriter<File>>) -> Self {
        // One frame waits while another is written: memory stays bounded by two chunks.
        let (frames, incoming) = sync_channel::<DataFrame>(1);
        let thread = std::thread::spawn(move || {
            for df in incoming {
                writer.write_batch(&df)?;
            }
            writer.finish().map(drop)
        });
        ParquetSink {
            frames: Some(frames),
            thread: Some(thread),
        }
    }

    fn write(&mut self, df: DataFrame) -> Result<()> {
        let sent = self.frames.as_ref().is_some_and(|f| f.send(df).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread stopped on an error: report it.
            self.finish()
                .and_then(|()| bail!("the Parquet writer stopped early"))
        }
    }

    /// Writes the footer and waits for the file to be complete.
    fn finish(&mut self) -> Result<()> {
        self.frames = None;
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| anyhow::anyhow!("the Parquet writer panicked"))?
                .map_err(|e| {
                    anyhow::Error::from(e).context(format!("cannot write {GRANTS_PARQUET}"))
                }),
            None => Ok(()),
        }
    }
}

impl Drop for ParquetSink {
    fn drop(&mut self) {
        // A run that failed elsewhere: let the thread end before its file is removed.
        let _ = self.finish();
    }
}

/// The output directory of a run.
pub struct Outputs {
    dir: PathBuf,
    /// The outermost directory this run created for `dir`, if any.
    created_dir: Option<PathBuf>,
    /// The ids of the `--compare` scenarios.
    scenarios: Vec<String>,
    pending: Vec<Pending>,
    // Unbuffered: each chunk's rows are written whole, and nothing is left unflushed.
    grants_csv: Option<File>,
    grants_parquet: Option<ParquetSink>,
    rejects: CsvOut,
    audit: Option<CsvOut>,
    selection: Selection,
    /// The run's sums, each chunk's merged in as it is written.
    summary: Summary,
    /// The rejects by reason, counted as they are written.
    tally: RejectTally,
    /// Scratch files of a large input (removed before `pending`'s temporaries).
    scratch: Option<tempfile::TempDir>,
    finished: bool,
    /// The directory's lock, held until the run's end (dropped last).
    lock: Option<DirLock>,
}

impl Outputs {
    /// Opens temporary files for every output in `dir`, refusing to write over an input.
    /// Takes the directory's lock first, then puts right what a dead run left: a commit it
    /// did not finish is rolled back, its temporaries removed.
    pub fn create(
        dir: &Path,
        inputs: &[&PathBuf],
        scenarios: &[String],
        selection: Selection,
    ) -> Result<Outputs> {
        for name in ALL {
            let target = dir.join(name);
            if let Some(input) = inputs.iter().find(|i| is_same_file(i, &target)) {
                bail!(
                    "{} is an input of this run; choose another --out directory",
                    input.display()
                );
            }
        }
        let created_dir = cleanup::first_missing(dir);
        cleanup::watch(dir, created_dir.clone());
        let locked = std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))
            .and_then(|()| DirLock::acquire(dir));
        let opened = locked.and_then(|lock| {
            let opened = Outputs::open(dir, created_dir.clone(), scenarios, selection);
            if opened.is_err() && created_dir.is_some() {
                lock.remove_file();
            }
            opened.map(|o| o.locked(lock))
        });
        if opened.is_err() {
            // Leave no directory behind that this run made (`--out a/b/c` made three).
            cleanup::unwatch(dir);
            if let Some(top) = &created_dir {
                cleanup::remove_empty_dirs(dir, top);
            }
        }
        opened
    }

    fn locked(mut self, lock: DirLock) -> Outputs {
        self.lock = Some(lock);
        self
    }

    fn open(
        dir: &Path,
        created_dir: Option<PathBuf>,
        scenarios: &[String],
        selection: Selection,
    ) -> Result<Outputs> {
        // A run killed outright (SIGKILL) could do neither: this one, holding the lock, does.
        if let Some(commit::Recovered::RolledBack { files }) = commit::recover(dir)? {
            eprintln!(
                "onshi: {}: an earlier run was stopped while replacing its outputs; \
                 its previous set of {files} files is restored",
                dir.display()
            );
        }
        cleanup::remove_leftovers(dir);
        let _busy = cleanup::busy().ok_or_else(interrupted)?;
        let mut pending = Vec::new();
        let mut open = |name: &'static str| -> Result<File> {
            let tmp =
                temp_in(dir, name).with_context(|| format!("cannot write in {}", dir.display()))?;
            let (file, temp) = tmp.into_parts();
            pending.push(Pending { temp, name });
            Ok(file)
        };
        let empty = GrantColumns::with_capacity(0, scenarios.len()).into_frame(scenarios)?;
        let schema = empty.schema();
        let grants_csv = match selection.grants {
            true => {
                let mut w = open(GRANTS_CSV)?;
                w.write_all(&grants_header(scenarios))
                    .with_context(|| cannot_write(dir, GRANTS_CSV))?;
                Some(w)
            }
            false => None,
        };
        let grants_parquet = match selection.parquet {
            true => Some(ParquetSink::start(
                ParquetWriter::new(BufWriter::new(open(GRANTS_PARQUET)?)).batched(schema)?,
            )),
            false => None,
        };
        let mut rejects = csv::Writer::from_writer(BufWriter::new(open(REJECTS_CSV)?));
        rejects.write_record([
            "file",
            "line",
            "column",
            "value",
            "code",
            "reason",
            "reason_en",
            "other_errors",
            "record",
        ])?;
        let audit = match selection.audit {
            true => Some(audit_writer(open(AUDIT_CSV)?)?),
            false => None,
        };
        Ok(Outputs {
            dir: dir.to_owned(),
            created_dir,
            scenarios: scenarios.to_vec(),
            pending,
            grants_csv,
            grants_parquet,
            rejects,
            audit,
            selection,
            summary: Summary::new(scenarios.len()),
            tally: RejectTally::default(),
            scratch: None,
            finished: false,
            lock: None,
        })
    }

    pub fn reject(&mut self, r: &Reject) -> Result<()> {
        let fields = reject_fields(r);
        self.tally.add(&fields);
        self.rejects
            .write_record(&fields)
            .with_context(|| cannot_write(&self.dir, REJECTS_CSV))
    }

    /// A row of rejects.csv given as its fields ([`reject_fields`]): a reject kept on disk
    /// until its turn.
    pub fn reject_row<'f>(&mut self, fields: impl IntoIterator<Item = &'f [u8]>) -> Result<()> {
        let fields: Vec<&[u8]> = fields.into_iter().collect();
        self.tally.add(&fields);
        self.rejects
            .write_record(&fields)
            .with_context(|| cannot_write(&self.dir, REJECTS_CSV))
    }

    /// A directory for this run's scratch files, inside the output directory and named as its
    /// temporaries are: removed with them, whether the run ends well, fails or is stopped.
    pub fn scratch(&mut self) -> Result<PathBuf> {
        if let Some(d) = &self.scratch {
            return Ok(d.path().to_owned());
        }
        let _busy = cleanup::busy().ok_or_else(interrupted)?;
        let prefix = format!(".scratch.{}.", cleanup::tag());
        let d = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&self.dir)
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        let path = d.path().to_owned();
        self.scratch = Some(d);
        Ok(path)
    }

    pub fn finish_batch(&mut self, batch: Batch) -> Result<()> {
        for r in &batch.rejects {
            self.reject(r)?;
        }
        self.summary.merge(&batch.summary);
        for a in &batch.audit {
            let step = a.step.as_ref();
            let code = a.code.ascii();
            let Some(audit) = self.audit.as_mut() else {
                continue;
            };
            audit
                .serialize(AuditLine {
                    line: a.line,
                    institution_code: std::str::from_utf8(&code).unwrap_or_default(),
                    name: &excel_safe(&a.name),
                    finding: a.finding.id(),
                    finding_ja: a.finding.name(Lang::Ja),
                    claimed: a.claimed,
                    grant: a.grant,
                    difference: a.claimed.map(|c| c - a.grant),
                    step: step.map_or("", |s| s.step),
                    parameter: step.map_or("", |s| &s.parameter),
                    citation: step.map_or("", |s| &s.citation),
                    trace: step.map_or("", |s| &s.trace),
                    trace_en: step.map_or("", |s| &s.trace_en),
                })
                .with_context(|| cannot_write(&self.dir, AUDIT_CSV))?;
        }
        if let (Some(w), Some(rows)) = (self.grants_csv.as_mut(), batch.csv) {
            w.write_all(&rows)
                .with_context(|| cannot_write(&self.dir, GRANTS_CSV))?;
        }
        if let Some(p) = self.grants_parquet.as_mut() {
            let df = batch.grants.into_frame(&self.scenarios)?;
            if df.height() > 0 {
                p.write(df)
                    .with_context(|| cannot_write(&self.dir, GRANTS_PARQUET))?;
            }
        }
        Ok(())
    }

    /// Finishes every file (summary and report from the partial sums) and renames them into
    /// place. Returns the paths written.
    pub fn finish(mut self, info: &RunInfo) -> Result<Vec<PathBuf>> {
        if let Some(w) = self.grants_csv.as_mut() {
            w.flush()
                .with_context(|| cannot_write(&self.dir, GRANTS_CSV))?;
        }
        self.rejects
            .flush()
            .with_context(|| cannot_write(&self.dir, REJECTS_CSV))?;
        if let Some(w) = self.audit.as_mut() {
            w.flush()
                .with_context(|| cannot_write(&self.dir, AUDIT_CSV))?;
        }
        if self.selection.sums() {
            self.summary_and_report(info)?;
        }
        // Last: the summary and the report were made while the Parquet thread finished.
        if let Some(p) = self.grants_parquet.as_mut() {
            p.finish()
                .with_context(|| cannot_write(&self.dir, GRANTS_PARQUET))?;
        }
        // Every writer has been finished or flushed above: the data is in the files.
        let pending = std::mem::take(&mut self.pending);
        // A signal now waits until the set is whole, new or previous.
        let busy = cleanup::busy().ok_or_else(interrupted)?;
        let tag = format!("{}.{}", cleanup::tag(), cleanup::token());
        let mut written = commit::replace_all(&self.dir, &ALL, pending, &tag)?;
        drop(busy);
        written.sort();
        self.finished = true;
        Ok(written)
    }

    /// summary.csv, summary.xlsx and report.html (those asked for), from the one summary.
    fn summary_and_report(&mut self, info: &RunInfo) -> Result<()> {
        self.summary.name_scenarios(&self.scenarios);
        let table = summary::table(&self.summary);
        if self.selection.summary {
            let w = self.open_late(SUMMARY_CSV)?;
            summary::write_csv(&table, w).with_context(|| cannot_write(&self.dir, SUMMARY_CSV))?;
        }
        if self.selection.xlsx {
            let bytes = workbook::render(&self.summary, &table)?;
            let mut w = self.open_late(SUMMARY_XLSX)?;
            std::io::Write::write_all(&mut w, &bytes)
                .and_then(|()| std::io::Write::flush(&mut w))
                .with_context(|| cannot_write(&self.dir, SUMMARY_XLSX))?;
        }
        if self.selection.report {
            let html = report::render(
                info,
                &self.summary,
                &self.tally.ranked(),
                &self.selection.files(),
            )?;
            let mut w = self.open_late(REPORT_HTML)?;
            std::io::Write::write_all(&mut w, html.as_bytes())
                .and_then(|()| std::io::Write::flush(&mut w))
                .with_context(|| cannot_write(&self.dir, REPORT_HTML))?;
        }
        Ok(())
    }

    fn open_late(&mut self, name: &'static str) -> Result<BufWriter<File>> {
        let _busy = cleanup::busy().ok_or_else(interrupted)?;
        let tmp = temp_in(&self.dir, name)
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        let (file, temp) = tmp.into_parts();
        self.pending.push(Pending { temp, name });
        Ok(BufWriter::new(file))
    }
}

/// What a failed write says: the output it was for (the temporary name means nothing).
fn cannot_write(dir: &Path, name: &str) -> String {
    format!("cannot write {}", dir.join(name).display())
}

fn interrupted() -> anyhow::Error {
    anyhow::anyhow!("interrupted")
}

/// One row of rejects.csv, as its writer writes it.
/// A temporary file for an output in `dir`, created as any new file is (0666 less the umask:
/// 0644 under umask 022) rather than tempfile's private 0600, so that colleagues can read the
/// output it becomes.
fn temp_in(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.{}.", cleanup::tag());
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

impl Drop for Outputs {
    fn drop(&mut self) {
        // Scratch files go whatever the outcome.
        self.scratch = None;
        if !self.finished {
            // The temporary files go with `pending`; leave no empty directory behind either.
            self.pending.clear();
            if let Some(top) = &self.created_dir {
                if let Some(lock) = &self.lock {
                    lock.remove_file();
                }
                cleanup::remove_empty_dirs(&self.dir, top);
            }
        }
        cleanup::unwatch(&self.dir);
    }
}
