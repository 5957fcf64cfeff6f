//! The deterministic Contact generator: record `i` is a pure function of (seed, `i`,
//! distribution).
//!
//! Each record draws its random numbers from its own counter-based stream
//! ([`crate::rng`]: SplitMix64 keyed by the seed and the record index). No record depends
//! on another, so any range of records can be generated on any thread or machine, in any
//! order, and come out the same: this is what makes threads, batch sizes, writer counts,
//! `--part` slices and encoders unable to change the dataset.
//!
//! Draws per record, in order: draw 0 (low 32 bits: name null?; high 32: phone count),
//! draw 1 (bits 0..12: first name, 12..24: last name, high 32: count within the "many"
//! bucket), then two draws per phone (first: low 32 field presence, high 32 phone type;
//! second: low 32 null item?). Probabilities are compared as 32-bit fixed-point thresholds.
//! Names follow [`crate::names`]; the phone number of phone `k` of record `i` is `+91-`
//! followed by the id `i · 16 + k`, zero-padded to 10 digits ([`crate::phone_number`]), so
//! every number is unique.
//!
//! `Generator::generate` hands a record's fields, in field order, to a `RecordSink`:
//! [`Generator::fill`] overwrites a batch of contacts in place (`contact_sink`), parking
//! whatever a null takes out of a record in a per-thread pool (`spares`) so a warm batch
//! generates without allocating; [`Generator::fill_stripes`] writes the stripes directly
//! (`stripe_sink`).
//!
//! ```
//! use shred_gen::{DEFAULT_SEED, Distribution, Generator};
//! let g = Generator::new(DEFAULT_SEED, Distribution::default());
//! let mut batch = Vec::new();
//! g.fill(1000, 4, &mut batch);
//! assert_eq!(batch[2], g.contact(1002));
//! ```

use std::sync::LazyLock;

use shred::contact::{Contact, ContactStripes, PhoneType};

use crate::contact_sink::ContactSink;
use crate::distribution::{Distribution, DistributionError};
use crate::names::{FIRST_NAMES, LAST_NAMES, PADDED, PaddedNames, ZipfTable};
use crate::phone_number::phone_id;
use crate::rng::{RecordRng, mix64, threshold};
use crate::spares::Spares;
use crate::stripe_sink::StripeSink;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;

/// The distribution compiled into cumulative 32-bit thresholds.
#[derive(Debug, Clone, Copy)]
struct Thresholds {
    name_null: u64,
    phones_null: u64,
    phones_empty: u64,
    phones_one: u64,
    phones_two: u64,
    many_min: u64,
    many_span: u64,
    item_null: u64,
    both: u64,
    number_only: u64,
    type_only: u64,
    mobile: u64,
    work: u64,
}

impl Thresholds {
    fn new(d: &Distribution) -> Self {
        let phones_null = d.phones_null;
        let phones_empty = phones_null + d.phones_empty;
        let phones_one = phones_empty + d.phones_one;
        let phones_two = phones_one + d.phones_two;
        let both = d.both_present;
        let number_only = both + d.number_only;
        let type_only = number_only + d.type_only;
        Thresholds {
            name_null: threshold(d.name_null),
            phones_null: threshold(phones_null),
            phones_empty: threshold(phones_empty),
            phones_one: threshold(phones_one),
            phones_two: threshold(phones_two),
            many_min: u64::from(d.many_min),
            many_span: u64::from(d.many_max - d.many_min) + 1,
            item_null: threshold(d.item_null),
            both: threshold(both),
            number_only: threshold(number_only),
            type_only: threshold(type_only),
            mobile: threshold(d.mobile),
            work: threshold(d.mobile + d.work),
        }
    }
}

static PADDED_FIRST: LazyLock<PaddedNames> = LazyLock::new(|| PaddedNames::new(&FIRST_NAMES));
static PADDED_LAST: LazyLock<PaddedNames> = LazyLock::new(|| PaddedNames::new(&LAST_NAMES));

/// The deterministic Contact generator (see the module docs for the exact recipe).
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    seed_key: u64,
    distribution: Distribution,
    thresholds: Thresholds,
    first_names: ZipfTable,
    last_names: ZipfTable,
}

impl Generator {
    /// A generator for `seed` and `distribution`.
    ///
    /// # Panics
    /// When `distribution` is invalid ([`Distribution::validate`]); use
    /// [`Generator::try_new`] for input from users.
    pub fn new(seed: u64, distribution: Distribution) -> Self {
        match Self::try_new(seed, distribution) {
            Ok(g) => g,
            Err(e) => panic!("invalid distribution: {e}"),
        }
    }

    /// A generator for `seed` and `distribution`, or why the distribution is invalid.
    pub fn try_new(seed: u64, distribution: Distribution) -> Result<Self, DistributionError> {
        distribution.validate()?;
        Ok(Generator {
            seed,
            seed_key: mix64(seed),
            distribution,
            thresholds: Thresholds::new(&distribution),
            first_names: ZipfTable::new(FIRST_NAMES.len()),
            last_names: ZipfTable::new(LAST_NAMES.len()),
        })
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The distribution.
    pub fn distribution(&self) -> &Distribution {
        &self.distribution
    }

    /// Record `index` of the dataset: a pure function of (seed, index, distribution).
    pub fn contact(&self, index: u64) -> Contact {
        let mut contact = Contact::default();
        let mut spares = Spares::default();
        self.fill_one(&mut contact, index, &mut spares);
        contact
    }

    /// Overwrites `batch` with records `[start, start + count)`, reusing its allocations.
    pub fn fill(&self, start: u64, count: usize, batch: &mut Vec<Contact>) {
        Spares::with_thread_pool(|spares| {
            while batch.len() > count {
                if let Some(contact) = batch.pop() {
                    if let Some(name) = contact.name {
                        spares.put_string(name);
                    }
                    if let Some(list) = contact.phones {
                        spares.put_list(list);
                    }
                }
            }
            batch.resize_with(count, Contact::default);
            for (offset, contact) in batch.iter_mut().enumerate() {
                self.fill_one(contact, start + offset as u64, spares);
            }
        });
    }

    /// Records `[start, end)` as an iterator (each record freshly allocated).
    pub fn contacts(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = Contact> + '_ {
        range.map(|index| self.contact(index))
    }

    /// Overwrites `stripes` with the stripes of records `[start, start + count)`: the same
    /// levels and values as `ContactStripes::shred` of [`Generator::fill`]'s records, written
    /// straight from the generator without materializing contacts (the `dremel` encoder's
    /// fast path; equality with the typed shredder is tested).
    pub fn fill_stripes(&self, start: u64, count: usize, stripes: &mut ContactStripes) {
        stripes.clear();
        let mut sink = StripeSink::new(stripes);
        for offset in 0..count as u64 {
            self.generate(start + offset, &mut sink);
        }
    }

    #[inline]
    fn fill_one(&self, contact: &mut Contact, index: u64, spares: &mut Spares) {
        self.generate(index, &mut ContactSink { contact, spares });
    }

    /// Draws record `index` and hands its fields to `sink`, in field order.
    #[inline]
    pub(crate) fn generate<S: RecordSink>(&self, index: u64, sink: &mut S) {
        let t = &self.thresholds;
        let mut rng = RecordRng::new(self.seed_key, index);
        let draw0 = rng.draw();
        let draw1 = rng.draw();

        if (draw0 & 0xFFFF_FFFF) < t.name_null {
            sink.name(None);
        } else {
            let first = self.first_names.pick(draw1);
            let last = self.last_names.pick(draw1 >> 12);
            // "First Last" assembled from fixed 16-byte copies on the stack.
            let mut text = [0u8; NAME_BUFFER];
            let first_len = PADDED_FIRST.len[first];
            text[..PADDED].copy_from_slice(&PADDED_FIRST.bytes[first]);
            text[first_len] = b' ';
            text[first_len + 1..first_len + 1 + PADDED].copy_from_slice(&PADDED_LAST.bytes[last]);
            sink.name(Some((&text, first_len + 1 + PADDED_LAST.len[last])));
        }

        let count_bits = draw0 >> 32;
        let count = if count_bits < t.phones_null {
            sink.null_list();
            return;
        } else if count_bits < t.phones_empty {
            0
        } else if count_bits < t.phones_one {
            1
        } else if count_bits < t.phones_two {
            2
        } else {
            (t.many_min + (((draw1 >> 32) * t.many_span) >> 32)) as usize
        };
        sink.list(count);
        for k in 0..count {
            let fields = rng.draw();
            let item = rng.draw();
            if (item & 0xFFFF_FFFF) < t.item_null {
                sink.null_item(k);
                continue;
            }
            let presence = fields & 0xFFFF_FFFF;
            let (has_number, has_type) = if presence < t.both {
                (true, true)
            } else if presence < t.number_only {
                (true, false)
            } else if presence < t.type_only {
                (false, true)
            } else {
                (false, false)
            };
            let phone_type = has_type.then(|| {
                let type_bits = fields >> 32;
                if type_bits < t.mobile {
                    PhoneType::Mobile
                } else if type_bits < t.work {
                    PhoneType::Work
                } else {
                    PhoneType::Home
                }
            });
            sink.phone(k, has_number.then(|| phone_id(index, k)), phone_type);
        }
    }
}

/// Size of the stack buffer a name is assembled in (two padded slots and the space).
pub(crate) const NAME_BUFFER: usize = 2 * PADDED + 1;

/// Where [`Generator::generate`] puts one record's fields, in field order: the name, then
/// either `null_list` or `list(count)` followed by `null_item` or `phone` for each item.
pub(crate) trait RecordSink {
    /// The name: `(buffer, len)` holds it in `buffer[..len]`, ASCII; `None` is null.
    fn name(&mut self, name: Option<(&[u8; NAME_BUFFER], usize)>);
    /// A null phone list.
    fn null_list(&mut self);
    /// A phone list of `count` items (0: an empty list).
    fn list(&mut self, count: usize);
    /// Item `k` is null.
    fn null_item(&mut self, k: usize);
    /// Item `k`: the phone id of its number (if any) and its type (if any).
    fn phone(&mut self, k: usize, number: Option<u64>, phone_type: Option<PhoneType>);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone_number::write_number;

    #[test]
    fn contact_is_a_function_of_seed_and_index() {
        let g = Generator::new(7, Distribution::default());
        let h = Generator::new(7, Distribution::default());
        for i in [0, 1, 2, 1_000_000, u64::MAX / 16] {
            assert_eq!(g.contact(i), h.contact(i));
        }
        let other = Generator::new(8, Distribution::default());
        let differ = (0..100)
            .filter(|&i| g.contact(i) != other.contact(i))
            .count();
        assert!(
            differ > 50,
            "seeds 7 and 8 agree on {} of 100",
            100 - differ
        );
    }

    #[test]
    fn numbers_are_unique_and_name_the_record() {
        let g = Generator::new(1, Distribution::default());
        let mut seen = std::collections::HashSet::new();
        for i in 0..2000 {
            for (k, phone) in g.contact(i).phones.into_iter().flatten().enumerate() {
                if let Some(number) = phone.and_then(|p| p.number) {
                    let mut expected = String::new();
                    write_number(&mut expected, phone_id(i, k));
                    assert_eq!(number, expected);
                    assert!(seen.insert(number));
                }
            }
        }
        assert!(seen.len() > 1000);
    }

    #[test]
    fn default_never_gives_empty_lists_or_null_items() {
        let g = Generator::new(3, Distribution::default());
        for c in g.contacts(0..20_000) {
            if let Some(phones) = c.phones {
                assert!(!phones.is_empty());
                assert!(phones.iter().all(Option::is_some));
                assert!((1..=5).contains(&phones.len()));
            }
        }
    }

    #[test]
    fn names_are_a_first_and_a_last_name() {
        let g = Generator::new(4, Distribution::default());
        let mut firsts = std::collections::HashSet::new();
        for name in g.contacts(0..5_000).filter_map(|c| c.name) {
            let (first, last) = name.split_once(' ').expect("First Last");
            assert!(FIRST_NAMES.contains(&first), "{name:?}");
            assert!(LAST_NAMES.contains(&last), "{name:?}");
            firsts.insert(first.to_string());
        }
        assert!(firsts.len() > 100, "only {} first names", firsts.len());
    }

    #[test]
    fn invalid_distribution_is_an_error() {
        let d = Distribution {
            mobile: 0.9,
            ..Distribution::default()
        };
        assert!(Generator::try_new(0, d).is_err());
    }
}
