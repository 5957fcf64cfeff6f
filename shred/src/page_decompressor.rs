//! A column chunk's stored pages decompressed in about the memory of the page, without
//! the page size its header gives.
//!
//! [`crate::chunk_decoder`] takes pages as stored (the `parquet` crate's page reader told
//! the chunk is uncompressed) so that it sees a page's header before the page's values
//! take memory. Its page size then is not at hand, which the crate's codecs want:
//! - BROTLI and GZIP through `read_to_end` into a buffer without that size grow it by
//!   doubling and zero-fill the spare capacity they read into, so a page of 1 GiB would
//!   take 2 GiB;
//! - ZSTD without it sizes its output from the first frame's optional content size (or
//!   four times the input) and fails past that.
//!
//! [`PageDecompressor`] reads those streams in pieces and appends them, so only the bytes
//! written are resident (a buffer grown past the allocator's mmap threshold is moved, not
//! copied), and a ZSTD page of several frames or without a content size decompresses
//! whole. A raw SNAPPY block starts with its length (parquet-format `Compression.md`): the
//! crate's codec decompresses it. An empty stored page (a v2 page of nulls only) is empty.

use std::io::Read;

use parquet::basic::Compression;
use parquet::compression::{Codec, CodecOptionsBuilder, create_codec};

/// Bytes decompressed at a time from a BROTLI, GZIP or ZSTD stream.
const PIECE: usize = 256 << 10;

/// The decompressor of one chunk's stored pages.
pub struct PageDecompressor {
    codec: PageCodec,
    /// What a stream is read into, piece by piece, kept from page to page.
    piece: Vec<u8>,
    /// The last page's decompressed length: the next page's buffer starts with that
    /// capacity (a chunk's pages are alike in size), so it seldom grows.
    last_len: usize,
}

/// How a chunk's pages are decompressed.
enum PageCodec {
    /// The crate's codec, for SNAPPY, whose block gives the decompressed size.
    Sized(Box<dyn Codec>),
    /// BROTLI, read piece by piece.
    Brotli,
    /// GZIP (one or more members), read piece by piece.
    Gzip,
    /// ZSTD (one or more frames), read piece by piece.
    Zstd,
}

impl PageDecompressor {
    /// The decompressor for `compression`; `None` for UNCOMPRESSED and for codecs left to
    /// the crate's page reader (LZ4, LZ4_RAW and LZO need the page size).
    pub fn for_chunk(compression: Compression) -> parquet::errors::Result<Option<Self>> {
        let codec = match compression {
            Compression::BROTLI(_) => PageCodec::Brotli,
            Compression::GZIP(_) => PageCodec::Gzip,
            Compression::ZSTD(_) => PageCodec::Zstd,
            Compression::SNAPPY => {
                match create_codec(compression, &CodecOptionsBuilder::default().build())? {
                    Some(codec) => PageCodec::Sized(codec),
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(PageDecompressor {
            codec,
            piece: Vec::new(),
            last_len: 0,
        }))
    }

    /// `stored`, decompressed.
    pub fn decompress(&mut self, stored: &[u8]) -> std::io::Result<Vec<u8>> {
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(self.last_len);
        let piece = &mut self.piece;
        match &mut self.codec {
            PageCodec::Sized(codec) => {
                codec
                    .decompress(stored, &mut out, None)
                    .map_err(std::io::Error::other)?;
            }
            PageCodec::Brotli => {
                read_in_pieces(brotli::Decompressor::new(stored, 4096), piece, &mut out)?
            }
            PageCodec::Gzip => read_in_pieces(
                flate2::bufread::MultiGzDecoder::new(stored),
                piece,
                &mut out,
            )?,
            PageCodec::Zstd => read_in_pieces(
                zstd::stream::read::Decoder::with_buffer(stored)?,
                piece,
                &mut out,
            )?,
        }
        self.last_len = out.len();
        Ok(out)
    }
}

/// Appends all of `reader` to `out`, read into `piece` ([`PIECE`] bytes) at a time. The
/// GZIP and ZSTD readers read the stored page in place (`bufread`), without a buffer of
/// their own.
fn read_in_pieces(
    mut reader: impl Read,
    piece: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    piece.resize(PIECE, 0);
    loop {
        match reader.read(piece) {
            Ok(0) => return Ok(()),
            Ok(n) => out.extend_from_slice(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::basic::{BrotliLevel, GzipLevel, ZstdLevel};

    /// Text that compresses, longer than a piece.
    fn text() -> Vec<u8> {
        (0..PIECE * 3 + 17)
            .map(|i| b"shredkit"[i % 8] ^ (i / 1000) as u8)
            .collect()
    }

    #[test]
    fn every_codec_decompresses_what_the_crate_compresses() {
        let text = text();
        let options = CodecOptionsBuilder::default().build();
        for compression in [
            Compression::SNAPPY,
            Compression::GZIP(GzipLevel::default()),
            Compression::BROTLI(BrotliLevel::default()),
            Compression::ZSTD(ZstdLevel::default()),
        ] {
            let mut codec = create_codec(compression, &options).unwrap().unwrap();
            // One decompressor for pages of a chunk: a long page, then a short one.
            let mut decompressor = PageDecompressor::for_chunk(compression).unwrap().unwrap();
            for page in [&text[..], &text[..1000]] {
                let mut stored = Vec::new();
                codec.compress(page, &mut stored).unwrap();
                assert_eq!(
                    decompressor.decompress(&stored).unwrap(),
                    page,
                    "{compression}, {} bytes",
                    page.len()
                );
            }
        }
    }

    #[test]
    fn zstd_without_a_content_size_and_of_two_frames() {
        let text = text();
        let half = text.len() / 2;
        let mut stored = Vec::new();
        for part in [&text[..half], &text[half..]] {
            // A streaming encoder does not write the frame's content size.
            let mut encoder = zstd::stream::write::Encoder::new(&mut stored, 3).unwrap();
            encoder.include_contentsize(false).unwrap();
            std::io::Write::write_all(&mut encoder, part).unwrap();
            encoder.finish().unwrap();
        }
        assert!(
            zstd::zstd_safe::get_frame_content_size(&stored)
                .unwrap()
                .is_none()
        );
        let mut decompressor = PageDecompressor::for_chunk(Compression::ZSTD(ZstdLevel::default()))
            .unwrap()
            .unwrap();
        assert_eq!(decompressor.decompress(&stored).unwrap(), text);
    }

    #[test]
    fn empty_page_is_empty() {
        for compression in [
            Compression::SNAPPY,
            Compression::GZIP(GzipLevel::default()),
            Compression::BROTLI(BrotliLevel::default()),
            Compression::ZSTD(ZstdLevel::default()),
        ] {
            let mut decompressor = PageDecompressor::for_chunk(compression).unwrap().unwrap();
            assert_eq!(
                decompressor.decompress(&[]).unwrap(),
                Vec::<u8>::new(),
                "{compression}"
            );
        }
    }

    #[test]
    fn uncompressed_and_lz4_are_left_to_the_page_reader() {
        for compression in [
            Compression::UNCOMPRESSED,
            Compression::LZ4,
            Compression::LZ4_RAW,
        ] {
            assert!(PageDecompressor::for_chunk(compression).unwrap().is_none());
        }
    }

    #[test]
    fn corrupt_brotli_is_an_error() {
        let brotli = Compression::BROTLI(BrotliLevel::default());
        let mut decompressor = PageDecompressor::for_chunk(brotli).unwrap().unwrap();
        assert!(decompressor.decompress(&[0xff; 64]).is_err());
    }
}
