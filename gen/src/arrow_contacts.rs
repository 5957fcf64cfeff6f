//! Generated contacts straight into Arrow builders: the `arrow` encoder's first step.
//!
//! [`generate_batch`] draws records `[start, start + count)` through the generator's
//! `RecordSink` into a [`ContactArrays`] (the Arrow side of the Contact dataset lives in
//! [`shred::contact_arrow`]), with no `Contact` in between; the batch equals
//! [`ContactArrays::build`] of the same generated contacts (tested).
//!
//! ```
//! use shred::contact_arrow::{ContactArrays, contacts_from_batch};
//! use shred_gen::arrow_contacts::generate_batch;
//! use shred_gen::{Distribution, Generator};
//! let g = Generator::new(1, Distribution::all_def_states());
//! let batch = generate_batch(&mut ContactArrays::default(), &g, 0, 50);
//! let contacts: Vec<_> = g.contacts(0..50).collect();
//! assert_eq!(contacts_from_batch(&batch).unwrap(), contacts);
//! ```

use arrow::array::RecordBatch;
use shred::contact::PhoneType;
use shred::contact_arrow::ContactArrays;

use crate::generator::{Generator, NAME_BUFFER, RecordSink};
use crate::phone_number::{number_text, write_number};

/// Writes generated records straight into the Arrow builders.
struct ArrowSink<'a> {
    arrays: &'a mut ContactArrays,
}

impl RecordSink for ArrowSink<'_> {
    #[inline]
    fn name(&mut self, name: Option<(&[u8; NAME_BUFFER], usize)>) {
        match name {
            // The generator's names are ASCII, hence valid UTF-8.
            Some((text, len)) => match std::str::from_utf8(&text[..len]) {
                Ok(name) => self.arrays.append_name(Some(name)),
                Err(_) => unreachable!("generated names are ASCII"),
            },
            None => self.arrays.append_name(None),
        }
    }

    #[inline]
    fn null_list(&mut self) {
        self.arrays.append_null_list();
    }

    #[inline]
    fn list(&mut self, count: usize) {
        self.arrays.append_list(count);
    }

    #[inline]
    fn null_item(&mut self, _k: usize) {
        self.arrays.append_null_item();
    }

    #[inline]
    fn phone(&mut self, _k: usize, number: Option<u64>, phone_type: Option<PhoneType>) {
        let Some(id) = number else {
            self.arrays.append_phone(None, phone_type);
            return;
        };
        match number_text(id) {
            Some(text) => match std::str::from_utf8(&text) {
                Ok(text) => self.arrays.append_phone(Some(text), phone_type),
                Err(_) => unreachable!("phone numbers are ASCII"),
            },
            None => {
                let mut long = String::new();
                write_number(&mut long, id);
                self.arrays.append_phone(Some(&long), phone_type);
            }
        }
    }
}

/// Records `[start, start + count)` of `generator` as a record batch, written straight into
/// `arrays` (no `Contact` in between; equal to [`ContactArrays::build`] of the same records).
pub fn generate_batch(
    arrays: &mut ContactArrays,
    generator: &Generator,
    start: u64,
    count: usize,
) -> RecordBatch {
    let mut sink = ArrowSink { arrays };
    for offset in 0..count as u64 {
        generator.generate(start + offset, &mut sink);
    }
    arrays.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::contact_arrow::contacts_from_batch;

    use crate::Distribution;

    #[test]
    fn generated_batches_equal_built_batches() {
        for distribution in [Distribution::default(), Distribution::all_def_states()] {
            let g = Generator::new(21, distribution);
            let mut built = ContactArrays::default();
            let mut direct = ContactArrays::default();
            for (start, count) in [(0u64, 2000usize), (123_456, 700), (7, 0), (700_000_000, 64)] {
                let contacts: Vec<_> = g.contacts(start..start + count as u64).collect();
                assert_eq!(
                    generate_batch(&mut direct, &g, start, count),
                    built.build(&contacts)
                );
            }
        }
    }

    #[test]
    fn builder_is_reusable_across_generated_batches() {
        let g = Generator::new(9, Distribution::all_def_states());
        let mut arrays = ContactArrays::default();
        for start in [0u64, 1000, 5] {
            let contacts: Vec<_> = g.contacts(start..start + 300).collect();
            let batch = arrays.build(&contacts);
            assert_eq!(batch.num_rows(), 300);
            assert_eq!(contacts_from_batch(&batch).unwrap(), contacts);
        }
    }
}
