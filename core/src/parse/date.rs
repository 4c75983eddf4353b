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
    let mut parts = [0u32; 3];
    let mut n = 0;
    let mut cur: Option<u32> = first;
    let mut kanji = 0; // how many of 年, 月, 日 were used, in that order
    let mut push = |v: u32, n: &mut usize| -> Result<(), Reason> {
        *parts.get_mut(*n).ok_or_else(|| bad(text))? = v;
        *n += 1;
        Ok(())
    };
    for c in rest.chars() {
        if c.is_ascii_digit() {
            let v = cur.unwrap_or(0);
            cur = Some(
                v.checked_mul(10)
                    .and_then(|v| v.checked_add(c as u32 - '0' as u32))
                    .ok_or_else(|| bad(text))?,
            );
        } else if matches!(c, '-' | '/' | '.' | '年' | '月' | '日' | ' ') {
            match cur.take() {
                Some(v) => {
                    push(v, &mut n)?;
                    match c {
                        '年' | '月' | '日' => {
                            if ['年', '月', '日'].get(kanji) != Some(&c) {
                                return Err(bad(text));
                            }
                            kanji += 1;
                        }
                        ' ' => {}
                        _ => {}
                    }
                }
                None if c == ' ' => {}
                None => return Err(bad(text)),
            }
        } else {
            return Err(bad(text));
        }
    }
    if let Some(v) = cur {
        push(v, &mut n)?;
    }
    // 年月日 must come in that order when used, at least 年 and 月.
    if kanji == 1 || n != 3 {
        return Err(bad(text));
    }
    let [y, m, d] = parts;
    let year = match era {
        Some(e) => {
            if y == 0 || y > 99 {
                return Err(bad(text));
            }
            e.start.0 + y as i32 - 1
        }
        None => {
            if !(1000..=9999).contains(&y) {
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
