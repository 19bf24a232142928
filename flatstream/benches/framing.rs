//! Derived framers against the hand-composed runtime framers and a
//! hand-written loop, side by side: the same built payloads framed (write)
//! and deframed + verified (read). The hand-written loop is what a careful
//! user writes: `extend_from_slice` of length, checksum and payload, and a
//! read loop bounds-checked with `get`, with a length limit and errors,
//! monomorphic and inlined (its checksum is a type, not a function pointer).
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

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc16)]
struct DerivedCrc16 {}

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32)]
struct DerivedCrc32 {}

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc64, max_len = 1048576)]
struct DerivedCrc64 {}

#[derive(StreamSerialize)]
#[frame(len = u32, checksum = xxhash64, max_len = 1048576)]
struct DerivedXxHash64 {}

/// Payload sizes: the telemetry message's, 1 KiB and 64 KiB.
const SIZES: &[usize] = &[64, 1024, 65536];

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

/// The sans-IO framing of built payloads: `Framer::encode_frame` straight
/// into the output buffer.
fn frame_all<F: Framer + Copy>(framer: F, payloads: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    for p in payloads {
        framer.encode_frame(p, out).unwrap();
    }
}

fn read_all<D: Deframer + Copy>(deframer: D, bytes: &[u8]) -> usize {
    let mut r = SliceReader::new(bytes, deframer);
    let mut n = 0;
    while let Some(p) = r.read_message().unwrap() {
        n += p.len();
    }
    n
}

/// The hand-written loop's checksum, as a careful user writes it:
/// monomorphic and inlined (no function pointer), computed once per frame.
trait HandSum: Copy {
    /// Checksum bytes in the header.
    const WIDTH: usize;
    /// The checksum of `payload`.
    fn sum(self, payload: &[u8]) -> u64;
}

#[derive(Clone, Copy)]
struct NoSum;

impl HandSum for NoSum {
    const WIDTH: usize = 0;
    #[inline(always)]
    fn sum(self, _: &[u8]) -> u64 {
        0
    }
}

#[derive(Clone, Copy)]
struct Sum<C>(C);

impl<C: Checksum + Copy> HandSum for Sum<C> {
    const WIDTH: usize = C::SIZE;
    #[inline(always)]
    fn sum(self, payload: &[u8]) -> u64 {
        self.0.calculate(payload)
    }
}

/// `[u32 LE len][checksum][payload]`, `extend_from_slice` by hand.
#[inline(always)]
fn hand_write<H: HandSum>(h: H, payloads: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    for p in payloads {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        if H::WIDTH > 0 {
            out.extend_from_slice(&h.sum(p).to_le_bytes()[..H::WIDTH]);
        }
        out.extend_from_slice(p);
    }
}

/// The hand-written read loop: bounds-checked with `get`, a length limit,
/// the checksum compared, errors returned (no panics, no unchecked
/// indexing).
#[inline(always)]
fn hand_read<H: HandSum>(h: H, bytes: &[u8]) -> Result<usize, &'static str> {
    const MAX_LEN: usize = 16 << 20;
    let (mut at, mut n) = (0, 0);
    while let Some(len) = bytes.get(at..at + 4) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if len > MAX_LEN {
            return Err("frame too large");
        }
        let start = at + 4 + H::WIDTH;
        let payload = bytes.get(start..start + len).ok_or("torn frame")?;
        if H::WIDTH > 0 && bytes[at + 4..start] != h.sum(payload).to_le_bytes()[..H::WIDTH] {
            return Err("checksum mismatch");
        }
        n += payload.len();
        at = start + len;
    }
    if at == bytes.len() {
        Ok(n)
    } else {
        Err("torn header")
    }
}

fn pair<F1, D1, F2, D2, H: HandSum>(
    c: &mut Criterion,
    name: &str,
    derived: (F1, D1),
    runtime: (F2, D2),
    hand: H,
    sizes: &[usize],
) where
    F1: Framer + Copy,
    D1: Deframer + Copy,
    F2: Framer + Copy,
    D2: Deframer + Copy,
{
    for &size in sizes {
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
        group.bench_function(BenchmarkId::new("encode_frame", "derived"), |b| {
            b.iter(|| frame_all(derived.0, black_box(&payloads), &mut out))
        });
        group.bench_function(BenchmarkId::new("encode_frame", "runtime"), |b| {
            b.iter(|| frame_all(runtime.0, black_box(&payloads), &mut out))
        });
        group.bench_function(BenchmarkId::new("write", "hand"), |b| {
            b.iter(|| hand_write(hand, black_box(&payloads), &mut out))
        });
        write_all(runtime.0, &payloads, &mut out);
        let mut check = Vec::new();
        hand_write(hand, &payloads, &mut check);
        assert_eq!(check, out, "the hand-written loop writes the same frames");
        group.bench_function(BenchmarkId::new("read", "derived"), |b| {
            b.iter(|| read_all(derived.1, black_box(&out)))
        });
        group.bench_function(BenchmarkId::new("read", "runtime"), |b| {
            b.iter(|| read_all(runtime.1, black_box(&out)))
        });
        group.bench_function(BenchmarkId::new("read", "hand"), |b| {
            b.iter(|| hand_read(hand, black_box(&out)).unwrap())
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
        NoSum,
        SIZES,
    );
    pair(
        c,
        "crc32c",
        (DerivedCrc32c::framer(), DerivedCrc32c::deframer()),
        (
            ChecksumFramer::new(Crc32c::new()),
            ChecksumDeframer::new(Crc32c::new()),
        ),
        Sum(Crc32c::new()),
        SIZES,
    );
    pair(
        c,
        "xxh3",
        (DerivedXxh3::framer(), DerivedXxh3::deframer()),
        (
            ChecksumFramer::new(Xxh3::new()),
            ChecksumDeframer::new(Xxh3::new()),
        ),
        Sum(Xxh3::new()),
        SIZES,
    );
    // The other checksums (CRC-16 only up to its 4 KiB bound).
    pair(
        c,
        "crc16",
        (DerivedCrc16::framer(), DerivedCrc16::deframer()),
        (
            ChecksumFramer::new(Crc16::new()),
            ChecksumDeframer::new(Crc16::new()),
        ),
        Sum(Crc16::new()),
        &SIZES[..2],
    );
    pair(
        c,
        "crc32",
        (DerivedCrc32::framer(), DerivedCrc32::deframer()),
        (
            ChecksumFramer::new(Crc32::new()),
            ChecksumDeframer::new(Crc32::new()),
        ),
        Sum(Crc32::new()),
        SIZES,
    );
    pair(
        c,
        "crc64",
        (DerivedCrc64::framer(), DerivedCrc64::deframer()),
        (
            ChecksumFramer::new(Crc64::new()),
            ChecksumDeframer::new(Crc64::new()),
        ),
        Sum(Crc64::new()),
        SIZES,
    );
    pair(
        c,
        "xxhash64",
        (DerivedXxHash64::framer(), DerivedXxHash64::deframer()),
        (
            ChecksumFramer::new(XxHash64::new()),
            ChecksumDeframer::new(XxHash64::new()),
        ),
        Sum(XxHash64::new()),
        SIZES,
    );
}

criterion_group!(benches, derived_vs_runtime);
criterion_main!(benches);
