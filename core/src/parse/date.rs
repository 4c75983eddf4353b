//! Dates: `2021-03-31`, `2021/3/31`, `2021年3月31日`, and 和暦 (`令和3年3月31日`, `令和元年5月1日`,
//! `R3.3.31`, `令3.3.31`, `H31.4.30`, `平成31年4月30日`).

use chrono::{Datelike, NaiveDate};

use super::normalize;
use crate::error::Reason;

/// A Japanese era (元号): its names and the first and last day it was in use.
struct Era {
    names: &'static [&'static str],
    name: &'static str,
    start: (i32, u32, u32),
    end: Option<(i32, u32, u32)>,
}

const ERAS: [Era; 3] = [
    Era {
        names: &["令和", "令", "R"],
        name: "令和",
        start: (2019, 5, 1),
        end: None,
    },
    Era {
        names: &["平成", "平", "H"],
        name: "平成",
        start: (1989, 1, 8),
        end: Some((2019, 4, 30)),
    },
    Era {
        names: &["昭和", "昭", "S"],
        name: "昭和",
        start: (1926, 12, 25),
        end: Some((1989, 1, 7)),
    },
];

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn bad(_: &str) -> Reason {
    Reason::BadDate
}

/// Reads a date in any of the forms above.
pub fn parse_date(text: &str) -> Result<NaiveDate, Reason> {
    plain_iso(text).unwrap_or_else(|| any_form(text))
}

/// [`parse_date`] for every documented form.
fn any_form(text: &str) -> Result<NaiveDate, Reason> {
    let t = normalize(text);
    // Era names: kanji as written, Latin initials in either case.
    let (era, rest) = match ERAS
        .iter()
        .flat_map(|e| e.names.iter().map(move |n| (e, *n)))
        .find(|(_, n)| {
            t.get(..n.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(n))
        }) {
        Some((e, n)) => (Some(e), t[n.len()..].trim_start()),
        None => (None, t.as_ref()),
    };
    // 元年 is year 1.
    let (first, rest) = match era.and(rest.strip_prefix('元')) {
        Some(r) => (Some(1), r),
        None => (None, rest),
    };
    let ([y, m, d], digits) = year_month_day(rest, first).ok_or(Reason::BadDate)?;
    let year = match era {
        Some(e) => {
            if y == 0 || digits > 2 {
                return Err(bad(text));
            }
            e.start.0 + y as i32 - 1
        }
        None => {
            if digits != 4 || y < 1000 {
                return Err(bad(text));
            }
            y as i32
        }
    };
    let date = NaiveDate::from_ymd_opt(year, m, d).ok_or(Reason::NoSuchDay {
        year,
        month: m,
        day: d,
    })?;
    if let Some(e) = era {
        let (start, end) = (ymd(e.start), e.end.map(ymd));
        if date < start || end.is_some_and(|end| date > end) {
            return Err(Reason::OutsideEra { date, era: e.name });
        }
    }
    Ok(date)
}

/// `YYYY-MM-DD` exactly (what most exports write), read as the general path below reads it
/// but without normalising or decoding: None for any other text.
fn plain_iso(text: &str) -> Option<Result<NaiveDate, Reason>> {
    let b: &[u8; 10] = text.as_bytes().try_into().ok()?;
    let digit = |i: usize| b[i].is_ascii_digit().then(|| u32::from(b[i] - b'0'));
    let mut n = [0u32; 8];
    for (k, i) in [0, 1, 2, 3, 5, 6, 8, 9].into_iter().enumerate() {
        n[k] = digit(i)?;
    }
    if b[4] != b'-' || b[7] != b'-' || n[0] == 0 {
        return None;
    }
    let year = (n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3]) as i32;
    let (month, day) = (n[4] * 10 + n[5], n[6] * 10 + n[7]);
    Some(NaiveDate::from_ymd_opt(year, month, day).ok_or(Reason::NoSuchDay { year, month, day }))
}

/// The three numbers of a date and how many digits its year had (元 counts as one), in one
/// of the documented forms only: `Y-M-D`, `Y/M/D`, `Y.M.D` (one separator throughout) or
/// `Y年M月D日`, month and day in one or two digits, nothing after the day but 日. Spaces
/// around the parts are ignored.
fn year_month_day(text: &str, first: Option<u32>) -> Option<([u32; 3], usize)> {
    let mut chars = text.chars().filter(|c| *c != ' ').peekable();
    let (year, year_digits) = match first {
        Some(y) => (y, 1),
        None => number(&mut chars)?,
    };
    let sep = chars.next()?;
    let (month_sep, day_end) = match sep {
        '年' => ('月', Some('日')),
        '-' | '/' | '.' => (sep, None),
        _ => return None,
    };
    let (month, month_digits) = number(&mut chars)?;
    if chars.next()? != month_sep {
        return None;
    }
    let (day, day_digits) = number(&mut chars)?;
    if chars.next() != day_end || chars.next().is_some() || month_digits > 2 || day_digits > 2 {
        return None;
    }
    Some(([year, month, day], year_digits))
}

/// A run of ASCII digits: its value and length (None: no digit, or too large).
fn number(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) -> Option<(u32, usize)> {
    let mut value = 0_u32;
    let mut digits = 0;
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        value = value.checked_mul(10)?.checked_add(c.to_digit(10)?)?;
        digits += 1;
    }
    (digits > 0).then_some((value, digits))
}

/// Writes a date in 和暦, e.g. `令和3年3月31日`, `令和元年5月1日`. Dates before 昭和 are
/// written in the Western calendar.
pub fn format_wareki(date: NaiveDate) -> String {
    for e in &ERAS {
        if date >= ymd(e.start) && e.end.is_none_or(|end| date <= ymd(end)) {
            let y = date.year() - e.start.0 + 1;
            let y = if y == 1 {
                "元".to_owned()
            } else {
                y.to_string()
            };
            return format!("{}{y}年{}月{}日", e.name, date.month(), date.day());
        }
    }
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The fast path reads every `NNNN-NN-NN` exactly as the general one does.
    #[test]
    fn plain_iso_agrees_with_the_general_path() {
        let mut read = 0;
        for year in ["0999", "1000", "2020", "2021", "2024", "9999"] {
            for month in 0..100 {
                for day in 0..100 {
                    let text = format!("{year}-{month:02}-{day:02}");
                    match plain_iso(&text) {
                        Some(r) => {
                            assert_eq!(r, any_form(&text), "{text}");
                            read += 1;
                        }
                        None => assert_eq!(year, "0999", "{text}"),
                    }
                }
            }
        }
        assert_eq!(read, 5 * 100 * 100);
        for other in [
            "2021-2-01",
            "2021/02/01",
            " 2021-02-01",
            "２０２１-02-01",
            "2021-02-0a",
        ] {
            assert_eq!(plain_iso(other), None, "{other}");
        }
    }

    #[test]
    fn reads_every_surface_form() {
        for (s, want) in [
            ("2021-03-31", "2021-03-31"),
            ("2021/3/31", "2021-03-31"),
            ("2021.3.31", "2021-03-31"),
            ("2021年3月31日", "2021-03-31"),
            ("令和3年3月31日", "2021-03-31"),
            ("令和元年5月1日", "2019-05-01"),
            ("R3.3.31", "2021-03-31"),
            ("r3.3.31", "2021-03-31"),
            ("令3.3.31", "2021-03-31"),
            ("H31.4.30", "2019-04-30"),
            ("平成31年4月30日", "2019-04-30"),
            ("２０２１／３／３１", "2021-03-31"),
            ("令和３年３月３１日", "2021-03-31"),
            ("S64.1.7", "1989-01-07"),
        ] {
            assert_eq!(parse_date(s).unwrap(), d(want), "{s}");
        }
    }

    #[test]
    fn refuses_impossible_dates_naming_them() {
        for (s, code) in [
            ("2021-02-30", "impossible_date"),
            ("2021-13-01", "impossible_date"),
            ("R3.2.29", "impossible_date"),
            ("H31.5.1", "impossible_date"),
            ("令和元年4月30日", "impossible_date"),
            ("2021-03", "bad_date"),
            ("31/03/2021", "bad_date"),
            ("tomorrow", "bad_date"),
            ("", "bad_date"),
            ("2021年3月", "bad_date"),
            ("2021日3月31年", "bad_date"),
            // Only the documented forms: nothing after the day, one separator, short parts.
            ("2021-03-31-", "bad_date"),
            ("R3.3.31.", "bad_date"),
            ("2021年3月31", "bad_date"),
            ("2021-0003-31", "bad_date"),
            ("2021-03-031", "bad_date"),
            ("2021-03/31", "bad_date"),
            ("2021 3 31", "bad_date"),
            ("R003.3.31", "bad_date"),
            ("02021-3-31", "bad_date"),
        ] {
            let e = parse_date(s).unwrap_err();
            assert_eq!(e.id(), code, "{s}");
        }
    }

    #[test]
    fn writes_wareki() {
        assert_eq!(format_wareki(d("2021-03-31")), "令和3年3月31日");
        assert_eq!(format_wareki(d("2019-05-01")), "令和元年5月1日");
        assert_eq!(format_wareki(d("2019-04-30")), "平成31年4月30日");
        assert_eq!(format_wareki(d("1989-01-08")), "平成元年1月8日");
    }
}
