//! A workbook's ZIP package, checked before any cell is read: every part is read whole, so a
//! part whose bytes fail their CRC (a flipped byte, a file cut short) stops the run instead of
//! being read as other numbers. And the date formats of Japanese Excel's built-in 和暦 styles
//! (number formats 27–36 and 50–58, which a workbook names by number only) are made known to
//! the reader, so that their cells read as the dates they show.

use anyhow::{Context, Result, bail};
use std::io::{Cursor, Read, Write};
use std::path::Path;

/// The largest part read (uncompressed): the national file's sheet is about 60 MB.
const MAX_PART: u64 = 2 << 30;

/// Built-in number formats that are dates in the Japanese (and other East Asian) Excel, named
/// by their id alone; the reader knows only the Western ones (14–22).
const EAST_ASIAN_DATE_FORMATS: [std::ops::RangeInclusive<u32>; 2] = [27..=36, 50..=58];

/// The workbook's bytes, checked, with its styles completed where they need it.
pub fn checked(path: &Path, file: &str) -> Result<Cursor<Vec<u8>>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {file}"))?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
        .with_context(|| format!("cannot open {file} as a workbook (not a ZIP package)"))?;
    let mut styles = None;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .with_context(|| format!("{file}: cannot read part {i} of the workbook"))?;
        let name = part.name().to_owned();
        if part.size() > MAX_PART {
            bail!("{file}: the part {name} is larger than 2 GiB: this is not an export");
        }
        // Reading to the end checks the CRC.
        let mut content = Vec::with_capacity(usize::try_from(part.size()).unwrap_or(0));
        part.read_to_end(&mut content).map_err(|e| {
            anyhow::anyhow!(
                "{file}: the workbook is damaged ({name}: {e}); open and save it again in Excel, \
                 or export it anew"
            )
        })?;
        if name == "xl/styles.xml" {
            styles = Some((i, content));
        }
    }
    drop(zip);
    let patched = styles.and_then(|(i, xml)| completed_styles(&xml).map(|x| (i, x)));
    match patched {
        None => Ok(Cursor::new(bytes)),
        Some((index, xml)) => rewrite(&bytes, index, &xml, file).map(Cursor::new),
    }
}

/// The package with part `index` (the styles) replaced by `xml`, every other part copied as
/// it is.
fn rewrite(bytes: &[u8], index: usize, xml: &[u8], file: &str) -> Result<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 1024)));
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i)?;
        if i == index {
            let name = part.name().to_owned();
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            out.start_file(name, options)?;
            out.write_all(xml)?;
        } else {
            out.raw_copy_file(part)?;
        }
    }
    let cursor = out
        .finish()
        .with_context(|| format!("{file}: cannot read its styles"))?;
    Ok(cursor.into_inner())
}

/// `styles.xml` with its date formats made plain to the reader, None when they are already:
/// the East Asian built-in ones declared, and custom ones whose code the reader misreads.
fn completed_styles(xml: &[u8]) -> Option<Vec<u8>> {
    let declared = with_east_asian_dates(xml);
    let text = declared.as_deref().unwrap_or(xml);
    with_plain_custom_dates(text).or(declared)
}

/// `styles.xml` with each custom date format written with entities (`&quot;年&quot;`, as Excel
/// writes every quoted text) given a plain date code: the reader takes the entity's `;` for
/// the end of the format's first section and the date for a number. What it shows does not
/// matter here, only that it is a date.
fn with_plain_custom_dates(xml: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(xml).ok()?;
    let formats = section(text, "numFmts")?;
    let start = text.find(formats)?;
    let mut patched = formats.to_owned();
    let mut changed = false;
    for (at, _) in formats.match_indices("<numFmt ") {
        let tag = &formats[at..at + formats[at..].find('>')?];
        let Some(code) = attribute(tag, "formatCode") else {
            continue;
        };
        if code.contains('&') && is_date_code(&unescape(code)) {
            patched = patched.replacen(tag, &tag.replace(code, "yyyy/mm/dd"), 1);
            changed = true;
        }
    }
    let end = start + formats.len();
    changed.then(|| format!("{}{patched}{}", &text[..start], &text[end..]).into_bytes())
}

/// An attribute's raw value in a tag (either quote).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let value = tag.split(&format!("{name}=")).nth(1)?;
    let quote = value.chars().next()?;
    value[1..].split(quote).next()
}

/// XML's five entities, as a format code uses them.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Whether a number format code shows a date: outside quoted text, `[…]` and escaped
/// characters, its first section has a year, day or era (和暦 `g`, `e`) code.
fn is_date_code(code: &str) -> bool {
    let first = code.split(';').next().unwrap_or("");
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    let mut prev = ' ';
    for c in first.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' | '_' => escaped = true,
            '"' => quoted = !quoted,
            _ if quoted => {}
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            'y' | 'Y' | 'd' | 'D' | 'g' | 'G' => return true,
            // `e` is the era's year; `E+` after a digit is scientific notation.
            'e' | 'E' if !prev.is_ascii_digit() => return true,
            _ => {}
        }
        prev = c;
    }
    false
}

/// `styles.xml` with a date format declared for each East Asian built-in date format its
/// cell styles use without declaring it; None when there is none.
fn with_east_asian_dates(xml: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(xml).ok()?;
    let xfs = section(text, "cellXfs")?;
    let declared = section(text, "numFmts").map_or_else(Vec::new, |s| ids(s, "numFmt"));
    let mut missing: Vec<u32> = ids(xfs, "xf")
        .into_iter()
        .filter(|id| EAST_ASIAN_DATE_FORMATS.iter().any(|r| r.contains(id)))
        .filter(|id| !declared.contains(id))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return None;
    }
    // The reader needs only to know that they are dates; what it shows is the cell's date.
    let formats: String = missing
        .iter()
        .map(|id| format!(r#"<numFmt numFmtId="{id}" formatCode="yyyy\-mm\-dd"/>"#))
        .collect();
    let patched = match text.find("<numFmts") {
        Some(at) => {
            let open_end = at + text[at..].find('>')? + 1;
            let self_closing = text[..open_end].ends_with("/>");
            match self_closing {
                true => format!(
                    "{}<numFmts>{formats}</numFmts>{}",
                    &text[..at],
                    &text[open_end..]
                ),
                false => format!("{}{formats}{}", &text[..open_end], &text[open_end..]),
            }
        }
        None => {
            let sheet = text.find("<styleSheet")?;
            let open_end = sheet + text[sheet..].find('>')? + 1;
            format!(
                "{}<numFmts>{formats}</numFmts>{}",
                &text[..open_end],
                &text[open_end..]
            )
        }
    };
    Some(patched.into_bytes())
}

/// The text of the element `name` (its first), from its opening tag to its closing one.
fn section<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{name}"))?;
    let end = text[start..]
        .find(&format!("</{name}>"))
        .map_or(text.len(), |e| start + e);
    Some(&text[start..end])
}

/// The `numFmtId` of every `<element …>` in `text`.
fn ids(text: &str, element: &str) -> Vec<u32> {
    let open = format!("<{element}");
    text.match_indices(&open)
        // `<xf` must not match `<xfs…`: the next character ends the name.
        .filter(|(at, _)| {
            text[at + open.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_whitespace() || c == '/' || c == '>')
        })
        .filter_map(|(at, _)| {
            let tag = &text[at..at + text[at..].find('>')?];
            let value = tag.split("numFmtId=").nth(1)?;
            let quote = value.chars().next()?;
            value[1..].split(quote).next()?.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: &str = r#"<?xml version="1.0"?><styleSheet xmlns="x"><fonts count="1"/><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="57" applyNumberFormat="1"/><xf numFmtId='31'/></cellXfs></styleSheet>"#;

    #[test]
    fn east_asian_date_styles_are_declared_as_dates() {
        let patched = String::from_utf8(with_east_asian_dates(STYLES.as_bytes()).unwrap()).unwrap();
        assert!(
            patched.contains(r#"<styleSheet xmlns="x"><numFmts><numFmt numFmtId="31" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="57""#),
            "{patched}"
        );
        // Declared already (or none used): nothing to do.
        assert!(with_east_asian_dates(patched.as_bytes()).is_none());
        let plain = STYLES.replace("57", "3").replace("'31'", "'4'");
        assert!(with_east_asian_dates(plain.as_bytes()).is_none());
        let with_formats = STYLES.replace(
            "<fonts",
            r#"<numFmts count="1"><numFmt numFmtId="176" formatCode="0"/></numFmts><fonts"#,
        );
        let p = String::from_utf8(with_east_asian_dates(with_formats.as_bytes()).unwrap()).unwrap();
        assert!(
            p.contains(r#"<numFmts count="1"><numFmt numFmtId="31""#),
            "{p}"
        );
        assert!(
            p.contains(r#"<numFmt numFmtId="176" formatCode="0"/></numFmts>"#),
            "{p}"
        );
    }

    #[test]
    fn custom_date_codes_with_entities_are_made_plain() {
        let xml = r##"<styleSheet><numFmts count="3"><numFmt numFmtId="176" formatCode="[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="#,##0&quot;円&quot;"/><numFmt numFmtId="178" formatCode="0.00E+00"/></numFmts><cellXfs><xf numFmtId="176"/></cellXfs></styleSheet>"##;
        let p = String::from_utf8(completed_styles(xml.as_bytes()).unwrap()).unwrap();
        assert!(
            p.contains(r#"<numFmt numFmtId="176" formatCode="yyyy/mm/dd"/>"#),
            "{p}"
        );
        assert!(p.contains(r##"formatCode="#,##0&quot;円&quot;""##), "{p}");
        assert!(p.contains(r#"formatCode="0.00E+00""#), "{p}");
        for (code, date) in [
            ("yyyy/m/d", true),
            ("[$-411]ge.m.d", true),
            ("#,##0\"円\"", false),
            ("0.00E+00", false),
            ("h:mm", false),
            ("\"day\"0", false),
        ] {
            assert_eq!(is_date_code(code), date, "{code}");
        }
    }
}
