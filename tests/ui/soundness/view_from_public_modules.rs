// A table verified as one type viewed through another type's view: the
// verification internals are not in the public modules at all.
use flatstream::prelude::*;

#[derive(StreamSerialize, StreamDeserialize)]
#[frame(len = u32)]
struct Small {
    a: u32,
}

#[derive(StreamSerialize, StreamDeserialize)]
#[frame(len = u32)]
struct Big {
    s: String,
}

fn main() -> flatstream::Result<()> {
    let payload = [0u8; 16];
    let t = flatstream::decode::verified_root::<Small>(&payload, Default::default())?;
    let v = <BigRef<'_> as flatstream::decode::TableView<'_>>::from_table(t);
    let _ = v.s();
    Ok(())
}
