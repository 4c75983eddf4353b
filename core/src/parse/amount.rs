//! Amounts (`1,234,567`, `1,234,567円`, `￥1,234,567`, full-width digits) and counts.

use super::normalize;
use crate::error::Reason;
use crate::money::Yen;

/// Reads an amount of whole yen no larger than `max`.
pub fn parse_amount(text: &str, max: u64) -> Result<Yen, Reason> {
    if let Some(v) = plain_digits(text) {
        return match u64::try_from(v) {
            Ok(v) if v <= max => Ok(Yen::new(v as i64)),
            _ => Err(Reason::AbsurdAmount { max }),
        };
    }
    amount_any_form(text, max)
}

/// [`parse_amount`] for every accepted form.
fn amount_any_form(text: &str, max: u64) -> Result<Yen, Reason> {
    let t = normalize(text);
    let body = t
        .strip_prefix('¥')
        .or_else(|| t.strip_prefix('\\'))
        .unwrap_or(&t);
    let body = super::trim(body);
    let body = super::trim(body.strip_suffix('円').unwrap_or(body));
    if body.is_empty() {
        return Err(Reason::EmptyAmount);
    }
    if body.starts_with(['-', '△', '▲']) {
        return Err(Reason::NegativeAmount);
    }
    let value = match body.split_once('万') {
        Some((man, rest)) => man_amount(super::trim(man), super::trim(rest))?,
        None => grouped_digits(body).ok_or_else(|| {
            if body.contains('.') {
                Reason::FractionalAmount
            } else {
                Reason::BadAmount
            }
        })?,
    };
    let value = u64::try_from(value)
        .ok()
        .filter(|v| *v <= max)
        .ok_or(Reason::AbsurdAmount { max })?;
    Ok(Yen::new(value as i64))
}

/// The value of `28万`, `27.9万`, `27.995万` or `27万9,950`, exactly: ten thousand yen (万円)
/// as the page and quotes write them. A decimal that leaves a fraction of a yen is refused as
/// such (`27.99951万`), so no amount is rounded on the way in.
fn man_amount(man: &str, rest: &str) -> Result<u128, Reason> {
    let (whole, decimals) = man.split_once('.').unwrap_or((man, ""));
    let whole = grouped_digits(whole).ok_or(Reason::BadAmount)?;
    if !decimals.bytes().all(|b| b.is_ascii_digit()) || (man.contains('.') && decimals.is_empty()) {
        return Err(Reason::BadAmount);
    }
    // Four decimals of 万 are whole yen; a digit beyond them other than 0 is a fraction.
    let mut fraction: u128 = 0;
    for (i, b) in decimals
        .bytes()
        .chain(*b"0000")
        .take(decimals.len().max(4))
        .enumerate()
    {
        match i {
            0..4 => fraction = fraction * 10 + u128::from(b - b'0'),
            _ if b != b'0' => return Err(Reason::FractionalAmount),
            _ => {}
        }
    }
    let below = match rest {
        "" => 0,
        _ if !decimals.is_empty() => return Err(Reason::BadAmount),
        _ => grouped_digits(rest)
            .filter(|v| *v < 10_000)
            .ok_or(Reason::BadAmount)?,
    };
    Ok(whole * 10_000 + fraction + below)
}

/// Reads a whole count (`2`, `２台`, `40,000回`).
pub fn parse_count(text: &str) -> Result<u64, Reason> {
    if let Some(v) = plain_digits(text) {
        return u64::try_from(v).map_err(|_| Reason::BadCount);
    }
    count_any_form(text)
}

/// [`parse_count`] for every accepted form.
fn count_any_form(text: &str) -> Result<u64, Reason> {
    let t = normalize(text);
    let body = super::trim(t.trim_end_matches(['台', '回', '枚']));
    grouped_digits(body)
        .and_then(|d| u64::try_from(d).ok())
        .ok_or_else(|| {
            if body.starts_with('-') {
                Reason::NegativeCount
            } else {
                Reason::BadCount
            }
        })
}

/// Plain ASCII digits, at most 30 as in [`grouped_digits`] (most cells): read without
/// normalising, with what the general path would give.
fn plain_digits(text: &str) -> Option<u128> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 30 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u128, |v, d| v * 10 + u128::from(d - b'0')))
}

/// The value of `1234567` or `1,234,567` (commas only between groups of three). At most 30
/// characters, so the value always fits: the caller judges its size.
fn grouped_digits(s: &str) -> Option<u128> {
    if s.is_empty() || s.len() > 30 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, g) in s.split(',').enumerate() {
        let ok = !g.is_empty()
            && g.bytes().all(|b| b.is_ascii_digit())
            && (i == 0 && (g.len() <= 3 || !s.contains(',')) || i > 0 && g.len() == 3);
        if !ok {
            return None;
        }
        for b in g.bytes() {
            value = value * 10 + u128::from(b - b'0');
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = 1_000_000_000;

    /// Plain digits read by the fast path give what the general path gives.
    #[test]
    fn plain_digits_agree_with_the_general_path() {
        let long = "9".repeat(30);
        let longer = "9".repeat(31);
        let texts = [
            "0",
            "7",
            "000123",
            "1000000000",
            "1000000001",
            "18446744073709551615",
            "18446744073709551616",
            &long,
            &longer,
        ];
        for t in texts {
            assert_eq!(parse_amount(t, MAX), amount_any_form(t, MAX), "{t}");
            assert_eq!(parse_count(t), count_any_form(t), "{t}");
        }
        for n in (0..2_000_000u64).step_by(997) {
            let t = n.to_string();
            assert_eq!(parse_amount(&t, MAX), amount_any_form(&t, MAX), "{t}");
            assert_eq!(parse_count(&t), count_any_form(&t), "{t}");
        }
    }

    #[test]
    fn reads_surface_forms() {
        for s in [
            "1234567",
            "1,234,567",
            "1,234,567円",
            "￥1,234,567",
            "¥1234567",
            "１，２３４，５６７円",
            "\\1,234,567",
            " 1,234,567 円 ",
        ] {
            assert_eq!(parse_amount(s, MAX).unwrap(), Yen::new(1_234_567), "{s}");
        }
        assert_eq!(parse_amount("0", MAX).unwrap(), Yen::ZERO);
    }

    /// 万円 as people write it, read exactly: the figures are worked by hand.
    #[test]
    fn reads_ten_thousands_exactly() {
        for (s, yen) in [
            ("28万円", 280_000),
            ("28万", 280_000),
            ("２８万円", 280_000),
            ("27.9万円", 279_000),
            ("２７．９万円", 279_000),
            ("27.995万円", 279_950),
            ("27.99950万円", 279_995),
            ("27万9,950円", 279_950),
            ("27万9950円", 279_950),
            ("1,234万円", 12_340_000),
            ("￥28万", 280_000),
            (" 0.5万 円", 5_000),
        ] {
            assert_eq!(parse_amount(s, MAX).unwrap(), Yen::new(yen), "{s}");
        }
        for (s, code) in [
            ("27.99951万円", "bad_amount"),
            ("万円", "bad_amount"),
            ("28.万円", "bad_amount"),
            ("27.9万5,000円", "bad_amount"),
            ("28万10,000円", "bad_amount"),
            ("28万万円", "bad_amount"),
            ("1.2.3万円", "bad_amount"),
            ("-28万円", "negative_amount"),
            ("100,001万円", "absurd_amount"),
        ] {
            assert_eq!(parse_amount(s, MAX).unwrap_err().id(), code, "{s}");
        }
        // A fraction of a yen is named as such, not as an unreadable amount.
        assert_eq!(
            parse_amount("27.99951万円", MAX).unwrap_err(),
            Reason::FractionalAmount
        );
    }

    #[test]
    fn refuses_bad_amounts_naming_the_value() {
        for (s, code) in [
            ("", "empty"),
            ("-5", "negative_amount"),
            ("△1,000", "negative_amount"),
            ("12,34", "bad_amount"),
            ("1234.5", "bad_amount"),
            ("abc", "bad_amount"),
            ("1,000,000,001", "absurd_amount"),
            ("99999999999999999999999", "absurd_amount"),
        ] {
            assert_eq!(parse_amount(s, MAX).unwrap_err().id(), code, "{s}");
        }
    }

    #[test]
    fn reads_counts() {
        assert_eq!(parse_count("３台").unwrap(), 3);
        assert_eq!(parse_count("40,000").unwrap(), 40_000);
        assert_eq!(parse_count("-1").unwrap_err().id(), "negative_count");
        assert_eq!(parse_count("two").unwrap_err().id(), "bad_count");
    }
}
