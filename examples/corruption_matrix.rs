//! Prints the corruption matrix: 10,000 frames, each kind of damage applied
//! many times, read back under each framing and recovery policy; counts of
//! frames recovered, lost and wrong (returned but never written).
//!
//! cargo run --release --example corruption_matrix [trials per cell, default 50]

use flatstream_tests::matrix::{cells, run, Cell};

fn main() {
    let trials: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    println!("10,000 frames per trial, {trials} trials per cell; counts summed over trials.\n");
    println!("| framing | policy | damage | recovered | lost | wrong | ended in error |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for Cell {
        framing,
        mode,
        damage,
        seed,
    } in cells()
    {
        let t = run(framing, mode, damage, 10_000, trials, seed);
        println!(
            "| {framing:?} | {mode:?} | {damage:?} | {:.2}% | {} | {} | {}/{trials} |",
            100.0 * t.recovered as f64 / t.written as f64,
            t.lost,
            t.wrong,
            t.errors
        );
    }
}
