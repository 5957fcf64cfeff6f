//! The generated dataset follows its distribution: every rate of `Distribution` measured on
//! 1M records lands within a tolerance of several standard errors.

use shred::contact::PhoneType;
use shred_gen::{DEFAULT_SEED, Distribution, Generator};

const RECORDS: u64 = 1_000_000;

#[derive(Default)]
struct Counts {
    records: u64,
    name_null: u64,
    phones_null: u64,
    phones_empty: u64,
    by_count: [u64; 17],
    items: u64,
    item_null: u64,
    both: u64,
    number_only: u64,
    type_only: u64,
    neither: u64,
    typed: u64,
    mobile: u64,
    work: u64,
    home: u64,
}

fn count(distribution: Distribution) -> Counts {
    let generator = Generator::new(DEFAULT_SEED, distribution);
    let mut c = Counts::default();
    let mut batch = Vec::new();
    for start in (0..RECORDS).step_by(8192) {
        let n = (RECORDS - start).min(8192) as usize;
        generator.fill(start, n, &mut batch);
        for contact in &batch {
            c.records += 1;
            c.name_null += u64::from(contact.name.is_none());
            let Some(phones) = &contact.phones else {
                c.phones_null += 1;
                continue;
            };
            c.phones_empty += u64::from(phones.is_empty());
            c.by_count[phones.len()] += 1;
            for phone in phones {
                c.items += 1;
                let Some(phone) = phone else {
                    c.item_null += 1;
                    continue;
                };
                match (phone.number.is_some(), phone.phone_type) {
                    (true, Some(_)) => c.both += 1,
                    (true, None) => c.number_only += 1,
                    (false, Some(_)) => c.type_only += 1,
                    (false, None) => c.neither += 1,
                }
                if let Some(t) = phone.phone_type {
                    c.typed += 1;
                    match t {
                        PhoneType::Mobile => c.mobile += 1,
                        PhoneType::Work => c.work += 1,
                        PhoneType::Home => c.home += 1,
                    }
                }
            }
        }
    }
    c
}

/// `hits / total` is within 6 standard errors (and 0.001) of `p`.
fn assert_rate(what: &str, hits: u64, total: u64, p: f64) {
    let observed = hits as f64 / total as f64;
    let tolerance = 6.0 * (p * (1.0 - p) / total as f64).sqrt() + 0.001;
    assert!(
        (observed - p).abs() <= tolerance,
        "{what}: observed {observed:.5} over {total}, expected {p} ± {tolerance:.5}"
    );
}

#[test]
fn default_rates_hold_on_a_million_records() {
    let d = Distribution::default();
    let c = count(d);
    assert_eq!(c.records, RECORDS);
    assert_rate("name null", c.name_null, c.records, d.name_null);
    assert_rate("null phone list", c.phones_null, c.records, d.phones_null);
    assert_eq!(c.phones_empty, 0, "the default has no empty lists");
    assert_eq!(c.item_null, 0, "the default has no null items");
    assert_rate("1 phone", c.by_count[1], c.records, d.phones_one);
    assert_rate("2 phones", c.by_count[2], c.records, d.phones_two);
    let many: u64 = c.by_count[3..=5].iter().sum();
    assert_rate("3..=5 phones", many, c.records, d.phones_many);
    for k in 3..=5 {
        assert_rate(
            &format!("{k} phones within 3..=5"),
            c.by_count[k],
            many,
            1.0 / 3.0,
        );
    }
    assert!(
        c.by_count[6..].iter().all(|&n| n == 0),
        "never more than 5 phones"
    );
    let phones = c.items - c.item_null;
    assert_rate("number and type", c.both, phones, d.both_present);
    assert_rate("number only", c.number_only, phones, d.number_only);
    assert_rate("type only", c.type_only, phones, d.type_only);
    assert_rate("neither", c.neither, phones, d.neither_present);
    assert_rate("Mobile", c.mobile, c.typed, d.mobile);
    assert_rate("Work", c.work, c.typed, d.work);
    assert_rate("Home", c.home, c.typed, d.home);
}

#[test]
fn configured_rates_hold_including_empty_lists_and_null_items() {
    let mut d = Distribution::default()
        .with_empty_lists(0.1)
        .with_null_items(0.05);
    d.set_unchecked("name_null", "0.5").unwrap();
    d.set_unchecked("mobile", "0.2").unwrap();
    d.set_unchecked("work", "0.2").unwrap();
    d.set_unchecked("home", "0.6").unwrap();
    d.set_unchecked("many_max", "8").unwrap();
    d.validate().unwrap();
    let c = count(d);
    assert_rate("name null", c.name_null, c.records, 0.5);
    assert_rate("null phone list", c.phones_null, c.records, 0.3);
    assert_rate("empty phone list", c.phones_empty, c.records, 0.1);
    assert_rate("null item", c.item_null, c.items, 0.05);
    assert_rate("Home", c.home, c.typed, 0.6);
    let many: u64 = c.by_count[3..=8].iter().sum();
    assert_rate("3..=8 phones", many, c.records, d.phones_many);
    assert_rate("8 phones within 3..=8", c.by_count[8], many, 1.0 / 6.0);
}
