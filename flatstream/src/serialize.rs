//! Turning values into payloads.

use flatbuffers::FlatBufferBuilder;

use crate::error::{Error, Result};
use crate::table_writer::{self, BytesOut};

/// The largest buffer the `flatbuffers` builder can produce (2 GiB - 1);
/// anything longer makes it panic, so we refuse it first.
pub(crate) const MAX_FLATBUFFER_LEN: usize = i32::MAX as usize;

/// A value that can be written as one frame's payload.
///
/// Implement [`serialize`](Self::serialize) to build a FlatBuffers message
/// (and `finish` it); the writer hands you a builder it resets and reuses, so
/// serializing allocates nothing once the builder has grown.
/// `#[derive(StreamSerialize)]` writes this for you, and also overrides
/// [`encode`](Self::encode) with a table writer generated for the type's
/// layout, which skips the builder (several times faster, same fields).
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

    /// The payload bytes of this value, built in `encoder`'s reused buffers.
    ///
    /// The default resets the encoder's builder, calls
    /// [`serialize`](Self::serialize) and returns the finished buffer.
    /// Types that can write their bytes faster override it: derived messages
    /// write their table directly into [`Encoder::buffer`], and
    /// [`RawPayload`] returns its bytes as they are.
    #[inline]
    fn encode<'a>(&'a self, encoder: &'a mut Encoder) -> Result<&'a [u8]> {
        let builder = &mut encoder.builder;
        builder.reset();
        self.serialize(builder)?;
        // `finished_data` panics on an unfinished builder; a forgotten
        // `finish` is the implementation's bug, but must not crash the writer.
        Ok(builder.unfinished_data())
    }

    /// Appends this value's payload to `out`, for types that write their
    /// bytes themselves; the default, for the others, returns `Ok(false)`
    /// and leaves `out` alone (callers then use [`encode`](Self::encode)).
    ///
    /// Writers call it with `out` holding room for the frame header, and the
    /// codec with its `BytesMut`, so the payload lands right behind the
    /// header and the frame is never copied. `out.len()` is what precedes
    /// the payload: FlatBuffers alignment counts from where the payload
    /// starts. On an error, `out` may have grown: the caller discards it.
    /// Derived messages and strings implement it.
    #[inline]
    fn encode_into(&self, out: &mut PayloadSink<'_>) -> Result<bool> {
        let _ = out;
        Ok(false)
    }
}

/// Where [`StreamSerialize::encode_into`] appends a payload: a writer's
/// buffer, or (feature `tokio`) a codec's `BytesMut`. It only grows: what
/// precedes the payload (room for the header, earlier frames) is not the
/// implementation's to change.
///
/// ```
/// use flatstream::{PayloadSink, StreamSerialize};
/// let mut buf = b"head".to_vec();
/// assert!("hi".encode_into(&mut PayloadSink::new(&mut buf))?);
/// assert_eq!(&buf[..4], b"head"); // the payload follows what was there
/// # Ok::<(), flatstream::Error>(())
/// ```
pub struct PayloadSink<'a> {
    pub(crate) target: SinkTarget<'a>,
}

/// The buffer behind a [`PayloadSink`]. Without the `tokio` feature
/// `BytesOut` has no values, so the second arm can never be taken.
pub(crate) enum SinkTarget<'a> {
    Vec(&'a mut Vec<u8>),
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    Bytes(&'a mut BytesOut),
}

impl<'a> PayloadSink<'a> {
    /// A sink appending to `buf`.
    #[inline]
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        PayloadSink {
            target: SinkTarget::Vec(buf),
        }
    }

    /// A sink appending to a codec's buffer.
    #[cfg(feature = "tokio")]
    #[inline]
    pub(crate) fn bytes(buf: &'a mut bytes::BytesMut) -> Self {
        PayloadSink {
            target: SinkTarget::Bytes(buf),
        }
    }

    /// Bytes in the buffer: what precedes the payload, and what was
    /// appended since.
    #[inline]
    pub fn len(&self) -> usize {
        match &self.target {
            SinkTarget::Vec(v) => v.len(),
            SinkTarget::Bytes(b) => table_writer::bytes_len(b),
        }
    }

    /// Whether the buffer is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `bytes`.
    #[inline]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        match &mut self.target {
            SinkTarget::Vec(v) => v.extend_from_slice(bytes),
            SinkTarget::Bytes(b) => table_writer::extend_bytes(b, bytes),
        }
    }
}

/// Serializers that write to an `io::Write` (serde formats) append the
/// payload; writing never fails.
impl std::io::Write for PayloadSink<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
    #[inline]
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Debug for PayloadSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayloadSink").field("len", &self.len()).finish()
    }
}

impl<T: StreamSerialize + ?Sized> StreamSerialize for &T {
    #[inline]
    fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()> {
        (**self).serialize(builder)
    }
    #[inline]
    fn encode<'a>(&'a self, encoder: &'a mut Encoder) -> Result<&'a [u8]> {
        (**self).encode(encoder)
    }
    #[inline]
    fn encode_into(&self, out: &mut PayloadSink<'_>) -> Result<bool> {
        (**self).encode_into(out)
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
    fn encode<'a>(&'a self, encoder: &'a mut Encoder) -> Result<&'a [u8]> {
        encoder.buffer.clear();
        table_writer::append_root_string(&mut encoder.buffer, self)?;
        Ok(&encoder.buffer)
    }
    #[inline]
    fn encode_into(&self, out: &mut PayloadSink<'_>) -> Result<bool> {
        table_writer::encode_string_into(out, self)
    }
}

impl StreamSerialize for String {
    #[inline]
    fn serialize(&self, builder: &mut FlatBufferBuilder) -> Result<()> {
        self.as_str().serialize(builder)
    }
    #[inline]
    fn encode<'a>(&'a self, encoder: &'a mut Encoder) -> Result<&'a [u8]> {
        self.as_str().encode(encoder)
    }
    #[inline]
    fn encode_into(&self, out: &mut PayloadSink<'_>) -> Result<bool> {
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
    /// [`Error::Serialize`]. Writers call [`encode`](StreamSerialize::encode),
    /// which returns the bytes unchanged.
    fn serialize(&self, _builder: &mut FlatBufferBuilder) -> Result<()> {
        Err(Error::Serialize {
            reason: "RawPayload is already encoded; write it with StreamWriter::write, which \
                     frames its bytes as they are"
                .into(),
        })
    }
    #[inline]
    fn encode<'a>(&'a self, _encoder: &'a mut Encoder) -> Result<&'a [u8]> {
        Ok(self.0)
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
    fn raw_payload_bypasses_the_builder() {
        let mut b = Encoder::new();
        let raw = RawPayload(b"\xff\x00");
        assert_eq!(raw.encode(&mut b).unwrap(), b"\xff\x00");
        assert!(matches!(raw.serialize(b.builder()), Err(Error::Serialize { .. })));
        assert_eq!(StreamSerialize::encode(&&raw, &mut b).unwrap(), b"\xff\x00");
    }
}
