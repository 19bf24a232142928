//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz, nightly), as plain
//! functions so that stable `cargo test` runs them too: on random input
//! (`tests/tests/fuzz_properties.rs`) and on the checked-in regression corpus
//! (`tests/fuzz-corpus/`). Each panics if an invariant breaks.

use flatstream::prelude::*;
use flatstream::recovery::RecoveryPolicy;
use flatstream::RecoveryMode;
use tokio_util::bytes::BytesMut;
use tokio_util::codec::Decoder;

/// A `Read` handing out at most `chunk` bytes per call.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl std::io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A protected framing with a magic, as a derived message.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32c, covers = frame, magic = b"FZ", max_len = 4096)]
pub struct Guarded {
    /// A sequence number.
    pub seq: u64,
    /// Some bytes.
    pub body: Vec<u8>,
}

/// A small framing: one-byte lengths, a CRC-16, aligned payloads.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u8, checksum = crc16, magic = b"\x7E", align = 8)]
pub struct Tiny {
    /// A value.
    pub value: u32,
}

/// A message with every kind of field, for the view target.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Record {
    /// A scalar.
    pub id: u64,
    /// A string.
    pub name: String,
    /// Bytes.
    pub blob: Vec<u8>,
    /// Scalars.
    pub values: Vec<f64>,
    /// Strings.
    pub tags: Vec<String>,
    /// An optional scalar.
    pub maybe: Option<i32>,
    /// A nested table.
    pub inner: Guarded,
    /// Nested tables.
    pub list: Vec<Tiny>,
}

/// Reads everything from `bytes` with `deframer` under `policy`, checking
/// the invariants every reader keeps on any input; returns the payloads read
/// and whether the stream ended without an error.
fn read_checked<D, P>(deframer: D, policy: P, bytes: &[u8], chunk: usize) -> (Vec<Vec<u8>>, bool)
where
    D: Deframer + Copy,
    P: RecoveryPolicy<D>,
{
    let mut reader = match StreamReader::new(Chunked { data: bytes, chunk }, deframer).with_recovery(policy) {
        Ok(reader) => reader,
        // A runtime-configured framing that cannot resynchronise.
        Err(Error::InvalidConfig { .. }) => return (Vec::new(), true),
        Err(e) => panic!("unexpected error choosing a policy: {e}"),
    };
    let bound = (deframer.header_len() + deframer.max_frame_len() + 64).max(8192);
    let mut frames = Vec::new();
    // Every call consumes at least one byte or ends: this bounds the loop.
    for _ in 0..=bytes.len() {
        let result = reader.read_message().map(|p| p.map(<[u8]>::to_vec));
        assert!(
            reader.buffer_capacity() <= bound,
            "buffer grew to {} (bound {bound})",
            reader.buffer_capacity()
        );
        match result {
            Ok(Some(p)) => frames.push(p),
            Ok(None) => return (frames, true),
            Err(e) => {
                assert!(
                    P::MODE != RecoveryMode::SkipCorrupt,
                    "SkipCorrupt ended in an error: {e}"
                );
                assert!(
                    e.offset().is_none_or(|o| o <= bytes.len() as u64),
                    "offset past the input: {e}"
                );
                return (frames, false);
            }
        }
    }
    panic!("the reader did not finish within one call per input byte");
}

/// Runs `check(deframer, policy)` for the policies every framing supports.
macro_rules! strict_and_torn {
    ($deframer:expr, $bytes:expr, $chunk:expr) => {{
        let d = $deframer;
        let strict = read_checked(d, Recovery::Strict, $bytes, $chunk);
        read_checked(d, Recovery::TolerateTornTail, $bytes, $chunk);
        strict
    }};
}

/// Feeds `bytes` to `codec` `chunk` bytes at a time, as `FramedRead` does
/// (decode until it wants more, `decode_eof` at the end); returns the
/// payloads (`frames_of` each item) and whether the stream ended cleanly.
/// The read buffer never holds much more than the input: a header's claim
/// is reserved in steps.
fn codec_read<C: Decoder<Error = Error>>(
    codec: &mut C,
    bytes: &[u8],
    chunk: usize,
    frames_of: impl Fn(C::Item, &mut Vec<Vec<u8>>),
) -> (Vec<Vec<u8>>, bool) {
    let bound = 2 * bytes.len() + (128 << 10);
    let mut src = BytesMut::new();
    let mut frames = Vec::new();
    for piece in bytes.chunks(chunk) {
        src.extend_from_slice(piece);
        loop {
            let decoded = codec.decode(&mut src);
            assert!(src.capacity() <= bound, "read buffer grew to {}", src.capacity());
            match decoded {
                Ok(Some(item)) => frames_of(item, &mut frames),
                Ok(None) => break,
                Err(_) => return (frames, false),
            }
        }
    }
    loop {
        match codec.decode_eof(&mut src) {
            Ok(Some(item)) => frames_of(item, &mut frames),
            Ok(None) => return (frames, true),
            Err(_) => return (frames, false),
        }
    }
}

/// Both codecs, one frame or one batch per item, read what the strict
/// reader read (`strict`) and end as it did.
fn codecs_agree<D: Deframer + Copy>(deframer: D, bytes: &[u8], chunk: usize, strict: &(Vec<Vec<u8>>, bool)) {
    let mut single = FrameCodec::new(DefaultFramer, deframer);
    let read = codec_read(&mut single, bytes, chunk, |frame, frames| {
        frames.push(frame.to_vec())
    });
    assert_eq!(&read, strict, "FrameCodec");
    let mut batched = FrameCodec::new(DefaultFramer, deframer).batched();
    let read = codec_read(&mut batched, bytes, chunk, |batch, frames| {
        assert!(!batch.is_empty());
        let before = frames.len();
        frames.extend(batch.payloads().map(<[u8]>::to_vec));
        assert_eq!(
            frames.len() - before,
            batch.len(),
            "a batch lends every frame it holds"
        );
    });
    assert_eq!(&read, strict, "BatchCodec");
}

/// What a reader made of a stream under a policy: the payloads, the
/// regions it skipped, its torn tail, and whether it ended cleanly.
type Reading = (Vec<Vec<u8>>, Vec<(u64, u64)>, Option<(u64, u64)>, bool);

/// Every reader under `policy` reads the same: the stream reader (at
/// `chunk`-byte reads), the slice reader, and both codecs (fed `chunk`
/// bytes at a time), frame for frame, skipped region for skipped region.
fn policy_agrees<D, P>(deframer: D, policy: P, bytes: &[u8], chunk: usize)
where
    D: Deframer + Copy,
    P: RecoveryPolicy<D> + Copy,
{
    let regions = |r: Vec<flatstream::SkippedRegion>| r.iter().map(|r| (r.offset, r.len)).collect::<Vec<_>>();
    let Ok(mut stream) = StreamReader::new(Chunked { data: bytes, chunk }, deframer).with_recovery(policy)
    else {
        return; // a runtime-configured framing that cannot resynchronise
    };
    let mut reading: Reading = (Vec::new(), Vec::new(), None, false);
    for _ in 0..=bytes.len() {
        match stream.read_message() {
            Ok(Some(p)) => reading.0.push(p.to_vec()),
            Ok(None) => {
                reading.3 = true;
                break;
            }
            Err(_) => break,
        }
    }
    reading.1 = regions(stream.take_skipped());
    reading.2 = stream.torn_tail().map(|t| (t.offset, t.len));

    let mut slice = SliceReader::new(bytes, deframer)
        .with_recovery(policy)
        .expect("as the stream reader");
    let mut got: Reading = (Vec::new(), Vec::new(), None, false);
    for _ in 0..=bytes.len() {
        match slice.read_message() {
            Ok(Some(p)) => got.0.push(p.to_vec()),
            Ok(None) => {
                got.3 = true;
                break;
            }
            Err(_) => break,
        }
    }
    got.1 = regions(slice.take_skipped());
    got.2 = slice.torn_tail().map(|t| (t.offset, t.len));
    assert_eq!(got, reading, "SliceReader under {:?}", P::MODE);

    let mut single = FrameCodec::new(DefaultFramer, deframer)
        .with_recovery(policy)
        .expect("as above");
    let (frames, clean) = codec_read(&mut single, bytes, chunk, |frame, frames| {
        frames.push(frame.to_vec())
    });
    let got = (
        frames,
        regions(single.take_skipped()),
        single.torn_tail().map(|t| (t.offset, t.len)),
        clean,
    );
    assert_eq!(got, reading, "FrameCodec under {:?}", P::MODE);
    let mut batched = FrameCodec::new(DefaultFramer, deframer)
        .batched()
        .with_recovery(policy)
        .expect("as above");
    let (frames, clean) = codec_read(&mut batched, bytes, chunk, |batch, frames| {
        frames.extend(batch.payloads().map(<[u8]>::to_vec))
    });
    let got = (
        frames,
        regions(batched.take_skipped()),
        batched.torn_tail().map(|t| (t.offset, t.len)),
        clean,
    );
    assert_eq!(got, reading, "BatchCodec under {:?}", P::MODE);
}

/// Fuzz target `reader`: arbitrary bytes through every framing and policy.
/// The first byte picks the chunk size of the reads.
pub fn reader(data: &[u8]) {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(first % 64) + 1;

    let limited = DefaultDeframer::new().with_max_frame_len(1 << 16);
    let strict = strict_and_torn!(limited, bytes, chunk);
    // The slice reader agrees with the stream reader.
    let slice: Vec<Vec<u8>> = SliceReader::new(bytes, limited)
        .map_while(Result::ok)
        .map(|p| p.to_vec())
        .collect();
    assert_eq!(slice, strict.0);
    codecs_agree(limited, bytes, chunk, &strict);

    let crc = ChecksumDeframer::new(Crc32c::new()).with_max_frame_len(1 << 16);
    let strict = strict_and_torn!(crc, bytes, chunk);
    codecs_agree(crc, bytes, chunk, &strict);
    let protected = ChecksumDeframer::new(Crc16::new()).with_protected_header();
    let strict = strict_and_torn!(protected, bytes, chunk);
    codecs_agree(protected, bytes, chunk, &strict);
    read_checked(protected, Recovery::SkipCorrupt, bytes, chunk);
    policy_agrees(protected, Recovery::SkipCorrupt, bytes, chunk);
    policy_agrees(protected, Recovery::TolerateTornTail, bytes, chunk);
    let strict = strict_and_torn!(Guarded::deframer(), bytes, chunk);
    codecs_agree(Guarded::deframer(), bytes, chunk, &strict);
    read_checked(Guarded::deframer(), Recovery::SkipCorrupt, bytes, chunk);
    policy_agrees(Guarded::deframer(), Recovery::SkipCorrupt, bytes, chunk);
    policy_agrees(Guarded::deframer(), Recovery::TolerateTornTail, bytes, chunk);
    let strict = strict_and_torn!(Tiny::deframer(), bytes, chunk);
    codecs_agree(Tiny::deframer(), bytes, chunk, &strict);
    read_checked(Tiny::deframer(), Recovery::SkipCorrupt, bytes, chunk);
    policy_agrees(Tiny::deframer(), Recovery::SkipCorrupt, bytes, chunk);
    // A run-time layout, as the command-line tool reads with.
    let dynamic: flatstream::DynamicLayout = "magic=FS,len=u16,checksum=crc32c,covers=frame"
        .parse()
        .expect("a spec");
    policy_agrees(dynamic, Recovery::SkipCorrupt, bytes, chunk);
    policy_agrees(dynamic, Recovery::Strict, bytes, chunk);
}

/// Fuzz target `mutated_stream`: a valid stream of `Guarded` frames, damaged
/// by byte flips the input describes, read under every policy. Every frame
/// returned must be one that was written; under `SkipCorrupt` every frame
/// no flip touched must come back.
pub fn mutated_stream(data: &[u8]) {
    let Some((&count, edits)) = data.split_first() else {
        return;
    };
    let written: Vec<Guarded> = (0..u64::from(count % 40) + 1)
        .map(|seq| Guarded {
            seq,
            body: vec![(seq % 251) as u8; (seq * 7 % 50) as usize],
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Guarded::framer());
    let mut spans = Vec::new();
    for g in &written {
        let start = w.position() as usize;
        w.write(g).expect("valid frame");
        spans.push(start..w.position() as usize);
    }
    let mut bytes = w.into_inner();
    let mut touched = vec![false; written.len()];
    for pair in edits.chunks(3) {
        let [hi, lo, xor] = [pair[0], *pair.get(1).unwrap_or(&0), *pair.get(2).unwrap_or(&1)];
        let at = (usize::from(hi) << 8 | usize::from(lo)) % bytes.len();
        let xor = xor.max(1);
        bytes[at] ^= xor;
        if let Some(k) = spans.iter().position(|s| s.contains(&at)) {
            touched[k] = true;
        }
    }
    let payloads: Vec<Vec<u8>> = {
        let mut b = flatstream::Encoder::new();
        written
            .iter()
            .map(|g| g.encode(&mut b).expect("encodes").to_vec())
            .collect()
    };
    let d = Guarded::deframer();
    let runs = [
        read_checked(d, Recovery::Strict, &bytes, 17).0,
        read_checked(d, Recovery::TolerateTornTail, &bytes, 17).0,
        read_checked(d, Recovery::SkipCorrupt, &bytes, 17).0,
    ];
    for frames in &runs {
        for f in frames {
            assert!(payloads.contains(f), "a frame that was never written came back");
        }
    }
    for (k, p) in payloads.iter().enumerate() {
        if !touched[k] {
            assert!(runs[2].contains(p), "untouched frame {k} lost under SkipCorrupt");
        }
    }
}

/// Fuzz target `view`: arbitrary payloads through the derived view and
/// decode; an accepted payload must be readable through every accessor.
pub fn view(data: &[u8]) {
    // The derive's specialised verifier agrees with the flatbuffers one.
    for limits in [
        VerifyLimits::DEFAULT,
        VerifyLimits {
            max_depth: 2,
            max_tables: 3,
            max_apparent_size: 64,
        },
    ] {
        use flatstream::__private::{fast_accepts, flatbuffers_accepts};
        assert_eq!(
            fast_accepts::<Record>(data, limits),
            flatbuffers_accepts::<Record>(data, limits)
        );
        assert_eq!(
            fast_accepts::<Guarded>(data, limits),
            flatbuffers_accepts::<Guarded>(data, limits)
        );
    }
    if let Ok(v) = Record::view(data) {
        let _ = format!("{v:?}");
        let decoded = Record::decode(data).expect("a payload the view accepts decodes");
        assert_eq!(decoded.name, v.name());
        assert_eq!(decoded.list.len(), v.list().len());
    }
    let _ = Tiny::decode(data);
    let _ = Guarded::decode(data);
}

/// Drains a reader of a packing framing (compressed or encrypted) over
/// `bytes`: messages or an error, never a panic, no message above `limit`,
/// and the read buffer bounded by the input. Returns the messages and
/// whether it ended cleanly.
fn drain_packed<D: Deframer>(deframer: D, bytes: &[u8], chunk: usize, limit: usize) -> (Vec<Vec<u8>>, bool) {
    let mut r = StreamReader::new(Chunked { data: bytes, chunk }, deframer);
    let mut messages = Vec::new();
    // A frame holds at most `limit` bytes of entries, each at least a byte.
    for _ in 0..=(bytes.len() + 1) * (limit + 1) {
        match r.read_message() {
            Ok(Some(m)) => {
                assert!(
                    m.len() <= limit,
                    "a message of {} bytes, above the limit {limit}",
                    m.len()
                );
                messages.push(m.to_vec());
            }
            Ok(None) => return (messages, true),
            Err(e) => {
                assert!(
                    e.offset().is_none_or(|o| o <= bytes.len() as u64),
                    "offset past the input: {e}"
                );
                return (messages, false);
            }
        }
        assert!(r.buffer_capacity() <= bytes.len().max(8192) * 2 + 64);
    }
    panic!("the reader did not finish");
}

/// The same bytes through a `BatchCodec`, `chunk` bytes arriving at a
/// time: its messages up to the first error, and whether it ended cleanly.
fn drain_batches<D: Deframer + Clone>(deframer: D, bytes: &[u8], chunk: usize) -> (Vec<Vec<u8>>, bool) {
    let mut codec = flatstream::FrameCodec::new(DefaultFramer, deframer).batched();
    let mut buf = BytesMut::new();
    let mut messages = Vec::new();
    for piece in bytes.chunks(chunk).map(Some).chain([None]) {
        if let Some(piece) = piece {
            buf.extend_from_slice(piece);
        }
        loop {
            let batch = match piece {
                Some(_) => codec.decode(&mut buf),
                None => codec.decode_eof(&mut buf),
            };
            match batch {
                Ok(Some(batch)) => {
                    assert!(!batch.is_empty(), "an empty batch");
                    messages.extend(batch.payloads().map(<[u8]>::to_vec));
                }
                Ok(None) => break,
                Err(_) => return (messages, false),
            }
        }
    }
    (messages, true)
}

/// Fuzz target `packed`: compressed and encrypted streams. The first byte
/// picks a framing; the rest either is read as it is, or (odd first
/// bytes) flips bytes of a valid stream of that framing, which must then
/// give back only messages that were written, in order, and (encrypted)
/// nothing after the first damaged frame.
pub fn packed(data: &[u8]) {
    use flatstream::compress::{CompressedDeframer, CompressedFramer, Lz4, Zstd};
    use flatstream::encrypt::{ChaCha20Poly1305, EncryptedDeframer, EncryptedFramer, EncryptionKey};
    const LIMIT: usize = 1 << 14;
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let key = EncryptionKey::from_bytes([7; 32]);
    let chunk = 1 + usize::from(rest.first().copied().unwrap_or(0) % 64);
    let written: Vec<Vec<u8>> = (0..12u8).map(|i| vec![i; 1 + usize::from(i) * 9]).collect();
    let valid = |framer_kind: u8| -> Vec<u8> {
        let mut out = Vec::new();
        let write = |w: &mut dyn FnMut(&[u8])| written.iter().for_each(|m| w(m));
        match framer_kind {
            0 => {
                let mut w = StreamWriter::new(&mut out, CompressedFramer::blocks(DefaultFramer, Lz4, 64));
                write(&mut |m| w.write(&flatstream::RawPayload(m)).expect("writes"));
                w.finish().expect("finishes");
            }
            1 => {
                let mut w = StreamWriter::new(&mut out, CompressedFramer::new(DefaultFramer, Zstd::new()));
                write(&mut |m| w.write(&flatstream::RawPayload(m)).expect("writes"));
                w.finish().expect("finishes");
            }
            _ => {
                let framer = EncryptedFramer::with_nonce_prefix(
                    CompressedFramer::blocks(DefaultFramer, Lz4, 48),
                    ChaCha20Poly1305::new(&key),
                    [1; 7],
                );
                let mut w = StreamWriter::new(&mut out, framer);
                write(&mut |m| w.write(&flatstream::RawPayload(m)).expect("writes"));
                w.finish().expect("finishes");
            }
        }
        out
    };
    let kind = (pick >> 1) % 3;
    let bytes = if pick & 1 == 0 {
        rest.to_vec()
    } else {
        let mut bytes = valid(kind);
        for pair in rest.chunks(2) {
            let at = usize::from(pair[0]) * 7 % bytes.len();
            bytes[at] ^= pair.get(1).copied().unwrap_or(1).max(1);
        }
        bytes
    };
    // Every reader reads the same: the stream reader and the batch codec
    // give the same messages up to the first error, and end the same way.
    macro_rules! both {
        ($deframer:expr) => {{
            let read = drain_packed($deframer, &bytes, chunk, LIMIT);
            let batched = drain_batches($deframer, &bytes, chunk);
            assert_eq!(
                batched, read,
                "the batch codec read otherwise than the stream reader"
            );
            read
        }};
    }
    let (messages, _) = match kind {
        0 => both!(CompressedDeframer::new(DefaultDeframer::new(), Lz4).with_max_unpacked_len(LIMIT)),
        1 => both!(CompressedDeframer::new(DefaultDeframer::new(), Zstd::new()).with_max_unpacked_len(LIMIT)),
        _ => both!(EncryptedDeframer::new(
            CompressedDeframer::new(DefaultDeframer::new(), Lz4).with_max_unpacked_len(LIMIT),
            ChaCha20Poly1305::new(&key),
        )),
    };
    if pick & 1 == 1 && kind == 2 {
        // Authenticated: a prefix of what was written, never anything else.
        assert!(messages.len() <= written.len());
        assert_eq!(
            messages[..],
            written[..messages.len()],
            "an encrypted stream gave a message not written"
        );
    }
}
