//! Parsing of `#[frame(...)]` and `#[flatstream(...)]`. Parsers never stop
//! at the first mistake: each is recorded in the [`Ctxt`] and parsing goes on.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, Path, Token};

use crate::internals::ctxt::Ctxt;
use crate::internals::symbol::{
    nearest, one_of, ChecksumKind, CHECKSUMS, CIPHERS, CODECS, FIELD_KEYS, FRAME_KEYS, LEN_TYPES, ZSTD_LEVELS,
};

/// One `key` or `key = value` entry of an attribute list.
struct Entry {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `parse_any` also accepts keywords, for `crate = ...`.
        let key = Ident::parse_any(input)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Entry { key, value })
    }
}

/// A value with the tokens it came from, for error spans.
pub struct Spanned<T> {
    pub value: T,
    /// The whole `key = value` entry.
    pub tokens: TokenStream,
    /// The value alone.
    pub value_tokens: TokenStream,
}

/// A key that may be set once.
pub struct Slot<T>(pub Option<Spanned<T>>);

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot(None)
    }
}

impl<T> Slot<T> {
    fn set(&mut self, cx: &mut Ctxt, attr: &str, entry: &Entry, value: T) {
        if let Some(first) = &self.0 {
            cx.error_spanned(
                &entry.key,
                format!(
                    "duplicate `{}` in #[{attr}(...)]: it is already set to `{}`; keep one of them",
                    entry.key, first.value_tokens
                ),
            );
            return;
        }
        self.0 = Some(Spanned {
            value,
            tokens: entry_tokens(entry),
            value_tokens: entry.value.to_token_stream(),
        });
    }

    pub fn get(&self) -> Option<&T> {
        self.0.as_ref().map(|s| &s.value)
    }
}

fn entry_tokens(entry: &Entry) -> TokenStream {
    let key = &entry.key;
    match &entry.value {
        Some(v) => quote::quote!(#key = #v),
        None => key.to_token_stream(),
    }
}

/// Byte order of the header integers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// What the checksum covers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Covers {
    Payload,
    Frame,
}

/// `compress = lz4 | zstd | zstd(level = N)`.
#[derive(Clone)]
pub struct Compress {
    /// The codec keyword, as written (its span is where a disabled cargo
    /// feature is reported).
    pub codec: Ident,
    /// `zstd(level = N)`.
    pub level: Option<i32>,
}

/// Everything `#[frame(...)]` can say.
#[derive(Default)]
pub struct FrameAttr {
    /// Where the attribute was written (the first `#[frame]`), if at all.
    pub span: Option<TokenStream>,
    pub len: Slot<(&'static str, usize)>,
    pub checksum: Slot<(&'static ChecksumKind, Ident)>,
    pub max_len: Slot<u64>,
    pub min_len: Slot<u64>,
    pub endian: Slot<Endian>,
    pub magic: Slot<Vec<u8>>,
    pub covers: Slot<Covers>,
    pub align: Slot<u64>,
    pub compress: Slot<Compress>,
    pub encrypt: Slot<Ident>,
    pub protocol: Slot<Path>,
    pub krate: Slot<Path>,
    pub max_depth: Slot<u64>,
    pub max_tables: Slot<u64>,
}

impl FrameAttr {
    /// The keys set other than `protocol` and `crate`, for conflict errors.
    pub fn layout_keys(&self) -> Vec<&TokenStream> {
        let mut keys = Vec::new();
        macro_rules! push {
            ($($slot:ident),*) => {$(
                if let Some(s) = &self.$slot.0 {
                    keys.push(&s.tokens);
                }
            )*};
        }
        push!(len, checksum, max_len, min_len, endian, magic, covers, align, compress, encrypt);
        keys
    }
}

/// Parses every `#[frame(...)]` among `attrs`.
pub fn parse_frame(cx: &mut Ctxt, attrs: &[Attribute]) -> FrameAttr {
    let mut frame = FrameAttr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("frame")) {
        frame.span.get_or_insert_with(|| attr.to_token_stream());
        for entry in entries(cx, attr, "frame", "#[frame(len = u32, checksum = crc32c)]") {
            frame_entry(cx, &mut frame, &entry);
        }
    }
    frame
}

/// The entries of `#[name(...)]`, or none (with an error) if it is malformed.
fn entries(cx: &mut Ctxt, attr: &Attribute, name: &str, example: &str) -> Vec<Entry> {
    match &attr.meta {
        syn::Meta::List(_) => match attr.parse_args_with(Punctuated::<Entry, Token![,]>::parse_terminated) {
            Ok(list) => list.into_iter().collect(),
            Err(e) => {
                cx.syn_error(syn::Error::new(
                    e.span(),
                    format!("{e}; #[{name}] takes `key = value` pairs separated by commas, like {example}"),
                ));
                Vec::new()
            }
        },
        _ => {
            cx.error_spanned(
                attr,
                format!("#[{name}] needs a list of settings, like {example}"),
            );
            Vec::new()
        }
    }
}

/// The value of an entry, or an error saying one is needed.
fn require_value<'a>(cx: &mut Ctxt, entry: &'a Entry, example: &str) -> Option<&'a Expr> {
    if entry.value.is_none() {
        cx.error_spanned(
            &entry.key,
            format!("`{}` needs a value: write `{example}`", entry.key),
        );
    }
    entry.value.as_ref()
}

/// The expression as a single identifier (`u32`, `crc16`, `little`).
fn as_ident(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => p.path.get_ident(),
        _ => None,
    }
}

/// The expression as an unsigned integer literal.
fn as_u64(cx: &mut Ctxt, key: &str, expr: &Expr, example: &str) -> Option<u64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => match int.base10_parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                cx.error_spanned(
                    expr,
                    format!("`{key}` must fit in a u64: write e.g. `{key} = {example}`"),
                );
                None
            }
        },
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            ..
        }) => {
            cx.error_spanned(
                expr,
                format!("`{key}` cannot be negative: write e.g. `{key} = {example}`"),
            );
            None
        }
        _ => {
            cx.error_spanned(
                expr,
                format!("`{key}` takes an integer literal: write e.g. `{key} = {example}`"),
            );
            None
        }
    }
}

fn frame_entry(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let key = entry.key.unraw().to_string();
    match key.as_str() {
        "len" => frame_len(cx, frame, entry),
        "checksum" => frame_checksum(cx, frame, entry),
        "max_len" => frame_max_len(cx, frame, entry),
        "min_len" => {
            let Some(value) = require_value(cx, entry, "min_len = 1") else {
                return;
            };
            if let Some(n) = as_u64(cx, "min_len", value, "1") {
                frame.min_len.set(cx, "frame", entry, n);
            }
        }
        "endian" => {
            let Some(value) = require_value(cx, entry, "endian = little") else {
                return;
            };
            match as_ident(value).map(Ident::to_string).as_deref() {
                Some("little") => frame.endian.set(cx, "frame", entry, Endian::Little),
                Some("big") => frame.endian.set(cx, "frame", entry, Endian::Big),
                _ => cx.error_spanned(value, "`endian` must be `little` or `big` (e.g. `endian = big`)"),
            }
        }
        "magic" => frame_magic(cx, frame, entry),
        "covers" => {
            let Some(value) = require_value(cx, entry, "covers = frame") else {
                return;
            };
            match as_ident(value).map(Ident::to_string).as_deref() {
                Some("payload") => frame.covers.set(cx, "frame", entry, Covers::Payload),
                Some("frame") => frame.covers.set(cx, "frame", entry, Covers::Frame),
                _ => cx.error_spanned(
                    value,
                    "`covers` must be `payload` (the checksum protects the payload) or `frame` (it also \
                     protects magic and length)",
                ),
            }
        }
        "align" => frame_align(cx, frame, entry),
        "compress" => frame_compress(cx, frame, entry),
        "encrypt" => frame_encrypt(cx, frame, entry),
        "protocol" => {
            let Some(value) = require_value(cx, entry, "protocol = MyProtocol") else {
                return;
            };
            match value {
                Expr::Path(p) if p.qself.is_none() => frame.protocol.set(cx, "frame", entry, p.path.clone()),
                _ => cx.error_spanned(
                    value,
                    "`protocol` takes the path of a type with #[derive(Framing)], like `protocol = SensorLink`",
                ),
            }
        }
        "max_depth" | "max_tables" => {
            let example = if key == "max_depth" { "64" } else { "1000" };
            let Some(value) = require_value(cx, entry, &format!("{key} = {example}")) else {
                return;
            };
            if let Some(n) = as_u64(cx, &key, value, example) {
                if n == 0 {
                    cx.error_spanned(value, format!("`{key}` must be at least 1"));
                } else if key == "max_depth" {
                    frame.max_depth.set(cx, "frame", entry, n);
                } else {
                    frame.max_tables.set(cx, "frame", entry, n);
                }
            }
        }
        "crate" => frame_crate(cx, frame, entry),
        other => unknown_key(cx, &entry.key, other, "frame", FRAME_KEYS),
    }
}

/// `#[frame(len = ..)]`.
fn frame_len(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "len = u32") else {
        return;
    };
    let name = as_ident(value).map(Ident::to_string);
    match LEN_TYPES.iter().find(|(t, _)| Some(*t) == name.as_deref()) {
        Some(&(t, width)) => frame.len.set(cx, "frame", entry, (t, width)),
        None => {
            let hint = match name.as_deref() {
                Some("i8" | "i16" | "i32" | "i64") => {
                    "; lengths are never negative, use the unsigned type of the same width"
                }
                Some("u128" | "i128") => "; a 64-bit length already covers any payload",
                Some("usize" | "isize") => "; the width must not depend on the platform",
                _ => "",
            };
            cx.error_spanned(
                value,
                format!(
                    "`len` must be an unsigned integer type: {}{hint} (e.g. `len = u32`)",
                    one_of(LEN_TYPES.iter().map(|(t, _)| *t))
                ),
            );
        }
    }
}

/// `#[frame(checksum = ..)]`.
fn frame_checksum(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "checksum = crc32c") else {
        return;
    };
    let keywords = CHECKSUMS.iter().map(|c| c.keyword);
    match as_ident(value) {
        Some(ident) => match CHECKSUMS.iter().find(|c| ident == c.keyword) {
            Some(kind) => frame.checksum.set(cx, "frame", entry, (kind, ident.clone())),
            None => {
                let word = ident.to_string();
                let suggestion = nearest(&word.to_lowercase(), keywords.clone())
                    .map(|n| format!("did you mean `checksum = {n}`? "))
                    .unwrap_or_default();
                cx.error_spanned(
                    value,
                    format!(
                        "unknown checksum `{word}`: {suggestion}expected one of {}",
                        one_of(keywords)
                    ),
                );
            }
        },
        None => cx.error_spanned(
            value,
            format!(
                "`checksum` takes a keyword, one of {} (e.g. `checksum = crc32c`)",
                one_of(keywords)
            ),
        ),
    }
}

/// `#[frame(compress = ..)]`.
fn frame_compress(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    const FORMS: &str = "`compress = lz4`, `compress = zstd` or `compress = zstd(level = 19)`";
    let Some(value) = require_value(cx, entry, "compress = lz4") else {
        return;
    };
    let (codec, args) = match value {
        Expr::Call(call) => (as_ident(&call.func), Some(call)),
        other => (as_ident(other), None),
    };
    let Some(codec) = codec else {
        cx.error_spanned(value, format!("`compress` takes a codec: {FORMS}"));
        return;
    };
    let word = codec.to_string();
    if !CODECS.contains(&word.as_str()) {
        let suggestion = nearest(&word.to_lowercase(), CODECS.iter().copied())
            .map(|n| format!("did you mean `compress = {n}`? "))
            .unwrap_or_default();
        cx.error_spanned(
            codec,
            format!(
                "unknown codec `{word}`: {suggestion}expected one of {}",
                one_of(CODECS.iter().copied())
            ),
        );
        return;
    }
    let level = match args {
        None => None,
        Some(call) if word == "lz4" => {
            cx.error_spanned(
                &call.args,
                "LZ4 has no levels: write `compress = lz4` (or `compress = zstd(level = N)` for a level)",
            );
            return;
        }
        Some(call) => match zstd_level(&call.args) {
            Ok(level) => Some(level),
            Err(message) => {
                cx.error_spanned(&call.args, message);
                return;
            }
        },
    };
    frame.compress.set(
        cx,
        "frame",
        entry,
        Compress {
            codec: codec.clone(),
            level,
        },
    );
}

/// `#[frame(encrypt = ..)]`.
fn frame_encrypt(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "encrypt = chacha20poly1305") else {
        return;
    };
    let ciphers = || CIPHERS.iter().copied();
    match as_ident(value) {
        Some(ident) if CIPHERS.contains(&ident.to_string().as_str()) => {
            frame.encrypt.set(cx, "frame", entry, ident.clone());
        }
        Some(ident) => {
            let word = ident.to_string();
            let suggestion = nearest(&word.to_lowercase().replace(['-', '_'], ""), ciphers())
                .map(|n| format!("did you mean `encrypt = {n}`? "))
                .unwrap_or_default();
            cx.error_spanned(
                value,
                format!(
                    "unknown cipher `{word}`: {suggestion}expected one of {}",
                    one_of(ciphers())
                ),
            );
        }
        None => cx.error_spanned(
            value,
            format!(
                "`encrypt` takes a cipher, one of {} (e.g. `encrypt = chacha20poly1305`); the key is \
                 given at run time, to `T::encrypted_framer(&key)`",
                one_of(ciphers())
            ),
        ),
    }
}

/// The level of `zstd(level = N)`.
fn zstd_level(args: &Punctuated<Expr, Token![,]>) -> Result<i32, String> {
    let usage =
        "write `compress = zstd(level = N)`, N from 1 (fast) to 22 (small), or negative for faster still";
    let [Expr::Assign(assign)] = args.iter().collect::<Vec<_>>()[..] else {
        return Err(format!("zstd takes one setting, its level: {usage}"));
    };
    if as_ident(&assign.left).is_none_or(|key| key != "level") {
        return Err(format!("zstd takes one setting, its level: {usage}"));
    }
    let (negative, literal) = match &*assign.right {
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => (true, &**expr),
        other => (false, other),
    };
    let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = literal
    else {
        return Err(format!("the zstd level is an integer literal: {usage}"));
    };
    let magnitude = int
        .base10_parse::<i64>()
        .map_err(|_| format!("the zstd level is out of range: {usage}"))?;
    let level = if negative { -magnitude } else { magnitude };
    match i32::try_from(level) {
        Ok(level) if ZSTD_LEVELS.contains(&i64::from(level)) && level != 0 => Ok(level),
        _ => Err(format!("zstd has no level {level}: {usage}")),
    }
}

/// `#[frame(max_len = ..)]`.
fn frame_max_len(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "max_len = 65536") else {
        return;
    };
    if let Some(n) = as_u64(cx, "max_len", value, "65536") {
        frame.max_len.set(cx, "frame", entry, n);
    }
}

/// `#[frame(magic = ..)]`.
fn frame_magic(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "magic = b\"FS\"") else {
        return;
    };
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::ByteStr(bytes),
            ..
        }) => {
            let bytes = bytes.value();
            if bytes.is_empty() {
                cx.error_spanned(
                    value,
                    "`magic` must not be empty: give 1 to 8 bytes (e.g. `magic = b\"FS\"`) or remove it",
                );
            } else if bytes.len() > 8 {
                cx.error_spanned(
                    value,
                    format!(
                        "`magic` is {} bytes long; at most 8 are allowed (e.g. `magic = b\"FSTREAM1\"`)",
                        bytes.len()
                    ),
                );
            } else {
                frame.magic.set(cx, "frame", entry, bytes);
            }
        }
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => cx.error_spanned(
            value,
            format!("`magic` takes a byte string: write `magic = b{:?}`", s.value()),
        ),
        _ => cx.error_spanned(
            value,
            "`magic` takes a byte string literal, like `magic = b\"FS\"`",
        ),
    }
}

/// `#[frame(align = ..)]`.
fn frame_align(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "align = 8") else {
        return;
    };
    if let Some(n) = as_u64(cx, "align", value, "8") {
        if n.is_power_of_two() && n <= 64 {
            frame.align.set(cx, "frame", entry, n);
        } else {
            let below = if n == 0 {
                1
            } else {
                1u64 << (63 - n.leading_zeros()).min(6)
            };
            cx.error_spanned(
                value,
                format!(
                    "`align` must be a power of two up to 64 (1, 2, 4, 8, 16, 32 or 64); {n} is not \
                     (e.g. `align = {below}`)"
                ),
            );
        }
    }
}

/// `#[frame(crate = ..)]`.
fn frame_crate(cx: &mut Ctxt, frame: &mut FrameAttr, entry: &Entry) {
    let Some(value) = require_value(cx, entry, "crate = my_facade::flatstream") else {
        return;
    };
    let path = match value {
        Expr::Path(p) if p.qself.is_none() => Some(p.path.clone()),
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => s.parse::<Path>().ok(),
        _ => None,
    };
    match path {
        Some(path) => frame.krate.set(cx, "frame", entry, path),
        None => cx.error_spanned(
            value,
            "`crate` takes the path the flatstream crate is reachable at, like `crate = my_facade::flatstream`",
        ),
    }
}

fn unknown_key(cx: &mut Ctxt, key: &Ident, word: &str, attr: &str, keys: &'static [&'static str]) {
    let suggestion = nearest(word, keys.iter().copied())
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    cx.error_spanned(
        key,
        format!(
            "unknown key `{word}` in #[{attr}(...)]: {suggestion}expected one of {}",
            one_of(keys.iter().copied())
        ),
    );
}

/// Everything `#[flatstream(...)]` on a field can say.
#[derive(Default)]
pub struct FieldAttr {
    pub id: Slot<u64>,
    pub skip: Slot<()>,
    /// `default` (`None`: the type's empty value) or `default = expr`.
    pub default: Slot<Option<Expr>>,
}

/// Parses every `#[flatstream(...)]` of a field.
pub fn parse_field(cx: &mut Ctxt, attrs: &[Attribute]) -> FieldAttr {
    let mut field = FieldAttr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("flatstream")) {
        for entry in entries(cx, attr, "flatstream", "#[flatstream(id = 0)]") {
            let key = entry.key.unraw().to_string();
            match key.as_str() {
                "id" => {
                    let Some(value) = require_value(cx, &entry, "id = 0") else {
                        continue;
                    };
                    if let Some(n) = as_u64(cx, "id", value, "0") {
                        field.id.set(cx, "flatstream", &entry, n);
                    }
                }
                "skip" => {
                    if let Some(value) = &entry.value {
                        cx.error_spanned(value, "`skip` takes no value: write `#[flatstream(skip)]`");
                    } else {
                        field.skip.set(cx, "flatstream", &entry, ());
                    }
                }
                "default" => field.default.set(cx, "flatstream", &entry, entry.value.clone()),
                other => unknown_key(cx, &entry.key, other, "flatstream", FIELD_KEYS),
            }
        }
    }
    field
}

/// Reports `#[flatstream]` where it has no meaning (on a type, a variant).
pub fn forbid(cx: &mut Ctxt, attrs: &[Attribute], name: &str, why: &str) {
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        cx.error_spanned(attr, why);
    }
}
