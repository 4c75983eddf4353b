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
    let value = grouped_digits(body).ok_or_else(|| {
        if body.contains('.') {
            Reason::FractionalAmount
        } else {
            Reason::BadAmount
        }
    })?;
    let value = u64::try_from(value)
        .ok()
        .filter(|v| *v <= max)
        .ok_or(Reason::AbsurdAmount { max })?;
    Ok(Yen::new(value as i64))
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
