//! The core compiled to WebAssembly for the public page (issue 3 builds this out). It only
//! translates: no rule is written here.

pub use onshi_core::RuleSet;
