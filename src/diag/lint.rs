//! What the diagnostic layer knows of a rule: its declaration. The declarations themselves are in
//! [`crate::catalogue::registry`]; this layer only defines their shape, so that it needs nothing above it.

use super::Severity;

/// A family of rules: one word that is the rule module's name (`rules/sync_scope.rs`), the catalogue
/// file's name (`policies/sync-scope.toml`) and the category shown by `rules` and in SARIF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Input,
    Addresses,
    Identity,
    EmailAddressPolicies,
    HybridRouting,
    Licensing,
    SyncScope,
    Migration,
    Attributes,
}

impl Family {
    pub const ALL: &'static [Family] = &[
        Family::Input,
        Family::Addresses,
        Family::Identity,
        Family::EmailAddressPolicies,
        Family::HybridRouting,
        Family::Licensing,
        Family::SyncScope,
        Family::Migration,
        Family::Attributes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Input => "input",
            Family::Addresses => "addresses",
            Family::Identity => "identity",
            Family::EmailAddressPolicies => "email-address-policies",
            Family::HybridRouting => "hybrid-routing",
            Family::Licensing => "licensing",
            Family::SyncScope => "sync-scope",
            Family::Migration => "migration",
            Family::Attributes => "attributes",
        }
    }
}

/// A built-in rule's declaration: stable name, family, default severity and one-line summary.
#[derive(Debug, PartialEq, Eq)]
pub struct Lint {
    pub name: &'static str,
    pub family: Family,
    pub severity: Severity,
    pub summary: &'static str,
}
