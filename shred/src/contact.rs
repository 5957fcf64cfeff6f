//! The `Contact` dataset's types, its Parquet schema, and the typed shredder.
//!
//! `Contact { name, phones }` is the record of the shredding-pipeline study (its
//! distribution is `shred_gen::Distribution::default`). The typed shredder writes a batch of
//! contacts straight into the three stripes of the Parquet schema [`CONTACT_SCHEMA`], without
//! building Arrow arrays, following the same rules as the generic [`crate::shredder`]: for
//! `phones.list.item.number` (max r 1, max d 4) a null list is d=0, an empty list d=1, a null
//! item d=2, an item with a null number d=3, a number d=4 (the constants of [`phone_def`],
//! shared with every writer of these stripes); the first phone of a contact has r=0, the
//! next ones r=1.
//!
//! ```
//! use shred::contact::{Contact, ContactStripes, Phone, PhoneType};
//! let c = Contact {
//!     name: Some("Ada Lovelace".into()),
//!     phones: Some(vec![Some(Phone { number: None, phone_type: Some(PhoneType::Home) })]),
//! };
//! let mut stripes = ContactStripes::default();
//! stripes.shred(std::slice::from_ref(&c));
//! assert_eq!(stripes.number.def, vec![3]);
//! assert_eq!(stripes.phone_type.def, vec![4]);
//! ```

use parquet::basic::Type as PhysicalType;
use serde_json::{Value as Json, json};

use crate::stripe::{Stripe, Values};

/// The Contact schema as Parquet message-type text (3-level LIST, as arrow-rs writes it).
pub const CONTACT_SCHEMA: &str = "message contact {
  optional binary name (STRING);
  optional group phones (LIST) {
    repeated group list {
      optional group item {
        optional binary number (STRING);
        optional binary phone_type (STRING);
      }
    }
  }
}";

/// Dotted leaf paths of the Contact schema, in column order.
pub const CONTACT_COLUMNS: [&str; 3] = [
    "name",
    "phones.list.item.number",
    "phones.list.item.phone_type",
];

/// The kind of a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneType {
    /// A mobile phone.
    Mobile,
    /// A work phone.
    Work,
    /// A home phone.
    Home,
}

impl PhoneType {
    /// All variants, in dictionary order.
    pub const ALL: [PhoneType; 3] = [PhoneType::Mobile, PhoneType::Work, PhoneType::Home];

    /// The string stored in Parquet.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::Mobile => "Mobile",
            PhoneType::Work => "Work",
            PhoneType::Home => "Home",
        }
    }

    /// Parses the stored string.
    pub fn parse(s: &str) -> Option<Self> {
        PhoneType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One phone of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Phone {
    /// The number, e.g. `+91-0000000042`.
    pub number: Option<String>,
    /// Mobile, work or home.
    pub phone_type: Option<PhoneType>,
}

/// One contact: a name and a list of phones, every level nullable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// Full name.
    pub name: Option<String>,
    /// Phones: `None` is a null list, `Some(vec![])` an empty one, `Some(vec![None])` a list
    /// holding one null item.
    pub phones: Option<Vec<Option<Phone>>>,
}

impl Contact {
    /// The contact as a canonical JSON record of [`CONTACT_SCHEMA`].
    pub fn to_json(&self) -> Json {
        let phones = self.phones.as_ref().map(|phones| {
            phones
                .iter()
                .map(|p| {
                    p.as_ref().map(|p| {
                        json!({"number": p.number, "phone_type": p.phone_type.map(PhoneType::as_str)})
                    })
                })
                .collect::<Vec<_>>()
        });
        json!({"name": self.name, "phones": phones})
    }
}

/// The three stripes of the Contact schema, reused from batch to batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactStripes {
    /// `name` (max r 0, max d 1).
    pub name: Stripe,
    /// `phones.list.item.number` (max r 1, max d 4).
    pub number: Stripe,
    /// `phones.list.item.phone_type` (max r 1, max d 4).
    pub phone_type: Stripe,
}

impl Default for ContactStripes {
    fn default() -> Self {
        ContactStripes {
            name: Stripe::new(PhysicalType::BYTE_ARRAY),
            number: Stripe::new(PhysicalType::BYTE_ARRAY),
            phone_type: Stripe::new(PhysicalType::BYTE_ARRAY),
        }
    }
}

/// Definition levels of the `name` column (max d 1), named after the state they encode.
pub mod name_def {
    /// The name is null.
    pub const NULL: i16 = 0;
    /// The name is present.
    pub const PRESENT: i16 = 1;
}

/// Definition levels of the two phone columns, `phones.list.item.number` and
/// `phones.list.item.phone_type` (max d 4), named after the state they encode: each of the
/// five is reachable and means the same in both columns.
pub mod phone_def {
    /// The phone list is null (`phones: None`).
    pub const NULL_LIST: i16 = 0;
    /// The phone list is empty (`Some(vec![])`).
    pub const EMPTY_LIST: i16 = 1;
    /// The list item is null (`Some(vec![None])`).
    pub const NULL_ITEM: i16 = 2;
    /// The phone is present and this column's field (number or phone type) is null.
    pub const NULL_FIELD: i16 = 3;
    /// The field is present: the entry holds a value.
    pub const PRESENT: i16 = 4;
}

#[inline]
fn push_bytes(stripe: &mut Stripe, r: i16, value: &[u8]) {
    stripe.rep.push(r);
    stripe.def.push(phone_def::PRESENT);
    match &mut stripe.values {
        Values::ByteArray(v) => v.push(value),
        _ => unreachable!("contact stripes are byte arrays"),
    }
}

impl ContactStripes {
    /// Clears all three stripes, keeping their buffers.
    pub fn clear(&mut self) {
        self.name.clear();
        self.number.clear();
        self.phone_type.clear();
    }

    /// The stripes in column order.
    pub fn columns(&self) -> [&Stripe; 3] {
        [&self.name, &self.number, &self.phone_type]
    }

    /// Clears the stripes and shreds `contacts` into them.
    pub fn shred(&mut self, contacts: &[Contact]) {
        self.clear();
        self.append(contacts);
    }

    /// Appends the levels and values of `contacts` to the stripes.
    pub fn append(&mut self, contacts: &[Contact]) {
        for contact in contacts {
            self.append_one(contact);
        }
    }

    /// Appends one contact.
    #[inline]
    pub fn append_one(&mut self, contact: &Contact) {
        match &contact.name {
            Some(name) => {
                self.name.rep.push(0);
                self.name.def.push(name_def::PRESENT);
                if let Values::ByteArray(v) = &mut self.name.values {
                    v.push(name.as_bytes());
                }
            }
            None => self.name.push_null(0, name_def::NULL),
        }
        let phones = match &contact.phones {
            None => return self.push_phone_nulls(0, phone_def::NULL_LIST),
            Some(phones) if phones.is_empty() => {
                return self.push_phone_nulls(0, phone_def::EMPTY_LIST);
            }
            Some(phones) => phones,
        };
        for (k, phone) in phones.iter().enumerate() {
            let r = i16::from(k > 0);
            let Some(phone) = phone else {
                self.push_phone_nulls(r, phone_def::NULL_ITEM);
                continue;
            };
            match &phone.number {
                Some(n) => push_bytes(&mut self.number, r, n.as_bytes()),
                None => self.number.push_null(r, phone_def::NULL_FIELD),
            }
            match phone.phone_type {
                Some(t) => push_bytes(&mut self.phone_type, r, t.as_str().as_bytes()),
                None => self.phone_type.push_null(r, phone_def::NULL_FIELD),
            }
        }
    }

    #[inline]
    fn push_phone_nulls(&mut self, r: i16, d: i16) {
        self.number.push_null(r, d);
        self.phone_type.push_null(r, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(number: Option<&str>, phone_type: Option<PhoneType>) -> Option<Phone> {
        Some(Phone {
            number: number.map(str::to_string),
            phone_type,
        })
    }

    fn number_levels(phones: Option<Vec<Option<Phone>>>) -> (Vec<i16>, Vec<i16>) {
        let mut s = ContactStripes::default();
        s.shred(&[Contact { name: None, phones }]);
        (s.number.rep.clone(), s.number.def.clone())
    }

    #[test]
    fn null_list() {
        assert_eq!(number_levels(None), (vec![0], vec![0]));
    }

    #[test]
    fn empty_list() {
        assert_eq!(number_levels(Some(vec![])), (vec![0], vec![1]));
    }

    #[test]
    fn null_item() {
        assert_eq!(number_levels(Some(vec![None])), (vec![0], vec![2]));
    }

    #[test]
    fn null_number() {
        assert_eq!(
            number_levels(Some(vec![phone(None, Some(PhoneType::Work))])),
            (vec![0], vec![3])
        );
    }

    #[test]
    fn number_present() {
        let phones = vec![phone(Some("+91-1"), None), None, phone(Some("+91-2"), None)];
        assert_eq!(number_levels(Some(phones)), (vec![0, 1, 1], vec![4, 2, 4]));
    }

    #[test]
    fn buffers_are_reused() {
        let mut s = ContactStripes::default();
        let c = Contact {
            name: Some("A B".into()),
            phones: Some(vec![phone(Some("+91-1"), Some(PhoneType::Mobile))]),
        };
        s.shred(std::slice::from_ref(&c));
        s.shred(std::slice::from_ref(&c));
        assert_eq!(s.name.len(), 1);
        assert_eq!(s.phone_type.values, {
            let mut v = Values::new(PhysicalType::BYTE_ARRAY);
            if let Values::ByteArray(b) = &mut v {
                b.push(b"Mobile");
            }
            v
        });
    }

    #[test]
    fn named_levels_are_the_schema_levels() {
        let schema = crate::Schema::parse(CONTACT_SCHEMA).unwrap();
        let max_def: Vec<i16> = schema.leaves().iter().map(|leaf| leaf.max_def).collect();
        assert_eq!(
            max_def,
            [name_def::PRESENT, phone_def::PRESENT, phone_def::PRESENT]
        );
        assert_eq!(
            [
                phone_def::NULL_LIST,
                phone_def::EMPTY_LIST,
                phone_def::NULL_ITEM,
                phone_def::NULL_FIELD,
                phone_def::PRESENT
            ],
            [0, 1, 2, 3, 4]
        );
    }

    #[test]
    fn json_form() {
        let c = Contact {
            name: None,
            phones: Some(vec![None, phone(Some("x"), Some(PhoneType::Home))]),
        };
        assert_eq!(
            c.to_json(),
            json!({"name": null, "phones": [null, {"number": "x", "phone_type": "Home"}]})
        );
    }
}
