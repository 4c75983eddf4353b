//! Exact yen amounts. Money is `rust_decimal`, never binary floating point; in JSON an amount
//! is a whole-yen number.

use rust_decimal::{Decimal, RoundingStrategy, prelude::ToPrimitive};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Sub};

use crate::rules::Rate;

/// An amount of money in yen (円), exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Yen(Decimal);

impl Yen {
    pub const ZERO: Yen = Yen(Decimal::ZERO);

    /// Whole yen.
    pub fn new(yen: i64) -> Self {
        Yen(Decimal::from(yen))
    }

    pub fn from_decimal(d: Decimal) -> Self {
        Yen(d)
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// The amount in whole yen, cutting off any fraction (amounts shown to people and
    /// written to files are whole yen).
    pub fn whole(self) -> i64 {
        match self.integer() {
            Some(v) => v,
            None => self.0.trunc().to_i64().unwrap_or(i64::MAX),
        }
    }

    /// The amount as an integer when it is whole yen written without a scale, as every input
    /// amount is: the fast paths below do integer arithmetic, with the same results as
    /// [`Decimal`]'s, and fall back to [`Decimal`] otherwise.
    fn integer(self) -> Option<i64> {
        if self.0.scale() == 0 {
            i64::try_from(self.0.mantissa()).ok()
        } else {
            None
        }
    }

    pub fn is_whole(self) -> bool {
        self.0.fract().is_zero()
    }

    /// `self × rate`, exact (a fraction of a yen may remain; only the final grant is rounded).
    pub fn times(self, rate: Rate) -> Yen {
        let (num, den) = (i64::from(rate.numerator), i64::from(rate.denominator));
        if let Some(product) = self.integer().and_then(|v| v.checked_mul(num)) {
            if den != 0 && product % den == 0 {
                return Yen::new(product / den);
            }
        }
        Yen(self.0 * Decimal::from(rate.numerator) / Decimal::from(rate.denominator))
    }

    /// Rounds down to a multiple of `unit` yen (切り捨て).
    pub fn floor_to(self, unit: u64) -> Yen {
        if let (Some(v), Ok(u)) = (self.integer(), i64::try_from(unit)) {
            if u > 0 {
                return Yen::new(v.div_euclid(u) * u);
            }
        }
        let unit = Decimal::from(unit);
        Yen((self.0 / unit).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * unit)
    }

    /// Rounds down to whole yen.
    pub fn floor(self) -> Yen {
        Yen(self.0.floor())
    }

    pub fn min(self, other: Yen) -> Yen {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Yen) -> Yen {
        if self >= other { self } else { other }
    }

    /// In 万円 (units of 10,000 yen), exact: `105万円`, `27.9万円`.
    pub fn man(self) -> String {
        format!("{}万円", (self.0 / Decimal::from(10_000)).normalize())
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
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

impl Add for Yen {
    type Output = Yen;
    fn add(self, rhs: Yen) -> Yen {
        Yen(self.0 + rhs.0)
    }
}

impl Sub for Yen {
    type Output = Yen;
    fn sub(self, rhs: Yen) -> Yen {
        Yen(self.0 - rhs.0)
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
        match self.0.to_i64() {
            Some(v) if self.is_whole() => s.serialize_i64(v),
            _ => s.collect_str(&self.0),
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
        /// The integer fast paths give exactly what `Decimal` gives.
        #[test]
        fn fast_paths_equal_decimal(v in -10_000_000_000i64..10_000_000_000, num in 0u32..10, den in 1u32..10, unit in 1u64..100_000) {
            let y = Yen::new(v);
            let rate = Rate { numerator: num, denominator: den };
            let slow_times = y.0 * Decimal::from(num) / Decimal::from(den);
            proptest::prop_assert_eq!(y.times(rate).0, slow_times);
            let u = Decimal::from(unit);
            let slow_floor = (y.0 / u).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * u;
            proptest::prop_assert_eq!(y.floor_to(unit).0, slow_floor);
            proptest::prop_assert_eq!(y.whole(), v);
            // A fraction takes the Decimal path.
            let half = Yen(y.0 + Decimal::new(5, 1));
            proptest::prop_assert_eq!(half.floor_to(unit).0, (half.0 / u).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * u);
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
