//! The record sink that writes each generated record into a recycled [`Contact`].
//!
//! [`crate::Generator::fill`] hands every record of a batch to a [`ContactSink`] over the
//! batch's previous contact: fields are overwritten in place, and whatever a null takes
//! out of the record goes to the thread's [`Spares`] for the next record that needs it.

use shred::contact::{Contact, Phone, PhoneType};

use crate::generator::{NAME_BUFFER, RecordSink};
use crate::phone_number::{append_ascii, write_number};
use crate::spares::Spares;

/// Writes a record into a recycled [`Contact`].
pub(crate) struct ContactSink<'a> {
    /// The record to overwrite.
    pub(crate) contact: &'a mut Contact,
    /// Where taken-out strings and lists go, and come back from.
    pub(crate) spares: &'a mut Spares,
}

impl ContactSink<'_> {
    #[inline]
    fn slot(&mut self, k: usize) -> &mut Option<Phone> {
        &mut self
            .contact
            .phones
            .as_mut()
            .expect("list() comes before its items")[k]
    }
}

impl RecordSink for ContactSink<'_> {
    #[inline]
    fn name(&mut self, name: Option<(&[u8; NAME_BUFFER], usize)>) {
        match name {
            None => {
                if let Some(old) = self.contact.name.take() {
                    self.spares.put_string(old);
                }
            }
            Some((text, len)) => {
                let spares = &mut *self.spares;
                let out = self.contact.name.get_or_insert_with(|| spares.string());
                out.clear();
                // SAFETY: `PaddedNames::new` checked every name is ASCII; the space is too.
                unsafe { append_ascii(out, &text[..len]) };
            }
        }
    }

    #[inline]
    fn null_list(&mut self) {
        if let Some(list) = self.contact.phones.take() {
            self.spares.put_list(list);
        }
    }

    #[inline]
    fn list(&mut self, count: usize) {
        let spares = &mut *self.spares;
        let list = self.contact.phones.get_or_insert_with(|| spares.list());
        while list.len() > count {
            let phone = list.pop().flatten();
            spares.put_phone(phone);
        }
        list.resize_with(count, || None);
    }

    #[inline]
    fn null_item(&mut self, k: usize) {
        let phone = self.slot(k).take();
        self.spares.put_phone(phone);
    }

    #[inline]
    fn phone(&mut self, k: usize, number: Option<u64>, phone_type: Option<PhoneType>) {
        let ContactSink { contact, spares } = self;
        let phones = contact
            .phones
            .as_mut()
            .expect("list() comes before its items");
        let phone = phones[k].get_or_insert_with(Phone::default);
        match number {
            Some(id) => {
                let out = phone.number.get_or_insert_with(|| spares.string());
                out.clear();
                write_number(out, id);
            }
            None => {
                if let Some(old) = phone.number.take() {
                    spares.put_string(old);
                }
            }
        }
        phone.phone_type = phone_type;
    }
}

#[cfg(test)]
mod tests {
    use crate::{DEFAULT_SEED, Distribution, Generator};

    #[test]
    fn fill_equals_contact_whatever_the_batch_held_before() {
        let g = Generator::new(DEFAULT_SEED, Distribution::all_def_states());
        let mut batch = Vec::new();
        // Reuse the same batch over different ranges and sizes: stale contents must not leak.
        for (start, count) in [(0, 500), (10_000, 300), (77, 700), (5, 0), (123_456, 64)] {
            g.fill(start, count, &mut batch);
            assert_eq!(batch.len(), count);
            for (offset, contact) in batch.iter().enumerate() {
                assert_eq!(
                    *contact,
                    g.contact(start + offset as u64),
                    "record {}",
                    start + offset as u64
                );
            }
        }
    }
}
