// The generated code names nothing the user can shadow.
#![allow(dead_code, non_camel_case_types, non_snake_case)]

mod shadowing {
    use ::flatstream::prelude::*;

    type Result<T> = ::core::result::Result<T, ()>;
    type Option = ();
    struct Vec;
    struct String;
    struct Box;
    fn Ok() {}
    fn Some() {}
    mod flatstream {}
    mod core {}
    mod std {}
    struct u8;
    struct i128;
    struct Default;
    struct Debug;
    struct u16;
    struct usize;
    struct bool;

    #[derive(StreamSerialize, StreamDeserialize)]
    #[frame(checksum = crc32c, magic = b"H")]
    pub struct Message {
        value: f64,
        text: ::std::string::String,
        list: ::std::vec::Vec<u32>,
        maybe: ::core::option::Option<i64>,
    }

    #[derive(StreamSerialize, StreamDeserialize, Debug)]
    #[repr(u8)]
    enum Kind {
        A,
        B,
    }

    #[derive(Framing)]
    #[frame(len = u16)]
    struct Link;

    #[derive(StreamSerialize, StreamDeserialize)]
    #[frame(protocol = Link)]
    struct OnLink {
        kind: Kind,
    }
}

fn main() {
    use ::flatstream::prelude::*;
    let _ = shadowing::Message::SCHEMA;
}
