use flatstream::compress::{CompressedDeframer, Lz4};
use flatstream::prelude::*;

// A compressed framing resynchronises as its inner framing does: over a
// framing without a magic or header checksum, SkipCorrupt is not offered.
fn main() -> Result<(), flatstream::Error> {
    let bytes: &[u8] = &[];
    let deframer = CompressedDeframer::new(DefaultDeframer::new(), Lz4);
    let _ = StreamReader::new(bytes, deframer).with_recovery(Recovery::SkipCorrupt)?;
    Ok(())
}
