//! Helpers for the generated code itself: the `const _` block every impl
//! sits in, and `unsafe` blocks that carry their SAFETY comment.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// `body` inside `const _: () = { ... };`, so its items and imports do not
/// leak into the user's module.
pub fn wrap(body: TokenStream) -> TokenStream {
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

/// `let #binding = unsafe { #expr };`, its SAFETY comment kept as a doc
/// attribute: comments are not tokens, and the expansion (`cargo expand`,
/// the snapshot in docs/derive.md) should say why each `unsafe` holds.
/// Spanned at `span`, so an unmet bound on `expr` is reported there.
pub fn unsafe_let(span: Span, binding: TokenStream, safety: &str, expr: TokenStream) -> TokenStream {
    let doc = format!(" SAFETY: {safety}");
    quote_spanned! {span=>
        #[doc = #doc]
        let #binding = unsafe { #expr };
    }
}

/// The doc attribute carrying an `unsafe impl`'s SAFETY comment.
pub fn safety_doc(safety: &str) -> TokenStream {
    let doc = format!(" SAFETY: {safety}");
    quote!(#[doc = #doc])
}
