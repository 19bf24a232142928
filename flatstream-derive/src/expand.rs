//! Code generation. Everything generated sits in `const _: () = { ... };`
//! and names runtime items only through [`Paths`].

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident};

use crate::ast::{Body, Field, Input};
use crate::ctxt::Ctxt;
use crate::paths::Paths;
use crate::valid::{self, Derive, Framing, Layout};

/// `#[derive(StreamSerialize)]`.
pub fn derive_stream_serialize(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut model = Input::from_syn(&mut cx, input, "StreamSerialize");
    let framing = valid::check(&mut cx, &mut model, Derive::StreamSerialize);
    let paths = Paths::new(valid::crate_path(&model.frame));
    match cx.into_compile_errors() {
        None => {
            let body = match &model.body {
                Body::Enum {
                    repr: Some(repr),
                    variants,
                } => enum_impls(&paths, &model, repr, variants),
                Body::Struct(fields) => {
                    // In id order, so the bytes depend on ids, not on source order.
                    let mut fields: Vec<&Field> = fields.iter().filter(|f| f.attr.skip.0.is_none()).collect();
                    fields.sort_by_key(|f| f.id);
                    let framing = framing.unwrap_or_else(|| Framing::Own(default_layout()));
                    let mut tokens = table_impls(&paths, &model, &fields);
                    tokens.extend(framed_impls(&paths, &model, &framing, true));
                    tokens
                }
                _ => TokenStream::new(),
            };
            wrap(body)
        }
        Some(errors) => {
            // Stub impls beside the errors, so code using the type does not
            // fail with follow-on errors.
            let stubs = match &model.body {
                Body::Enum { .. } => fallback_enum(&paths, &model),
                _ => {
                    let mut tokens = table_impls(&paths, &model, &[]);
                    tokens.extend(framed_impls(
                        &paths,
                        &model,
                        &Framing::Own(default_layout()),
                        false,
                    ));
                    tokens
                }
            };
            let stubs = wrap(stubs);
            quote!(#errors #stubs)
        }
    }
}

/// `#[derive(Framing)]`.
pub fn derive_framing(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut model = Input::from_syn(&mut cx, input, "Framing");
    let framing = valid::check(&mut cx, &mut model, Derive::Framing);
    let paths = Paths::new(valid::crate_path(&model.frame));
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

fn wrap(body: TokenStream) -> TokenStream {
    if body.is_empty() {
        return body;
    }
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            #body
        };
    }
}

fn default_layout() -> Layout {
    Layout {
        len_width: 4,
        checksum: None,
        max_len: crate::symbol::DEFAULT_MAX_LEN,
        min_len: None,
        big_endian: false,
        magic: Vec::new(),
        covers_frame: false,
        align: 1,
    }
}

/// The FlatBuffers vtable slot of field `id`.
fn slot(id: u16) -> u16 {
    4 + 2 * id
}

/// `Table`, `Field`, `VectorElement` and `StreamSerialize` for a struct.
fn table_impls(paths: &Paths, model: &Input, fields: &[&Field]) -> TokenStream {
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let (builder, result, ok, offset) = (paths.builder(), paths.result(), paths.ok(), paths.offset());
    let (field_trait, vector_element, table) = (paths.field(), paths.vector_element(), paths.table());
    let (create_table_vector, end_table, stream_serialize) = (
        paths.create_table_vector(),
        paths.end_table(),
        paths.stream_serialize(),
    );
    let (u16_, usize_, u8_) = (
        paths.primitive("u16"),
        paths.primitive("usize"),
        paths.primitive("u8"),
    );
    let push_unless_default = paths.push_unless_default();
    let scalar = paths.scalar();
    let encode_table_into = paths.encode_table_into();
    let payload_sink = paths.payload_sink();
    let (out, payload_buf) = (paths.out(), paths.payload_buf());
    let (append_table, append_table_vector, set_uoffset) = (
        paths.append_table(),
        paths.append_table_vector(),
        paths.set_uoffset(),
    );
    let (table_offsets, table_size, table_vtable) =
        (paths.table_offsets(), paths.table_size(), paths.table_vtable());
    let u64_ = paths.primitive("u64");

    let locals: Vec<Ident> = fields
        .iter()
        .map(|f| format_ident!("__field_{}", f.ident, span = f.ty.span()))
        .collect();
    // The trait path spanned at each field's type, so an unsupported type is
    // reported there.
    let as_field: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ty = f.ty;
            quote_spanned!(ty.span()=> <#ty as #field_trait>)
        })
        .collect();
    let prepares = fields
        .iter()
        .zip(&locals)
        .zip(&as_field)
        .map(|((f, local), as_field)| {
            let member = f.ident;
            quote!(let #local = #as_field::prepare(&self.#member, __fbb)?;)
        });
    // Largest fields first, so the table needs no padding between them.
    // Fields whose inline size the derive can see (scalars, strings,
    // vectors) are sorted here; for the others (nested structs, enums) a
    // test on the constant picks their place, and the compiler drops the
    // branches that do not apply.
    let size_classes: [(usize, Option<usize>); 4] = [(8, None), (4, Some(8)), (2, Some(4)), (0, Some(2))];
    let push_unless_default = &push_unless_default;
    let pushes = size_classes.iter().flat_map(|&(lo, hi)| {
        fields
            .iter()
            .zip(&locals)
            .zip(&as_field)
            .filter_map(move |((f, local), as_field)| {
                let slot = slot(f.id);
                let ty = f.ty;
                let push = match f.attr.default.get() {
                    // A scalar with a declared default leaves out that value.
                    Some(Some(default)) if crate::de::is_scalar(ty) => {
                        let default = crate::de::scalar_default(default, ty);
                        quote_spanned!(ty.span()=> #push_unless_default(__fbb, #slot, #local, #default);)
                    }
                    // Others (an enum's variant) by their type.
                    Some(Some(default)) => {
                        quote_spanned!(ty.span()=> #as_field::push_unless(__fbb, #slot, #local, || #default);)
                    }
                    _ => quote_spanned!(ty.span()=> #as_field::push(__fbb, #slot, #local);),
                };
                match valid::inline_size(f.ty) {
                    Some(size) if size >= lo && hi.is_none_or(|hi| size < hi) => Some(push),
                    Some(_) => None,
                    None => {
                        let below = hi.map(|hi| quote!(&& #as_field::INLINE_SIZE < #hi));
                        Some(quote_spanned! {f.ty.span()=>
                            if #as_field::INLINE_SIZE >= #lo #below {
                                #push
                            }
                        })
                    }
                }
            })
    });

    // The direct path: the table's layout is computed at compile time from
    // the fields' inline sizes (in id order; ids are exactly 0..n).
    let sizes = as_field.iter().map(|as_field| quote!(#as_field::INLINE_SIZE));
    let sizes = quote!([#(#sizes),*]);
    let vtable_len = 4 + 2 * fields.len();
    let field_count = fields.len();
    let absent_words = fields.len().div_ceil(64).max(1);
    let absent = fields.iter().zip(&as_field).map(|(f, as_field)| {
        let id = usize::from(f.id);
        let member = f.ident;
        let ty = f.ty;
        let present = match f.attr.default.get() {
            Some(Some(default)) if crate::de::is_scalar(ty) => {
                let default = crate::de::scalar_default(default, ty);
                quote_spanned!(ty.span()=> !#scalar::same_bits(self.#member, #default))
            }
            Some(Some(default)) => {
                quote_spanned!(ty.span()=> #as_field::is_present_unless(&self.#member, || #default))
            }
            _ => quote!(#as_field::is_present(&self.#member)),
        };
        let (word, bit) = (id / 64, id % 64);
        quote!(if !(#present) { __absent[#word] |= 1 << #bit; })
    });
    let writes = fields.iter().zip(&as_field).map(|(f, as_field)| {
        let id = usize::from(f.id);
        let member = f.ident;
        quote!(#as_field::write_direct(&self.#member, __buf, __table + __offsets[#id] as #usize_)?;)
    });

    quote! {
        #[automatically_derived]
        impl #impl_generics #table for #ident #ty_generics #where_clause {
            #[inline]
            fn build_table(&self, __fbb: &mut #builder<'_>) -> #result<#offset> {
                #(#prepares)*
                let __start = __fbb.start_table();
                #(#pushes)*
                #ok(#end_table(__fbb, __start))
            }
            const TABLE_SIZE: #usize_ = #table_size(&#sizes);
            const VTABLE: &'static [#u8_] =
                &#table_vtable::<#vtable_len>(&#table_offsets(#sizes), #table_size(&#sizes));
            type Absent = [#u64_; #absent_words];
            #[inline(always)]
            fn absent(&self) -> [#u64_; #absent_words] {
                let mut __absent = [0; #absent_words];
                #(#absent)*
                __absent
            }
            #[inline(always)]
            fn write_fields<__B: #payload_buf>(&self, __buf: &mut #out<'_, __B>, __table: #usize_) -> #result<()> {
                let __offsets: [#u16_; #field_count] = const { #table_offsets(#sizes) };
                #(#writes)*
                #ok(())
            }
        }

        #[automatically_derived]
        impl #impl_generics #field_trait for #ident #ty_generics #where_clause {
            type Prepared = #offset;
            const INLINE_SIZE: #usize_ = 4;
            #[inline]
            fn prepare(&self, __fbb: &mut #builder<'_>) -> #result<#offset> {
                #table::build_table(self, __fbb)
            }
            #[inline]
            fn push(__fbb: &mut #builder<'_>, __slot: #u16_, __value: #offset) {
                __fbb.push_slot_always::<#offset>(__slot, __value);
            }
            #[inline]
            fn write_direct<__B: #payload_buf>(&self, __buf: &mut #out<'_, __B>, __at: #usize_) -> #result<()> {
                let __table = #append_table(self, __buf)?;
                #set_uoffset(__buf, __at, __table);
                #ok(())
            }
        }

        #[automatically_derived]
        impl #impl_generics #vector_element for #ident #ty_generics #where_clause {
            #[inline]
            fn create_vector(__items: &[Self], __fbb: &mut #builder<'_>) -> #result<#offset> {
                #create_table_vector(__items, __fbb)
            }
            #[inline]
            fn write_vector<__B: #payload_buf>(__items: &[Self], __buf: &mut #out<'_, __B>, __at: #usize_) -> #result<()> {
                #append_table_vector(__buf, __at, __items)
            }
        }

        #[automatically_derived]
        impl #impl_generics #stream_serialize for #ident #ty_generics #where_clause {
            #[inline]
            fn serialize(&self, __fbb: &mut #builder<'_>) -> #result<()> {
                let __root = #table::build_table(self, __fbb)?;
                __fbb.finish_minimal(__root);
                #ok(())
            }
            #[inline]
            fn encode_into<__B: #payload_buf>(&self, __out: &mut #payload_sink<'_, __B>) -> #result<()> {
                #encode_table_into(self, __out)
            }
        }
    }
}

/// `FrameLayout` (when the type declares its own framing), `Framed` and
/// `MessageOf`.
fn framed_impls(paths: &Paths, model: &Input, framing: &Framing, message_of: bool) -> TokenStream {
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
                    type Framer = #framer<#layout_ty>;
                    type Deframer = #deframer<#layout_ty>;
                    const HEADER_LEN: #usize_ = #framer::<#layout_ty>::HEADER_LEN;
                    const MAX_FRAME_LEN: #usize_ = <#layout_ty as #frame_layout>::MAX_FRAME_LEN;
                    #[inline]
                    fn framer() -> Self::Framer {
                        #framer::new()
                    }
                    #[inline]
                    fn deframer() -> Self::Deframer {
                        #deframer::new()
                    }
                }

                #resync

                #message_of
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

/// `EnumRepr`, `Field` and `VectorElement` for a fieldless enum.
fn enum_impls(paths: &Paths, model: &Input, repr: &Ident, variants: &[&Ident]) -> TokenStream {
    let ident = model.ident;
    let repr = paths.primitive(&repr.to_string());
    let (u16_, usize_) = (paths.primitive("u16"), paths.primitive("usize"));
    let (bool_, append_scalar_vector) = (paths.primitive("bool"), paths.append_scalar_vector());
    let (out, payload_buf) = (paths.out(), paths.payload_buf());
    let (builder, result, ok, offset) = (paths.builder(), paths.result(), paths.ok(), paths.offset());
    let (field_trait, vector_element, enum_repr, create_enum_vector) = (
        paths.field(),
        paths.vector_element(),
        paths.enum_repr(),
        paths.create_enum_vector(),
    );
    let (push_unless_default, fn_once) = (paths.push_unless_default(), paths.fn_once());
    let default_repr = enum_default_repr(ident, &repr, variants);
    quote! {
        #[automatically_derived]
        impl #enum_repr for #ident {
            type Repr = #repr;
            const DEFAULT_REPR: #repr = #default_repr;
            #[inline]
            fn to_repr(&self) -> #repr {
                match self {
                    #(#ident::#variants => #ident::#variants as #repr,)*
                }
            }
        }

        #[automatically_derived]
        impl #field_trait for #ident {
            type Prepared = #repr;
            const INLINE_SIZE: #usize_ = <#repr as #field_trait>::INLINE_SIZE;
            #[inline]
            fn prepare(&self, _: &mut #builder<'_>) -> #result<#repr> {
                #ok(#enum_repr::to_repr(self))
            }
            #[inline]
            fn push(__fbb: &mut #builder<'_>, __slot: #u16_, __value: #repr) {
                #push_unless_default(__fbb, __slot, __value, <Self as #enum_repr>::DEFAULT_REPR)
            }
            #[inline]
            fn push_always(__fbb: &mut #builder<'_>, __slot: #u16_, __value: #repr) {
                <#repr as #field_trait>::push_always(__fbb, __slot, __value)
            }
            #[inline(always)]
            fn is_present(&self) -> #bool_ {
                #enum_repr::to_repr(self) != <Self as #enum_repr>::DEFAULT_REPR
            }
            #[inline]
            fn push_unless(
                __fbb: &mut #builder<'_>,
                __slot: #u16_,
                __value: #repr,
                __default: impl #fn_once() -> Self,
            ) {
                #push_unless_default(__fbb, __slot, __value, #enum_repr::to_repr(&__default()))
            }
            #[inline(always)]
            fn is_present_unless(&self, __default: impl #fn_once() -> Self) -> #bool_ {
                #enum_repr::to_repr(self) != #enum_repr::to_repr(&__default())
            }
            #[inline(always)]
            fn write_direct<__B: #payload_buf>(&self, __buf: &mut #out<'_, __B>, __at: #usize_) -> #result<()> {
                <#repr as #field_trait>::write_direct(&#enum_repr::to_repr(self), __buf, __at)
            }
        }

        #[automatically_derived]
        impl #vector_element for #ident {
            #[inline]
            fn create_vector(__items: &[Self], __fbb: &mut #builder<'_>) -> #result<#offset> {
                #create_enum_vector(__items, __fbb, #enum_repr::to_repr)
            }
            #[inline]
            fn write_vector<__B: #payload_buf>(__items: &[Self], __buf: &mut #out<'_, __B>, __at: #usize_) -> #result<()> {
                #append_scalar_vector(__buf, __at, __items, #enum_repr::to_repr)
            }
        }
    }
}

/// The enum's default value as a constant expression: the variant valued 0
/// if there is one, else the first variant (what the schema names).
pub fn enum_default_repr(ident: &Ident, repr: &TokenStream, variants: &[&Ident]) -> TokenStream {
    let first = variants[0];
    quote! {{
        let mut __default = #ident::#first as #repr;
        #(if #ident::#variants as #repr == 0 { __default = 0; })*
        __default
    }}
}

/// Stub impls for an enum that failed validation (never run: the build
/// fails on the reported errors).
fn fallback_enum(paths: &Paths, model: &Input) -> TokenStream {
    let ident = model.ident;
    let repr = paths.primitive("u8");
    let (u16_, usize_) = (paths.primitive("u16"), paths.primitive("usize"));
    let (out, payload_buf) = (paths.out(), paths.payload_buf());
    let (builder, result, ok, offset) = (paths.builder(), paths.result(), paths.ok(), paths.offset());
    let (field_trait, vector_element) = (paths.field(), paths.vector_element());
    quote! {
        #[automatically_derived]
        impl #field_trait for #ident {
            type Prepared = #repr;
            const INLINE_SIZE: #usize_ = 1;
            fn prepare(&self, _: &mut #builder<'_>) -> #result<#repr> {
                #ok(0)
            }
            fn push(_: &mut #builder<'_>, _: #u16_, _: #repr) {}
            fn write_direct<__B: #payload_buf>(&self, _: &mut #out<'_, __B>, _: #usize_) -> #result<()> {
                #ok(())
            }
        }

        #[automatically_derived]
        impl #vector_element for #ident {
            fn create_vector(_: &[Self], __fbb: &mut #builder<'_>) -> #result<#offset> {
                <#repr as #vector_element>::create_vector(&[], __fbb)
            }
            fn write_vector<__B: #payload_buf>(_: &[Self], __buf: &mut #out<'_, __B>, __at: #usize_) -> #result<()> {
                <#repr as #vector_element>::write_vector(&[], __buf, __at)
            }
        }
    }
}
