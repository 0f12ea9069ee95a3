//! The file format: the field tables, the model builder that reads spanned TOML into the model, and the
//! JSON Schema generated from the same tables.

pub mod build;
mod events;
pub mod fields;
pub mod json_schema;
pub(crate) mod reader;
mod tables;
