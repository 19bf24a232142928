use flatstream::prelude::*;

// Enabled: compiles.
#[derive(StreamSerialize)]
#[frame(checksum = crc32c)]
struct Enabled {
    value: f64,
}

// Disabled: a compile error at `crc16` naming the feature.
#[derive(StreamSerialize)]
#[frame(checksum = crc16)]
struct Disabled {
    value: f64,
}

// A codec whose feature is off: a compile error at `zstd` naming it.
#[derive(StreamSerialize)]
#[frame(compress = zstd)]
struct Compressed {
    value: f64,
}

// A cipher whose feature is off: a compile error at `aes256gcm` naming it.
#[derive(StreamSerialize)]
#[frame(encrypt = aes256gcm)]
struct Encrypted {
    value: f64,
}

fn main() {
    let _ = (Enabled::HEADER_LEN, Disabled::HEADER_LEN, Compressed::HEADER_LEN);
    let key = flatstream::encrypt::EncryptionKey::from_bytes([0; 32]);
    let _ = Encrypted::encrypted_framer(&key);
}
