//! Encrypted streams (issue 20) against the bare ciphers: 64 B, 1 KiB and
//! 64 KiB payloads, 1 MiB of them per iteration.
//!
//! * `write/flatstream_*`: `StreamWriter::write` of `RawPayload`s through
//!   `EncryptedFramer<DefaultFramer, _>` into a `Vec`;
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

use std::hint::black_box;

use aes_gcm::aead::{AeadInOut, KeyInit};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
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

criterion_group!(benches, encryption);
criterion_main!(benches);
