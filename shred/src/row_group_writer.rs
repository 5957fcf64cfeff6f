//! Row groups written as their records come: each leaf column's stripes go into the
//! column's chunk piece by piece, and the finished chunks are appended to the file in
//! column order when the row group ends. A column goes through the hand-written
//! [`crate::chunk_encoder`] when it supports the column's type and the writer settings (it
//! writes the `parquet` crate's bytes without a `ByteArray` handle per value), every other
//! column through the crate's column writer.
//!
//! A hand-encoded column takes each piece as it comes ([`ChunkEncoder::append`], whose
//! mini-batches run on from piece to piece), so the row group's stripes are never
//! gathered: memory holds the encoded chunks, and the encoding of a piece overlaps the
//! parsing of the next ones. A column of the crate's writer gathers its stripe and is
//! encoded when the row group ends, such columns in parallel on a few threads, the largest
//! first. The hand encoders are kept from row group to row group, with their buffers, and
//! so are the chunk buffers of the crate's writers: writing into fresh memory costs a page
//! fault every 4 KiB.
//!
//! This is how arrow-rs parallelizes its writer (`ArrowColumnWriter`, spliced in with
//! `SerializedRowGroupWriter::append_column`): a column chunk's bytes depend only on its
//! stripe and the writer properties, and `append_column` only moves the chunk's offsets to
//! where it lands in the file. So the file is byte for byte what
//! [`crate::column_io::write_row_group`] writes column after column from each row group's
//! whole stripes, whatever the pieces and the number of threads (tested below).

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};

use bytes::Bytes;
use parquet::column::writer::get_column_writer;
use parquet::file::properties::WriterPropertiesPtr;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use crate::chunk_encoder::{ChunkEncoder, EncodedChunk};
use crate::column_io::{stripe_for, write_stripe};
use crate::error::{Error, Result};
use crate::json_reader::{JsonReader, Part, Piece};
use crate::schema::{Leaf, Schema};
use crate::stripe::{Stripe, Values, record_end};

/// Writes row groups of one file, piece by piece.
#[derive(Debug)]
pub struct RowGroupWriter {
    leaves: Vec<Leaf>,
    descriptors: Vec<ColumnDescPtr>,
    props: WriterPropertiesPtr,
    /// Threads encoding the gathered columns when a row group ends.
    threads: usize,
    columns: Vec<Column>,
    /// Whether the current row group has had records.
    open: bool,
}

/// How one leaf column is encoded.
#[derive(Debug)]
enum Column {
    /// Piece by piece, by the hand-written encoder.
    Hand(Box<ChunkEncoder>),
    /// By the crate's column writer when the row group ends: the stripe gathered so far,
    /// and the emptied chunk buffer of the previous row group.
    Gathered { stripe: Stripe, buffer: Vec<u8> },
}

impl RowGroupWriter {
    /// A writer of the row groups of `writer`'s file, whose schema is `schema`, encoding
    /// gathered columns on `threads` threads (at least 1).
    pub fn new<W: Write + Send>(
        writer: &SerializedFileWriter<W>,
        schema: &Schema,
        threads: usize,
    ) -> Result<Self> {
        let descriptors = writer.schema_descr().columns().to_vec();
        let leaves = schema.leaves().to_vec();
        if descriptors.len() != leaves.len() {
            return Err(Error::Input {
                message: format!(
                    "a schema of {} columns for a file of {}",
                    leaves.len(),
                    descriptors.len()
                ),
            });
        }
        let props = writer.properties().clone();
        let columns = (descriptors.iter().zip(&leaves))
            .map(
                |(descriptor, leaf)| match ChunkEncoder::new(descriptor.clone(), &props) {
                    Ok(encoder) => Column::Hand(Box::new(encoder)),
                    Err(_) => Column::Gathered {
                        stripe: stripe_for(leaf),
                        buffer: Vec::new(),
                    },
                },
            )
            .collect();
        Ok(RowGroupWriter {
            leaves,
            descriptors,
            props,
            threads: threads.max(1),
            columns,
            open: false,
        })
    }

    /// Appends whole records to the row group being written: `stripes[i]` goes to leaf
    /// column `i`.
    pub fn append(&mut self, stripes: &[Stripe]) -> Result<()> {
        if stripes.len() != self.columns.len() {
            return Err(Error::Input {
                message: format!(
                    "{} stripes for a schema of {} columns",
                    stripes.len(),
                    self.columns.len()
                ),
            });
        }
        for (column, piece) in self.columns.iter_mut().zip(stripes) {
            match column {
                Column::Hand(encoder) => encoder.append(piece)?,
                Column::Gathered { stripe, .. } => stripe.append(piece),
            }
        }
        self.open = true;
        Ok(())
    }

    /// Ends the row group being written: finishes its column chunks and appends them to
    /// `writer`, a row group of the records appended since the last one (none: nothing is
    /// written).
    pub fn finish_row_group<W: Write + Send>(
        &mut self,
        writer: &mut SerializedFileWriter<W>,
    ) -> Result<()> {
        if !std::mem::take(&mut self.open) {
            return Ok(());
        }
        let jobs: Vec<Job<'_>> = (self.columns.iter_mut())
            .zip(&self.leaves)
            .zip(&self.descriptors)
            .map(|((column, leaf), descriptor)| match column {
                Column::Hand(encoder) => Job::Hand(encoder.as_mut()),
                Column::Gathered { stripe, buffer } => Job::Gathered {
                    leaf,
                    stripe,
                    descriptor: descriptor.clone(),
                    buffer: std::mem::take(buffer),
                },
            })
            .collect();
        let encoded = encode_all(jobs, &self.props, self.threads)?;
        let err = |e| Error::parquet("writing row group", e);
        let mut row_group = writer.next_row_group().map_err(err)?;
        for (chunk, column) in encoded.into_iter().zip(&mut self.columns) {
            row_group
                .append_column(&chunk.data, chunk.close)
                .map_err(err)?;
            // The file holds its own copy: take the buffer back (the handle is the last one).
            let mut data = Vec::from(chunk.data);
            data.clear();
            match column {
                Column::Hand(encoder) => encoder.recycle(data),
                Column::Gathered { stripe, buffer } => {
                    stripe.clear();
                    *buffer = data;
                }
            }
        }
        row_group.close().map_err(err)?;
        Ok(())
    }

    /// Writes every row group `reader` reads to `writer`, each part encoded as it comes
    /// ([`JsonReader::next_piece`]): `shred write`'s engine. With more than one thread and
    /// hand-encoded column, the columns' encoders take the parts on [`Lanes`], in parallel
    /// with each other and with the reading.
    pub fn write_all<W: Write + Send>(
        &mut self,
        reader: &mut JsonReader,
        writer: &mut SerializedFileWriter<W>,
    ) -> Result<()> {
        let hand = (self.columns.iter())
            .filter(|c| matches!(c, Column::Hand(_)))
            .count();
        if self.threads < 2 || hand < 2 {
            while let Some(piece) = reader.next_piece()? {
                match piece {
                    Piece::Records(part) => self.append(part.stripes())?,
                    Piece::RowGroupEnd { .. } => self.finish_row_group(writer)?,
                }
            }
            return Ok(());
        }
        while self.append_row_group_on_lanes(reader)? {
            self.finish_row_group(writer)?;
        }
        Ok(())
    }

    /// Appends the parts of the next row group, the hand-encoded columns on [`Lanes`]
    /// (`self.threads` threads), the gathered ones here; false at the end of the input
    /// (after the last row group's end).
    fn append_row_group_on_lanes(&mut self, reader: &mut JsonReader) -> Result<bool> {
        let threads = self.threads;
        let mut gathered = Vec::new();
        let mut encoders = Vec::new();
        for (index, column) in self.columns.iter_mut().enumerate() {
            match column {
                Column::Hand(encoder) => encoders.push((index, encoder.as_mut())),
                Column::Gathered { stripe, .. } => gathered.push((index, stripe)),
            }
        }
        let lanes = Lanes::new(encoders);
        let mut open = false;
        let read = std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| lanes.run());
            }
            let read = loop {
                let piece = match reader.next_piece() {
                    Ok(Some(piece)) => piece,
                    Ok(None) => break Ok(false),
                    Err(e) => break Err(e),
                };
                match piece {
                    Piece::Records(part) => {
                        open = true;
                        for (index, stripe) in &mut gathered {
                            stripe.append(&part.stripes()[*index]);
                        }
                        if !lanes.push(Arc::new(part)) {
                            // A lane failed: its error ends the write.
                            break Ok(false);
                        }
                    }
                    Piece::RowGroupEnd { .. } => break Ok(true),
                }
            };
            lanes.close(read.is_err());
            read
        });
        self.open |= open;
        lanes.into_error().map_or(read, Err)
    }

    /// Writes one whole row group to `writer`: `stripes[i]` goes to leaf column `i`.
    pub fn write<W: Write + Send>(
        &mut self,
        writer: &mut SerializedFileWriter<W>,
        stripes: &[Stripe],
    ) -> Result<()> {
        self.append(stripes)?;
        self.finish_row_group(writer)
    }
}

/// Threads taking the parts of a row group to the columns' encoders: each hand-encoded
/// column has a queue of parts, and a free thread takes the next part of a column that no
/// other thread is encoding, so a column's parts go in in order, different columns in
/// parallel, and a thread never waits on a column while another has work. The parts
/// waiting in the queues hold their chunks' tokens, so the reader stays bounded by its
/// chunks in flight.
struct Lanes<'e> {
    state: Mutex<LaneState>,
    wake: Condvar,
    /// Per queue, the column (its stripe in a part) and its encoder; only the thread that
    /// took the column's next part locks it.
    encoders: Vec<(usize, Mutex<&'e mut ChunkEncoder>)>,
}

struct LaneState {
    queues: Vec<VecDeque<Arc<Part>>>,
    /// Whether a thread is encoding the queue's column.
    busy: Vec<bool>,
    /// Queues with parts and no thread, in turn.
    runnable: VecDeque<usize>,
    /// No more parts come: the threads end once the queues are empty.
    closed: bool,
    /// Stop now, leaving the parts (an error).
    abort: bool,
    error: Option<Error>,
}

impl<'e> Lanes<'e> {
    fn new(encoders: Vec<(usize, &'e mut ChunkEncoder)>) -> Self {
        let queues = encoders.len();
        Lanes {
            state: Mutex::new(LaneState {
                queues: (0..queues).map(|_| VecDeque::new()).collect(),
                busy: vec![false; queues],
                runnable: VecDeque::new(),
                closed: false,
                abort: false,
                error: None,
            }),
            wake: Condvar::new(),
            encoders: (encoders.into_iter())
                .map(|(column, encoder)| (column, Mutex::new(encoder)))
                .collect(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LaneState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `part` for every column; false once a thread has failed.
    fn push(&self, part: Arc<Part>) -> bool {
        let mut state = self.lock();
        if state.abort {
            return false;
        }
        for queue in 0..state.queues.len() {
            state.queues[queue].push_back(part.clone());
            if !state.busy[queue] && state.queues[queue].len() == 1 {
                state.runnable.push_back(queue);
            }
        }
        self.wake.notify_all();
        true
    }

    /// No more parts: the threads end when the queues are empty, or at once (`abort`).
    fn close(&self, abort: bool) {
        let mut state = self.lock();
        state.closed = true;
        state.abort |= abort;
        self.wake.notify_all();
    }

    /// A thread's work: the next part of a free column, until the lanes close.
    fn run(&self) {
        loop {
            let (queue, part) = {
                let mut state = self.lock();
                loop {
                    if state.abort {
                        return;
                    }
                    if let Some(queue) = state.runnable.pop_front() {
                        state.busy[queue] = true;
                        let part = state.queues[queue].pop_front().expect("runnable: a part");
                        break (queue, part);
                    }
                    if state.closed {
                        return;
                    }
                    state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                }
            };
            let (column, encoder) = &self.encoders[queue];
            let appended = {
                let mut encoder = encoder.lock().unwrap_or_else(|p| p.into_inner());
                encoder.append(&part.stripes()[*column])
            };
            drop(part);
            let mut state = self.lock();
            state.busy[queue] = false;
            if let Err(error) = appended {
                state.error.get_or_insert(error);
                state.abort = true;
                // The parts go back now: the reader needs their tokens to reach the point
                // where the writer sees the error.
                state.queues.iter_mut().for_each(VecDeque::clear);
                state.runnable.clear();
                self.wake.notify_all();
                return;
            }
            if !state.queues[queue].is_empty() {
                state.runnable.push_back(queue);
                self.wake.notify_one();
            }
        }
    }

    /// The first error of a thread, once they have ended.
    fn into_error(self) -> Option<Error> {
        self.state
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .error
    }
}

/// One column chunk to finish when a row group ends.
enum Job<'a> {
    /// A hand-written encoder's chunk, whose pieces are already encoded.
    Hand(&'a mut ChunkEncoder),
    /// A gathered stripe, through the crate's column writer into `buffer`.
    Gathered {
        leaf: &'a Leaf,
        stripe: &'a Stripe,
        descriptor: ColumnDescPtr,
        buffer: Vec<u8>,
    },
}

impl Job<'_> {
    /// A rough measure of the work left: entries plus value bytes of a gathered stripe.
    fn weight(&self) -> usize {
        let Job::Gathered { stripe, .. } = self else {
            return 0;
        };
        let values = match &stripe.values {
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => v.data.len(),
            other => other.len() * 8,
        };
        stripe.len() + values
    }

    fn encode(self, props: &WriterPropertiesPtr) -> Result<EncodedChunk> {
        let (leaf, stripe, descriptor, buffer) = match self {
            Job::Hand(encoder) => return encoder.finish(),
            Job::Gathered {
                leaf,
                stripe,
                descriptor,
                buffer,
            } => (leaf, stripe, descriptor, buffer),
        };
        let err = |e| Error::parquet(format!("writing column {}", leaf.path), e);
        let mut sink = TrackedWrite::new(buffer);
        let close = {
            let mut column = get_column_writer(
                descriptor,
                props.clone(),
                Box::new(SerializedPageWriter::new(&mut sink)),
            );
            write_in_slices(&mut column, leaf, stripe, props.write_batch_size())?;
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
    let mut slice = stripe_for(leaf);
    let (mut start, mut value) = (0, 0);
    while start < entries {
        let mut end = start;
        for _ in 0..SLICE_BATCHES {
            if end < entries {
                end = record_end(&stripe.rep, end + batch_size, entries);
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
    use crate::json_reader::ReadOptions;
    use crate::schema_plan::SchemaPlan;
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
        records()
            .chunks(1100)
            .map(|chunk| shred_records(schema, chunk).unwrap())
            .collect()
    }

    fn records() -> Vec<serde_json::Value> {
        (0..3000)
            .map(|i| {
                let tags: Vec<_> = (0..i % 4)
                    .map(|k| json!(format!("t{}", (i * k) % 13)))
                    .collect();
                json!({"id": i, "name": (i % 3 != 0).then(|| format!("n{i}")),
                       "tags": tags, "score": (i % 5 != 0).then_some(i as f64 / 7.0),
                       "flag": i % 2 == 0})
            })
            .collect()
    }

    fn write_with(threads: usize, schema: &Schema, props: WriterProperties) -> Vec<u8> {
        let mut writer =
            SerializedFileWriter::new(Vec::new(), schema.message_type(), Arc::new(props)).unwrap();
        let mut row_group_writer = RowGroupWriter::new(&writer, schema, threads).unwrap();
        for stripes in row_groups(schema) {
            row_group_writer.write(&mut writer, &stripes).unwrap();
        }
        writer.into_inner().unwrap()
    }

    /// The row groups of [`row_groups`] appended `records` records at a time.
    fn append_in_pieces(
        threads: usize,
        schema: &Schema,
        props: WriterProperties,
        records: usize,
    ) -> Vec<u8> {
        let mut writer =
            SerializedFileWriter::new(Vec::new(), schema.message_type(), Arc::new(props)).unwrap();
        let mut row_group_writer = RowGroupWriter::new(&writer, schema, threads).unwrap();
        for stripes in row_groups(schema) {
            let total = stripes[0].num_records();
            let mut piece: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
            let mut at: Vec<(usize, usize)> = vec![(0, 0); stripes.len()];
            for first in (0..total).step_by(records) {
                let n = records.min(total - first);
                for ((piece, stripe), (leaf, at)) in
                    (piece.iter_mut().zip(&stripes)).zip(schema.leaves().iter().zip(&mut at))
                {
                    let (entry, value) = stripe.records_end(at.0, at.1, n, leaf.max_def);
                    piece.clear();
                    piece.append_range(stripe, at.0..entry, at.1..value);
                    *at = (entry, value);
                }
                row_group_writer.append(&piece).unwrap();
            }
            row_group_writer.finish_row_group(&mut writer).unwrap();
        }
        // Nothing appended since: no row group.
        row_group_writer.finish_row_group(&mut writer).unwrap();
        writer.into_inner().unwrap()
    }

    #[test]
    fn file_is_the_column_writers_file_whatever_the_threads() {
        let schema = Schema::parse(SCHEMA).unwrap();
        for (compression, version, row_limit, batch_size) in [
            // Several slices per column chunk (SLICE_BATCHES mini-batches each).
            (
                Compression::UNCOMPRESSED,
                WriterVersion::PARQUET_1_0,
                500,
                3,
            ),
            (Compression::SNAPPY, WriterVersion::PARQUET_2_0, 500, 3),
            (
                Compression::UNCOMPRESSED,
                WriterVersion::PARQUET_1_0,
                300,
                7,
            ),
        ] {
            let props = || {
                WriterProperties::builder()
                    .set_compression(compression)
                    .set_writer_version(version)
                    .set_data_page_row_count_limit(row_limit)
                    .set_write_batch_size(batch_size)
                    .build()
            };
            let expected = write_file(Vec::new(), &schema, props(), row_groups(&schema)).unwrap();
            let case = format!("{compression:?}, {version:?}, batch size {batch_size}");
            // One thread appends in turn; more take the columns on lanes.
            for threads in [1, 2, 3, 8] {
                assert!(
                    write_with(threads, &schema, props()) == expected,
                    "stripes, {threads} threads, {case}"
                );
                assert!(
                    write_all_from_json(threads, &schema, props()) == expected,
                    "JSON records, {threads} threads, {case}"
                );
            }
        }
    }

    #[test]
    fn file_of_pieces_is_the_column_writers_file_of_whole_row_groups() {
        let schema = Schema::parse(SCHEMA).unwrap();
        let props = || {
            WriterProperties::builder()
                .set_data_page_row_count_limit(300)
                .set_write_batch_size(7)
                .set_dictionary_page_size_limit(400)
                .build()
        };
        let expected = write_file(Vec::new(), &schema, props(), row_groups(&schema)).unwrap();
        for (threads, records) in [(1, 1), (2, 13), (3, 500), (1, 2000)] {
            assert!(
                append_in_pieces(threads, &schema, props(), records) == expected,
                "{threads} threads, pieces of {records} records"
            );
        }
        // Columns the hand-written encoder declines are gathered.
        let declined = || {
            WriterProperties::builder()
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_write_batch_size(7)
                .build()
        };
        let expected = write_file(Vec::new(), &schema, declined(), row_groups(&schema)).unwrap();
        assert!(append_in_pieces(2, &schema, declined(), 97) == expected);
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

    /// `ndjson` read by a [`JsonReader`] of `threads` threads, schema `read`, small chunks
    /// and row groups of 1100 records, written by [`RowGroupWriter::write_all`] into a file
    /// of schema `file`.
    fn write_json(
        ndjson: &str,
        read: &Schema,
        file: &Schema,
        threads: usize,
        props: WriterProperties,
    ) -> Result<Vec<u8>> {
        let options = ReadOptions {
            row_group_size: 1100,
            threads,
            chunk_bytes: 3000,
            ..ReadOptions::default()
        };
        let plan = Arc::new(SchemaPlan::new(read));
        let input = Box::new(std::io::Cursor::new(ndjson.as_bytes().to_vec()));
        let mut reader = JsonReader::from_reader(plan, "in.ndjson", input, options);
        let mut writer =
            SerializedFileWriter::new(Vec::new(), file.message_type(), Arc::new(props)).unwrap();
        RowGroupWriter::new(&writer, file, threads)?.write_all(&mut reader, &mut writer)?;
        Ok(writer.into_inner().unwrap())
    }

    /// The records of [`row_groups`] as NDJSON through [`write_json`].
    fn write_all_from_json(threads: usize, schema: &Schema, props: WriterProperties) -> Vec<u8> {
        let ndjson: String = (records().iter()).map(|r| format!("{r}\n")).collect();
        write_json(&ndjson, schema, schema, threads, props).unwrap()
    }

    #[test]
    fn encoding_error_on_a_lane_ends_the_write() {
        // The file's columns are INT32, the reader's stripes INT64.
        let read = Schema::parse("message m { required int64 a; required int64 b; }").unwrap();
        let file = Schema::parse("message m { required int32 a; required int32 b; }").unwrap();
        let ndjson: String = (0..5000)
            .map(|i| format!("{{\"a\": {i}, \"b\": 1}}\n"))
            .collect();
        for threads in [1, 2] {
            let props = WriterProperties::default();
            let err = write_json(&ndjson, &read, &file, threads, props).unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("a stripe of other values than INT32"),
                "{threads} threads: {err}"
            );
        }
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
        let err = RowGroupWriter::new(&writer, &schema, 2)
            .unwrap()
            .write(&mut writer, &[])
            .unwrap_err();
        assert_eq!(err.to_string(), "0 stripes for a schema of 5 columns");
    }
}
