//! Prints the corruption matrix: 10,000 frames, each kind of damage applied
//! many times, read back under each framing and recovery policy; counts of
//! frames recovered, lost and wrong (returned but never written).
//!
//! cargo run --release --example corruption_matrix [trials per cell, default 50]

use flatstream::RecoveryMode;
use flatstream_suite::matrix::{run, Damage, Framing};

fn main() {
    let trials: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    println!("10,000 frames per trial, {trials} trials per cell; counts summed over trials.\n");
    println!("| framing | policy | damage | recovered | lost | wrong | ended in error |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for (f, framing) in Framing::ALL.into_iter().enumerate() {
        for mode in [
            RecoveryMode::Strict,
            RecoveryMode::TolerateTornTail,
            RecoveryMode::SkipCorrupt,
        ] {
            if mode == RecoveryMode::SkipCorrupt && !framing.resyncs() {
                continue;
            }
            for (d, damage) in Damage::ALL.into_iter().enumerate() {
                let t = run(framing, mode, damage, 10_000, trials, (f * 100 + d) as u64 + 1);
                println!(
                    "| {framing:?} | {mode:?} | {damage:?} | {:.2}% | {} | {} | {}/{trials} |",
                    100.0 * t.recovered as f64 / t.written as f64,
                    t.lost,
                    t.wrong,
                    t.errors
                );
            }
        }
    }
}
