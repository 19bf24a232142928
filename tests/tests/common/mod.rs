//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{self, Read};

/// Calls `$check(framer, deframer, name)` for every built-in framing.
#[macro_export]
macro_rules! for_each_framing {
    ($check:expr) => {{
        use flatstream::*;
        $check(DefaultFramer, DefaultDeframer::new(), "default");
        $check(
            ChecksumFramer::new(NoChecksum),
            ChecksumDeframer::new(NoChecksum),
            "none",
        );
        $check(
            ChecksumFramer::new(Crc16::new()),
            ChecksumDeframer::new(Crc16::new()),
            "crc16",
        );
        $check(
            ChecksumFramer::new(Crc16Xmodem::new()),
            ChecksumDeframer::new(Crc16Xmodem::new()),
            "crc16-xmodem",
        );
        $check(
            ChecksumFramer::new(Crc32::new()),
            ChecksumDeframer::new(Crc32::new()),
            "crc32",
        );
        $check(
            ChecksumFramer::new(Crc32c::new()),
            ChecksumDeframer::new(Crc32c::new()),
            "crc32c",
        );
        $check(
            ChecksumFramer::new(Crc64::new()),
            ChecksumDeframer::new(Crc64::new()),
            "crc64",
        );
        $check(
            ChecksumFramer::new(XxHash64::new()),
            ChecksumDeframer::new(XxHash64::new()),
            "xxhash64",
        );
        $check(
            ChecksumFramer::new(Xxh3::new()),
            ChecksumDeframer::new(Xxh3::new()),
            "xxh3",
        );
    }};
}

/// Deterministic pseudo-random bytes (xorshift), so tests need no RNG crate
/// and every run sees the same data.
pub fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A `Read` that hands out at most `chunk` bytes per call.
pub struct Chunked<'a> {
    pub data: &'a [u8],
    pub chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A `Read` that fails with `Interrupted` before every successful read.
pub struct Interrupting<'a> {
    pub data: &'a [u8],
    pub interrupt_next: bool,
}

impl Read for Interrupting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.interrupt_next = !self.interrupt_next;
        if !self.interrupt_next {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = 3.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Feeds `bytes` to a `tokio_util` decoder as `FramedRead` does, without a
/// runtime: `chunk` bytes at a time, `decode` called until it has nothing
/// more, and `decode_eof` at the end. Each item or error goes to `each`,
/// with whether the input is at its end; `each` says whether to go on.
fn feed<C: tokio_util::codec::Decoder>(
    codec: &mut C,
    bytes: &[u8],
    chunk: usize,
    mut each: impl FnMut(Result<C::Item, C::Error>, bool) -> bool,
) {
    let mut buf = tokio_util::bytes::BytesMut::new();
    for piece in bytes.chunks(chunk.max(1)).map(Some).chain([None]) {
        if let Some(piece) = piece {
            buf.extend_from_slice(piece);
        }
        loop {
            let item = match piece {
                Some(_) => codec.decode(&mut buf),
                None => codec.decode_eof(&mut buf),
            };
            let item = match item {
                Ok(None) => break,
                Ok(Some(item)) => Ok(item),
                Err(e) => Err(e),
            };
            if !each(item, piece.is_none()) {
                return;
            }
        }
    }
}

/// Drives a `tokio_util` decoder as `FramedRead` does, without a runtime
/// (see [`feed`]). Returns the items, the first error (which ends the
/// read, as it ends a `FramedRead`), and the codec.
pub fn drive_decoder<C>(mut codec: C, bytes: &[u8], chunk: usize) -> (Vec<C::Item>, Option<C::Error>, C)
where
    C: tokio_util::codec::Decoder,
{
    let (mut items, mut error) = (Vec::new(), None);
    feed(&mut codec, bytes, chunk, |item, _| match item {
        Ok(item) => {
            items.push(item);
            true
        }
        Err(e) => {
            error = Some(e);
            false
        }
    });
    (items, error, codec)
}

/// The defect of an `Error::InvalidFrame`; panics on any other error.
pub fn defect(e: &flatstream::Error) -> &flatstream::FrameDefect {
    match e {
        flatstream::Error::InvalidFrame { reason, .. } => reason,
        other => panic!("not a frame defect: {other}"),
    }
}

/// Reads `bytes` as owned `T`s to the end or the first error: the values,
/// and the error.
pub fn read_all_as<T: flatstream::FromPayload, D: flatstream::Deframer>(
    bytes: &[u8],
    deframer: D,
) -> (Vec<T>, Option<flatstream::Error>) {
    let mut r = flatstream::StreamReader::new(bytes, deframer);
    let mut got = Vec::new();
    loop {
        match r.read::<T>() {
            Ok(Some(item)) => got.push(item),
            Ok(None) => return (got, None),
            Err(e) => return (got, Some(e)),
        }
    }
}

/// Drives a `tokio_util` decoder as [`drive_decoder`] does, but reads on
/// after an error, as a caller that logs errors and goes on would: every
/// item and error in order. At the end of the input it stops at the first
/// error (a decoder may name an unfinished stream on every call there).
pub fn drive_decoder_on<C>(mut codec: C, bytes: &[u8], chunk: usize) -> Vec<Result<C::Item, C::Error>>
where
    C: tokio_util::codec::Decoder,
{
    let mut out = Vec::new();
    feed(&mut codec, bytes, chunk, |item, at_end| {
        let go_on = item.is_ok() || !at_end;
        out.push(item);
        assert!(out.len() <= bytes.len() + 2, "the decoder never ends");
        go_on
    });
    out
}

/// The messages of a [`flatstream::BatchCodec`]'s batches, flattened:
/// each message copied out, each error kept, in order.
pub fn batch_messages<D: flatstream::Deframer>(
    batches: Vec<Result<flatstream::FrameBatch<D>, flatstream::Error>>,
) -> Vec<Result<Vec<u8>, flatstream::Error>> {
    let mut out = Vec::new();
    for batch in batches {
        match batch {
            Ok(batch) => {
                assert!(!batch.is_empty(), "a decoder handed out an empty batch");
                assert_eq!(batch.payloads().count(), batch.len());
                out.extend(batch.payloads().map(|m| Ok(m.to_vec())));
            }
            Err(e) => out.push(Err(e)),
        }
    }
    out
}
