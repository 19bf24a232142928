//! Encrypted streams (issue 20) against the bare ciphers: 64 B, 1 KiB and
//! 64 KiB payloads, 1 MiB of them per iteration.
//!
//! * `write/flatstream_*`: `StreamWriter::write` of `RawPayload`s through
//!   `EncryptedFramer<DefaultFramer, _>` into a `Vec` (the writer seals in
//!   its own buffer, then hands the frame to the `Vec`: one copy more than
//!   the bare loop); `write/flatstream_encode_frame_*`: the sans-IO
//!   `Framer::encode_frame`, which seals straight into the caller's `Vec`;
//! * `write/bare_*`: what a careful user writes with the RustCrypto crate
//!   directly: a `u32` length, the payload copied into the output `Vec`,
//!   encrypted in place under a counter nonce, the tag appended;
//! * `read/flatstream_*`: `SliceReader::next_message` through
//!   `EncryptedDeframer` (`read/flatstream_stream_reader_*`: `StreamReader`,
//!   which first copies the bytes into its buffer, as from a file);
//!   `read/bare_*`: the hand loop that parses the length, decrypts a copy
//!   in place and checks the tag.
//!
//! cargo bench -p flatstream --features chacha20poly1305,aes-gcm --bench encryption
//!
//! `FLATSTREAM_RATIOS=1` instead measures ours against the bare loop in
//! interleaved rounds (each round times both three times, alternating,
//! and keeps each one's fastest) and prints the median of the per-round
//! ratios with their 10th and 90th percentiles: on a shared machine, whose
//! speed drifts over the seconds a criterion run takes, that is the
//! steadier comparison.

use std::hint::black_box;

#[path = "shared/ratios.rs"]
mod ratios;

use aes_gcm::aead::{AeadInOut, KeyInit};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use flatstream::encrypt::{
    Aes256Gcm, ChaCha20Poly1305, Cipher, EncryptedDeframer, EncryptedFramer, EncryptionKey,
};
use flatstream::prelude::*;
use flatstream::RawPayload;

const TOTAL: usize = 1 << 20;
const KEY: [u8; 32] = [7; 32];

fn nonce(counter: u64) -> [u8; 12] {
    let mut n = [0; 12];
    n[4..].copy_from_slice(&counter.to_be_bytes());
    n
}

/// The bare loops for one RustCrypto cipher type, monomorphic as a user
/// writes them: `[u32 len][ciphertext][tag]` per payload.
macro_rules! bare {
    ($write:ident, $read:ident, $ty:ty) => {
        fn $write(cipher: &$ty, payloads: &[Vec<u8>], out: &mut Vec<u8>) {
            for (i, p) in payloads.iter().enumerate() {
                out.extend_from_slice(&((p.len() + 16) as u32).to_le_bytes());
                let at = out.len();
                out.extend_from_slice(p);
                let tag = cipher
                    .encrypt_inout_detached(&nonce(i as u64).into(), b"", (&mut out[at..]).into())
                    .unwrap();
                out.extend_from_slice(&tag);
            }
        }

        fn $read(cipher: &$ty, mut bytes: &[u8], scratch: &mut Vec<u8>) -> usize {
            let (mut total, mut i) = (0, 0u64);
            while let Some(len) = bytes.get(..4) {
                let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
                let frame = bytes.get(4..4 + len).expect("whole frame");
                let (ciphertext, tag) = frame.split_at(len - 16);
                scratch.clear();
                scratch.extend_from_slice(ciphertext);
                let tag: [u8; 16] = tag.try_into().unwrap();
                cipher
                    .decrypt_inout_detached(
                        &nonce(i).into(),
                        b"",
                        scratch.as_mut_slice().into(),
                        &tag.into(),
                    )
                    .expect("authentic");
                total += scratch.len();
                bytes = &bytes[4 + len..];
                i += 1;
            }
            total
        }
    };
}
bare!(
    bare_write_chacha,
    bare_read_chacha,
    chacha20poly1305::ChaCha20Poly1305
);
bare!(bare_write_aes, bare_read_aes, aes_gcm::Aes256Gcm);

fn write_stream<A: Cipher>(cipher: A, payloads: &[Vec<u8>], out: Vec<u8>) -> Vec<u8> {
    let mut w = StreamWriter::new(out, EncryptedFramer::new(DefaultFramer, cipher).unwrap());
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    w.finish().unwrap();
    w.into_inner()
}

/// The sans-IO path: each frame sealed straight into `out`, then the final
/// frame.
fn encode_stream<A: Cipher>(cipher: A, payloads: &[Vec<u8>], out: &mut Vec<u8>) {
    let framer = EncryptedFramer::new(DefaultFramer, cipher).unwrap();
    for p in payloads {
        framer.encode_frame(p, out).unwrap();
    }
    framer.end_and_write(out).unwrap();
}

/// `SliceReader`, the reader for bytes in memory, as the bare loop reads.
fn read_slice<A: Cipher>(cipher: A, bytes: &[u8]) -> usize {
    let mut r = SliceReader::new(bytes, EncryptedDeframer::new(DefaultDeframer::new(), cipher));
    let mut total = 0;
    while let Some(p) = r.next_message().unwrap() {
        total += p.len();
    }
    total
}

/// `StreamReader` over the same bytes, as from a file or socket (it copies
/// them into its buffer first).
fn read_stream<A: Cipher>(cipher: A, bytes: &[u8]) -> usize {
    let mut r = StreamReader::new(bytes, EncryptedDeframer::new(DefaultDeframer::new(), cipher));
    let mut total = 0;
    while let Some(p) = r.read_message().unwrap() {
        total += p.len();
    }
    total
}

fn encryption(c: &mut Criterion) {
    let key = EncryptionKey::from_bytes(KEY);
    let bare_chacha = chacha20poly1305::ChaCha20Poly1305::new(&KEY.into());
    let bare_aes = aes_gcm::Aes256Gcm::new(&KEY.into());
    let mut g = c.benchmark_group("encryption");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(TOTAL as u64));
    for size in [64usize, 1024, 64 * 1024] {
        let payloads: Vec<Vec<u8>> = (0..TOTAL / size).map(|i| vec![i as u8; size]).collect();
        let mut out = Vec::with_capacity(2 * TOTAL);
        g.bench_with_input(
            BenchmarkId::new("write/flatstream_chacha", size),
            &payloads,
            |b, p| {
                b.iter(|| {
                    out.clear();
                    out = write_stream(
                        ChaCha20Poly1305::new(&key),
                        black_box(p),
                        std::mem::take(&mut out),
                    );
                    out.len()
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("write/flatstream_encode_frame_chacha", size),
            &payloads,
            |b, p| {
                b.iter(|| {
                    out.clear();
                    encode_stream(ChaCha20Poly1305::new(&key), black_box(p), &mut out);
                    out.len()
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("write/bare_chacha", size), &payloads, |b, p| {
            b.iter(|| {
                out.clear();
                bare_write_chacha(&bare_chacha, black_box(p), &mut out);
                out.len()
            })
        });
        g.bench_with_input(
            BenchmarkId::new("write/flatstream_aes", size),
            &payloads,
            |b, p| {
                b.iter(|| {
                    out.clear();
                    out = write_stream(Aes256Gcm::new(&key), black_box(p), std::mem::take(&mut out));
                    out.len()
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("write/flatstream_encode_frame_aes", size),
            &payloads,
            |b, p| {
                b.iter(|| {
                    out.clear();
                    encode_stream(Aes256Gcm::new(&key), black_box(p), &mut out);
                    out.len()
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("write/bare_aes", size), &payloads, |b, p| {
            b.iter(|| {
                out.clear();
                bare_write_aes(&bare_aes, black_box(p), &mut out);
                out.len()
            })
        });
        let ours_chacha = write_stream(ChaCha20Poly1305::new(&key), &payloads, Vec::new());
        let ours_aes = write_stream(Aes256Gcm::new(&key), &payloads, Vec::new());
        let mut bare_chacha_bytes = Vec::new();
        bare_write_chacha(&bare_chacha, &payloads, &mut bare_chacha_bytes);
        let mut bare_aes_bytes = Vec::new();
        bare_write_aes(&bare_aes, &payloads, &mut bare_aes_bytes);
        let mut scratch = Vec::new();
        g.bench_with_input(
            BenchmarkId::new("read/flatstream_chacha", size),
            &ours_chacha,
            |b, bytes| {
                b.iter(|| assert_eq!(read_slice(ChaCha20Poly1305::new(&key), black_box(bytes)), TOTAL))
            },
        );
        g.bench_with_input(
            BenchmarkId::new("read/flatstream_stream_reader_chacha", size),
            &ours_chacha,
            |b, bytes| {
                b.iter(|| assert_eq!(read_stream(ChaCha20Poly1305::new(&key), black_box(bytes)), TOTAL))
            },
        );
        g.bench_with_input(
            BenchmarkId::new("read/bare_chacha", size),
            &bare_chacha_bytes,
            |b, bytes| {
                b.iter(|| {
                    assert_eq!(
                        bare_read_chacha(&bare_chacha, black_box(bytes), &mut scratch),
                        TOTAL
                    )
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("read/flatstream_aes", size),
            &ours_aes,
            |b, bytes| b.iter(|| assert_eq!(read_slice(Aes256Gcm::new(&key), black_box(bytes)), TOTAL)),
        );
        g.bench_with_input(
            BenchmarkId::new("read/flatstream_stream_reader_aes", size),
            &ours_aes,
            |b, bytes| b.iter(|| assert_eq!(read_stream(Aes256Gcm::new(&key), black_box(bytes)), TOTAL)),
        );
        g.bench_with_input(
            BenchmarkId::new("read/bare_aes", size),
            &bare_aes_bytes,
            |b, bytes| b.iter(|| assert_eq!(bare_read_aes(&bare_aes, black_box(bytes), &mut scratch), TOTAL)),
        );
    }
    g.finish();
}

/// Ours against the bare loop in interleaved rounds: the per-round ratios'
/// median, 10th and 90th percentiles (1.00x: as fast as the bare cipher).
fn ratios() {
    const ROUNDS: usize = 41;
    let key = EncryptionKey::from_bytes(KEY);
    let bare_chacha = chacha20poly1305::ChaCha20Poly1305::new(&KEY.into());
    let bare_aes = aes_gcm::Aes256Gcm::new(&KEY.into());
    println!("ours / bare over {ROUNDS} interleaved rounds: median (10th - 90th percentile)");
    for size in [64usize, 1024, 64 * 1024] {
        let payloads: Vec<Vec<u8>> = (0..TOTAL / size).map(|i| vec![i as u8; size]).collect();
        let ours_chacha = write_stream(ChaCha20Poly1305::new(&key), &payloads, Vec::new());
        let ours_aes = write_stream(Aes256Gcm::new(&key), &payloads, Vec::new());
        let (mut bare_chacha_bytes, mut bare_aes_bytes) = (Vec::new(), Vec::new());
        bare_write_chacha(&bare_chacha, &payloads, &mut bare_chacha_bytes);
        bare_write_aes(&bare_aes, &payloads, &mut bare_aes_bytes);
        let (mut out, mut scratch) = (Vec::with_capacity(2 * TOTAL), Vec::new());
        let out = std::cell::RefCell::new(&mut out);
        let p = &payloads;
        let fresh = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut out = out.borrow_mut();
            out.clear();
            f(&mut out);
            black_box(out.len());
        };
        type Run<'a> = Box<dyn FnMut() + 'a>;
        let rows: Vec<(&str, Run<'_>, Run<'_>)> = vec![
            (
                "write ChaCha20-Poly1305, StreamWriter",
                Box::new(|| fresh(&|o| *o = write_stream(ChaCha20Poly1305::new(&key), p, std::mem::take(o)))),
                Box::new(|| fresh(&|o| bare_write_chacha(&bare_chacha, p, o))),
            ),
            (
                "write ChaCha20-Poly1305, encode_frame",
                Box::new(|| fresh(&|o| encode_stream(ChaCha20Poly1305::new(&key), p, o))),
                Box::new(|| fresh(&|o| bare_write_chacha(&bare_chacha, p, o))),
            ),
            (
                "read ChaCha20-Poly1305, SliceReader",
                Box::new(|| assert_eq!(read_slice(ChaCha20Poly1305::new(&key), &ours_chacha), TOTAL)),
                Box::new(|| {
                    assert_eq!(
                        bare_read_chacha(&bare_chacha, &bare_chacha_bytes, &mut Vec::new()),
                        TOTAL
                    )
                }),
            ),
            (
                "read ChaCha20-Poly1305, StreamReader",
                Box::new(|| assert_eq!(read_stream(ChaCha20Poly1305::new(&key), &ours_chacha), TOTAL)),
                Box::new(|| {
                    assert_eq!(
                        bare_read_chacha(&bare_chacha, &bare_chacha_bytes, &mut Vec::new()),
                        TOTAL
                    )
                }),
            ),
            (
                "write AES-256-GCM, StreamWriter",
                Box::new(|| fresh(&|o| *o = write_stream(Aes256Gcm::new(&key), p, std::mem::take(o)))),
                Box::new(|| fresh(&|o| bare_write_aes(&bare_aes, p, o))),
            ),
            (
                "write AES-256-GCM, encode_frame",
                Box::new(|| fresh(&|o| encode_stream(Aes256Gcm::new(&key), p, o))),
                Box::new(|| fresh(&|o| bare_write_aes(&bare_aes, p, o))),
            ),
            (
                "read AES-256-GCM, SliceReader",
                Box::new(|| assert_eq!(read_slice(Aes256Gcm::new(&key), &ours_aes), TOTAL)),
                Box::new(|| assert_eq!(bare_read_aes(&bare_aes, &bare_aes_bytes, &mut scratch), TOTAL)),
            ),
            (
                "read AES-256-GCM, StreamReader",
                Box::new(|| assert_eq!(read_stream(Aes256Gcm::new(&key), &ours_aes), TOTAL)),
                Box::new(|| assert_eq!(bare_read_aes(&bare_aes, &bare_aes_bytes, &mut Vec::new()), TOTAL)),
            ),
        ];
        for (name, mut ours, mut bare) in rows {
            let ratios = ratios::interleaved(ROUNDS, &mut ours, &mut bare);
            println!("{size:>6} B  {name:<40} {ratios}");
        }
    }
}

criterion_group!(benches, encryption);

fn main() {
    ratios::main_with(ratios, benches);
}
