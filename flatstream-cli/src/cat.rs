//! `cat`: the payloads, as hex, raw bytes, or JSON through a binary schema
//! (FlatBuffers reflection: every payload is verified against the schema
//! before a field is read).

use std::io::{self, BufWriter, Write};
use std::path::Path;

use flatbuffers_reflection::reflection::{root_as_schema, BaseType, Schema};
use flatbuffers_reflection::SafeBuffer;
use serde_json::{json, Map, Value};

use crate::input::Input;
use crate::walk::{walk, Event};
use crate::{layout, CliError, Source, Verdict};

/// `flatstream cat`.
pub fn cat(source: &Source, raw: bool, schema: Option<&Path>, root_type: Option<&str>) -> Verdict {
    let layout = layout(&source.framing)?;
    let bfbs = match schema {
        Some(path) => Some(
            std::fs::read(path)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?,
        ),
        None => None,
    };
    let schema = match &bfbs {
        Some(bytes) => Some(load_schema(bytes, root_type)?),
        None => None,
    };
    let input = Input::open(&source.file, source.quiet)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut problems = Vec::new();
    let totals = walk(input, layout, source.recovery, true, |event| {
        match event {
            Event::Frame { payload, offset, .. } => match &schema {
                _ if raw => out.write_all(payload)?,
                Some(schema) => match to_json(payload, schema) {
                    Ok(value) => writeln!(out, "{value}")?,
                    Err(why) => {
                        writeln!(out, "{}", json!({"offset": offset, "error": why}))?;
                        problems.push(offset);
                    }
                },
                None => {
                    for b in payload {
                        write!(out, "{b:02x}")?;
                    }
                    writeln!(out)?;
                }
            },
            Event::Skipped { offset, len, reason } => {
                eprintln!("flatstream: skipped {len} damaged bytes at offset {offset}: {reason}")
            }
            Event::TornTail { offset, len } => {
                eprintln!("flatstream: torn tail of {len} bytes at offset {offset}")
            }
            Event::Stopped { offset, reason } => match offset {
                Some(offset) => eprintln!("flatstream: stopped at offset {offset}: {reason}"),
                None => eprintln!("flatstream: stopped: {reason}"),
            },
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(totals.intact() && problems.is_empty())
}

/// The schema, checked to have the root type asked for.
fn load_schema<'a>(bytes: &'a [u8], root_type: Option<&str>) -> Result<Schema<'a>, CliError> {
    let schema = root_as_schema(bytes)
        .map_err(|e| CliError::Usage(format!("not a binary schema (flatc --binary --schema): {e}")))?;
    let root = schema.root_table().map(|o| o.name());
    match (root, root_type) {
        (None, _) => Err(CliError::Usage(
            "the schema declares no root_type: add `root_type T;` to the .fbs and compile it again".into(),
        )),
        (Some(root), Some(asked)) if !names_match(root, asked) => Err(CliError::Usage(format!(
            "the schema's root type is {root}; reading payloads as {asked} needs a schema compiled with \
             `root_type {asked};`"
        ))),
        _ => Ok(schema),
    }
}

/// Whether `asked` names `full` (with or without its namespace).
fn names_match(full: &str, asked: &str) -> bool {
    full == asked || full.rsplit('.').next() == Some(asked)
}

/// A vector field: scalars element by element; other element types (strings,
/// tables) as the reflection library prints them. (A macro: the table's type
/// cannot be named here.)
macro_rules! vector_json {
    ($table:expr, $name:expr, $element:expr) => {{
        let (table, name) = (&$table, $name);
        macro_rules! scalars {
            ($t:ty) => {
                table
                    .get_field_vector::<$t>(name)
                    .map(|v| json!(v.map(|v| v.iter().collect::<Vec<_>>())))
            };
        }
        match $element {
            BaseType::Bool => scalars!(bool),
            BaseType::Byte => scalars!(i8),
            BaseType::UByte => scalars!(u8),
            BaseType::Short => scalars!(i16),
            BaseType::UShort => scalars!(u16),
            BaseType::Int => scalars!(i32),
            BaseType::UInt => scalars!(u32),
            BaseType::Long => scalars!(i64),
            BaseType::ULong => scalars!(u64),
            BaseType::Float => scalars!(f32),
            BaseType::Double => scalars!(f64),
            _ => table.get_any_field_string(name).map(|s| json!(s)),
        }
    }};
}

/// A payload as JSON, through the schema's root table. The reflection
/// library's table type cannot be named outside it, so nested tables are
/// walked with a stack (of inferred type) instead of recursion, each filled
/// in at its JSON pointer.
fn to_json(payload: &[u8], schema: &Schema<'_>) -> Result<Value, String> {
    let buffer = SafeBuffer::new(payload, schema).map_err(|e| format!("not a valid payload: {e}"))?;
    let root_object = schema.root_table().ok_or("the schema has no root table")?;
    let mut root = Value::Object(Map::new());
    let mut stack = vec![(buffer.get_root(), root_object, String::new())];
    while let Some((table, object, pointer)) = stack.pop() {
        let mut fields: Vec<_> = object.fields().iter().collect();
        fields.sort_by_key(|f| f.id());
        let mut map = Map::new();
        for field in fields {
            let name = field.name();
            let ty = field.type_();
            let err = |e: flatbuffers_reflection::FlatbufferError| format!("field {name}: {e}");
            let value = match ty.base_type() {
                BaseType::Bool => json!(table.get_any_field_integer(name).map_err(err)? != 0),
                BaseType::Float | BaseType::Double => json!(table.get_any_field_float(name).map_err(err)?),
                BaseType::String => json!(table.get_field_string(name).map_err(err)?),
                bt if is_integer(bt) => {
                    let n = table.get_any_field_integer(name).map_err(err)?;
                    enum_name(schema, ty.index(), n).map_or(json!(n), |v| json!(v))
                }
                BaseType::Obj if !schema.objects().get(ty.index() as usize).is_struct() => {
                    match table.get_field_table(name).map_err(err)? {
                        Some(nested) => {
                            let escaped = name.replace('~', "~0").replace('/', "~1");
                            let object = schema.objects().get(ty.index() as usize);
                            stack.push((nested, object, format!("{pointer}/{escaped}")));
                            Value::Object(Map::new())
                        }
                        None => Value::Null,
                    }
                }
                BaseType::Vector => vector_json!(table, name, ty.element()).map_err(err)?,
                _ => json!(table.get_any_field_string(name).map_err(err)?),
            };
            map.insert(name.to_owned(), value);
        }
        match root.pointer_mut(&pointer) {
            Some(slot) => *slot = Value::Object(map),
            None => return Err(format!("internal: no slot at {pointer}")),
        }
    }
    Ok(root)
}

fn is_integer(bt: BaseType) -> bool {
    matches!(
        bt,
        BaseType::UType
            | BaseType::Byte
            | BaseType::UByte
            | BaseType::Short
            | BaseType::UShort
            | BaseType::Int
            | BaseType::UInt
            | BaseType::Long
            | BaseType::ULong
    )
}

/// The variant name of an enum value, when the field is an enum.
fn enum_name<'a>(schema: &Schema<'a>, index: i32, value: i64) -> Option<&'a str> {
    let index = usize::try_from(index).ok()?;
    let enums = schema.enums();
    (index < enums.len())
        .then(|| enums.get(index))?
        .values()
        .iter()
        .find(|v| v.value() == value)
        .map(|v| v.name())
}
