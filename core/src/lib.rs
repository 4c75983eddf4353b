//! # onshi-core — the rules of the オンライン資格確認 introduction grant
//!
//! 医療情報化支援基金によるオンライン資格確認導入補助の計算規則。
//!
//! Pure: no file, network, clock, thread or global state. Callers pass the rule set, the
//! institution and (for plans) "today"; the core returns data. Money is exact decimal yen.
//! Every number of the rules is a parameter of a dated [`RuleSet`] with its legal citation, and
//! every step of an assessment is explained ([`explain`]) from what it computed and the
//! parameters it read.

pub mod assess;
pub mod audit;
pub mod calendar;
pub mod error;
pub mod explain;
pub mod input;
pub mod model;
pub mod money;
pub mod notice;
pub mod parse;
pub mod plan;
pub mod rules;
pub mod whatif;

pub use assess::{AssessOptions, Assessment, SCHEMA_VERSION, Step, TraceValue, assess};
pub use audit::{Finding, Findings, audit};
pub use calendar::Calendar;
pub use error::{Field, FieldError, ItemField, Reason};
pub use explain::TraceStep;
pub use input::{Cost, Institution, InstitutionInput, ItemsView, LineItem};
pub use model::{Category, Kind, Lang, LineItemCategory, Measure, Regime, prefecture_name};
pub use money::Yen;
pub use notice::{Notice, NoticeCode, Severity};
pub use rules::{RuleError, RuleSet};
