//! Opening the input (a file or standard input) with a progress bar on
//! standard error for large files, when that is a terminal.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use crate::CliError;

/// Files above this size get a progress bar.
const PROGRESS_FROM: u64 = 64 << 20;

/// The input, counting what was read into its progress bar.
pub struct Input {
    inner: Box<dyn Read>,
    bar: Option<ProgressBar>,
}

impl Input {
    /// Opens `path` (`-`: standard input). A progress bar is shown unless
    /// `quiet`, standard error is not a terminal, or the file is small.
    pub fn open(path: &Path, quiet: bool) -> Result<Input, CliError> {
        if path.as_os_str() == "-" {
            return Ok(Input {
                inner: Box::new(io::stdin().lock()),
                bar: None,
            });
        }
        let file =
            File::open(path).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = (!quiet && len > PROGRESS_FROM && io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(len);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Ok(Input {
            inner: Box::new(file),
            bar,
        })
    }

    /// Reads the whole input into memory (for `detect`, which reads it once
    /// per candidate framing).
    pub fn read_all(mut self) -> Result<Vec<u8>, CliError> {
        let mut bytes = Vec::new();
        self.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
