//! One run at a time per output directory. A run holds an advisory lock on `DIR/.onshi.lock`
//! from before it opens its first temporary until it exits; a second run into the same
//! directory stops at once (exit 2) naming the run that holds it, rather than wait an unknown
//! time. The kernel releases the lock when its process ends, however it ends, so a killed run
//! never leaves the directory locked; and while a run holds it, every temporary in the
//! directory is its own or a dead run's, whatever process ids or PID namespaces say.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

/// The lock file's name in the output directory.
pub const LOCK_FILE: &str = ".onshi.lock";

/// The lock on an output directory, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    /// Held, not read: the lock lasts as long as the file is open.
    #[allow(dead_code)]
    file: File,
    path: PathBuf,
}

impl DirLock {
    /// Takes the lock on `dir` (which exists), or says which run holds it.
    pub fn acquire(dir: &Path) -> Result<DirLock> {
        let path = dir.join(LOCK_FILE);
        // A run that made the directory removes the lock file with it when it fails: a file
        // opened just before that is no longer the one at the path, so open it again.
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    bail!(
                        "{} is being written by another onshi run ({}); wait for it to finish, \
                         or choose another --out",
                        dir.display(),
                        describe(holder.trim())
                    );
                }
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| {
                        format!(
                            "cannot lock {} (does this file system support locks?)",
                            path.display()
                        )
                    });
                }
            }
            if is_at(&file, &path) {
                write_holder(&mut file)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(DirLock { file, path });
            }
        }
        bail!("cannot lock {}: it keeps being replaced", path.display())
    }

    /// Removes the lock file (still holding it): for a directory this run made and is about
    /// to remove again.
    pub fn remove_file(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What the message says of the run holding the lock.
fn describe(holder: &str) -> String {
    match holder.is_empty() {
        true => "its process is starting".to_owned(),
        false => holder.to_owned(),
    }
}

/// Whether `file` is still the file at `path`.
#[cfg(unix)]
fn is_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_at(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Writes who holds the lock: the process, its host and when it started.
fn write_holder(file: &mut File) -> std::io::Result<()> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| chrono::DateTime::from_timestamp(i64::try_from(d.as_secs()).ok()?, 0))
        .map_or_else(String::new, |t| {
            format!(", since {}", t.format("%Y-%m-%d %H:%M:%S UTC"))
        });
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| format!(" on {}", h.trim()))
        .unwrap_or_default();
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "process {}{host}{since}", std::process::id())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_directory_is_refused_naming_the_first() {
        let d = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(d.path()).unwrap();
        let second = DirLock::acquire(d.path()).unwrap_err().to_string();
        assert!(second.contains("another onshi run"), "{second}");
        assert!(
            second.contains(&format!("process {}", std::process::id())),
            "{second}"
        );
        drop(first);
        DirLock::acquire(d.path()).expect("free again once the first is dropped");
    }

    #[test]
    fn a_lock_file_removed_under_a_waiting_run_is_made_again() {
        let d = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(d.path()).unwrap();
        first.remove_file();
        // The path is free: a new run makes and locks a new file, not the removed one.
        let second = DirLock::acquire(d.path()).unwrap();
        assert!(is_at(&second.file, &d.path().join(LOCK_FILE)));
        drop(first);
    }
}
