//! Payloads of any `serde` type (feature `serde`): the same framing,
//! checksums, recovery, limits and async support as FlatBuffers messages,
//! for types you already have.
//!
//! ```
//! # #[cfg(feature = "postcard")] {
//! use flatstream::{ChecksumDeframer, ChecksumFramer, Crc32c, Postcard, StreamReader, StreamWriter};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Reading { sensor: u32, value: f64 }
//!
//! let mut w = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
//! w.write(&Postcard(&Reading { sensor: 7, value: 21.5 }))?;
//! let bytes = w.into_inner();
//!
//! let mut r = StreamReader::new(&bytes[..], ChecksumDeframer::new(Crc32c::new()));
//! let reading = r.read::<Postcard<Reading>>()?.unwrap().0;
//! assert_eq!(reading, Reading { sensor: 7, value: 21.5 });
//! # }
//! # Ok::<(), flatstream::Error>(())
//! ```
//!
//! Each format is a type implementing [`SerdeFormat`]; [`Serde<F, T>`]
//! carries a value in format `F`, and `Postcard`, `Json` and `MsgPack` name
//! it for the built-in formats (as a type, `Postcard<T>`, and as a
//! constructor, `Postcard(value)`). A format of your own is one
//! `SerdeFormat` impl, used as `Serde::<MyFormat, _>::new(value)`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::decode::{FromPayload, VerifyLimits};
use crate::encode::serialize::{PayloadBuf, PayloadSink, StreamSerialize};
use crate::error::{Error, Result};

/// What a format's encoder or decoder reports.
pub type FormatError = Box<dyn std::error::Error + Send + Sync>;

/// A serde data format for payloads.
pub trait SerdeFormat {
    /// The format's name, for errors.
    const NAME: &'static str;
    /// Writes `value`'s encoding to `out` (a writer's [`PayloadSink`]:
    /// appending only).
    fn encode<T: Serialize + ?Sized, W: std::io::Write>(
        value: &T,
        out: &mut W,
    ) -> std::result::Result<(), FormatError>;
    /// Decodes a whole payload: bytes left over after the value are an
    /// error, not ignored.
    fn decode<T: DeserializeOwned>(payload: &[u8]) -> std::result::Result<T, FormatError>;
}

/// A value written or read in serde format `F`: `writer.write(&Postcard(&v))`,
/// `reader.read::<Postcard<T>>()` (then `.0` or `into_inner()`).
pub struct Serde<F, T>(pub T, PhantomData<fn() -> F>);

impl<F, T> Serde<F, T> {
    /// `value` in format `F`.
    pub const fn new(value: T) -> Self {
        Serde(value, PhantomData)
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<F, T: fmt::Debug> fmt::Debug for Serde<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Serde").field(&self.0).finish()
    }
}

impl<F, T: Clone> Clone for Serde<F, T> {
    fn clone(&self) -> Self {
        Serde::new(self.0.clone())
    }
}

impl<F, T: PartialEq> PartialEq for Serde<F, T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

/// Written through the writers' `encode_into`, straight behind room for the
/// frame header (or into the codec's buffer): no copy, and no allocation
/// once the writer's buffer has grown.
impl<F: SerdeFormat, T: Serialize> StreamSerialize for Serde<F, T> {
    /// A serde payload is no FlatBuffers message: an error (writers never
    /// call this; they call `encode_into`).
    fn serialize(&self, _builder: &mut flatbuffers::FlatBufferBuilder) -> Result<()> {
        Err(Error::Serialize {
            reason: format!(
                "a {} payload is not built with a FlatBufferBuilder: write it with a StreamWriter or FrameCodec",
                F::NAME
            )
            .into(),
        })
    }

    #[inline]
    fn encode_into<B: PayloadBuf>(&self, out: &mut PayloadSink<'_, B>) -> Result<()> {
        F::encode(&self.0, out).map_err(|e| Error::Serialize {
            reason: format!("{} encoding failed: {e}", F::NAME).into(),
        })
    }
}

/// Read by every reader's `read` (and typed iterator): a payload the format
/// refuses is [`Error::Decode`] with the frame's offset, or skipped and
/// reported under `SkipCorrupt`. The readers' `max_len` applies before
/// anything is decoded; verification limits are FlatBuffers' and do not.
impl<F: SerdeFormat, T: DeserializeOwned> FromPayload for Serde<F, T> {
    #[inline]
    fn from_payload(payload: &[u8], _limits: Option<VerifyLimits>) -> Result<Self> {
        F::decode(payload)
            .map(Serde::new)
            .map_err(|source| Error::Decode {
                offset: 0,
                format: F::NAME,
                source,
            })
    }
}

/// Defines a built-in format: its marker type, its `SerdeFormat` impl, and
/// the name for `Serde` in it, as a type and as a constructor.
macro_rules! serde_format {
    ($(#[$doc:meta])* $feature:literal, $marker:ident, $alias:ident, $name:literal,
     encode($value:ident, $out:ident) $encode:block
     decode($payload:ident) $decode:block) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $marker;

        #[cfg(feature = $feature)]
        impl SerdeFormat for $marker {
            const NAME: &'static str = $name;
            fn encode<T: Serialize + ?Sized, W: std::io::Write>(
                $value: &T,
                $out: &mut W,
            ) -> std::result::Result<(), FormatError> $encode
            fn decode<T: DeserializeOwned>($payload: &[u8]) -> std::result::Result<T, FormatError> $decode
        }

        #[doc = concat!("A value in the ", $name, " format: `Serde<", stringify!($marker), ", T>`.")]
        #[cfg(feature = $feature)]
        pub type $alias<T> = Serde<$marker, T>;

        #[doc = concat!("`value` in the ", $name, " format (the constructor of [`", stringify!($alias), "`](type@", stringify!($alias), ")).")]
        #[cfg(feature = $feature)]
        #[allow(non_snake_case)]
        pub const fn $alias<T>(value: T) -> Serde<$marker, T> {
            Serde::new(value)
        }
    };
}

serde_format! {
    /// [postcard](https://docs.rs/postcard): compact varints, no field
    /// names; the smallest payloads, for Rust-to-Rust streams.
    "postcard", PostcardFormat, Postcard, "postcard",
    encode(value, out) {
        postcard::to_io(value, out)?;
        Ok(())
    }
    decode(payload) {
        let (value, rest) = postcard::take_from_bytes(payload)?;
        if !rest.is_empty() {
            return Err(format!("{} bytes after the value", rest.len()).into());
        }
        Ok(value)
    }
}

serde_format! {
    /// JSON via [serde_json](https://docs.rs/serde_json).
    "json", JsonFormat, Json, "JSON",
    encode(value, out) {
        serde_json::to_writer(out, value)?;
        Ok(())
    }
    decode(payload) {
        Ok(serde_json::from_slice(payload)?)
    }
}

serde_format! {
    /// MessagePack via [rmp-serde](https://docs.rs/rmp-serde), structs as
    /// maps with their field names (readable by any MessagePack library,
    /// and tolerant of added fields).
    "msgpack", MsgPackFormat, MsgPack, "MessagePack",
    encode(value, out) {
        let mut serializer = rmp_serde::Serializer::new(out).with_struct_map();
        value.serialize(&mut serializer)?;
        Ok(())
    }
    decode(payload) {
        let mut rest = payload;
        let value = T::deserialize(&mut rmp_serde::Deserializer::new(&mut rest))?;
        let rest = rest.len();
        if rest > 0 {
            return Err(format!("{rest} bytes after the value").into());
        }
        Ok(value)
    }
}
