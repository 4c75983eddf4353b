//! Writes the native outputs of every data-file case as one JSON object (case name → output),
//! so the wasm build can be checked against them byte for byte in Node.

fn main() {
    let mut out = serde_json::Map::new();
    for (name, case) in onshi_tests::load_cases() {
        let input = case.input_value();
        let rules = case.rule_set();
        out.insert(name, serde_json::json!({ "input": input, "rules": case.rules, "output": case.run_native(&rules) }));
    }
    let text = serde_json::to_string_pretty(&out).expect("JSON");
    match std::env::args().nth(1) {
        Some(path) => std::fs::write(&path, text).unwrap_or_else(|e| panic!("{path}: {e}")),
        None => println!("{text}"),
    }
}
