//! Code generation for `#[derive(StreamDeserialize)]`: the view type and its
//! accessors, the verifier, the owned decode and the `.fbs` schema.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, Expr, Ident, Type};

use crate::ast::{Body, Field, Input};
use crate::ctxt::Ctxt;
use crate::paths::Paths;
use crate::valid::{self, Derive};

/// `#[derive(StreamDeserialize)]`.
pub fn derive_stream_deserialize(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut model = Input::from_syn(&mut cx, input, "StreamDeserialize");
    valid::check(&mut cx, &mut model, Derive::StreamDeserialize);
    let paths = Paths::new(valid::crate_path(&model.frame));
    let errors = cx.into_compile_errors();
    let (outside, inside) = match (&errors, &model.body) {
        (None, Body::Struct(fields)) => {
            let mut fields: Vec<&Field> = fields.iter().filter(|f| f.attr.skip.0.is_none()).collect();
            fields.sort_by_key(|f| f.id);
            let all: Vec<&Field> = match &model.body {
                Body::Struct(all) => all.iter().collect(),
                _ => Vec::new(),
            };
            struct_impls(&paths, &model, input, &fields, &all)
        }
        (
            None,
            Body::Enum {
                repr: Some(repr),
                variants,
            },
        ) => (TokenStream::new(), enum_impls(&paths, &model, repr, variants)),
        // A stub view with no accessors, so code naming it does not cascade.
        (Some(_), Body::Struct(_)) => {
            let (view, _) = struct_impls(&paths, &model, input, &[], &[]);
            (view, TokenStream::new())
        }
        _ => (TokenStream::new(), TokenStream::new()),
    };
    let inside = (!inside.is_empty()).then(|| {
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals, unused_qualifications, unused_doc_comments, clippy::all)]
            const _: () = {
                #inside
            };
        }
    });
    quote!(#errors #outside #inside)
}

/// `let #binding = unsafe { #expr };`, its SAFETY comment kept as a doc
/// attribute: comments are not tokens, and the expansion (`cargo expand`,
/// the snapshot in docs/derive.md) should say why each `unsafe` holds.
/// Spanned at `span`, so an unmet bound on `expr` is reported there.
fn unsafe_let(span: Span, binding: TokenStream, safety: &str, expr: TokenStream) -> TokenStream {
    let doc = format!(" SAFETY: {safety}");
    quote_spanned! {span=>
        #[doc = #doc]
        let #binding = unsafe { #expr };
    }
}

/// The doc attribute carrying an `unsafe impl`'s SAFETY comment.
fn safety_doc(safety: &str) -> TokenStream {
    let doc = format!(" SAFETY: {safety}");
    quote!(#[doc = #doc])
}

/// The view type's name: `TelemetryRef` for `Telemetry`.
fn view_ident(ident: &Ident) -> Ident {
    format_ident!("{}Ref", ident)
}

/// FlatBuffers' name of a Rust field type, for the schema.
fn fbs_type(ty: &Type) -> String {
    match ty {
        Type::Group(g) => fbs_type(&g.elem),
        Type::Paren(p) => fbs_type(&p.elem),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return "?".into();
            };
            let inner = || match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|arg| match arg {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                }),
                _ => None,
            };
            match last.ident.to_string().as_str() {
                "bool" => "bool".into(),
                "u8" => "ubyte".into(),
                "i8" => "byte".into(),
                "u16" => "ushort".into(),
                "i16" => "short".into(),
                "u32" => "uint".into(),
                "i32" => "int".into(),
                "u64" => "ulong".into(),
                "i64" => "long".into(),
                "f32" => "float".into(),
                "f64" => "double".into(),
                "String" => "string".into(),
                "Vec" => format!("[{}]", inner().map_or("?".into(), fbs_type)),
                "Option" | "Box" => inner().map_or("?".into(), fbs_type),
                other => other.into(),
            }
        }
        _ => "?".into(),
    }
}

/// The user types a field type refers to (through `Vec`/`Option`), whose
/// schemas the schema uses.
fn used_types(ty: &Type, out: &mut Vec<Type>) {
    match ty {
        Type::Group(g) => used_types(&g.elem, out),
        Type::Paren(p) => used_types(&p.elem, out),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return;
            };
            let name = last.ident.to_string();
            match name.as_str() {
                "Vec" | "Option" | "Box" => {
                    if let syn::PathArguments::AngleBracketed(a) = &last.arguments {
                        for arg in &a.args {
                            if let syn::GenericArgument::Type(t) = arg {
                                used_types(t, out);
                            }
                        }
                    }
                }
                _ if valid::inline_size(ty).is_some() || name == "String" => {}
                _ => {
                    if !out
                        .iter()
                        .any(|t| t.to_token_stream().to_string() == ty.to_token_stream().to_string())
                    {
                        out.push(ty.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

/// The user type (a table or an enum) a field of type `ty` holds directly
/// or through `Option`/`Box`; `None` for scalars, strings and vectors.
fn schema_type(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Group(g) => schema_type(&g.elem),
        Type::Paren(p) => schema_type(&p.elem),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            match last.ident.to_string().as_str() {
                "Option" | "Box" => match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|arg| match arg {
                        syn::GenericArgument::Type(t) => schema_type(t),
                        _ => None,
                    }),
                    _ => None,
                },
                "Vec" | "String" => None,
                _ if is_scalar(ty) => None,
                _ => Some(ty),
            }
        }
        _ => None,
    }
}

/// Whether the field type is `Option<..>`.
fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// A scalar type the derive recognises (its default goes into the schema
/// and into the encoding).
pub fn is_scalar(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.len() == 1
        && crate::symbol::SCALARS.iter().any(|(s, _)| p.path.is_ident(s)))
}

/// A scalar default as an expression of the field's type: an integer
/// literal given for a float field is written as a float literal (`20` for
/// an `f64` becomes `20.0`); everything else is kept as written, so rustc
/// checks it against the field type.
pub fn scalar_default(expr: &Expr, ty: &Type) -> TokenStream {
    let is_float = matches!(ty, Type::Path(p) if p.path.is_ident("f32") || p.path.is_ident("f64"));
    let float = |lit: &syn::LitInt| {
        let value = format!("{}.0", lit.base10_digits());
        syn::LitFloat::new(&value, lit.span()).into_token_stream()
    };
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(lit),
            ..
        }) if is_float => float(lit),
        Expr::Unary(u) if is_float && matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(lit),
                ..
            }) => {
                let lit = float(lit);
                quote!(-#lit)
            }
            _ => expr.to_token_stream(),
        },
        _ => expr.to_token_stream(),
    }
}

/// The schema text of a literal default, if it is one.
fn literal_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => Some(i.base10_digits().to_string()),
            syn::Lit::Float(f) => Some(f.base10_digits().to_string()),
            syn::Lit::Bool(b) => Some(b.value.to_string()),
            _ => None,
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => literal_text(&u.expr).map(|t| format!("-{t}")),
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The view struct (outside the const block, so it can be named) and every
/// impl (inside it).
fn struct_impls(
    paths: &Paths,
    model: &Input,
    input: &DeriveInput,
    fields: &[&Field],
    all_fields: &[&Field],
) -> (TokenStream, TokenStream) {
    let ident = model.ident;
    let view = view_ident(ident);
    let vis = &input.vis;
    let private = paths.private();
    let (u16_, u8_, bool_) = (
        paths.primitive("u16"),
        paths.primitive("u8"),
        paths.primitive("bool"),
    );
    let usize_ = paths.primitive("usize");
    let name = ident.to_string();

    let view_doc = format!(
        "A verified, zero-copy view of a [`{name}`] payload: one accessor per field, reading straight \
         from the buffer. Generated by `#[derive(StreamDeserialize)]`; obtain one with \
         `{name}::view(payload)` or `reader.read_view::<{name}>()`."
    );
    // The stub view of an item in error may have generics it cannot name.
    let verified_as = if input.generics.params.is_empty() {
        quote!(#ident)
    } else {
        quote!(())
    };
    let view_struct = quote! {
        #[doc = #view_doc]
        #[derive(Clone, Copy)]
        #vis struct #view<'a> {
            __table: #private::TableRef<'a, #verified_as>,
        }
    };

    let accessors = fields.iter().map(|f| {
        let (field, ty, fvis, slot) = (f.ident, f.ty, f.vis, 4 + 2 * f.id);
        let doc = format!("The `{field}` field (id {}).", f.id);
        let absent = match f.attr.default.get() {
            Some(Some(expr)) => scalar_default(expr, ty),
            _ => quote!(<#ty as #private::DecodeField>::absent()),
        };
        let safety = format!(
            "`__table` was verified as `{name}`, whose verifier checks slot {slot} as `{}`.",
            ty.to_token_stream()
        );
        let read = unsafe_let(
            ty.span(),
            quote!(__value),
            &safety,
            quote_spanned!(ty.span()=> <#ty as #private::DecodeField>::read(self.__table, #slot)),
        );
        quote_spanned! {ty.span()=>
            #[doc = #doc]
            #[inline]
            #fvis fn #field(&self) -> <#ty as #private::DecodeField>::View<'a> {
                #read
                match __value {
                    #private::Some(value) => value,
                    #private::None => #absent,
                }
            }
        }
    });

    let debug_fields = fields.iter().map(|f| {
        let field = f.ident;
        let name = field.to_string();
        quote!(.field(#name, &self.#field()))
    });
    let view_name = view.to_string();

    let verifies = fields.iter().map(|f| {
        let ty = f.ty;
        let slot = 4 + 2 * f.id;
        let qualified = format!("{name}.{}", f.ident);
        let optional = is_option(ty) || f.attr.default.0.is_some();
        quote_spanned! {ty.span()=>
            let __tv = <#ty as #private::DecodeField>::verify(
                __tv,
                #qualified,
                #slot,
                <#ty as #private::DecodeField>::REQUIRED && !#optional,
            )?;
        }
    });
    let fast_verifies = fields.iter().map(|f| {
        let ty = f.ty;
        let slot = 4 + 2 * f.id;
        let optional = is_option(ty) || f.attr.default.0.is_some();
        quote_spanned! {ty.span()=>
            match __fv.field(&__t, #slot)? {
                #private::Some(__pos) => <#ty as #private::DecodeField>::fast_verify(__fv, __pos)?,
                #private::None => {
                    if <#ty as #private::DecodeField>::REQUIRED && !#optional {
                        return #private::Err(#private::Reject);
                    }
                }
            }
        }
    });
    let needs_check = fields.iter().map(|f| {
        let ty = f.ty;
        quote!(<#ty as #private::DecodeField>::NEEDS_CHECK)
    });
    let checks = fields.iter().map(|f| {
        let ty = f.ty;
        let slot = 4 + 2 * f.id;
        let safety = format!(
            "`__table` was verified as `{name}`, whose verifier checks slot {slot} as `{}`.",
            ty.to_token_stream()
        );
        let check = unsafe_let(
            ty.span(),
            quote!(__checked),
            &safety,
            quote_spanned!(ty.span()=> <#ty as #private::DecodeField>::check(__table, #slot)),
        );
        quote! {
            if <#ty as #private::DecodeField>::NEEDS_CHECK {
                #check
                __checked?;
            }
        }
    });

    // Owned decode: every field from the view; skipped ones from their
    // default.
    let owned = all_fields.iter().map(|f| {
        let (field, ty) = (f.ident, f.ty);
        if f.attr.skip.0.is_some() {
            match f.attr.default.get() {
                Some(Some(expr)) => quote!(#field: #expr),
                _ => quote_spanned!(ty.span()=> #field: #private::Default::default()),
            }
        } else {
            quote_spanned!(ty.span()=> #field: <#ty as #private::DecodeField>::to_owned(__view.#field())?)
        }
    });

    let limits = {
        let depth = model.frame.max_depth.get().map(|&n| n as usize);
        let tables = model.frame.max_tables.get().map(|&n| n as usize);
        let depth = depth.map_or_else(
            || quote!(#private::VerifyLimits::DEFAULT.max_depth),
            |n| quote!(#n),
        );
        let tables = tables.map_or_else(
            || quote!(#private::VerifyLimits::DEFAULT.max_tables),
            |n| quote!(#n),
        );
        quote! {
            #private::VerifyLimits {
                max_depth: #depth,
                max_tables: #tables,
                max_apparent_size: #private::VerifyLimits::DEFAULT.max_apparent_size,
            }
        }
    };

    // The schema: one entry per field, in id order.
    let schema_fields = fields.iter().map(|f| {
        let ty = f.ty;
        let field_name = f.ident.to_string();
        let fbs = fbs_type(ty);
        let id = f.id;
        let default = match (f.attr.default.get(), is_option(ty)) {
            (Some(Some(expr)), _) if is_scalar(ty) => {
                let text = literal_text(expr).unwrap_or_default();
                quote!(#private::Some(#text))
            }
            (_, true) if is_scalar_option(ty) => quote!(#private::Some("null")),
            // A user type may be an enum, whose default the schema states
            // (resolved at compile time from its schema).
            (declared, optional) => match schema_type(ty) {
                Some(used) => {
                    let declared = match declared.and_then(Option::as_ref).and_then(literal_text) {
                        Some(text) => quote!(#private::Some(#text)),
                        None => quote!(#private::None),
                    };
                    quote!(#private::field_default(&<#used as #private::HasSchema>::SCHEMA, #declared, #optional))
                }
                None => quote!(#private::None),
            },
        };
        let optional = is_option(ty) || f.attr.default.0.is_some();
        quote! {
            #private::SchemaField {
                name: #field_name,
                ty: #fbs,
                id: #id,
                default: #default,
                required: <#ty as #private::DecodeField>::REQUIRED && !#optional,
            }
        }
    });
    let mut used = Vec::new();
    for f in fields {
        used_types(f.ty, &mut used);
    }
    let uses = used.iter().map(|t| quote!(&<#t as #private::HasSchema>::SCHEMA));

    let read_nested = unsafe_let(
        Span::call_site(),
        quote!(__view),
        "forwarded to the caller (the slot was verified as this table).",
        quote!(#private::read_nested::<Self, __M>(__t, __slot)),
    );
    let check_nested = unsafe_let(
        Span::call_site(),
        quote!(__checked),
        "forwarded to the caller (the slot was verified as this table).",
        quote!(#private::check_nested::<Self, __M>(__t, __slot)),
    );
    let root_unchecked = unsafe_let(
        Span::call_site(),
        quote!(__table),
        "forwarded to the caller, who vouches that `view_with` accepted the payload.",
        quote!(#private::TableRef::root_unchecked(__payload)),
    );
    let verify_table_safety = safety_doc(&format!(
        "`verify_table` and `fast_verify_table` check every field of `{name}` as its type's \
         `DecodeField::verify` / `fast_verify` do (the same checks; accepted tables are the same), \
         and the accessors, `check_table` and `{view}` read each field through that type's `DecodeField`."
    ));
    let decode_field_safety = safety_doc(&format!(
        "verified as a table of `{name}` (`verify_nested` / `fast_verify_nested`), read as one."
    ));
    let decode_element_safety = safety_doc(&format!(
        "verified as a vector of `{name}` tables, each with `{name}`'s verifier, read as one."
    ));
    let impls = quote! {
        #[automatically_derived]
        impl<'a> #view<'a> {
            #(#accessors)*
        }

        #[automatically_derived]
        impl<'a> #private::TableView<'a> for #view<'a> {
            type Message = #ident;
            #[inline]
            fn from_table(__table: #private::TableRef<'a, #ident>) -> Self {
                #view { __table }
            }
        }

        #[automatically_derived]
        impl #private::Debug for #view<'_> {
            fn fmt(&self, __f: &mut #private::Formatter<'_>) -> #private::FmtResult {
                __f.debug_struct(#view_name) #(#debug_fields)* .finish()
            }
        }

        #verify_table_safety
        #[automatically_derived]
        unsafe impl #private::VerifyTable for #ident {
            const NEEDS_CHECK: #bool_ = false #(|| #needs_check)*;
            #[inline]
            fn verify_table(
                __v: &mut #private::Verifier<'_, '_>,
                __pos: #usize_,
            ) -> #private::Result<(), #private::InvalidFlatbuffer> {
                let __tv = __v.visit_table(__pos)?;
                #(#verifies)*
                __tv.finish();
                #private::Ok(())
            }
            #[inline]
            fn fast_verify_table(__fv: &mut #private::FastVerifier<'_>, __pos: #usize_) -> #private::Fast {
                let __t = __fv.table(__pos)?;
                #(#fast_verifies)*
                __fv.end_table();
                #private::Ok(())
            }
            #[inline]
            fn check_table(__table: #private::TableRef<'_, Self>) -> #private::Result<()> {
                let _ = __table;
                #(#checks)*
                #private::Ok(())
            }
        }

        #[automatically_derived]
        impl #private::NestedTable for #ident {
            type Ref<'a> = #view<'a>;
            #[inline]
            fn owned(__view: #view<'_>) -> #private::Result<Self> {
                <Self as #private::StreamDeserialize>::from_view(__view)
            }
        }

        #decode_field_safety
        #[automatically_derived]
        unsafe impl #private::DecodeField for #ident {
            type View<'a> = #view<'a>;
            const NEEDS_CHECK: #bool_ = <Self as #private::VerifyTable>::NEEDS_CHECK;
            const REQUIRED: #bool_ = true;
            #[inline]
            fn verify<'v, 'o, 'b>(
                __tv: #private::TableVerifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #private::Result<#private::TableVerifier<'v, 'o, 'b>, #private::InvalidFlatbuffer> {
                #private::verify_nested::<Self>(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify(__fv: &mut #private::FastVerifier<'_>, __pos: #usize_) -> #private::Fast {
                #private::fast_verify_nested::<Self>(__fv, __pos)
            }
            #[inline]
            unsafe fn read<'a, __M>(__t: #private::TableRef<'a, __M>, __slot: #u16_) -> #private::Option<#view<'a>> {
                #read_nested
                __view
            }
            #[inline]
            unsafe fn check<__M>(__t: #private::TableRef<'_, __M>, __slot: #u16_) -> #private::Result<()> {
                #check_nested
                __checked
            }
            #[inline]
            fn absent<'a>() -> Self::View<'a> {
                <#view<'a> as #private::TableView<'a>>::from_table(#private::empty_table())
            }
            #[inline]
            fn to_owned(__view: #view<'_>) -> #private::Result<Self> {
                <Self as #private::StreamDeserialize>::from_view(__view)
            }
        }

        #decode_element_safety
        #[automatically_derived]
        unsafe impl #private::DecodeElement for #ident {
            type Fb<'a> = #private::ForwardsUOffset<#private::Nested<Self>>;
            type ElemView<'a> = #view<'a>;
            type VecView<'a> = #private::VectorView<'a, Self>;
            const NEEDS_CHECK: #bool_ = <Self as #private::VerifyTable>::NEEDS_CHECK;
            #[inline]
            fn verify_vec<'v, 'o, 'b>(
                __tv: #private::TableVerifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #private::Result<#private::TableVerifier<'v, 'o, 'b>, #private::InvalidFlatbuffer> {
                #private::verify_nested_vec::<Self>(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify_vec(__fv: &mut #private::FastVerifier<'_>, __pos: #usize_) -> #private::Fast {
                #private::fast_verify_nested_vec::<Self>(__fv, __pos)
            }
            #[inline]
            fn elem_view<'a>(
                __t: <Self::Fb<'a> as #private::Follow<'a>>::Inner,
            ) -> Self::ElemView<'a> {
                <#view<'a> as #private::TableView<'a>>::from_table(__t)
            }
            #[inline]
            fn vec_view<'a>(
                __v: #private::Option<#private::Vector<'a, Self::Fb<'a>>>,
            ) -> #private::VectorView<'a, Self> {
                #private::vector_view(__v)
            }
            fn vec_to_owned(__v: #private::VectorView<'_, Self>) -> #private::Result<#private::Vec<Self>> {
                #private::Iterator::collect(#private::Iterator::map(
                    __v.iter(),
                    <Self as #private::StreamDeserialize>::from_view,
                ))
            }
            #[inline]
            fn check_elem<'a>(__t: <Self::Fb<'a> as #private::Follow<'a>>::Inner) -> #private::Result<()> {
                <Self as #private::VerifyTable>::check_table(__t)
            }
        }

        #[automatically_derived]
        impl #private::HasSchema for #ident {
            const SCHEMA: #private::Schema = #private::Schema {
                name: #name,
                kind: #private::SchemaKind::Table(&[#(#schema_fields),*]),
                uses: &[#(#uses),*],
            };
        }

        #[automatically_derived]
        impl #private::StreamDeserialize for #ident {
            type View<'a> = #view<'a>;
            const VERIFY_LIMITS: #private::VerifyLimits = #limits;
            #[inline]
            fn view_with(
                __payload: &[#u8_],
                __limits: #private::VerifyLimits,
            ) -> #private::Result<#view<'_>> {
                let __table = #private::verified_root::<Self>(__payload, __limits)?;
                #private::Ok(#view { __table })
            }
            #[inline]
            unsafe fn view_unchecked(__payload: &[#u8_]) -> #view<'_> {
                #root_unchecked
                #view { __table }
            }
            fn from_view(__view: #view<'_>) -> #private::Result<Self> {
                #private::Ok(#ident { #(#owned),* })
            }
        }
    };
    (view_struct, impls)
}

/// `Option` of a scalar: `= null` in the schema.
fn is_scalar_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            s.ident == "Option"
                && matches!(&s.arguments, syn::PathArguments::AngleBracketed(a)
                    if a.args.iter().any(|arg| matches!(arg, syn::GenericArgument::Type(t) if is_scalar(t))))
        }),
        _ => false,
    }
}

/// `DecodeField`, `DecodeElement`, `EnumDecode` and `HasSchema` for a
/// fieldless enum.
fn enum_impls(paths: &Paths, model: &Input, repr: &Ident, variants: &[&Ident]) -> TokenStream {
    let ident = model.ident;
    let name = ident.to_string();
    let private = paths.private();
    let repr_ty = paths.primitive(&repr.to_string());
    let usize_ = paths.primitive("usize");
    let (u16_, bool_, i128_) = (
        paths.primitive("u16"),
        paths.primitive("bool"),
        paths.primitive("i128"),
    );
    let fbs_repr = fbs_type(&syn::parse_quote!(#repr));
    let variant_names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    let first = variants[0];
    let default_repr = crate::expand::enum_default_repr(ident, &repr_ty, variants);
    let read_repr = unsafe_let(
        Span::call_site(),
        quote!(__raw),
        "forwarded to the caller (the slot was verified as the enum's representation).",
        quote!(<#repr_ty as #private::DecodeField>::read(__t, __slot)),
    );
    let enum_field_safety = safety_doc(&format!(
        "verified as `{repr}` (the representation), read as `{repr}`, and turned into `{name}` only by value."
    ));
    let enum_element_safety = safety_doc(&format!(
        "verified as a vector of `{repr}`, read as one, each turned into `{name}` only by value."
    ));
    quote! {
        #[automatically_derived]
        impl #private::EnumDecode for #ident {
            type Repr = #repr_ty;
            const NAME: &'static str = #name;
            #[inline]
            fn from_repr(__value: #repr_ty) -> #private::Option<Self> {
                #(if __value == #ident::#variants as #repr_ty { return #private::Some(#ident::#variants); })*
                #private::None
            }
            #[inline]
            fn fallback() -> Self {
                #ident::#first
            }
            const DEFAULT: #repr_ty = #default_repr;
        }

        #enum_field_safety
        #[automatically_derived]
        unsafe impl #private::DecodeField for #ident {
            type View<'a> = #ident;
            const NEEDS_CHECK: #bool_ = true;
            const REQUIRED: #bool_ = false;
            #[inline]
            fn verify<'v, 'o, 'b>(
                __tv: #private::TableVerifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #private::Result<#private::TableVerifier<'v, 'o, 'b>, #private::InvalidFlatbuffer> {
                <#repr_ty as #private::DecodeField>::verify(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify(__fv: &mut #private::FastVerifier<'_>, __pos: #usize_) -> #private::Fast {
                <#repr_ty as #private::DecodeField>::fast_verify(__fv, __pos)
            }
            #[inline]
            unsafe fn read<'a, __M>(__t: #private::TableRef<'a, __M>, __slot: #u16_) -> #private::Option<#ident> {
                #read_repr
                // `check` rejected values that are no variant.
                __raw.map(|__r| {
                    <Self as #private::EnumDecode>::from_repr(__r)
                        .unwrap_or_else(<Self as #private::EnumDecode>::fallback)
                })
            }
            #[inline]
            unsafe fn check<__M>(__t: #private::TableRef<'_, __M>, __slot: #u16_) -> #private::Result<()> {
                #read_repr
                #private::check_enum::<Self>(__raw)
            }
            #[inline]
            fn absent<'a>() -> Self::View<'a> {
                <Self as #private::EnumDecode>::from_repr(<Self as #private::EnumDecode>::DEFAULT)
                    .unwrap_or_else(<Self as #private::EnumDecode>::fallback)
            }
            #[inline]
            fn to_owned(__view: #ident) -> #private::Result<#ident> {
                #private::Ok(__view)
            }
        }

        #enum_element_safety
        #[automatically_derived]
        unsafe impl #private::DecodeElement for #ident {
            type Fb<'a> = #repr_ty;
            type ElemView<'a> = #ident;
            type VecView<'a> = #private::VectorView<'a, Self>;
            const NEEDS_CHECK: #bool_ = true;
            #[inline]
            fn verify_vec<'v, 'o, 'b>(
                __tv: #private::TableVerifier<'v, 'o, 'b>,
                __name: &'static str,
                __slot: #u16_,
                __required: #bool_,
            ) -> #private::Result<#private::TableVerifier<'v, 'o, 'b>, #private::InvalidFlatbuffer> {
                <#repr_ty as #private::DecodeElement>::verify_vec(__tv, __name, __slot, __required)
            }
            #[inline]
            fn fast_verify_vec(__fv: &mut #private::FastVerifier<'_>, __pos: #usize_) -> #private::Fast {
                <#repr_ty as #private::DecodeElement>::fast_verify_vec(__fv, __pos)
            }
            #[inline]
            fn elem_view<'a>(__r: <Self::Fb<'a> as #private::Follow<'a>>::Inner) -> Self::ElemView<'a> {
                <Self as #private::EnumDecode>::from_repr(__r).unwrap_or_else(<Self as #private::EnumDecode>::fallback)
            }
            #[inline]
            fn vec_view<'a>(
                __v: #private::Option<#private::Vector<'a, #repr_ty>>,
            ) -> #private::VectorView<'a, Self> {
                #private::vector_view(__v)
            }
            fn vec_to_owned(__v: #private::VectorView<'_, Self>) -> #private::Result<#private::Vec<Self>> {
                #private::Ok(#private::Iterator::collect(__v.iter()))
            }
            #[inline]
            fn check_elem<'a>(__r: <Self::Fb<'a> as #private::Follow<'a>>::Inner) -> #private::Result<()> {
                #private::check_enum::<Self>(#private::Some(__r))
            }
        }

        #[automatically_derived]
        impl #private::HasSchema for #ident {
            const SCHEMA: #private::Schema = #private::Schema {
                name: #name,
                kind: #private::SchemaKind::Enum {
                    repr: #fbs_repr,
                    variants: &[#((#variant_names, #ident::#variants as #i128_)),*],
                },
                uses: &[],
            };
        }
    }
}
