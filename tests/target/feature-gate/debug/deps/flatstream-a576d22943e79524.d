/work/main/tests/target/feature-gate/debug/deps/flatstream-a576d22943e79524.d: /work/main/flatstream/src/lib.rs /work/main/flatstream/src/buf.rs /work/main/flatstream/src/decode/mod.rs /work/main/flatstream/src/decode/fast_verify.rs /work/main/flatstream/src/decode/field_decode.rs /work/main/flatstream/src/decode/limits.rs /work/main/flatstream/src/decode/schema.rs /work/main/flatstream/src/decode/vector.rs /work/main/flatstream/src/decode/verify.rs /work/main/flatstream/src/derive_support.rs /work/main/flatstream/src/encode/mod.rs /work/main/flatstream/src/encode/field.rs /work/main/flatstream/src/encode/field_traits.rs /work/main/flatstream/src/encode/out.rs /work/main/flatstream/src/encode/serialize.rs /work/main/flatstream/src/encode/sink.rs /work/main/flatstream/src/encode/table_writer.rs /work/main/flatstream/src/error.rs /work/main/flatstream/src/frame/mod.rs /work/main/flatstream/src/frame/checksum.rs /work/main/flatstream/src/frame/checksum_keywords.rs /work/main/flatstream/src/frame/framing/mod.rs /work/main/flatstream/src/frame/framing/builtin.rs /work/main/flatstream/src/frame/framing/checks.rs /work/main/flatstream/src/frame/layout.rs /work/main/flatstream/src/frame/recovery.rs /work/main/flatstream/src/io/mod.rs /work/main/flatstream/src/io/read_core.rs /work/main/flatstream/src/io/reader.rs /work/main/flatstream/src/io/scan.rs /work/main/flatstream/src/io/sync_io.rs /work/main/flatstream/src/io/write_core.rs /work/main/flatstream/src/io/writer.rs

/work/main/tests/target/feature-gate/debug/deps/libflatstream-a576d22943e79524.rmeta: /work/main/flatstream/src/lib.rs /work/main/flatstream/src/buf.rs /work/main/flatstream/src/decode/mod.rs /work/main/flatstream/src/decode/fast_verify.rs /work/main/flatstream/src/decode/field_decode.rs /work/main/flatstream/src/decode/limits.rs /work/main/flatstream/src/decode/schema.rs /work/main/flatstream/src/decode/vector.rs /work/main/flatstream/src/decode/verify.rs /work/main/flatstream/src/derive_support.rs /work/main/flatstream/src/encode/mod.rs /work/main/flatstream/src/encode/field.rs /work/main/flatstream/src/encode/field_traits.rs /work/main/flatstream/src/encode/out.rs /work/main/flatstream/src/encode/serialize.rs /work/main/flatstream/src/encode/sink.rs /work/main/flatstream/src/encode/table_writer.rs /work/main/flatstream/src/error.rs /work/main/flatstream/src/frame/mod.rs /work/main/flatstream/src/frame/checksum.rs /work/main/flatstream/src/frame/checksum_keywords.rs /work/main/flatstream/src/frame/framing/mod.rs /work/main/flatstream/src/frame/framing/builtin.rs /work/main/flatstream/src/frame/framing/checks.rs /work/main/flatstream/src/frame/layout.rs /work/main/flatstream/src/frame/recovery.rs /work/main/flatstream/src/io/mod.rs /work/main/flatstream/src/io/read_core.rs /work/main/flatstream/src/io/reader.rs /work/main/flatstream/src/io/scan.rs /work/main/flatstream/src/io/sync_io.rs /work/main/flatstream/src/io/write_core.rs /work/main/flatstream/src/io/writer.rs

/work/main/flatstream/src/lib.rs:
/work/main/flatstream/src/buf.rs:
/work/main/flatstream/src/decode/mod.rs:
/work/main/flatstream/src/decode/fast_verify.rs:
/work/main/flatstream/src/decode/field_decode.rs:
/work/main/flatstream/src/decode/limits.rs:
/work/main/flatstream/src/decode/schema.rs:
/work/main/flatstream/src/decode/vector.rs:
/work/main/flatstream/src/decode/verify.rs:
/work/main/flatstream/src/derive_support.rs:
/work/main/flatstream/src/encode/mod.rs:
/work/main/flatstream/src/encode/field.rs:
/work/main/flatstream/src/encode/field_traits.rs:
/work/main/flatstream/src/encode/out.rs:
/work/main/flatstream/src/encode/serialize.rs:
/work/main/flatstream/src/encode/sink.rs:
/work/main/flatstream/src/encode/table_writer.rs:
/work/main/flatstream/src/error.rs:
/work/main/flatstream/src/frame/mod.rs:
/work/main/flatstream/src/frame/checksum.rs:
/work/main/flatstream/src/frame/checksum_keywords.rs:
/work/main/flatstream/src/frame/framing/mod.rs:
/work/main/flatstream/src/frame/framing/builtin.rs:
/work/main/flatstream/src/frame/framing/checks.rs:
/work/main/flatstream/src/frame/layout.rs:
/work/main/flatstream/src/frame/recovery.rs:
/work/main/flatstream/src/io/mod.rs:
/work/main/flatstream/src/io/read_core.rs:
/work/main/flatstream/src/io/reader.rs:
/work/main/flatstream/src/io/scan.rs:
/work/main/flatstream/src/io/sync_io.rs:
/work/main/flatstream/src/io/write_core.rs:
/work/main/flatstream/src/io/writer.rs:
