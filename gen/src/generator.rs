//! The deterministic Contact generator: record `i` is a pure function of (seed, `i`,
//! distribution).
//!
//! Each record draws its random numbers from its own counter-based stream: the record's key
//! is `mix64(mix64(seed) ^ i)` and its `k`-th draw is `mix64(key + k·φ)` (SplitMix64's
//! finalizer, φ the golden-ratio increment; Steele, Lea & Flood, "Fast splittable
//! pseudorandom number generators", OOPSLA 2014). No record depends on another, so any
//! range of records can be generated on any thread or machine, in any order, and come out
//! the same: this is what makes threads, batch sizes, writer counts, `--part` slices and
//! encoders unable to change the dataset.
//!
//! Draws per record, in order: draw 0 (low 32 bits: name null?; high 32: phone count),
//! draw 1 (bits 0..12: first name, 12..24: last name, high 32: count within the "many"
//! bucket), then two draws per phone (first: low 32 field presence, high 32 phone type;
//! second: low 32 null item?). Probabilities are compared as 32-bit fixed-point thresholds.
//! Names follow [`crate::names`]; the phone number of phone `k` of record `i` is `+91-`
//! followed by the id `i · 16 + k`, zero-padded to 10 digits, so every number is unique.
//!
//! [`Generator::fill`] overwrites a batch in place: names and numbers are cleared and
//! refilled, phone lists truncated and regrown, and whatever a null takes out of a record is
//! parked in a per-thread pool to be reused by the next record that needs it, so a warm
//! batch generates without allocating.
//!
//! ```
//! use shred_gen::{DEFAULT_SEED, Distribution, Generator};
//! let g = Generator::new(DEFAULT_SEED, Distribution::default());
//! let mut batch = Vec::new();
//! g.fill(1000, 4, &mut batch);
//! assert_eq!(batch[2], g.contact(1002));
//! ```

use std::cell::RefCell;
use std::sync::LazyLock;

use shred::Stripe;
use shred::contact::{Contact, ContactStripes, Phone, PhoneType};
use shred::stripe::{ByteValues, Values};

use crate::distribution::{Distribution, DistributionError};
use crate::names::{FIRST_NAMES, LAST_NAMES, PADDED, PaddedNames, ZipfTable};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;

/// The prefix of every phone number.
pub const NUMBER_PREFIX: &str = "+91-";

/// Digits of the zero-padded phone id.
pub const NUMBER_DIGITS: usize = 10;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective 64-bit mix.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of one record.
struct RecordRng {
    state: u64,
}

impl RecordRng {
    #[inline]
    fn new(seed_key: u64, index: u64) -> Self {
        RecordRng {
            state: mix64(seed_key ^ index),
        }
    }

    #[inline]
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }
}

/// A probability as a threshold on 32 uniform bits: `bits < threshold` has that probability.
#[inline]
fn threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64
}

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

/// Strings and phone lists taken out of records by nulls, kept for the next record.
#[derive(Default)]
struct Spares {
    strings: Vec<String>,
    lists: Vec<Vec<Option<Phone>>>,
}

/// More than this many spares of a kind are dropped (a bound, never reached in steady state).
const MAX_SPARES: usize = 1 << 16;

impl Spares {
    #[inline]
    fn string(&mut self) -> String {
        self.strings.pop().unwrap_or_default()
    }
    #[inline]
    fn put_string(&mut self, s: String) {
        if self.strings.len() < MAX_SPARES {
            self.strings.push(s);
        }
    }
    #[inline]
    fn list(&mut self) -> Vec<Option<Phone>> {
        self.lists.pop().unwrap_or_default()
    }
    #[inline]
    fn put_list(&mut self, list: Vec<Option<Phone>>) {
        if self.lists.len() < MAX_SPARES {
            self.lists.push(list);
        }
    }
    #[inline]
    fn put_phone(&mut self, phone: Option<Phone>) {
        if let Some(Phone {
            number: Some(s), ..
        }) = phone
        {
            self.put_string(s);
        }
    }
}

static PADDED_FIRST: LazyLock<PaddedNames> = LazyLock::new(|| PaddedNames::new(&FIRST_NAMES));
static PADDED_LAST: LazyLock<PaddedNames> = LazyLock::new(|| PaddedNames::new(&LAST_NAMES));

thread_local! {
    static SPARES: RefCell<Spares> = RefCell::new(Spares::default());
}

/// The phone id of phone `k` of record `index` (unique over the dataset).
#[inline]
pub fn phone_id(index: u64, k: usize) -> u64 {
    index
        .wrapping_mul(u64::from(Distribution::MAX_PHONES))
        .wrapping_add(k as u64)
}

const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `+91-` and `id` zero-padded to [`NUMBER_DIGITS`] digits, built on the stack; `None`
/// when `id` needs more digits.
#[inline]
pub fn number_text(id: u64) -> Option<[u8; NUMBER_PREFIX.len() + NUMBER_DIGITS]> {
    if id >= 10_000_000_000 {
        return None;
    }
    let mut text = [0u8; NUMBER_PREFIX.len() + NUMBER_DIGITS];
    text[..NUMBER_PREFIX.len()].copy_from_slice(NUMBER_PREFIX.as_bytes());
    let digits = &mut text[NUMBER_PREFIX.len()..];
    let mut rest = id;
    for pair in (0..NUMBER_DIGITS / 2).rev() {
        let two = (rest % 100) as usize;
        rest /= 100;
        digits[pair * 2] = DIGIT_PAIRS[two * 2];
        digits[pair * 2 + 1] = DIGIT_PAIRS[two * 2 + 1];
    }
    Some(text)
}

/// Appends `+91-` and `id` zero-padded to [`NUMBER_DIGITS`] digits (more digits when `id`
/// needs them).
#[inline]
pub fn write_number(out: &mut String, id: u64) {
    match number_text(id) {
        // SAFETY: the prefix and the digits are ASCII.
        Some(text) => unsafe { append_ascii(out, &text) },
        None => {
            use std::fmt::Write;
            let _ = write!(out, "{NUMBER_PREFIX}{id}");
        }
    }
}

/// Appends ASCII bytes to a string without UTF-8 validation (`from_utf8` plus `push_str`
/// were a tenth of the generator's time; a fixed-size append compiles to a few moves).
///
/// # Safety
/// `bytes` must be ASCII (checked in debug builds only).
#[inline]
unsafe fn append_ascii(out: &mut String, bytes: &[u8]) {
    debug_assert!(bytes.is_ascii(), "append_ascii takes ASCII only");
    // SAFETY: ASCII bytes are valid UTF-8 on their own (the caller guarantees ASCII), so
    // the string stays valid UTF-8.
    unsafe { out.as_mut_vec() }.extend_from_slice(bytes);
}

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
        SPARES.with_borrow_mut(|spares| {
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
        let draw0 = rng.next();
        let draw1 = rng.next();

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
            let fields = rng.next();
            let item = rng.next();
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

/// Writes a record into a recycled [`Contact`].
struct ContactSink<'a> {
    contact: &'a mut Contact,
    spares: &'a mut Spares,
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

/// Definition levels of the phone columns (see `shred::contact`).
const DEF_NULL_LIST: i16 = 0;
const DEF_EMPTY_LIST: i16 = 1;
const DEF_NULL_ITEM: i16 = 2;
const DEF_NULL_FIELD: i16 = 3;
const DEF_PRESENT: i16 = 4;

/// Writes records straight into [`ContactStripes`]: the typed Dremel shredder's rules
/// applied as the generator draws each field.
struct StripeSink<'a> {
    name: StripeBuffers<'a>,
    number: StripeBuffers<'a>,
    phone_type: StripeBuffers<'a>,
    type_bytes: [([u8; 8], usize); 3],
}

impl<'a> StripeSink<'a> {
    fn new(stripes: &'a mut ContactStripes) -> Self {
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
            None => self.name.null(0, 0),
            Some((text, len)) => self.name.value(0, 1, text, len),
        }
    }

    #[inline]
    fn null_list(&mut self) {
        self.number.null(0, DEF_NULL_LIST);
        self.phone_type.null(0, DEF_NULL_LIST);
    }

    #[inline]
    fn list(&mut self, count: usize) {
        if count == 0 {
            self.number.null(0, DEF_EMPTY_LIST);
            self.phone_type.null(0, DEF_EMPTY_LIST);
        }
    }

    #[inline]
    fn null_item(&mut self, k: usize) {
        let r = i16::from(k > 0);
        self.number.null(r, DEF_NULL_ITEM);
        self.phone_type.null(r, DEF_NULL_ITEM);
    }

    #[inline]
    fn phone(&mut self, k: usize, number: Option<u64>, phone_type: Option<PhoneType>) {
        let r = i16::from(k > 0);
        match number {
            Some(id) => match number_text(id) {
                Some(text) => self.number.value(r, DEF_PRESENT, &text, text.len()),
                None => {
                    // Ids past 10 digits (over 625M records) take the general path.
                    let mut long = String::new();
                    write_number(&mut long, id);
                    self.number.null(r, DEF_PRESENT);
                    self.number.values.push(long.as_bytes());
                }
            },
            None => self.number.null(r, DEF_NULL_FIELD),
        }
        match phone_type {
            Some(t) => {
                let (text, len) = self.type_bytes[t as usize];
                self.phone_type.value(r, DEF_PRESENT, &text, len);
            }
            None => self.phone_type.null(r, DEF_NULL_FIELD),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_zero_padded() {
        let mut s = String::new();
        write_number(&mut s, 42);
        assert_eq!(s, "+91-0000000042");
        s.clear();
        write_number(&mut s, 9_876_543_210);
        assert_eq!(s, "+91-9876543210");
        s.clear();
        write_number(&mut s, 12_345_678_901);
        assert_eq!(s, "+91-12345678901");
    }

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

    #[test]
    fn invalid_distribution_is_an_error() {
        let d = Distribution {
            mobile: 0.9,
            ..Distribution::default()
        };
        assert!(Generator::try_new(0, d).is_err());
    }
}
