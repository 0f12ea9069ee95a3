//! `hybridlint init [DIR]`: a starter repository that passes `check`, with the JSON Schema for editors.

use std::path::{Path, PathBuf};

/// The files of a starter repository for a tenant and its main domain, as (relative path, contents).
pub fn starter_files(tenant: &str, domain: &str) -> Vec<(&'static str, String)> {
    let hybridlint = format!(
        r#"#:schema ./hybridlint.schema.json
# The root of a hybridlint repository: `hybridlint check` looks for this file from the current
# directory upwards. Every *.toml file below it is linted.

[tenant]
# The tenant name: {tenant}.onmicrosoft.com is the initial (MOERA) domain and
# {tenant}.mail.onmicrosoft.com the hybrid routing domain.
name = "{tenant}"
# The verified, accepted domains.
accepted_domains = ["{domain}"]

[lint]
# Pin the evaluation date of date rules (license grace periods) for reproducible reports:
# today = 2026-11-22
# Files not to lint:
# exclude = ["archive/**"]

# Severity overrides: rule = "off" | "info" | "warning" | "error"
# [lint.rules]
# alias-not-unique = "error"
"#
    );
    let policies = format!(
        r#"#:schema ../hybridlint.schema.json
# Email address policies, as Get-EmailAddressPolicy shows them.

[[email_address_policy]]
name = "Default Policy"
default = true
# The Hybrid Configuration Wizard adds the routing-domain template to every policy whose primary template
# is in a domain selected in the wizard; moves to Exchange Online need it.
templates = ["SMTP:%g.%s@{domain}", "smtp:%m@{tenant}.mail.onmicrosoft.com"]
"#
    );
    let recipients = format!(
        r#"#:schema ../hybridlint.schema.json
# Recipients, as Get-Recipient shows them. The Default Policy stamps this mailbox's addresses:
# `hybridlint addresses jdoe` shows which.

[[recipient]]
name = "jdoe"
type = "UserMailbox"
upn = "jane.doe@{domain}"
alias = "jdoe"
display_name = "Jane Doe"
given_name = "Jane"
surname = "Doe"
"#
    );
    vec![
        ("hybridlint.toml", hybridlint),
        ("policies/email-address-policies.toml", policies),
        ("recipients/example.toml", recipients),
        ("hybridlint.schema.json", crate::schema::json_schema::generate()),
    ]
}

/// Writes the starter repository into `dir`; refuses (and writes nothing) when any of its files exists.
pub fn init(dir: &Path, tenant: &str, domain: &str) -> Result<Vec<PathBuf>, String> {
    let files = starter_files(tenant, domain);
    // A dangling symbolic link is something there too: never written through.
    let existing: Vec<String> = files
        .iter()
        .map(|(path, _)| dir.join(path))
        .filter(|p| crate::util::write::occupied(p))
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(format!("not overwriting existing files: {}", existing.join(", ")));
    }
    let files: Vec<(String, String)> = files.into_iter().map(|(path, text)| (path.to_string(), text)).collect();
    crate::util::write::write_tree(dir, &files)
}
