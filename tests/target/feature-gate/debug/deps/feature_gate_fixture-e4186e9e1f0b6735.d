/work/main/tests/target/feature-gate/debug/deps/feature_gate_fixture-e4186e9e1f0b6735.d: src/main.rs

/work/main/tests/target/feature-gate/debug/deps/libfeature_gate_fixture-e4186e9e1f0b6735.rmeta: src/main.rs

src/main.rs:
