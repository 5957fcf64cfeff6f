//! What a run generates: the Contact dataset (its typed generator and encoders) or records
//! of any schema (a [`SchemaGenerator`] and shred's row-group encoder), behind one
//! interface for the pipeline.
//!
//! A schema-driven row group is drawn and encoded block by block: [`ENCODE_BLOCK`] records
//! are drawn into one set of stripes (one per leaf column, reused), and each stripe goes on
//! into its column chunk while it is still in cache: byte-array columns through the
//! hand-written chunk encoder where it covers the writer settings (as `shred write`'s
//! [`shred::row_group_writer`] decides), the rest through the `parquet` crate's column
//! writers, into memory buffers the file writer splices in. So memory holds one block of
//! stripes and the encoded chunks, not the row group's stripes. The blocks start at the row
//! group's first record whatever `--record-batch-size` is, so the row group's bytes depend
//! on its records only.
//!
//! ```
//! use shred_gen::dataset::Dataset;
//! use shred_gen::{DEFAULT_SEED, Distribution, Generator};
//! let contacts = Generator::new(DEFAULT_SEED, Distribution::default());
//! assert_eq!(Dataset::Contact(&contacts).seed(), DEFAULT_SEED);
//! ```

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use parquet::column::writer::{ColumnWriter, get_column_writer};
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use shred::Stripe;
use shred::chunk_encoder::{ChunkEncoder, EncodedChunk};
use shred::column_io::write_stripe;
use shred::writer_settings::WriterSettings;

use crate::encoder::{
    EncodeError, EncodedRowGroup, EncoderKind, EncoderWorker, FileFormat, RowGroupEncoder,
    SpareBuffers,
};
use crate::generator::Generator;
use crate::plan::split;
use crate::schema_generator::SchemaGenerator;

/// Records drawn into stripes and encoded at a time by the schema-driven path: small
/// enough that a block's stripes stay in the core's cache while they are encoded.
pub const ENCODE_BLOCK: u64 = 4096;

/// The records of a run.
#[derive(Debug, Clone, Copy)]
pub enum Dataset<'a> {
    /// The Contact dataset, through the typed path.
    Contact(&'a Generator),
    /// Records of any schema, drawn from a spec.
    Schema(&'a SchemaGenerator),
}

impl<'a> Dataset<'a> {
    /// The seed.
    pub fn seed(&self) -> u64 {
        match self {
            Dataset::Contact(g) => g.seed(),
            Dataset::Schema(g) => g.seed(),
        }
    }

    /// The file format of the dataset's files; an error when a writer setting does not fit
    /// the dataset's schema.
    pub fn format(
        &self,
        settings: &WriterSettings,
        row_group_size: usize,
    ) -> Result<FileFormat, shred::Error> {
        match self {
            Dataset::Contact(_) => FileFormat::contact(settings, row_group_size),
            Dataset::Schema(g) => {
                FileFormat::for_schema(g.schema(), g.file_metadata(), settings, row_group_size)
            }
        }
    }

    /// The row-group encoder of the dataset (`kind` chooses the Contact write path).
    pub fn encoder(&self, kind: EncoderKind, format: Arc<FileFormat>) -> DatasetEncoder<'a> {
        match *self {
            Dataset::Contact(generator) => DatasetEncoder::Contact {
                generator,
                encoder: RowGroupEncoder::new(kind, format),
            },
            Dataset::Schema(generator) => DatasetEncoder::Schema { generator, format },
        }
    }
}

/// Encodes row groups of a dataset; give each thread a [`DatasetWorker`].
#[derive(Debug)]
pub enum DatasetEncoder<'a> {
    /// The typed Contact encoders.
    Contact {
        /// The generator.
        generator: &'a Generator,
        /// The encoder of the chosen path.
        encoder: RowGroupEncoder,
    },
    /// Schema-driven records.
    Schema {
        /// The generator.
        generator: &'a SchemaGenerator,
        /// The file format.
        format: Arc<FileFormat>,
    },
}

impl DatasetEncoder<'_> {
    /// Per-thread state, buffers reused from row group to row group.
    pub fn worker(&self) -> DatasetWorker<'_> {
        match self {
            DatasetEncoder::Contact { generator, encoder } => DatasetWorker::Contact {
                generator,
                worker: Box::new(encoder.worker()),
            },
            DatasetEncoder::Schema { generator, format } => DatasetWorker::Schema {
                generator,
                format,
                stripes: generator.new_stripes(),
                encoders: Vec::new(),
                spare: Vec::new(),
            },
        }
    }
}

/// One thread's encoding state.
#[derive(Debug)]
pub enum DatasetWorker<'a> {
    /// The typed Contact path.
    Contact {
        /// The generator.
        generator: &'a Generator,
        /// Its worker (boxed: it holds the typed stripes and Arrow builders).
        worker: Box<EncoderWorker<'a>>,
    },
    /// Schema-driven records.
    Schema {
        /// The generator.
        generator: &'a SchemaGenerator,
        /// The file format.
        format: &'a FileFormat,
        /// One stripe per leaf column: the block being drawn.
        stripes: Vec<Stripe>,
        /// Per column, the hand-written encoder, or `None` where the `parquet` crate's
        /// column writer encodes it (made on the first row group).
        encoders: Vec<Option<ChunkEncoder>>,
        /// Emptied chunk buffers of the previous row group, by column.
        spare: Vec<Vec<u8>>,
    },
}

impl DatasetWorker<'_> {
    /// Keeps the buffers of a row group already written, to encode the next one into.
    pub fn recycle(&mut self, spare: SpareBuffers) {
        match self {
            DatasetWorker::Contact { worker, .. } => worker.recycle(spare),
            DatasetWorker::Schema { spare: kept, .. } => *kept = spare.into_chunks(),
        }
    }

    /// Generates records `rows` in batches of `batch_size` and encodes them as one row
    /// group; `progress` is told the size of every batch done.
    pub fn encode(
        &mut self,
        rows: Range<u64>,
        batch_size: usize,
        progress: impl FnMut(usize),
    ) -> Result<EncodedRowGroup, EncodeError> {
        match self {
            DatasetWorker::Contact { generator, worker } => {
                worker.encode(generator, rows, batch_size, progress)
            }
            DatasetWorker::Schema {
                generator,
                format,
                stripes,
                encoders,
                spare,
            } => {
                let chunks = encode_blocks(
                    generator,
                    format,
                    stripes,
                    encoders,
                    spare,
                    rows.clone(),
                    progress,
                )?;
                Ok(EncodedRowGroup::buffered(rows.end - rows.start, chunks))
            }
        }
    }
}

/// One column chunk of a row group being encoded block by block.
enum ColumnChunk<'a, 'w> {
    /// Through the hand-written encoder.
    Hand(&'a mut ChunkEncoder),
    /// Through the `parquet` crate's column writer, into its sink.
    Crate {
        writer: Box<ColumnWriter<'w>>,
        leaf: &'a shred::schema::Leaf,
    },
}

/// A column chunk encoded: whole, or closed with its bytes still in its sink.
enum Finished {
    Chunk(EncodedChunk),
    Closed(parquet::column::writer::ColumnCloseResult),
}

/// Draws records `rows` of `generator` [`ENCODE_BLOCK`] at a time into `stripes` and
/// encodes each block into the row group's column chunks, `encoders` (made on first use)
/// for the columns they cover and the `parquet` crate's column writers for the rest;
/// `spare` holds buffers of the previous row group's chunks to write into.
fn encode_blocks(
    generator: &SchemaGenerator,
    format: &FileFormat,
    stripes: &mut [Stripe],
    encoders: &mut Vec<Option<ChunkEncoder>>,
    spare: &mut Vec<Vec<u8>>,
    rows: Range<u64>,
    mut progress: impl FnMut(usize),
) -> Result<Vec<EncodedChunk>, EncodeError> {
    let descriptors = format.descriptor().columns();
    let props = format.properties();
    let leaves = format.schema().leaves();
    if encoders.is_empty() {
        *encoders = (descriptors.iter())
            .map(|d| ChunkEncoder::new(Arc::clone(d), props).ok())
            .collect();
    }
    spare.resize_with(descriptors.len(), Vec::new);
    let mut sinks: Vec<TrackedWrite<Vec<u8>>> = Vec::with_capacity(descriptors.len());
    for (encoder, buffer) in encoders.iter_mut().zip(spare.iter_mut()) {
        let mut buffer = std::mem::take(buffer);
        buffer.clear();
        match encoder {
            Some(encoder) => {
                encoder.recycle(buffer);
                sinks.push(TrackedWrite::new(Vec::new()));
            }
            None => sinks.push(TrackedWrite::new(buffer)),
        }
    }
    let finished = {
        let mut columns: Vec<ColumnChunk<'_, '_>> = (encoders.iter_mut())
            .zip(sinks.iter_mut())
            .zip(descriptors)
            .zip(leaves)
            .map(|(((encoder, sink), descriptor), leaf)| match encoder {
                Some(encoder) => ColumnChunk::Hand(encoder),
                None => ColumnChunk::Crate {
                    writer: Box::new(get_column_writer(
                        Arc::clone(descriptor),
                        Arc::clone(props),
                        Box::new(SerializedPageWriter::new(sink)),
                    )),
                    leaf,
                },
            })
            .collect();
        for block in split(rows, ENCODE_BLOCK) {
            let count = (block.end - block.start) as usize;
            generator.fill_stripes(block.start, count, stripes);
            for (column, stripe) in columns.iter_mut().zip(stripes.iter()) {
                match column {
                    ColumnChunk::Hand(encoder) => encoder.write(stripe)?,
                    ColumnChunk::Crate { writer, leaf } => write_stripe(writer, leaf, stripe)?,
                }
            }
            progress(count);
        }
        (columns.into_iter())
            .map(|column| match column {
                ColumnChunk::Hand(encoder) => Ok(Finished::Chunk(encoder.finish()?)),
                ColumnChunk::Crate { writer, .. } => Ok(Finished::Closed(writer.close()?)),
            })
            .collect::<Result<Vec<_>, EncodeError>>()?
    };
    let mut chunks = Vec::with_capacity(finished.len());
    for (finished, sink) in finished.into_iter().zip(sinks) {
        chunks.push(match finished {
            Finished::Chunk(chunk) => chunk,
            Finished::Closed(close) => EncodedChunk {
                data: Bytes::from(sink.into_inner()?),
                close,
            },
        });
    }
    Ok(chunks)
}
