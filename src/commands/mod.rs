//! Commands that show what hybridlint computes rather than findings.

pub mod addresses;
pub mod batch;
pub mod init;
pub mod sync_preview;
pub mod test_rules;
