//! LDIF as `ldifde -f out.ldf` (CRLF, `changetype: add`, long lines unfolded) and OpenLDAP `ldapsearch` (LF,
//! comments, lines folded at 76 columns, `ref:` continuation references and a `search:`/`result:` trailer)
//! write it: records separated by blank lines, `attr: value`, base64 `attr:: value`, continuation lines
//! starting with a space, repeated attributes for multiple values. A record that cannot be read (a bad base64
//! value, a line without a colon) is skipped with its line; the others are still imported.

use base64::Engine;

use super::{AddressForm, ImportValue, Imported, Row, SkipKind, Skipped};

/// The policy GUID in msExchPoliciesExcluded that turns email address policies off for an object.
const EAP_EXCLUDED: &str = "{26491cfc-9e50-4857-861b-0cb8df22b5d7}";

/// One record: (attribute, value) in order, with the line it started on, or why it cannot be read.
struct Record {
    line: usize,
    attributes: Vec<(String, Vec<u8>)>,
    error: Option<String>,
}

fn records(text: &str) -> Vec<Record> {
    // Unfold continuation lines first, keeping the line of each logical line.
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(rest) = line.strip_prefix(' ')
            && let Some((_, last)) = logical.last_mut()
            && !last.is_empty()
        {
            last.push_str(rest);
            continue;
        }
        logical.push((i + 1, line.to_string()));
    }
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    for (number, line) in logical {
        if line.is_empty() {
            records.extend(current.take());
            continue;
        }
        if line.starts_with('#') || (current.is_none() && line.to_ascii_lowercase().starts_with("version:")) {
            continue;
        }
        let record = current.get_or_insert_with(|| Record { line: number, attributes: Vec::new(), error: None });
        if record.error.is_some() {
            continue;
        }
        let Some((attribute, rest)) = line.split_once(':') else {
            record.error = Some(format!("line {number}: `{line}` is not `attribute: value`"));
            continue;
        };
        let value = if let Some(encoded) = rest.strip_prefix(':') {
            match base64::engine::general_purpose::STANDARD.decode(encoded.trim()) {
                Ok(value) => value,
                Err(e) => {
                    record.error = Some(format!("line {number}: the value of `{attribute}` is not valid base64 ({e})"));
                    continue;
                }
            }
        } else {
            rest.strip_prefix(' ').unwrap_or(rest).as_bytes().to_vec()
        };
        record.attributes.push((attribute.to_string(), value));
    }
    records.extend(current);
    records
}

/// What a record is, from its first attribute.
enum Shape {
    /// `dn:` and, if any, `changetype: add`.
    Object,
    /// `changetype: delete` / `modify` / `modrdn`: a change to apply, not an object.
    Change(String),
    /// `ref:` (a continuation reference) or the `search:`/`result:` trailer of ldapsearch: not an object.
    NotAnEntry,
}

fn shape(record: &Record) -> Shape {
    match record.attributes.first() {
        Some((attribute, _)) if attribute.eq_ignore_ascii_case("dn") => {}
        _ => return Shape::NotAnEntry,
    }
    match record.attributes.iter().find(|(a, _)| a.eq_ignore_ascii_case("changetype")) {
        Some((_, value)) if !value.eq_ignore_ascii_case(b"add") => {
            Shape::Change(String::from_utf8_lossy(value).trim().to_string())
        }
        _ => Shape::Object,
    }
}

fn convert(record: &Record) -> Result<Row, Skipped> {
    let mut row = Row { line: record.line, ..Row::default() };
    let invalid = |reason: String| Skipped::invalid(record.line, reason);
    let text = |value: &[u8]| String::from_utf8_lossy(value).trim().to_string();
    let mut object_classes = Vec::new();
    let mut target_address = None;
    let mut proxies = Vec::new();
    for (attribute, value) in &record.attributes {
        let value_text = text(value);
        let attribute = attribute.to_ascii_lowercase();
        let key = match attribute.as_str() {
            "dn" | "distinguishedname" => "distinguished_name",
            "name" => "name",
            "cn" if !row.values.contains_key("name") => "name",
            "proxyaddresses" => {
                proxies.push(value_text);
                continue;
            }
            "targetaddress" => {
                target_address = Some(value_text);
                continue;
            }
            "objectclass" => {
                object_classes.push(value_text.to_ascii_lowercase());
                continue;
            }
            "msexchrecipienttypedetails" => {
                if value_text.parse::<u64>().is_err() {
                    return Err(invalid(format!("msExchRecipientTypeDetails `{value_text}` is not a number")));
                }
                "type"
            }
            "objectguid" | "msexchmailboxguid" | "msexcharchiveguid" => {
                let bytes: [u8; 16] = value
                    .as_slice()
                    .try_into()
                    .map_err(|_| invalid(format!("{attribute} is not 16 bytes (a GUID)")))?;
                let guid = uuid::Uuid::from_bytes_le(bytes);
                if !guid.is_nil() {
                    let key = match attribute.as_str() {
                        "objectguid" => "object_guid",
                        "msexchmailboxguid" => "exchange_guid",
                        _ => "archive_guid",
                    };
                    row.values.insert(key, ImportValue::Str(guid.to_string()));
                }
                continue;
            }
            "msexchpoliciesexcluded" => {
                if value_text.eq_ignore_ascii_case(EAP_EXCLUDED) {
                    row.values.insert("email_address_policy_enabled", ImportValue::Bool(false));
                }
                continue;
            }
            "msexchlitigationholddate" => {
                row.values.insert("litigation_hold", ImportValue::Bool(true));
                continue;
            }
            // Plain string attributes (userPrincipalName, mailNickname, givenName, extensionAttribute1, ...)
            // are mapped by the field table.
            other => match crate::schema::fields::recipient::field_for_ldap(other) {
                Some(field) => field.key.name,
                None => continue,
            },
        };
        if !value_text.is_empty() {
            row.values.insert(key, ImportValue::Str(value_text));
        }
    }
    if row.str("name").is_none() {
        return Err(invalid("it has no name or cn".into()));
    }
    if !proxies.is_empty() {
        row.values.insert("proxy_addresses", ImportValue::List(proxies));
        row.addresses = AddressForm::Exact;
    }
    if !row.values.contains_key("type") {
        // A contact made before Exchange 2007 has no msExchRecipientTypeDetails: it is a mail contact when it
        // has an external address (targetAddress), and not a recipient without one.
        if object_classes.iter().any(|c| c == "contact") {
            if target_address.is_none() {
                return Err(Skipped {
                    line: record.line,
                    kind: SkipKind::NotRecipient,
                    reason: format!("`{}`: it is a contact with no targetAddress, not a mail contact", name_of(&row)),
                });
            }
            row.values.insert("type", ImportValue::Str("MailContact".into()));
        } else {
            return Err(Skipped {
                line: record.line,
                kind: SkipKind::NotRecipient,
                reason: format!("`{}`: it has no msExchRecipientTypeDetails: not an Exchange recipient", name_of(&row)),
            });
        }
    }
    if let Some(target) = target_address {
        // Resolved by type after merging: the routing address of a remote mailbox, else the external address.
        row.values.insert("external_email_address", ImportValue::Str(target));
    }
    Ok(row)
}

fn name_of(row: &Row) -> &str {
    row.str("name").unwrap_or_default()
}

pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    read_text(&super::decode(bytes)?)
}

pub fn read_text(text: &str) -> Result<Imported, String> {
    let mut imported = Imported::default();
    for record in records(text) {
        if let Some(error) = &record.error {
            imported.skipped.push(Skipped::invalid(record.line, error.clone()));
            continue;
        }
        match shape(&record) {
            Shape::NotAnEntry => {}
            Shape::Change(kind) => imported.skipped.push(Skipped {
                line: record.line,
                kind: SkipKind::ChangeRecord,
                reason: format!("`changetype: {kind}` is a change to apply, not an object"),
            }),
            Shape::Object => match convert(&record) {
                Ok(row) => imported.rows.push(row),
                Err(skipped) => imported.skipped.push(skipped),
            },
        }
    }
    Ok(imported)
}
