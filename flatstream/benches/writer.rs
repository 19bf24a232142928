//! `write_batch` against a loop of `write`, and a buffered writer
//! (`with_capacity`) against both, on a file opened on /dev/null (an
//! unbuffered writer makes one system call per write) and on a `Vec`.
//!
//! cargo bench --bench writer

use std::fs::File;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flatstream::{ChecksumFramer, Crc32c, StreamWriter};

fn messages() -> Vec<String> {
    (0..1000)
        .map(|i| format!("telemetry reading number {i:>6}, 21.5 C"))
        .collect()
}

fn write_vs_batch(c: &mut Criterion) {
    let msgs = messages();
    let mut group = c.benchmark_group("unbuffered_file_1000_msgs");
    group.throughput(Throughput::Elements(msgs.len() as u64));
    group.bench_function("write_loop", |b| {
        let mut w = StreamWriter::new(
            File::create("/dev/null").unwrap(),
            ChecksumFramer::new(Crc32c::new()),
        );
        b.iter(|| {
            for m in &msgs {
                w.write(black_box(m)).unwrap();
            }
        })
    });
    group.bench_function("write_batch", |b| {
        let mut w = StreamWriter::new(
            File::create("/dev/null").unwrap(),
            ChecksumFramer::new(Crc32c::new()),
        );
        b.iter(|| w.write_batch(black_box(&msgs)).unwrap())
    });
    group.bench_function("buffered_64KiB_write_loop", |b| {
        let mut w = StreamWriter::with_capacity(
            64 << 10,
            File::create("/dev/null").unwrap(),
            ChecksumFramer::new(Crc32c::new()),
        );
        b.iter(|| {
            for m in &msgs {
                w.write(black_box(m)).unwrap();
            }
            w.flush().unwrap();
        })
    });
    group.finish();

    let mut group = c.benchmark_group("vec_1000_msgs");
    group.throughput(Throughput::Elements(msgs.len() as u64));
    group.bench_function("write_loop", |b| {
        let mut w = StreamWriter::new(Vec::with_capacity(1 << 20), ChecksumFramer::new(Crc32c::new()));
        b.iter(|| {
            w.get_mut().clear();
            for m in &msgs {
                w.write(black_box(m)).unwrap();
            }
        })
    });
    group.bench_function("write_batch", |b| {
        let mut w = StreamWriter::new(Vec::with_capacity(1 << 20), ChecksumFramer::new(Crc32c::new()));
        b.iter(|| {
            w.get_mut().clear();
            w.write_batch(black_box(&msgs)).unwrap()
        })
    });
    group.bench_function("buffered_64KiB_write_loop", |b| {
        let mut w = StreamWriter::with_capacity(
            64 << 10,
            Vec::with_capacity(1 << 20),
            ChecksumFramer::new(Crc32c::new()),
        );
        b.iter(|| {
            w.get_mut().clear();
            for m in &msgs {
                w.write(black_box(m)).unwrap();
            }
            w.flush().unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, write_vs_batch);
criterion_main!(benches);
