//! Text layout of the printed figures: titled `tabled` tables, placed side by side.
//!
//! The paper draws Figure 3 as small tables next to each other; [`titled_table`] renders
//! one table (psql style, with its title as a header panel) and [`side_by_side`] joins
//! rendered blocks left to right, wrapping to a new row of blocks at a width limit.

use tabled::builder::Builder;
use tabled::settings::{Panel, Style};

/// A table with `title` over it, a header row and body rows; lines end without trailing
/// spaces, and the table ends in a newline.
pub fn titled_table(title: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut builder = Builder::default();
    builder.push_record(header.iter().map(|h| h.to_string()));
    for row in rows {
        builder.push_record(row.clone());
    }
    let mut table = builder.build();
    table.with(Style::psql());
    if !title.is_empty() {
        table.with(Panel::header(title));
    }
    let mut text = String::new();
    for line in table.to_string().lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Rendered blocks placed left to right with a gap of three spaces, starting a new row of
/// blocks whenever the next one would pass `max_width` characters.
pub fn side_by_side(blocks: &[String], max_width: usize) -> String {
    let mut out = String::new();
    let mut row: Vec<&String> = Vec::new();
    let mut width = 0;
    for block in blocks {
        let w = block_width(block);
        if !row.is_empty() && width + 3 + w > max_width {
            out.push_str(&join_row(&row));
            out.push('\n');
            row.clear();
            width = 0;
        }
        width += if row.is_empty() { w } else { 3 + w };
        row.push(block);
    }
    if !row.is_empty() {
        out.push_str(&join_row(&row));
    }
    out
}

fn block_width(block: &str) -> usize {
    block.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

fn join_row(blocks: &[&String]) -> String {
    let height = blocks.iter().map(|b| b.lines().count()).max().unwrap_or(0);
    let mut out = String::new();
    for i in 0..height {
        let mut line = String::new();
        for (k, block) in blocks.iter().enumerate() {
            let cell = block.lines().nth(i).unwrap_or("");
            if k > 0 {
                line.push_str("   ");
            }
            line.push_str(cell);
            if k + 1 < blocks.len() {
                let pad = block_width(block) - cell.chars().count();
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_different_heights_line_up() {
        let joined = side_by_side(&["ab\ncd\nef".to_string(), "x".to_string()], 80);
        assert_eq!(joined, "ab   x\ncd\nef\n");
    }

    #[test]
    fn blocks_wrap_at_the_width_limit() {
        let joined = side_by_side(&["aaaa".to_string(), "bbbb".to_string()], 8);
        assert_eq!(joined, "aaaa\n\nbbbb\n");
    }

    #[test]
    fn titled_table_shows_title_header_and_rows() {
        let t = titled_table(
            "DocId",
            &["value", "r", "d"],
            &[vec!["10".into(), "0".into(), "0".into()]],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].contains("DocId"), "{t}");
        assert!(t.contains("value") && t.contains("10"), "{t}");
    }
}
