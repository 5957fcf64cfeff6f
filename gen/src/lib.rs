//! shred-gen: the fast, parallel, deterministic Contact dataset generator.
//!
//! [`Distribution`] holds every rate of the dataset, [`Generator`] turns (seed, record index)
//! into a [`shred::contact::Contact`], and the rest of the crate writes records to Parquet.
//!
//! ```
//! use shred_gen::{DEFAULT_SEED, Distribution, Generator};
//! let g = Generator::new(DEFAULT_SEED, Distribution::default());
//! assert_eq!(g.contact(5), g.contact(5));
//! ```

pub mod distribution;
pub mod generator;
pub mod names;

pub use distribution::Distribution;
pub use generator::{DEFAULT_SEED, Generator};
pub mod arrow_contacts;
pub mod encoder;
pub mod error;
pub mod compression;
pub mod pipeline;
pub mod plan;
pub mod usage;
