//! Parsing and checking, before any code is generated: attributes
//! (keywords declared once in `symbol.rs`), the borrowed model of the item
//! (`ast.rs`), the checks of every rule that spans several tokens
//! (`check.rs`), what the derive knows of field types (`types.rs`), and
//! the error collector (`ctxt.rs`).

pub mod ast;
pub mod attr;
pub mod check;
pub mod ctxt;
pub mod symbol;
pub mod types;
