//! `onshi gen`: synthetic exports shaped like the real population (docs/rules.md), for tests,
//! benchmarks and demonstrations. Amounts claimed come from the core's own assessment, with a
//! share of deliberately wrong claims; `--dirty` adds rows of every kind the batch rejects.
#![allow(
    clippy::float_arithmetic,
    reason = "probabilities and adoption curves of synthetic data, never money"
)]

mod tables;

use anyhow::{Context, Result, bail};
use chrono::{Days, NaiveDate};
use onshi_core::input::{Cost, LineItem};
use onshi_core::parse::{InstitutionCode, format_wareki};
use onshi_core::{AssessOptions, Institution, Kind, LineItemCategory, RuleSet, Yen, assess};
use rand::distr::weighted::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::Outcome;
use crate::batch::encoding::{Encoding, encode};
use tables::*;

pub const EXAMPLES: &str = "\
Examples:
  onshi gen --count 228000 --seed 1 --out national.csv
  onshi gen --count 1000 --seed 7 --out sjis.csv --encoding cp932 --japanese-headers
  onshi gen --count 228000 --seed 1 --out national.csv --line-items items.csv --dirty

The same count and seed always give the same bytes.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Institutions to generate (the country has about 228,000).
    #[arg(long)]
    count: u64,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The institutions CSV to write (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write itemised quotes (about 15% of institutions, incl. ineligible items) here.
    #[arg(long, value_name = "FILE")]
    line_items: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "utf-8")]
    encoding: Encoding,
    /// Japanese column names (医療機関等コード, 種別, …) instead of the canonical ones.
    #[arg(long)]
    japanese_headers: bool,
    /// Make about 1% of rows dirty, of every kind the batch must reject.
    #[arg(long, conflicts_with = "clean")]
    dirty: bool,
    /// Plain forms only — English ids, ISO dates, plain integers, 10-digit codes — as a script
    /// that reads the CSV directly expects (the same institutions as without it).
    #[arg(long, conflicts_with = "japanese_headers")]
    clean: bool,
}

/// The header of the institutions file, canonical and Japanese.
const HEADER: [(&str, &str); 13] = [
    ("institution_code", "医療機関等コード"),
    ("name", "名称"),
    ("kind", "種別"),
    ("group_rx_per_month", "グループ処方箋受付回数"),
    ("readers", "カードリーダー申込台数"),
    ("reader_applied_on", "カードリーダー提供申請日"),
    ("completed_on", "事業完了日"),
    ("applied_on", "補助金申請日"),
    ("total_cost", "総事業費"),
    ("claimed", "申請額"),
    ("contracted_on", "契約締結日"),
    ("operation_started_on", "運用開始日"),
    ("deferral", "猶予届類型"),
];
const ITEM_HEADER: [(&str, &str); 5] = [
    ("institution_code", "医療機関等コード"),
    ("category", "区分"),
    ("amount", "金額"),
    ("tax_included", "税込"),
    ("description", "内容"),
];

/// The kinds of dirt `--dirty` writes (one per dirty row, in turn).
const DIRT: [&str; 12] = [
    "bad_check_digit",
    "kind_mismatch",
    "duplicate_code",
    "unknown_kind",
    "missing_readers",
    "missing_code",
    "bad_date",
    "negative_amount",
    "absurd_amount",
    "bad_amount",
    "bad_prefecture",
    "bad_count",
];

/// A CSV writer that encodes as it writes.
struct Out {
    w: csv::Writer<Vec<u8>>,
    file: BufWriter<Box<dyn Write>>,
    encoding: Encoding,
    path: PathBuf,
}

impl Out {
    fn create(path: &PathBuf, encoding: Encoding) -> Result<Out> {
        let file: Box<dyn Write> = if path.as_os_str() == "-" {
            Box::new(std::io::stdout().lock())
        } else {
            Box::new(
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            )
        };
        Ok(Out {
            w: Out::writer(),
            file: BufWriter::with_capacity(1 << 20, file),
            encoding,
            path: path.clone(),
        })
    }

    fn writer() -> csv::Writer<Vec<u8>> {
        // Excel's line ends.
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(1 << 17))
    }

    fn record<I, T>(&mut self, fields: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.w.write_record(fields)?;
        if self.w.get_ref().len() >= 1 << 16 {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> Result<()> {
        let buf = std::mem::replace(&mut self.w, Out::writer())
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
        // Records are whole, so the buffer never ends inside a character.
        let text = String::from_utf8(buf).context("generated text is UTF-8")?;
        let bytes = encode(&text, self.encoding).with_context(|| {
            format!(
                "{}: a generated name has no {} form",
                self.path.display(),
                self.encoding
            )
        })?;
        self.file.write_all(&bytes)?;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.drain()?;
        self.file
            .flush()
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Days after `d`.
fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// The date by which a share `u` of institutions of a kind had applied for a reader
/// (piecewise linear through the §12 figures), or None: never applied.
fn applied_on(u: f64, kind: usize) -> Option<NaiveDate> {
    let points = [
        (date(2020, 5, 1), 0.0),
        (date(2020, 10, 11), f64::from(EARLY_RATE[kind]) / 1000.0),
        (date(2021, 6, 20), 0.571),
        (date(2023, 2, 19), 0.918),
    ];
    for w in points.windows(2) {
        let ((d0, p0), (d1, p1)) = (w[0], w[1]);
        if u < p1 {
            let span = (d1 - d0).num_days() as f64;
            let at = ((u - p0) / (p1 - p0)).clamp(0.0, 1.0) * span;
            return Some(plus(d0, at as u64));
        }
    }
    None
}

struct Gen<'r> {
    rng: ChaCha8Rng,
    rules: &'r RuleSet,
    /// Next number per (prefecture, 点数表).
    counters: Vec<u32>,
    japanese: bool,
    /// Plain forms only (`--clean`); the random draws are made all the same, so that a seed
    /// gives the same institutions clean or not.
    clean: bool,
    recent_codes: Vec<String>,
    /// Draws for the columns of the 2022–2023 revisions, apart from `rng`, so that a seed gives
    /// the same institutions in the older columns as before the new ones were added.
    later: ChaCha8Rng,
}

/// One generated institution as written, and its line items.
struct Row {
    fields: [String; 13],
    items: Vec<[String; 5]>,
}

impl Gen<'_> {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.random_range(0..xs.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn code(&mut self, pref: u8, schedule: u8) -> InstitutionCode {
        let slot = usize::from(pref - 1) * 5 + usize::from(schedule);
        let n = self.counters[slot];
        self.counters[slot] += 1;
        // 99 districts × 10,000 numbers per prefecture and 点数表; past that (only in files far
        // larger than the country) codes repeat, and the batch rejects the repeats.
        let district = 1 + (n / 10_000 % 99) as u8;
        let number = (n % 10_000) as u16;
        InstitutionCode::new(pref, schedule, district, number).unwrap_or_else(|| {
            InstitutionCode::new(1, 1, 1, 0).unwrap_or_else(|| unreachable!("a valid code"))
        })
    }

    fn code_text(&mut self, c: InstitutionCode) -> String {
        let s = c.to_string();
        match self.rng.random_range(0..10) {
            _ if self.clean => s,
            0..=5 => s,
            6 | 7 => c.formatted(),
            8 => format!("{}-{}-{}", &s[0..2], &s[2..9], &s[9..]),
            _ => full_width(&s),
        }
    }

    fn date_text(&mut self, d: NaiveDate) -> String {
        match self.rng.random_range(0..20) {
            _ if self.clean => d.format("%Y-%m-%d").to_string(),
            0..=9 => d.format("%Y-%m-%d").to_string(),
            10..=13 => d.format("%Y/%-m/%-d").to_string(),
            14..=16 => format_wareki(d),
            17 | 18 => {
                let w = format_wareki(d);
                // 令和3年2月10日 → R3.2.10 (or H31.4.1)
                let era = if w.starts_with("令和") { "R" } else { "H" };
                let nums: Vec<&str> = w
                    .trim_start_matches(|c: char| !c.is_ascii_digit() && c != '元')
                    .split(['年', '月', '日'])
                    .filter(|s| !s.is_empty())
                    .collect();
                let y = if nums.first() == Some(&"元") {
                    "1"
                } else {
                    nums.first().copied().unwrap_or("")
                };
                format!(
                    "{era}{y}.{}.{}",
                    nums.get(1).unwrap_or(&""),
                    nums.get(2).unwrap_or(&"")
                )
            }
            _ => full_width(&d.format("%Y/%-m/%-d").to_string()),
        }
    }

    fn amount_text(&mut self, y: i64) -> String {
        let grouped = Yen::new(y).grouped();
        match self.rng.random_range(0..20) {
            _ if self.clean => y.to_string(),
            0..=11 => y.to_string(),
            12..=14 => grouped,
            15 | 16 => format!("{grouped}円"),
            17 => format!("￥{grouped}"),
            _ => full_width(&format!("{grouped}円")),
        }
    }

    fn name(&mut self, kind: Kind) -> String {
        let s = self.pick(&SURNAMES);
        let p = self.pick(&PLACES);
        let mut n = match kind {
            Kind::Hospital => match self.rng.random_range(0..3) {
                0 => format!("{s}病院"),
                1 => format!("医療法人{p}会 {p}総合病院"),
                _ => format!("{p}中央病院"),
            },
            Kind::Clinic => match self.rng.random_range(0..3) {
                0 => format!("{s}医院"),
                1 => format!("{s}内科クリニック"),
                _ => format!("{p}ファミリークリニック"),
            },
            Kind::DentalClinic => match self.rng.random_range(0..2) {
                0 => format!("{s}歯科医院"),
                _ => format!("{p}デンタルクリニック"),
            },
            Kind::Pharmacy => format!("{p}薬局 {s}店"),
        };
        // Exports carry commas, quotes and line breaks in names.
        match self.rng.random_range(0..100) {
            0 => n = format!("医療法人社団 {p}会, {n}"),
            1 => n = format!("\"{p}\" {n}"),
            2 => n = format!("{n}\n（分院）"),
            _ => {}
        }
        n
    }

    fn kind_text(&mut self, kind: Kind) -> String {
        let text = if self.japanese || self.chance(0.1) {
            match kind {
                Kind::Clinic if self.chance(0.3) => "診療所".into(),
                k => k.name(onshi_core::Lang::Ja).into(),
            }
        } else {
            kind.id().into()
        };
        if self.clean { kind.id().into() } else { text }
    }

    /// Quote lines for a start pack (NTT East, 004) plus vendor work and ineligible extras.
    fn items(&mut self, kind: Kind, terminals: i64, modification: i64) -> Vec<LineItem> {
        use LineItemCategory as C;
        let mut v = vec![
            (C::Network, 58_300, true),
            (C::Terminal, 99_000 * terminals, true),
            (C::Network, 2_200, true),
            (C::Terminal, 6_600, true),
            (C::Terminal, 11_550 + 9_350 + 31_790 + 3_850 + 3_300, true),
            (C::Network, 54_010, true),
        ];
        if self.chance(0.4) {
            v.push((C::Line, 32_780, true));
        }
        if modification > 0 {
            // Vendors often quote before tax.
            let taxed = self.chance(0.7);
            let amount = if taxed {
                modification
            } else {
                // The same quote before the rule set's tax: m × d / (d + n) for a rate n/d.
                let t = self.rules.file().money.tax_rate.value;
                let (n, d) = (i64::from(t.numerator), i64::from(t.denominator));
                modification * d / (d + n)
            };
            v.push((C::SystemModification, amount, taxed));
        }
        if self.chance(0.5) {
            v.push((C::Recurring, 2_200 * 12, true));
        }
        if self.chance(0.15) {
            v.push((C::UnrelatedIct, self.rng.random_range(3..30) * 10_000, true));
        }
        if kind == Kind::Hospital && self.chance(0.2) {
            v.push((C::ExtraReader, 99_000, true));
        }
        if self.chance(0.1) {
            v.push((
                C::Customisation,
                self.rng.random_range(5..50) * 10_000,
                false,
            ));
        }
        v.into_iter()
            .map(|(category, amount, tax_included)| LineItem {
                category,
                amount: Yen::new(amount),
                tax_included,
            })
            .collect()
    }

    fn row(&mut self, kind: Kind, itemise: bool) -> Row {
        let k = Kind::ALL.iter().position(|x| *x == kind).unwrap_or(0);
        let pref = match kind {
            Kind::Hospital => WeightedIndex::new(HOSPITALS),
            _ => WeightedIndex::new(POPULATION),
        }
        .map(|w| w.sample(&mut self.rng) as u8 + 1)
        .unwrap_or(13);
        let schedule = match kind {
            Kind::DentalClinic => 3,
            Kind::Pharmacy => 4,
            _ => 1,
        };
        let code = self.code(pref, schedule);
        let threshold = self.rules.file().large_chain.threshold_rx_per_month.value;
        let group_rx = (kind == Kind::Pharmacy && !self.chance(0.05)).then(|| {
            if self.chance(0.3) {
                self.rng.random_range(threshold..threshold * 50)
            } else {
                self.rng.random_range(200..threshold)
            }
        });
        let reader_on = applied_on(self.rng.random::<f64>(), k);
        let readers: u32 = match (reader_on, kind) {
            (None, _) => 0,
            (Some(_), Kind::Hospital) => match self.rng.random_range(0..20) {
                0..=8 => 1,
                9..=14 => 2,
                15..=18 => 3,
                _ => self.rng.random_range(4..7),
            },
            (Some(_), _) => {
                if self.chance(0.03) {
                    2
                } else {
                    1
                }
            }
        };
        let completed = reader_on
            .filter(|_| !self.chance(0.08))
            .map(|d| plus(d, self.rng.random_range(45..270)))
            .filter(|d| *d <= date(2023, 12, 31));
        let applied = completed.map(|d| plus(d, self.rng.random_range(10..100)));
        let (contracted, started, deferral) = self.later_dates(reader_on, completed);
        let terminals = i64::from(readers.clamp(1, 3));
        let base = if self.chance(0.6) { 279_950 } else { 282_920 };
        let modification = if self.chance(0.05) {
            0
        } else if kind == Kind::Hospital {
            self.rng.random_range(30_000..450_000) * 10
        } else {
            self.rng.random_range(5_000..66_000) * 10
        };
        let cost = if itemise {
            Cost::LineItems(self.items(kind, terminals, modification))
        } else {
            Cost::Total(Yen::new(base * terminals + modification))
        };
        let inst = Institution {
            code: Some(code),
            kind,
            group_rx_per_month: group_rx,
            readers,
            reader_applied_on: reader_on,
            completed_on: completed,
            applied_on: applied,
            disposed_on: None,
            contracted_on: contracted,
            operation_started_on: started,
            deferral,
            cost: cost.clone(),
            claimed: None,
        };
        let claimed = applied.map(|_| self.claim(&inst));

        let code_text = self.code_text(code);
        let mut fields = [
            code_text.clone(),
            self.name(kind),
            self.kind_text(kind),
            group_rx.map(|n| n.to_string()).unwrap_or_default(),
            readers.to_string(),
            reader_on.map(|d| self.date_text(d)).unwrap_or_default(),
            completed.map(|d| self.date_text(d)).unwrap_or_default(),
            applied.map(|d| self.date_text(d)).unwrap_or_default(),
            match &cost {
                Cost::Total(y) => self.amount_text(y.whole()),
                Cost::LineItems(_) => String::new(),
            },
            claimed
                .map(|c| self.amount_text(c.whole()))
                .unwrap_or_default(),
            contracted.map(|d| self.date_text(d)).unwrap_or_default(),
            started.map(|d| self.date_text(d)).unwrap_or_default(),
            deferral.map(|t| t.to_string()).unwrap_or_default(),
        ];
        if self.chance(0.05) && !self.clean {
            fields[4] = full_width(&format!("{readers}台"));
        }
        let items = match &cost {
            Cost::LineItems(items) => items
                .iter()
                .map(|it| {
                    [
                        code_text.clone(),
                        if self.japanese {
                            it.category.name(onshi_core::Lang::Ja).into()
                        } else {
                            it.category.id().into()
                        },
                        self.amount_text(it.amount.whole()),
                        if it.tax_included { "税込" } else { "税抜" }.into(),
                        String::new(),
                    ]
                })
                .collect(),
            Cost::Total(_) => Vec::new(),
        };
        if self.recent_codes.len() < 64 {
            self.recent_codes.push(fields[0].clone());
        } else {
            let i = self.rng.random_range(0..64);
            self.recent_codes[i] = fields[0].clone();
        }
        Row { fields, items }
    }

    /// The vendor contract (after the reader application), the start of operation (after the
    /// set-up) and, for a few late projects, a deferral notice; some left blank, as exports do.
    fn later_dates(
        &mut self,
        reader_on: Option<NaiveDate>,
        completed: Option<NaiveDate>,
    ) -> (Option<NaiveDate>, Option<NaiveDate>, Option<u8>) {
        let r = &mut self.later;
        let contracted = reader_on
            .filter(|_| !r.random_bool(0.15))
            .map(|d| plus(d, r.random_range(7..150)));
        let started = completed
            .filter(|_| !r.random_bool(0.10))
            .map(|d| plus(d, r.random_range(0..30)));
        let late = completed.is_some_and(|d| d > date(2023, 3, 31));
        let deferral = (late && r.random_bool(0.6)).then(|| match r.random_range(0..10) {
            0..=5 => 1,
            6 => 4,
            7 => 5,
            8 => 6,
            _ => r.random_range(2..=3),
        });
        (contracted, started, deferral)
    }

    /// What the institution claims: mostly the rules' grant, sometimes not.
    fn claim(&mut self, inst: &Institution) -> Yen {
        let mut grant = assess(self.rules, inst, AssessOptions::default()).grant;
        if grant == Yen::ZERO && inst.readers > 0 {
            // Late institutions claim what they would have had in time.
            let mut in_time = inst.clone();
            in_time.completed_on = None;
            in_time.applied_on = None;
            grant = assess(self.rules, &in_time, AssessOptions::default()).grant;
        }
        let thousand = Yen::new(1_000);
        match self.rng.random_range(0..200) {
            // The special (full-cost) amount although the reader was applied for too late.
            0..=4 => {
                let mut on_time = inst.clone();
                on_time.reader_applied_on =
                    Some(self.rules.file().special_regime.reader_applied_by.value);
                assess(self.rules, &on_time, AssessOptions::default()).grant
            }
            5..=7 => grant + thousand,
            8 | 9 if grant >= thousand => grant - thousand,
            10 | 11 => grant + Yen::new(self.rng.random_range(1..1_000)),
            _ => grant,
        }
    }

    /// Spoils one value of a row in the way `dirt` names.
    fn dirty(&mut self, row: &mut Row, dirt: &str) {
        let f = &mut row.fields;
        match dirt {
            "bad_check_digit" => {
                let digits: String = f[0].chars().filter(char::is_ascii_digit).collect();
                if let Some(last) = digits.chars().last().and_then(|c| c.to_digit(10)) {
                    f[0] = format!("{}{}", &digits[..digits.len() - 1], (last + 1) % 10);
                }
            }
            "kind_mismatch" => {
                // A medical or dental code that says pharmacy, or the reverse.
                f[2] = if f[2] == "pharmacy" || f[2] == "薬局" {
                    "clinic".into()
                } else {
                    "薬局".into()
                };
            }
            "duplicate_code" => {
                if let Some(c) = self.recent_codes.first() {
                    f[0] = c.clone();
                }
            }
            "unknown_kind" => f[2] = "助産所".into(),
            "missing_readers" => f[4] = String::new(),
            "missing_code" => f[0] = String::new(),
            "bad_date" => f[6] = "2021-02-30".into(),
            "negative_amount" => f[8] = "-280,000".into(),
            "absurd_amount" => f[8] = "99,999,999,999円".into(),
            "bad_amount" => f[8] = "二十八万円".into(),
            "bad_prefecture" => f[0] = "4810712362".into(),
            _ => f[4] = "one".into(),
        }
        if matches!(dirt, "negative_amount" | "absurd_amount" | "bad_amount") {
            // The institution's cost is its total, not items.
            row.items.clear();
        }
    }
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Counts by kind for `n` institutions, in the national proportions (largest remainder).
fn counts_by_kind(n: u64) -> [u64; 4] {
    let total: u64 = KIND_COUNTS.iter().sum();
    let mut out = KIND_COUNTS.map(|k| k * n / total);
    let mut rest: Vec<(u64, usize)> = KIND_COUNTS
        .iter()
        .enumerate()
        .map(|(i, k)| (k * n % total, i))
        .collect();
    rest.sort_by(|a, b| b.cmp(a));
    let missing = n - out.iter().sum::<u64>();
    for (_, i) in rest.into_iter().take(missing as usize) {
        out[i] += 1;
    }
    out
}

pub fn run(args: &Args) -> Result<Outcome> {
    if args.line_items.as_ref() == Some(&args.out) {
        bail!("--out and --line-items must be different files (`-` is standard output)");
    }
    // The claims are what the rules as finally paid give.
    let rules = RuleSet::latest();
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(args.seed),
        rules: &rules,
        counters: vec![0; 47 * 5],
        japanese: args.japanese_headers,
        clean: args.clean,
        recent_codes: Vec::new(),
        later: ChaCha8Rng::seed_from_u64(args.seed ^ 0x2022_0810),
    };
    let counts = counts_by_kind(args.count);
    let mut kinds: Vec<u8> = counts
        .iter()
        .enumerate()
        .flat_map(|(k, n)| std::iter::repeat_n(k as u8, *n as usize))
        .collect();
    kinds.shuffle(&mut g.rng);

    let mut out = Out::create(&args.out, args.encoding)?;
    let pick = |(c, j): &(&'static str, &'static str)| if args.japanese_headers { *j } else { *c };
    out.record(HEADER.iter().map(pick))?;
    let mut items = match &args.line_items {
        Some(p) => {
            let mut o = Out::create(p, args.encoding)?;
            o.record(ITEM_HEADER.iter().map(pick))?;
            Some(o)
        }
        None => None,
    };
    for (i, k) in kinds.into_iter().enumerate() {
        let kind = Kind::ALL[usize::from(k)];
        let itemise = items.is_some() && g.chance(0.15);
        let mut row = g.row(kind, itemise);
        if args.dirty && g.chance(0.01) {
            let dirt = DIRT[i % DIRT.len()];
            g.dirty(&mut row, dirt);
        }
        out.record(&row.fields)?;
        if let Some(o) = items.as_mut() {
            for it in &row.items {
                o.record(it)?;
            }
        }
    }
    out.finish()?;
    if let Some(o) = items {
        o.finish()?;
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_national_shape_and_add_up() {
        assert_eq!(counts_by_kind(228_300), KIND_COUNTS);
        for n in [0, 1, 7, 1000, 228_000] {
            assert_eq!(counts_by_kind(n).iter().sum::<u64>(), n);
        }
    }

    #[test]
    fn adoption_follows_the_published_points() {
        assert_eq!(applied_on(0.0, 0), Some(date(2020, 5, 1)));
        assert_eq!(applied_on(0.571, 1), Some(date(2021, 6, 20)));
        assert!(applied_on(0.95, 1).is_none());
        // Pharmacies applied earlier than clinics.
        assert!(applied_on(0.2, 3) < applied_on(0.2, 1));
    }
}
