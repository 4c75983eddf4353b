//! Turns the built-in rule files and the holiday calendar into compact binary data at build
//! time, so the library (and the wasm page) needs no TOML parser to use them. The same schema,
//! reform merge and validation as run-time loading are used, so a bad built-in file fails the
//! build.

#[path = "src/rules/schema.rs"]
#[allow(dead_code)]
mod schema;

#[path = "src/rules/overlay.rs"]
#[allow(dead_code)]
mod overlay;

use schema::Validate;
use std::{env, fs, path::PathBuf};

/// The built-in revisions, oldest first; each after the first extends the one before it.
const REVISIONS: [&str; 3] = ["2020-11-30", "2022-08-10", "2023-04-01"];

fn main() {
    // The encoding follows the schema's types: a changed type must re-encode the data.
    println!("cargo::rerun-if-changed=src/rules/schema.rs");
    println!("cargo::rerun-if-changed=src/rules/overlay.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    let mut base: Option<(String, toml::Table)> = None;
    let mut base_file: Option<schema::RuleFile> = None;
    for id in REVISIONS {
        let src = format!("rules/{id}.toml");
        println!("cargo::rerun-if-changed={src}");
        let text = fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let mut table: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
        let extends = table["rule_set"]
            .get("extends")
            .and_then(|v| v.as_str().map(str::to_owned));
        let changed = match (&base, extends) {
            (None, None) => Vec::new(),
            (Some((base_id, merged)), Some(ext)) if &ext == base_id => {
                let mut merged = merged.clone();
                let changed = overlay::overlay(&mut merged, table, base_id)
                    .unwrap_or_else(|e| panic!("{src}: {e}"));
                table = merged;
                changed
            }
            _ => panic!("{src}: each built-in revision extends the one before it"),
        };
        let file: schema::RuleFile = toml::Value::Table(table.clone())
            .try_into()
            .unwrap_or_else(|e| panic!("{src}: {e}"));
        if let Err(e) = file.validate() {
            panic!("{src}: {e}");
        }
        // A reform that keeps its base's texts is stored without them and without the base's
        // sources (the page carries every built-in revision); decoding takes them from the base.
        let inherits = base_file.as_ref().is_some_and(|b| file.texts_equal(b));
        let stored = match &base_file {
            Some(b) if inherits => file.clone().without_texts_of(b),
            _ => file.clone(),
        };
        let bytes = postcard::to_allocvec(&(&stored, &changed, inherits))
            .unwrap_or_else(|e| panic!("{src}: {e}"));
        base_file = Some(file);
        let dst = out.join(format!("rules-{id}.bin"));
        fs::write(&dst, bytes).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
        base = Some((id.to_owned(), table));
    }
    encode_calendar("data/holidays-jp.toml", &out.join("holidays-jp.bin"));
}

fn encode_calendar(src: &str, dst: &PathBuf) {
    println!("cargo::rerun-if-changed={src}");
    let text = fs::read_to_string(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let value: schema::CalendarFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
    if let Err(e) = value.validate() {
        panic!("{src}: {e}");
    }
    let bytes = postcard::to_allocvec(&value).unwrap_or_else(|e| panic!("{src}: {e}"));
    fs::write(dst, bytes).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
}
