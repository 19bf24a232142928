//! Compressed streams of the telemetry message (issue 19): 1,000,000
//! messages per iteration, written with `StreamWriter::write` into a `Vec`
//! and read back as verified views with `StreamReader::read_view`:
//!
//! * `plain`: the derived framing (`len = u32, checksum = crc32c`), no
//!   compression: the baseline;
//! * `lz4_blocks`, `zstd_blocks`: the same frames' payloads grouped into
//!   64 KiB blocks (`CompressedFramer::blocks`), LZ4 and zstd level 3;
//! * `write_file/*`: the same writes into a file (the page cache), through
//!   a buffered writer (`StreamWriter::with_capacity(64 KiB, ..)`).
//!
//! Before measuring, it prints the bytes per message of each stream,
//! against protobuf's length-delimited encoding of the same messages
//! (prost) and zstd per message without a dictionary.
//!
//! cargo bench -p flatstream --features lz4,zstd --bench compression

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flatstream::compress::{
    CompressedDeframer, CompressedFramer, Lz4, Zstd, ZstdDictionary, DEFAULT_BLOCK_LEN,
};
use flatstream::prelude::*;
use flatstream::LayoutFramer;
use prost::Message;

#[derive(StreamSerialize, StreamDeserialize, Clone)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ProstTelemetry {
    #[prost(uint64, tag = "1")]
    timestamp: u64,
    #[prost(uint32, tag = "2")]
    sensor_id: u32,
    #[prost(double, tag = "3")]
    value: f64,
    #[prost(string, tag = "4")]
    unit: String,
}

const COUNT: usize = 1_000_000;

/// The messages of `benches/peers.rs`, a million of them.
fn messages() -> Vec<Telemetry> {
    (0..COUNT as u64)
        .map(|i| Telemetry {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 64) as u32,
            value: 20.0 + (i % 1000) as f64 / 10.0,
            unit: "celsius".into(),
        })
        .collect()
}

fn write<F: Framer>(framer: F, items: &[Telemetry], out: Vec<u8>) -> Vec<u8> {
    let mut w = StreamWriter::new(out, framer);
    for item in items {
        w.write(item).unwrap();
    }
    w.into_inner()
}

/// Reads every message as a verified view; the sum of their sensor ids.
fn read<D: Deframer>(deframer: D, bytes: &[u8]) -> u64 {
    let mut r = StreamReader::new(bytes, deframer);
    let mut sum = 0u64;
    while let Some(view) = r.read_view::<Telemetry>().unwrap() {
        sum += u64::from(view.sensor_id());
    }
    sum
}

fn plain() -> LayoutFramer<Telemetry> {
    Telemetry::framer()
}

fn lz4_blocks() -> CompressedFramer<LayoutFramer<Telemetry>, Lz4> {
    CompressedFramer::blocks(Telemetry::framer(), Lz4, DEFAULT_BLOCK_LEN)
}

fn zstd_blocks() -> CompressedFramer<LayoutFramer<Telemetry>, Zstd> {
    CompressedFramer::blocks(Telemetry::framer(), Zstd::new(), DEFAULT_BLOCK_LEN)
}

fn sizes(items: &[Telemetry], dictionary: &ZstdDictionary) {
    let per_message = |bytes: usize| bytes as f64 / items.len() as f64;
    let plain = write(plain(), items, Vec::new()).len();
    let prost: usize = items
        .iter()
        .map(|t| {
            ProstTelemetry {
                timestamp: t.timestamp,
                sensor_id: t.sensor_id,
                value: t.value,
                unit: t.unit.clone(),
            }
            .encode_length_delimited_to_vec()
            .len()
        })
        .sum();
    let rows = [
        ("flatstream, plain", plain),
        ("prost, length-delimited", prost),
        ("lz4, 64 KiB blocks", write(lz4_blocks(), items, Vec::new()).len()),
        (
            "zstd 3, 64 KiB blocks",
            write(zstd_blocks(), items, Vec::new()).len(),
        ),
        (
            "zstd 19, 64 KiB blocks",
            write(
                CompressedFramer::blocks(Telemetry::framer(), Zstd::with_level(19), DEFAULT_BLOCK_LEN),
                &items[..100_000],
                Vec::new(),
            )
            .len()
                * 10,
        ),
        (
            "zstd 3, each message",
            write(
                CompressedFramer::new(Telemetry::framer(), Zstd::new()),
                &items[..100_000],
                Vec::new(),
            )
            .len()
                * 10,
        ),
        (
            "zstd 3 + dictionary, each message",
            write(
                CompressedFramer::new(
                    Telemetry::framer(),
                    Zstd::new().with_dictionary(dictionary.clone()),
                ),
                &items[..100_000],
                Vec::new(),
            )
            .len()
                * 10,
        ),
    ];
    eprintln!(
        "bytes per message ({} messages; the zstd 19 and each-message rows from the first 100,000):",
        items.len()
    );
    for (name, bytes) in rows {
        eprintln!(
            "  {name:36} {:6.2}  ({:5.2}x smaller than plain)",
            per_message(bytes),
            plain as f64 / bytes as f64
        );
    }
}

fn compression(c: &mut Criterion) {
    let items = messages();
    let samples: Vec<Vec<u8>> = items[..2000]
        .iter()
        .map(|t| t.encode(&mut flatstream::Encoder::new()).unwrap().to_vec())
        .collect();
    let dictionary = ZstdDictionary::train(&samples, 4096).unwrap();
    sizes(&items, &dictionary);

    let mut g = c.benchmark_group("compression");
    g.sample_size(10);
    g.throughput(Throughput::Elements(COUNT as u64));
    let mut out = Vec::with_capacity(80 << 20);
    macro_rules! write_row {
        ($name:literal, $framer:expr) => {
            g.bench_function(concat!("write/", $name), |b| {
                b.iter(|| {
                    out.clear();
                    out = write($framer, black_box(&items), std::mem::take(&mut out));
                    black_box(out.len())
                })
            });
        };
    }
    write_row!("plain", plain());
    write_row!("lz4_blocks", lz4_blocks());
    write_row!("zstd_blocks", zstd_blocks());

    // Into a file (the page cache; a buffered writer, so the plain stream
    // does not make a system call per message), where a compressed log
    // lives: the same file, emptied before each iteration.
    let path = std::env::temp_dir().join(format!("flatstream-bench-compression-{}", std::process::id()));
    let mut file = std::fs::File::create(&path).unwrap();
    macro_rules! file_row {
        ($name:literal, $framer:expr) => {
            g.bench_function(concat!("write_file/", $name), |b| {
                b.iter(|| {
                    use std::io::Seek;
                    file.set_len(0).unwrap();
                    file.rewind().unwrap();
                    let mut w = StreamWriter::with_capacity(64 * 1024, &mut file, $framer);
                    for item in black_box(&items) {
                        w.write(item).unwrap();
                    }
                    w.flush().unwrap();
                    w.position()
                })
            });
        };
    }
    file_row!("plain", plain());
    file_row!("lz4_blocks", lz4_blocks());
    file_row!("zstd_blocks", zstd_blocks());
    drop(file);
    let _ = std::fs::remove_file(&path);

    let streams = [
        ("plain", write(plain(), &items, Vec::new())),
        ("lz4_blocks", write(lz4_blocks(), &items, Vec::new())),
        ("zstd_blocks", write(zstd_blocks(), &items, Vec::new())),
    ];
    let expected = read(Telemetry::deframer(), &streams[0].1);
    for (name, bytes) in &streams {
        g.bench_function(format!("read_view/{name}"), |b| {
            b.iter(|| {
                let sum = match *name {
                    "plain" => read(Telemetry::deframer(), black_box(bytes)),
                    "lz4_blocks" => read(
                        CompressedDeframer::new(Telemetry::deframer(), Lz4),
                        black_box(bytes),
                    ),
                    _ => read(
                        CompressedDeframer::new(Telemetry::deframer(), Zstd::new()),
                        black_box(bytes),
                    ),
                };
                assert_eq!(sum, expected);
                sum
            })
        });
    }
    g.finish();
}

criterion_group!(benches, compression);
criterion_main!(benches);
