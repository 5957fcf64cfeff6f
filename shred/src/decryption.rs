//! Parquet modular encryption, the reading side: a file's algorithm and AAD, and the
//! AES-GCM modules of a column chunk decrypted with their module AADs.
//!
//! parquet-format `Encryption.md`: an encrypted file encrypts each *module* (the footer,
//! column metadata, every page header and every page) separately. With `AES_GCM_V1` a
//! module is stored as a 4-byte little-endian length, then that many bytes: a 12-byte
//! nonce, the ciphertext and a 16-byte tag. Its additional authenticated data (AAD) is the
//! file AAD (`aad_prefix` + `aad_file_unique`, both from the file's
//! `EncryptionAlgorithm`, the prefix supplied by the reader when the file does not store
//! it) followed by the module type (one byte), the row group ordinal and the column
//! ordinal (i16, little-endian), and for data pages and their headers the page ordinal
//! (i16): a page cannot be moved, swapped or replayed without the tag failing.
//! `AES_GCM_CTR_V1` encrypts pages with AES-CTR instead; arrow-rs 60 does not read it, and
//! neither does this module ([`Algorithm::check_supported`] says so).
//!
//! The footer and the column metadata are decrypted by arrow-rs's metadata reader
//! ([`crate::decryption_keys::DecryptionKeys::properties`]). What the `parquet` crate does
//! not expose is page-level decryption outside its Arrow reader, which our column readers
//! and `shred-inspect pages` need: [`ChunkDecryptor`] decrypts one column chunk's page
//! headers and pages. [`FileEncryption::decode`] reads the `EncryptionAlgorithm` union
//! (from `FileCryptoMetaData` in a file with an encrypted footer, `PARE`, or from
//! `FileMetaData` in a plaintext footer; [`crate::footer`] finds it).

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::aes::Aes192;
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm, KeyInit, Nonce};

use crate::decryption_keys::DecryptionKeys;
use crate::thrift_compact::{CompactReader, Decoded, FieldHeader, invalid, ttype};

/// AES-192 in GCM mode with the 12-byte nonce Parquet uses.
type Aes192Gcm = AesGcm<Aes192, U12>;

/// Bytes in front of a module's ciphertext: the length (4) and the nonce (12).
const NONCE_END: usize = 4 + 12;
/// Bytes of the GCM tag after the ciphertext.
const TAG_LEN: usize = 16;

/// The encryption algorithm of a file (`EncryptionAlgorithm` in `parquet.thrift`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `AES_GCM_V1`: every module AES-GCM.
    AesGcmV1,
    /// `AES_GCM_CTR_V1`: metadata AES-GCM, pages AES-CTR.
    AesGcmCtrV1,
}

impl Algorithm {
    /// Fails for the algorithms this toolkit cannot decrypt, saying why.
    pub fn check_supported(self) -> Result<(), String> {
        match self {
            Algorithm::AesGcmV1 => Ok(()),
            Algorithm::AesGcmCtrV1 => Err(
                "encrypted with AES_GCM_CTR_V1, which the parquet crate (arrow-rs 60) cannot decrypt, so neither can shredkit (only AES_GCM_V1 files are read)"
                    .into(),
            ),
        }
    }
}

/// How a file was encrypted: its algorithm and the parts of its file AAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEncryption {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The AAD prefix, when the file stores it.
    pub aad_prefix: Option<Vec<u8>>,
    /// The file's unique AAD suffix.
    pub aad_file_unique: Vec<u8>,
    /// True when the writer asks the reader to supply the AAD prefix.
    pub supply_aad_prefix: bool,
    /// The footer key's metadata (`FileCryptoMetaData.key_metadata`), when an encrypted
    /// footer has it: a key id, or the key material of a key management service.
    pub footer_key_metadata: Option<Vec<u8>>,
}

impl FileEncryption {
    /// Reads an `EncryptionAlgorithm` union, the cursor at its first field header.
    pub fn decode(reader: &mut CompactReader<'_>) -> Decoded<Self> {
        let mut found = None;
        let mut last = 0;
        loop {
            let field = reader.field(last)?;
            if field.is_stop() {
                break;
            }
            last = field.id;
            let algorithm = match field.id {
                1 => Algorithm::AesGcmV1,
                2 => Algorithm::AesGcmCtrV1,
                _ => {
                    reader.skip(field.ttype, 1)?;
                    continue;
                }
            };
            let mut encryption = FileEncryption {
                algorithm,
                aad_prefix: None,
                aad_file_unique: Vec::new(),
                supply_aad_prefix: false,
                footer_key_metadata: None,
            };
            reader.read_struct(&field, "encryption_algorithm", |r, f: &FieldHeader| {
                match (f.id, f.ttype) {
                    (1, ttype::BINARY) => encryption.aad_prefix = Some(r.binary()?.to_vec()),
                    (2, ttype::BINARY) => encryption.aad_file_unique = r.binary()?.to_vec(),
                    (3, _) => {
                        encryption.supply_aad_prefix = r.expect_bool(f, "supply_aad_prefix")?
                    }
                    _ => return Ok(false),
                }
                Ok(true)
            })?;
            found = Some(encryption);
        }
        found.map_or_else(|| invalid("an EncryptionAlgorithm with no algorithm"), Ok)
    }

    /// Reads the `FileCryptoMetaData` at the start of an encrypted footer (`PARE`): its
    /// `encryption_algorithm` (field 1) and `key_metadata` (field 2).
    pub fn from_crypto_metadata(footer: &[u8]) -> Decoded<Self> {
        let Some(mut reader) = field_at(footer, 1, ttype::STRUCT)? else {
            return invalid("a FileCryptoMetaData without encryption_algorithm");
        };
        let mut encryption = Self::decode(&mut reader)?;
        if let Some(mut reader) = field_at(footer, 2, ttype::BINARY)? {
            encryption.footer_key_metadata = Some(reader.binary()?.to_vec());
        }
        Ok(encryption)
    }

    /// When the footer key's metadata is the key material of Parquet's key management
    /// tools (parquet-mr `keytools`, Arrow C++ `KeyMaterial`: JSON with a
    /// `keyMaterialType`), what that means for a reader: its keys are wrapped by master
    /// keys in a KMS, which shredkit does not call.
    pub fn kms_note(&self) -> Option<String> {
        let text = std::str::from_utf8(self.footer_key_metadata.as_deref()?).ok()?;
        if !text.contains("\"keyMaterialType\"") {
            return None;
        }
        let place = if text.contains("\"internalStorage\":false") {
            "its key material is stored outside the file"
        } else {
            "its key material is stored in the file"
        };
        Some(format!(
            "the file's keys are wrapped by a key management service (KMS; {place}): shredkit cannot unwrap them, it reads only with the data keys themselves"
        ))
    }

    /// Reads a plaintext footer's `FileMetaData.encryption_algorithm` (field 8); `None`
    /// when the file is not encrypted.
    pub fn from_file_metadata(footer: &[u8]) -> Decoded<Option<Self>> {
        field_at(footer, 8, ttype::STRUCT)?
            .map(|mut reader| Self::decode(&mut reader))
            .transpose()
    }

    /// The file AAD: the AAD prefix (the one given in `keys`, else the file's own) and
    /// `aad_file_unique`. Fails when the file needs a prefix it does not store and none
    /// was given.
    pub fn file_aad(&self, keys: &DecryptionKeys) -> Result<Vec<u8>, String> {
        let prefix = match (&keys.aad_prefix, &self.aad_prefix) {
            (Some(given), _) => given.as_bytes().to_vec(),
            (None, Some(stored)) => stored.clone(),
            (None, None) if self.supply_aad_prefix => {
                return Err(
                    "the file was encrypted with an AAD prefix it does not store: pass it with --aad-prefix"
                        .into(),
                );
            }
            (None, None) => Vec::new(),
        };
        let mut aad = prefix;
        aad.extend_from_slice(&self.aad_file_unique);
        Ok(aad)
    }
}

/// A reader at the value of field `id` (of compact type `ttype`) of the struct that
/// `bytes` starts with; `None` when the struct has no such field.
fn field_at(bytes: &[u8], id: i16, ttype: u8) -> Decoded<Option<CompactReader<'_>>> {
    let mut reader = CompactReader::new(bytes);
    let mut last = 0;
    loop {
        let field = reader.field(last)?;
        if field.is_stop() {
            return Ok(None);
        }
        last = field.id;
        if field.id == id && field.ttype == ttype {
            return Ok(Some(reader));
        }
        reader.skip(field.ttype, 1)?;
    }
}

/// Which page module of a column chunk: its dictionary page, or its `ordinal`-th data
/// page (counted from 0, the dictionary page not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageModule {
    /// The dictionary page.
    Dictionary,
    /// A data page.
    Data {
        /// Its index among the chunk's data pages.
        ordinal: usize,
    },
}

/// The module types of `Encryption.md` that pages use.
#[derive(Debug, Clone, Copy)]
enum ModuleType {
    DataPage = 2,
    DictionaryPage = 3,
    DataPageHeader = 4,
    DictionaryPageHeader = 5,
}

/// An AES-GCM cipher for a 16-, 24- or 32-byte key.
enum Cipher {
    Aes128(Box<Aes128Gcm>),
    Aes192(Box<Aes192Gcm>),
    Aes256(Box<Aes256Gcm>),
}

impl Cipher {
    fn new(key: &[u8]) -> Result<Self, String> {
        let bad = |_| format!("a key of {} bytes is not an AES key", key.len());
        Ok(match key.len() {
            16 => Cipher::Aes128(Box::new(Aes128Gcm::new_from_slice(key).map_err(bad)?)),
            24 => Cipher::Aes192(Box::new(Aes192Gcm::new_from_slice(key).map_err(bad)?)),
            32 => Cipher::Aes256(Box::new(Aes256Gcm::new_from_slice(key).map_err(bad)?)),
            n => {
                return Err(format!(
                    "a key of {n} bytes is not an AES key (16, 24 or 32)"
                ));
            }
        })
    }

    fn decrypt(&self, nonce: &[u8], msg: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let nonce = Nonce::<U12>::from_slice(nonce);
        let payload = Payload { msg, aad };
        match self {
            Cipher::Aes128(c) => c.decrypt(nonce, payload),
            Cipher::Aes192(c) => c.decrypt(nonce, payload),
            Cipher::Aes256(c) => c.decrypt(nonce, payload),
        }
        .ok()
    }
}

/// The length of the module at the start of `bytes`, its 4-byte length included; `None`
/// when `bytes` is shorter than 4.
pub fn module_len(bytes: &[u8]) -> Option<u64> {
    let len: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
    Some(4 + u64::from(u32::from_le_bytes(len)))
}

/// Decrypts the page headers and pages of one column chunk.
pub struct ChunkDecryptor {
    cipher: Cipher,
    /// The file AAD, then the row group and column ordinals' place in the module AAD.
    file_aad: Vec<u8>,
    row_group: i16,
    column: i16,
}

impl ChunkDecryptor {
    /// A decryptor for column `column` of row group `row_group`, with its `key` (the
    /// column's own, or the footer key) and the file AAD ([`FileEncryption::file_aad`]).
    pub fn new(
        key: &[u8],
        file_aad: Vec<u8>,
        row_group: usize,
        column: usize,
    ) -> Result<Self, String> {
        let ordinal = |n: usize, what: &str| {
            i16::try_from(n)
                .map_err(|_| format!("{what} {n} is beyond the 32767 encryption allows"))
        };
        Ok(ChunkDecryptor {
            cipher: Cipher::new(key)?,
            file_aad,
            row_group: ordinal(row_group, "row group")?,
            column: ordinal(column, "column")?,
        })
    }

    /// Decrypts the page header module `module` (length, nonce, ciphertext, tag).
    pub fn header(&self, module: &[u8], page: PageModule) -> Result<Vec<u8>, String> {
        let kind = match page {
            PageModule::Dictionary => ModuleType::DictionaryPageHeader,
            PageModule::Data { .. } => ModuleType::DataPageHeader,
        };
        self.decrypt(module, kind, page, "page header")
    }

    /// Decrypts the page module `module`.
    pub fn page(&self, module: &[u8], page: PageModule) -> Result<Vec<u8>, String> {
        let kind = match page {
            PageModule::Dictionary => ModuleType::DictionaryPage,
            PageModule::Data { .. } => ModuleType::DataPage,
        };
        self.decrypt(module, kind, page, "page")
    }

    fn decrypt(
        &self,
        module: &[u8],
        kind: ModuleType,
        page: PageModule,
        what: &str,
    ) -> Result<Vec<u8>, String> {
        let name = match page {
            PageModule::Dictionary => format!("the dictionary {what}"),
            PageModule::Data { ordinal } => format!("the {what} of data page {ordinal}"),
        };
        let stated = module_len(module);
        if stated != Some(module.len() as u64) || module.len() < NONCE_END + TAG_LEN {
            return Err(format!(
                "cannot decrypt {name}: a corrupt module of {} bytes",
                module.len()
            ));
        }
        let mut aad = self.file_aad.clone();
        aad.push(kind as u8);
        aad.extend_from_slice(&self.row_group.to_le_bytes());
        aad.extend_from_slice(&self.column.to_le_bytes());
        if let PageModule::Data { ordinal } = page {
            let ordinal = i16::try_from(ordinal)
                .map_err(|_| format!("cannot decrypt {name}: more pages than encryption allows"))?;
            aad.extend_from_slice(&ordinal.to_le_bytes());
        }
        self.cipher
            .decrypt(&module[4..NONCE_END], &module[NONCE_END..], &aad)
            .ok_or_else(|| {
                format!("cannot decrypt {name}: the key is wrong (or the AAD prefix, or the file is corrupt)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AES_GCM_V1 union: aad_prefix "p", aad_file_unique "u", supply_aad_prefix true.
    const ALGORITHM: [u8; 10] = [
        0x1c, // field 1, struct
        0x18, 1, b'p', // field 1, binary "p"
        0x18, 1, b'u', // field 2, binary "u"
        0x11, // field 3, true
        0, 0,
    ];

    #[test]
    fn algorithm_union_is_decoded() {
        let encryption = FileEncryption::decode(&mut CompactReader::new(&ALGORITHM)).unwrap();
        assert_eq!(encryption.algorithm, Algorithm::AesGcmV1);
        assert_eq!(encryption.aad_prefix.as_deref(), Some(&b"p"[..]));
        assert_eq!(encryption.aad_file_unique, b"u");
        assert!(encryption.supply_aad_prefix);
    }

    #[test]
    fn file_aad_takes_the_given_prefix_first() {
        let mut encryption = FileEncryption::decode(&mut CompactReader::new(&ALGORITHM)).unwrap();
        let given = DecryptionKeys {
            aad_prefix: Some("q".into()),
            ..Default::default()
        };
        assert_eq!(encryption.file_aad(&given).unwrap(), b"qu");
        assert_eq!(
            encryption.file_aad(&DecryptionKeys::default()).unwrap(),
            b"pu"
        );
        encryption.aad_prefix = None;
        let error = encryption.file_aad(&DecryptionKeys::default()).unwrap_err();
        assert!(error.contains("--aad-prefix"), "{error}");
    }

    #[test]
    fn kms_key_material_is_recognised() {
        let mut encryption = FileEncryption::decode(&mut CompactReader::new(&ALGORITHM)).unwrap();
        assert_eq!(encryption.kms_note(), None);
        encryption.footer_key_metadata = Some(b"kf".to_vec());
        assert_eq!(encryption.kms_note(), None);
        encryption.footer_key_metadata = Some(
            br#"{"keyMaterialType":"PKMT1","internalStorage":false,"keyReference":"footerKey"}"#
                .to_vec(),
        );
        let note = encryption.kms_note().unwrap();
        assert!(
            note.contains("KMS; its key material is stored outside the file"),
            "{note}"
        );
    }

    #[test]
    fn ctr_is_refused_by_name() {
        let error = Algorithm::AesGcmCtrV1.check_supported().unwrap_err();
        assert!(error.contains("AES_GCM_CTR_V1"), "{error}");
    }

    #[test]
    fn module_round_trips_with_its_aad_only() {
        let key = [7u8; 16];
        let cipher = Aes128Gcm::new_from_slice(&key).unwrap();
        let nonce = [3u8; 12];
        // File AAD "f", data page header (4), row group 1, column 2, page 3.
        let aad = [b'f', 4, 1, 0, 2, 0, 3, 0];
        let sealed = cipher
            .encrypt(
                Nonce::<U12>::from_slice(&nonce),
                Payload {
                    msg: b"header",
                    aad: &aad,
                },
            )
            .unwrap();
        let mut module = ((12 + sealed.len()) as u32).to_le_bytes().to_vec();
        module.extend_from_slice(&nonce);
        module.extend_from_slice(&sealed);
        let decryptor = ChunkDecryptor::new(&key, b"f".to_vec(), 1, 2).unwrap();
        let page = PageModule::Data { ordinal: 3 };
        assert_eq!(decryptor.header(&module, page).unwrap(), b"header");
        let error = decryptor
            .header(&module, PageModule::Data { ordinal: 4 })
            .unwrap_err();
        assert!(error.contains("the key is wrong"), "{error}");
        assert!(decryptor.page(&module, page).is_err());
        assert!(
            decryptor
                .header(&module[..20], page)
                .unwrap_err()
                .contains("corrupt module")
        );
    }
}
