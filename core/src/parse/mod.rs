//! Reading what people and exports write: institution codes, amounts, counts, dates, kinds.
//! Shared by every front end so that the page, the CLI and the batch accept the same things.

mod amount;
mod code;
mod date;

pub use amount::{parse_amount, parse_count};
pub use code::{InstitutionCode, kind_fits, parse_institution_code};
pub use date::{format_wareki, parse_date};

use std::borrow::Cow;

use crate::error::Reason;
use crate::model::{Kind, LineItemCategory};

/// `text` without leading and trailing whitespace, as [`str::trim`] gives it. Most cells start
/// and end with a visible ASCII character, and are returned as they are without decoding.
pub fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    let b = text.as_bytes();
    if visible(b.first()) && visible(b.last()) {
        text
    } else {
        text.trim()
    }
}

/// Full-width (全角) ASCII to half-width, ideographic space to space, and the dashes and dots
/// exports use as separators to ASCII ones. Hand-written because only this narrow mapping is
/// needed: a full Unicode normaliser would add its tables to the wasm page.
/// Borrows when there is nothing to map (plain ASCII, as most exports are).
pub fn normalize(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(trim(text));
    }
    // Mapping never makes the text longer: one allocation, and no second one to trim.
    let mut mapped = String::with_capacity(text.len());
    mapped.extend(text.chars().map(|c| match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{FFE5}' | '\u{00A5}' => '¥',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}' => '-',
        '\u{30FB}' | '\u{FF65}' => '・',
        _ => c,
    }));
    let end = mapped.trim_end().len();
    mapped.truncate(end);
    let start = mapped.len() - mapped.trim_start().len();
    mapped.drain(..start);
    Cow::Owned(mapped)
}

/// Whether `t` is one of `names`, ASCII letters in any case.
fn one_of(t: &str, names: &[&str]) -> bool {
    names.iter().any(|n| t.eq_ignore_ascii_case(n))
}

/// Reads a kind of institution: the English id or the Japanese name.
pub fn parse_kind(text: &str) -> Result<Kind, Reason> {
    let t = normalize(text);
    let t = t.as_ref();
    Ok(match () {
        () if one_of(t, &["hospital", "病院"]) => Kind::Hospital,
        () if one_of(
            t,
            &["clinic", "medical_clinic", "診療所", "医科診療所", "医科"],
        ) =>
        {
            Kind::Clinic
        }
        () if one_of(t, &["dental_clinic", "dental", "歯科診療所", "歯科"]) => {
            Kind::DentalClinic
        }
        () if one_of(t, &["pharmacy", "薬局", "保険薬局"]) => Kind::Pharmacy,
        () => {
            return Err(Reason::UnknownKind);
        }
    })
}

/// Reads a line-item category: the English id or the Japanese name.
pub fn parse_line_item_category(text: &str) -> Result<LineItemCategory, Reason> {
    let t = normalize(text);
    LineItemCategory::ALL
        .into_iter()
        .find(|c| t.eq_ignore_ascii_case(c.id()) || t == c.name(crate::model::Lang::Ja))
        .ok_or(Reason::UnknownCategory)
}

/// Reads yes/no: `true`/`false`, `yes`/`no`, `1`/`0`, 税込/税抜, はい/いいえ.
pub fn parse_bool(text: &str) -> Result<bool, Reason> {
    let t = normalize(text);
    let t = t.as_ref();
    match () {
        () if one_of(t, &["true", "yes", "y", "1", "税込", "はい", "○"]) => Ok(true),
        () if one_of(t, &["false", "no", "n", "0", "税抜", "税別", "いいえ", "×"]) => {
            Ok(false)
        }
        () => Err(Reason::BadBool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        let texts = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "\u{3000}a",
            "山田\u{3000}",
            "\u{2003}医院",
            "クリニック",
            "\u{3000}",
            "a\u{3000}",
            "\u{a0}1\u{a0}",
            "é",
            "aé",
            "éa",
            "a b",
            "!",
            "~x~",
            "\u{7f}a",
            "a\u{85}",
            "\r\n",
        ];
        for t in texts {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn normalizes_full_width() {
        assert_eq!(normalize("　１２３，４５６円　"), "123,456円");
        assert_eq!(normalize("￥１"), "¥1");
        assert_eq!(normalize("０１ー０１９８ー０"), "01-0198-0");
    }

    #[test]
    fn reads_kinds() {
        assert_eq!(parse_kind("病院").unwrap(), Kind::Hospital);
        assert_eq!(parse_kind(" Pharmacy ").unwrap(), Kind::Pharmacy);
        assert_eq!(parse_kind("歯科診療所").unwrap(), Kind::DentalClinic);
        assert_eq!(parse_kind("診療所").unwrap(), Kind::Clinic);
        assert_eq!(parse_kind("veterinary").unwrap_err().id(), "unknown_kind");
    }

    #[test]
    fn reads_categories_and_bools() {
        assert_eq!(
            parse_line_item_category("network").unwrap(),
            LineItemCategory::Network
        );
        assert_eq!(
            parse_line_item_category("月額費用").unwrap(),
            LineItemCategory::Recurring
        );
        assert!(parse_line_item_category("lunch").is_err());
        assert!(parse_bool("税込").unwrap());
        assert!(!parse_bool("FALSE").unwrap());
        assert!(parse_bool("maybe").is_err());
    }
}
