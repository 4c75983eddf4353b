//! `report.html`: one self-contained page (inline style, charts as inline SVG, no script, no
//! external file) for analysts: the yen first, by kind and by category, per institution and at
//! the cap, the distribution of grants, the regimes, a tile map of the prefectures, the audit by
//! finding and by prefecture, and each scenario. Every chart has its table; every figure comes
//! from the run's [`Summary`], none is summed here.
#![allow(
    clippy::float_arithmetic,
    reason = "chart geometry in pixels, never money: the tables carry exact amounts"
)]

use anyhow::Result;
use html_escape::encode_text;
use onshi_core::{Category, Finding, Lang, Measure, Yen};
use std::fmt::Write;

use super::RunInfo;
use super::summary::{BANDS, Group, Summary, Sums, prefecture_label};
use super::tally::ReasonCount;

fn yen(v: i64) -> String {
    Yen::new(v).grouped()
}

/// A national-scale amount with its size in 億円 beside it: `76,524,078,000円（約765億円）`;
/// below 1億 the yen alone. Tenths of 億 under 100億.
fn yen_said(v: i64) -> String {
    const OKU: i64 = 100_000_000;
    let exact = format!("{}円", yen(v));
    if v.abs() < OKU {
        return exact;
    }
    let sign = if v < 0 { "−" } else { "" };
    let oku = if v.abs() < 100 * OKU {
        let tenths = (v.abs() + OKU / 20) / (OKU / 10);
        format!("{}.{}", tenths / 10, tenths % 10)
    } else {
        yen((v.abs() + OKU / 2) / OKU)
    };
    format!("{exact}（約{sign}{oku}億円）")
}

/// A date as ISO with its 和暦 beside it: `2026-12-04（令和8年12月4日）`.
fn date_said(d: chrono::NaiveDate) -> String {
    format!("{d}（{}）", onshi_core::parse::format_wareki(d))
}

/// A category's name as the rule set gives it.
fn category_name(info: &RunInfo, c: Category) -> String {
    let name = info.category_names.iter().find(|(id, _)| *id == c.id());
    name.map_or(c.id(), |(_, n)| n.as_str()).to_owned()
}

/// A share in per mille as a percentage with one decimal (rounded down).
fn percent(per_mille: u64) -> String {
    format!("{}.{}%", per_mille / 10, per_mille % 10)
}

/// One series of bars; `loss` colours the bars below zero when it is set.
#[derive(Default)]
struct Series<'a> {
    name: &'a str,
    color: &'a str,
    loss: Option<&'a str>,
    values: Vec<f64>,
}

/// The Digital Agency palette's blue and a lighter tint, a green for gains and a red for losses.
const BLUE: &str = "#0017c1";
const LIGHT: &str = "#9db7f9";
const GREEN: &str = "#1e7f3a";
const RED: &str = "#ce0000";

/// The charts' text size: 13 px, above the 11 px that reads at 100% zoom.
const FONT: u32 = 13;

/// A step for about four ticks over `range`: 1, 2 or 5 times a power of ten.
fn tick_step(range: f64) -> f64 {
    let raw = range / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// A horizontal bar chart as compact SVG: one band per label, one bar per series, the axis
/// below with its unit, a legend when there are several series. Drawn by hand: a charting
/// library wrote ten times the bytes for the same picture.
fn bars(title: &str, unit: &str, labels: &[String], series: &[Series]) -> Result<String> {
    let (n, k) = (labels.len().max(1), series.len().max(1));
    let band = 22 * k as u32 + 10;
    let label_w = labels.iter().map(|l| text_px(l, FONT)).max().unwrap_or(40) + 16;
    let (width, right) = (760u32, 24u32);
    let title_lines = wrap(title, width - 16, TITLE);
    let legend = if k > 1 {
        legend(series, label_w, width - right)
    } else {
        Vec::new()
    };
    let legend_top = 12 + 22 * title_lines.len() as u32;
    let top = legend_top + 24 * legend.len() as u32 + 12;
    let plot_w = f64::from(width - label_w - right);
    let height = top + n as u32 * band + 48;
    let all = series.iter().flat_map(|s| s.values.iter().copied());
    let (lo, hi) = all.fold((0f64, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let step = tick_step((hi - lo).max(1e-9));
    let (lo, hi) = (
        (lo / step).floor() * step,
        ((hi / step).ceil() * step).max(step),
    );
    let x = |v: f64| f64::from(label_w) + (v - lo) / (hi - lo) * plot_w;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"{FONT}\">"
    );
    for (i, line) in title_lines.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{TITLE}\" font-weight=\"bold\">{}</text>",
            width / 2,
            26 + 22 * i as u32,
            encode_text(line)
        );
    }
    let bottom = top + n as u32 * band;
    let mut t = lo;
    while t <= hi + step / 2.0 {
        let tx = x(t);
        let _ = write!(
            svg,
            "<line x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#d9d9d9\"/><text x=\"{tx:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{FONT}\">{}</text>",
            bottom + 18,
            format_axis(t)
        );
        t += step;
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{FONT}\">{}</text>",
        f64::from(label_w) + plot_w / 2.0,
        bottom + 40,
        encode_text(unit)
    );
    for (i, label) in labels.iter().enumerate() {
        let y0 = top + i as u32 * band;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{FONT}\">{}</text>",
            label_w - 8,
            y0 + band / 2 + 5,
            encode_text(label)
        );
        for (j, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            let (a, b) = (x(v.min(0.0)), x(v.max(0.0)));
            let fill = if v < 0.0 {
                s.loss.unwrap_or(s.color)
            } else {
                s.color
            };
            let _ = write!(
                svg,
                "<rect x=\"{a:.1}\" y=\"{}\" width=\"{:.1}\" height=\"18\" fill=\"{fill}\"/>",
                y0 + 5 + 22 * j as u32,
                (b - a).max(0.5),
            );
        }
    }
    let zero = x(0.0);
    let _ = write!(
        svg,
        "<line x1=\"{zero:.1}\" x2=\"{zero:.1}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#1a1a1a\"/>"
    );
    for (row, entries) in legend.iter().enumerate() {
        let y = legend_top + 24 * row as u32;
        for (lx, s) in entries {
            let _ = write!(
                svg,
                "<rect x=\"{lx}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"{FONT}\">{}</text>",
                s.color,
                lx + 20,
                y + 12,
                encode_text(s.name)
            );
        }
    }
    svg.push_str("</svg>");
    Ok(svg)
}

/// The charts' title size.
const TITLE: u32 = 16;

/// The legend's entries placed in rows from `left`, each row ending before `right`.
fn legend<'s, 'a>(
    series: &'s [Series<'a>],
    left: u32,
    right: u32,
) -> Vec<Vec<(u32, &'s Series<'a>)>> {
    let mut rows: Vec<Vec<(u32, &Series)>> = vec![Vec::new()];
    let mut lx = left;
    for s in series {
        let w = 20 + text_px(s.name, FONT);
        if lx + w > right && lx > left {
            rows.push(Vec::new());
            lx = left;
        }
        if let Some(row) = rows.last_mut() {
            row.push((lx, s));
        }
        lx += w + 24;
    }
    rows
}

/// `text` cut into lines at most `max` px wide at `size`: between words, or between any two
/// Japanese characters (which have no spaces to break at).
fn wrap(text: &str, max: u32, size: u32) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut word = String::new();
    let flush = |lines: &mut Vec<String>, word: &mut String| {
        let line = lines.last().map_or("", String::as_str);
        if !line.is_empty() && text_px(&format!("{line}{word}"), size) > max {
            lines.push(word.trim_start().to_owned());
        } else if let Some(l) = lines.last_mut() {
            l.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c == ' ' || !c.is_ascii() {
            flush(&mut lines, &mut word);
        }
        word.push(c);
    }
    flush(&mut lines, &mut word);
    lines.retain(|l| !l.trim().is_empty());
    lines
}

/// About how wide a text is at `size` px: CJK characters a full em, the rest 0.6 em (wide
/// enough for bold Latin; the browser test measures the real boxes).
fn text_px(s: &str, size: u32) -> u32 {
    s.chars()
        .map(|c| if c.is_ascii() { size * 6 / 10 } else { size })
        .sum()
}

fn format_axis(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        Yen::new(v as i64).grouped()
    } else {
        format!("{v:.1}")
    }
}

/// Yen as millions (百万円), for axes only: the tables carry the exact amounts.
fn millions(v: i64) -> f64 {
    v as f64 / 1_000_000.0
}

const HEAD: &str = r#"<!doctype html>
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
td.n { text-align: right; white-space: nowrap; }
td:first-child { white-space: nowrap; }
th[scope="row"] { min-width: 16rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
details { margin: .5rem 0 1.5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
dl.terms { grid-template-columns: 14rem 1fr; }
@media print { h2, h3, caption, figcaption { break-after: avoid; } figure, tr, dl { break-inside: avoid; } }
.tile-map text { font-family: inherit; }
</style>
</head>
<body>
<main>
<h1>オンライン資格確認 導入補助 再計算レポート<br><span class="en">Online eligibility verification grants — recomputation report</span></h1>
"#;

/// The report's HTML: `rejects` counts the rejected rows by reason, and `files` are the
/// outputs written beside it (linked from its head).
pub fn render(
    info: &RunInfo,
    s: &Summary,
    rejects: &[ReasonCount],
    files: &[&str],
) -> Result<String> {
    let mut h = String::from(HEAD);
    parameters(&mut h, info, files);
    definitions(&mut h);
    let national = s.national();
    totals(&mut h, info, &national);
    rejects_by_reason(&mut h, info, rejects);
    let groups = s.groups();
    by_kind(&mut h, &groups)?;
    by_category(&mut h, info, s)?;
    regimes(&mut h, &groups)?;
    let prefectures = s.prefectures();
    measures(&mut h, &national, &groups, &prefectures)?;
    distribution(&mut h, &national)?;
    prefecture_map(&mut h, &prefectures);
    audit(&mut h, &national, &prefectures)?;
    for k in 0..s.scenarios.len() {
        scenario(&mut h, &scenario_title(info, k), k, &groups, &prefectures)?;
    }
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

fn parameters(h: &mut String, info: &RunInfo, files: &[&str]) {
    let c = &info.counts;
    h.push_str("<h2>このレポートについて <span class=\"en\">About this run</span></h2>\n<dl>\n");
    let mut param = |k: &str, v: &str| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", encode_text(k), encode_text(v));
    };
    param("実行日 / Run date", &date_said(info.run_date));
    param(
        "プログラム / Program",
        concat!("onshi ", env!("CARGO_PKG_VERSION")),
    );
    param(
        "医療機関等ファイル / Institutions",
        &format!("{} ({})", info.institutions, info.encoding),
    );
    if let Some((f, e)) = &info.line_items {
        param("明細ファイル / Line items", &format!("{f} ({e})"));
    }
    param(
        "規則 / Rule set",
        &format!(
            "{}（{} / {}）、{} から",
            info.rule_set,
            info.rule_title.0,
            info.rule_title.1,
            date_said(info.rule_from)
        ),
    );
    for (k, cmp) in info.compare.iter().enumerate() {
        let (ja, en) = scenario_title(info, k);
        param(
            "比較する規則 / Compared rule set",
            &format!("{cmp}（{ja} / {en}）"),
        );
    }
    param(
        "行数 / Rows",
        &format!(
            "{} 行 = 計算 {} + 除外 {}（rows in = computed + rejected）",
            yen_count(c.rows),
            yen_count(c.computed),
            yen_count(c.rejected)
        ),
    );
    if info.line_items.is_some() {
        param(
            "明細の行数 / Line items",
            &format!(
                "{} 行 = 使用 {} + 除外 {}",
                yen_count(c.item_rows),
                yen_count(c.items_used),
                yen_count(c.items_rejected)
            ),
        );
    }
    let links: Vec<String> = files
        .iter()
        .filter(|f| **f != super::output::REPORT_HTML)
        .map(|f| format!("<a href=\"{f}\">{f}</a>"))
        .collect();
    let _ = writeln!(
        h,
        "<dt>同じフォルダのファイル / Files beside this report</dt><dd>{}</dd>",
        links.join("、")
    );
    h.push_str("</dl>\n");
    sources(h, info);
}

/// What the figures add up, in words: the definitions an analyst cites with them.
fn definitions(h: &mut String) {
    const TERMS: [(&str, &str); 7] = [
        (
            "交付額 <span class=\"en\">Grants paid</span>",
            "計算できた医療機関等ごとに、この規則で計算した補助金の額（円単位）の合計。除外した行（rejects.csv）は含みません。 The grant each computed institution receives under these rules, summed; rejected rows are not in it.",
        ),
        (
            "特例による増額 <span class=\"en\">Cost of the special measure</span>",
            "交付額 − 全機関を通常の補助だけで計算した額。 Grants paid less what the standard regime alone would pay.",
        ),
        (
            "限度額に達した <span class=\"en\">At the cap</span>",
            "補助対象経費が補助限度額以上（補助額が限度額で決まる）。 Eligible cost at or above the cap, so the cap sets the grant.",
        ),
        (
            "1機関あたり <span class=\"en\">Per institution</span>",
            "合計 ÷ 計算できた医療機関等の数（円未満切り捨て）。 The total divided by the institutions computed (cut to the yen).",
        ),
        (
            "監査の金額差 <span class=\"en\">Audit: yen at stake</span>",
            "申請額のある機関の |申請額 − 計算した補助額|。1機関に指摘が複数あれば各指摘に同じ金額差を数えるため、指摘ごとの金額差は重なります（足し合わせないでください）。 |claimed − computed grant| where a claim is given; an institution with several findings counts its difference under each, so the findings overlap (do not add them up).",
        ),
        (
            "シナリオの差額 <span class=\"en\">Budget impact</span>",
            "シナリオの規則での交付額 − この規則での交付額（正なら予算が増える）。 Grants under the scenario less grants under these rules (positive: the budget grows).",
        ),
        (
            "都道府県 <span class=\"en\">Prefecture</span>",
            "医療機関コードの先頭2桁（都道府県コード）。 The first two digits of the institution code.",
        ),
    ];
    h.push_str(
        "<h2>用語と計算の方法 <span class=\"en\">Definitions</span></h2>\n<dl class=\"terms\">\n",
    );
    for (term, text) in TERMS {
        let _ = writeln!(h, "<dt>{term}</dt><dd>{}</dd>", encode_text(text));
    }
    h.push_str("</dl>\n");
}

/// The documents the rules cite (issuer, title, number, date), linked where they have an address.
fn sources(h: &mut String, info: &RunInfo) {
    h.push_str("<details><summary>規則の出典 <span class=\"en\">Sources of the rules</span></summary>\n<ul>\n");
    for s in &info.sources {
        let mut line = format!("{}「{}」", s.issuer, s.title);
        for extra in [&s.number, &s.date].into_iter().flatten() {
            line.push(' ');
            line.push_str(extra);
        }
        let link = s.url.as_deref().map_or(String::new(), |u| {
            format!(
                " <a href=\"{}\">{}</a>",
                html_escape::encode_double_quoted_attribute(u),
                encode_text(u)
            )
        });
        let _ = writeln!(h, "<li>{}{link}</li>", encode_text(&line));
    }
    h.push_str("</ul>\n</details>\n");
}

/// A `--compare` scenario's title (Japanese, English) from its rule file; its id when the
/// file gives none.
fn scenario_title(info: &RunInfo, k: usize) -> (String, String) {
    let id = info.compare.get(k).cloned().unwrap_or_default();
    match info.compare_titles.get(k) {
        Some((ja, en)) if !ja.is_empty() => {
            let en = if en.is_empty() { ja } else { en };
            (ja.clone(), en.clone())
        }
        _ => (id.clone(), id),
    }
}

/// A two-column table of the run's totals: a heading cell, then the value.
fn key_values(h: &mut String, caption: &str, rows: &[(String, String)]) {
    let _ = writeln!(h, "<table>\n<caption>{caption}</caption>");
    for (k, v) in rows {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{k}</th><td class=\"n\">{v}</td></tr>"
        );
    }
    h.push_str("</table>\n");
}

/// The national totals: the yen first (one table in yen), then the counts and the shares.
fn totals(h: &mut String, info: &RunInfo, n: &Sums) {
    h.push_str("<h2>全国の合計 <span class=\"en\">National totals</span></h2>\n");
    let row = |k: &str, en: &str, v: String| (format!("{k} <span class=\"en\">{en}</span>"), v);
    let mut money = vec![
        row("交付額", "Grants paid", yen_said(n.grant)),
        row(
            "特例による増額",
            "Cost of the special measure",
            yen_said(n.special_measure_cost()),
        ),
        row(
            "通常の補助のみの場合",
            "Standard regime alone",
            yen_said(n.standard_only),
        ),
        row("補助対象経費", "Eligible cost", yen_said(n.eligible_cost)),
        row(
            "1機関あたり交付額",
            "Grant per institution",
            format!("{}円", yen(n.grant_per_institution())),
        ),
    ];
    let mut counts = vec![
        row(
            "医療機関等",
            "Institutions computed",
            yen_count(n.institutions),
        ),
        row(
            "限度額に達した割合",
            "Share at the cap",
            percent(n.per_mille(n.at_cap)),
        ),
    ];
    for (k, sc) in n.scenarios.iter().enumerate() {
        let (ja, en) = scenario_title(info, k);
        let (ja, en) = (encode_text(&ja), encode_text(&en));
        money.push(row(
            &format!("差額：{ja}"),
            &format!("Budget impact: {en}"),
            yen_said(sc.grant - n.grant),
        ));
        money.push(row(
            &format!("交付額：{ja}"),
            &format!("Grants: {en}"),
            yen_said(sc.grant),
        ));
        counts.push(row(
            &format!("増・減・同額：{ja}"),
            "institutions that gain / lose / stay",
            format!(
                "{} / {} / {}",
                yen_count(sc.gain),
                yen_count(sc.lose),
                yen_count(sc.same)
            ),
        ));
    }
    key_values(
        h,
        "金額（円） <span class=\"en\">Amounts (yen)</span>",
        &money,
    );
    key_values(
        h,
        "機関数と割合 <span class=\"en\">Institutions and shares</span>",
        &counts,
    );
}

/// The rows not computed, by file and reason, most first, with the first such row's message.
fn rejects_by_reason(h: &mut String, info: &RunInfo, rejects: &[ReasonCount]) {
    let c = &info.counts;
    let _ = writeln!(
        h,
        "<h2>除外した行（理由別） <span class=\"en\">Rejected rows by reason</span></h2>\n<p>{} 行のうち {} 行を除外しました（明細は {} 行のうち {} 行）。各行の列・値・理由は rejects.csv にあります。 <span class=\"en\">Every rejected row, with its column, value and reason, is in rejects.csv.</span></p>",
        yen_count(c.rows),
        yen_count(c.rejected),
        yen_count(c.item_rows),
        yen_count(c.items_rejected)
    );
    if rejects.is_empty() {
        h.push_str(
            "<p>除外した行はありません。 <span class=\"en\">No row was rejected.</span></p>\n",
        );
        return;
    }
    let rows = rejects
        .iter()
        .map(|r| {
            vec![
                r.file.clone(),
                r.code.clone(),
                format!(
                    "{}（{} 行目） / {}",
                    r.example.0,
                    yen_count(r.first_line),
                    r.example.1
                ),
                yen_count(r.rows),
            ]
        })
        .collect();
    table(
        h,
        &[
            "ファイル file",
            "理由 reason",
            "最初の行の内容 first such row",
            "行数 rows",
        ],
        rows,
    );
}

fn yen_count(n: u64) -> String {
    yen(i64::try_from(n).unwrap_or(i64::MAX))
}

fn group_labels(groups: &[(Group, Sums)]) -> Vec<String> {
    groups
        .iter()
        .map(|(g, _)| g.name(Lang::Ja).to_owned())
        .collect()
}

/// By kind: the grants in yen, then per institution and the shares.
fn by_kind(h: &mut String, groups: &[(Group, Sums)]) -> Result<()> {
    let labels = group_labels(groups);
    let svg = bars(
        "交付額（種別） Grants by kind",
        "百万円 (million yen)",
        &labels,
        &[Series {
            name: "交付額",
            color: BLUE,
            loss: None,
            values: groups.iter().map(|(_, t)| millions(t.grant)).collect(),
        }],
    )?;
    let rows = groups
        .iter()
        .map(|(g, t)| {
            vec![
                format!("{} {}", g.name(Lang::Ja), g.name(Lang::En)),
                yen(t.grant),
                yen(t.special_measure_cost()),
                yen_count(t.institutions),
                yen(t.grant_per_institution()),
                percent(t.per_mille(t.at_cap)),
                percent(t.per_mille(t.regimes[0].0)),
            ]
        })
        .collect();
    figure(
        h,
        "種別の交付額",
        "Grants by kind",
        &svg,
        &[
            "種別 kind",
            "交付額（円）",
            "特例による増額（円）",
            "医療機関等",
            "1機関あたり（円）",
            "限度額に達した割合",
            "特例補助の割合",
        ],
        rows,
    );
    Ok(())
}

/// By category (区分, the rules' grouping): standard alone against what is paid.
fn by_category(h: &mut String, info: &RunInfo, s: &Summary) -> Result<()> {
    let cats: Vec<(Category, Sums)> = Category::ALL
        .into_iter()
        .map(|c| (c, s.category(c)))
        .filter(|(_, t)| t.institutions > 0)
        .collect();
    let labels: Vec<String> = cats.iter().map(|(c, _)| category_name(info, *c)).collect();
    let svg = bars(
        "通常の補助と特例 Standard vs special",
        "百万円 (million yen)",
        &labels,
        &[
            Series {
                name: "通常の補助のみ standard alone",
                color: LIGHT,
                loss: None,
                values: cats
                    .iter()
                    .map(|(_, t)| millions(t.standard_only))
                    .collect(),
            },
            Series {
                name: "交付額（特例を含む） paid",
                color: BLUE,
                loss: None,
                values: cats.iter().map(|(_, t)| millions(t.grant)).collect(),
            },
        ],
    )?;
    let rows = cats
        .iter()
        .zip(&labels)
        .map(|((_, t), l)| {
            vec![
                l.clone(),
                yen(t.grant),
                yen(t.standard_only),
                yen(t.special_measure_cost()),
                yen_count(t.institutions),
                yen(t.grant_per_institution()),
            ]
        })
        .collect();
    figure(
        h,
        "区分別：通常の補助と特例補助",
        "By category: standard regime vs special measure",
        &svg,
        &[
            "区分 category",
            "交付額（円）",
            "通常の補助のみ（円）",
            "特例による増額（円）",
            "医療機関等",
            "1機関あたり（円）",
        ],
        rows,
    );
    Ok(())
}

/// The regimes by kind, in yen and in count.
fn regimes(h: &mut String, groups: &[(Group, Sums)]) -> Result<()> {
    let labels = group_labels(groups);
    let svg = bars(
        "補助の種類別の交付額 Grants by regime",
        "百万円 (million yen)",
        &labels,
        &[
            Series {
                name: "特例補助 special",
                color: BLUE,
                loss: None,
                values: groups
                    .iter()
                    .map(|(_, t)| millions(t.regimes[0].1))
                    .collect(),
            },
            Series {
                name: "通常の補助 standard",
                color: LIGHT,
                loss: None,
                values: groups
                    .iter()
                    .map(|(_, t)| millions(t.regimes[1].1))
                    .collect(),
            },
        ],
    )?;
    let rows = groups
        .iter()
        .map(|(g, t)| {
            let [sp, st, no] = t.regimes;
            vec![
                g.name(Lang::Ja).to_owned(),
                yen(sp.1),
                yen(st.1),
                yen_count(sp.0),
                yen_count(st.0),
                yen_count(no.0),
            ]
        })
        .collect();
    figure(
        h,
        "補助の種類（特例・通常・対象外）",
        "Regimes: special, standard, not eligible",
        &svg,
        &[
            "種別 kind",
            "特例補助（円）",
            "通常の補助（円）",
            "特例の数",
            "通常の数",
            "対象外の数",
        ],
        rows,
    );
    Ok(())
}

/// A measure's short name, for the chart's legend and the tables' heads (a list under the
/// figure gives the full names).
fn measure_short(m: Measure) -> &'static str {
    match m {
        Measure::Standard => "通常 standard",
        Measure::Special2020 => "特例2020",
        Measure::Special2022 => "特例2022",
        Measure::Difference2022 => "差額2022",
    }
}

const MEASURE_COLORS: [&str; 4] = [LIGHT, BLUE, GREEN, RED];

/// What each measure paid, by kind, nationally, and by prefecture ranked by what the 2022
/// revision's measures (the second window and the difference payment) cost there.
fn measures(
    h: &mut String,
    national: &Sums,
    groups: &[(Group, Sums)],
    prefectures: &[(u8, Sums)],
) -> Result<()> {
    let labels = group_labels(groups);
    let series: Vec<Series> = Measure::ALL
        .iter()
        .enumerate()
        .map(|(i, m)| Series {
            name: measure_short(*m),
            color: MEASURE_COLORS[i],
            loss: None,
            values: groups
                .iter()
                .map(|(_, t)| millions(t.measures[i].1))
                .collect(),
        })
        .collect();
    let svg = bars(
        "措置別の交付額 Grants by measure",
        "百万円 (million yen)",
        &labels,
        &series,
    )?;
    let mut head = vec!["種別 kind".to_owned()];
    for m in Measure::ALL {
        head.push(format!("{}（円）", measure_short(m)));
    }
    for m in Measure::ALL {
        head.push(format!("{}（数）", measure_short(m)));
    }
    let row = |name: String, t: &Sums| {
        let mut r = vec![name];
        r.extend(t.measures.iter().map(|(_, y)| yen(*y)));
        r.extend(t.measures.iter().map(|(n, _)| yen_count(*n)));
        r
    };
    let mut rows: Vec<Vec<String>> = groups
        .iter()
        .map(|(g, t)| row(g.name(Lang::Ja).to_owned(), t))
        .collect();
    rows.push(row("全国 all".to_owned(), national));
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    figure(
        h,
        "支払った措置別の交付額",
        "Grants by the measure that paid",
        &svg,
        &head_refs,
        rows,
    );
    h.push_str("<dl>\n");
    for m in Measure::ALL {
        let _ = writeln!(
            h,
            "<dt>{}</dt><dd>{} <span class=\"en\">{}</span></dd>",
            measure_short(m),
            encode_text(m.name(Lang::Ja)),
            encode_text(m.name(Lang::En))
        );
    }
    h.push_str("</dl>\n");
    let window = |t: &Sums| t.by_measure(Measure::Special2022);
    let difference = |t: &Sums| t.by_measure(Measure::Difference2022);
    let later = |t: &Sums| window(t).1 + difference(t).1;
    let mut ranked: Vec<&(u8, Sums)> = prefectures
        .iter()
        .filter(|(_, t)| t.institutions > 0)
        .collect();
    ranked.sort_by_key(|(p, t)| (std::cmp::Reverse(later(t)), *p));
    let _ = writeln!(
        h,
        "<h3>都道府県別：令和4年の措置の交付額（多い順） <span class=\"en\">By prefecture: what the 2022 measures paid, largest first</span></h3>"
    );
    let rows = ranked
        .iter()
        .enumerate()
        .map(|(i, (p, t))| {
            vec![
                format!("{} {}", i + 1, prefecture_label(*p, Lang::Ja)),
                yen(later(t)),
                yen(window(t).1),
                yen_count(window(t).0),
                yen(difference(t).1),
                yen_count(difference(t).0),
                yen(t.grant),
            ]
        })
        .collect();
    table(
        h,
        &[
            "順位・都道府県 rank, prefecture",
            "2022年の措置の計（円）",
            "特例2022（円）",
            "特例2022（数）",
            "差額2022（円）",
            "差額2022（数）",
            "交付額の計（円）",
        ],
        rows,
    );
    Ok(())
}

/// A grant band's label: `0`, `1–99,999`, …, `2,000,000–`.
fn band_label(i: usize) -> String {
    match (BANDS[i], BANDS.get(i + 1)) {
        (0, _) => "0".to_owned(),
        (lo, Some(hi)) => format!("{}–{}", yen(lo), yen(hi - 1)),
        (lo, None) => format!("{}–", yen(lo)),
    }
}

/// How the grants are spread: institutions by grant band.
fn distribution(h: &mut String, n: &Sums) -> Result<()> {
    let labels: Vec<String> = (0..BANDS.len()).map(band_label).collect();
    #[allow(clippy::cast_precision_loss)]
    let values = n.bands.iter().map(|c| *c as f64).collect();
    let svg = bars(
        "交付額の分布 Distribution of grants",
        "医療機関等の数 (institutions)",
        &labels,
        &[Series {
            name: "医療機関等",
            color: BLUE,
            loss: None,
            values,
        }],
    )?;
    let rows = labels
        .iter()
        .zip(&n.bands)
        .map(|(l, c)| vec![l.clone(), yen_count(*c), percent(n.per_mille(*c))])
        .collect();
    figure(
        h,
        "交付額の分布（円）",
        "Distribution of grants (yen)",
        &svg,
        &["交付額（円）", "医療機関等", "割合"],
        rows,
    );
    Ok(())
}

/// Each prefecture's square on a grid in its rough place (column, row), by JIS code.
const TILES: [(u8, u8); 47] = [
    (12, 0),
    (12, 1),
    (12, 2),
    (12, 3),
    (11, 2),
    (11, 3),
    (11, 4),
    (12, 5),
    (11, 5),
    (10, 5),
    (10, 6),
    (12, 6),
    (11, 6),
    (10, 7),
    (10, 4),
    (9, 4),
    (8, 4),
    (7, 5),
    (9, 6),
    (9, 5),
    (8, 5),
    (9, 7),
    (8, 6),
    (8, 7),
    (7, 6),
    (6, 6),
    (6, 7),
    (5, 7),
    (7, 7),
    (6, 8),
    (4, 6),
    (3, 6),
    (4, 7),
    (3, 7),
    (2, 7),
    (5, 8),
    (4, 8),
    (3, 8),
    (4, 9),
    (1, 7),
    (1, 8),
    (0, 8),
    (1, 9),
    (2, 8),
    (2, 9),
    (1, 10),
    (0, 11),
];

/// Five shades of the page's blue, light to dark, and the text colour that reads on each.
const SHADES: [(&str, &str); 5] = [
    ("#e8f1fe", "#1a1a1a"),
    ("#c5d7fb", "#1a1a1a"),
    ("#7096f8", "#1a1a1a"),
    ("#264af4", "#ffffff"),
    ("#00118f", "#ffffff"),
];

/// A prefecture's name without 都・府・県 (北海道 stays whole).
fn short_name(code: u8) -> String {
    let name = prefecture_label(code, Lang::Ja);
    match name.strip_suffix(['都', '府', '県']) {
        Some(short) if code != 1 => short.to_owned(),
        _ => name,
    }
}

/// The tile map: grant per institution by prefecture, five classes of equal width.
fn prefecture_map(h: &mut String, prefectures: &[(u8, Sums)]) {
    const CELL: u32 = 46;
    let values: Vec<i64> = prefectures
        .iter()
        .map(|(_, t)| t.grant_per_institution())
        .collect();
    let lo = values.iter().copied().min().unwrap_or(0);
    let hi = values.iter().copied().max().unwrap_or(0);
    let width = (hi - lo).max(1);
    let class = |v: i64| usize::try_from(((v - lo) * 5 / width).clamp(0, 4)).unwrap_or(0);
    let _ = writeln!(
        h,
        "<h2>都道府県別：1機関あたり交付額 <span class=\"en\">Grant per institution by prefecture</span></h2>"
    );
    let _ = writeln!(
        h,
        "<figure role=\"group\" aria-label=\"都道府県別の1機関あたり交付額\">\n<svg class=\"tile-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"都道府県のタイル地図：1機関あたり交付額 / Tile map of grant per institution\">",
        13 * CELL + 200,
        12 * CELL,
        13 * CELL + 200,
        12 * CELL
    );
    for ((code, t), v) in prefectures.iter().zip(&values) {
        let (col, row) = TILES[usize::from(*code) - 1];
        let (x, y) = (u32::from(col) * CELL, u32::from(row) * CELL);
        let (fill, ink) = SHADES[class(*v)];
        let name = short_name(*code);
        let _ = writeln!(
            h,
            "<g><title>{} {}円（{}機関）</title><rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{ink}\">{}</text></g>",
            encode_text(&prefecture_label(*code, Lang::Ja)),
            yen(*v),
            t.institutions,
            CELL - 2,
            CELL - 2,
            x + CELL / 2 - 1,
            y + CELL / 2 + 4,
            encode_text(&name)
        );
    }
    // The legend: each class's range, on the right.
    let lx = 13 * CELL + 16;
    let _ = writeln!(
        h,
        "<text x=\"{lx}\" y=\"20\" font-size=\"13\" fill=\"#1a1a1a\">1機関あたり（円）</text>"
    );
    for (i, (fill, _)) in SHADES.iter().enumerate() {
        let from = lo + width * i64::try_from(i).unwrap_or(0) / 5;
        let to = lo + width * i64::try_from(i + 1).unwrap_or(1) / 5;
        let y = 34 + u32::try_from(i).unwrap_or(0) * 30;
        let _ = writeln!(
            h,
            "<rect x=\"{lx}\" y=\"{y}\" width=\"22\" height=\"22\" fill=\"{fill}\" stroke=\"#949494\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1a1a1a\">{}–{}</text>",
            lx + 30,
            y + 16,
            yen(from),
            yen(to)
        );
    }
    h.push_str("</svg>\n<figcaption>都道府県別の1機関あたり交付額（色が濃いほど多い） <span class=\"en\">Grant per institution by prefecture (darker is more)</span></figcaption>\n</figure>\n");
    h.push_str("<details><summary>数値（1機関あたりの多い順） <span class=\"en\">Figures, ranked by grant per institution</span></summary>\n");
    let mut ranked: Vec<&(u8, Sums)> = prefectures.iter().collect();
    ranked.sort_by_key(|(p, t)| (std::cmp::Reverse(t.grant_per_institution()), *p));
    let rows = ranked
        .iter()
        .enumerate()
        .map(|(i, (code, t))| {
            vec![
                format!("{} {}", i + 1, prefecture_label(*code, Lang::Ja)),
                yen(t.grant_per_institution()),
                yen(t.grant),
                yen_count(t.institutions),
                percent(t.per_mille(t.regimes[0].0)),
                percent(t.per_mille(t.at_cap)),
            ]
        })
        .collect();
    table(
        h,
        &[
            "順位・都道府県 rank, prefecture",
            "1機関あたり（円）",
            "交付額（円）",
            "医療機関等",
            "特例補助の割合",
            "限度額に達した割合",
        ],
        rows,
    );
    h.push_str("</details>\n");
}

/// A yen share of another in per mille, rounded down; 0 when the base is not positive.
fn share_per_mille(part: i64, base: i64) -> u64 {
    if base <= 0 {
        return 0;
    }
    u64::try_from(i128::from(part.max(0)) * 1000 / i128::from(base)).unwrap_or(0)
}

/// The audit: the yen at stake by finding with the over- and under-claims' net, then by
/// prefecture ranked by over-claims as a share of the grants there.
fn audit(h: &mut String, n: &Sums, prefectures: &[(u8, Sums)]) -> Result<()> {
    let labels: Vec<String> = Finding::ALL
        .iter()
        .map(|f| f.name(Lang::Ja).to_owned())
        .collect();
    let svg = bars(
        "監査の指摘ごとの金額差 Audit findings: yen at stake",
        "百万円 (million yen)",
        &labels,
        &[Series {
            name: "金額差",
            color: RED,
            loss: None,
            values: n.findings.iter().map(|(_, y)| millions(*y)).collect(),
        }],
    )?;
    let rows = Finding::ALL
        .iter()
        .zip(&n.findings)
        .map(|(f, (c, y))| {
            vec![
                format!("{} {}", f.name(Lang::Ja), f.name(Lang::En)),
                yen(*y),
                yen_count(*c),
            ]
        })
        .collect();
    figure(
        h,
        "監査の指摘：金額差",
        "Audit findings: yen at stake",
        &svg,
        &["指摘 finding", "金額差（円）", "件数"],
        rows,
    );
    let (over, under) = (n.findings[0].1, n.findings[1].1);
    h.push_str("<p>指摘は重なります（1機関に複数の指摘があれば、その金額差を指摘ごとに数えます）。過大申請と過少申請は重なりません。 <span class=\"en\">Findings overlap; over- and under-claims do not.</span></p>\n");
    key_values(
        h,
        "過大申請と過少申請（円） <span class=\"en\">Over- and under-claims (yen)</span>",
        &[
            (
                "過大申請の計 <span class=\"en\">Over-claimed</span>".to_owned(),
                yen_said(over),
            ),
            (
                "過少申請の計 <span class=\"en\">Under-claimed</span>".to_owned(),
                yen_said(under),
            ),
            (
                "差引（過大 − 過少） <span class=\"en\">Net (over − under)</span>".to_owned(),
                yen_said(over - under),
            ),
            (
                "交付額に対する過大申請の割合 <span class=\"en\">Over-claims as a share of grants</span>".to_owned(),
                percent(share_per_mille(over, n.grant)),
            ),
        ],
    );
    audit_by_prefecture(h, prefectures)
}

/// The audit by prefecture: the yen ranked by over-claims as a share of the grants there, with
/// its chart; then the counts by finding.
fn audit_by_prefecture(h: &mut String, prefectures: &[(u8, Sums)]) -> Result<()> {
    let share = |t: &Sums| share_per_mille(t.findings[0].1, t.grant);
    let mut ranked: Vec<&(u8, Sums)> = prefectures
        .iter()
        .filter(|(_, t)| t.institutions > 0)
        .collect();
    ranked.sort_by_key(|(p, t)| {
        (
            std::cmp::Reverse(share(t)),
            std::cmp::Reverse(t.findings[0].1),
            *p,
        )
    });
    let labels: Vec<String> = ranked
        .iter()
        .map(|(p, _)| prefecture_label(*p, Lang::Ja))
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let values = ranked.iter().map(|(_, t)| share(t) as f64 / 10.0).collect();
    let svg = bars(
        "都道府県別：交付額に対する過大申請の割合（高い順） Over-claims as a share of grants",
        "% (過大申請額 ÷ 交付額 over-claimed ÷ grants)",
        &labels,
        &[Series {
            name: "過大申請の割合",
            color: RED,
            loss: None,
            values,
        }],
    )?;
    let rows = ranked
        .iter()
        .enumerate()
        .map(|(i, (p, t))| {
            let (over, under) = (t.findings[0].1, t.findings[1].1);
            vec![
                format!("{} {}", i + 1, prefecture_label(*p, Lang::Ja)),
                percent(share(t)),
                yen(over),
                yen(under),
                yen(over - under),
                yen(t.grant),
            ]
        })
        .collect();
    figure(
        h,
        "監査の指摘（都道府県別、過大申請の割合が高い順）",
        "Audit by prefecture, ranked by over-claims as a share of grants",
        &svg,
        &[
            "順位・都道府県 rank, prefecture",
            "過大申請の割合",
            "過大申請（円）",
            "過少申請（円）",
            "差引（円）",
            "交付額（円）",
        ],
        rows,
    );
    let mut head = vec![
        "順位・都道府県 rank, prefecture".to_owned(),
        "件数の計".to_owned(),
    ];
    head.extend(
        Finding::ALL
            .iter()
            .map(|f| format!("{}（件）", f.name(Lang::Ja))),
    );
    let rows = ranked
        .iter()
        .enumerate()
        .map(|(i, (p, t))| {
            let mut r = vec![
                format!("{} {}", i + 1, prefecture_label(*p, Lang::Ja)),
                yen_count(t.findings.iter().map(|(c, _)| *c).sum()),
            ];
            r.extend(t.findings.iter().map(|(c, _)| yen_count(*c)));
            r
        })
        .collect();
    let _ = writeln!(
        h,
        "<h3>都道府県別の指摘の件数（同じ順） <span class=\"en\">Findings by prefecture, counts (same order)</span></h3>"
    );
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    table(h, &head, rows);
    Ok(())
}

/// One scenario, named by its rule file's title: its budget impact by kind and by prefecture
/// (largest impact first), with who gains, loses or stays.
fn scenario(
    h: &mut String,
    (ja, en): &(String, String),
    k: usize,
    groups: &[(Group, Sums)],
    prefectures: &[(u8, Sums)],
) -> Result<()> {
    // Titles often already say they are a scenario; the heading says it once.
    let ja = ja.strip_prefix("シナリオ：").unwrap_or(ja);
    let en = en.strip_prefix("Scenario: ").unwrap_or(en);
    let (ja, en) = (encode_text(ja), encode_text(en));
    let kinds: Vec<(String, &Sums)> = groups
        .iter()
        .map(|(g, t)| (g.name(Lang::Ja).to_owned(), t))
        .collect();
    let diff = |t: &Sums| t.scenarios[k].grant - t.grant;
    let mut ranked: Vec<&(u8, Sums)> = prefectures
        .iter()
        .filter(|(_, t)| t.institutions > 0)
        .collect();
    ranked.sort_by_key(|(p, t)| (std::cmp::Reverse(diff(t).abs()), *p));
    let prefs: Vec<(String, &Sums)> = ranked
        .iter()
        .enumerate()
        .map(|(i, (p, t))| (format!("{} {}", i + 1, prefecture_label(*p, Lang::Ja)), t))
        .collect();
    let _ = writeln!(
        h,
        "<h2>シナリオ：{ja} <span class=\"en\">Scenario: {en}</span></h2>"
    );
    impact_figure(
        h,
        ("種別の差額", "Budget impact by kind"),
        "種別 kind",
        &kinds,
        k,
    )?;
    impact_figure(
        h,
        (
            "都道府県別の差額（大きい順）",
            "Budget impact by prefecture, largest first",
        ),
        "順位・都道府県 rank, prefecture",
        &prefs,
        k,
    )
}

/// What a compared rule set changes, by a grouping, with who gains, loses or stays: gains in
/// green, losses in red.
fn impact_figure(
    h: &mut String,
    (ja, en): (&str, &str),
    group: &str,
    rows_in: &[(String, &Sums)],
    k: usize,
) -> Result<()> {
    let labels: Vec<String> = rows_in.iter().map(|(l, _)| l.clone()).collect();
    let diff = |t: &Sums| t.scenarios[k].grant - t.grant;
    let svg = bars(
        &format!("{ja} {en}"),
        "百万円 (million yen)",
        &labels,
        &[Series {
            name: "差額",
            color: GREEN,
            loss: Some(RED),
            values: rows_in.iter().map(|(_, t)| millions(diff(t))).collect(),
        }],
    )?;
    let rows = rows_in
        .iter()
        .map(|(l, t)| {
            let sc = t.scenarios[k];
            vec![
                l.clone(),
                yen(diff(t)),
                yen_count(sc.gain),
                yen_count(sc.lose),
                yen_count(sc.same),
            ]
        })
        .collect();
    figure_with(
        h,
        3,
        (ja, en),
        &svg,
        &[
            group,
            "差額（円）",
            "増えた機関",
            "減った機関",
            "同額の機関",
        ],
        rows,
    );
    Ok(())
}

/// A chart with its caption, and its numbers in a table for screen readers and exact values.
fn figure(h: &mut String, ja: &str, en: &str, svg: &str, head: &[&str], rows: Vec<Vec<String>>) {
    figure_with(h, 2, (ja, en), svg, head, rows);
}

/// [`figure`] under a heading of `level` (2 or 3).
fn figure_with(
    h: &mut String,
    level: u8,
    (ja, en): (&str, &str),
    svg: &str,
    head: &[&str],
    rows: Vec<Vec<String>>,
) {
    let _ = writeln!(
        h,
        "<h{level}>{ja} <span class=\"en\">{en}</span></h{level}>"
    );
    let _ = writeln!(h, "<figure role=\"group\" aria-label=\"{ja}\">");
    // Mark the chart as one image described by the caption.
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
        "<details><summary>数値 <span class=\"en\">Figures</span></summary>"
    );
    table(h, head, rows);
    h.push_str("</details>\n");
}

/// Whether a cell holds a figure (a count, an amount, a share), which is right-aligned.
fn is_figure(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '−')
        && v.chars()
            .all(|c| c.is_ascii_digit() || ",.-−%/ 円".contains(c))
}

/// A table: the first column names the row; figures are right-aligned, words are not.
fn table(h: &mut String, head: &[&str], rows: Vec<Vec<String>>) {
    h.push_str("<table>\n<tr>");
    for c in head {
        let _ = write!(h, "<th scope=\"col\">{}</th>", encode_text(c));
    }
    h.push_str("</tr>\n");
    for r in rows {
        h.push_str("<tr>");
        for (i, v) in r.iter().enumerate() {
            let class = if i > 0 && is_figure(v) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(h, "<td{class}>{}</td>", encode_text(v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_amounts_carry_their_oku() {
        assert_eq!(yen_said(99_999_999), "99,999,999円");
        assert_eq!(yen_said(1_234_567_890), "1,234,567,890円（約12.3億円）");
        assert_eq!(yen_said(1_295_000_000), "1,295,000,000円（約13.0億円）");
        assert_eq!(yen_said(76_524_078_000), "76,524,078,000円（約765億円）");
        assert_eq!(yen_said(-2_000_000_000), "-2,000,000,000円（約−20.0億円）");
    }
    #[test]
    fn figures_are_told_from_words_and_titles_wrap_within_their_width() {
        for figure in [
            "1,234",
            "-5,000",
            "12.5%",
            "43,734 / 35,175 / 146,862",
            "1,000円",
        ] {
            assert!(is_figure(figure), "{figure}");
        }
        for word in ["national.csv", "missing", "2 東京都", "", "約5億円"] {
            assert!(!is_figure(word), "{word}");
        }
        assert_eq!(share_per_mille(25, 1000), 25);
        assert_eq!(share_per_mille(5, 0), 0);
        assert_eq!(share_per_mille(-5, 100), 0);
        let lines = wrap(
            "都道府県別：交付額に対する過大申請の割合（高い順） Over-claims as a share of grants",
            300,
            16,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_px(l, 16) <= 300), "{lines:?}");
        assert_eq!(
            lines.concat().replace(' ', ""),
            "都道府県別：交付額に対する過大申請の割合（高い順）Over-claimsasashareofgrants"
        );
    }
    #[test]
    fn every_prefecture_has_a_square_of_its_own() {
        let mut seen = std::collections::BTreeSet::new();
        for (col, row) in TILES {
            assert!(col < 13 && row < 12, "({col}, {row}) is off the grid");
            assert!(seen.insert((col, row)), "({col}, {row}) twice");
        }
        assert_eq!(short_name(1), "北海道");
        assert_eq!(short_name(13), "東京");
        assert_eq!(short_name(26), "京都");
        assert_eq!(band_label(0), "0");
        assert_eq!(band_label(2), "100,000–199,999");
        assert_eq!(band_label(9), "2,000,000–");
    }
}
