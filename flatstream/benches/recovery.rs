//! `SkipCorrupt` scanning 100 MiB of random bytes (no frame in it): the scan
//! must be linear, one header test per byte position.
//!
//! cargo bench --bench recovery

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flatstream::prelude::*;

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c, covers = frame)]
struct Protected {}

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c, magic = b"FS")]
struct Magic {}

fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

fn scan<D: Deframer + Copy>(d: D, bytes: &[u8]) -> u64
where
    flatstream::recovery::SkipCorrupt: flatstream::recovery::RecoveryPolicy<D>,
{
    let mut r = StreamReader::new(bytes, d)
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    while r.read_message().unwrap().is_some() {}
    r.take_skipped().iter().map(|s| s.len).sum()
}

fn skip_corrupt(c: &mut Criterion) {
    let bytes = noise(100 << 20);
    let mut group = c.benchmark_group("skip_corrupt_100MiB_random");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("covers_frame", |b| {
        b.iter(|| assert_eq!(scan(Protected::deframer(), black_box(&bytes)), 100 << 20))
    });
    group.bench_function("magic", |b| b.iter(|| scan(Magic::deframer(), black_box(&bytes))));
    group.finish();
}

criterion_group!(benches, skip_corrupt);
criterion_main!(benches);
