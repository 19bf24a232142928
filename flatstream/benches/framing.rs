//! Derived framers against the hand-composed runtime framers, side by side:
//! the same payloads framed (write) and deframed + verified (read).
//!
//! cargo bench --bench framing

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flatstream::prelude::*;
use flatstream::SliceReader;

#[derive(StreamSerialize)]
#[frame(len = u32)]
struct DerivedNone {}

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c)]
struct DerivedCrc32c {}

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = xxh3)]
struct DerivedXxh3 {}

const FRAMES: usize = 1000;

fn payloads(size: usize) -> Vec<Vec<u8>> {
    (0..FRAMES).map(|i| vec![(i % 251) as u8; size]).collect()
}

fn write_all<F: Framer + Copy>(framer: F, payloads: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    let mut w = StreamWriter::new(std::mem::take(out), framer);
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    *out = w.into_inner();
}

fn read_all<D: Deframer + Copy>(deframer: D, bytes: &[u8]) -> usize {
    let mut r = SliceReader::new(bytes, deframer);
    let mut n = 0;
    while let Some(p) = r.read_message().unwrap() {
        n += p.len();
    }
    n
}

fn pair<F1, D1, F2, D2>(c: &mut Criterion, name: &str, derived: (F1, D1), runtime: (F2, D2))
where
    F1: Framer + Copy,
    D1: Deframer + Copy,
    F2: Framer + Copy,
    D2: Deframer + Copy,
{
    for size in [64usize, 1024, 65536] {
        let payloads = payloads(size);
        let mut out = Vec::with_capacity(FRAMES * (size + 16));
        let mut group = c.benchmark_group(format!("{name}/{size}B"));
        group.throughput(Throughput::Elements(FRAMES as u64));
        group.bench_function(BenchmarkId::new("write", "derived"), |b| {
            b.iter(|| write_all(derived.0, black_box(&payloads), &mut out))
        });
        group.bench_function(BenchmarkId::new("write", "runtime"), |b| {
            b.iter(|| write_all(runtime.0, black_box(&payloads), &mut out))
        });
        write_all(runtime.0, &payloads, &mut out);
        group.bench_function(BenchmarkId::new("read", "derived"), |b| {
            b.iter(|| read_all(derived.1, black_box(&out)))
        });
        group.bench_function(BenchmarkId::new("read", "runtime"), |b| {
            b.iter(|| read_all(runtime.1, black_box(&out)))
        });
        group.finish();
    }
}

fn derived_vs_runtime(c: &mut Criterion) {
    pair(
        c,
        "none",
        (DerivedNone::framer(), DerivedNone::deframer()),
        (DefaultFramer, DefaultDeframer::new()),
    );
    pair(
        c,
        "crc32c",
        (DerivedCrc32c::framer(), DerivedCrc32c::deframer()),
        (
            ChecksumFramer::new(Crc32c::new()),
            ChecksumDeframer::new(Crc32c::new()),
        ),
    );
    pair(
        c,
        "xxh3",
        (DerivedXxh3::framer(), DerivedXxh3::deframer()),
        (
            ChecksumFramer::new(Xxh3::new()),
            ChecksumDeframer::new(Xxh3::new()),
        ),
    );
}

criterion_group!(benches, derived_vs_runtime);
criterion_main!(benches);
