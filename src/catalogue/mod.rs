//! The built-in rule catalogue: the registry of declarations ([`registry`]) and each rule's long
//! explanation, example and sources from `policies/<family>.toml`, embedded in the binary. `rules`,
//! `explain` and SARIF read it; a test checks that the registry and the explanation files agree.

pub mod registry;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::diag::Severity;
use crate::diag::lint::Family;
pub use registry::Rule;

/// The explanation files, one per family, named after it.
const FILES: &[(Family, &str)] = &[
    (Family::Input, include_str!("../../policies/input.toml")),
    (Family::Addresses, include_str!("../../policies/addresses.toml")),
    (Family::Identity, include_str!("../../policies/identity.toml")),
    (Family::EmailAddressPolicies, include_str!("../../policies/email-address-policies.toml")),
    (Family::HybridRouting, include_str!("../../policies/hybrid-routing.toml")),
    (Family::Licensing, include_str!("../../policies/licensing.toml")),
    (Family::SyncScope, include_str!("../../policies/sync-scope.toml")),
    (Family::Migration, include_str!("../../policies/migration.toml")),
    (Family::Attributes, include_str!("../../policies/attributes.toml")),
];

/// One rule's entry in `policies/<family>.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    pub name: String,
    pub explanation: String,
    #[serde(default)]
    pub example: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplanationFile {
    rule: Vec<Explanation>,
}

/// A rule as `rules`, `explain` and SARIF show it: its declaration and its explanation together.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub name: String,
    pub severity: Severity,
    /// The family's name (`sync-scope`), or `organisation` for a repository's own rules.
    pub category: String,
    pub summary: String,
    pub explanation: String,
    pub example: Option<String>,
    pub sources: Vec<String>,
}

/// Every explanation file's entries, with the family whose file holds them.
pub fn explanations() -> Result<Vec<(Family, Explanation)>, String> {
    let mut all = Vec::new();
    for (family, text) in FILES {
        let file: ExplanationFile = toml::from_str(text)
            .map_err(|e| format!("policies/{}.toml is not a valid catalogue: {}", family.name(), e.message()))?;
        all.extend(file.rule.into_iter().map(|entry| (*family, entry)));
    }
    Ok(all)
}

/// Every built-in rule's entry, in registry order.
pub fn builtin() -> &'static [Entry] {
    static CATALOGUE: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The files are part of the binary and checked by a test; a failure here is a build defect.
        let explanations = explanations().unwrap_or_else(|e| panic!("{e}"));
        Rule::ALL
            .iter()
            .map(|rule| {
                let lint = rule.lint();
                let found = explanations.iter().find(|(_, e)| e.name == lint.name).map(|(_, e)| e.clone());
                let explanation = found.unwrap_or_else(|| panic!("`{}` has no entry in policies/", lint.name));
                Entry {
                    name: lint.name.to_string(),
                    severity: lint.severity,
                    category: lint.family.name().to_string(),
                    summary: lint.summary.to_string(),
                    explanation: explanation.explanation,
                    example: explanation.example,
                    sources: explanation.sources,
                }
            })
            .collect()
    })
}

pub fn find(name: &str) -> Option<&'static Entry> {
    builtin().iter().find(|e| e.name == name)
}
