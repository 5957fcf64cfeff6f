//! Shredding 1M generated contacts: `shred`'s typed shredder (`ContactStripes::shred`, contacts
//! → stripes) against the arrow-rs route to the same levels (contacts → Arrow arrays →
//! `parquet::arrow::arrow_writer::compute_leaves`), measured in the same run.
//!
//! Two shapes: the 1M contacts as one batch, and as batches of 4096 (the generator's default
//! `--record-batch-size`, which keeps a batch's buffers in cache). Run with
//! `cargo bench -p shred-gen --bench typed_shredder`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parquet::arrow::arrow_writer::compute_leaves;
use shred::contact::ContactStripes;
use shred::contact_arrow::{ContactArrays, contact_schema};
use shred_gen::{DEFAULT_SEED, Distribution, Generator};

const CONTACTS: u64 = 1_000_000;

fn shred_one_million(c: &mut Criterion) {
    let generator = Generator::new(DEFAULT_SEED, Distribution::default());
    let mut contacts = Vec::new();
    generator.fill(0, CONTACTS as usize, &mut contacts);
    let schema = contact_schema();

    for (group_name, batch) in [
        ("shred_1m_contacts_one_batch", CONTACTS as usize),
        ("shred_1m_contacts_batches_of_4096", 4096),
    ] {
        let mut group = c.benchmark_group(group_name);
        group.sample_size(20);
        group.throughput(Throughput::Elements(CONTACTS));

        let mut stripes = ContactStripes::default();
        group.bench_function("typed_shredder", |b| {
            b.iter(|| {
                for chunk in contacts.chunks(batch) {
                    stripes.shred(black_box(chunk));
                    black_box(&stripes);
                }
            })
        });

        let mut arrays = ContactArrays::default();
        group.bench_function("arrow_arrays_and_compute_leaves", |b| {
            b.iter(|| {
                for chunk in contacts.chunks(batch) {
                    let batch = arrays.build(black_box(chunk));
                    for (field, array) in schema.fields().iter().zip(batch.columns()) {
                        black_box(
                            compute_leaves(field, array).expect("contact arrays have leaves"),
                        );
                    }
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, shred_one_million);
criterion_main!(benches);
