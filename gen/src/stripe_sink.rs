//! The record sink that writes each generated record straight into [`ContactStripes`]: the
//! typed Dremel shredder's rules (`shred::contact`) applied as the generator draws each
//! field, without materializing contacts.
//!
//! Per record: the name's entry (r 0, [`name_def`]), then for the phone columns one entry
//! for a null or empty list, or one per item (r 0 for the first, 1 for the next), at the
//! definition level of the item's state ([`phone_def`]). Names and numbers are appended as
//! fixed-size stack buffers cut back to their length, so a push is a few moves.

use shred::Stripe;
use shred::contact::{ContactStripes, PhoneType, name_def, phone_def};
use shred::stripe::{ByteValues, Values};

use crate::generator::{NAME_BUFFER, RecordSink};
use crate::phone_number::{number_text, write_number};

/// One byte-array stripe's buffers, borrowed apart so every push is direct.
struct StripeBuffers<'a> {
    rep: &'a mut Vec<i16>,
    def: &'a mut Vec<i16>,
    values: &'a mut ByteValues,
}

impl<'a> StripeBuffers<'a> {
    fn new(stripe: &'a mut Stripe) -> Self {
        if !matches!(stripe.values, Values::ByteArray(_)) {
            stripe.values = Values::ByteArray(ByteValues::default());
        }
        let Values::ByteArray(values) = &mut stripe.values else {
            unreachable!("just made a byte-array stripe")
        };
        StripeBuffers {
            rep: &mut stripe.rep,
            def: &mut stripe.def,
            values,
        }
    }

    #[inline]
    fn null(&mut self, r: i16, d: i16) {
        self.rep.push(r);
        self.def.push(d);
    }

    /// Appends a value whose bytes are `buffer[..len]`, copying the whole fixed-size buffer
    /// (one inlined move, no `memcpy` call) and cutting it back to `len`.
    #[inline]
    fn value<const N: usize>(&mut self, r: i16, d: i16, buffer: &[u8; N], len: usize) {
        self.null(r, d);
        let data = &mut self.values.data;
        let end = data.len() + len;
        data.extend_from_slice(buffer);
        data.truncate(end);
        self.values.offsets.push(end);
    }
}

/// Phone types as fixed 8-byte, zero-padded buffers with their lengths.
fn type_bytes() -> [([u8; 8], usize); 3] {
    PhoneType::ALL.map(|t| {
        let mut buffer = [0u8; 8];
        buffer[..t.as_str().len()].copy_from_slice(t.as_str().as_bytes());
        (buffer, t.as_str().len())
    })
}

/// Writes records straight into [`ContactStripes`]: the typed Dremel shredder's rules
/// applied as the generator draws each field.
pub(crate) struct StripeSink<'a> {
    name: StripeBuffers<'a>,
    number: StripeBuffers<'a>,
    phone_type: StripeBuffers<'a>,
    type_bytes: [([u8; 8], usize); 3],
}

impl<'a> StripeSink<'a> {
    /// A sink appending to `stripes`.
    pub(crate) fn new(stripes: &'a mut ContactStripes) -> Self {
        StripeSink {
            name: StripeBuffers::new(&mut stripes.name),
            number: StripeBuffers::new(&mut stripes.number),
            phone_type: StripeBuffers::new(&mut stripes.phone_type),
            type_bytes: type_bytes(),
        }
    }
}

impl RecordSink for StripeSink<'_> {
    #[inline]
    fn name(&mut self, name: Option<(&[u8; NAME_BUFFER], usize)>) {
        match name {
            None => self.name.null(0, name_def::NULL),
            Some((text, len)) => self.name.value(0, name_def::PRESENT, text, len),
        }
    }

    #[inline]
    fn null_list(&mut self) {
        self.number.null(0, phone_def::NULL_LIST);
        self.phone_type.null(0, phone_def::NULL_LIST);
    }

    #[inline]
    fn list(&mut self, count: usize) {
        if count == 0 {
            self.number.null(0, phone_def::EMPTY_LIST);
            self.phone_type.null(0, phone_def::EMPTY_LIST);
        }
    }

    #[inline]
    fn null_item(&mut self, k: usize) {
        let r = i16::from(k > 0);
        self.number.null(r, phone_def::NULL_ITEM);
        self.phone_type.null(r, phone_def::NULL_ITEM);
    }

    #[inline]
    fn phone(&mut self, k: usize, number: Option<u64>, phone_type: Option<PhoneType>) {
        let r = i16::from(k > 0);
        match number {
            Some(id) => match number_text(id) {
                Some(text) => self.number.value(r, phone_def::PRESENT, &text, text.len()),
                None => {
                    // Ids past 10 digits (over 625M records) take the general path.
                    let mut long = String::new();
                    write_number(&mut long, id);
                    self.number.null(r, phone_def::PRESENT);
                    self.number.values.push(long.as_bytes());
                }
            },
            None => self.number.null(r, phone_def::NULL_FIELD),
        }
        match phone_type {
            Some(t) => {
                let (text, len) = self.type_bytes[t as usize];
                self.phone_type.value(r, phone_def::PRESENT, &text, len);
            }
            None => self.phone_type.null(r, phone_def::NULL_FIELD),
        }
    }
}

#[cfg(test)]
mod tests {
    use shred::contact::ContactStripes;

    use crate::phone_number::NUMBER_PREFIX;
    use crate::{Distribution, Generator};

    #[test]
    fn fill_stripes_equals_the_typed_shredder() {
        for distribution in [Distribution::default(), Distribution::all_def_states()] {
            let g = Generator::new(17, distribution);
            let mut contacts = Vec::new();
            let mut expected = ContactStripes::default();
            let mut direct = ContactStripes::default();
            for (start, count) in [(0, 3000), (999_999, 1000), (5, 0), (u64::MAX / 32, 200)] {
                g.fill(start, count, &mut contacts);
                expected.shred(&contacts);
                g.fill_stripes(start, count, &mut direct);
                assert_eq!(direct, expected, "records {start}..+{count}");
            }
        }
    }

    #[test]
    fn fill_stripes_spells_long_ids_in_full() {
        let g = Generator::new(17, Distribution::default());
        let index = 700_000_000; // id = index · 16 + k needs 11 digits
        let mut contacts = Vec::new();
        g.fill(index, 50, &mut contacts);
        let mut expected = ContactStripes::default();
        expected.shred(&contacts);
        let mut direct = ContactStripes::default();
        g.fill_stripes(index, 50, &mut direct);
        assert_eq!(direct, expected);
        let number = contacts
            .iter()
            .flat_map(|c| c.phones.iter().flatten().flatten())
            .find_map(|p| p.number.clone())
            .unwrap();
        assert_eq!(number.len(), NUMBER_PREFIX.len() + 11, "{number}");
    }
}
