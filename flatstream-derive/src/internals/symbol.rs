//! Every keyword the attributes accept, declared once; the lists in error
//! messages ("expected one of ...") come from here.

/// Keys of `#[frame(...)]`.
pub const FRAME_KEYS: &[&str] = &[
    "len",
    "checksum",
    "max_len",
    "min_len",
    "endian",
    "magic",
    "covers",
    "align",
    "compress",
    "encrypt",
    "protocol",
    "crate",
    "max_depth",
    "max_tables",
];

/// `encrypt = ..` ciphers.
pub const CIPHERS: &[&str] = &["chacha20poly1305", "aes256gcm"];

/// `compress = ..` codecs.
pub const CODECS: &[&str] = &["lz4", "zstd"];

/// The zstd levels `compress = zstd(level = N)` accepts: zstd's own range
/// (negative levels trade size for speed).
pub const ZSTD_LEVELS: std::ops::RangeInclusive<i64> = -131_072..=22;

/// Keys of `#[flatstream(...)]` on a field.
pub const FIELD_KEYS: &[&str] = &["id", "skip", "default"];

/// `len = ..` types and their widths in bytes.
pub const LEN_TYPES: &[(&str, usize)] = &[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)];

/// A checksum keyword: its size in bytes and the largest payload for which it
/// still detects every 2-bit error (`None`: no bound below 2^64).
pub struct ChecksumKind {
    pub keyword: &'static str,
    pub size: usize,
    pub safe_bound: Option<u64>,
    pub why: &'static str,
}

/// `checksum = ..` keywords.
pub const CHECKSUMS: &[ChecksumKind] = &[
    ChecksumKind {
        keyword: "none",
        size: 0,
        safe_bound: None,
        why: "",
    },
    ChecksumKind {
        keyword: "crc16",
        size: 2,
        safe_bound: Some(4096),
        why: "CRC-16 detects every 2-bit error only in payloads up to about 4 KiB",
    },
    ChecksumKind {
        keyword: "crc16_xmodem",
        size: 2,
        safe_bound: Some(4096),
        why: "CRC-16 detects every 2-bit error only in payloads up to about 4 KiB",
    },
    ChecksumKind {
        keyword: "crc32",
        size: 4,
        safe_bound: Some(512 << 20),
        why: "CRC-32 detects every 2-bit error only in payloads up to 512 MiB",
    },
    ChecksumKind {
        keyword: "crc32c",
        size: 4,
        safe_bound: Some(512 << 20),
        why: "CRC-32C detects every 2-bit error only in payloads up to 512 MiB",
    },
    ChecksumKind {
        keyword: "crc64",
        size: 8,
        safe_bound: None,
        why: "",
    },
    ChecksumKind {
        keyword: "xxhash64",
        size: 8,
        safe_bound: None,
        why: "",
    },
    ChecksumKind {
        keyword: "xxh3",
        size: 8,
        safe_bound: None,
        why: "",
    },
];

/// The default payload limit: 16 MiB (lowered by `len` and the checksum).
pub const DEFAULT_MAX_LEN: u64 = 16 << 20;

/// Types a field may have, for error messages.
pub const SUPPORTED_TYPES: &str = "bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, String, &str, \
     Vec<u8>, &[u8], Vec<scalar>, Vec<String>, Option<T> of these, and structs or fieldless #[repr] enums \
     that #[derive(StreamSerialize)]";

/// Scalar type names and their sizes in bytes.
pub const SCALARS: &[(&str, usize, &str)] = &[
    ("bool", 1, "bool"),
    ("u8", 1, "ubyte"),
    ("i8", 1, "byte"),
    ("u16", 2, "ushort"),
    ("i16", 2, "short"),
    ("u32", 4, "uint"),
    ("i32", 4, "int"),
    ("u64", 8, "ulong"),
    ("i64", 8, "long"),
    ("f32", 4, "float"),
    ("f64", 8, "double"),
];

/// Integer types an enum may have as `#[repr]`.
pub const ENUM_REPRS: &[&str] = &["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

/// "`a`, `b` or `c`".
pub fn one_of(words: impl IntoIterator<Item = &'static str>) -> String {
    let words: Vec<String> = words.into_iter().map(|w| format!("`{w}`")).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The candidate closest to `word`, if it is plausibly a typo of it.
pub fn nearest(word: &str, candidates: impl IntoIterator<Item = &'static str>) -> Option<&'static str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len().max(word.len()) / 2) && d < c.len().max(word.len()))
        // Ties go to the candidate of the same length (a transposition).
        .min_by_key(|&(d, c)| (d, c.len().abs_diff(word.len())))
        .map(|(_, c)| c)
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The tables above as an expression, for the runtime's cross-check
/// (`flatstream_derive::__derive_tables!()`): checksum keywords with their
/// header size and payload bound, scalars with their size and FlatBuffers
/// name, and the supported-types text.
pub fn tables() -> proc_macro2::TokenStream {
    let checksums = CHECKSUMS.iter().map(|c| {
        let (keyword, size) = (c.keyword, c.size);
        let bound = c.safe_bound.unwrap_or(u64::MAX);
        quote::quote!((#keyword, #size, #bound))
    });
    let scalars = SCALARS
        .iter()
        .map(|&(name, size, fbs)| quote::quote!((#name, #size, #fbs)));
    quote::quote! {
        (
            &[#(#checksums),*] as &[(&str, usize, u64)],
            &[#(#scalars),*] as &[(&str, usize, &str)],
            #SUPPORTED_TYPES,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(nearest("lenght", FRAME_KEYS.iter().copied()), Some("len"));
        assert_eq!(nearest("checksun", FRAME_KEYS.iter().copied()), Some("checksum"));
        assert_eq!(nearest("maxlen", FRAME_KEYS.iter().copied()), Some("max_len"));
        assert_eq!(nearest("zzzzzz", FRAME_KEYS.iter().copied()), None);
        let checksums = CHECKSUMS.iter().map(|c| c.keyword);
        assert_eq!(nearest("crc23c", checksums), Some("crc32c"));
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(one_of(["a"]), "`a`");
        assert_eq!(one_of(["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
