//! Collects every error of an item so the user sees all mistakes at once.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// The errors found so far while parsing and validating one item.
///
/// Must end in [`into_compile_errors`](Self::into_compile_errors): dropping
/// it otherwise is a bug in the derive (its errors would be lost, and the
/// user's mistake would surface as a confusing error elsewhere, or not at
/// all), so it panics, as serde_derive's does.
pub struct Ctxt {
    /// `None` once taken by `into_compile_errors`.
    errors: Option<Vec<syn::Error>>,
}

impl Default for Ctxt {
    fn default() -> Self {
        Ctxt {
            errors: Some(Vec::new()),
        }
    }
}

impl Ctxt {
    /// Records an error spanning `tokens`.
    pub fn error_spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.syn_error(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error produced elsewhere (e.g. by syn's parser).
    pub fn syn_error(&mut self, error: syn::Error) {
        if let Some(errors) = &mut self.errors {
            errors.push(error);
        }
    }

    /// All errors as `compile_error!` invocations, or `None` if there were none.
    pub fn into_compile_errors(mut self) -> Option<TokenStream> {
        let mut errors = self.errors.take().unwrap_or_default().into_iter();
        let mut first = errors.next()?;
        for e in errors {
            first.combine(e);
        }
        Some(first.to_compile_error())
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if self.errors.is_some() && !std::thread::panicking() {
            panic!(
                "flatstream-derive bug: a Ctxt was dropped without into_compile_errors, losing its errors"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_come_out_combined() {
        let mut cx = Ctxt::default();
        cx.error_spanned(quote::quote!(a), "first");
        cx.error_spanned(quote::quote!(b), "second");
        let out = cx.into_compile_errors().unwrap().to_string();
        assert!(out.contains("first") && out.contains("second"), "{out}");
        assert!(Ctxt::default().into_compile_errors().is_none());
    }

    #[test]
    #[should_panic(expected = "without into_compile_errors")]
    fn dropping_unchecked_errors_is_a_bug_not_silence() {
        let mut cx = Ctxt::default();
        cx.error_spanned(quote::quote!(a), "lost");
        drop(cx);
    }
}
