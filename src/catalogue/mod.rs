//! The built-in rule catalogue: `policies/*.toml`, embedded in the binary. `rules`, `explain` and the
//! severity stage read it; a test checks that it and the code's registry name the same rules.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::diag::Severity;

/// The catalogue files, one per rule family.
const FILES: &[(&str, &str)] = &[
    ("policies/input.toml", include_str!("../../policies/input.toml")),
    ("policies/addresses.toml", include_str!("../../policies/addresses.toml")),
    ("policies/identity.toml", include_str!("../../policies/identity.toml")),
    ("policies/email-address-policies.toml", include_str!("../../policies/email-address-policies.toml")),
    ("policies/hybrid-routing.toml", include_str!("../../policies/hybrid-routing.toml")),
    ("policies/licensing.toml", include_str!("../../policies/licensing.toml")),
    ("policies/sync-scope.toml", include_str!("../../policies/sync-scope.toml")),
    ("policies/migration.toml", include_str!("../../policies/migration.toml")),
];

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    #[serde(deserialize_with = "severity")]
    pub severity: Severity,
    pub category: String,
    pub summary: String,
    pub explanation: String,
    #[serde(default)]
    pub example: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    rule: Vec<Entry>,
}

fn severity<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Severity, D::Error> {
    let text = String::deserialize(deserializer)?;
    Severity::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown severity `{text}`")))
}

/// Every built-in rule's entry, in catalogue order.
pub fn builtin() -> &'static [Entry] {
    static CATALOGUE: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        FILES
            .iter()
            .flat_map(|(path, text)| {
                // The files are part of the binary and parsed by a test; a failure here is a build defect.
                let file: CatalogueFile =
                    toml::from_str(text).unwrap_or_else(|e| panic!("{path} is not a valid catalogue: {}", e.message()));
                file.rule
            })
            .collect()
    })
}

pub fn find(name: &str) -> Option<&'static Entry> {
    builtin().iter().find(|e| e.name == name)
}
