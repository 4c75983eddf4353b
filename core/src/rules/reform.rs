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
            // A reform under its base's id would have its results labelled as those rules.
            let mut chain = Some(&base);
            while let Some(b) = chain {
                if b.id() == set.id() {
                    return Err(syntax(format!(
                        "`rule_set.id`: {:?} is the id of a rule set it extends; a reform needs an id of its own, or its results would be labelled as those rules",
                        set.id()
                    )));
                }
                chain = b.base();
            }
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

    /// A reform's results are labelled with its id: it may not take its base's (or any rule
    /// set's down the chain), and an id is plain characters that can name a column or a sheet.
    #[test]
    fn a_reform_has_an_id_of_its_own_and_a_plain_one() {
        let cap = "[money]\nrounding_unit = { value = 100, effective_from = \"2020-11-30\", source = \"onshi-decisions\", article = \"c\", article_en = \"c\" }\n";
        for (id, base) in [("2020-11-30", "2020-11-30"), ("2020-11-30", "2023-04-01")] {
            let text = format!("{HEAD}{cap}")
                .replace("id = \"r\"", &format!("id = \"{id}\""))
                .replace("extends = \"2020-11-30\"", &format!("extends = \"{base}\""))
                .replace(
                    "effective_from = \"2020-11-30\"\ntitle",
                    &format!("effective_from = \"{base}\"\ntitle"),
                );
            let e = RuleSet::from_toml_str(&text, "r.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("an id of its own"), "{id} over {base}: {e}");
        }
        for bad in ["a/b", "x[1]", "a:b", "", "日本語", &"x".repeat(65)] {
            let text = format!("{HEAD}{cap}").replace("id = \"r\"", &format!("id = {bad:?}"));
            let e = RuleSet::from_toml_str(&text, "r.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("is not an id"), "{bad:?}: {e}");
        }
        let long = "x".repeat(64);
        let text = format!("{HEAD}{cap}").replace("id = \"r\"", &format!("id = {long:?}"));
        assert!(RuleSet::from_toml_str(&text, "r.toml").is_ok());
    }
}
