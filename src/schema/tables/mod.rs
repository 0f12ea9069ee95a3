//! One reader per table, each extending the generic [`super::reader::Reader`].

mod migration;
mod policy;
mod recipient;
mod rule;
mod settings;
