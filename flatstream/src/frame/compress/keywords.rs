//! The codec behind each `#[frame(compress = ...)]` keyword, as a macro the
//! derive invokes at the keyword's span: the codec type when its cargo
//! feature is on, otherwise a compile error there that names the feature
//! (see `checksum_keywords.rs`, which does the same for checksums).

use super::Compressor;
use crate::error::{Error, Result};

/// How the derive makes a codec: `compress = zstd(level = N)` passes the
/// level, the other forms `None`.
#[doc(hidden)]
pub trait DerivedCodec: Compressor {
    /// The codec at `level`, or at its default.
    fn derived(level: Option<i32>) -> Self;
}

#[cfg(feature = "lz4")]
impl DerivedCodec for super::Lz4 {
    fn derived(_level: Option<i32>) -> Self {
        super::Lz4
    }
}

#[cfg(feature = "zstd")]
impl DerivedCodec for super::Zstd {
    fn derived(level: Option<i32>) -> Self {
        match level {
            Some(level) => super::Zstd::with_level(level),
            None => super::Zstd::new(),
        }
    }
}

/// The codec a disabled keyword expands to, beside its compile error, so
/// the error is the only one reported.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CodecDisabled<const N: usize>;

impl<const N: usize> Compressor for CodecDisabled<N> {
    const ID: u8 = 255;
    const NAME: &'static str = "disabled";
    fn compress(&self, _input: &[u8], _out: &mut Vec<u8>) -> Result<()> {
        Err(Error::InvalidConfig {
            reason: "this codec's cargo feature is off".into(),
        })
    }
    fn decompress(&self, _input: &[u8], _out: &mut [u8]) -> Result<usize> {
        Err(Error::InvalidConfig {
            reason: "this codec's cargo feature is off".into(),
        })
    }
}

impl<const N: usize> DerivedCodec for CodecDisabled<N> {
    fn derived(_level: Option<i32>) -> Self {
        CodecDisabled
    }
}

#[cfg(feature = "lz4")]
#[doc(hidden)]
#[macro_export]
macro_rules! __compress_lz4 {
    () => {
        $crate::compress::Lz4
    };
}
#[cfg(not(feature = "lz4"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __compress_lz4 {
    () => {
        $crate::__private::CodecDisabled<
            {
                ::core::compile_error!(
                    "`compress = lz4` needs the cargo feature `lz4` of flatstream: add `features = [\"lz4\"]` to the flatstream entry in Cargo.toml"
                );
                0
            },
        >
    };
}
pub use crate::__compress_lz4 as compress_lz4;

#[cfg(feature = "zstd")]
#[doc(hidden)]
#[macro_export]
macro_rules! __compress_zstd {
    () => {
        $crate::compress::Zstd
    };
}
#[cfg(not(feature = "zstd"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __compress_zstd {
    () => {
        $crate::__private::CodecDisabled<
            {
                ::core::compile_error!(
                    "`compress = zstd` needs the cargo feature `zstd` of flatstream: add `features = [\"zstd\"]` to the flatstream entry in Cargo.toml"
                );
                0
            },
        >
    };
}
pub use crate::__compress_zstd as compress_zstd;
