//! The JSON reader: records from a file or stdin, NDJSON or one JSON array, as row groups of
//! stripes, shredded on every core in bounded memory.
//!
//! How it works. A *splitter* thread reads the input and cuts it into chunks of about
//! [`ReadOptions::chunk_bytes`]: NDJSON at the last newline of each block (no line is ever
//! split), a JSON array element by element (parsed on this one thread by serde_json's
//! streaming reader, each element kept as raw text). *Workers* take chunks from a bounded
//! channel and shred them through the [`SchemaPlan`] ([`crate::json_shredder`]) into the
//! chunk's own stripes. The *collector* (the caller's thread, in [`JsonReader::next`])
//! takes the chunks back in input order and appends their stripes to the row group being
//! filled, splitting a chunk at a record boundary when a row group ends inside it; or hands
//! each chunk's stripes on as they are, a piece of the row group at a time
//! ([`JsonReader::next_piece`], for a writer that encodes them as they come). So the
//! stripes of every row group depend on the input and [`ReadOptions::row_group_size`] only,
//! never on the thread count or the chunk size.
//!
//! Memory is bounded by tokens: the splitter takes one of `2 × threads + 1` input buffers
//! before it reads a chunk, and the collector gives it back (with the chunk's stripes, to
//! the workers' pool) once the chunk is appended. At any time there are at most that many
//! chunks in flight plus the row group being filled and the ones the caller holds (give
//! their stripes back with [`JsonReader::recycle`] to reuse the buffers).
//!
//! Bad records. A worker notes where each bad record is (chunk, line) and, unless
//! [`ReadOptions::skip_bad`] is set, stops its chunk there; the collector, reaching it in
//! input order, yields the row groups complete before it and then the error, named with
//! the record's global index and line by the reference path (the same text as
//! [`crate::record::normalize`] and [`crate::input`]). Which thread found it first does not
//! matter. With `skip_bad`, bad records are skipped and counted and the first
//! [`ReadOptions::max_reported_errors`] kept in [`ReadSummary::errors`]; a malformed JSON
//! array still stops the read (no element after a syntax error can be trusted).
//!
//! ```
//! use std::sync::Arc;
//! use shred::json_reader::{JsonReader, ReadOptions};
//! use shred::schema_plan::SchemaPlan;
//! let schema = shred::Schema::parse("message m { required int64 id; }").unwrap();
//! let plan = Arc::new(SchemaPlan::new(&schema));
//! let input = "{\"id\": 1}\n\n{\"id\": 2}\n{\"id\": 3}\n";
//! let options = ReadOptions { row_group_size: 2, ..ReadOptions::default() };
//! let reader = JsonReader::from_reader(plan, "ids.ndjson", Box::new(input.as_bytes()), options);
//! let sizes: Vec<usize> = reader.map(|rg| rg.unwrap().records).collect();
//! assert_eq!(sizes, vec![2, 1]);
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use serde::de::{self, Deserializer as _, SeqAccess, Visitor};
use serde_json::Value as Json;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::json_shredder::{JsonShredder, RecordAt, reference_record};
use crate::schema_plan::SchemaPlan;
use crate::stripe::Stripe;

/// How to read: row group size, threads, chunk size, what to do with bad records.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Records per row group (the last one may hold fewer).
    pub row_group_size: usize,
    /// Shredding threads (at least 1).
    pub threads: usize,
    /// Input bytes per chunk handed to a thread (NDJSON lines are never split; a JSON
    /// array's chunk ends after the element that reaches this size).
    pub chunk_bytes: usize,
    /// Skip and count records that are malformed or do not fit the schema, instead of
    /// stopping at the first.
    pub skip_bad: bool,
    /// How many skipped records' errors to keep, first ones in input order.
    pub max_reported_errors: usize,
    /// Also give each row group its records in canonical form ([`RowGroup::canonical`]),
    /// made by the reference path on the shredding threads, for checks that compare
    /// records (`shred roundtrip`); costs a `serde_json::Value` per record.
    pub keep_records: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            row_group_size: crate::DEFAULT_ROW_GROUP_SIZE,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_bytes: 1 << 20,
            skip_bad: false,
            max_reported_errors: 10,
            keep_records: false,
        }
    }
}

/// One row group: a stripe per leaf column, in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct RowGroup {
    /// The stripes.
    pub stripes: Vec<Stripe>,
    /// Number of records.
    pub records: usize,
    /// The records in canonical form ([`crate::record::normalize`]) with
    /// [`ReadOptions::keep_records`]; empty otherwise.
    pub canonical: Vec<Json>,
}

/// How far a read has got, shared with the threads doing it: for a progress bar, which
/// may look at it from another thread while the reader is in use.
#[derive(Debug, Clone, Default)]
pub struct ReadProgress {
    bytes: Arc<AtomicU64>,
    records: Arc<AtomicU64>,
}

impl ReadProgress {
    /// Input bytes read so far (the splitter runs ahead of the row groups by at most the
    /// chunks in flight).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Records parsed so far, good and bad (ahead of the row groups yielded by at most
    /// the chunks in flight).
    pub fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }
}

/// What a read saw, so far or in total.
#[derive(Debug, Default)]
pub struct ReadSummary {
    /// Records shredded into row groups yielded so far.
    pub records: usize,
    /// Row groups yielded so far.
    pub row_groups: usize,
    /// Records skipped as bad (with [`ReadOptions::skip_bad`]).
    pub bad_records: usize,
    /// The first skipped records' errors, in input order.
    pub errors: Vec<Error>,
}

/// Reads JSON records as row groups of stripes; an iterator of `Result<RowGroup>` that
/// ends after the last row group or the first error.
pub struct JsonReader {
    plan: Arc<SchemaPlan>,
    name: Arc<str>,
    options: ReadOptions,
    results: Receiver<Message>,
    tokens: Sender<Vec<u8>>,
    /// The workers' pool of chunk-sized stripes, and a handle to take spare ones from it.
    stripe_pool: Sender<Vec<Stripe>>,
    stripe_spares: Receiver<Vec<Stripe>>,
    /// Row groups' stripes given back by the caller, to fill again. Kept apart from the
    /// workers' pool so a row group's large buffers never sit idle under a small chunk.
    row_group_spares: Vec<Vec<Stripe>>,
    stop: Arc<AtomicBool>,
    progress: ReadProgress,
    threads: Vec<JoinHandle<()>>,
    /// Out-of-order chunks waiting for their turn.
    pending: BTreeMap<u64, Message>,
    next_seq: u64,
    /// The chunk being appended.
    current: Option<Cursor>,
    /// Records of the current row group given so far (in pieces or into `filling`).
    row_group_records: usize,
    /// The input has ended: the last row group ends with the records given.
    input_ended: bool,
    /// The row group being filled by [`JsonReader::next_row_group`] (no stripes until its
    /// first records arrive, so a row group given back before then is filled again) and
    /// (with `keep_records`) its records.
    filling: Vec<Stripe>,
    filling_canonical: Vec<Json>,
    /// Records and lines of the input before the current chunk.
    base_record: usize,
    base_line: usize,
    /// The error to give once the current chunk's good records are used up.
    pending_error: Option<Error>,
    done: bool,
    summary: ReadSummary,
}

/// A piece of the input, as [`JsonReader::next_piece`] gives them.
#[derive(Debug)]
pub enum Piece {
    /// Whole records of the current row group.
    Records(Part),
    /// The current row group ends; the next records start the next one.
    RowGroupEnd {
        /// Records of the row group.
        records: usize,
    },
}

/// Whole records of one row group, a stripe per leaf column in column order: one chunk of
/// the input as a thread shredded it, or the part of one that falls in the row group
/// (copied). A part owns its buffers, so other threads may hold on to it (in an `Arc`)
/// while the reader reads on; dropping it gives them back to the reader, and the chunk's
/// token with them: the parts alive count among the chunks in flight, so a caller that
/// keeps more than `2 × threads` of them stops the reader until it drops some.
#[derive(Debug)]
pub struct Part {
    stripes: Vec<Stripe>,
    records: usize,
    /// The chunk's input buffer (its token), for a whole chunk.
    input: Option<Vec<u8>>,
    tokens: Sender<Vec<u8>>,
    pool: Sender<Vec<Stripe>>,
}

impl Part {
    /// The stripes.
    pub fn stripes(&self) -> &[Stripe] {
        &self.stripes
    }

    /// Number of records.
    pub fn records(&self) -> usize {
        self.records
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        let mut stripes = std::mem::take(&mut self.stripes);
        stripes.iter_mut().for_each(Stripe::clear);
        let _ = self.pool.send(stripes);
        if let Some(input) = self.input.take() {
            let _ = self.tokens.send(input);
        }
    }
}

/// What the collector does next ([`JsonReader::step`]).
enum Step {
    /// Gives up to this many records of the current chunk to the current row group.
    Records(usize),
    /// Ends the current row group.
    RowGroupEnd,
    /// The read is over.
    End,
}

/// Splitter and workers → collector.
enum Message {
    Chunk(Shredded),
    Failed { seq: u64, error: Error },
    End { seq: u64 },
}

impl Message {
    fn seq(&self) -> u64 {
        match self {
            Message::Chunk(c) => c.seq,
            Message::Failed { seq, .. } | Message::End { seq } => *seq,
        }
    }
}

/// A chunk of input, splitter → worker.
struct Chunk {
    seq: u64,
    data: Vec<u8>,
    /// NDJSON: none (the records are the lines); a JSON array: each element's bytes.
    elements: Option<Vec<Range<usize>>>,
}

/// Where a bad record is in its chunk.
struct BadRecord {
    /// Record index in the chunk (blank lines do not count).
    record: usize,
    /// Zero-based line in the chunk (NDJSON).
    line: Option<usize>,
    bytes: Range<usize>,
}

/// A shredded chunk, worker → collector.
struct Shredded {
    seq: u64,
    chunk: Chunk,
    stripes: Vec<Stripe>,
    /// Records shredded (the good ones).
    records: usize,
    /// Records in the chunk, good and bad (where the worker stopped, on an error).
    input_records: usize,
    /// Lines in the chunk (NDJSON).
    lines: usize,
    /// The first bad records, in order; with `skip_bad` off, at most one.
    bad: Vec<BadRecord>,
    bad_count: usize,
    /// The good records in canonical form, with `keep_records`.
    canonical: Vec<Json>,
}

/// A shredded chunk being appended to row groups: per column, the next entry and value.
struct Cursor {
    shredded: Shredded,
    taken: usize,
    entries: Vec<usize>,
    values: Vec<usize>,
}

impl JsonReader {
    /// Opens a file (`-` for stdin) and starts reading.
    pub fn open(plan: Arc<SchemaPlan>, path: &Path, options: ReadOptions) -> Result<Self> {
        let name = path.display().to_string();
        let input: Box<dyn Read + Send> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(|e| Error::Input {
                message: format!("{name}: cannot read records: {e}"),
            })?)
        };
        Ok(Self::from_reader(plan, &name, input, options))
    }

    /// Starts reading `input`; `name` labels errors.
    pub fn from_reader(
        plan: Arc<SchemaPlan>,
        name: &str,
        input: Box<dyn Read + Send>,
        mut options: ReadOptions,
    ) -> Self {
        options.threads = options.threads.max(1);
        options.row_group_size = options.row_group_size.max(1);
        options.chunk_bytes = options.chunk_bytes.max(1);
        let name: Arc<str> = name.into();
        let in_flight = 2 * options.threads + 1;
        let (token_tx, token_rx) = bounded::<Vec<u8>>(in_flight);
        for _ in 0..in_flight {
            token_tx.send(Vec::new()).expect("room for every token");
        }
        let (work_tx, work_rx) = bounded::<Chunk>(options.threads);
        let (result_tx, result_rx) = unbounded::<Message>();
        let (pool_tx, pool_rx) = unbounded::<Vec<Stripe>>();
        let stop = Arc::new(AtomicBool::new(false));
        let progress = ReadProgress::default();
        let mut threads = Vec::with_capacity(options.threads + 1);
        let splitter = Splitter {
            name: name.clone(),
            chunk_bytes: options.chunk_bytes,
            tokens: token_rx,
            work: work_tx,
            results: result_tx.clone(),
            stop: stop.clone(),
            bytes_read: progress.bytes.clone(),
            seq: 0,
        };
        threads.push(spawn("shred-split", move || splitter.run(input)));
        for i in 0..options.threads {
            let worker = Worker {
                plan: plan.clone(),
                name: name.clone(),
                skip_bad: options.skip_bad,
                keep_records: options.keep_records,
                max_bad: options.max_reported_errors.max(1),
                records_read: progress.records.clone(),
                work: work_rx.clone(),
                results: result_tx.clone(),
                pool: pool_rx.clone(),
                stop: stop.clone(),
            };
            threads.push(spawn(&format!("shred-{i}"), move || worker.run()));
        }
        JsonReader {
            filling: Vec::new(),
            plan,
            name,
            options,
            results: result_rx,
            tokens: token_tx,
            stripe_pool: pool_tx,
            stripe_spares: pool_rx,
            row_group_spares: Vec::new(),
            stop,
            progress,
            threads,
            pending: BTreeMap::new(),
            next_seq: 0,
            current: None,
            row_group_records: 0,
            input_ended: false,
            filling_canonical: Vec::new(),
            base_record: 0,
            base_line: 0,
            pending_error: None,
            done: false,
            summary: ReadSummary::default(),
        }
    }

    /// What the read has seen so far: records, row groups, skipped records.
    pub fn summary(&self) -> &ReadSummary {
        &self.summary
    }

    /// What the read saw, giving up the reader: after the last row group, the totals.
    pub fn into_summary(mut self) -> ReadSummary {
        std::mem::take(&mut self.summary)
    }

    /// How far the read has got, as a handle another thread can watch.
    pub fn progress(&self) -> ReadProgress {
        self.progress.clone()
    }

    /// Gives a row group's stripes back so their buffers are reused: given back before
    /// the next call to [`JsonReader::next_row_group`], they hold the next row group, and
    /// memory holds one row group, not two.
    pub fn recycle(&mut self, mut stripes: Vec<Stripe>) {
        stripes.iter_mut().for_each(Stripe::clear);
        self.row_group_spares.push(stripes);
    }

    /// The next row group, `None` after the last one; an error ends the read.
    pub fn next_row_group(&mut self) -> Result<Option<RowGroup>> {
        if self.done {
            return Ok(None);
        }
        let result = self.fill();
        if result.is_err() {
            self.finish(false);
        }
        result
    }

    fn fill(&mut self) -> Result<Option<RowGroup>> {
        loop {
            match self.step()? {
                Step::Records(n) => {
                    let cursor = self.current.as_mut().expect("a step gives records of it");
                    if self.filling.is_empty() {
                        self.filling = (self.row_group_spares.pop())
                            .unwrap_or_else(|| self.plan.new_stripes());
                    }
                    cursor.append_to(&mut self.filling, n, &self.plan);
                    if self.options.keep_records {
                        let records = &mut cursor.shredded.canonical;
                        self.filling_canonical.extend(records.drain(..n));
                    }
                    self.row_group_records += n;
                }
                Step::RowGroupEnd => {
                    let records = self.end_row_group();
                    return Ok(Some(RowGroup {
                        stripes: std::mem::take(&mut self.filling),
                        records,
                        canonical: std::mem::take(&mut self.filling_canonical),
                    }));
                }
                Step::End => return Ok(None),
            }
        }
    }

    /// The next piece of the input, in order: records of the current row group, or the end
    /// of a row group. `None` after the last row group's end; an error ends the read.
    ///
    /// A piece's records are one chunk's stripes as a thread shredded them (a chunk that
    /// falls in two row groups is given as two parts, copied), so a caller that encodes
    /// them as they come ([`crate::row_group_writer::RowGroupWriter::write_all`]) never
    /// gathers a row group's stripes; the row groups are those
    /// [`JsonReader::next_row_group`] gives, whatever the threads and the chunk size. Parts
    /// carry no canonical records ([`ReadOptions::keep_records`]).
    pub fn next_piece(&mut self) -> Result<Option<Piece>> {
        if self.done {
            return Ok(None);
        }
        let step = match self.step() {
            Ok(step) => step,
            Err(error) => {
                self.finish(false);
                return Err(error);
            }
        };
        match step {
            Step::Records(n) => {
                self.row_group_records += n;
                let cursor = self.current.as_mut().expect("a step gives records of it");
                let part = if cursor.taken == 0 && n == cursor.shredded.records {
                    let whole = self.current.take().expect("checked above").shredded;
                    Part {
                        stripes: whole.stripes,
                        records: n,
                        input: Some(whole.chunk.data),
                        tokens: self.tokens.clone(),
                        pool: self.stripe_pool.clone(),
                    }
                } else {
                    let mut stripes =
                        (self.stripe_spares.try_recv()).unwrap_or_else(|_| self.plan.new_stripes());
                    cursor.append_to(&mut stripes, n, &self.plan);
                    Part {
                        stripes,
                        records: n,
                        input: None,
                        tokens: self.tokens.clone(),
                        pool: self.stripe_pool.clone(),
                    }
                };
                Ok(Some(Piece::Records(part)))
            }
            Step::RowGroupEnd => {
                let records = self.end_row_group();
                Ok(Some(Piece::RowGroupEnd { records }))
            }
            Step::End => Ok(None),
        }
    }

    /// What comes next: up to how many records of the current chunk go into the current
    /// row group, the end of the row group, or the end of the input (then the threads are
    /// finished). Takes in chunks in input order, gives used ones back, and turns their bad
    /// records into errors.
    fn step(&mut self) -> Result<Step> {
        let size = self.options.row_group_size;
        loop {
            if self.row_group_records == size {
                return Ok(Step::RowGroupEnd);
            }
            if let Some(cursor) = &self.current {
                let left = cursor.shredded.records - cursor.taken;
                if left > 0 {
                    return Ok(Step::Records(left.min(size - self.row_group_records)));
                }
                let used = self.current.take().expect("checked above");
                self.give_back(used.shredded);
            }
            if let Some(error) = self.pending_error.take() {
                return Err(error);
            }
            if self.input_ended {
                if self.row_group_records > 0 {
                    return Ok(Step::RowGroupEnd);
                }
                self.finish(true);
                return Ok(Step::End);
            }
            match self.next_message()? {
                Message::Chunk(shredded) => self.start_chunk(shredded)?,
                Message::Failed { error, .. } => return Err(error),
                Message::End { .. } => self.input_ended = true,
            }
        }
    }

    /// Ends the current row group; returns its record count.
    fn end_row_group(&mut self) -> usize {
        let records = std::mem::take(&mut self.row_group_records);
        self.summary.records += records;
        self.summary.row_groups += 1;
        records
    }

    /// The next message in input order.
    fn next_message(&mut self) -> Result<Message> {
        loop {
            if let Some(message) = self.pending.remove(&self.next_seq) {
                self.next_seq += 1;
                return Ok(message);
            }
            let message = self.results.recv().map_err(|_| Error::Input {
                message: format!("{}: reading stopped unexpectedly", self.name),
            })?;
            self.pending.insert(message.seq(), message);
        }
    }

    /// Takes in a shredded chunk: its bad records become errors, its records a cursor.
    fn start_chunk(&mut self, shredded: Shredded) -> Result<()> {
        for bad in &shredded.bad {
            let at = RecordAt {
                source: &self.name,
                record: self.base_record + bad.record,
                line: bad.line.map(|l| self.base_line + l + 1),
            };
            let error =
                match reference_record(&self.plan, &shredded.chunk.data[bad.bytes.clone()], &at) {
                    Err(e) => e,
                    Ok(_) => Error::Input {
                        message: format!(
                            "{}: record {}: rejected by the shredder but not by the reference",
                            self.name, at.record
                        ),
                    },
                };
            if self.options.skip_bad {
                if self.summary.errors.len() < self.options.max_reported_errors {
                    self.summary.errors.push(error);
                }
            } else {
                self.pending_error = Some(error);
            }
        }
        self.summary.bad_records += shredded.bad_count;
        self.base_record += shredded.input_records;
        self.base_line += shredded.lines;
        let columns = shredded.stripes.len();
        self.current = Some(Cursor {
            shredded,
            taken: 0,
            entries: vec![0; columns],
            values: vec![0; columns],
        });
        Ok(())
    }

    /// Returns a used chunk's input buffer to the splitter and its stripes to the pool.
    fn give_back(&mut self, shredded: Shredded) {
        let Shredded {
            chunk, mut stripes, ..
        } = shredded;
        let _ = self.tokens.send(chunk.data);
        stripes.iter_mut().for_each(Stripe::clear);
        let _ = self.stripe_pool.send(stripes);
    }

    /// Stops the threads: after a clean end they have all finished and are joined; after
    /// an error they stop at their next step (the splitter may be blocked reading stdin,
    /// so they are not waited for).
    fn finish(&mut self, clean: bool) {
        self.done = true;
        self.stop.store(true, Ordering::Relaxed);
        self.pending.clear();
        self.current = None;
        // Dropping the last token sender wakes a splitter waiting for a token.
        self.tokens = bounded(0).0;
        let threads = std::mem::take(&mut self.threads);
        if clean {
            for thread in threads {
                let _ = thread.join();
            }
        }
    }
}

impl Iterator for JsonReader {
    type Item = Result<RowGroup>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row_group().transpose()
    }
}

impl Drop for JsonReader {
    fn drop(&mut self) {
        if !self.done {
            self.finish(false);
        }
    }
}

impl Cursor {
    /// Appends the next `n` records of the chunk to `stripes`.
    fn append_to(&mut self, stripes: &mut [Stripe], n: usize, plan: &SchemaPlan) {
        let whole = self.taken + n == self.shredded.records;
        for (column, (dst, src)) in stripes.iter_mut().zip(&self.shredded.stripes).enumerate() {
            let (entry, value) = (self.entries[column], self.values[column]);
            let (entry_end, value_end) = if whole {
                (src.len(), src.values.len())
            } else {
                src.records_end(entry, value, n, plan.leaves()[column].max_def)
            };
            dst.append_range(src, entry..entry_end, value..value_end);
            self.entries[column] = entry_end;
            self.values[column] = value_end;
        }
        self.taken += n;
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .expect("spawning a reader thread")
}

/// Reads the input and cuts it into chunks.
struct Splitter {
    name: Arc<str>,
    chunk_bytes: usize,
    tokens: Receiver<Vec<u8>>,
    work: Sender<Chunk>,
    results: Sender<Message>,
    stop: Arc<AtomicBool>,
    bytes_read: Arc<AtomicU64>,
    seq: u64,
}

impl Splitter {
    fn run(mut self, input: Box<dyn Read + Send>) {
        let end = match self.split(input) {
            Ok(()) => Message::End { seq: self.seq },
            Err(error) => Message::Failed {
                seq: self.seq,
                error,
            },
        };
        let _ = self.results.send(end);
    }

    fn read_error(&self, e: std::io::Error) -> Error {
        Error::Input {
            message: format!("{}: cannot read records: {e}", self.name),
        }
    }

    /// A buffer to fill, once the collector has room for another chunk; none on a stop.
    fn token(&self) -> Option<Vec<u8>> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        self.tokens.recv().ok().map(|mut b| {
            b.clear();
            b
        })
    }

    fn send(&mut self, data: Vec<u8>, elements: Option<Vec<Range<usize>>>) -> bool {
        let chunk = Chunk {
            seq: self.seq,
            data,
            elements,
        };
        self.seq += 1;
        self.work.send(chunk).is_ok()
    }

    fn split(&mut self, mut input: Box<dyn Read + Send>) -> Result<()> {
        let Some(mut buf) = self.token() else {
            return Ok(());
        };
        // The first non-blank byte tells the format.
        let first = loop {
            let start = buf.len();
            let n = self.read_some(&mut input, &mut buf, self.chunk_bytes.min(64 << 10))?;
            if let Some(b) = buf[start..].iter().find(|b| !b.is_ascii_whitespace()) {
                break Some(*b);
            }
            if n == 0 {
                break None;
            }
        };
        if first == Some(b'[') {
            let prefix = std::mem::take(&mut buf);
            let rest = Counting {
                input,
                bytes: self.bytes_read.clone(),
            };
            return self.split_array(std::io::Cursor::new(prefix).chain(rest));
        }
        self.split_lines(&mut input, buf)
    }

    /// Appends up to `want` bytes of `input` to `buf` (fewer only at the end of the input)
    /// and counts them; returns how many. The input is read straight into the buffer's
    /// spare capacity (a reader that only implements `read` would have it zeroed first).
    fn read_some(&self, input: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> Result<usize> {
        let n = (input.take(want as u64).read_to_end(buf)).map_err(|e| self.read_error(e))?;
        self.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    /// NDJSON: blocks cut after their last newline.
    fn split_lines(&mut self, input: &mut impl Read, mut buf: Vec<u8>) -> Result<()> {
        let mut carry: Vec<u8> = Vec::new();
        loop {
            buf.extend_from_slice(&carry);
            carry.clear();
            let mut eof = false;
            while buf.len() < self.chunk_bytes || memchr::memrchr(b'\n', &buf).is_none() {
                // Up to the chunk size; a line longer than that is read on in blocks.
                let want = (self.chunk_bytes.saturating_sub(buf.len()))
                    .max(self.chunk_bytes.min(64 << 10));
                let n = self.read_some(input, &mut buf, want)?;
                if n == 0 {
                    eof = true;
                    break;
                }
            }
            if !eof {
                let cut = memchr::memrchr(b'\n', &buf).expect("the loop found one") + 1;
                carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
            }
            if !buf.is_empty() && !self.send(buf, None) {
                return Ok(());
            }
            if eof {
                return Ok(());
            }
            let Some(next) = self.token() else {
                return Ok(());
            };
            buf = next;
        }
    }

    /// One JSON array: its elements, parsed here, as raw text.
    fn split_array(&mut self, input: impl Read) -> Result<()> {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(
            256 << 10,
            input,
        ));
        let name = self.name.clone();
        let syntax = |e: serde_json::Error| crate::input::invalid_json(&name, e.line(), &e);
        let mut visitor = ArrayVisitor {
            splitter: self,
            buf: None,
            elements: Vec::new(),
        };
        let outcome = (&mut de).deserialize_seq(&mut visitor);
        let stopped = visitor.flush();
        match outcome {
            Ok(()) if stopped => Ok(()),
            Ok(()) => de.end().map_err(syntax),
            Err(_) if stopped => Ok(()),
            Err(e) => Err(syntax(e)),
        }
    }
}

/// The input, counting the bytes read (for the JSON array's buffered reader).
struct Counting {
    input: Box<dyn Read + Send>,
    bytes: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Collects a JSON array's elements into chunks.
struct ArrayVisitor<'s> {
    splitter: &'s mut Splitter,
    buf: Option<Vec<u8>>,
    elements: Vec<Range<usize>>,
}

impl ArrayVisitor<'_> {
    /// Sends the chunk being filled; true when the read was stopped.
    fn flush(&mut self) -> bool {
        match self.buf.take() {
            // A buffer is taken for the first element of a chunk: it is never empty.
            Some(buf) => {
                let elements = std::mem::take(&mut self.elements);
                !self.splitter.send(buf, Some(elements))
            }
            None => self.splitter.stop.load(Ordering::Relaxed),
        }
    }
}

impl<'de> Visitor<'de> for &mut ArrayVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<Box<RawValue>>()? {
            if self.buf.is_none() {
                match self.splitter.token() {
                    Some(buf) => self.buf = Some(buf),
                    None => return Err(de::Error::custom("stopped")),
                }
            }
            let buf = self.buf.as_mut().expect("filled above");
            let text = element.get().as_bytes();
            self.elements.push(buf.len()..buf.len() + text.len());
            buf.extend_from_slice(text);
            if buf.len() >= self.splitter.chunk_bytes && self.flush() {
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// Shreds chunks.
struct Worker {
    plan: Arc<SchemaPlan>,
    name: Arc<str>,
    skip_bad: bool,
    keep_records: bool,
    max_bad: usize,
    records_read: Arc<AtomicU64>,
    work: Receiver<Chunk>,
    results: Sender<Message>,
    pool: Receiver<Vec<Stripe>>,
    stop: Arc<AtomicBool>,
}

impl Worker {
    fn run(self) {
        while let Ok(chunk) = self.work.recv() {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let shredded = self.shred(chunk);
            (self.records_read).fetch_add(shredded.input_records as u64, Ordering::Relaxed);
            if self.results.send(Message::Chunk(shredded)).is_err() {
                return;
            }
        }
    }

    fn shred(&self, chunk: Chunk) -> Shredded {
        let stripes = self
            .pool
            .try_recv()
            .unwrap_or_else(|_| self.plan.new_stripes());
        let mut shredder = JsonShredder::with_stripes(&self.plan, stripes);
        let mut bad = Vec::new();
        let mut bad_count = 0;
        let mut canonical = Vec::new();
        let mut input_records = 0;
        let mut lines = 0;
        // The chunk checked as UTF-8 at once (lines and elements are cut at ASCII bytes),
        // so its strings need no check of their own; a chunk that is not goes record by
        // record, and its bad records are found there.
        let text = std::str::from_utf8(&chunk.data).ok();
        // Positions in errors here are the chunk's own; the collector names the record
        // again with its global index and line.
        let mut one = |bytes: Range<usize>, line: Option<usize>| -> bool {
            let at = RecordAt {
                source: &self.name,
                record: input_records,
                line: line.map(|l| l + 1),
            };
            let json = &chunk.data[bytes.clone()];
            let ok = if self.keep_records {
                // The reference first: it accepts every record the shredder accepts.
                match reference_record(&self.plan, json, &at) {
                    Ok(record) if shredder.shred(json, &at).is_ok() => {
                        canonical.push(record);
                        true
                    }
                    _ => false,
                }
            } else if let Some(text) = text {
                shredder.shred_str(&text[bytes.clone()], &at).is_ok()
            } else {
                shredder.shred(json, &at).is_ok()
            };
            if !ok {
                bad_count += 1;
                if bad.len() < self.max_bad {
                    bad.push(BadRecord {
                        record: input_records,
                        line,
                        bytes,
                    });
                }
            }
            input_records += 1;
            ok || self.skip_bad
        };
        match &chunk.elements {
            Some(elements) => {
                for element in elements {
                    if !one(element.clone(), None) {
                        break;
                    }
                }
            }
            None => {
                let data = &chunk.data;
                let mut start = 0;
                while start < data.len() {
                    let end =
                        memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
                    let line = lines;
                    lines += 1;
                    if !is_blank(&data[start..end]) && !one(start..end, Some(line)) {
                        break;
                    }
                    start = end + 1;
                }
            }
        }
        let records = shredder.num_records();
        let stripes = shredder.into_stripes();
        Shredded {
            seq: chunk.seq,
            chunk,
            stripes,
            records,
            input_records,
            lines,
            bad,
            bad_count,
            canonical,
        }
    }
}

/// True for a line that holds no record: only whitespace, as `str::trim` sees it.
fn is_blank(line: &[u8]) -> bool {
    match line
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c))
    {
        None => true,
        Some(i) if line[i] < 0x80 => false,
        Some(_) => std::str::from_utf8(line).is_ok_and(|s| s.trim().is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shredder::shred_records;

    const SCHEMA: &str = "message m { required int64 id; optional group tags (LIST) {
        repeated group list { optional binary element (STRING); } } }";

    fn plan() -> Arc<SchemaPlan> {
        Arc::new(SchemaPlan::new(&crate::Schema::parse(SCHEMA).unwrap()))
    }

    fn options(row_group_size: usize, threads: usize, chunk_bytes: usize) -> ReadOptions {
        ReadOptions {
            row_group_size,
            threads,
            chunk_bytes,
            ..ReadOptions::default()
        }
    }

    fn reader(input: &str, options: ReadOptions) -> JsonReader {
        let input: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(input.to_string()));
        JsonReader::from_reader(plan(), "in.ndjson", input, options)
    }

    fn read_all(input: &str, options: ReadOptions) -> Result<Vec<RowGroup>> {
        reader(input, options).collect()
    }

    /// `n` records, one per line, with a blank line after every seventh.
    fn ndjson(n: usize) -> String {
        let mut out = String::new();
        for i in 0..n {
            let tags: Vec<String> = (0..i % 4).map(|k| format!("\"t{k}\"")).collect();
            out.push_str(&format!(
                "{{\"id\": {i}, \"tags\": [{}]}}\n",
                tags.join(", ")
            ));
            if i % 7 == 6 {
                out.push_str("  \n");
            }
        }
        out
    }

    /// The reference stripes of `input`'s records, cut into row groups.
    fn reference(input: &str, row_group_size: usize) -> Vec<RowGroup> {
        let schema = crate::Schema::parse(SCHEMA).unwrap();
        let records: Vec<Json> = crate::input::parse_records("in.ndjson", input)
            .unwrap()
            .into_iter()
            .map(|r| r.value)
            .collect();
        records
            .chunks(row_group_size)
            .map(|chunk| RowGroup {
                stripes: shred_records(&schema, chunk).unwrap(),
                records: chunk.len(),
                canonical: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn row_groups_equal_the_reference_whatever_threads_and_chunks() {
        let input = ndjson(500);
        let expected = reference(&input, 64);
        assert_eq!(expected.len(), 8);
        for (threads, chunk_bytes) in [(1, 1 << 20), (1, 100), (2, 37), (3, 1000), (4, 1)] {
            let got = read_all(&input, options(64, threads, chunk_bytes)).unwrap();
            assert_eq!(
                got, expected,
                "threads {threads}, chunk bytes {chunk_bytes}"
            );
        }
    }

    /// The row groups of `input` gathered from its pieces.
    fn gather_pieces(input: &str, options: ReadOptions) -> Result<Vec<RowGroup>> {
        let mut reader = reader(input, options);
        let mut row_groups = Vec::new();
        let mut stripes = plan().new_stripes();
        let mut records = 0;
        while let Some(piece) = reader.next_piece()? {
            match piece {
                Piece::Records(part) => {
                    for (all, stripe) in stripes.iter_mut().zip(part.stripes()) {
                        all.append(stripe);
                    }
                    records += part.records();
                }
                Piece::RowGroupEnd { records: n } => {
                    assert_eq!(n, records, "the row group's records");
                    row_groups.push(RowGroup {
                        stripes: std::mem::replace(&mut stripes, plan().new_stripes()),
                        records: std::mem::take(&mut records),
                        canonical: Vec::new(),
                    });
                }
            }
        }
        assert_eq!(records, 0, "every record in an ended row group");
        assert_eq!(reader.summary().row_groups, row_groups.len());
        Ok(row_groups)
    }

    #[test]
    fn pieces_make_the_row_groups_whatever_threads_and_chunks() {
        let input = ndjson(500);
        let expected = reference(&input, 64);
        for (threads, chunk_bytes) in [(1, 1 << 20), (1, 100), (2, 37), (3, 1000), (4, 1)] {
            let got = gather_pieces(&input, options(64, threads, chunk_bytes)).unwrap();
            assert_eq!(
                got, expected,
                "threads {threads}, chunk bytes {chunk_bytes}"
            );
        }
        assert!(gather_pieces("", options(10, 2, 16)).unwrap().is_empty());
    }

    #[test]
    fn pieces_end_at_the_first_bad_record() {
        let mut input = ndjson(150);
        input.push_str("{\"id\": }\n");
        let mut reader = reader(&input, options(100, 2, 64));
        let mut records = 0;
        let err = loop {
            match reader.next_piece() {
                Ok(Some(Piece::Records(part))) => records += part.records(),
                Ok(Some(Piece::RowGroupEnd { .. })) => {}
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert!(err.to_string().contains("invalid JSON"), "{err}");
        assert_eq!(records, 150, "the good records before the bad line");
        assert!(reader.next_piece().unwrap().is_none());
    }

    #[test]
    fn empty_input_has_no_row_groups() {
        assert!(read_all("", options(10, 2, 16)).unwrap().is_empty());
        assert!(read_all("\n \n", options(10, 2, 16)).unwrap().is_empty());
        assert!(read_all(" [ ] ", options(10, 2, 16)).unwrap().is_empty());
    }

    #[test]
    fn json_array_is_streamed_into_row_groups() {
        let input = ndjson(100);
        let array = format!(
            "\n [{}]\n",
            input
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(",\n")
        );
        for threads in [1, 3] {
            let got = read_all(&array, options(30, threads, 50)).unwrap();
            assert_eq!(got, reference(&input, 30));
        }
    }

    #[test]
    fn malformed_line_is_named_across_chunks() {
        let mut input = ndjson(300);
        input.push_str("{\"id\": }\n");
        input.push_str(&ndjson(10));
        let lines_before = ndjson(300).lines().count();
        let expected = format!(
            "in.ndjson: line {}: invalid JSON: expected value (column 8)",
            lines_before + 1
        );
        for (threads, chunk_bytes) in [(1, 1 << 20), (2, 64), (3, 7)] {
            let mut reader = reader(&input, options(100, threads, chunk_bytes));
            let mut records = 0;
            let err = loop {
                match reader.next().unwrap() {
                    Ok(rg) => records += rg.records,
                    Err(e) => break e,
                }
            };
            assert_eq!(err.to_string(), expected);
            assert_eq!(records, 300, "the complete row groups before the bad line");
            assert!(reader.next().is_none());
        }
    }

    #[test]
    fn record_that_does_not_fit_names_record_line_and_field() {
        let mut input = ndjson(20);
        input.push_str("{\"id\": 1, \"tags\": [\"a\", 5]}\n");
        let err = read_all(&input, options(7, 2, 10)).unwrap_err();
        let line = ndjson(20).lines().count() + 1;
        assert_eq!(
            err.to_string(),
            format!(
                "in.ndjson: record 20 (line {line}): field tags[1]: expected a string for \
                 BYTE_ARRAY (String), found a number 5"
            )
        );
    }

    #[test]
    fn missing_required_field_in_an_array_has_no_line() {
        let err = read_all("[{\"id\": 1}, {\"tags\": []}]", options(7, 2, 10)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "in.ndjson: record 1: field id: required field is missing or null"
        );
    }

    #[test]
    fn malformed_array_names_line_and_column() {
        let err =
            read_all("[{\"id\": 1},\n{\"id\": 2} {\"id\": 3}]", options(7, 2, 10)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "in.ndjson: line 2: invalid JSON: expected `,` or `]` (column 11)"
        );
        let err = read_all("[{\"id\": 1}] x", options(7, 2, 10)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "in.ndjson: line 1: invalid JSON: trailing characters (column 13)"
        );
    }

    #[test]
    fn skip_bad_counts_and_keeps_the_first_errors() {
        let mut input = String::new();
        for i in 0..50 {
            if i % 10 == 3 {
                input.push_str("{\"id\": \"x\"}\n");
            } else if i % 10 == 8 {
                input.push_str("{oops\n");
            } else {
                input.push_str(&format!("{{\"id\": {i}}}\n"));
            }
        }
        for threads in [1, 2] {
            let mut reader = reader(
                &input,
                ReadOptions {
                    skip_bad: true,
                    max_reported_errors: 3,
                    ..options(16, threads, 40)
                },
            );
            let sizes: Vec<usize> = reader.by_ref().map(|rg| rg.unwrap().records).collect();
            assert_eq!(sizes, vec![16, 16, 8]);
            let summary = reader.summary();
            assert_eq!((summary.records, summary.bad_records), (40, 10));
            let errors: Vec<String> = summary.errors.iter().map(|e| e.to_string()).collect();
            assert_eq!(errors.len(), 3);
            assert!(
                errors[0].starts_with("in.ndjson: record 3 (line 4): field id:"),
                "{errors:?}"
            );
            assert!(
                errors[1].starts_with("in.ndjson: line 9: invalid JSON:"),
                "{errors:?}"
            );
            assert!(
                errors[2].starts_with("in.ndjson: record 13 (line 14):"),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn recycled_stripes_are_reused() {
        let input = ndjson(100);
        let mut reader = reader(&input, options(10, 2, 64));
        let mut got = Vec::new();
        while let Some(rg) = reader.next_row_group().unwrap() {
            got.push(rg.clone());
            reader.recycle(rg.stripes);
        }
        assert_eq!(got, reference(&input, 10));
    }

    #[test]
    fn a_row_group_given_back_holds_the_next_one() {
        let input = ndjson(30);
        let mut reader = reader(&input, options(10, 2, 64));
        let first = reader.next_row_group().unwrap().unwrap();
        let buffer = first.stripes[0].rep.as_ptr();
        reader.recycle(first.stripes);
        let second = reader.next_row_group().unwrap().unwrap();
        assert_eq!(
            second.stripes[0].rep.as_ptr(),
            buffer,
            "the same buffer, refilled"
        );
        assert_eq!(second, reference(&input, 10)[1]);
        // Not given back: the next row group gets buffers of its own.
        let third = reader.next_row_group().unwrap().unwrap();
        assert_ne!(
            third.stripes[0].rep.as_ptr(),
            second.stripes[0].rep.as_ptr()
        );
    }

    #[test]
    fn unreadable_file_is_named() {
        let err = JsonReader::open(plan(), Path::new("/no/such.ndjson"), ReadOptions::default())
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .starts_with("/no/such.ndjson: cannot read records:"),
            "{err}"
        );
    }

    #[test]
    fn blank_lines_as_str_trim_sees_them() {
        assert!(is_blank(b""));
        assert!(is_blank(b" \t\r\x0c"));
        assert!(is_blank("\u{a0} ".as_bytes()));
        assert!(!is_blank(b" {}"));
        assert!(!is_blank("\u{a0}{}".as_bytes()));
    }
}
