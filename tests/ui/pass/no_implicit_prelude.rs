#![no_implicit_prelude]

extern crate flatstream;
extern crate std;

#[derive(flatstream::StreamSerialize, flatstream::StreamDeserialize)]
#[frame(checksum = crc32c)]
struct Message {
    value: f64,
    text: std::string::String,
    list: std::vec::Vec<u32>,
    maybe: std::option::Option<i64>,
}

#[derive(flatstream::StreamSerialize, flatstream::StreamDeserialize, std::fmt::Debug)]
#[repr(u8)]
enum Kind {
    A,
}

#[derive(flatstream::Framing)]
#[frame(len = u16)]
struct Link;

fn main() {
    let _ = <Message as flatstream::Framed>::HEADER_LEN;
    let _ = <Message as flatstream::HasSchema>::SCHEMA;
    let _ = <Message as flatstream::StreamDeserialize>::decode(&[]);
    let _ = Kind::A;
    let _ = <Link as flatstream::Framed>::HEADER_LEN;
}
