//! Opening an input CSV: encoding detection, strict decoding, physical line numbers.

use anyhow::{Context, Result, bail};
use csv::StringRecord;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::columns::Header;
use super::encoding::{self, DecodingReader, Encoding};

/// An input's bytes: a file or standard input, read once from the start (never seeked, so a
/// pipe works as a file does).
pub type Input = Box<dyn Read + Send>;

/// A CSV reader over decoded text.
type TextReader = csv::Reader<DecodingReader<BufReader<Input>>>;

/// The rows of an input: CSV text (with its file, when it is a regular file), or a sheet of
/// an Excel workbook.
pub enum CsvReader {
    Csv(Box<TextReader>, Option<FileWatch>),
    Sheet(super::sheet::SheetRows),
}

/// What a regular file is when it is opened: the same file, unchanged, has the same identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Identity {
    fn of(meta: &std::fs::Metadata) -> Identity {
        #[cfg(unix)]
        let (dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (dev, ino) = (0, 0);
        Identity {
            dev,
            ino,
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A regular file being read, to tell afterwards whether it changed meanwhile (written to,
/// or replaced at its path by another file).
pub struct FileWatch {
    file: File,
    path: std::path::PathBuf,
    at_open: Identity,
}

impl FileWatch {
    fn new(file: &File, path: &Path) -> Option<FileWatch> {
        let meta = file.metadata().ok().filter(std::fs::Metadata::is_file)?;
        Some(FileWatch {
            file: file.try_clone().ok()?,
            path: path.to_owned(),
            at_open: Identity::of(&meta),
        })
    }

    /// Stops the run when the file is no longer what it was when opened.
    pub fn check(&self, name: &str) -> Result<()> {
        let now = self.file.metadata().map(|m| Identity::of(&m)).ok();
        let at_path = std::fs::metadata(&self.path).map(|m| Identity::of(&m)).ok();
        if now != Some(self.at_open) || at_path != Some(self.at_open) {
            bail!(changed(name));
        }
        Ok(())
    }
}

/// What a run says of an input that changed while it was read.
pub fn changed(name: &str) -> String {
    format!(
        "{name} changed while it was being read (written to, or replaced by another file); \
         nothing was written: run again once the file is complete"
    )
}

/// Whether `path` is a regular file, which can be read twice (a pipe, a FIFO or a socket
/// cannot, nor standard input).
pub fn is_regular_file(path: &Path) -> bool {
    path.as_os_str() != STDIN && std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

impl CsvReader {
    /// The input's name in messages and rejects (`file.xlsx[Sheet]` for a sheet).
    pub fn name(&self, path: &Path) -> String {
        match self {
            CsvReader::Csv(..) => display_name(path),
            CsvReader::Sheet(s) => s.name.clone(),
        }
    }

    /// Bytes read so far (for progress; a workbook is read whole at the start).
    pub fn consumed(&self) -> u64 {
        match self {
            CsvReader::Csv(r, _) => r.get_ref().consumed(),
            CsvReader::Sheet(s) => s.len,
        }
    }

    /// What the file was when opened (None: not a regular file).
    pub fn identity(&self) -> Option<Identity> {
        match self {
            CsvReader::Csv(_, w) => w.as_ref().map(|w| w.at_open),
            CsvReader::Sheet(_) => None,
        }
    }

    /// What a failed read of the file says: that the file changed, when it did (its bytes
    /// are then no fault of the export), else the fault.
    pub fn read_error(&self, name: &str, e: csv::Error) -> anyhow::Error {
        match self.check_unchanged(name) {
            Err(changed) => changed,
            Ok(()) => anyhow::Error::new(e).context(format!("{name}: cannot read")),
        }
    }

    /// Stops the run when the file changed since it was opened (a workbook is read whole at
    /// the start, a pipe cannot be asked).
    pub fn check_unchanged(&self, name: &str) -> Result<()> {
        match self {
            CsvReader::Csv(_, Some(w)) => w.check(name),
            _ => Ok(()),
        }
    }
}

/// The character between a text file's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Delimiter {
    /// `,`: CSV.
    Comma,
    /// A tab: Excel's 「テキスト (タブ区切り)」 and 「Unicode テキスト」.
    Tab,
}

impl Delimiter {
    fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
        }
    }

    /// The delimiter of a file whose decoded first line is `header`: tabs when it has more
    /// tabs than commas.
    fn detect(header: &str) -> Delimiter {
        let count = |c: char| header.chars().filter(|&h| h == c).count();
        match count('\t') > count(',') {
            true => Delimiter::Tab,
            false => Delimiter::Comma,
        }
    }
}

/// How a text input is read: its encoding and delimiter, each detected when not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<Delimiter>,
}

/// How a path names standard input.
pub const STDIN: &str = "-";

/// The name of an input in messages.
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == STDIN {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// [`open`], then the header matched to `table`: the `required` columns must be there.
pub fn open_with_header<C: Copy + PartialEq>(
    path: &Path,
    options: TextOptions,
    sheet: Option<&str>,
    table: &[(C, &'static str, &'static [&'static str])],
    required: &[C],
) -> Result<(CsvReader, Encoding, u64, Header<C>)> {
    if super::sheet::is_workbook(path) {
        let (mut rows, headers) = super::sheet::SheetRows::open(path, sheet)?;
        let header = Header::read(
            &rows.name,
            headers.iter().map(String::as_str),
            table,
            required,
        )?;
        // A code typed as a number has lost its leading zero: the sheet puts it back.
        let codes = header
            .found
            .iter()
            .filter(|(c, _, _)| {
                table
                    .iter()
                    .any(|(t, canon, _)| t == c && *canon == "institution_code")
            })
            .map(|(_, i, _)| *i)
            .collect();
        rows.set_code_columns(codes);
        let len = rows.len;
        return Ok((CsvReader::Sheet(rows), Encoding::Utf8, len, header));
    }
    let name = display_name(path);
    let (mut reader, encoding, len, watch) = open(path, options)?;
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        // Reading the header reads ahead: a fault further down names its own line.
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
            return Err(e).with_context(|| format!("{name}: cannot read"));
        }
        Err(e) => return Err(e).with_context(|| format!("{name}: cannot read the header")),
    };
    let header =
        Header::read(&name, headers.iter(), table, required).map_err(
            |e| match separated_otherwise(&headers) {
                Some(hint) => e.context(hint),
                None => e,
            },
        )?;
    Ok((
        CsvReader::Csv(Box::new(reader), watch),
        encoding,
        len,
        header,
    ))
}

/// What a header read as one cell says of its separators, when they are not the delimiter
/// the file was read with.
fn separated_otherwise(headers: &csv::StringRecord) -> Option<&'static str> {
    let only = (headers.len() == 1).then(|| headers.get(0)).flatten()?;
    match () {
        () if only.contains('\t') => {
            Some("the header's cells are separated by tabs: give --delimiter tab")
        }
        () if only.contains(';') => Some(
            "the header's cells are separated by semicolons, which onshi does not read: save \
             the file as CSV (commas) or tab-separated text",
        ),
        () => None,
    }
}

/// Opens `path` (`-`: standard input) as CSV with a header row: (reader, encoding, size in
/// bytes, 0 when unknown, and the file's watch when it is a regular file). The encoding is
/// detected from the first 64 KiB, which are then read again from memory: nothing is seeked.
fn open(
    path: &Path,
    options: TextOptions,
) -> Result<(TextReader, Encoding, u64, Option<FileWatch>)> {
    let name = display_name(path);
    let (mut input, len, watch): (Input, u64, _) = if path.as_os_str() == STDIN {
        (Box::new(std::io::stdin()), 0, None)
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let watch = FileWatch::new(&file, path);
        (Box::new(file), len, watch)
    };
    let mut sample = Vec::with_capacity(encoding::SAMPLE);
    (&mut input)
        .take(encoding::SAMPLE as u64)
        .read_to_end(&mut sample)
        .with_context(|| format!("cannot read {name}"))?;
    let encoding = match options
        .encoding
        .map_or_else(|| encoding::detect(&sample), Ok)
    {
        Ok(e) => e,
        Err(why) => bail!("{name}: {why}"),
    };
    let delimiter = options.delimiter.unwrap_or_else(|| {
        let (text, _) = encoding.rs().decode_with_bom_removal(&sample);
        Delimiter::detect(text.lines().next().unwrap_or(""))
    });
    let input: Input = Box::new(std::io::Cursor::new(sample).chain(input));
    let reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // Short or long rows are checked per column, not refused as a whole file.
        .flexible(true)
        .delimiter(delimiter.byte())
        .buffer_capacity(1 << 16)
        .from_reader(
            DecodingReader::new(BufReader::with_capacity(1 << 16, input), encoding)
                .with_delimiter(delimiter.byte()),
        );
    Ok((reader, encoding, len, watch))
}

/// Reads up to `max` records into `records` (reusing their buffers, adding records as needed);
/// returns how many were read, 0 at the end of the file.
pub fn read_chunk(
    reader: &mut CsvReader,
    records: &mut Vec<StringRecord>,
    max: usize,
) -> csv::Result<usize> {
    let reader = match reader {
        CsvReader::Csv(r, _) => r,
        CsvReader::Sheet(s) => return Ok(s.read_chunk(records, max)),
    };
    let mut n = 0;
    while n < max {
        make_room(records, n);
        if !reader.read_record(&mut records[n])? {
            break;
        }
        true_line(reader, &mut records[n]);
        n += 1;
        // Old DOS tools end a file with Ctrl-Z, some exporters pad it with NULs: a last line
        // of nothing else is not a row. Anywhere else it is one (and rejected for it).
        if is_padding(&records[n - 1]) {
            make_room(records, n);
            if !reader.read_record(&mut records[n])? {
                return Ok(n - 1);
            }
            true_line(reader, &mut records[n]);
            n += 1;
        }
    }
    Ok(n)
}

/// Makes sure `records` has a record at `n` to read into, sized like the record before it:
/// grown value by value, a record would be reallocated several times.
fn make_room(records: &mut Vec<StringRecord>, n: usize) {
    if n == records.len() {
        let (bytes, fields) = records
            .last()
            .map_or((0, 0), |r| (r.as_byte_record().as_slice().len(), r.len()));
        records.push(StringRecord::with_capacity(
            bytes.next_power_of_two(),
            fields,
        ));
    }
}

/// Whether a record is only Ctrl-Z (0x1A) and NUL bytes, in one cell or several.
fn is_padding(record: &StringRecord) -> bool {
    let bytes = record.as_byte_record().as_slice();
    !bytes.is_empty() && bytes.iter().all(|&b| b == 0x1A || b == 0)
}

/// Sets the record's line to its physical line: the CSV reader does not count the blank lines
/// it skips, the decoder counts every line feed.
fn true_line(reader: &mut TextReader, record: &mut StringRecord) {
    if let Some(pos) = record.position() {
        let mut pos = pos.clone();
        pos.set_line(reader.get_mut().line_at(pos.byte()));
        record.set_position(Some(pos));
    }
}

/// The 1-based physical line where a record starts (the header is line 1; a quoted value
/// with line breaks makes its record span several lines).
pub fn line_of(record: &StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

/// One record written back as a CSV line (for rejects: the row as it was read; a workbook
/// cell that is not a value as the sheet shows it).
pub fn raw(record: &StringRecord) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let shown = record
        .iter()
        .map(|c| super::sheet::fault(c).map_or(c, |(_, shown)| shown));
    // Writing to memory cannot fail.
    let _ = w.write_record(shown);
    let bytes = w.into_inner().unwrap_or_default();
    let text = String::from_utf8(bytes).unwrap_or_default();
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}
