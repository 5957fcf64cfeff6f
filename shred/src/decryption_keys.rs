//! The keys a user gives to read a file encrypted with Parquet modular encryption.
//!
//! An encrypted file (parquet-format `Encryption.md`) has a footer key, which encrypts or
//! signs the footer and encrypts the columns that have no key of their own, and may have a
//! key per column. A file may also have been written with an AAD prefix that it does not
//! store (`supply_aad_prefix`), which the reader must then supply. [`DecryptionKeys`] holds
//! the three as every reading command takes them: `--footer-key HEX`,
//! `--column-key NAME:HEX` (repeatable; NAME is the column's dotted path) and
//! `--aad-prefix STR`. It is a plain struct of the core library; with the `cli` feature it
//! is also the [`clap::Args`] both `shred verify` and `shred-inspect` flatten into their
//! commands, so the options are defined once. [`DecryptionKeys::properties`] gives them
//! to arrow-rs's reader; [`crate::decryption`] uses them for our own page walking.
//!
//! ```
//! use shred::decryption_keys::{DecryptionKeys, parse_column_key, parse_key};
//! let keys = DecryptionKeys {
//!     footer_key: Some(parse_key("30313233343536373839303132333435").unwrap()),
//!     column_keys: vec![parse_column_key("a.b:31323334353637383930313233343530").unwrap()],
//!     aad_prefix: None,
//! };
//! assert_eq!(keys.column_key("a.b").unwrap().bytes(), b"1234567890123450");
//! assert!(parse_key("0011").unwrap_err().contains("16, 24 or 32 bytes"));
//! ```

use std::sync::Arc;

use parquet::encryption::decrypt::FileDecryptionProperties;

use crate::error::{Error, Result};

/// The footer key arrow-rs is given when the user gave none (it requires one).
const NO_FOOTER_KEY: [u8; 16] = [0; 16];

/// The decryption keys and AAD prefix given for one or more files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct DecryptionKeys {
    /// Footer key of an encrypted file, in hex (16, 24 or 32 bytes: AES-128, -192, -256);
    /// it also decrypts the columns encrypted with the footer key.
    #[cfg_attr(
        feature = "cli",
        arg(long = "footer-key", value_name = "HEX", value_parser = parse_key)
    )]
    pub footer_key: Option<Key>,
    /// Key of one encrypted column: its dotted path, a colon, the key in hex; repeat for
    /// more columns.
    #[cfg_attr(
        feature = "cli",
        arg(long = "column-key", value_name = "NAME:HEX", value_parser = parse_column_key)
    )]
    pub column_keys: Vec<ColumnKey>,
    /// AAD prefix of an encrypted file that was written with one but does not store it.
    #[cfg_attr(feature = "cli", arg(long = "aad-prefix", value_name = "STR"))]
    pub aad_prefix: Option<String>,
}

/// An AES key: 16, 24 or 32 bytes. Its `Debug` shows the length, never the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl Key {
    /// The key's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({} bytes)", self.0.len())
    }
}

/// The key of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnKey {
    /// The column's dotted path in the schema (`phones.list.item.number`).
    pub path: String,
    /// Its key.
    pub key: Key,
}

/// Parses a key given in hex (`--footer-key`).
pub fn parse_key(text: &str) -> std::result::Result<Key, String> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return Err(format!(
            "'{text}' is not a hex key: an odd number of hex digits"
        ));
    }
    let bytes = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("x"), 16))
        .collect::<std::result::Result<Vec<u8>, _>>()
        .map_err(|_| format!("'{text}' is not a hex key: only 0-9 and a-f are hex digits"))?;
    if !matches!(bytes.len(), 16 | 24 | 32) {
        return Err(format!(
            "a key of {} bytes: AES keys are 16, 24 or 32 bytes (32, 48 or 64 hex digits)",
            bytes.len()
        ));
    }
    Ok(Key(bytes))
}

/// Parses `NAME:HEX` (`--column-key`).
pub fn parse_column_key(text: &str) -> std::result::Result<ColumnKey, String> {
    let (path, hex) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("'{text}' is not NAME:HEX (a column path, a colon, a hex key)"))?;
    if path.is_empty() {
        return Err(format!("'{text}' names no column (expected NAME:HEX)"));
    }
    Ok(ColumnKey {
        path: path.to_string(),
        key: parse_key(hex)?,
    })
}

impl DecryptionKeys {
    /// True when no key and no AAD prefix was given.
    pub fn is_empty(&self) -> bool {
        self.footer_key.is_none() && self.column_keys.is_empty() && self.aad_prefix.is_none()
    }

    /// The key given for the column at `path`.
    pub fn column_key(&self, path: &str) -> Option<&Key> {
        self.column_keys
            .iter()
            .rev()
            .find(|c| c.path == path)
            .map(|c| &c.key)
    }

    /// The keys as arrow-rs's reader takes them; `None` when none were given. arrow-rs
    /// requires a footer key: without one (a plaintext footer, only column keys given) it
    /// gets `NO_FOOTER_KEY` and the footer's signature is not checked, so the key is
    /// used only for columns encrypted with the footer key, which then fail to decrypt
    /// (our readers ask for `--footer-key` first, [`crate::parquet_reader`]).
    pub fn properties(&self) -> Result<Option<Arc<FileDecryptionProperties>>> {
        if self.is_empty() {
            return Ok(None);
        }
        let mut builder = match &self.footer_key {
            Some(key) => FileDecryptionProperties::builder(key.0.clone()),
            None => FileDecryptionProperties::builder(NO_FOOTER_KEY.to_vec())
                .disable_footer_signature_verification(),
        };
        for column in &self.column_keys {
            builder = builder.with_column_key(&column.path, column.key.0.clone());
        }
        if let Some(prefix) = &self.aad_prefix {
            builder = builder.with_aad_prefix(prefix.as_bytes().to_vec());
        }
        builder
            .build()
            .map(Some)
            .map_err(|e| Error::parquet("decryption keys", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hex_of_aes_lengths() {
        assert_eq!(
            parse_key("00".repeat(24).as_str()).unwrap().bytes().len(),
            24
        );
        assert!(
            parse_key("0g".repeat(16).as_str())
                .unwrap_err()
                .contains("hex digits")
        );
        assert!(parse_key("000").unwrap_err().contains("odd number"));
        assert!(parse_key("0011").unwrap_err().contains("a key of 2 bytes"));
    }

    #[test]
    fn column_key_splits_at_the_last_colon() {
        let key = parse_column_key(&format!("a.b:{}", "01".repeat(16))).unwrap();
        assert_eq!(key.path, "a.b");
        assert!(
            parse_column_key("nocolon")
                .unwrap_err()
                .contains("NAME:HEX")
        );
        assert!(parse_column_key(&format!(":{}", "01".repeat(16))).is_err());
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let key = parse_key(&"ab".repeat(16)).unwrap();
        assert_eq!(format!("{key:?}"), "Key(16 bytes)");
    }

    #[test]
    fn no_keys_give_no_properties() {
        assert!(DecryptionKeys::default().properties().unwrap().is_none());
    }
}
