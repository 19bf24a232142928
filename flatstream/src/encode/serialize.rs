//! Turning values into payloads.

use flatbuffers::FlatBufferBuilder;

use crate::buf::extend_zeroed;
pub use crate::buf::PayloadBuf;
use crate::encode::out::MAX_FLATBUFFER_LEN;
pub use crate::encode::sink::PayloadSink;
use crate::encode::table_writer;
use crate::error::{Error, Result};
use crate::framing::{header_too_long, padding_slice, Framer, MAX_HEADER_LEN};

/// A value that can be written as one frame's payload.
///
/// Implement [`serialize`](Self::serialize) to build a FlatBuffers message
/// (and `finish` it); the writer hands you a builder it resets and reuses, so
/// serializing allocates nothing once the builder has grown.
/// `#[derive(StreamSerialize)]` writes this for you, and also overrides
/// [`encode_into`](Self::encode_into) with a table writer generated for the
/// type's layout, which skips the builder (several times faster, same
/// fields).
///
/// ```
/// use flatstream::{Result, StreamSerialize};
/// use flatbuffers::FlatBufferBuilder;
///
/// struct Greeting { text: String }
///
/// impl StreamSerialize for Greeting {
///     fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()> {
///         let text = builder.create_string(&self.text);
///         builder.finish(text, None);
///         Ok(())
///     }
/// }
/// # let mut w = flatstream::StreamWriter::new(Vec::new(), flatstream::DefaultFramer);
/// # w.write(&Greeting { text: "hi".into() }).unwrap();
/// ```
pub trait StreamSerialize {
    /// Builds this value's FlatBuffers message in `builder` and finishes it.
    fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()>;

    /// Appends this value's payload to `out`: the one way writers and codecs
    /// encode a value.
    ///
    /// The default builds the message with [`serialize`](Self::serialize)
    /// in the writer's reused builder and appends the finished bytes. Types
    /// that write their bytes themselves override it: derived messages
    /// write their table straight into `out`, strings and [`RawPayload`]
    /// append their bytes, serde payloads serialize into it.
    ///
    /// Writers call it with `out` holding room for the frame header, and
    /// the codec with its `BytesMut`, so the payload lands right behind the
    /// header. `out.len()` is what precedes the payload: FlatBuffers
    /// alignment counts from where the payload starts. On an error, `out`
    /// may have grown: the caller discards it.
    #[inline]
    fn encode_into<B: PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
        out.append_built(|builder| self.serialize(builder))
    }

    /// The payload itself, when this value already is one as bytes (as
    /// [`RawPayload`] is): a writer then frames it where it is, sending the
    /// header and these bytes without first copying them into its own
    /// buffer. `None`, the default, for values that are encoded. A type
    /// returning `Some` must append exactly these bytes in
    /// [`encode_into`](Self::encode_into), which the other paths use.
    #[inline]
    fn as_built_payload(&self) -> Option<&[u8]> {
        None
    }

    /// This value's payload, encoded (through
    /// [`encode_into`](Self::encode_into)) in `encoder`'s reused buffers: a
    /// convenience for code that wants the bytes, not an override point.
    #[inline]
    fn encode<'a>(&self, encoder: &'a mut Encoder) -> Result<&'a [u8]> {
        let Encoder { builder, buffer } = encoder;
        buffer.clear();
        self.encode_into(&mut PayloadSink::with_builder(buffer, builder))?;
        Ok(buffer)
    }
}

impl<T: StreamSerialize + ?Sized> StreamSerialize for &T {
    #[inline]
    fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()> {
        (**self).serialize(builder)
    }
    #[inline]
    fn encode_into<B: PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
        (**self).encode_into(out)
    }
    #[inline]
    fn as_built_payload(&self) -> Option<&[u8]> {
        (**self).as_built_payload()
    }
}

/// The reusable buffers payloads are encoded in: a `FlatBufferBuilder` for
/// [`StreamSerialize::serialize`], and a byte buffer for encoders that write
/// bytes themselves. Every writer owns one; once they have grown to the
/// largest message, encoding allocates nothing.
///
/// ```
/// use flatstream::{Encoder, StreamSerialize};
/// let mut encoder = Encoder::new();
/// let payload = "hello".encode(&mut encoder)?;
/// assert_eq!(payload, b"\x04\0\0\0\x05\0\0\0hello\0\0\0");
/// # Ok::<(), flatstream::Error>(())
/// ```
#[derive(Default)]
pub struct Encoder {
    builder: FlatBufferBuilder<'static>,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("buffer_capacity", &self.buffer.capacity())
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// Empty buffers; they grow with the first messages.
    pub fn new() -> Self {
        Encoder::default()
    }

    /// The builder, as [`serialize`](StreamSerialize::serialize) receives it
    /// (not reset: call `reset` before building a new message).
    pub fn builder(&mut self) -> &mut FlatBufferBuilder<'static> {
        &mut self.builder
    }

    /// The byte buffer, for an [`encode`](StreamSerialize::encode) that writes
    /// the payload itself (it holds the previous payload: clear it first).
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buffer
    }

    /// Serializes `item` and appends its whole frame (header, payload,
    /// padding) to `out`, framed by `framer`: the sans-IO way to write
    /// messages into memory. The payload is encoded straight into `out`
    /// behind room for the header, which is then written in front of it, so
    /// nothing is copied (a [`StreamWriter`](crate::StreamWriter) over a
    /// `Vec` encodes each payload into its own buffer and hands it to the
    /// `Vec`: one copy more, a few percent of the time for the telemetry
    /// message, `docs/performance.md`). A packing framer (compressing, encrypting)
    /// packs the message as one frame; an encrypted stream then ends with
    /// [`FramerIo::end_and_write`](crate::FramerIo::end_and_write) (its
    /// final frame). Returns the frame's length; on an
    /// error `out` is as it was, and a payload the framing cannot carry is
    /// refused with [`Error::FrameTooLarge`] (offsets are from the frame's
    /// start).
    ///
    /// ```
    /// use flatstream::{ChecksumDeframer, ChecksumFramer, Crc32c, Encoder, SliceReader};
    /// let (mut encoder, framer) = (Encoder::new(), ChecksumFramer::new(Crc32c::new()));
    /// let mut out = Vec::new();
    /// encoder.append_frame(&framer, "hello", &mut out)?;
    /// encoder.append_frame(&framer, "world", &mut out)?;
    /// let mut r = SliceReader::new(&out, ChecksumDeframer::new(Crc32c::new()));
    /// assert_eq!(flatbuffers::root::<&str>(r.read_message()?.unwrap()).unwrap(), "hello");
    /// # Ok::<(), flatstream::Error>(())
    /// ```
    #[inline]
    pub fn append_frame<F: Framer, T: StreamSerialize + ?Sized>(
        &mut self,
        framer: &F,
        item: &T,
        out: &mut Vec<u8>,
    ) -> Result<usize> {
        if F::PACKS {
            let start = out.len();
            self.buffer.clear();
            item.encode_into(&mut PayloadSink::with_builder(
                &mut self.buffer,
                &mut self.builder,
            ))?;
            framer.encode_frame(&self.buffer, out)?;
            return Ok(out.len() - start);
        }
        append_frame(framer, &mut self.builder, item, out)
    }
}

/// Serializes `item` and appends its frame, as `framer` frames it, to `out`
/// (a framer that does not pack): encoded straight into `out` behind room
/// for the header, which is then written in front of it, so nothing is
/// copied. Returns the frame's length; on an error `out` is as it was.
#[inline]
pub(crate) fn append_frame<F: Framer, T: StreamSerialize + ?Sized, B: PayloadBuf>(
    framer: &F,
    builder: &mut FlatBufferBuilder<'static>,
    item: &T,
    out: &mut B,
) -> Result<usize> {
    debug_assert!(
        !F::PACKS,
        "a packing framer's messages are packed, not framed as they are"
    );
    let header_len = framer.header_len();
    if header_len > MAX_HEADER_LEN {
        return Err(header_too_long(header_len));
    }
    let start = out.len();
    // Room for the header (the framer writes every byte of it).
    extend_zeroed(out, header_len);
    if let Err(e) = item.encode_into(&mut PayloadSink::with_builder(out, builder)) {
        out.cut(start);
        return Err(e);
    }
    let (header, payload) = out[start..].split_at_mut(header_len);
    let framed = framer
        .encode_header(payload, header)
        .and_then(|()| padding_slice(framer.padding_len(payload.len())));
    let padding = framed.inspect_err(|_| out.cut(start))?;
    out.append(padding);
    Ok(out.len() - start)
}

/// A string is written as a FlatBuffers buffer whose root is the string
/// (the layout `flatstream-rs` 0.2 used, so its files read back as strings).
impl StreamSerialize for str {
    fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()> {
        // Length prefix, terminator, padding and root offset fit in 16 bytes.
        if self.len() > MAX_FLATBUFFER_LEN - 16 {
            return Err(Error::Serialize {
                reason: format!(
                    "a {}-byte string does not fit a FlatBuffers buffer (2 GiB at most)",
                    self.len()
                )
                .into(),
            });
        }
        let text = builder.create_string(self);
        builder.finish(text, None);
        Ok(())
    }

    /// The same bytes as [`serialize`](Self::serialize), written without
    /// the builder.
    #[inline]
    fn encode_into<B: PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
        table_writer::append_root_string(out.buf(), self)
    }
}

impl StreamSerialize for String {
    #[inline]
    fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()> {
        self.as_str().serialize(builder)
    }
    #[inline]
    fn encode_into<B: PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
        self.as_str().encode_into(out)
    }
}

/// Bytes that are already a finished payload (from any encoder, or a
/// `FlatBufferBuilder` you drive yourself): framed exactly as they are.
///
/// ```
/// use flatstream::{DefaultFramer, RawPayload, StreamWriter};
/// let mut w = StreamWriter::new(Vec::new(), DefaultFramer);
/// w.write(&RawPayload(b"any bytes"))?;
/// assert_eq!(w.into_inner(), b"\x09\0\0\0any bytes");
/// # Ok::<(), flatstream::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawPayload<'a>(pub &'a [u8]);

impl StreamSerialize for RawPayload<'_> {
    /// Raw bytes have no FlatBuffers form of their own: this returns
    /// [`Error::Serialize`]. Writers call
    /// [`encode_into`](StreamSerialize::encode_into), which appends the
    /// bytes unchanged.
    fn serialize(&self, _builder: &mut FlatBufferBuilder) -> Result<()> {
        Err(Error::Serialize {
            reason: "RawPayload is already encoded; write it with StreamWriter::write, which \
                     frames its bytes as they are"
                .into(),
        })
    }
    #[inline]
    fn encode_into<B: PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
        out.extend_from_slice(self.0);
        Ok(())
    }
    #[inline]
    fn as_built_payload(&self) -> Option<&[u8]> {
        Some(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_match_the_flatstream_rs_layout() {
        let mut b = Encoder::new();
        assert_eq!(
            "hello".encode(&mut b).unwrap(),
            [4, 0, 0, 0, 5, 0, 0, 0, b'h', b'e', b'l', b'l', b'o', 0, 0, 0]
        );
        // The builder is reset between messages.
        assert_eq!(
            String::new().encode(&mut b).unwrap(),
            [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn raw_payload_is_its_bytes() {
        let mut b = Encoder::new();
        let raw = RawPayload(b"\xff\x00");
        assert_eq!(raw.encode(&mut b).unwrap(), b"\xff\x00");
        assert!(matches!(raw.serialize(b.builder()), Err(Error::Serialize { .. })));
        assert_eq!(StreamSerialize::encode(&&raw, &mut b).unwrap(), b"\xff\x00");
    }
}
