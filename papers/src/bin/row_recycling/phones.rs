//! The relational phones table: one row per phone of a contact, and its SQL schema.
//!
//! A contact's `phones` list is the repeated field of the nested record; stored flat, each
//! phone becomes one row keyed by `(contact_id, slot)`, `slot` being the phone's position
//! in the list. A null list and an empty list both become no rows, and a null list item a
//! row whose `number` and `phone_type` are both NULL (the relational table does not keep
//! the list's own definition levels; the job does not need them). Besides the primary key
//! the table has a secondary index on `number`, as a real phone table looked up by number
//! would, so every insert, delete and number-changing update also maintains an index.

use shred::contact::{Contact, PhoneType};

/// One row of the phones table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneRow {
    /// The contact's record index in the generated dataset.
    pub contact_id: i64,
    /// The phone's position in the contact's list (0-based).
    pub slot: i32,
    /// The phone number, if present.
    pub number: Option<String>,
    /// The phone type, stored as its name (`Mobile`, `Work`, `Home`).
    pub phone_type: Option<PhoneType>,
}

impl PhoneRow {
    /// The phone type as stored in SQL.
    pub fn phone_type_str(&self) -> Option<&'static str> {
        self.phone_type.map(PhoneType::as_str)
    }
}

/// Appends the rows of contact `contact_id` to `rows`.
pub fn contact_rows(contact_id: i64, contact: &Contact, rows: &mut Vec<PhoneRow>) {
    for (slot, phone) in contact.phones.iter().flatten().enumerate() {
        let (number, phone_type) = match phone {
            Some(p) => (p.number.clone(), p.phone_type),
            None => (None, None),
        };
        rows.push(PhoneRow {
            contact_id,
            slot: i32::try_from(slot).expect("a contact has fewer than 2^31 phones"),
            number,
            phone_type,
        });
    }
}

/// Checks that `table` is a plain lower-case SQL identifier, since it is spliced into SQL.
pub fn check_table_name(table: &str) -> anyhow::Result<()> {
    let ok = !table.is_empty()
        && table.len() <= 48
        && table.starts_with(|c: char| c.is_ascii_lowercase())
        && table
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    anyhow::ensure!(
        ok,
        "table name {table:?}: expected a lower-case SQL identifier ([a-z][a-z0-9_]*)"
    );
    Ok(())
}

/// `CREATE TABLE` for the phones table named `table` (same text for SQLite and PostgreSQL).
pub fn create_table_sql(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
            contact_id BIGINT NOT NULL,
            slot INTEGER NOT NULL CHECK (slot >= 0),
            number TEXT,
            phone_type TEXT CHECK (phone_type IN ('Mobile', 'Work', 'Home')),
            PRIMARY KEY (contact_id, slot)
        )"
    )
}

/// `CREATE INDEX` for the secondary index on `number`.
pub fn create_index_sql(table: &str) -> String {
    format!("CREATE INDEX {table}_number ON {table} (number)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::contact::Phone;

    #[test]
    fn null_and_empty_lists_have_no_rows() {
        let mut rows = Vec::new();
        contact_rows(1, &Contact::default(), &mut rows);
        let empty = Contact {
            name: None,
            phones: Some(vec![]),
        };
        contact_rows(2, &empty, &mut rows);
        assert!(rows.is_empty());
    }

    #[test]
    fn phones_become_rows_in_slot_order() {
        let c = Contact {
            name: Some("Ada".into()),
            phones: Some(vec![
                Some(Phone {
                    number: Some("+91-1".into()),
                    phone_type: Some(PhoneType::Work),
                }),
                None,
                Some(Phone {
                    number: None,
                    phone_type: Some(PhoneType::Home),
                }),
            ]),
        };
        let mut rows = Vec::new();
        contact_rows(7, &c, &mut rows);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[0].slot, rows[0].number.as_deref()),
            (0, Some("+91-1"))
        );
        assert_eq!((rows[1].number.clone(), rows[1].phone_type), (None, None));
        assert_eq!((rows[2].slot, rows[2].phone_type_str()), (2, Some("Home")));
        assert!(rows.iter().all(|r| r.contact_id == 7));
    }

    #[test]
    fn table_names_must_be_identifiers() {
        assert!(check_table_name("phones_dmi").is_ok());
        assert!(check_table_name("phones; DROP TABLE x").is_err());
        assert!(check_table_name("Phones").is_err());
        assert!(check_table_name("").is_err());
    }
}
