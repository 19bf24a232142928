//! Each checksum alone, in GB/s at 16 B .. 64 KiB, against the fastest
//! implementations available: `crc` (table, slice-by-16), `crc-fast` (SIMD
//! carry-less multiplication), `crc32fast`, `xxhash-rust`.
//!
//! cargo bench --bench checksums

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flatstream::checksum::*;

const SIZES: [usize; 5] = [16, 64, 1024, 16 * 1024, 64 * 1024];

/// A named checksum implementation.
type Impl<'a> = (&'a str, &'a dyn Fn(&[u8]) -> u64);

fn bench_one(c: &mut Criterion, name: &str, impls: &[Impl<'_>]) {
    let data: Vec<u8> = (0..64 * 1024).map(|i| (i * 31 % 251) as u8).collect();
    let mut group = c.benchmark_group(name);
    for size in SIZES {
        group.throughput(Throughput::Bytes(size as u64));
        for (label, f) in impls {
            group.bench_with_input(BenchmarkId::new(*label, size), &data[..size], |b, d| {
                b.iter(|| f(black_box(d)))
            });
        }
    }
    group.finish();
}

static CRC16_TABLE: crc::Crc<u16, crc::Table<16>> =
    crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_IBM_SDLC);
static CRC32C_TABLE: crc::Crc<u32, crc::Table<16>> = crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
static CRC64_TABLE: crc::Crc<u64, crc::Table<16>> = crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_XZ);

fn checksums(c: &mut Criterion) {
    use crc_fast::CrcAlgorithm as A;
    bench_one(
        c,
        "crc16_ibm_sdlc",
        &[
            ("flatstream", &|d| Crc16::new().calculate(d)),
            ("crc_table16", &|d| u64::from(CRC16_TABLE.checksum(d))),
            ("crc_fast", &|d| crc_fast::checksum(A::Crc16IbmSdlc, d)),
        ],
    );
    bench_one(
        c,
        "crc32_iso_hdlc",
        &[
            ("flatstream", &|d| Crc32::new().calculate(d)),
            ("crc32fast", &|d| u64::from(crc32fast::hash(d))),
            ("crc_fast", &|d| crc_fast::checksum(A::Crc32IsoHdlc, d)),
        ],
    );
    bench_one(
        c,
        "crc32c",
        &[
            ("flatstream", &|d| Crc32c::new().calculate(d)),
            ("crc_table16", &|d| u64::from(CRC32C_TABLE.checksum(d))),
            ("crc_fast", &|d| crc_fast::checksum(A::Crc32Iscsi, d)),
        ],
    );
    bench_one(
        c,
        "crc64_xz",
        &[
            ("flatstream", &|d| Crc64::new().calculate(d)),
            ("crc_table16", &|d| CRC64_TABLE.checksum(d)),
            ("crc_fast", &|d| crc_fast::checksum(A::Crc64Xz, d)),
        ],
    );
    bench_one(
        c,
        "xxhash",
        &[
            ("flatstream_xxh64", &|d| XxHash64::new().calculate(d)),
            ("xxhash_rust_xxh64", &|d| xxhash_rust::xxh64::xxh64(d, 0)),
            ("flatstream_xxh3", &|d| Xxh3::new().calculate(d)),
            ("xxhash_rust_xxh3", &|d| xxhash_rust::xxh3::xxh3_64(d)),
        ],
    );
}

criterion_group!(benches, checksums);
criterion_main!(benches);
