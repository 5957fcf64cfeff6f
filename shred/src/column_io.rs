//! Parquet column I/O with explicit levels: stripes in, stripes out, no Arrow in between.
//!
//! Writing hands each [`Stripe`] to the `parquet` crate's low-level column writer,
//! `ColumnWriterImpl::write_batch(values, def, rep)`, one row group at a time
//! ([`write_row_group`]), inside a [`parquet::file::writer::SerializedFileWriter`].
//! Reading goes the other way through `ColumnReaderImpl::read_records`, which returns whole
//! records' levels and the non-null values ([`StripeReader`]), page by page, so memory
//! stays bounded by the batch size, not the file size.
//!
//! The column reader leaves the level buffers untouched for a column whose maximum level
//! is 0; [`StripeReader`] fills in the zeros so every stripe has one `rep` and one `def`
//! per entry.

use std::io::Write;
use std::sync::Arc;

use parquet::column::page::{PageMetadata, PageReader};
use parquet::column::reader::ColumnReader;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::{ByteArray, FixedLenByteArray};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;

use crate::chunk_decoder::{ChunkDecoder, StoredPages};
use crate::error::{Error, Result};
use crate::schema::{Leaf, Schema};
use crate::stripe::{Stripe, Values};

/// Writes one row group: `stripes[i]` goes to leaf column `i`.
pub fn write_row_group<W: Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    schema: &Schema,
    stripes: &[Stripe],
) -> Result<()> {
    if stripes.len() != schema.leaves().len() {
        return Err(Error::Input {
            message: format!(
                "{} stripes for a schema of {} columns",
                stripes.len(),
                schema.leaves().len()
            ),
        });
    }
    let err = |e| Error::parquet("writing row group", e);
    let mut row_group = writer.next_row_group().map_err(err)?;
    for (leaf, stripe) in schema.leaves().iter().zip(stripes) {
        let mut column = row_group
            .next_column()
            .map_err(err)?
            .ok_or_else(|| Error::Input {
                message: format!("{}: the writer has no column for it", leaf.path),
            })?;
        write_stripe(column.untyped(), leaf, stripe)?;
        column.close().map_err(err)?;
    }
    row_group.close().map_err(err)?;
    Ok(())
}

/// Writes one stripe's levels and values to an open column writer.
pub fn write_stripe(column: &mut ColumnWriter<'_>, leaf: &Leaf, stripe: &Stripe) -> Result<()> {
    let def = (leaf.max_def > 0).then_some(stripe.def.as_slice());
    let rep = (leaf.max_rep > 0).then_some(stripe.rep.as_slice());
    let err = |e| Error::parquet(format!("writing column {}", leaf.path), e);
    match (column, &stripe.values) {
        (ColumnWriter::BoolColumnWriter(w), Values::Boolean(v)) => w.write_batch(v, def, rep),
        (ColumnWriter::Int32ColumnWriter(w), Values::Int32(v)) => w.write_batch(v, def, rep),
        (ColumnWriter::Int64ColumnWriter(w), Values::Int64(v)) => w.write_batch(v, def, rep),
        (ColumnWriter::Int96ColumnWriter(w), Values::Int96(v)) => w.write_batch(v, def, rep),
        (ColumnWriter::FloatColumnWriter(w), Values::Float(v)) => w.write_batch(v, def, rep),
        (ColumnWriter::DoubleColumnWriter(w), Values::Double(v)) => w.write_batch(v, def, rep),
        (ColumnWriter::ByteArrayColumnWriter(w), Values::ByteArray(v)) => {
            w.write_batch(&v.to_byte_arrays(), def, rep)
        }
        (ColumnWriter::FixedLenByteArrayColumnWriter(w), Values::FixedLenByteArray(v)) => {
            let arrays: Vec<FixedLenByteArray> = v
                .to_byte_arrays()
                .into_iter()
                .map(FixedLenByteArray::from)
                .collect();
            w.write_batch(&arrays, def, rep)
        }
        (_, values) => {
            return Err(Error::Input {
                message: format!(
                    "{}: {:?} column given {} values",
                    leaf.path,
                    leaf.physical(),
                    values_type_name(values)
                ),
            });
        }
    }
    .map_err(err)?;
    Ok(())
}

fn values_type_name(values: &Values) -> &'static str {
    match values {
        Values::Boolean(_) => "BOOLEAN",
        Values::Int32(_) => "INT32",
        Values::Int64(_) => "INT64",
        Values::Int96(_) => "INT96",
        Values::Float(_) => "FLOAT",
        Values::Double(_) => "DOUBLE",
        Values::ByteArray(_) => "BYTE_ARRAY",
        Values::FixedLenByteArray(_) => "FIXED_LEN_BYTE_ARRAY",
    }
}

/// Writes a whole file of stripes, one row group per item of `row_groups`.
pub fn write_file<W: Write + Send>(
    sink: W,
    schema: &Schema,
    props: WriterProperties,
    row_groups: impl IntoIterator<Item = Vec<Stripe>>,
) -> Result<W> {
    let mut writer = SerializedFileWriter::new(sink, schema.message_type(), Arc::new(props))
        .map_err(|e| Error::parquet("creating Parquet writer", e))?;
    for stripes in row_groups {
        write_row_group(&mut writer, schema, &stripes)?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::parquet("closing Parquet writer", e))
}

/// Reads one leaf column of one row group as stripes, whole records at a time.
pub struct StripeReader {
    reader: ColumnReader,
    /// A BYTE_ARRAY chunk's own decoder, while it decodes the chunk (`reader` is then
    /// not read yet).
    decoder: Option<Decoding>,
    max_rep: i16,
    max_def: i16,
    path: String,
    byte_buf: Vec<ByteArray>,
    fixed_buf: Vec<FixedLenByteArray>,
    /// Whether byte array values are copied into the stripe.
    byte_values: bool,
}

impl StripeReader {
    /// Opens column `leaf` of row group `row_group` of `file`.
    pub fn open<R: parquet::file::reader::ChunkReader + 'static>(
        file: &SerializedFileReader<R>,
        schema: &Schema,
        row_group: usize,
        leaf: usize,
    ) -> Result<Self> {
        let leaf_info = &schema.leaves()[leaf];
        let context = || format!("row group {row_group}, column {}", leaf_info.path);
        let rg = file
            .get_row_group(row_group)
            .map_err(|e| Error::parquet(context(), e))?;
        let reader = rg
            .get_column_reader(leaf)
            .map_err(|e| Error::parquet(context(), e))?;
        Ok(Self::new(reader, leaf_info))
    }

    /// Wraps a `parquet` column reader for `leaf`.
    pub fn new(reader: ColumnReader, leaf: &Leaf) -> Self {
        StripeReader {
            reader,
            decoder: None,
            max_rep: leaf.max_rep,
            max_def: leaf.max_def,
            path: leaf.path.clone(),
            byte_buf: Vec::new(),
            fixed_buf: Vec::new(),
            byte_values: true,
        }
    }

    /// Reads a BYTE_ARRAY column chunk of `leaf` with [`ChunkDecoder`] over its `pages`;
    /// where that declines, with the crate's column reader `reopen` gives, from the
    /// record the decoder stopped at. Another column of `leaf` is read with `reopen`'s
    /// reader from the start.
    pub fn decoding(
        pages: StoredPages,
        leaf: &Leaf,
        reopen: impl FnOnce() -> Result<ColumnReader> + Send + 'static,
    ) -> Result<Self> {
        if leaf.physical() != parquet::basic::Type::BYTE_ARRAY {
            return Ok(Self::new(reopen()?, leaf));
        }
        // Until it is needed, the crate's reader is one over no pages.
        let empty =
            parquet::column::reader::get_column_reader(leaf.descr.clone(), Box::new(NoPages));
        let mut reader = Self::new(empty, leaf);
        reader.decoder = Some(Decoding {
            decoder: ChunkDecoder::new(pages, leaf.max_rep, leaf.max_def),
            records: 0,
            reopen: Box::new(reopen),
        });
        Ok(reader)
    }

    /// Whether [`ChunkDecoder`] still reads the chunk (it has not declined).
    #[cfg(test)]
    pub(crate) fn decodes_itself(&self) -> bool {
        self.decoder.is_some()
    }

    /// Leaves byte array values out of the stripes (the levels are all a caller wants):
    /// a value is never copied out of its page, so a column of huge strings reads in the
    /// memory of its pages.
    pub fn without_byte_values(mut self) -> Self {
        self.byte_values = false;
        self
    }

    /// Appends up to `max_records` whole records to `stripe`; returns how many were read
    /// (0 at the end of the column chunk).
    pub fn read_records(&mut self, max_records: usize, stripe: &mut Stripe) -> Result<usize> {
        if let Some(decoding) = self.decoder.as_mut() {
            let entries = stripe.len();
            let values = stripe.values.len();
            match decoding
                .decoder
                .read_records(max_records, stripe, self.byte_values)
            {
                Ok(records) => {
                    decoding.records += records;
                    return Ok(records);
                }
                Err(_) => {
                    // The crate's reader takes over where the decoder stopped.
                    stripe.truncate(entries, values);
                    let decoding = self.decoder.take().expect("decoding");
                    self.reader = (decoding.reopen)()?;
                    if let ColumnReader::ByteArrayColumnReader(r) = &mut self.reader {
                        r.skip_records(decoding.records).map_err(|e| {
                            Error::parquet(format!("reading column {}", self.path), e)
                        })?;
                    }
                }
            }
        }
        let levels_before = stripe.def.len();
        let def = (self.max_def > 0).then_some(&mut stripe.def);
        let rep = (self.max_rep > 0).then_some(&mut stripe.rep);
        let result = match (&mut self.reader, &mut stripe.values) {
            (ColumnReader::BoolColumnReader(r), Values::Boolean(v)) => {
                r.read_records(max_records, def, rep, v)
            }
            (ColumnReader::Int32ColumnReader(r), Values::Int32(v)) => {
                r.read_records(max_records, def, rep, v)
            }
            (ColumnReader::Int64ColumnReader(r), Values::Int64(v)) => {
                r.read_records(max_records, def, rep, v)
            }
            (ColumnReader::Int96ColumnReader(r), Values::Int96(v)) => {
                r.read_records(max_records, def, rep, v)
            }
            (ColumnReader::FloatColumnReader(r), Values::Float(v)) => {
                r.read_records(max_records, def, rep, v)
            }
            (ColumnReader::DoubleColumnReader(r), Values::Double(v)) => {
                r.read_records(max_records, def, rep, v)
            }
            (ColumnReader::ByteArrayColumnReader(r), Values::ByteArray(v)) => {
                self.byte_buf.clear();
                let res = r.read_records(max_records, def, rep, &mut self.byte_buf);
                if let Ok((_, read, _)) = res
                    && self.byte_values
                {
                    copy_byte_arrays(self.byte_buf.iter().take(read), v, &self.path)?;
                }
                res
            }
            (ColumnReader::FixedLenByteArrayColumnReader(r), Values::FixedLenByteArray(v)) => {
                self.fixed_buf.clear();
                let res = r.read_records(max_records, def, rep, &mut self.fixed_buf);
                if let Ok((_, read, _)) = res
                    && self.byte_values
                {
                    let arrays = self.fixed_buf.iter().take(read).map(|a| &**a);
                    copy_byte_arrays(arrays, v, &self.path)?;
                }
                res
            }
            _ => {
                return Err(Error::Input {
                    message: format!("{}: stripe type does not match the column", self.path),
                });
            }
        };
        let (records, _values, levels) =
            result.map_err(|e| Error::parquet(format!("reading column {}", self.path), e))?;
        // Columns whose maximum level is 0 get no levels from the reader: fill them in.
        let entries = if self.max_def > 0 || self.max_rep > 0 {
            levels
        } else {
            records
        };
        let len = levels_before + entries;
        if self.max_def == 0 {
            stripe.def.resize(len, 0);
        }
        if self.max_rep == 0 {
            stripe.rep.resize(len, 0);
        }
        Ok(records)
    }
}

/// A chunk being read by [`ChunkDecoder`].
struct Decoding {
    decoder: ChunkDecoder,
    /// Records read so far.
    records: usize,
    /// The crate's reader of the same chunk, from its start.
    reopen: Box<dyn FnOnce() -> Result<ColumnReader> + Send>,
}

/// A page reader with no pages.
struct NoPages;

impl Iterator for NoPages {
    type Item = parquet::errors::Result<parquet::column::page::Page>;
    fn next(&mut self) -> Option<Self::Item> {
        None
    }
}

impl PageReader for NoPages {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<parquet::column::page::Page>> {
        Ok(None)
    }
    fn peek_next_page(&mut self) -> parquet::errors::Result<Option<PageMetadata>> {
        Ok(None)
    }
    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        Ok(())
    }
}

/// Copies values the column reader returned into flat storage. A corrupt page can leave
/// entries the reader never set; those are an error here, not a panic in `data()`.
fn copy_byte_arrays<'a>(
    arrays: impl Iterator<Item = &'a ByteArray>,
    values: &mut crate::stripe::ByteValues,
    path: &str,
) -> Result<()> {
    let unset = ByteArray::new();
    for array in arrays {
        if *array == unset {
            return Err(Error::Input {
                message: format!("reading column {path}: corrupt page: a value was not decoded"),
            });
        }
        values.push(array.data());
    }
    Ok(())
}

/// Uncompressed bytes of decoded values a batch aims at, at most.
pub const BATCH_BYTES: i64 = 64 << 20;

/// Records per batch: `batch_size`, or fewer when the row group's records average more
/// than [`BATCH_BYTES`]` / batch_size` uncompressed bytes (at least one), so that a row
/// group of huge values is not decoded many records at a time by both readers.
pub fn batch_records(batch_size: usize, total_bytes: i64, rows: i64) -> usize {
    if rows <= 0 || total_bytes <= 0 {
        return batch_size;
    }
    let per_record = (total_bytes / rows).max(1);
    batch_size.min((BATCH_BYTES / per_record).max(1) as usize)
}

/// Reads every leaf column of every row group of `file`, concatenated, through the
/// `parquet` crate's column readers ([`StripeReader`]).
pub fn read_all_stripes<R: parquet::file::reader::ChunkReader + 'static>(
    file: R,
) -> Result<(Schema, Vec<Stripe>)> {
    let reader = SerializedFileReader::new(file).map_err(|e| Error::parquet("reading", e))?;
    let schema = Schema::from_descriptor(reader.metadata().file_metadata().schema_descr_ptr())?;
    let mut stripes: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
    for row_group in 0..reader.num_row_groups() {
        for (leaf, stripe) in stripes.iter_mut().enumerate() {
            let mut column = StripeReader::open(&reader, &schema, row_group, leaf)?;
            while column.read_records(usize::MAX, stripe)? > 0 {}
        }
    }
    Ok((schema, stripes))
}

/// The physical type a stripe for `leaf` must have.
pub fn stripe_for(leaf: &Leaf) -> Stripe {
    Stripe::new(leaf.physical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{CONTACT_SCHEMA, Contact, ContactStripes, Phone, PhoneType};
    use parquet::basic::Type as PhysicalType;

    #[test]
    fn contact_stripes_survive_a_file() {
        let schema = Schema::parse(CONTACT_SCHEMA).unwrap();
        let contacts = vec![
            Contact {
                name: Some("A B".into()),
                phones: Some(vec![
                    Some(Phone {
                        number: Some("+91-1".into()),
                        phone_type: Some(PhoneType::Work),
                    }),
                    None,
                ]),
            },
            Contact::default(),
            Contact {
                name: None,
                phones: Some(vec![]),
            },
        ];
        let mut stripes = ContactStripes::default();
        stripes.shred(&contacts);
        let written: Vec<Stripe> = stripes.columns().into_iter().cloned().collect();
        let bytes = write_file(
            Vec::new(),
            &schema,
            WriterProperties::default(),
            [written.clone()],
        )
        .unwrap();
        let file = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        for (leaf, expected) in written.iter().enumerate() {
            let mut reader = StripeReader::open(&file, &schema, 0, leaf).unwrap();
            let mut got = stripe_for(&schema.leaves()[leaf]);
            // Two records, then the rest: batches append to the same stripe.
            assert_eq!(reader.read_records(2, &mut got).unwrap(), 2);
            assert_eq!(reader.read_records(10, &mut got).unwrap(), 1);
            assert_eq!(reader.read_records(10, &mut got).unwrap(), 0);
            assert_eq!(&got, expected, "column {leaf}");
            // Without byte values: the same levels, no values.
            let mut reader = StripeReader::open(&file, &schema, 0, leaf)
                .unwrap()
                .without_byte_values();
            let mut levels = stripe_for(&schema.leaves()[leaf]);
            assert_eq!(reader.read_records(10, &mut levels).unwrap(), 3);
            assert_eq!((&levels.rep, &levels.def), (&expected.rep, &expected.def));
            assert!(!expected.values.is_empty() && levels.values.is_empty());
        }
    }

    #[test]
    fn batches_of_huge_records_are_smaller() {
        assert_eq!(batch_records(4096, 7 << 20, 1 << 20), 4096);
        assert_eq!(batch_records(4096, 2 << 30, 2), 1);
        assert_eq!(batch_records(4096, 64 << 20, 1024), 1024);
        assert_eq!(batch_records(16, 0, 0), 16);
    }

    #[test]
    fn required_column_gets_zero_levels() {
        let schema = Schema::parse("message m { required int64 id; }").unwrap();
        let mut stripe = Stripe::new(PhysicalType::INT64);
        for id in [3, 4, 5] {
            stripe.push_null(0, 0);
            stripe.values.push_i64(id);
        }
        let bytes = write_file(
            Vec::new(),
            &schema,
            WriterProperties::default(),
            [vec![stripe.clone()]],
        )
        .unwrap();
        let file = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        let mut reader = StripeReader::open(&file, &schema, 0, 0).unwrap();
        let mut got = Stripe::new(PhysicalType::INT64);
        reader.read_records(100, &mut got).unwrap();
        assert_eq!(got, stripe);
    }
}
