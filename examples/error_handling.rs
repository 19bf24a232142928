//! What a reader reports for damaged streams: a flipped byte, a truncated
//! file, a corrupt length. Every error names the offset of the frame.
//!
//! cargo run --example error_handling

use flatstream::*;

fn stream() -> Result<Vec<u8>> {
    let mut writer = StreamWriter::new(Vec::new(), ChecksumFramer::new(Crc32c::new()));
    for text in ["first message", "second message", "third message"] {
        writer.write(text)?;
    }
    Ok(writer.into_inner())
}

/// Reads every frame, printing each payload and how the stream ended.
fn show(title: &str, bytes: &[u8]) {
    println!("== {title}");
    let mut reader = StreamReader::new(bytes, ChecksumDeframer::new(Crc32c::new()));
    loop {
        match reader.read_message() {
            Ok(Some(payload)) => {
                let text = flatbuffers::root::<&str>(payload).unwrap_or("<not a string>");
                println!("  frame: {text:?}");
            }
            Ok(None) => {
                println!("  clean end of stream at byte {}", reader.position());
                break;
            }
            Err(e) => {
                let kind = match &e {
                    Error::ChecksumMismatch { .. } => "ChecksumMismatch",
                    Error::UnexpectedEof { .. } => "UnexpectedEof",
                    Error::FrameTooLarge { .. } => "FrameTooLarge",
                    Error::InvalidFrame { .. } => "InvalidFrame",
                    Error::Io(_) => "Io",
                    _ => "other",
                };
                println!("  error ({kind}): {e}");
                break;
            }
        }
    }
    println!();
}

fn main() -> Result<()> {
    let good = stream()?;
    show("intact stream", &good);

    let mut corrupt = good.clone();
    let second_payload = 8 + 24 + 8 + 10; // into the second frame's payload
    corrupt[second_payload] ^= 0x01;
    show("one bit flipped in the second payload", &corrupt);

    show(
        "file truncated in the middle of the third frame",
        &good[..good.len() - 5],
    );

    let mut huge = good.clone();
    huge[3] = 0x7F; // the first length now claims ~2 GiB
    show("first length field corrupted", &huge);

    let strict = ChecksumDeframer::new(Crc32c::new()).with_max_frame_len(16);
    println!("== a reader that accepts at most 16-byte payloads");
    if let Err(e) = StreamReader::new(&good[..], strict).read_message() {
        println!("  error: {e}");
    }
    Ok(())
}
