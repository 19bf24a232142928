//! Serde payloads (features `postcard`, `json`, `msgpack`) through the same
//! framing as FlatBuffers messages: every format x checksum x reader round
//! trips, decoding errors carry the frame's offset and leave the stream
//! readable, a serde type gets its own framing with `#[derive(Framing)]`,
//! every truncation and bit flip of a small stream is handled, and random
//! values round-trip.

use std::fmt::Debug;

use flatstream::formats::{JsonFormat, MsgPackFormat, PostcardFormat};
use flatstream::prelude::*;
use flatstream::{Error, FromPayload, Json, MsgPack, Postcard, Serde, SerdeFormat};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Reading {
    sensor: u32,
    value: f64,
    unit: String,
    tags: Vec<String>,
    maybe: Option<i64>,
}

fn readings(n: usize) -> Vec<Reading> {
    (0..n)
        .map(|i| Reading {
            sensor: i as u32,
            value: i as f64 * 0.5 - 7.0,
            unit: ["C", "K", "°F"][i % 3].into(),
            tags: (0..i % 3).map(|t| format!("t{t}")).collect(),
            maybe: (i % 2 == 0).then_some(-(i as i64)),
        })
        .collect()
}

/// Writes `values` in format `F` through `framer`.
fn write_all<F: SerdeFormat, Fr: Framer>(framer: Fr, values: &[Reading]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), framer);
    for v in values {
        w.write(&Serde::<F, _>::new(v)).unwrap();
    }
    w.into_inner()
}

/// Every reader that returns owned values gives back `expected`.
fn read_back_everywhere<F: SerdeFormat, D: Deframer + Copy>(deframer: D, bytes: &[u8], expected: &[Reading]) {
    let owned = |items: Vec<Serde<F, Reading>>| items.into_iter().map(Serde::into_inner).collect::<Vec<_>>();

    let mut r = StreamReader::new(bytes, deframer);
    let mut got = Vec::new();
    while let Some(v) = r.read::<Serde<F, Reading>>().unwrap() {
        got.push(v);
    }
    assert_eq!(owned(got), expected, "StreamReader::read, {}", F::NAME);

    let got: Vec<_> = StreamReader::new(bytes, deframer)
        .typed::<Serde<F, Reading>>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(owned(got), expected, "typed iterator, {}", F::NAME);

    let mut r = SliceReader::new(bytes, deframer);
    let mut got = Vec::new();
    while let Some(v) = r.read::<Serde<F, Reading>>().unwrap() {
        got.push(v);
    }
    assert_eq!(owned(got), expected, "SliceReader, {}", F::NAME);

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let got = runtime.block_on(async {
        let mut r = AsyncStreamReader::new(bytes, deframer);
        let mut got = Vec::new();
        while let Some(v) = r.read::<Serde<F, Reading>>().await.unwrap() {
            got.push(v);
        }
        got
    });
    assert_eq!(owned(got), expected, "AsyncStreamReader, {}", F::NAME);
}

fn every_checksum<F: SerdeFormat>() {
    let values = readings(40);
    macro_rules! each {
        ($($checksum:expr),*) => {$({
            let bytes = write_all::<F, _>(ChecksumFramer::new($checksum), &values);
            read_back_everywhere::<F, _>(ChecksumDeframer::new($checksum), &bytes, &values);
        })*};
    }
    each!(
        NoChecksum,
        Crc16::new(),
        Crc32::new(),
        Crc32c::new(),
        Crc64::new(),
        XxHash64::new(),
        Xxh3::new()
    );
    // The codec writes the same frames.
    let mut codec = FrameCodec::new(
        ChecksumFramer::new(Crc32c::new()),
        ChecksumDeframer::new(Crc32c::new()),
    );
    let mut dst = tokio_util::bytes::BytesMut::new();
    for v in &values {
        tokio_util::codec::Encoder::encode(&mut codec, Serde::<F, _>::new(v), &mut dst).unwrap();
    }
    assert_eq!(
        &dst[..],
        &write_all::<F, _>(ChecksumFramer::new(Crc32c::new()), &values)[..]
    );
}

#[test]
fn postcard_round_trips_through_every_checksum_and_reader() {
    every_checksum::<PostcardFormat>();
}

#[test]
fn json_round_trips_through_every_checksum_and_reader() {
    every_checksum::<JsonFormat>();
}

#[test]
fn msgpack_round_trips_through_every_checksum_and_reader() {
    every_checksum::<MsgPackFormat>();
}

#[test]
fn the_format_names_read_naturally() {
    let value = Reading {
        sensor: 1,
        value: 2.0,
        unit: "C".into(),
        tags: vec![],
        maybe: None,
    };
    let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
    w.write(&Postcard(&value)).unwrap();
    w.write(&Json(&value)).unwrap();
    w.write(&MsgPack(&value)).unwrap();
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], DefaultDeframer::new());
    let a = r.read::<Postcard<Reading>>().unwrap().unwrap().0;
    let b = r.read::<Json<Reading>>().unwrap().unwrap().0;
    let c = r.read::<MsgPack<Reading>>().unwrap().unwrap().into_inner();
    assert_eq!([a, b, c], [value.clone(), value.clone(), value]);
    // JSON payloads are JSON text.
    let mut r = SliceReader::new(&bytes, DefaultDeframer::new());
    r.read_message().unwrap();
    let json = r.read_message().unwrap().unwrap();
    assert_eq!(
        json,
        br#"{"sensor":1,"value":2.0,"unit":"C","tags":[],"maybe":null}"#
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Other {
    name: String,
}

/// A payload the type read cannot decode is `Error::Decode` at the frame's
/// offset; the frame is consumed, so the next read goes on. Under
/// `SkipCorrupt` it is skipped and reported.
fn decode_errors_keep_the_stream_usable<F: SerdeFormat>() {
    let good = readings(2);
    let mut w = StreamWriter::new(
        Vec::new(),
        ChecksumFramer::new(Crc32c::new()).with_protected_header(),
    );
    w.write(&Serde::<F, _>::new(&good[0])).unwrap();
    let bad_at = w.position();
    w.write(&Serde::<F, _>::new(Other { name: "x".into() })).unwrap();
    w.write(&Serde::<F, _>::new(&good[1])).unwrap();
    let bytes = w.into_inner();
    let deframer = ChecksumDeframer::new(Crc32c::new()).with_protected_header();

    let mut r = StreamReader::new(&bytes[..], deframer);
    assert_eq!(r.read::<Serde<F, Reading>>().unwrap().unwrap().0, good[0]);
    match r.read::<Serde<F, Reading>>() {
        Err(Error::Decode { offset, format, .. }) => {
            assert_eq!((offset, format), (bad_at, F::NAME));
        }
        other => panic!("{}: {other:?}", F::NAME),
    }
    assert_eq!(r.read::<Serde<F, Reading>>().unwrap().unwrap().0, good[1]);
    assert!(r.read::<Serde<F, Reading>>().unwrap().is_none());

    let mut r = StreamReader::new(&bytes[..], deframer)
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let got: Vec<Reading> =
        std::iter::from_fn(|| r.read::<Serde<F, Reading>>().unwrap().map(Serde::into_inner)).collect();
    assert_eq!(got, good);
    let skipped = r.take_skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].offset, bad_at);
    assert!(matches!(skipped[0].reason, Error::Decode { offset, .. } if offset == bad_at));

    // SliceReader and the async reader report the same offset.
    let mut r = SliceReader::new(&bytes, deframer);
    r.read::<Serde<F, Reading>>().unwrap();
    assert!(matches!(r.read::<Serde<F, Reading>>(), Err(Error::Decode { offset, .. }) if offset == bad_at));
}

#[test]
fn decode_errors_carry_the_frame_offset_in_every_format() {
    decode_errors_keep_the_stream_usable::<PostcardFormat>();
    decode_errors_keep_the_stream_usable::<JsonFormat>();
    decode_errors_keep_the_stream_usable::<MsgPackFormat>();
}

/// Bytes after a decoded value are an error, not silently dropped.
#[test]
fn trailing_bytes_are_refused() {
    fn refuses<F: SerdeFormat>() {
        let mut payload = Vec::new();
        F::encode(&7u32, &mut flatstream::PayloadSink::new(&mut payload)).unwrap();
        payload.extend_from_slice(b"\x01\x02");
        assert!(
            matches!(
                Serde::<F, u32>::from_payload(&payload, None),
                Err(Error::Decode { .. })
            ),
            "{}",
            F::NAME
        );
    }
    refuses::<PostcardFormat>();
    refuses::<JsonFormat>();
    refuses::<MsgPackFormat>();
}

/// A serde type declares its own framing with `#[derive(Framing)]`:
/// `Alert::framer()`/`Alert::deframer()`, with checksums, magic and
/// recovery as for FlatBuffers messages; `min_len = 1` because a postcard
/// payload can be shorter than a FlatBuffers root offset (zeros are still
/// never frames).
#[derive(Serialize, Deserialize, Framing, Debug, Clone, PartialEq)]
#[frame(len = u16, checksum = crc32c, covers = frame, magic = b"AL", min_len = 1)]
struct Alert {
    code: u8,
}

#[test]
fn a_serde_type_with_its_own_framing() {
    let alerts: Vec<Alert> = (0..50).map(|code| Alert { code }).collect();
    let mut w = StreamWriter::new(Vec::new(), Alert::framer());
    for a in &alerts {
        w.write(&Postcard(a)).unwrap();
    }
    let bytes = w.into_inner();
    // One byte of payload per alert (postcard), behind a 12-byte header.
    assert_eq!(bytes.len(), alerts.len() * (2 + 2 + 4 + 4 + 1));
    let got: Vec<Alert> = StreamReader::new(&bytes[..], Alert::deframer())
        .typed::<Postcard<Alert>>()
        .map(|r| r.map(Serde::into_inner))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got, alerts);

    // SkipCorrupt over a damaged frame and a zero-filled gap.
    let mut damaged = bytes.clone();
    damaged[13 * 5 + 12] ^= 0xFF; // frame 5's payload
    damaged.splice(13 * 20..13 * 20, std::iter::repeat_n(0u8, 100));
    let mut r = StreamReader::new(&damaged[..], Alert::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let got: Vec<u8> =
        std::iter::from_fn(|| r.read::<Postcard<Alert>>().unwrap().map(|a| a.0.code)).collect();
    assert_eq!(got, (0..50).filter(|&c| c != 5).collect::<Vec<u8>>());
    let skipped: Vec<(u64, u64)> = r.take_skipped().iter().map(|s| (s.offset, s.len)).collect();
    assert_eq!(skipped, [(13 * 5, 13), (13 * 20, 100)]);
}

/// Every truncation and every bit flip of a small checksummed stream, in
/// every format: never a panic, never a wrong value; errors carry offsets
/// inside the stream.
fn sweep<F: SerdeFormat>() {
    let values = readings(4);
    let bytes = write_all::<F, _>(ChecksumFramer::new(Crc32c::new()), &values);
    let deframer = ChecksumDeframer::new(Crc32c::new());
    let check = |damaged: &[u8]| {
        let mut r = SliceReader::new(damaged, deframer);
        let mut i = 0;
        loop {
            match r.read::<Serde<F, Reading>>() {
                Ok(Some(v)) => {
                    assert_eq!(v.0, values[i], "{}: a wrong value came back", F::NAME);
                    i += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    assert!(e.offset().is_some_and(|o| o < damaged.len() as u64), "{e}");
                    break;
                }
            }
        }
    };
    for cut in 0..bytes.len() {
        check(&bytes[..cut]);
    }
    for bit in 0..bytes.len() * 8 {
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        check(&damaged);
    }
}

#[test]
fn every_truncation_and_bit_flip_is_handled() {
    sweep::<PostcardFormat>();
    sweep::<JsonFormat>();
    sweep::<MsgPackFormat>();
}

fn round_trip<F: SerdeFormat, T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> bool {
    let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
    w.write(&Serde::<F, _>::new(value)).unwrap();
    let bytes = w.into_inner();
    let mut r = SliceReader::new(&bytes, ChecksumDeframer::new(Crc32c::new()));
    r.read::<Serde<F, T>>().unwrap().is_some_and(|v| &v.0 == value)
}

proptest! {
    #[test]
    fn random_values_round_trip(
        sensor in any::<u32>(),
        value in any::<f64>().prop_filter("JSON has no NaN or infinities", |v| v.is_finite()),
        unit in ".{0,20}",
        tags in prop::collection::vec(".{0,8}", 0..5),
        maybe in any::<Option<i64>>(),
    ) {
        let r = Reading { sensor, value, unit, tags, maybe };
        prop_assert!(round_trip::<PostcardFormat, _>(&r));
        prop_assert!(round_trip::<JsonFormat, _>(&r));
        prop_assert!(round_trip::<MsgPackFormat, _>(&r));
    }

    #[test]
    fn arbitrary_payloads_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Serde::<PostcardFormat, Reading>::from_payload(&bytes, None);
        let _ = Serde::<JsonFormat, Reading>::from_payload(&bytes, None);
        let _ = Serde::<MsgPackFormat, Reading>::from_payload(&bytes, None);
    }
}

/// The framing's limit applies before a serde payload is decoded: a frame
/// above `max_len` is refused from its header alone, on write and on read.
#[test]
fn max_len_applies_before_decoding() {
    #[derive(Serialize, Deserialize, Framing, Debug, PartialEq)]
    #[frame(len = u32, checksum = crc32c, max_len = 64, min_len = 1)]
    struct Small {
        text: String,
    }
    let big = Small {
        text: "x".repeat(100),
    };
    let mut w = StreamWriter::new(Vec::new(), Small::framer());
    assert!(matches!(
        w.write(&Postcard(&big)),
        Err(Error::FrameTooLarge {
            len: 101,
            max: 64,
            ..
        })
    ));
    assert!(w.get_ref().is_empty());
    // Written under a wider framing, refused when read under this one.
    let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
    w.write(&Postcard(&big)).unwrap();
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Small::deframer());
    assert!(matches!(
        r.read::<Postcard<Small>>(),
        Err(Error::FrameTooLarge {
            offset: 0,
            len: 101,
            max: 64
        })
    ));
}
