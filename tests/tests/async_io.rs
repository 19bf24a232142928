//! The async reader, the async writer and the codec drive the same core as
//! the sync ones: the same bytes give the same frames and the same errors,
//! whatever the chunking; limits hold before any reservation; reading is
//! cancel-safe.

use std::path::Path;

use flatstream::prelude::*;
use flatstream::recovery::{RecoveryPolicy, SkipCorrupt};
use flatstream_tests::matrix::{self, Damage, Framing};
use futures::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio_util::bytes::BytesMut;
use tokio_util::codec::{Decoder, FramedRead};

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"T1")]
pub struct Telemetry {
    pub timestamp: u64,
    pub value: f64,
    pub unit: String,
}

/// Frames read and how reading ended (the error's text, or "end").
type Outcome = (Vec<Vec<u8>>, String);

fn sync_read<D: Deframer + Copy>(d: D, bytes: &[u8]) -> Outcome {
    let mut r = StreamReader::new(bytes, d);
    let mut frames = Vec::new();
    loop {
        match r.read_message() {
            Ok(Some(p)) => frames.push(p.to_vec()),
            Ok(None) => return (frames, "end".into()),
            Err(e) => return (frames, e.to_string()),
        }
    }
}

/// Feeds `bytes` through a duplex pipe `chunk` bytes at a time.
fn pipe(bytes: &[u8], chunk: usize) -> tokio::io::DuplexStream {
    let (mut tx, rx) = tokio::io::duplex(64);
    let bytes = bytes.to_vec();
    tokio::spawn(async move {
        for piece in bytes.chunks(chunk.max(1)) {
            if tx.write_all(piece).await.is_err() {
                return;
            }
        }
    });
    rx
}

async fn async_read<D: Deframer + Copy>(d: D, bytes: &[u8], chunk: usize) -> Outcome {
    let mut r = AsyncStreamReader::new(pipe(bytes, chunk), d);
    let mut frames = Vec::new();
    loop {
        match r.read_message().await {
            Ok(Some(p)) => frames.push(p.to_vec()),
            Ok(None) => return (frames, "end".into()),
            Err(e) => return (frames, e.to_string()),
        }
    }
}

async fn codec_read<D: Deframer + Copy>(d: D, bytes: &[u8], chunk: usize) -> Outcome {
    let mut frames_in = FramedRead::new(pipe(bytes, chunk), FrameCodec::new(DefaultFramer, d));
    let mut frames = Vec::new();
    while let Some(item) = frames_in.next().await {
        match item {
            Ok(p) => frames.push(p.to_vec()),
            Err(e) => return (frames, e.to_string()),
        }
    }
    (frames, "end".into())
}

/// Through the batch codec: every batch's payloads, in order; batches
/// start where the previous one ended.
async fn batch_codec_read<D: Deframer + Copy>(d: D, bytes: &[u8], chunk: usize) -> Outcome {
    let codec = FrameCodec::new(DefaultFramer, d).batched();
    let mut frames_in = FramedRead::new(pipe(bytes, chunk), codec);
    let (mut frames, mut next_at) = (Vec::new(), 0u64);
    while let Some(item) = frames_in.next().await {
        match item {
            Ok(batch) => {
                assert_eq!(batch.position(), next_at, "batches are contiguous");
                assert!(!batch.is_empty());
                next_at += batch.as_bytes().len() as u64;
                let before = frames.len();
                frames.extend(batch.payloads().map(<[u8]>::to_vec));
                assert_eq!(frames.len() - before, batch.len());
            }
            Err(e) => return (frames, e.to_string()),
        }
    }
    assert_eq!(frames_in.decoder().position(), next_at);
    (frames, "end".into())
}

/// The reliability corpus: the fuzz regression inputs, every kind of damage
/// of the matrix applied to a short stream of each framing, and cuts.
fn corpus(framing: Framing) -> Vec<Vec<u8>> {
    let mut rng = matrix::Rng::new(5);
    let payloads = matrix::payloads(40, &mut rng);
    let (clean, spans) = matrix::write(framing, &payloads);
    let mut streams = vec![clean.clone(), Vec::new(), clean[..clean.len() / 2].to_vec()];
    for (i, damage) in Damage::ALL.into_iter().enumerate() {
        for seed in 0..2 {
            let mut rng = matrix::Rng::new((i * 10 + seed) as u64 + 1);
            let mut bytes = clean.clone();
            matrix::apply(damage, &mut bytes, &spans, &mut rng);
            streams.push(bytes);
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-corpus/reader");
    for entry in std::fs::read_dir(dir).unwrap() {
        streams.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    streams
}

async fn differential<D: Deframer + Copy + Send + 'static>(framing: Framing, d: D) {
    let (mut with_frames, mut with_errors) = (0, 0);
    for (i, bytes) in corpus(framing).iter().enumerate() {
        let expected = sync_read(d, bytes);
        with_frames += usize::from(!expected.0.is_empty());
        with_errors += usize::from(expected.1 != "end");
        for chunk in [1, 3, 7, 64, 4096] {
            assert_eq!(
                async_read(d, bytes, chunk).await,
                expected,
                "{framing:?} stream {i} async chunk {chunk}"
            );
            assert_eq!(
                codec_read(d, bytes, chunk).await,
                expected,
                "{framing:?} stream {i} codec chunk {chunk}"
            );
            assert_eq!(
                batch_codec_read(d, bytes, chunk).await,
                expected,
                "{framing:?} stream {i} batch codec chunk {chunk}"
            );
        }
    }
    // The corpus exercises both frames and errors.
    assert!(
        with_frames >= 10 && with_errors >= 5,
        "{framing:?}: {with_frames} {with_errors}"
    );
}

#[tokio::test]
async fn sync_async_and_both_codecs_agree_on_the_reliability_corpus() {
    differential(
        Framing::LengthOnly,
        DefaultDeframer::new().with_max_frame_len(1 << 16),
    )
    .await;
    differential(Framing::PayloadCrc, ChecksumDeframer::new(Crc32c::new())).await;
    differential(
        Framing::ProtectedHeader,
        ChecksumDeframer::new(Crc32c::new()).with_protected_header(),
    )
    .await;
    differential(Framing::MagicProtected, matrix::MagicProtected::deframer()).await;
}

async fn recovering<D: Deframer + Copy>(d: D, bytes: &[u8], chunk: usize) -> (Outcome, Outcome)
where
    SkipCorrupt: RecoveryPolicy<D>,
{
    let mut sync = StreamReader::new(bytes, d)
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let mut async_ = AsyncStreamReader::new(pipe(bytes, chunk), d)
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap();
    let mut a = Vec::new();
    while let Some(p) = sync.read_message().unwrap() {
        a.push(p.to_vec());
    }
    let mut b = Vec::new();
    while let Some(p) = async_.read_message().await.unwrap() {
        b.push(p.to_vec());
    }
    let skipped = |s: Vec<flatstream::SkippedRegion>| {
        format!("{:?}", s.iter().map(|r| (r.offset, r.len)).collect::<Vec<_>>())
    };
    (
        (a, skipped(sync.take_skipped())),
        (b, skipped(async_.take_skipped())),
    )
}

#[tokio::test]
async fn recovery_policies_behave_the_same_async() {
    for bytes in corpus(Framing::MagicProtected) {
        for chunk in [1, 5, 4096] {
            let (sync, async_) = recovering(matrix::MagicProtected::deframer(), &bytes, chunk).await;
            assert_eq!(sync, async_, "chunk {chunk}");
        }
    }
    // Torn tails too.
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    w.write(&Telemetry {
        timestamp: 1,
        value: 1.0,
        unit: "C".into(),
    })
    .unwrap();
    w.write(&Telemetry {
        timestamp: 2,
        value: 2.0,
        unit: "C".into(),
    })
    .unwrap();
    let bytes = w.into_inner();
    let cut = &bytes[..bytes.len() - 3];
    let mut r = AsyncStreamReader::new(pipe(cut, 2), Telemetry::deframer())
        .with_recovery(Recovery::TolerateTornTail)
        .unwrap();
    assert_eq!(r.read::<Telemetry>().await.unwrap().unwrap().timestamp, 1);
    assert!(r.read::<Telemetry>().await.unwrap().is_none());
    assert!(r.torn_tail().is_some());
}

#[tokio::test]
async fn huge_lengths_are_refused_without_reserving() {
    let mut bytes = vec![0xFF, 0xFF, 0xFF, 0xFF];
    bytes.extend_from_slice(b"rest of the stream");
    let mut r = AsyncStreamReader::new(&bytes[..], DefaultDeframer::new());
    assert!(matches!(
        r.read_message().await,
        Err(Error::FrameTooLarge { len: 0xFFFF_FFFF, .. })
    ));
    assert!(r.buffer_capacity() <= 8 * 1024);

    let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new());
    let mut src = BytesMut::from(&bytes[..]);
    let before = src.capacity();
    assert!(matches!(
        codec.decode(&mut src),
        Err(Error::FrameTooLarge { len: 0xFFFF_FFFF, .. })
    ));
    assert_eq!(src.capacity(), before, "nothing reserved for the claimed frame");
    // A 15 MiB claim within the limit reserves in steps, not all at once.
    let mut src = BytesMut::from(&(15u32 << 20).to_le_bytes()[..]);
    assert!(codec.decode(&mut src).unwrap().is_none());
    assert!(src.capacity() <= 128 * 1024, "reserved {}", src.capacity());

    // The batch codec alike, also behind whole frames.
    let mut batched = FrameCodec::new(DefaultFramer, DefaultDeframer::new()).batched();
    let mut src = BytesMut::from(&[3, 0, 0, 0, b'a', b'b', b'c'][..]);
    src.extend_from_slice(&bytes);
    let before = src.capacity();
    let batch = batched.decode(&mut src).unwrap().unwrap();
    assert!(batch.payloads().eq([&b"abc"[..]]));
    assert!(matches!(
        batched.decode(&mut src),
        Err(Error::FrameTooLarge {
            offset: 7,
            len: 0xFFFF_FFFF,
            ..
        })
    ));
    assert_eq!(
        src.capacity(),
        before - 7,
        "nothing reserved for the claimed frame"
    );
    let mut src = BytesMut::from(&(15u32 << 20).to_le_bytes()[..]);
    assert!(batched.decode(&mut src).unwrap().is_none());
    assert!(src.capacity() <= 128 * 1024, "reserved {}", src.capacity());
}

/// The per-frame codec verifies and splits off every whole frame at once and
/// hands them out one by one; turned into a batch codec midway, the batch
/// codec hands the rest out first, at the right offsets.
#[test]
fn switching_to_batches_midway_loses_no_frame() {
    use tokio_util::codec::Encoder as _;

    let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new());
    let mut src = BytesMut::new();
    for text in [&b"one"[..], b"two", b"three"] {
        codec.encode(RawPayload(text), &mut src).unwrap();
    }
    let first_len = src.len() as u64;
    codec.encode(RawPayload(b"four"), &mut src).unwrap();
    // A damaged frame after them (over the 4-byte limit below).
    src.extend_from_slice(&[9, 0, 0, 0]);
    let mut codec = FrameCodec::new(DefaultFramer, DefaultDeframer::new().with_max_frame_len(8));
    assert_eq!(codec.decode(&mut src).unwrap().unwrap(), &b"one"[..]);
    assert_eq!(codec.position(), 7);
    let mut batched = codec.batched();
    let batch = batched.decode(&mut src).unwrap().unwrap();
    assert_eq!((batch.len(), batch.position()), (3, 7));
    assert!(batch.payloads().eq([&b"two"[..], b"three", b"four"]));
    assert_eq!(batched.position(), first_len + 8);
    // The damaged frame is reported next, at its offset.
    assert!(matches!(
        batched.decode(&mut src),
        Err(Error::FrameTooLarge { offset, len: 9, .. }) if offset == first_len + 8
    ));
}

/// `FrameBatch::views` verifies each payload as the message type; a payload
/// that is not one is an error at its frame's stream offset, and the frames
/// after it still come.
#[test]
fn batch_views_report_each_frame_at_its_offset() {
    use tokio_util::codec::Encoder as _;

    let mut codec = Telemetry::codec().batched();
    let mut src = BytesMut::new();
    let item = |i: u64| Telemetry {
        timestamp: i,
        value: 1.5,
        unit: "m".repeat(i as usize),
    };
    codec.encode(item(0), &mut src).unwrap();
    codec.encode(item(1), &mut src).unwrap();
    let bad_at = src.len() as u64;
    // A frame the framing accepts whose payload is no `Telemetry`.
    let mut writer = StreamWriter::new(Vec::new(), Telemetry::framer());
    writer.write(&RawPayload(&[0xAB; 12])).unwrap();
    src.extend_from_slice(writer.get_ref());
    codec.encode(item(3), &mut src).unwrap();
    let total = src.len();

    // The sync reader's error for the same frame.
    let mut sync = StreamReader::new(&src[..], Telemetry::deframer());
    sync.read_view::<Telemetry>().unwrap();
    sync.read_view::<Telemetry>().unwrap();
    let sync_error = sync.read_view::<Telemetry>().unwrap_err();
    assert!(sync_error.offset().unwrap() >= bad_at);

    let batch = codec.decode(&mut src).unwrap().unwrap();
    assert_eq!(
        (batch.len(), batch.position(), batch.as_bytes().len()),
        (4, 0, total)
    );
    let views: Vec<_> = batch.views::<Telemetry>().collect();
    assert_eq!(views.len(), 4);
    assert_eq!(views[0].as_ref().unwrap().timestamp(), 0);
    assert_eq!(views[1].as_ref().unwrap().unit(), "m");
    assert_eq!(views[2].as_ref().unwrap_err().to_string(), sync_error.to_string());
    assert_eq!(views[3].as_ref().unwrap().timestamp(), 3);
    // Other limits, as a reader's `with_verify_limits` sets them: the same
    // rejections, at the same offsets, as the sync reader with them.
    let tight = flatstream::VerifyLimits {
        max_tables: 0,
        ..flatstream::VerifyLimits::DEFAULT
    };
    let mut strict =
        StreamReader::new(batch.as_bytes().as_ref(), Telemetry::deframer()).with_verify_limits(tight);
    let rejected = strict.read_view::<Telemetry>().unwrap_err();
    let tight_views: Vec<_> = batch.views_with::<Telemetry>(tight).collect();
    assert_eq!(tight_views.len(), 4);
    assert!(tight_views.iter().all(Result::is_err));
    assert_eq!(
        tight_views[0].as_ref().unwrap_err().to_string(),
        rejected.to_string()
    );
    assert!(src.is_empty());
    assert_eq!(codec.decode(&mut src).unwrap(), None);
    assert_eq!(codec.position(), total as u64);
}

#[tokio::test]
async fn dropping_a_read_future_loses_no_frame() {
    let items: Vec<Telemetry> = (0..200)
        .map(|i| Telemetry {
            timestamp: i,
            value: i as f64,
            unit: "x".repeat(i as usize % 30),
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    w.write_batch(&items).unwrap();
    let bytes = w.into_inner();

    // Bytes arrive one at a time; every read that is not immediately ready
    // is cancelled by a branch that always is (no timers involved).
    let mut r = AsyncStreamReader::new(pipe(&bytes, 1), Telemetry::deframer());
    let (mut got, mut cancelled) = (Vec::new(), 0u32);
    while got.len() < items.len() {
        tokio::select! {
            biased;
            read = r.read::<Telemetry>() => got.push(read.unwrap().unwrap()),
            () = std::future::ready(()) => {
                cancelled += 1;
                tokio::task::yield_now().await;
            }
        }
    }
    assert_eq!(got, items);
    assert!(r.read::<Telemetry>().await.unwrap().is_none());
    assert!(cancelled > 100, "the test cancelled reads ({cancelled} times)");
}

#[tokio::test]
async fn async_writer_writes_the_sync_writers_bytes() {
    let items: Vec<Telemetry> = (0..500)
        .map(|i| Telemetry {
            timestamp: i,
            value: 0.5,
            unit: "kPa".into(),
        })
        .collect();
    let mut sync = StreamWriter::new(Vec::new(), Telemetry::framer());
    let mut async_ = AsyncStreamWriter::new(Vec::new(), Telemetry::framer());
    for item in &items[..10] {
        sync.write(item).unwrap();
        async_.write(item).await.unwrap();
    }
    sync.write_batch(&items[10..]).unwrap();
    async_.write_batch(&items[10..]).await.unwrap();
    async_.flush().await.unwrap();
    assert_eq!(async_.frames_written(), 500);
    assert_eq!(async_.position(), sync.position());
    assert_eq!(async_.into_inner(), sync.into_inner());
}

/// A pipe that is often full: the writer is told to wait (`Pending`) in the
/// middle of frames and batches, and picks up where it left off, with the
/// sync writer's bytes and counts at the end.
#[tokio::test]
async fn async_writer_resumes_after_waiting_on_a_full_pipe() {
    use tokio::io::AsyncReadExt;
    let items: Vec<Telemetry> = (0..400)
        .map(|i| Telemetry {
            timestamp: i,
            value: 0.5,
            unit: if i % 50 == 7 {
                "y".repeat(300)
            } else {
                "kPa".into()
            },
        })
        .collect();
    let mut sync = StreamWriter::new(Vec::new(), Telemetry::framer());
    for item in &items[..200] {
        sync.write(item).unwrap();
    }
    sync.write_batch(&items[200..]).unwrap();
    let expected = sync.into_inner();
    // Smaller than one frame of the long ones.
    let (tx, mut rx) = tokio::io::duplex(29);
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        let mut chunk = [0u8; 13];
        loop {
            let n = rx.read(&mut chunk).await.unwrap();
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&chunk[..n]);
            tokio::task::yield_now().await;
        }
    });
    let mut w = AsyncStreamWriter::new(tx, Telemetry::framer());
    for item in &items[..200] {
        w.write(item).await.unwrap();
    }
    w.write_batch(&items[200..]).await.unwrap();
    w.flush().await.unwrap();
    assert_eq!((w.frames_written(), w.position()), (400, expected.len() as u64));
    drop(w.into_inner());
    assert_eq!(reader.await.unwrap(), expected);
}

/// An `AsyncWrite` that accepts `limit` bytes in all, then fails.
struct FailsAfter {
    out: Vec<u8>,
    limit: usize,
}

impl tokio::io::AsyncWrite for FailsAfter {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let room = self.limit - self.out.len();
        if room == 0 {
            return std::task::Poll::Ready(Err(std::io::Error::other("disk full")));
        }
        // A few bytes at a time, so frames are split across writes.
        let n = buf.len().min(room).min(7);
        self.out.extend_from_slice(&buf[..n]);
        std::task::Poll::Ready(Ok(n))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// The async writer has the sync writer's API: buffered
/// (`with_capacity`), protocol writers, `sync`; and writes the same bytes
/// with the same accounting, also when the inner writer fails at any byte.
#[tokio::test]
async fn async_writer_parity_with_the_sync_writer() {
    let items: Vec<Telemetry> = (0..300)
        .map(|i| Telemetry {
            timestamp: i,
            value: 0.5,
            // A few large payloads, which a buffer copies through.
            unit: if i % 97 == 5 {
                "x".repeat(10_000)
            } else {
                "kPa".into()
            },
        })
        .collect();
    let expected = {
        let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
        w.write_batch(&items).unwrap();
        w.into_inner()
    };
    for capacity in [1, 64, 4096, 64 << 10] {
        let mut sync = StreamWriter::with_capacity(capacity, Vec::new(), Telemetry::framer());
        let mut async_ = AsyncStreamWriter::with_capacity(capacity, Vec::new(), Telemetry::framer());
        for item in &items[..100] {
            sync.write(item).unwrap();
            async_.write(item).await.unwrap();
            assert_eq!(
                async_.frames_written(),
                sync.frames_written(),
                "capacity {capacity}"
            );
        }
        sync.write_batch(&items[100..]).unwrap();
        async_.write_batch(&items[100..]).await.unwrap();
        sync.flush().unwrap();
        async_.flush().await.unwrap();
        assert_eq!(
            (async_.frames_written(), async_.position()),
            (300, expected.len() as u64)
        );
        assert_eq!(async_.into_inner(), expected, "capacity {capacity}");
    }

    // A writer failing at every byte: frames_written is exactly the whole
    // frames in the output, as for the sync writer.
    for limit in (0..expected.len()).step_by(37) {
        for capacity in [0, 4096] {
            let inner = FailsAfter {
                out: Vec::new(),
                limit,
            };
            let mut w = if capacity == 0 {
                AsyncStreamWriter::new(inner, Telemetry::framer())
            } else {
                AsyncStreamWriter::with_capacity(capacity, inner, Telemetry::framer())
            };
            let mut failed = false;
            for item in &items {
                if w.write(item).await.is_err() {
                    failed = true;
                    break;
                }
            }
            if !failed {
                failed = w.flush().await.is_err();
            }
            assert!(failed, "limit {limit}");
            let frames = w.frames_written();
            let out = w.into_inner().out;
            let whole: Vec<Vec<u8>> = StreamReader::new(&out[..], Telemetry::deframer())
                .with_recovery(Recovery::TolerateTornTail)
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(whole.len() as u64, frames, "limit {limit}, capacity {capacity}");
        }
    }

    // Protocol writers, plain and buffered: the messages of the protocol,
    // the sync writer's bytes.
    let mut p = AsyncStreamWriter::for_protocol::<Telemetry>(Vec::new());
    let mut q = AsyncStreamWriter::for_protocol_with_capacity::<Telemetry>(1 << 10, Vec::new());
    for item in &items {
        p.write(item).await.unwrap();
        q.write(item).await.unwrap();
    }
    q.flush().await.unwrap();
    assert_eq!(p.stream_writer().frames_written(), 300);
    assert_eq!(p.into_inner(), expected);
    assert_eq!(q.into_inner(), expected);

    // sync on a file: everything is there afterwards.
    let path = std::env::temp_dir().join(format!("flatstream-async-sync-{}.bin", std::process::id()));
    let file = tokio::fs::File::create(&path).await.unwrap();
    let mut w =
        AsyncStreamWriter::with_capacity(64 << 10, tokio::io::BufWriter::new(file), Telemetry::framer());
    w.write_batch(&items).await.unwrap();
    w.sync().await.unwrap();
    assert_eq!(w.frames_written(), 300);
    drop(w);
    assert_eq!(std::fs::read(&path).unwrap(), expected);
    std::fs::remove_file(&path).unwrap();
}

/// `into_stream` (and `into_typed`) yields what the sync typed reader
/// yields, value for value
/// and error for error, at any chunking; under `SkipCorrupt` it reports
/// what it skipped.
#[tokio::test]
async fn the_async_reader_as_a_stream_of_owned_values() {
    let items: Vec<Telemetry> = (0..200)
        .map(|i| Telemetry {
            timestamp: i,
            value: i as f64,
            unit: "C".into(),
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    w.write_batch(&items).unwrap();
    let clean = w.into_inner();
    let mut damaged = clean.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x40;
    for bytes in [&clean, &damaged] {
        let sync: Vec<String> = StreamReader::new(&bytes[..], Telemetry::deframer())
            .into_typed()
            .map(|r| format!("{r:?}"))
            .collect();
        for chunk in [1, 7, 4096] {
            let stream =
                AsyncStreamReader::new(pipe(bytes, chunk), Telemetry::deframer()).into_stream::<Telemetry>();
            let got: Vec<String> = stream.map(|r| format!("{r:?}")).collect().await;
            assert_eq!(got, sync, "chunk {chunk}");
            // `into_typed` names the type once, as the sync reader's does.
            // (with a larger first buffer: the same values)
            let typed = AsyncStreamReader::new(pipe(bytes, chunk), Telemetry::deframer())
                .with_read_capacity(1 << 16)
                .into_typed();
            let got: Vec<String> = typed.map(|r| format!("{r:?}")).collect().await;
            assert_eq!(got, sync, "into_typed, chunk {chunk}");
        }
    }
    let mut stream = AsyncStreamReader::new(pipe(&damaged, 5), Telemetry::deframer())
        .with_recovery(Recovery::SkipCorrupt)
        .unwrap()
        .into_stream::<Telemetry>();
    let mut n = 0;
    while let Some(t) = stream.next().await {
        t.unwrap();
        n += 1;
    }
    assert_eq!(n, 199);
    assert_eq!(stream.reader().take_skipped().len(), 1);
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn framed_sink_and_stream_with_a_derived_codec() {
    let (a, b) = tokio::io::duplex(1024);
    let mut sink = tokio_util::codec::FramedWrite::new(a, Telemetry::codec());
    let producer = tokio::spawn(async move {
        for i in 0..1000u64 {
            sink.send(Telemetry {
                timestamp: i,
                value: i as f64,
                unit: "C".into(),
            })
            .await
            .unwrap();
        }
    });
    let mut stream = FramedRead::new(b, Telemetry::codec());
    let mut n = 0u64;
    while let Some(frame) = stream.next().await {
        let payload = frame.unwrap();
        let t = Telemetry::view(&payload).unwrap();
        assert_eq!(t.timestamp(), n);
        n += 1;
    }
    producer.await.unwrap();
    assert_eq!(n, 1000);
}

/// The codec's encoder frames in place (derived messages, strings) or writes
/// the header straight into the destination (other payloads): either way the
/// bytes are exactly the sync writer's, at any payload size, and a refused
/// frame leaves the destination as it was.
#[test]
fn codec_encodes_exactly_what_the_writer_writes() {
    use tokio_util::codec::Encoder as _;

    #[derive(StreamSerialize)]
    #[frame(len = u16, checksum = crc16, align = 8, max_len = 4000)]
    struct Odd {
        text: String,
    }

    let mut codec = Odd::codec();
    let mut dst = tokio_util::bytes::BytesMut::new();
    let mut w = StreamWriter::new(Vec::new(), Odd::framer());
    for n in [0usize, 1, 7, 8, 63, 500, 3900] {
        let text = "y".repeat(n);
        // Derived framings refuse payloads shorter than a FlatBuffers root offset.
        let raw = vec![n as u8; n + flatstream::MIN_FLATBUFFERS_LEN];
        codec.encode(Odd { text: text.clone() }, &mut dst).unwrap();
        w.write(&Odd { text: text.clone() }).unwrap();
        codec.encode(text.as_str(), &mut dst).unwrap();
        w.write(text.as_str()).unwrap();
        codec.encode(RawPayload(&raw), &mut dst).unwrap();
        w.write(&RawPayload(&raw)).unwrap();
    }
    assert_eq!(&dst[..], &w.get_ref()[..]);
    // And decodes them back, padding included, as the sync reader does.
    let expected: Vec<Vec<u8>> = StreamReader::new(&w.get_ref()[..], Odd::deframer())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(expected.len(), 21);
    let mut src = dst.clone();
    let mut decoded = Vec::new();
    while let Some(frame) = codec.decode(&mut src).unwrap() {
        decoded.push(frame.to_vec());
    }
    assert!(src.is_empty());
    assert_eq!(decoded, expected);
    let before = dst.len();
    let too_long = vec![0u8; 4001];
    assert!(matches!(
        codec.encode(RawPayload(&too_long), &mut dst),
        Err(Error::FrameTooLarge { .. })
    ));
    assert!(matches!(
        codec.encode(
            Odd {
                text: "z".repeat(4001)
            },
            &mut dst
        ),
        Err(Error::FrameTooLarge { .. })
    ));
    assert_eq!(dst.len(), before);
}
