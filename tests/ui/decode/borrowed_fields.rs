use flatstream::prelude::*;

#[derive(StreamSerialize, StreamDeserialize)]
struct Note<'a> {
    text: &'a str,
}

fn main() {}
