//! Large inputs without holding them whole. Above `--spill-above` bytes of input, the codes of
//! the institutions and the line items are written to hash partitions in a scratch directory
//! under the output directory; each partition is joined in memory on its own (which rows
//! repeat a code, which items go to which rows), and the result is written sorted by the
//! institution's line. The rows then stream as before, each chunk taking its share from a
//! merge of the partitions' runs. Line items' rejects are sorted by line on disk. Memory is
//! bounded by a partition, not by the file; the outputs are the same bytes as in memory.

use anyhow::{Context, Result};
use onshi_core::parse::InstitutionCode;
use onshi_core::{Field, LineItem, LineItemCategory, Reason, RuleSet, Yen};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::cells::reject_fields;
use super::columns::INSTITUTION_COLUMNS;
use super::encoding::Encoding;
use super::items::{self, Attached, Attachment, ItemRow, ItemsFor};
use super::{Reject, RowError, rows, source};

/// Input bytes (institutions and line items) per partition: a partition's join holds about a
/// tenth of this in memory, two at a time on two cores.
const PARTITION_BYTES: u64 = 32 << 20;
/// The most partitions (open files while partitioning: two per partition).
const MAX_PARTITIONS: u64 = 256;
/// Records read at a time in the pass over the institutions' codes.
const CHUNK: usize = 1 << 15;
/// Rejects held before a sorted run of them is written.
const SORT_BYTES: usize = 16 << 20;
/// Buffer of each file written or read.
const BUF: usize = 1 << 16;
/// A code's entry in a partition: key, line.
const CODE_BYTES: usize = 16;
/// A line item's entry: key, line, good (1) or rejected (0), category, tax included, amount.
const ITEM_BYTES: usize = 27;

/// A map keyed by a code's number (see [`super::CodeMap`] for the hasher).
type KeyMap<V> = std::collections::HashMap<u64, V, foldhash::fast::FixedState>;

/// A code as a number: its ten digits, and whether it passed only the legacy check (two codes
/// are the same key exactly when the core's codes are equal).
fn key(code: &InstitutionCode) -> u64 {
    let digits = code
        .ascii()
        .iter()
        .fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
    digits * 2 + u64::from(code.legacy_check())
}

/// The code's ten digits, as the in-memory run names it.
fn key_text(key: u64) -> String {
    format!("{:010}", key >> 1)
}

/// What the institutions file and its options are, to read it a second time.
pub struct Institutions<'a> {
    pub path: &'a Path,
    /// The file as the first read opened it: the second must open the same, unchanged.
    pub identity: source::Identity,
    pub encoding: Encoding,
    /// The delimiter as given (detected again, the same, from the same file when not).
    pub delimiter: Option<source::Delimiter>,
    pub name: &'a str,
    /// The code column's name as the header writes it.
    pub code_label: &'a str,
}

/// What the line-items file is.
pub struct ItemsInput<'a> {
    pub path: &'a Path,
    pub options: source::TextOptions,
    pub sheet: Option<&'a str>,
}

/// The institution codes of a read of the file, line by line, folded into one number: the
/// two reads of a join on disk must give the same (every line's code, in the same lines).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CodesRead {
    fold: u64,
    codes: u64,
}

impl CodesRead {
    /// Adds the code read at `line` (in the file's order).
    pub fn add(&mut self, line: u64, code: &InstitutionCode) {
        use std::hash::{BuildHasher, Hasher};
        let mut h = foldhash::fast::FixedState::default().build_hasher();
        h.write_u64(self.fold);
        h.write_u64(line);
        h.write_u64(key(code));
        self.fold = h.finish();
        self.codes += 1;
    }
}

/// The result of the partition pass: what the rows take chunk by chunk, and the line items'
/// accounts.
pub struct Spilled {
    /// The codes the partition pass read: the rows' read must end with the same.
    pub codes_read: CodesRead,
    /// By institution line: the rows that repeat a code or have line items.
    attachments: Merge,
    pub items: Option<items::ItemsFile>,
    pub item_rows: u64,
    /// How many hash partitions the inputs were split into.
    pub partitions: usize,
}

/// The partitions for `input_bytes` of input (institutions and line items).
pub fn partitions_for(input_bytes: u64) -> usize {
    input_bytes
        .div_ceil(PARTITION_BYTES)
        .clamp(1, MAX_PARTITIONS) as usize
}

impl Spilled {
    /// Partitions and joins the inputs in `scratch`. Also returns the line items' rejects so
    /// far (their own faults, and items no institution has).
    pub fn prepare(
        scratch: &Path,
        institutions: &Institutions,
        items: Option<&ItemsInput>,
        rules: &RuleSet,
        partitions: usize,
    ) -> Result<(Spilled, Sorter)> {
        let parts = partitions.clamp(1, MAX_PARTITIONS as usize);
        let mut codes = Partitions::create(scratch, "codes", parts)?;
        let mut lines = Partitions::create(scratch, "items", parts)?;
        let mut item_rejects = Sorter::new(scratch, "item-rejects", SORT_BYTES);
        let mut item_rows = 0;
        // A fault in either file stops the other pass (its error is the one reported).
        let stop = AtomicBool::new(false);
        let halt = |_: &anyhow::Error| stop.store(true, Ordering::Relaxed);
        let (indexed, read) = rayon::join(
            || index_codes(institutions, rules, &mut codes, &stop).inspect_err(halt),
            || match items {
                Some(i) => {
                    let each = |rows: Vec<ItemRow>| {
                        if stop.load(Ordering::Relaxed) {
                            anyhow::bail!("stopped: the institutions could not be read");
                        }
                        item_rows += rows.len() as u64;
                        partition_items(rows, &mut lines, &mut item_rejects)
                    };
                    items::read_rows(i.path, i.options, i.sheet, rules, each)
                        .map(Some)
                        .inspect_err(halt)
                }
                None => Ok(None),
            },
        );
        let codes_read = indexed?;
        let items_file = read?;
        let (codes, lines) = (codes.finish()?, lines.finish()?);
        let items_name = items_file.as_ref().map_or("", |f| f.file.as_str());
        let joined: Vec<(PathBuf, Vec<Reject>)> = (0..parts)
            .into_par_iter()
            .map(|p| {
                let run = scratch.join(format!("joined-{p}"));
                let orphans = join(&codes[p], &lines[p], &run, institutions, items_name)?;
                Ok((run, orphans))
            })
            .collect::<Result<_>>()?;
        let mut runs = Vec::with_capacity(parts);
        for (run, orphans) in joined {
            runs.push(run);
            for r in orphans {
                item_rejects.push(&r)?;
            }
        }
        for p in codes.iter().chain(&lines) {
            // Read: the space goes back at once.
            let _ = std::fs::remove_file(p);
        }
        let spilled = Spilled {
            codes_read,
            attachments: Merge::open(&runs)?,
            items: items_file,
            item_rows,
            partitions: parts,
        };
        Ok((spilled, item_rejects))
    }

    /// The attachments of the rows up to `last_line`.
    pub fn take_until(&mut self, last_line: u64) -> Result<Attached> {
        let mut out = Vec::new();
        while let Some((line, payload)) = self.attachments.next_until(last_line)? {
            out.push((line, decode(&payload)?));
        }
        Ok(Attached(out))
    }
}

/// The reject of a good line item whose institution is missing or was rejected.
pub fn orphan_reject(
    items_file: &str,
    line: u64,
    column: &str,
    code: String,
    reason: Reason,
) -> Reject {
    Reject {
        file: items_file.to_owned(),
        line,
        errors: vec![RowError::new(
            column.to_owned(),
            Field::InstitutionCode,
            code,
            reason,
        )],
        record: String::new(),
    }
}

/// Writes each readable code of the institutions file with its line to its partition, and
/// returns what it read. Ends early, with nothing to report, when `stop` is set (the line
/// items failed). The file must be the one the rows are read from, unchanged throughout.
fn index_codes(
    inst: &Institutions,
    rules: &RuleSet,
    parts: &mut Partitions,
    stop: &AtomicBool,
) -> Result<CodesRead> {
    let (mut reader, _, _, header) = source::open_with_header(
        inst.path,
        source::TextOptions {
            encoding: Some(inst.encoding),
            delimiter: inst.delimiter,
        },
        None,
        &INSTITUTION_COLUMNS,
        &[],
    )?;
    if reader.identity() != Some(inst.identity) {
        anyhow::bail!(source::changed(inst.name));
    }
    let mut read = CodesRead::default();
    let mut records = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let n = source::read_chunk(&mut reader, &mut records, CHUNK)
            .map_err(|e| reader.read_error(inst.name, e))?;
        if n == 0 {
            reader.check_unchanged(inst.name)?;
            return Ok(read);
        }
        let keys: Vec<(u64, u64, InstitutionCode)> = records[..n]
            .par_iter()
            .filter_map(|r| {
                let code = rows::code_of(&header, r, rules).1?;
                Some((key(&code), source::line_of(r), code))
            })
            .collect();
        for (k, line, code) in keys {
            read.add(line, &code);
            parts.write(k, |w| {
                w.write_all(&k.to_le_bytes())?;
                w.write_all(&line.to_le_bytes())
            })?;
        }
    }
    Ok(read)
}

/// Good items go to their code's partition; a bad item goes to the rejects, and its line to
/// the partition too when its code reads (its institution is then not computed).
fn partition_items(rows: Vec<ItemRow>, parts: &mut Partitions, rejects: &mut Sorter) -> Result<()> {
    for row in rows {
        let (k, line, item) = match row {
            ItemRow::Good { code, line, item } => (key(&code), line, Some(item)),
            ItemRow::Bad { code, reject } => {
                rejects.push(&reject)?;
                match code {
                    Some(c) => (key(&c), reject.line, None),
                    None => continue,
                }
            }
        };
        parts.write(k, |w| {
            w.write_all(&k.to_le_bytes())?;
            w.write_all(&line.to_le_bytes())?;
            match &item {
                Some(i) => {
                    w.write_all(&[1, category_byte(i.category), u8::from(i.tax_included)])?;
                    w.write_all(&i.amount.whole().to_le_bytes())
                }
                None => w.write_all(&[0; ITEM_BYTES - 16]),
            }
        })?;
    }
    Ok(())
}

fn category_byte(c: LineItemCategory) -> u8 {
    LineItemCategory::ALL
        .iter()
        .position(|x| *x == c)
        .unwrap_or(0) as u8
}

/// Joins one partition: the rows of each code, its items, and the items no row has (their
/// rejects are returned). Writes the rows' attachments sorted by line to `run`.
fn join(
    codes: &Path,
    lines: &Path,
    run: &Path,
    inst: &Institutions,
    items_file: &str,
) -> Result<Vec<Reject>> {
    let mut items: KeyMap<ItemsFor> = KeyMap::default();
    let mut order = Vec::new();
    read_fixed::<ITEM_BYTES>(lines, |b| {
        let (k, line) = (u64_at(b, 0), u64_at(b, 8));
        let entry = items.entry(k).or_insert_with(|| {
            order.push(k);
            ItemsFor::default()
        });
        if b[16] == 1 {
            entry.items.push(LineItem {
                category: LineItemCategory::ALL[usize::from(b[17])],
                tax_included: b[18] == 1,
                amount: Yen::new(u64_at(b, 19) as i64),
            });
            entry.lines.push(line);
        } else {
            entry.bad_lines.push(line);
        }
    })?;
    let mut rows: Vec<(u64, u64)> = Vec::new();
    read_fixed::<CODE_BYTES>(codes, |b| rows.push((u64_at(b, 0), u64_at(b, 8))))?;
    // By code, then line (each partition's lines arrive in file order).
    rows.sort_unstable();
    let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut claimed = KeyMap::<()>::default();
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        let (k, first) = group[0];
        let found = items.get(&k);
        if found.is_some() {
            claimed.insert(k, ());
        }
        for (i, &(_, line)) in group.iter().enumerate() {
            let duplicate_of = (i > 0).then_some(first);
            if duplicate_of.is_some() || found.is_some() {
                out.push((line, encode(duplicate_of, found)));
            }
        }
    }
    out.sort_unstable_by_key(|(line, _)| *line);
    write_run(run, out)?;
    let mut orphans = Vec::new();
    for k in order {
        if claimed.contains_key(&k) {
            continue;
        }
        for &line in &items[&k].lines {
            let reason = Reason::NoInstitution {
                file: inst.name.to_owned(),
            };
            orphans.push(orphan_reject(
                items_file,
                line,
                inst.code_label,
                key_text(k),
                reason,
            ));
        }
    }
    Ok(orphans)
}

/// A row's attachment as written in a run: the first line when a duplicate (0: none), the
/// items (category, tax included, amount, line) and the lines of rejected items.
fn encode(duplicate_of: Option<u64>, items: Option<&ItemsFor>) -> Vec<u8> {
    let empty = ItemsFor::default();
    let items = items.unwrap_or(&empty);
    let mut b = Vec::with_capacity(16 + items.items.len() * 18 + items.bad_lines.len() * 8);
    b.extend(duplicate_of.unwrap_or(0).to_le_bytes());
    b.extend((items.items.len() as u32).to_le_bytes());
    b.extend((items.bad_lines.len() as u32).to_le_bytes());
    for (i, line) in items.items.iter().zip(&items.lines) {
        b.extend([category_byte(i.category), u8::from(i.tax_included)]);
        b.extend(i.amount.whole().to_le_bytes());
        b.extend(line.to_le_bytes());
    }
    for line in &items.bad_lines {
        b.extend(line.to_le_bytes());
    }
    b
}

fn decode(b: &[u8]) -> Result<Attachment> {
    let bad = || anyhow::anyhow!("a scratch file was changed during the run");
    let n = u64_at(b, 0);
    let (good, rejected) = (u32_at(b, 8) as usize, u32_at(b, 12) as usize);
    if b.len() != 16 + good * 18 + rejected * 8 {
        return Err(bad());
    }
    let mut items = ItemsFor::default();
    for e in b[16..16 + good * 18].chunks_exact(18) {
        items.items.push(LineItem {
            category: *LineItemCategory::ALL
                .get(usize::from(e[0]))
                .ok_or_else(bad)?,
            tax_included: e[1] == 1,
            amount: Yen::new(u64_at(e, 2) as i64),
        });
        items.lines.push(u64_at(e, 10));
    }
    for e in b[16 + good * 18..].chunks_exact(8) {
        items.bad_lines.push(u64_at(e, 0));
    }
    Ok(Attachment {
        duplicate_of: (n != 0).then_some(n),
        items,
    })
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

/// Files of fixed-size entries, one per partition of the codes.
struct Partitions {
    paths: Vec<PathBuf>,
    files: Vec<BufWriter<File>>,
}

impl Partitions {
    fn create(dir: &Path, name: &str, n: usize) -> Result<Partitions> {
        let paths: Vec<PathBuf> = (0..n).map(|i| dir.join(format!("{name}-{i}"))).collect();
        let files = paths
            .iter()
            .map(|p| create(p).map(|f| BufWriter::with_capacity(BUF, f)))
            .collect::<Result<_>>()?;
        Ok(Partitions { paths, files })
    }

    /// Writes an entry to the partition of `key` (a mix of its bits: codes share prefixes).
    fn write(
        &mut self,
        key: u64,
        entry: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<()> {
        let n = self.files.len() as u64;
        let p = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % n;
        let i = p as usize;
        entry(&mut self.files[i]).with_context(|| cannot_write(&self.paths[i]))
    }

    fn finish(self) -> Result<Vec<PathBuf>> {
        for (mut f, p) in self.files.into_iter().zip(&self.paths) {
            f.flush().with_context(|| cannot_write(p))?;
        }
        Ok(self.paths)
    }
}

fn create(path: &Path) -> Result<File> {
    File::create(path).with_context(|| cannot_write(path))
}

fn cannot_write(path: &Path) -> String {
    format!("cannot write the scratch file {}", path.display())
}

/// Calls `each` on every `N`-byte entry of `path`.
fn read_fixed<const N: usize>(path: &Path, mut each: impl FnMut(&[u8; N])) -> Result<()> {
    let mut r = BufReader::with_capacity(BUF, File::open(path).with_context(|| cannot_read(path))?);
    let mut entry = [0u8; N];
    loop {
        match r.read_exact(&mut entry) {
            Ok(()) => each(&entry),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e).with_context(|| cannot_read(path)),
        }
    }
}

fn cannot_read(path: &Path) -> String {
    format!("cannot read the scratch file {}", path.display())
}

/// Writes entries (already sorted by key) as a run: key, payload length, payload.
fn write_run(path: &Path, entries: Vec<(u64, Vec<u8>)>) -> Result<()> {
    let mut w = BufWriter::with_capacity(BUF, create(path)?);
    for (k, payload) in entries {
        w.write_all(&k.to_le_bytes())
            .and_then(|()| w.write_all(&(payload.len() as u32).to_le_bytes()))
            .and_then(|()| w.write_all(&payload))
            .with_context(|| cannot_write(path))?;
    }
    w.flush().with_context(|| cannot_write(path))
}

/// One run being read.
struct Run {
    path: PathBuf,
    reader: BufReader<File>,
}

impl Run {
    fn next(&mut self) -> Result<Option<(u64, Vec<u8>)>> {
        let mut head = [0u8; 12];
        match self.reader.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e).with_context(|| cannot_read(&self.path)),
        }
        let mut payload = vec![0; u32_at(&head, 8) as usize];
        self.reader
            .read_exact(&mut payload)
            .with_context(|| cannot_read(&self.path))?;
        Ok(Some((u64_at(&head, 0), payload)))
    }
}

/// Sorted runs read as one sorted sequence (entries of equal key in the order of the runs).
struct Merge {
    runs: Vec<Run>,
    /// Each run's next entry, smallest first.
    heads: BinaryHeap<Reverse<(u64, usize)>>,
    payloads: Vec<Vec<u8>>,
}

impl Merge {
    fn open(paths: &[PathBuf]) -> Result<Merge> {
        let mut m = Merge {
            runs: Vec::with_capacity(paths.len()),
            heads: BinaryHeap::new(),
            payloads: vec![Vec::new(); paths.len()],
        };
        for (i, p) in paths.iter().enumerate() {
            let file = File::open(p).with_context(|| cannot_read(p))?;
            m.runs.push(Run {
                path: p.clone(),
                reader: BufReader::with_capacity(BUF, file),
            });
            m.advance(i)?;
        }
        Ok(m)
    }

    fn advance(&mut self, i: usize) -> Result<()> {
        if let Some((k, payload)) = self.runs[i].next()? {
            self.payloads[i] = payload;
            self.heads.push(Reverse((k, i)));
        }
        Ok(())
    }

    /// The next entry, if its key is at most `bound`.
    fn next_until(&mut self, bound: u64) -> Result<Option<(u64, Vec<u8>)>> {
        match self.heads.peek() {
            Some(Reverse((k, _))) if *k <= bound => {}
            _ => return Ok(None),
        }
        let Some(Reverse((k, i))) = self.heads.pop() else {
            return Ok(None);
        };
        let payload = std::mem::take(&mut self.payloads[i]);
        self.advance(i)?;
        Ok(Some((k, payload)))
    }
}

/// Rejects sorted by line without holding them all: held up to a budget of bytes, then
/// written as sorted runs, merged at the end.
pub struct Sorter {
    dir: PathBuf,
    name: &'static str,
    budget: usize,
    held: Vec<(u64, Vec<u8>)>,
    bytes: usize,
    runs: Vec<PathBuf>,
    pub len: u64,
}

impl Sorter {
    pub fn new(dir: &Path, name: &'static str, budget: usize) -> Sorter {
        Sorter {
            dir: dir.to_owned(),
            name,
            budget,
            held: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
            len: 0,
        }
    }

    pub fn push(&mut self, r: &Reject) -> Result<()> {
        let fields = reject_fields(r);
        let mut payload = Vec::with_capacity(fields.iter().map(|f| f.len() + 4).sum());
        for f in &fields {
            payload.extend((f.len() as u32).to_le_bytes());
            payload.extend(f.as_bytes());
        }
        self.bytes += payload.len() + 32;
        self.held.push((r.line, payload));
        self.len += 1;
        if self.bytes > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        let mut held = std::mem::take(&mut self.held);
        held.sort_by_key(|(line, _)| *line);
        let path = self.dir.join(format!("{}-{}", self.name, self.runs.len()));
        write_run(&path, held)?;
        self.runs.push(path);
        self.bytes = 0;
        Ok(())
    }

    /// Every reject pushed, in line order, as the fields of its row.
    pub fn drain(mut self, mut each: impl FnMut(&[&[u8]]) -> Result<()>) -> Result<()> {
        self.spill()?;
        let mut merge = Merge::open(&self.runs)?;
        while let Some((_, payload)) = merge.next_until(u64::MAX)? {
            let mut fields: Vec<&[u8]> = Vec::with_capacity(9);
            let mut rest = &payload[..];
            while let Some((n, after)) = rest.split_first_chunk::<4>() {
                let n = u32::from_le_bytes(*n) as usize;
                let field = after
                    .get(..n)
                    .ok_or_else(|| anyhow::anyhow!("a scratch file was changed during the run"))?;
                fields.push(field);
                rest = &after[n..];
            }
            each(&fields)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_core::parse::parse_institution_code;

    fn reject(line: u64) -> Reject {
        let error = RowError::new("amount".into(), Field::LineItems, "x", Reason::BadAmount);
        Reject {
            file: "items.csv".into(),
            line,
            errors: vec![error],
            record: format!("row,{line}"),
        }
    }

    #[test]
    fn rejects_come_out_in_line_order_across_sorted_runs() {
        let dir = tempfile::tempdir().unwrap();
        // A budget of one byte: every reject is a run of its own.
        let mut sorter = Sorter::new(dir.path(), "r", 1);
        let lines = [17, 3, 99, 4, 58, 2, 1000, 5];
        for l in lines {
            sorter.push(&reject(l)).unwrap();
        }
        assert_eq!(sorter.runs.len(), lines.len());
        assert_eq!(sorter.len, 8);
        let mut got = Vec::new();
        sorter
            .drain(|fields| {
                let want = reject_fields(&reject(std::str::from_utf8(fields[1])?.parse()?));
                let want: Vec<&[u8]> = want.iter().map(|f| f.as_bytes()).collect();
                assert_eq!(fields, want.as_slice());
                got.push(std::str::from_utf8(fields[1])?.parse::<u64>()?);
                Ok(())
            })
            .unwrap();
        let mut sorted = lines.to_vec();
        sorted.sort_unstable();
        assert_eq!(got, sorted);
    }

    #[test]
    fn a_merge_of_runs_is_one_sorted_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let runs: Vec<PathBuf> = [vec![1, 4, 9], vec![2, 4, 10, 11], vec![], vec![3]]
            .into_iter()
            .enumerate()
            .map(|(i, keys)| {
                let p = dir.path().join(format!("run-{i}"));
                let entries = keys
                    .into_iter()
                    .map(|k| (k, vec![i as u8; k as usize % 3]))
                    .collect();
                write_run(&p, entries).unwrap();
                p
            })
            .collect();
        let mut m = Merge::open(&runs).unwrap();
        let mut upto4 = Vec::new();
        while let Some((k, payload)) = m.next_until(4).unwrap() {
            upto4.push((k, payload));
        }
        // Equal keys in the order of the runs; payloads as written.
        assert_eq!(
            upto4,
            [
                (1, vec![0]),
                (2, vec![1, 1]),
                (3, vec![]),
                (4, vec![0]),
                (4, vec![1])
            ]
        );
        let rest: Vec<u64> = std::iter::from_fn(|| m.next_until(u64::MAX).unwrap())
            .map(|(k, _)| k)
            .collect();
        assert_eq!(rest, [9, 10, 11]);
    }

    #[test]
    fn attachments_and_keys_read_back_as_written() {
        let items = ItemsFor {
            items: vec![LineItem {
                category: LineItemCategory::ALL[9],
                amount: Yen::new(10_000_000_000),
                tax_included: false,
            }],
            lines: vec![7],
            bad_lines: vec![8, 12],
        };
        let a = decode(&encode(Some(5), Some(&items))).unwrap();
        assert_eq!(a.duplicate_of, Some(5));
        assert_eq!(a.items.items, items.items);
        assert_eq!((a.items.lines, a.items.bad_lines), (vec![7], vec![8, 12]));
        let none = decode(&encode(None, None)).unwrap();
        assert_eq!(none.duplicate_of, None);
        assert!(none.items.items.is_empty() && none.items.bad_lines.is_empty());
        assert!(decode(&encode(None, Some(&items))[..20]).is_err());
        let rules = RuleSet::embedded();
        for text in ["0110113719", "3410712362", "4710100001"] {
            let code = parse_institution_code(text, None, &rules).unwrap();
            assert_eq!(key_text(key(&code)), text);
        }
    }
}
