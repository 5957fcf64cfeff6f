//! What a run generates: the Contact dataset (its typed generator and encoders) or records
//! of any schema (a [`SchemaGenerator`] and shred's row-group encoder), behind one
//! interface for the pipeline.
//!
//! A schema-driven row group is drawn batch by batch into one set of stripes (one per leaf
//! column, buffers reused from row group to row group) and then encoded by
//! [`shred::row_group_writer::RowGroupWriter::encode`], the encoder `shred write` uses:
//! byte-array columns through the hand-written chunk encoder, the rest through the
//! `parquet` crate's column writers, into memory buffers the file writer splices in. The
//! row group's bytes depend on its records only, not on the batch size.
//!
//! ```
//! use shred_gen::dataset::Dataset;
//! use shred_gen::{DEFAULT_SEED, Distribution, Generator};
//! let contacts = Generator::new(DEFAULT_SEED, Distribution::default());
//! assert_eq!(Dataset::Contact(&contacts).seed(), DEFAULT_SEED);
//! ```

use std::ops::Range;
use std::sync::Arc;

use shred::Stripe;
use shred::row_group_writer::RowGroupWriter;
use shred::writer_settings::WriterSettings;

use crate::encoder::{
    EncodeError, EncodedRowGroup, EncoderKind, EncoderWorker, FileFormat, RowGroupEncoder,
    SpareBuffers,
};
use crate::generator::Generator;
use crate::plan::split;
use crate::schema_generator::SchemaGenerator;

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
                writer: RowGroupWriter::new(1),
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
        /// One stripe per leaf column: the row group being drawn.
        stripes: Vec<Stripe>,
        /// shred's row-group encoder (one thread: the pipeline's producers already run
        /// row groups in parallel).
        writer: RowGroupWriter,
    },
}

impl DatasetWorker<'_> {
    /// Keeps the buffers of a row group already written, to encode the next one into.
    pub fn recycle(&mut self, spare: SpareBuffers) {
        match self {
            DatasetWorker::Contact { worker, .. } => worker.recycle(spare),
            DatasetWorker::Schema { writer, .. } => {
                let chunks = spare.into_chunks();
                if !chunks.is_empty() {
                    writer.recycle(chunks);
                }
            }
        }
    }

    /// Generates records `rows` in batches of `batch_size` and encodes them as one row
    /// group; `progress` is told the size of every batch done.
    pub fn encode(
        &mut self,
        rows: Range<u64>,
        batch_size: usize,
        mut progress: impl FnMut(usize),
    ) -> Result<EncodedRowGroup, EncodeError> {
        match self {
            DatasetWorker::Contact { generator, worker } => {
                worker.encode(generator, rows, batch_size, progress)
            }
            DatasetWorker::Schema {
                generator,
                format,
                stripes,
                writer,
            } => {
                generator.fill_stripes(rows.start, 0, stripes);
                for batch in split(rows.clone(), batch_size as u64) {
                    let count = (batch.end - batch.start) as usize;
                    generator.append_stripes(batch.start, count, stripes);
                    progress(count);
                }
                let chunks = writer.encode(
                    format.schema(),
                    format.descriptor().columns(),
                    format.properties(),
                    stripes,
                )?;
                Ok(EncodedRowGroup::buffered(rows.end - rows.start, chunks))
            }
        }
    }
}
