//! Every rule that spans more than one token: field types, field ids, and
//! the combinations of `#[frame(...)]` keys. Produces the resolved framing.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{GenericParam, Ident, Path, Type};

use crate::internals::ast::{Body, Field, Input};
use crate::internals::attr::{Covers, Endian, FrameAttr};
use crate::internals::ctxt::Ctxt;
use crate::internals::symbol::{ChecksumKind, DEFAULT_MAX_LEN, SCALARS, SUPPORTED_TYPES};
use crate::internals::types::single_arg;

/// Which derive is validating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    StreamSerialize,
    StreamDeserialize,
    Framing,
}

impl Derive {
    fn name(self) -> &'static str {
        match self {
            Derive::StreamSerialize => "StreamSerialize",
            Derive::StreamDeserialize => "StreamDeserialize",
            Derive::Framing => "Framing",
        }
    }
}

/// A framing with every default filled in.
pub struct Layout {
    pub len_width: usize,
    /// The checksum keyword (with its span), `None` for no checksum.
    pub checksum: Option<Ident>,
    pub max_len: u64,
    /// `min_len = N`; `None`: a FlatBuffers payload's minimum.
    pub min_len: Option<u64>,
    pub big_endian: bool,
    pub magic: Vec<u8>,
    pub covers_frame: bool,
    pub align: u64,
    /// `compress = ..`: frames compressed with this codec.
    pub compress: Option<crate::internals::attr::Compress>,
    /// `encrypt = ..`: the cipher of `T::encrypted_framer(&key)`.
    pub encrypt: Option<Ident>,
}

/// Where a message's framing comes from.
pub enum Framing {
    /// Its own `#[frame(...)]` (or the defaults).
    Own(Layout),
    /// `#[frame(protocol = P)]`.
    Protocol(Path),
}

/// Checks the item; returns its framing when it has one.
pub fn check(cx: &mut Ctxt, input: &mut Input, derive: Derive) -> Option<Framing> {
    check_generics(cx, input, derive);
    match (&mut input.body, derive) {
        (Body::Struct(fields), Derive::StreamSerialize | Derive::StreamDeserialize) => {
            check_fields(cx, fields)
        }
        (Body::Enum { repr, variants }, Derive::StreamSerialize | Derive::StreamDeserialize) => {
            if repr.is_none() {
                cx.error_spanned(
                    input.ident,
                    format!(
                        "add `#[repr(u8)]` (or another integer: u16, u32, u64, i8, i16, i32, i64) to `{}` so it \
                         has a fixed width on the wire",
                        input.ident
                    ),
                );
            }
            if variants.is_empty() {
                cx.error_spanned(input.ident, "an enum field type needs at least one variant");
            }
            let frame = &input.frame;
            if let (Some(span), true) = (
                &frame.span,
                !frame.layout_keys().is_empty() || frame.protocol.0.is_some(),
            ) {
                cx.error_spanned(
                    span,
                    "enums are field types, not messages: put #[frame(...)] on the struct that contains this enum",
                );
            }
            return None;
        }
        (Body::Unit, Derive::StreamSerialize | Derive::StreamDeserialize) => {
            cx.error_spanned(
                input.ident,
                format!(
                    "a unit struct has nothing to encode: to declare a protocol write \
                     `#[derive(Framing)]`, for an empty message write `struct {} {{}}`",
                    input.ident
                ),
            );
        }
        // A protocol (a unit struct), or a message whose payloads another
        // encoder writes (a serde type): its fields are not looked at.
        (Body::Unit | Body::Struct(_), Derive::Framing) => {}
        (Body::Enum { .. }, Derive::Framing) => {
            cx.error_spanned(
                input.ident,
                format!(
                    "#[derive(Framing)] declares a framing on a struct: write `struct {};` for a protocol (its \
                     messages say `#[frame(protocol = {})]`), or put it on the struct whose payloads it frames",
                    input.ident, input.ident
                ),
            );
        }
        (Body::Invalid, _) => {}
    }
    if derive == Derive::StreamDeserialize {
        // The framing is StreamSerialize's (or Framing's) to check and report.
        return None;
    }
    if derive == Derive::Framing && input.frame.span.is_none() {
        cx.error_spanned(
            input.ident,
            "#[derive(Framing)] needs the framing it names: add e.g. `#[frame(len = u32, checksum = crc32c)]`",
        );
    }
    Some(resolve_framing(cx, &input.frame, derive))
}

fn check_generics(cx: &mut Ctxt, input: &Input, derive: Derive) {
    for param in &input.generics.params {
        match param {
            GenericParam::Lifetime(_) if derive == Derive::StreamSerialize => {}
            GenericParam::Lifetime(_) if derive == Derive::StreamDeserialize => cx.error_spanned(
                param,
                "#[derive(StreamDeserialize)] reads into owned values: use `String` and `Vec<u8>` instead of \
                 `&str` and `&[u8]` (the generated view type borrows from the buffer for you)",
            ),
            _ => cx.error_spanned(
                param,
                format!(
                    "#[derive({})] does not support generic parameters: the table layout is fixed at compile \
                     time; use concrete field types{}",
                    derive.name(),
                    if derive == Derive::StreamSerialize { " (lifetimes, for `&str` and `&[T]`, are fine)" } else { "" }
                ),
            ),
        }
    }
}

/// The largest id FlatBuffers can address (slot offsets are 16-bit).
const MAX_FIELD_ID: u64 = (u16::MAX as u64 - 4) / 2 - 1;

fn check_fields(cx: &mut Ctxt, fields: &mut [Field]) {
    let mut next_id = 0u64;
    let mut ids: BTreeMap<u64, Vec<&Ident>> = BTreeMap::new();
    let mut any_pinned = false;
    for field in fields.iter_mut() {
        if let Some(skip) = &field.attr.skip.0 {
            if let Some(id) = &field.attr.id.0 {
                cx.error_spanned(
                    &id.tokens,
                    format!(
                        "field `{}` is skipped, so it has no id: remove `{}` or `{}`",
                        field.ident, id.tokens, skip.tokens
                    ),
                );
            }
            continue;
        }
        check_type(cx, field.ty, Position::Field);
        if let Some(default) = &field.attr.default.0 {
            let is_option = matches!(field.ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
            if is_option {
                cx.error_spanned(
                    &default.tokens,
                    format!(
                        "`{}` is an `Option`, which reads as `None` when absent: remove `default`",
                        field.ident
                    ),
                );
            } else if let (Some(expr), true) = (&default.value, crate::internals::types::is_scalar(field.ty))
            {
                if !is_literal(expr) {
                    cx.error_spanned(
                        expr,
                        "the default of a scalar field goes into the schema and the encoding: write a literal, \
                         like `default = 20` or `default = 1.5`",
                    );
                }
            }
        }
        let id = match field.attr.id.get() {
            Some(&id) => {
                any_pinned = true;
                id
            }
            None => next_id,
        };
        next_id += 1;
        if id > MAX_FIELD_ID {
            let tokens = field.attr.id.0.as_ref().map(|s| s.value_tokens.clone());
            cx.error_spanned(
                tokens,
                format!("field ids go up to {MAX_FIELD_ID} in FlatBuffers"),
            );
            continue;
        }
        field.id = id as u16;
        ids.entry(id).or_default().push(field.ident);
    }
    // Duplicates, reported at every field that shares the id.
    for (id, owners) in &ids {
        if owners.len() > 1 {
            let names: Vec<String> = owners.iter().map(|o| format!("`{o}`")).collect();
            for owner in owners {
                let pinned = fields
                    .iter()
                    .find(|f| f.ident == *owner)
                    .and_then(|f| f.attr.id.0.as_ref());
                let message = format!(
                    "field id {id} is used by {}; every field needs its own id{}",
                    names.join(" and "),
                    if any_pinned {
                        ": pin distinct ids with #[flatstream(id = N)]"
                    } else {
                        ""
                    }
                );
                match pinned {
                    Some(p) => cx.error_spanned(&p.tokens, message),
                    None => cx.error_spanned(owner, message),
                }
            }
        }
    }
    // Gaps: ids must be exactly 0..n.
    let count = ids.len() as u64;
    if let Some((&highest, owners)) = ids.iter().next_back() {
        if highest >= count {
            let missing: Vec<String> = (0..highest)
                .filter(|i| !ids.contains_key(i))
                .map(|i| i.to_string())
                .collect();
            let owner = owners[0];
            let tokens = fields
                .iter()
                .find(|f| f.ident == owner)
                .and_then(|f| f.attr.id.0.as_ref().map(|s| s.tokens.clone()))
                .unwrap_or_else(|| owner.to_token_stream());
            cx.error_spanned(
                tokens,
                format!(
                    "field ids must run from 0 without gaps, but {} {} missing: renumber so the {count} fields \
                     use ids 0..={}",
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" },
                    count - 1
                ),
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Field,
    InOption,
    InVec,
}

fn unsupported(cx: &mut Ctxt, ty: &Type, why: &str) {
    cx.error_spanned(
        ty,
        format!(
            "unsupported field type `{}`: {why}; supported: {SUPPORTED_TYPES}",
            type_name(ty)
        ),
    );
}

/// A type as a user writes it (`HashMap<String, u32>`, not the token
/// stream's `HashMap < String , u32 >`).
fn type_name(ty: &Type) -> String {
    let spaced = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(spaced.len());
    let mut chars = spaced.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let prev = out.chars().last();
        let drop = c == ' '
            && (matches!(next, Some('<' | '>' | ',' | ']' | ')' | ';'))
                || matches!(prev, Some('<' | '&' | '[' | '(')));
        if !drop {
            out.push(c);
        }
    }
    out
}

fn check_type(cx: &mut Ctxt, ty: &Type, position: Position) {
    match ty {
        Type::Group(g) => check_type(cx, &g.elem, position),
        Type::Paren(p) => check_type(cx, &p.elem, position),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return;
            };
            let name = last.ident.to_string();
            match name.as_str() {
                "Vec" => match (single_arg(last), position) {
                    (_, Position::InVec) => unsupported(
                        cx,
                        ty,
                        "FlatBuffers has no vectors of vectors; wrap the inner vector in a struct",
                    ),
                    (Some(inner), _) => check_type(cx, inner, Position::InVec),
                    (None, _) => unsupported(cx, ty, "`Vec` needs one element type"),
                },
                "Option" => match (single_arg(last), position) {
                    (_, Position::InOption) => unsupported(
                        cx,
                        ty,
                        "`Option<Option<T>>` has no FlatBuffers form; use one `Option`",
                    ),
                    (_, Position::InVec) => unsupported(
                        cx,
                        ty,
                        "vector elements cannot be absent in FlatBuffers; drop the `Option`",
                    ),
                    (Some(inner), _) => check_type(cx, inner, Position::InOption),
                    (None, _) => unsupported(cx, ty, "`Option` needs one type"),
                },
                "u128" | "i128" => unsupported(
                    cx,
                    ty,
                    "FlatBuffers has no 128-bit integers; use two u64 fields or a `Vec<u8>`",
                ),
                "usize" | "isize" => unsupported(
                    cx,
                    ty,
                    "its width depends on the platform; use u64/i64 (or u32/i32)",
                ),
                "char" => unsupported(cx, ty, "use `u32` (the char's scalar value) or `String`"),
                "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet" | "IndexMap" => unsupported(
                    cx,
                    ty,
                    "FlatBuffers has no maps or sets; use a `Vec` of a struct with key and value fields",
                ),
                "VecDeque" | "LinkedList" | "BinaryHeap" => unsupported(cx, ty, "use `Vec<T>`"),
                "Rc" | "Arc" | "Cell" | "RefCell" | "Cow" | "Mutex" => {
                    unsupported(cx, ty, "use the inner type directly")
                }
                _ if SCALARS.iter().any(|(s, _, _)| *s == name) || name == "String" || name == "Box" => {}
                // A user type: checked by the `Field` trait bound, whose
                // message says to derive StreamSerialize on it.
                _ => {}
            }
        }
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => {}
            Type::Slice(s) => {
                if position == Position::InVec {
                    unsupported(
                        cx,
                        ty,
                        "FlatBuffers has no vectors of vectors; wrap the inner vector in a struct",
                    );
                } else {
                    check_type(cx, &s.elem, Position::InVec);
                }
            }
            _ => unsupported(cx, ty, "references are supported only as `&str` and `&[T]`"),
        },
        Type::Tuple(_) => unsupported(
            cx,
            ty,
            "tuples have no FlatBuffers form; use a struct that derives StreamSerialize",
        ),
        Type::Array(_) => unsupported(
            cx,
            ty,
            "fixed-size arrays are not supported; use `Vec<T>` or `&[T]`",
        ),
        _ => unsupported(cx, ty, "this kind of type has no FlatBuffers form"),
    }
}

fn resolve_framing(cx: &mut Ctxt, frame: &FrameAttr, derive: Derive) -> Framing {
    if let Some(protocol) = &frame.protocol.0 {
        if derive == Derive::Framing {
            cx.error_spanned(
                &protocol.tokens,
                "a protocol cannot name another protocol: write its settings here, or use that protocol directly",
            );
        } else {
            for key in frame.layout_keys() {
                cx.error_spanned(
                    key,
                    format!(
                        "`{}` takes the whole framing from `{}`; remove `{key}` here (or change the protocol)",
                        protocol.tokens,
                        protocol.value_tokens
                    ),
                );
            }
            return Framing::Protocol(protocol.value.clone());
        }
    }
    let len_width = frame.len.get().map_or(4, |&(_, w)| w);
    let len_name = frame.len.get().map_or("u32", |&(n, _)| n);
    let len_capacity = if len_width == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len_width)) - 1
    };
    let checksum: Option<&(&ChecksumKind, Ident)> = frame.checksum.get().filter(|(k, _)| k.size > 0);

    let mut max_len = DEFAULT_MAX_LEN.min(len_capacity);
    if let Some((kind, _)) = checksum {
        max_len = max_len.min(kind.safe_bound.unwrap_or(u64::MAX));
    }
    if let Some(explicit) = &frame.max_len.0 {
        let n = explicit.value;
        if n == 0 {
            cx.error_spanned(
                &explicit.value_tokens,
                "`max_len` must be at least 1 (it is the largest payload in bytes)",
            );
        } else if n > len_capacity {
            cx.error_spanned(
                &explicit.value_tokens,
                format!(
                    "`max_len = {n}` does not fit `len = {len_name}`, which holds at most {len_capacity}: use a \
                     wider `len` or a smaller `max_len`"
                ),
            );
        } else if let Some((kind, ident)) = checksum.filter(|(k, _)| k.safe_bound.is_some_and(|b| n > b)) {
            let bound = kind.safe_bound.unwrap_or(u64::MAX);
            cx.error_spanned(
                &explicit.value_tokens,
                format!(
                    "`max_len = {n}` is too large for `checksum = {ident}`: {} ({bound} bytes); use \
                     `checksum = {}` for larger payloads, or `max_len = {bound}`",
                    kind.why,
                    if kind.size == 2 { "crc32c" } else { "crc64" }
                ),
            );
        }
        max_len = n;
    }
    if let Some(explicit) = &frame.min_len.0 {
        if explicit.value > max_len {
            cx.error_spanned(
                &explicit.value_tokens,
                format!(
                    "`min_len = {}` is above the largest payload, {max_len} bytes: no frame could be written; \
                     lower `min_len` or raise `max_len`",
                    explicit.value
                ),
            );
        }
    }
    let covers_frame = frame.covers.get() == Some(&Covers::Frame);
    if covers_frame && checksum.is_none() {
        let covers = frame.covers.0.as_ref().map(|s| s.tokens.clone());
        cx.error_spanned(
            covers,
            "`covers = frame` needs a checksum to cover the frame with: add e.g. `checksum = crc32c`",
        );
    }
    Framing::Own(Layout {
        len_width,
        checksum: checksum.map(|(_, ident)| ident.clone()),
        max_len,
        min_len: frame.min_len.get().copied(),
        big_endian: frame.endian.get() == Some(&Endian::Big),
        magic: frame.magic.get().cloned().unwrap_or_default(),
        covers_frame,
        align: frame.align.get().copied().unwrap_or(1),
        compress: frame.compress.get().cloned(),
        encrypt: frame.encrypt.get().cloned(),
    })
}

/// The tokens of `#[frame(crate = ...)]`, if set.
pub fn crate_path(frame: &FrameAttr) -> Option<TokenStream> {
    frame.krate.get().map(|p| p.to_token_stream())
}

/// A literal, possibly negated: what a scalar default may be.
fn is_literal(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Lit(l) => matches!(l.lit, syn::Lit::Int(_) | syn::Lit::Float(_) | syn::Lit::Bool(_)),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => is_literal(&u.expr),
        _ => false,
    }
}
