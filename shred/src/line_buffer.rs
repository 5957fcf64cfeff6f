//! An output buffer for many short pieces: copies of up to 128 bytes without a `memcpy` call.
//!
//! `levels --format json` appends four or five pieces of 3 to 70 bytes per entry. Through
//! `Vec::extend_from_slice` each is a call to the C library's `memcpy`, which profiling
//! showed as a fifth of the command's time. [`LineBuffer::put`] copies a piece of `n`
//! bytes with fixed-size, overlapping moves (the first and last 32, 16, 8, 4 or 2 bytes,
//! the technique of `memcpy` implementations for small sizes), which the compiler emits
//! inline; longer pieces use `copy_from_slice`. The buffer's bytes are always
//! initialised (it grows with `resize`), so this needs no `unsafe`.
//!
//! [`BufferedOut`] puts such a buffer in front of a writer: written out in large writes,
//! with long pieces (a string of a gigabyte) going to the writer directly.
//!
//! ```
//! use shred::line_buffer::LineBuffer;
//! let mut b = LineBuffer::default();
//! b.put(b"{\"a\":");
//! b.put(b"1}\n");
//! assert_eq!(b.as_bytes(), b"{\"a\":1}\n");
//! ```

use std::io;

/// A growable byte buffer with inline small copies.
#[derive(Debug, Clone)]
pub struct LineBuffer {
    buf: Vec<u8>,
    len: usize,
}

impl Default for LineBuffer {
    fn default() -> Self {
        LineBuffer::with_capacity(4096)
    }
}

/// Copies `W` bytes of `src` at `from` into `dst` at `from`, as one fixed-size move.
#[inline(always)]
fn copy_word<const W: usize>(dst: &mut [u8], src: &[u8], from: usize) {
    let d: &mut [u8; W] = (&mut dst[from..from + W]).try_into().expect("W bytes");
    let s: &[u8; W] = src[from..from + W].try_into().expect("W bytes");
    *d = *s;
}

/// Copies `src` into `dst` (same length) with fixed-size moves: the first and the last
/// `W` bytes, overlapping in the middle.
#[inline(always)]
fn copy_small(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    match n {
        0 => {}
        1 => dst[0] = src[0],
        2..=3 => {
            copy_word::<2>(dst, src, 0);
            copy_word::<2>(dst, src, n - 2);
        }
        4..=7 => {
            copy_word::<4>(dst, src, 0);
            copy_word::<4>(dst, src, n - 4);
        }
        8..=15 => {
            copy_word::<8>(dst, src, 0);
            copy_word::<8>(dst, src, n - 8);
        }
        16..=31 => {
            copy_word::<16>(dst, src, 0);
            copy_word::<16>(dst, src, n - 16);
        }
        32..=63 => {
            copy_word::<32>(dst, src, 0);
            copy_word::<32>(dst, src, n - 32);
        }
        64..=128 => {
            copy_word::<64>(dst, src, 0);
            copy_word::<64>(dst, src, n - 64);
        }
        _ => dst.copy_from_slice(src),
    }
}

impl LineBuffer {
    /// An empty buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        LineBuffer {
            buf: vec![0; capacity.max(64)],
            len: 0,
        }
    }

    /// Appends `piece`.
    #[inline(always)]
    pub fn put(&mut self, piece: &[u8]) {
        let end = self.len + piece.len();
        if end > self.buf.len() {
            self.grow(end);
        }
        copy_small(&mut self.buf[self.len..end], piece);
        self.len = end;
    }

    #[cold]
    fn grow(&mut self, needed: usize) {
        let size = needed.max(self.buf.len() * 2);
        self.buf.resize(size, 0);
    }

    /// The bytes appended since the last [`LineBuffer::clear`].
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Number of bytes appended.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the contents, keeping the memory.
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl io::Write for LineBuffer {
    fn write(&mut self, piece: &[u8]) -> io::Result<usize> {
        self.put(piece);
        Ok(piece.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Bytes a [`BufferedOut`] collects before writing them out; a piece at least this long
/// goes out directly.
pub const FLUSH_BYTES: usize = 1 << 20;

/// Text on its way to a writer: pieces collect in a [`LineBuffer`] that is written out in
/// writes of about [`FLUSH_BYTES`], and a long piece goes out directly instead of being
/// copied into the buffer (a JSON string of a gigabyte streams through). Code that
/// appends to the buffer has nothing to handle: the first write error is kept and
/// returned by [`BufferedOut::flush_full`] and [`BufferedOut::finish`].
pub struct BufferedOut<'w> {
    buffer: LineBuffer,
    out: &'w mut dyn io::Write,
    error: Option<io::Error>,
}

impl<'w> BufferedOut<'w> {
    /// Text for `out`.
    pub fn new(out: &'w mut dyn io::Write) -> Self {
        BufferedOut {
            buffer: LineBuffer::with_capacity(FLUSH_BYTES + 4096),
            out,
            error: None,
        }
    }

    /// The buffer to append short pieces to.
    #[inline]
    pub fn buffer(&mut self) -> &mut LineBuffer {
        &mut self.buffer
    }

    /// Writes the buffer out, then lets `write` write to the output directly.
    pub fn direct(&mut self, write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) {
        if self.error.is_none() {
            let result = self.write_buffer().and_then(|()| write(&mut *self.out));
            self.error = result.err();
        }
    }

    /// Writes the buffer out when it holds [`FLUSH_BYTES`] or more; returns the first
    /// write error so far.
    pub fn flush_full(&mut self) -> io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if self.buffer.len() >= FLUSH_BYTES {
            self.write_buffer()?;
        }
        Ok(())
    }

    /// Writes out what is left; returns the first write error.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.write_buffer()
    }

    fn write_buffer(&mut self) -> io::Result<()> {
        self.out.write_all(self.buffer.as_bytes())?;
        self.buffer.clear();
        Ok(())
    }
}

impl io::Write for BufferedOut<'_> {
    /// Appends `piece`, or writes it out directly when it is [`FLUSH_BYTES`] or longer
    /// (`serde_json` prints a long string in the pieces between its escapes).
    fn write(&mut self, piece: &[u8]) -> io::Result<usize> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if piece.len() >= FLUSH_BYTES {
            self.write_buffer()?;
            self.out.write_all(piece)?;
        } else {
            self.buffer.put(piece);
            self.flush_full()?;
        }
        Ok(piece.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_piece_length_copies_exactly() {
        let source: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        let mut b = LineBuffer::with_capacity(10);
        let mut expected = Vec::new();
        for n in 0..source.len() {
            b.put(&source[..n]);
            expected.extend_from_slice(&source[..n]);
        }
        assert_eq!(b.as_bytes(), expected.as_slice());
        b.clear();
        assert!(b.is_empty());
    }

    /// A writer that records each write it is given, or fails every write.
    struct Writes {
        writes: Vec<Vec<u8>>,
        fail: bool,
    }

    impl io::Write for Writes {
        fn write(&mut self, piece: &[u8]) -> io::Result<usize> {
            if self.fail {
                return Err(io::Error::other("disk full"));
            }
            self.writes.push(piece.to_vec());
            Ok(piece.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn long_piece_goes_out_directly_after_the_buffer() {
        let mut writes = Writes {
            writes: Vec::new(),
            fail: false,
        };
        let long = vec![b'x'; FLUSH_BYTES];
        let mut out = BufferedOut::new(&mut writes);
        out.buffer().put(b"{\"s\":\"");
        out.direct(|w| w.write_all(&long));
        io::Write::write_all(&mut out, b"\"}").unwrap();
        io::Write::write_all(&mut out, &long).unwrap();
        out.finish().unwrap();
        let expected: Vec<Vec<u8>> =
            vec![b"{\"s\":\"".to_vec(), long.clone(), b"\"}".to_vec(), long];
        assert_eq!(writes.writes, expected);
    }

    #[test]
    fn full_buffer_is_written_out() {
        let mut writes = Writes {
            writes: Vec::new(),
            fail: false,
        };
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
    fn write_error_is_kept_until_asked_for() {
        let mut writes = Writes {
            writes: Vec::new(),
            fail: true,
        };
        let mut out = BufferedOut::new(&mut writes);
        out.direct(|w| w.write_all(b"long"));
        out.buffer().put(b"more");
        assert_eq!(out.flush_full().unwrap_err().to_string(), "disk full");
    }
}
