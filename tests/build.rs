//! Finds the tools `tests/interop.rs` runs: `flatc` (Debian's
//! `flatbuffers-compiler`; or the path in `FLATC`) and a Python that imports
//! the `flatbuffers` runtime (`python3-flatbuffers`; or `FLATSTREAM_PYTHON`).
//! Without them those tests are ignored, and `cargo test` prints why; with
//! `FLATSTREAM_REQUIRE_FLATC=1` (as `.ci/run` sets) their absence fails the
//! build instead.

use std::process::Command;

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(flatc_missing)");
    println!("cargo::rustc-check-cfg=cfg(python_flatbuffers_missing)");
    for var in ["PATH", "FLATC", "FLATSTREAM_PYTHON", "FLATSTREAM_REQUIRE_FLATC"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    println!("cargo::rerun-if-changed=build.rs");
    let required = std::env::var("FLATSTREAM_REQUIRE_FLATC").is_ok_and(|v| v == "1");

    let flatc = std::env::var("FLATC").unwrap_or_else(|_| "flatc".into());
    if runs(&flatc, &["--version"]) {
        println!("cargo::rustc-env=FLATSTREAM_FLATC={flatc}");
    } else if required {
        panic!("FLATSTREAM_REQUIRE_FLATC=1 but `{flatc}` does not run: install flatbuffers-compiler");
    } else {
        println!("cargo::rustc-cfg=flatc_missing");
        println!("cargo::rustc-env=FLATSTREAM_FLATC=");
    }

    let candidates = [
        std::env::var("FLATSTREAM_PYTHON").ok(),
        Some("python3".into()),
        Some("/usr/bin/python3".into()),
    ];
    match candidates
        .into_iter()
        .flatten()
        .find(|python| runs(python, &["-c", "import flatbuffers"]))
    {
        Some(python) => println!("cargo::rustc-env=FLATSTREAM_PYTHON={python}"),
        None if required => panic!(
            "FLATSTREAM_REQUIRE_FLATC=1 but no Python imports `flatbuffers`: install python3-flatbuffers"
        ),
        None => {
            println!("cargo::rustc-cfg=python_flatbuffers_missing");
            println!("cargo::rustc-env=FLATSTREAM_PYTHON=");
        }
    }
}
