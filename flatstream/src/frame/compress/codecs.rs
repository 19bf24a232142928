//! The built-in codecs: [`Lz4`] (feature `lz4`) and [`Zstd`] (feature
//! `zstd`), with zstd dictionaries ([`ZstdDictionary`]).

#[cfg(feature = "zstd")]
use std::cell::RefCell;
#[cfg(feature = "zstd")]
use std::sync::Arc;

use super::Compressor;
use crate::error::{Error, Result};

/// A codec failure while compressing (decompression failures become
/// [`FrameDefect::DecompressionFailed`](crate::FrameDefect::DecompressionFailed)
/// with the frame's offset).
fn compress_failed(codec: &str, why: impl std::fmt::Display) -> Error {
    Error::Serialize {
        reason: format!("{codec} compression failed: {why}").into(),
    }
}

/// LZ4, block format (feature `lz4`, through the pure-Rust `lz4_flex` with
/// its bounds-checked decoder): fast on both sides, about 3x smaller on
/// telemetry-like blocks.
#[cfg(feature = "lz4")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lz4;

/// The largest output buffer [`Lz4`] keeps per thread: room for blocks up
/// to about 256 KiB.
#[cfg(feature = "lz4")]
const MAX_KEPT_OUTPUT: usize = 257 * 1024;

#[cfg(feature = "lz4")]
impl Compressor for Lz4 {
    const ID: u8 = 1;
    const NAME: &'static str = "LZ4";

    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        /// The encoder's hash table and an output buffer, reused per thread.
        #[derive(Default)]
        struct Scratch {
            table: lz4_flex::block::CompressTable,
            output: Vec<u8>,
        }
        thread_local! {
            // Made afresh per call, the table was an allocation per block
            // (per message, compressing each alone). The encoder writes into
            // an initialised slice as long as the worst case: zeroing that
            // much of `out` for every block cost more than copying the
            // compressed bytes (a fifth of it on telemetry) out of a buffer
            // zeroed once.
            static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
        }
        let worst = lz4_flex::block::get_maximum_output_size(input.len());
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            if worst > MAX_KEPT_OUTPUT {
                // A large message: straight into `out`, not kept per thread.
                let start = out.len();
                crate::buf::extend_zeroed(out, worst);
                let written =
                    lz4_flex::block::compress_into_with_table(input, &mut out[start..], &mut scratch.table)
                        .map_err(|e| compress_failed("LZ4", e))?;
                out.truncate(start + written);
                return Ok(());
            }
            if scratch.output.len() < worst {
                scratch.output.resize(worst, 0);
            }
            let written = lz4_flex::block::compress_into_with_table(
                input,
                &mut scratch.output[..worst],
                &mut scratch.table,
            )
            .map_err(|e| compress_failed("LZ4", e))?;
            out.extend_from_slice(&scratch.output[..written]);
            Ok(())
        })
    }

    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<usize> {
        lz4_flex::block::decompress_into(input, out).map_err(|e| compress_failed("LZ4", e))
    }
}

/// zstd (feature `zstd`, through the `zstd` crate): smaller than LZ4 at a
/// higher cost, and with a [`ZstdDictionary`] it compresses even single
/// small messages. The compression and decompression contexts are made
/// once and reused (so a `Zstd` is `Send` but not `Sync`).
#[cfg(feature = "zstd")]
pub struct Zstd {
    level: i32,
    dictionary: Option<Arc<ZstdDictionary>>,
    compressor: RefCell<Option<zstd::bulk::Compressor<'static>>>,
    decompressor: RefCell<Option<zstd::bulk::Decompressor<'static>>>,
}

#[cfg(feature = "zstd")]
impl Zstd {
    /// zstd at its default level (3).
    pub fn new() -> Self {
        Self::with_level(zstd::DEFAULT_COMPRESSION_LEVEL)
    }

    /// zstd at `level` (1 to 22; higher is smaller and slower; negative
    /// levels are faster still). Only the writer's level matters: any
    /// level reads with any `Zstd`.
    pub fn with_level(level: i32) -> Self {
        Zstd {
            level,
            dictionary: None,
            compressor: RefCell::new(None),
            decompressor: RefCell::new(None),
        }
    }

    /// Compresses (and decompresses) with `dictionary`; both sides need the
    /// same one, and a frame written with another is refused with
    /// [`FrameDefect::DictionaryMismatch`](crate::FrameDefect::DictionaryMismatch).
    pub fn with_dictionary(mut self, dictionary: impl Into<Arc<ZstdDictionary>>) -> Self {
        self.dictionary = Some(dictionary.into());
        self.compressor = RefCell::new(None);
        self.decompressor = RefCell::new(None);
        self
    }

    /// The compression level.
    pub fn level(&self) -> i32 {
        self.level
    }

    fn dictionary_bytes(&self) -> &[u8] {
        self.dictionary.as_deref().map_or(&[], |d| &d.bytes)
    }
}

#[cfg(feature = "zstd")]
impl Default for Zstd {
    fn default() -> Self {
        Self::new()
    }
}

/// A fresh `Zstd` of the same level and dictionary (contexts are not
/// shared).
#[cfg(feature = "zstd")]
impl Clone for Zstd {
    fn clone(&self) -> Self {
        Zstd {
            level: self.level,
            dictionary: self.dictionary.clone(),
            compressor: RefCell::new(None),
            decompressor: RefCell::new(None),
        }
    }
}

#[cfg(feature = "zstd")]
impl std::fmt::Debug for Zstd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zstd")
            .field("level", &self.level)
            .field("dictionary", &self.dictionary.as_ref().map(|d| d.id))
            .finish()
    }
}

#[cfg(feature = "zstd")]
impl Compressor for Zstd {
    const ID: u8 = 2;
    const NAME: &'static str = "zstd";

    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut slot = self.compressor.borrow_mut();
        let compressor = match &mut *slot {
            Some(compressor) => compressor,
            None => {
                let mut compressor =
                    zstd::bulk::Compressor::with_dictionary(self.level, self.dictionary_bytes())
                        .map_err(|e| compress_failed("zstd", e))?;
                // The packed payload's header already records the size and
                // the dictionary: leaving them out of zstd's frame header
                // saves up to 9 bytes per frame, much of a small message.
                for parameter in [
                    zstd::zstd_safe::CParameter::ContentSizeFlag(false),
                    zstd::zstd_safe::CParameter::DictIdFlag(false),
                ] {
                    compressor
                        .set_parameter(parameter)
                        .map_err(|e| compress_failed("zstd", e))?;
                }
                slot.insert(compressor)
            }
        };
        out.reserve(zstd::zstd_safe::compress_bound(input.len()));
        let start = out.len() as u64;
        let mut cursor = std::io::Cursor::new(out);
        cursor.set_position(start);
        compressor
            .compress_to_buffer(input, &mut cursor)
            .map_err(|e| compress_failed("zstd", e))?;
        Ok(())
    }

    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<usize> {
        let mut slot = self.decompressor.borrow_mut();
        let decompressor = match &mut *slot {
            Some(decompressor) => decompressor,
            None => slot.insert(
                zstd::bulk::Decompressor::with_dictionary(self.dictionary_bytes())
                    .map_err(|e| compress_failed("zstd", e))?,
            ),
        };
        decompressor
            .decompress_to_buffer(input, out)
            .map_err(|e| compress_failed("zstd", e))
    }

    fn dictionary_id(&self) -> Option<u32> {
        self.dictionary.as_ref().map(|d| d.id)
    }
}

/// A zstd dictionary: trained from sample messages with
/// [`train`](Self::train), saved with [`as_bytes`](Self::as_bytes) and
/// loaded at run time with [`from_bytes`](Self::from_bytes). With one,
/// zstd compresses even a single 64-byte message, since what messages
/// share (field layout, vtables, common strings) is in the dictionary.
#[cfg(feature = "zstd")]
#[derive(Clone, PartialEq, Eq)]
pub struct ZstdDictionary {
    bytes: Vec<u8>,
    id: u32,
}

#[cfg(feature = "zstd")]
impl ZstdDictionary {
    /// Trains a dictionary of at most `max_len` bytes (a few KiB to 100 KiB)
    /// from `samples`, typically a few thousand real payloads. Fails when
    /// the samples are too few or too uniform to train on.
    pub fn train<S: AsRef<[u8]>>(samples: &[S], max_len: usize) -> Result<Self> {
        let bytes = zstd::dict::from_samples(samples, max_len).map_err(|e| Error::InvalidConfig {
            reason: format!("training a zstd dictionary failed: {e} (give more, and more varied, samples)")
                .into(),
        })?;
        Self::from_bytes(bytes)
    }

    /// A dictionary from its bytes (as [`as_bytes`](Self::as_bytes) gave
    /// them). Its id is the one zstd recorded in it, or, for raw content
    /// used as a dictionary, a hash of the bytes.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(Error::InvalidConfig {
                reason: "an empty zstd dictionary: train one with ZstdDictionary::train".into(),
            });
        }
        let id = match zstd::zstd_safe::get_dict_id_from_dict(&bytes) {
            Some(id) => id.get(),
            // FNV-1a: any fixed hash serves to tell dictionaries apart.
            None => bytes.iter().fold(0x811c_9dc5_u32, |h, &b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            }),
        };
        Ok(ZstdDictionary { bytes, id })
    }

    /// The dictionary's bytes, to store beside the stream.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The id written into every frame compressed with it.
    pub fn id(&self) -> u32 {
        self.id
    }
}

#[cfg(feature = "zstd")]
impl std::fmt::Debug for ZstdDictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZstdDictionary")
            .field("id", &format_args!("{:#010x}", self.id))
            .field("len", &self.bytes.len())
            .finish()
    }
}
