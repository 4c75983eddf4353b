//! Benchmarks of onshi (criterion). `cargo bench -p onshi-benches`.
