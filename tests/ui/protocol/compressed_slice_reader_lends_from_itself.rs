use flatstream::compress::{CompressedDeframer, Lz4};
use flatstream::prelude::*;

// A compressed frame's messages are decompressed into the reader, so the
// SliceReader methods whose payloads borrow the input are refused: the
// message says to use next_message / next_view.
fn main() -> Result<(), flatstream::Error> {
    let bytes: &[u8] = &[];
    let mut r = SliceReader::new(bytes, CompressedDeframer::new(DefaultDeframer::new(), Lz4));
    let _ = r.read_message()?;
    Ok(())
}
