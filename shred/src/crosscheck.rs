//! Cross-check against arrow-rs: the same contacts through `ArrowWriter`, levels compared.
//!
//! [`arrow_stripes`] builds the Arrow arrays of a batch of contacts ([`ContactArrays`]),
//! writes them with arrow-rs's `ArrowWriter` into memory, and reads every leaf column's
//! levels and values back with the column reader (`read_records`). [`diff_stripes`] then compares them with ours entry by
//! entry; a mismatch names the column, the entry index, the record and both sides.
//! arrow-rs computes its levels independently (`parquet/src/arrow/arrow_writer/levels.rs`),
//! so agreement is evidence for both implementations.

use parquet::arrow::ArrowWriter;

use crate::column_io::read_all_stripes;
use crate::contact::Contact;
use crate::contact_arrow::ContactArrays;
use crate::error::{Error, Result};
use crate::schema::Schema;
use crate::stripe::Stripe;
use crate::stripe_diff::diff_stripes;

/// Writes `contacts` with arrow-rs's `ArrowWriter` into memory and reads every column's
/// levels and values back; returns the file's schema and its stripes (one row group).
pub fn arrow_stripes(contacts: &[Contact]) -> Result<(Schema, Vec<Stripe>)> {
    let batch = ContactArrays::default().build(contacts);
    let mut buffer = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buffer, batch.schema(), None)
        .map_err(|e| Error::parquet("ArrowWriter", e))?;
    writer
        .write(&batch)
        .map_err(|e| Error::parquet("ArrowWriter", e))?;
    writer
        .close()
        .map_err(|e| Error::parquet("ArrowWriter", e))?;
    read_all_stripes(bytes::Bytes::from(buffer))
}

/// Shreds `contacts` with the typed shredder and with arrow-rs and compares the levels.
pub fn crosscheck_contacts(contacts: &[Contact]) -> Result<()> {
    let mut ours = crate::contact::ContactStripes::default();
    ours.shred(contacts);
    let (schema, theirs) = arrow_stripes(contacts)?;
    let ours: Vec<Stripe> = ours.columns().into_iter().cloned().collect();
    match diff_stripes(&schema, &theirs, &ours) {
        Some(difference) => Err(Error::Mismatch {
            message: format!("ours against arrow-rs: {difference}"),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::CONTACT_SCHEMA;
    use crate::fixtures::contacts_in_every_state;
    use crate::shredder::shred_records;

    #[test]
    fn typed_shredder_agrees_with_arrow_rs() {
        crosscheck_contacts(&contacts_in_every_state()).unwrap();
    }

    #[test]
    fn arrow_file_has_the_contact_schema() {
        let (schema, _) = arrow_stripes(&contacts_in_every_state()).unwrap();
        let ours = Schema::parse(CONTACT_SCHEMA).unwrap();
        let paths = |s: &Schema| {
            s.leaves()
                .iter()
                .map(|l| (l.path.clone(), l.max_rep, l.max_def))
                .collect::<Vec<_>>()
        };
        assert_eq!(paths(&schema), paths(&ours));
    }

    #[test]
    fn generic_shredder_agrees_with_arrow_rs() {
        let contacts = contacts_in_every_state();
        let schema = Schema::parse(CONTACT_SCHEMA).unwrap();
        let records: Vec<_> = contacts.iter().map(Contact::to_json).collect();
        let generic = shred_records(&schema, &records).unwrap();
        let (_, theirs) = arrow_stripes(&contacts).unwrap();
        if let Some(difference) = diff_stripes(&schema, &theirs, &generic) {
            panic!("{difference}");
        }
    }

    #[test]
    fn mismatch_names_column_entry_and_record() {
        let contacts = contacts_in_every_state();
        let mut ours = crate::contact::ContactStripes::default();
        ours.shred(&contacts);
        ours.number.def[3] = 4;
        let schema = Schema::parse(CONTACT_SCHEMA).unwrap();
        let (_, theirs) = arrow_stripes(&contacts).unwrap();
        let ours: Vec<Stripe> = ours.columns().into_iter().cloned().collect();
        let m = diff_stripes(&schema, &theirs, &ours).unwrap();
        assert_eq!(
            (m.column.as_str(), m.entry, m.record),
            ("phones.list.item.number", 3, 3)
        );
        assert_eq!(m.expected.as_ref().map(|e| e.d), Some(3), "{m}");
    }
}
