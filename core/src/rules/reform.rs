//! Reforms: a rule file that `extends` another and gives only the parameters it changes, as
//! OpenFisca's reforms override a few parameters of a base and inherit the rest.
//!
//! ```toml
//! [rule_set]
//! id = "special-deadline-2021-09-30"
//! extends = "2020-11-30"
//! effective_from = "2020-11-30"
//! title = "…"
//! title_en = "…"
//!
//! [special_regime]
//! reader_applied_by = { value = "2021-09-30", effective_from = "2020-11-30", source = "…", article = "…", article_en = "…" }
//! ```
//!
//! A key the base lacks is refused, as an unknown key of a whole file is; a changed parameter
//! is given whole (value, date, source and article), so its citation is the reform's own.

use toml::{Table, Value};

use super::overlay::overlay;
use super::params::{ParamId, ParamSet};
use super::schema::RuleFile;
use super::{RuleError, RuleSet};

pub(super) fn load(
    text: &str,
    origin: &str,
    base: &mut dyn FnMut(&str) -> Result<RuleSet, RuleError>,
) -> Result<RuleSet, RuleError> {
    let syntax = |message: String| RuleError::Syntax {
        origin: origin.to_owned(),
        message,
    };
    let reform: Table = toml::from_str(text).map_err(|e| syntax(e.to_string()))?;
    let extends = reform
        .get("rule_set")
        .and_then(|m| m.get("extends"))
        .map(|v| v.as_str().map(str::to_owned).ok_or(v));
    let file = match extends {
        // A whole file, parsed again for messages with line and column.
        None => toml::from_str(text).map_err(|e| syntax(e.to_string().trim_end().to_owned()))?,
        Some(Err(v)) => return Err(syntax(format!("`rule_set.extends`: {v} is not a string"))),
        Some(Ok(base_ref)) => {
            let base = match RuleSet::built_in(&base_ref) {
                Some(b) => b,
                None => base(&base_ref)?,
            };
            let (file, changed) = apply(&base, reform).map_err(syntax)?;
            let set = RuleSet::from_file(file, origin)?;
            return Ok(set.over(base, changed));
        }
    };
    RuleSet::from_file(file, origin)
}

fn from_table(t: Table) -> Result<RuleFile, String> {
    Value::Table(t)
        .try_into()
        .map_err(|e: toml::de::Error| e.to_string().trim_end().to_owned())
}

/// The base with the reform's values in place, and the parameters the reform changed.
fn apply(base: &RuleSet, reform: Table) -> Result<(RuleFile, ParamSet), String> {
    let mut merged = match Value::try_from(base.file()) {
        Ok(Value::Table(t)) => t,
        _ => return Err("the base rule set cannot be written as TOML".into()),
    };
    let keys = overlay(&mut merged, reform, base.id())?;
    let changed = keys.iter().filter_map(|k| ParamId::from_key(k)).collect();
    Ok((from_table(merged)?, changed))
}

#[cfg(test)]
mod tests {
    use super::super::{ParamId, RuleSet};

    const HEAD: &str = "[rule_set]\nid = \"r\"\nextends = \"2020-11-30\"\neffective_from = \"2020-11-30\"\ntitle = \"t\"\ntitle_en = \"t\"\n";

    fn load(body: &str) -> Result<RuleSet, String> {
        RuleSet::from_toml_str(&format!("{HEAD}{body}"), "r.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn a_reform_changes_what_it_names_and_inherits_the_rest() {
        let r = load("[money]\nrounding_unit = { value = 100, effective_from = \"2020-11-30\", source = \"onshi-decisions\", article = \"c\", article_en = \"c\" }\n").unwrap();
        let base = RuleSet::embedded();
        assert_eq!(r.file().money.rounding_unit.value, 100);
        assert_eq!(r.file().money.tax_rate, base.file().money.tax_rate);
        assert_eq!(r.file().categories, base.file().categories);
        assert_eq!(r.set_by(ParamId::RoundingUnit), "r");
        assert_eq!(r.set_by(ParamId::TaxRate), "2020-11-30");
        assert_eq!(r.extends(), Some("2020-11-30"));
    }

    #[test]
    fn keys_the_base_lacks_are_refused_and_named() {
        let e = load("[money]\nrounding_unt = { value = 100, effective_from = \"2020-11-30\", source = \"onshi-decisions\", article = \"c\", article_en = \"c\" }\n").unwrap_err();
        assert!(e.contains("money.rounding_unt"), "{e}");
        let e = load("[monies]\nx = 1\n").unwrap_err();
        assert!(e.contains("monies"), "{e}");
    }

    #[test]
    fn a_changed_parameter_comes_whole_and_valid() {
        let e = load("[money]\nrounding_unit = { value = 100 }\n").unwrap_err();
        assert!(
            e.contains("money.rounding_unit") && e.contains("article"),
            "{e}"
        );
        let e = load("[money]\nrounding_unit = { value = 0, effective_from = \"2020-11-30\", source = \"onshi-decisions\", article = \"c\", article_en = \"c\" }\n").unwrap_err();
        assert!(e.contains("money.rounding_unit"), "{e}");
        let e = RuleSet::from_toml_str(
            &HEAD.replace("2020-11-30\"\neff", "2019-01-01\"\neff"),
            "r.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("2019-01-01"), "{e}");
    }
}
