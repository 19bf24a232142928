//! `recover` and `convert`: write a stream's intact frames to a new file,
//! in the same framing or another. The output is written next to its final
//! name and renamed into place only when complete, and never replaces the
//! input or an existing file without `--force`.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flatstream::{DynamicLayout, Framer, RawPayload, StreamWriter};

use crate::input::Input;
use crate::walk::{walk, Event, Policy, Totals};
use crate::{layout, CliError, Source, Verdict};

/// The output, refusing to clobber.
fn check_output(input: &Path, output: &Path, force: bool) -> Result<PathBuf, CliError> {
    let same = |a: &Path, b: &Path| match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if input.as_os_str() != "-" && same(input, output) {
        return Err(CliError::Usage(format!(
            "{} is the input: write the output elsewhere",
            output.display()
        )));
    }
    if output.exists() && !force {
        return Err(CliError::Usage(format!(
            "{} exists: pass --force to overwrite it",
            output.display()
        )));
    }
    let mut partial = output.as_os_str().to_owned();
    partial.push(".partial");
    Ok(PathBuf::from(partial))
}

/// Writes every intact frame of `source` (framed with `from`) to `output`
/// with framing `to`, reporting the damage met; a frame `to` cannot hold
/// fails the whole command.
fn rewrite(
    source: &Source,
    from: DynamicLayout,
    output: &Path,
    to: DynamicLayout,
    force: bool,
) -> Result<Totals, CliError> {
    let partial = check_output(&source.file, output, force)?;
    let input = Input::open(&source.file, source.quiet)?;
    let file = File::create(&partial)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", partial.display())))?;
    let mut writer = StreamWriter::new(BufWriter::new(file), to);
    let mut out = io::stdout().lock();
    let walked = walk(input, from, source.recovery, true, |event| {
        match event {
            Event::Frame { offset, payload, .. } => {
                if payload.len() > Framer::max_frame_len(&to) {
                    return Err(CliError::Damaged(format!(
                        "the frame at offset {offset} holds {} bytes; the output framing takes at most {} \
                         (raise its max_len, or pick a checksum that protects longer payloads)",
                        payload.len(),
                        Framer::max_frame_len(&to)
                    )));
                }
                writer.write(&RawPayload(payload)).map_err(|e| match e {
                    flatstream::Error::Io(e) => CliError::Io(e),
                    other => CliError::Damaged(format!("the frame at offset {offset}: {other}")),
                })?;
            }
            Event::Skipped { offset, len, reason } => {
                writeln!(out, "skipped {len} bytes at offset {offset}: {reason}")?
            }
            Event::TornTail { offset, len } => writeln!(
                out,
                "torn tail: {len} bytes at offset {offset} (an incomplete last frame)"
            )?,
            Event::Stopped { offset, reason } => match offset {
                Some(offset) => writeln!(out, "stopped at offset {offset}: {reason}")?,
                None => writeln!(out, "stopped: {reason}")?,
            },
        }
        Ok(())
    });
    let finished = walked.and_then(|totals| {
        writer.flush()?;
        let file = writer
            .into_inner()
            .into_inner()
            .map_err(|e| CliError::Io(e.into_error()))?;
        file.sync_all()?;
        Ok(totals)
    });
    match finished {
        Ok(totals) => {
            fs::rename(&partial, output)?;
            Ok(totals)
        }
        Err(e) => {
            let _ = fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// `flatstream recover`: exit 0 when the output holds every frame that
/// could be saved.
pub fn recover(source: &Source, output: &Path, to: Option<&str>, force: bool) -> Verdict {
    // Each spec parsed once: a parse leaks its magic's few bytes.
    let from = layout(&source.framing)?;
    let to = match to {
        Some(spec) => layout(spec)?,
        None => from,
    };
    // What can be saved: everything up to damage that cannot be skipped.
    let mut source_policy = source.clone();
    if source.recovery == Policy::Auto && !flatstream::Deframer::validates_header(&from) {
        source_policy.recovery = Policy::TornTail;
    }
    let totals = rewrite(&source_policy, from, output, to, force)?;
    println!(
        "recovered {} frames ({} bytes of payload) into {}; {} damaged regions ({} bytes) left out",
        totals.frames,
        totals.payload_bytes,
        output.display(),
        totals.damaged_regions,
        totals.damaged_bytes
    );
    Ok(true)
}

/// `flatstream convert`: exit 0 when every frame was intact and converted.
pub fn convert(source: &Source, output: &Path, to: &str, force: bool) -> Verdict {
    let (from, to) = (layout(&source.framing)?, layout(to)?);
    let totals = rewrite(source, from, output, to, force)?;
    println!(
        "converted {} frames ({} bytes of payload) into {}",
        totals.frames,
        totals.payload_bytes,
        output.display()
    );
    Ok(totals.intact())
}
