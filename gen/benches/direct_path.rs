//! The direct encoder's hot path on one thread, stage by stage: 1M generated contacts drawn
//! into stripes (`Generator::fill_stripes`, batches of 4096), then the same stripes encoded
//! as one row group by `shred`'s chunk encoder (all columns, and each column alone), then
//! both together (what one `shred-gen` producer does per row group, minus the file); and
//! the level encoder against the `parquet` crate's. `cargo bench -p shred-gen --bench
//! direct_path`; divide a median by 2^20 for ns/record.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parquet::basic::Compression;
use parquet::encodings::rle::RleEncoder;
use shred::chunk_encoder::ChunkEncoder;
use shred::contact::ContactStripes;
use shred::rle_hybrid::RleHybridEncoder;
use shred_gen::encoder::FileFormat;
use shred_gen::plan::split;
use shred_gen::rng::mix64;
use shred_gen::{DEFAULT_SEED, Distribution, Generator};

const CONTACTS: u64 = 1 << 20;
const BATCH: u64 = 4096;

fn direct_path(c: &mut Criterion) {
    let generator = Generator::new(DEFAULT_SEED, Distribution::default());
    let format = FileFormat::new(Compression::UNCOMPRESSED, CONTACTS as usize);
    let mut encoders = format.chunk_encoders().unwrap();
    // The stripes of every batch, drawn once for the encode-only stage.
    let batches: Vec<ContactStripes> = split(0..CONTACTS, BATCH)
        .map(|range| {
            let mut stripes = ContactStripes::default();
            let count = (range.end - range.start) as usize;
            generator.fill_stripes(range.start, count, &mut stripes);
            stripes
        })
        .collect();

    let mut group = c.benchmark_group("direct_path_1m_contacts");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CONTACTS));
    let mut stripes = ContactStripes::default();
    group.bench_function("generate_stripes", |b| {
        b.iter(|| {
            for range in split(0..CONTACTS, BATCH) {
                let count = (range.end - range.start) as usize;
                generator.fill_stripes(range.start, count, &mut stripes);
                black_box(&stripes);
            }
        })
    });
    let encode = |encoders: &mut [ChunkEncoder], stripes: &ContactStripes| {
        for (encoder, stripe) in encoders.iter_mut().zip(stripes.columns()) {
            encoder.write(stripe).unwrap();
        }
    };
    let finish = |encoders: &mut [ChunkEncoder]| {
        for encoder in encoders.iter_mut() {
            let chunk = encoder.finish().unwrap();
            encoder.recycle(Vec::from(chunk.data));
        }
    };
    group.bench_function("encode_chunks", |b| {
        b.iter(|| {
            for stripes in &batches {
                encode(&mut encoders, stripes);
            }
            finish(&mut encoders);
        })
    });
    let names = ["name", "number", "phone_type"];
    for (column, (encoder, name)) in encoders.iter_mut().zip(names).enumerate() {
        group.bench_function(format!("encode_{name}_column"), |b| {
            b.iter(|| {
                for stripes in &batches {
                    encoder.write(stripes.columns()[column]).unwrap();
                }
                let chunk = encoder.finish().unwrap();
                encoder.recycle(Vec::from(chunk.data));
            })
        });
    }
    group.bench_function("generate_and_encode", |b| {
        b.iter(|| {
            for range in split(0..CONTACTS, BATCH) {
                let count = (range.end - range.start) as usize;
                generator.fill_stripes(range.start, count, &mut stripes);
                encode(&mut encoders, &stripes);
            }
            finish(&mut encoders);
        })
    });
    group.finish();
}

/// One million definition levels of the phone columns' shape (d = 0 a third of the time,
/// 3 a few percent, else 4) through the `parquet` crate's `RleEncoder::put_batch` and
/// through `shred`'s `RleHybridEncoder`, in mini-batches of 1024 as the chunk encoder
/// hands them over; both give the same bytes (tested in `shred::rle_hybrid`).
fn rle(c: &mut Criterion) {
    // Reproducible pseudo-random bits per level: SplitMix64's mix of the index.
    let levels: Vec<i16> = (0..1_000_000u64)
        .map(|i| match mix64(i) % 100 {
            0..33 => 0,
            33..37 => 3,
            _ => 4,
        })
        .collect();
    let widened: Vec<u64> = levels.iter().map(|&l| l as u64).collect();
    let mut group = c.benchmark_group("rle_1m_def_levels");
    group.throughput(Throughput::Elements(levels.len() as u64));
    group.bench_function("parquet_rle_encoder_put_batch", |b| {
        b.iter(|| {
            let mut encoder = RleEncoder::new(3, 1 << 20);
            for chunk in widened.chunks(1024) {
                encoder.put_batch(chunk);
            }
            black_box(encoder.consume().len())
        })
    });
    group.bench_function("shred_rle_hybrid_encoder", |b| {
        b.iter(|| {
            let mut encoder = RleHybridEncoder::new(3);
            for chunk in levels.chunks(1024) {
                encoder.put_levels(chunk);
            }
            black_box(encoder.finish().len())
        })
    });
    group.finish();
}

criterion_group!(benches, direct_path, rle);
criterion_main!(benches);
