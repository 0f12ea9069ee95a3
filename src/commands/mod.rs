//! Commands that show what hybridlint computes rather than findings.

pub mod addresses;
