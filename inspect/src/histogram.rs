//! `histogram`: per column, how many entries sit at each definition and repetition level.
//!
//! Computed from the data: every column chunk is read batch by batch
//! ([`crate::column_chunk`]) and its levels counted. The definition histogram says how
//! deep the path is defined (for `phones.list.item.number`: null list, empty list, null
//! item, null number, number), the repetition histogram where records and lists start.
//! Writers that follow format 2.10 store the same histograms per column chunk
//! (`SizeStatistics.repetition_level_histogram` / `definition_level_histogram`; arrow-rs
//! writes them whenever statistics are enabled; Arrow C++ writes an empty one where the
//! maximum level is 0, read here as absent). Each chunk's stored histogram is checked
//! against the counted one; a difference is reported after the table and makes the
//! command fail with exit code 1.

use std::io::Write;

use serde_json::json;
use shred::cli::table;

use crate::column_chunk::{BATCH_RECORDS, ChunkStripes};
use crate::error::{Error, Result};
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// The level counts of one column over the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnHistogram {
    /// Dotted leaf path.
    pub column: String,
    /// Entries at definition level `i` (`max_def + 1` counts).
    pub def: Vec<u64>,
    /// Entries at repetition level `i` (`max_rep + 1` counts).
    pub rep: Vec<u64>,
    /// The sum of the file's stored definition histograms, when every row group has one.
    pub file_def: Option<Vec<i64>>,
    /// The sum of the file's stored repetition histograms, when every row group has one.
    pub file_rep: Option<Vec<i64>>,
}

/// Counts the levels of every column of `file`; returns the histograms and the first
/// disagreement with the file's stored histograms, if any.
pub fn compute(file: &ParquetFile) -> Result<(Vec<ColumnHistogram>, Option<String>)> {
    let md = file.metadata();
    let mut mismatch = None;
    let mut out = Vec::new();
    for (leaf, l) in file.schema.leaves().iter().enumerate() {
        let mut h = ColumnHistogram {
            column: l.path.clone(),
            def: vec![0; l.max_def as usize + 1],
            rep: vec![0; l.max_rep as usize + 1],
            file_def: Some(vec![0; l.max_def as usize + 1]),
            file_rep: Some(vec![0; l.max_rep as usize + 1]),
        };
        for rg in 0..md.num_row_groups() {
            let mut def = vec![0u64; h.def.len()];
            let mut rep = vec![0u64; h.rep.len()];
            let mut chunk = ChunkStripes::open(file, rg, leaf)?.levels_only();
            while chunk.next_batch(BATCH_RECORDS)?.is_some() {
                count(
                    &chunk.stripe.def,
                    &mut def,
                    &file.name,
                    &chunk.place(),
                    "definition",
                )?;
                count(
                    &chunk.stripe.rep,
                    &mut rep,
                    &file.name,
                    &chunk.place(),
                    "repetition",
                )?;
            }
            chunk.check_complete()?;
            let meta = md.row_group(rg).column(leaf);
            for (kind, counted, stored, total) in [
                (
                    "definition",
                    &def,
                    meta.definition_level_histogram(),
                    &mut h.file_def,
                ),
                (
                    "repetition",
                    &rep,
                    meta.repetition_level_histogram(),
                    &mut h.file_rep,
                ),
            ] {
                // Arrow C++ stores an empty list where the format lets a writer omit the
                // histogram (maximum level 0): that is no histogram, not a zero one.
                let stored = crate::meta::stored_histogram(stored);
                match stored {
                    Some(stored) => {
                        let stored = stored.values();
                        let agrees = stored.len() == counted.len()
                            && stored
                                .iter()
                                .zip(counted)
                                .all(|(&s, &c)| s >= 0 && s as u64 == c);
                        if !agrees && mismatch.is_none() {
                            mismatch = Some(format!(
                                "{}: the stored {kind} level histogram {} differs from the levels in the data {}",
                                chunk.place(),
                                pairs(stored.iter().map(|&v| v.to_string())),
                                pairs(counted.iter().map(u64::to_string)),
                            ));
                        }
                        match total {
                            Some(t) if t.len() == stored.len() => {
                                t.iter_mut().zip(stored).for_each(|(t, s)| *t += s)
                            }
                            _ => *total = None,
                        }
                    }
                    None => *total = None,
                }
            }
            h.def.iter_mut().zip(&def).for_each(|(t, c)| *t += c);
            h.rep.iter_mut().zip(&rep).for_each(|(t, c)| *t += c);
        }
        if md.num_row_groups() == 0 {
            h.file_def = None;
            h.file_rep = None;
        }
        out.push(h);
    }
    Ok((out, mismatch))
}

fn count(levels: &[i16], counts: &mut [u64], file: &str, place: &str, kind: &str) -> Result<()> {
    for &level in levels {
        match usize::try_from(level).ok().and_then(|l| counts.get_mut(l)) {
            Some(c) => *c += 1,
            None => {
                return Err(Error::input(
                    file,
                    format!(
                        "{place}: corrupt levels: {kind} level {level} outside 0..={}",
                        counts.len() - 1
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn pairs(values: impl Iterator<Item = String>) -> String {
    values
        .enumerate()
        .map(|(level, n)| format!("{level}:{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints the histograms of `file`; fails with [`Error::Mismatch`] when the file's stored
/// histograms disagree with its data.
pub fn histogram(file: &ParquetFile, output: &Output, out: &mut dyn Write) -> Result<()> {
    let (histograms, mismatch) = compute(file)?;
    match output.format {
        Format::Table => {
            let mut rows = Vec::new();
            for h in &histograms {
                for level in 0..h.def.len().max(h.rep.len()) {
                    let stored = |v: &Option<Vec<i64>>| match v {
                        Some(v) => v.get(level).map_or(String::new(), i64::to_string),
                        None => "-".to_string(),
                    };
                    rows.push(vec![
                        if level == 0 {
                            h.column.clone()
                        } else {
                            String::new()
                        },
                        level.to_string(),
                        h.def.get(level).map_or(String::new(), u64::to_string),
                        if level < h.def.len() {
                            stored(&h.file_def)
                        } else {
                            String::new()
                        },
                        h.rep.get(level).map_or(String::new(), u64::to_string),
                        if level < h.rep.len() {
                            stored(&h.file_rep)
                        } else {
                            String::new()
                        },
                    ]);
                }
            }
            let header = [
                "column",
                "level",
                "d entries",
                "d stored",
                "r entries",
                "r stored",
            ];
            writeln!(out, "{}", table::render(&header, &rows))?;
            writeln!(
                out,
                "entries: counted from the data; stored: the file's level histograms (- when it has none)"
            )?;
        }
        Format::Json => {
            for h in &histograms {
                let fields = json!({"column": h.column, "max_r": h.rep.len() - 1, "max_d": h.def.len() - 1,
                    "d": h.def, "r": h.rep, "stored_d": h.file_def, "stored_r": h.file_rep});
                output.json_line(out, &file.name, fields)?;
            }
        }
    }
    match mismatch {
        Some(message) => Err(Error::mismatch(&file.name, message)),
        None => Ok(()),
    }
}
