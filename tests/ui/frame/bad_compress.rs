use flatstream::prelude::*;

// Every misuse of `compress = ..`, reported at once, each at its value.
#[derive(StreamSerialize)]
#[frame(compress = lz5)]
struct UnknownCodec {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress = lz4(level = 3))]
struct Lz4Level {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress = zstd(level = 23))]
struct LevelOutOfRange {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress = zstd(3))]
struct LevelWithoutKey {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress = zstd(level = "high"))]
struct LevelNotInteger {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress = "zstd")]
struct CodecAsString {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress)]
struct NoCodec {
    value: f64,
}

#[derive(StreamSerialize)]
#[frame(compress = lz4, compress = zstd)]
struct TwoCodecs {
    value: f64,
}

fn main() {}
