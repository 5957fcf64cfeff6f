//! Parquet's VARIANT type: its layout, writing (shredding), reading back (unshredding).
//!
//! A VARIANT column (parquet-format `VariantEncoding.md` and `VariantShredding.md`) holds a
//! semi-structured value as two binaries, `metadata` and `value`, and may shred parts of
//! it into a `typed_value` tree of ordinary columns. Which of `value` and `typed_value` is
//! set at each path is carried by the definition levels of their leaves, so the
//! assembler's canonical record of the group says it as nulls. From there:
//!
//! - [`annotation`]: the `(VARIANT(1))` annotation in schema text, read and printed;
//! - [`layout`]: the VARIANT groups of a schema and their `typed_value` trees;
//! - [`shredder`]: a JSON value into one variant, shredded by the layout into the group's
//!   record slot, which the Dremel shredder writes like any group;
//! - [`inference`]: a layout chosen from a sample of the values (`--shred-variants auto`);
//! - [`unshred`](mod@unshred): one group's record value back into one variant, by the
//!   spec's rules, forbidden layouts reported;
//! - [`records`]: every VARIANT slot of an assembled record, unshredded or shown as JSON;
//! - [`census`]: per path, how often each state occurs, for `shred-inspect variant`;
//! - [`arrow`]: arrow-rs's unshredding (`parquet_variant_compute::unshred_variant`), the
//!   reference `shred verify` compares ours with;
//! - [`value`]: a variant owned as its binaries, compared as a value, shown as JSON.
//!
//! The binary encoding itself (decoding, building, JSON) is `parquet-variant`'s and
//! `parquet-variant-json`'s; the shredding and unshredding are written here, and checked
//! against arrow-rs's `shred_variant` and `unshred_variant`.

pub mod annotation;
pub mod arrow;
pub mod census;
pub mod inference;
pub mod layout;
pub mod records;
pub mod shredder;
pub mod unshred;
pub mod value;

pub use layout::{Primitive, Shredded, ShreddedField, Typed, VariantColumn};
pub use records::{RecordVariants, SlotVariant};
pub use unshred::{Place, unshred};
pub use value::{OwnedVariant, same_value, to_json};

#[cfg(test)]
mod tests;
