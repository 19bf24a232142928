//! Streams of framed [FlatBuffers](https://flatbuffers.dev) messages: files,
//! pipes and sockets carrying one message after another, each behind a small
//! header (length, optional checksum), read back with integrity checks and
//! without copying.
//!
//! # Guide
//!
//! Annotate a message type and get its FlatBuffers encoding and a framing
//! protocol, generated and checked at compile time (feature `derive`):
//!
//! ```
//! use flatstream::prelude::*;
//!
//! #[derive(StreamSerialize)]
//! #[frame(len = u32, checksum = crc16)]
//! struct Telemetry { timestamp: u64, sensor_id: u32, value: f64, unit: String }
//!
//! let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
//! w.write(&Telemetry { timestamp: 1, sensor_id: 7, value: 21.5, unit: "C".into() })?;
//! let bytes = w.into_inner();
//! let mut r = StreamReader::new(&bytes[..], Telemetry::deframer());
//! while let Some(payload) = r.read_message()? {
//!     assert_eq!(payload.len() + Telemetry::HEADER_LEN, bytes.len());
//! }
//! # Ok::<(), flatstream::Error>(())
//! ```
//!
//! `#[frame(...)]` takes `len`, `checksum`, `max_len`, `endian`, `magic`,
//! `covers`, `align`, `protocol` and `crate`; `#[derive(Framing)]` declares a
//! protocol several messages share ([`StreamWriter::for_protocol`]). The
//! repository's `docs/derive.md` lists every setting and compile error.
//!
//! Underneath, a [`StreamWriter`] serializes values ([`StreamSerialize`]) and frames them
//! with a [`Framer`]; a [`StreamReader`] finds the frames again with the
//! matching [`Deframer`], checks them, and lends each payload out of its
//! buffer.
//!
//! ```
//! use flatstream::{ChecksumDeframer, ChecksumFramer, Crc32c, StreamReader, StreamWriter};
//!
//! // Write three messages, each protected by a CRC-32C.
//! let mut writer = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
//! for text in ["alpha", "beta", "gamma"] {
//!     writer.write(text)?;
//! }
//! let bytes = writer.into_inner();
//!
//! // Read them back: `read_message` borrows each payload, allocating nothing.
//! let mut reader = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc32c::new()));
//! let mut texts = Vec::new();
//! while let Some(payload) = reader.read_message()? {
//!     texts.push(flatbuffers::root::<&str>(payload).unwrap().to_owned());
//! }
//! assert_eq!(texts, ["alpha", "beta", "gamma"]);
//! # Ok::<(), flatstream::Error>(())
//! ```
//!
//! Every byte sequence fed to a reader yields frames or a precise [`Error`]
//! naming the offset of the frame concerned; readers never panic, never
//! reserve memory for a length a header merely claims, and refuse frames
//! above a limit (16 MiB by default, see
//! [`with_max_frame_len`](ChecksumDeframer::with_max_frame_len)).
//! A payload that does not fit the header's length field is refused at write
//! time, never truncated.
//!
//! # Damage
//!
//! Readers are strict by default: the first error ends the stream.
//! [`StreamReader::with_recovery`] chooses [`Recovery::TolerateTornTail`]
//! (an incomplete last frame, as a crash during a write leaves, ends the
//! stream cleanly and is reported by [`StreamReader::torn_tail`]) or
//! [`Recovery::SkipCorrupt`] (damaged bytes are skipped up to the next frame
//! that validates; [`StreamReader::take_skipped`] reports each range). The
//! latter needs a framing whose headers validate on their own: a `magic`, or
//! `covers = frame` / [`ChecksumFramer::with_protected_header`].
//!
//! A zero-filled region (a preallocated or extended file, a lost block) is
//! never read as frames by a derived framing, which refuses payloads shorter
//! than [`MIN_FLATBUFFERS_LEN`], nor by a runtime one told
//! [`with_min_payload_len`](ChecksumDeframer::with_min_payload_len); under
//! `TolerateTornTail`, zeros that run to the end of the input are the torn
//! tail ([`FrameDefect::ZeroFilled`], [`FrameDefect::ZeroGap`]).
//!
//! # Building blocks
//!
//! | concept | items |
//! |---|---|
//! | payloads | [`StreamSerialize`] (for `str`, `String`, `&T`, your types), [`RawPayload`] for bytes from any encoder, [`Encoder`] (reused buffers; [`Encoder::append_frame`] frames a message straight into a `Vec`) |
//! | checksums | [`Checksum`], [`NoChecksum`], `Crc16`, `Crc16Xmodem`, `Crc32`, `Crc32c`, `Crc64`, `XxHash64`, `Xxh3` ([`checksum`] lists the exact variants) |
//! | framing (sans-IO) | [`Framer`], [`Deframer`], [`DefaultFramer`]/[`DefaultDeframer`], [`ChecksumFramer`]/[`ChecksumDeframer`] |
//! | compile-time layouts | [`FrameLayout`], [`LayoutFramer`], [`LayoutDeframer`], [`Framed`] (what the derives generate) |
//! | run-time layouts | [`DynamicLayout`] (the keys of `#[frame(...)]` parsed from a spec such as `"len=u32,checksum=crc32c"`, or a `flatstream-rs` 0.2 preset), [`ChecksumKind`] |
//! | drivers | [`StreamWriter`], [`ProtocolWriter`], [`StreamReader`] (any `Read`), [`SliceReader`] (bytes in memory, e.g. a memory-mapped file); with `tokio`: `AsyncStreamReader`, `AsyncStreamWriter`, `AsyncProtocolWriter`, `FrameCodec`, `BatchCodec` |
//! | recovery | [`Recovery`], [`RecoveryMode`], [`TornTail`], [`SkippedRegion`] |
//! | typed reading | [`StreamDeserialize`], [`FromPayload`], [`VectorView`], [`VerifyLimits`], [`HasSchema`], [`TypedReader`] |
//! | serde payloads | `Postcard`, `Json`, `MsgPack`, `Serde`, `SerdeFormat` (features `postcard`, `json`, `msgpack`, `serde`; see [`formats`](crate#cargo-features)) |
//! | encryption | [`encrypt`]: `EncryptedFramer`/`EncryptedDeframer` over any framing, [`Cipher`](encrypt::Cipher), [`EncryptionKey`](encrypt::EncryptionKey); `ChaCha20Poly1305`, `Aes256Gcm` (features `chacha20poly1305`, `aes-gcm`; threat model in `docs/security.md`) |
//! | compression | [`compress`]: `CompressedFramer`/`CompressedDeframer` over any framing, per message or in blocks (compressed on a second thread with [`StreamWriter::with_background_packing`]); [`Compressor`](compress::Compressor); `Lz4`, `Zstd`, `ZstdDictionary` (features `lz4`, `zstd`) |
//! | errors | [`Error`], [`FrameDefect`], [`Result`] |
//!
//! # Cargo features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `derive` | yes | re-exports the derive macros of `flatstream-derive` |
//! | `crc16` | yes (via `all_checksums`) | `Crc16` (CRC-16/IBM-SDLC) and `Crc16Xmodem` (CRC-16/XMODEM) |
//! | `crc32` | yes (via `all_checksums`) | `Crc32` (CRC-32/ISO-HDLC, via `crc32fast`) |
//! | `crc32c` | yes (via `all_checksums`) | `Crc32c` (CRC-32/ISCSI) |
//! | `crc64` | yes (via `all_checksums`) | `Crc64` (CRC-64/XZ) |
//! | `xxhash64` | yes (via `all_checksums`) | `XxHash64` (XXH64) |
//! | `xxh3` | yes (via `all_checksums`) | `Xxh3` (XXH3-64) |
//! | `all_checksums` | yes | every checksum above |
//! | `fast-crc` | yes | SIMD CRC-16, CRC-32C and CRC-64 where they beat the tables (adds `crc-fast`) |
//! | `serde` | no | payloads of any serde type in a format of your own: [`SerdeFormat`], [`Serde`] (adds `serde`) |
//! | `postcard` | no | [`Postcard`](type@Postcard)`(value)`, `read::<Postcard<T>>()` (adds `postcard`) |
//! | `json` | no | [`Json`](type@Json) (adds `serde_json`) |
//! | `msgpack` | no | [`MsgPack`](type@MsgPack), MessagePack with field names (adds `rmp-serde`) |
//! | `tokio` | no | [`AsyncStreamReader`], [`AsyncStreamWriter`] and the `tokio_util` codecs [`FrameCodec`] and [`BatchCodec`] (adds `tokio`, `tokio-util`, `bytes`) |
//! | `lz4` | no | `compress::Lz4` and `#[frame(compress = lz4)]` (adds `lz4_flex`, pure Rust) |
//! | `zstd` | no | `compress::Zstd`, `compress::ZstdDictionary` and `#[frame(compress = zstd)]` (adds `zstd`, which builds the C library) |
//! | `chacha20poly1305` | no | `encrypt::ChaCha20Poly1305` and `#[frame(encrypt = chacha20poly1305)]` (adds RustCrypto's `chacha20poly1305` and `getrandom`) |
//! | `aes-gcm` | no | `encrypt::Aes256Gcm` and `#[frame(encrypt = aes256gcm)]` (adds RustCrypto's `aes-gcm` and `getrandom`) |
//!
//! To trim dependencies, turn the defaults off and name what you use, e.g.
//! `flatstream = { version = "0.1", default-features = false, features = ["crc32c"] }`.
//!
//! # Wire format
//!
//! `docs/wire-format.md` in the repository draws every layout byte by byte
//! and maps the checksums of `flatstream-rs` 0.2 to ours, whose files this
//! crate reads and writes byte for byte.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets code generated by the derives, which names `::flatstream::...`, also
// compile inside this crate's own tests.
extern crate self as flatstream;

mod buf;
pub mod decode;
mod derive_support;
mod encode;
mod error;
#[cfg(feature = "serde")]
pub mod formats;
mod frame;
mod io;

#[cfg(any(feature = "lz4", feature = "zstd"))]
pub use compress::{CompressedDeframer, CompressedFramer};
pub use frame::{checksum, compress, encrypt, framing, layout, recovery};

#[cfg(feature = "crc32")]
pub use checksum::Crc32;
#[cfg(feature = "crc32c")]
pub use checksum::Crc32c;
#[cfg(feature = "crc64")]
pub use checksum::Crc64;
#[cfg(feature = "xxhash64")]
pub use checksum::XxHash64;
#[cfg(feature = "xxh3")]
pub use checksum::Xxh3;
pub use checksum::{Checksum, NoChecksum};
#[cfg(feature = "crc16")]
pub use checksum::{Crc16, Crc16Xmodem};
pub use decode::{
    FromPayload, HasSchema, Schema, SchemaField, SchemaKind, StreamDeserialize, VectorView, VerifyLimits,
};
pub use encode::serialize::{Encoder, PayloadBuf, PayloadSink, RawPayload, StreamSerialize};
pub use error::{Error, FrameDefect, Result};
#[cfg(feature = "json")]
pub use formats::Json;
#[cfg(feature = "msgpack")]
pub use formats::MsgPack;
#[cfg(feature = "postcard")]
pub use formats::Postcard;
#[cfg(feature = "serde")]
pub use formats::{Serde, SerdeFormat};
pub use frame::dynamic::{ChecksumKind, DynamicLayout};
pub use frame::layout::{FrameLayout, Framed, LayoutDeframer, LayoutFramer, MessageOf};
pub use frame::recovery::{Recovery, RecoveryMode, SkippedRegion, TornTail};
pub use framing::{
    ChecksumDeframer, ChecksumFramer, Decoded, DefaultDeframer, DefaultFramer, Deframer, Framer, Packing,
    Unpacked, DEFAULT_MAX_FRAME_LEN, MAX_HEADER_LEN, MIN_FLATBUFFERS_LEN,
};
pub use io::reader::{SliceReader, StreamReader, TypedReader};
pub use io::sync_io::{DeframerIo, FramerIo};
pub use io::writer::{ProtocolWriter, StreamWriter, SyncData};

#[cfg(feature = "tokio")]
pub use io::async_reader::{AsyncStreamReader, TypedStream};
#[cfg(feature = "tokio")]
pub use io::async_writer::{AsyncProtocolWriter, AsyncStreamWriter, AsyncSyncData};
#[cfg(feature = "tokio")]
pub use io::batch_codec::{BatchCodec, BatchPayloads, FrameBatch};
#[cfg(feature = "tokio")]
pub use io::codec::{FrameCodec, FramedCodec};
#[cfg(feature = "tokio")]
pub use io::typed_codec::TypedCodec;

#[cfg(feature = "derive")]
pub use flatstream_derive::{Framing, StreamDeserialize, StreamSerialize};

/// The `flatbuffers` crate this one is built on, so users name the same
/// version.
pub use flatbuffers;

/// Everything a typical user needs: `use flatstream::prelude::*;`.
///
/// The traits are also imported anonymously, so their methods and
/// associated functions (`Telemetry::framer()`, `Telemetry::view(..)`) stay
/// usable when another import takes one of their names, such as
/// `use tokio_util::codec::Framed;`.
pub mod prelude {
    pub use crate::checksum::Checksum as _;
    pub use crate::decode::{HasSchema as _, StreamDeserialize as _};
    pub use crate::encode::serialize::StreamSerialize as _;
    pub use crate::framing::{Deframer as _, Framer as _};
    #[cfg(feature = "tokio")]
    pub use crate::io::codec::FramedCodec as _;
    pub use crate::io::sync_io::{DeframerIo as _, FramerIo as _};
    pub use crate::layout::Framed as _;

    #[cfg(feature = "crc32")]
    pub use crate::checksum::Crc32;
    #[cfg(feature = "crc32c")]
    pub use crate::checksum::Crc32c;
    #[cfg(feature = "crc64")]
    pub use crate::checksum::Crc64;
    #[cfg(feature = "xxhash64")]
    pub use crate::checksum::XxHash64;
    #[cfg(feature = "xxh3")]
    pub use crate::checksum::Xxh3;
    pub use crate::checksum::{Checksum, NoChecksum};
    #[cfg(feature = "crc16")]
    pub use crate::checksum::{Crc16, Crc16Xmodem};
    pub use crate::framing::{
        ChecksumDeframer, ChecksumFramer, DefaultDeframer, DefaultFramer, Deframer, Framer,
    };
    #[cfg(feature = "derive")]
    pub use crate::Framing;
    #[cfg(feature = "tokio")]
    pub use crate::{AsyncStreamReader, AsyncStreamWriter, BatchCodec, FrameBatch, FrameCodec};
    pub use crate::{
        Error, Framed, HasSchema, ProtocolWriter, RawPayload, Recovery, SliceReader, StreamDeserialize,
        StreamReader, StreamSerialize, StreamWriter, VerifyLimits,
    };
}

/// Everything the derives' generated code names, in one place, so that code
/// only ever writes `::flatstream::__private::...` (or the path given with
/// `#[frame(crate = ...)]`) and a user's own `Result`, `Option` or
/// `flatstream` module cannot break it. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::checksum::{Checksum, NoChecksum};
    pub use crate::decode::fast_verify::{Fast, FastTable, FastVerifier, Reject};
    pub use crate::decode::verify::{
        check_enum, check_nested, empty_table, fast_accepts, fast_verify_nested, fast_verify_nested_vec,
        field_default, flatbuffers_accepts, invalid, invalid_enum, read_nested, verified_root, verify_nested,
        verify_nested_vec, DecodeElement, DecodeField, EnumDecode, Nested, NestedTable, TableRef, TableView,
        VerifyTable,
    };
    pub use crate::decode::{
        HasSchema, Schema, SchemaField, SchemaKind, StreamDeserialize, VectorView, VerifyLimits,
    };
    pub use crate::derive_support::{clamp_len, SCALAR_TYPES};
    pub use crate::encode::field::{
        check_room, create_enum_vector, create_table_vector, end_table, push_unless_default,
    };
    pub use crate::encode::field_traits::{EnumRepr, Field, Offset, Table, VectorElement};
    pub use crate::encode::out::{
        canonical_vtable, root_layout, root_words, set_uoffset, table_offsets, table_size, Out, Scalar,
        ROOT_WORDS,
    };
    pub use crate::encode::serialize::{PayloadBuf, PayloadSink, StreamSerialize};
    pub use crate::encode::table_writer::{
        append_root_in_place, append_scalar_vector, append_table, append_table_vector, begin_root,
        encode_table_into, store_root_words,
    };
    pub use crate::error::{Error, Result};
    pub use crate::framing::{Deframer, Framer, MIN_FLATBUFFERS_LEN};
    pub use crate::layout::{FrameLayout, Framed, LayoutDeframer, LayoutFramer, MessageOf};
    pub use crate::recovery::ResyncLayout;
    pub use core::default::Default;
    pub use core::fmt::{Debug, Formatter, Result as FmtResult};
    pub use core::iter::Iterator;
    pub use core::ops::FnOnce;
    pub use core::option::Option::{self, None, Some};
    pub use core::primitive;
    pub use core::result::Result as StdResult;
    pub use core::result::Result::{Err, Ok};
    pub use flatbuffers::FlatBufferBuilder;
    pub use flatbuffers::{Follow, ForwardsUOffset, InvalidFlatbuffer, TableVerifier, Vector, Verifier};
    pub use std::vec::Vec;

    pub use crate::decode::vector::vector_view;
    pub use crate::frame::checksum_keywords::*;
    pub use crate::frame::compress::keywords::{compress_lz4, compress_zstd, CodecDisabled, DerivedCodec};
    pub use crate::frame::compress::{CompressedDeframer, CompressedFramer};
    pub use crate::frame::encrypt::keywords::{
        cipher_aes256gcm, cipher_chacha20poly1305, new_encrypted_framer, CipherDisabled, DerivedCipher,
    };
    pub use crate::frame::encrypt::{EncryptedDeframer, EncryptedFramer, EncryptionKey};
}
