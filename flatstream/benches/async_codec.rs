//! The async reader and writer and the codec against `tokio_util`'s
//! `LengthDelimitedCodec`, on the same bytes (`[u32 LE len][payload]`, which
//! both produce), 64-byte payloads. The decoders' input buffers are made
//! outside the timed part (`iter_batched_ref`): copying the stream into a
//! fresh `BytesMut` is not decoding.
//!
//! cargo bench --bench async_codec

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use flatstream::prelude::*;
use tokio_util::bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec};

const FRAMES: usize = 10_000;

/// The encoders' output is "written out" (cleared) at this size.
const FLUSH_AT: usize = 64 * 1024;

fn flush(dst: &mut BytesMut) {
    if dst.len() >= FLUSH_AT {
        black_box(&dst[..]);
        dst.clear();
    }
}

fn length_delimited() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .little_endian()
        .length_field_length(4)
        .new_codec()
}

fn stream(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    w.into_inner()
}

fn decode(c: &mut Criterion) {
    let payloads: Vec<Vec<u8>> = (0..FRAMES).map(|i| vec![(i % 251) as u8; 64]).collect();
    let bytes = stream(&payloads);
    // Same bytes for everyone.
    let mut check = BytesMut::from(&bytes[..]);
    let mut ld = length_delimited();
    assert_eq!(ld.decode(&mut check).unwrap().unwrap().as_ref(), &payloads[0][..]);

    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut group = c.benchmark_group("decode_64B");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("LengthDelimitedCodec", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&bytes[..]),
            |src| {
                let mut codec = length_delimited();
                let mut n = 0;
                while let Some(frame) = codec.decode(black_box(&mut *src)).unwrap() {
                    n += frame.len();
                }
                n
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("FrameCodec", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&bytes[..]),
            |src| {
                let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new());
                let mut n = 0;
                while let Some(frame) = codec.decode(black_box(&mut *src)).unwrap() {
                    n += frame.len();
                }
                n
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("AsyncStreamReader", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut r = AsyncStreamReader::new(black_box(&bytes[..]), DefaultDeframer::new());
                let mut n = 0;
                while let Some(p) = r.read_message().await.unwrap() {
                    n += p.len();
                }
                n
            })
        })
    });
    group.bench_function("StreamReader", |b| {
        b.iter(|| {
            let mut r = StreamReader::new(black_box(&bytes[..]), DefaultDeframer::new());
            let mut n = 0;
            while let Some(p) = r.read_message().unwrap() {
                n += p.len();
            }
            n
        })
    });
    group.bench_function("BatchCodec", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&bytes[..]),
            |src| {
                let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new()).batched();
                let mut n = 0;
                while let Some(batch) = codec.decode(black_box(&mut *src)).unwrap() {
                    for frame in batch.payloads() {
                        n += frame.len();
                    }
                }
                n
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    // Encoding: a payload is framed right after it is built, while it is
    // in cache, so the 10,000 frames cycle through 64 payloads (10,000
    // separate allocations would measure fetching them from memory; both
    // codecs then take ~10 ns a frame, whatever they do). The frames are
    // appended to a `BytesMut` that is emptied whenever it holds 64 KiB, as
    // `FramedWrite` writes its buffer out (growing it to the 680 KB of all
    // frames would measure memory bandwidth instead).
    const HOT: usize = 64;
    let hot = &payloads[..HOT];
    let hot_bytes: Vec<Bytes> = hot.iter().map(|p| Bytes::copy_from_slice(p)).collect();
    let mut group = c.benchmark_group("encode_64B");
    group.throughput(Throughput::Elements(FRAMES as u64));
    // `Encoder<Bytes>` is all `LengthDelimitedCodec` takes: a payload built
    // in a `FlatBufferBuilder` becomes a `Bytes` by copying it.
    group.bench_function("LengthDelimitedCodec", |b| {
        let mut dst = BytesMut::with_capacity(FLUSH_AT + 1024);
        b.iter(|| {
            let mut codec = length_delimited();
            for p in hot.iter().cycle().take(FRAMES) {
                codec.encode(Bytes::copy_from_slice(p), &mut dst).unwrap();
                flush(&mut dst);
            }
            dst.len()
        })
    });
    // Its best case: the payloads are `Bytes` already, and stay shared.
    group.bench_function("LengthDelimitedCodec_shared_Bytes", |b| {
        let mut dst = BytesMut::with_capacity(FLUSH_AT + 1024);
        b.iter(|| {
            let mut codec = length_delimited();
            for p in hot_bytes.iter().cycle().take(FRAMES) {
                codec.encode(p.clone(), &mut dst).unwrap();
                flush(&mut dst);
            }
            dst.len()
        })
    });
    group.bench_function("FrameCodec", |b| {
        let mut dst = BytesMut::with_capacity(FLUSH_AT + 1024);
        let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new());
        b.iter(|| {
            for p in hot.iter().cycle().take(FRAMES) {
                codec.encode(RawPayload(p), &mut dst).unwrap();
                flush(&mut dst);
            }
            dst.len()
        })
    });
    // The async writer over a `Vec` (tokio's `AsyncWrite` for it), emptied
    // at the same size: what `AsyncStreamWriter::write` costs per frame.
    group.bench_function("AsyncStreamWriter", |b| {
        let mut w = AsyncStreamWriter::new(Vec::with_capacity(FLUSH_AT + 1024), DefaultFramer);
        b.iter(|| {
            rt.block_on(async {
                for p in hot.iter().cycle().take(FRAMES) {
                    w.write(&RawPayload(p)).await.unwrap();
                    if w.get_ref().len() >= FLUSH_AT {
                        black_box(&w.get_ref()[..]);
                        w.get_mut().clear();
                    }
                }
            });
            w.get_ref().len()
        })
    });
    // The floor: the frames appended by hand, no codec.
    group.bench_function("hand_written_BytesMut", |b| {
        let mut dst = BytesMut::with_capacity(FLUSH_AT + 1024);
        b.iter(|| {
            for p in hot.iter().cycle().take(FRAMES) {
                dst.reserve(4 + p.len());
                dst.extend_from_slice(&(p.len() as u32).to_le_bytes());
                dst.extend_from_slice(p);
                flush(&mut dst);
            }
            dst.len()
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
