//! Lays out an imported repository: `hybridlint.toml` (tenant from flags, or inferred from the addresses
//! with a comment saying so) and recipients in files by kind, keys in the file format's order, values
//! escaped by the `toml` crate. Deterministic, and written atomically (temporary file, then rename).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{ImportValue, Row};
use crate::model::RecipientType;
use crate::model::address::{ProxyAddress, domain_of};

/// Tenant settings given on the command line.
#[derive(Default)]
pub struct TenantFlags {
    pub name: Option<String>,
    pub accepted_domains: Vec<String>,
}

/// The file a recipient goes into.
fn file_for(row: &Row) -> &'static str {
    if row.str("source") == Some("cloud") {
        return "recipients/cloud.toml";
    }
    let kind = row.str("type").and_then(RecipientType::parse).unwrap_or(RecipientType::MailUser);
    match kind {
        k if k.is_remote_mailbox() => "recipients/remote-mailboxes.toml",
        k if k.is_mailbox() => "recipients/mailboxes.toml",
        RecipientType::MailUser => "recipients/mail-users.toml",
        RecipientType::MailContact => "recipients/contacts.toml",
        _ => "recipients/groups.toml",
    }
}

fn toml_value(value: &ImportValue) -> String {
    match value {
        ImportValue::Str(s) => toml::Value::String(s.clone()).to_string(),
        ImportValue::Bool(b) => b.to_string(),
        ImportValue::Date(d) => d.to_string(),
        ImportValue::List(items) if items.len() <= 1 => {
            format!(
                "[{}]",
                items.iter().map(|i| toml::Value::String(i.clone()).to_string()).collect::<Vec<_>>().join(", ")
            )
        }
        ImportValue::List(items) => {
            let lines: Vec<String> =
                items.iter().map(|i| format!("    {},\n", toml::Value::String(i.clone()))).collect();
            format!("[\n{}]", lines.concat())
        }
    }
}

fn recipient_toml(row: &Row) -> String {
    let mut out = String::from("[[recipient]]\n");
    for key in crate::schema::fields::recipient_keys() {
        if let Some(value) = row.values.get(key.name) {
            out.push_str(&format!("{} = {}\n", key.name, toml_value(value)));
        }
    }
    out
}

/// The tenant name and accepted domains: from the flags, or inferred from the addresses.
fn tenant(rows: &[Row], flags: &TenantFlags) -> (String, Vec<String>, bool) {
    let mut names = BTreeMap::<String, usize>::new();
    let mut domains = BTreeSet::new();
    for row in rows {
        if let Some(ImportValue::List(addresses)) = row.values.get("proxy_addresses") {
            for address in addresses {
                let parsed = ProxyAddress::parse(address);
                let Some(domain) = parsed.domain().filter(|_| parsed.is_smtp()).map(str::to_ascii_lowercase) else {
                    continue;
                };
                if let Some(tenant) =
                    domain.strip_suffix(".mail.onmicrosoft.com").or_else(|| domain.strip_suffix(".onmicrosoft.com"))
                {
                    *names.entry(tenant.to_string()).or_default() += 1;
                } else if parsed.is_primary() && !row.values.contains_key("external_email_address") {
                    domains.insert(domain);
                }
            }
        }
        if let Some(upn) =
            row.str("upn").and_then(domain_of).filter(|d| !d.to_ascii_lowercase().ends_with(".onmicrosoft.com"))
        {
            domains.insert(upn.to_ascii_lowercase());
        }
    }
    let inferred = flags.name.is_none() || flags.accepted_domains.is_empty();
    let name = flags.name.clone().unwrap_or_else(|| {
        names
            .iter()
            .max_by_key(|(n, count)| (**count, std::cmp::Reverse((*n).clone())))
            .map_or_else(|| "contoso".to_string(), |(n, _)| n.clone())
    });
    let accepted =
        if flags.accepted_domains.is_empty() { domains.into_iter().collect() } else { flags.accepted_domains.clone() };
    (name, accepted, inferred)
}

/// The repository's files as (relative path, contents), sorted by path.
pub fn layout(rows: &[Row], flags: &TenantFlags) -> Vec<(String, String)> {
    let (name, accepted, inferred) = tenant(rows, flags);
    let mut root = String::from("#:schema ./hybridlint.schema.json\n# Imported by `hybridlint import`.\n\n[tenant]\n");
    if inferred {
        root.push_str("# Inferred from the imported addresses: check the tenant name and the accepted domains.\n");
    }
    root.push_str(&format!("name = {}\n", toml::Value::String(name)));
    let domains: Vec<String> = accepted.into_iter().map(|d| toml::Value::String(d).to_string()).collect();
    root.push_str(&format!("accepted_domains = [{}]\n", domains.join(", ")));
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    files.insert("hybridlint.toml".into(), root);
    files.insert("hybridlint.schema.json".into(), crate::schema::json_schema::generate());
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_key(|row| row.str("name").unwrap_or("").to_lowercase());
    for row in sorted {
        let file = files
            .entry(file_for(row).to_string())
            .or_insert_with(|| "#:schema ../hybridlint.schema.json\n".to_string());
        file.push('\n');
        file.push_str(&recipient_toml(row));
    }
    files.into_iter().collect()
}

/// Writes the files into `out`; refuses a non-empty directory unless `force`.
pub fn write(out: &Path, files: &[(String, String)], force: bool) -> Result<Vec<PathBuf>, String> {
    if !force
        && let Ok(mut entries) = std::fs::read_dir(out)
        && entries.next().is_some()
    {
        return Err(format!("`{}` is not empty; pass --force to write into it", out.display()));
    }
    let mut written = Vec::new();
    for (path, contents) in files {
        let target = out.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        let temporary = target.with_extension("tmp-import");
        std::fs::write(&temporary, contents).map_err(|e| format!("cannot write `{}`: {e}", temporary.display()))?;
        std::fs::rename(&temporary, &target).map_err(|e| format!("cannot write `{}`: {e}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}
