//! Write 1,000 telemetry messages with a CRC-32C on every frame, read them
//! back (verifying every checksum), and print a summary.
//!
//! cargo run --release --example quickstart

#[path = "shared/telemetry.rs"]
mod telemetry;

use std::time::Instant;

use flatstream::{ChecksumDeframer, ChecksumFramer, Crc32c, StreamReader, StreamWriter};
use telemetry::Telemetry;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("flatstream-quickstart-{}.bin", std::process::id()));
    let messages: Vec<Telemetry> = (0..1_000).map(Telemetry::sample).collect();

    // Write: a buffered file, one frame per message.
    let started = Instant::now();
    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut writer = StreamWriter::new(file, ChecksumFramer::new(Crc32c::new()));
    for message in &messages {
        writer.write(message)?;
    }
    writer.flush()?;
    let written = writer.position();
    let write_time = started.elapsed();

    // Read: `read_message` lends each verified payload without copying.
    let started = Instant::now();
    let mut reader = StreamReader::new(std::fs::File::open(&path)?, ChecksumDeframer::new(Crc32c::new()));
    let (mut count, mut sum, mut first) = (0usize, 0.0f64, None);
    while let Some(payload) = reader.read_message()? {
        let t = Telemetry::from_payload(payload).ok_or("payload is not a valid Telemetry table")?;
        sum += t.value;
        first.get_or_insert(t);
        count += 1;
    }
    let read_time = started.elapsed();
    std::fs::remove_file(&path)?;

    assert_eq!(count, messages.len());
    assert_eq!(first.as_ref(), messages.first());
    println!(
        "wrote {} messages, {written} bytes ({} bytes per frame) in {write_time:?}",
        messages.len(),
        written / messages.len() as u64
    );
    println!("read  {count} messages, every CRC-32C verified, in {read_time:?}");
    println!("first: {:?}", first.unwrap());
    println!("mean value: {:.2}", sum / count as f64);
    Ok(())
}
