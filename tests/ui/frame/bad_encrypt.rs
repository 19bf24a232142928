use flatstream::prelude::*;

// Every misuse of `encrypt = ..`, reported at once, each at its value.
#[derive(StreamSerialize)]
#[frame(encrypt = chacha20)]
struct UnknownCipher {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(encrypt = "0123456789abcdef0123456789abcdef")]
struct KeyInTheAttribute {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(encrypt = AES256GCM)]
struct WrongCase {
    value: f64,
}

fn main() {}
