//! A derived struct inside another message: `NestedTable`, and the
//! `DecodeField` and `DecodeElement` impls that verify and read it as a
//! field or vector element.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::de::table::TableGen;
use crate::gen::{safety_doc, unsafe_let};
use crate::paths::Runtime;

/// `NestedTable` and `DecodeField`: the struct as a field of another
/// message.
pub fn nested_field_impls(cx: &TableGen) -> TokenStream {
    let TableGen {
        paths,
        ident,
        view,
        name,
        ..
    } = *cx;
    let u16_ = paths.primitive("u16");
    let bool_ = paths.primitive("bool");
    let usize_ = paths.primitive("usize");
    let Runtime {
        decode_field,
        fast,
        fast_verifier,
        invalid_flatbuffer,
        nested_table,
        option,
        result,
        stream_deserialize,
        table_ref,
        table_verifier,
        table_view,
        verify_table,
        check_nested,
        empty_table,
        fast_verify_nested,
        read_nested,
        verify_nested,
        ..
    } = paths.runtime();
    let read_nested_let = unsafe_let(
        Span::call_site(),
        quote!(__view),
        "forwarded to the caller (the slot was verified as this table).",
        quote!(#read_nested::<Self, __M>(__t, __slot)),
    );
    let check_nested_let = unsafe_let(
        Span::call_site(),
        quote!(__checked),
        "forwarded to the caller (the slot was verified as this table).",
        quote!(#check_nested::<Self, __M>(__t, __slot)),
    );
    let decode_field_safety = safety_doc(&format!(
        "verified as a table of `{name}` (`verify_nested` / `fast_verify_nested`), read as one."
    ));
    quote! {
        #[automatically_derived]
        impl #nested_table for #ident {
            type Ref<'a> = #view<'a>;
            #[inline]
            fn owned(__view: #view<'_>) -> #result<Self> {
                <Self as #stream_deserialize>::from_view(__view)
            }
        }

        #decode_field_safety
        #[automatically_derived]
        unsafe impl #decode_field for #ident {
            type View<'a> = #view<'a>;
            const NEEDS_CHECK: #bool_ = <Self as #verify_table>::NEEDS_CHECK;
            const REQUIRED: #bool_ = true;
            const INLINE_SIZE: #usize_ = 4;
            #[inline]
            fn verify<'v, 'o, 'b>(
                __tv: #table_verifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #result<#table_verifier<'v, 'o, 'b>, #invalid_flatbuffer> {
                #verify_nested::<Self>(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify(__fv: &mut #fast_verifier<'_>, __pos: #usize_) -> #fast {
                #fast_verify_nested::<Self>(__fv, __pos)
            }
            #[inline]
            unsafe fn read<'a, __M>(__t: #table_ref<'a, __M>, __slot: #u16_) -> #option<#view<'a>> {
                #read_nested_let
                __view
            }
            #[inline]
            unsafe fn check<__M>(__t: #table_ref<'_, __M>, __slot: #u16_) -> #result<()> {
                #check_nested_let
                __checked
            }
            #[inline]
            fn absent<'a>() -> Self::View<'a> {
                <#view<'a> as #table_view<'a>>::from_table(#empty_table())
            }
            #[inline]
            fn to_owned(__view: #view<'_>) -> #result<Self> {
                <Self as #stream_deserialize>::from_view(__view)
            }
        }
    }
}

/// `DecodeElement`: the struct as an element of a vector field.
pub fn nested_element_impl(cx: &TableGen) -> TokenStream {
    let TableGen {
        paths,
        ident,
        view,
        name,
        ..
    } = *cx;
    let u16_ = paths.primitive("u16");
    let bool_ = paths.primitive("bool");
    let usize_ = paths.primitive("usize");
    let Runtime {
        decode_element,
        fast,
        fast_verifier,
        follow,
        forwards_u_offset,
        invalid_flatbuffer,
        iterator,
        nested,
        option,
        result,
        stream_deserialize,
        table_verifier,
        table_view,
        vec,
        vector,
        vector_view,
        verify_table,
        fast_verify_nested_vec,
        verify_nested_vec,
        vector_view_type,
        ..
    } = paths.runtime();
    let decode_element_safety = safety_doc(&format!(
        "verified as a vector of `{name}` tables, each with `{name}`'s verifier, read as one."
    ));
    quote! {
        #decode_element_safety
        #[automatically_derived]
        unsafe impl #decode_element for #ident {
            type Fb<'a> = #forwards_u_offset<#nested<Self>>;
            type ElemView<'a> = #view<'a>;
            type VecView<'a> = #vector_view_type<'a, Self>;
            const NEEDS_CHECK: #bool_ = <Self as #verify_table>::NEEDS_CHECK;
            #[inline]
            fn verify_vec<'v, 'o, 'b>(
                __tv: #table_verifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #result<#table_verifier<'v, 'o, 'b>, #invalid_flatbuffer> {
                #verify_nested_vec::<Self>(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify_vec(__fv: &mut #fast_verifier<'_>, __pos: #usize_) -> #fast {
                #fast_verify_nested_vec::<Self>(__fv, __pos)
            }
            #[inline]
            fn elem_view<'a>(
                __t: <Self::Fb<'a> as #follow<'a>>::Inner,
            ) -> Self::ElemView<'a> {
                <#view<'a> as #table_view<'a>>::from_table(__t)
            }
            #[inline]
            fn vec_view<'a>(
                __v: #option<#vector<'a, Self::Fb<'a>>>,
            ) -> #vector_view_type<'a, Self> {
                #vector_view(__v)
            }
            fn vec_to_owned(__v: #vector_view_type<'_, Self>) -> #result<#vec<Self>> {
                #iterator::collect(#iterator::map(
                    __v.iter(),
                    <Self as #stream_deserialize>::from_view,
                ))
            }
            #[inline]
            fn check_elem<'a>(__t: <Self::Fb<'a> as #follow<'a>>::Inner) -> #result<()> {
                <Self as #verify_table>::check_table(__t)
            }
        }
    }
}
