//! Every runtime path the generated code names, in one place. All start
//! from the crate root (`::flatstream` unless `#[frame(crate = ...)]` says
//! otherwise) and go through `__private`, so a user's own `Result`, `Option`,
//! `Vec` or `flatstream` cannot change their meaning.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

pub struct Paths {
    private: TokenStream,
}

/// Declares every item once: a method per item, and [`Runtime`], all of
/// them as fields, for the generators that name many (`let Runtime {
/// table_ref, decode_field, .. } = paths.runtime();`).
macro_rules! private_items {
    ($($method:ident => $name:ident,)*) => {
        /// Every runtime item the generated code names, as tokens.
        #[allow(dead_code)]
        pub struct Runtime {
            $(pub $method: TokenStream,)*
        }

        #[allow(dead_code)]
        impl Paths {
            $(
                pub fn $method(&self) -> TokenStream {
                    let private = &self.private;
                    quote!(#private::$name)
                }
            )*

            /// Every item at once (see [`Runtime`]).
            pub fn runtime(&self) -> Runtime {
                let private = &self.private;
                Runtime {
                    $($method: quote!(#private::$name),)*
                }
            }
        }
    };
}

private_items! {
    builder => FlatBufferBuilder,
    result => Result,
    ok => Ok,
    offset => Offset,
    field => Field,
    vector_element => VectorElement,
    table => Table,
    enum_repr => EnumRepr,
    create_table_vector => create_table_vector,
    create_enum_vector => create_enum_vector,
    end_table => end_table,
    push_unless_default => push_unless_default,
    scalar => Scalar,
    encode_table_into => encode_table_into,
    payload_sink => PayloadSink,
    fn_once => FnOnce,
    out => Out,
    payload_buf => PayloadBuf,
    append_table => append_table,
    append_table_vector => append_table_vector,
    append_scalar_vector => append_scalar_vector,
    set_uoffset => set_uoffset,
    table_offsets => table_offsets,
    table_size => table_size,
    canonical_vtable => canonical_vtable,
    root_layout => root_layout,
    root_words => root_words,
    root_word_count => ROOT_WORDS,
    append_root_in_place => append_root_in_place,
    begin_root => begin_root,
    store_root_words => store_root_words,
    stream_serialize => StreamSerialize,
    frame_layout => FrameLayout,
    framed => Framed,
    message_of => MessageOf,
    layout_framer => LayoutFramer,
    compressed_framer => CompressedFramer,
    compressed_deframer => CompressedDeframer,
    derived_codec => DerivedCodec,
    derived_cipher => DerivedCipher,
    encrypted_framer => EncryptedFramer,
    encrypted_deframer => EncryptedDeframer,
    new_encrypted_framer => new_encrypted_framer,
    encryption_key => EncryptionKey,
    layout_deframer => LayoutDeframer,
    clamp_len => clamp_len,
    min_flatbuffers_len => MIN_FLATBUFFERS_LEN,
    resync_layout => ResyncLayout,
    debug => Debug,
    decode_element => DecodeElement,
    decode_field => DecodeField,
    default => Default,
    enum_decode => EnumDecode,
    err => Err,
    fast => Fast,
    fast_verifier => FastVerifier,
    fmt_result => FmtResult,
    follow => Follow,
    formatter => Formatter,
    forwards_u_offset => ForwardsUOffset,
    has_schema => HasSchema,
    invalid_flatbuffer => InvalidFlatbuffer,
    iterator => Iterator,
    nested => Nested,
    nested_table => NestedTable,
    none => None,
    option => Option,
    reject => Reject,
    schema => Schema,
    schema_field => SchemaField,
    schema_kind => SchemaKind,
    some => Some,
    stream_deserialize => StreamDeserialize,
    table_ref => TableRef,
    table_verifier => TableVerifier,
    table_view => TableView,
    vec => Vec,
    vector => Vector,
    vector_view_type => VectorView,
    vector_view => vector_view,
    verifier => Verifier,
    verify_limits => VerifyLimits,
    verify_table => VerifyTable,
    check_enum => check_enum,
    check_nested => check_nested,
    empty_table => empty_table,
    fast_verify_nested => fast_verify_nested,
    fast_verify_nested_vec => fast_verify_nested_vec,
    field_default => field_default,
    read_nested => read_nested,
    verified_root => verified_root,
    verify_nested => verify_nested,
    verify_nested_vec => verify_nested_vec,
}

impl Paths {
    pub fn new(krate: Option<TokenStream>) -> Self {
        let root = krate.unwrap_or_else(|| quote!(::flatstream));
        Paths {
            private: quote!(#root::__private),
        }
    }

    /// A primitive type (`u16`, `usize`, `bool`, ..), which a user's own
    /// type of the same name could otherwise shadow.
    pub fn primitive(&self, name: &str) -> TokenStream {
        let private = &self.private;
        let name = syn::Ident::new(name, Span::call_site());
        quote!(#private::primitive::#name)
    }

    /// The checksum type for a `checksum = keyword`, spanned at the keyword
    /// so a missing cargo feature is reported there.
    pub fn checksum_type(&self, keyword: Option<&syn::Ident>) -> TokenStream {
        let private = &self.private;
        match keyword {
            Some(k) => {
                // Every token at the keyword, so a compile error from the
                // macro (a disabled feature) points there.
                let mac = format_ident!("checksum_{}", k, span = k.span());
                let private = respan(private.clone(), k.span());
                quote_spanned!(k.span()=> #private::#mac!())
            }
            None => quote_spanned!(Span::call_site()=> #private::checksum_none!()),
        }
    }
}

impl Paths {
    /// The cipher type for an `encrypt = keyword`, spanned at the keyword
    /// so a missing cargo feature is reported there.
    pub fn cipher_type(&self, keyword: &syn::Ident) -> TokenStream {
        let mac = format_ident!("cipher_{}", keyword, span = keyword.span());
        let private = respan(self.private.clone(), keyword.span());
        quote_spanned!(keyword.span()=> #private::#mac!())
    }

    /// The codec type for a `compress = keyword`, spanned at the keyword so
    /// a missing cargo feature is reported there (as for checksums).
    pub fn codec_type(&self, keyword: &syn::Ident) -> TokenStream {
        let mac = format_ident!("compress_{}", keyword, span = keyword.span());
        let private = respan(self.private.clone(), keyword.span());
        quote_spanned!(keyword.span()=> #private::#mac!())
    }
}

/// The same tokens, all at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}
