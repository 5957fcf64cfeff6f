//! The Contact dataset's distribution: every rate the generator draws from, with the study's
//! defaults.
//!
//! A [`Distribution`] is a flat set of probabilities grouped into categorical choices (each
//! group sums to 1) and independent rates. [`Distribution::default`] is the
//! shredding-pipeline study's Contact dataset: names 20% null;
//! phone count 0 → 40% (a null list), 1 → 45%, 2 → 10%, 3..=5 → 5% uniform; number and type
//! both present 90%, number only 5%, type only 4%, neither 1%; Mobile 55%, Work 35%, Home
//! 10%. The default never produces an empty list or a null list item, two of the five
//! definition states of `phones.list.item.number`; [`Distribution::with_empty_lists`] and
//! [`Distribution::with_null_items`] add them, and [`Distribution::all_def_states`] does both.
//!
//! Rates are addressed by their field names (`name_null`, `phones_empty`, …) so the command
//! line can set any of them with `--rate KEY=VALUE` ([`Distribution::set`]).
//!
//! ```
//! use shred_gen::Distribution;
//! let d = Distribution::default().with_empty_lists(0.05).with_null_items(0.02);
//! assert!((d.phones_null - 0.35).abs() < 1e-12);
//! d.validate().unwrap();
//! let mut e = Distribution::default();
//! e.set("mobile", "0.9").unwrap_err(); // Mobile + Work + Home would no longer sum to 1
//! ```

use serde::{Deserialize, Serialize};

/// Every rate of the Contact dataset. Groups marked "(group)" must sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// Probability that `name` is null.
    pub name_null: f64,
    /// Phone count (group): probability of a null phone list.
    pub phones_null: f64,
    /// Phone count (group): probability of an empty (non-null) phone list.
    pub phones_empty: f64,
    /// Phone count (group): probability of exactly one phone.
    pub phones_one: f64,
    /// Phone count (group): probability of exactly two phones.
    pub phones_two: f64,
    /// Phone count (group): probability of `many_min..=many_max` phones (uniform).
    pub phones_many: f64,
    /// Smallest count of the "many" bucket.
    pub many_min: u8,
    /// Largest count of the "many" bucket (at most [`Distribution::MAX_PHONES`]).
    pub many_max: u8,
    /// Probability that a list item is null (independent, per item).
    pub item_null: f64,
    /// Field presence (group): number and type both present.
    pub both_present: f64,
    /// Field presence (group): number only.
    pub number_only: f64,
    /// Field presence (group): type only.
    pub type_only: f64,
    /// Field presence (group): neither number nor type.
    pub neither_present: f64,
    /// Phone type (group): Mobile.
    pub mobile: f64,
    /// Phone type (group): Work.
    pub work: f64,
    /// Phone type (group): Home.
    pub home: f64,
}

impl Default for Distribution {
    fn default() -> Self {
        Distribution {
            name_null: 0.20,
            phones_null: 0.40,
            phones_empty: 0.0,
            phones_one: 0.45,
            phones_two: 0.10,
            phones_many: 0.05,
            many_min: 3,
            many_max: 5,
            item_null: 0.0,
            both_present: 0.90,
            number_only: 0.05,
            type_only: 0.04,
            neither_present: 0.01,
            mobile: 0.55,
            work: 0.35,
            home: 0.10,
        }
    }
}

/// A distribution that cannot be sampled, with what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// A probability outside `[0, 1]` (or not a number).
    #[error("rate {key} = {value} is not a probability in [0, 1]")]
    OutOfRange {
        /// Field name.
        key: &'static str,
        /// The value given.
        value: f64,
    },
    /// A categorical group whose rates do not sum to 1.
    #[error("rates {keys} must sum to 1, they sum to {sum}")]
    GroupSum {
        /// The group's field names, joined by ` + `.
        keys: &'static str,
        /// Their sum.
        sum: f64,
    },
    /// The "many" phone-count bucket is not a valid range.
    #[error(
        "many_min..=many_max = {min}..={max} must be a non-empty range within 1..={}",
        Distribution::MAX_PHONES
    )]
    ManyRange {
        /// `many_min`.
        min: u8,
        /// `many_max`.
        max: u8,
    },
    /// `--rate` named a field that does not exist.
    #[error("unknown rate {key:?}; known rates: {}", Distribution::KEYS.join(", "))]
    UnknownKey {
        /// The key given.
        key: String,
    },
    /// `--rate` gave a value that is not a number of the field's type.
    #[error("rate {key}: {value:?} is not a valid {expected}")]
    BadValue {
        /// Field name.
        key: String,
        /// The text given.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

const GROUP_TOLERANCE: f64 = 1e-9;

impl Distribution {
    /// The largest phone count any distribution can produce (it sizes the unique number ids).
    pub const MAX_PHONES: u8 = 16;

    /// Field names, in declaration order: the keys of [`Distribution::set`].
    pub const KEYS: [&'static str; 16] = [
        "name_null",
        "phones_null",
        "phones_empty",
        "phones_one",
        "phones_two",
        "phones_many",
        "many_min",
        "many_max",
        "item_null",
        "both_present",
        "number_only",
        "type_only",
        "neither_present",
        "mobile",
        "work",
        "home",
    ];

    /// Turns `rate` of the null lists into empty lists (the phone-count group still sums to 1;
    /// `rate` is capped at the current null-list rate).
    pub fn with_empty_lists(mut self, rate: f64) -> Self {
        let moved = rate.min(self.phones_null).max(0.0);
        self.phones_null -= moved;
        self.phones_empty += moved;
        self
    }

    /// Makes each list item null with probability `rate`.
    pub fn with_null_items(mut self, rate: f64) -> Self {
        self.item_null = rate;
        self
    }

    /// The default plus 5% empty lists and 2% null items: all five definition states of the
    /// phone columns occur.
    pub fn all_def_states() -> Self {
        Distribution::default()
            .with_empty_lists(0.05)
            .with_null_items(0.02)
    }

    /// Checks every rate is a probability and every group sums to 1.
    pub fn validate(&self) -> Result<(), DistributionError> {
        let rates: [(&'static str, f64); 14] = [
            ("name_null", self.name_null),
            ("phones_null", self.phones_null),
            ("phones_empty", self.phones_empty),
            ("phones_one", self.phones_one),
            ("phones_two", self.phones_two),
            ("phones_many", self.phones_many),
            ("item_null", self.item_null),
            ("both_present", self.both_present),
            ("number_only", self.number_only),
            ("type_only", self.type_only),
            ("neither_present", self.neither_present),
            ("mobile", self.mobile),
            ("work", self.work),
            ("home", self.home),
        ];
        for (key, value) in rates {
            if !(0.0..=1.0).contains(&value) {
                return Err(DistributionError::OutOfRange { key, value });
            }
        }
        let groups: [(&'static str, f64); 3] = [
            (
                "phones_null + phones_empty + phones_one + phones_two + phones_many",
                self.phones_null
                    + self.phones_empty
                    + self.phones_one
                    + self.phones_two
                    + self.phones_many,
            ),
            (
                "both_present + number_only + type_only + neither_present",
                self.both_present + self.number_only + self.type_only + self.neither_present,
            ),
            ("mobile + work + home", self.mobile + self.work + self.home),
        ];
        for (keys, sum) in groups {
            if (sum - 1.0).abs() > GROUP_TOLERANCE {
                return Err(DistributionError::GroupSum { keys, sum });
            }
        }
        if self.many_min == 0 || self.many_min > self.many_max || self.many_max > Self::MAX_PHONES {
            return Err(DistributionError::ManyRange {
                min: self.many_min,
                max: self.many_max,
            });
        }
        Ok(())
    }

    /// Sets the field named `key` from its text form, then validates the whole distribution.
    /// On error `self` is left unchanged.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), DistributionError> {
        let mut next = *self;
        next.set_unchecked(key, value)?;
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Sets the field named `key` without validating the result (for setting several rates of
    /// a group one after the other; call [`Distribution::validate`] afterwards).
    pub fn set_unchecked(&mut self, key: &str, value: &str) -> Result<(), DistributionError> {
        let rate = |value: &str| {
            value
                .trim()
                .parse::<f64>()
                .map_err(|_| DistributionError::BadValue {
                    key: key.to_string(),
                    value: value.to_string(),
                    expected: "number",
                })
        };
        let count = |value: &str| {
            value
                .trim()
                .parse::<u8>()
                .map_err(|_| DistributionError::BadValue {
                    key: key.to_string(),
                    value: value.to_string(),
                    expected: "phone count (0..=255)",
                })
        };
        let field = match key {
            "many_min" => {
                self.many_min = count(value)?;
                return Ok(());
            }
            "many_max" => {
                self.many_max = count(value)?;
                return Ok(());
            }
            "name_null" => &mut self.name_null,
            "phones_null" => &mut self.phones_null,
            "phones_empty" => &mut self.phones_empty,
            "phones_one" => &mut self.phones_one,
            "phones_two" => &mut self.phones_two,
            "phones_many" => &mut self.phones_many,
            "item_null" => &mut self.item_null,
            "both_present" => &mut self.both_present,
            "number_only" => &mut self.number_only,
            "type_only" => &mut self.type_only,
            "neither_present" => &mut self.neither_present,
            "mobile" => &mut self.mobile,
            "work" => &mut self.work,
            "home" => &mut self.home,
            _ => {
                return Err(DistributionError::UnknownKey {
                    key: key.to_string(),
                });
            }
        };
        *field = rate(value)?;
        Ok(())
    }

    /// The expected number of phones per contact (list entries, null items included).
    pub fn mean_phones(&self) -> f64 {
        let many_mean = (f64::from(self.many_min) + f64::from(self.many_max)) / 2.0;
        self.phones_one + 2.0 * self.phones_two + many_mean * self.phones_many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_matches_design() {
        let d = Distribution::default();
        d.validate().unwrap();
        assert_eq!(d.phones_empty, 0.0);
        assert_eq!(d.item_null, 0.0);
        assert!((d.mean_phones() - (0.45 + 0.2 + 0.2)).abs() < 1e-12);
    }

    #[test]
    fn all_def_states_adds_empty_lists_and_null_items() {
        let d = Distribution::all_def_states();
        d.validate().unwrap();
        assert!(d.phones_empty > 0.0 && d.item_null > 0.0);
    }

    #[test]
    fn group_that_does_not_sum_to_one_is_rejected() {
        let mut d = Distribution::default();
        let err = d.set("phones_one", "0.5").unwrap_err();
        assert!(matches!(err, DistributionError::GroupSum { .. }), "{err}");
        assert!(err.to_string().contains("sum to 1.05"), "{err}");
        assert_eq!(d, Distribution::default(), "unchanged on error");
    }

    #[test]
    fn out_of_range_rate_is_rejected() {
        let mut d = Distribution::default();
        let err = d.set("name_null", "1.5").unwrap_err();
        assert_eq!(
            err.to_string(),
            "rate name_null = 1.5 is not a probability in [0, 1]"
        );
    }

    #[test]
    fn unknown_key_lists_known_keys() {
        let err = Distribution::default().set("nmae_null", "0").unwrap_err();
        assert!(err.to_string().contains("known rates: name_null,"), "{err}");
    }

    #[test]
    fn bad_many_range_is_rejected() {
        let mut d = Distribution::default();
        assert!(matches!(
            d.set("many_min", "6"),
            Err(DistributionError::ManyRange { min: 6, max: 5 })
        ));
        assert!(d.set("many_max", "17").is_err());
        d.set("many_max", "16").unwrap();
    }

    #[test]
    fn set_changes_the_named_field() {
        let mut d = Distribution::default();
        d.set("name_null", "0.5").unwrap();
        assert_eq!(d.name_null, 0.5);
        d.set_unchecked("mobile", "0.6").unwrap();
        d.set_unchecked("work", "0.3").unwrap();
        d.validate().unwrap();
    }

    #[test]
    fn keys_cover_every_field() {
        let json = serde_json::to_value(Distribution::default()).unwrap();
        let fields: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(fields, Distribution::KEYS);
        for key in Distribution::KEYS {
            let mut d = Distribution::default();
            d.set_unchecked(key, "1").unwrap();
        }
    }
}
