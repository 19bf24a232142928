//! Compressed streams of the telemetry message (issue 19): 1,000,000
//! messages per iteration, written with `StreamWriter::write` into a `Vec`
//! and read back as verified views with `StreamReader::read_view`:
//!
//! * `plain`: the derived framing (`len = u32, checksum = crc32c`), no
//!   compression: the baseline;
//! * `lz4_blocks`, `zstd_blocks`: the same frames' payloads grouped into
//!   64 KiB blocks (`CompressedFramer::blocks`), LZ4 and zstd level 3;
//! * `write/lz4_blocks_background`: LZ4 blocks compressed on a second
//!   thread (`StreamWriter::with_background_packing`);
//! * `write_file/*`: the same writes into a file (the page cache), through
//!   a buffered writer (`StreamWriter::with_capacity(64 KiB, ..)`).
//!
//! Before measuring, it prints the bytes per message of each stream,
//! against protobuf's length-delimited encoding of the same messages
//! (prost) and zstd per message without a dictionary.
//!
//! cargo bench -p flatstream --features lz4,zstd --bench compression
//!
//! `FLATSTREAM_RATIOS=1` instead prints each compressed stream's
//! throughput as a share of the plain stream's (plain time over compressed
//! time: 0.50x is half as fast), measured in interleaved rounds
//! (`shared/ratios.rs`).

use std::hint::black_box;

#[path = "shared/ratios.rs"]
mod ratios;

use criterion::{criterion_group, Criterion, Throughput};
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
    let out = std::cell::RefCell::new(Vec::with_capacity(80 << 20));
    macro_rules! write_row {
        ($name:literal, $framer:expr) => {
            g.bench_function(concat!("write/", $name), |b| {
                b.iter(|| rewrite($framer, black_box(&items), &out))
            });
        };
    }
    write_row!("plain", plain());
    write_row!("lz4_blocks", lz4_blocks());
    write_row!("zstd_blocks", zstd_blocks());
    g.bench_function("write/lz4_blocks_background", |b| {
        b.iter(|| rewrite_lz4_background(black_box(&items), &out))
    });

    // Into a file (the page cache; a buffered writer, so the plain stream
    // does not make a system call per message), where a compressed log
    // lives: the same file, emptied before each iteration.
    let path = std::env::temp_dir().join(format!("flatstream-bench-compression-{}", std::process::id()));
    let file = std::cell::RefCell::new(std::fs::File::create(&path).unwrap());
    macro_rules! file_row {
        ($name:literal, $framer:expr) => {
            g.bench_function(concat!("write_file/", $name), |b| {
                b.iter(|| rewrite_file($framer, black_box(&items), &file))
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

/// Writes `items` into `buf` again, reusing its capacity.
fn rewrite<F: Framer>(framer: F, items: &[Telemetry], buf: &std::cell::RefCell<Vec<u8>>) {
    let mut buf = buf.borrow_mut();
    buf.clear();
    let taken = std::mem::take(&mut *buf);
    *buf = write(framer, items, taken);
}

/// [`rewrite`] with LZ4 blocks compressed on a second thread.
fn rewrite_lz4_background(items: &[Telemetry], buf: &std::cell::RefCell<Vec<u8>>) {
    let mut buf = buf.borrow_mut();
    buf.clear();
    let mut w = StreamWriter::new(std::mem::take(&mut *buf), lz4_blocks())
        .with_background_packing()
        .unwrap();
    for item in items {
        w.write(item).unwrap();
    }
    *buf = w.into_inner();
}

/// Writes `items` into `file`, emptied first, through a buffered writer.
fn rewrite_file<F: Framer>(framer: F, items: &[Telemetry], file: &std::cell::RefCell<std::fs::File>) {
    use std::io::Seek;
    let mut file = file.borrow_mut();
    file.set_len(0).unwrap();
    file.rewind().unwrap();
    let mut w = StreamWriter::with_capacity(64 * 1024, &mut *file, framer);
    for item in items {
        w.write(item).unwrap();
    }
    w.flush().unwrap();
    black_box(w.position());
}

/// Each compressed stream's throughput as a share of the plain one's, in
/// interleaved rounds.
fn ratios() {
    const ROUNDS: usize = 15;
    let items = &messages();
    let plain_out = std::cell::RefCell::new(Vec::with_capacity(80 << 20));
    let packed_out = std::cell::RefCell::new(Vec::with_capacity(80 << 20));
    let path = std::env::temp_dir().join(format!("flatstream-bench-ratios-{}", std::process::id()));
    let file = std::cell::RefCell::new(std::fs::File::create(&path).unwrap());
    let plain_bytes = write(plain(), items, Vec::new());
    let lz4_bytes = write(lz4_blocks(), items, Vec::new());
    let zstd_bytes = write(zstd_blocks(), items, Vec::new());
    let expected = read(Telemetry::deframer(), &plain_bytes);
    println!(
        "throughput against the plain stream's, {ROUNDS} interleaved rounds: median (10th - 90th percentile)"
    );
    // Plain time over compressed time: the compressed stream's share.
    let row = |name: &str, plain_run: &mut dyn FnMut(), packed_run: &mut dyn FnMut()| {
        println!(
            "{name:<24} {}",
            ratios::interleaved(ROUNDS, plain_run, packed_run)
        );
    };
    row(
        "write, LZ4 blocks",
        &mut || rewrite(plain(), items, &plain_out),
        &mut || rewrite(lz4_blocks(), items, &packed_out),
    );
    row(
        "write, LZ4, background",
        &mut || rewrite(plain(), items, &plain_out),
        &mut || rewrite_lz4_background(items, &packed_out),
    );
    row(
        "write, zstd blocks",
        &mut || rewrite(plain(), items, &plain_out),
        &mut || rewrite(zstd_blocks(), items, &packed_out),
    );
    row(
        "write file, LZ4 blocks",
        &mut || rewrite_file(plain(), items, &file),
        &mut || rewrite_file(lz4_blocks(), items, &file),
    );
    row(
        "read_view, LZ4 blocks",
        &mut || assert_eq!(read(Telemetry::deframer(), &plain_bytes), expected),
        &mut || {
            assert_eq!(
                read(CompressedDeframer::new(Telemetry::deframer(), Lz4), &lz4_bytes),
                expected
            )
        },
    );
    row(
        "read_view, zstd blocks",
        &mut || assert_eq!(read(Telemetry::deframer(), &plain_bytes), expected),
        &mut || {
            let deframer = CompressedDeframer::new(Telemetry::deframer(), Zstd::new());
            assert_eq!(read(deframer, &zstd_bytes), expected)
        },
    );
    drop(file);
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, compression);

fn main() {
    ratios::main_with(ratios, benches);
}
