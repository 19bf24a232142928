//! The model of a derive input, borrowed from `syn::DeriveInput`.

use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::internals::attr::{self, FieldAttr, FrameAttr};
use crate::internals::ctxt::Ctxt;

/// What a derive looks at.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a syn::Generics,
    pub frame: FrameAttr,
    pub body: Body<'a>,
}

pub enum Body<'a> {
    /// A struct with named fields: a FlatBuffers table.
    Struct(Vec<Field<'a>>),
    /// A fieldless enum with an integer `#[repr]`.
    Enum {
        repr: Option<Ident>,
        variants: Vec<&'a Ident>,
    },
    /// A unit struct (for `#[derive(Framing)]`).
    Unit,
    /// Something unsupported; the error is already recorded.
    Invalid,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub vis: &'a syn::Visibility,
    pub ty: &'a Type,
    pub attr: FieldAttr,
    /// The FlatBuffers field id, assigned by validation.
    pub id: u16,
}

impl<'a> Input<'a> {
    /// Borrows the model, recording what cannot be represented at all.
    pub fn from_syn(cx: &mut Ctxt, input: &'a DeriveInput, derive: &str) -> Self {
        let frame = attr::parse_frame(cx, &input.attrs);
        let body = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Body::Struct(
                    named
                        .named
                        .iter()
                        .map(|f| Field {
                            ident: f.ident.as_ref().expect("named field"),
                            vis: &f.vis,
                            ty: &f.ty,
                            attr: attr::parse_field(cx, &f.attrs),
                            id: 0,
                        })
                        .collect(),
                ),
                Fields::Unit => Body::Unit,
                Fields::Unnamed(fields) => {
                    cx.error_spanned(
                        fields,
                        format!(
                            "#[derive({derive})] does not support tuple structs: name the fields, e.g. \
                             `struct {} {{ value: f64 }}`",
                            input.ident
                        ),
                    );
                    Body::Invalid
                }
            },
            Data::Enum(data) => {
                let mut variants = Vec::new();
                for variant in &data.variants {
                    attr::forbid(
                        cx,
                        &variant.attrs,
                        "flatstream",
                        "#[flatstream] has no settings for enum variants",
                    );
                    if !matches!(variant.fields, Fields::Unit) {
                        cx.error_spanned(
                            &variant.fields,
                            format!(
                                "enum variant `{}` carries data; #[derive({derive})] supports only fieldless \
                                 enums with an integer #[repr], e.g. `#[repr(u8)] enum Unit {{ Celsius, Kelvin }}`; \
                                 for data, use a struct with an enum field and Option fields",
                                variant.ident
                            ),
                        );
                    }
                    variants.push(&variant.ident);
                }
                Body::Enum {
                    repr: enum_repr(input),
                    variants,
                }
            }
            Data::Union(data) => {
                cx.error_spanned(
                    data.union_token,
                    format!(
                        "#[derive({derive})] does not support unions: a union has no FlatBuffers form; use a \
                         struct with named fields or a fieldless #[repr(u8)] enum"
                    ),
                );
                Body::Invalid
            }
        };
        Input {
            ident: &input.ident,
            generics: &input.generics,
            frame,
            body,
        }
    }
}

/// The integer type of `#[repr(..)]`, if any.
fn enum_repr(input: &DeriveInput) -> Option<Ident> {
    let mut found = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        // `repr(C)`, `repr(align(4))` and friends parse too; keep the integer.
        let _ = attr.parse_nested_meta(|meta| {
            if let Some(ident) = meta.path.get_ident() {
                if crate::internals::symbol::ENUM_REPRS.iter().any(|r| ident == r) {
                    found = Some(ident.clone());
                }
            }
            if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}
