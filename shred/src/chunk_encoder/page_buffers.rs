//! The page buffer pool: emptied page buffers kept for the next pages.
//!
//! A page is up to a megabyte (`data_page_size_limit`), and fresh memory costs a page fault
//! every 4 KiB: the encoder assembles, compresses and writes each page in a buffer taken
//! from here, and puts it back once the page's bytes are in the chunk's sink.

/// Emptied page buffers for the next pages.
#[derive(Default)]
pub(super) struct PageBuffers {
    spare: Vec<Vec<u8>>,
}

impl PageBuffers {
    /// At most this many are kept (a chunk has only a few pages in flight at once).
    const MAX: usize = 8;

    /// An empty buffer, reused when one is spare.
    pub(super) fn take(&mut self) -> Vec<u8> {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf
    }

    /// Keeps a page's buffer for a later page.
    pub(super) fn put(&mut self, buf: Vec<u8>) {
        if self.spare.len() < Self::MAX {
            self.spare.push(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_gives_back_a_kept_buffer_emptied() {
        let mut buffers = PageBuffers::default();
        let mut buf = Vec::with_capacity(1000);
        buf.extend_from_slice(b"page");
        let at = buf.as_ptr();
        buffers.put(buf);
        let again = buffers.take();
        assert!(again.is_empty());
        assert_eq!((again.as_ptr(), again.capacity()), (at, 1000));
        assert_eq!(buffers.take().capacity(), 0, "none spare: a new buffer");
    }

    #[test]
    fn keeps_at_most_max_buffers() {
        let mut buffers = PageBuffers::default();
        for _ in 0..PageBuffers::MAX + 3 {
            buffers.put(Vec::with_capacity(16));
        }
        assert_eq!(buffers.spare.len(), PageBuffers::MAX);
    }
}
