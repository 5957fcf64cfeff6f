//! A Parquet file opened for our column readers: its footer read tolerantly, and its
//! encrypted footer and column chunks decrypted with the keys the user gave.
//!
//! [`ParquetReader::open`] reads the file through [`ParquetSource`] (footer repairs,
//! [`crate::footer`]) and decodes its metadata with the `parquet` crate, which decrypts an
//! encrypted footer and encrypted column metadata given the keys
//! ([`DecryptionKeys::properties`]; parquet-format `Encryption.md`). Column data is read
//! chunk by chunk ([`ParquetReader::column_reader`]): a plaintext chunk through the crate's
//! row group reader, an encrypted one through [`crate::decrypted_chunk`] with a
//! [`ChunkDecryptor`] for its key ([`ParquetReader::chunk_decryptor`]). Whatever cannot be
//! decrypted is an error that says what to pass: an encrypted footer without
//! `--footer-key`, a column without its key (named with its key metadata, e.g. "kc2"), a
//! prefix the file does not store without `--aad-prefix`, and `AES_GCM_CTR_V1`, which
//! nothing here decrypts.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, Encoding};
use parquet::column::reader::ColumnReader;
use parquet::file::column_crypto_metadata::ColumnCryptoMetaData;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::ReaderProperties;
use parquet::file::reader::{ChunkReader, RowGroupReader};
use parquet::file::serialized_reader::{SerializedPageReader, SerializedRowGroupReader};

use crate::chunk_decoder::StoredPages;
use crate::column_io::StripeReader;
use crate::decrypted_chunk;
use crate::decryption::ChunkDecryptor;
use crate::decryption_keys::DecryptionKeys;
use crate::error::{Error, Result};
use crate::footer::{EncryptedChunk, ParquetSource};
use crate::page_decompressor::PageDecompressor;
use crate::schema::Leaf;

/// An opened Parquet file.
pub struct ParquetReader {
    source: Arc<ParquetSource>,
    metadata: Arc<ParquetMetaData>,
    keys: DecryptionKeys,
}

impl ParquetReader {
    /// Opens the file at `path`, decrypting with `keys`; with `page_index`, reads the
    /// page indexes too where the file has them. A footer the `parquet` crate cannot
    /// decode is [`Error::Parquet`] with the file's name as context (callers say how
    /// they read it); every other error names the file.
    pub fn open(path: &Path, keys: &DecryptionKeys, page_index: bool) -> Result<Self> {
        let name = path.display().to_string();
        let source = File::open(path)
            .and_then(ParquetSource::open)
            .map_err(|e| Error::Input {
                message: format!("{name}: cannot open: {e}"),
            })?;
        let kms = source.encryption().and_then(|e| e.kms_note());
        let kms = kms.map(|note| format!("; {note}")).unwrap_or_default();
        if let Some(encryption) = source.encryption() {
            encryption
                .algorithm
                .check_supported()
                .map_err(|why| Error::Input {
                    message: format!("{name}: {why}"),
                })?;
        }
        if source.footer_encrypted() && keys.footer_key.is_none() {
            return Err(Error::Input {
                message: format!(
                    "{name}: the footer is encrypted (PARE magic): pass the footer key with --footer-key HEX (and the keys of columns with keys of their own with --column-key NAME:HEX){kms}"
                ),
            });
        }
        let encrypted = source.footer_encrypted() || !source.encrypted().is_empty();
        // Encrypted columns have encrypted page indexes: read them only with keys.
        let policy = if page_index && (!encrypted || !keys.is_empty()) {
            PageIndexPolicy::Optional
        } else {
            PageIndexPolicy::Skip
        };
        let properties = keys.properties()?;
        let parse = |policy| {
            ParquetMetaDataReader::new()
                .with_page_index_policy(policy)
                .with_decryption_properties(properties.clone())
                .parse_and_finish(&source)
        };
        // With keys for some encrypted columns only, the others' page indexes cannot be
        // decrypted: read the footer without page indexes then.
        let metadata = match parse(policy) {
            Err(_) if policy != PageIndexPolicy::Skip && encrypted => parse(PageIndexPolicy::Skip),
            parsed => parsed,
        };
        let metadata = match metadata {
            Ok(metadata) => metadata,
            Err(e) if encrypted && !keys.is_empty() => {
                return Err(Error::Input {
                    message: format!(
                        "{name}: cannot decrypt the file's metadata with the keys given (a wrong --footer-key or --column-key, or a missing or wrong --aad-prefix): {}{kms}",
                        strip_prefix(&e.to_string())
                    ),
                });
            }
            Err(e) => return Err(Error::parquet(name, e)),
        };
        Ok(ParquetReader {
            source: Arc::new(source),
            metadata: Arc::new(metadata),
            keys: keys.clone(),
        })
    }

    /// The file's metadata (decrypted).
    pub fn metadata(&self) -> &ParquetMetaData {
        &self.metadata
    }

    /// The file as the `parquet` crate reads it.
    pub fn source(&self) -> &ParquetSource {
        &self.source
    }

    /// What was repaired in the footer to read it ([`crate::footer`]), one line each.
    pub fn warnings(&self) -> &[String] {
        self.source.warnings()
    }

    /// The decryptor for column `leaf` of row group `row_group`; `None` when the chunk is
    /// not encrypted. Fails, naming the column and what to pass, when its key was not
    /// given (the error does not name the file: the caller does).
    pub fn chunk_decryptor(&self, row_group: usize, leaf: usize) -> Result<Option<ChunkDecryptor>> {
        let chunk = self.metadata.row_group(row_group).column(leaf);
        let path = chunk.column_path().string();
        let listed = self
            .source
            .encrypted()
            .iter()
            .find(|c| c.row_group == row_group && c.column == leaf);
        let described = EncryptedChunk {
            row_group,
            column: leaf,
            key_metadata: match chunk.crypto_metadata() {
                Some(ColumnCryptoMetaData::ENCRYPTION_WITH_COLUMN_KEY(key)) => {
                    Some(key.key_metadata.clone().unwrap_or_default())
                }
                Some(ColumnCryptoMetaData::ENCRYPTION_WITH_FOOTER_KEY) => None,
                None => match listed {
                    Some(listed) => listed.key_metadata.clone(),
                    None => return Ok(None),
                },
            },
        };
        let fail = |what: String| Error::Input {
            message: format!("{}: {what}", described.describe(&path)),
        };
        let key = match &described.key_metadata {
            None => self
                .keys
                .footer_key
                .as_ref()
                .ok_or_else(|| fail("pass the footer key with --footer-key HEX".to_string()))?,
            Some(_) => self
                .keys
                .column_key(&path)
                .ok_or_else(|| fail(format!("pass its key with --column-key {path}:HEX")))?,
        };
        let encryption = self.source.encryption().ok_or_else(|| {
            fail("the footer does not say how the file was encrypted".to_string())
        })?;
        encryption.algorithm.check_supported().map_err(fail)?;
        let file_aad = encryption.file_aad(&self.keys).map_err(fail)?;
        ChunkDecryptor::new(key.bytes(), file_aad, row_group, leaf)
            .map(Some)
            .map_err(fail)
    }

    /// A column reader for column `leaf` of row group `row_group`, decrypting it when it
    /// is encrypted. Errors name the row group and column, not the file.
    pub fn column_reader(&self, row_group: usize, leaf: usize) -> Result<ColumnReader> {
        let rg = self.metadata.row_group(row_group);
        let place = place(&self.metadata, row_group, leaf);
        let total_rows = usize::try_from(rg.num_rows()).map_err(|_| Error::Input {
            message: format!("{place}: a row group of {} rows", rg.num_rows()),
        })?;
        if let Some(decryptor) = self.chunk_decryptor(row_group, leaf)? {
            return decrypted_chunk::column_reader(
                &*self.source,
                rg.column(leaf),
                &decryptor,
                total_rows,
                &place,
            );
        }
        plain_column_reader(&self.source, &self.metadata, row_group, leaf, place)
    }

    /// A stripe reader of column `leaf` (`leaf_info`) of row group `row_group`: a
    /// plaintext BYTE_ARRAY chunk decoded by [`crate::chunk_decoder`] (the crate's column
    /// reader where that declines), any other through [`ParquetReader::column_reader`].
    /// Errors name the row group and column, not the file.
    pub fn stripe_reader(
        &self,
        row_group: usize,
        leaf: usize,
        leaf_info: &Leaf,
    ) -> Result<StripeReader> {
        let encrypted = self.chunk_decryptor(row_group, leaf)?.is_some();
        // A chunk whose footer lists an encoding the decoder declines goes to the crate's
        // reader from the start, not after the decoder has read the pages before it.
        let decodable = self
            .metadata
            .row_group(row_group)
            .column(leaf)
            .encodings()
            .all(|e| {
                matches!(
                    e,
                    Encoding::PLAIN
                        | Encoding::PLAIN_DICTIONARY
                        | Encoding::RLE_DICTIONARY
                        | Encoding::RLE
                )
            });
        if encrypted || !decodable || leaf_info.physical() != parquet::basic::Type::BYTE_ARRAY {
            return Ok(StripeReader::new(
                self.column_reader(row_group, leaf)?,
                leaf_info,
            ));
        }
        let place = place(&self.metadata, row_group, leaf);
        let pages = stored_pages(&self.source, &self.metadata, row_group, leaf)
            .map_err(|e| Error::parquet(place.clone(), e))?;
        let (source, metadata) = (Arc::clone(&self.source), Arc::clone(&self.metadata));
        let reopen = move || plain_column_reader(&source, &metadata, row_group, leaf, place);
        StripeReader::decoding(pages, leaf_info, reopen)
    }
}

/// The pages of plaintext column `leaf` of row group `row_group` for
/// [`crate::chunk_decoder`]: as stored, with their [`PageDecompressor`], so that the
/// decoder sees a page's header before its values take memory; decompressed by the
/// crate's page reader when the codec needs the page size.
pub(crate) fn stored_pages<R: ChunkReader + 'static>(
    source: &Arc<R>,
    metadata: &ParquetMetaData,
    row_group: usize,
    leaf: usize,
) -> parquet::errors::Result<StoredPages> {
    let chunk = metadata.row_group(row_group).column(leaf);
    let Some(decompressor) = PageDecompressor::for_chunk(chunk.compression())? else {
        let pages = plain_chunk(source, metadata, row_group)?.get_column_page_reader(leaf)?;
        return Ok(pages.into());
    };
    // The crate's page reader decompresses by the chunk's codec: told there is none, it
    // hands the pages out as stored.
    let stored = chunk
        .clone()
        .into_builder()
        .set_compression(Compression::UNCOMPRESSED)
        .build()?;
    let locations = metadata
        .page_index_for_row_group(row_group)
        .page_locations(leaf)
        .cloned();
    let rows = usize::try_from(metadata.row_group(row_group).num_rows())?;
    let pages = SerializedPageReader::new_with_properties(
        Arc::clone(source),
        &stored,
        rows,
        locations,
        Arc::new(ReaderProperties::builder().build()),
    )?;
    Ok(StoredPages {
        pages: Box::new(pages),
        decompressor: Some(decompressor),
    })
}

/// "row group N, column PATH", for messages.
fn place(metadata: &ParquetMetaData, row_group: usize, leaf: usize) -> String {
    let path = metadata.row_group(row_group).column(leaf).column_path();
    format!("row group {row_group}, column {}", path.string())
}

/// The `parquet` crate's column reader of plaintext column `leaf` of row group
/// `row_group`; errors name `place`.
fn plain_column_reader(
    source: &Arc<ParquetSource>,
    metadata: &ParquetMetaData,
    row_group: usize,
    leaf: usize,
    place: String,
) -> Result<ColumnReader> {
    plain_chunk(source, metadata, row_group)
        .and_then(|reader| reader.get_column_reader(leaf))
        .map_err(|e| Error::parquet(place, e))
}

/// Row group `row_group` of a plaintext file for the `parquet` crate's readers.
fn plain_chunk<'m, R: ChunkReader>(
    source: &Arc<R>,
    metadata: &'m ParquetMetaData,
    row_group: usize,
) -> parquet::errors::Result<SerializedRowGroupReader<'m, R>> {
    let props = Arc::new(ReaderProperties::builder().build());
    let page_index = metadata.page_index_for_row_group(row_group);
    SerializedRowGroupReader::new(
        Arc::clone(source),
        metadata.row_group(row_group),
        page_index,
        props,
    )
}

/// The `parquet` crate prefixes its messages with "Parquet error: ".
fn strip_prefix(message: &str) -> &str {
    message.strip_prefix("Parquet error: ").unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decryption_keys::parse_column_key;
    use crate::footer::tests::corpus;

    #[test]
    fn only_encrypted_chunks_need_a_key() {
        let path = corpus("data/encrypt_columns_plaintext_footer.parquet.encrypted");
        let reader = ParquetReader::open(&path, &DecryptionKeys::default(), false).unwrap();
        let columns = reader.metadata().row_group(0).columns();
        let paths: Vec<String> = columns.iter().map(|c| c.column_path().string()).collect();
        let float = paths.iter().position(|p| p == "float_field").unwrap();
        assert!(reader.chunk_decryptor(0, 0).unwrap().is_none());
        assert!(reader.column_reader(0, 0).is_ok());
        let error = reader.chunk_decryptor(0, float).err().unwrap().to_string();
        assert_eq!(
            error,
            "row group 0, column float_field is encrypted (Parquet modular encryption) with column key \"kc2\": pass its key with --column-key float_field:HEX"
        );
        let keys = DecryptionKeys {
            column_keys: vec![
                parse_column_key("float_field:31323334353637383930313233343531").unwrap(),
            ],
            ..Default::default()
        };
        let reader = ParquetReader::open(&path, &keys, true).unwrap();
        assert!(reader.chunk_decryptor(0, float).unwrap().is_some());
        assert!(reader.column_reader(0, float).is_ok());
    }

    #[test]
    fn encrypted_footer_without_a_key_says_which_option_to_pass() {
        let path = corpus("data/uniform_encryption.parquet.encrypted");
        let error = ParquetReader::open(&path, &DecryptionKeys::default(), false)
            .err()
            .unwrap();
        assert_eq!(error.exit_code(), 2);
        assert!(
            error
                .to_string()
                .ends_with("uniform_encryption.parquet.encrypted: the footer is encrypted (PARE magic): pass the footer key with --footer-key HEX (and the keys of columns with keys of their own with --column-key NAME:HEX)"),
            "{error}"
        );
    }
}
