//! Derive macros for [`flatstream`](https://docs.rs/flatstream): FlatBuffers
//! encoding and framing protocols generated and checked at compile time.
//!
//! Use them through `flatstream` (feature `derive`, on by default):
//! `use flatstream::prelude::*;` brings them in with the traits they
//! implement. `docs/derive.md` in the repository lists every attribute, every
//! compile error and the expansion of an example.
//!
//! The crate is built in stages: `internals/` parses and checks
//! (`attr.rs` parses attributes, with keywords declared once in
//! `symbol.rs`; `ast.rs` borrows a model of the item; `check.rs` checks
//! every rule that spans several tokens; `types.rs` knows the field types;
//! errors are collected in `ctxt.rs` and reported together, beside stub
//! impls so one mistake does not cascade). Then code is generated: `ser.rs`
//! (`StreamSerialize`), `framing.rs` (`Framing` and the framing impls),
//! `de/` (`StreamDeserialize`: the view, the verifier, the schema), naming
//! the runtime only through `paths.rs`.
#![deny(missing_docs)]

extern crate proc_macro;

mod de;
mod framing;
mod gen;
mod internals;
mod paths;
mod ser;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Encodes a struct as a FlatBuffers table and gives it a framing.
///
/// On a struct with named fields: implements `StreamSerialize` (the struct
/// becomes a table; fields get ids 0, 1, .. in declaration order) and
/// `Framed` (the framing from `#[frame(...)]`, defaults otherwise). On a
/// fieldless `#[repr(u8)]` (or other integer) enum: makes it usable as a
/// field type.
///
/// Field settings: `#[flatstream(id = N)]` pins a field id,
/// `#[flatstream(skip)]` leaves a field out.
///
/// Framing settings, all optional: `#[frame(len = u8|u16|u32|u64,
/// checksum = none|crc16|crc16_xmodem|crc32|crc32c|crc64|xxhash64|xxh3,
/// max_len = N, endian = little|big, magic = b"..", covers = payload|frame,
/// align = N, protocol = Path, crate = path)]`.
#[proc_macro_derive(StreamSerialize, attributes(frame, flatstream))]
pub fn derive_stream_serialize(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    ser::derive_stream_serialize(&input).into()
}

/// Reads a struct back: verified, zero-copy (`TRef<'a>` view with one
/// accessor per field) or owned; also exports its `.fbs` schema. On a
/// fieldless `#[repr]` enum: makes it readable as a field.
///
/// Field settings: `#[flatstream(default)]` (an absent string, vector or
/// table reads as empty instead of failing) and `#[flatstream(default = X)]`
/// (absent reads as `X`; for scalars also the default left out when
/// writing). Verification limits: `#[frame(max_depth = N, max_tables = N)]`.
#[proc_macro_derive(StreamDeserialize, attributes(frame, flatstream))]
pub fn derive_stream_deserialize(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    de::derive_stream_deserialize(&input).into()
}

/// Declares a protocol: a framing, named by a unit struct, that several
/// messages share with `#[frame(protocol = ThisType)]`.
///
/// ```text
/// #[derive(Framing)]
/// #[frame(len = u16, checksum = crc32c)]
/// struct SensorLink;
/// ```
#[proc_macro_derive(Framing, attributes(frame))]
pub fn derive_framing(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    framing::derive_framing(&input).into()
}

/// The derive's keyword tables (checksums, scalars, supported types), for
/// the runtime's test that they match its own. Not an API.
#[doc(hidden)]
#[proc_macro]
pub fn __derive_tables(_: TokenStream) -> TokenStream {
    internals::symbol::tables().into()
}

#[cfg(test)]
mod snapshot {
    //! The expansion of the `Telemetry` example, kept in `docs/derive.md`.
    //! `UPDATE_SNAPSHOTS=1 cargo test -p flatstream-derive` rewrites it.

    const START: &str = "<!-- expansion:start -->\n```rust\n";
    const END: &str = "```\n<!-- expansion:end -->";

    #[test]
    fn telemetry_expansion_matches_docs() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[frame(len = u32, checksum = crc16)]
            struct Telemetry {
                timestamp: u64,
                sensor_id: u32,
                value: f64,
                unit: String,
            }
        };
        // Both derives: the read side holds every `unsafe` block, each
        // with its SAFETY comment (a doc attribute, so it shows here).
        let mut tokens = crate::ser::derive_stream_serialize(&input);
        tokens.extend(crate::de::derive_stream_deserialize(&input));
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as Rust");
        let expansion = prettyplease::unparse(&file);

        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/derive.md");
        let doc = std::fs::read_to_string(&path).expect("docs/derive.md exists");
        let start = doc.find(START).expect("docs/derive.md has the expansion markers") + START.len();
        let end = start + doc[start..].find(END).expect("end marker");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            let updated = format!("{}{}{}", &doc[..start], expansion, &doc[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        assert_eq!(
            &doc[start..end],
            expansion,
            "the expansion changed; run `UPDATE_SNAPSHOTS=1 cargo test -p flatstream-derive` and review docs/derive.md"
        );
    }
}
