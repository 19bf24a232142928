use flatstream::prelude::*;

// No magic and no `covers = frame`: a header cannot be validated on its own,
// so skipping to the next intact frame is not offered.
#[derive(StreamSerialize)]
#[frame(len = u32, checksum = crc32c)]
struct Reading {
    value: f64,
}

fn main() -> Result<(), flatstream::Error> {
    let bytes: &[u8] = &[];
    let _ = StreamReader::new(bytes, Reading::deframer()).with_recovery(Recovery::SkipCorrupt)?;
    let _ = StreamReader::new(bytes, DefaultDeframer::new()).with_recovery(Recovery::SkipCorrupt)?;
    Ok(())
}
