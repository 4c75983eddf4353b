//! A reform laid over its base, as TOML tables: the one merge that both the build script (for
//! the built-in revisions) and run-time loading (for rule files) use, so the two agree.
//!
//! Only the overlay's keys change; a key the base lacks is refused unless it opens a section
//! the base may lack (a revision's new measure) or names a new source document.

use toml::{Table, Value};

/// Sections a reform may add whole, and tables it may add keys to.
pub const OPEN: &[&str] = &[
    "sources",
    "special_window_2022",
    "difference_payment",
    "deferral",
];

/// Lays `overlay` over `base` in place; returns the keys of the parameters it set.
pub fn overlay(base: &mut Table, mut overlay: Table, base_id: &str) -> Result<Vec<String>, String> {
    cited_by_itself(&mut overlay);
    let mut changed = Vec::new();
    for (k, v) in overlay {
        if k == "rule_set" {
            // The reform's own id, date and title; `extends` stays to say what it is.
            base.insert(k, v);
        } else {
            into(base, &k, v, &k, &mut changed, base_id)?;
        }
    }
    Ok(changed)
}

/// Whether a value is one parameter (a table with a `value`).
fn is_param(v: &Value) -> bool {
    v.as_table().is_some_and(|t| t.contains_key("value"))
}

fn into(
    table: &mut Table,
    key: &str,
    value: Value,
    path: &str,
    changed: &mut Vec<String>,
    base_id: &str,
) -> Result<(), String> {
    let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
    let Some(slot) = table.get_mut(key) else {
        if OPEN.contains(&path) || OPEN.contains(&parent) {
            params_in(&value, path, changed)?;
            table.insert(key.to_owned(), value);
            return Ok(());
        }
        return Err(format!(
            "`{path}` is not a key of the rule set it extends ({base_id})"
        ));
    };
    match (slot, value) {
        (Value::Table(inner), Value::Table(t)) if !inner.contains_key("value") => {
            for (k, v) in t {
                into(inner, &k, v, &format!("{path}.{k}"), changed, base_id)?;
            }
        }
        (slot, value) => {
            params_in(&value, path, changed)?;
            *slot = value;
        }
    }
    Ok(())
}

/// Notes the parameters in `value` (itself, or those of a section), each given whole.
fn params_in(value: &Value, path: &str, changed: &mut Vec<String>) -> Result<(), String> {
    if is_param(value) {
        for part in ["value", "effective_from", "source", "article", "article_en"] {
            if value.get(part).is_none() {
                return Err(format!(
                    "`{path}` changes a parameter, so it needs its own {part} (value, effective_from, source, article and article_en)"
                ));
            }
        }
        changed.push(path.to_owned());
    } else if let Some(t) = value.as_table()
        && !path.starts_with("sources")
    {
        for (k, v) in t {
            params_in(v, &format!("{path}.{k}"), changed)?;
        }
    }
    Ok(())
}

/// A scenario written before sources were data gives each changed parameter a `citation` (and
/// `citation_en`) of its own words: the file itself becomes their source, named by its title,
/// so such files keep working and still cite what they changed.
fn cited_by_itself(reform: &mut Table) {
    let Some(meta) = reform.get("rule_set").and_then(Value::as_table) else {
        return;
    };
    let text = |k: &str| {
        meta.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (id, title, title_en) = (text("id"), text("title"), text("title_en"));
    let mut any = false;
    for (k, v) in reform.iter_mut() {
        if k != "rule_set" && k != "sources" {
            any |= legacy_citations(v, &id);
        }
    }
    if !any {
        return;
    }
    let mut source = Table::new();
    for (k, v) in [
        ("issuer", "scenario"),
        ("title", title.as_str()),
        ("title_en", title_en.as_str()),
        ("kind", "scenario"),
        ("short", title.as_str()),
        ("short_en", title_en.as_str()),
    ] {
        source.insert(k.into(), Value::String(v.to_owned()));
    }
    let sources = reform
        .entry("sources")
        .or_insert_with(|| Value::Table(Table::new()));
    if let Some(t) = sources.as_table_mut() {
        t.entry(id).or_insert(Value::Table(source));
    }
}

/// Rewrites `citation`/`citation_en` as `source`/`article`/`article_en`; true if any was.
fn legacy_citations(v: &mut Value, source: &str) -> bool {
    let Some(t) = v.as_table_mut() else {
        return false;
    };
    if t.contains_key("value") {
        if t.contains_key("source") || !t.contains_key("citation") {
            return false;
        }
        let ja = t.remove("citation").unwrap_or(Value::String(String::new()));
        let en = t.remove("citation_en").unwrap_or_else(|| ja.clone());
        t.insert("source".into(), Value::String(source.to_owned()));
        t.insert("article".into(), ja);
        t.insert("article_en".into(), en);
        return true;
    }
    let mut any = false;
    for (_, inner) in t.iter_mut() {
        any |= legacy_citations(inner, source);
    }
    any
}
