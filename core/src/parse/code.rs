//! 医療機関コード / 薬局コード — the 10-digit institution code (docs/rules.md).

use serde::{Serialize, Serializer};
use std::fmt;

use super::normalize;
use crate::error::Reason;
use crate::model::Kind;
use crate::rules::RuleSet;

/// A checked institution code: prefecture (2) + 点数表 (1) + 郡市区 (2) + number (4) + check (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstitutionCode {
    digits: [u8; 10],
    /// Accepted by the pre-1976 6-digit check of prefectures 11–14 (a Decision), not the
    /// 9-digit one: worth a warning.
    legacy_check: bool,
}

impl InstitutionCode {
    /// The code with its check digit computed (9-digit Luhn, docs/rules.md): prefecture 1–47,
    /// 点数表 1/3/4, 郡市区 0–99, number 0–9999. None when a part is out of range.
    pub fn new(prefecture: u8, fee_schedule: u8, district: u8, number: u16) -> Option<Self> {
        if !(1..=47).contains(&prefecture)
            || ![1, 3, 4].contains(&fee_schedule)
            || district > 99
            || number > 9999
        {
            return None;
        }
        let mut digits = [0u8; 10];
        let head = format!("{prefecture:02}{fee_schedule}{district:02}{number:04}");
        for (d, c) in digits.iter_mut().zip(head.bytes()) {
            *d = c - b'0';
        }
        digits[9] = (0..10u8).find(|c| {
            digits[9] = *c;
            luhn_ok(&digits)
        })?;
        Some(InstitutionCode {
            digits,
            legacy_check: false,
        })
    }

    /// 都道府県番号 — JIS X 0401, 1 to 47.
    pub fn prefecture(&self) -> u8 {
        self.digits[0] * 10 + self.digits[1]
    }

    /// 点数表番号 — 1 医科, 3 歯科, 4 調剤.
    pub fn fee_schedule(&self) -> u8 {
        self.digits[2]
    }

    pub fn legacy_check(&self) -> bool {
        self.legacy_check
    }

    /// Written with separators as exports do: `34,1,07,1236,2`.
    pub fn formatted(&self) -> String {
        let s = self.to_string();
        format!(
            "{},{},{},{},{}",
            &s[0..2],
            &s[2..3],
            &s[3..5],
            &s[5..9],
            &s[9..10]
        )
    }
}

impl InstitutionCode {
    /// The ten digits as ASCII (no allocation: bulk outputs write millions of codes).
    pub fn ascii(&self) -> [u8; 10] {
        self.digits.map(|d| b'0' + d)
    }
}

impl fmt::Display for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.ascii();
        f.write_str(std::str::from_utf8(&a).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for InstitutionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The Luhn check over digit values (0–9), rightmost first undoubled; at most the first 10.
/// Written out rather than through a string: codes are checked millions of times a run.
fn luhn_ok(digits: &[u8]) -> bool {
    let digits = &digits[..digits.len().min(10)];
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 { d } else { d / 5 + (2 * d) % 10 }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Whether a 点数表 digit fits a kind (4 only for pharmacies; 1 or 3 for the others).
pub fn kind_fits(schedule: u8, kind: Kind) -> Result<(), Reason> {
    if kind.fee_schedules().contains(&schedule) {
        Ok(())
    } else {
        Err(Reason::KindMismatch {
            digit: schedule,
            kind,
        })
    }
}

/// Reads and checks an institution code. Separators (`,` `-` `・` `.` spaces) and full-width
/// digits are accepted; `kind`, when known, must agree with the 点数表 digit.
pub fn parse_institution_code(
    text: &str,
    kind: Option<Kind>,
    rules: &RuleSet,
) -> Result<InstitutionCode, Reason> {
    let t = normalize(text);
    let mut digits = [0u8; 10];
    let mut n = 0;
    for c in t.chars() {
        match c {
            '0'..='9' => {
                if n < 10 {
                    digits[n] = c as u8 - b'0';
                }
                n += 1;
            }
            ',' | '-' | '・' | '.' | ' ' | '/' => {}
            _ => {
                return Err(Reason::BadCodeCharacter(c));
            }
        }
    }
    if n != 10 {
        return Err(Reason::BadCodeLength(n));
    }
    let pref = digits[0] * 10 + digits[1];
    if !(1..=47).contains(&pref) {
        return Err(Reason::BadPrefecture(pref));
    }
    let schedule = digits[2];
    if ![1, 3, 4].contains(&schedule) {
        return Err(Reason::BadFeeSchedule(schedule));
    }
    if let Some(kind) = kind {
        kind_fits(schedule, kind)?;
    }
    if luhn_ok(&digits) {
        return Ok(InstitutionCode {
            digits,
            legacy_check: false,
        });
    }
    let legacy = &rules.file().institution_code.legacy_check_prefectures.value;
    if legacy.contains(&pref) && luhn_ok(&digits[3..10]) {
        return Ok(InstitutionCode {
            digits,
            legacy_check: true,
        });
    }
    let expected = (0..10u8)
        .find(|c| {
            let mut d = digits;
            d[9] = *c;
            luhn_ok(&d)
        })
        .unwrap_or(0);
    Err(Reason::BadCheckDigit {
        found: digits[9],
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The written-out check agrees with the `luhn` crate on every 6-digit string and on
    /// 7-, 9- and 10-digit strings spread over their range.
    #[test]
    fn luhn_agrees_with_the_crate() {
        let check = |n: u64, width: usize| {
            let text = format!("{n:0width$}");
            let digits: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
            assert_eq!(luhn_ok(&digits), luhn::valid(&text), "{text}");
        };
        for n in 0..1_000_000 {
            check(n, 6);
        }
        for width in [7, 9, 10] {
            let top = 10u64.pow(width as u32);
            for k in 0..200_000u64 {
                check(k.wrapping_mul(0x9E37_79B9_7F4A_7C15) % top, width);
            }
        }
        assert!(!luhn_ok(&[]));
    }

    const KNOWN: [&str; 4] = ["3410712362", "0110113719", "0110112489", "0140342262"];

    #[test]
    fn new_computes_the_check_digit_of_known_codes() {
        for k in KNOWN {
            let d: Vec<u16> = k.bytes().map(|b| u16::from(b - b'0')).collect();
            let code = InstitutionCode::new(
                (d[0] * 10 + d[1]) as u8,
                d[2] as u8,
                (d[3] * 10 + d[4]) as u8,
                d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8],
            )
            .unwrap();
            assert_eq!(code.to_string(), k);
        }
        assert!(InstitutionCode::new(48, 1, 0, 0).is_none());
        assert!(InstitutionCode::new(13, 2, 0, 0).is_none());
    }

    #[test]
    fn known_codes_pass_and_every_one_digit_change_fails() {
        let rules = RuleSet::embedded();
        for code in KNOWN {
            let c = parse_institution_code(code, None, &rules).unwrap();
            assert_eq!(c.to_string(), code);
            assert!(!c.legacy_check());
            for pos in 0..10 {
                for digit in b'0'..=b'9' {
                    let mut b = code.as_bytes().to_vec();
                    if b[pos] == digit {
                        continue;
                    }
                    b[pos] = digit;
                    let changed = String::from_utf8(b).unwrap();
                    // Prefectures 11–14 may pass the 6-digit legacy check instead: only a
                    // code accepted by the ordinary check would be a miss of the check digit.
                    if let Ok(c) = parse_institution_code(&changed, None, &rules) {
                        assert!(c.legacy_check(), "{changed} (from {code}) passed");
                    }
                }
            }
        }
    }

    #[test]
    fn separators_and_full_width_are_normalized() {
        let rules = RuleSet::embedded();
        for s in [
            "34,1,07,1236,2",
            "34-107-1236-2",
            "３４１０７１２３６２",
            "34・1・07・1236・2",
            " 3410712362 ",
        ] {
            assert_eq!(
                parse_institution_code(s, Some(Kind::Hospital), &rules)
                    .unwrap()
                    .to_string(),
                "3410712362",
                "{s}"
            );
        }
    }

    #[test]
    fn refuses_with_reasons() {
        let rules = RuleSet::embedded();
        let code = |s: &str, k| parse_institution_code(s, k, &rules).unwrap_err().id();
        assert_eq!(code("341071236", None), "bad_code_length");
        assert_eq!(code("34107123621", None), "bad_code_length");
        assert_eq!(code("34107x2362", None), "bad_code_character");
        assert_eq!(code("4810712362", None), "bad_prefecture");
        assert_eq!(code("0010712362", None), "bad_prefecture");
        assert_eq!(code("3420712362", None), "bad_fee_schedule");
        assert_eq!(code("0140342262", Some(Kind::Clinic)), "kind_mismatch");
        assert_eq!(code("3410712362", Some(Kind::Pharmacy)), "kind_mismatch");
        assert_eq!(code("3410712363", None), "bad_check_digit");
    }

    #[test]
    fn legacy_check_in_prefectures_11_to_14_only() {
        let rules = RuleSet::embedded();
        // 13 1 071236 x: choose x so the 6-digit check passes and the 9-digit one fails.
        let with = |pref: &str| -> String {
            let body = format!("{pref}107123");
            let mut found = None;
            for c in 0..10 {
                let s = format!("{body}{c}");
                let six: Vec<u8> = s.as_bytes()[3..10].iter().map(|b| b - b'0').collect();
                let ten: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
                if luhn_ok(&six) && !luhn_ok(&ten) {
                    found = Some(s);
                }
            }
            found.unwrap()
        };
        let tokyo = with("131");
        let c = parse_institution_code(&tokyo, None, &rules).unwrap();
        assert!(c.legacy_check());
        let osaka = with("271");
        assert_eq!(
            parse_institution_code(&osaka, None, &rules)
                .unwrap_err()
                .id(),
            "bad_check_digit"
        );
    }
}
