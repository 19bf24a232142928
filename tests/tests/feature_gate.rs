//! `#[frame(checksum = X)]` or `#[frame(compress = X)]` with X's cargo feature off is a compile error at
//! `X` that names the feature. Cargo features cannot be turned off inside one
//! build, so this builds a small fixture crate (`tests/feature-gate`) that
//! depends on flatstream with only `crc32c`, and compares the error.

use std::path::Path;
use std::process::Command;

#[test]
fn a_disabled_checksum_or_codec_names_its_feature() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("feature-gate");
    // The workspace's target directory, beside the suite's own build.
    let target = root.join("../target/feature-gate");
    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--message-format=short", "--color=never"])
        .current_dir(&fixture)
        .env("CARGO_TARGET_DIR", &target)
        // The fixture must fail for its own reason, not for warnings.
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        !output.status.success(),
        "the fixture compiled with crc16 disabled"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    let expected = "src/main.rs:12:20: error: `checksum = crc16` needs the cargo feature `crc16` of flatstream: \
                    add `features = [\"crc16\"]` to the flatstream entry in Cargo.toml (or pick a checksum whose \
                    feature is on)";
    assert!(errors.first() == Some(&expected), "unexpected errors:\n{stderr}");
    let expected =
        "src/main.rs:19:20: error: `compress = zstd` needs the cargo feature `zstd` of flatstream: \
                    add `features = [\"zstd\"]` to the flatstream entry in Cargo.toml";
    assert!(errors.get(1) == Some(&expected), "unexpected errors:\n{stderr}");
    let expected =
        "src/main.rs:26:19: error: `encrypt = aes256gcm` needs the cargo feature `aes-gcm` of flatstream: \
                    add `features = [\"aes-gcm\"]` to the flatstream entry in Cargo.toml";
    assert!(errors.get(2) == Some(&expected), "unexpected errors:\n{stderr}");
    // Exactly these errors (plus cargo's summary line): the enabled
    // checksum compiles and nothing cascades.
    assert_eq!(
        errors.iter().filter(|l| l.starts_with("src/")).count(),
        3,
        "{stderr}"
    );
}
