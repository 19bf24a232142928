//! Recovery policies: torn tails, resynchronisation after damage, and the
//! write side's accounting when the inner writer fails.

use std::io::{self, Write};

use flatstream::prelude::*;
use flatstream::{RecoveryMode, TornTail};

mod common;
use common::{pseudo_random_bytes, Chunked};

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, covers = frame)]
pub struct Protected {
    pub seq: u64,
    pub text: String,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u16, checksum = crc16, magic = b"\xF5")]
pub struct WithMagic {
    pub seq: u64,
    pub text: String,
}

fn protected(n: u64) -> Vec<Protected> {
    (0..n)
        .map(|seq| Protected {
            seq,
            text: "x".repeat((seq % 23) as usize),
        })
        .collect()
}

fn write<T: StreamSerialize + Framed>(items: &[T]) -> (Vec<u8>, Vec<usize>) {
    let mut w = StreamWriter::new(Vec::new(), T::framer());
    let mut starts = Vec::new();
    for item in items {
        starts.push(w.position() as usize);
        w.write(item).unwrap();
    }
    (w.into_inner(), starts)
}

#[test]
fn torn_tail_at_every_cut_of_the_last_frame() {
    let items = protected(20);
    let (bytes, starts) = write(&items);
    let last = *starts.last().unwrap();
    for cut in last..bytes.len() {
        for chunk in [1, 7, 4096] {
            let mut r = StreamReader::new(
                Chunked {
                    data: &bytes[..cut],
                    chunk,
                },
                Protected::deframer(),
            )
            .with_recovery(Recovery::TolerateTornTail)
            .unwrap();
            let mut got = Vec::new();
            while let Some(p) = r.read::<Protected>().unwrap() {
                got.push(p);
            }
            assert_eq!(got, items[..19], "cut {cut}");
            let expected = (cut > last).then_some(TornTail {
                offset: last as u64,
                len: (cut - last) as u64,
            });
            assert_eq!(r.torn_tail(), expected, "cut {cut}");
            // Ended cleanly, and stays ended.
            assert!(r.read_message().unwrap().is_none());

            let codec = FrameCodec::new(DefaultFramer, Protected::deframer())
                .with_recovery(Recovery::TolerateTornTail)
                .unwrap();
            let (frames, error, codec) = common::drive_decoder(codec, &bytes[..cut], chunk);
            assert!(error.is_none(), "cut {cut}: {error:?}");
            assert_eq!(frames.len(), 19, "cut {cut}");
            assert_eq!(codec.torn_tail(), expected, "FrameCodec, cut {cut}");
        }
        let mut r = SliceReader::new(&bytes[..cut], Protected::deframer())
            .with_recovery(Recovery::TolerateTornTail)
            .unwrap();
        let got: Vec<Protected> = std::iter::from_fn(|| r.read::<Protected>().unwrap()).collect();
        assert_eq!(got, items[..19], "SliceReader, cut {cut}");
        let expected = (cut > last).then_some(TornTail {
            offset: last as u64,
            len: (cut - last) as u64,
        });
        assert_eq!(r.torn_tail(), expected, "SliceReader, cut {cut}");
    }
    // The same cut under Strict is an error.
    let mut r = StreamReader::new(&bytes[..bytes.len() - 1], Protected::deframer());
    for _ in 0..19 {
        r.read_message().unwrap().unwrap();
    }
    assert!(matches!(r.read_message(), Err(Error::UnexpectedEof { .. })));
}

#[test]
fn a_corrupt_length_is_never_taken_for_a_torn_tail() {
    // Frame 1 of 2 with a length bit flipped so it points past the end: the
    // second frame still validates, so this is damage, not a torn write.
    #[derive(StreamSerialize)]
    #[frame(len = u32, checksum = crc32c)]
    struct Plain {}
    let payloads = [pseudo_random_bytes(1, 40), pseudo_random_bytes(2, 40)];
    for framer_kind in 0..2 {
        let (bytes, deframer): (Vec<u8>, Box<ReadAll>) = if framer_kind == 0 {
            let mut w = StreamWriter::new(Vec::new(), Plain::framer());
            for p in &payloads {
                w.write(&RawPayload(p)).unwrap();
            }
            (
                w.into_inner(),
                Box::new(|b: &[u8]| read_all_torn(b, Plain::deframer())),
            )
        } else {
            let mut w = StreamWriter::new(Vec::new(), Protected::framer());
            for p in &payloads {
                w.write(&RawPayload(p)).unwrap();
            }
            (
                w.into_inner(),
                Box::new(|b: &[u8]| read_all_torn(b, Protected::deframer())),
            )
        };
        for bit in [6, 7, 8, 12] {
            let mut damaged = bytes.clone();
            damaged[bit / 8] ^= 1 << (bit % 8);
            let result = deframer(&damaged);
            assert!(
                result.is_err(),
                "framing {framer_kind} bit {bit}: damage taken for a torn tail"
            );
        }
    }
}

/// Reads a whole stream under `TolerateTornTail`.
type ReadAll = dyn Fn(&[u8]) -> Result<(), Error>;

fn read_all_torn<D: Deframer>(bytes: &[u8], d: D) -> Result<(), Error> {
    let mut r = StreamReader::new(bytes, d).with_recovery(Recovery::TolerateTornTail)?;
    while r.read_message()?.is_some() {}
    Ok(())
}

#[test]
fn skip_corrupt_needs_a_header_that_validates() {
    // Runtime framer without a protected header: refused when constructed.
    let r =
        StreamReader::new(&[][..], ChecksumDeframer::new(Crc32c::new())).with_recovery(Recovery::SkipCorrupt);
    assert!(matches!(r, Err(Error::InvalidConfig { .. })));
    let r = StreamReader::new(
        &[][..],
        ChecksumDeframer::new(Crc32c::new()).with_protected_header(),
    )
    .with_recovery(Recovery::SkipCorrupt)
    .unwrap();
    assert_eq!(r.recovery(), RecoveryMode::SkipCorrupt);
}

/// Reads everything under SkipCorrupt; returns the frames and the skipped
/// regions as (offset, len). Every reader is driven (the sync reader at
/// `chunk` bytes per read, `SliceReader`, both codecs fed `chunk` bytes at
/// a time), and all must agree.
fn skip_read<T>(bytes: &[u8], chunk: usize) -> (Vec<T>, Vec<(u64, u64)>)
where
    T: StreamDeserialize + Framed + PartialEq + std::fmt::Debug,
    T::Deframer: Deframer + Clone,
    flatstream::recovery::SkipCorrupt: flatstream::recovery::RecoveryPolicy<T::Deframer>,
{
    let regions = |r: Vec<flatstream::SkippedRegion>| -> Vec<(u64, u64)> {
        r.into_iter().map(|s| (s.offset, s.len)).collect()
    };
    let mut r = StreamReader::new(Chunked { data: bytes, chunk }, T::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let mut got = Vec::new();
    while let Some(t) = r.read::<T>().unwrap() {
        got.push(t);
    }
    let skipped = regions(r.take_skipped());

    let mut r = SliceReader::new(bytes, T::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let slice_got: Vec<T> = std::iter::from_fn(|| r.read::<T>().unwrap()).collect();
    assert_eq!(
        (&slice_got, regions(r.take_skipped())),
        (&got, skipped.clone()),
        "SliceReader, chunk {chunk}"
    );

    let decode = |p: &[u8]| <T as flatstream::FromPayload>::from_payload(p, None).unwrap();
    let codec = FrameCodec::new(DefaultFramer, T::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let (frames, error, mut codec) = common::drive_decoder(codec, bytes, chunk);
    assert!(error.is_none(), "{error:?}");
    let codec_got: Vec<T> = frames.iter().map(|p| decode(p)).collect();
    assert_eq!(
        (&codec_got, regions(codec.take_skipped())),
        (&got, skipped.clone()),
        "FrameCodec, chunk {chunk}"
    );

    let codec = FrameCodec::new(DefaultFramer, T::deframer())
        .batched()
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let (batches, error, mut codec) = common::drive_decoder(codec, bytes, chunk);
    assert!(error.is_none(), "{error:?}");
    let batch_got: Vec<T> = batches
        .iter()
        .flat_map(|b| b.payloads().map(decode).collect::<Vec<_>>())
        .collect();
    assert_eq!(
        (&batch_got, regions(codec.take_skipped())),
        (&got, skipped.clone()),
        "BatchCodec, chunk {chunk}"
    );
    (got, skipped)
}

#[test]
fn skip_corrupt_recovers_every_untouched_frame() {
    let items = protected(200);
    let (bytes, starts) = write(&items);
    let frame_end = |k: usize| starts.get(k + 1).copied().unwrap_or(bytes.len());
    // A burst of garbage over parts of frames 50..52, a flipped byte in the
    // header of frame 100, a dropped byte in frame 150.
    let mut damaged = bytes.clone();
    for b in &mut damaged[starts[50] + 3..starts[52] + 5] {
        *b ^= 0x5A;
    }
    damaged[starts[100] + 1] ^= 0x10;
    damaged.remove(starts[150] + 12);
    for chunk in [1, 13, 1 << 16] {
        let (got, skipped) = skip_read::<Protected>(&damaged, chunk);
        let lost = [50, 51, 52, 100, 150];
        let expected: Vec<Protected> = items
            .iter()
            .enumerate()
            .filter(|(k, _)| !lost.contains(k))
            .map(|(_, t)| t.clone())
            .collect();
        assert_eq!(got, expected, "chunk {chunk}");
        // The skipped regions are exactly the damaged frames.
        assert_eq!(
            skipped,
            [
                (starts[50] as u64, (frame_end(52) - starts[50]) as u64),
                (starts[100] as u64, (frame_end(100) - starts[100]) as u64),
                (starts[150] as u64, (frame_end(150) - starts[150] - 1) as u64),
            ],
            "chunk {chunk}"
        );
    }
}

#[test]
fn skip_corrupt_with_a_magic_and_inserted_garbage() {
    let items: Vec<WithMagic> = (0..100)
        .map(|seq| WithMagic {
            seq,
            text: format!("{seq}"),
        })
        .collect();
    let (bytes, starts) = write(&items);
    let mut damaged = bytes[..starts[10]].to_vec();
    damaged.extend(pseudo_random_bytes(9, 1000));
    damaged.extend_from_slice(&bytes[starts[10]..]);
    let (got, skipped) = skip_read::<WithMagic>(&damaged, 64);
    assert_eq!(got, items);
    assert_eq!(skipped, [(starts[10] as u64, 1000)]);
}

#[test]
fn skip_corrupt_over_random_bytes_makes_progress() {
    let noise = pseudo_random_bytes(77, 1 << 20);
    let (got, skipped) = skip_read::<Protected>(&noise, 1 << 16);
    assert!(got.is_empty());
    assert_eq!(skipped, [(0, 1 << 20)]);
}

#[test]
fn skip_corrupt_skips_verifier_rejections_in_typed_reads() {
    let mut w = StreamWriter::new(Vec::new(), Protected::framer());
    w.write(&Protected {
        seq: 1,
        text: "a".into(),
    })
    .unwrap();
    let bad_at = w.position();
    w.write(&RawPayload(&[0xFF; 16])).unwrap(); // checksummed, but not a Protected table
    w.write(&Protected {
        seq: 2,
        text: "b".into(),
    })
    .unwrap();
    let bytes = w.into_inner();
    let mut r = StreamReader::new(&bytes[..], Protected::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let seqs: Vec<u64> =
        std::iter::from_fn(|| r.read_view::<Protected>().unwrap().map(|v| v.seq())).collect();
    assert_eq!(seqs, [1, 2]);
    let skipped = r.take_skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].offset, bad_at);
    assert!(
        matches!(skipped[0].reason, Error::InvalidFlatBuffer { .. }),
        "{:?}",
        skipped[0].reason
    );
    assert!(r.take_skipped().is_empty(), "drained");
    let bad_len = skipped[0].len;

    // SliceReader and the typed codec skip the same frame, at the same
    // offset, for the same reason.
    let mut r = SliceReader::new(&bytes, Protected::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let seqs: Vec<u64> = std::iter::from_fn(|| r.read::<Protected>().unwrap().map(|p| p.seq)).collect();
    assert_eq!(seqs, [1, 2]);
    let skipped = r.take_skipped();
    assert_eq!(
        (skipped.len(), skipped[0].offset, skipped[0].len),
        (1, bad_at, bad_len)
    );
    for chunk in [1, 7, 4096] {
        let codec = Protected::codec()
            .with_recovery(Recovery::SkipCorrupt)
            .unwrap()
            .typed::<Protected>();
        let (items, error, mut codec) = common::drive_decoder(codec, &bytes, chunk);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(
            items.iter().map(|p| p.seq).collect::<Vec<_>>(),
            [1, 2],
            "chunk {chunk}"
        );
        let skipped = codec.take_skipped();
        assert_eq!(skipped.len(), 1, "chunk {chunk}");
        assert_eq!(
            (skipped[0].offset, skipped[0].len),
            (bad_at, bad_len),
            "chunk {chunk}"
        );
        assert!(matches!(skipped[0].reason, Error::InvalidFlatBuffer { .. }));
    }
    // Strict: the error, at the frame's offset.
    let codec = Protected::codec().typed::<Protected>();
    let (items, error, _) = common::drive_decoder(codec, &bytes, 4096);
    assert_eq!(items.len(), 1);
    assert_eq!(error.and_then(|e| e.offset()), Some(bad_at));
}

/// A writer that accepts `budget` bytes, then fails.
struct FailAfter {
    out: Vec<u8>,
    budget: usize,
}

impl Write for FailAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::other("disk full"));
        }
        let n = buf.len().min(self.budget).min(7); // odd partial writes too
        self.out.extend_from_slice(&buf[..n]);
        self.budget -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_at_every_byte_keeps_an_exact_count() {
    let items = protected(100);
    let (full, starts) = write(&items);
    for budget in 0..=full.len() {
        // Unbuffered, then buffered with a buffer of about three frames.
        for (batched, capacity) in [(false, 0), (true, 0), (false, 150), (true, 150)] {
            let inner = FailAfter {
                out: Vec::new(),
                budget,
            };
            let mut w = match capacity {
                0 => StreamWriter::new(inner, Protected::framer()),
                _ => StreamWriter::with_capacity(capacity, inner, Protected::framer()),
            };
            let result = if batched {
                w.write_batch(&items)
            } else {
                items.iter().try_for_each(|item| w.write(item))
            }
            .and_then(|()| w.flush());
            assert_eq!(result.is_err(), budget < full.len(), "budget {budget}");
            let written = w.frames_written() as usize;
            let complete = starts
                .iter()
                .skip(1)
                .chain([&full.len()])
                .take_while(|&&end| end <= budget)
                .count();
            assert_eq!(
                written, complete,
                "budget {budget} batched {batched} capacity {capacity}"
            );
            assert_eq!(w.position() as usize, budget.min(full.len()));
            let out = w.into_inner().out;
            let mut r = StreamReader::new(&out[..], Protected::deframer())
                .with_recovery(Recovery::TolerateTornTail)
                .unwrap();
            let mut back = Vec::new();
            while let Some(t) = r.read::<Protected>().unwrap() {
                back.push(t);
            }
            assert_eq!(back, items[..written], "budget {budget} batched {batched}");
        }
    }
}

#[test]
fn sync_reaches_the_file() {
    let path = std::env::temp_dir().join(format!("flatstream-sync-{}.bin", std::process::id()));
    let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut w = StreamWriter::new(file, Protected::framer());
    w.write(&Protected {
        seq: 1,
        text: "durable".into(),
    })
    .unwrap();
    w.sync().unwrap();
    // Synced bytes are in the file without dropping the writer.
    let on_disk = std::fs::read(&path).unwrap();
    assert_eq!(on_disk.len() as u64, w.position());
    drop(w);

    // A buffered writer hands its buffer over before syncing.
    let mut w = StreamWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&path).unwrap(),
        Protected::framer(),
    );
    w.write(&Protected {
        seq: 1,
        text: "durable".into(),
    })
    .unwrap();
    assert_eq!(std::fs::read(&path).unwrap().len(), 0, "still in the buffer");
    w.sync().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), on_disk);
    assert_eq!(w.frames_written(), 1);
    drop(w);
    std::fs::remove_file(&path).unwrap();
}
