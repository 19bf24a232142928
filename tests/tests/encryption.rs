//! Encrypted streams (issue 20): known answers for both ciphers; every
//! reader reads the same; every bit flip, truncation, reordering, drop,
//! duplicate and splice is refused with an offset, never a wrong message;
//! wrong keys and unfinished streams are named; nonces never repeat.
//!
//! `PROPTEST_CASES=2000 cargo test --test encryption` runs the property
//! tests longer.

use std::collections::HashSet;

use flatstream::compress::{CompressedDeframer, CompressedFramer, Lz4};
use flatstream::encrypt::{
    Aes256Gcm, ChaCha20Poly1305, Cipher, EncryptedDeframer, EncryptedFramer, EncryptionKey,
};
use flatstream::prelude::*;
use flatstream::recovery::{SkipCorrupt, TolerateTornTail};
use flatstream::{Error, FrameDefect, FromPayload, RawPayload};
use proptest::prelude::*;

mod common;
use common::{defect, drive_decoder, Chunked};

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"E1")]
struct Reading {
    timestamp: u64,
    sensor_id: u32,
    unit: String,
}

fn readings(n: usize) -> Vec<Reading> {
    (0..n)
        .map(|i| Reading {
            timestamp: 1_700_000_000_000 + i as u64,
            sensor_id: (i % 7) as u32,
            unit: ["celsius", "kelvin"][i % 2].to_owned(),
        })
        .collect()
}

fn key(byte: u8) -> EncryptionKey {
    EncryptionKey::from_bytes([byte; 32])
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Writes `items` and finishes the stream.
fn write_with<F: Framer, T: StreamSerialize>(framer: F, items: &[T]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), framer);
    for item in items {
        w.write(item).unwrap();
    }
    w.finish().unwrap();
    w.into_inner()
}

/// Reads to the end or the first error.
fn read_all<D: Deframer>(bytes: &[u8], deframer: D) -> (Vec<Reading>, Option<Error>) {
    common::read_all_as(bytes, deframer)
}

/// ChaCha20-Poly1305, RFC 8439 section 2.8.2.
#[test]
fn chacha20poly1305_known_answer() {
    let key = EncryptionKey::from_bytes(
        hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
            .try_into()
            .unwrap(),
    );
    let cipher = ChaCha20Poly1305::new(&key);
    let nonce: [u8; 12] = hex("070000004041424344454647").try_into().unwrap();
    let ad = hex("50515253c0c1c2c3c4c5c6c7");
    let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let mut buffer = plaintext.to_vec();
    let tag = cipher.seal(&nonce, &ad, &mut buffer).unwrap();
    assert_eq!(tag.to_vec(), hex("1ae10b594f09e26a7e902ecbd0600691"));
    assert_eq!(buffer[..16], hex("d31a8d34648e60db7b86afbc53ef7ec2")[..]);
    let mut opened = vec![0; buffer.len()];
    assert!(cipher.open(&nonce, &ad, &buffer, &mut opened, &tag));
    assert_eq!(&opened[..], &plaintext[..]);
}

/// AES-256-GCM, a NIST CAVP (GCMVS) vector with associated data.
#[test]
fn aes256gcm_known_answer() {
    let key = EncryptionKey::from_bytes(
        hex("83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a")
            .try_into()
            .unwrap(),
    );
    let cipher = Aes256Gcm::new(&key);
    let nonce: [u8; 12] = hex("0b459724904e010a46901cf3").try_into().unwrap();
    let ad = hex("794a14ccd178c8ebfd1379dc704c5e208f9d8424");
    let mut buffer = hex("33d893a2114ce06fc15d55e454cf90c3");
    let tag = cipher.seal(&nonce, &ad, &mut buffer).unwrap();
    assert_eq!(buffer, hex("cc66bee423e3fcd4c0865715e9586696"));
    assert_eq!(tag.to_vec(), hex("0fb291bd3dba94a1dfd8b286cfb97ac5"));
    // A flipped bit of the tag, the ciphertext or the data: refused.
    let mut wrong = tag;
    wrong[15] ^= 1;
    let mut opened = vec![0; buffer.len()];
    assert!(!cipher.open(&nonce, &ad, &buffer, &mut opened, &wrong));
    assert!(!cipher.open(&nonce, &ad[1..], &buffer, &mut opened, &tag));
    assert!(
        !cipher.open(&nonce, &ad, &buffer, &mut opened[1..], &tag),
        "lengths differ"
    );
    assert!(cipher.open(&nonce, &ad, &buffer, &mut opened, &tag));
    assert_eq!(opened, hex("33d893a2114ce06fc15d55e454cf90c3"));
}

/// Reads `bytes` with every reader and checks each gives `expected`.
fn check_every_reader<D: Deframer + Clone + Unpin>(
    make: impl Fn() -> D,
    bytes: &[u8],
    expected: &[Reading],
    what: &str,
) {
    for chunk in [1, 7, 4096] {
        let mut r = StreamReader::new(Chunked { data: bytes, chunk }, make());
        let mut got = Vec::new();
        while let Some(item) = r.read::<Reading>().unwrap() {
            got.push(item);
        }
        assert_eq!(got, expected, "{what}: StreamReader, chunk {chunk}");
    }
    let mut r = StreamReader::new(bytes, make());
    for want in expected {
        assert_eq!(
            r.read_view::<Reading>().unwrap().unwrap().timestamp(),
            want.timestamp,
            "{what}"
        );
    }
    assert!(r.read_view::<Reading>().unwrap().is_none());
    let typed: Vec<Reading> = StreamReader::new(bytes, make())
        .typed::<Reading>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(typed, expected, "{what}: TypedReader");
    let mut s = SliceReader::new(bytes, make());
    for want in expected {
        assert_eq!(
            s.next_view::<Reading>().unwrap().unwrap().sensor_id(),
            want.sensor_id,
            "{what}"
        );
    }
    assert!(s.next_message().unwrap().is_none());
    let (items, error, _) = drive_decoder(FrameCodec::new(DefaultFramer, make()), bytes, 5);
    assert!(error.is_none(), "{what}: codec {error:?}");
    let got: Vec<Reading> = items
        .iter()
        .map(|p| Reading::from_payload(p, None).unwrap())
        .collect();
    assert_eq!(got, expected, "{what}: FrameCodec");
    for chunk in [5, 4096] {
        let batched = FrameCodec::new(DefaultFramer, make()).batched();
        let got: Vec<Reading> = common::batch_messages(common::drive_decoder_on(batched, bytes, chunk))
            .into_iter()
            .map(|m| Reading::from_payload(&m.unwrap(), None).unwrap())
            .collect();
        assert_eq!(got, expected, "{what}: BatchCodec, chunk {chunk}");
    }
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut r = AsyncStreamReader::new(bytes, make());
        let mut got = Vec::new();
        while let Some(item) = r.read::<Reading>().await.unwrap() {
            got.push(item);
        }
        assert_eq!(got, expected, "{what}: AsyncStreamReader");
    });
}

#[test]
fn every_cipher_and_framing_round_trips_through_every_reader() {
    let items = readings(50);
    let k = key(7);
    macro_rules! case {
        ($cipher:ident, $inner:expr, $inner_deframer:expr, $name:expr) => {{
            let bytes = write_with(EncryptedFramer::new($inner, $cipher::new(&k)).unwrap(), &items);
            check_every_reader(
                || EncryptedDeframer::new($inner_deframer, $cipher::new(&k)),
                &bytes,
                &items,
                $name,
            );
            // Compress, then encrypt: blocks of messages.
            let bytes = write_with(
                EncryptedFramer::new(CompressedFramer::blocks($inner, Lz4, 512), $cipher::new(&k)).unwrap(),
                &items,
            );
            check_every_reader(
                || EncryptedDeframer::new(CompressedDeframer::new($inner_deframer, Lz4), $cipher::new(&k)),
                &bytes,
                &items,
                concat!($name, " + lz4 blocks"),
            );
        }};
    }
    case!(
        ChaCha20Poly1305,
        DefaultFramer,
        DefaultDeframer::new(),
        "chacha / default"
    );
    case!(Aes256Gcm, DefaultFramer, DefaultDeframer::new(), "aes / default");
    case!(
        ChaCha20Poly1305,
        ChecksumFramer::new(Crc32c::new()),
        ChecksumDeframer::new(Crc32c::new()),
        "chacha / crc32c"
    );
    case!(Aes256Gcm, Reading::framer(), Reading::deframer(), "aes / derived");
}

#[test]
fn a_stream_without_its_final_frame_is_truncated() {
    let items = readings(5);
    let k = key(1);
    let mut w = StreamWriter::new(
        Vec::new(),
        EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(),
    );
    w.write_batch(&items).unwrap();
    w.flush().unwrap(); // no finish
    let bytes = w.into_inner();
    let (got, e) = read_all(
        &bytes,
        EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
    );
    assert_eq!(got, items, "the messages before the end are good");
    let e = e.expect("an unfinished stream is refused");
    assert_eq!(defect(&e), &FrameDefect::StreamUnfinished);
    assert_eq!(e.offset(), Some(bytes.len() as u64));
    // TolerateTornTail: the same messages, and the end reported as torn.
    let mut r = StreamReader::new(
        &bytes[..],
        EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
    )
    .with_recovery(TolerateTornTail)
    .unwrap();
    let got: Vec<Reading> = std::iter::from_fn(|| r.read::<Reading>().unwrap()).collect();
    assert_eq!(got, items);
    let torn = r.torn_tail().expect("reported");
    assert_eq!((torn.offset, torn.len), (bytes.len() as u64, 0));
    // Writes after finish are refused; bytes after the final frame too.
    let mut w = StreamWriter::new(
        Vec::new(),
        EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(),
    );
    w.write(&items[0]).unwrap();
    w.finish().unwrap();
    assert!(matches!(w.write(&items[1]), Err(Error::InvalidConfig { .. })));
    let finished = w.into_inner();
    let mut extended = finished.clone();
    extended.extend_from_slice(&finished[..20]);
    let (got, e) = read_all(
        &extended,
        EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
    );
    assert_eq!(got, items[..1]);
    let e = e.unwrap();
    assert_eq!(e.offset(), Some(finished.len() as u64), "{e}");
}

/// The frames of `bytes` (framed by `DefaultFramer`): their byte ranges.
fn frame_ranges(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut s = SliceReader::new(bytes, DefaultDeframer::new());
    let mut ranges = Vec::new();
    let mut start = 0;
    while s.read_message().unwrap().is_some() {
        ranges.push(start..s.position());
        start = s.position();
    }
    ranges
}

#[test]
fn every_bit_flip_and_truncation_is_refused() {
    let items = readings(3);
    let k = key(3);
    for cipher in 0..2 {
        let bytes = match cipher {
            0 => write_with(
                EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(),
                &items,
            ),
            _ => write_with(
                EncryptedFramer::new(DefaultFramer, Aes256Gcm::new(&k)).unwrap(),
                &items,
            ),
        };
        let read = |b: &[u8]| match cipher {
            0 => read_all(
                b,
                EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
            ),
            _ => read_all(
                b,
                EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&k)),
            ),
        };
        let ranges = frame_ranges(&bytes);
        assert_eq!(
            ranges.len(),
            items.len() + 1,
            "a frame per message and the final one"
        );
        for bit in 0..bytes.len() * 8 {
            let mut damaged = bytes.clone();
            damaged[bit / 8] ^= 1 << (bit % 8);
            let (got, e) = read(&damaged);
            let e = e.unwrap_or_else(|| panic!("cipher {cipher}: bit {bit} went unnoticed"));
            // The frames before the damaged one, and nothing after.
            let hit = ranges.iter().position(|r| r.contains(&(bit / 8))).unwrap();
            assert_eq!(
                got,
                items[..hit.min(items.len())],
                "cipher {cipher}: bit {bit}: {e}"
            );
        }
        for cut in 0..bytes.len() {
            let (got, e) = read(&bytes[..cut]);
            let e = e.unwrap_or_else(|| panic!("cipher {cipher}: a cut at {cut} read as complete"));
            let whole = ranges.iter().filter(|r| r.end <= cut).count();
            assert_eq!(got, items[..whole.min(items.len())], "cut at {cut}: {e}");
        }
    }
}

#[test]
fn reordered_dropped_duplicated_and_spliced_frames_are_refused() {
    let items = readings(4);
    let k = key(9);
    let write = || {
        write_with(
            EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(),
            &items,
        )
    };
    let read = |b: &[u8]| {
        read_all(
            b,
            EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
        )
    };
    let bytes = write();
    let f = frame_ranges(&bytes);
    let join = |parts: &[&std::ops::Range<usize>]| -> Vec<u8> {
        parts.iter().flat_map(|r| bytes[(*r).clone()].to_vec()).collect()
    };

    // Dropped: frame 1 missing; frame 2 authenticates as frame 2, a gap.
    let dropped = join(&[&f[0], &f[2], &f[3], &f[4]]);
    let (got, e) = read(&dropped);
    assert_eq!(got, items[..1]);
    let e = e.unwrap();
    assert_eq!(
        defect(&e),
        &FrameDefect::FramesMissing {
            expected: 1,
            found: 2
        }
    );
    assert_eq!(e.offset(), Some(f[1].start as u64));
    // Reordered: 2 before 1 is a gap, then 1 does not authenticate.
    let reordered = join(&[&f[0], &f[2], &f[1], &f[3], &f[4]]);
    let (got, e) = read(&reordered);
    assert_eq!(got, items[..1]);
    assert_eq!(
        defect(&e.unwrap()),
        &FrameDefect::FramesMissing {
            expected: 1,
            found: 2
        }
    );
    // Duplicated: the second copy is not the frame due.
    let duplicated = join(&[&f[0], &f[1], &f[1], &f[2], &f[3], &f[4]]);
    let (got, e) = read(&duplicated);
    assert_eq!(got, items[..2]);
    assert_eq!(defect(&e.unwrap()), &FrameDefect::AuthenticationFailed);
    // Spliced from another stream under the same key: its prefix differs.
    let other = write();
    let g = frame_ranges(&other);
    assert_eq!(g.len(), f.len());
    let mut spliced = bytes[..f[1].start].to_vec();
    spliced.extend_from_slice(&other[g[1].clone()]);
    spliced.extend_from_slice(&bytes[f[2].start..]);
    let (got, e) = read(&spliced);
    assert_eq!(got, items[..1]);
    assert_eq!(defect(&e.unwrap()), &FrameDefect::AuthenticationFailed);
    // Another stream's first frame, header and all, in the middle.
    let mut spliced = bytes[..f[1].start].to_vec();
    spliced.extend_from_slice(&other[g[0].clone()]);
    let (_, e) = read(&spliced);
    assert_eq!(defect(&e.unwrap()), &FrameDefect::AuthenticationFailed);
    // The final frame moved up: the messages after it are refused.
    let early_end = join(&[&f[0], &f[4], &f[1]]);
    let (got, e) = read(&early_end);
    assert_eq!(got, items[..1]);
    assert_eq!(
        defect(&e.unwrap()),
        &FrameDefect::FramesMissing {
            expected: 1,
            found: 4
        }
    );
}

#[test]
fn the_wrong_key_cipher_or_framing_is_named_at_the_first_frame() {
    let items = readings(2);
    let bytes = write_with(
        EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&key(1))).unwrap(),
        &items,
    );
    let (got, e) = read_all(
        &bytes,
        EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&key(2))),
    );
    assert!(got.is_empty());
    let e = e.unwrap();
    assert_eq!(e.offset(), Some(0));
    let FrameDefect::KeyMismatch { found, expected } = defect(&e) else {
        panic!("{e}")
    };
    assert_eq!(*found, ChaCha20Poly1305::new(&key(1)).key_id());
    assert_eq!(*expected, ChaCha20Poly1305::new(&key(2)).key_id());
    assert!(e.to_string().contains("key"), "{e}");
    let (_, e) = read_all(
        &bytes,
        EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&key(1))),
    );
    assert_eq!(
        defect(&e.unwrap()),
        &FrameDefect::CipherMismatch {
            found: 1,
            expected: "AES-256-GCM"
        }
    );
    let plain = {
        let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
        w.write_batch(&items).unwrap();
        w.into_inner()
    };
    let (_, e) = read_all(
        &plain,
        EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&key(1))),
    );
    assert_eq!(defect(&e.unwrap()), &FrameDefect::NotEncrypted);
    // The key is never printed.
    let k = key(0xAB);
    assert_eq!(format!("{k:?}"), "EncryptionKey(<redacted>)");
    assert!(!format!("{:?}", ChaCha20Poly1305::new(&k)).contains("ab"));
}

/// A cipher that records every nonce it seals with (and does not encrypt).
struct Recording(std::cell::RefCell<Vec<[u8; 12]>>);
impl Cipher for &Recording {
    const ID: u8 = 200;
    const NAME: &'static str = "recording";
    fn seal(&self, nonce: &[u8; 12], _ad: &[u8], _buffer: &mut [u8]) -> flatstream::Result<[u8; 16]> {
        self.0.borrow_mut().push(*nonce);
        Ok([0; 16])
    }
    fn open(
        &self,
        _nonce: &[u8; 12],
        _ad: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
        _tag: &[u8; 16],
    ) -> bool {
        out.copy_from_slice(ciphertext);
        true
    }
    fn key_id(&self) -> u32 {
        0
    }
}

#[test]
fn nonces_never_repeat_within_a_stream_or_across_streams() {
    let recording = Recording(Default::default());
    let mut w = StreamWriter::new(
        std::io::sink(),
        EncryptedFramer::new(DefaultFramer, &recording).unwrap(),
    );
    for i in 0..1_000_000u32 {
        w.write(&RawPayload(&i.to_le_bytes())).unwrap();
    }
    w.finish().unwrap();
    drop(w);
    let nonces = recording.0.into_inner();
    assert_eq!(nonces.len(), 1_000_001);
    let distinct: HashSet<[u8; 12]> = nonces.iter().copied().collect();
    assert_eq!(distinct.len(), nonces.len(), "a nonce repeated within a stream");
    // Every stream draws its own prefix.
    let prefixes: HashSet<[u8; 7]> = (0..10_000)
        .map(|_| {
            EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&key(1)))
                .unwrap()
                .nonce_prefix()
        })
        .collect();
    assert_eq!(prefixes.len(), 10_000, "two streams drew the same nonce prefix");
}

#[test]
fn skip_corrupt_skips_unauthenticated_frames_and_reports_the_gap() {
    let items = readings(6);
    let k = key(5);
    let framer = || {
        EncryptedFramer::new(
            ChecksumFramer::new(Crc32c::new()).with_protected_header(),
            Aes256Gcm::new(&k),
        )
        .unwrap()
    };
    let deframer = || {
        EncryptedDeframer::new(
            ChecksumDeframer::new(Crc32c::new()).with_protected_header(),
            Aes256Gcm::new(&k),
        )
    };
    let bytes = write_with(framer(), &items);
    let mut s = SliceReader::new(
        &bytes,
        ChecksumDeframer::new(Crc32c::new()).with_protected_header(),
    );
    let mut ranges = Vec::new();
    let mut start = 0;
    while s.read_message().unwrap().is_some() {
        ranges.push(start..s.position());
        start = s.position();
    }
    // Frame 3 damaged (its checksum fails): skipped, then frame 4 reports
    // the gap, and everything else is read.
    let mut damaged = bytes.clone();
    damaged[ranges[3].start + 20] ^= 0x10;
    let mut r = StreamReader::new(&damaged[..], deframer())
        .with_recovery(SkipCorrupt)
        .unwrap();
    let got: Vec<Reading> = std::iter::from_fn(|| r.read::<Reading>().unwrap()).collect();
    let mut expected = items.clone();
    expected.remove(3);
    assert_eq!(got, expected);
    let skipped = r.take_skipped();
    // The batch codec reads and skips the same.
    for chunk in [1, 50, 4096] {
        let batched = FrameCodec::new(DefaultFramer, deframer())
            .batched()
            .with_recovery(SkipCorrupt)
            .unwrap();
        let (batches, error, mut batched) = drive_decoder(batched, &damaged, chunk);
        assert!(error.is_none(), "BatchCodec, chunk {chunk}: {error:?}");
        let got: Vec<Reading> = batches
            .iter()
            .flat_map(|batch| batch.payloads())
            .map(|p| Reading::from_payload(p, None).unwrap())
            .collect();
        assert_eq!(got, expected, "BatchCodec, chunk {chunk}");
        let skipped_too = batched.take_skipped();
        assert_eq!(
            skipped_too.iter().map(|s| (s.offset, s.len)).collect::<Vec<_>>(),
            skipped.iter().map(|s| (s.offset, s.len)).collect::<Vec<_>>(),
            "BatchCodec, chunk {chunk}"
        );
    }
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(
        (skipped[0].offset, skipped[0].len),
        (ranges[3].start as u64, ranges[3].len() as u64)
    );
    assert_eq!((skipped[1].offset, skipped[1].len), (ranges[4].start as u64, 0));
    assert!(matches!(
        &skipped[1].reason,
        Error::InvalidFrame {
            reason: FrameDefect::FramesMissing {
                expected: 3,
                found: 4
            },
            ..
        }
    ));
}

fn arb_reading() -> impl Strategy<Value = Reading> {
    (any::<u64>(), 0u32..20, "[a-z]{0,40}").prop_map(|(timestamp, sensor_id, unit)| Reading {
        timestamp,
        sensor_id,
        unit,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn random_messages_round_trip(
        items in proptest::collection::vec(arb_reading(), 0..40),
        aes in any::<bool>(),
        key_bytes in any::<[u8; 32]>(),
        chunk in 1usize..500,
    ) {
        let k = EncryptionKey::from_bytes(key_bytes);
        let (bytes, back) = if aes {
            let bytes = write_with(EncryptedFramer::new(DefaultFramer, Aes256Gcm::new(&k)).unwrap(), &items);
            let back = read_all(&bytes, EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&k)));
            (bytes, back)
        } else {
            let bytes = write_with(EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(), &items);
            let back = StreamReader::new(Chunked { data: &bytes, chunk }, EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)))
                .typed::<Reading>().collect::<Result<Vec<_>, _>>();
            (bytes.clone(), (back.unwrap(), None))
        };
        prop_assert!(back.1.is_none());
        prop_assert_eq!(back.0, items);
        prop_assert!(!bytes.is_empty());
    }

    /// Arbitrary bytes, alone or after a genuine first frame: an error or
    /// messages, never a panic.
    #[test]
    fn hostile_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let k = key(1);
        let _ = read_all(&bytes, EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)));
        let mut genuine = write_with(EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(), &readings(1));
        let first = frame_ranges(&genuine)[0].end;
        genuine.truncate(first);
        genuine.extend_from_slice(&bytes);
        let (got, _) = read_all(&genuine, EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)));
        prop_assert!(got.len() <= 1 || got[..1] == readings(1)[..]);
    }
}

/// `#[frame(encrypt = ..)]`: the framing is a type, the key a value.
mod derived {
    use super::*;

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    #[frame(len = u32, checksum = crc32c, encrypt = chacha20poly1305)]
    struct Secret {
        account: String,
        balance: i64,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    #[frame(len = u32, magic = b"AL", covers = frame, checksum = crc32c, compress = lz4, encrypt = aes256gcm)]
    struct AuditLine {
        who: String,
        what: String,
    }

    #[test]
    fn derived_encrypted_framings_round_trip() {
        let k = key(42);
        let secrets: Vec<Secret> = (0..20)
            .map(|i| Secret {
                account: format!("acct-{i}"),
                balance: i * 1000 - 5000,
            })
            .collect();
        let bytes = write_with(Secret::encrypted_framer(&k).unwrap(), &secrets);
        assert!(!bytes.windows(6).any(|w| w == b"acct-1"), "plaintext leaked");
        let back: Vec<Secret> = StreamReader::new(&bytes[..], Secret::encrypted_deframer(&k))
            .typed::<Secret>()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, secrets);
        // The derived framing is the runtime composition (same prefix, same bytes).
        let framer = Secret::encrypted_framer(&k).unwrap();
        let prefix = framer.nonce_prefix();
        let runtime = EncryptedFramer::with_nonce_prefix(Secret::framer(), ChaCha20Poly1305::new(&k), prefix);
        let mut a = Vec::new();
        framer.encode_frame(b"payload!", &mut a).unwrap();
        let mut b = Vec::new();
        runtime.encode_frame(b"payload!", &mut b).unwrap();
        assert_eq!(a, b);

        let lines: Vec<AuditLine> = (0..200)
            .map(|i| AuditLine {
                who: format!("user{}", i % 5),
                what: "logged in from 10.0.0.1; ".repeat(20),
            })
            .collect();
        let bytes = write_with(AuditLine::encrypted_framer(&k).unwrap(), &lines);
        let plain = write_with(flatstream::LayoutFramer::<AuditLine>::new(), &lines);
        assert!(bytes.len() < plain.len(), "compressed before encrypting");
        let mut r = StreamReader::new(&bytes[..], AuditLine::encrypted_deframer(&k))
            .with_recovery(SkipCorrupt)
            .unwrap();
        let back: Vec<AuditLine> = std::iter::from_fn(|| r.read::<AuditLine>().unwrap()).collect();
        assert_eq!(back, lines);
        let e = read_all(&bytes, AuditLine::encrypted_deframer(&key(43)))
            .1
            .unwrap();
        assert!(matches!(defect(&e), FrameDefect::KeyMismatch { .. }));
    }
}

/// The async writer and the codec end a stream the same way.
#[test]
fn the_async_writer_and_the_codec_finish_streams() {
    use tokio_util::codec::Encoder;
    let items = readings(10);
    let k = key(8);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let bytes = rt.block_on(async {
        let mut w = AsyncStreamWriter::new(
            Vec::new(),
            EncryptedFramer::new(DefaultFramer, Aes256Gcm::new(&k)).unwrap(),
        );
        w.write_batch(&items).await.unwrap();
        w.finish().await.unwrap();
        w.into_inner()
    });
    let (got, e) = read_all(
        &bytes,
        EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&k)),
    );
    assert_eq!((got, e.is_none()), (items.clone(), true));

    let mut codec = FrameCodec::new(
        EncryptedFramer::new(DefaultFramer, Aes256Gcm::new(&k)).unwrap(),
        EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&k)),
    );
    let mut buf = tokio_util::bytes::BytesMut::new();
    for item in &items {
        codec.encode(item.clone(), &mut buf).unwrap();
    }
    // Unfinished: the decoder refuses the end.
    let (decoded, error, _) = drive_decoder(
        FrameCodec::new(
            DefaultFramer,
            EncryptedDeframer::new(DefaultDeframer::new(), Aes256Gcm::new(&k)),
        ),
        &buf,
        64,
    );
    assert_eq!(decoded.len(), items.len());
    assert_eq!(defect(&error.unwrap()), &FrameDefect::StreamUnfinished);
    codec.finish_into(&mut buf).unwrap();
    assert!(
        codec.encode(items[0].clone(), &mut buf).is_err(),
        "nothing after the final frame"
    );
    let (decoded, error, _) = drive_decoder(codec, &buf, 64);
    assert!(error.is_none(), "{error:?}");
    let got: Vec<Reading> = decoded
        .iter()
        .map(|p| Reading::from_payload(p, None).unwrap())
        .collect();
    assert_eq!(got, items);
}

/// A torn last frame (the write cut short) of a stream over a framing
/// without checksums reads as a torn tail under TolerateTornTail, as it
/// does unencrypted: the tag is no reason to suspect a corrupt length.
#[test]
fn a_torn_last_frame_is_a_torn_tail() {
    let items = readings(4);
    let k = key(4);
    let mut w = StreamWriter::new(
        Vec::new(),
        EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(),
    );
    w.write_batch(&items).unwrap();
    let bytes = w.into_inner();
    let f = frame_ranges(&bytes);
    let cut = f[3].start + 10;
    let mut r = StreamReader::new(
        &bytes[..cut],
        EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
    )
    .with_recovery(TolerateTornTail)
    .unwrap();
    let got: Vec<Reading> = std::iter::from_fn(|| r.read::<Reading>().unwrap()).collect();
    assert_eq!(got, items[..3]);
    let torn = r.torn_tail().unwrap();
    assert_eq!((torn.offset, torn.len), (f[3].start as u64, 10));
    // Frames are found by the inner framing, which is what says whether
    // a payload found in a tail can be trusted as a frame.
    let cipher = || ChaCha20Poly1305::new(&k);
    assert!(!EncryptedDeframer::new(DefaultDeframer::new(), cipher()).validates_payload());
    assert!(EncryptedDeframer::new(ChecksumDeframer::new(Crc32c::new()), cipher()).validates_payload());
}

/// The original design's one-frame API seals and opens too: a packing
/// framer never writes a payload as it is.
#[test]
fn the_one_frame_api_seals_and_opens() {
    use flatstream::{DeframerIo, FramerIo};
    let k = key(11);
    let framer = EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap();
    let mut out = Vec::new();
    for m in [&b"first secret message"[..], b"second secret message"] {
        framer.frame_and_write(&mut out, m).unwrap();
    }
    assert!(!out.windows(6).any(|w| w == b"secret"), "plaintext on the wire");
    let unfinished = out.clone();
    framer.end_and_write(&mut out).unwrap();
    let deframer = EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k));
    let mut input = &out[..];
    let mut buffer = Vec::new();
    assert!(deframer
        .read_and_deframe(&mut input, &mut buffer)
        .unwrap()
        .is_some());
    assert_eq!(buffer, b"first secret message");
    assert!(deframer
        .read_and_deframe(&mut input, &mut buffer)
        .unwrap()
        .is_some());
    assert_eq!(buffer, b"second secret message");
    assert!(deframer
        .read_and_deframe(&mut input, &mut buffer)
        .unwrap()
        .is_none());
    // Without the final frame: truncated.
    let deframer = EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k));
    let mut input = &unfinished[..];
    deframer.read_and_deframe(&mut input, &mut buffer).unwrap();
    deframer.read_and_deframe(&mut input, &mut buffer).unwrap();
    let e = deframer.read_and_deframe(&mut input, &mut buffer).unwrap_err();
    assert_eq!(defect(&e), &FrameDefect::StreamUnfinished);
}

/// Every writer path (plain, buffered, batched, built bytes, derived
/// messages, the async writer, the codec) seals: no plaintext reaches the
/// output, and every path's stream reads back.
#[test]
fn no_writer_path_writes_plaintext() {
    use tokio_util::codec::Encoder;
    let k = key(12);
    let items: Vec<Reading> = (0..30)
        .map(|i| Reading {
            timestamp: i,
            sensor_id: 1,
            unit: "PLAINTEXT-MARKER".into(),
        })
        .collect();
    let framer = || EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap();
    let mut outputs = Vec::new();
    let mut w = StreamWriter::with_capacity(4096, Vec::new(), framer());
    for item in &items {
        w.write(item).unwrap();
    }
    w.finish().unwrap();
    outputs.push(w.into_inner());
    let mut w = StreamWriter::new(Vec::new(), framer());
    w.write_batch(&items).unwrap();
    w.finish().unwrap();
    outputs.push(w.into_inner());
    let mut w = StreamWriter::new(Vec::new(), framer());
    let mut encoder = flatstream::Encoder::new();
    for item in &items {
        w.write(&RawPayload(item.encode(&mut encoder).unwrap())).unwrap();
    }
    w.finish().unwrap();
    outputs.push(w.into_inner());
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    outputs.push(rt.block_on(async {
        let mut w = AsyncStreamWriter::with_capacity(4096, Vec::new(), framer());
        for item in &items {
            w.write(item).await.unwrap();
        }
        w.finish().await.unwrap();
        w.into_inner()
    }));
    let mut codec = FrameCodec::new(framer(), DefaultDeframer::new());
    let mut buf = tokio_util::bytes::BytesMut::new();
    for item in &items {
        codec.encode(item, &mut buf).unwrap();
    }
    codec.finish_into(&mut buf).unwrap();
    outputs.push(buf.to_vec());
    for (n, bytes) in outputs.iter().enumerate() {
        assert!(
            !bytes.windows(9).any(|w| w == b"PLAINTEXT"),
            "path {n} wrote plaintext"
        );
        let (got, e) = read_all(
            bytes,
            EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k)),
        );
        assert!(e.is_none(), "path {n}: {e:?}");
        assert_eq!(got, items, "path {n}");
    }
}

/// A gap is an error at the frame after it, whose messages are good: every
/// reader that reads on after the error hands them out, as they are.
#[test]
fn every_reader_reads_on_after_a_gap() {
    let items = readings(5);
    let k = key(4);
    let bytes = write_with(
        EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&k)).unwrap(),
        &items,
    );
    let f = frame_ranges(&bytes);
    // Frame 0 is the stream header with the first message; 1 is dropped.
    let mut dropped = bytes[..f[1].start].to_vec();
    dropped.extend_from_slice(&bytes[f[2].start..]);
    let deframer = || EncryptedDeframer::new(DefaultDeframer::new(), ChaCha20Poly1305::new(&k));
    let mut expected: Vec<Result<Reading, u64>> = items.iter().cloned().map(Ok).collect();
    expected[1] = Err(f[1].start as u64);

    let mut r = StreamReader::new(&dropped[..], deframer());
    let mut got = Vec::new();
    loop {
        match r.read::<Reading>() {
            Ok(Some(item)) => got.push(Ok(item)),
            Ok(None) => break,
            Err(e) => got.push(Err(e.offset().unwrap())),
        }
        assert!(got.len() <= expected.len(), "StreamReader reads on forever");
    }
    assert_eq!(got, expected, "StreamReader");

    let mut s = SliceReader::new(&dropped, deframer());
    let mut got = Vec::new();
    loop {
        match s.next_message() {
            Ok(Some(m)) => got.push(Ok(Reading::from_payload(m, None).unwrap())),
            Ok(None) => break,
            Err(e) => got.push(Err(e.offset().unwrap())),
        }
        assert!(got.len() <= expected.len(), "SliceReader reads on forever");
    }
    assert_eq!(got, expected, "SliceReader");

    let decoded = |messages: Vec<Result<Vec<u8>, Error>>| -> Vec<Result<Reading, u64>> {
        messages
            .into_iter()
            .map(|m| match m {
                Ok(m) => Ok(Reading::from_payload(&m, None).unwrap()),
                Err(e) => Err(e.offset().unwrap()),
            })
            .collect()
    };
    for chunk in [1, 9, 4096] {
        let codec = FrameCodec::new(DefaultFramer, deframer());
        let got = common::drive_decoder_on(codec, &dropped, chunk)
            .into_iter()
            .map(|m| m.map(|b| b.to_vec()))
            .collect();
        assert_eq!(decoded(got), expected, "FrameCodec, chunk {chunk}");
        let batched = FrameCodec::new(DefaultFramer, deframer()).batched();
        let got = common::batch_messages(common::drive_decoder_on(batched, &dropped, chunk));
        assert_eq!(decoded(got), expected, "BatchCodec, chunk {chunk}");
    }

    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut r = AsyncStreamReader::new(&dropped[..], deframer());
        let mut got = Vec::new();
        loop {
            match r.read::<Reading>().await {
                Ok(Some(item)) => got.push(Ok(item)),
                Ok(None) => break,
                Err(e) => got.push(Err(e.offset().unwrap())),
            }
            assert!(got.len() <= expected.len(), "AsyncStreamReader reads on forever");
        }
        assert_eq!(got, expected, "AsyncStreamReader");
    });
}

/// A framing whose frames carry at most 64 bytes.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, max_len = 64)]
struct Small {
    x: u64,
}

/// A message too large for the inner framing is refused before it is
/// sealed, so it uses no frame number: the stream after it reads back
/// whole, with no gap. The same through `encode_frame`, which seals straight
/// into the caller's buffer.
#[test]
fn a_message_above_the_inner_limit_is_refused_before_sealing() {
    let k = key(8);
    let framer = || EncryptedFramer::new(Small::framer(), ChaCha20Poly1305::new(&k)).unwrap();
    let deframer = || EncryptedDeframer::new(Small::deframer(), ChaCha20Poly1305::new(&k));
    // First frame: header (15) + flags + tag (16) leave 32 bytes of message.
    let fits = [7u8; 32];
    let too_large = [7u8; 33];
    let mut w = StreamWriter::new(Vec::new(), framer());
    w.write(&RawPayload(&fits)).unwrap();
    let e = w.write(&RawPayload(&[0; 100])).unwrap_err();
    assert!(matches!(e, Error::FrameTooLarge { max: 64, .. }), "{e}");
    w.write(&RawPayload(&fits[..10])).unwrap();
    w.finish().unwrap();
    let bytes = w.into_inner();
    let got: Vec<Vec<u8>> = StreamReader::new(&bytes[..], deframer())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got, [fits.to_vec(), fits[..10].to_vec()]);

    let f = framer();
    let mut out = Vec::new();
    let e = f.encode_frame(&too_large, &mut out).unwrap_err();
    assert!(matches!(e, Error::FrameTooLarge { max: 64, .. }), "{e}");
    assert!(out.is_empty());
    assert_eq!(f.frames(), 0);
    f.encode_frame(&fits, &mut out).unwrap();
    f.end_and_write(&mut out).unwrap();
    let got: Vec<Vec<u8>> = StreamReader::new(&out[..], deframer())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got, [fits.to_vec()]);
}

/// docs/security.md's construction, rebuilt from the documentation alone
/// with the bare cipher: frame `n`'s nonce is `prefix ‖ n (u32 BE) ‖
/// flags`, frame 0's associated data is the stream header and the other
/// frames' is empty; a message block's plaintext is `[LEB128 len][msg]`.
#[test]
fn the_documented_construction_opens_every_frame() {
    let k = key(6);
    check_construction(|| ChaCha20Poly1305::new(&k));
    check_construction(|| Aes256Gcm::new(&k));
}

/// [`the_documented_construction_opens_every_frame`] for one cipher: a
/// stream written by the framer, opened frame by frame with `cipher()`
/// alone.
fn check_construction<A: Cipher>(cipher: impl Fn() -> A) {
    let prefix = [1, 2, 3, 4, 5, 6, 7];
    let messages: [&[u8]; 2] = [b"first message", b"second"];
    let cipher_id = A::ID;
    let mut bytes = Vec::new();
    let f = EncryptedFramer::with_nonce_prefix(DefaultFramer, cipher(), prefix);
    messages
        .iter()
        .for_each(|m| f.encode_frame(m, &mut bytes).unwrap());
    f.end_and_write(&mut bytes).unwrap();
    let open = |nonce: &[u8; 12], ad: &[u8], ct: &[u8], out: &mut [u8], tag: &[u8; 16]| {
        cipher().open(nonce, ad, ct, out, tag)
    };
    let key_id = cipher().key_id();
    let frames: Vec<Vec<u8>> = StreamReader::new(&bytes[..], DefaultDeframer::new())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(frames.len(), 3, "two messages and the final frame");
    let mut header = b"FE\x01".to_vec();
    header.push(cipher_id);
    header.extend_from_slice(&key_id.to_le_bytes());
    header.extend_from_slice(&prefix);
    assert_eq!(&frames[0][..15], &header[..]);
    for (n, frame) in frames.iter().enumerate() {
        let body = if n == 0 { &frame[15..] } else { &frame[..] };
        let (flags, rest) = (body[0], &body[1..]);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        let mut nonce = [0; 12];
        nonce[..7].copy_from_slice(&prefix);
        nonce[7..11].copy_from_slice(&(n as u32).to_be_bytes());
        nonce[11] = flags;
        let ad: &[u8] = if n == 0 { &header } else { &[] };
        let mut plain = vec![0; ct.len()];
        assert!(
            open(&nonce, ad, ct, &mut plain, tag.try_into().unwrap()),
            "cipher {cipher_id}, frame {n}"
        );
        match n {
            2 => assert_eq!(
                (flags, plain.len()),
                (1, 0),
                "the final frame: flag 1, no messages"
            ),
            _ => assert_eq!((flags, &plain[..]), (0, messages[n]), "frame {n}"),
        }
        // Any other flags, counter or associated data: refused.
        nonce[11] ^= 2;
        assert!(!open(&nonce, ad, ct, &mut plain, tag.try_into().unwrap()));
        nonce[11] ^= 2;
        nonce[10] ^= 1;
        assert!(!open(&nonce, ad, ct, &mut plain, tag.try_into().unwrap()));
        nonce[10] ^= 1;
        let other_ad: &[u8] = if n == 0 { &[] } else { &header };
        assert!(!open(&nonce, other_ad, ct, &mut plain, tag.try_into().unwrap()));
    }
}

/// docs/security.md's example stream, to the byte: the message "hi" under
/// the key of 32 bytes 0x06 and the nonce prefix 01 02 .. 07, then the
/// final frame, with ChaCha20-Poly1305 in `DefaultFramer` frames.
#[test]
fn the_documented_example_is_what_is_written() {
    let framer = EncryptedFramer::with_nonce_prefix(
        DefaultFramer,
        ChaCha20Poly1305::new(&key(6)),
        [1, 2, 3, 4, 5, 6, 7],
    );
    let mut out = Vec::new();
    framer.encode_frame(b"hi", &mut out).unwrap();
    framer.end_and_write(&mut out).unwrap();
    let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, EXAMPLE.split_whitespace().collect::<String>());
}

/// As docs/security.md shows it, one field per group.
const EXAMPLE: &str = "22000000 4645 01 01 22a3fe83 01020304050607 00 62ef 24843e760bcaa4346c9b88c62e1e7938
    11000000 01 a3091161e67e7fb43d45ed0b0fa5ccc5";
