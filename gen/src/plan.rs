//! The layout of a run: which files, which contiguous record range each holds, and how each
//! file is cut into row groups.
//!
//! A dataset of `T` records written by `N` parts (`--parts`) of `W` writers each
//! (`--num-writers`) is `F = N · W` files. File `j` (`0 <= j < F`) holds records
//! `[⌊T·j/F⌋, ⌊T·(j+1)/F⌋)`, in order, cut into row groups of `--row-group-size` records
//! counted from the file's first record. Part `K` writes files `K·W .. (K+1)·W`, that is
//! records `[⌊T·K/N⌋, ⌊T·(K+1)/N⌋)`, so N machines running `--part 0..N` together write
//! exactly the files one machine writes with `--num-writers N·W`, byte for byte. Nothing in
//! the layout depends on threads or batch sizes.
//!
//! ```
//! use shred_gen::plan::{Layout, Plan};
//! let layout = Layout { target_records: 10, parts: 2, part: 1, writers: 2, row_group_size: 2 };
//! let plan = Plan::new(&layout, "out".as_ref(), "contacts").unwrap();
//! assert_eq!(plan.files[0].records, 5..7);
//! assert_eq!(plan.files[1].records, 7..10);
//! assert_eq!(plan.files[1].row_groups().collect::<Vec<_>>(), vec![7..9, 9..10]);
//! assert_eq!(plan.files[1].path.to_str(), Some("out/contacts-00003-of-00004.parquet"));
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{GenError, Result};

/// `records` cut into consecutive ranges of `size` records, in order, the last one possibly
/// shorter (a size of 0 counts as 1): a file's row groups, a row group's record batches.
pub fn split(records: Range<u64>, size: u64) -> impl Iterator<Item = Range<u64>> {
    let size = size.max(1);
    let end = records.end;
    (records.start..end)
        .step_by(usize::try_from(size).unwrap_or(usize::MAX))
        .map(move |start| start..start.saturating_add(size).min(end))
}

/// The numbers that fix the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Records in the whole dataset (all parts).
    pub target_records: u64,
    /// Number of parts the dataset is split into.
    pub parts: u64,
    /// The part this run writes (`0..parts`).
    pub part: u64,
    /// Files per part.
    pub writers: u64,
    /// Records per row group.
    pub row_group_size: u64,
}

/// One planned output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilePlan {
    /// Global file index (`0..parts·writers`).
    pub index: u64,
    /// Final path.
    pub path: PathBuf,
    /// Dataset record indices the file holds.
    pub records: Range<u64>,
    /// Records per row group (the last one may hold fewer).
    pub row_group_size: u64,
}

impl FilePlan {
    /// Number of records in the file.
    pub fn len(&self) -> u64 {
        self.records.end - self.records.start
    }

    /// True when the file holds no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file's row groups, as record ranges, in order.
    pub fn row_groups(&self) -> impl Iterator<Item = Range<u64>> + use<> {
        split(self.records.clone(), self.row_group_size)
    }

    /// Number of row groups.
    pub fn row_group_count(&self) -> u64 {
        self.len().div_ceil(self.row_group_size)
    }
}

/// The files of this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Files of this part, in dataset order.
    pub files: Vec<FilePlan>,
    /// Records this run writes.
    pub records: Range<u64>,
}

/// `⌊total·i/n⌋` without overflow.
fn split_point(total: u64, i: u64, n: u64) -> u64 {
    (u128::from(total) * u128::from(i) / u128::from(n)) as u64
}

/// The file name of global file `index` of `count`.
pub fn file_name(stem: &str, index: u64, count: u64) -> String {
    if count == 1 {
        format!("{stem}.parquet")
    } else {
        let width = count.to_string().len().max(5);
        format!("{stem}-{index:0width$}-of-{count:0width$}.parquet")
    }
}

impl Plan {
    /// Plans the files of `layout` under `dir`, named after `stem`.
    pub fn new(layout: &Layout, dir: &Path, stem: &str) -> Result<Self> {
        let Layout {
            target_records,
            parts,
            part,
            writers,
            row_group_size,
        } = *layout;
        if parts == 0 || writers == 0 || row_group_size == 0 || target_records == 0 {
            return Err(GenError::Usage(
                "--target-records, --parts, --num-writers and --row-group-size must be at least 1"
                    .into(),
            ));
        }
        if part >= parts {
            return Err(GenError::Usage(format!(
                "--part {part} is out of range: parts are numbered 0..{parts} (--parts {parts})"
            )));
        }
        let count = parts.checked_mul(writers).ok_or_else(|| {
            GenError::Usage(format!(
                "--parts {parts} × --num-writers {writers} overflows"
            ))
        })?;
        if count > target_records {
            return Err(GenError::Usage(format!(
                "--target-records {target_records} is fewer than the {count} files \
                 (--parts × --num-writers): every file needs at least one record"
            )));
        }
        if stem.is_empty() || stem.contains(['/', '\\']) {
            return Err(GenError::Usage(format!(
                "--output-filename {stem:?} must be a non-empty file name without a directory"
            )));
        }
        let files: Vec<FilePlan> = (part * writers..(part + 1) * writers)
            .map(|index| {
                let records = split_point(target_records, index, count)
                    ..split_point(target_records, index + 1, count);
                FilePlan {
                    index,
                    path: dir.join(file_name(stem, index, count)),
                    records,
                    row_group_size,
                }
            })
            .collect();
        let records = files[0].records.start..files[files.len() - 1].records.end;
        Ok(Plan { files, records })
    }

    /// Records this run writes.
    pub fn len(&self) -> u64 {
        self.records.end - self.records.start
    }

    /// True when the run writes no records (never, for a valid layout).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total number of row groups.
    pub fn row_group_count(&self) -> u64 {
        self.files.iter().map(FilePlan::row_group_count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(target_records: u64, parts: u64, part: u64, writers: u64) -> Layout {
        Layout {
            target_records,
            parts,
            part,
            writers,
            row_group_size: 1000,
        }
    }

    #[test]
    fn split_covers_the_range_in_order() {
        assert_eq!(split(3..10, 3).collect::<Vec<_>>(), vec![3..6, 6..9, 9..10]);
        assert_eq!(split(0..4, 4).collect::<Vec<_>>(), vec![0..4]);
        assert_eq!(split(5..5, 2).count(), 0);
        assert_eq!(split(0..2, 0).collect::<Vec<_>>(), vec![0..1, 1..2]);
        assert_eq!(split(0..3, u64::MAX).collect::<Vec<_>>(), vec![0..3]);
    }

    #[test]
    fn single_file_is_named_after_the_stem() {
        let plan = Plan::new(&layout(10, 1, 0, 1), Path::new("d"), "contacts").unwrap();
        assert_eq!(plan.files.len(), 1);
        assert_eq!(plan.files[0].path, Path::new("d/contacts.parquet"));
        assert_eq!(plan.files[0].row_groups().collect::<Vec<_>>(), vec![0..10]);
    }

    #[test]
    fn files_tile_the_dataset_in_order() {
        let plan = Plan::new(&layout(10_007, 1, 0, 3), Path::new("."), "c").unwrap();
        let mut next = 0;
        for file in &plan.files {
            assert_eq!(file.records.start, next);
            let row_groups: Vec<_> = file.row_groups().collect();
            assert_eq!(row_groups.len() as u64, file.row_group_count());
            assert_eq!(row_groups.first().unwrap().start, file.records.start);
            assert_eq!(row_groups.last().unwrap().end, file.records.end);
            assert!(row_groups.iter().all(|rg| rg.end - rg.start <= 1000));
            next = file.records.end;
        }
        assert_eq!(next, 10_007);
    }

    #[test]
    fn parts_write_the_files_of_one_big_run() {
        let whole = Plan::new(&layout(1_000_003, 1, 0, 6), Path::new("."), "c").unwrap();
        let mut from_parts = Vec::new();
        for part in 0..3 {
            from_parts.extend(
                Plan::new(&layout(1_000_003, 3, part, 2), Path::new("."), "c")
                    .unwrap()
                    .files,
            );
        }
        assert_eq!(from_parts, whole.files);
    }

    #[test]
    fn part_out_of_range_is_a_usage_error() {
        let err = Plan::new(&layout(10, 2, 2, 1), Path::new("."), "c").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("--part 2 is out of range"),
            "{err}"
        );
    }

    #[test]
    fn more_files_than_records_is_a_usage_error() {
        let err = Plan::new(&layout(3, 2, 0, 2), Path::new("."), "c").unwrap_err();
        assert!(err.to_string().contains("fewer than the 4 files"), "{err}");
    }

    #[test]
    fn huge_datasets_do_not_overflow() {
        let plan = Plan::new(&layout(u64::MAX / 2, 1, 0, 7), Path::new("."), "c");
        let plan = plan.unwrap();
        assert_eq!(plan.files[6].records.end, u64::MAX / 2);
        assert_eq!(
            plan.files[6].row_group_count(),
            plan.files[6].len().div_ceil(1000)
        );
    }

    #[test]
    fn wide_file_counts_widen_the_index() {
        assert_eq!(file_name("c", 7, 123_456), "c-000007-of-123456.parquet");
    }
}
