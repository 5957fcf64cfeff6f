//! `pages`: every page of every (selected) column chunk, from its page header.
//!
//! A column chunk is a dictionary page (optional) followed by data pages, each a Thrift
//! `PageHeader` then the page body (the format's `README.md`, "Column chunks"). This
//! command walks the headers only ([`crate::page_header::ChunkPages`]), so it reads a few
//! hundred bytes per page and never decompresses. A data page's `num_values` is its
//! number of entries (levels, nulls included), which tells which entries of the chunk it
//! holds. When the file has an offset index (`PageIndex.md`), each data page is matched
//! to its `PageLocation` by offset and shows its first row index within the row group; a
//! v1 page's row count then follows from the next page's first row.

use std::collections::HashMap;
use std::io::Write;

use parquet::file::page_index::offset_index::PageLocation;
use serde_json::json;
use shred::cli::table::BlockTable;

use crate::error::{Error, Result};
use crate::page_header::{ChunkPages, PageInfo, PageKind, encoding_name};
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// The pages of one column chunk, with what the offset index adds.
pub struct ChunkPageList {
    /// Pages in file order.
    pub pages: Vec<PageInfo>,
    /// Per page: first row index within the row group (offset index), if known.
    pub first_rows: Vec<Option<i64>>,
    /// Per page: rows in the page (v2 header, or offset index), if known.
    pub rows: Vec<Option<i64>>,
}

/// Reads the page headers of column `leaf` in row group `rg`.
pub fn chunk_pages(file: &ParquetFile, rg: usize, leaf: usize) -> Result<ChunkPageList> {
    let decryptor = file.chunk_decryptor(rg, leaf)?;
    let md = file.metadata();
    let chunk = md.row_group(rg).column(leaf);
    let (start, len) = chunk.byte_range();
    let context = format!("row group {rg}, column {}", file.schema.leaves()[leaf].path);
    let mut walker = ChunkPages::new(&file.file, &file.name, file.len, start, len, context)?;
    if let Some(decryptor) = decryptor {
        walker = walker.decrypting(decryptor, chunk.dictionary_page_offset().is_some());
    }
    let pages: Vec<PageInfo> = walker.collect::<Result<_>>()?;
    let locations: Option<&Vec<PageLocation>> =
        md.page_index().and_then(|p| p.page_locations(rg, leaf));
    let num_rows = md.row_group(rg).num_rows();
    let mut by_offset: HashMap<u64, (i64, i64)> = HashMap::new();
    if let Some(locations) = locations {
        for (i, loc) in locations.iter().enumerate() {
            let next = locations.get(i + 1).map_or(num_rows, |n| n.first_row_index);
            by_offset.insert(
                loc.offset as u64,
                (loc.first_row_index, next - loc.first_row_index),
            );
        }
    }
    let first_rows = pages
        .iter()
        .map(|p| by_offset.get(&p.offset).map(|l| l.0))
        .collect();
    let rows = pages
        .iter()
        .map(|p| {
            p.header
                .num_rows
                .map(i64::from)
                .or_else(|| by_offset.get(&p.offset).map(|l| l.1))
        })
        .collect();
    Ok(ChunkPageList {
        pages,
        first_rows,
        rows,
    })
}

/// Reads the page headers of a column chunk and checks what the `parquet` crate's column
/// reader would otherwise panic on (it unwraps some header fields and assumes a
/// dictionary): every data page decodes with its sub-header, and a dictionary-encoded
/// data page comes after a dictionary page.
pub fn checked_chunk_pages(file: &ParquetFile, rg: usize, leaf: usize) -> Result<ChunkPageList> {
    let list = chunk_pages(file, rg, leaf)?;
    let mut dictionary = false;
    for p in &list.pages {
        match p.header.kind {
            PageKind::Dictionary => dictionary = true,
            PageKind::DataV1 | PageKind::DataV2 => {
                // PLAIN_DICTIONARY (2) and RLE_DICTIONARY (8) index into the dictionary.
                if matches!(p.header.encoding, 2 | 8) && !dictionary {
                    return Err(Error::input(
                        &file.name,
                        format!(
                            "row group {rg}, column {}, page {}: corrupt column chunk: a {} page without a dictionary page before it",
                            file.schema.leaves()[leaf].path,
                            p.index,
                            encoding_name(p.header.encoding)
                        ),
                    ));
                }
            }
            PageKind::Index | PageKind::Unknown(_) => {}
        }
    }
    Ok(list)
}

/// Prints the pages of `file`.
pub fn pages(
    file: &ParquetFile,
    columns: &[String],
    output: &Output,
    out: &mut dyn Write,
) -> Result<()> {
    let columns = file.select_columns(columns)?;
    let header = [
        "row group",
        "column",
        "page",
        "type",
        "offset",
        "header",
        "compressed",
        "uncompressed",
        "values",
        "nulls",
        "rows",
        "first row",
        "encoding",
        "levels",
    ];
    let mut table = BlockTable::new(&header);
    let opt = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
    for rg in 0..file.metadata().num_row_groups() {
        for &leaf in &columns {
            let list = chunk_pages(file, rg, leaf)?;
            let path = &file.schema.leaves()[leaf].path;
            for (i, p) in list.pages.iter().enumerate() {
                let h = &p.header;
                match output.format {
                    Format::Table => {
                        let values = if h.kind == PageKind::Dictionary {
                            format!("{} (dict)", h.num_values)
                        } else {
                            h.num_values.to_string()
                        };
                        table.push(
                            vec![
                                rg.to_string(),
                                path.clone(),
                                p.index.to_string(),
                                h.kind.name(),
                                p.offset.to_string(),
                                p.header_len.to_string(),
                                h.compressed_size.to_string(),
                                h.uncompressed_size.to_string(),
                                values,
                                opt(h.num_nulls.map(i64::from)),
                                opt(list.rows[i]),
                                opt(list.first_rows[i]),
                                encoding_name(h.encoding),
                                level_text(p),
                            ],
                            out,
                        )?;
                    }
                    Format::Json => {
                        let fields = json!({
                            "row_group": rg, "column": path, "page": p.index, "type": h.kind.name(),
                            "offset": p.offset, "header_bytes": p.header_len,
                            "compressed_bytes": h.compressed_size, "uncompressed_bytes": h.uncompressed_size,
                            "values": h.num_values, "nulls": h.num_nulls, "rows": list.rows[i],
                            "first_row": list.first_rows[i], "encoding": encoding_name(h.encoding),
                            "def_encoding": h.def_encoding.map(encoding_name),
                            "rep_encoding": h.rep_encoding.map(encoding_name),
                            "def_levels_bytes": h.def_levels_len, "rep_levels_bytes": h.rep_levels_len,
                            "is_compressed": h.is_compressed, "crc": h.crc.is_some(),
                            "statistics": h.has_statistics,
                        });
                        output.json_line(out, &file.name, fields)?;
                    }
                }
            }
        }
    }
    table.flush(out)?;
    Ok(())
}

/// How a page stores its levels: v1 names the encodings of both, v2 the byte lengths of
/// its (always RLE, uncompressed) level sections.
fn level_text(p: &PageInfo) -> String {
    let h = &p.header;
    match h.kind {
        PageKind::DataV1 => format!(
            "def {}, rep {}",
            h.def_encoding.map_or("-".into(), encoding_name),
            h.rep_encoding.map_or("-".into(), encoding_name)
        ),
        PageKind::DataV2 => format!(
            "RLE: def {} B, rep {} B",
            h.def_levels_len.unwrap_or(0),
            h.rep_levels_len.unwrap_or(0)
        ),
        _ => "-".into(),
    }
}
