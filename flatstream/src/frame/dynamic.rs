//! Frame layouts chosen at run time: [`DynamicLayout`], the value form of
//! `#[frame(...)]`, parsed from a spec such as
//! `"magic=FSv1,len=u32,checksum=crc32c,covers=frame"` or named by a preset
//! (`"flatstream-rs-0.2-crc32"`). For tools that meet a stream whose framing
//! is known only when they run (the `flatstream` command line, a log
//! shipper configured by a file). It writes and reads exactly the bytes of
//! the derived framing with the same keys: both go through the one
//! implementation of the wire format in `layout.rs`.

use std::fmt;
use std::str::FromStr;

use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::framing::{Deframer, Framer, DEFAULT_MAX_FRAME_LEN, MIN_FLATBUFFERS_LEN};
use crate::layout::{self, check_shape, is_zero, Shape, ShapeError};

/// Declares [`ChecksumKind`] from one list: each kind's variant, feature,
/// keyword and type, so the enum, [`ChecksumKind::ALL`], the keywords and
/// the dispatch to each type cannot drift apart.
macro_rules! checksum_kinds {
    ($($(#[cfg(feature = $feature:literal)])? $variant:ident = $keyword:literal => $ty:ident,)*) => {
        /// A checksum chosen at run time: one per `#[frame(checksum = ...)]`
        /// keyword whose cargo feature is on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ChecksumKind {
            $(
                #[doc = concat!("[`", stringify!($ty), "`](crate::checksum::", stringify!($ty), ") (`", $keyword, "`).")]
                $(#[cfg(feature = $feature)])?
                $variant,
            )*
        }

        impl ChecksumKind {
            /// Every kind whose feature is on, in the keyword table's order.
            pub const ALL: &'static [ChecksumKind] = &[$($(#[cfg(feature = $feature)])? ChecksumKind::$variant,)*];

            /// The `#[frame(checksum = ...)]` keyword.
            pub fn keyword(self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feature)])? ChecksumKind::$variant => $keyword,)*
                }
            }

            /// Bytes the checksum takes in a header ([`Checksum::SIZE`]).
            pub fn size(self) -> usize {
                match self {
                    $($(#[cfg(feature = $feature)])? ChecksumKind::$variant => <crate::checksum::$ty as Checksum>::SIZE,)*
                }
            }

            /// The longest payload it protects ([`Checksum::MAX_SAFE_LEN`]).
            pub fn max_safe_len(self) -> u64 {
                match self {
                    $($(#[cfg(feature = $feature)])? ChecksumKind::$variant => <crate::checksum::$ty as Checksum>::MAX_SAFE_LEN,)*
                }
            }

            /// The checksum of `data`.
            #[inline]
            pub fn calculate(self, data: &[u8]) -> u64 {
                match self {
                    $($(#[cfg(feature = $feature)])? ChecksumKind::$variant => crate::checksum::$ty.calculate(data),)*
                }
            }

            /// The exact algorithm's name ([`Checksum::name`]).
            pub fn name(self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feature)])? ChecksumKind::$variant => crate::checksum::$ty.name(),)*
                }
            }
        }
    };
}

checksum_kinds! {
    None = "none" => NoChecksum,
    #[cfg(feature = "crc16")]
    Crc16 = "crc16" => Crc16,
    #[cfg(feature = "crc16")]
    Crc16Xmodem = "crc16_xmodem" => Crc16Xmodem,
    #[cfg(feature = "crc32")]
    Crc32 = "crc32" => Crc32,
    #[cfg(feature = "crc32c")]
    Crc32c = "crc32c" => Crc32c,
    #[cfg(feature = "crc64")]
    Crc64 = "crc64" => Crc64,
    #[cfg(feature = "xxhash64")]
    XxHash64 = "xxhash64" => XxHash64,
    #[cfg(feature = "xxh3")]
    Xxh3 = "xxh3" => Xxh3,
}

impl ChecksumKind {
    /// The kind of a keyword, if its feature is on.
    pub fn from_keyword(keyword: &str) -> Option<ChecksumKind> {
        ChecksumKind::ALL.iter().copied().find(|k| k.keyword() == keyword)
    }
}

/// A frame layout chosen at run time: the keys of `#[frame(...)]` as
/// values. It is its own [`Framer`] and [`Deframer`], and writes and reads
/// the bytes of the derived framing with the same keys.
///
/// Parse one from a spec (`"len=u32,checksum=crc32c"`, see
/// [`parse`](Self::parse)) or a preset name ([`PRESETS`](Self::PRESETS)):
///
/// ```
/// use flatstream::{DynamicLayout, RawPayload, SliceReader, StreamWriter};
/// let layout: DynamicLayout = "magic=FS,len=u16,checksum=crc32c,covers=frame".parse()?;
/// let mut w = StreamWriter::new(Vec::new(), layout);
/// w.write(&RawPayload(b"\x04\0\0\0abcd"))?;
/// let bytes = w.into_inner();
/// assert_eq!(&bytes[..2], b"FS");
/// let frames: Vec<&[u8]> = SliceReader::new(&bytes, layout).collect::<Result<_, _>>()?;
/// assert_eq!(frames, [b"\x04\0\0\0abcd"]);
/// # Ok::<(), flatstream::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DynamicLayout {
    len_width: usize,
    big_endian: bool,
    magic: &'static [u8],
    covers_frame: bool,
    align: usize,
    max_len: usize,
    min_len: usize,
    checksum: ChecksumKind,
    checksum_len: usize,
    header_len: usize,
    zero_magic: bool,
}

impl DynamicLayout {
    /// The preset names, each with the spec it stands for: the formats of
    /// `flatstream-rs` 0.2 (its "XxHash64" is XXH3-64, and its CRC-16 is
    /// XMODEM, so it carries at most 4 KiB per frame). Its payloads are
    /// FlatBuffers, at least 4 bytes, so (as for derived framings) a
    /// zero-filled region is never taken for empty frames.
    pub const PRESETS: &'static [(&'static str, &'static str)] = &[
        ("flatstream-rs-0.2", "len=u32"),
        ("flatstream-rs-0.2-crc32", "len=u32,checksum=crc32"),
        ("flatstream-rs-0.2-crc16", "len=u32,checksum=crc16_xmodem"),
        ("flatstream-rs-0.2-xxhash64", "len=u32,checksum=xxh3"),
    ];

    /// Parses a spec: a preset name, or `#[frame(...)]` keys with their
    /// values, comma-separated: `len=u8|u16|u32|u64` (default `u32`),
    /// `checksum=none|crc16|crc16_xmodem|crc32|crc32c|crc64|xxhash64|xxh3`,
    /// `max_len=N` (bytes, or with `KiB`/`MiB`/`GiB`; default 16 MiB, or the
    /// checksum's safe bound, or what `len` holds, whichever is least),
    /// `min_len=N` (default 4, a FlatBuffers root offset, as for derived
    /// framings), `endian=little|big`, `magic=TEXT` (1 to 8 bytes, or
    /// `magic=0x` and hex digits), `covers=payload|frame`, `align=N`.
    ///
    /// The magic's bytes are leaked (at most 8 per parse) so that errors can
    /// name them: parse a layout once, not per frame.
    pub fn parse(spec: &str) -> Result<DynamicLayout> {
        let spec = spec.trim();
        if let Some((_, expanded)) = DynamicLayout::PRESETS.iter().find(|(name, _)| *name == spec) {
            return DynamicLayout::parse(expanded);
        }
        let mut keys = Keys::default();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            keys.set(entry)?;
        }
        keys.build()
    }

    /// The checksum.
    pub fn checksum_kind(&self) -> ChecksumKind {
        self.checksum
    }

    /// The spec that parses back to this layout (every key spelled out).
    pub fn spec(&self) -> String {
        let mut spec = String::new();
        if !self.magic.is_empty() {
            spec.push_str("magic=0x");
            for b in self.magic {
                spec.push_str(&format!("{b:02x}"));
            }
            spec.push(',');
        }
        spec.push_str(&format!(
            "len=u{},checksum={},covers={},endian={},align={},max_len={},min_len={}",
            8 * self.len_width,
            self.checksum.keyword(),
            if self.covers_frame { "frame" } else { "payload" },
            if self.big_endian { "big" } else { "little" },
            self.align,
            self.max_len,
            self.min_len,
        ));
        spec
    }
}

impl FromStr for DynamicLayout {
    type Err = Error;
    fn from_str(spec: &str) -> Result<DynamicLayout> {
        DynamicLayout::parse(spec)
    }
}

impl fmt::Debug for DynamicLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DynamicLayout({})", self.spec())
    }
}

/// The keys of a spec, as they are set.
#[derive(Default)]
struct Keys {
    len: Option<usize>,
    checksum: Option<ChecksumKind>,
    max_len: Option<u64>,
    min_len: Option<u64>,
    big_endian: Option<bool>,
    magic: Option<Vec<u8>>,
    covers_frame: Option<bool>,
    align: Option<u64>,
}

fn bad_spec(reason: String) -> Error {
    Error::InvalidConfig {
        reason: reason.into(),
    }
}

/// A set-once key.
fn once<T>(slot: &mut Option<T>, key: &str, value: T) -> Result<()> {
    if slot.replace(value).is_some() {
        return Err(bad_spec(format!("`{key}` is given twice in the framing spec")));
    }
    Ok(())
}

/// A byte count: digits, optionally followed by `KiB`, `MiB` or `GiB`.
fn parse_size(key: &str, value: &str) -> Result<u64> {
    let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => value.split_at(at),
        None => (value, ""),
    };
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        other => {
            return Err(bad_spec(format!(
            "`{key}={value}`: unknown unit `{other}` (write bytes, or KiB, MiB or GiB, e.g. `{key}=64KiB`)"
        )))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| {
            bad_spec(format!(
                "`{key}={value}` is not a byte count (e.g. `{key}=4096` or `{key}=64KiB`)"
            ))
        })
}

/// A magic: text, or `0x` and hex digits.
fn parse_magic(value: &str) -> Result<Vec<u8>> {
    let bytes = match value.strip_prefix("0x") {
        Some(hex) if hex.len() % 2 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0))
            .collect(),
        Some(_) => {
            return Err(bad_spec(format!(
                "`magic={value}`: after `0x`, give an even number of hex digits"
            )))
        }
        None => value.as_bytes().to_vec(),
    };
    if bytes.is_empty() || bytes.len() > 8 {
        return Err(bad_spec(format!(
            "`magic={value}` is {} bytes; give 1 to 8 (e.g. `magic=FSv1`)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

impl Keys {
    fn set(&mut self, entry: &str) -> Result<()> {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(bad_spec(format!(
                "`{entry}` is neither a preset nor `key=value` (presets: {})",
                DynamicLayout::PRESETS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "len" => {
                let width = match value {
                    "u8" => 1,
                    "u16" => 2,
                    "u32" => 4,
                    "u64" => 8,
                    _ => {
                        return Err(bad_spec(format!(
                            "`len={value}`: write `len=u8`, `u16`, `u32` or `u64`"
                        )))
                    }
                };
                once(&mut self.len, key, width)
            }
            "checksum" => match ChecksumKind::from_keyword(value) {
                Some(kind) => once(&mut self.checksum, key, kind),
                None => Err(bad_spec(format!(
                    "`checksum={value}`: not one of {} (with this build's features)",
                    ChecksumKind::ALL
                        .iter()
                        .map(|k| k.keyword())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            },
            "max_len" => once(&mut self.max_len, key, parse_size(key, value)?),
            "min_len" => once(&mut self.min_len, key, parse_size(key, value)?),
            "endian" => match value {
                "little" => once(&mut self.big_endian, key, false),
                "big" => once(&mut self.big_endian, key, true),
                _ => Err(bad_spec(format!(
                    "`endian={value}`: write `endian=little` or `endian=big`"
                ))),
            },
            "magic" => once(&mut self.magic, key, parse_magic(value)?),
            "covers" => match value {
                "payload" => once(&mut self.covers_frame, key, false),
                "frame" => once(&mut self.covers_frame, key, true),
                _ => Err(bad_spec(format!(
                    "`covers={value}`: write `covers=payload` or `covers=frame`"
                ))),
            },
            "align" => once(&mut self.align, key, parse_size(key, value)?),
            _ => Err(bad_spec(format!(
                "unknown key `{key}` (keys: len, checksum, max_len, min_len, endian, magic, covers, align)"
            ))),
        }
    }

    fn build(self) -> Result<DynamicLayout> {
        let len_width = self.len.unwrap_or(4);
        let checksum = self.checksum.unwrap_or(ChecksumKind::None);
        let capacity = if len_width == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * len_width)) - 1
        };
        let safe = checksum.max_safe_len();
        let max_len = match self.max_len {
            None => (DEFAULT_MAX_FRAME_LEN as u64).min(capacity).min(safe),
            Some(0) => return Err(bad_spec("`max_len` must be at least 1".into())),
            Some(n) if n > capacity => {
                return Err(bad_spec(format!(
                    "`max_len={n}` does not fit `len=u{}`, which holds at most {capacity}",
                    8 * len_width
                )))
            }
            Some(n) if n > safe => {
                return Err(bad_spec(format!(
                "`max_len={n}` is too large for `checksum={}`, which detects every 2-bit error only up to \
                     {safe} bytes: use a 4- or 8-byte checksum, or `max_len={safe}`",
                checksum.keyword()
            )))
            }
            Some(n) => n,
        };
        let min_len = self.min_len.unwrap_or(MIN_FLATBUFFERS_LEN as u64);
        if min_len > max_len {
            return Err(bad_spec(format!(
                "`min_len={min_len}` is above `max_len={max_len}`"
            )));
        }
        let magic: &'static [u8] = match self.magic {
            Some(bytes) => Box::leak(bytes.into_boxed_slice()),
            None => &[],
        };
        let covers_frame = self.covers_frame.unwrap_or(false);
        let align = usize::try_from(self.align.unwrap_or(1)).unwrap_or(usize::MAX);
        let checksum_len = checksum.size();
        let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let (max_len, min_len) = (as_usize(max_len), as_usize(min_len));
        let shape = check_shape(len_width, magic.len(), checksum_len, covers_frame, align, max_len);
        if let Err(why) = shape {
            // The keys are checked above as they are parsed, except these.
            let why = match why {
                ShapeError::Align => {
                    format!("`align={align}` must be a power of two up to 64 (e.g. `align=8`)")
                }
                ShapeError::CoversWithoutChecksum => {
                    "`covers=frame` needs a checksum to cover the frame with: add e.g. `checksum=crc32c`"
                        .into()
                }
                other => format!("not a framing: {}", other.for_frame_layout()),
            };
            return Err(bad_spec(why));
        }
        Ok(DynamicLayout {
            len_width,
            big_endian: self.big_endian.unwrap_or(false),
            magic,
            covers_frame,
            align,
            max_len,
            min_len,
            checksum,
            checksum_len,
            header_len: layout::header_len(magic.len(), len_width, checksum_len, covers_frame, align),
            zero_magic: is_zero(magic),
        })
    }
}

impl Shape for DynamicLayout {
    #[inline]
    fn len_width(&self) -> usize {
        self.len_width
    }
    #[inline]
    fn big_endian(&self) -> bool {
        self.big_endian
    }
    #[inline]
    fn magic(&self) -> &'static [u8] {
        self.magic
    }
    #[inline]
    fn zero_magic(&self) -> bool {
        self.zero_magic
    }
    #[inline]
    fn covers_frame(&self) -> bool {
        self.covers_frame
    }
    #[inline]
    fn align(&self) -> usize {
        self.align
    }
    #[inline]
    fn max_len(&self) -> usize {
        self.max_len
    }
    #[inline]
    fn min_len(&self) -> usize {
        self.min_len
    }
    #[inline]
    fn checksum_len(&self) -> usize {
        self.checksum_len
    }
    #[inline]
    fn header_len(&self) -> usize {
        self.header_len
    }
    #[inline]
    fn checksum(&self, data: &[u8]) -> u64 {
        self.checksum.calculate(data)
    }
}

impl Framer for DynamicLayout {
    #[inline]
    fn header_len(&self) -> usize {
        self.header_len
    }
    #[inline]
    fn max_frame_len(&self) -> usize {
        self.max_len
    }
    #[inline]
    fn padding_len(&self, payload_len: usize) -> usize {
        Shape::padding(self, payload_len)
    }
    #[inline]
    fn encode_header(&self, payload: &[u8], header: &mut [u8]) -> Result<()> {
        layout::encode_header(self, payload, header)
    }
    #[inline]
    fn encode_frame(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        layout::encode_frame(self, payload, out)
    }
}

impl Deframer for DynamicLayout {
    #[inline]
    fn validates_header(&self) -> bool {
        self.covers_frame || !self.magic.is_empty()
    }
    #[inline]
    fn validates_payload(&self) -> bool {
        self.checksum_len > 0
    }
    #[inline]
    fn header_len(&self) -> usize {
        self.header_len
    }
    #[inline]
    fn max_frame_len(&self) -> usize {
        self.max_len
    }
    #[inline]
    fn padding_len(&self, payload_len: usize) -> usize {
        Shape::padding(self, payload_len)
    }
    #[inline]
    fn decode_header(&self, header: &[u8]) -> Result<usize> {
        layout::decode_header(self, header)
    }
    #[inline]
    fn verify(&self, header: &[u8], payload: &[u8]) -> Result<()> {
        layout::verify(self, header, payload)
    }
}
