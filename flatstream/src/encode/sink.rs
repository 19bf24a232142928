//! Where a payload is appended: [`PayloadSink`].

use flatbuffers::FlatBufferBuilder;

use crate::buf::PayloadBuf;
use crate::error::Result;

/// Where [`StreamSerialize::encode_into`](crate::StreamSerialize::encode_into) appends a payload: a writer's
/// buffer, or a codec's `BytesMut`, with the writer's reused
/// `FlatBufferBuilder` for payloads built with one. It only grows: what
/// precedes the payload (room for the header, earlier frames) is not the
/// implementation's to change.
///
/// ```
/// use flatstream::{PayloadSink, StreamSerialize};
/// let mut buf = b"head".to_vec();
/// "hi".encode_into(&mut PayloadSink::new(&mut buf))?;
/// assert_eq!(&buf[..4], b"head"); // the payload follows what was there
/// # Ok::<(), flatstream::Error>(())
/// ```
pub struct PayloadSink<'a, B: PayloadBuf = Vec<u8>> {
    buf: &'a mut B,
    /// The writer's builder; `None`: one is made when a payload needs it.
    builder: Option<&'a mut FlatBufferBuilder<'static>>,
}

impl<'a, B: PayloadBuf> PayloadSink<'a, B> {
    /// A sink appending to `buf` (a payload built with a
    /// `FlatBufferBuilder` gets a new builder).
    #[inline]
    pub fn new(buf: &'a mut B) -> Self {
        PayloadSink { buf, builder: None }
    }

    /// A sink appending to `buf`, building payloads in `builder`.
    #[inline]
    pub(crate) fn with_builder(buf: &'a mut B, builder: &'a mut FlatBufferBuilder<'static>) -> Self {
        PayloadSink {
            buf,
            builder: Some(builder),
        }
    }

    /// Bytes in the buffer: what precedes the payload, and what was
    /// appended since.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the buffer is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Appends `bytes`.
    #[inline]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.buf.append(bytes);
    }

    /// Builds a message with `build` in the sink's builder (reset first)
    /// and appends the finished bytes.
    #[inline]
    pub fn append_built(
        &mut self,
        build: impl FnOnce(&mut FlatBufferBuilder<'static>) -> Result<()>,
    ) -> Result<()> {
        let mut own;
        let builder = match self.builder.as_deref_mut() {
            Some(builder) => builder,
            None => {
                own = FlatBufferBuilder::new();
                &mut own
            }
        };
        builder.reset();
        build(builder)?;
        // `finished_data` panics on an unfinished builder; a forgotten
        // `finish` is the implementation's bug, but must not crash the writer.
        self.buf.append(builder.unfinished_data());
        Ok(())
    }

    /// The buffer, for the table writer (which only appends to it).
    #[inline(always)]
    pub(crate) fn buf(&mut self) -> &mut B {
        self.buf
    }
}

/// Serializers that write to an `io::Write` (serde formats) append the
/// payload; writing never fails.
impl<B: PayloadBuf> std::io::Write for PayloadSink<'_, B> {
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

impl<B: PayloadBuf> std::fmt::Debug for PayloadSink<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayloadSink").field("len", &self.len()).finish()
    }
}
