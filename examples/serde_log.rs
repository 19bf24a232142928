//! A serde type with its own framing (`#[derive(Framing)]`), written and read
//! back in postcard, JSON and MessagePack, next to the same message derived
//! as FlatBuffers: bytes per frame and messages per second, in memory.
//!
//! cargo run --release --example serde_log

use std::hint::black_box;
use std::time::Instant;

use flatstream::prelude::*;
use flatstream::{Json, MsgPack, Postcard, SerdeFormat};
use serde::{Deserialize, Serialize};

/// The telemetry message as a serde type, with a framing of its own:
/// CRC-32C over the payload, like the derived message below, and
/// `min_len = 1` (a serde payload can be shorter than a FlatBuffers one).
#[derive(Serialize, Deserialize, Framing, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, min_len = 1)]
struct Reading {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

/// The same message, derived as FlatBuffers.
#[derive(StreamSerialize, StreamDeserialize)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

const MESSAGES: u64 = 200_000;

fn reading(i: u64) -> Reading {
    Reading {
        timestamp: 1_700_000_000_000 + i,
        sensor_id: (i % 8) as u32,
        value: i as f64 * 0.25,
        unit: "C".into(),
    }
}

/// Writes and reads back `MESSAGES` readings in format `F`.
fn run<F: SerdeFormat>(readings: &[Reading]) -> flatstream::Result<()> {
    let started = Instant::now();
    let mut w = StreamWriter::new(Vec::with_capacity(64 << 20), Reading::framer());
    for r in readings {
        w.write(&flatstream::Serde::<F, _>::new(r))?;
    }
    let bytes = w.into_inner();
    let wrote = started.elapsed();

    let started = Instant::now();
    let mut reader =
        StreamReader::new(&bytes[..], Reading::deframer()).typed::<flatstream::Serde<F, Reading>>();
    let mut sum = 0.0;
    for r in reader.by_ref() {
        sum += r?.0.value;
    }
    let read = started.elapsed();
    black_box(sum);
    report(F::NAME, bytes.len(), wrote, read);
    Ok(())
}

fn report(name: &str, bytes: usize, wrote: std::time::Duration, read: std::time::Duration) {
    let per_second = |d: std::time::Duration| MESSAGES as f64 / d.as_secs_f64() / 1e6;
    println!(
        "| {name} | {:.1} | {:.1} M msg/s | {:.1} M msg/s |",
        bytes as f64 / MESSAGES as f64,
        per_second(wrote),
        per_second(read)
    );
}

fn main() -> flatstream::Result<()> {
    let readings: Vec<Reading> = (0..MESSAGES).map(reading).collect();
    println!("{MESSAGES} telemetry messages, CRC-32C frames, in memory; read = decode to owned values\n");
    println!("| payload | bytes per frame | write | read |");
    println!("|---|---:|---:|---:|");

    // FlatBuffers, derived: the reference.
    let messages: Vec<Telemetry> = readings
        .iter()
        .map(|r| Telemetry {
            timestamp: r.timestamp,
            sensor_id: r.sensor_id,
            value: r.value,
            unit: r.unit.clone(),
        })
        .collect();
    let started = Instant::now();
    let mut w = StreamWriter::new(Vec::with_capacity(64 << 20), Telemetry::framer());
    for m in &messages {
        w.write(m)?;
    }
    let bytes = w.into_inner();
    let wrote = started.elapsed();
    let started = Instant::now();
    let mut sum = 0.0;
    for t in StreamReader::new(&bytes[..], Telemetry::deframer()).into_typed() {
        sum += t?.value;
    }
    let read = started.elapsed();
    black_box(sum);
    report("FlatBuffers (derived)", bytes.len(), wrote, read);

    run::<flatstream::formats::PostcardFormat>(&readings)?;
    run::<flatstream::formats::JsonFormat>(&readings)?;
    run::<flatstream::formats::MsgPackFormat>(&readings)?;

    // The names read naturally, and every format shares the framing.
    let mut w = StreamWriter::new(Vec::new(), Reading::framer());
    w.write(&Postcard(&readings[0]))?;
    w.write(&Json(&readings[1]))?;
    w.write(&MsgPack(&readings[2]))?;
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Reading::deframer());
    assert_eq!(
        r.read::<Postcard<Reading>>()?.map(|v| v.0),
        Some(readings[0].clone())
    );
    assert_eq!(r.read::<Json<Reading>>()?.map(|v| v.0), Some(readings[1].clone()));
    assert_eq!(
        r.read::<MsgPack<Reading>>()?.map(|v| v.0),
        Some(readings[2].clone())
    );
    println!("\nOne frame of each, read back by type: ok");
    Ok(())
}
