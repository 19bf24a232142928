//! Compressed streams (issue 19): per-message and block compression over
//! every framing, read back the same by every reader; bounded
//! decompression; errors with offsets for every kind of damage and misuse.
//!
//! `PROPTEST_CASES=2000 cargo test --test compression` runs the property
//! tests longer.

use flatstream::compress::{
    CompressedDeframer, CompressedFramer, Compressor, Lz4, Zstd, ZstdDictionary, DEFAULT_BLOCK_LEN,
};
use flatstream::prelude::*;
use flatstream::recovery::{SkipCorrupt, TolerateTornTail};
use flatstream::{Encoder, Error, FrameDefect, FromPayload, Packing, RawPayload};
use proptest::prelude::*;

mod common;
use common::{defect, drive_decoder, Chunked};

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"R1")]
struct Reading {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

/// A framing whose frames carry at most 16 bytes.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, max_len = 16)]
struct Limited {
    x: u64,
}

fn readings(n: usize) -> Vec<Reading> {
    (0..n)
        .map(|i| Reading {
            timestamp: 1_700_000_000_000 + i as u64 * 10,
            sensor_id: (i % 17) as u32,
            value: 20.0 + (i % 50) as f64 / 8.0,
            unit: ["celsius", "kelvin", "bar"][i % 3].to_owned(),
        })
        .collect()
}

fn write_with<F: Framer, T: StreamSerialize>(framer: F, items: &[T]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), framer);
    for item in items {
        w.write(item).unwrap();
    }
    w.into_inner()
}

/// Reads `bytes` back with `deframer` through every reader and every read
/// method, and checks each gives `expected`.
fn check_every_reader<D: Deframer + Clone + Unpin, F: Framer>(
    framer: F,
    deframer: D,
    bytes: &[u8],
    expected: &[Reading],
    what: &str,
) {
    // StreamReader: owned, view, raw payloads, the iterators; in pieces.
    for chunk in [1, 7, 4096, usize::MAX] {
        let mut r = StreamReader::new(Chunked { data: bytes, chunk }, deframer.clone());
        let mut got = Vec::new();
        while let Some(item) = r.read::<Reading>().unwrap() {
            got.push(item);
        }
        assert_eq!(got, expected, "{what}: StreamReader::read, chunk {chunk}");
        assert_eq!(r.position(), bytes.len() as u64, "{what}");
    }
    let mut r = StreamReader::new(bytes, deframer.clone());
    for want in expected {
        let view = r.read_view::<Reading>().unwrap().expect("a view");
        assert_eq!(
            (view.sensor_id(), view.unit()),
            (want.sensor_id, &*want.unit),
            "{what}"
        );
    }
    assert!(r.read_view::<Reading>().unwrap().is_none(), "{what}");
    let raw: Vec<Vec<u8>> = StreamReader::new(bytes, deframer.clone())
        .collect::<Result<_, _>>()
        .unwrap();
    let decoded: Vec<Reading> = raw
        .iter()
        .map(|p| Reading::from_payload(p, None).unwrap())
        .collect();
    assert_eq!(decoded, expected, "{what}: StreamReader iterator");
    let typed: Vec<Reading> = StreamReader::new(bytes, deframer.clone())
        .typed::<Reading>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(typed, expected, "{what}: TypedReader");

    // SliceReader: lent from the reader.
    let mut s = SliceReader::new(bytes, deframer.clone());
    let mut got = Vec::new();
    while let Some(payload) = s.next_message().unwrap() {
        got.push(Reading::from_payload(payload, None).unwrap());
    }
    assert_eq!(got, expected, "{what}: SliceReader::next_message");
    let mut s = SliceReader::new(bytes, deframer.clone());
    for want in expected {
        let view = s.next_view::<Reading>().unwrap().expect("a view");
        assert_eq!(view.timestamp(), want.timestamp, "{what}");
    }
    assert!(s.next_view::<Reading>().unwrap().is_none());
    let mut s = SliceReader::new(bytes, deframer.clone());
    let mut got = Vec::new();
    while let Some(item) = s.read::<Reading>().unwrap() {
        got.push(item);
    }
    assert_eq!(got, expected, "{what}: SliceReader::read");

    // The codec, with the bytes arriving in pieces.
    for chunk in [3, 1000] {
        let codec = FrameCodec::new(framer_dummy(&framer), deframer.clone());
        let (items, error, _) = drive_decoder(codec, bytes, chunk);
        assert!(error.is_none(), "{what}: codec {error:?}");
        let got: Vec<Reading> = items
            .iter()
            .map(|p| Reading::from_payload(p, None).unwrap())
            .collect();
        assert_eq!(got, expected, "{what}: FrameCodec, chunk {chunk}");
        let batched = FrameCodec::new(framer_dummy(&framer), deframer.clone()).batched();
        let got: Vec<Reading> = common::batch_messages(common::drive_decoder_on(batched, bytes, chunk))
            .into_iter()
            .map(|m| Reading::from_payload(&m.unwrap(), None).unwrap())
            .collect();
        assert_eq!(got, expected, "{what}: BatchCodec, chunk {chunk}");
    }
    let mut batched = FrameCodec::new(framer_dummy(&framer), deframer.clone()).batched();
    let mut buf = tokio_util::bytes::BytesMut::from(bytes);
    let mut stamps = Vec::new();
    while let Some(batch) = tokio_util::codec::Decoder::decode_eof(&mut batched, &mut buf).unwrap() {
        stamps.extend(batch.views::<Reading>().map(|v| v.unwrap().timestamp()));
    }
    assert!(
        stamps.iter().eq(expected.iter().map(|r| &r.timestamp)),
        "{what}: FrameBatch::views"
    );

    // The async reader.
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut r = AsyncStreamReader::new(bytes, deframer.clone());
        let mut got = Vec::new();
        while let Some(item) = r.read::<Reading>().await.unwrap() {
            got.push(item);
        }
        assert_eq!(got, expected, "{what}: AsyncStreamReader::read");
        let mut r = AsyncStreamReader::new(bytes, deframer.clone());
        for want in expected {
            let view = r.read_view::<Reading>().await.unwrap().expect("a view");
            assert_eq!(view.value(), want.value, "{what}");
        }
        use futures::StreamExt;
        let streamed: Vec<Reading> = AsyncStreamReader::new(bytes, deframer.clone())
            .into_stream::<Reading>()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(streamed, expected, "{what}: TypedStream");
    });
}

/// A framer for a codec that only decodes: any will do.
fn framer_dummy<F: Framer>(_: &F) -> DefaultFramer {
    DefaultFramer
}

/// Writes `items` with the framer of each mode and codec over `inner`, and
/// reads them back with every reader.
macro_rules! every_mode_and_codec {
    ($inner:expr, $inner_deframer:expr, $name:expr) => {{
        let items = readings(300);
        for (mode, block_len) in [
            ("per message", None),
            ("blocks of 1", Some(0)),
            ("blocks of 500", Some(500)),
            ("blocks of 64 KiB", Some(DEFAULT_BLOCK_LEN)),
        ] {
            let what = format!("{} / {mode}", $name);
            let lz4 = match block_len {
                None => CompressedFramer::new($inner, Lz4),
                Some(len) => CompressedFramer::blocks($inner, Lz4, len),
            };
            let bytes = write_with(lz4.clone(), &items);
            check_every_reader(
                lz4,
                CompressedDeframer::new($inner_deframer, Lz4),
                &bytes,
                &items,
                &format!("{what} / lz4"),
            );
            for level in [1, 19] {
                let zstd = match block_len {
                    None => CompressedFramer::new($inner, Zstd::with_level(level)),
                    Some(len) => CompressedFramer::blocks($inner, Zstd::with_level(level), len),
                };
                let bytes = write_with(zstd.clone(), &items);
                check_every_reader(
                    zstd,
                    CompressedDeframer::new($inner_deframer, Zstd::new()),
                    &bytes,
                    &items,
                    &format!("{what} / zstd {level}"),
                );
            }
            let framer = match block_len {
                None => CompressedFramer::new($inner, Lz4),
                Some(len) => CompressedFramer::blocks($inner, Lz4, len),
            }
            .with_content_checksum(Crc32c::new());
            let bytes = write_with(framer.clone(), &items);
            let deframer = CompressedDeframer::new($inner_deframer, Lz4).with_content_checksum(Crc32c::new());
            check_every_reader(
                framer,
                deframer,
                &bytes,
                &items,
                &format!("{what} / lz4 + content CRC-32C"),
            );
        }
    }};
}

#[test]
fn every_mode_codec_and_framing_round_trips_through_every_reader() {
    every_mode_and_codec!(DefaultFramer, DefaultDeframer::new(), "default");
    every_mode_and_codec!(
        ChecksumFramer::new(Crc32c::new()),
        ChecksumDeframer::new(Crc32c::new()),
        "crc32c"
    );
    every_mode_and_codec!(
        ChecksumFramer::new(Xxh3::new()).with_protected_header(),
        ChecksumDeframer::new(Xxh3::new()).with_protected_header(),
        "xxh3, protected header"
    );
    every_mode_and_codec!(Reading::framer(), Reading::deframer(), "derived");
}

#[test]
fn blocks_shrink_the_stream_and_hold_messages_until_full_or_flushed() {
    let items = readings(10_000);
    let plain = write_with(DefaultFramer, &items);
    let lz4 = write_with(
        CompressedFramer::blocks(DefaultFramer, Lz4, DEFAULT_BLOCK_LEN),
        &items,
    );
    let zstd = write_with(
        CompressedFramer::blocks(DefaultFramer, Zstd::new(), DEFAULT_BLOCK_LEN),
        &items,
    );
    assert!(
        lz4.len() * 3 < plain.len(),
        "lz4 {} vs {}",
        lz4.len(),
        plain.len()
    );
    assert!(
        zstd.len() * 5 < plain.len(),
        "zstd {} vs {}",
        zstd.len(),
        plain.len()
    );

    // Held until the block is full; `flush` writes a partial block.
    let mut w = StreamWriter::new(Vec::new(), CompressedFramer::blocks(DefaultFramer, Lz4, 1 << 20));
    for item in &items[..10] {
        w.write(item).unwrap();
    }
    assert!(w.get_ref().is_empty(), "the block is not full yet");
    w.flush().unwrap();
    let after_flush = w.get_ref().len();
    assert!(after_flush > 0);
    assert_eq!(w.frames_written(), 1);
    w.write(&items[10]).unwrap();
    assert_eq!(w.get_ref().len(), after_flush);
    // Dropped: the open block goes out too.
    let mut out = Vec::new();
    {
        let mut w = StreamWriter::new(&mut out, CompressedFramer::blocks(DefaultFramer, Lz4, 1 << 20));
        w.write_batch(&items[..25]).unwrap();
    }
    let back: Vec<Reading> =
        StreamReader::new(&out[..], CompressedDeframer::new(DefaultDeframer::new(), Lz4))
            .typed::<Reading>()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(back, items[..25]);
}

#[test]
fn the_async_writer_writes_blocks_on_flush() {
    let items = readings(500);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let bytes = rt.block_on(async {
        let mut w = AsyncStreamWriter::new(
            Vec::new(),
            CompressedFramer::blocks(DefaultFramer, Zstd::new(), 4096),
        );
        w.write_batch(&items[..200]).await.unwrap();
        for item in &items[200..] {
            w.write(item).await.unwrap();
        }
        w.flush().await.unwrap();
        w.into_inner()
    });
    assert_eq!(
        bytes,
        write_with(CompressedFramer::blocks(DefaultFramer, Zstd::new(), 4096), &items)
    );
    let back: Vec<Reading> = StreamReader::new(
        &bytes[..],
        CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()),
    )
    .typed::<Reading>()
    .collect::<Result<_, _>>()
    .unwrap();
    assert_eq!(back, items);
}

#[test]
fn the_codec_encodes_each_item_compressed() {
    use tokio_util::codec::Encoder;
    let items = readings(50);
    let mut codec = FrameCodec::new(
        CompressedFramer::blocks(ChecksumFramer::new(Crc32c::new()), Lz4, DEFAULT_BLOCK_LEN),
        CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4),
    );
    let mut buf = tokio_util::bytes::BytesMut::new();
    for item in &items {
        codec.encode(item.clone(), &mut buf).unwrap();
    }
    // One frame per item, each of them compressed on its own.
    assert_eq!(
        buf,
        write_with(
            CompressedFramer::new(ChecksumFramer::new(Crc32c::new()), Lz4),
            &items
        )[..]
    );
    let (decoded, error, _) = drive_decoder(codec, &buf, 100);
    assert!(error.is_none());
    let back: Vec<Reading> = decoded
        .iter()
        .map(|p| Reading::from_payload(p, None).unwrap())
        .collect();
    assert_eq!(back, items);
}

/// A reader of a whole stream, as [`read_all`] with some deframer.
type ReadAll = dyn Fn(&[u8]) -> (Vec<Reading>, Option<Error>);

/// Reads `bytes` to the end or the first error: the messages, and the error.
fn read_all<D: Deframer>(bytes: &[u8], deframer: D) -> (Vec<Reading>, Option<Error>) {
    common::read_all_as(bytes, deframer)
}

/// Every cut of a small stream of several blocks: the messages of the
/// whole blocks before the cut, then a clean end (on a frame boundary) or
/// an error at the cut block's offset; never a panic, never a wrong message.
#[test]
fn every_truncation_of_a_compressed_stream_ends_in_whole_blocks_or_an_error() {
    let items = readings(30);
    let lz4 = write_with(
        CompressedFramer::blocks(ChecksumFramer::new(Crc32c::new()), Lz4, 400),
        &items,
    );
    check_truncations(
        "lz4 / crc32c",
        &lz4,
        &items,
        block_ends(&lz4, ChecksumDeframer::new(Crc32c::new()), 0),
        |b| {
            read_all(
                b,
                CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4),
            )
        },
    );
    let zstd = write_with(CompressedFramer::blocks(DefaultFramer, Zstd::new(), 400), &items);
    check_truncations(
        "zstd / default",
        &zstd,
        &items,
        block_ends(&zstd, DefaultDeframer::new(), 1),
        |b| read_all(b, CompressedDeframer::new(DefaultDeframer::new(), Zstd::new())),
    );
}

fn check_truncations(
    name: &str,
    bytes: &[u8],
    items: &[Reading],
    ends: Vec<(usize, usize)>,
    read: impl Fn(&[u8]) -> (Vec<Reading>, Option<Error>),
) {
    assert!(ends.len() > 3, "{name}: several blocks");
    for cut in 0..bytes.len() {
        let (got, error) = read(&bytes[..cut]);
        let &(whole_end, whole) = ends.iter().rev().find(|(end, _)| *end <= cut).unwrap();
        assert_eq!(got, items[..whole], "{name}: cut at {cut}");
        match error {
            None => assert_eq!(cut, whole_end, "{name}: a clean end only on a frame boundary"),
            Some(e) => assert_eq!(e.offset(), Some(whole_end as u64), "{name}: cut at {cut}: {e}"),
        }
    }
}

/// Where each frame of `bytes` ends, with the messages up to there
/// (`codec`: 0 LZ4, 1 zstd); the first entry is the start.
fn block_ends<D: Deframer>(bytes: &[u8], inner: D, codec: u8) -> Vec<(usize, usize)> {
    let mut ends = vec![(0, 0)];
    let mut frames = SliceReader::new(bytes, inner);
    let mut count = 0;
    while let Some(payload) = frames.read_message().unwrap() {
        count += messages_in(payload, codec);
        ends.push((frames.position(), count));
    }
    ends
}

/// Messages in a packed payload (a block's entries, or one; `codec`: 0
/// LZ4, 1 zstd), counted by reading it back alone.
fn messages_in(packed: &[u8], codec: u8) -> usize {
    let mut frame = (packed.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(packed);
    let count = match codec {
        0 => StreamReader::new(&frame[..], CompressedDeframer::new(DefaultDeframer::new(), Lz4)).count(),
        _ => StreamReader::new(
            &frame[..],
            CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()),
        )
        .count(),
    };
    assert!(count > 0);
    count
}

/// Every bit flip of a one-block stream is caught: by the frame checksum
/// (over the compressed bytes), or without one by the content checksum
/// (over the decompressed bytes). Never a panic, never a wrong message.
#[test]
fn every_bit_flip_is_caught_by_either_checksum() {
    let items = readings(12);
    let cases: Vec<(&str, Vec<u8>, Box<ReadAll>)> = vec![
        (
            "frame checksum",
            write_with(
                CompressedFramer::blocks(ChecksumFramer::new(Crc32c::new()), Lz4, 1 << 20),
                &items,
            ),
            Box::new(|b: &[u8]| {
                read_all(
                    b,
                    CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4),
                )
            }),
        ),
        (
            "content checksum",
            write_with(
                CompressedFramer::blocks(DefaultFramer, Zstd::new(), 1 << 20)
                    .with_content_checksum(Crc32c::new()),
                &items,
            ),
            Box::new(|b: &[u8]| {
                read_all(
                    b,
                    CompressedDeframer::new(DefaultDeframer::new(), Zstd::new())
                        .with_content_checksum(Crc32c::new()),
                )
            }),
        ),
    ];
    let mut unchanged = Vec::new();
    let mut total_bits = 0;
    for (name, bytes, read) in cases {
        total_bits += bytes.len() * 8;
        let (got, error) = read(&bytes);
        assert_eq!(got, items, "{name}");
        assert!(error.is_none(), "{name}");
        for bit in 0..bytes.len() * 8 {
            let mut damaged = bytes.clone();
            damaged[bit / 8] ^= 1 << (bit % 8);
            let (got, error) = read(&damaged);
            match error {
                Some(e) => {
                    assert!(got.is_empty(), "{name}: bit {bit}: a damaged block gave messages");
                    assert_eq!(e.offset(), Some(0), "{name}: bit {bit}: {e}");
                }
                // Only where the bit does not change what the block holds
                // (a bit zstd's decoder ignores), which only the content
                // checksum, over what was decoded, lets through.
                None => {
                    assert_eq!(name, "content checksum", "bit {bit} went unnoticed");
                    assert_eq!(got, items, "{name}: bit {bit}: wrong messages");
                    unchanged.push(bit / 8);
                }
            }
        }
    }
    // zstd ignores a few bits (header fields it does not need, spare bits
    // of its tables): flipping them changes nothing decoded. Few of them.
    assert!(unchanged.len() * 20 < total_bits, "{unchanged:?}");
}

/// A packed payload written by hand: `codec` id, `declared` size, `body`.
fn packed(codec: u8, flags: u8, declared: u32, body: &[u8]) -> Vec<u8> {
    let mut p = b"FZ".to_vec();
    p.extend_from_slice(&[1, codec, flags]);
    p.extend_from_slice(&varint(declared));
    p.extend_from_slice(body);
    p
}

/// `n` in LEB128, as packed headers store lengths.
fn varint(mut n: u32) -> Vec<u8> {
    let mut out = Vec::new();
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out
}

/// `payloads` framed by the plain CRC-32C framer (which frames any bytes).
fn frames(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    w.into_inner()
}

#[test]
fn bombs_are_refused_before_allocating_or_stopped_at_the_declared_size() {
    let first = frames(&[CompressedFramerPack::lz4(b"a normal message")]);
    let zeros = vec![0u8; 1 << 20];
    let mut lz4_zeros = Vec::new();
    Lz4.compress(&zeros, &mut lz4_zeros).unwrap();
    let mut zstd_zeros = Vec::new();
    Zstd::new().compress(&zeros, &mut zstd_zeros).unwrap();
    assert!(lz4_zeros.len() < 8 * 1024 && zstd_zeros.len() < 1024);

    let lz4 = || CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4);
    let zstd = || CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Zstd::new());
    let at = first.len() as u64;
    // A tiny frame that claims 4 GiB: refused from its header.
    let claims = [first.clone(), frames(&[packed(1, 0, u32::MAX, &lz4_zeros)])].concat();
    let mut r = StreamReader::new(&claims[..], lz4().with_max_unpacked_len(64 * 1024));
    assert!(r.read_message().unwrap().is_some());
    let e = r.read_message().unwrap_err();
    assert_eq!(e.offset(), Some(at));
    assert_eq!(
        defect(&e),
        &FrameDefect::UnpackedTooLarge {
            declared: u32::MAX as u64,
            max: 64 * 1024
        }
    );
    // 1 MiB of zeros declared as 1000 bytes: decompression stops there.
    for (codec, body) in [(1u8, &lz4_zeros), (2, &zstd_zeros)] {
        let bomb = [first.clone(), frames(&[packed(codec, 0, 1000, body)])].concat();
        // The first frame, stored (too short to shrink), reads with either.
        let e = match codec {
            1 => {
                let mut r = StreamReader::new(&bomb[..], lz4());
                assert_eq!(r.read_message().unwrap().unwrap(), b"a normal message");
                r.read_message().unwrap_err()
            }
            _ => {
                let mut r = StreamReader::new(&bomb[..], zstd());
                assert_eq!(r.read_message().unwrap().unwrap(), b"a normal message");
                r.read_message().unwrap_err()
            }
        };
        assert_eq!(e.offset(), Some(at));
        assert!(
            matches!(
                defect(&e),
                FrameDefect::DecompressionFailed {
                    declared: 1000,
                    produced: None,
                    ..
                }
            ),
            "{e}"
        );
    }
    // Less than declared is as wrong as more.
    let mut small = Vec::new();
    Lz4.compress(&[5; 100], &mut small).unwrap();
    let short = frames(&[packed(1, 0, 200, &small)]);
    let e = StreamReader::new(&short[..], lz4()).read_message().unwrap_err();
    assert_eq!(
        defect(&e),
        &FrameDefect::DecompressionFailed {
            codec: "LZ4",
            declared: 200,
            produced: Some(100)
        }
    );
    // Stored bytes of another length than declared.
    let stored = frames(&[packed(0, 0, 10, b"12345")]);
    let e = StreamReader::new(&stored[..], lz4()).read_message().unwrap_err();
    assert!(matches!(
        defect(&e),
        FrameDefect::DecompressionFailed {
            declared: 10,
            produced: Some(5),
            ..
        }
    ));
}

/// Packed payloads made through the public framer.
struct CompressedFramerPack;
impl CompressedFramerPack {
    fn lz4(message: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        CompressedFramer::new(DefaultFramer, Lz4)
            .pack(message, Packing::Message, &mut out)
            .unwrap();
        out
    }
}

#[test]
fn a_header_from_another_version_or_with_unknown_flags_is_refused() {
    for (version, flags) in [(2u8, 0u8), (0, 0), (1, 0x10), (1, 0x80)] {
        let mut p = packed(1, flags, 3, b"abc");
        p[2] = version;
        let e = StreamReader::new(
            &frames(&[p])[..],
            CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4),
        )
        .read_message()
        .unwrap_err();
        assert_eq!(
            defect(&e),
            &FrameDefect::UnsupportedCompression { version, flags }
        );
    }
    // Every cut of a packed header is refused as too short, not read past.
    let p = packed(0, 2, 3, &[1, 2, 3, 4, b'a', b'b', b'c']);
    for cut in 2..p.len() - 3 {
        let e = StreamReader::new(
            &frames(&[p[..cut].to_vec()])[..],
            CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4),
        )
        .read_message()
        .unwrap_err();
        assert!(
            matches!(
                defect(&e),
                FrameDefect::PayloadTooShort { .. }
                    | FrameDefect::DictionaryMismatch { .. }
                    | FrameDefect::DecompressionFailed { .. }
            ),
            "cut {cut}: {e}"
        );
    }
}

#[test]
fn the_wrong_codec_dictionary_or_framing_is_named() {
    let items = readings(40);
    let lz4 = write_with(CompressedFramer::new(DefaultFramer, Lz4), &items);
    let e = read_all(&lz4, CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()))
        .1
        .unwrap();
    assert_eq!(
        defect(&e),
        &FrameDefect::CodecMismatch {
            found: 1,
            expected: "zstd"
        }
    );
    assert!(e.to_string().contains("LZ4"), "{e}");

    // A compressed stream read as a plain one.
    let e = read_all(&lz4, DefaultDeframer::new()).1.unwrap();
    assert_eq!(defect(&e), &FrameDefect::CompressedPayload, "{e}");
    let e = SliceReader::new(&lz4, DefaultDeframer::new())
        .read_view::<Reading>()
        .unwrap_err();
    assert_eq!(defect(&e), &FrameDefect::CompressedPayload);
    // A plain stream read as a compressed one.
    let plain = write_with(DefaultFramer, &items);
    let e = read_all(&plain, CompressedDeframer::new(DefaultDeframer::new(), Lz4))
        .1
        .unwrap();
    assert_eq!(defect(&e), &FrameDefect::NotCompressed);

    // Dictionaries.
    let samples: Vec<Vec<u8>> = readings(2000)
        .iter()
        .map(|r| r.encode(&mut Encoder::new()).unwrap().to_vec())
        .collect();
    let dict = ZstdDictionary::train(&samples, 4096).unwrap();
    let other = ZstdDictionary::train(&samples[..1000], 2048).unwrap();
    assert_ne!(dict.id(), other.id());
    let with_dict = write_with(
        CompressedFramer::new(DefaultFramer, Zstd::new().with_dictionary(dict.clone())),
        &items,
    );
    let (got, e) = read_all(
        &with_dict,
        CompressedDeframer::new(DefaultDeframer::new(), Zstd::new().with_dictionary(dict.clone())),
    );
    assert_eq!((got, e.is_none()), (items.clone(), true));
    let e = read_all(
        &with_dict,
        CompressedDeframer::new(DefaultDeframer::new(), Zstd::new().with_dictionary(other.clone())),
    )
    .1
    .unwrap();
    assert_eq!(
        defect(&e),
        &FrameDefect::DictionaryMismatch {
            found: Some(dict.id()),
            expected: Some(other.id())
        }
    );
    let e = read_all(
        &with_dict,
        CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()),
    )
    .1
    .unwrap();
    assert_eq!(
        defect(&e),
        &FrameDefect::DictionaryMismatch {
            found: Some(dict.id()),
            expected: None
        }
    );
    // (A payload that did not shrink is stored, and read by any reader, so
    // the mismatch shows on a block.)
    let block = write_with(CompressedFramer::blocks(DefaultFramer, Zstd::new(), 4096), &items);
    let e = read_all(
        &block,
        CompressedDeframer::new(DefaultDeframer::new(), Zstd::new().with_dictionary(dict.clone())),
    )
    .1
    .unwrap();
    assert_eq!(
        defect(&e),
        &FrameDefect::DictionaryMismatch {
            found: None,
            expected: Some(dict.id())
        }
    );
    // A dictionary saved and loaded is the same dictionary.
    let loaded = ZstdDictionary::from_bytes(dict.as_bytes().to_vec()).unwrap();
    assert_eq!(loaded, dict);

    let without = write_with(CompressedFramer::new(DefaultFramer, Zstd::new()), &items);
    // What a dictionary is for: single small messages compress with one,
    // and are stored as they are without.
    assert!(
        with_dict.len() * 10 < without.len() * 7,
        "{} vs {}",
        with_dict.len(),
        without.len()
    );
}

#[test]
fn a_corrupt_block_loses_only_that_block_under_skip_corrupt() {
    let items = readings(60);
    let framer = || {
        CompressedFramer::blocks(
            ChecksumFramer::new(Crc32c::new()).with_protected_header(),
            Lz4,
            300,
        )
    };
    let deframer =
        || CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()).with_protected_header(), Lz4);
    let bytes = write_with(framer(), &items);
    // The blocks: (start, end, messages before, messages in it).
    let mut blocks = Vec::new();
    let mut frames = SliceReader::new(
        &bytes,
        ChecksumDeframer::new(Crc32c::new()).with_protected_header(),
    );
    let mut before = 0;
    let mut start = 0;
    while let Some(p) = frames.read_message().unwrap() {
        let n = messages_in(p, 0);
        blocks.push((start, frames.position(), before, n));
        before += n;
        start = frames.position();
    }
    assert!(blocks.len() >= 4);
    for &(start, end, before, n) in &blocks {
        for at in [start, (start + end) / 2, end - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x40;
            let mut r = StreamReader::new(&damaged[..], deframer())
                .with_recovery(SkipCorrupt)
                .unwrap();
            let got: Vec<Reading> = std::iter::from_fn(|| r.read::<Reading>().unwrap()).collect();
            let mut expected = items[..before].to_vec();
            expected.extend_from_slice(&items[before + n..]);
            assert_eq!(got, expected, "damage at {at}");
            let skipped = r.take_skipped();
            assert_eq!(skipped.len(), 1, "damage at {at}: {skipped:?}");
            assert_eq!(
                (skipped[0].offset, skipped[0].len),
                (start as u64, (end - start) as u64)
            );
            // The batch codec skips the same block.
            let mut batched = FrameCodec::new(DefaultFramer, deframer())
                .batched()
                .with_recovery(SkipCorrupt)
                .unwrap();
            let mut buf = tokio_util::bytes::BytesMut::from(&damaged[..]);
            let mut got = Vec::new();
            while let Some(batch) = tokio_util::codec::Decoder::decode_eof(&mut batched, &mut buf).unwrap() {
                got.extend(batch.payloads().map(|p| Reading::from_payload(p, None).unwrap()));
            }
            assert_eq!(got, expected, "BatchCodec, damage at {at}");
            let skipped_too = batched.take_skipped();
            assert_eq!(skipped_too.len(), 1, "BatchCodec, damage at {at}");
            assert_eq!(
                (skipped_too[0].offset, skipped_too[0].len),
                (start as u64, (end - start) as u64)
            );
        }
    }
    // A block whose frame is intact but does not decompress (another
    // codec's): skipped and reported with the reason, the rest read.
    let mut zstd_block = Vec::new();
    CompressedFramer::blocks(
        ChecksumFramer::new(Crc32c::new()).with_protected_header(),
        Zstd::new(),
        300,
    )
    .encode_frame(&[7; 500], &mut zstd_block)
    .unwrap();
    let (first, rest) = bytes.split_at(blocks[1].0);
    let spliced = [first, &zstd_block, rest].concat();
    let mut r = StreamReader::new(&spliced[..], deframer())
        .with_recovery(SkipCorrupt)
        .unwrap();
    let got: Vec<Reading> = std::iter::from_fn(|| r.read::<Reading>().unwrap()).collect();
    assert_eq!(got, items);
    let skipped = r.take_skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].offset, blocks[1].0 as u64);
    assert!(matches!(
        &skipped[0].reason,
        Error::InvalidFrame {
            reason: FrameDefect::CodecMismatch { found: 2, .. },
            ..
        }
    ));
}

#[test]
fn a_torn_last_block_is_a_torn_tail() {
    let items = readings(60);
    let bytes = write_with(CompressedFramer::blocks(DefaultFramer, Lz4, 300), &items);
    let whole = {
        let mut s = SliceReader::new(&bytes, DefaultDeframer::new());
        let mut ends = Vec::new();
        while s.read_message().unwrap().is_some() {
            ends.push(s.position());
        }
        ends
    };
    let cut = whole[whole.len() - 2] + 5;
    let mut r = StreamReader::new(
        &bytes[..cut],
        CompressedDeframer::new(DefaultDeframer::new(), Lz4),
    )
    .with_recovery(TolerateTornTail)
    .unwrap();
    let got: Vec<Reading> = std::iter::from_fn(|| r.read::<Reading>().unwrap()).collect();
    let last_block = messages_in(&bytes[whole[whole.len() - 2] + 4..], 0);
    assert_eq!(got, items[..items.len() - last_block]);
    let torn = r.torn_tail().unwrap();
    assert_eq!((torn.offset, torn.len), (whole[whole.len() - 2] as u64, 5));
}

#[test]
fn a_frame_above_the_inner_limit_is_refused_at_write_time() {
    let items = readings(1);
    let mut w = StreamWriter::new(Vec::new(), CompressedFramer::new(Limited::framer(), Lz4));
    let e = w.write(&items[0]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::FrameTooLarge {
                offset: 0,
                max: 16,
                ..
            }
        ),
        "{e}"
    );
    assert!(w.get_ref().is_empty());
    assert_eq!(w.frames_written(), 0);
}

fn arb_reading() -> impl Strategy<Value = Reading> {
    (any::<u64>(), 0u32..20, -1e6f64..1e6, "[a-z]{0,12}|x{0,300}").prop_map(
        |(timestamp, sensor_id, value, unit)| Reading {
            timestamp,
            sensor_id,
            value,
            unit,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn random_messages_round_trip_in_any_block_size(
        items in proptest::collection::vec(arb_reading(), 0..80),
        block_len in prop_oneof![Just(None), (0usize..3000).prop_map(Some)],
        zstd in any::<bool>(),
        chunk in 1usize..3000,
    ) {
        let bytes = match (block_len, zstd) {
            (None, false) => write_with(CompressedFramer::new(DefaultFramer, Lz4), &items),
            (None, true) => write_with(CompressedFramer::new(DefaultFramer, Zstd::new()), &items),
            (Some(len), false) => write_with(CompressedFramer::blocks(DefaultFramer, Lz4, len), &items),
            (Some(len), true) => write_with(CompressedFramer::blocks(DefaultFramer, Zstd::new(), len), &items),
        };
        let back: Vec<Reading> = if zstd {
            StreamReader::new(Chunked { data: &bytes, chunk }, CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()))
                .typed::<Reading>().collect::<Result<_, _>>().unwrap()
        } else {
            StreamReader::new(Chunked { data: &bytes, chunk }, CompressedDeframer::new(DefaultDeframer::new(), Lz4))
                .typed::<Reading>().collect::<Result<_, _>>().unwrap()
        };
        prop_assert_eq!(back, items);
    }

    /// A writer packing blocks on a second thread writes the same bytes as
    /// one packing them itself, whatever the writes and flushes, and counts
    /// the same frames.
    #[test]
    fn background_packing_writes_the_same_stream(
        ops in proptest::collection::vec(prop_oneof![
            4 => arb_reading().prop_map(Some),
            1 => Just(None), // a flush
        ], 0..120),
        block_len in 1usize..600,
        zstd in any::<bool>(),
    ) {
        fn run<C: flatstream::compress::Compressor + Clone + Send + 'static>(
            ops: &[Option<Reading>], framer: CompressedFramer<DefaultFramer, C>, background: bool,
        ) -> (Vec<u8>, Vec<u64>) {
            let mut w = StreamWriter::new(Vec::new(), framer);
            if background {
                w = w.with_background_packing().unwrap();
            }
            let mut counts = Vec::new();
            for op in ops {
                match op {
                    Some(item) => w.write(item).unwrap(),
                    None => {
                        w.flush().unwrap();
                        // After a flush every message is written, either way.
                        counts.push(w.frames_written());
                    }
                }
            }
            (w.into_inner(), counts)
        }
        let (alone, with_thread) = if zstd {
            let framer = CompressedFramer::blocks(DefaultFramer, Zstd::new(), block_len);
            (run(&ops, framer.clone(), false), run(&ops, framer, true))
        } else {
            let framer = CompressedFramer::blocks(DefaultFramer, Lz4, block_len);
            (run(&ops, framer, false), run(&ops, framer, true))
        };
        prop_assert_eq!(&alone.0, &with_thread.0);
        prop_assert_eq!(alone.1, with_thread.1);
        let back: Vec<Reading> = read_all(&with_thread.0, CompressedDeframer::new(DefaultDeframer::new(), Lz4)).0;
        if !zstd {
            prop_assert_eq!(back, ops.iter().flatten().cloned().collect::<Vec<_>>());
        }
    }

    /// Arbitrary bytes, and arbitrary packed payloads in intact frames:
    /// an error or messages, never a panic.
    #[test]
    fn hostile_input_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        codec in 0u8..4, flags in 0u8..16, declared in 0u32..5000,
    ) {
        let _ = read_all(&bytes, CompressedDeframer::new(DefaultDeframer::new(), Lz4));
        let _ = read_all(&bytes, CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()));
        let framed = frames(&[packed(codec, flags, declared, &body)]);
        for limit in [100, 1 << 20] {
            let mut r = StreamReader::new(&framed[..], CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Lz4).with_max_unpacked_len(limit));
            while let Ok(Some(m)) = r.read_message() {
                prop_assert!(m.len() <= limit);
            }
            let mut r = StreamReader::new(&framed[..], CompressedDeframer::new(ChecksumDeframer::new(Crc32c::new()), Zstd::new()).with_max_unpacked_len(limit));
            while let Ok(Some(m)) = r.read_message() {
                prop_assert!(m.len() <= limit);
            }
        }
    }
}

/// `#[frame(compress = ..)]`: the derived framing compresses each message.
mod derived {
    use super::*;
    use flatstream::LayoutFramer;

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    #[frame(len = u32, checksum = crc32c, covers = frame, magic = b"L4", compress = lz4)]
    struct Log4 {
        host: String,
        lines: Vec<String>,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    #[frame(len = u32, checksum = xxh3, compress = zstd(level = 19))]
    struct LogZ {
        host: String,
        lines: Vec<String>,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    #[frame(compress = zstd)]
    struct LogDefault {
        host: String,
        lines: Vec<String>,
    }

    fn lines(i: usize) -> Vec<String> {
        (0..20)
            .map(|n| format!("GET /api/v1/items/{} 200 {}ms", i * 20 + n, n % 7))
            .collect()
    }

    #[test]
    fn derived_framings_compress_and_read_back_everywhere() {
        let logs: Vec<Log4> = (0..30)
            .map(|i| Log4 {
                host: format!("web-{}", i % 3),
                lines: lines(i),
            })
            .collect();
        let bytes = write_with(Log4::framer(), &logs);
        let plain = write_with(LayoutFramer::<Log4>::new(), &logs);
        assert!(
            bytes.len() * 2 < plain.len(),
            "{} vs {}",
            bytes.len(),
            plain.len()
        );
        let back: Vec<Log4> = StreamReader::new(&bytes[..], Log4::deframer())
            .into_typed()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, logs);
        // The derived framing is the runtime composition.
        assert_eq!(
            bytes,
            write_with(CompressedFramer::new(LayoutFramer::<Log4>::new(), Lz4), &logs)
        );
        let mut s = SliceReader::new(&bytes, Log4::deframer())
            .with_recovery(SkipCorrupt)
            .unwrap();
        assert_eq!(s.next_view::<Log4>().unwrap().unwrap().host(), "web-0");
        let (items, error, _) = drive_decoder(Log4::codec(), &bytes, 64);
        assert!(error.is_none());
        assert_eq!(items.len(), logs.len());

        let logs: Vec<LogZ> = (0..30)
            .map(|i| LogZ {
                host: format!("db-{i}"),
                lines: lines(i),
            })
            .collect();
        let bytes = write_with(LogZ::framer(), &logs);
        assert_eq!(LogZ::framer().codec().level(), 19);
        let back: Vec<LogZ> = StreamReader::new(&bytes[..], LogZ::deframer())
            .into_typed()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, logs);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            use futures::StreamExt;
            let back: Vec<LogZ> = AsyncStreamReader::new(&bytes[..], LogZ::deframer())
                .into_typed()
                .map(Result::unwrap)
                .collect()
                .await;
            assert_eq!(back, logs);
        });

        let logs: Vec<LogDefault> = (0..5)
            .map(|i| LogDefault {
                host: "x".into(),
                lines: lines(i),
            })
            .collect();
        let bytes = write_with(LogDefault::framer(), &logs);
        assert_eq!(LogDefault::framer().codec().level(), 3);
        // Read with the other codec: refused by name.
        let e = StreamReader::new(
            &bytes[..],
            CompressedDeframer::new(flatstream::LayoutDeframer::<LogDefault>::new(), Lz4),
        )
        .read::<LogDefault>()
        .unwrap_err();
        assert_eq!(
            defect(&e),
            &FrameDefect::CodecMismatch {
                found: 2,
                expected: "LZ4"
            }
        );
    }
}

/// The example of docs/wire-format.md, byte for byte.
#[test]
fn the_documented_example_is_what_is_written() {
    let mut w = StreamWriter::new(Vec::new(), CompressedFramer::new(DefaultFramer, Lz4));
    w.write(&RawPayload(b"hi")).unwrap();
    assert_eq!(
        w.into_inner(),
        [0x08, 0, 0, 0, 0x46, 0x5A, 0x01, 0x00, 0x00, 0x02, b'h', b'i']
    );
    // A block of the same message: flag 1, and the entry's length.
    let mut w = StreamWriter::new(Vec::new(), CompressedFramer::blocks(DefaultFramer, Lz4, 1024));
    w.write(&RawPayload(b"hi")).unwrap();
    assert_eq!(
        w.into_inner(),
        [0x09, 0, 0, 0, 0x46, 0x5A, 0x01, 0x00, 0x01, 0x03, 2, b'h', b'i']
    );
}

/// The original design's one-frame API compresses and decompresses a
/// message per frame, and refuses a block (several messages) by name.
#[test]
fn the_one_frame_api_compresses_each_message() {
    use flatstream::{DeframerIo, FramerIo};
    let message = "a message that repeats itself, repeats itself, repeats itself".repeat(10);
    let framer = CompressedFramer::new(DefaultFramer, Lz4);
    let mut out = Vec::new();
    framer.frame_and_write(&mut out, message.as_bytes()).unwrap();
    framer.end_and_write(&mut out).unwrap(); // nothing for compression
    assert!(out.len() < message.len() / 4, "compressed: {} bytes", out.len());
    let deframer = CompressedDeframer::new(DefaultDeframer::new(), Lz4);
    let (mut input, mut buffer) = (&out[..], Vec::new());
    assert!(deframer
        .read_and_deframe(&mut input, &mut buffer)
        .unwrap()
        .is_some());
    assert_eq!(buffer, message.as_bytes());
    assert!(deframer
        .read_and_deframe(&mut input, &mut buffer)
        .unwrap()
        .is_none());
    let blocks = write_with(CompressedFramer::blocks(DefaultFramer, Lz4, 4096), &readings(10));
    let e = deframer
        .read_and_deframe(&mut &blocks[..], &mut buffer)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidConfig { .. }), "{e}");
}

/// A batch of unpacked messages stops taking frames at 1 MiB of messages,
/// however much the read buffer holds: memory follows the batch, not the
/// input's compression ratio.
#[test]
fn the_batch_codec_bounds_what_it_unpacks_per_batch() {
    use tokio_util::codec::Decoder;
    let message = vec![b'x'; 1000];
    let count = 4_000; // 4 MB unpacked, a few KB compressed
    let mut w = StreamWriter::new(
        Vec::new(),
        CompressedFramer::blocks(DefaultFramer, Lz4, 64 * 1024),
    );
    for _ in 0..count {
        w.write(&RawPayload(&message)).unwrap();
    }
    let bytes = w.into_inner();
    assert!(bytes.len() < 100_000, "{}", bytes.len());
    let mut codec = FrameCodec::new(
        DefaultFramer,
        CompressedDeframer::new(DefaultDeframer::new(), Lz4),
    )
    .batched();
    let mut buf = tokio_util::bytes::BytesMut::from(&bytes[..]);
    let (mut batches, mut messages) = (0, 0);
    while let Some(batch) = codec.decode_eof(&mut buf).unwrap() {
        let unpacked = batch.messages_bytes().expect("unpacked messages").len();
        assert!(unpacked <= (1 << 20) + 70 * 1024, "a batch of {unpacked} bytes");
        assert!(batch.payloads().all(|m| m == &message[..]));
        messages += batch.len();
        batches += 1;
    }
    assert_eq!(messages, count);
    assert!(batches >= 4, "{batches} batches");
}

/// A block that fails to pack on the packing thread is reported by a later
/// call, never lost: as many errors as without the thread, each at the
/// offset its frame would have had, and the blocks that pack are written.
#[test]
fn background_packing_reports_every_failed_block() {
    // Blocks of 8 bytes or more of random messages (they do not shrink)
    // behind a 6-byte packed header: those above 16 bytes are refused.
    let messages: Vec<Vec<u8>> = (0..300u64)
        .map(|i| {
            let bytes = i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
            bytes[..(i % 9) as usize].to_vec()
        })
        .collect();
    let framer = CompressedFramer::blocks(Limited::framer(), Lz4, 8);
    let run = |background: bool| {
        let mut w = StreamWriter::new(Vec::new(), framer);
        if background {
            w = w.with_background_packing().unwrap();
        }
        let mut errors = Vec::new();
        for m in &messages {
            if let Err(e) = w.write(&RawPayload(m)) {
                errors.push(e);
            }
        }
        // Flushed until everything out came back.
        for _ in 0..10 {
            match w.flush() {
                Ok(()) => break,
                Err(e) => errors.push(e),
            }
        }
        (w.into_inner(), errors)
    };
    let (alone, alone_errors) = run(false);
    let (threaded, threaded_errors) = run(true);
    assert!(alone_errors.len() > 10, "{}", alone_errors.len());
    assert!(!alone.is_empty(), "some blocks fit");
    assert_eq!(threaded_errors.len(), alone_errors.len());
    for e in &threaded_errors {
        assert!(matches!(e, Error::FrameTooLarge { max: 16, .. }), "{e}");
    }
    assert_eq!(
        threaded_errors.iter().map(Error::offset).collect::<Vec<_>>(),
        alone_errors.iter().map(Error::offset).collect::<Vec<_>>()
    );
    assert_eq!(threaded, alone);
}

/// Dropping a writer with blocks out at its thread writes them first.
#[test]
fn background_packing_writes_everything_on_drop() {
    let items = readings(5000);
    let mut out = Vec::new();
    {
        let mut w = StreamWriter::new(&mut out, CompressedFramer::blocks(DefaultFramer, Lz4, 1000))
            .with_background_packing()
            .unwrap();
        for item in &items {
            w.write(item).unwrap();
        }
    }
    let (got, e) = read_all(&out, CompressedDeframer::new(DefaultDeframer::new(), Lz4));
    assert!(e.is_none(), "{e:?}");
    assert_eq!(got, items);
}

/// A flush that fails on the last block out at the thread has taken the
/// good blocks before it back: the next flush writes them, as the writer
/// without the thread had written them.
#[test]
fn background_packing_keeps_the_good_blocks_before_a_failed_one() {
    // 7 bytes: an 8-byte entry, a full block of 14 bytes packed (it fits
    // the 16-byte frames); 11 bytes: 18 bytes packed (refused).
    let framer = CompressedFramer::blocks(Limited::framer(), Lz4, 8);
    let (fits, too_large) = (
        RawPayload(b"\x01\x93\x27\xc4\x5e\x0b\xa6"),
        RawPayload(b"\x8f\x12\xd3\x4a\x77\xe1\x09\xb5\x6c\x30\xfe"),
    );
    let mut alone = StreamWriter::new(Vec::new(), framer);
    alone.write(&fits).unwrap();
    assert!(alone.write(&too_large).is_err());
    let alone = alone.into_inner();
    assert!(!alone.is_empty());

    let mut w = StreamWriter::new(Vec::new(), framer)
        .with_background_packing()
        .unwrap();
    w.write(&fits).unwrap();
    w.write(&too_large).unwrap(); // out at the thread, both
    assert!(w.flush().is_err(), "the second block's error");
    w.flush().unwrap();
    assert_eq!(w.frames_written(), 1);
    assert_eq!(w.into_inner(), alone);
}
