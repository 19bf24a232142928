//! Write 1,000 telemetry messages to a file, each frame protected by a
//! CRC-32C, then read them back: verified, zero-copy, typed.
//!
//! cargo run --release --example quickstart

use std::fs::File;
use std::time::Instant;

use flatstream::prelude::*;

/// One sensor reading. The derives generate its FlatBuffers encoding, a
/// zero-copy view (`TelemetryRef`) and a framing: `[u32 length][CRC-32C][payload]`.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("flatstream-quickstart-{}.bin", std::process::id()));
    let messages: Vec<Telemetry> = (0..1_000u64)
        .map(|i| Telemetry {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 16) as u32,
            value: 20.0 + (i % 100) as f64 / 10.0,
            unit: "C".into(),
        })
        .collect();

    // Write: one frame per message, collected in a 64 KiB buffer that goes
    // to the file when full and on `flush`.
    let started = Instant::now();
    let mut writer = StreamWriter::with_capacity(64 << 10, File::create(&path)?, Telemetry::framer());
    for message in &messages {
        writer.write(message)?;
    }
    writer.flush()?;
    let written = writer.position();
    let write_time = started.elapsed();

    // Read: every checksum and every payload verified; fields read in place.
    let started = Instant::now();
    let mut reader = StreamReader::new(File::open(&path)?, Telemetry::deframer());
    let (mut count, mut sum) = (0usize, 0.0f64);
    while let Some(t) = reader.read_view::<Telemetry>()? {
        sum += t.value();
        count += 1;
    }
    let read_time = started.elapsed();

    // Or owned values, the type named once.
    let owned: Vec<Telemetry> = StreamReader::new(File::open(&path)?, Telemetry::deframer())
        .into_typed()
        .collect::<Result<_, _>>()?;
    std::fs::remove_file(&path)?;

    assert_eq!(count, messages.len());
    assert_eq!(owned, messages);
    println!(
        "wrote {} messages, {written} bytes ({} bytes per frame, {}-byte header) in {write_time:?}",
        messages.len(),
        written / messages.len() as u64,
        Telemetry::HEADER_LEN,
    );
    println!("read  {count} messages (CRC-32C and FlatBuffers verified, zero-copy) in {read_time:?}");
    println!("first: {:?}", owned[0]);
    println!("mean value: {:.2}", sum / count as f64);
    println!("\nits schema, for flatc:\n{}", Telemetry::SCHEMA);
    Ok(())
}
