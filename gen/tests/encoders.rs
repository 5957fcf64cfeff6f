//! All three encoders write the same dataset: the same records through arrow-rs, and the levels
//! in the files are exactly the typed shredder's levels for the regenerated records.

use std::fs::File;
use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::reader::{FileReader, SerializedFileReader};
use shred::Stripe;
use shred::column_io::{StripeReader, stripe_for};
use shred::contact::{CONTACT_SCHEMA, Contact, ContactStripes};
use shred::contact_arrow::contacts_from_batch;
use shred::writer_settings::WriterSettings;
use shred_gen::encoder::EncoderKind;
use shred_gen::pipeline::{PipelineConfig, WrittenFile, run};
use shred_gen::plan::{Layout, Plan};
use shred_gen::{Distribution, Generator};

const RECORDS: u64 = 20_000;
const ROW_GROUP: u64 = 6_000;

fn write(
    dir: &Path,
    generator: &Generator,
    encoder: EncoderKind,
    writers: u64,
) -> Vec<WrittenFile> {
    let layout = Layout {
        target_records: RECORDS,
        parts: 1,
        part: 0,
        writers,
        row_group_size: ROW_GROUP,
    };
    let plan = Plan::new(&layout, dir, "contacts").unwrap();
    let config = PipelineConfig {
        record_batch_size: 1000,
        producers: 2,
        writer: WriterSettings::with_compression(Compression::SNAPPY),
        encoder,
        row_group_size: ROW_GROUP,
    };
    run(&config, &plan, generator, &|_| {}).unwrap()
}

fn read_records(files: &[WrittenFile]) -> Vec<Contact> {
    files
        .iter()
        .flat_map(|f| {
            ParquetRecordBatchReaderBuilder::try_new(File::open(&f.path).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .flat_map(|batch| contacts_from_batch(&batch.unwrap()).unwrap())
        })
        .collect()
}

#[test]
fn arrow_dremel_and_direct_files_hold_the_same_records() {
    let generator = Generator::new(99, Distribution::all_def_states());
    let arrow_dir = tempfile::tempdir().unwrap();
    let dremel_dir = tempfile::tempdir().unwrap();
    let arrow = read_records(&write(arrow_dir.path(), &generator, EncoderKind::Arrow, 2));
    let dremel = read_records(&write(
        dremel_dir.path(),
        &generator,
        EncoderKind::Dremel,
        2,
    ));
    let direct_dir = tempfile::tempdir().unwrap();
    let direct = read_records(&write(
        direct_dir.path(),
        &generator,
        EncoderKind::Direct,
        2,
    ));
    assert_eq!(arrow.len() as u64, RECORDS);
    assert_eq!(arrow, dremel);
    assert_eq!(direct, dremel);
    assert_eq!(arrow, generator.contacts(0..RECORDS).collect::<Vec<_>>());
}

#[test]
fn every_encoder_writes_the_contact_schema_with_arrow_metadata() {
    let generator = Generator::new(1, Distribution::default());
    let expected = shred::Schema::parse(CONTACT_SCHEMA).unwrap();
    for encoder in [EncoderKind::Arrow, EncoderKind::Dremel, EncoderKind::Direct] {
        let dir = tempfile::tempdir().unwrap();
        let files = write(dir.path(), &generator, encoder, 1);
        let reader = SerializedFileReader::new(File::open(&files[0].path).unwrap()).unwrap();
        let meta = reader.metadata();
        let schema =
            shred::Schema::from_descriptor(meta.file_metadata().schema_descr_ptr()).unwrap();
        let shape = |s: &shred::Schema| {
            s.leaves()
                .iter()
                .map(|l| {
                    (
                        l.path.clone(),
                        l.max_rep,
                        l.max_def,
                        l.physical(),
                        l.logical().cloned(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&schema), shape(&expected), "{encoder}");
        let has_arrow_schema = meta
            .file_metadata()
            .key_value_metadata()
            .is_some_and(|kv| kv.iter().any(|kv| kv.key == "ARROW:schema"));
        assert!(
            has_arrow_schema,
            "{encoder}: phone_type must read back as a dictionary"
        );
        assert_eq!(meta.num_row_groups(), 4, "{encoder}");
    }
}

#[test]
fn levels_in_the_files_are_the_typed_shredders_levels() {
    let generator = Generator::new(7, Distribution::all_def_states());
    let schema = shred::Schema::parse(CONTACT_SCHEMA).unwrap();
    for encoder in [EncoderKind::Arrow, EncoderKind::Dremel, EncoderKind::Direct] {
        let dir = tempfile::tempdir().unwrap();
        let files = write(dir.path(), &generator, encoder, 1);
        let reader = SerializedFileReader::new(File::open(&files[0].path).unwrap()).unwrap();
        let mut expected = ContactStripes::default();
        let mut contacts = Vec::new();
        let mut states = std::collections::BTreeSet::new();
        for rg in 0..reader.metadata().num_row_groups() {
            let start = rg as u64 * ROW_GROUP;
            let count = (RECORDS - start).min(ROW_GROUP) as usize;
            generator.fill(start, count, &mut contacts);
            expected.shred(&contacts);
            for (leaf, want) in expected.columns().into_iter().enumerate() {
                let mut levels = StripeReader::open(&reader, &schema, rg, leaf).unwrap();
                let mut got: Stripe = stripe_for(&schema.leaves()[leaf]);
                assert_eq!(levels.read_records(count + 1, &mut got).unwrap(), count);
                assert_eq!(&got, want, "{encoder}, row group {rg}, column {leaf}");
                if leaf == 1 {
                    states.extend(got.def.iter().copied());
                }
            }
        }
        // All five definition states of phones.list.item.number occur and round-trip.
        assert_eq!(
            states.into_iter().collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4],
            "{encoder}"
        );
    }
}
