//! shred-gen: the fast, parallel, deterministic generator of the Contact dataset and of
//! records of any schema.
//!
//! [`Distribution`] holds every rate of the dataset and [`Generator`] turns (seed, record
//! index) into a [`shred::contact::Contact`]. For any other schema, a [`spec`] (TOML) gives
//! per node its [`length_distribution`] and per leaf its [`value_generator`], and
//! [`schema_generator`] draws records straight into stripes; [`preset`]s ship schemas with
//! their specs, [`profile`] learns a spec from a Parquet file (with the [`hyperloglog`],
//! [`frequent_values`] and [`reservoir`] sketches), and [`dataset`] puts both kinds behind
//! one interface. The rest writes records to Parquet: a [`plan`] of files and row groups, row-group [`encoder`]s (`arrow` and `dremel`), the
//! parallel bounded-memory [`pipeline`], [`verify`] to read everything back, and the
//! [`bench`] command that reproduces the study's tables against its pipeline ([`baseline`]).
//! [`run`] runs a command line in process, as the binary does.
//!
//! ```
//! use shred_gen::{DEFAULT_SEED, Distribution, Generator};
//! let g = Generator::new(DEFAULT_SEED, Distribution::default());
//! assert_eq!(g.contact(5), g.contact(5));
//! ```

pub mod arrow_contacts;
pub mod baseline;
pub mod bench;
pub mod cli;
mod contact_sink;
pub mod dataset;
pub mod distribution;
pub mod draw_program;
pub mod encoder;
pub mod error;
pub mod frequent_values;
pub mod generator;
pub mod hyperloglog;
pub mod interrupt;
pub mod length_distribution;
pub mod names;
pub mod phone_number;
pub mod pipeline;
pub mod plan;
pub mod preset;
pub mod profile;
pub mod reservoir;
pub mod rng;
pub mod schema_generator;
mod spares;
pub mod spec;
mod stripe_sink;
pub mod summary;
pub mod value_generator;
pub mod verify;
pub mod weighted;

pub use cli::run;
pub use distribution::Distribution;
pub use generator::{DEFAULT_SEED, Generator};
