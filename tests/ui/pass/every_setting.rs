// Every #[frame] key and field setting, together.
use flatstream::prelude::*;

#[derive(StreamSerialize, Clone, Copy)]
#[repr(i16)]
enum Level {
    Low = -1,
    High = 1,
}

#[derive(StreamSerialize)]
struct Inner<'a> {
    name: &'a str,
}

#[derive(StreamSerialize)]
#[frame(len = u64, checksum = crc64, max_len = 1000000, endian = big, magic = b"FSv1", covers = frame, align = 8)]
struct Everything<'a> {
    #[flatstream(id = 1)]
    b: Option<u8>,
    #[flatstream(id = 0)]
    a: &'a [u8],
    #[flatstream(skip)]
    _cache: u64,
    levels: Vec<Level>,
    inners: Vec<Inner<'a>>,
    words: Vec<&'a str>,
    boxed: Box<u32>,
}

fn main() {
    let mut w = StreamWriter::new(Vec::new(), Everything::framer());
    let e = Everything {
        b: Some(1),
        a: b"xy",
        _cache: 0,
        levels: vec![Level::Low, Level::High],
        inners: vec![Inner { name: "n" }],
        words: vec!["w"],
        boxed: Box::new(3),
    };
    w.write(&e).unwrap();
    // magic 4 + length 8 + header checksum 8 + payload checksum 8, padded to 8.
    assert_eq!(Everything::HEADER_LEN, 32);
}
