//! arrow-rs's reader alone over a Parquet file: the baseline `shred verify` runs beside
//! its own readers, for measuring what that reader needs (time, peak RSS).
//!
//! Reads every row group through `ParquetRecordBatchReader`, `--batch-size` rows at a
//! time (default 1024; `shred verify` asks for fewer where the footer says records are
//! huge), and prints the rows and batches read.
//!
//! ```text
//! cargo run --release -p shred --example arrow_read -- FILE [BATCH_SIZE]
//! /usr/bin/time -f %M target/release/examples/arrow_read FILE 1
//! ```

use std::fs::File;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: arrow_read FILE [BATCH_SIZE]")?;
    let batch_size: usize = args.next().map_or(Ok(1024), |b| b.parse())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path)?)?
        .with_batch_size(batch_size)
        .build()?;
    let (mut rows, mut batches) = (0, 0);
    for batch in reader {
        rows += batch?.num_rows();
        batches += 1;
    }
    println!("{path}: {rows} rows in {batches} batches of at most {batch_size}");
    Ok(())
}
