//! Temporary outputs never outlive their run. Their names carry the run's process id
//! (`.grants.csv.onshi-4242.Ab3xYz`), for a person reading the directory: Ctrl-C, SIGTERM or
//! SIGHUP removes the run's own at once; SIGKILL cannot be caught, so the next run into the
//! same directory removes them. That run holds the directory's lock, so every temporary it
//! finds is a dead run's, whatever its process id says (another PID namespace, a reused id).
//! A large input's scratch directory (`.scratch.onshi-4242.Ab3xYz`) is one of them.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The exit status of a run stopped by a signal (128 + SIGINT, as shells report Ctrl-C).
pub const INTERRUPTED: i32 = 130;

/// The output directories being written, and whether a signal is being handled.
struct Watch {
    dirs: Vec<Watched>,
    stopping: bool,
}

struct Watched {
    dir: PathBuf,
    /// The outermost directory this run created (removed again when left empty).
    created: Option<PathBuf>,
}

static WATCH: Mutex<Watch> = Mutex::new(Watch {
    dirs: Vec::new(),
    stopping: false,
});

fn watch_lock() -> MutexGuard<'static, Watch> {
    WATCH.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What this run's temporary names carry after the output's name.
pub fn tag() -> String {
    format!("onshi-{}", std::process::id())
}

/// A token that makes this run's names unique beyond its process id (a reused id, another
/// PID namespace writing the same volume).
pub fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{nanos:08x}")
}

/// Installs the handler (once per process; later calls change nothing).
pub fn install() {
    let _ = ctrlc::set_handler(on_signal);
}

/// Held while temporaries are created or the new set is renamed into place: a signal waits
/// for it, so it never removes a previous set moved aside, nor misses a file being created.
/// None: a signal is being handled, create nothing more.
pub struct Busy(#[allow(dead_code)] MutexGuard<'static, Watch>);

pub fn busy() -> Option<Busy> {
    let w = watch_lock();
    (!w.stopping).then_some(Busy(w))
}

/// Starts watching `dir` (`created`: the outermost directory the run made for it).
pub fn watch(dir: &Path, created: Option<PathBuf>) {
    watch_lock().dirs.push(Watched {
        dir: dir.to_owned(),
        created,
    });
}

/// Stops watching `dir` (its run has finished, well or not).
pub fn unwatch(dir: &Path) {
    watch_lock().dirs.retain(|w| w.dir != dir);
}

fn on_signal() {
    let mut w = watch_lock();
    w.stopping = true;
    let pid = std::process::id();
    for d in &w.dirs {
        remove_temporaries(&d.dir, |p| p == pid);
        if let Some(top) = &d.created {
            // The lock is this run's (it is held until the process exits).
            let _ = std::fs::remove_file(d.dir.join(super::lock::LOCK_FILE));
            remove_empty_dirs(&d.dir, top);
        }
    }
    eprintln!("onshi: interrupted; no output was changed");
    std::process::exit(INTERRUPTED);
}

/// Removes the temporaries in `dir` of runs that have ended (killed, so their own cleanup
/// never ran); the caller holds the directory's lock, so no other run is writing there.
/// Returns how many were removed.
pub fn remove_leftovers(dir: &Path) -> usize {
    remove_temporaries(dir, |_| true)
}

/// Removes the files in `dir` named as a run's temporaries, of the runs `whose` picks.
fn remove_temporaries(dir: &Path, whose: impl Fn(u32) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            temporary_of(&name.to_string_lossy()).is_some_and(&whose)
        })
        .filter(|e| match e.file_type() {
            // A run's scratch directory (line items and codes of a large input).
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(e.path()).is_ok(),
            _ => std::fs::remove_file(e.path()).is_ok(),
        })
        .count()
}

/// The process id in a temporary's name: `.{output}.onshi-{pid}.{random}`.
fn temporary_of(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (_, after) = rest.split_once(".onshi-")?;
    let (pid, random) = after.split_once('.')?;
    (!random.is_empty() && !random.contains('.'))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Removes `dir` and its parents up to `top`, as long as they are empty.
pub fn remove_empty_dirs(dir: &Path, top: &Path) {
    for d in dir.ancestors() {
        match std::fs::remove_dir(d) {
            // Not there: creating it failed part-way.
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => break,
            _ if d == top => break,
            _ => {}
        }
    }
}

/// The outermost of `dir` and its parents that does not exist yet: what creating `dir` makes.
pub fn first_missing(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .last()
        .map(Path::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_known_by_their_name() {
        assert_eq!(temporary_of(".grants.csv.onshi-4242.Ab3xYz"), Some(4242));
        assert_eq!(
            temporary_of(".report.html.previous.onshi-7.Q1w2E3"),
            Some(7)
        );
        for other in [
            "grants.csv",
            ".grants.csv.Ab3xYz",
            ".grants.csv.onshi-x.Ab3",
            ".grants.csv.onshi-12.",
            ".notes.onshi-12.a.b",
        ] {
            assert_eq!(temporary_of(other), None, "{other}");
        }
    }

    #[test]
    fn the_outermost_missing_directory() {
        let d = tempfile::tempdir().unwrap();
        let c = d.path().join("a/b/c");
        assert_eq!(first_missing(&c), Some(d.path().join("a")));
        std::fs::create_dir_all(&c).unwrap();
        assert_eq!(first_missing(&c), None);
        remove_empty_dirs(&c, &d.path().join("a"));
        assert!(!d.path().join("a").exists());
        assert!(d.path().exists());
    }
}
