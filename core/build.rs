//! Turns the embedded rule file and holiday calendar into compact binary data at build time,
//! so the library (and the wasm page) needs no TOML parser to use them. The same schema and
//! validation as run-time loading are used, so a bad embedded file fails the build.

#[path = "src/rules/schema.rs"]
#[allow(dead_code)]
mod schema;

use std::{env, fs, path::PathBuf};

fn main() {
    // The encoding follows the schema's types: a changed type must re-encode the data.
    println!("cargo::rerun-if-changed=src/rules/schema.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    encode::<schema::RuleFile>("rules/2020-11-30.toml", &out.join("rules-2020-11-30.bin"));
    encode::<schema::CalendarFile>("data/holidays-jp.toml", &out.join("holidays-jp.bin"));
}

fn encode<T: serde::de::DeserializeOwned + serde::Serialize + schema::Validate>(
    src: &str,
    dst: &PathBuf,
) {
    println!("cargo::rerun-if-changed={src}");
    let text = fs::read_to_string(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let value: T = toml::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
    if let Err(e) = value.validate() {
        panic!("{src}: {e}");
    }
    let bytes = postcard::to_allocvec(&value).unwrap_or_else(|e| panic!("{src}: {e}"));
    fs::write(dst, bytes).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
}
