//! The RLE/bit-packing hybrid decoded: levels and dictionary ids back out of their runs.
//!
//! Parquet format, Encodings.md, "Run Length Encoding / Bit-Packing Hybrid": a run starts
//! with a ULEB128 header; `count << 1` is an RLE run, `count` times the value that follows
//! in `ceil(width / 8)` little-endian bytes; `groups << 1 | 1` is a bit-packed run of
//! `groups` groups of eight values, `width` bits each, packed LSB first. This is the
//! inverse of [`crate::rle_hybrid`]'s encoder. An RLE run is appended as one fill; a
//! bit-packed group is unpacked from a word at a time. Data that ends before the values
//! asked for is an error ([`RunsEnd`]), as is a width over 32.
//!
//! ```
//! use shred::rle_hybrid::RleHybridEncoder;
//! use shred::chunk_decoder::runs::Runs;
//! let levels: Vec<i16> = vec![0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 2];
//! let mut encoder = RleHybridEncoder::new(2);
//! encoder.put_levels(&levels);
//! let bytes = encoder.into_bytes();
//! let mut decoded: Vec<i16> = Vec::new();
//! Runs::new(&bytes, 2).unwrap().read(levels.len(), &mut decoded).unwrap();
//! assert_eq!(decoded, levels);
//! ```

/// The runs ended (or were malformed) before the values asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunsEnd;

/// A value a run can hold: a level or a dictionary id.
pub trait RunValue: Copy {
    /// The value of `bits` (at most the run's width, at most 32 bits).
    fn from_bits(bits: u32) -> Self;
}

impl RunValue for i16 {
    #[inline(always)]
    fn from_bits(bits: u32) -> Self {
        bits as i16
    }
}

impl RunValue for u32 {
    #[inline(always)]
    fn from_bits(bits: u32) -> Self {
        bits
    }
}

/// Values per bit-packed group.
const GROUP: usize = 8;

/// A reader of the runs in `data`, values of `width` bits.
pub struct Runs<'a> {
    data: &'a [u8],
    /// Offset of the next byte not yet read.
    pos: usize,
    width: usize,
    mask: u64,
    /// Values left in the current RLE run, and its value.
    repeat: usize,
    value: u32,
    /// Values left in the current bit-packed run, and the unpacked values of its current
    /// group still to hand out (`unpacked[next..]`).
    packed: usize,
    unpacked: [u32; GROUP],
    next: usize,
}

impl<'a> Runs<'a> {
    /// The runs of `data`, values of `width` bits (at most 32).
    pub fn new(data: &'a [u8], width: u8) -> Result<Self, RunsEnd> {
        if width > 32 {
            return Err(RunsEnd);
        }
        Ok(Runs {
            data,
            pos: 0,
            width: width as usize,
            mask: (1u64 << width) - 1,
            repeat: 0,
            value: 0,
            packed: 0,
            unpacked: [0; GROUP],
            next: GROUP,
        })
    }

    /// Appends the next `n` values to `out`.
    pub fn read<T: RunValue>(&mut self, mut n: usize, out: &mut Vec<T>) -> Result<(), RunsEnd> {
        out.reserve(n);
        while n > 0 {
            if self.next < GROUP {
                let take = n.min(GROUP - self.next);
                out.extend(
                    self.unpacked[self.next..self.next + take]
                        .iter()
                        .map(|&v| T::from_bits(v)),
                );
                self.next += take;
                n -= take;
            } else if self.repeat > 0 {
                let take = n.min(self.repeat);
                out.extend(std::iter::repeat_n(T::from_bits(self.value), take));
                self.repeat -= take;
                n -= take;
            } else if self.packed > 0 {
                self.unpack_group(n.min(self.packed))?;
            } else {
                self.next_run()?;
            }
        }
        Ok(())
    }

    /// Reads the next run's header (and an RLE run's value).
    fn next_run(&mut self) -> Result<(), RunsEnd> {
        let mut header: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self.data.get(self.pos).ok_or(RunsEnd)?;
            self.pos += 1;
            header |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 35 {
                return Err(RunsEnd);
            }
        }
        let count = usize::try_from(header >> 1).map_err(|_| RunsEnd)?;
        if header & 1 == 1 {
            self.packed = count.checked_mul(GROUP).ok_or(RunsEnd)?;
        } else {
            let bytes = self.width.div_ceil(8);
            let value = self.data.get(self.pos..self.pos + bytes).ok_or(RunsEnd)?;
            self.pos += bytes;
            let mut le = [0u8; 4];
            le[..bytes].copy_from_slice(value);
            self.value = (u64::from(u32::from_le_bytes(le)) & self.mask) as u32;
            self.repeat = count;
        }
        Ok(())
    }

    /// Unpacks the current bit-packed run's next group, of which `needed` values will be
    /// used: only their bits must be in the data (a last group may be cut short).
    fn unpack_group(&mut self, needed: usize) -> Result<(), RunsEnd> {
        let w = self.width;
        let available = self.data.len().saturating_sub(self.pos).min(w);
        if available * 8 < needed.min(GROUP) * w {
            return Err(RunsEnd);
        }
        // The group's `w` bytes, with room to read a whole word at any value's offset.
        let mut bytes = [0u8; 32 + 8];
        bytes[..available].copy_from_slice(&self.data[self.pos..self.pos + available]);
        for (k, slot) in self.unpacked.iter_mut().enumerate() {
            let bit = k * w;
            let word = u64::from_le_bytes(bytes[bit / 8..bit / 8 + 8].try_into().expect("8"));
            *slot = ((word >> (bit % 8)) & self.mask) as u32;
        }
        self.pos += available;
        self.packed -= GROUP;
        self.next = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rle_hybrid::RleHybridEncoder;
    use rand::{Rng, SeedableRng};

    fn round_trip(width: u8, values: &[u64]) {
        let mut encoder = RleHybridEncoder::new(width);
        encoder.put_values(values);
        let bytes = encoder.into_bytes();
        let mut runs = Runs::new(&bytes, width).unwrap();
        let mut out: Vec<u32> = Vec::new();
        // Odd batch sizes cross runs and groups.
        let mut left = values.len();
        while left > 0 {
            let n = left.min(7);
            runs.read(n, &mut out).unwrap();
            left -= n;
        }
        let expected: Vec<u32> = values.iter().map(|&v| v as u32).collect();
        assert_eq!(out, expected, "width {width}");
    }

    #[test]
    fn every_width_round_trips_through_the_encoder() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for width in 0..=32u8 {
            let max = if width == 0 { 0 } else { (1u64 << width) - 1 };
            // Random values (bit-packed runs), long repeats (RLE runs), a ragged end.
            let mut values: Vec<u64> = (0..301).map(|_| rng.random_range(0..=max)).collect();
            values.extend(std::iter::repeat_n(max, 40));
            values.extend((0..13).map(|i| i % (max + 1)));
            round_trip(width, &values);
        }
    }

    #[test]
    fn levels_come_out_as_i16() {
        let levels: Vec<i16> = [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1].to_vec();
        let mut encoder = RleHybridEncoder::new(2);
        encoder.put_levels(&levels);
        let bytes = encoder.into_bytes();
        let mut out: Vec<i16> = Vec::new();
        Runs::new(&bytes, 2)
            .unwrap()
            .read(levels.len(), &mut out)
            .unwrap();
        assert_eq!(out, levels);
    }

    #[test]
    fn data_ending_early_is_an_error() {
        // An RLE run of 4 ones (width 1), then nothing.
        let bytes = [4 << 1, 1];
        let mut out: Vec<u32> = Vec::new();
        let mut runs = Runs::new(&bytes, 1).unwrap();
        assert_eq!(runs.read(4, &mut out), Ok(()));
        assert_eq!(runs.read(1, &mut out), Err(RunsEnd));
        // A bit-packed run of one group of width 8 whose bytes are cut after 3 values.
        let bytes = [1 << 1 | 1, 10, 11, 12];
        let mut runs = Runs::new(&bytes, 8).unwrap();
        let mut out: Vec<u32> = Vec::new();
        assert_eq!(runs.read(3, &mut out), Ok(()));
        assert_eq!(out, vec![10, 11, 12]);
        let mut runs = Runs::new(&bytes, 8).unwrap();
        assert_eq!(runs.read(4, &mut out), Err(RunsEnd));
        assert!(Runs::new(&bytes, 33).is_err());
    }
}
