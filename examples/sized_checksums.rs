//! The same telemetry messages under each checksum: bytes per frame and time
//! to write and read (verify) them.
//!
//! cargo run --release --example sized_checksums

#[path = "shared/telemetry.rs"]
mod telemetry;

use std::time::{Duration, Instant};

use flatstream::*;
use telemetry::Telemetry;

const MESSAGES: u64 = 100_000;

fn measure<C: Checksum>(checksum: C, messages: &[Telemetry]) -> Result<(usize, Duration, Duration)> {
    let started = Instant::now();
    let mut writer = StreamWriter::new(Vec::with_capacity(8 << 20), ChecksumFramer::new(checksum));
    writer.write_batch(messages)?;
    let bytes = writer.into_inner();
    let write = started.elapsed();

    let started = Instant::now();
    let mut reader = SliceReader::new(&bytes, ChecksumDeframer::new(checksum));
    let mut count = 0;
    while reader.read_message()?.is_some() {
        count += 1;
    }
    assert_eq!(count, messages.len());
    Ok((bytes.len() / messages.len(), write, started.elapsed()))
}

fn main() -> Result<()> {
    let messages: Vec<Telemetry> = (0..MESSAGES).map(Telemetry::sample).collect();
    println!("{MESSAGES} telemetry messages per checksum\n");
    println!(
        "{:<17} {:>6} {:>12} {:>14} {:>14}",
        "checksum", "bytes", "bytes/frame", "write", "read+verify"
    );
    let rows = [
        ("none", NoChecksum.size(), measure(NoChecksum, &messages)?),
        (Crc16::new().name(), 2, measure(Crc16::new(), &messages)?),
        (
            Crc16Xmodem::new().name(),
            2,
            measure(Crc16Xmodem::new(), &messages)?,
        ),
        (Crc32::new().name(), 4, measure(Crc32::new(), &messages)?),
        (Crc32c::new().name(), 4, measure(Crc32c::new(), &messages)?),
        (Crc64::new().name(), 8, measure(Crc64::new(), &messages)?),
        (XxHash64::new().name(), 8, measure(XxHash64::new(), &messages)?),
        (Xxh3::new().name(), 8, measure(Xxh3::new(), &messages)?),
    ];
    for (name, size, (per_frame, write, read)) in rows {
        println!("{name:<17} {size:>6} {per_frame:>12} {write:>14.2?} {read:>14.2?}");
    }
    println!("\nSmall messages: a 2-byte CRC-16 keeps frames small (safe up to ~4 KiB payloads).");
    println!("Larger ones: CRC-32C (4 bytes) or XXH3 (8 bytes, fastest on big payloads).");
    Ok(())
}
