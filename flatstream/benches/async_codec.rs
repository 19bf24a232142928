//! The async reader and the codec against `tokio_util`'s
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

    let mut group = c.benchmark_group("encode_64B");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let as_bytes: Vec<Bytes> = payloads.iter().map(|p| Bytes::copy_from_slice(p)).collect();
    group.bench_function("LengthDelimitedCodec", |b| {
        let mut dst = BytesMut::with_capacity(bytes.len());
        b.iter(|| {
            dst.clear();
            let mut codec = length_delimited();
            for p in &as_bytes {
                codec.encode(p.clone(), &mut dst).unwrap();
            }
            dst.len()
        })
    });
    group.bench_function("FrameCodec", |b| {
        let mut dst = BytesMut::with_capacity(bytes.len());
        let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new());
        b.iter(|| {
            dst.clear();
            for p in &payloads {
                codec.encode(RawPayload(p), &mut dst).unwrap();
            }
            dst.len()
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
