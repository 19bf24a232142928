//! The framings `#[frame(...)]` generates: byte-identical to the runtime
//! framers where they overlap, and every other combination checked by
//! decoding its header independently of the library.

use flatstream::prelude::*;
use flatstream::{Decoded, FrameDefect, LayoutDeframer, LayoutFramer};

mod common;
use common::pseudo_random_bytes;

/// Payload sizes around every boundary that matters (the smallest a derived
/// framing takes, alignments, 255 for u8 lengths, buffer growth).
fn sizes() -> Vec<usize> {
    let mut s: Vec<usize> = (flatstream::MIN_FLATBUFFERS_LEN..70).collect();
    s.extend([127, 128, 255, 256, 1000, 4095, 4096, 65_535, 65_536, 100_000]);
    s
}

fn frames<F: Framer>(framer: F, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), framer);
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    w.into_inner()
}

macro_rules! differential {
    ($($name:ident: $kw:ident => $runtime:expr;)*) => {$(
        #[test]
        fn $name() {
            #[derive(StreamSerialize)]
            #[frame(len = u32, checksum = $kw, max_len = 4096)]
            struct Message {}
            let payloads: Vec<Vec<u8>> = sizes()
                .into_iter()
                .filter(|&n| n <= 4096)
                .map(|n| pseudo_random_bytes(n as u64, n))
                .collect();
            let derived = frames(Message::framer(), &payloads);
            let runtime = frames($runtime, &payloads);
            assert_eq!(derived, runtime);
            // And each reads the other's stream.
            let back: Vec<Vec<u8>> = StreamReader::new(&runtime[..], Message::deframer()).collect::<Result<_, _>>().unwrap();
            assert_eq!(back, payloads);
        }
    )*};
}

differential! {
    identical_to_checksum_framer_none: none => ChecksumFramer::new(NoChecksum);
    identical_to_checksum_framer_crc16: crc16 => ChecksumFramer::new(Crc16::new());
    identical_to_checksum_framer_crc16_xmodem: crc16_xmodem => ChecksumFramer::new(Crc16Xmodem::new());
    identical_to_checksum_framer_crc32: crc32 => ChecksumFramer::new(Crc32::new());
    identical_to_checksum_framer_crc32c: crc32c => ChecksumFramer::new(Crc32c::new());
    identical_to_checksum_framer_crc64: crc64 => ChecksumFramer::new(Crc64::new());
    identical_to_checksum_framer_xxhash64: xxhash64 => ChecksumFramer::new(XxHash64::new());
    identical_to_checksum_framer_xxh3: xxh3 => ChecksumFramer::new(Xxh3::new());
}

#[test]
fn covers_frame_is_the_runtime_protected_header() {
    #[derive(StreamSerialize)]
    #[frame(len = u32, checksum = crc32c, covers = frame)]
    struct Covered {}
    #[derive(StreamSerialize)]
    #[frame(len = u32, checksum = xxh3, covers = frame)]
    struct Covered8 {}
    let payloads: Vec<Vec<u8>> = sizes()
        .into_iter()
        .map(|n| pseudo_random_bytes(n as u64, n))
        .collect();
    let runtime = ChecksumFramer::new(Crc32c::new()).with_protected_header();
    assert_eq!(frames(Covered::framer(), &payloads), frames(runtime, &payloads));
    let runtime = ChecksumFramer::new(Xxh3::new()).with_protected_header();
    let bytes = frames(runtime, &payloads);
    assert_eq!(frames(Covered8::framer(), &payloads), bytes);
    let d = ChecksumDeframer::new(Xxh3::new()).with_protected_header();
    assert!(d.validates_header() && d.validates_payload());
    let back: Vec<Vec<u8>> = StreamReader::new(&bytes[..], d)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, payloads);
    // A flipped length bit is caught by the header checksum, before the
    // length is used: an InvalidFrame, not FrameTooLarge or UnexpectedEof.
    for bit in 0..32 {
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        match SliceReader::new(&damaged, d).read_message() {
            Err(Error::InvalidFrame {
                offset: 0,
                reason: FrameDefect::HeaderChecksumMismatch { stored, computed },
            }) => {
                assert_ne!(stored, computed)
            }
            other => panic!("bit {bit}: {other:?}"),
        }
    }
    // Without a checksum there is nothing to protect the header with.
    assert_eq!(
        ChecksumFramer::new(NoChecksum)
            .with_protected_header()
            .header_len(),
        4
    );
}

#[test]
fn default_attribute_is_the_default_framer() {
    #[derive(StreamSerialize)]
    struct Plain {}
    let payloads: Vec<Vec<u8>> = sizes()
        .into_iter()
        .map(|n| pseudo_random_bytes(n as u64, n))
        .collect();
    assert_eq!(
        frames(Plain::framer(), &payloads),
        frames(DefaultFramer, &payloads)
    );
    assert_eq!(Plain::HEADER_LEN, 4);
    assert_eq!(Plain::MAX_FRAME_LEN, 16 << 20);
}

/// A checksum as a plain function.
type ChecksumFn = fn(&[u8]) -> u64;

/// What an independent reader knows about a layout.
struct Spec {
    magic: &'static [u8],
    len_width: usize,
    big_endian: bool,
    checksum: Option<(usize, ChecksumFn)>,
    covers_frame: bool,
    align: usize,
}

/// Decodes one frame at `offset` by hand, checks everything, returns the
/// payload and the next offset.
fn decode_by_hand<'a>(spec: &Spec, bytes: &'a [u8], offset: usize) -> (&'a [u8], usize) {
    let read_uint = |b: &[u8]| -> u64 {
        let mut v = 0u64;
        for (i, &x) in b.iter().enumerate() {
            v |= u64::from(x) << (8 * if spec.big_endian { b.len() - 1 - i } else { i });
        }
        v
    };
    assert!(offset.is_multiple_of(spec.align), "frame starts aligned");
    let mut at = offset;
    assert_eq!(&bytes[at..at + spec.magic.len()], spec.magic);
    at += spec.magic.len();
    let len = read_uint(&bytes[at..at + spec.len_width]) as usize;
    at += spec.len_width;
    let mask = |size: usize| {
        if size == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * size)) - 1
        }
    };
    if let (true, Some((size, f))) = (spec.covers_frame, spec.checksum) {
        // The header checksum: over magic and length.
        let stored = read_uint(&bytes[at..at + size]);
        assert_eq!(
            stored,
            f(&bytes[offset..at]) & mask(size),
            "header checksum at {offset}"
        );
        at += size;
    }
    let stored = spec.checksum.map(|(size, _)| read_uint(&bytes[at..at + size]));
    at += spec.checksum.map_or(0, |(size, _)| size);
    while !at.is_multiple_of(spec.align) {
        assert_eq!(bytes[at], 0, "header padding is zero");
        at += 1;
    }
    let payload = &bytes[at..at + len];
    if let (Some((size, f)), Some(stored)) = (spec.checksum, stored) {
        assert_eq!(stored, f(payload) & mask(size), "payload checksum at {offset}");
    }
    at += len;
    while !at.is_multiple_of(spec.align) {
        assert_eq!(bytes[at], 0, "payload padding is zero");
        at += 1;
    }
    (payload, at)
}

fn check_layout<T: Framed>(spec: Spec, max: usize) {
    let payloads: Vec<Vec<u8>> = sizes()
        .into_iter()
        .filter(|&n| n <= max)
        .map(|n| pseudo_random_bytes(n as u64 + 1, n))
        .collect();
    let bytes = frames(T::framer(), &payloads);
    let mut offset = 0;
    for p in &payloads {
        let (payload, next) = decode_by_hand(&spec, &bytes, offset);
        assert_eq!(payload, &p[..]);
        offset = next;
    }
    assert_eq!(offset, bytes.len());
    let back: Vec<Vec<u8>> = StreamReader::new(&bytes[..], T::deframer())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, payloads);
    // Too large for the limit: refused on write, nothing written.
    let mut w = StreamWriter::new(Vec::new(), T::framer());
    assert!(matches!(
        w.write(&RawPayload(&vec![0; max + 1])),
        Err(Error::FrameTooLarge { .. })
    ));
    assert!(w.get_ref().is_empty());
    let mut out = vec![7, 7, 7];
    assert!(matches!(
        T::framer().encode_frame(&vec![0; max + 1], &mut out),
        Err(Error::FrameTooLarge { .. })
    ));
    assert_eq!(out, [7, 7, 7], "encode_frame leaves out as it was on an error");
    // Strings take the in-place path (encoded right behind room for the
    // header, which then goes in front): the same frames as framing their
    // encoded bytes, and the same refusal when too large.
    let texts: Vec<String> = sizes()
        .into_iter()
        .filter(|&n| n + 16 <= max)
        .map(|n| "x".repeat(n))
        .collect();
    let (mut expected, mut encoder) = (Vec::new(), flatstream::Encoder::new());
    for t in &texts {
        w.write(t.as_str()).unwrap();
        let payload = t.as_str().encode(&mut encoder).unwrap();
        T::framer().encode_frame(payload, &mut expected).unwrap();
    }
    assert_eq!(w.get_ref(), &expected);
    let before = (w.position(), w.frames_written());
    assert!(matches!(
        w.write("x".repeat(max).as_str()),
        Err(Error::FrameTooLarge { .. })
    ));
    assert_eq!((w.position(), w.frames_written()), before);
    assert_eq!(w.get_ref(), &expected);
    // Every truncation: the frames before, then a clean end or UnexpectedEof.
    let short = &bytes[..bytes.len().min(600)];
    for cut in 0..short.len() {
        let mut r = SliceReader::new(&short[..cut], T::deframer());
        loop {
            match r.read_message() {
                Ok(Some(_)) => {}
                Ok(None) | Err(Error::UnexpectedEof { .. }) => break,
                Err(e) => panic!("cut {cut}: {e}"),
            }
        }
    }
}

fn crc32c(d: &[u8]) -> u64 {
    Crc32c::new().calculate(d)
}
fn crc16(d: &[u8]) -> u64 {
    Crc16::new().calculate(d)
}
fn xxh3(d: &[u8]) -> u64 {
    Xxh3::new().calculate(d)
}
fn crc64(d: &[u8]) -> u64 {
    Crc64::new().calculate(d)
}

#[test]
fn u8_length_little_endian() {
    #[derive(StreamSerialize)]
    #[frame(len = u8)]
    struct M {}
    assert_eq!((M::HEADER_LEN, M::MAX_FRAME_LEN), (1, 255));
    check_layout::<M>(
        Spec {
            magic: b"",
            len_width: 1,
            big_endian: false,
            checksum: None,
            covers_frame: false,
            align: 1,
        },
        255,
    );
}

#[test]
fn u16_length_big_endian_with_crc32c() {
    #[derive(StreamSerialize)]
    #[frame(len = u16, endian = big, checksum = crc32c)]
    struct M {}
    assert_eq!((M::HEADER_LEN, M::MAX_FRAME_LEN), (6, 65_535));
    let spec = Spec {
        magic: b"",
        len_width: 2,
        big_endian: true,
        checksum: Some((4, crc32c)),
        covers_frame: false,
        align: 1,
    };
    check_layout::<M>(spec, 65_535);
}

#[test]
fn u64_length_with_magic_and_xxh3() {
    #[derive(StreamSerialize)]
    #[frame(len = u64, magic = b"FSTR", checksum = xxh3, max_len = 100000)]
    struct M {}
    assert_eq!(M::HEADER_LEN, 4 + 8 + 8);
    let spec = Spec {
        magic: b"FSTR",
        len_width: 8,
        big_endian: false,
        checksum: Some((8, xxh3)),
        covers_frame: false,
        align: 1,
    };
    check_layout::<M>(spec, 100_000);
}

#[test]
fn covers_frame_with_magic_big_endian() {
    #[derive(StreamSerialize)]
    #[frame(len = u32, magic = b"\xFA\xCE", endian = big, checksum = crc16, covers = frame)]
    struct M {}
    let spec = Spec {
        magic: b"\xFA\xCE",
        len_width: 4,
        big_endian: true,
        checksum: Some((2, crc16)),
        covers_frame: true,
        align: 1,
    };
    check_layout::<M>(spec, 4096);
}

#[test]
fn aligned_payloads() {
    #[derive(StreamSerialize)]
    #[frame(len = u32, checksum = crc64, align = 16, magic = b"A", max_len = 100000)]
    struct M {}
    assert_eq!(M::HEADER_LEN, 16);
    let spec = Spec {
        magic: b"A",
        len_width: 4,
        big_endian: false,
        checksum: Some((8, crc64)),
        covers_frame: false,
        align: 16,
    };
    check_layout::<M>(spec, 100_000);

    #[derive(StreamSerialize)]
    #[frame(len = u16, align = 64, checksum = crc32c, covers = frame)]
    struct N {}
    assert_eq!(N::HEADER_LEN, 64);
    let spec = Spec {
        magic: b"",
        len_width: 2,
        big_endian: false,
        checksum: Some((4, crc32c)),
        covers_frame: true,
        align: 64,
    };
    check_layout::<N>(spec, 65_535);
}

#[test]
fn covers_frame_catches_every_header_bit_flip() {
    #[derive(StreamSerialize)]
    #[frame(len = u32, checksum = crc32c, covers = frame, magic = b"M")]
    struct Covered {}
    #[derive(StreamSerialize)]
    #[frame(len = u32, checksum = crc32c)]
    struct PayloadOnly {}
    let payloads = vec![pseudo_random_bytes(1, 10), pseudo_random_bytes(2, 10)];
    let bytes = frames(Covered::framer(), &payloads);
    let header = Covered::HEADER_LEN;
    for byte in 0..header {
        for bit in 0..8 {
            let mut damaged = bytes.clone();
            damaged[byte] ^= 1 << bit;
            let first = SliceReader::new(&damaged, Covered::deframer()).read_message();
            assert!(first.is_err(), "byte {byte} bit {bit} went unnoticed");
        }
    }
    // Without covering, a length flip that keeps the frame in bounds is only
    // caught through the payload checksum; a flip in a payload-only frame's
    // checksum field is caught too. (Both are errors; nothing returned.)
    let plain = frames(PayloadOnly::framer(), &payloads);
    let mut damaged = plain.clone();
    damaged[0] ^= 1; // length 10 -> 11
    assert!(SliceReader::new(&damaged, PayloadOnly::deframer())
        .read_message()
        .is_err());
}

#[test]
fn magic_mismatch_is_an_invalid_frame_at_its_offset() {
    #[derive(StreamSerialize)]
    #[frame(magic = b"FS")]
    struct M {}
    let mut bytes = frames(M::framer(), &[vec![1, 2, 3, 4], vec![5, 6, 7, 8]]);
    bytes[10] = b'X'; // second frame's magic
    let mut r = SliceReader::new(&bytes, M::deframer());
    assert_eq!(r.read_message().unwrap().unwrap(), [1, 2, 3, 4]);
    match r.read_message() {
        Err(Error::InvalidFrame {
            offset: 10,
            reason: FrameDefect::MagicMismatch { expected, found },
        }) => {
            assert_eq!((expected, &found[..2]), (&b"FS"[..], &b"XS"[..]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nonzero_padding_is_an_invalid_frame() {
    #[derive(StreamSerialize)]
    #[frame(align = 8)]
    struct M {}
    let mut bytes = frames(M::framer(), &[vec![1, 2, 3, 4, 5]]);
    bytes[5] = 1; // header padding
    assert!(matches!(
        SliceReader::new(&bytes, M::deframer()).read_message(),
        Err(Error::InvalidFrame { .. })
    ));
    let mut bytes = frames(M::framer(), &[vec![1, 2, 3, 4, 5]]);
    *bytes.last_mut().unwrap() = 1; // payload padding
    assert!(matches!(
        SliceReader::new(&bytes, M::deframer()).read_message(),
        Err(Error::InvalidFrame { .. })
    ));
}

#[test]
fn explicit_max_len_is_enforced_on_read_before_allocation() {
    #[derive(StreamSerialize)]
    #[frame(len = u32, max_len = 100)]
    struct M {}
    let mut header = 101u32.to_le_bytes().to_vec();
    header.extend([0; 101]);
    assert!(matches!(
        StreamReader::new(&header[..], M::deframer()).read_message(),
        Err(Error::FrameTooLarge {
            len: 101,
            max: 100,
            ..
        })
    ));
    assert_eq!(M::deframer().decode_frame(&header).unwrap_err().offset(), Some(0));
    let d = LayoutDeframer::<M>::new();
    assert_eq!(
        d.decode_frame(&[5, 0]).unwrap(),
        Decoded::Incomplete { needed: 4 }
    );
    let _ = LayoutFramer::<M>::new();
}

mod protocols {
    use flatstream::prelude::*;

    #[derive(Framing)]
    #[frame(len = u16, checksum = crc32c)]
    pub struct SensorLink;

    #[derive(StreamSerialize, Debug, PartialEq)]
    #[frame(protocol = SensorLink)]
    pub struct Reading {
        pub value: f64,
    }

    #[derive(StreamSerialize)]
    #[frame(protocol = SensorLink)]
    pub struct Alarm {
        pub code: u32,
        pub text: String,
    }

    #[test]
    fn messages_share_the_protocol_framing() {
        assert_eq!(Reading::HEADER_LEN, 6);
        assert_eq!(Alarm::HEADER_LEN, SensorLink::HEADER_LEN);
        assert_eq!(SensorLink::MAX_FRAME_LEN, 65_535);
        let mut w = StreamWriter::for_protocol::<SensorLink>(Vec::new());
        w.write(&Reading { value: 1.5 }).unwrap();
        w.write(&Alarm {
            code: 7,
            text: "hot".into(),
        })
        .unwrap();
        w.write_batch(&[Reading { value: 2.5 }]).unwrap();
        assert_eq!(w.stream_writer().frames_written(), 3);
        let bytes = w.into_inner();
        // Same bytes as writing through either message's framer.
        let mut plain = StreamWriter::new(Vec::new(), Reading::framer());
        plain.write(&Reading { value: 1.5 }).unwrap();
        plain
            .write(&Alarm {
                code: 7,
                text: "hot".into(),
            })
            .unwrap();
        plain.write(&Reading { value: 2.5 }).unwrap();
        assert_eq!(plain.into_inner(), bytes);
        let n = StreamReader::new(&bytes[..], SensorLink::deframer()).count();
        assert_eq!(n, 3);
    }

    #[test]
    fn a_message_with_its_own_framing_is_its_own_protocol() {
        #[derive(StreamSerialize)]
        #[frame(checksum = xxh3)]
        struct Solo {
            x: u8,
        }
        let mut w = StreamWriter::for_protocol::<Solo>(Vec::new());
        w.write(&Solo { x: 1 }).unwrap();
        let bytes = w.into_inner();
        assert_eq!(
            u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize,
            bytes.len() - 12
        );
        assert_eq!(StreamReader::new(&bytes[..], Solo::deframer()).count(), 1);
    }
}
