//! `hybridlint import`: a real directory's export (Get-Recipient CSV or JSON, ldifde LDIF) into a
//! hybridlint repository. Each reader turns its rows into [`Row`]s of hybridlint keys; [`write`] lays out
//! the repository. A row that cannot be converted is reported with its line and skipped, never dropped
//! silently.

pub mod csv;
pub mod json;
pub mod ldif;
pub mod write;

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::model::RecipientType;

/// A value of a hybridlint key.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportValue {
    Str(String),
    List(Vec<String>),
    Bool(bool),
    Date(Date),
}

/// One recipient read from an export, keyed by hybridlint key names.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// Where it was in the input (1-based line of the row or record).
    pub line: usize,
    pub values: BTreeMap<&'static str, ImportValue>,
}

impl Row {
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.values.get(key) {
            Some(ImportValue::Str(s)) => Some(s),
            _ => None,
        }
    }
}

/// A row that could not be converted.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

/// What a reader produced.
#[derive(Debug, Default)]
pub struct Imported {
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
    /// Input columns or attributes that map to no key (reported once).
    pub ignored: Vec<String>,
}

/// Columns that fill no recipient key of their own but that the importer reads: the primary address
/// (checked against EmailAddresses) and whether the object is synced. Every other column is mapped by
/// the field table's Exchange property names.
pub const EXTRA_PROPERTIES: &[(&str, &str)] =
    &[("PrimarySmtpAddress", "primary_smtp_address"), ("IsDirSynced", "is_dir_synced")];

/// The hybridlint key an Exchange property fills, if any.
pub fn key_for(property: &str) -> Option<&'static str> {
    if let Some(field) = crate::schema::fields::recipient::field_for_exchange(property) {
        return Some(field.key.name);
    }
    EXTRA_PROPERTIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(property)).map(|(_, k)| *k)
}

/// Splits EmailAddresses as `-join` leaves them: on `;`, or on whitespace between `TYPE:` values (X500
/// addresses contain spaces, so a piece without a prefix continues the previous address).
pub fn split_addresses(text: &str) -> Vec<String> {
    if text.contains(';') {
        return text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    }
    let mut addresses: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        let starts_address = crate::model::address::ProxyAddress::parse(token).prefix.is_some();
        match addresses.last_mut() {
            Some(last) if !starts_address => {
                last.push(' ');
                last.push_str(token);
            }
            _ => addresses.push(token.to_string()),
        }
    }
    addresses
}

/// `True`/`False` as PowerShell writes them.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A date as exports write it: ISO (`2026-11-22...`), US (`11/22/2026 10:00:00 AM`) or `/Date(ms)/`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Some(ms) = text.strip_prefix("/Date(").and_then(|t| t.strip_suffix(")/")) {
        let ms: i64 = ms.split(['+', '-']).next().filter(|s| !s.is_empty()).unwrap_or(ms).parse().ok()?;
        let timestamp = jiff::Timestamp::from_millisecond(ms).ok()?;
        return Some(timestamp.to_zoned(jiff::tz::TimeZone::UTC).date());
    }
    if let Some(Ok(date)) = text.get(..10).map(str::parse::<Date>) {
        return Some(date);
    }
    let day = text.split_whitespace().next()?;
    let mut parts = day.split('/');
    let (month, dom, year) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    Date::new(year, month, dom).ok()
}

/// Builds a row's values from (property, text) pairs, the way every reader needs it.
pub fn convert(line: usize, properties: impl IntoIterator<Item = (String, String)>) -> Result<Row, String> {
    let mut row = Row { line, ..Row::default() };
    for (property, text) in properties {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let Some(key) = key_for(&property) else { continue };
        let value = match key {
            "proxy_addresses" => ImportValue::List(split_addresses(text)),
            "email_address_policy_enabled" | "litigation_hold" | "licensed" | "is_dir_synced" => {
                ImportValue::Bool(parse_bool(text).ok_or_else(|| format!("{property} `{text}` is not True or False"))?)
            }
            "provisioned" => {
                ImportValue::Date(parse_date(text).ok_or_else(|| format!("{property} `{text}` is not a date"))?)
            }
            _ => ImportValue::Str(text.to_string()),
        };
        row.values.insert(key, value);
    }
    finish(row)
}

/// Checks a row and settles what depends on several columns.
pub fn finish(mut row: Row) -> Result<Row, String> {
    let Some(name) = row.str("name").map(String::from) else { return Err("it has no Name".into()) };
    let Some(kind) = row.str("type").map(String::from) else {
        return Err(format!("`{name}` has no RecipientTypeDetails"));
    };
    let kind = match kind.as_str() {
        "MailNonUniversalGroup" => "MailUniversalDistributionGroup".to_string(),
        _ => kind,
    };
    let Some(parsed) = RecipientType::parse(&kind) else {
        return Err(format!("`{name}` has the recipient type `{kind}`, which hybridlint does not model"));
    };
    row.values.insert("type", ImportValue::Str(kind.clone()));
    // A cloud-only object (IsDirSynced = False in an Exchange Online export).
    if let Some(ImportValue::Bool(false)) = row.values.remove("is_dir_synced") {
        row.values.insert("source", ImportValue::Str("cloud".into()));
    }
    // PrimarySmtpAddress is already in EmailAddresses; use it only when they are missing.
    if let Some(ImportValue::Str(primary)) = row.values.remove("primary_smtp_address")
        && !row.values.contains_key("proxy_addresses")
    {
        row.values.insert("proxy_addresses", ImportValue::List(vec![format!("SMTP:{primary}")]));
    }
    // Exports show targetAddress and ExternalEmailAddress as proxy addresses (`SMTP:...`); the repository
    // keeps the bare address, which is what the cmdlets set (`-RemoteRoutingAddress user@...`).
    for key in ["remote_routing_address", "external_email_address"] {
        if let Some(ImportValue::Str(value)) = row.values.get_mut(key) {
            let bare = crate::model::address::ProxyAddress::parse(value).address.to_string();
            *value = bare;
        }
    }
    // Keys that do not apply to the type are dropped, so that the repository is valid.
    let source =
        if row.str("source") == Some("cloud") { crate::model::Source::Cloud } else { crate::model::Source::OnPremises };
    row.values
        .retain(|key, _| crate::schema::fields::recipient_key(key).is_some_and(|k| k.applies.matches(parsed, source)));
    Ok(row)
}

/// Decodes an export file: UTF-8 (with or without BOM) or UTF-16 LE/BE with BOM, as Windows PowerShell
/// 5.1 writes it.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16(&units).map_err(|_| "the file is not valid UTF-16".to_string());
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16(&units).map_err(|_| "the file is not valid UTF-16".to_string());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec())
        .map_err(|e| format!("the file is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_split_as_joined() {
        assert_eq!(
            split_addresses("SMTP:a@contoso.com;smtp:b@contoso.com"),
            ["SMTP:a@contoso.com", "smtp:b@contoso.com"]
        );
        assert_eq!(
            split_addresses(
                "SMTP:a@contoso.com X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=a smtp:b@c.com"
            ),
            [
                "SMTP:a@contoso.com",
                "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=a",
                "smtp:b@c.com"
            ]
        );
    }

    #[test]
    fn dates_as_exports_write_them() {
        let date: Date = "2026-11-22".parse().unwrap();
        assert_eq!(parse_date("2026-11-22T10:00:00"), Some(date));
        assert_eq!(parse_date("11/22/2026 10:00:00 AM"), Some(date));
        assert_eq!(parse_date("/Date(1795348800000)/"), Some(date));
        assert_eq!(parse_date("yesterday"), None);
    }
}
