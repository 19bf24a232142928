//! Frame layouts: how a payload is wrapped on the way out and recognised on
//! the way in.
//!
//! The core is sans-IO. A [`Framer`] writes a header into a byte slice; a
//! [`Deframer`] decodes a frame from a byte slice. Neither touches `Read` or
//! `Write`, so the same logic drives [`StreamWriter`](crate::StreamWriter),
//! [`StreamReader`](crate::StreamReader), [`SliceReader`](crate::SliceReader)
//! (memory-mapped files) and any future async driver or codec.
//!
//! Wire formats of the built-in framers (see `docs/wire-format.md`):
//!
//! ```text
//! DefaultFramer:     [u32 LE payload length][payload]
//! ChecksumFramer<C>: [u32 LE payload length][C::size() bytes checksum, LE][payload]
//! ```
//!
//! Errors from the sans-IO functions carry offsets relative to the start of
//! the frame (0); drivers add the frame's position in the stream.

mod builtin;
mod checks;

use std::ops::Range;

use crate::buf::extend_zeroed;
use crate::error::{Error, Result};

pub use builtin::{ChecksumDeframer, ChecksumFramer, DefaultDeframer, DefaultFramer};
pub(crate) use checks::{
    check_len, header_checksum_mismatch, header_slot, header_too_long, len_refused, len_to_u32, len_within,
    padding_slice, payload_too_short, read_uint_le, rejected_header, wrong_header_buffer, zero_filled,
    zeroed_protected_header, U32_MAX_LEN,
};

/// The longest header any framer may declare. Writers keep the header on the
/// stack in an array of this size.
pub const MAX_HEADER_LEN: usize = 128;

/// The default largest payload a deframer accepts: 16 MiB.
///
/// A header claiming more is rejected with [`Error::FrameTooLarge`] before any
/// memory is reserved. Change it with `with_max_frame_len`.
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The smallest FlatBuffers payload: its 4-byte root offset. Derived
/// framings refuse shorter payloads (writing and reading), so a zero-filled
/// region, whose length fields read 0, never passes for a frame.
pub const MIN_FLATBUFFERS_LEN: usize = 4;

/// Writes frame headers. Sans-IO: see the [module docs](self).
///
/// A frame is `header_len()` header bytes, the payload, then
/// `padding_len(payload.len())` zero bytes.
pub trait Framer {
    /// The header length in bytes; fixed for a given framer and at most
    /// [`MAX_HEADER_LEN`].
    fn header_len(&self) -> usize;

    /// The largest payload this framer writes. Longer payloads are refused
    /// with [`Error::FrameTooLarge`] before anything is written.
    fn max_frame_len(&self) -> usize;

    /// Zero bytes written after a payload of `payload_len` bytes (used by
    /// framings that keep frames aligned). Zero by default.
    #[inline]
    fn padding_len(&self, payload_len: usize) -> usize {
        let _ = payload_len;
        0
    }

    /// Encodes the header of `payload` into `header`, which is exactly
    /// `header_len()` bytes long; every byte of it must be written (writers
    /// reuse the buffer).
    ///
    /// Fails, writing nothing of consequence, when the payload is too long
    /// for the header's length field or the framer's limit.
    fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()>;

    /// Appends the whole frame (header, payload, padding) to `out`. A
    /// packing framer ([`PACKS`](Self::PACKS)) packs `payload` as one
    /// message, straight into `out` behind room for the header.
    ///
    /// On error `out` is left as it was.
    #[inline]
    fn encode_frame(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if Self::PACKS {
            return append_packed_frame(self, out, |out| {
                self.pack(payload, Packing::Message, out).map(|()| true)
            })
            .map(drop);
        }
        // One reservation; the header is written in place (building it on
        // the stack and copying it over reloads freshly stored bytes, which
        // stalls store forwarding), and taken back out on an error.
        let header_len = self.header_len();
        if header_len > MAX_HEADER_LEN {
            return Err(header_too_long(header_len));
        }
        let padding = padding_slice(self.padding_len(payload.len()))?;
        let start = out.len();
        out.reserve(MAX_HEADER_LEN + payload.len() + padding.len());
        extend_zeroed(out, header_len);
        if let Err(e) = self.encode_header(payload, &mut out[start..]) {
            out.truncate(start);
            return Err(e);
        }
        out.extend_from_slice(payload);
        out.extend_from_slice(padding);
        Ok(())
    }

    /// Whether this framer packs messages (compresses them, alone or in
    /// blocks) before framing them, as
    /// [`CompressedFramer`](crate::compress::CompressedFramer) does: the
    /// writers then pass every message through [`pack`](Self::pack) and
    /// frame what it gives. `false` for framers that frame payloads as
    /// they are.
    const PACKS: bool = false;

    /// For a packing framer: bytes of messages (uncompressed) a writer
    /// groups into one block before packing it; 0 packs each message on its
    /// own.
    #[inline]
    fn block_len(&self) -> usize {
        0
    }

    /// For a packing framer: appends to `out` the payload packed from
    /// `content`, one message or (with [`Packing::Block`]) block entries.
    /// Framers that do not pack refuse.
    fn pack(&self, content: &[u8], packing: Packing, out: &mut Vec<u8>) -> Result<()> {
        let _ = (content, packing, out);
        Err(Error::InvalidConfig {
            reason: "this framer does not pack payloads".into(),
        })
    }

    /// For a framing whose streams end with a frame of their own (an
    /// encrypted stream's final frame): appends that frame's payload to
    /// `out` and returns `true`; writers call it from `finish`, and refuse
    /// writes after it. `false`, the default: streams just end.
    fn end_payload(&self, out: &mut Vec<u8>) -> Result<bool> {
        let _ = out;
        Ok(false)
    }
}

/// The methods of a packing [`Framer`] that are its inner framer's (in
/// field `inner`): the frame around a packed payload is the inner
/// framing's.
macro_rules! frame_like_inner_framer {
    () => {
        #[inline]
        fn header_len(&self) -> usize {
            self.inner.header_len()
        }

        /// The inner framer's limit, on the packed payload.
        #[inline]
        fn max_frame_len(&self) -> usize {
            self.inner.max_frame_len()
        }

        #[inline]
        fn padding_len(&self, payload_len: usize) -> usize {
            self.inner.padding_len(payload_len)
        }

        /// The inner framer's header for `payload`, which must already be
        /// packed (writers pack through [`pack`](Framer::pack) first).
        #[inline]
        fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()> {
            self.inner.encode_header(payload, header)
        }
    };
}
pub(crate) use frame_like_inner_framer;

/// Appends to `out` the frame of the payload `pack` appends: room for the
/// header, the payload packed straight behind it (so it is not copied
/// again), then the header written in front of it and the padding after.
/// `pack` returns whether it made a payload; when it did not, or on an
/// error, `out` is as it was. The header is `framer`'s for the packed
/// payload: a packing framer's is its inner framer's.
pub(crate) fn append_packed_frame<F: Framer + ?Sized>(
    framer: &F,
    out: &mut Vec<u8>,
    pack: impl FnOnce(&mut Vec<u8>) -> Result<bool>,
) -> Result<bool> {
    let header_len = framer.header_len();
    if header_len > MAX_HEADER_LEN {
        return Err(header_too_long(header_len));
    }
    let start = out.len();
    extend_zeroed(out, header_len);
    let packed = pack(out);
    if !matches!(packed, Ok(true)) {
        out.truncate(start);
        return packed;
    }
    let (header, payload) = out[start..].split_at_mut(header_len);
    let framed = framer
        .encode_header(payload, header)
        .and_then(|()| padding_slice(framer.padding_len(payload.len())));
    match framed {
        Ok(padding) => {
            out.extend_from_slice(padding);
            Ok(true)
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// The methods of a packing [`Deframer`] that are its inner deframer's (in
/// field `inner`): frames are found and checked by the inner framing, and
/// only their payloads unpacked.
macro_rules! deframe_like_inner_deframer {
    () => {
        #[inline]
        fn header_len(&self) -> usize {
            self.inner.header_len()
        }

        /// The inner deframer's limit, on the packed payload.
        #[inline]
        fn max_frame_len(&self) -> usize {
            self.inner.max_frame_len()
        }

        #[inline]
        fn validates_header(&self) -> bool {
            self.inner.validates_header()
        }

        /// The inner deframer's answer: what unpacking checks (a tag, a
        /// content checksum) is checked when a payload is unpacked, not when
        /// the scanner weighs a tail as torn or as a corrupt length.
        #[inline]
        fn validates_payload(&self) -> bool {
            self.inner.validates_payload()
        }

        #[inline]
        fn padding_len(&self, payload_len: usize) -> usize {
            self.inner.padding_len(payload_len)
        }

        #[inline]
        fn decode_header(&self, header: &[u8]) -> Result<usize> {
            self.inner.decode_header(header)
        }

        #[inline]
        fn verify(&self, header: &[u8], payload: &[u8]) -> Result<()> {
            self.inner.verify(header, payload)
        }

        #[inline]
        fn decode_frame(&self, input: &[u8]) -> Result<Decoded> {
            self.inner.decode_frame(input)
        }
    };
}
pub(crate) use deframe_like_inner_deframer;

/// What a packed payload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// One message.
    Message,
    /// A block of entries `[length: LEB128 u32][message]`.
    Block,
}

/// What [`Deframer::unpack`] put at the start of its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpacked {
    /// One message or a block of them.
    pub packing: Packing,
    /// Bytes of it at the start of the buffer (the buffer may be longer).
    pub len: usize,
}

/// Where a complete frame sits in the input given to
/// [`Deframer::decode_frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole, verified frame starts the input.
    Frame {
        /// The payload's byte range within the input.
        payload: Range<usize>,
        /// Bytes the frame occupies (header, payload and padding): where the
        /// next frame starts.
        frame_len: usize,
    },
    /// The input holds only the start of a frame: `needed` bytes in all are
    /// required before it can be decoded (a lower bound while the header is
    /// incomplete).
    Incomplete {
        /// Total bytes the frame needs from the start of the input.
        needed: usize,
    },
}

/// Decodes the frame at the start of `input`, as
/// [`Deframer::decode_frame`] does; without `VERIFY`, from its header alone:
/// the header is decoded (and with it its magic, header checksum and length
/// limit checked), the payload and padding are not looked at. The batch
/// codec walks frames it has already verified that way.
#[inline(always)]
pub(crate) fn decode_frame_with<D: Deframer + ?Sized, const VERIFY: bool>(
    deframer: &D,
    input: &[u8],
) -> Result<Decoded> {
    let header_len = deframer.header_len();
    let Some(header) = input.get(..header_len) else {
        return Ok(Decoded::Incomplete { needed: header_len });
    };
    let payload_len = deframer.decode_header(header)?;
    let frame_len = header_len
        .checked_add(payload_len)
        .and_then(|n| n.checked_add(deframer.padding_len(payload_len)))
        // `ok_or_else`, not `ok_or`: an `Error` built eagerly was dropped
        // again for every frame, through a call (1.5x the sync read time).
        .ok_or_else(|| Error::FrameTooLarge {
            offset: 0,
            len: payload_len as u64,
            max: deframer.max_frame_len() as u64,
        })?;
    if input.len() < frame_len {
        return Ok(Decoded::Incomplete { needed: frame_len });
    }
    let payload = header_len..header_len + payload_len;
    if VERIFY {
        deframer.verify(header, &input[payload.clone()])?;
        if input[payload.end..frame_len].iter().any(|&b| b != 0) {
            return Err(Error::InvalidFrame {
                offset: 0,
                reason: crate::error::FrameDefect::NonZeroPadding,
            });
        }
    }
    Ok(Decoded::Frame { payload, frame_len })
}

/// Recognises frames. Sans-IO: see the [module docs](self).
pub trait Deframer {
    /// The header length in bytes; fixed for a given deframer.
    fn header_len(&self) -> usize;

    /// The largest payload accepted. A header declaring more is refused with
    /// [`Error::FrameTooLarge`] before the payload is read.
    fn max_frame_len(&self) -> usize;

    /// Whether a header can be checked on its own (a magic, or a checksum
    /// over the header): what resynchronisation after damage needs.
    #[inline]
    fn validates_header(&self) -> bool {
        false
    }

    /// Whether payloads carry a checksum, so damage cannot pass for data.
    #[inline]
    fn validates_payload(&self) -> bool {
        false
    }

    /// Zero bytes that follow a payload of `payload_len` bytes. Zero by
    /// default.
    #[inline]
    fn padding_len(&self, payload_len: usize) -> usize {
        let _ = payload_len;
        0
    }

    /// Decodes a header (exactly `header_len()` bytes) to the payload length
    /// it declares, refusing lengths above [`max_frame_len`](Self::max_frame_len)
    /// and malformed headers.
    fn decode_header(&self, header: &[u8]) -> Result<usize>;

    /// Checks a complete frame's payload against its header (e.g. the
    /// checksum). Accepts everything by default.
    #[inline]
    fn verify(&self, header: &[u8], payload: &[u8]) -> Result<()> {
        let _ = (header, payload);
        Ok(())
    }

    /// Decodes the frame at the start of `input`.
    ///
    /// Returns where its payload is, or how many bytes it needs when `input`
    /// is too short. Never reads past `input`, never allocates, never panics.
    // Inlined into every reader's loop: left to the heuristics, it stopped
    // being inlined once a second caller appeared, and reading 64-byte
    // frames took 1.6x as long.
    #[inline(always)]
    fn decode_frame(&self, input: &[u8]) -> Result<Decoded> {
        decode_frame_with::<Self, true>(self, input)
    }

    /// Whether frames carry packed payloads (compressed messages or
    /// blocks) that must be unpacked with [`unpack`](Self::unpack) into the
    /// reader's buffer before use, as
    /// [`CompressedDeframer`](crate::compress::CompressedDeframer)'s do.
    const PACKED: bool = false;

    /// For a packing deframer: unpacks a verified frame's payload into the
    /// start of `out` (grown as needed, to at most the deframer's limit,
    /// which is checked before anything is allocated). Errors carry offset
    /// 0; the readers add the frame's. Deframers that do not pack refuse.
    fn unpack(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<Unpacked> {
        let _ = (payload, out);
        Err(Error::InvalidConfig {
            reason: "this deframer does not unpack payloads".into(),
        })
    }

    /// Called by the readers when the input ends cleanly on a frame
    /// boundary: a framing whose streams end with a frame of their own (an
    /// encrypted stream's final frame) refuses an end without it, with an
    /// error at offset 0 (the readers add the end's). `Ok` by default.
    fn end_of_stream(&self) -> Result<()> {
        Ok(())
    }

    /// After a frame was unpacked: something the readers must report about
    /// it although its messages are good (frames missing before it), with
    /// offset 0. `None` by default.
    fn take_notice(&self) -> Option<Error> {
        None
    }
}
