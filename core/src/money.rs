//! Exact yen amounts. Money is `rust_decimal`, never binary floating point; in JSON an amount
//! is a whole-yen number.

use rust_decimal::{Decimal, RoundingStrategy, prelude::ToPrimitive};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Add, Sub};

use crate::rules::Rate;

/// An amount of money in yen (円), exact. Equal, ordered and hashed by value, as [`Decimal`] is
/// (`1.0` equals `1`).
#[derive(Debug, Clone, Copy)]
pub struct Yen(Repr);

/// Whole yen — every input amount and nearly every result — are plain integers, so the hot
/// path adds and compares in a couple of instructions; a fraction (a rate that does not divide)
/// or an amount beyond `i64` is kept exactly as a [`Decimal`]. `Whole(v)` stands for the
/// `Decimal` `v` with scale 0, so every result equals the all-`Decimal` computation's
/// (proptest below).
#[derive(Debug, Clone, Copy)]
enum Repr {
    Whole(i64),
    Exact(Decimal),
}

impl Default for Yen {
    fn default() -> Self {
        Yen::ZERO
    }
}

impl Yen {
    pub const ZERO: Yen = Yen(Repr::Whole(0));

    /// Whole yen.
    pub const fn new(yen: i64) -> Self {
        Yen(Repr::Whole(yen))
    }

    pub fn from_decimal(d: Decimal) -> Self {
        if d.scale() == 0
            && let Ok(v) = i64::try_from(d.mantissa())
        {
            return Yen::new(v);
        }
        Yen(Repr::Exact(d))
    }

    pub fn decimal(self) -> Decimal {
        match self.0 {
            Repr::Whole(v) => Decimal::from(v),
            Repr::Exact(d) => d,
        }
    }

    /// The amount in whole yen, cutting off any fraction (amounts shown to people and
    /// written to files are whole yen).
    pub fn whole(self) -> i64 {
        match self.0 {
            Repr::Whole(v) => v,
            Repr::Exact(d) => d.trunc().to_i64().unwrap_or(i64::MAX),
        }
    }

    pub fn is_whole(self) -> bool {
        match self.0 {
            Repr::Whole(_) => true,
            Repr::Exact(d) => d.fract().is_zero(),
        }
    }

    /// `self × rate`, exact (a fraction of a yen may remain; only the final grant is rounded).
    pub fn times(self, rate: Rate) -> Yen {
        let (num, den) = (i64::from(rate.numerator), i64::from(rate.denominator));
        if let Repr::Whole(v) = self.0
            && let Some(product) = v.checked_mul(num)
            && den != 0
            && product % den == 0
        {
            return Yen::new(product / den);
        }
        Yen::from_decimal(
            self.decimal() * Decimal::from(rate.numerator) / Decimal::from(rate.denominator),
        )
    }

    /// `self × rate` rounded down to a multiple of `unit` yen: [`Yen::times`] then
    /// [`Yen::floor_to`], in one integer division when the amount is whole yen (a rate that
    /// does not divide, such as the 10% tax on an odd amount, then needs no `Decimal`).
    pub fn times_floor_to(self, rate: Rate, unit: u64) -> Yen {
        let (num, den) = (i64::from(rate.numerator), i64::from(rate.denominator));
        if let (Repr::Whole(v), Ok(u)) = (self.0, i64::try_from(unit)) {
            // ⌊(v·num/den) / u⌋ · u = ⌊v·num / (den·u)⌋ · u
            let divisor = den.checked_mul(u).filter(|d| *d > 0);
            if let (Some(product), Some(divisor)) = (v.checked_mul(num), divisor)
                && let Some(floored) = product.div_euclid(divisor).checked_mul(u)
            {
                return Yen::new(floored);
            }
        }
        self.times(rate).floor_to(unit)
    }

    /// Rounds down to a multiple of `unit` yen (切り捨て).
    pub fn floor_to(self, unit: u64) -> Yen {
        if let (Repr::Whole(v), Ok(u)) = (self.0, i64::try_from(unit))
            && u > 0
        {
            return Yen::new(v.div_euclid(u) * u);
        }
        let unit = Decimal::from(unit);
        Yen::from_decimal(
            (self.decimal() / unit).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity)
                * unit,
        )
    }

    /// Rounds down to whole yen.
    pub fn floor(self) -> Yen {
        match self.0 {
            Repr::Whole(_) => self,
            Repr::Exact(d) => Yen::from_decimal(d.floor()),
        }
    }

    pub fn min(self, other: Yen) -> Yen {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Yen) -> Yen {
        if self >= other { self } else { other }
    }

    /// In 万円 (units of 10,000 yen), exact: `105万円`, `27.9万円`.
    pub fn man(self) -> String {
        format!(
            "{}万円",
            (self.decimal() / Decimal::from(10_000)).normalize()
        )
    }

    /// Written with thousands separators, e.g. `1,050,000`.
    pub fn grouped(self) -> String {
        let whole = self.whole();
        let digits = whole.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if whole < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

impl Yen {
    /// Written with thousands separators and any fraction exactly, e.g. `1,050,500` or
    /// `321,712.5` (a product before rounding).
    pub fn grouped_exact(self) -> String {
        let d = self.decimal().normalize();
        let fract = d.fract().abs();
        if fract.is_zero() {
            return self.grouped();
        }
        let sign = if d.is_sign_negative() && self.whole() == 0 {
            "-"
        } else {
            ""
        };
        let fract = fract.to_string();
        format!("{sign}{}{}", self.grouped(), fract.trim_start_matches('0'))
    }
}

// The integer paths inline into the rules; the `Decimal` ones stay out of line.
#[cold]
#[inline(never)]
fn decimal_add(a: Yen, b: Yen) -> Yen {
    Yen::from_decimal(a.decimal() + b.decimal())
}

#[cold]
#[inline(never)]
fn decimal_sub(a: Yen, b: Yen) -> Yen {
    Yen::from_decimal(a.decimal() - b.decimal())
}

#[cold]
#[inline(never)]
fn decimal_cmp(a: Yen, b: Yen) -> Ordering {
    a.decimal().cmp(&b.decimal())
}

impl Add for Yen {
    type Output = Yen;
    #[inline]
    fn add(self, rhs: Yen) -> Yen {
        match (self.0, rhs.0) {
            (Repr::Whole(a), Repr::Whole(b)) => a
                .checked_add(b)
                .map_or_else(|| decimal_add(self, rhs), Yen::new),
            _ => decimal_add(self, rhs),
        }
    }
}

impl Sub for Yen {
    type Output = Yen;
    #[inline]
    fn sub(self, rhs: Yen) -> Yen {
        match (self.0, rhs.0) {
            (Repr::Whole(a), Repr::Whole(b)) => a
                .checked_sub(b)
                .map_or_else(|| decimal_sub(self, rhs), Yen::new),
            _ => decimal_sub(self, rhs),
        }
    }
}

impl Ord for Yen {
    #[inline]
    fn cmp(&self, other: &Yen) -> Ordering {
        match (self.0, other.0) {
            (Repr::Whole(a), Repr::Whole(b)) => a.cmp(&b),
            _ => decimal_cmp(*self, *other),
        }
    }
}

impl PartialOrd for Yen {
    #[inline]
    fn partial_cmp(&self, other: &Yen) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Yen {
    #[inline]
    fn eq(&self, other: &Yen) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Yen {}

impl Hash for Yen {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // `Decimal` hashes equal values alike whatever their scale, as `eq` compares them.
        self.decimal().hash(state);
    }
}

impl std::iter::Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        iter.fold(Yen::ZERO, Add::add)
    }
}

impl fmt::Display for Yen {
    /// `1,050,000円`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", self.grouped())
    }
}

impl Serialize for Yen {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Repr::Whole(v) => s.serialize_i64(v),
            Repr::Exact(d) => match d.to_i64() {
                Some(v) if d.fract().is_zero() => s.serialize_i64(v),
                _ => s.collect_str(&d),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Yen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Yen::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_to_unit() {
        assert_eq!(Yen::new(279_950).floor_to(1000), Yen::new(279_000));
        assert_eq!(Yen::new(1000).floor_to(1000), Yen::new(1000));
        assert_eq!(Yen::new(999).floor_to(1000), Yen::ZERO);
    }

    #[test]
    fn rate_is_exact() {
        let r = Rate {
            numerator: 3,
            denominator: 4,
        };
        assert_eq!(Yen::new(429_000).times(r).floor_to(1000), Yen::new(321_000));
        assert_eq!(Yen::new(1).times(r).decimal(), Decimal::new(75, 2));
    }

    proptest::proptest! {
        /// Every operation gives what the same operation on `Decimal`s gives, for whole yen
        /// (the integer path) and for fractions.
        #[test]
        fn equals_decimal_arithmetic(v in -10_000_000_000i64..10_000_000_000, num in 0u32..10, den in 1u32..10, unit in 1u64..100_000) {
            let rate = Rate { numerator: num, denominator: den };
            let u = Decimal::from(unit);
            let half = Yen::from_decimal(Decimal::from(v) + Decimal::new(5, 1));
            let whole = [Yen::new(v), Yen::new(v / 3 - 7), Yen::new(i64::MAX - 1)];
            for a in whole.into_iter().chain([half]) {
                let d = a.decimal();
                proptest::prop_assert_eq!(a.times(rate).decimal(), d * Decimal::from(num) / Decimal::from(den));
                let floor = (d / u).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * u;
                proptest::prop_assert_eq!(a.floor_to(unit).decimal(), floor);
                proptest::prop_assert_eq!(a.floor().decimal(), d.floor());
                proptest::prop_assert_eq!(a.times_floor_to(rate, unit), a.times(rate).floor_to(unit));
                proptest::prop_assert_eq!(a.times_floor_to(rate, 1), a.times(rate).floor());
                proptest::prop_assert_eq!(a.whole(), d.trunc().to_i64().unwrap());
                for b in whole.into_iter().chain([half]) {
                    let e = b.decimal();
                    if let Some(sum) = d.checked_add(e) {
                        proptest::prop_assert_eq!((a + b).decimal(), sum);
                    }
                    if let Some(difference) = d.checked_sub(e) {
                        proptest::prop_assert_eq!((a - b).decimal(), difference);
                    }
                    proptest::prop_assert_eq!(a.cmp(&b), d.cmp(&e));
                    proptest::prop_assert_eq!(a == b, d == e);
                }
            }
            // The same value written with a scale is the same amount.
            proptest::prop_assert_eq!(Yen::from_decimal(Decimal::new(v * 10, 1)), Yen::new(v));
            proptest::prop_assert_eq!(Yen::new(v).decimal().scale(), 0);
        }
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(Yen::new(1_050_000).to_string(), "1,050,000円");
        assert_eq!(Yen::new(999).grouped(), "999");
        assert_eq!(Yen::new(-1234).grouped(), "-1,234");
        assert_eq!(Yen::new(1_050_000).man(), "105万円");
        assert_eq!(Yen::new(279_000).man(), "27.9万円");
    }
}
