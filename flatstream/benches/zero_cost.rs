//! Is framing zero-cost? The framers against the loop a careful user
//! writes by hand, over the same built 64-byte payloads, in the two call
//! contexts user code has:
//!
//! * `fn`: inside an `#[inline(never)]` function that propagates errors
//!   with `?`;
//! * `closure`: inside the benchmark closure, every frame `.unwrap()`ed
//!   and passed through `black_box`.
//!
//! Rows (1,000 frames per iteration):
//!
//! * `slice/*`: `SliceReader::read_message` with `DefaultDeframer` and a
//!   derived `#[frame(len = u32)]` against a slice loop bounds-checked with
//!   `get`, with a length limit and errors;
//! * `stream/*`: `StreamReader::read_message` over a `&[u8]` (through
//!   `Read`) against a hand `read_exact` loop into a reused `Vec`;
//! * `write/*`: `Framer::encode_frame` and `StreamWriter::write` of built
//!   payloads into a `Vec` against a hand `extend_from_slice` loop.
//!
//! The hand loops are monomorphic, inlined and do no work twice; they
//! return errors as a `&'static str`, as small as an error can be.
//!
//! cargo bench -p flatstream --bench zero_cost

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flatstream::prelude::*;
use flatstream::SliceReader;

#[derive(StreamSerialize)]
#[frame(len = u32)]
struct Derived {}

const FRAMES: usize = 1000;
const PAYLOAD: usize = 64;
const MAX_LEN: usize = 16 << 20;

fn payloads() -> Vec<Vec<u8>> {
    (0..FRAMES).map(|i| vec![(i % 251) as u8; PAYLOAD]).collect()
}

/// The next `[u32 LE len][payload]` frame of `bytes` at `*at`.
#[inline(always)]
fn hand_next<'a>(bytes: &'a [u8], at: &mut usize) -> Result<Option<&'a [u8]>, &'static str> {
    let Some(header) = bytes.get(*at..*at + 4) else {
        return if *at == bytes.len() {
            Ok(None)
        } else {
            Err("torn header")
        };
    };
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if len > MAX_LEN {
        return Err("frame too large");
    }
    let payload = bytes.get(*at + 4..*at + 4 + len).ok_or("torn frame")?;
    *at += 4 + len;
    Ok(Some(payload))
}

#[inline(never)]
fn hand_slice_fn(bytes: &[u8]) -> Result<usize, &'static str> {
    let (mut at, mut n) = (0, 0);
    while let Some(p) = hand_next(bytes, &mut at)? {
        n += p.len();
    }
    Ok(n)
}

#[inline(never)]
fn slice_fn<D: Deframer>(deframer: D, bytes: &[u8]) -> flatstream::Result<usize> {
    let mut r = SliceReader::new(bytes, deframer);
    let mut n = 0;
    while let Some(p) = r.read_message()? {
        n += p.len();
    }
    Ok(n)
}

/// The hand `read_exact` loop: a header, a length limit, the payload into
/// a reused buffer.
#[inline(always)]
fn hand_stream<R: Read>(mut input: R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut n = 0;
    let mut header = [0u8; 4];
    loop {
        match input.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(n),
            Err(e) => return Err(e),
        }
        let len = u32::from_le_bytes(header) as usize;
        if len > MAX_LEN {
            return Err(std::io::Error::other("frame too large"));
        }
        buf.resize(len, 0);
        input.read_exact(&mut buf[..len])?;
        n += buf[..len].len();
    }
}

#[inline(never)]
fn stream_fn<D: Deframer>(deframer: D, bytes: &[u8]) -> flatstream::Result<usize> {
    let mut r = StreamReader::new(bytes, deframer);
    let mut n = 0;
    while let Some(p) = r.read_message()? {
        n += p.len();
    }
    Ok(n)
}

#[inline(always)]
fn hand_write(payloads: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    for p in payloads {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        out.extend_from_slice(p);
    }
}

fn reads(c: &mut Criterion) {
    let payloads = payloads();
    let mut bytes = Vec::new();
    hand_write(&payloads, &mut bytes);
    let total = FRAMES * PAYLOAD;
    assert_eq!(hand_slice_fn(&bytes), Ok(total));
    assert_eq!(slice_fn(Derived::deframer(), &bytes).unwrap(), total);

    let mut group = c.benchmark_group("slice_64B");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("fn/hand", |b| b.iter(|| hand_slice_fn(black_box(&bytes))));
    group.bench_function("fn/runtime", |b| {
        b.iter(|| slice_fn(DefaultDeframer::new(), black_box(&bytes)))
    });
    group.bench_function("fn/derived", |b| {
        b.iter(|| slice_fn(Derived::deframer(), black_box(&bytes)))
    });
    group.bench_function("closure/hand", |b| {
        b.iter(|| {
            let bytes = black_box(&bytes[..]);
            let (mut at, mut n) = (0, 0);
            while let Some(p) = hand_next(bytes, &mut at).unwrap() {
                n += black_box(p).len();
            }
            n
        })
    });
    group.bench_function("closure/runtime", |b| {
        b.iter(|| {
            let mut r = SliceReader::new(black_box(&bytes[..]), DefaultDeframer::new());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            n
        })
    });
    group.bench_function("closure/derived", |b| {
        b.iter(|| {
            let mut r = SliceReader::new(black_box(&bytes[..]), Derived::deframer());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            n
        })
    });
    group.finish();

    let mut group = c.benchmark_group("stream_64B");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let mut buf = Vec::new();
    assert_eq!(hand_stream(&bytes[..], &mut buf).unwrap(), total);
    assert_eq!(stream_fn(Derived::deframer(), &bytes).unwrap(), total);
    group.bench_function("fn/hand", |b| {
        b.iter(|| hand_stream_fn(black_box(&bytes), &mut buf))
    });
    group.bench_function("fn/runtime", |b| {
        b.iter(|| stream_fn(DefaultDeframer::new(), black_box(&bytes)))
    });
    group.bench_function("fn/derived", |b| {
        b.iter(|| stream_fn(Derived::deframer(), black_box(&bytes)))
    });
    group.bench_function("closure/hand", |b| {
        b.iter(|| {
            let mut input = black_box(&bytes[..]);
            let mut header = [0u8; 4];
            let mut n = 0;
            while input.read_exact(&mut header).is_ok() {
                let len = u32::from_le_bytes(header) as usize;
                assert!(len <= MAX_LEN, "frame too large");
                buf.resize(len, 0);
                input.read_exact(&mut buf[..len]).unwrap();
                n += black_box(&buf[..len]).len();
            }
            n
        })
    });
    group.bench_function("closure/derived", |b| {
        b.iter(|| {
            let mut r = StreamReader::new(black_box(&bytes[..]), Derived::deframer());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += black_box(p).len();
            }
            n
        })
    });
    group.finish();
}

#[inline(never)]
fn hand_stream_fn(bytes: &[u8], buf: &mut Vec<u8>) -> std::io::Result<usize> {
    hand_stream(bytes, buf)
}

#[inline(never)]
fn encode_frame_fn<F: Framer>(framer: &F, payloads: &[Vec<u8>], out: &mut Vec<u8>) -> flatstream::Result<()> {
    out.clear();
    for p in payloads {
        framer.encode_frame(p, out)?;
    }
    Ok(())
}

#[inline(never)]
fn write_fn<F: Framer>(w: &mut StreamWriter<Vec<u8>, F>, payloads: &[Vec<u8>]) -> flatstream::Result<()> {
    w.get_mut().clear();
    for p in payloads {
        w.write(&RawPayload(p))?;
    }
    Ok(())
}

fn writes(c: &mut Criterion) {
    let payloads = payloads();
    let mut expected = Vec::new();
    hand_write(&payloads, &mut expected);
    let mut out = Vec::with_capacity(FRAMES * (PAYLOAD + 16));
    let mut w = StreamWriter::new(Vec::with_capacity(FRAMES * (PAYLOAD + 16)), Derived::framer());
    encode_frame_fn(&Derived::framer(), &payloads, &mut out).unwrap();
    assert_eq!(out, expected);
    write_fn(&mut w, &payloads).unwrap();
    assert_eq!(*w.get_ref(), expected);

    let mut group = c.benchmark_group("write_64B");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("fn/hand", |b| {
        b.iter(|| hand_write_fn(black_box(&payloads), &mut out))
    });
    group.bench_function("fn/encode_frame_runtime", |b| {
        b.iter(|| encode_frame_fn(&DefaultFramer, black_box(&payloads), &mut out))
    });
    group.bench_function("fn/encode_frame_derived", |b| {
        b.iter(|| encode_frame_fn(&Derived::framer(), black_box(&payloads), &mut out))
    });
    group.bench_function("fn/write_derived", |b| {
        b.iter(|| write_fn(&mut w, black_box(&payloads)))
    });
    group.bench_function("closure/hand", |b| {
        b.iter(|| hand_write(black_box(&payloads), &mut out))
    });
    group.bench_function("closure/encode_frame_derived", |b| {
        b.iter(|| {
            out.clear();
            let framer = Derived::framer();
            for p in black_box(&payloads) {
                framer.encode_frame(p, &mut out).unwrap();
            }
        })
    });
    group.bench_function("closure/write_derived", |b| {
        b.iter(|| {
            w.get_mut().clear();
            for p in black_box(&payloads) {
                w.write(&RawPayload(p)).unwrap();
            }
        })
    });
    group.finish();
}

#[inline(never)]
fn hand_write_fn(payloads: &[Vec<u8>], out: &mut Vec<u8>) {
    hand_write(payloads, out)
}

criterion_group!(benches, reads, writes);
criterion_main!(benches);
