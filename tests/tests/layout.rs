//! The workspace's own layout: every example file is a registered example
//! (`examples/Cargo.toml` lists them, so they stay at `examples/NAME.rs`),
//! and so is built by `cargo test --workspace` and runnable by name.

use std::path::Path;

#[test]
fn every_example_is_registered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let name = file.trim_end_matches(".rs");
        let entry = format!("[[example]]\nname = \"{name}\"\npath = \"{file}\"");
        assert!(
            manifest.contains(&entry),
            "examples/{file} is not listed in examples/Cargo.toml"
        );
    }
}
