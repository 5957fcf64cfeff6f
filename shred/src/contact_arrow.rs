//! Contacts as Arrow arrays and back: the dataset's Arrow schema, a reusable batch builder,
//! and the reader-side conversion of a `RecordBatch` into contacts.
//!
//! The Arrow schema is `name: Utf8`, `phones: List<Struct<number: Utf8, phone_type:
//! Dictionary<UInt8, Utf8>>>`, every field nullable, `phone_type` a dictionary as in the
//! study; arrow-rs converts it to exactly the Parquet schema [`crate::contact::CONTACT_SCHEMA`]
//! (3-level `LIST` with `list`/`item`). [`ContactArrays`] appends contacts field by field
//! into Arrow builders kept between batches: [`ContactArrays::build`] from a slice of
//! contacts, or a record generator straight through the `append_*` calls, with no `Contact`
//! in between. [`contacts_from_batch`] goes the other way, and accepts `phone_type` both as a
//! dictionary and as plain `Utf8` (a file written without the `ARROW:schema` metadata reads
//! back that way).
//!
//! ```
//! use shred::contact::{Contact, Phone, PhoneType};
//! use shred::contact_arrow::{ContactArrays, contacts_from_batch};
//! let contacts = vec![
//!     Contact::default(),
//!     Contact {
//!         name: Some("Ada Lovelace".into()),
//!         phones: Some(vec![None, Some(Phone { number: None, phone_type: Some(PhoneType::Work) })]),
//!     },
//! ];
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
use arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, SchemaRef, UInt8Type};

use crate::contact::{Contact, Phone, PhoneType};

/// The fields of one phone: `number` (Utf8) and `phone_type` (`Dictionary(UInt8, Utf8)`).
fn phone_fields() -> Fields {
    Fields::from(vec![
        Field::new("number", DataType::Utf8, true),
        Field::new(
            "phone_type",
            DataType::Dictionary(Box::new(DataType::UInt8), Box::new(DataType::Utf8)),
            true,
        ),
    ])
}

/// The list's element field: a nullable struct named `item`, as arrow-rs names it.
fn phone_item_field() -> FieldRef {
    Arc::new(Field::new("item", DataType::Struct(phone_fields()), true))
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("name", DataType::Utf8, true),
        Field::new("phones", DataType::List(phone_item_field()), true),
    ]))
});

/// The Arrow schema of the Contact dataset.
pub fn contact_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// The `phone_type` dictionary: `PhoneType::ALL` in order, so a key is the variant's index.
fn phone_type_values() -> ArrayRef {
    Arc::new(StringArray::from_iter_values(
        PhoneType::ALL.iter().map(|t| t.as_str()),
    ))
}

/// Arrow builders for contact batches, kept between batches.
///
/// A contact is appended as its name, then its list (null, or its length), then each of its
/// items; [`ContactArrays::finish`] turns what was appended into a batch of
/// [`contact_schema`] and leaves the builders empty for the next batch.
#[derive(Debug)]
pub struct ContactArrays {
    name: StringBuilder,
    number: StringBuilder,
    type_keys: UInt8Builder,
    item_nulls: NullBufferBuilder,
    list_nulls: NullBufferBuilder,
    /// List offsets of the batch so far, starting with 0.
    offsets: Vec<i32>,
    /// Items appended to the batch's lists so far.
    items: i32,
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
            offsets: vec![0],
            items: 0,
            type_values: phone_type_values(),
        }
    }
}

impl ContactArrays {
    /// The contacts as a record batch of [`contact_schema`].
    pub fn build(&mut self, contacts: &[Contact]) -> RecordBatch {
        for contact in contacts {
            self.append_name(contact.name.as_deref());
            let Some(phones) = &contact.phones else {
                self.append_null_list();
                continue;
            };
            self.append_list(phones.len());
            for phone in phones {
                match phone {
                    None => self.append_null_item(),
                    Some(phone) => self.append_phone(phone.number.as_deref(), phone.phone_type),
                }
            }
        }
        self.finish()
    }

    /// Appends the next contact's name (`None`: null).
    #[inline]
    pub fn append_name(&mut self, name: Option<&str>) {
        match name {
            Some(name) => self.name.append_value(name),
            None => self.name.append_null(),
        }
    }

    /// Appends a null phone list to the contact whose name came last.
    #[inline]
    pub fn append_null_list(&mut self) {
        self.list_nulls.append_null();
        self.offsets.push(self.items);
    }

    /// Appends a phone list of `len` items (0: empty) to the contact whose name came last;
    /// its items follow.
    #[inline]
    pub fn append_list(&mut self, len: usize) {
        self.list_nulls.append_non_null();
        self.items += len as i32;
        self.offsets.push(self.items);
    }

    /// Appends a null item to the current list.
    #[inline]
    pub fn append_null_item(&mut self) {
        self.item_nulls.append_null();
        self.number.append_null();
        self.type_keys.append_null();
    }

    /// Appends a phone to the current list.
    #[inline]
    pub fn append_phone(&mut self, number: Option<&str>, phone_type: Option<PhoneType>) {
        self.item_nulls.append_non_null();
        match number {
            Some(number) => self.number.append_value(number),
            None => self.number.append_null(),
        }
        match phone_type {
            Some(t) => self.type_keys.append_value(t as u8),
            None => self.type_keys.append_null(),
        }
    }

    /// The contacts appended since the last batch, as a record batch of [`contact_schema`].
    pub fn finish(&mut self) -> RecordBatch {
        let name: ArrayRef = Arc::new(self.name.finish());
        let number: ArrayRef = Arc::new(self.number.finish());
        let phone_type: ArrayRef = Arc::new(DictionaryArray::<UInt8Type>::new(
            self.type_keys.finish(),
            Arc::clone(&self.type_values),
        ));
        let items = StructArray::new(
            phone_fields(),
            vec![number, phone_type],
            self.item_nulls.finish(),
        );
        let offsets = OffsetBuffer::new(std::mem::replace(&mut self.offsets, vec![0]).into());
        self.items = 0;
        let phones: ArrayRef = Arc::new(ListArray::new(
            phone_item_field(),
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
    use parquet::arrow::ArrowSchemaConverter;

    use crate::Schema as ShredSchema;
    use crate::contact::CONTACT_SCHEMA;
    use crate::fixtures::contacts_in_every_state;

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
        let contacts = contacts_in_every_state();
        let mut arrays = ContactArrays::default();
        for batch in [
            &contacts[..],
            &contacts[1..],
            &contacts[3..],
            &contacts[..2],
        ] {
            let built = arrays.build(batch);
            assert_eq!(built.num_rows(), batch.len());
            assert_eq!(contacts_from_batch(&built).unwrap(), batch);
        }
    }

    #[test]
    fn empty_batch_builds() {
        let batch = ContactArrays::default().build(&[]);
        assert_eq!(batch.num_rows(), 0);
        assert!(contacts_from_batch(&batch).unwrap().is_empty());
    }

    #[test]
    fn plain_utf8_phone_types_read_back() {
        let batch = ContactArrays::default().build(&contacts_in_every_state());
        let phones = batch.column(1).as_list::<i32>();
        let items = phones.values().as_struct();
        let types = arrow::compute::cast(items.column(1), &DataType::Utf8).unwrap();
        let plain_fields = Fields::from(vec![
            Field::new("number", DataType::Utf8, true),
            Field::new("phone_type", DataType::Utf8, true),
        ]);
        let plain_items = StructArray::new(
            plain_fields.clone(),
            vec![Arc::clone(items.column(0)), types],
            items.nulls().cloned(),
        );
        let item_field = Arc::new(Field::new("item", DataType::Struct(plain_fields), true));
        let plain_phones = ListArray::new(
            Arc::clone(&item_field),
            phones.offsets().clone(),
            Arc::new(plain_items),
            phones.nulls().cloned(),
        );
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("phones", DataType::List(item_field), true),
        ]));
        let plain = RecordBatch::try_new(
            schema,
            vec![Arc::clone(batch.column(0)), Arc::new(plain_phones)],
        )
        .unwrap();
        assert_eq!(
            contacts_from_batch(&plain).unwrap(),
            contacts_in_every_state()
        );
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
