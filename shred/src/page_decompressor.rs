//! A column chunk's stored pages decompressed in about the memory of the page, without
//! the page size its header gives.
//!
//! [`crate::chunk_decoder`] takes pages as stored (the `parquet` crate's page reader told
//! the chunk is uncompressed) so that it sees a page's header before the page's values
//! take memory. Its page size then is not at hand, which the crate's codecs want for
//! BROTLI and GZIP: their `read_to_end` into a buffer without that size grows it by
//! doubling and zero-fills the spare capacity it reads into, so a page of 1 GiB would take
//! 2 GiB. [`PageDecompressor`] reads those streams in pieces and appends them, so only the
//! bytes written are resident (a buffer grown past the allocator's mmap threshold is
//! moved, not copied). SNAPPY and ZSTD give their size in the stream
//! (parquet-format `Compression.md`): the crate's codec decompresses them.

use std::io::Read;

use parquet::basic::Compression;
use parquet::compression::{Codec, CodecOptionsBuilder, create_codec};

/// Bytes decompressed at a time from a BROTLI or GZIP stream.
const PIECE: usize = 256 << 10;

/// The decompressor of one chunk's stored pages.
pub enum PageDecompressor {
    /// The crate's codec, for codecs whose stream gives the decompressed size.
    Sized(Box<dyn Codec>),
    /// BROTLI, read piece by piece.
    Brotli,
    /// GZIP (one or more members), read piece by piece.
    Gzip,
}

impl PageDecompressor {
    /// The decompressor for `compression`; `None` for UNCOMPRESSED and for codecs left to
    /// the crate's page reader (LZ4, LZ4_RAW and LZO need the page size).
    pub fn for_chunk(compression: Compression) -> parquet::errors::Result<Option<Self>> {
        Ok(match compression {
            Compression::BROTLI(_) => Some(PageDecompressor::Brotli),
            Compression::GZIP(_) => Some(PageDecompressor::Gzip),
            Compression::SNAPPY | Compression::ZSTD(_) => {
                create_codec(compression, &CodecOptionsBuilder::default().build())?
                    .map(PageDecompressor::Sized)
            }
            _ => None,
        })
    }

    /// `stored`, decompressed.
    pub fn decompress(&mut self, stored: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        match self {
            PageDecompressor::Sized(codec) => {
                codec
                    .decompress(stored, &mut out, None)
                    .map_err(std::io::Error::other)?;
            }
            PageDecompressor::Brotli => {
                read_in_pieces(brotli::Decompressor::new(stored, 4096), &mut out)?
            }
            PageDecompressor::Gzip => {
                read_in_pieces(flate2::read::MultiGzDecoder::new(stored), &mut out)?
            }
        }
        Ok(out)
    }
}

/// Appends all of `reader` to `out`, [`PIECE`] bytes at a time.
fn read_in_pieces(mut reader: impl Read, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut piece = vec![0; PIECE];
    loop {
        match reader.read(&mut piece) {
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
            let mut stored = Vec::new();
            codec.compress(&text, &mut stored).unwrap();
            let mut decompressor = PageDecompressor::for_chunk(compression).unwrap().unwrap();
            assert_eq!(
                decompressor.decompress(&stored).unwrap(),
                text,
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
        let mut decompressor = PageDecompressor::Brotli;
        assert!(decompressor.decompress(&[0xff; 64]).is_err());
    }
}
