//! Text encodings of the exports: UTF-8 (with or without BOM), CP932 (Shift_JIS as Excel
//! writes it) and UTF-16 (Excel's 「Unicode テキスト」, with its BOM). Decoding is strict — a byte that is not text in the chosen encoding stops the
//! run with its offset, because a replaced character could silently change a code or amount.

use encoding_rs::{
    Decoder, DecoderResult, Encoding as RsEncoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE,
};
use std::fmt;
use std::io::{self, Read};

/// An encoding of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-31J / CP932, the Shift_JIS of Excel on Japanese Windows.
    #[value(
        name = "cp932",
        alias = "shift_jis",
        alias = "sjis",
        alias = "windows-31j"
    )]
    Cp932,
    /// UTF-16, little-endian: Excel's 「Unicode テキスト」 on Windows (tab-separated).
    #[value(name = "utf-16le", alias = "utf16le", alias = "utf-16")]
    Utf16Le,
    /// UTF-16, big-endian.
    #[value(name = "utf-16be", alias = "utf16be")]
    Utf16Be,
}

impl Encoding {
    pub(super) fn rs(self) -> &'static RsEncoding {
        match self {
            Encoding::Utf8 => UTF_8,
            // encoding_rs's Shift_JIS is the WHATWG one, i.e. Windows-31J (CP932).
            Encoding::Cp932 => SHIFT_JIS,
            Encoding::Utf16Le => UTF_16LE,
            Encoding::Utf16Be => UTF_16BE,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Cp932 => "CP932",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many bytes [`detect`] looks at.
pub const SAMPLE: usize = 1 << 16;

/// Why [`detect`] would not name an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Undetected {
    #[error("the text is neither UTF-8 nor CP932 (Shift_JIS); give --encoding if you know it")]
    NotText,
    /// Every other byte NUL: UTF-16 saved without its byte-order mark.
    #[error(
        "the text looks like UTF-16 without a byte-order mark (every other byte is 0); give \
         --encoding utf-16le (Windows) or utf-16be"
    )]
    Utf16WithoutBom,
    /// Bytes that CP932 reads only as rare kanji or half-width kana, and Windows-1252 as
    /// accented letters (`José` would become `Jos馥`): a guess could change names silently.
    #[error(
        "the text is not UTF-8, and reads as CP932 only as rare kanji or half-width kana: it \
         looks like Windows-1252 (Western European), which onshi does not read. Save it as \
         UTF-8, or give --encoding cp932 if it is Japanese"
    )]
    NotJapanese,
}

/// Guesses the encoding from the start of a file: a BOM or valid UTF-8 means UTF-8; text that
/// decodes as CP932 and reads as Japanese means CP932.
pub fn detect(sample: &[u8]) -> Result<Encoding, Undetected> {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return Ok(Encoding::Utf8);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return Ok(Encoding::Utf16Le);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return Ok(Encoding::Utf16Be);
    }
    if looks_like_utf16(sample) {
        return Err(Undetected::Utf16WithoutBom);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return Ok(Encoding::Utf8),
        // A character cut at the end of the sample is not an error.
        Err(e) if e.error_len().is_none() => return Ok(Encoding::Utf8),
        Err(_) => {}
    }
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(sample.len() * 3 / 2 + 16);
    let (result, _) = decoder.decode_to_string_without_replacement(sample, &mut out, false);
    match result {
        DecoderResult::Malformed(..) => Err(Undetected::NotText),
        _ if !reads_as_japanese(sample) && is_windows_1252(sample) => Err(Undetected::NotJapanese),
        DecoderResult::InputEmpty | DecoderResult::OutputFull => Ok(Encoding::Cp932),
    }
}

/// Whether the bytes of one parity are mostly NUL, as in UTF-16 text of ASCII headers and
/// digits (CSV text in UTF-8 or CP932 holds no NUL at all).
fn looks_like_utf16(sample: &[u8]) -> bool {
    // NUL padding at the end (some exporters fill a block with it) says nothing.
    let end = sample
        .iter()
        .rposition(|&b| b != 0 && b != 0x1A)
        .map_or(0, |i| i + 1);
    let text = &sample[..end];
    let pairs = text.len() / 2;
    let nul_at = |parity: usize| {
        text.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    pairs >= 4 && (even * 2 > pairs && odd * 8 < pairs || odd * 2 > pairs && even * 8 < pairs)
}

/// Whether CP932 text has more common Japanese characters (lead bytes 0x81–0x9F: kana,
/// punctuation, JIS level-1 kanji) than rare ones (half-width kana, level-2 kanji, lead bytes
/// 0xE0–0xFC) — the bytes of accented Latin letters fall in the second group.
fn reads_as_japanese(sample: &[u8]) -> bool {
    let (mut common, mut rare) = (0_usize, 0_usize);
    let mut i = 0;
    while i < sample.len() {
        match sample[i] {
            0x81..=0x9F => (common, i) = (common + 1, i + 2),
            0xE0..=0xFC => (rare, i) = (rare + 1, i + 2),
            0xA1..=0xDF => (rare, i) = (rare + 1, i + 1),
            _ => i += 1,
        }
    }
    common > rare
}

/// Whether every byte is a character of Windows-1252 (it leaves five bytes undefined).
fn is_windows_1252(sample: &[u8]) -> bool {
    !sample
        .iter()
        .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
}

/// A byte that is not text in the file's encoding.
#[derive(Debug, thiserror::Error)]
#[error("byte {offset} (line {line}) is not valid {encoding}")]
pub struct DecodeError {
    pub encoding: Encoding,
    /// Offset of the first bad byte from the start of the file.
    pub offset: u64,
    /// 1-based line of the decoded text where it stands.
    pub line: u64,
}

/// A line longer than any export writes: the input is not CSV text (`/dev/zero`, a binary
/// file), and reading on would only grow memory until the allocator gives up.
#[derive(Debug, thiserror::Error)]
#[error("line {line} is longer than {} MiB: this is not a CSV export", MAX_LINE >> 20)]
pub struct LineTooLong {
    pub line: u64,
}

/// The longest physical line read (64 MiB), and the longest quoted value.
pub const MAX_LINE: u64 = 64 << 20;

/// A quote that opens a value and never closes: every line after it would be read as part of
/// that one value, so the run stops rather than compute a row from the rest of the file.
#[derive(Debug, thiserror::Error)]
#[error(
    "line {line}: a quote (\") opens a value that {how}; every line after it would be read as part \
     of that value. Close the quote or remove it"
)]
pub struct UnclosedQuote {
    pub line: u64,
    how: &'static str,
}

/// Where the decoded text stands in CSV's quoting (enough to know whether the file ends
/// inside a quoted value; csv-core itself does not say).
#[derive(Debug, Clone, Copy)]
enum Quoting {
    Outside,
    /// Inside a quoted value that opened at this offset of the decoded text.
    Inside(u64),
    /// Just after a quote inside a quoted value: `""` (an escaped quote) or the closing one.
    AfterQuote(u64),
}

/// Reads UTF-8 out of a reader of `encoding` (a BOM is dropped), failing on malformed input.
pub struct DecodingReader<R> {
    inner: R,
    encoding: Encoding,
    decoder: Decoder,
    input: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
    output: Box<[u8]>,
    out_pos: usize,
    out_len: usize,
    /// Bytes of the source consumed by the decoder.
    consumed: u64,
    newlines: u64,
    /// Bytes decoded since the last line feed.
    line_len: u64,
    /// Bytes handed out before the current block.
    out_offset: u64,
    /// Offsets (in the decoded text) of the line feeds not yet passed by [`Self::line_at`],
    /// and how many were passed: the true line of any later offset.
    line_feeds: std::collections::VecDeque<u64>,
    lines_passed: u64,
    /// A CR that ended the last block: dropped if the next block starts with LF.
    pending_cr: bool,
    eof: bool,
    done: bool,
    quoting: Quoting,
    /// The last byte of the previous block (a quote opens a value only at a field's start).
    last_byte: Option<u8>,
    /// The byte between cells (a quote after it opens a value).
    delimiter: u8,
}

impl<R> std::fmt::Debug for DecodingReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodingReader")
            .field("encoding", &self.encoding)
            .field("consumed", &self.consumed)
            .finish_non_exhaustive()
    }
}

impl<R: Read> DecodingReader<R> {
    pub fn new(inner: R, encoding: Encoding) -> Self {
        const BUF: usize = 1 << 16;
        DecodingReader {
            inner,
            encoding,
            decoder: encoding.rs().new_decoder_with_bom_removal(),
            input: vec![0; BUF].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
            // CP932 needs at most 3 UTF-8 bytes per 2 input bytes; keep room for that.
            output: vec![0; BUF * 2 + 16].into_boxed_slice(),
            out_pos: 0,
            out_len: 0,
            consumed: 0,
            newlines: 0,
            line_len: 0,
            out_offset: 0,
            line_feeds: std::collections::VecDeque::new(),
            lines_passed: 0,
            pending_cr: false,
            eof: false,
            done: false,
            quoting: Quoting::Outside,
            last_byte: None,
            delimiter: b',',
        }
    }

    /// Reads cells separated by `delimiter` (`,` unless told).
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// The physical line (from 1) where a record starting at `offset` of the decoded text
    /// begins: blank lines at the offset (which the CSV reader skips) are stepped over. Offsets
    /// asked for must not go back: the line feeds before them are forgotten.
    pub fn line_at(&mut self, mut offset: u64) -> u64 {
        while let Some(&lf) = self.line_feeds.front() {
            if lf > offset {
                break;
            }
            if lf == offset {
                offset += 1; // a blank line
            }
            self.line_feeds.pop_front();
            self.lines_passed += 1;
        }
        self.lines_passed + 1
    }

    /// The physical line of a decoded offset not yet passed by [`Self::line_at`].
    fn line_of(&self, offset: u64) -> u64 {
        let before = self
            .line_feeds
            .iter()
            .take_while(|&&lf| lf < offset)
            .count();
        self.lines_passed + before as u64 + 1
    }

    /// Bytes of the file decoded so far (for progress).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.in_pos == self.in_len && !self.eof {
            let n = self.inner.read(&mut self.input)?;
            self.in_pos = 0;
            self.in_len = n;
            self.eof = n == 0;
        }
        // Byte 0 is kept free for a CR held back from the previous block.
        let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
            &self.input[self.in_pos..self.in_len],
            &mut self.output[1..],
            self.eof,
        );
        self.in_pos += read;
        self.consumed += read as u64;
        let emit_cr = self.pending_cr
            && ((written > 0 && self.output[1] != b'\n') || (written == 0 && self.eof));
        let start = if emit_cr {
            self.output[0] = b'\r';
            0
        } else {
            1
        };
        if written > 0 || self.eof {
            self.pending_cr = false;
        }
        self.out_len = crlf_to_lf(&mut self.output[..1 + written], start);
        if self.out_len > start && self.output[self.out_len - 1] == b'\r' && !self.eof {
            self.out_len -= 1;
            self.pending_cr = true;
        }
        self.out_pos = start;
        // A CR left after CRLF became LF ends a line alone (old Mac files, or lines of
        // several sources pasted together): it becomes LF, so that every line end the CSV
        // reader sees is one the line count sees.
        let block = &mut self.output[start..self.out_len];
        let mut at = 0;
        while let Some(i) = memchr::memchr(b'\r', &block[at..]) {
            block[at + i] = b'\n';
            at += i + 1;
        }
        let block = &self.output[start..self.out_len];
        let base = self.out_offset;
        let before = self.line_feeds.len();
        self.line_feeds
            .extend(memchr::memchr_iter(b'\n', block).map(|i| base + i as u64));
        self.quoting = scan_quotes(self.quoting, block, base, self.last_byte, self.delimiter);
        self.last_byte = block.last().copied().or(self.last_byte);
        self.newlines += (self.line_feeds.len() - before) as u64;
        self.out_offset += block.len() as u64;
        self.line_len = match memchr::memrchr(b'\n', block) {
            Some(last) => (block.len() - last - 1) as u64,
            None => self.line_len + block.len() as u64,
        };
        if self.line_len > MAX_LINE {
            let line = self.newlines + 1;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LineTooLong { line },
            ));
        }
        if let Quoting::Inside(open) | Quoting::AfterQuote(open) = self.quoting {
            let unclosed = |how| {
                let line = self.line_of(open);
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    UnclosedQuote { line, how },
                ))
            };
            let done = self.eof && matches!(result, DecoderResult::InputEmpty);
            if matches!(self.quoting, Quoting::Inside(_)) && done {
                return unclosed("never closes");
            }
            if self.out_offset - open > MAX_LINE {
                return unclosed("does not close within 64 MiB");
            }
        }
        match result {
            DecoderResult::InputEmpty if self.eof => self.done = true,
            DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, extra) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    DecodeError {
                        encoding: self.encoding,
                        offset: self.consumed - u64::from(bad) - u64::from(extra),
                        line: self.newlines + 1,
                    },
                ));
            }
        }
        Ok(())
    }
}

/// Follows CSV's quoting through one block of decoded text (`base`: its offset): a quote at a
/// field's start opens a value, `""` inside it is a quote, a lone quote closes it. Quotes are
/// found with memchr, so a file without them costs one scan.
fn scan_quotes(
    mut state: Quoting,
    block: &[u8],
    base: u64,
    mut prev: Option<u8>,
    delimiter: u8,
) -> Quoting {
    let mut i = 0;
    loop {
        match state {
            Quoting::Outside => {
                let Some(q) = memchr::memchr(b'"', &block[i..]).map(|j| i + j) else {
                    return state;
                };
                if q > 0 {
                    prev = Some(block[q - 1]);
                }
                if prev.is_none_or(|p| p == delimiter || p == b'\n' || p == b'\r') {
                    state = Quoting::Inside(base + q as u64);
                }
                prev = Some(b'"');
                i = q + 1;
            }
            Quoting::Inside(open) => {
                let Some(q) = memchr::memchr(b'"', &block[i..]).map(|j| i + j) else {
                    return state;
                };
                state = Quoting::AfterQuote(open);
                i = q + 1;
            }
            Quoting::AfterQuote(open) => {
                let Some(&b) = block.get(i) else {
                    return state;
                };
                state = if b == b'"' {
                    Quoting::Inside(open)
                } else {
                    Quoting::Outside
                };
                prev = Some(b'"');
                i += usize::from(b == b'"');
            }
        }
    }
}

/// Turns CRLF into LF in `buf[start..]` in place (Excel writes CRLF; the CSV reader counts
/// lines right only with LF). Returns the new end.
fn crlf_to_lf(buf: &mut [u8], start: usize) -> usize {
    // Most exports have no CR at all: find the first before moving any byte.
    let Some(first) = memchr::memchr(b'\r', &buf[start..]) else {
        return buf.len();
    };
    let mut w = start + first;
    let mut r = w;
    while r < buf.len() {
        let b = buf[r];
        if !(b == b'\r' && buf.get(r + 1) == Some(&b'\n')) {
            buf[w] = b;
            w += 1;
        }
        r += 1;
    }
    w
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out_len {
            if self.done {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Encodes UTF-8 text as `encoding` (for `onshi gen`); None when a character has no CP932 form.
/// UTF-16 gets its byte-order mark, as Excel writes it.
pub fn encode(text: &str, encoding: Encoding) -> Option<Vec<u8>> {
    let utf16 = |bytes: fn(u16) -> [u8; 2]| {
        let mut out = Vec::with_capacity(text.len() * 2 + 2);
        for unit in std::iter::once(0xFEFF).chain(text.encode_utf16()) {
            out.extend_from_slice(&bytes(unit));
        }
        Some(out)
    };
    match encoding {
        Encoding::Utf8 => Some(text.as_bytes().to_vec()),
        Encoding::Utf16Le => utf16(u16::to_le_bytes),
        Encoding::Utf16Be => utf16(u16::to_be_bytes),
        Encoding::Cp932 => {
            let mut encoder = SHIFT_JIS.new_encoder();
            let mut out = Vec::with_capacity(text.len());
            let mut rest = text;
            loop {
                out.reserve(rest.len() + 16);
                let (result, read) =
                    encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
                rest = &rest[read..];
                match result {
                    encoding_rs::EncoderResult::InputEmpty => return Some(out),
                    encoding_rs::EncoderResult::OutputFull => continue,
                    encoding_rs::EncoderResult::Unmappable(_) => return None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], enc: Encoding) -> io::Result<String> {
        let mut s = String::new();
        // Tiny reads exercise characters split between buffers.
        let mut r = DecodingReader::new(bytes, enc);
        r.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn detects_utf8_bom_and_cp932() {
        let text = "医療機関等コード,名称\n13,1234,5,山田医院\n";
        assert_eq!(detect(text.as_bytes()), Ok(Encoding::Utf8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(detect(&bom), Ok(Encoding::Utf8));
        let sjis = encode(text, Encoding::Cp932).unwrap();
        assert_eq!(detect(&sjis), Ok(Encoding::Cp932));
        assert_eq!(detect(b"\x80\x80\xFF\xFF"), Err(Undetected::NotText));
        // A UTF-8 character cut by the end of the sample.
        let cut = &text.as_bytes()[..2];
        assert_eq!(detect(cut), Ok(Encoding::Utf8));
        // Half-width kana names under a Japanese header are still Japanese.
        let kana = encode(
            "医療機関等コード,名称\n1,ﾔﾏﾀﾞｲｲﾝ\n2,ｽｽﾞｷｸﾘﾆｯｸ\n",
            Encoding::Cp932,
        )
        .unwrap();
        assert_eq!(detect(&kana), Ok(Encoding::Cp932));
    }

    /// `José` in Windows-1252 decodes as CP932 (`Jos馥`): not a guess to make silently.
    #[test]
    fn western_text_is_not_taken_for_cp932() {
        assert_eq!(
            detect(b"code,name\n1,Jos\xe9phine Clinic\n2,Caf\xe9s\n"),
            Err(Undetected::NotJapanese)
        );
    }

    #[test]
    fn decodes_and_drops_the_bom() {
        let text = "種別,総事業費\n病院,￥1,234円\n①②髙﨑\n";
        let sjis = encode(text, Encoding::Cp932).unwrap();
        assert_eq!(decode(&sjis, Encoding::Cp932).unwrap(), text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom, Encoding::Utf8).unwrap(), text);
    }

    #[test]
    fn a_bad_byte_is_an_error_with_its_offset_and_line() {
        let mut bytes = "a,b\nc,d\n".as_bytes().to_vec();
        bytes.push(0xFF);
        let e = decode(&bytes, Encoding::Utf8).unwrap_err();
        let d = e.get_ref().unwrap().downcast_ref::<DecodeError>().unwrap();
        assert_eq!((d.offset, d.line), (8, 3));
    }

    #[test]
    fn crlf_and_a_lone_cr_become_lf_even_across_blocks() {
        // A CRLF split at the 64 KiB block boundary, and a lone CR: each one line end.
        let mut text = "x".repeat((1 << 16) - 1);
        text.push_str("\r\nA\rB\r\n");
        let out = decode(text.as_bytes(), Encoding::Utf8).unwrap();
        assert_eq!(&out[out.len() - 5..], "\nA\nB\n");
        assert_eq!(out.len(), text.len() - 2);
        let sjis = encode("a,b\r\n\"c\r\nd\",e\r\n", Encoding::Cp932).unwrap();
        assert_eq!(decode(&sjis, Encoding::Cp932).unwrap(), "a,b\n\"c\nd\",e\n");
    }

    fn unclosed_line(bytes: &[u8]) -> Option<u64> {
        let e = decode(bytes, Encoding::Utf8).err()?;
        Some(e.get_ref()?.downcast_ref::<UnclosedQuote>()?.line)
    }

    #[test]
    fn a_quote_that_never_closes_is_an_error_naming_its_line() {
        assert_eq!(unclosed_line(b"a,b\n1,2\n3,\"x\n4,5\n6,7\n"), Some(3));
        // Closed, escaped, a literal quote inside an unquoted value, a value over two lines.
        let fine = "a,b\n1,\"x,\"\"y\"\"\"\n2,5\" screen\n\"multi\nline\",3\n\"\"\n";
        assert_eq!(unclosed_line(fine.as_bytes()), None);
        // A quote opening across a block boundary, then never closing.
        let mut long = "x\n".repeat(40_000);
        long.push_str("1,\"");
        long.push_str(&"y\n".repeat(40_000));
        assert_eq!(unclosed_line(long.as_bytes()), Some(40_001));
        // The file ends just after a closing quote.
        assert_eq!(unclosed_line(b"a\n\"b\""), None);
    }

    #[test]
    fn long_input_crosses_buffers() {
        let text = "医療機関,あいう\n".repeat(20_000);
        let sjis = encode(&text, Encoding::Cp932).unwrap();
        assert_eq!(decode(&sjis, Encoding::Cp932).unwrap(), text);
    }
}
