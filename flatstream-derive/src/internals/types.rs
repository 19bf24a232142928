//! What the derive knows of field types from their tokens: scalars,
//! options, inline sizes, schema names and defaults. Shared by the checks
//! and by both code generators.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Expr, Type};

use crate::internals::symbol::SCALARS;

/// FlatBuffers' name of a Rust field type, for the schema.
pub fn fbs_type(ty: &Type) -> String {
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
            let name = last.ident.to_string();
            if let Some(&(_, _, fbs)) = SCALARS.iter().find(|(s, _, _)| *s == name) {
                return fbs.into();
            }
            match name.as_str() {
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
pub fn used_types(ty: &Type, out: &mut Vec<Type>) {
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
                _ if inline_size(ty).is_some() || name == "String" => {}
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
pub fn schema_type(ty: &Type) -> Option<&Type> {
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
pub fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// A scalar type the derive recognises (its default goes into the schema
/// and into the encoding).
pub fn is_scalar(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.len() == 1
        && crate::internals::symbol::SCALARS.iter().any(|(s, _, _)| p.path.is_ident(s)))
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
pub fn literal_text(expr: &Expr) -> Option<String> {
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

/// `Option` of a scalar: `= null` in the schema.
pub fn is_scalar_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            s.ident == "Option"
                && matches!(&s.arguments, syn::PathArguments::AngleBracketed(a)
                    if a.args.iter().any(|arg| matches!(arg, syn::GenericArgument::Type(t) if is_scalar(t))))
        }),
        _ => false,
    }
}

/// The bytes a field of this type takes inside its table, when the type is
/// one the derive recognises (scalars; strings, vectors and `Option`s of
/// them); `None` for user types, whose size the trait constant gives.
pub fn inline_size(ty: &Type) -> Option<usize> {
    match ty {
        Type::Group(g) => inline_size(&g.elem),
        Type::Paren(p) => inline_size(&p.elem),
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => Some(4),
            Type::Slice(_) => Some(4),
            _ => None,
        },
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            if p.path.segments.len() == 1 {
                if let Some(&(_, size, _)) = SCALARS.iter().find(|(s, _, _)| *s == name) {
                    return Some(size);
                }
            }
            match name.as_str() {
                "String" | "Vec" => Some(4),
                "Option" | "Box" => single_arg(last).and_then(inline_size),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The single type argument of `Vec<T>`/`Option<T>`.
pub fn single_arg(segment: &syn::PathSegment) -> Option<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}
