//! `onshi rules`: the built-in revisions, their sources, each parameter's history, what changed.

use anyhow::{Result, bail};
use onshi_core::RuleSet;
use onshi_core::rules::{Cited, ParamId, built_in_ids};
use std::io::{self, Write};
use std::path::PathBuf;

use crate::Outcome;
use crate::assess_cmd::load_rules;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The source documents the rules cite: id, issuer, title, number, date, URL, kind.
    Sources {
        /// Of this revision or rule file (default: the latest revision).
        #[arg(value_name = "ID|FILE")]
        rules: Option<PathBuf>,
    },
    /// The built-in revisions, oldest first, each with what it extends.
    List,
    /// Every parameter of a revision with its history: value, effective_from, source, article.
    Show {
        #[arg(value_name = "ID|FILE")]
        rules: PathBuf,
    },
    /// The parameters whose value differs between two revisions (or rule files).
    Diff {
        #[arg(value_name = "ID|FILE")]
        a: PathBuf,
        #[arg(value_name = "ID|FILE")]
        b: PathBuf,
    },
}

pub fn run(cmd: &Command) -> Result<Outcome> {
    let mut out = io::stdout().lock();
    match cmd {
        Command::Sources { rules } => sources(&mut out, &load_rules(rules.as_ref())?)?,
        Command::List => list(&mut out)?,
        Command::Show { rules } => show(&mut out, &load_rules(Some(rules))?)?,
        Command::Diff { a, b } => diff(&mut out, &load_rules(Some(a))?, &load_rules(Some(b))?)?,
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn sources(out: &mut impl Write, rules: &RuleSet) -> Result<()> {
    for (id, s) in &rules.file().sources {
        writeln!(out, "{id}  [{}]", s.kind.id())?;
        writeln!(out, "    {} 「{}」", s.issuer, s.title)?;
        writeln!(out, "    {}", s.title_en)?;
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        writeln!(
            out,
            "    number: {}   date: {}   url: {}",
            dash(&s.number),
            dash(&s.date),
            dash(&s.url)
        )?;
    }
    Ok(())
}

fn list(out: &mut impl Write) -> Result<()> {
    for id in built_in_ids() {
        let Some(r) = RuleSet::built_in(id) else {
            bail!("{id}: built-in revision missing");
        };
        let m = &r.file().rule_set;
        let extends = r
            .extends()
            .map_or(String::new(), |e| format!(" (extends {e})"));
        writeln!(out, "{id}  effective {}{extends}", m.effective_from)?;
        writeln!(out, "    {}", m.title)?;
        writeln!(out, "    {}", m.title_en)?;
    }
    writeln!(out, "default: {} (the latest)", RuleSet::latest().id())?;
    Ok(())
}

fn value(c: &Cited<'_>) -> String {
    serde_json::to_string(&c.value).unwrap_or_default()
}

fn show(out: &mut impl Write, rules: &RuleSet) -> Result<()> {
    writeln!(out, "{} — {}", rules.id(), rules.file().rule_set.title)?;
    for id in ParamId::ALL {
        let history = rules.history(*id);
        let Some(now) = history.last() else {
            continue;
        };
        let decision = if now.decision { "  [decision]" } else { "" };
        writeln!(out, "{} = {}{decision}", now.key, value(now))?;
        for c in &history {
            writeln!(
                out,
                "    {} from {} ({}): {}",
                value(c),
                c.effective_from,
                c.rule_set,
                c.citation
            )?;
        }
    }
    Ok(())
}

fn diff(out: &mut impl Write, a: &RuleSet, b: &RuleSet) -> Result<()> {
    let mut n = 0;
    for id in ParamId::ALL {
        let (x, y) = (a.try_cite(*id), b.try_cite(*id));
        let same = match (&x, &y) {
            (Some(x), Some(y)) => x.value == y.value,
            (None, None) => true,
            _ => false,
        };
        if same {
            continue;
        }
        n += 1;
        let show = |c: &Option<Cited<'_>>| c.as_ref().map_or("(absent)".into(), value);
        writeln!(out, "{}: {} → {}", id.key(), show(&x), show(&y))?;
        if let Some(y) = &y {
            writeln!(
                out,
                "    {} from {}: {}",
                b.id(),
                y.effective_from,
                y.citation
            )?;
        }
    }
    writeln!(
        out,
        "{n} parameters differ between {} and {}",
        a.id(),
        b.id()
    )?;
    Ok(())
}
