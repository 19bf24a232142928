//! The one error type of the crate.
//!
//! Every failure a reader or writer can meet is a variant here, with the byte
//! offset of the frame it concerns, so a user can tell *what* went wrong,
//! *where* in the stream, and what to do about it. Nothing in this crate panics
//! on bad input: hostile bytes end in one of these values.

use std::borrow::Cow;
use std::fmt;
use std::io;

/// The result type of every fallible operation in `flatstream`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while framing, writing or reading a stream.
///
/// `offset` fields are byte positions in the stream, counted from the first
/// byte the reader (or writer) saw; for frame errors they point at the frame's
/// first header byte, so `offset` is where a repair tool would cut.
///
/// The enum is `#[non_exhaustive]`: match the variants you handle and keep a
/// `_` arm for the rest.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The underlying reader or writer failed.
    Io(io::Error),
    /// The stream ended inside a frame: the header or the payload is cut short.
    UnexpectedEof {
        /// Offset of the first header byte of the cut frame.
        offset: u64,
        /// Bytes the frame needs from `offset` on (the header alone while the
        /// header is incomplete, else header, payload and padding).
        needed: u64,
        /// Bytes that were present from `offset` to the end of the stream.
        available: u64,
    },
    /// The checksum stored in a frame does not match its payload.
    ChecksumMismatch {
        /// Offset of the first header byte of the damaged frame.
        offset: u64,
        /// The checksum stored in the frame header.
        expected: u64,
        /// The checksum computed over the bytes that arrived.
        calculated: u64,
    },
    /// A frame's length is above the limit, or (when writing) does not fit
    /// the header's length field.
    ///
    /// Readers return this from the header alone, before any buffer grows.
    FrameTooLarge {
        /// Offset of the first header byte of the frame.
        offset: u64,
        /// The payload length the header declares (reading) or the payload
        /// has (writing).
        len: u64,
        /// The largest payload length accepted.
        max: u64,
    },
    /// A frame header is malformed in a way other than its length.
    InvalidFrame {
        /// Offset of the first header byte of the frame.
        offset: u64,
        /// What is wrong with it.
        reason: FrameDefect,
    },
    /// A payload is not a valid FlatBuffers buffer of the expected type (the
    /// verifier rejected it: out-of-bounds offsets, bad alignment, invalid
    /// UTF-8, too deep, too many tables, ...).
    InvalidFlatBuffer {
        /// Offset of the first header byte of the frame (0 for a payload
        /// viewed on its own).
        offset: u64,
        /// What the verifier found (boxed: it is large, and keeping `Error`
        /// small keeps every `Result` on the hot paths small).
        source: Box<flatbuffers::InvalidFlatbuffer>,
    },
    /// A required field (a string, vector or table without a default) is
    /// absent from a payload.
    MissingField {
        /// Offset of the first header byte of the frame.
        offset: u64,
        /// The field, as `Type.field`.
        field: Cow<'static, str>,
    },
    /// An enum field holds a value that is none of the enum's variants.
    InvalidEnumValue {
        /// Offset of the first header byte of the frame.
        offset: u64,
        /// The enum type.
        enum_name: &'static str,
        /// The value found.
        value: i128,
    },
    /// A reader or writer was configured with options that do not go
    /// together (e.g. `SkipCorrupt` for a framing that cannot validate a
    /// header).
    InvalidConfig {
        /// What is wrong and what to do instead.
        reason: Cow<'static, str>,
    },
    /// A [`StreamSerialize`](crate::StreamSerialize) implementation could not
    /// produce its payload.
    Serialize {
        /// What went wrong.
        reason: Cow<'static, str>,
    },
    /// A payload is not a valid encoding of the type read, in a serde format
    /// (feature `serde`: `Postcard<T>`, `Json<T>`, `MsgPack<T>`, ...).
    Decode {
        /// Offset of the first header byte of the frame (0 for a payload
        /// decoded on its own).
        offset: u64,
        /// The format's name (`SerdeFormat::NAME`).
        format: &'static str,
        /// What the format's decoder said.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What is wrong with a frame reported as [`Error::InvalidFrame`]. Built
/// without allocating, since a reader resynchronising after damage meets one
/// at every byte it skips.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameDefect {
    /// The frame does not start with the framing's magic bytes.
    MagicMismatch {
        /// The magic the framing expects.
        expected: &'static [u8],
        /// The bytes found instead (the first `expected.len()` of them).
        found: [u8; 8],
    },
    /// The checksum over the header (magic and length) does not match: the
    /// length cannot be trusted.
    HeaderChecksumMismatch {
        /// The checksum stored in the header.
        stored: u64,
        /// The checksum computed over the header bytes.
        computed: u64,
    },
    /// Padding bytes (in the header or after the payload) are not zero.
    NonZeroPadding,
    /// Under `TolerateTornTail`: the last frame claims more bytes than the
    /// input holds, but a complete valid frame starts inside them, so the
    /// length is corrupt (reading on as if the write was torn would drop
    /// that frame).
    CorruptLength {
        /// Bytes the frame claims (header, payload, padding).
        claimed: u64,
        /// Bytes present from the frame's start to the end of the input.
        available: u64,
        /// Stream offset of the valid frame found inside them.
        valid_frame_at: u64,
    },
    /// The payload is shorter than the framing allows (see
    /// `with_min_payload_len`; a derived framing's payload is a FlatBuffers
    /// buffer, at least its 4-byte root offset).
    PayloadTooShort {
        /// The payload length the header declares (reading) or the payload
        /// has (writing).
        len: u64,
        /// The smallest payload length accepted.
        min: u64,
    },
    /// The header is all zero bytes, which no frame of this framing has: a
    /// zero-filled region (a preallocated or extended file, a lost block),
    /// not a frame.
    ZeroFilled,
    /// Under `TolerateTornTail`: a zero-filled region that does not run to
    /// the end of the input (more bytes follow it), so it is a lost block,
    /// not the unwritten end of a log, and ending cleanly there would
    /// drop what follows. The reader has consumed the zeros: reading on
    /// resumes at `data_at`.
    ZeroGap {
        /// Zero bytes from the frame's offset up to `data_at`.
        len: u64,
        /// Stream offset of the first non-zero byte after them. (A frame
        /// whose header begins with zero bytes, as a big-endian length
        /// does, starts up to a header length before it.)
        data_at: u64,
    },
    /// A compressed framing ([`CompressedDeframer`](crate::compress::CompressedDeframer))
    /// read a payload that does not start with the compression marker: the
    /// stream was written without compression (read it with the plain
    /// deframer), or the frame is damaged.
    NotCompressed,
    /// A payload failed to verify and starts with the compression marker:
    /// the stream was written compressed and is being read without
    /// decompressing it (read it with a `CompressedDeframer`).
    CompressedPayload,
    /// The compressed payload's header has a format version or flags this
    /// reader does not understand (written by a newer flatstream, or
    /// damaged).
    UnsupportedCompression {
        /// The format version found (this reader knows 1).
        version: u8,
        /// The flags byte found.
        flags: u8,
    },
    /// The payload was compressed with another codec than the reader's.
    CodecMismatch {
        /// The codec id in the frame (see `docs/wire-format.md`).
        found: u8,
        /// The reader's codec.
        expected: &'static str,
    },
    /// The payload was compressed with another dictionary than the
    /// reader's (or with one where the reader has none, or the reverse).
    DictionaryMismatch {
        /// The dictionary id in the frame.
        found: Option<u32>,
        /// The reader's dictionary id.
        expected: Option<u32>,
    },
    /// The uncompressed size a compressed payload declares is above the
    /// reader's limit: refused before anything is allocated.
    UnpackedTooLarge {
        /// The size the frame declares.
        declared: u64,
        /// The reader's limit (`with_max_unpacked_len`).
        max: u64,
    },
    /// Decompressing failed, or produced another size than declared (a
    /// stream that inflates beyond it stops there).
    DecompressionFailed {
        /// The codec.
        codec: &'static str,
        /// The uncompressed size the frame declares.
        declared: u64,
        /// Bytes produced, when decompression completed with another size.
        produced: Option<u64>,
    },
    /// The checksum over the decompressed bytes does not match.
    ContentChecksumMismatch {
        /// The checksum stored in the compressed payload's header.
        stored: u64,
        /// The checksum computed over the decompressed bytes.
        computed: u64,
    },
    /// A message entry inside a decompressed block runs past the block's
    /// end; the rest of the block is dropped.
    BadBlockEntry {
        /// Offset of the entry in the decompressed block.
        at: u64,
        /// The length the entry declares.
        len: u64,
        /// Bytes left in the block after the entry's length field.
        remaining: u64,
    },
    /// An encrypted framing ([`EncryptedDeframer`](crate::encrypt::EncryptedDeframer))
    /// found no stream header in the first frame: the stream was written
    /// without encryption, or its first frame is lost.
    NotEncrypted,
    /// The stream header names a format version or cipher this reader does
    /// not know (written by a newer flatstream, or damaged).
    UnsupportedEncryption {
        /// The format version found (this reader knows 1).
        version: u8,
        /// The cipher id found.
        cipher: u8,
    },
    /// The stream was encrypted with another cipher than the reader's.
    CipherMismatch {
        /// The cipher id in the stream header.
        found: u8,
        /// The reader's cipher.
        expected: &'static str,
    },
    /// The stream was encrypted with another key than the reader's: the ids
    /// (derived from the keys, revealing nothing of them) differ.
    KeyMismatch {
        /// The key id in the stream header.
        found: u32,
        /// The reader's key id.
        expected: u32,
    },
    /// A frame's authentication tag does not verify: it was altered, forged,
    /// moved, repeated, or comes from another stream. Nothing of it is
    /// returned.
    AuthenticationFailed,
    /// Frames are missing before this one: it authenticates as frame
    /// `found` of the stream where frame `expected` was due (dropped or
    /// skipped frames). Its own messages are read after this error.
    FramesMissing {
        /// The frame number due.
        expected: u64,
        /// The frame number this frame has.
        found: u64,
    },
    /// The encrypted stream ends without its final frame: it was truncated
    /// (or its writer never called `finish`).
    StreamUnfinished,
    /// Bytes follow the final frame of an encrypted stream.
    AfterFinalFrame,
    /// Anything else (custom deframers, misuse of the sans-IO API).
    Other(Cow<'static, str>),
}

impl fmt::Display for FrameDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameDefect::MagicMismatch { expected, found } => write!(
                f,
                "expected the magic bytes {expected:02X?}, found {:02X?} (not a frame start: the stream is \
                 corrupt or was written with another framing)",
                &found[..expected.len().min(8)]
            ),
            FrameDefect::HeaderChecksumMismatch { stored, computed } => write!(
                f,
                "header checksum mismatch: stored {stored:#x}, computed {computed:#x} (the length or magic is corrupt)"
            ),
            FrameDefect::NonZeroPadding => f.write_str("padding bytes are not zero"),
            FrameDefect::CorruptLength {
                claimed,
                available,
                valid_frame_at,
            } => write!(
                f,
                "the frame claims {claimed} bytes and the input ends after {available}, but a valid frame \
                 follows at byte {valid_frame_at}: the header is corrupt, not torn"
            ),
            FrameDefect::PayloadTooShort { len, min } => write!(
                f,
                "the payload is {len} bytes, shorter than the {min} bytes this framing requires"
            ),
            FrameDefect::ZeroFilled => f.write_str(
                "the header is all zero bytes: a zero-filled region (a preallocated or extended file, a lost \
                 block), not a frame",
            ),
            FrameDefect::ZeroGap { len, data_at } => write!(
                f,
                "{len} zero bytes, followed by more data at byte {data_at}: a zero-filled gap (a lost block), \
                 not a torn tail"
            ),
            FrameDefect::NotCompressed => f.write_str(
                "the payload is not compressed (no compression marker): the stream was written without \
                 compression, so read it with the plain deframer, or the frame is damaged",
            ),
            FrameDefect::CompressedPayload => f.write_str(
                "the payload is compressed (it starts with the compression marker): read the stream \
                 with a CompressedDeframer of the codec it was written with",
            ),
            FrameDefect::UnsupportedCompression { version, flags } => write!(
                f,
                "compressed payload of format version {version} with flags {flags:#04x}: this reader \
                 understands version 1 (written by a newer flatstream, or damaged)"
            ),
            FrameDefect::CodecMismatch { found, expected } => write!(
                f,
                "the payload was compressed with codec {found} ({}), the reader decompresses {expected}",
                crate::compress::codec_name(*found)
            ),
            FrameDefect::DictionaryMismatch { found, expected } => write!(
                f,
                "the payload was compressed with {}, the reader has {}",
                dictionary(*found),
                dictionary(*expected)
            ),
            FrameDefect::UnpackedTooLarge { declared, max } => write!(
                f,
                "the payload declares {declared} bytes uncompressed, above the limit of {max} \
                 (raise it with with_max_unpacked_len if the stream is trusted)"
            ),
            FrameDefect::DecompressionFailed {
                codec,
                declared,
                produced: Some(produced),
            } => write!(
                f,
                "{codec} decompression produced {produced} bytes where the frame declares {declared}"
            ),
            FrameDefect::DecompressionFailed {
                codec,
                declared,
                produced: None,
            } => write!(
                f,
                "{codec} decompression failed: the data is corrupt or inflates beyond the {declared} \
                 bytes the frame declares"
            ),
            FrameDefect::ContentChecksumMismatch { stored, computed } => write!(
                f,
                "checksum over the decompressed bytes mismatch: stored {stored:#x}, computed {computed:#x}"
            ),
            FrameDefect::BadBlockEntry { at, len, remaining } => write!(
                f,
                "the message entry at byte {at} of the decompressed block claims {len} bytes, \
                 {remaining} remain: the block is corrupt"
            ),
            FrameDefect::NotEncrypted => f.write_str(
                "no encrypted stream header in the first frame: the stream was written without \
                 encryption (read it with the plain deframer), or its first frame is lost",
            ),
            FrameDefect::UnsupportedEncryption { version, cipher } => write!(
                f,
                "encrypted stream of format version {version} with cipher {cipher}: this reader \
                 understands version 1 (written by a newer flatstream, or damaged)"
            ),
            FrameDefect::CipherMismatch { found, expected } => write!(
                f,
                "the stream was encrypted with cipher {found} ({}), the reader decrypts {expected}",
                crate::encrypt::cipher_name(*found)
            ),
            FrameDefect::KeyMismatch { found, expected } => write!(
                f,
                "the stream was encrypted with key {found:#010x}, the reader has key {expected:#010x}: \
                 use the key the stream was written with"
            ),
            FrameDefect::AuthenticationFailed => f.write_str(
                "the frame does not authenticate: it was altered, forged, moved or repeated, or belongs \
                 to another stream; nothing of it is returned",
            ),
            FrameDefect::FramesMissing { expected, found } if found.saturating_sub(*expected) == 1 => write!(
                f,
                "frame {expected} of the stream is missing before this one (frame {found}); its messages follow"
            ),
            FrameDefect::FramesMissing { expected, found } => write!(
                f,
                "frames {expected} to {} of the stream are missing before this one (frame {found}); \
                 its messages follow",
                found.saturating_sub(1)
            ),
            FrameDefect::StreamUnfinished => f.write_str(
                "the encrypted stream ends without its final frame: it was truncated (or its writer \
                 never called finish)",
            ),
            FrameDefect::AfterFinalFrame => f.write_str("bytes follow the final frame of the encrypted stream"),
            FrameDefect::Other(reason) => f.write_str(reason),
        }
    }
}

impl FrameDefect {
    /// Whether the defect is in the payload (its compression), not the
    /// frame header.
    fn concerns_payload(&self) -> bool {
        matches!(
            self,
            FrameDefect::NotCompressed
                | FrameDefect::CompressedPayload
                | FrameDefect::UnsupportedCompression { .. }
                | FrameDefect::CodecMismatch { .. }
                | FrameDefect::DictionaryMismatch { .. }
                | FrameDefect::UnpackedTooLarge { .. }
                | FrameDefect::DecompressionFailed { .. }
                | FrameDefect::ContentChecksumMismatch { .. }
                | FrameDefect::BadBlockEntry { .. }
                | FrameDefect::NotEncrypted
                | FrameDefect::UnsupportedEncryption { .. }
                | FrameDefect::CipherMismatch { .. }
                | FrameDefect::KeyMismatch { .. }
                | FrameDefect::AuthenticationFailed
                | FrameDefect::FramesMissing { .. }
        )
    }
}

/// A dictionary id as the compression errors show it.
fn dictionary(id: Option<u32>) -> String {
    match id {
        Some(id) => format!("dictionary {id:#010x}"),
        None => "no dictionary".to_owned(),
    }
}

impl From<&'static str> for FrameDefect {
    fn from(reason: &'static str) -> Self {
        FrameDefect::Other(Cow::Borrowed(reason))
    }
}

impl From<String> for FrameDefect {
    fn from(reason: String) -> Self {
        FrameDefect::Other(Cow::Owned(reason))
    }
}

/// `$on` with `$offset` bound to the frame offset of `$error` (a
/// reference), or `$none` for the variants without one: the one list of
/// which errors concern a frame.
macro_rules! frame_offset {
    ($error:expr, $offset:ident => $on:expr, $none:expr) => {
        match $error {
            Error::UnexpectedEof { $offset, .. }
            | Error::ChecksumMismatch { $offset, .. }
            | Error::FrameTooLarge { $offset, .. }
            | Error::InvalidFrame { $offset, .. }
            | Error::InvalidFlatBuffer { $offset, .. }
            | Error::MissingField { $offset, .. }
            | Error::InvalidEnumValue { $offset, .. }
            | Error::Decode { $offset, .. } => $on,
            Error::Io(_) | Error::Serialize { .. } | Error::InvalidConfig { .. } => $none,
        }
    };
}

impl Error {
    /// The stream offset this error concerns, when it concerns a frame.
    pub fn offset(&self) -> Option<u64> {
        frame_offset!(self, offset => Some(*offset), None)
    }

    /// The same error with its frame offset moved by `base` bytes.
    ///
    /// Sans-IO functions report offsets relative to the slice they were given;
    /// drivers that know where that slice sits in the stream add its position.
    pub(crate) fn shifted(mut self, base: u64) -> Self {
        frame_offset!(&mut self, offset => *offset = offset.saturating_add(base), ());
        self
    }
}

impl Error {
    /// A copy of this error, for the readers that are `Clone` (the errors
    /// a reader keeps are skipped regions and the one being skipped). The
    /// variants that own a foreign error (`Io`, `Decode`) are copied as
    /// that error's kind and message.
    pub(crate) fn replica(&self) -> Error {
        match self {
            Error::Io(e) => Error::Io(io::Error::new(e.kind(), e.to_string())),
            Error::Decode {
                offset,
                format,
                source,
            } => Error::Decode {
                offset: *offset,
                format,
                source: source.to_string().into(),
            },
            Error::UnexpectedEof {
                offset,
                needed,
                available,
            } => Error::UnexpectedEof {
                offset: *offset,
                needed: *needed,
                available: *available,
            },
            Error::ChecksumMismatch {
                offset,
                expected,
                calculated,
            } => Error::ChecksumMismatch {
                offset: *offset,
                expected: *expected,
                calculated: *calculated,
            },
            Error::FrameTooLarge { offset, len, max } => Error::FrameTooLarge {
                offset: *offset,
                len: *len,
                max: *max,
            },
            Error::InvalidFrame { offset, reason } => Error::InvalidFrame {
                offset: *offset,
                reason: reason.clone(),
            },
            Error::InvalidFlatBuffer { offset, source } => Error::InvalidFlatBuffer {
                offset: *offset,
                source: source.clone(),
            },
            Error::MissingField { offset, field } => Error::MissingField {
                offset: *offset,
                field: field.clone(),
            },
            Error::InvalidEnumValue {
                offset,
                enum_name,
                value,
            } => Error::InvalidEnumValue {
                offset: *offset,
                enum_name,
                value: *value,
            },
            Error::InvalidConfig { reason } => Error::InvalidConfig {
                reason: reason.clone(),
            },
            Error::Serialize { reason } => Error::Serialize {
                reason: reason.clone(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::UnexpectedEof {
                offset,
                needed,
                available,
            } => write!(
                f,
                "stream ends inside the frame at byte {offset}: the frame needs {needed} bytes \
                 but only {available} arrived (the writer likely stopped mid-frame; everything \
                 before byte {offset} is intact)"
            ),
            Error::ChecksumMismatch {
                offset,
                expected,
                calculated,
            } => write!(
                f,
                "checksum mismatch in the frame at byte {offset}: the header says {expected:#x}, \
                 the payload hashes to {calculated:#x} (the frame is corrupt; check that reader \
                 and writer use the same checksum)"
            ),
            Error::FrameTooLarge { offset, len, max } => write!(
                f,
                "frame at byte {offset} has a {len}-byte payload, above the limit of {max} bytes \
                 (raise it with `with_max_frame_len` if such frames are expected, otherwise the \
                 header is corrupt)"
            ),
            Error::InvalidFrame {
                offset,
                reason: reason @ (FrameDefect::StreamUnfinished | FrameDefect::AfterFinalFrame),
            } => write!(f, "invalid stream at byte {offset}: {reason}"),
            Error::InvalidFrame { offset, reason } if reason.concerns_payload() => {
                write!(f, "invalid payload in the frame at byte {offset}: {reason}")
            }
            Error::InvalidFrame { offset, reason } => {
                write!(f, "invalid frame header at byte {offset}: {reason}")
            }
            Error::InvalidFlatBuffer { offset, source } => write!(
                f,
                "the payload of the frame at byte {offset} is not a valid FlatBuffers message of this type: \
                 {source} (the frame's checksum, if any, passed: the writer used another schema, or the \
                 stream has no checksum and is corrupt)"
            ),
            Error::MissingField { offset, field } => write!(
                f,
                "the payload of the frame at byte {offset} lacks the required field `{field}` (written by an \
                 older or different schema? give the field a `#[flatstream(default)]` or make it an `Option`)"
            ),
            Error::InvalidEnumValue {
                offset,
                enum_name,
                value,
            } => write!(
                f,
                "the payload of the frame at byte {offset} holds {value} for enum `{enum_name}`, which has no \
                 such variant (written by a newer schema?)"
            ),
            Error::Serialize { reason } => write!(f, "could not serialize the message: {reason}"),
            Error::InvalidConfig { reason } => write!(f, "invalid configuration: {reason}"),
            Error::Decode { offset, format, source } => {
                write!(f, "the frame at byte {offset} is not a valid {format} payload of the type read: {source}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::InvalidFlatBuffer { source, .. } => Some(source.as_ref()),
            Error::Decode { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_moves_frame_offsets_only() {
        let e = Error::ChecksumMismatch {
            offset: 3,
            expected: 1,
            calculated: 2,
        }
        .shifted(100);
        assert_eq!(e.offset(), Some(103));
        let io = Error::from(io::Error::other("x")).shifted(100);
        assert_eq!(io.offset(), None);
    }

    #[test]
    fn display_names_the_offset_and_the_remedy() {
        let e = Error::FrameTooLarge {
            offset: 42,
            len: 99,
            max: 10,
        };
        let s = e.to_string();
        assert!(s.contains("byte 42") && s.contains("99") && s.contains("with_max_frame_len"));
        let e = Error::UnexpectedEof {
            offset: 7,
            needed: 20,
            available: 3,
        };
        assert!(e.to_string().contains("needs 20 bytes but only 3"));
    }

    /// Compression defects are about the payload, and say what to do.
    #[test]
    fn compression_defects_name_the_payload_and_the_remedy() {
        let e = Error::InvalidFrame {
            offset: 9,
            reason: FrameDefect::UnpackedTooLarge {
                declared: 1 << 32,
                max: 1 << 24,
            },
        };
        let s = e.to_string();
        assert!(s.starts_with("invalid payload in the frame at byte 9"), "{s}");
        assert!(s.contains("with_max_unpacked_len"), "{s}");
        let e = Error::InvalidFrame {
            offset: 0,
            reason: FrameDefect::NotCompressed,
        };
        assert!(e.to_string().contains("plain deframer"));
        let e = Error::InvalidFrame {
            offset: 0,
            reason: FrameDefect::CodecMismatch {
                found: 1,
                expected: "zstd",
            },
        };
        assert!(e.to_string().contains("codec 1 (LZ4)"), "{e}");
        let e = Error::InvalidFrame {
            offset: 3,
            reason: FrameDefect::ZeroFilled,
        };
        assert!(e.to_string().starts_with("invalid frame header at byte 3"));
    }
}
