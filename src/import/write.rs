//! Lays out an imported repository: `hybridlint.toml` (the tenant from the flags, or inferred from the
//! addresses, with comments saying what was inferred and from what) and recipients in files by kind, keys in
//! the file format's order, values escaped by the `toml` crate. Deterministic, and written atomically
//! (temporary file, then rename).

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

/// A comment as `# ` lines of at most about 110 columns, broken between words.
fn comment_lines(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split(' ') {
        if line.len() > 1 && line.len() + 1 + word.len() > 110 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn recipient_toml(row: &Row) -> String {
    let mut out = String::new();
    for comment in &row.comments {
        out.push_str(&comment_lines(comment));
    }
    out.push_str("[[recipient]]\n");
    for key in crate::schema::fields::recipient_keys() {
        if let Some(value) = row.values.get(key.name) {
            out.push_str(&format!("{} = {}\n", key.name, toml_value(value)));
        }
    }
    out
}

/// The tenant and what the generated `hybridlint.toml` says about where it came from.
struct Tenant {
    name: String,
    accepted_domains: Vec<String>,
    /// Comment lines above `name` and `accepted_domains`.
    name_comment: Vec<String>,
    domains_comment: Vec<String>,
}

/// The tenant name and accepted domains: from the flags, or inferred from the recipients' `*.onmicrosoft.com`
/// addresses, routing addresses and UPNs (the name) and their primary addresses (the domains). Never a
/// placeholder: an error says to pass `--tenant` when no address names the tenant.
fn tenant(rows: &[Row], flags: &TenantFlags) -> Result<Tenant, String> {
    // tenant name -> (addresses, routing addresses, UPNs) naming it.
    let mut names = BTreeMap::<String, [usize; 3]>::new();
    let mut domains = BTreeSet::new();
    let tenant_of = |domain: &str| -> Option<String> {
        let domain = domain.to_ascii_lowercase();
        let tenant =
            domain.strip_suffix(".mail.onmicrosoft.com").or_else(|| domain.strip_suffix(".onmicrosoft.com"))?;
        (!tenant.is_empty() && !tenant.contains('.')).then(|| tenant.to_string())
    };
    for row in rows {
        let kind = row.str("type").and_then(RecipientType::parse);
        let contact = kind == Some(RecipientType::MailContact);
        let external = row.str("external_email_address").map(str::to_ascii_lowercase);
        if let Some(ImportValue::List(addresses)) = row.values.get("proxy_addresses") {
            for address in addresses {
                let parsed = ProxyAddress::parse(address);
                let Some(domain) = parsed.domain().filter(|_| parsed.is_smtp()) else { continue };
                if let Some(tenant) = tenant_of(domain) {
                    if !contact {
                        names.entry(tenant).or_default()[0] += 1;
                    }
                } else if parsed.is_primary()
                    && !contact
                    && external.as_deref() != Some(parsed.address.to_ascii_lowercase().as_str())
                {
                    domains.insert(domain.to_ascii_lowercase());
                }
            }
        }
        if let Some(tenant) = row.str("remote_routing_address").and_then(domain_of).and_then(tenant_of) {
            names.entry(tenant).or_default()[1] += 1;
        }
        if let Some(tenant) = row.str("upn").and_then(domain_of).and_then(tenant_of) {
            names.entry(tenant).or_default()[2] += 1;
        }
    }
    let (name, name_comment) = match &flags.name {
        Some(name) => (name.clone(), vec!["`name` is the one given with --tenant.".to_string()]),
        None => {
            let Some((best, counts)) =
                names.iter().max_by_key(|(n, c)| (c.iter().sum::<usize>(), std::cmp::Reverse((*n).clone())))
            else {
                return Err("cannot infer the tenant name: no address, remote routing address or UPN of the imported \
                            recipients is in `<tenant>.onmicrosoft.com` or `<tenant>.mail.onmicrosoft.com`; pass \
                            --tenant NAME (NAME as in NAME.onmicrosoft.com)"
                    .into());
            };
            let what: Vec<String> = ["address", "remote routing address", "UPN"]
                .iter()
                .zip(counts)
                .filter(|(_, n)| **n > 0)
                .map(|(w, n)| {
                    format!(
                        "{n} {w}{}",
                        if *n == 1 {
                            ""
                        } else if w.ends_with("address") {
                            "es"
                        } else {
                            "s"
                        }
                    )
                })
                .collect();
            let mut comment = vec![format!(
                "`name` was inferred from {} in {best}.onmicrosoft.com or {best}.mail.onmicrosoft.com: check it, or pass \
                 --tenant.",
                match what.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                    _ => what.join(""),
                }
            )];
            let others: Vec<String> = names
                .iter()
                .filter(|(n, _)| *n != best)
                .map(|(n, c)| format!("{n} ({})", c.iter().sum::<usize>()))
                .collect();
            if !others.is_empty() {
                comment.push(format!("Other tenants named by fewer values: {}.", others.join(", ")));
            }
            (best.clone(), comment)
        }
    };
    let (accepted_domains, domains_comment) = if flags.accepted_domains.is_empty() {
        let comment = if domains.is_empty() {
            "No primary address was found in a domain of the organisation: add the accepted domains.".to_string()
        } else {
            "`accepted_domains` were inferred from the primary SMTP addresses of the imported recipients: check them, \
             and set `verified_domains` if some are not verified in Microsoft 365."
                .to_string()
        };
        (domains.into_iter().collect(), vec![comment])
    } else {
        (
            flags.accepted_domains.clone(),
            vec!["`accepted_domains` are the ones given with --accepted-domain.".to_string()],
        )
    };
    Ok(Tenant { name, accepted_domains, name_comment, domains_comment })
}

/// The repository's files as (relative path, contents), sorted by path.
pub fn layout(rows: &[Row], flags: &TenantFlags) -> Result<Vec<(String, String)>, String> {
    let tenant = tenant(rows, flags)?;
    let mut root = String::from("#:schema ./hybridlint.schema.json\n# Imported by `hybridlint import`.\n\n[tenant]\n");
    for line in &tenant.name_comment {
        root.push_str(&comment_lines(line));
    }
    root.push_str(&format!("name = {}\n", toml::Value::String(tenant.name)));
    for line in &tenant.domains_comment {
        root.push_str(&comment_lines(line));
    }
    let domains: Vec<String> =
        tenant.accepted_domains.into_iter().map(|d| toml::Value::String(d).to_string()).collect();
    root.push_str(&format!("accepted_domains = [{}]\n", domains.join(", ")));
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    files.insert("hybridlint.toml".into(), root);
    files.insert("hybridlint.schema.json".into(), crate::schema::json_schema::generate());
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_cached_key(|row| row.str("name").unwrap_or("").to_lowercase());
    for row in sorted {
        let file = files
            .entry(file_for(row).to_string())
            .or_insert_with(|| "#:schema ../hybridlint.schema.json\n".to_string());
        file.push('\n');
        file.push_str(&recipient_toml(row));
    }
    Ok(files.into_iter().collect())
}

/// Writes the files into `out`; refuses a non-empty directory unless `force`.
pub fn write(out: &Path, files: &[(String, String)], force: bool) -> Result<Vec<PathBuf>, String> {
    if !force && crate::util::write::occupied(out) {
        // A directory that cannot be listed is not taken for an empty one.
        let mut entries = std::fs::read_dir(out)
            .map_err(|e| format!("cannot list `{}` to see that it is empty: {e}", out.display()))?;
        if entries.next().is_some() {
            return Err(format!("`{}` is not empty; pass --force to write into it", out.display()));
        }
    }
    crate::util::write::write_tree(out, files)
}
