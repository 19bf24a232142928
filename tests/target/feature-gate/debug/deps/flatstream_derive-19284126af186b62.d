/work/main/tests/target/feature-gate/debug/deps/flatstream_derive-19284126af186b62.d: /work/main/flatstream-derive/src/lib.rs /work/main/flatstream-derive/src/de/mod.rs /work/main/flatstream-derive/src/de/enums.rs /work/main/flatstream-derive/src/de/nested.rs /work/main/flatstream-derive/src/de/table.rs /work/main/flatstream-derive/src/framing.rs /work/main/flatstream-derive/src/gen.rs /work/main/flatstream-derive/src/internals/mod.rs /work/main/flatstream-derive/src/internals/ast.rs /work/main/flatstream-derive/src/internals/attr.rs /work/main/flatstream-derive/src/internals/check.rs /work/main/flatstream-derive/src/internals/ctxt.rs /work/main/flatstream-derive/src/internals/symbol.rs /work/main/flatstream-derive/src/internals/types.rs /work/main/flatstream-derive/src/paths.rs /work/main/flatstream-derive/src/ser.rs

/work/main/tests/target/feature-gate/debug/deps/libflatstream_derive-19284126af186b62.so: /work/main/flatstream-derive/src/lib.rs /work/main/flatstream-derive/src/de/mod.rs /work/main/flatstream-derive/src/de/enums.rs /work/main/flatstream-derive/src/de/nested.rs /work/main/flatstream-derive/src/de/table.rs /work/main/flatstream-derive/src/framing.rs /work/main/flatstream-derive/src/gen.rs /work/main/flatstream-derive/src/internals/mod.rs /work/main/flatstream-derive/src/internals/ast.rs /work/main/flatstream-derive/src/internals/attr.rs /work/main/flatstream-derive/src/internals/check.rs /work/main/flatstream-derive/src/internals/ctxt.rs /work/main/flatstream-derive/src/internals/symbol.rs /work/main/flatstream-derive/src/internals/types.rs /work/main/flatstream-derive/src/paths.rs /work/main/flatstream-derive/src/ser.rs

/work/main/flatstream-derive/src/lib.rs:
/work/main/flatstream-derive/src/de/mod.rs:
/work/main/flatstream-derive/src/de/enums.rs:
/work/main/flatstream-derive/src/de/nested.rs:
/work/main/flatstream-derive/src/de/table.rs:
/work/main/flatstream-derive/src/framing.rs:
/work/main/flatstream-derive/src/gen.rs:
/work/main/flatstream-derive/src/internals/mod.rs:
/work/main/flatstream-derive/src/internals/ast.rs:
/work/main/flatstream-derive/src/internals/attr.rs:
/work/main/flatstream-derive/src/internals/check.rs:
/work/main/flatstream-derive/src/internals/ctxt.rs:
/work/main/flatstream-derive/src/internals/symbol.rs:
/work/main/flatstream-derive/src/internals/types.rs:
/work/main/flatstream-derive/src/paths.rs:
/work/main/flatstream-derive/src/ser.rs:
