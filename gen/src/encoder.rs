//! Row-group encoders: generated contacts → one encoded Parquet row group, in memory, ready
//! to be spliced into a file.
//!
//! A row group is encoded by one thread, independently of every other row group, and only
//! then appended to its file, so many row groups of one file encode in parallel and the file
//! is still written in order (the approach arrow-rs documents for `ArrowColumnWriter`). Three
//! encoders produce the same schema and the same records:
//!
//! - [`EncoderKind::Arrow`]: records → Arrow builders ([`generate_batch`]) →
//!   `compute_leaves` → `ArrowColumnWriter`s from an `ArrowRowGroupWriterFactory`; the
//!   study's write path, minus its single writer thread.
//! - [`EncoderKind::Dremel`]: records → [`ContactStripes`] →
//!   [`shred::column_io::write_stripe`] into the `parquet` crate's low-level column writers,
//!   each writing its column chunk into its own memory buffer; no Arrow array in between.
//!   The stripes come from [`Generator::fill_stripes`], which applies the typed Dremel
//!   shredder's rules as it draws each field (tested equal to `ContactStripes::shred` of the
//!   generated contacts), so no `Contact` is materialized on this path.
//! - [`EncoderKind::Direct`] (the default): the same stripes →
//!   [`shred::chunk_encoder::ChunkEncoder`], which encodes the (byte-array) columns from
//!   the stripes' flat buffers without the `parquet` crate's per-value `Bytes` handles. It
//!   follows that crate's writer policy exactly, so its files are byte for byte the dremel
//!   encoder's (tested), at about half the CPU.
//!
//! The direct encoder covers data pages v1 with or without a dictionary and any page
//! limits; with other writer settings (data pages v2, a column `--encoding`, a bloom
//! filter) a `direct` run writes through the dremel path ([`RowGroupEncoder::new`]).
//!
//! Every path opens files the same way ([`FileFormat::open`]): the Parquet schema
//! [`shred::contact::CONTACT_SCHEMA`], the writer properties of the run, and the
//! `ARROW:schema` metadata arrow-rs adds, so every file reads back with `phone_type` as a
//! dictionary.

use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use parquet::arrow::add_encoded_arrow_schema_to_metadata;
use parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::Compression;
use parquet::column::writer::get_column_writer;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterPropertiesPtr;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::{SchemaDescPtr, SchemaDescriptor};
use serde::Serialize;
use shred::Schema;
use shred::chunk_encoder::{ChunkEncoder, EncodedChunk};
use shred::column_io::write_stripe;
use shred::contact::{CONTACT_SCHEMA, ContactStripes};
use shred::contact_arrow::{ContactArrays, contact_schema};
use shred::writer_settings::WriterSettings;

use crate::arrow_contacts::generate_batch;
use crate::generator::Generator;
use crate::plan::split;

/// Which write path turns contacts into Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EncoderKind {
    /// Arrow builders → `ArrowColumnWriter` (arrow-rs's writer).
    Arrow,
    /// Typed Dremel shredder → stripes → the `parquet` crate's column writers.
    Dremel,
    /// Typed Dremel shredder → stripes → `shred`'s hand-written chunk encoder (same bytes
    /// as `dremel`, less CPU).
    Direct,
}

impl std::fmt::Display for EncoderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EncoderKind::Arrow => "arrow",
            EncoderKind::Dremel => "dremel",
            EncoderKind::Direct => "direct",
        })
    }
}

/// Why a row group could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// From the `parquet` crate.
    #[error("{0}")]
    Parquet(#[from] ParquetError),
    /// From `shred`'s column I/O.
    #[error("{0}")]
    Shred(#[from] shred::Error),
}

/// What every file of a run shares: schemas and writer properties.
#[derive(Debug)]
pub struct FileFormat {
    schema: Schema,
    descriptor: SchemaDescPtr,
    props: WriterPropertiesPtr,
}

impl FileFormat {
    /// The Contact file format with `compression` and `row_group_size` rows per row group
    /// (every other property is the `parquet` crate's default: dictionary on, page
    /// statistics on, 1 MiB pages).
    pub fn new(compression: Compression, row_group_size: usize) -> Self {
        FileFormat::contact(
            &WriterSettings::with_compression(compression),
            row_group_size,
        )
        .expect("the default writer settings name no column")
    }

    /// The Contact file format with the writer `settings` and `row_group_size` rows per row
    /// group; an error when a setting does not fit the Contact schema (a column it does not
    /// have, an encoding its column's type does not take).
    pub fn contact(settings: &WriterSettings, row_group_size: usize) -> Result<Self, shred::Error> {
        let schema = Schema::parse(CONTACT_SCHEMA).expect("the Contact schema parses");
        let descriptor = Arc::new(SchemaDescriptor::new(Arc::new(
            parquet::schema::parser::parse_message_type(CONTACT_SCHEMA)
                .expect("the Contact schema parses"),
        )));
        let mut props = settings
            .properties(&schema, row_group_size as u64)?
            .set_max_row_group_row_count(Some(row_group_size.max(1)))
            .build();
        add_encoded_arrow_schema_to_metadata(&contact_schema(), &mut props);
        Ok(FileFormat {
            schema,
            descriptor,
            props: Arc::new(props),
        })
    }

    /// The file format of a schema-driven dataset: `schema`'s message type with the writer
    /// `settings` and `row_group_size` rows per row group, `metadata` as the footer's
    /// key-value metadata (a profiled file's, `ARROW:schema` included; none otherwise, so
    /// readers derive the Arrow types from the Parquet schema); an error when a setting
    /// does not fit `schema`.
    pub fn for_schema(
        schema: &Schema,
        metadata: &[KeyValue],
        settings: &WriterSettings,
        row_group_size: usize,
    ) -> Result<Self, shred::Error> {
        let props = settings
            .properties(schema, row_group_size as u64)?
            .set_max_row_group_row_count(Some(row_group_size.max(1)))
            .set_key_value_metadata((!metadata.is_empty()).then(|| metadata.to_vec()))
            .build();
        Ok(FileFormat {
            schema: schema.clone(),
            descriptor: Arc::clone(schema.descriptor()),
            props: Arc::new(props),
        })
    }

    /// The Parquet schema descriptor (one column descriptor per leaf).
    pub fn descriptor(&self) -> &SchemaDescPtr {
        &self.descriptor
    }

    /// The schema as `shred` sees it (leaves with their levels).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The writer properties.
    pub fn properties(&self) -> &WriterPropertiesPtr {
        &self.props
    }

    /// One `shred` chunk encoder per column, following the format's writer properties;
    /// an error when the hand-written encoder does not cover them for some column.
    pub fn chunk_encoders(&self) -> Result<Vec<ChunkEncoder>, shred::Error> {
        (self.descriptor.columns().iter())
            .map(|column| ChunkEncoder::new(Arc::clone(column), &self.props))
            .collect()
    }

    /// True when the hand-written chunk encoder covers every column under the format's
    /// writer properties (not with data pages v2, a non-PLAIN encoding or a bloom filter):
    /// the direct path's condition.
    pub fn direct_covers(&self) -> bool {
        self.chunk_encoders().is_ok()
    }

    /// Opens a Parquet file writer on `sink`.
    pub fn open<W: Write + Send>(&self, sink: W) -> Result<SerializedFileWriter<W>, ParquetError> {
        SerializedFileWriter::new(
            sink,
            self.descriptor.root_schema_ptr(),
            Arc::clone(&self.props),
        )
    }
}

/// Encodes row groups of one run; share it between threads and give each a [`EncoderWorker`].
#[derive(Debug)]
pub struct RowGroupEncoder {
    kind: EncoderKind,
    format: Arc<FileFormat>,
    factory: ArrowRowGroupWriterFactory,
}

impl RowGroupEncoder {
    /// An encoder of `kind` for files of `format`. `direct` becomes `dremel` when the
    /// hand-written encoder does not cover the format's writer properties
    /// ([`FileFormat::direct_covers`]): the same column writers it reproduces, so the same
    /// bytes it would write.
    pub fn new(kind: EncoderKind, format: Arc<FileFormat>) -> Self {
        let kind = match kind {
            EncoderKind::Direct if !format.direct_covers() => EncoderKind::Dremel,
            kind => kind,
        };
        // The factory only keeps the writer's schema and properties: any writer of the format
        // serves, so one built on an in-memory sink encodes for every file of the run.
        let template = format.open(Vec::new()).expect("an in-memory writer opens");
        let factory = ArrowRowGroupWriterFactory::new(&template, contact_schema());
        RowGroupEncoder {
            kind,
            format,
            factory,
        }
    }

    /// The encoder's kind.
    pub fn kind(&self) -> EncoderKind {
        self.kind
    }

    /// The file format.
    pub fn format(&self) -> &Arc<FileFormat> {
        &self.format
    }

    /// Per-thread state: stripe and array buffers reused from row group to row group.
    pub fn worker(&self) -> EncoderWorker<'_> {
        EncoderWorker {
            encoder: self,
            stripes: ContactStripes::default(),
            arrays: ContactArrays::default(),
            chunk_sizes: Vec::new(),
            chunk_encoders: Vec::new(),
            spare: Vec::new(),
        }
    }
}

/// One thread's encoding state.
#[derive(Debug)]
pub struct EncoderWorker<'a> {
    encoder: &'a RowGroupEncoder,
    stripes: ContactStripes,
    arrays: ContactArrays,
    /// Encoded size of each column chunk of the previous row group (dremel path), to size
    /// the next chunk's buffer once instead of growing it by doubling.
    chunk_sizes: Vec<usize>,
    /// One chunk encoder per leaf column (direct path), made on first use.
    chunk_encoders: Vec<ChunkEncoder>,
    /// Emptied column chunk buffers of a row group already in its file, by column, for the
    /// next row group to write into (dremel and direct paths).
    spare: Vec<Vec<u8>>,
}

/// The column chunk buffers of a row group that is in its file, emptied, for an
/// [`EncoderWorker`] to write its next row group into ([`EncoderWorker::recycle`]): a row
/// group's chunks are tens of megabytes, and writing into fresh memory costs a page fault
/// every 4 KiB.
#[derive(Debug, Default)]
pub struct SpareBuffers {
    /// One buffer per column, in column order (none after the arrow path).
    chunks: Vec<Vec<u8>>,
}

impl SpareBuffers {
    /// The buffers, one per column (none after the arrow path).
    pub(crate) fn into_chunks(self) -> Vec<Vec<u8>> {
        self.chunks
    }
}

#[derive(Debug)]
enum Chunks {
    Arrow(Vec<ArrowColumnChunk>),
    /// Column chunks encoded into memory buffers (dremel and direct paths).
    Buffered(Vec<EncodedChunk>),
}

/// One encoded row group, held in memory until its file appends it.
#[derive(Debug)]
pub struct EncodedRowGroup {
    rows: u64,
    chunks: Chunks,
}

impl EncodedRowGroup {
    /// A row group of `rows` records whose column chunks were encoded into memory buffers,
    /// in column order.
    pub(crate) fn buffered(rows: u64, chunks: Vec<EncodedChunk>) -> Self {
        EncodedRowGroup {
            rows,
            chunks: Chunks::Buffered(chunks),
        }
    }

    /// Number of records.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends the row group to `writer` (the next row group of the file); returns its
    /// buffers for the next row group to be encoded into.
    pub fn append_to<W: Write + Send>(
        self,
        writer: &mut SerializedFileWriter<W>,
    ) -> Result<SpareBuffers, ParquetError> {
        let mut row_group = writer.next_row_group()?;
        let mut spare = SpareBuffers::default();
        match self.chunks {
            Chunks::Arrow(chunks) => {
                for chunk in chunks {
                    chunk.append_to_row_group(&mut row_group)?;
                }
            }
            Chunks::Buffered(chunks) => {
                for chunk in chunks {
                    row_group.append_column(&chunk.data, chunk.close)?;
                    // The file holds its own copy now: take the buffer back (no copy, the
                    // handle is the only one left).
                    spare.chunks.push(Vec::from(chunk.data));
                }
            }
        }
        row_group.close()?;
        Ok(spare)
    }
}

impl EncoderWorker<'_> {
    /// Keeps the buffers of a row group already written, to encode the next one into.
    pub fn recycle(&mut self, spare: SpareBuffers) {
        if !spare.chunks.is_empty() {
            self.spare = spare.chunks;
        }
    }

    /// The spare buffer of column `column`, emptied, if there is one.
    fn take_spare(&mut self, column: usize) -> Option<Vec<u8>> {
        let mut buffer = std::mem::take(self.spare.get_mut(column)?);
        buffer.clear();
        (buffer.capacity() > 0).then_some(buffer)
    }

    /// Generates records `rows` in batches of `batch_size` and encodes them as one row group;
    /// `progress` is told the size of every batch done.
    pub fn encode(
        &mut self,
        generator: &Generator,
        rows: Range<u64>,
        batch_size: usize,
        progress: impl FnMut(usize),
    ) -> Result<EncodedRowGroup, EncodeError> {
        let chunks = match self.encoder.kind {
            EncoderKind::Arrow => {
                Chunks::Arrow(self.encode_arrow(generator, rows.clone(), batch_size, progress)?)
            }
            EncoderKind::Dremel => Chunks::Buffered(self.encode_dremel(
                generator,
                rows.clone(),
                batch_size,
                progress,
            )?),
            EncoderKind::Direct => Chunks::Buffered(self.encode_direct(
                generator,
                rows.clone(),
                batch_size,
                progress,
            )?),
        };
        Ok(EncodedRowGroup {
            rows: rows.end - rows.start,
            chunks,
        })
    }

    fn encode_arrow(
        &mut self,
        generator: &Generator,
        rows: Range<u64>,
        batch_size: usize,
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<ArrowColumnChunk>, EncodeError> {
        let mut writers = self.encoder.factory.create_column_writers(0)?;
        let schema = contact_schema();
        for batch in split(rows.clone(), batch_size as u64) {
            let (start, count) = (batch.start, (batch.end - batch.start) as usize);
            let batch = generate_batch(&mut self.arrays, generator, start, count);
            let mut writer = writers.iter_mut();
            for (field, array) in schema.fields().iter().zip(batch.columns()) {
                for leaf in compute_leaves(field, array)? {
                    let Some(column) = writer.next() else {
                        return Err(ParquetError::General("more leaves than writers".into()).into());
                    };
                    column.write(&leaf)?;
                }
            }
            progress(count);
        }
        Ok(writers
            .into_iter()
            .map(|w| w.close())
            .collect::<Result<_, _>>()?)
    }

    fn encode_dremel(
        &mut self,
        generator: &Generator,
        rows: Range<u64>,
        batch_size: usize,
        progress: impl FnMut(usize),
    ) -> Result<Vec<EncodedChunk>, EncodeError> {
        let format = &self.encoder.format;
        let leaves = format.schema().leaves();
        let descriptors = format.descriptor.columns();
        let mut sinks: Vec<TrackedWrite<Vec<u8>>> = (0..leaves.len())
            .map(|i| {
                let expected = self.chunk_sizes.get(i).copied().unwrap_or(0);
                let mut buffer = self.take_spare(i).unwrap_or_default();
                buffer.reserve(expected + expected / 8);
                TrackedWrite::new(buffer)
            })
            .collect();
        let closes = {
            let mut writers: Vec<_> = sinks
                .iter_mut()
                .zip(descriptors)
                .map(|(sink, descriptor)| {
                    get_column_writer(
                        Arc::clone(descriptor),
                        Arc::clone(&format.props),
                        Box::new(SerializedPageWriter::new(sink)),
                    )
                })
                .collect();
            for_each_stripe_batch(
                generator,
                &mut self.stripes,
                rows,
                batch_size,
                progress,
                |stripes| {
                    for ((writer, leaf), stripe) in
                        writers.iter_mut().zip(leaves).zip(stripes.columns())
                    {
                        write_stripe(writer, leaf, stripe)?;
                    }
                    Ok(())
                },
            )?;
            writers
                .into_iter()
                .map(|w| w.close())
                .collect::<Result<Vec<_>, _>>()?
        };
        self.chunk_sizes = sinks.iter().map(TrackedWrite::bytes_written).collect();
        sinks
            .into_iter()
            .zip(closes)
            .map(|(sink, close)| {
                Ok(EncodedChunk {
                    data: Bytes::from(sink.into_inner()?),
                    close,
                })
            })
            .collect()
    }

    fn encode_direct(
        &mut self,
        generator: &Generator,
        rows: Range<u64>,
        batch_size: usize,
        progress: impl FnMut(usize),
    ) -> Result<Vec<EncodedChunk>, EncodeError> {
        if self.chunk_encoders.is_empty() {
            self.chunk_encoders = self.encoder.format.chunk_encoders()?;
        }
        for column in 0..self.chunk_encoders.len() {
            if let Some(buffer) = self.take_spare(column) {
                self.chunk_encoders[column].recycle(buffer);
            }
        }
        let encoders = &mut self.chunk_encoders;
        for_each_stripe_batch(
            generator,
            &mut self.stripes,
            rows,
            batch_size,
            progress,
            |stripes| {
                for (encoder, stripe) in encoders.iter_mut().zip(stripes.columns()) {
                    encoder.write(stripe)?;
                }
                Ok(())
            },
        )?;
        Ok(self
            .chunk_encoders
            .iter_mut()
            .map(ChunkEncoder::finish)
            .collect::<Result<_, _>>()?)
    }
}

/// Draws records `rows` into `stripes` `batch_size` at a time (the typed shredder's stripes,
/// straight from the generator), hands each batch to `encode`, and tells `progress` its size.
fn for_each_stripe_batch(
    generator: &Generator,
    stripes: &mut ContactStripes,
    rows: Range<u64>,
    batch_size: usize,
    mut progress: impl FnMut(usize),
    mut encode: impl FnMut(&ContactStripes) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    for batch in split(rows, batch_size as u64) {
        let (start, count) = (batch.start, (batch.end - batch.start) as usize);
        generator.fill_stripes(start, count, stripes);
        encode(stripes)?;
        progress(count);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Distribution;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use shred::contact::Contact;
    use shred::contact_arrow::contacts_from_batch;

    fn write_file(kind: EncoderKind, generator: &Generator, rows: u64, rg: u64) -> Vec<u8> {
        let format = Arc::new(FileFormat::new(Compression::UNCOMPRESSED, rg as usize));
        let encoder = RowGroupEncoder::new(kind, Arc::clone(&format));
        let mut worker = encoder.worker();
        let mut writer = format.open(Vec::new()).unwrap();
        let mut done = 0;
        for row_group in split(0..rows, rg) {
            let encoded = worker
                .encode(generator, row_group, 100, |n| done += n)
                .unwrap();
            encoded.append_to(&mut writer).unwrap();
        }
        assert_eq!(done as u64, rows);
        writer.into_inner().unwrap()
    }

    fn read_contacts(file: Vec<u8>) -> Vec<Contact> {
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(file))
            .unwrap()
            .build()
            .unwrap();
        reader
            .flat_map(|batch| contacts_from_batch(&batch.unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn both_encoders_write_the_generated_records() {
        let generator = Generator::new(5, Distribution::all_def_states());
        let expected: Vec<_> = generator.contacts(0..1000).collect();
        for kind in [EncoderKind::Arrow, EncoderKind::Dremel, EncoderKind::Direct] {
            let file = write_file(kind, &generator, 1000, 300);
            let meta = parquet::file::reader::SerializedFileReader::new(Bytes::from(file.clone()))
                .unwrap();
            use parquet::file::reader::FileReader;
            assert_eq!(meta.metadata().num_row_groups(), 4, "{kind}");
            assert_eq!(read_contacts(file), expected, "{kind}");
        }
    }
}
