//! Property tests: random payloads round trip; random and mutated bytes never
//! panic and never yield a frame that was not written.
//!
//! `PROPTEST_CASES=10000 cargo test --test properties` runs longer.

use flatstream::*;
use proptest::prelude::*;

mod common;
use common::Chunked;

fn payloads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..40)
}

fn write<F: Framer>(f: F, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut w = StreamWriter::new(Vec::new(), f);
    for p in payloads {
        w.write(&RawPayload(p)).unwrap();
    }
    w.into_inner()
}

/// Reads until the end or the first error; returns the frames and whether it
/// ended cleanly. Also checks that StreamReader and SliceReader agree.
fn read<D: Deframer + Copy>(d: D, bytes: &[u8], chunk: usize) -> (Vec<Vec<u8>>, bool) {
    let mut frames = Vec::new();
    let mut r = StreamReader::new(Chunked { data: bytes, chunk }, d);
    let clean = loop {
        match r.read_message() {
            Ok(Some(p)) => frames.push(p.to_vec()),
            Ok(None) => break true,
            Err(_) => break false,
        }
    };
    let slice: Vec<Result<&[u8]>> = SliceReader::new(bytes, d).collect();
    let slice_frames: Vec<Vec<u8>> = slice
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|p| p.to_vec()))
        .collect();
    assert_eq!(slice_frames, frames);
    assert_eq!(slice.last().is_none_or(|l| l.is_ok()), clean);
    (frames, clean)
}

proptest! {
    #[test]
    fn payloads_round_trip(p in payloads(), chunk in 1usize..5000) {
        let d = ChecksumDeframer::new(Crc32c::new());
        let (frames, clean) = read(d, &write(ChecksumFramer::new(Crc32c::new()), &p), chunk);
        prop_assert!(clean);
        prop_assert_eq!(&frames, &p);
        let (frames, clean) = read(DefaultDeframer::new(), &write(DefaultFramer, &p), chunk);
        prop_assert!(clean);
        prop_assert_eq!(frames, p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000), chunk in 1usize..64) {
        // Limits small enough that random lengths are often accepted.
        read(DefaultDeframer::new().with_max_frame_len(1000), &bytes, chunk);
        read(ChecksumDeframer::new(Crc16::new()).with_max_frame_len(1000), &bytes, chunk);
        read(ChecksumDeframer::new(Xxh3::new()), &bytes, chunk);
    }

    #[test]
    fn mutated_streams_return_only_written_frames(
        p in payloads(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let mut bytes = write(ChecksumFramer::new(Crc32c::new()), &p);
        for (at, value, kind) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] ^= value | 1,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, value),
            }
        }
        let (frames, _) = read(ChecksumDeframer::new(Crc32c::new()), &bytes, 7);
        // Each frame returned is one that was written, in order.
        let mut written = p.iter();
        for f in &frames {
            prop_assert!(written.any(|w| w == f), "frame not written: {:?}", f);
        }
    }
}
