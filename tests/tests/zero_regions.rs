//! Zero-filled regions (a preallocated or `fallocate`d log, a file extended
//! before the crash, a lost block) never come back as frames: for every
//! framing kind and checksum, every recovery policy and every reader, 4 KiB
//! of zeros at the end of a stream or between two frames ends exactly as the
//! policy says, at the zeros' offset, and no phantom frame is returned.
//!
//! CRC-16/XMODEM, CRC-32 and CRC-32C of an empty payload are all 0, so a
//! zeroed header would be a valid empty frame; derived framings refuse
//! payloads shorter than a FlatBuffers root offset, runtime framers are told
//! to with `with_min_payload_len(1)`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use flatstream::prelude::*;
use flatstream::recovery::RecoveryPolicy;
use flatstream::{FrameDefect, RecoveryMode};
use futures::StreamExt;
use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::codec::FramedRead;

mod common;

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32)]
struct Reading {
    seq: u64,
    unit: String,
}

const MESSAGES: u64 = 20;
const ZEROS: usize = 4096;
/// The zero gap goes in before this frame.
const GAP_BEFORE: usize = 10;

/// Where the zeros go.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Region {
    /// Appended after the last frame.
    Tail,
    /// Inserted at the frame boundary before frame `GAP_BEFORE`.
    Gap,
}

/// What a reader returned: the messages (`u64::MAX` for a frame that is no
/// message: a phantom), how it ended, and what it reported.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    seqs: Vec<u64>,
    end: End,
    torn_tail: Option<(u64, u64)>,
    skipped: Vec<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
enum End {
    Clean,
    InvalidFrame(u64, FrameDefect),
}

impl End {
    fn of(e: flatstream::Error) -> End {
        match e {
            flatstream::Error::InvalidFrame { offset, reason } => End::InvalidFrame(offset, reason),
            other => panic!("expected an InvalidFrame error, got {other:?}"),
        }
    }
}

fn seq_of(payload: &[u8]) -> u64 {
    Reading::decode(payload).map_or(u64::MAX, |r| r.seq)
}

/// The damaged stream and the zeros' offset.
fn damaged<F: Framer>(framer: F, region: Region) -> (Vec<u8>, u64) {
    let mut w = StreamWriter::new(Vec::new(), framer);
    let mut starts = Vec::new();
    for seq in 0..MESSAGES {
        starts.push(w.position() as usize);
        w.write(&Reading {
            seq,
            unit: "x".repeat(seq as usize % 7),
        })
        .unwrap();
    }
    let mut bytes = w.into_inner();
    let at = match region {
        Region::Tail => bytes.len(),
        Region::Gap => starts[GAP_BEFORE],
    };
    bytes.splice(at..at, std::iter::repeat_n(0u8, ZEROS));
    (bytes, at as u64)
}

/// What every reader must return for `bytes` under `mode`.
fn expected(bytes: &[u8], region: Region, mode: RecoveryMode, zeros_at: u64) -> Outcome {
    let before = match region {
        Region::Tail => MESSAGES,
        Region::Gap => GAP_BEFORE as u64,
    };
    let zeros = ZEROS as u64;
    let mut out = Outcome {
        seqs: (0..before).collect(),
        end: End::InvalidFrame(zeros_at, FrameDefect::ZeroFilled),
        torn_tail: None,
        skipped: Vec::new(),
    };
    match (mode, region) {
        (RecoveryMode::Strict, _) => {}
        (RecoveryMode::TolerateTornTail, Region::Tail) => {
            out.end = End::Clean;
            out.torn_tail = Some((zeros_at, zeros));
        }
        (RecoveryMode::TolerateTornTail, Region::Gap) => {
            // Up to the first non-zero byte: a big-endian length's leading
            // zeros count too.
            let data_at = zeros_at + bytes[zeros_at as usize..].iter().position(|&b| b != 0).unwrap() as u64;
            assert!(data_at - zeros_at - zeros < 8);
            out.end = End::InvalidFrame(
                zeros_at,
                FrameDefect::ZeroGap {
                    len: data_at - zeros_at,
                    data_at,
                },
            );
        }
        (RecoveryMode::SkipCorrupt, _) => {
            out.seqs = (0..MESSAGES).collect();
            out.end = End::Clean;
            out.skipped = vec![(zeros_at, zeros)];
        }
    }
    out
}

/// An `AsyncRead` handing out at most `chunk` bytes per read.
struct Chunked<'a> {
    bytes: &'a [u8],
    chunk: usize,
}

impl AsyncRead for Chunked<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.chunk.min(buf.remaining()).min(self.bytes.len());
        buf.put_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Poll::Ready(Ok(()))
    }
}

/// Reads to the end or the first error: the messages' sequence numbers
/// and how it ended.
fn drain(mut next: impl FnMut() -> flatstream::Result<Option<u64>>) -> (Vec<u64>, End) {
    let mut seqs = Vec::new();
    loop {
        match next() {
            Ok(Some(seq)) => seqs.push(seq),
            Ok(None) => return (seqs, End::Clean),
            Err(e) => return (seqs, End::of(e)),
        }
    }
}

fn skipped_of(regions: Vec<flatstream::SkippedRegion>) -> Vec<(u64, u64)> {
    regions.iter().map(|r| (r.offset, r.len)).collect()
}

/// The readers over an input, under `policy`: the sync reader's
/// `read_message`, `read_view` and typed iterator, and the async reader's
/// `read_message` and `read` at several chunk sizes.
fn policy_readers<D, P>(deframer: D, _policy: P, bytes: &[u8]) -> Vec<(String, Outcome)>
where
    D: Deframer + Copy,
    P: RecoveryPolicy<D> + Copy,
{
    let mut outcomes = Vec::new();
    let sync = || StreamReader::new(bytes, deframer).with_recovery(_policy).unwrap();

    let mut r = sync();
    let (seqs, end) = drain(|| r.read_message().map(|p| p.map(seq_of)));
    let (torn_tail, skipped) = (
        r.torn_tail().map(|t| (t.offset, t.len)),
        skipped_of(r.take_skipped()),
    );
    outcomes.push((
        "read_message".into(),
        Outcome {
            seqs,
            end,
            torn_tail,
            skipped,
        },
    ));

    let mut r = sync();
    let (seqs, end) = drain(|| r.read_view::<Reading>().map(|v| v.map(|v| v.seq())));
    let (torn_tail, skipped) = (
        r.torn_tail().map(|t| (t.offset, t.len)),
        skipped_of(r.take_skipped()),
    );
    outcomes.push((
        "read_view".into(),
        Outcome {
            seqs,
            end,
            torn_tail,
            skipped,
        },
    ));

    let mut typed = sync().typed::<Reading>();
    let (mut seqs, mut end) = (Vec::new(), End::Clean);
    for item in typed.by_ref() {
        match item {
            Ok(r) => seqs.push(r.seq),
            Err(e) => end = End::of(e),
        }
    }
    let mut r = typed.into_inner();
    let (torn_tail, skipped) = (
        r.torn_tail().map(|t| (t.offset, t.len)),
        skipped_of(r.take_skipped()),
    );
    outcomes.push((
        "typed iterator".into(),
        Outcome {
            seqs,
            end,
            torn_tail,
            skipped,
        },
    ));

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    for chunk in [1, 7, 4096] {
        for typed in [false, true] {
            let outcome = runtime.block_on(async {
                let mut r = AsyncStreamReader::new(Chunked { bytes, chunk }, deframer)
                    .with_recovery(_policy)
                    .unwrap();
                let mut seqs = Vec::new();
                let end = loop {
                    let next = if typed {
                        r.read::<Reading>().await.map(|m| m.map(|m| m.seq))
                    } else {
                        r.read_message().await.map(|p| p.map(seq_of))
                    };
                    match next {
                        Ok(Some(seq)) => seqs.push(seq),
                        Ok(None) => break End::Clean,
                        Err(e) => break End::of(e),
                    }
                };
                let torn_tail = r.torn_tail().map(|t| (t.offset, t.len));
                Outcome {
                    seqs,
                    end,
                    torn_tail,
                    skipped: skipped_of(r.take_skipped()),
                }
            });
            let reader = if typed { "async read" } else { "async read_message" };
            outcomes.push((format!("{reader}, chunk {chunk}"), outcome));
        }
    }
    outcomes
}

/// `SliceReader` and both codecs under `policy`: the same outcomes as the
/// readers, since all of them drive the same scanner.
fn slice_and_codec_readers<D, P>(deframer: D, policy: P, bytes: &[u8]) -> Vec<(String, Outcome)>
where
    D: Deframer + Copy,
    P: RecoveryPolicy<D> + Copy,
{
    let mut outcomes = Vec::new();
    let slice = || SliceReader::new(bytes, deframer).with_recovery(policy).unwrap();
    let mut r = slice();
    let (seqs, end) = drain(|| r.read_message().map(|p| p.map(seq_of)));
    let torn_tail = r.torn_tail().map(|t| (t.offset, t.len));
    let skipped = skipped_of(r.take_skipped());
    outcomes.push((
        "SliceReader::read_message".into(),
        Outcome {
            seqs,
            end,
            torn_tail,
            skipped,
        },
    ));

    let mut r = slice();
    let (seqs, end) = drain(|| r.read_view::<Reading>().map(|v| v.map(|v| v.seq())));
    let torn_tail = r.torn_tail().map(|t| (t.offset, t.len));
    let skipped = skipped_of(r.take_skipped());
    outcomes.push((
        "SliceReader::read_view".into(),
        Outcome {
            seqs,
            end,
            torn_tail,
            skipped,
        },
    ));

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    for chunk in [1, 7, 4096] {
        let outcome = runtime.block_on(async {
            let codec = FrameCodec::new(DefaultFramer, deframer)
                .with_recovery(policy)
                .unwrap();
            let mut frames = FramedRead::new(Chunked { bytes, chunk }, codec);
            let (mut seqs, mut end) = (Vec::new(), End::Clean);
            while let Some(item) = frames.next().await {
                match item {
                    Ok(p) => seqs.push(seq_of(&p)),
                    Err(e) => {
                        end = End::of(e);
                        break;
                    }
                }
            }
            let codec = frames.decoder_mut();
            let torn_tail = codec.torn_tail().map(|t| (t.offset, t.len));
            Outcome {
                seqs,
                end,
                torn_tail,
                skipped: skipped_of(codec.take_skipped()),
            }
        });
        outcomes.push((format!("FrameCodec, chunk {chunk}"), outcome));
        let outcome = runtime.block_on(async {
            let codec = FrameCodec::new(DefaultFramer, deframer)
                .batched()
                .with_recovery(policy)
                .unwrap();
            let mut batches = FramedRead::new(Chunked { bytes, chunk }, codec);
            let (mut seqs, mut end) = (Vec::new(), End::Clean);
            while let Some(item) = batches.next().await {
                match item {
                    Ok(batch) => seqs.extend(batch.payloads().map(seq_of)),
                    Err(e) => {
                        end = End::of(e);
                        break;
                    }
                }
            }
            let codec = batches.decoder_mut();
            let torn_tail = codec.torn_tail().map(|t| (t.offset, t.len));
            Outcome {
                seqs,
                end,
                torn_tail,
                skipped: skipped_of(codec.take_skipped()),
            }
        });
        outcomes.push((format!("BatchCodec, chunk {chunk}"), outcome));
        let codec = FrameCodec::new(DefaultFramer, deframer)
            .with_recovery(policy)
            .unwrap()
            .typed::<Reading>();
        let (items, error, mut codec) = common::drive_decoder(codec, bytes, chunk);
        let outcome = Outcome {
            seqs: items.iter().map(|r| r.seq).collect(),
            end: error.map_or(End::Clean, End::of),
            torn_tail: codec.torn_tail().map(|t| (t.offset, t.len)),
            skipped: skipped_of(codec.take_skipped()),
        };
        outcomes.push((format!("TypedCodec, chunk {chunk}"), outcome));
    }
    outcomes
}

fn assert_outcomes(
    framing: &str,
    bytes: &[u8],
    region: Region,
    mode: RecoveryMode,
    zeros_at: u64,
    got: Vec<(String, Outcome)>,
) {
    let want = expected(bytes, region, mode, zeros_at);
    for (reader, outcome) in got {
        assert_eq!(outcome, want, "{framing}, {region:?}, {mode:?}, {reader}");
    }
}

/// Checks `framer`/`deframer` under the given policies (each a
/// `Recovery::...` value), for both regions and every reader.
macro_rules! check {
    ($name:expr, $framer:expr, $deframer:expr, [$($policy:ident),*]) => {{
        let (framer, deframer) = ($framer, $deframer);
        for region in [Region::Tail, Region::Gap] {
            let (bytes, zeros_at) = damaged(framer, region);
            $(
                assert_outcomes(
                    $name,
                    &bytes,
                    region,
                    RecoveryMode::$policy,
                    zeros_at,
                    [
                        policy_readers(deframer, Recovery::$policy, &bytes),
                        slice_and_codec_readers(deframer, Recovery::$policy, &bytes),
                    ]
                    .concat(),
                );
            )*
        }
    }};
}

/// One derived protocol per checksum, covering the payload only (no
/// resynchronisation: Strict and TolerateTornTail) and the whole frame
/// (every policy).
macro_rules! derived {
    ($($test:ident: $kw:ident;)*) => {$(
        #[test]
        fn $test() {
            #[derive(Framing)]
            #[frame(len = u32, checksum = $kw)]
            struct Payload;
            #[derive(Framing)]
            #[frame(len = u32, checksum = $kw, covers = frame)]
            struct Whole;
            check!(concat!(stringify!($kw), " covers payload"), Payload::framer(), Payload::deframer(),
                [Strict, TolerateTornTail]);
            check!(concat!(stringify!($kw), " covers frame"), Whole::framer(), Whole::deframer(),
                [Strict, TolerateTornTail, SkipCorrupt]);
        }
    )*};
}

derived! {
    derived_crc16: crc16;
    derived_crc16_xmodem: crc16_xmodem;
    derived_crc32: crc32;
    derived_crc32c: crc32c;
    derived_crc64: crc64;
    derived_xxhash64: xxhash64;
    derived_xxh3: xxh3;
}

#[test]
fn derived_layouts_of_every_shape() {
    #[derive(Framing)]
    #[frame(len = u32)]
    struct NoChecksum;
    #[derive(Framing)]
    #[frame(len = u16, endian = big, checksum = crc16_xmodem, covers = frame)]
    struct BigEndianXmodem;
    #[derive(Framing)]
    #[frame(len = u64, endian = big, checksum = crc32c)]
    struct BigEndianU64;
    #[derive(Framing)]
    #[frame(magic = b"FS", len = u32, checksum = crc32c)]
    struct Magic;
    #[derive(Framing)]
    #[frame(len = u32, checksum = crc32c, covers = frame, align = 8)]
    struct Aligned;
    check!(
        "no checksum",
        NoChecksum::framer(),
        NoChecksum::deframer(),
        [Strict, TolerateTornTail]
    );
    check!(
        "big-endian u16, xmodem, covers frame",
        BigEndianXmodem::framer(),
        BigEndianXmodem::deframer(),
        [Strict, TolerateTornTail, SkipCorrupt]
    );
    check!(
        "big-endian u64",
        BigEndianU64::framer(),
        BigEndianU64::deframer(),
        [Strict, TolerateTornTail]
    );
    check!(
        "magic",
        Magic::framer(),
        Magic::deframer(),
        [Strict, TolerateTornTail, SkipCorrupt]
    );
    check!(
        "aligned",
        Aligned::framer(),
        Aligned::deframer(),
        [Strict, TolerateTornTail, SkipCorrupt]
    );
}

/// Runtime framers with `with_min_payload_len(1)`, plain and with a
/// protected header.
macro_rules! runtime {
    ($($test:ident: $checksum:expr;)*) => {$(
        #[test]
        fn $test() {
            let framer = ChecksumFramer::new($checksum).with_min_payload_len(1);
            let deframer = ChecksumDeframer::new($checksum).with_min_payload_len(1);
            check!(stringify!($test), framer, deframer, [Strict, TolerateTornTail]);
            check!(
                concat!(stringify!($test), " protected header"),
                framer.with_protected_header(),
                deframer.with_protected_header(),
                [Strict, TolerateTornTail, SkipCorrupt]
            );
        }
    )*};
}

runtime! {
    runtime_crc16: Crc16::new();
    runtime_crc16_xmodem: Crc16Xmodem::new();
    runtime_crc32: Crc32::new();
    runtime_crc32c: Crc32c::new();
    runtime_crc64: Crc64::new();
    runtime_xxhash64: XxHash64::new();
    runtime_xxh3: Xxh3::new();
}

#[test]
fn default_framing_with_a_minimum_refuses_zeros_too() {
    check!(
        "DefaultDeframer",
        DefaultFramer,
        DefaultDeframer::new().with_min_payload_len(1),
        [Strict, TolerateTornTail]
    );
}

/// Without a minimum, the runtime framers keep the format's rule (an empty
/// payload is a frame, and zeros are empty frames under a CRC): raw reading
/// returns them, which is why `with_min_payload_len` exists; typed reading
/// still refuses them, since an empty payload is no FlatBuffers table.
#[test]
fn without_a_minimum_zeros_are_empty_frames_and_typed_reads_refuse_them() {
    let (bytes, zeros_at) = damaged(ChecksumFramer::new(Crc32c::new()), Region::Tail);
    let mut r = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc32c::new()));
    let mut frames = 0;
    while let Some(p) = r.read_message().unwrap() {
        frames += 1;
        if frames > MESSAGES {
            assert!(p.is_empty());
        }
    }
    assert_eq!(frames, MESSAGES + (ZEROS / 8) as u64);
    let mut r = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc32c::new()));
    for seq in 0..MESSAGES {
        assert_eq!(r.read::<Reading>().unwrap().unwrap().seq, seq);
    }
    match r.read::<Reading>() {
        Err(flatstream::Error::InvalidFlatBuffer { offset, .. }) => assert_eq!(offset, zeros_at),
        other => panic!("{other:?}"),
    }
}

/// Writers refuse what their readers would: a payload below the minimum,
/// and (under a checksum mapping zeros to zero) an empty payload whose
/// protected header would be all zeros.
#[test]
fn writers_refuse_what_readers_refuse_and_write_nothing() {
    #[derive(Framing)]
    #[frame(len = u32, checksum = crc32c)]
    struct Derived;
    let mut w = StreamWriter::new(Vec::new(), Derived::framer());
    for short in 0..flatstream::MIN_FLATBUFFERS_LEN {
        match w.write(&RawPayload(&vec![1; short])) {
            Err(flatstream::Error::InvalidFrame {
                reason: FrameDefect::PayloadTooShort { len, min: 4 },
                ..
            }) => assert_eq!(len, short as u64),
            other => panic!("{other:?}"),
        }
    }
    w.write(&RawPayload(&[1; 4])).unwrap();
    assert_eq!(w.get_ref().len(), 8 + 4);

    let mut w = StreamWriter::new(
        Vec::new(),
        ChecksumFramer::new(Crc32::new()).with_min_payload_len(3),
    );
    assert!(w.write(&RawPayload(b"ab")).is_err());
    w.write(&RawPayload(b"abc")).unwrap();
    assert_eq!(w.get_ref().len(), 8 + 3);

    // XMODEM of zeros is zero: the empty payload's protected header would
    // be all zeros, so it is refused; with a non-zero-initialised CRC the
    // header is not zero and the empty payload is written.
    let mut w = StreamWriter::new(
        Vec::new(),
        ChecksumFramer::new(Crc16Xmodem::new()).with_protected_header(),
    );
    assert!(matches!(
        w.write(&RawPayload(b"")),
        Err(flatstream::Error::InvalidFrame { .. })
    ));
    assert!(w.get_ref().is_empty());
    w.write(&RawPayload(b"a")).unwrap();
    let mut w = StreamWriter::new(
        Vec::new(),
        ChecksumFramer::new(Crc16::new()).with_protected_header(),
    );
    w.write(&RawPayload(b"")).unwrap();
    let bytes = w.into_inner();
    assert!(bytes.iter().any(|&b| b != 0));
    let mut r = SliceReader::new(
        &bytes,
        ChecksumDeframer::new(Crc16::new()).with_protected_header(),
    );
    assert_eq!(r.read_message().unwrap().unwrap(), b"");
}

/// The header checksum of a protected header never accepts a header of
/// zeros, whatever the checksum, whatever the minimum (XMODEM maps zeros
/// to zero, so the check is explicit).
#[test]
fn protected_headers_refuse_a_zeroed_header_for_every_checksum() {
    fn refuses<D: Deframer>(d: D, name: &str) {
        let zeros = [0u8; 64];
        match d.decode_frame(&zeros) {
            Err(flatstream::Error::InvalidFrame {
                reason: FrameDefect::ZeroFilled,
                offset: 0,
            }) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
    macro_rules! each {
        ($($name:literal: $kw:ident, $checksum:expr;)*) => {$({
            refuses(ChecksumDeframer::new($checksum).with_protected_header(), $name);
            #[derive(Framing)]
            #[frame(len = u32, checksum = $kw, covers = frame)]
            struct Whole;
            refuses(Whole::deframer(), $name);
        })*};
    }
    each! {
        "crc16": crc16, Crc16::new();
        "crc16_xmodem": crc16_xmodem, Crc16Xmodem::new();
        "crc32": crc32, Crc32::new();
        "crc32c": crc32c, Crc32c::new();
        "crc64": crc64, Crc64::new();
        "xxhash64": xxhash64, XxHash64::new();
        "xxh3": xxh3, Xxh3::new();
    }
}

/// A zero run much longer than the reader's buffer is consumed as it
/// arrives: the buffer stays the size of a frame, not of the zeros.
#[test]
fn a_long_zero_tail_costs_no_memory() {
    #[derive(Framing)]
    #[frame(len = u32, checksum = crc32c)]
    struct P;
    let mut w = StreamWriter::new(Vec::new(), P::framer());
    w.write(&Reading {
        seq: 1,
        unit: "C".into(),
    })
    .unwrap();
    let mut bytes = w.into_inner();
    let end = bytes.len() as u64;
    bytes.resize(bytes.len() + (32 << 20), 0);
    let mut r = StreamReader::new(&bytes[..], P::deframer())
        .with_recovery(Recovery::TolerateTornTail)
        .unwrap();
    assert_eq!(r.read::<Reading>().unwrap().unwrap().seq, 1);
    assert!(r.read::<Reading>().unwrap().is_none());
    assert_eq!(
        r.torn_tail(),
        Some(flatstream::TornTail {
            offset: end,
            len: 32 << 20
        })
    );
    assert!(r.buffer_capacity() <= 64 << 10, "{}", r.buffer_capacity());
}
