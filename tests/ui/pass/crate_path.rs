// A runtime re-exported from another crate or module.
mod facade {
    pub use ::flatstream as runtime;
}

#[derive(facade::runtime::StreamSerialize)]
#[frame(crate = crate::facade::runtime, checksum = xxh3)]
struct Message {
    value: u32,
}

#[derive(facade::runtime::StreamSerialize)]
#[frame(crate = "crate::facade::runtime")]
#[repr(u8)]
enum Kind {
    A,
}

fn main() {
    use facade::runtime::Framed;
    assert_eq!(Message::HEADER_LEN, 12);
    let _ = Kind::A;
}
