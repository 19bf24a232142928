// Through `__private` the pieces exist, but a table is tagged with the type
// it was verified as: `Big`'s view does not take a table verified as `Small`,
// neither through `TableView::from_table` nor by building the view struct.
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
    let t = flatstream::__private::verified_root::<Small>(&payload, Default::default())?;
    let v = <BigRef<'_> as flatstream::__private::TableView<'_>>::from_table(t);
    let _ = v.s();
    let w = BigRef { __table: t };
    let _ = w.s();
    Ok(())
}
