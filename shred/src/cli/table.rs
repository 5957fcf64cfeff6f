//! Terminal tables: one `tabled` style for every command of every tool, and blocks for
//! long streams.
//!
//! Every table `shred`, `shred-gen` and `shred-inspect` print goes through [`render`] (a
//! header row) or [`render_rows`] (key/value tables without one), in `tabled`'s
//! [`Style::sharp`]. The `bench` commands' Markdown tables are the exception: they are
//! made for pasting into README files.
//!
//! A `tabled` table measures every row before it prints the first, so a table of all the
//! entries of a large file would hold the file in memory. [`BlockTable`] prints a stream
//! of rows as consecutive tables of at most [`BLOCK_ROWS`] rows each: memory stays bounded
//! and each block is aligned on its own.

use std::io::{self, Write};

use tabled::builder::Builder;
use tabled::settings::Style;

/// Rows per block of a streamed table.
pub const BLOCK_ROWS: usize = 1000;

/// Renders a table with a header row.
pub fn render<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> String {
    let mut builder = Builder::default();
    builder.push_record(header.iter().map(|h| h.as_ref().to_string()));
    for row in rows {
        builder.push_record(row.iter().cloned());
    }
    let mut table = builder.build();
    table.with(Style::sharp());
    table.to_string()
}

/// Renders a table without a header row (e.g. `key | value` pairs): the same style
/// without the line under the first row.
pub fn render_rows<R: AsRef<[String]>>(rows: &[R]) -> String {
    let mut builder = Builder::default();
    for row in rows {
        builder.push_record(row.as_ref().iter().cloned());
    }
    let mut table = builder.build();
    table.with(Style::sharp().remove_horizontals());
    table.to_string()
}

/// A table printed in blocks of at most [`BLOCK_ROWS`] rows.
pub struct BlockTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl BlockTable {
    /// An empty table with this header.
    pub fn new(header: &[&str]) -> Self {
        BlockTable {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row, printing the block when it is full.
    pub fn push(&mut self, row: Vec<String>, out: &mut dyn Write) -> io::Result<()> {
        self.rows.push(row);
        if self.rows.len() >= BLOCK_ROWS {
            self.flush(out)?;
        }
        Ok(())
    }

    /// Prints the rows not printed yet (nothing when there are none).
    pub fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.rows.is_empty() {
            writeln!(out, "{}", render(&self.header, &self.rows))?;
            self.rows.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_streams_print_in_blocks() {
        let mut out = Vec::new();
        let mut t = BlockTable::new(&["n"]);
        for i in 0..BLOCK_ROWS + 1 {
            t.push(vec![i.to_string()], &mut out).unwrap();
        }
        t.flush(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches(" n ").count(), 2, "two headers");
        assert!(text.contains(&format!(" {BLOCK_ROWS} ")));
    }

    #[test]
    fn tables_are_sharp() {
        let rows = [vec!["1".to_string(), "x".to_string()]];
        assert_eq!(
            render(&["n", "s"], &rows),
            "┌───┬───┐\n│ n │ s │\n├───┼───┤\n│ 1 │ x │\n└───┴───┘"
        );
        let two = [rows[0].clone(), rows[0].clone()];
        assert_eq!(
            render_rows(&two),
            "┌───┬───┐\n│ 1 │ x │\n│ 1 │ x │\n└───┴───┘"
        );
    }
}
