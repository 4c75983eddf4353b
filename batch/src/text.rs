//! The assessment written for a person, in Japanese or English, trace included.

use onshi_core::{Assessment, Lang, Regime, RuleSet, Yen};
use std::fmt::Write;

fn yen(y: Yen, lang: Lang) -> String {
    match lang {
        Lang::Ja if y >= Yen::new(10_000) => format!("{y}（{}）", y.man()),
        Lang::Ja => y.to_string(),
        Lang::En => format!("¥{}", y.grouped()),
    }
}

pub fn render(a: &Assessment, rules: &RuleSet, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let l = |j: &'static str, e: &'static str| if ja { j } else { e };
    let mut s = String::new();
    let mut line = |label: &str, value: String| {
        let _ = writeln!(s, "{label}: {value}");
    };
    let cat = rules.category(a.category);
    line(
        l("区分", "Category"),
        if ja {
            cat.name.clone()
        } else {
            cat.name_en.clone()
        },
    );
    line(
        l("カードリーダー", "Card readers"),
        if ja {
            format!(
                "申込 {}台 / 無償提供 {}台",
                a.readers_applied, a.readers_provided
            )
        } else {
            format!(
                "{} applied for, {} provided free",
                a.readers_applied, a.readers_provided
            )
        },
    );
    line(l("補助限度額", "Cap"), yen(a.cap, lang));
    line(
        l("補助対象経費", "Eligible cost"),
        yen(a.eligible_cost, lang),
    );
    if a.ineligible_cost > Yen::ZERO {
        line(
            l("対象外の経費", "Not eligible"),
            yen(a.ineligible_cost, lang),
        );
    }
    line(
        l("通常の補助", "Standard regime"),
        yen(a.standard_grant, lang),
    );
    line(
        l("特例補助", "Special regime"),
        a.special_grant.map_or_else(
            || l("対象外", "does not apply").to_owned(),
            |g| yen(g, lang),
        ),
    );
    line(l("適用", "Applied"), a.regime.name(lang).to_owned());
    line(l("交付額", "Grant"), yen(a.grant, lang));
    line(l("自己負担", "Self-paid"), yen(a.self_pay, lang));
    line(l("申請様式", "Form"), a.form.unwrap_or("—").to_owned());
    if let Some(d) = a.retention_until {
        line(l("帳簿の保存期限", "Keep books until"), d.to_string());
    }
    if let Some(d) = a.useful_life_until {
        line(l("耐用年数の経過", "Useful life ends"), d.to_string());
    }
    if let Some(x) = &a.disposal {
        line(
            l("処分時の返納（最大）", "Repay on disposal (at most)"),
            format!(
                "{} ({} {} + {} {})",
                yen(x.up_to, lang),
                l("カードリーダー", "readers"),
                yen(x.readers_remaining, lang),
                l("補助金", "grant"),
                yen(x.grant_up_to, lang)
            ),
        );
    }
    if a.estimate {
        line(
            l("注意", "Note"),
            l(
                "日付が未入力のため見込みの額です",
                "a date is missing: this is an estimate",
            )
            .to_owned(),
        );
    }
    if a.regime == Regime::Ineligible {
        line(
            l("結果", "Result"),
            l("補助の対象外です", "no grant").to_owned(),
        );
    }
    if !a.notices.is_empty() {
        let _ = writeln!(s, "\n{}", l("お知らせ", "Notices"));
        for n in &a.notices {
            let _ = writeln!(s, "  ・{}", n.message(lang));
        }
    }
    if !a.trace.is_empty() {
        let _ = writeln!(s, "\n{}", l("計算の根拠", "Why (trace)"));
        for (i, t) in a.trace.iter().enumerate() {
            let _ = writeln!(s, "  {:>2}. {}: {}", i + 1, t.label(lang), t.detail(lang));
            if t.rules.is_empty() {
                let from = l(
                    "規則の参照なし（入力と前の手順から）",
                    "no rule read (from the input and the steps above)",
                );
                let _ = writeln!(s, "      {from}");
            }
            for r in &t.rules {
                let citation = if lang == Lang::Ja {
                    r.citation
                } else {
                    r.citation_en
                };
                let decision = if r.decision {
                    l("（プロジェクトの決定）", " (project decision)")
                } else {
                    ""
                };
                // Under a reform, say which rule set set each value.
                let set_by = if a.rules.extends().is_some() {
                    format!(" [{}]", r.rule_set)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    s,
                    "      {} {} — {citation}{decision}{set_by}",
                    l("根拠", "rule"),
                    r.key
                );
            }
        }
    }
    s
}
