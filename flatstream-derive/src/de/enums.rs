//! `StreamDeserialize`'s side of a fieldless enum: decoding it as a field
//! or vector element (by value, checked against its variants), and its
//! schema.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use crate::gen::{safety_doc, unsafe_let};
use crate::internals::ast::Input;
use crate::internals::types::fbs_type;
use crate::paths::{Paths, Runtime};

/// Every `StreamDeserialize`-side impl of a fieldless enum.
pub fn enum_impls(paths: &Paths, model: &Input, repr: &Ident, variants: &[&Ident]) -> TokenStream {
    let mut impls = enum_field_impls(paths, model, repr, variants);
    impls.extend(enum_element_impl(paths, model, repr));
    impls.extend(enum_schema_impl(paths, model, repr, variants));
    impls
}

/// `EnumDecode` and `DecodeField` for a fieldless enum: decoded by value,
/// checked against its variants.
fn enum_field_impls(paths: &Paths, model: &Input, repr: &Ident, variants: &[&Ident]) -> TokenStream {
    let ident = model.ident;
    let name = ident.to_string();
    let Runtime {
        decode_field,
        enum_decode,
        fast,
        fast_verifier,
        invalid_flatbuffer,
        none,
        ok,
        option,
        result,
        some,
        table_ref,
        table_verifier,
        check_enum,
        ..
    } = paths.runtime();
    let repr_ty = paths.primitive(&repr.to_string());
    let usize_ = paths.primitive("usize");
    let (u16_, bool_) = (paths.primitive("u16"), paths.primitive("bool"));
    let first = variants[0];
    let default_repr = crate::ser::enum_default_repr(ident, &repr_ty, variants);
    let read_repr = unsafe_let(
        Span::call_site(),
        quote!(__raw),
        "forwarded to the caller (the slot was verified as the enum's representation).",
        quote!(<#repr_ty as #decode_field>::read(__t, __slot)),
    );
    let enum_field_safety = safety_doc(&format!(
        "verified as `{repr}` (the representation), read as `{repr}`, and turned into `{name}` only by value."
    ));
    quote! {
        #[automatically_derived]
        impl #enum_decode for #ident {
            type Repr = #repr_ty;
            const NAME: &'static str = #name;
            #[inline]
            fn from_repr(__value: #repr_ty) -> #option<Self> {
                #(if __value == #ident::#variants as #repr_ty { return #some(#ident::#variants); })*
                #none
            }
            #[inline]
            fn fallback() -> Self {
                #ident::#first
            }
            const DEFAULT: #repr_ty = #default_repr;
        }

        #enum_field_safety
        #[automatically_derived]
        unsafe impl #decode_field for #ident {
            type View<'a> = #ident;
            const NEEDS_CHECK: #bool_ = true;
            const REQUIRED: #bool_ = false;
            const INLINE_SIZE: #usize_ = <#repr_ty as #decode_field>::INLINE_SIZE;
            #[inline]
            fn verify<'v, 'o, 'b>(
                __tv: #table_verifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #result<#table_verifier<'v, 'o, 'b>, #invalid_flatbuffer> {
                <#repr_ty as #decode_field>::verify(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify(__fv: &mut #fast_verifier<'_>, __pos: #usize_) -> #fast {
                <#repr_ty as #decode_field>::fast_verify(__fv, __pos)
            }
            #[inline]
            unsafe fn read<'a, __M>(__t: #table_ref<'a, __M>, __slot: #u16_) -> #option<#ident> {
                #read_repr
                // `check` rejected values that are no variant.
                __raw.map(|__r| {
                    <Self as #enum_decode>::from_repr(__r)
                        .unwrap_or_else(<Self as #enum_decode>::fallback)
                })
            }
            #[inline]
            unsafe fn check<__M>(__t: #table_ref<'_, __M>, __slot: #u16_) -> #result<()> {
                #read_repr
                #check_enum::<Self>(__raw)
            }
            #[inline]
            fn absent<'a>() -> Self::View<'a> {
                <Self as #enum_decode>::from_repr(<Self as #enum_decode>::DEFAULT)
                    .unwrap_or_else(<Self as #enum_decode>::fallback)
            }
            #[inline]
            fn to_owned(__view: #ident) -> #result<#ident> {
                #ok(__view)
            }
        }
    }
}

/// `DecodeElement` for a fieldless enum: vectors of it.
fn enum_element_impl(paths: &Paths, model: &Input, repr: &Ident) -> TokenStream {
    let ident = model.ident;
    let name = ident.to_string();
    let Runtime {
        decode_element,
        enum_decode,
        fast,
        fast_verifier,
        follow,
        invalid_flatbuffer,
        iterator,
        ok,
        option,
        result,
        some,
        table_verifier,
        vec,
        vector,
        vector_view,
        check_enum,
        vector_view_type,
        ..
    } = paths.runtime();
    let repr_ty = paths.primitive(&repr.to_string());
    let usize_ = paths.primitive("usize");
    let (u16_, bool_) = (paths.primitive("u16"), paths.primitive("bool"));
    let enum_element_safety = safety_doc(&format!(
        "verified as a vector of `{repr}`, read as one, each turned into `{name}` only by value."
    ));
    quote! {
        #enum_element_safety
        #[automatically_derived]
        unsafe impl #decode_element for #ident {
            type Fb<'a> = #repr_ty;
            type ElemView<'a> = #ident;
            type VecView<'a> = #vector_view_type<'a, Self>;
            const NEEDS_CHECK: #bool_ = true;
            #[inline]
            fn verify_vec<'v, 'o, 'b>(
                __tv: #table_verifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #result<#table_verifier<'v, 'o, 'b>, #invalid_flatbuffer> {
                <#repr_ty as #decode_element>::verify_vec(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify_vec(__fv: &mut #fast_verifier<'_>, __pos: #usize_) -> #fast {
                <#repr_ty as #decode_element>::fast_verify_vec(__fv, __pos)
            }
            #[inline]
            fn elem_view<'a>(__r: <Self::Fb<'a> as #follow<'a>>::Inner) -> Self::ElemView<'a> {
                <Self as #enum_decode>::from_repr(__r).unwrap_or_else(<Self as #enum_decode>::fallback)
            }
            #[inline]
            fn vec_view<'a>(
                __v: #option<#vector<'a, #repr_ty>>,
            ) -> #vector_view_type<'a, Self> {
                #vector_view(__v)
            }
            fn vec_to_owned(__v: #vector_view_type<'_, Self>) -> #result<#vec<Self>> {
                #ok(#iterator::collect(__v.iter()))
            }
            #[inline]
            fn check_elem<'a>(__r: <Self::Fb<'a> as #follow<'a>>::Inner) -> #result<()> {
                #check_enum::<Self>(#some(__r))
            }
        }
    }
}

/// `HasSchema` for a fieldless enum.
fn enum_schema_impl(paths: &Paths, model: &Input, repr: &Ident, variants: &[&Ident]) -> TokenStream {
    let ident = model.ident;
    let name = ident.to_string();
    let Runtime {
        has_schema,
        schema,
        schema_kind,
        ..
    } = paths.runtime();
    let i128_ = paths.primitive("i128");
    let fbs_repr = fbs_type(&syn::parse_quote!(#repr));
    let variant_names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    quote! {
        #[automatically_derived]
        impl #has_schema for #ident {
            const SCHEMA: #schema = #schema {
                name: #name,
                kind: #schema_kind::Enum {
                    repr: #fbs_repr,
                    variants: &[#((#variant_names, #ident::#variants as #i128_)),*],
                },
                uses: &[],
            };
        }
    }
}
