//! Code generation for `#[derive(Framing)]`, and the framing half of
//! `#[derive(StreamSerialize)]`: `FrameLayout`, `Framed` and `MessageOf`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::gen::wrap;
use crate::internals::ast::Input;
use crate::internals::check::{self, Derive, Framing, Layout};
use crate::internals::ctxt::Ctxt;
use crate::paths::Paths;

/// `#[derive(Framing)]`.
pub fn derive_framing(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut model = Input::from_syn(&mut cx, input, "Framing");
    let framing = check::check(&mut cx, &mut model, Derive::Framing);
    let paths = Paths::new(check::crate_path(&model.frame));
    let (errors, framing) = match cx.into_compile_errors() {
        None => (
            TokenStream::new(),
            framing.unwrap_or_else(|| Framing::Own(default_layout())),
        ),
        Some(errors) => (errors, Framing::Own(default_layout())),
    };
    let body = wrap(framed_impls(&paths, &model, &framing, true));
    quote!(#errors #body)
}

/// The layout of a type without `#[frame(...)]`: `len = u32`, nothing else.
pub fn default_layout() -> Layout {
    Layout {
        len_width: 4,
        checksum: None,
        max_len: crate::internals::symbol::DEFAULT_MAX_LEN,
        min_len: None,
        big_endian: false,
        magic: Vec::new(),
        covers_frame: false,
        align: 1,
        compress: None,
        encrypt: None,
    }
}

/// `FrameLayout` (when the type declares its own framing), `Framed` and
/// `MessageOf`.
pub fn framed_impls(paths: &Paths, model: &Input, framing: &Framing, message_of: bool) -> TokenStream {
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let (framed, message_of_trait) = (paths.framed(), paths.message_of());
    match framing {
        Framing::Own(layout) => {
            let (framer, deframer, frame_layout) = (
                paths.layout_framer(),
                paths.layout_deframer(),
                paths.frame_layout(),
            );
            // The layout constants live on the type itself when it can be
            // `'static`; a type with lifetimes gets a hidden layout type.
            let (layout_ty, layout_decl) = if model.generics.params.is_empty() {
                (quote!(#ident), TokenStream::new())
            } else {
                let hidden = format_ident!("__{}Layout", ident);
                (quote!(#hidden), quote!(pub struct #hidden;))
            };
            let checksum = paths.checksum_type(layout.checksum.as_ref());
            let len_width = layout.len_width;
            let big_endian = layout.big_endian;
            let magic = syn::LitByteStr::new(&layout.magic, Span::call_site());
            let covers_frame = layout.covers_frame;
            let align = layout.align as usize;
            let max_len = layout.max_len;
            let clamp_len = paths.clamp_len();
            // A derived message is a FlatBuffers buffer: a payload shorter
            // than its root offset is damage (zeros, typically), not a frame.
            // `min_len` says otherwise (serde payloads can be shorter).
            let min_payload_len = match layout.min_len {
                Some(n) => quote!(#clamp_len(#n)),
                None => paths.min_flatbuffers_len(),
            };
            let (usize_, bool_, u8_) = (
                paths.primitive("usize"),
                paths.primitive("bool"),
                paths.primitive("u8"),
            );
            let resync_layout = paths.resync_layout();
            let derived_codec = paths.derived_codec();
            let resync = (!layout.magic.is_empty() || layout.covers_frame).then(|| {
                quote! {
                    #[automatically_derived]
                    impl #resync_layout for #layout_ty {}
                }
            });
            let message_of = message_of.then(|| {
                quote! {
                    #[automatically_derived]
                    impl #impl_generics #message_of_trait<#layout_ty> for #ident #ty_generics #where_clause {}
                }
            });
            // With `compress = ..`, the layout's framer and deframer inside
            // the compressing ones.
            let (framer_ty, deframer_ty, make_framer, make_deframer) = match &layout.compress {
                None => (
                    quote!(#framer<#layout_ty>),
                    quote!(#deframer<#layout_ty>),
                    quote!(#framer::new()),
                    quote!(#deframer::new()),
                ),
                Some(compress) => {
                    let codec = paths.codec_type(&compress.codec);
                    let level = match compress.level {
                        Some(n) => {
                            let (some, i32_) = (paths.some(), paths.primitive("i32"));
                            quote!(#some(#n as #i32_))
                        }
                        None => paths.none(),
                    };
                    let make_codec = quote!(<#codec as #derived_codec>::derived(#level));
                    let (compressed_framer, compressed_deframer) =
                        (paths.compressed_framer(), paths.compressed_deframer());
                    (
                        quote!(#compressed_framer<#framer<#layout_ty>, #codec>),
                        quote!(#compressed_deframer<#deframer<#layout_ty>, #codec>),
                        quote!(#compressed_framer::new(#framer::new(), #make_codec)),
                        quote!(#compressed_deframer::new(#deframer::new(), #make_codec)),
                    )
                }
            };
            let encrypted = layout
                .encrypt
                .as_ref()
                .map(|cipher| encrypted_fns(paths, model, cipher));
            quote! {
                #layout_decl

                #[automatically_derived]
                impl #frame_layout for #layout_ty {
                    type Checksum = #checksum;
                    const LEN_WIDTH: #usize_ = #len_width;
                    const BIG_ENDIAN: #bool_ = #big_endian;
                    const MAGIC: &'static [#u8_] = #magic;
                    const COVERS_FRAME: #bool_ = #covers_frame;
                    const ALIGN: #usize_ = #align;
                    const MAX_FRAME_LEN: #usize_ = #clamp_len(#max_len);
                    const MIN_PAYLOAD_LEN: #usize_ = #min_payload_len;
                }

                #[automatically_derived]
                impl #impl_generics #framed for #ident #ty_generics #where_clause {
                    type Protocol = #layout_ty;
                    type Framer = #framer_ty;
                    type Deframer = #deframer_ty;
                    const HEADER_LEN: #usize_ = #framer::<#layout_ty>::HEADER_LEN;
                    const MAX_FRAME_LEN: #usize_ = <#layout_ty as #frame_layout>::MAX_FRAME_LEN;
                    #[inline]
                    fn framer() -> Self::Framer {
                        #make_framer
                    }
                    #[inline]
                    fn deframer() -> Self::Deframer {
                        #make_deframer
                    }
                }

                #resync

                #message_of

                #encrypted
            }
        }
        Framing::Protocol(protocol) => {
            let p = quote_spanned!(protocol.span()=> <#protocol as #framed>);
            let usize_ = paths.primitive("usize");
            // Spanned at the protocol path, so a protocol without a framing
            // is reported there and only there.
            quote_spanned! {protocol.span()=>
                #[automatically_derived]
                impl #impl_generics #framed for #ident #ty_generics #where_clause {
                    type Protocol = #p::Protocol;
                    type Framer = #p::Framer;
                    type Deframer = #p::Deframer;
                    const HEADER_LEN: #usize_ = #p::HEADER_LEN;
                    const MAX_FRAME_LEN: #usize_ = #p::MAX_FRAME_LEN;
                    #[inline]
                    fn framer() -> Self::Framer {
                        #p::framer()
                    }
                    #[inline]
                    fn deframer() -> Self::Deframer {
                        #p::deframer()
                    }
                }

                #[automatically_derived]
                impl #impl_generics #message_of_trait<#protocol> for #ident #ty_generics #where_clause {}
            }
        }
    }
}

/// `T::encrypted_framer(&key)` and `T::encrypted_deframer(&key)` for
/// `#[frame(encrypt = ..)]`: the framing is a type, the key a value.
fn encrypted_fns(paths: &Paths, model: &Input, cipher: &syn::Ident) -> TokenStream {
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let cipher_ty = paths.cipher_type(cipher);
    let (framed, key, derived_cipher, result) = (
        paths.framed(),
        paths.encryption_key(),
        paths.derived_cipher(),
        paths.result(),
    );
    let (encrypted_framer, encrypted_deframer, new_encrypted_framer) = (
        paths.encrypted_framer(),
        paths.encrypted_deframer(),
        paths.new_encrypted_framer(),
    );
    let framer_doc = format!(
        "A framer writing one stream of `{ident}` messages encrypted with `key` (`#[frame(encrypt = {cipher})]`) \
         under a fresh nonce prefix; end the stream with `StreamWriter::finish`."
    );
    let deframer_doc = format!("A deframer reading one stream of `{ident}` messages encrypted with `key`.");
    quote! {
        #[automatically_derived]
        impl #impl_generics #ident #ty_generics #where_clause {
            #[doc = #framer_doc]
            pub fn encrypted_framer(
                key: &#key,
            ) -> #result<#encrypted_framer<<Self as #framed>::Framer, #cipher_ty>> {
                #new_encrypted_framer(
                    <Self as #framed>::framer(),
                    <#cipher_ty as #derived_cipher>::keyed(key),
                )
            }

            #[doc = #deframer_doc]
            pub fn encrypted_deframer(key: &#key) -> #encrypted_deframer<<Self as #framed>::Deframer, #cipher_ty> {
                #encrypted_deframer::new(
                    <Self as #framed>::deframer(),
                    <#cipher_ty as #derived_cipher>::keyed(key),
                )
            }
        }
    }
}
