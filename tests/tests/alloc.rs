//! Memory behaviour, measured with a counting global allocator (this test
//! binary only). Counts are per thread, so parallel tests do not mix.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use flatbuffers::FlatBufferBuilder;
use flatstream::*;

mod common;
use common::Chunked;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    // `try_with`: the allocator may run while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping only touches thread-local counters that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded with the caller's own layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded with the caller's own layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: forwarded with the caller's own pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's own pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, largest single allocation) made by `f` on this thread.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    ALLOCATIONS.with(|c| c.set(0));
    LARGEST.with(|c| c.set(0));
    let out = f();
    (out, ALLOCATIONS.with(Cell::get), LARGEST.with(Cell::get))
}

/// A telemetry-like message built with the FlatBuffers builder.
struct Telemetry {
    timestamp: u64,
    value: f64,
    unit: &'static str,
}

impl StreamSerialize for Telemetry {
    fn serialize(&self, b: &mut FlatBufferBuilder) -> Result<()> {
        let unit = b.create_string(self.unit);
        let table = b.start_table();
        b.push_slot_always(4, self.timestamp);
        b.push_slot_always(6, self.value);
        b.push_slot_always(8, unit);
        let root = b.end_table(table);
        b.finish(root, None);
        Ok(())
    }
}

#[test]
fn a_four_gib_header_allocates_nothing_for_its_payload() {
    let mut bytes = vec![0xFF, 0xFF, 0xFF, 0xFF];
    bytes.extend_from_slice(&[0u8; 32]);
    let (result, _, largest) = measure(|| {
        let mut r = StreamReader::new(&bytes[..], DefaultDeframer::new());
        r.read_message().map(|p| p.map(<[u8]>::len))
    });
    assert!(
        matches!(result, Err(Error::FrameTooLarge { len: 0xFFFF_FFFF, .. })),
        "{result:?}"
    );
    assert!(largest <= 64 * 1024, "largest allocation {largest} bytes");
    let (_, allocations, _) = measure(|| {
        let _ = SliceReader::new(&bytes, DefaultDeframer::new()).read_message();
        let _ = DefaultDeframer::new().read_and_deframe(&mut &bytes[..], &mut Vec::new());
    });
    assert_eq!(allocations, 0);
}

#[test]
fn a_15_mib_claim_with_10_bytes_never_holds_megabytes() {
    let mut bytes = (15u32 << 20).to_le_bytes().to_vec();
    bytes.extend_from_slice(&[1u8; 10]);
    for chunk in [1, 4096] {
        let (result, _, largest) = measure(|| {
            StreamReader::new(Chunked { data: &bytes, chunk }, DefaultDeframer::new())
                .read_message()
                .map(|p| p.map(<[u8]>::len))
        });
        assert!(
            matches!(
                result,
                Err(Error::UnexpectedEof {
                    offset: 0,
                    available: 14,
                    ..
                })
            ),
            "{result:?}"
        );
        assert!(
            largest < 1 << 20,
            "largest allocation {largest} bytes (chunk {chunk})"
        );
    }
    // The original design's per-frame API follows arriving bytes too.
    let (result, _, largest) =
        measure(|| DefaultDeframer::new().read_and_deframe(&mut &bytes[..], &mut Vec::new()));
    assert!(matches!(result, Err(Error::UnexpectedEof { .. })), "{result:?}");
    assert!(largest < 1 << 20, "largest allocation {largest} bytes");
}

#[test]
fn writing_allocates_nothing_once_warm() {
    let msg = Telemetry {
        timestamp: 1,
        value: 2.5,
        unit: "celsius",
    };
    let mut w = StreamWriter::new(std::io::sink(), ChecksumFramer::new(Crc32c::new()));
    let batch: Vec<Telemetry> = (0..64)
        .map(|i| Telemetry {
            timestamp: i,
            value: 0.5,
            unit: "C",
        })
        .collect();
    for _ in 0..10 {
        w.write(&msg).unwrap();
        w.write_batch(&batch).unwrap();
    }
    let (_, allocations, _) = measure(|| {
        for _ in 0..1000 {
            w.write(&msg).unwrap();
        }
        for _ in 0..100 {
            w.write_batch(&batch).unwrap();
        }
    });
    assert_eq!(allocations, 0, "allocations in 1000 writes and 100 batches");
    assert_eq!(w.frames_written(), 10 * 65 + 1000 + 100 * 64);
}

#[test]
fn read_message_allocates_nothing_once_warm() {
    let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
    for i in 0..20_000u64 {
        w.write(&Telemetry {
            timestamp: i,
            value: 1.0,
            unit: "kPa",
        })
        .unwrap();
    }
    let bytes = w.into_inner();
    let mut r = StreamReader::new(
        Chunked {
            data: &bytes,
            chunk: 1000,
        },
        ChecksumDeframer::new(Crc32c::new()),
    );
    for _ in 0..100 {
        r.read_message().unwrap().unwrap();
    }
    let (count, allocations, _) = measure(|| {
        let mut n = 0;
        while let Some(p) = r.read_message().unwrap() {
            n += p.len();
        }
        n
    });
    assert!(count > 0);
    assert_eq!(allocations, 0);
    let (_, allocations, _) = measure(|| {
        let mut s = SliceReader::new(&bytes, ChecksumDeframer::new(Crc32c::new()));
        while s.read_message().unwrap().is_some() {}
    });
    assert_eq!(allocations, 0);
}

#[derive(StreamSerialize, StreamDeserialize)]
#[frame(len = u32, checksum = crc32c)]
struct Reading {
    timestamp: u64,
    value: f64,
    unit: String,
    tags: Vec<String>,
    samples: Vec<f32>,
}

/// The derived paths: in-place writes, batches, the codec's encoder and
/// verified typed reads.
#[test]
fn derived_messages_allocate_nothing_once_warm() {
    use tokio_util::codec::Encoder as _;
    let readings: Vec<Reading> = (0..64u64)
        .map(|i| Reading {
            timestamp: i,
            value: i as f64 / 3.0,
            unit: "C".into(),
            tags: vec!["a".into(), "bb".into()],
            samples: vec![0.5; (i % 5) as usize],
        })
        .collect();
    let mut w = StreamWriter::new(Vec::with_capacity(1 << 20), Reading::framer());
    // A buffered writer small enough to hand over several times a round.
    let mut buffered = StreamWriter::with_capacity(4096, Vec::with_capacity(1 << 20), Reading::framer());
    let mut codec = Reading::codec();
    let mut dst = tokio_util::bytes::BytesMut::with_capacity(1 << 20);
    let mut round = |w: &mut StreamWriter<Vec<u8>, _>, buffered: &mut StreamWriter<Vec<u8>, _>| {
        w.get_mut().clear();
        buffered.get_mut().clear();
        dst.clear();
        for r in &readings {
            w.write(r).unwrap();
            buffered.write(r).unwrap();
            codec.encode(r, &mut dst).unwrap();
        }
        w.write_batch(&readings).unwrap();
        buffered.write_batch(&readings).unwrap();
        buffered.flush().unwrap();
    };
    round(&mut w, &mut buffered);
    let (_, allocations, _) = measure(|| {
        for _ in 0..100 {
            round(&mut w, &mut buffered);
        }
    });
    assert_eq!(allocations, 0, "allocations in 100 rounds of derived writes");
    assert_eq!(buffered.get_ref(), w.get_ref());

    let bytes = w.into_inner();
    // The reader's buffer is allocated once, by the first read.
    let mut r = StreamReader::new(&bytes[..], Reading::deframer());
    r.read_view::<Reading>().unwrap().unwrap();
    let (sum, allocations, _) = measure(|| {
        let mut sum = 0.0;
        while let Some(reading) = r.read_view::<Reading>().unwrap() {
            sum += reading.value() + reading.samples().iter().sum::<f32>() as f64;
        }
        sum
    });
    assert!(sum > 0.0);
    assert_eq!(allocations, 0, "allocations in verified typed reads");

    // Both decoders, fed the stream again and again in 8 KiB reads as
    // `FramedRead` would: the read buffer is reclaimed once the frames
    // handed out are dropped.
    use tokio_util::codec::Decoder as _;
    let mut unbatched = Reading::codec();
    let mut batched = Reading::codec().batched();
    let mut src = tokio_util::bytes::BytesMut::with_capacity(1 << 16);
    let mut batched_src = tokio_util::bytes::BytesMut::with_capacity(1 << 16);
    let mut decode_round = || {
        let (mut frames, mut batched_frames) = (0, 0);
        for chunk in bytes.chunks(8192) {
            src.extend_from_slice(chunk);
            batched_src.extend_from_slice(chunk);
            while let Some(frame) = unbatched.decode(&mut src).unwrap() {
                frames += usize::from(Reading::view(&frame).is_ok());
            }
            while let Some(batch) = batched.decode(&mut batched_src).unwrap() {
                batched_frames += batch.views::<Reading>().filter(Result::is_ok).count();
            }
        }
        (frames, batched_frames)
    };
    decode_round();
    let (counts, allocations, _) = measure(decode_round);
    assert_eq!(counts, (128, 128));
    assert_eq!(allocations, 0, "allocations in decoding");
}

/// Serde payloads in the binary formats: writing allocates nothing once the
/// writer's buffers have grown (the value is encoded straight into the
/// frame), plain or buffered. Reading allocates what the decoded value owns
/// (here one `String` per message), and for MessagePack one more: its
/// decoder reads strings through a buffer of its own, which the
/// trailing-bytes check needs (the borrowing decoder cannot say where the
/// value ended).
#[test]
fn binary_serde_payloads_allocate_nothing_of_their_own_once_warm() {
    use flatstream::formats::{MsgPackFormat, PostcardFormat};

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Reading {
        sensor: u32,
        value: f64,
        unit: String,
    }
    fn check<F: SerdeFormat>(extra_per_message: usize) {
        let readings: Vec<Reading> = (0..200)
            .map(|i| Reading {
                sensor: i,
                value: f64::from(i) / 4.0,
                unit: "C".into(),
            })
            .collect();
        for capacity in [None, Some(64 << 10)] {
            let mut w = match capacity {
                None => StreamWriter::new(Vec::with_capacity(1 << 20), ChecksumFramer::new(Crc32c::new())),
                Some(c) => StreamWriter::with_capacity(
                    c,
                    Vec::with_capacity(1 << 20),
                    ChecksumFramer::new(Crc32c::new()),
                ),
            };
            for r in &readings {
                w.write(&Serde::<F, _>::new(r)).unwrap();
            }
            w.flush().unwrap();
            w.get_mut().clear();
            let ((), allocations, _) = measure(|| {
                for r in &readings {
                    w.write(&Serde::<F, _>::new(r)).unwrap();
                }
                w.flush().unwrap();
            });
            assert_eq!(
                allocations,
                0,
                "{} writing, buffered: {}",
                F::NAME,
                capacity.is_some()
            );
        }
        let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
        for r in &readings {
            w.write(&Serde::<F, _>::new(r)).unwrap();
        }
        let bytes = w.into_inner();
        let mut r = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc32c::new()));
        let first = r.read::<Serde<F, Reading>>().unwrap().unwrap();
        assert_eq!(first.0, readings[0]);
        let (read, allocations, _) = measure(|| {
            let mut n = 0;
            while let Some(v) = r.read::<Serde<F, Reading>>().unwrap() {
                n += usize::from(v.0.unit == "C");
            }
            n
        });
        assert_eq!(read, readings.len() - 1);
        assert_eq!(allocations, read * (1 + extra_per_message), "{} reading", F::NAME);
    }
    check::<PostcardFormat>(0);
    check::<MsgPackFormat>(1);
}

/// Block compression in steady state: once the block, packing and
/// unpacking buffers have grown, writing and reading allocate nothing per
/// message (nor per block), with either codec.
#[test]
fn block_compression_allocates_nothing_once_warm() {
    use flatstream::compress::{CompressedDeframer, CompressedFramer, Lz4, Zstd};
    let msg = Telemetry {
        timestamp: 1,
        value: 2.5,
        unit: "celsius",
    };
    fn steady<F: Framer, D: Deframer>(framer: F, deframer: D, msg: &Telemetry) {
        let mut w = StreamWriter::new(Vec::with_capacity(1 << 22), framer);
        // Warm: a few blocks.
        for _ in 0..3000 {
            w.write(msg).unwrap();
        }
        w.flush().unwrap();
        let (_, allocations, _) = measure(|| {
            for _ in 0..20_000 {
                w.write(msg).unwrap();
            }
            w.flush().unwrap();
        });
        assert_eq!(allocations, 0, "writing");
        let bytes = w.into_inner();
        let mut r = StreamReader::new(&bytes[..], deframer);
        for _ in 0..3000 {
            r.read_message().unwrap().unwrap();
        }
        let (count, allocations, _) = measure(|| {
            let mut n = 0;
            while r.read_message().unwrap().is_some() {
                n += 1;
            }
            n
        });
        assert_eq!(count, 20_000);
        assert_eq!(allocations, 0, "reading");
    }
    steady(
        CompressedFramer::blocks(DefaultFramer, Lz4, 16 * 1024),
        CompressedDeframer::new(DefaultDeframer::new(), Lz4),
        &msg,
    );
    steady(
        CompressedFramer::blocks(DefaultFramer, Zstd::new(), 16 * 1024),
        CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()),
        &msg,
    );
}

/// Packing blocks on a second thread: the writer's thread allocates
/// nothing per message or per block once warm (the buffers go to the
/// thread and come back). The count is per thread: the packing thread's
/// codec keeps its own reused buffers. The 20,000 messages fill about 70
/// blocks; a few allocations are allowed, once: the standard channel
/// allocates its list of waiting threads the first time the writer has to
/// wait for the packing thread, and whether that happens before the
/// measurement depends on timing (this test failed 3 runs in 40 when it
/// required none).
#[test]
fn background_packing_allocates_nothing_once_warm() {
    use flatstream::compress::{CompressedFramer, Lz4};
    let msg = Telemetry {
        timestamp: 1,
        value: 2.5,
        unit: "celsius",
    };
    let mut w = StreamWriter::new(
        Vec::with_capacity(1 << 22),
        CompressedFramer::blocks(DefaultFramer, Lz4, 16 * 1024),
    )
    .with_background_packing()
    .unwrap();
    for _ in 0..3000 {
        w.write(&msg).unwrap();
    }
    w.flush().unwrap();
    let (_, allocations, _) = measure(|| {
        for _ in 0..20_000 {
            w.write(&msg).unwrap();
        }
        w.flush().unwrap();
    });
    assert!(
        allocations <= 4,
        "{allocations} allocations: one per block or more"
    );
    let bytes = w.into_inner();
    let r = StreamReader::new(
        &bytes[..],
        flatstream::compress::CompressedDeframer::new(DefaultDeframer::new(), Lz4),
    );
    assert_eq!(r.count(), 23_000);
}

/// A packing framer's `encode_frame` packs straight into the caller's
/// buffer: nothing allocated per frame once warm.
#[test]
fn packing_encode_frame_allocates_nothing_once_warm() {
    use flatstream::compress::{CompressedFramer, Lz4};
    use flatstream::encrypt::{ChaCha20Poly1305, EncryptedFramer, EncryptionKey};
    let payload = [5u8; 300];
    fn steady<F: Framer>(framer: F, payload: &[u8], what: &str) {
        let mut out = Vec::with_capacity(1 << 20);
        for _ in 0..10 {
            framer.encode_frame(payload, &mut out).unwrap();
        }
        let (_, allocations, _) = measure(|| {
            for _ in 0..1000 {
                framer.encode_frame(payload, &mut out).unwrap();
            }
        });
        assert_eq!(allocations, 0, "{what}");
    }
    let key = EncryptionKey::from_bytes([3; 32]);
    steady(CompressedFramer::new(DefaultFramer, Lz4), &payload, "compressed");
    steady(
        EncryptedFramer::new(DefaultFramer, ChaCha20Poly1305::new(&key)).unwrap(),
        &payload,
        "encrypted",
    );
    steady(
        EncryptedFramer::new(
            CompressedFramer::new(DefaultFramer, Lz4),
            ChaCha20Poly1305::new(&key),
        )
        .unwrap(),
        &payload,
        "compressed, then encrypted",
    );
}

/// A 1 KiB compressed frame that claims 4 GiB, or inflates to megabytes,
/// costs at most the reader's limit.
#[test]
fn a_compression_bomb_costs_at_most_the_limit() {
    use flatstream::compress::{CompressedDeframer, Compressor, Lz4};
    let zeros = vec![0u8; 8 << 20];
    let mut body = Vec::new();
    Lz4.compress(&zeros, &mut body).unwrap();
    for declared in [u32::MAX, 8 << 20, 1000] {
        let mut packed = b"FZ\x01\x01\x00".to_vec();
        let mut n = declared;
        while n >= 0x80 {
            packed.push(n as u8 | 0x80);
            n >>= 7;
        }
        packed.push(n as u8);
        packed.extend_from_slice(&body);
        let mut bytes = (packed.len() as u32).to_le_bytes().to_vec();
        bytes.extend_from_slice(&packed);
        let deframer = CompressedDeframer::new(DefaultDeframer::new(), Lz4).with_max_unpacked_len(64 * 1024);
        let (result, _, largest) = measure(|| {
            StreamReader::new(&bytes[..], deframer)
                .read_message()
                .map(|p| p.map(<[u8]>::len))
        });
        assert!(
            matches!(result, Err(Error::InvalidFrame { offset: 0, .. })),
            "{declared}: {result:?}"
        );
        // The read buffer holds the compressed frame (about 32 KiB);
        // nothing near the 8 MiB it inflates to.
        assert!(
            largest <= 128 * 1024,
            "{declared}: largest allocation {largest} bytes"
        );
    }
}
