//! Why the derived write pays for its checksum: CRC-32C of a payload right
//! after it was written, by the table writer (stores of 1 to 8 bytes at
//! scattered positions) and by a stand-in writer that stores the same
//! number of bytes as whole 8-byte words aligned to the payload's start,
//! built in registers. The checksum reads 8 bytes at a time; a load that
//! spans several recent stores cannot be served from them and waits until
//! they reach the cache. The stand-in's bytes are not a valid message: it
//! measures the stores, not an encoder. 1,000 messages per iteration.
//!
//! cargo bench -p flatstream --bench store_forwarding

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flatstream::prelude::*;
use flatstream::PayloadSink;

#[derive(StreamSerialize, Clone)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

/// 64 bytes from the message's fields, as eight aligned 8-byte stores.
#[inline(always)]
fn words_of(m: &Telemetry, out: &mut Vec<u8>) {
    let unit = m.unit.as_bytes();
    let mut head = [0u8; 8];
    let n = unit.len().min(8);
    head[..n].copy_from_slice(&unit[..n]);
    let words = [
        0x0010_0000_0000_001c,
        0x0004_0018_000c_0008,
        (m.timestamp << 32) | 12,
        (m.timestamp >> 32) | (m.value.to_bits() << 32),
        (m.value.to_bits() >> 32) | (u64::from(m.sensor_id) << 32),
        12 | ((unit.len() as u64) << 32),
        u64::from_le_bytes(head),
        0,
    ];
    let at = out.len();
    out.resize(at + 64, 0);
    for (i, word) in words.iter().enumerate() {
        out[at + 8 * i..at + 8 * i + 8].copy_from_slice(&word.to_le_bytes());
    }
}

fn store_forwarding(c: &mut Criterion) {
    let msgs: Vec<Telemetry> = (0..1000u64)
        .map(|i| Telemetry {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 64) as u32 + 1,
            value: 20.0 + i as f64,
            unit: "celsius".into(),
        })
        .collect();
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    let crc = Crc32c::new();
    let mut group = c.benchmark_group("store_forwarding_1000");
    group.bench_function("table_writer", |b| {
        b.iter(|| {
            let mut acc = 0;
            for m in black_box(&msgs) {
                buf.clear();
                m.encode_into(&mut PayloadSink::new(&mut buf)).unwrap();
                acc ^= buf.len();
            }
            acc
        })
    });
    group.bench_function("table_writer_then_crc32c", |b| {
        b.iter(|| {
            let mut acc = 0;
            for m in black_box(&msgs) {
                buf.clear();
                m.encode_into(&mut PayloadSink::new(&mut buf)).unwrap();
                acc ^= crc.calculate(&buf);
            }
            acc
        })
    });
    group.bench_function("aligned_words", |b| {
        b.iter(|| {
            let mut acc = 0;
            for m in black_box(&msgs) {
                buf.clear();
                words_of(m, &mut buf);
                acc ^= buf.len();
            }
            acc
        })
    });
    group.bench_function("aligned_words_then_crc32c", |b| {
        b.iter(|| {
            let mut acc = 0;
            for m in black_box(&msgs) {
                buf.clear();
                words_of(m, &mut buf);
                acc ^= crc.calculate(&buf);
            }
            acc
        })
    });
    group.finish();
}

criterion_group!(benches, store_forwarding);
criterion_main!(benches);
