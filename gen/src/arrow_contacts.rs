//! Contacts as Arrow arrays and back: the Arrow schema of the dataset, a reusable batch
//! builder, and the reader-side conversion of a `RecordBatch` into contacts.
//!
//! The Arrow schema is `name: Utf8`, `phones: List<Struct<number: Utf8, phone_type:
//! Dictionary<UInt8, Utf8>>>`, every field nullable; arrow-rs converts it to exactly the
//! Parquet schema [`shred::contact::CONTACT_SCHEMA`] (3-level `LIST` with `list`/`item`).
//! [`ContactArrays`] fills Arrow builders from a slice of contacts (the `arrow` encoder's
//! first step, as in the study's pipeline); [`contacts_from_batch`] goes the other way for
//! verification and tests, and accepts `phone_type` both as a dictionary and as plain
//! `Utf8` (a file written without the `ARROW:schema` metadata reads back that way).
//!
//! ```
//! use shred_gen::arrow_contacts::{ContactArrays, contacts_from_batch};
//! use shred_gen::{Distribution, Generator};
//! let g = Generator::new(1, Distribution::all_def_states());
//! let contacts: Vec<_> = g.contacts(0..50).collect();
//! let batch = ContactArrays::default().build(&contacts);
//! assert_eq!(contacts_from_batch(&batch).unwrap(), contacts);
//! ```

use std::sync::{Arc, LazyLock};

use arrow::array::builder::NullBufferBuilder;
use arrow::array::{
    Array, ArrayRef, AsArray, DictionaryArray, ListArray, RecordBatch, StringArray, StringBuilder,
    StructArray, UInt8Builder,
};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{SchemaRef, UInt8Type};
use shred::contact::{Contact, Phone, PhoneType};

use crate::generator::{Generator, NAME_BUFFER, RecordSink};
use crate::phone_number::{number_text, write_number};

/// The `phone_type` dictionary: `PhoneType::ALL` in order, so a key is the variant's index.
fn phone_type_values() -> ArrayRef {
    Arc::new(StringArray::from_iter_values(
        PhoneType::ALL.iter().map(|t| t.as_str()),
    ))
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(shred::crosscheck::contact_arrow_schema);

/// The Arrow schema of the Contact dataset.
pub fn contact_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// Arrow builders for contact batches, kept between batches.
#[derive(Debug)]
pub struct ContactArrays {
    name: StringBuilder,
    number: StringBuilder,
    type_keys: UInt8Builder,
    item_nulls: NullBufferBuilder,
    list_nulls: NullBufferBuilder,
    offsets: Vec<i32>,
    type_values: ArrayRef,
}

impl Default for ContactArrays {
    fn default() -> Self {
        ContactArrays {
            name: StringBuilder::new(),
            number: StringBuilder::new(),
            type_keys: UInt8Builder::new(),
            item_nulls: NullBufferBuilder::new(0),
            list_nulls: NullBufferBuilder::new(0),
            offsets: Vec::new(),
            type_values: phone_type_values(),
        }
    }
}

/// Writes generated records straight into the Arrow builders.
struct ArrowSink<'a> {
    arrays: &'a mut ContactArrays,
    items: i32,
}

impl RecordSink for ArrowSink<'_> {
    #[inline]
    fn name(&mut self, name: Option<(&[u8; NAME_BUFFER], usize)>) {
        match name {
            // The generator's names are ASCII, hence valid UTF-8.
            Some((text, len)) => match std::str::from_utf8(&text[..len]) {
                Ok(name) => self.arrays.name.append_value(name),
                Err(_) => unreachable!("generated names are ASCII"),
            },
            None => self.arrays.name.append_null(),
        }
    }

    #[inline]
    fn null_list(&mut self) {
        self.arrays.list_nulls.append_null();
        self.arrays.offsets.push(self.items);
    }

    #[inline]
    fn list(&mut self, count: usize) {
        self.arrays.list_nulls.append_non_null();
        self.items += count as i32;
        self.arrays.offsets.push(self.items);
    }

    #[inline]
    fn null_item(&mut self, _k: usize) {
        self.arrays.item_nulls.append_null();
        self.arrays.number.append_null();
        self.arrays.type_keys.append_null();
    }

    #[inline]
    fn phone(&mut self, _k: usize, number: Option<u64>, phone_type: Option<PhoneType>) {
        self.arrays.item_nulls.append_non_null();
        match number.and_then(number_text) {
            Some(text) => match std::str::from_utf8(&text) {
                Ok(text) => self.arrays.number.append_value(text),
                Err(_) => unreachable!("phone numbers are ASCII"),
            },
            None => match number {
                Some(id) => {
                    let mut long = String::new();
                    write_number(&mut long, id);
                    self.arrays.number.append_value(long);
                }
                None => self.arrays.number.append_null(),
            },
        }
        match phone_type {
            Some(t) => self.arrays.type_keys.append_value(t as u8),
            None => self.arrays.type_keys.append_null(),
        }
    }
}

impl ContactArrays {
    /// Records `[start, start + count)` of `generator` as a record batch, written straight
    /// into the builders (no `Contact` in between; equal to `build` of the same records).
    pub fn generate(&mut self, generator: &Generator, start: u64, count: usize) -> RecordBatch {
        self.offsets.clear();
        self.offsets.push(0);
        let mut sink = ArrowSink {
            arrays: self,
            items: 0,
        };
        for offset in 0..count as u64 {
            generator.generate(start + offset, &mut sink);
        }
        self.finish()
    }

    /// The contacts as a record batch of [`contact_schema`].
    pub fn build(&mut self, contacts: &[Contact]) -> RecordBatch {
        self.offsets.clear();
        self.offsets.push(0);
        let mut items: i32 = 0;
        for contact in contacts {
            match &contact.name {
                Some(name) => self.name.append_value(name),
                None => self.name.append_null(),
            }
            match &contact.phones {
                None => self.list_nulls.append_null(),
                Some(phones) => {
                    self.list_nulls.append_non_null();
                    for phone in phones {
                        match phone {
                            None => {
                                self.item_nulls.append_null();
                                self.number.append_null();
                                self.type_keys.append_null();
                            }
                            Some(phone) => {
                                self.item_nulls.append_non_null();
                                match &phone.number {
                                    Some(n) => self.number.append_value(n),
                                    None => self.number.append_null(),
                                }
                                match phone.phone_type {
                                    Some(t) => self.type_keys.append_value(t as u8),
                                    None => self.type_keys.append_null(),
                                }
                            }
                        }
                    }
                    items += phones.len() as i32;
                }
            }
            self.offsets.push(items);
        }
        self.finish()
    }

    /// Turns the builders' contents into a record batch (offsets already pushed).
    fn finish(&mut self) -> RecordBatch {
        let name: ArrayRef = Arc::new(self.name.finish());
        let number: ArrayRef = Arc::new(self.number.finish());
        let phone_type: ArrayRef = Arc::new(DictionaryArray::<UInt8Type>::new(
            self.type_keys.finish(),
            Arc::clone(&self.type_values),
        ));
        let items = StructArray::new(
            shred::crosscheck::phone_fields(),
            vec![number, phone_type],
            self.item_nulls.finish(),
        );
        let offsets = OffsetBuffer::new(std::mem::take(&mut self.offsets).into());
        let phones: ArrayRef = Arc::new(ListArray::new(
            shred::crosscheck::phone_item_field(),
            offsets,
            Arc::new(items),
            self.list_nulls.finish(),
        ));
        RecordBatch::try_new(contact_schema(), vec![name, phones])
            .expect("arrays built to the contact schema")
    }
}

/// Why a record batch is not a batch of contacts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct NotContacts {
    /// The column path that does not fit.
    pub column: String,
    /// What was expected and what was found.
    pub message: String,
}

fn not_contacts(column: &str, message: impl Into<String>) -> NotContacts {
    NotContacts {
        column: column.to_string(),
        message: message.into(),
    }
}

/// Reads `phone_type` values whether stored as a dictionary or as plain strings.
enum TypeColumn<'a> {
    Dictionary {
        keys: &'a arrow::array::PrimitiveArray<UInt8Type>,
        values: Vec<Option<PhoneType>>,
    },
    Plain(&'a StringArray),
}

impl TypeColumn<'_> {
    fn get(&self, i: usize) -> Result<Option<PhoneType>, NotContacts> {
        let bad = |s: &str| not_contacts("phones.phone_type", format!("unknown phone type {s:?}"));
        match self {
            TypeColumn::Dictionary { keys, values } => {
                if keys.is_null(i) {
                    return Ok(None);
                }
                let key = usize::from(keys.value(i));
                match values.get(key) {
                    Some(Some(t)) => Ok(Some(*t)),
                    _ => Err(bad(&format!("dictionary key {key}"))),
                }
            }
            TypeColumn::Plain(strings) => {
                if strings.is_null(i) {
                    return Ok(None);
                }
                let s = strings.value(i);
                PhoneType::parse(s).map(Some).ok_or_else(|| bad(s))
            }
        }
    }
}

fn strings<'a>(array: &'a dyn Array, column: &str) -> Result<&'a StringArray, NotContacts> {
    array.as_string_opt::<i32>().ok_or_else(|| {
        not_contacts(
            column,
            format!("expected Utf8, found {}", array.data_type()),
        )
    })
}

/// The contacts of a record batch with the Contact columns (`name`, `phones`).
pub fn contacts_from_batch(batch: &RecordBatch) -> Result<Vec<Contact>, NotContacts> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| not_contacts(name, "missing"))
    };
    let names = strings(column("name")?.as_ref(), "name")?;
    let phones_array = column("phones")?;
    let phones = phones_array.as_list_opt::<i32>().ok_or_else(|| {
        not_contacts(
            "phones",
            format!("expected List, found {}", phones_array.data_type()),
        )
    })?;
    let items = phones.values().as_struct_opt().ok_or_else(|| {
        not_contacts(
            "phones.item",
            format!("expected Struct, found {}", phones.values().data_type()),
        )
    })?;
    let number_array = items
        .column_by_name("number")
        .ok_or_else(|| not_contacts("phones.number", "missing"))?;
    let numbers = strings(number_array.as_ref(), "phones.number")?;
    let type_array = items
        .column_by_name("phone_type")
        .ok_or_else(|| not_contacts("phones.phone_type", "missing"))?;
    let types = match type_array.as_dictionary_opt::<UInt8Type>() {
        Some(dict) => {
            let values = strings(dict.values().as_ref(), "phones.phone_type")?;
            TypeColumn::Dictionary {
                keys: dict.keys(),
                values: (0..values.len())
                    .map(|i| {
                        (!values.is_null(i))
                            .then(|| PhoneType::parse(values.value(i)))
                            .flatten()
                    })
                    .collect(),
            }
        }
        None => TypeColumn::Plain(strings(type_array.as_ref(), "phones.phone_type")?),
    };

    let mut contacts = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let name = (!names.is_null(row)).then(|| names.value(row).to_string());
        let phones = if phones.is_null(row) {
            None
        } else {
            let offsets = phones.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            let mut list = Vec::with_capacity(end - start);
            for i in start..end {
                list.push(if items.is_null(i) {
                    None
                } else {
                    Some(Phone {
                        number: (!numbers.is_null(i)).then(|| numbers.value(i).to_string()),
                        phone_type: types.get(i)?,
                    })
                });
            }
            Some(list)
        };
        contacts.push(Contact { name, phones });
    }
    Ok(contacts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{DataType, Field, Schema};
    use parquet::arrow::ArrowSchemaConverter;
    use shred::Schema as ShredSchema;
    use shred::contact::CONTACT_SCHEMA;

    use crate::{Distribution, Generator};

    #[test]
    fn arrow_schema_converts_to_the_contact_parquet_schema() {
        let converted = ArrowSchemaConverter::new()
            .convert(&contact_schema())
            .unwrap();
        let ours = ShredSchema::parse(CONTACT_SCHEMA).unwrap();
        let paths: Vec<String> = converted
            .columns()
            .iter()
            .map(|c| c.path().string())
            .collect();
        let expected: Vec<String> = ours.leaves().iter().map(|l| l.path.clone()).collect();
        assert_eq!(paths, expected);
        for (column, leaf) in converted.columns().iter().zip(ours.leaves()) {
            assert_eq!(column.max_def_level(), leaf.max_def, "{}", leaf.path);
            assert_eq!(column.max_rep_level(), leaf.max_rep, "{}", leaf.path);
        }
    }

    #[test]
    fn builder_is_reusable_across_batches() {
        let g = Generator::new(9, Distribution::all_def_states());
        let mut arrays = ContactArrays::default();
        for start in [0u64, 1000, 5] {
            let contacts: Vec<_> = g.contacts(start..start + 300).collect();
            let batch = arrays.build(&contacts);
            assert_eq!(batch.num_rows(), 300);
            assert_eq!(contacts_from_batch(&batch).unwrap(), contacts);
        }
    }

    #[test]
    fn generated_batches_equal_built_batches() {
        for distribution in [Distribution::default(), Distribution::all_def_states()] {
            let g = Generator::new(21, distribution);
            let mut built = ContactArrays::default();
            let mut direct = ContactArrays::default();
            for (start, count) in [(0u64, 2000usize), (123_456, 700), (7, 0), (700_000_000, 64)] {
                let contacts: Vec<_> = g.contacts(start..start + count as u64).collect();
                assert_eq!(direct.generate(&g, start, count), built.build(&contacts));
            }
        }
    }

    #[test]
    fn empty_batch_builds() {
        let batch = ContactArrays::default().build(&[]);
        assert_eq!(batch.num_rows(), 0);
        assert!(contacts_from_batch(&batch).unwrap().is_empty());
    }

    #[test]
    fn wrong_batch_is_rejected_with_the_column() {
        let schema = Arc::new(Schema::new(vec![Field::new("name", DataType::UInt8, true)]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(arrow::array::UInt8Array::from(vec![1u8]))],
        )
        .unwrap();
        let err = contacts_from_batch(&batch).unwrap_err();
        assert_eq!(err.column, "name");
        assert!(err.message.contains("expected Utf8"), "{err}");
    }
}
