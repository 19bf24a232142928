//! Serde payloads (postcard, JSON, MessagePack) against the derived
//! FlatBuffers message, through the same CRC-32C framing: writing 1,000
//! telemetry messages into a reused `Vec`, and reading them back as owned
//! values. Bytes per frame are printed once.
//!
//! cargo bench -p flatstream --features postcard,json,msgpack --bench serde_formats

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flatstream::formats::{JsonFormat, MsgPackFormat, PostcardFormat};
use flatstream::prelude::*;
use flatstream::{Serde, SerdeFormat};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Framing, Clone)]
#[frame(len = u32, checksum = crc32c, min_len = 1)]
struct Reading {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

#[derive(StreamSerialize, StreamDeserialize)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

const N: u64 = 1000;

fn readings() -> Vec<Reading> {
    (0..N)
        .map(|i| Reading {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 8) as u32,
            value: i as f64 * 0.25,
            unit: "C".into(),
        })
        .collect()
}

fn flatbuffers(c: &mut Criterion) {
    let msgs: Vec<Telemetry> = readings()
        .into_iter()
        .map(|r| Telemetry {
            timestamp: r.timestamp,
            sensor_id: r.sensor_id,
            value: r.value,
            unit: r.unit,
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    for m in &msgs {
        w.write(m).unwrap();
    }
    let bytes = w.into_inner();
    println!(
        "FlatBuffers (derived): {:.1} bytes per frame",
        bytes.len() as f64 / N as f64
    );
    let mut group = c.benchmark_group("serde_formats");
    group.throughput(Throughput::Elements(N));
    group.bench_function("write/0_flatbuffers_derived", |b| {
        let mut w = StreamWriter::new(Vec::with_capacity(bytes.len()), Telemetry::framer());
        b.iter(|| {
            w.get_mut().clear();
            for m in &msgs {
                w.write(black_box(m)).unwrap();
            }
        })
    });
    group.bench_function("read/0_flatbuffers_derived", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            let mut r = StreamReader::new(black_box(&bytes[..]), Telemetry::deframer());
            while let Some(t) = r.read::<Telemetry>().unwrap() {
                sum += t.value;
            }
            sum
        })
    });
}

fn format<F: SerdeFormat>(c: &mut Criterion, row: &str) {
    let msgs = readings();
    let mut w = StreamWriter::new(Vec::new(), Reading::framer());
    for m in &msgs {
        w.write(&Serde::<F, _>::new(m)).unwrap();
    }
    let bytes = w.into_inner();
    println!(
        "{}: {:.1} bytes per frame",
        F::NAME,
        bytes.len() as f64 / N as f64
    );
    let mut group = c.benchmark_group("serde_formats");
    group.throughput(Throughput::Elements(N));
    group.bench_function(format!("write/{row}"), |b| {
        let mut w = StreamWriter::new(Vec::with_capacity(bytes.len()), Reading::framer());
        b.iter(|| {
            w.get_mut().clear();
            for m in &msgs {
                w.write(&Serde::<F, _>::new(black_box(m))).unwrap();
            }
        })
    });
    group.bench_function(format!("read/{row}"), |b| {
        b.iter(|| {
            let mut sum = 0.0;
            let mut r = StreamReader::new(black_box(&bytes[..]), Reading::deframer());
            while let Some(t) = r.read::<Serde<F, Reading>>().unwrap() {
                sum += t.0.value;
            }
            sum
        })
    });
}

fn formats(c: &mut Criterion) {
    flatbuffers(c);
    format::<PostcardFormat>(c, "1_postcard");
    format::<JsonFormat>(c, "2_json");
    format::<MsgPackFormat>(c, "3_msgpack");
}

criterion_group!(benches, formats);
criterion_main!(benches);
