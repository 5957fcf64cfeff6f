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
//! [`crate::buffered_out::BufferedOut`] puts such a buffer in front of a writer.
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

    /// Forgets the contents after the first `len` bytes.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
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
}
