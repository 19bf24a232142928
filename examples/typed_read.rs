//! Write 100,000 telemetry messages to a file, then sum one field through
//! `read_view` (verified, zero-copy) and print the throughput.
//!
//! cargo run --release --example typed_read

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use flatstream::prelude::*;

#[derive(StreamSerialize, StreamDeserialize)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

const MESSAGES: u64 = 100_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("flatstream-typed-read-{}.bin", std::process::id()));

    let started = Instant::now();
    let mut writer = StreamWriter::new(
        BufWriter::with_capacity(64 << 10, File::create(&path)?),
        Telemetry::framer(),
    );
    for i in 0..MESSAGES {
        writer.write(&Telemetry {
            timestamp: i,
            sensor_id: (i % 8) as u32,
            value: i as f64 * 0.5,
            unit: "C".into(),
        })?;
    }
    writer.flush()?;
    let bytes = writer.position();
    let write = started.elapsed();

    let started = Instant::now();
    let mut reader = StreamReader::new(File::open(&path)?, Telemetry::deframer());
    let (mut total, mut count) = (0.0f64, 0u64);
    while let Some(t) = reader.read_view::<Telemetry>()? {
        total += t.value();
        if t.unit() != "C" {
            return Err("unexpected unit".into());
        }
        count += 1;
    }
    let read = started.elapsed();
    std::fs::remove_file(&path)?;

    let expected: f64 = (0..MESSAGES).map(|i| i as f64 * 0.5).sum();
    assert_eq!((count, total), (MESSAGES, expected));
    let rate = |d: std::time::Duration| MESSAGES as f64 / d.as_secs_f64() / 1e6;
    println!("{MESSAGES} messages, {bytes} bytes");
    println!(
        "write:                  {write:>10.2?}  {:>6.2} M msg/s",
        rate(write)
    );
    println!(
        "read_view + sum value:  {read:>10.2?}  {:>6.2} M msg/s",
        rate(read)
    );
    println!("sum of value: {total}");
    Ok(())
}
