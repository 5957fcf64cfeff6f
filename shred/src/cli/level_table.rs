//! The table of one column chunk's level entries, as `shred levels` and
//! `shred-inspect levels` print it.
//!
//! A section per column chunk: the heading `row group G, column P (max r R, max d D)`, then
//! the entries in a streamed [`BlockTable`] with the columns `record | r | d | value`, the
//! value through its logical type ([`crate::value_display`]) and `null` for an entry
//! without one (the spelling of the JSON lines, [`crate::entry_json`]), `(no entries)` when
//! nothing was shown, and a blank line.
//!
//! ```
//! use shred::cli::level_table::LevelTable;
//! use shred::{Schema, stripe::Values};
//! let schema = Schema::parse("message m { optional int64 x; }").unwrap();
//! let mut out = Vec::new();
//! let mut table = LevelTable::start(&mut out, 0, &schema.leaves()[0]).unwrap();
//! table.push(&mut out, 0, 0, 1, Some((&Values::Int64(vec![7]), 0))).unwrap();
//! table.push(&mut out, 1, 0, 0, None).unwrap();
//! table.finish(&mut out).unwrap();
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "row group 0, column x (max r 0, max d 1)\n\
//!      ┌────────┬───┬───┬───────┐\n\
//!      │ record │ r │ d │ value │\n\
//!      ├────────┼───┼───┼───────┤\n\
//!      │ 0      │ 0 │ 1 │ 7     │\n\
//!      │ 1      │ 0 │ 0 │ null  │\n\
//!      └────────┴───┴───┴───────┘\n\n"
//! );
//! ```

use std::io::{self, Write};

use crate::cli::table::BlockTable;
use crate::schema::Leaf;
use crate::stripe::Values;
use crate::value_display::Display;

/// The columns of a level table.
pub const HEADER: [&str; 4] = ["record", "r", "d", "value"];

/// The table of one column chunk, printed as its rows arrive.
pub struct LevelTable {
    table: BlockTable,
    display: Display,
    shown: u64,
}

impl LevelTable {
    /// Prints the heading of `leaf`'s chunk in row group `row_group`; rows follow.
    pub fn start(out: &mut dyn Write, row_group: usize, leaf: &Leaf) -> io::Result<Self> {
        writeln!(
            out,
            "row group {row_group}, column {} (max r {}, max d {})",
            leaf.path, leaf.max_rep, leaf.max_def
        )?;
        Ok(LevelTable {
            table: BlockTable::new(&HEADER),
            display: Display::new(leaf),
            shown: 0,
        })
    }

    /// Adds one entry: its file-wide record index, levels, and value (the stripe's values
    /// and the entry's index into them) or `None`.
    pub fn push(
        &mut self,
        out: &mut dyn Write,
        record: u64,
        r: i16,
        d: i16,
        value: Option<(&Values, usize)>,
    ) -> io::Result<()> {
        let value = match value {
            Some((values, i)) => self.display.format(values, i),
            None => "null".to_string(),
        };
        self.shown += 1;
        self.table.push(
            vec![record.to_string(), r.to_string(), d.to_string(), value],
            out,
        )
    }

    /// Prints the rows not printed yet, `(no entries)` when there were none, and a blank
    /// line.
    pub fn finish(mut self, out: &mut dyn Write) -> io::Result<()> {
        self.table.flush(out)?;
        if self.shown == 0 {
            writeln!(out, "(no entries)")?;
        }
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Schema;

    #[test]
    fn empty_chunk_says_so() {
        let schema = Schema::parse("message m { repeated int32 x; }").unwrap();
        let mut out = Vec::new();
        LevelTable::start(&mut out, 2, &schema.leaves()[0])
            .unwrap()
            .finish(&mut out)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "row group 2, column x (max r 1, max d 1)\n(no entries)\n\n"
        );
    }
}
