//! The batch's I/O floor: what polars alone takes to read the batch's input CSVs and write a
//! frame as wide and as long as `grants` (CSV and Parquet), with no rule work at all.
//! `cargo xtask bench` times it beside `onshi batch` on the same files, in the same run.
//!
//! `io-floor --institutions F [--line-items F] --columns N --out DIR`

use anyhow::{Context as _, Result, bail};
use polars::prelude::{
    Column, CsvReadOptions, CsvWriter, DataFrame, ParquetWriter, SerReader, SerWriter,
};
use std::fs::File;
use std::path::{Path, PathBuf};

fn read(path: &Path) -> Result<DataFrame> {
    // Everything as text, as the batch reads it (it parses the values itself).
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_owned()))?
        .finish()
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot read {}", path.display()))
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut inst, mut items, mut out, mut columns) = (None, None, None, 25usize);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--institutions" => inst = Some(PathBuf::from(value()?)),
            "--line-items" => items = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--columns" => columns = value()?.parse()?,
            _ => bail!("unknown argument {a}"),
        }
    }
    let (Some(inst), Some(out)) = (inst, out) else {
        bail!("usage: io-floor --institutions F [--line-items F] --columns N --out DIR");
    };
    let df = read(&inst)?;
    let items_rows = match items {
        Some(p) => read(&p)?.height(),
        None => 0,
    };
    let input = df.columns();
    let cols: Vec<Column> = (0..columns)
        .map(|i| {
            input[i % input.len()]
                .clone()
                .with_name(format!("c{i}").into())
        })
        .collect();
    let mut frame = DataFrame::new(df.height(), cols)?;
    std::fs::create_dir_all(&out)?;
    CsvWriter::new(File::create(out.join("floor.csv"))?).finish(&mut frame)?;
    ParquetWriter::new(File::create(out.join("floor.parquet"))?).finish(&mut frame)?;
    println!(
        "{} rows, {} line items, {} columns written",
        frame.height(),
        items_rows,
        frame.width()
    );
    // The peak, for `cargo xtask bench` (Linux's VmHWM).
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(v) = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))
    {
        eprintln!("peak_rss_kib {}", v.trim().trim_end_matches("kB").trim());
    }
    Ok(())
}
