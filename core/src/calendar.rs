//! 営業日 — business days: not a Saturday, a Sunday or a Japanese public holiday. The holidays
//! are data (`data/holidays-jp.toml`), embedded like the rule set.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::rules::schema::{CalendarData, CalendarFile};

const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/holidays-jp.bin"));

/// A date the calendar does not cover, so business days cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{date} is outside the holiday calendar ({from} to {to})")]
pub struct OutsideCalendar {
    pub date: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The Japanese public holidays of the years covered.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    data: CalendarData,
}

impl Calendar {
    pub fn embedded() -> Calendar {
        let file: CalendarFile = postcard::from_bytes(EMBEDDED).expect("embedded calendar decodes");
        Calendar {
            data: file.calendar,
        }
    }

    pub fn data(&self) -> &CalendarData {
        &self.data
    }

    fn covered(&self, date: NaiveDate) -> Result<(), OutsideCalendar> {
        if (self.data.covers_from..=self.data.covers_to).contains(&date) {
            Ok(())
        } else {
            Err(OutsideCalendar {
                date,
                from: self.data.covers_from,
                to: self.data.covers_to,
            })
        }
    }

    /// The holiday's name, if `date` is one.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.data
            .holidays
            .binary_search_by_key(&date, |h| h.date)
            .ok()
            .map(|i| self.data.holidays[i].name.as_str())
    }

    pub fn is_business_day(&self, date: NaiveDate) -> Result<bool, OutsideCalendar> {
        self.covered(date)?;
        Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && self.holiday(date).is_none())
    }

    /// The business day `n` business days before `date` (for n = 0: `date` itself if it is a
    /// business day, else the business day before it).
    pub fn business_days_before(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<NaiveDate, OutsideCalendar> {
        let mut d = date;
        let mut left = n;
        while !self.is_business_day(d)? {
            d = prev(d, date, self)?;
        }
        while left > 0 {
            d = prev(d, date, self)?;
            if self.is_business_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }
}

fn prev(d: NaiveDate, origin: NaiveDate, cal: &Calendar) -> Result<NaiveDate, OutsideCalendar> {
    d.checked_sub_days(Days::new(1)).ok_or(OutsideCalendar {
        date: origin,
        from: cal.data.covers_from,
        to: cal.data.covers_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_sunday_holiday_is_followed_by_a_substitute_holiday() {
        let cal = Calendar::embedded();
        for h in &cal.data().holidays {
            if h.date.weekday() == Weekday::Sun {
                let mut next = h.date.succ_opt().unwrap();
                while cal.holiday(next).is_some_and(|n| !n.contains("振替")) {
                    next = next.succ_opt().unwrap();
                }
                assert!(
                    cal.holiday(next).is_some_and(|n| n.contains("振替")),
                    "{} ({}) has no substitute holiday",
                    h.date,
                    h.name
                );
            }
        }
    }

    #[test]
    fn happy_monday_holidays_fall_on_mondays() {
        let cal = Calendar::embedded();
        for h in &cal.data().holidays {
            let moved = h.date.year() == 2020 || h.date.year() == 2021; // Olympic special law
            let monday_rule = ["成人の日", "敬老の日", "体育の日"].contains(&h.name.as_str())
                || (!moved && ["海の日", "スポーツの日"].contains(&h.name.as_str()));
            if monday_rule {
                assert_eq!(h.date.weekday(), Weekday::Mon, "{} {}", h.date, h.name);
            }
        }
    }

    #[test]
    fn counts_business_days_over_holidays() {
        let cal = Calendar::embedded();
        // 2021-05-06 (Thu) minus 1 business day skips Golden Week to 2021-04-30 (Fri).
        assert_eq!(
            cal.business_days_before(d("2021-05-06"), 1).unwrap(),
            d("2021-04-30")
        );
        // Olympic moves of 2021: 7-22 and 7-23 are holidays.
        assert!(!cal.is_business_day(d("2021-07-22")).unwrap());
        assert!(!cal.is_business_day(d("2021-08-09")).unwrap());
        assert!(cal.is_business_day(d("2021-07-19")).unwrap());
        // A Saturday start goes back to Friday.
        assert_eq!(
            cal.business_days_before(d("2021-03-06"), 0).unwrap(),
            d("2021-03-05")
        );
        assert_eq!(
            cal.business_days_before(d("2021-03-08"), 5).unwrap(),
            d("2021-03-01")
        );
    }

    #[test]
    fn refuses_dates_it_does_not_cover() {
        let cal = Calendar::embedded();
        assert!(cal.is_business_day(d("2031-01-06")).is_err());
        assert!(cal.business_days_before(d("2019-01-02"), 5).is_err());
    }
}
