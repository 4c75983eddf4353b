//! Putting a run's outputs in place as one set, recoverably, as a rollback journal does.
//!
//! Every new output is written under a temporary name and made durable first. Then a journal
//! (`DIR/.onshi.journal`) records the set being replaced: for each previous output the hidden
//! name it is moved aside to, for each new one its temporary name. The previous outputs are
//! moved aside, the new ones renamed into place, and the journal removed: that removal is the
//! commit. A run killed before it leaves the journal behind, and the next run into the
//! directory (holding its lock, so the writer is known to be dead) rolls back to the previous
//! set before anything else. Rolling back is idempotent: a run killed while it rolls back is
//! rolled back again by the one after.

use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tempfile::TempPath;

/// The journal's name in the output directory.
pub const JOURNAL: &str = ".onshi.journal";

const HEADER: &str = "onshi commit journal 1";
/// The journal's last line: a journal without it was cut short before any rename.
const END: &str = "end";

/// A new output: its temporary file, and the name it takes.
#[derive(Debug)]
pub struct Pending {
    pub temp: TempPath,
    pub name: &'static str,
}

/// What a commit replaces, by file name in the output directory.
#[derive(Debug, Default, PartialEq, Eq)]
struct Journal {
    /// (output, the hidden name it is moved aside to).
    previous: Vec<(String, String)>,
    /// (output, the temporary it is renamed from).
    new: Vec<(String, String)>,
}

impl Journal {
    fn render(&self) -> String {
        let mut s = format!("{HEADER}\n");
        for (name, aside) in &self.previous {
            s.push_str(&format!("previous {name} {aside}\n"));
        }
        for (name, temp) in &self.new {
            s.push_str(&format!("new {name} {temp}\n"));
        }
        s.push_str(END);
        s.push('\n');
        s
    }

    /// The journal in `text`; None when it was cut short (no rename had started).
    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return None;
        }
        let mut j = Journal::default();
        for line in lines {
            if line == END {
                return Some(j);
            }
            let mut parts = line.splitn(3, ' ');
            let (kind, name, file) = (parts.next()?, parts.next()?, parts.next()?);
            // Only plain names in the directory: a journal never moves anything elsewhere.
            if [name, file]
                .iter()
                .any(|n| n.is_empty() || n.contains(['/', '\\']) || *n == "..")
            {
                return None;
            }
            let entry = (name.to_owned(), file.to_owned());
            match kind {
                "previous" => j.previous.push(entry),
                "new" => j.new.push(entry),
                _ => return None,
            }
        }
        None
    }
}

/// Puts `pending` in place in `dir` as one set, replacing every previous output of `names`
/// (also those this run does not write). The directory ends with the whole new set or, if
/// this fails, the whole previous one; a target that is not a regular file is refused before
/// anything moves. `tag` makes the hidden names of the previous outputs unique.
pub fn replace_all(
    dir: &Path,
    names: &[&str],
    pending: Vec<Pending>,
    tag: &str,
) -> Result<Vec<PathBuf>> {
    for p in &pending {
        let target = dir.join(p.name);
        if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_file()) {
            bail!(
                "cannot write {}: it is not a regular file (a directory?); nothing was replaced",
                target.display()
            );
        }
    }
    // Durable before the journal names them: after a power cut the journal never points at
    // a new file whose data is not on disk.
    for p in &pending {
        sync_file(&p.temp)
            .with_context(|| format!("cannot write {}", dir.join(p.name).display()))?;
    }
    let journal = Journal {
        previous: names
            .iter()
            .filter(|n| std::fs::symlink_metadata(dir.join(n)).is_ok_and(|m| m.is_file()))
            .map(|n| (n.to_string(), format!(".{n}.previous.{tag}")))
            .collect(),
        new: pending
            .iter()
            .map(|p| (p.name.to_owned(), file_name(&p.temp)))
            .collect(),
    };
    write_journal(dir, &journal)?;
    // From here the journal owns the temporaries: a failure rolls back through it.
    for p in pending {
        p.temp.keep()?;
    }
    if let Err(e) = apply(dir, &journal) {
        rollback(dir, &journal).with_context(|| format!("cannot restore {}", dir.display()))?;
        return Err(e);
    }
    // The commit: the new set stands.
    remove_journal(dir)?;
    for (_, aside) in &journal.previous {
        let _ = std::fs::remove_file(dir.join(aside));
    }
    Ok(journal.new.iter().map(|(n, _)| dir.join(n)).collect())
}

/// Moves the previous set aside, then renames the new one into place.
fn apply(dir: &Path, j: &Journal) -> Result<()> {
    for (name, aside) in &j.previous {
        std::fs::rename(dir.join(name), dir.join(aside))
            .with_context(|| format!("cannot replace {}", dir.join(name).display()))?;
    }
    for (name, temp) in &j.new {
        std::fs::rename(dir.join(temp), dir.join(name))
            .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
    }
    sync_dir(dir).with_context(|| format!("cannot write in {}", dir.display()))
}

/// Restores the previous set the journal records, whatever part of [`apply`] was done, and
/// removes the journal.
fn rollback(dir: &Path, j: &Journal) -> std::io::Result<()> {
    let previous: BTreeSet<&str> = j.previous.iter().map(|(n, _)| n.as_str()).collect();
    // A new output with no previous one: in place once its temporary is gone.
    for (name, temp) in &j.new {
        if !previous.contains(name.as_str()) && !dir.join(temp).exists() {
            remove_if_there(&dir.join(name))?;
        }
    }
    // A previous output moved aside comes back (over the new one, if that is in place).
    for (name, aside) in &j.previous {
        if dir.join(aside).exists() {
            std::fs::rename(dir.join(aside), dir.join(name))?;
        }
    }
    for (_, temp) in &j.new {
        remove_if_there(&dir.join(temp))?;
    }
    sync_dir(dir)?;
    remove_journal(dir).map_err(std::io::Error::other)
}

/// What [`recover`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Recovered {
    /// The run had not started its renames: the directory was whole.
    Nothing,
    /// The run was stopped part-way through its renames: the previous set is back.
    RolledBack { files: usize },
}

/// Finishes what a dead run's journal in `dir` left undone (the caller holds the lock).
pub fn recover(dir: &Path) -> Result<Option<Recovered>> {
    let path = dir.join(JOURNAL);
    let text = match std::fs::read(&path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let recovered = match Journal::parse(&text) {
        // Cut short while being written: nothing had moved.
        None => {
            remove_journal(dir)?;
            Recovered::Nothing
        }
        Some(j) => {
            rollback(dir, &j).with_context(|| format!("cannot restore {}", dir.display()))?;
            Recovered::RolledBack {
                files: j.previous.len(),
            }
        }
    };
    Ok(Some(recovered))
}

fn write_journal(dir: &Path, j: &Journal) -> Result<()> {
    let path = dir.join(JOURNAL);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&path)?;
        std::io::Write::write_all(&mut f, j.render().as_bytes())?;
        f.sync_all()?;
        sync_dir(dir)
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

fn remove_journal(dir: &Path) -> Result<()> {
    let path = dir.join(JOURNAL);
    remove_if_there(&path)
        .and_then(|()| sync_dir(dir))
        .with_context(|| format!("cannot remove {}", path.display()))
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sync_file(p: &Path) -> std::io::Result<()> {
    std::fs::File::open(p)?.sync_all()
}

/// Makes the directory's entries durable (renames, removals). Not possible on every system
/// (Windows cannot open a directory): there the renames are as durable as it makes them.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::File::open(dir) {
        Ok(d) => match d.sync_all() {
            Err(e) if cfg!(unix) => Err(e),
            _ => Ok(()),
        },
        Err(_) if !cfg!(unix) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> Journal {
        Journal {
            previous: vec![("grants.csv".into(), ".grants.csv.previous.onshi-7.x".into())],
            new: vec![
                ("grants.csv".into(), ".grants.csv.onshi-7.Ab3".into()),
                ("audit.csv".into(), ".audit.csv.onshi-7.Q1w".into()),
            ],
        }
    }

    #[test]
    fn a_journal_reads_back_and_a_cut_one_does_not() {
        let text = journal().render();
        assert_eq!(Journal::parse(&text), Some(journal()));
        let cut = &text[..text.len() - 4];
        assert_eq!(Journal::parse(cut), None);
        let elsewhere = text.replace(".audit.csv.onshi-7.Q1w", "../x");
        assert_eq!(Journal::parse(&elsewhere), None);
    }

    /// A dead run's directory at every point of its renames rolls back to the previous set.
    #[test]
    fn every_state_of_the_renames_rolls_back_to_the_previous_set() {
        let j = journal();
        // The steps of `apply`, in order: each state is the first `done` of them.
        let steps: [(&str, &str); 3] = [
            ("grants.csv", ".grants.csv.previous.onshi-7.x"),
            (".grants.csv.onshi-7.Ab3", "grants.csv"),
            (".audit.csv.onshi-7.Q1w", "audit.csv"),
        ];
        for done in 0..=steps.len() {
            let d = tempfile::tempdir().unwrap();
            let at = |n: &str| d.path().join(n);
            std::fs::write(at("grants.csv"), "old grants").unwrap();
            std::fs::write(at(".grants.csv.onshi-7.Ab3"), "new grants").unwrap();
            std::fs::write(at(".audit.csv.onshi-7.Q1w"), "new audit").unwrap();
            std::fs::write(at(JOURNAL), j.render()).unwrap();
            for (from, to) in &steps[..done] {
                std::fs::rename(at(from), at(to)).unwrap();
            }
            assert_eq!(
                recover(d.path()).unwrap(),
                Some(Recovered::RolledBack { files: 1 })
            );
            let mut names: Vec<String> = std::fs::read_dir(d.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(names, ["grants.csv"], "after {done} renames");
            assert_eq!(
                std::fs::read_to_string(at("grants.csv")).unwrap(),
                "old grants"
            );
            assert_eq!(recover(d.path()).unwrap(), None, "the journal is gone");
        }
    }

    #[test]
    fn a_journal_cut_short_changes_nothing() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("grants.csv"), "old").unwrap();
        std::fs::write(d.path().join(JOURNAL), &journal().render()[..30]).unwrap();
        assert_eq!(recover(d.path()).unwrap(), Some(Recovered::Nothing));
        assert!(!d.path().join(JOURNAL).exists());
        assert_eq!(
            std::fs::read_to_string(d.path().join("grants.csv")).unwrap(),
            "old"
        );
    }
}
