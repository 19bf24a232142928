//! The fuzz targets' bodies (`src/fuzz.rs`) on stable: random inputs, random
//! mutations of valid streams, and the checked-in regression corpus
//! (`tests/fuzz-corpus/<target>/`, where crashes found by `cargo fuzz` go).
//!
//! `PROPTEST_CASES=20000 cargo test --test fuzz_properties` runs longer.

use std::path::Path;

use flatstream_tests::fuzz;
use proptest::prelude::*;

proptest! {
    #[test]
    fn reader_on_random_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
        fuzz::reader(&data);
    }

    #[test]
    fn mutated_streams(data in prop::collection::vec(any::<u8>(), 1..40)) {
        fuzz::mutated_stream(&data);
    }

    #[test]
    fn packed_streams(data in prop::collection::vec(any::<u8>(), 1..300)) {
        fuzz::packed(&data);
    }

    #[test]
    fn view_on_random_payloads(data in prop::collection::vec(any::<u8>(), 0..400)) {
        fuzz::view(&data);
    }
}

/// A fuzz target's body.
type Target = fn(&[u8]);

#[test]
fn regression_corpus_replays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-corpus");
    let targets: [(&str, Target); 4] = [
        ("reader", fuzz::reader),
        ("mutated_stream", fuzz::mutated_stream),
        ("view", fuzz::view),
        ("packed", fuzz::packed),
    ];
    let mut replayed = 0;
    for (name, target) in targets {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for {name}");
        for file in files {
            target(&std::fs::read(&file).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 10);
}
