//! `flatstream`: look at, check, rescue and convert files of framed
//! FlatBuffers messages without writing a program. See `docs/cli.md`.
//!
//! Exit codes: 0 when the file is intact (or, for `recover`, when every
//! frame that could be saved was), 1 when it is damaged, 2 on a usage error
//! (a bad framing spec, an unreadable file, an output that exists).

mod cat;
mod detect;
mod input;
mod report;
mod transform;
mod walk;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use flatstream::DynamicLayout;

use walk::Policy;

/// Inspect, verify, recover and convert streams of framed FlatBuffers
/// messages.
#[derive(Parser)]
#[command(name = "flatstream", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The file and how it is framed: what every reading command takes.
#[derive(Args, Clone)]
pub struct Source {
    /// The stream file, or `-` for standard input.
    file: PathBuf,
    /// The framing: a preset (flatstream-rs-0.2, flatstream-rs-0.2-crc32,
    /// flatstream-rs-0.2-crc16, flatstream-rs-0.2-xxhash64) or `#[frame]` keys,
    /// e.g. `len=u32,checksum=crc32c` or
    /// `magic=FSv1,len=u32,checksum=crc32c,covers=frame`.
    #[arg(long, short = 'f', value_name = "SPEC")]
    framing: String,
    /// What to do at damage: auto (skip it when the framing can find the
    /// next frame, else stop), strict, torn-tail, skip-corrupt.
    #[arg(long, value_enum, default_value = "auto")]
    recovery: Policy,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Checks every frame: exit 0 if the file is intact to the end, 1 if it
    /// is damaged (each problem printed with its offset and kind).
    Verify(Source),
    /// One line per frame (index, offset, header and payload length,
    /// checksum status), then a summary.
    Inspect {
        #[command(flatten)]
        source: Source,
        /// One JSON object per frame and damaged region, then a summary
        /// object.
        #[arg(long)]
        json: bool,
    },
    /// Frame count, bytes, header overhead, payload sizes (min, median,
    /// p99, max) and a size histogram.
    Stats {
        #[command(flatten)]
        source: Source,
        /// The statistics as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The payloads: hex (default), raw bytes, or JSON through a binary
    /// schema.
    Cat {
        #[command(flatten)]
        source: Source,
        /// The payloads' bytes as they are, one after another.
        #[arg(long, conflicts_with = "schema")]
        raw: bool,
        /// A binary schema (`flatc --binary --schema x.fbs`): payloads as
        /// JSON.
        #[arg(long, value_name = "BFBS")]
        schema: Option<PathBuf>,
        /// The root table's name, when the schema has none or another.
        #[arg(long, value_name = "TYPE", requires = "schema")]
        root_type: Option<String>,
    },
    /// Writes every intact frame to OUT (same framing, or --to).
    Recover {
        #[command(flatten)]
        source: Source,
        /// The output file.
        #[arg(long, short = 'o')]
        output: PathBuf,
        /// The output's framing (default: the input's).
        #[arg(long, value_name = "SPEC")]
        to: Option<String>,
        /// Overwrite OUT if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Re-frames a stream: every payload of IN into OUT with framing --to.
    Convert {
        #[command(flatten)]
        source: Source,
        /// The output file.
        #[arg(long, short = 'o')]
        output: PathBuf,
        /// The output's framing.
        #[arg(long, value_name = "SPEC")]
        to: String,
        /// Overwrite OUT if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Tries the presets and common layouts; prints the framings under
    /// which the whole file parses, best first.
    Detect {
        /// The stream file, or `-` for standard input.
        file: PathBuf,
    },
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Misuse: a bad spec, an unreadable file, an existing output (exit 2).
    Usage(String),
    /// Reading or writing failed (exit 2).
    Io(std::io::Error),
    /// The data is damaged or cannot be converted (exit 1).
    Damaged(String),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<flatstream::Error> for CliError {
    fn from(e: flatstream::Error) -> Self {
        match e {
            flatstream::Error::Io(e) => CliError::Io(e),
            flatstream::Error::InvalidConfig { reason } => CliError::Usage(reason.into_owned()),
            other => CliError::Damaged(other.to_string()),
        }
    }
}

/// A command's verdict: intact (exit 0) or damaged (exit 1).
pub type Verdict = Result<bool, CliError>;

/// Parses a `--framing`/`--to` spec, as a usage error when it is bad.
pub fn layout(spec: &str) -> Result<DynamicLayout, CliError> {
    spec.parse()
        .map_err(|e: flatstream::Error| CliError::Usage(format!("bad framing `{spec}`: {e}")))
}

fn run(cli: Cli) -> Verdict {
    match cli.command {
        Command::Verify(source) => report::verify(&source),
        Command::Inspect { source, json } => report::inspect(&source, json),
        Command::Stats { source, json } => report::stats(&source, json),
        Command::Cat {
            source,
            raw,
            schema,
            root_type,
        } => cat::cat(&source, raw, schema.as_deref(), root_type.as_deref()),
        Command::Recover {
            source,
            output,
            to,
            force,
        } => transform::recover(&source, &output, to.as_deref(), force),
        Command::Convert {
            source,
            output,
            to,
            force,
        } => transform::convert(&source, &output, &to, force),
        Command::Detect { file } => detect::detect(&file),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(CliError::Damaged(why)) => {
            eprintln!("flatstream: {why}");
            ExitCode::from(1)
        }
        Err(CliError::Usage(why)) => {
            eprintln!("flatstream: {why}");
            ExitCode::from(2)
        }
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Io(e)) => {
            eprintln!("flatstream: {e}");
            ExitCode::from(2)
        }
    }
}
