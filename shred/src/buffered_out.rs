//! Text on its way to a writer: a buffer written out in large writes, long pieces past it.
//!
//! Printing JSON lines appends many short pieces; [`BufferedOut`] collects them in a
//! [`LineBuffer`] and writes it out once it holds [`FLUSH_BYTES`]
//! ([`BufferedOut::flush_full`]). Through its `io::Write`, a piece of [`FLUSH_BYTES`] or more
//! goes to the writer directly instead of being copied into the buffer, so a JSON string of
//! a gigabyte streams through (`serde_json` prints a string in the pieces between its
//! escapes). Code that only appends has no error to handle: the first write error is kept
//! and returned by [`BufferedOut::flush_full`] or [`BufferedOut::finish`], and every write
//! after it is refused (an `io::Write` call gets an error of the same kind).
//!
//! ```
//! use std::io::Write;
//! use shred::buffered_out::BufferedOut;
//! let mut text = Vec::new();
//! let mut out = BufferedOut::new(&mut text);
//! out.buffer().put(b"{\"a\":");
//! out.write_all(b"1}\n").unwrap();
//! out.finish().unwrap();
//! assert_eq!(text, b"{\"a\":1}\n");
//! ```

use std::io;

use crate::line_buffer::LineBuffer;

/// Bytes a [`BufferedOut`] collects before writing them out; a piece at least this long
/// goes out directly.
pub const FLUSH_BYTES: usize = 1 << 20;

/// A place in the text, to go back to ([`BufferedOut::rewind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Bytes written out so far.
    written: u64,
    /// Bytes in the buffer.
    buffered: usize,
}

/// Text for a writer; see the module docs.
pub struct BufferedOut<'w> {
    buffer: LineBuffer,
    out: &'w mut dyn io::Write,
    /// Bytes written out so far.
    written: u64,
    /// The first write error, until it is returned.
    error: Option<io::Error>,
    /// The kind of that error, refusing every write after it.
    failed: Option<io::ErrorKind>,
}

impl<'w> BufferedOut<'w> {
    /// Text for `out`.
    pub fn new(out: &'w mut dyn io::Write) -> Self {
        BufferedOut {
            buffer: LineBuffer::with_capacity(FLUSH_BYTES + 4096),
            out,
            written: 0,
            error: None,
            failed: None,
        }
    }

    /// The buffer to append short pieces to.
    #[inline]
    pub fn buffer(&mut self) -> &mut LineBuffer {
        &mut self.buffer
    }

    /// The place the text has reached.
    pub fn mark(&self) -> Mark {
        Mark {
            written: self.written,
            buffered: self.buffer.len(),
        }
    }

    /// Drops what was appended since `mark`, when none of it has been written out; returns
    /// whether it could.
    pub fn rewind(&mut self, mark: Mark) -> bool {
        if self.written != mark.written {
            return false;
        }
        self.buffer.truncate(mark.buffered);
        true
    }

    /// Writes the buffer out when it holds [`FLUSH_BYTES`] or more; returns the first
    /// write error.
    pub fn flush_full(&mut self) -> io::Result<()> {
        if self.buffer.len() >= FLUSH_BYTES {
            self.write_buffer();
        }
        self.result()
    }

    /// Writes out what is left; returns the first write error.
    pub fn finish(mut self) -> io::Result<()> {
        self.write_buffer();
        self.result()
    }

    /// Writes out what is left, then returns `printed`'s error if it has one, else the
    /// first write error: the end of a print that may have stopped on an error, whose
    /// text up to the error still goes out.
    pub fn finish_after<T, E: From<io::Error>>(self, printed: Result<T, E>) -> Result<T, E> {
        let finished = self.finish();
        let value = printed?;
        finished?;
        Ok(value)
    }

    /// The first write error (its kind alone after the first time); `Ok` when there was
    /// none.
    fn result(&mut self) -> io::Result<()> {
        match (self.error.take(), self.failed) {
            (Some(error), _) => Err(error),
            (None, Some(kind)) => Err(kind.into()),
            (None, None) => Ok(()),
        }
    }

    /// Writes the buffer out, then empties it.
    fn write_buffer(&mut self) {
        if self.failed.is_none() && !self.buffer.is_empty() {
            let result = self.out.write_all(self.buffer.as_bytes());
            self.count(result, self.buffer.len());
        }
        self.buffer.clear();
    }

    /// Writes `bytes` to the writer, unless an earlier write failed.
    fn write_out(&mut self, bytes: &[u8]) {
        if self.failed.is_none() && !bytes.is_empty() {
            let result = self.out.write_all(bytes);
            self.count(result, bytes.len());
        }
    }

    /// Counts a write of `len` bytes that succeeded; keeps the error of one that did not.
    fn count(&mut self, result: io::Result<()>, len: usize) {
        match result {
            Ok(()) => self.written += len as u64,
            Err(error) => {
                self.failed = Some(error.kind());
                self.error = Some(error);
            }
        }
    }
}

impl io::Write for BufferedOut<'_> {
    /// Appends `piece`, or writes it out directly (after the buffer) when it is
    /// [`FLUSH_BYTES`] or longer.
    fn write(&mut self, piece: &[u8]) -> io::Result<usize> {
        if piece.len() >= FLUSH_BYTES {
            self.write_buffer();
            self.write_out(piece);
        } else if self.failed.is_none() {
            self.buffer.put(piece);
            if self.buffer.len() >= FLUSH_BYTES {
                self.write_buffer();
            }
        }
        match self.failed {
            Some(kind) => Err(kind.into()),
            None => Ok(piece.len()),
        }
    }

    /// Writes the buffer out and flushes the writer.
    fn flush(&mut self) -> io::Result<()> {
        self.write_buffer();
        match self.failed {
            Some(kind) => Err(kind.into()),
            None => self.out.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A writer that records each write it is given, and fails them after `fail_after`.
    struct Writes {
        writes: Vec<Vec<u8>>,
        fail_after: usize,
    }

    impl io::Write for Writes {
        fn write(&mut self, piece: &[u8]) -> io::Result<usize> {
            if self.writes.len() >= self.fail_after {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            self.writes.push(piece.to_vec());
            Ok(piece.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn writes(fail_after: usize) -> Writes {
        Writes {
            writes: Vec::new(),
            fail_after,
        }
    }

    #[test]
    fn long_piece_goes_out_directly_after_the_buffer() {
        let mut writes = writes(usize::MAX);
        let long = vec![b'x'; FLUSH_BYTES];
        let mut out = BufferedOut::new(&mut writes);
        out.buffer().put(b"{\"s\":\"");
        out.write_all(&long).unwrap();
        out.write_all(b"\"}").unwrap();
        out.finish().unwrap();
        let expected: Vec<Vec<u8>> = vec![b"{\"s\":\"".to_vec(), long, b"\"}".to_vec()];
        assert_eq!(writes.writes, expected);
    }

    #[test]
    fn full_buffer_is_written_out() {
        let mut writes = writes(usize::MAX);
        let mut out = BufferedOut::new(&mut writes);
        out.buffer().put(&vec![b'a'; FLUSH_BYTES - 1]);
        out.flush_full().unwrap();
        assert_eq!(out.buffer().len(), FLUSH_BYTES - 1);
        out.buffer().put(b"b");
        out.flush_full().unwrap();
        assert!(out.buffer().is_empty());
        out.finish().unwrap();
        assert_eq!(writes.writes.len(), 1);
        assert_eq!(writes.writes[0].len(), FLUSH_BYTES);
    }

    #[test]
    fn write_error_is_returned_and_nothing_is_written_after_it() {
        let mut writes = writes(1);
        let mut out = BufferedOut::new(&mut writes);
        out.write_all(&vec![b'a'; FLUSH_BYTES]).unwrap();
        out.buffer().put(b"more");
        // The second write fails, and so does every write after it...
        let error = out.write_all(&vec![b'b'; FLUSH_BYTES]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(
            out.write_all(b"c").unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
        out.buffer().put(b"d");
        // ... the writer's own error is what finish returns...
        assert_eq!(out.finish().unwrap_err().to_string(), "closed");
        // ... and nothing was written after it.
        assert_eq!(writes.writes, vec![vec![b'a'; FLUSH_BYTES]]);
    }

    #[test]
    fn error_of_a_buffer_write_waits_for_flush_full() {
        let mut writes = writes(0);
        let mut out = BufferedOut::new(&mut writes);
        out.buffer().put(&vec![b'a'; FLUSH_BYTES]);
        assert_eq!(
            out.flush_full().unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
    }

    #[test]
    fn rewind_drops_what_was_not_written_out() {
        let mut writes = writes(usize::MAX);
        let mut out = BufferedOut::new(&mut writes);
        out.buffer().put(b"kept\n");
        let mark = out.mark();
        out.buffer().put(b"{\"half\":");
        assert!(out.rewind(mark));
        let mark = out.mark();
        out.write_all(&vec![b'x'; FLUSH_BYTES]).unwrap();
        assert!(!out.rewind(mark), "part of it went out");
        out.finish().unwrap();
        assert_eq!(writes.writes[0], b"kept\n");
    }
}
