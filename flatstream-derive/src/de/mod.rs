//! Code generation for `#[derive(StreamDeserialize)]`: the view type and its
//! accessors, the verifier, the owned decode and the `.fbs` schema
//! (`table.rs`), and the enum impls (`enums.rs`).

mod enums;
mod nested;
mod table;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{DeriveInput, Ident};

use crate::internals::ast::{Body, Field, Input};
use crate::internals::check::{self, Derive};
use crate::internals::ctxt::Ctxt;
use crate::paths::Paths;
use enums::enum_impls;
use table::{struct_impls, TableGen};

/// `#[derive(StreamDeserialize)]`.
pub fn derive_stream_deserialize(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut model = Input::from_syn(&mut cx, input, "StreamDeserialize");
    check::check(&mut cx, &mut model, Derive::StreamDeserialize);
    let paths = Paths::new(check::crate_path(&model.frame));
    let errors = cx.into_compile_errors();
    let (view, name) = (view_ident(model.ident), model.ident.to_string());
    let tables = |fields: &[&Field], all_fields: &[&Field]| {
        struct_impls(&TableGen {
            paths: &paths,
            model: &model,
            input,
            ident: model.ident,
            view: &view,
            name: &name,
            fields,
            all_fields,
        })
    };
    let (outside, inside) = match (&errors, &model.body) {
        (None, Body::Struct(fields)) => {
            let mut fields: Vec<&Field> = fields.iter().filter(|f| f.attr.skip.0.is_none()).collect();
            fields.sort_by_key(|f| f.id);
            let all: Vec<&Field> = match &model.body {
                Body::Struct(all) => all.iter().collect(),
                _ => Vec::new(),
            };
            tables(&fields, &all)
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
            let (view, _) = tables(&[], &[]);
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

/// The view type's name: `TelemetryRef` for `Telemetry`.
fn view_ident(ident: &Ident) -> Ident {
    format_ident!("{}Ref", ident)
}
