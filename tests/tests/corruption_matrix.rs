//! The corruption matrix (see `src/matrix.rs`): for every framing, policy
//! and kind of damage, checksummed framings never return a frame that was
//! not written, and `SkipCorrupt` recovers every frame the damage did not
//! touch. `FLATSTREAM_MATRIX_TRIALS=200 cargo test --release --test
//! corruption_matrix` runs more trials (default 3 per cell).

use flatstream::RecoveryMode;
use flatstream_tests::matrix::{cells, run, Cell, Damage, Framing};

fn trials() -> usize {
    std::env::var("FLATSTREAM_MATRIX_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

#[test]
fn checksummed_framings_never_return_wrong_frames_and_skip_corrupt_loses_only_damaged_ones() {
    let trials = trials();
    for Cell {
        framing,
        mode,
        damage,
        seed,
    } in cells()
    {
        let t = run(framing, mode, damage, 10_000, trials, seed);
        assert_eq!(t.recovered + t.lost, t.written);
        if framing.checksummed() {
            assert_eq!(t.wrong, 0, "{framing:?} {mode:?} {damage:?}: {t:?}");
        }
        if mode == RecoveryMode::SkipCorrupt {
            assert_eq!(t.untouched_lost, 0, "{framing:?} {damage:?}: {t:?}");
            assert_eq!(t.errors, 0, "SkipCorrupt ends cleanly: {framing:?} {damage:?}");
        }
    }
}

#[test]
fn the_matrix_can_see_wrong_frames() {
    // Without a checksum a flipped payload bit comes back as data: the count
    // that must be 0 above is measured, not assumed.
    let t = run(
        Framing::LengthOnly,
        RecoveryMode::Strict,
        Damage::BitFlip,
        10_000,
        8,
        99,
    );
    assert!(t.wrong > 0, "{t:?}");
    // A zero-filled tail reads as empty frames without a checksum: phantoms,
    // counted as wrong although no frame was damaged.
    let t = run(
        Framing::LengthOnly,
        RecoveryMode::Strict,
        Damage::ZeroFilledTail,
        1_000,
        2,
        5,
    );
    assert!(t.wrong >= 2 * 4096 / 4 && t.lost == 0, "{t:?}");
    // And Strict stops at the first damage: later frames are lost.
    let t = run(
        Framing::PayloadCrc,
        RecoveryMode::Strict,
        Damage::ZeroedPage,
        10_000,
        4,
        7,
    );
    assert!(t.lost > 0 && t.errors > 0, "{t:?}");
}
