// The traits whose checks the unchecked reads rely on are `unsafe trait`s:
// a no-op verifier cannot be written in safe code.
use flatstream::__private::{
    DecodeField, Fast, FastVerifier, InvalidFlatbuffer, TableRef, TableVerifier, Verifier, VerifyTable,
};

struct Forged;

impl VerifyTable for Forged {
    const NEEDS_CHECK: bool = false;
    fn verify_table(_: &mut Verifier<'_, '_>, _: usize) -> Result<(), InvalidFlatbuffer> {
        Ok(())
    }
    fn fast_verify_table(_: &mut FastVerifier<'_>, _: usize) -> Fast {
        Ok(())
    }
    fn check_table(_: TableRef<'_, Self>) -> flatstream::Result<()> {
        Ok(())
    }
}

impl DecodeField for Forged {
    type View<'a> = &'a str;
    fn verify<'v, 'o, 'b>(
        tv: TableVerifier<'v, 'o, 'b>,
        _: &'static str,
        _: u16,
        _: bool,
    ) -> Result<TableVerifier<'v, 'o, 'b>, InvalidFlatbuffer> {
        Ok(tv)
    }
    fn fast_verify(_: &mut FastVerifier<'_>, _: usize) -> Fast {
        Ok(())
    }
    unsafe fn read<'a, M>(t: TableRef<'a, M>, slot: u16) -> Option<&'a str> {
        unsafe { <String as DecodeField>::read(t, slot) }
    }
    fn absent<'a>() -> &'a str {
        ""
    }
    fn to_owned(_: &str) -> flatstream::Result<Self> {
        Ok(Forged)
    }
}

fn main() {}
