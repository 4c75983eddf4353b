//! `report.html`: one self-contained page (inline style, charts as inline SVG drawn by plotters,
//! no script, no external file) with the national totals, the charts and the run's parameters.
#![allow(
    clippy::float_arithmetic,
    reason = "chart geometry in pixels, never money: the tables carry exact amounts"
)]

use anyhow::Result;
use html_escape::encode_text;
use onshi_core::{Finding, Lang, Yen, prefecture_name};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use polars::prelude::*;
use std::fmt::Write;

use super::RunInfo;
use super::output::scenario_col;

/// Sums of one row of the summary.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub institutions: i64,
    pub eligible_cost: i64,
    pub grant: i64,
    pub standard_only: i64,
    /// One per `--compare` scenario, in the order given.
    pub scenarios: Vec<ScenarioTotals>,
}

/// A scenario's sums for one row of the summary.
#[derive(Debug, Clone, Default)]
pub struct ScenarioTotals {
    pub grant: i64,
    pub gain: i64,
    pub lose: i64,
    pub same: i64,
}

/// What the report shows.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    pub national: Totals,
    pub by_category: Vec<(String, Totals)>,
    pub by_prefecture: Vec<(u32, Totals)>,
    /// Per finding: how many, and the yen at stake (claimed amounts' distance from grants).
    pub audit: Vec<(Finding, u64, i64)>,
    /// The ids of the `--compare` scenarios.
    pub scenarios: Vec<String>,
}

fn totals_of(df: &DataFrame, scenarios: &[String]) -> PolarsResult<Vec<Totals>> {
    let get = |name: &str| -> PolarsResult<Vec<i64>> {
        Ok(df
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (inst, elig, grant, std) = (
        get("institutions")?,
        get("eligible_cost")?,
        get("grant")?,
        get("standard_only")?,
    );
    let per_scenario = scenarios
        .iter()
        .map(|id| {
            let g = |w: &str| get(&scenario_col(w, id));
            Ok([g("grant")?, g("gain")?, g("lose")?, g("same")?])
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    Ok((0..df.height())
        .map(|i| Totals {
            institutions: inst[i],
            eligible_cost: elig[i],
            grant: grant[i],
            standard_only: std[i],
            scenarios: per_scenario
                .iter()
                .map(|[grant, gain, lose, same]| ScenarioTotals {
                    grant: grant[i],
                    gain: gain[i],
                    lose: lose[i],
                    same: same[i],
                })
                .collect(),
        })
        .collect())
}

impl ReportData {
    pub fn from_summary(
        summary: &DataFrame,
        audit: &[u64; Finding::ALL.len()],
        audit_yen: &[i64; Finding::ALL.len()],
        scenarios: &[String],
    ) -> PolarsResult<ReportData> {
        let national_cats = summary
            .clone()
            .lazy()
            .filter(col("prefecture").eq(lit(0u32)))
            .collect()?;
        let cats: Vec<String> = national_cats
            .column("category")?
            .str()?
            .iter()
            .map(|c| c.unwrap_or("").to_owned())
            .collect();
        let cat_totals = totals_of(&national_cats, scenarios)?;
        let prefs = summary
            .clone()
            .lazy()
            .filter(col("prefecture").neq(lit(0u32)))
            .group_by([col("prefecture")])
            .agg(super::output::sums(scenarios))
            .sort(["prefecture"], SortMultipleOptions::default())
            .collect()?;
        let codes: Vec<u32> = prefs
            .column("prefecture")?
            .u32()?
            .iter()
            .map(|p| p.unwrap_or(0))
            .collect();
        let pref_totals = totals_of(&prefs, scenarios)?;
        let mut data = ReportData {
            scenarios: scenarios.to_vec(),
            audit: Finding::ALL
                .iter()
                .zip(audit.iter().zip(audit_yen))
                .map(|(f, (n, y))| (*f, *n, *y))
                .collect(),
            ..ReportData::default()
        };
        for (c, t) in cats.into_iter().zip(cat_totals) {
            if c == "all" {
                data.national = t;
            } else {
                data.by_category.push((c, t));
            }
        }
        data.by_prefecture = codes.into_iter().zip(pref_totals).collect();
        Ok(data)
    }
}

fn yen(v: i64) -> String {
    Yen::new(v).grouped()
}

/// A category's name as the rule set gives it (the id when the rule set has no such category).
fn category_name(info: &RunInfo, id: &str) -> String {
    let name = info.category_names.iter().find(|(c, _)| *c == id);
    name.map_or(id, |(_, n)| n.as_str()).to_owned()
}

fn pref_label(code: u32) -> String {
    u8::try_from(code)
        .ok()
        .and_then(|c| prefecture_name(c, Lang::Ja))
        .map_or_else(|| format!("{code:02}"), str::to_owned)
}

/// One series of bars.
struct Series<'a> {
    name: &'a str,
    color: RGBColor,
    values: Vec<f64>,
}

/// The Digital Agency palette's blue and a lighter tint, and a red for losses.
const BLUE: RGBColor = RGBColor(0x00, 0x17, 0xC1);
const LIGHT: RGBColor = RGBColor(0x9D, 0xB7, 0xF9);
const GREEN: RGBColor = RGBColor(0x1E, 0x7F, 0x3A);
const RED: RGBColor = RGBColor(0xCE, 0x00, 0x00);

/// A horizontal bar chart as an SVG string: one band per label, one bar per series.
fn bars(title: &str, unit: &str, labels: &[String], series: &[Series]) -> Result<String> {
    let n = labels.len().max(1);
    let k = series.len().max(1);
    let band = 10 * k as u32 + 10;
    let height = 90 + n as u32 * band;
    let width = 760;
    let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32 * 13 + 16;
    let all = series.iter().flat_map(|s| s.values.iter().copied());
    let (mut lo, mut hi) = all.fold((0f64, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi - lo <= 0.0 {
        hi = 1.0;
    }
    let pad = (hi - lo) * 0.05;
    hi += pad;
    if lo < 0.0 {
        lo -= pad;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_w)
            .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(unit)
            .x_label_formatter(&|v| format_axis(*v))
            .label_style(("sans-serif", FONT))
            .axis_desc_style(("sans-serif", FONT))
            .draw()?;
        let slot = 0.8 / k as f64;
        for (j, s) in series.iter().enumerate() {
            let color = s.color;
            let drawn = chart.draw_series(s.values.iter().enumerate().map(|(i, v)| {
                // The first label at the top.
                let top = (n - 1 - i) as f64 + 0.9 - j as f64 * slot;
                Rectangle::new([(0.0, top - slot), (*v, top)], color.filled())
            }))?;
            if k > 1 {
                drawn.label(s.name).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
            }
        }
        if k > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .label_font(("sans-serif", FONT))
                .draw()?;
        }
        let style = TextStyle::from(("sans-serif", FONT).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center))
            .color(&BLACK);
        for (i, l) in labels.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(lo, (n - 1 - i) as f64 + 0.5));
            root.draw(&Text::new(l.clone(), (x - 6, y), style.clone()))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// The charts' text size as plotters takes it: the SVG gets 0.81 of it, 11.3 px, the least
/// that reads at 100% zoom.
const FONT: u32 = 14;

fn format_axis(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Yen as millions (百万円), for axes only: the tables carry the exact amounts.
fn millions(v: i64) -> f64 {
    v as f64 / 1_000_000.0
}

pub fn render(info: &RunInfo, d: &ReportData) -> Result<String> {
    let mut h = String::new();
    let c = &info.counts;
    h.push_str(r#"<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>オンライン資格確認 導入補助 再計算レポート</title>
<style>
:root { --text: #1a1a1a; --blue: #0017c1; --line: #949494; --bg-alt: #f2f2f2; }
body { font-family: "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; color: var(--text);
  line-height: 1.7; max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.75rem; line-height: 1.4; }
h2 { font-size: 1.375rem; border-bottom: 2px solid var(--blue); padding-bottom: .25rem; margin-top: 2.5rem; }
.en { color: #4d4d4d; font-size: .875em; font-weight: normal; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .25rem .625rem; }
th { background: var(--bg-alt); text-align: left; }
td.n { text-align: right; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
details { margin: .5rem 0 1.5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; word-break: break-all; }
</style>
</head>
<body>
<main>
<h1>オンライン資格確認 導入補助 再計算レポート<br><span class="en">Online eligibility verification grants — recomputation report</span></h1>
"#);

    // Parameters of the run.
    h.push_str("<h2>実行条件 <span class=\"en\">Run parameters</span></h2>\n<dl>\n");
    let mut param = |k: &str, v: &str| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", encode_text(k), encode_text(v));
    };
    param(
        "医療機関等ファイル / Institutions",
        &format!("{} ({})", info.institutions, info.encoding),
    );
    if let Some((f, e)) = &info.line_items {
        param("明細ファイル / Line items", &format!("{f} ({e})"));
    }
    param("規則 / Rule set", &info.rule_set);
    for cmp in &info.compare {
        param("比較する規則 / Compared rule set", cmp);
    }
    param(
        "行数 / Rows",
        &format!(
            "{} 行 = 計算 {} + 除外 {}（rows in = computed + rejected）",
            c.rows, c.computed, c.rejected
        ),
    );
    if info.line_items.is_some() {
        param(
            "明細の行数 / Line items",
            &format!(
                "{} 行 = 使用 {} + 除外 {}",
                c.item_rows, c.items_used, c.items_rejected
            ),
        );
    }
    h.push_str("</dl>\n");

    // National totals.
    let n = &d.national;
    h.push_str("<h2>全国の合計 <span class=\"en\">National totals</span></h2>\n<table>\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{k}</th><td class=\"n\">{v}</td></tr>"
        );
    };
    row(
        "医療機関等 <span class=\"en\">Institutions</span>",
        n.institutions.to_string(),
    );
    row(
        "補助対象経費 <span class=\"en\">Eligible cost</span>",
        format!("{}円", yen(n.eligible_cost)),
    );
    row(
        "交付額 <span class=\"en\">Grants paid</span>",
        format!("{}円", yen(n.grant)),
    );
    row(
        "通常の補助のみの場合 <span class=\"en\">Standard regime alone</span>",
        format!("{}円", yen(n.standard_only)),
    );
    row(
        "特例による増額 <span class=\"en\">Cost of the special measure</span>",
        format!("{}円", yen(n.grant - n.standard_only)),
    );
    for (id, s) in d.scenarios.iter().zip(&n.scenarios) {
        let id = encode_text(id);
        row(
            &format!("{id} での交付額 <span class=\"en\">Grants under {id}</span>"),
            format!("{}円", yen(s.grant)),
        );
        row(
            &format!("{id} の差額 <span class=\"en\">Budget impact of {id}</span>"),
            format!("{}円", yen(s.grant - n.grant)),
        );
        row(
            &format!("{id} 増・減・同額 <span class=\"en\">Gain / lose / same</span>"),
            format!("{} / {} / {}", s.gain, s.lose, s.same),
        );
    }
    h.push_str("</table>\n");

    // Charts, each with its numbers in a table.
    let pref_labels: Vec<String> = d
        .by_prefecture
        .iter()
        .map(|(p, _)| pref_label(*p))
        .collect();
    let cat_labels: Vec<String> = d
        .by_category
        .iter()
        .map(|(c, _)| category_name(info, c))
        .collect();
    let prefs: Vec<&Totals> = d.by_prefecture.iter().map(|(_, t)| t).collect();
    let cats: Vec<&Totals> = d.by_category.iter().map(|(_, t)| t).collect();
    grants_figure(
        &mut h,
        ("交付額（都道府県別）", "Grants by prefecture"),
        "都道府県",
        &pref_labels,
        &prefs,
    )?;
    grants_figure(
        &mut h,
        ("交付額（区分別）", "Grants by category"),
        "区分",
        &cat_labels,
        &cats,
    )?;
    figure(
        &mut h,
        "通常の補助と特例補助",
        "Standard regime vs special measure",
        &bars(
            "通常の補助と特例 Standard vs special",
            "百万円 (million yen)",
            &cat_labels,
            &[
                Series {
                    name: "通常の補助のみ standard alone",
                    color: LIGHT,
                    values: d
                        .by_category
                        .iter()
                        .map(|(_, t)| millions(t.standard_only))
                        .collect(),
                },
                Series {
                    name: "交付額（特例を含む） paid",
                    color: BLUE,
                    values: d
                        .by_category
                        .iter()
                        .map(|(_, t)| millions(t.grant))
                        .collect(),
                },
            ],
        )?,
        &[
            "区分",
            "通常の補助のみ（円）",
            "交付額（円）",
            "特例による増額（円）",
        ],
        d.by_category
            .iter()
            .zip(&cat_labels)
            .map(|((_, t), l)| {
                vec![
                    l.clone(),
                    yen(t.standard_only),
                    yen(t.grant),
                    yen(t.grant - t.standard_only),
                ]
            })
            .collect(),
    );
    let finding_labels: Vec<String> = d
        .audit
        .iter()
        .map(|(f, _, _)| f.name(Lang::Ja).to_owned())
        .collect();
    // The yen at stake first, as an audit report leads with it; the counts beside it.
    figure(
        &mut h,
        "監査の指摘：金額差",
        "Audit findings: yen at stake",
        &bars(
            "監査の指摘（申請額と補助額の差の絶対値の計） Audit findings: yen at stake",
            "円 (yen)",
            &finding_labels,
            &[Series {
                name: "金額差",
                color: RED,
                values: d.audit.iter().map(|(_, _, y)| *y as f64).collect(),
            }],
        )?,
        &["指摘", "Finding", "金額差 yen at stake", "件数 findings"],
        d.audit
            .iter()
            .map(|(f, n, y)| {
                vec![
                    f.name(Lang::Ja).to_owned(),
                    f.name(Lang::En).to_owned(),
                    yen(*y),
                    n.to_string(),
                ]
            })
            .collect(),
    );
    // One section per scenario.
    for (k, id) in d.scenarios.iter().enumerate() {
        let id = encode_text(id);
        impact_figure(
            &mut h,
            (
                &format!("{id} による差額（区分別）"),
                &format!("Budget impact of {id} by category"),
            ),
            "区分",
            &cat_labels,
            &cats,
            k,
        )?;
        impact_figure(
            &mut h,
            (
                &format!("{id} による差額（都道府県別）"),
                &format!("Budget impact of {id} by prefecture"),
            ),
            "都道府県",
            &pref_labels,
            &prefs,
            k,
        )?;
    }
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

/// Grants paid by a grouping (prefecture or category).
fn grants_figure(
    h: &mut String,
    (ja, en): (&str, &str),
    group: &str,
    labels: &[String],
    totals: &[&Totals],
) -> Result<()> {
    let svg = bars(
        &format!("{ja} {en}"),
        "百万円 (million yen)",
        labels,
        &[Series {
            name: "交付額",
            color: BLUE,
            values: totals.iter().map(|t| millions(t.grant)).collect(),
        }],
    )?;
    let rows = totals
        .iter()
        .zip(labels)
        .map(|(t, l)| vec![l.clone(), t.institutions.to_string(), yen(t.grant)])
        .collect();
    figure(
        h,
        ja,
        en,
        &svg,
        &[group, "医療機関等", "交付額（円）"],
        rows,
    );
    Ok(())
}

/// What the compared rule set changes, by a grouping, with who gains, loses or stays.
fn impact_figure(
    h: &mut String,
    (ja, en): (&str, &str),
    group: &str,
    labels: &[String],
    totals: &[&Totals],
    scenario: usize,
) -> Result<()> {
    let s = |t: &Totals| t.scenarios[scenario].clone();
    let svg = bars(
        &format!("{ja} {en}"),
        "百万円 (million yen)",
        labels,
        &[Series {
            name: "差額",
            color: GREEN,
            values: totals
                .iter()
                .map(|t| millions(s(t).grant - t.grant))
                .collect(),
        }],
    )?;
    let rows = totals
        .iter()
        .zip(labels)
        .map(|(t, l)| {
            vec![
                l.clone(),
                yen(s(t).grant - t.grant),
                s(t).gain.to_string(),
                s(t).lose.to_string(),
                s(t).same.to_string(),
            ]
        })
        .collect();
    figure(
        h,
        ja,
        en,
        &svg,
        &[group, "差額（円）", "増", "減", "同額"],
        rows,
    );
    Ok(())
}

/// A chart with its caption, and its numbers in a table for screen readers and exact values.
fn figure(h: &mut String, ja: &str, en: &str, svg: &str, head: &[&str], rows: Vec<Vec<String>>) {
    let _ = writeln!(h, "<h2>{ja} <span class=\"en\">{en}</span></h2>");
    let _ = writeln!(h, "<figure role=\"group\" aria-label=\"{ja}\">");
    // plotters writes a bare <svg>; mark it as one image described by the caption.
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{ja} / {en}\" "),
        1,
    );
    h.push_str(&svg);
    let _ = writeln!(
        h,
        "\n<figcaption>{ja} <span class=\"en\">{en}</span></figcaption>\n</figure>"
    );
    let _ = writeln!(
        h,
        "<details><summary>数値 <span class=\"en\">Figures</span></summary>\n<table>\n<tr>"
    );
    for c in head {
        let _ = write!(h, "<th scope=\"col\">{}</th>", encode_text(c));
    }
    h.push_str("</tr>\n");
    for r in rows {
        h.push_str("<tr>");
        for (i, v) in r.iter().enumerate() {
            let class = if i == 0 { "" } else { " class=\"n\"" };
            let _ = write!(h, "<td{class}>{}</td>", encode_text(v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n</details>\n");
}
