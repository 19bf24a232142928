//! The sync IO primitives: the one write-all loop and the one read loop
//! every sync driver uses, and on top of them the original design's
//! one-frame helpers, [`FramerIo::frame_and_write`] and
//! [`DeframerIo::read_and_deframe`], for every framer and deframer. The
//! framing traits themselves stay sans-IO.

use std::io::{self, IoSlice, Read, Write};

use crate::buf::append_parts;
use crate::error::{Error, FrameDefect, Result};
use crate::framing::{header_slot, padding_slice, Deframer, Framer, Packing, Unpacked, MAX_HEADER_LEN};
use crate::io::vec_sink::as_vec;

/// Writes all of `bytes`, counting in `accepted` what the writer took (also
/// when it fails): the sync writers' one write loop.
pub(crate) fn write_all_counting<W: Write + ?Sized>(
    writer: &mut W,
    bytes: &[u8],
    accepted: &mut usize,
) -> io::Result<()> {
    while let Some(rest) = bytes.get(*accepted..).filter(|rest| !rest.is_empty()) {
        match writer.write(rest) {
            Ok(0) => return Err(write_zero()),
            Ok(n) => *accepted += n.min(rest.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes all of `parts` one after the other, with vectored writes (one
/// `writev` for a file or socket, one reservation for a `Vec`), counting in
/// `accepted` what the writer took, as [`write_all_counting`] does.
/// Inlined (the rest out of line): as a call it cost the writer of built
/// 64-byte payloads more than half its time.
#[inline(always)]
pub(crate) fn write_parts_counting<W: Write + ?Sized, const N: usize>(
    writer: &mut W,
    parts: [&[u8]; N],
    accepted: &mut usize,
) -> io::Result<()> {
    // The common case, everything taken by the first write, inline.
    let total = parts.iter().map(|part| part.len()).sum::<usize>();
    match writer.write_vectored(&parts.map(IoSlice::new)) {
        Ok(n) if n >= total => {
            *accepted = total;
            return Ok(());
        }
        Ok(0) => return Err(write_zero()),
        Ok(n) => *accepted = n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
        Err(e) => return Err(e),
    }
    write_rest_of_parts(writer, parts, accepted)
}

/// Writes a frame's `parts` (header, payload, padding) in one vectored
/// write (a `File` or socket gets one `writev`), the padding left out when
/// there is none, or, into a `Vec<u8>` or `&mut Vec<u8>`, appends them
/// ([`vec_sink`](crate::io::vec_sink) says why; a `Vec` that cannot grow
/// is an `OutOfMemory` error): the frame's length, what
/// the writer accepted of it, and how the writing ended.
#[inline(always)]
pub(crate) fn write_frame_parts<W: Write + ?Sized>(
    writer: &mut W,
    parts: [&[u8]; 3],
) -> (usize, usize, io::Result<()>) {
    let len = parts.iter().map(|part| part.len()).sum::<usize>();
    if let Some(vec) = as_vec(writer) {
        let appended = match parts {
            [header, payload, []] => append_parts(vec, [header, payload]),
            parts => append_parts(vec, parts),
        };
        return (len, if appended.is_ok() { len } else { 0 }, appended);
    }
    let mut accepted = 0;
    let outcome = match parts {
        [header, payload, []] => write_parts_counting(writer, [header, payload], &mut accepted),
        parts => write_parts_counting(writer, parts, &mut accepted),
    };
    (len, accepted, outcome)
}

/// [`write_parts_counting`] after its first write.
#[inline(never)]
fn write_rest_of_parts<W: Write + ?Sized, const N: usize>(
    writer: &mut W,
    parts: [&[u8]; N],
    accepted: &mut usize,
) -> io::Result<()> {
    loop {
        // What is left of each part after the bytes accepted so far.
        let mut skip = *accepted;
        let rest = parts.map(|part| {
            let taken = skip.min(part.len());
            skip -= taken;
            IoSlice::new(&part[taken..])
        });
        if rest.iter().all(|part| part.is_empty()) {
            return Ok(());
        }
        match writer.write_vectored(&rest) {
            Ok(0) => return Err(write_zero()),
            Ok(n) => *accepted += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A writer that accepted no bytes of a frame.
#[cold]
pub(crate) fn write_zero() -> io::Error {
    io::Error::new(
        io::ErrorKind::WriteZero,
        "the writer accepted no bytes of a frame",
    )
}

/// One `read`, retried on `Interrupted`: the sync readers' one read loop.
#[inline]
pub(crate) fn read_retrying<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Reads until `buf` is full or the reader is at its end; returns the bytes
/// read.
fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match read_retrying(reader, rest)? {
            0 => break,
            n => filled += n.min(rest.len()),
        }
    }
    Ok(filled)
}

/// The original design's one-frame writer, for every [`Framer`]. For a
/// stream of frames use a [`StreamWriter`](crate::StreamWriter), which
/// keeps its buffers and counts what was written.
pub trait FramerIo: Framer {
    /// Frames `payload` and writes it to `writer`: header, payload and
    /// padding, all of them or an error, in one vectored write (one
    /// `writev` for a file or socket). A packing framer (compressing,
    /// encrypting) packs it first, as one message.
    fn frame_and_write<W: Write + ?Sized>(&self, writer: &mut W, payload: &[u8]) -> Result<()> {
        if Self::PACKS {
            let mut packed = Vec::new();
            self.pack(payload, Packing::Message, &mut packed)?;
            return write_frame(self, writer, &packed);
        }
        write_frame(self, writer, payload)
    }

    /// Ends the stream, for a framing whose streams end with a frame of
    /// their own (an encrypted stream's final frame: without it a reader
    /// refuses the stream as truncated); writes nothing for the others.
    fn end_and_write<W: Write + ?Sized>(&self, writer: &mut W) -> Result<()> {
        let mut payload = Vec::new();
        if self.end_payload(&mut payload)? {
            write_frame(self, writer, &payload)?;
        }
        Ok(())
    }
}

/// Writes the frame of the (packed, if the framer packs) `payload`.
fn write_frame<F: Framer + ?Sized, W: Write + ?Sized>(
    framer: &F,
    writer: &mut W,
    payload: &[u8],
) -> Result<()> {
    let mut header = [0u8; MAX_HEADER_LEN];
    let header = header_slot(&mut header, framer.header_len())?;
    framer.encode_header(payload, header)?;
    let padding = padding_slice(framer.padding_len(payload.len()))?;
    let (_, _, outcome) = write_frame_parts(writer, [header, payload, padding]);
    Ok(outcome?)
}

impl<F: Framer + ?Sized> FramerIo for F {}

/// The original design's one-frame reader, for every [`Deframer`]. For a
/// stream of frames use a [`StreamReader`](crate::StreamReader), which
/// reads ahead, reports stream offsets and applies a recovery policy.
pub trait DeframerIo: Deframer {
    /// Reads one frame from `reader` into `buffer`, which afterwards holds
    /// exactly the payload (the original design's signature).
    ///
    /// Returns `Ok(None)` at a clean end of stream (no byte of a new frame).
    /// Offsets in errors are relative to the start of this frame (0): this
    /// function does not know where the frame sits in the stream;
    /// [`StreamReader`](crate::StreamReader) reports absolute offsets.
    /// `buffer` grows with the bytes that arrive, never to a length a header
    /// merely claims.
    ///
    /// A packing deframer's frame is unpacked into `buffer` (its message),
    /// a frame with no messages (an encrypted stream's final one) is read
    /// past, and the end of an encrypted stream without its final frame is
    /// an error. A block of several messages is refused: read
    /// block-compressed streams with a `StreamReader`.
    fn read_and_deframe<R: Read>(&self, reader: &mut R, buffer: &mut Vec<u8>) -> Result<Option<()>> {
        if !Self::PACKED {
            return read_frame(self, reader, buffer);
        }
        loop {
            if read_frame(self, reader, buffer)?.is_none() {
                self.end_of_stream()?;
                return Ok(None);
            }
            let mut unpacked = Vec::new();
            let Unpacked { packing, len } = self.unpack(buffer, &mut unpacked)?;
            if let Some(e) = self.take_notice() {
                return Err(e);
            }
            match (packing, len) {
                (Packing::Message, _) => {
                    unpacked.truncate(len);
                    *buffer = unpacked;
                    return Ok(Some(()));
                }
                (Packing::Block, 0) => continue,
                (Packing::Block, _) => {
                    return Err(Error::InvalidConfig {
                        reason: "read_and_deframe returns one message, and this frame is a block of them: \
                                 read block-compressed streams with a StreamReader"
                            .into(),
                    })
                }
            }
        }
    }
}

/// [`DeframerIo::read_and_deframe`] of one frame as it is: its payload into
/// `buffer`.
fn read_frame<D: Deframer + ?Sized, R: Read>(
    deframer: &D,
    reader: &mut R,
    buffer: &mut Vec<u8>,
) -> Result<Option<()>> {
    let mut header = [0u8; MAX_HEADER_LEN];
    let header_len = deframer.header_len();
    let header = header_slot(&mut header, header_len)?;
    let got = read_full(reader, header)?;
    if got == 0 {
        return Ok(None);
    }
    if got < header_len {
        return Err(unexpected_eof(header_len, got));
    }
    let payload_len = deframer.decode_header(header)?;
    let padding = deframer.padding_len(payload_len);
    let body_len = payload_len.saturating_add(padding);
    buffer.clear();
    // `take` + `read_to_end` grows the buffer as data arrives.
    let got = reader.by_ref().take(body_len as u64).read_to_end(buffer)?;
    if got < body_len {
        return Err(unexpected_eof(
            header_len.saturating_add(body_len),
            header_len + got,
        ));
    }
    deframer.verify(header, &buffer[..payload_len])?;
    if buffer[payload_len..].iter().any(|&b| b != 0) {
        return Err(Error::InvalidFrame {
            offset: 0,
            reason: FrameDefect::NonZeroPadding,
        });
    }
    buffer.truncate(payload_len);
    Ok(Some(()))
}

impl<D: Deframer + ?Sized> DeframerIo for D {}

fn unexpected_eof(needed: usize, available: usize) -> Error {
    Error::UnexpectedEof {
        offset: 0,
        needed: needed as u64,
        available: available as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::{DefaultDeframer, DefaultFramer};

    /// A writer taking at most `step` bytes per call, failing with
    /// `Interrupted` every other call and for good after `fail_at` bytes;
    /// `vectored`: whether it takes several buffers in one call.
    struct Stingy {
        out: Vec<u8>,
        step: usize,
        calls: usize,
        fail_at: usize,
        vectored: bool,
    }
    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(buf)])
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            if self.out.len() >= self.fail_at {
                return Err(io::Error::other("disk full"));
            }
            let mut room = self.step.min(self.fail_at - self.out.len());
            let before = self.out.len();
            for buf in bufs.iter().filter(|buf| !buf.is_empty()) {
                let n = room.min(buf.len());
                self.out.extend_from_slice(&buf[..n]);
                room -= n;
                if !self.vectored || room == 0 {
                    break;
                }
            }
            Ok(self.out.len() - before)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Every split of a three-part frame across short, interrupted,
    /// vectored or single-buffer writes arrives whole and in order, and a
    /// writer failing part-way is counted to the byte.
    #[test]
    fn parts_arrive_whole_across_short_and_interrupted_writes() {
        let (header, payload, padding) = (&b"HEAD"[..], &b"payload bytes"[..], &b"\0\0\0"[..]);
        let whole = [header, payload, padding].concat();
        for step in 1..=whole.len() + 1 {
            for vectored in [false, true] {
                for fail_at in [usize::MAX, 0, 3, 4, 10, whole.len() - 1] {
                    let mut w = Stingy {
                        out: Vec::new(),
                        step,
                        calls: 0,
                        fail_at,
                        vectored,
                    };
                    let mut accepted = 0;
                    let outcome = write_parts_counting(&mut w, [header, payload, padding], &mut accepted);
                    let case = format!("step {step}, vectored {vectored}, fail at {fail_at}");
                    assert_eq!(accepted, w.out.len(), "{case}");
                    assert_eq!(w.out, whole[..accepted], "{case}");
                    if fail_at >= whole.len() {
                        assert!(outcome.is_ok(), "{case}");
                        assert_eq!(accepted, whole.len(), "{case}");
                    } else {
                        assert_eq!(outcome.unwrap_err().to_string(), "disk full", "{case}");
                        assert_eq!(accepted, fail_at, "{case}");
                    }
                }
            }
        }
        // A writer that takes nothing is an error, not a loop.
        let mut w = Stingy {
            out: Vec::new(),
            step: 0,
            calls: 0,
            fail_at: usize::MAX,
            vectored: true,
        };
        let err = write_parts_counting(&mut w, [header, payload, padding], &mut 0).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WriteZero);
    }

    /// A writer taking one byte per call.
    struct OneByte(Vec<u8>);
    impl Write for OneByte {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match buf.first() {
                Some(&b) => {
                    self.0.push(b);
                    Ok(1)
                }
                None => Ok(0),
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_all_counting_survives_one_byte_writers() {
        let mut w = OneByte(Vec::new());
        let mut accepted = 0;
        write_all_counting(&mut w, b"abcde", &mut accepted).unwrap();
        assert_eq!((&w.0[..], accepted), (&b"abcde"[..], 5));
        // An empty frame part is no write at all, not a writer making no
        // progress.
        write_all_counting(&mut w, b"", &mut 0).unwrap();
    }

    #[test]
    fn one_frame_helpers_round_trip_through_one_byte_io() {
        let mut w = OneByte(Vec::new());
        DefaultFramer.frame_and_write(&mut w, b"hello").unwrap();
        DefaultFramer.frame_and_write(&mut w, b"").unwrap();
        assert_eq!(w.0, b"\x05\0\0\0hello\0\0\0\0");
        let mut input = &w.0[..];
        let mut buffer = Vec::new();
        let d = DefaultDeframer::new();
        assert_eq!(d.read_and_deframe(&mut input, &mut buffer).unwrap(), Some(()));
        assert_eq!(buffer, b"hello");
        assert_eq!(d.read_and_deframe(&mut input, &mut buffer).unwrap(), Some(()));
        assert_eq!(buffer, b"");
        assert_eq!(d.read_and_deframe(&mut input, &mut buffer).unwrap(), None);
    }
}
