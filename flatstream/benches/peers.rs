//! The telemetry message against what a team would pick instead of
//! FlatBuffers, in one benchmark, 1,000 messages per iteration:
//!
//! * flatstream, derived (`#[frame(len = u32, checksum = crc32c)]`): write
//!   with `StreamWriter::write` (which assembles each frame in its own
//!   buffer and hands it to the `Vec`), with the buffered writer
//!   (`with_capacity(64 KiB)`, flushed at the end) and with `Encoder::append_frame`
//!   (straight into the `Vec`, as the peers' loops write), read verified
//!   views with `SliceReader`;
//! * prost (`#[derive(prost::Message)]`), length-delimited as protobuf
//!   streams are, without a checksum and with a CRC-32C (a careful hand
//!   loop: a `u32` length and the CRC before the payload, encoded in place);
//! * postcard (serde) + CRC-32C, the same hand loop;
//! * bincode 1 (serde, its default fixed-width integers) + CRC-32C, the
//!   same hand loop.
//!
//! Every CRC-32C is flatstream's `Crc32c`, so the rows differ in encoding,
//! not in checksum code. Reading decodes owned values for prost and
//! postcard (what they offer), zero-copy views for flatstream.
//!
//! `FLATSTREAM_RATIOS=1` instead times each of our paths against each peer
//! in interleaved rounds, printing the per-round ratios' median with the
//! 10th and 90th percentiles (the steadier comparison on a shared machine).
//!
//! cargo bench -p flatstream --features postcard --bench peers

use std::hint::black_box;

use criterion::{criterion_group, Criterion, Throughput};
use flatstream::prelude::*;
use prost::Message;
use serde::{Deserialize, Serialize};

#[path = "shared/ratios.rs"]
mod ratios;

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

#[derive(Clone, Serialize, Deserialize)]
struct SerdeTelemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

fn messages() -> Vec<Telemetry> {
    (0..1000u64)
        .map(|i| Telemetry {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 64) as u32,
            value: 20.0 + i as f64 / 10.0,
            unit: "celsius".into(),
        })
        .collect()
}

/// Appends `[u32 LE length][u32 LE CRC-32C][payload]`, the payload written
/// in place by `encode` behind room for the header.
#[inline(always)]
fn framed_with_crc(out: &mut Vec<u8>, encode: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 8]);
    encode(out);
    let payload = &out[at + 8..];
    let (len, crc) = (payload.len() as u32, Crc32c::new().calculate(payload) as u32);
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    out[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
}

/// The next `[u32 length][u32 CRC-32C][payload]` frame's payload, checked.
#[inline(always)]
fn next_crc_frame<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let header = input.get(..8)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..8].try_into().ok()?);
    let payload = input.get(8..8 + len)?;
    if Crc32c::new().calculate(payload) as u32 != crc {
        return None;
    }
    *input = &input[8 + len..];
    Some(payload)
}

/// Writes `msgs` with `w` into its cleared `Vec`, then flushes: a buffered
/// writer hands over the frames it still holds, an unbuffered one has
/// nothing left to do.
#[inline(never)]
fn flatstream_write(
    w: &mut StreamWriter<Vec<u8>, <Telemetry as Framed>::Framer>,
    msgs: &[Telemetry],
) -> usize {
    w.get_mut().clear();
    for m in msgs {
        w.write(m).unwrap();
    }
    w.flush().unwrap();
    w.get_ref().len()
}

#[inline(never)]
fn flatstream_append(encoder: &mut flatstream::Encoder, out: &mut Vec<u8>, msgs: &[Telemetry]) -> usize {
    out.clear();
    let framer = Telemetry::framer();
    for m in msgs {
        encoder.append_frame(&framer, m, out).unwrap();
    }
    out.len()
}

#[inline(never)]
fn prost_write(out: &mut Vec<u8>, msgs: &[ProstTelemetry]) -> usize {
    out.clear();
    for m in msgs {
        m.encode_length_delimited(out).unwrap();
    }
    out.len()
}

#[inline(never)]
fn prost_crc_write(out: &mut Vec<u8>, msgs: &[ProstTelemetry]) -> usize {
    out.clear();
    for m in msgs {
        framed_with_crc(out, |out| m.encode(out).unwrap());
    }
    out.len()
}

#[inline(never)]
fn postcard_crc_write(out: &mut Vec<u8>, msgs: &[SerdeTelemetry]) -> usize {
    out.clear();
    for m in msgs {
        framed_with_crc(out, |out| {
            let taken = std::mem::take(out);
            *out = postcard::to_extend(m, taken).unwrap();
        });
    }
    out.len()
}

#[inline(never)]
fn bincode_crc_write(out: &mut Vec<u8>, msgs: &[SerdeTelemetry]) -> usize {
    out.clear();
    for m in msgs {
        framed_with_crc(out, |out| bincode::serialize_into(out, m).unwrap());
    }
    out.len()
}

#[inline(never)]
fn flatstream_read(bytes: &[u8]) -> f64 {
    let mut r = SliceReader::new(bytes, Telemetry::deframer());
    let mut sum = 0.0;
    while let Some(t) = r.read_view::<Telemetry>().unwrap() {
        sum += t.value();
    }
    sum
}

#[inline(never)]
fn prost_read(mut bytes: &[u8]) -> f64 {
    let mut sum = 0.0;
    while !bytes.is_empty() {
        sum += ProstTelemetry::decode_length_delimited(&mut bytes).unwrap().value;
    }
    sum
}

#[inline(never)]
fn prost_crc_read(mut bytes: &[u8]) -> f64 {
    let mut sum = 0.0;
    while let Some(p) = next_crc_frame(&mut bytes) {
        sum += ProstTelemetry::decode(p).unwrap().value;
    }
    sum
}

#[inline(never)]
fn postcard_crc_read(mut bytes: &[u8]) -> f64 {
    let mut sum = 0.0;
    while let Some(p) = next_crc_frame(&mut bytes) {
        sum += postcard::from_bytes::<SerdeTelemetry>(p).unwrap().value;
    }
    sum
}

#[inline(never)]
fn bincode_crc_read(mut bytes: &[u8]) -> f64 {
    let mut sum = 0.0;
    while let Some(p) = next_crc_frame(&mut bytes) {
        sum += bincode::deserialize::<SerdeTelemetry>(p).unwrap().value;
    }
    sum
}

/// The same messages for prost and for serde.
fn peer_messages(msgs: &[Telemetry]) -> (Vec<ProstTelemetry>, Vec<SerdeTelemetry>) {
    let prost_msgs: Vec<ProstTelemetry> = msgs
        .iter()
        .map(|t| ProstTelemetry {
            timestamp: t.timestamp,
            sensor_id: t.sensor_id,
            value: t.value,
            unit: t.unit.clone(),
        })
        .collect();
    let serde_msgs: Vec<SerdeTelemetry> = msgs
        .iter()
        .map(|t| SerdeTelemetry {
            timestamp: t.timestamp,
            sensor_id: t.sensor_id,
            value: t.value,
            unit: t.unit.clone(),
        })
        .collect();
    (prost_msgs, serde_msgs)
}

fn peers(c: &mut Criterion) {
    let msgs = messages();
    let (prost_msgs, serde_msgs) = peer_messages(&msgs);
    let mut group = c.benchmark_group("peers_write_1000");
    group.throughput(Throughput::Elements(msgs.len() as u64));
    let mut w = StreamWriter::new(Vec::with_capacity(1 << 20), Telemetry::framer());
    group.bench_function("flatstream_derived_crc32c", |b| {
        b.iter(|| flatstream_write(&mut w, black_box(&msgs)))
    });
    let mut buffered =
        StreamWriter::with_capacity(64 << 10, Vec::with_capacity(1 << 20), Telemetry::framer());
    group.bench_function("flatstream_derived_crc32c_buffered", |b| {
        b.iter(|| flatstream_write(&mut buffered, black_box(&msgs)))
    });
    let mut out = Vec::with_capacity(1 << 20);
    let mut encoder = flatstream::Encoder::new();
    group.bench_function("flatstream_derived_crc32c_append_frame", |b| {
        b.iter(|| flatstream_append(&mut encoder, &mut out, black_box(&msgs)))
    });
    group.bench_function("prost_length_delimited", |b| {
        b.iter(|| prost_write(&mut out, black_box(&prost_msgs)))
    });
    group.bench_function("prost_crc32c", |b| {
        b.iter(|| prost_crc_write(&mut out, black_box(&prost_msgs)))
    });
    group.bench_function("postcard_crc32c", |b| {
        b.iter(|| postcard_crc_write(&mut out, black_box(&serde_msgs)))
    });
    group.bench_function("bincode_crc32c", |b| {
        b.iter(|| bincode_crc_write(&mut out, black_box(&serde_msgs)))
    });
    group.finish();

    let flat = {
        flatstream_write(&mut w, &msgs);
        w.get_ref().clone()
    };
    let prost_bytes = {
        prost_write(&mut out, &prost_msgs);
        out.clone()
    };
    let prost_crc = {
        prost_crc_write(&mut out, &prost_msgs);
        out.clone()
    };
    let postcard_crc = {
        postcard_crc_write(&mut out, &serde_msgs);
        out.clone()
    };
    let bincode_crc = {
        bincode_crc_write(&mut out, &serde_msgs);
        out.clone()
    };
    // The same values come back from every encoding.
    let expected = flatstream_read(&flat);
    for sum in [
        prost_read(&prost_bytes),
        prost_crc_read(&prost_crc),
        postcard_crc_read(&postcard_crc),
        bincode_crc_read(&bincode_crc),
    ] {
        assert_eq!(sum, expected);
    }
    eprintln!(
        "bytes per message: flatstream {}, prost length-delimited {}, prost + CRC-32C {}, postcard + CRC-32C {}, bincode + CRC-32C {}",
        flat.len() / msgs.len(),
        prost_bytes.len() / msgs.len(),
        prost_crc.len() / msgs.len(),
        postcard_crc.len() / msgs.len(),
        bincode_crc.len() / msgs.len()
    );
    let mut group = c.benchmark_group("peers_read_1000");
    group.throughput(Throughput::Elements(msgs.len() as u64));
    group.bench_function("flatstream_derived_crc32c_view", |b| {
        b.iter(|| flatstream_read(black_box(&flat)))
    });
    group.bench_function("prost_length_delimited_owned", |b| {
        b.iter(|| prost_read(black_box(&prost_bytes)))
    });
    group.bench_function("prost_crc32c_owned", |b| {
        b.iter(|| prost_crc_read(black_box(&prost_crc)))
    });
    group.bench_function("postcard_crc32c_owned", |b| {
        b.iter(|| postcard_crc_read(black_box(&postcard_crc)))
    });
    group.bench_function("bincode_crc32c_owned", |b| {
        b.iter(|| bincode_crc_read(black_box(&bincode_crc)))
    });
    group.finish();
}

/// flatstream's paths against each peer in interleaved rounds: the peer's
/// time over ours, per round (above 1: ours is faster), each timing 20
/// iterations of both three times.
fn ratios() {
    const ROUNDS: usize = 31;
    const REPEAT: usize = 20;
    let msgs = messages();
    let (prost_msgs, serde_msgs) = peer_messages(&msgs);
    let mut w = StreamWriter::new(Vec::with_capacity(1 << 20), Telemetry::framer());
    let mut buffered_w =
        StreamWriter::with_capacity(64 << 10, Vec::with_capacity(1 << 20), Telemetry::framer());
    let (mut ours_out, mut peer_out) = (Vec::with_capacity(1 << 20), Vec::with_capacity(1 << 20));
    let mut encoder = flatstream::Encoder::new();
    println!("peer / ours over {ROUNDS} interleaved rounds: median (10th - 90th percentile)");
    type Run<'a> = Box<dyn FnMut(&mut Vec<u8>) -> usize + 'a>;
    let peers: [(&str, Run<'_>); 4] = [
        (
            "prost, length-delimited",
            Box::new(|o| prost_write(o, black_box(&prost_msgs))),
        ),
        (
            "prost + CRC-32C",
            Box::new(|o| prost_crc_write(o, black_box(&prost_msgs))),
        ),
        (
            "bincode + CRC-32C",
            Box::new(|o| bincode_crc_write(o, black_box(&serde_msgs))),
        ),
        (
            "postcard + CRC-32C",
            Box::new(|o| postcard_crc_write(o, black_box(&serde_msgs))),
        ),
    ];
    type Ours<'a> = (&'static str, Box<dyn FnMut() -> usize + 'a>);
    let mut ours: [Ours<'_>; 3] = [
        (
            "StreamWriter   ",
            Box::new(|| flatstream_write(&mut w, black_box(&msgs))),
        ),
        (
            "buffered writer",
            Box::new(|| flatstream_write(&mut buffered_w, black_box(&msgs))),
        ),
        (
            "append_frame   ",
            Box::new(|| flatstream_append(&mut encoder, &mut ours_out, black_box(&msgs))),
        ),
    ];
    let mut encoded = Vec::new();
    for (peer, mut peer_write) in peers {
        for (path, our_write) in &mut ours {
            let ratios = ratios::interleaved(
                ROUNDS,
                &mut || {
                    (0..REPEAT).for_each(|_| {
                        black_box(peer_write(&mut peer_out));
                    })
                },
                &mut || {
                    (0..REPEAT).for_each(|_| {
                        black_box(our_write());
                    })
                },
            );
            println!("write, {path} against {peer:<24} {ratios}");
        }
        peer_write(&mut peer_out);
        encoded.push((peer, peer_out.clone()));
    }
    drop(ours);
    flatstream_write(&mut w, &msgs);
    let flat = w.get_ref().clone();
    let readers: [fn(&[u8]) -> f64; 4] = [prost_read, prost_crc_read, bincode_crc_read, postcard_crc_read];
    for ((peer, bytes), read) in encoded.iter().zip(readers) {
        assert_eq!(read(bytes), flatstream_read(&flat));
        let ratios = ratios::interleaved(
            ROUNDS,
            &mut || {
                (0..REPEAT).for_each(|_| {
                    black_box(read(black_box(bytes)));
                })
            },
            &mut || {
                (0..REPEAT).for_each(|_| {
                    black_box(flatstream_read(black_box(&flat)));
                })
            },
        );
        println!("read, SliceReader view against {peer:<24} {ratios}");
    }
}

criterion_group!(benches, peers);

fn main() {
    ratios::main_with(ratios, benches);
}
