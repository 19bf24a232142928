//! Round trips, truncation at every offset, every bit flip, odd readers:
//! for every built-in framing.

use std::io::Cursor;

use flatstream::*;

mod common;
use common::{pseudo_random_bytes, Chunked, Interrupting};

/// Payload sizes from 0 B to 1 MiB, with the powers of two and their
/// neighbours where buffer growth happens.
fn sizes() -> Vec<usize> {
    let mut s = vec![0, 1, 2, 3, 7, 8, 9, 100];
    for p in [10, 13, 16, 20] {
        s.extend([(1 << p) - 1, 1 << p, (1 << p) + 1]);
    }
    s.retain(|&n| n <= 1 << 20);
    s
}

fn write_all<F: Framer>(framer: F, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), framer);
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    assert_eq!(w.frames_written(), payloads.len() as u64);
    assert_eq!(w.position(), w.get_ref().len() as u64);
    w.into_inner()
}

fn read_all<D: Deframer + Copy>(deframer: D, bytes: &[u8]) -> Vec<Vec<u8>> {
    let via_stream: Vec<Vec<u8>> = StreamReader::new(bytes, deframer).collect::<Result<_>>().unwrap();
    let via_slice: Vec<Vec<u8>> = SliceReader::new(bytes, deframer)
        .map(|p| p.map(<[u8]>::to_vec))
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(via_stream, via_slice);
    via_stream
}

#[test]
fn round_trip_zero_one_and_many_messages() {
    fn check<F: Framer + Copy, D: Deframer + Copy + WithLimit>(f: F, d: D, name: &str) {
        let d = d.with_limit(2 << 20);
        // Zero messages.
        assert!(write_all(f, &[]).is_empty());
        assert!(read_all(d, &[]).is_empty(), "{name}");
        // One message of every size.
        for size in sizes() {
            let one = vec![pseudo_random_bytes(size as u64, size)];
            assert_eq!(read_all(d, &write_all(f, &one)), one, "{name} size {size}");
        }
        // 10,000 messages of mixed sizes, a few of them large.
        let many: Vec<Vec<u8>> = (0..10_000u64)
            .map(|i| {
                let size = if i % 2500 == 7 {
                    300_000
                } else {
                    (i * 7919 % 700) as usize
                };
                pseudo_random_bytes(i, size)
            })
            .collect();
        let bytes = write_all(f, &many);
        assert_eq!(read_all(d, &bytes), many, "{name} 10k");
        // write_batch produces the same bytes as a loop of write: assembled
        // in its buffer for a sink other than a `Vec`, a loop of `write`
        // into a `Vec`.
        let raw: Vec<RawPayload> = many.iter().map(|p| RawPayload(p)).collect();
        let mut w = StreamWriter::new(std::io::Cursor::new(Vec::new()), f);
        w.write_batch(&raw).unwrap();
        assert_eq!(w.frames_written(), 10_000);
        assert_eq!(w.into_inner().into_inner(), bytes, "{name} batch");
        let mut w = StreamWriter::new(Vec::new(), f);
        w.write_batch(&raw).unwrap();
        assert_eq!(w.frames_written(), 10_000);
        assert_eq!(w.into_inner(), bytes, "{name} batch into a Vec");
        // So does a buffered writer, whose `into_inner` hands over what it holds.
        let mut w = StreamWriter::with_capacity(4096, Vec::new(), f);
        for p in &raw {
            w.write(p).unwrap();
        }
        assert_eq!(w.into_inner(), bytes, "{name} buffered");
    }
    for_each_framing!(check);
}

/// Lets tests raise the limit of any built-in deframer.
trait WithLimit {
    fn with_limit(self, n: usize) -> Self;
}
impl WithLimit for DefaultDeframer {
    fn with_limit(self, n: usize) -> Self {
        self.with_max_frame_len(n)
    }
}
impl<C: Checksum> WithLimit for ChecksumDeframer<C> {
    fn with_limit(self, n: usize) -> Self {
        self.with_max_frame_len(n)
    }
}

fn small_stream() -> Vec<Vec<u8>> {
    [0usize, 1, 5, 40, 3, 0, 17]
        .iter()
        .enumerate()
        .map(|(i, &n)| pseudo_random_bytes(i as u64 + 100, n))
        .collect()
}

#[test]
fn truncation_at_every_offset() {
    fn check<F: Framer + Copy, D: Deframer + Copy>(f: F, d: D, name: &str) {
        let payloads = small_stream();
        let bytes = write_all(f, &payloads);
        // Frame boundaries.
        let mut starts = vec![0usize];
        for p in &payloads {
            let last = *starts.last().unwrap();
            starts.push(last + f.header_len() + p.len());
        }
        for cut in 0..=bytes.len() {
            let truncated = &bytes[..cut];
            // Whole frames before the cut.
            let whole = starts.iter().rposition(|&s| s <= cut).unwrap();
            for reader in 0..2 {
                let mut got = Vec::new();
                let end = if reader == 0 {
                    let mut r = StreamReader::new(truncated, d);
                    loop {
                        match r.read_message() {
                            Ok(Some(p)) => got.push(p.to_vec()),
                            other => break other.map(|_| ()),
                        }
                    }
                } else {
                    let mut r = SliceReader::new(truncated, d);
                    loop {
                        match r.read_message() {
                            Ok(Some(p)) => got.push(p.to_vec()),
                            other => break other.map(|_| ()),
                        }
                    }
                };
                assert_eq!(got, payloads[..whole], "{name} cut {cut}");
                if starts[whole] == cut {
                    assert!(end.is_ok(), "{name} cut {cut} on a boundary: {end:?}");
                } else {
                    let frame_start = starts[whole];
                    match end {
                        Err(Error::UnexpectedEof {
                            offset,
                            needed,
                            available,
                        }) => {
                            assert_eq!(offset, frame_start as u64, "{name} cut {cut}");
                            assert_eq!(available, (cut - frame_start) as u64, "{name} cut {cut}");
                            assert!(needed > available, "{name} cut {cut}");
                            let full = (starts[whole + 1] - frame_start) as u64;
                            let header = f.header_len() as u64;
                            assert!(
                                needed == full || needed == header,
                                "{name} cut {cut}: needed {needed}"
                            );
                        }
                        other => panic!("{name} cut {cut}: expected UnexpectedEof, got {other:?}"),
                    }
                }
            }
        }
    }
    for_each_framing!(check);
}

#[test]
fn every_bit_flip_in_payload_and_checksum_is_caught() {
    fn check<F: Framer + Copy, D: Deframer + Copy>(f: F, d: D, name: &str) {
        let checksum_len = f.header_len() - 4;
        if checksum_len == 0 {
            return; // nothing protects an unchecked framing
        }
        let payloads = small_stream();
        let bytes = write_all(f, &payloads);
        let mut frame_start = 0usize;
        for (k, p) in payloads.iter().enumerate() {
            // Checksum field and payload of frame k.
            for byte in frame_start + 4..frame_start + f.header_len() + p.len() {
                for bit in 0..8 {
                    let mut damaged = bytes.clone();
                    damaged[byte] ^= 1 << bit;
                    let mut r = SliceReader::new(&damaged, d);
                    for intact in &payloads[..k] {
                        assert_eq!(r.read_message().unwrap().unwrap(), &intact[..]);
                    }
                    match r.read_message() {
                        Err(Error::ChecksumMismatch { offset, .. }) => {
                            assert_eq!(offset, frame_start as u64, "{name} byte {byte} bit {bit}")
                        }
                        other => panic!("{name} byte {byte} bit {bit}: {other:?}"),
                    }
                }
            }
            frame_start += f.header_len() + p.len();
        }
    }
    for_each_framing!(check);
}

#[test]
fn length_bit_flips_never_return_wrong_data() {
    fn check<F: Framer + Copy, D: Deframer + Copy>(f: F, d: D, name: &str) {
        if f.header_len() == 4 {
            return;
        }
        let payloads = small_stream();
        let bytes = write_all(f, &payloads);
        let mut frame_start = 0usize;
        for (k, p) in payloads.iter().enumerate() {
            for byte in frame_start..frame_start + 4 {
                for bit in 0..8 {
                    let mut damaged = bytes.clone();
                    damaged[byte] ^= 1 << bit;
                    let got: Vec<Result<&[u8]>> = SliceReader::new(&damaged, d).collect();
                    let (last, good) = got.split_last().unwrap();
                    assert_eq!(good.len(), k, "{name} byte {byte} bit {bit}");
                    assert!(
                        last.is_err(),
                        "{name} byte {byte} bit {bit}: damaged frame returned"
                    );
                }
            }
            frame_start += f.header_len() + p.len();
        }
    }
    for_each_framing!(check);
}

#[test]
fn odd_readers_give_the_same_frames() {
    fn check<F: Framer + Copy, D: Deframer + Copy>(f: F, d: D, name: &str) {
        let payloads: Vec<Vec<u8>> = (0..60u64)
            .map(|i| pseudo_random_bytes(i, (i * i * 13 % 20_000) as usize))
            .collect();
        let bytes = write_all(f, &payloads);
        for chunk in [1, 2, 3, 7, 4096, 100_000] {
            let got: Vec<Vec<u8>> = StreamReader::new(Chunked { data: &bytes, chunk }, d)
                .collect::<Result<_>>()
                .unwrap();
            assert_eq!(got, payloads, "{name} chunk {chunk}");
        }
        let got: Vec<Vec<u8>> = StreamReader::new(
            Interrupting {
                data: &bytes,
                interrupt_next: false,
            },
            d,
        )
        .collect::<Result<_>>()
        .unwrap();
        assert_eq!(got, payloads, "{name} interrupted");
        // The original design's per-frame API agrees too.
        let mut reader = Chunked {
            data: &bytes,
            chunk: 5,
        };
        let mut buffer = Vec::new();
        for p in &payloads {
            assert_eq!(d.read_and_deframe(&mut reader, &mut buffer).unwrap(), Some(()));
            assert_eq!(&buffer, p, "{name} read_and_deframe");
        }
        assert_eq!(d.read_and_deframe(&mut reader, &mut buffer).unwrap(), None);
    }
    for_each_framing!(check);
}

#[test]
fn oversized_headers_are_refused_before_reading_the_payload() {
    fn check<F: Framer + Copy, D: Deframer + Copy + WithLimit>(f: F, d: D, name: &str) {
        let mut bytes = vec![0xFF; f.header_len()];
        bytes.extend_from_slice(b"tail");
        for result in [
            StreamReader::new(&bytes[..], d).read_message().map(|_| ()),
            SliceReader::new(&bytes, d).read_message().map(|_| ()),
            d.read_and_deframe(&mut &bytes[..], &mut Vec::new()).map(|_| ()),
        ] {
            match result {
                Err(Error::FrameTooLarge { offset: 0, len, max }) => {
                    assert_eq!(len, u64::from(u32::MAX), "{name}");
                    assert_eq!(max, DEFAULT_MAX_FRAME_LEN as u64, "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        // The limit is exact: max passes, max + 1 does not.
        let d = d.with_limit(5);
        let ok = write_all(f, &[vec![1; 5]]);
        assert_eq!(read_all(d, &ok), [vec![1; 5]]);
        let too_big = write_all(f, &[vec![1; 6]]);
        let err = SliceReader::new(&too_big, d).read_message().unwrap_err();
        assert!(
            matches!(
                err,
                Error::FrameTooLarge {
                    offset: 0,
                    len: 6,
                    max: 5
                }
            ),
            "{name}: {err}"
        );
    }
    for_each_framing!(check);
}

#[test]
fn error_offsets_are_stream_positions() {
    let f = ChecksumFramer::new(Crc32c::new());
    let payloads = small_stream();
    let mut bytes = write_all(f, &payloads);
    let start_of_last = bytes.len() - (8 + payloads.last().unwrap().len());
    *bytes.last_mut().unwrap() ^= 0x80;
    let mut r = StreamReader::new(
        Chunked {
            data: &bytes,
            chunk: 3,
        },
        ChecksumDeframer::new(Crc32c::new()),
    );
    for _ in 0..payloads.len() - 1 {
        r.read_message().unwrap().unwrap();
    }
    let err = r.read_message().unwrap_err();
    assert!(
        matches!(err, Error::ChecksumMismatch { offset, .. } if offset == start_of_last as u64),
        "{err}"
    );
    // Not consumed: the same error again, and the iterator stops after one.
    assert_eq!(r.read_message().unwrap_err().offset(), Some(start_of_last as u64));
    assert_eq!(r.position(), start_of_last as u64);
    let mut it = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc32c::new()));
    let results: Vec<_> = it.by_ref().collect();
    assert_eq!(results.len(), payloads.len());
    assert!(results.last().unwrap().is_err());
    assert!(it.next().is_none());
}

#[test]
fn writer_refuses_oversized_payloads_and_writes_nothing() {
    struct Limited;
    impl Framer for Limited {
        fn header_len(&self) -> usize {
            4
        }
        fn max_frame_len(&self) -> usize {
            3
        }
        fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()> {
            if payload.len() > 3 {
                return Err(Error::FrameTooLarge {
                    offset: 0,
                    len: payload.len() as u64,
                    max: 3,
                });
            }
            header.copy_from_slice(&(payload.len() as u32).to_le_bytes());
            Ok(())
        }
    }
    let mut w = StreamWriter::new(Vec::new(), Limited);
    w.write(&RawPayload(b"abc")).unwrap();
    let err = w.write(&RawPayload(b"abcd")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::FrameTooLarge {
                offset: 7,
                len: 4,
                max: 3
            }
        ),
        "{err}"
    );
    assert_eq!(
        w.get_ref(),
        b"\x03\0\0\0abc",
        "nothing of the refused frame is written"
    );
    // A batch stops at the failing item; the frames before it are written.
    let err = w
        .write_batch(&[RawPayload(b"x"), RawPayload(b"long"), RawPayload(b"y")])
        .unwrap_err();
    assert!(matches!(err, Error::FrameTooLarge { offset: 12, .. }), "{err}");
    assert_eq!(w.get_ref(), b"\x03\0\0\0abc\x01\0\0\0x");
    assert_eq!(w.frames_written(), 2);
}

#[test]
fn string_messages_round_trip() {
    let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc16::new()));
    w.write("plain str").unwrap();
    w.write(&String::from("owned")).unwrap();
    w.write(&&"double ref").unwrap();
    w.write_batch(&["a", "b"]).unwrap();
    let bytes = w.into_inner();
    let texts: Vec<String> = SliceReader::new(&bytes, ChecksumDeframer::new(Crc16::new()))
        .map(|p| flatbuffers::root::<&str>(p.unwrap()).unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["plain str", "owned", "double ref", "a", "b"]);
}

/// `write_batch` pipelines types that write their own bytes (strings,
/// derived messages): it must still produce exactly a loop of `write`, stop
/// at a failing item with every frame before it written and nothing of it,
/// and keep the offsets and counts right, across its 256 KiB hand-overs.
#[test]
fn write_batch_is_a_loop_of_write_even_pipelined() {
    #[derive(Clone)]
    enum Item {
        Text(String),
        Raw(Vec<u8>),
        /// Built with the `FlatBufferBuilder` (the default `encode_into`).
        Built(String),
    }
    impl StreamSerialize for Item {
        fn serialize(&self, b: &mut flatbuffers::FlatBufferBuilder) -> Result<()> {
            match self {
                Item::Text(t) | Item::Built(t) => t.serialize(b),
                Item::Raw(_) => Err(Error::Serialize { reason: "raw".into() }),
            }
        }
        fn encode_into<B: flatstream::PayloadBuf>(
            &self,
            out: &mut flatstream::PayloadSink<'_, B>,
        ) -> Result<()> {
            match self {
                Item::Text(t) => t.encode_into(out),
                Item::Raw(r) => RawPayload(r).encode_into(out),
                Item::Built(t) => out.append_built(|b| t.serialize(b)),
            }
        }
    }
    const MAX: usize = 40_000;
    #[derive(flatstream::Framing)]
    #[frame(len = u32, checksum = crc32c, max_len = 40000)]
    struct Limited;
    let framer = || ChecksumFramer::new(Crc32c::new());
    let limited = Limited::framer;
    // Runs of pipelined texts broken by raw payloads, sizes crossing the
    // flush threshold many times.
    let items: Vec<Item> = (0..400usize)
        .map(|i| match i % 7 {
            3 => Item::Raw(vec![i as u8; i * 37 % 3000]),
            5 => Item::Built("b".repeat(i * 331 % 9000)),
            _ => Item::Text("t".repeat(i * 997 % 30_000)),
        })
        .collect();
    let mut looped = StreamWriter::new(Vec::new(), framer());
    for item in &items {
        looped.write(item).unwrap();
    }
    // Assembled in the batch buffer for a sink other than a `Vec`; a loop
    // of `write` into a `Vec`.
    let mut batched = StreamWriter::new(Cursor::new(Vec::new()), framer());
    batched.write_batch(&items).unwrap();
    assert_eq!(batched.get_ref().get_ref(), looped.get_ref());
    assert_eq!(batched.frames_written(), 400);
    let mut into_vec = StreamWriter::new(Vec::new(), framer());
    into_vec.write_batch(&items).unwrap();
    assert_eq!(into_vec.get_ref(), looped.get_ref());
    assert_eq!(into_vec.frames_written(), 400);
    // A buffered writer, frame by frame or by batch, with buffers smaller
    // than one frame up to larger than many.
    for capacity in BUFFER_CAPACITIES {
        for by_batch in [false, true] {
            let mut buffered = StreamWriter::with_capacity(capacity, Vec::new(), framer());
            if by_batch {
                buffered.write_batch(&items).unwrap();
            } else {
                items.iter().try_for_each(|item| buffered.write(item)).unwrap();
            }
            buffered.flush().unwrap();
            assert_eq!(buffered.get_ref(), looped.get_ref(), "capacity {capacity}");
            assert_eq!(buffered.frames_written(), 400, "capacity {capacity}");
            assert_eq!(buffered.position(), looped.position(), "capacity {capacity}");
        }
    }

    // One item too large, at every kind of position.
    for bad in [0, 1, 2, 3, 5, 6, 150, 398, 399] {
        let mut items = items.clone();
        items[bad] = if bad % 2 == 0 {
            Item::Text("x".repeat(MAX))
        } else {
            Item::Raw(vec![1; MAX + 1])
        };
        let mut looped = StreamWriter::new(Vec::new(), limited());
        for item in &items[..bad] {
            looped.write(item).unwrap();
        }
        let expected_offset = looped.position();
        let mut batched = StreamWriter::new(Cursor::new(Vec::new()), limited());
        match batched.write_batch(&items) {
            Err(Error::FrameTooLarge { offset, .. }) => assert_eq!(offset, expected_offset, "bad {bad}"),
            other => panic!("bad {bad}: {other:?}"),
        }
        assert_eq!(batched.get_ref().get_ref(), looped.get_ref(), "bad {bad}");
        assert_eq!(batched.frames_written(), bad as u64, "bad {bad}");
        let mut into_vec = StreamWriter::new(Vec::new(), limited());
        match into_vec.write_batch(&items) {
            Err(Error::FrameTooLarge { offset, .. }) => assert_eq!(offset, expected_offset, "bad {bad} Vec"),
            other => panic!("bad {bad} Vec: {other:?}"),
        }
        assert_eq!(into_vec.get_ref(), looped.get_ref(), "bad {bad} Vec");
        assert_eq!(into_vec.frames_written(), bad as u64, "bad {bad} Vec");
        let refused = format!("{:?}", looped.write(&items[bad]).unwrap_err());

        // A buffered writer refuses the same item with the same error at
        // once (not at the next call), keeps every frame before it, and goes
        // on with the next ones.
        for capacity in BUFFER_CAPACITIES {
            let mut buffered = StreamWriter::with_capacity(capacity, Vec::new(), limited());
            for item in &items[..bad] {
                buffered.write(item).unwrap();
            }
            let error = buffered.write(&items[bad]).unwrap_err();
            assert_eq!(format!("{error:?}"), refused, "bad {bad} capacity {capacity}");
            buffered.flush().unwrap();
            assert_eq!(
                buffered.get_ref(),
                looped.get_ref(),
                "bad {bad} capacity {capacity}"
            );
            assert_eq!(buffered.frames_written(), bad as u64);
            let mut batch = StreamWriter::with_capacity(capacity, Vec::new(), limited());
            let error = batch.write_batch(&items).unwrap_err();
            assert_eq!(
                format!("{error:?}"),
                refused,
                "bad {bad} capacity {capacity} batch"
            );
            for item in &items[bad + 1..] {
                batch.write(item).unwrap();
            }
            let mut rest = StreamWriter::new(looped.get_ref().clone(), limited());
            for item in &items[bad + 1..] {
                rest.write(item).unwrap();
            }
            assert_eq!(
                batch.into_inner(),
                rest.into_inner(),
                "bad {bad} capacity {capacity} goes on"
            );
        }
    }
}

/// An inner writer that panics while handed the buffer is not called again
/// when the writer is dropped during the unwinding (a second panic there
/// would abort the process).
#[test]
fn a_panicking_inner_writer_is_not_called_again_on_drop() {
    struct Panics {
        calls: std::rc::Rc<std::cell::Cell<u32>>,
    }
    impl std::io::Write for Panics {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            self.calls.set(self.calls.get() + 1);
            panic!("inner writer panics");
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let inner = Panics { calls: calls.clone() };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut w = StreamWriter::with_capacity(1 << 16, inner, DefaultFramer);
        w.write("hello").unwrap();
        let _ = w.flush();
    }));
    assert!(outcome.is_err(), "the inner writer's panic goes on");
    assert_eq!(calls.get(), 1, "called once, not again by Drop");
}

/// Buffers smaller than a frame, of a few frames, and of many.
const BUFFER_CAPACITIES: [usize; 4] = [1, 100, 4096, 1 << 20];

/// A buffered writer hands over what it holds when dropped, as `BufWriter`
/// does, and `into_inner` drops the writer's parts exactly once.
#[test]
fn a_buffered_writer_hands_over_on_drop_and_into_inner_drops_everything_once() {
    use std::cell::Cell;
    use std::rc::Rc;

    struct Counted {
        out: Vec<u8>,
        drops: Rc<Cell<u32>>,
    }
    impl std::io::Write for Counted {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            self.drops.set(self.drops.get() + 1);
        }
    }

    let framer = || ChecksumFramer::new(Crc32c::new());
    let mut expected = StreamWriter::new(Vec::new(), framer());
    let mut out = Vec::new();
    {
        let mut dropped = StreamWriter::with_capacity(1 << 16, &mut out, framer());
        for text in ["a", "bc", "def"] {
            dropped.write(text).unwrap();
            expected.write(text).unwrap();
        }
        assert_eq!(dropped.frames_written(), 0, "all three still buffered");
    }
    assert_eq!(&out, expected.get_ref());

    let drops = Rc::new(Cell::new(0));
    let mut w = StreamWriter::with_capacity(
        1 << 16,
        Counted {
            out: Vec::new(),
            drops: drops.clone(),
        },
        framer(),
    );
    w.write_batch(&["a", "bc", "def"]).unwrap();
    let inner = w.into_inner();
    assert_eq!(
        drops.get(),
        0,
        "into_inner moved the inner writer out, not dropped it"
    );
    assert_eq!(&inner.out, expected.get_ref());
    drop(inner);
    assert_eq!(drops.get(), 1);
}

/// A writer recording the bytes of each call it gets (all taken).
#[derive(Default)]
struct Calls(Vec<Vec<u8>>);
impl std::io::Write for Calls {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_vectored(&[std::io::IoSlice::new(buf)])
    }
    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let call: Vec<u8> = bufs.iter().flat_map(|buf| buf.iter().copied()).collect();
        let n = call.len();
        self.0.push(call);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A message whose frames have no padding, and one whose frames do (for
/// the tests of what the writers hand their sink).
#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c)]
struct Plain {
    id: u32,
    text: String,
}
#[derive(StreamSerialize)]
#[frame(len = u16, checksum = crc16, align = 8)]
struct Padded {
    id: u32,
    text: String,
}

/// An unbuffered writer hands each frame to the inner writer in one call,
/// header, payload and padding together (a socket or pipe gets one
/// `writev` per frame; one `write` per part would let Nagle's algorithm
/// hold the payload back behind the header, and split a frame between
/// writers sharing a pipe): encoded messages, built payloads and the
/// one-frame helper alike, with and without padding.
#[test]
fn an_unbuffered_writer_hands_each_frame_over_in_one_call() {
    fn frame_of<F: Framer, T: StreamSerialize + ?Sized>(
        encoder: &mut Encoder,
        framer: &F,
        item: &T,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        encoder.append_frame(framer, item, &mut out).unwrap();
        out
    }
    fn check<F: Framer + Copy, T: StreamSerialize>(framer: F, make: impl Fn(u32, String) -> T, name: &str) {
        let mut w = StreamWriter::new(Calls::default(), framer);
        let mut expected = Vec::new();
        let mut encoder = Encoder::new();
        for n in [0u32, 1, 5, 8, 13, 100, 1000] {
            let text = "t".repeat(n as usize);
            let message = make(n, text.clone());
            let raw = pseudo_random_bytes(n.into(), n as usize + 4);
            w.write(&message).unwrap();
            w.write(&RawPayload(&raw)).unwrap();
            w.write(text.as_str()).unwrap();
            expected.push(frame_of(&mut encoder, &framer, &message));
            expected.push(frame_of(&mut encoder, &framer, &RawPayload(&raw)));
            expected.push(frame_of(&mut encoder, &framer, text.as_str()));
            let mut helper = Calls::default();
            framer.frame_and_write(&mut helper, &raw).unwrap();
            assert_eq!(
                helper.0,
                [frame_of(&mut encoder, &framer, &RawPayload(&raw))],
                "{name}: frame_and_write"
            );
        }
        assert_eq!(w.frames_written(), expected.len() as u64, "{name}");
        assert_eq!(w.get_ref().0, expected, "{name}: one call per frame");
    }
    check(Plain::framer(), |id, text| Plain { id, text }, "crc32c");
    check(
        Padded::framer(),
        |id, text| Padded { id, text },
        "crc16, align = 8",
    );
    assert!(Padded::framer().padding_len(5) > 0, "the padded framing pads");
}

/// A `Vec<u8>` or `&mut Vec<u8>` sink is appended to directly rather than
/// through `Write` (`io/vec_sink.rs`): it gets the bytes any other sink
/// gets, frame by frame, growing from no capacity and after bytes it held
/// before, and the writer counts them alike.
#[test]
fn a_vec_sink_gets_what_any_other_writer_gets() {
    fn check<F: Framer + Copy, T: StreamSerialize>(framer: F, make: impl Fn(u32, String) -> T, name: &str) {
        let held = b"held before".to_vec();
        let mut other = StreamWriter::new(Calls::default(), framer);
        let mut owned = StreamWriter::new(Vec::new(), framer);
        let mut target = held.clone();
        target.shrink_to_fit();
        let mut borrowed = StreamWriter::new(&mut target, framer);
        let mut helper = held.clone();
        for n in [0u32, 1, 5, 8, 13, 100, 1000, 3000] {
            let text = "t".repeat(n as usize);
            let raw = pseudo_random_bytes(n.into(), n as usize + 4);
            let message = make(n, text.clone());
            other.write(&message).unwrap();
            other.write(&RawPayload(&raw)).unwrap();
            other.write(text.as_str()).unwrap();
            owned.write(&message).unwrap();
            owned.write(&RawPayload(&raw)).unwrap();
            owned.write(text.as_str()).unwrap();
            borrowed.write(&message).unwrap();
            borrowed.write(&RawPayload(&raw)).unwrap();
            borrowed.write(text.as_str()).unwrap();
            framer.frame_and_write(&mut helper, &raw).unwrap();
        }
        let expected: Vec<u8> = other.get_ref().0.concat();
        assert_eq!(owned.get_ref(), &expected, "{name}: Vec");
        assert_eq!(
            (owned.position(), owned.frames_written()),
            (other.position(), other.frames_written()),
            "{name}"
        );
        assert_eq!(
            (borrowed.position(), borrowed.frames_written()),
            (other.position(), other.frames_written()),
            "{name}"
        );
        drop(borrowed);
        assert_eq!(
            target[..held.len()],
            held[..],
            "{name}: &mut Vec keeps what it held"
        );
        assert_eq!(target[held.len()..], expected[..], "{name}: &mut Vec");
        let raw_frames: Vec<u8> = other
            .get_ref()
            .0
            .iter()
            .skip(1)
            .step_by(3)
            .flatten()
            .copied()
            .collect();
        assert_eq!(helper[held.len()..], raw_frames[..], "{name}: frame_and_write");
    }
    check(Plain::framer(), |id, text| Plain { id, text }, "crc32c");
    check(
        Padded::framer(),
        |id, text| Padded { id, text },
        "crc16, align = 8",
    );
}

/// `Encoder::append_frame` writes the bytes a `StreamWriter` writes, for
/// every built-in framing, raw payloads and built messages alike, and a
/// payload the framing cannot carry leaves the buffer as it was.
#[test]
fn append_frame_writes_what_the_writer_writes() {
    fn check<F: Framer + Copy, D: Deframer>(framer: F, _deframer: D, name: &str) {
        let payloads: Vec<Vec<u8>> = sizes()
            .into_iter()
            .filter(|&n| n <= 1 << 16)
            .map(|n| pseudo_random_bytes(n as u64, n))
            .collect();
        let texts = ["", "a", "celsius", "a longer text, of more than one word"];
        let mut w = StreamWriter::new(Vec::new(), framer);
        let mut encoder = Encoder::new();
        let mut out = vec![0xAB; 3]; // appended after what is there
        for p in &payloads {
            w.write(&RawPayload(p)).unwrap();
            let len = encoder.append_frame(&framer, &RawPayload(p), &mut out).unwrap();
            assert_eq!(out.len() - 3, w.get_ref().len(), "{name}");
            assert!(len > p.len() || p.is_empty() && len > 0, "{name}");
        }
        for t in texts {
            w.write(t).unwrap();
            encoder.append_frame(&framer, t, &mut out).unwrap();
        }
        assert_eq!(&out[..3], &[0xAB; 3]);
        assert_eq!(&out[3..], &w.get_ref()[..], "{name}");
    }
    for_each_framing!(check);

    // Derived messages (the generated table writer), and a packing
    // framer (each message compressed alone).
    #[derive(StreamSerialize, StreamDeserialize, Clone)]
    #[frame(len = u32, checksum = crc32c)]
    struct Reading {
        timestamp: u64,
        unit: String,
        values: Vec<f32>,
    }
    let readings: Vec<Reading> = (0..50)
        .map(|i| Reading {
            timestamp: 1_700_000_000 + i,
            unit: "x".repeat(i as usize % 9),
            values: (0..i % 5).map(|v| v as f32).collect(),
        })
        .collect();
    fn both<F: Framer + Copy>(framer: F, readings: &[Reading]) -> (Vec<u8>, Vec<u8>) {
        let mut w = StreamWriter::new(Vec::new(), framer);
        let (mut encoder, mut out) = (Encoder::new(), Vec::new());
        for r in readings {
            w.write(r).unwrap();
            encoder.append_frame(&framer, r, &mut out).unwrap();
        }
        (w.into_inner(), out)
    }
    let (written, appended) = both(Reading::framer(), &readings);
    assert_eq!(written, appended, "derived");
    let (written, appended) = both(CompressedFramer::new(DefaultFramer, compress::Lz4), &readings);
    assert_eq!(written, appended, "compressed");

    // Too large for the framing: an error, and nothing appended.
    #[derive(StreamSerialize, StreamDeserialize)]
    #[frame(len = u32, checksum = crc32c, max_len = 16)]
    struct Tiny {
        _x: u64,
    }
    let small = Tiny::framer();
    let mut out = b"kept".to_vec();
    let e = Encoder::new()
        .append_frame(&small, &RawPayload(&[1; 17]), &mut out)
        .unwrap_err();
    assert!(matches!(e, Error::FrameTooLarge { max: 16, .. }), "{e}");
    assert_eq!(out, b"kept");
}
