//! Code generation for `#[derive(StreamSerialize)]`: the builder path
//! (`Table::build_table`), the table writer's direct path, and the enum
//! impls. Everything generated sits in `const _: () = { ... };` and names
//! runtime items only through [`Paths`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident};

use crate::framing::{default_layout, framed_impls};
use crate::gen::wrap;
use crate::internals::ast::{Body, Field, Input};
use crate::internals::check::{self, Derive, Framing};
use crate::internals::ctxt::Ctxt;
use crate::internals::types::{inline_size, is_scalar, scalar_default};
use crate::paths::Paths;

/// `#[derive(StreamSerialize)]`.
pub fn derive_stream_serialize(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut model = Input::from_syn(&mut cx, input, "StreamSerialize");
    let framing = check::check(&mut cx, &mut model, Derive::StreamSerialize);
    let paths = Paths::new(check::crate_path(&model.frame));
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

/// The FlatBuffers vtable slot of field `id`.
fn slot(id: u16) -> u16 {
    4 + 2 * id
}

/// `Table`, `Field`, `VectorElement` and `StreamSerialize` for a struct.
fn table_impls(paths: &Paths, model: &Input, fields: &[&Field]) -> TokenStream {
    let mut tokens = table_impl(paths, model, fields);
    tokens.extend(as_field_impls(paths, model));
    tokens.extend(serialize_impl(paths, model));
    tokens
}

/// `Table` for a struct: its builder path and its direct path.
fn table_impl(paths: &Paths, model: &Input, fields: &[&Field]) -> TokenStream {
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let (builder, result, ok, offset) = (paths.builder(), paths.result(), paths.ok(), paths.offset());
    let (field_trait, table) = (paths.field(), paths.table());
    let end_table = paths.end_table();
    let (u16_, usize_, u8_) = (
        paths.primitive("u16"),
        paths.primitive("usize"),
        paths.primitive("u8"),
    );
    let scalar = paths.scalar();
    let (out, payload_buf) = (paths.out(), paths.payload_buf());
    let (table_offsets, table_size, canonical_vtable) = (
        paths.table_offsets(),
        paths.table_size(),
        paths.canonical_vtable(),
    );
    let u64_ = paths.primitive("u64");

    // Named by position: a name made from the field's (`_x`, `r#type`)
    // would not always be a snake-case identifier, and the user's lints
    // would fire on generated code.
    let locals: Vec<Ident> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format_ident!("__field{}", i, span = f.ty.span()))
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
    let pushes = builder_pushes(paths, fields, &locals, &as_field);

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
            Some(Some(default)) if is_scalar(ty) => {
                let default = scalar_default(default, ty);
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
    // The root's fixed part built in registers: every field ORs its slot in
    // (as `write_fields` writes every slot), and a field left out clears its
    // vtable entry (the vtable starts at 4).
    let word_writes = fields.iter().zip(&as_field).map(|(f, as_field)| {
        let id = usize::from(f.id);
        let member = f.ident;
        let (word, bit) = (id / 64, id % 64);
        let entry = 8 + 2 * id;
        quote! {
            if __absent[#word] & (1 << #bit) != 0 {
                __words[#entry / 8] &= !(0xffff << (8 * (#entry % 8)));
            }
            let __at = __table + __offsets[#id] as #usize_;
            let __bits = #as_field::slot_bits(&self.#member, __buf, __at)?;
            __words[__at / 8] |= __bits << (8 * (__at % 8));
        }
    });
    let (root_layout, root_words, root_word_count) =
        (paths.root_layout(), paths.root_words(), paths.root_word_count());
    let (append_root_in_place, begin_root, store_root_words) = (
        paths.append_root_in_place(),
        paths.begin_root(),
        paths.store_root_words(),
    );

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
            const VTABLE: &'static [#u8_] = &#canonical_vtable::<#field_count, #vtable_len>(#sizes);
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
            #[inline(always)]
            fn write_root<__B: #payload_buf>(&self, __buf: &mut #out<'_, __B>) -> #result<()> {
                let (__table, __end) = const {
                    #root_layout(<Self as #table>::VTABLE.len(), <Self as #table>::TABLE_SIZE)
                };
                if __end > 8 * #root_word_count {
                    return #append_root_in_place(self, __buf);
                }
                let __offsets: [#u16_; #field_count] = const { #table_offsets(#sizes) };
                let mut __words = const { #root_words(<Self as #table>::VTABLE, <Self as #table>::TABLE_SIZE) };
                #begin_root(__buf, __end)?;
                let __absent = <Self as #table>::absent(self);
                let _ = &__absent;
                #(#word_writes)*
                #store_root_words(__buf, &__words, __end);
                #ok(())
            }
        }
    }
}

/// The builder path's pushes, largest fields first, so the table needs no
/// padding between them.
fn builder_pushes(
    paths: &Paths,
    fields: &[&Field],
    locals: &[Ident],
    as_field: &[TokenStream],
) -> Vec<TokenStream> {
    let push_unless_default = paths.push_unless_default();
    // Largest fields first, so the table needs no padding between them.
    // Fields whose inline size the derive can see (scalars, strings,
    // vectors) are sorted here; for the others (nested structs, enums) a
    // test on the constant picks their place, and the compiler drops the
    // branches that do not apply.
    let size_classes: [(usize, Option<usize>); 4] = [(8, None), (4, Some(8)), (2, Some(4)), (0, Some(2))];
    let push_unless_default = &push_unless_default;
    size_classes
        .iter()
        .flat_map(|&(lo, hi)| {
            fields
            .iter()
            .zip(locals)
            .zip(as_field)
            .filter_map(move |((f, local), as_field)| {
                let slot = slot(f.id);
                let ty = f.ty;
                let push = match f.attr.default.get() {
                    // A scalar with a declared default leaves out that value.
                    Some(Some(default)) if is_scalar(ty) => {
                        let default = scalar_default(default, ty);
                        quote_spanned!(ty.span()=> #push_unless_default(__fbb, #slot, #local, #default);)
                    }
                    // Others (an enum's variant) by their type.
                    Some(Some(default)) => {
                        quote_spanned!(ty.span()=> #as_field::push_unless(__fbb, #slot, #local, || #default);)
                    }
                    _ => quote_spanned!(ty.span()=> #as_field::push(__fbb, #slot, #local);),
                };
                match inline_size(f.ty) {
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
        })
        .collect()
}

/// `Field` and `VectorElement`: the struct as a field or vector element of
/// another message.
fn as_field_impls(paths: &Paths, model: &Input) -> TokenStream {
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let (builder, result, ok, offset) = (paths.builder(), paths.result(), paths.ok(), paths.offset());
    let (field_trait, vector_element, table) = (paths.field(), paths.vector_element(), paths.table());
    let create_table_vector = paths.create_table_vector();
    let (u16_, usize_) = (paths.primitive("u16"), paths.primitive("usize"));
    let (out, payload_buf) = (paths.out(), paths.payload_buf());
    let (append_table, append_table_vector, set_uoffset) = (
        paths.append_table(),
        paths.append_table_vector(),
        paths.set_uoffset(),
    );

    quote! {
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
    }
}

/// Tables with at most this many fields get an `#[inline(always)]`
/// encoder; larger ones leave the choice to the compiler.
const INLINE_ALWAYS_FIELDS: usize = 16;

/// `StreamSerialize` for a struct.
fn serialize_impl(paths: &Paths, model: &Input) -> TokenStream {
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let (builder, result, ok) = (paths.builder(), paths.result(), paths.ok());
    let table = paths.table();
    let stream_serialize = paths.stream_serialize();
    let encode_table_into = paths.encode_table_into();
    let payload_sink = paths.payload_sink();
    let payload_buf = paths.payload_buf();
    // A small table's encoder is a few stores: inlined into every writer,
    // whatever else the caller inlines. With a plain `#[inline]`, LLVM kept
    // it out of line once a program called it from two writers, and a
    // call cost 1.2x on the telemetry message's `append_frame` (`peers`).
    let fields = match &model.body {
        Body::Struct(fields) => fields.len(),
        _ => 0,
    };
    let encode_inline = if fields <= INLINE_ALWAYS_FIELDS {
        quote!(#[inline(always)])
    } else {
        quote!(#[inline])
    };

    quote! {
        #[automatically_derived]
        impl #impl_generics #stream_serialize for #ident #ty_generics #where_clause {
            #[inline]
            fn serialize(&self, __fbb: &mut #builder<'_>) -> #result<()> {
                let __root = #table::build_table(self, __fbb)?;
                __fbb.finish_minimal(__root);
                #ok(())
            }
            #encode_inline
            fn encode_into<__B: #payload_buf>(&self, __out: &mut #payload_sink<'_, __B>) -> #result<()> {
                #encode_table_into(self, __out)
            }
        }
    }
}

/// `EnumRepr`, `Field` and `VectorElement` for a fieldless enum.
fn enum_impls(paths: &Paths, model: &Input, repr: &Ident, variants: &[&Ident]) -> TokenStream {
    let ident = model.ident;
    let repr = paths.primitive(&repr.to_string());
    let (u16_, usize_, u64_) = (
        paths.primitive("u16"),
        paths.primitive("usize"),
        paths.primitive("u64"),
    );
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
            #[inline(always)]
            fn slot_bits<__B: #payload_buf>(&self, __buf: &mut #out<'_, __B>, __at: #usize_) -> #result<#u64_> {
                <#repr as #field_trait>::slot_bits(&#enum_repr::to_repr(self), __buf, __at)
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
