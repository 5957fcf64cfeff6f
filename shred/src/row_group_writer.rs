//! Row groups written with their column chunks encoded in parallel: each leaf column's
//! stripe is encoded into its own memory buffer, on one of a few threads, and the finished
//! chunks are appended to the file in column order. A column goes through the hand-written
//! [`crate::chunk_encoder`] when it supports the column's type and the writer settings (it
//! writes the `parquet` crate's bytes without a `ByteArray` handle per value), every other
//! column through the crate's column writer.
//!
//! This is how arrow-rs parallelizes its writer (`ArrowColumnWriter`, spliced in with
//! `SerializedRowGroupWriter::append_column`): a column chunk's bytes depend only on its
//! stripe and the writer properties, and `append_column` only moves the chunk's offsets to
//! where it lands in the file. So the file is byte for byte what
//! [`crate::column_io::write_row_group`] writes column after column, whatever the number of
//! threads (tested below). The largest stripes are started first, so one large column does
//! not finish alone at the end. The chunk buffers are kept for the next row group: writing
//! into fresh memory costs a page fault every 4 KiB.

use std::io::Write;

use bytes::Bytes;
use parquet::column::writer::get_column_writer;
use parquet::file::properties::WriterPropertiesPtr;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use crate::chunk_encoder::{ChunkEncoder, EncodedChunk};
use crate::column_io::write_stripe;
use crate::error::{Error, Result};
use crate::schema::{Leaf, Schema};
use crate::stripe::{Stripe, Values};

/// Writes row groups with their columns encoded on `threads` threads.
#[derive(Debug)]
pub struct RowGroupWriter {
    threads: usize,
    /// Emptied chunk buffers of the previous row group, by column.
    spare: Vec<Vec<u8>>,
}

impl RowGroupWriter {
    /// A writer encoding on `threads` threads (at least 1).
    pub fn new(threads: usize) -> Self {
        RowGroupWriter {
            threads: threads.max(1),
            spare: Vec::new(),
        }
    }

    /// Writes one row group to `writer`: `stripes[i]` goes to leaf column `i` of `schema`.
    pub fn write<W: Write + Send>(
        &mut self,
        writer: &mut SerializedFileWriter<W>,
        schema: &Schema,
        stripes: &[Stripe],
    ) -> Result<()> {
        let descriptors = writer.schema_descr().columns().to_vec();
        let props = writer.properties().clone();
        let encoded = self.encode(schema, &descriptors, &props, stripes)?;
        let err = |e| Error::parquet("writing row group", e);
        let mut row_group = writer.next_row_group().map_err(err)?;
        let mut buffers = Vec::with_capacity(encoded.len());
        for chunk in encoded {
            row_group
                .append_column(&chunk.data, chunk.close)
                .map_err(err)?;
            // The file holds its own copy: take the buffer back (the handle is the last one).
            buffers.push(Vec::from(chunk.data));
        }
        row_group.close().map_err(err)?;
        self.recycle(buffers);
        Ok(())
    }

    /// Encodes one row group's column chunks into memory, in column order, without
    /// writing them anywhere: for a caller that appends them to its file elsewhere (with
    /// `SerializedRowGroupWriter::append_column`, as [`RowGroupWriter::write`] does).
    /// `descriptors` and `props` are those of the file the chunks go into.
    pub fn encode(
        &mut self,
        schema: &Schema,
        descriptors: &[ColumnDescPtr],
        props: &WriterPropertiesPtr,
        stripes: &[Stripe],
    ) -> Result<Vec<EncodedChunk>> {
        let leaves = schema.leaves();
        if stripes.len() != leaves.len() || descriptors.len() != leaves.len() {
            return Err(Error::Input {
                message: format!(
                    "{} stripes for a schema of {} columns",
                    stripes.len(),
                    leaves.len()
                ),
            });
        }
        self.spare.resize_with(leaves.len(), Vec::new);
        let jobs: Vec<Job<'_>> = leaves
            .iter()
            .zip(stripes)
            .zip(descriptors)
            .zip(self.spare.iter_mut())
            .map(|(((leaf, stripe), descriptor), spare)| Job {
                leaf,
                stripe,
                descriptor: descriptor.clone(),
                buffer: std::mem::take(spare),
            })
            .collect();
        encode_all(jobs, props, self.threads)
    }

    /// Keeps the buffers of chunks already in their file (by column), emptied, for the
    /// next row group to be encoded into.
    pub fn recycle(&mut self, buffers: Vec<Vec<u8>>) {
        self.spare = buffers
            .into_iter()
            .map(|mut buffer| {
                buffer.clear();
                buffer
            })
            .collect();
    }
}

/// One column to encode.
struct Job<'a> {
    leaf: &'a Leaf,
    stripe: &'a Stripe,
    descriptor: ColumnDescPtr,
    buffer: Vec<u8>,
}

impl Job<'_> {
    /// A rough measure of the work: entries plus value bytes.
    fn weight(&self) -> usize {
        let values = match &self.stripe.values {
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => v.data.len(),
            other => other.len() * 8,
        };
        self.stripe.len() + values
    }

    fn encode(self, props: &WriterPropertiesPtr) -> Result<EncodedChunk> {
        // The hand-written encoder where it covers the type and the settings: the same
        // bytes at about half the CPU for byte arrays (no `ByteArray` handle per value).
        if let Ok(mut encoder) = ChunkEncoder::new(self.descriptor.clone(), props) {
            encoder.recycle(self.buffer);
            encoder.write(self.stripe)?;
            return encoder.finish();
        }
        let err = |e| Error::parquet(format!("writing column {}", self.leaf.path), e);
        let mut sink = TrackedWrite::new(self.buffer);
        let close = {
            let mut column = get_column_writer(
                self.descriptor,
                props.clone(),
                Box::new(SerializedPageWriter::new(&mut sink)),
            );
            write_in_slices(
                &mut column,
                self.leaf,
                self.stripe,
                props.write_batch_size(),
            )?;
            column.close().map_err(err)?
        };
        let data = sink.into_inner().map_err(err)?;
        Ok(EncodedChunk {
            data: Bytes::from(data),
            close,
        })
    }
}

/// Mini-batches of the column writer per `write_batch` call.
const SLICE_BATCHES: usize = 64;

/// Writes `stripe` to `column` in slices of [`SLICE_BATCHES`] mini-batches, each cut where
/// the writer cuts its own mini-batches in one `write_batch` call (every `batch_size`
/// levels, extended to the next record start; `GenericColumnWriter::write_batch_internal`),
/// so the bytes are those of one call, while the `parquet` crate's per-value handles
/// ([`crate::stripe::ByteValues::to_byte_arrays`]) exist for one slice at a time.
fn write_in_slices(
    column: &mut parquet::column::writer::ColumnWriter<'_>,
    leaf: &Leaf,
    stripe: &Stripe,
    batch_size: usize,
) -> Result<()> {
    let entries = stripe.len();
    let batch_size = batch_size.max(1);
    if entries <= batch_size * SLICE_BATCHES {
        return write_stripe(column, leaf, stripe);
    }
    let record_end = |from: usize| {
        (from..entries)
            .find(|&i| stripe.rep[i] == 0)
            .unwrap_or(entries)
    };
    let mut slice = crate::column_io::stripe_for(leaf);
    let (mut start, mut value) = (0, 0);
    while start < entries {
        let mut end = start;
        for _ in 0..SLICE_BATCHES {
            if end < entries {
                end = record_end(end + batch_size);
            }
        }
        let values = (stripe.def[start..end].iter())
            .filter(|&&d| d == leaf.max_def)
            .count();
        slice.clear();
        slice.append_range(stripe, start..end, value..value + values);
        write_stripe(column, leaf, &slice)?;
        (start, value) = (end, value + values);
    }
    Ok(())
}

/// Encodes every job, the heaviest first, on up to `threads` threads; the chunks in column
/// order.
fn encode_all(
    jobs: Vec<Job<'_>>,
    props: &WriterPropertiesPtr,
    threads: usize,
) -> Result<Vec<EncodedChunk>> {
    let columns = jobs.len();
    let threads = threads.min(columns);
    if threads <= 1 {
        return jobs.into_iter().map(|job| job.encode(props)).collect();
    }
    let mut order: Vec<(usize, Job<'_>)> = jobs.into_iter().enumerate().collect();
    order.sort_by_key(|(column, job)| (std::cmp::Reverse(job.weight()), *column));
    let (queue, jobs) = crossbeam_channel::unbounded();
    for job in order {
        queue.send(job).expect("the receiver is here");
    }
    drop(queue);
    let mut done: Vec<Option<Result<EncodedChunk>>> = (0..columns).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let jobs = jobs.clone();
                scope.spawn(move || {
                    (jobs.iter())
                        .map(|(column, job)| (column, job.encode(props)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            for (column, encoded) in worker.join().expect("an encoding thread panicked") {
                done[column] = Some(encoded);
            }
        }
    });
    done.into_iter()
        .map(|encoded| encoded.expect("every column encoded"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column_io::write_file;
    use crate::shredder::shred_records;
    use parquet::basic::Compression;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use serde_json::json;
    use std::sync::Arc;

    const SCHEMA: &str = "message m {
        required int64 id;
        optional binary name (STRING);
        optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
        optional double score;
        optional boolean flag; }";

    fn row_groups(schema: &Schema) -> Vec<Vec<Stripe>> {
        let records: Vec<_> = (0..3000)
            .map(|i| {
                let tags: Vec<_> = (0..i % 4)
                    .map(|k| json!(format!("t{}", (i * k) % 13)))
                    .collect();
                json!({"id": i, "name": (i % 3 != 0).then(|| format!("n{i}")),
                       "tags": tags, "score": (i % 5 != 0).then_some(i as f64 / 7.0),
                       "flag": i % 2 == 0})
            })
            .collect();
        records
            .chunks(1100)
            .map(|chunk| shred_records(schema, chunk).unwrap())
            .collect()
    }

    fn write_with(threads: usize, schema: &Schema, props: WriterProperties) -> Vec<u8> {
        let mut writer =
            SerializedFileWriter::new(Vec::new(), schema.message_type(), Arc::new(props)).unwrap();
        let mut row_group_writer = RowGroupWriter::new(threads);
        for stripes in row_groups(schema) {
            row_group_writer
                .write(&mut writer, schema, &stripes)
                .unwrap();
        }
        writer.into_inner().unwrap()
    }

    #[test]
    fn file_is_the_column_writers_file_whatever_the_threads() {
        let schema = Schema::parse(SCHEMA).unwrap();
        for (compression, version) in [
            (Compression::UNCOMPRESSED, WriterVersion::PARQUET_1_0),
            (Compression::SNAPPY, WriterVersion::PARQUET_2_0),
        ] {
            let props = || {
                WriterProperties::builder()
                    .set_compression(compression)
                    .set_writer_version(version)
                    .set_data_page_row_count_limit(500)
                    // Several slices per column chunk (SLICE_BATCHES mini-batches each).
                    .set_write_batch_size(3)
                    .build()
            };
            let expected = write_file(Vec::new(), &schema, props(), row_groups(&schema)).unwrap();
            for threads in [1, 2, 3, 8] {
                assert!(
                    write_with(threads, &schema, props()) == expected,
                    "{threads} threads, {compression:?}, {version:?}"
                );
            }
        }
    }

    /// Settings the hand-written encoder reproduces (dictionary off, small pages, a small
    /// dictionary page) and settings it declines (encodings, bloom filters): either way the
    /// file is the one the crate's column writers write.
    #[test]
    fn file_is_the_column_writers_file_whatever_the_writer_settings() {
        use crate::writer_settings::{
            Dictionary, WriterSettings, parse_bloom_filter, parse_column_encoding,
        };
        let schema = Schema::parse(SCHEMA).unwrap();
        let encodings = [
            "id=DELTA_BINARY_PACKED",
            "name=DELTA_BYTE_ARRAY",
            "tags.list.element=DELTA_LENGTH_BYTE_ARRAY",
            "score=BYTE_STREAM_SPLIT",
            "flag=RLE",
        ];
        let all = [
            WriterSettings {
                dictionary: Dictionary::Off,
                data_page_size: Some(512),
                data_page_row_limit: Some(100),
                ..WriterSettings::default()
            },
            WriterSettings {
                dictionary_page_size: Some(64),
                write_batch_size: Some(10),
                ..WriterSettings::default()
            },
            WriterSettings {
                encodings: (encodings.iter())
                    .map(|e| parse_column_encoding(e).unwrap())
                    .collect(),
                ..WriterSettings::default()
            },
            WriterSettings {
                bloom_filters: vec![
                    parse_bloom_filter("name:0.01").unwrap(),
                    parse_bloom_filter("tags.list.element").unwrap(),
                ],
                ..WriterSettings::default()
            },
        ];
        for settings in all {
            let props = || settings.properties(&schema, 1100).unwrap().build();
            let expected = write_file(Vec::new(), &schema, props(), row_groups(&schema)).unwrap();
            for threads in [1, 3] {
                assert!(
                    write_with(threads, &schema, props()) == expected,
                    "{threads} threads, {settings:?}"
                );
            }
        }
    }

    /// Every column of the tests above, integer, byte array, double and boolean, goes
    /// through the hand-written encoder (it accepts them).
    #[test]
    fn typed_columns_go_through_the_hand_written_encoder() {
        let schema = Schema::parse(SCHEMA).unwrap();
        let props = WriterProperties::default();
        let accepted: Vec<_> = (schema.descriptor().columns().iter())
            .map(|c| {
                (
                    c.path().string(),
                    ChunkEncoder::new(c.clone(), &props).is_ok(),
                )
            })
            .collect();
        let expected = [
            ("id", true),
            ("name", true),
            ("tags.list.element", true),
            ("score", true),
            ("flag", true),
        ];
        let expected: Vec<_> = (expected.iter())
            .map(|&(p, ok)| (p.to_string(), ok))
            .collect();
        assert_eq!(accepted, expected);
    }

    #[test]
    fn wrong_number_of_stripes_is_an_error() {
        let schema = Schema::parse(SCHEMA).unwrap();
        let mut writer = SerializedFileWriter::new(
            Vec::new(),
            schema.message_type(),
            Arc::new(WriterProperties::default()),
        )
        .unwrap();
        let err = RowGroupWriter::new(2)
            .write(&mut writer, &schema, &[])
            .unwrap_err();
        assert_eq!(err.to_string(), "0 stripes for a schema of 5 columns");
    }
}
