//! `detect`: which framings the whole file parses under.

use std::path::Path;

use flatstream::{ChecksumKind, Deframer, DynamicLayout, SliceReader};

use crate::input::Input;
use crate::{CliError, Verdict};

/// The candidates: the presets, then the common derived layouts (a 2-, 4-
/// or 8-byte length, each checksum, covering the payload or the frame).
fn candidates() -> Vec<String> {
    let mut specs: Vec<String> = DynamicLayout::PRESETS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    for len in ["u32", "u16", "u64"] {
        for kind in ChecksumKind::ALL {
            let checksum = kind.keyword();
            specs.push(format!("len={len},checksum={checksum}"));
            if kind.size() > 0 {
                specs.push(format!("len={len},checksum={checksum},covers=frame"));
            }
        }
    }
    specs
}

/// How much a framing that parses the file says: a wider checksum, and one
/// over the header too, make an accidental fit less likely; then a preset
/// name over the same bytes spelled out.
fn strength(layout: &DynamicLayout, spec: &str) -> (usize, bool, bool) {
    (
        layout.checksum_kind().size(),
        layout.validates_header(),
        spec.starts_with("flatstream-rs"),
    )
}

/// `flatstream detect`.
pub fn detect(file: &Path) -> Verdict {
    let bytes = Input::open(file, true)?.read_all()?;
    if bytes.is_empty() {
        return Err(CliError::Damaged(
            "the file is empty: any framing reads it".into(),
        ));
    }
    let mut fits = Vec::new();
    for spec in candidates() {
        let Ok(layout) = spec.parse::<DynamicLayout>() else {
            continue;
        };
        let mut reader = SliceReader::new(&bytes, layout);
        let mut frames = 0u64;
        let parses = loop {
            match reader.read_message() {
                Ok(Some(_)) => frames += 1,
                Ok(None) => break frames > 0,
                Err(_) => break false,
            }
        };
        if parses {
            fits.push((strength(&layout, &spec), spec, frames));
        }
    }
    // Best first; the sort is stable, so equals keep the candidates' order.
    fits.sort_by_key(|fit| std::cmp::Reverse(fit.0));
    if fits.is_empty() {
        println!("no known framing parses the whole file");
        return Ok(false);
    }
    for (_, spec, frames) in &fits {
        println!("{spec}\t{frames} frames");
    }
    Ok(true)
}
