//! LDIF as `ldifde -f out.ldf` writes it: records separated by blank lines, `attr: value`, base64
//! `attr:: value`, continuation lines starting with a space, repeated attributes for multiple values.

use base64::Engine;

use super::{ImportValue, Imported, Row, Skipped, finish};

/// msExchRecipientTypeDetails values and the types they stand for.
const TYPE_DETAILS: &[(u64, &str)] = &[
    (1, "UserMailbox"),
    (2, "LinkedMailbox"),
    (4, "SharedMailbox"),
    (16, "RoomMailbox"),
    (32, "EquipmentMailbox"),
    (64, "MailContact"),
    (128, "MailUser"),
    (256, "MailUniversalDistributionGroup"),
    (512, "MailNonUniversalGroup"),
    (1024, "MailUniversalSecurityGroup"),
    (8192, "DynamicDistributionGroup"),
    (268435456, "RoomList"),
    (2147483648, "RemoteUserMailbox"),
    (8589934592, "RemoteRoomMailbox"),
    (17179869184, "RemoteEquipmentMailbox"),
    (34359738368, "RemoteSharedMailbox"),
];

/// The policy GUID in msExchPoliciesExcluded that turns email address policies off for an object.
const EAP_EXCLUDED: &str = "{26491cfc-9e50-4857-861b-0cb8df22b5d7}";

/// One record: (attribute, value) in order, with the line it started on.
struct Record {
    line: usize,
    attributes: Vec<(String, Vec<u8>)>,
}

fn records(text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
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
    for (number, line) in logical {
        if line.is_empty() {
            records.extend(current.take());
            continue;
        }
        if line.starts_with('#') || line.starts_with("version:") {
            continue;
        }
        let Some((attribute, rest)) = line.split_once(':') else {
            return Err(format!("line {number}: `{line}` is not `attribute: value`"));
        };
        let value = if let Some(encoded) = rest.strip_prefix(':') {
            base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|e| format!("line {number}: the base64 value of `{attribute}` is invalid: {e}"))?
        } else {
            rest.strip_prefix(' ').unwrap_or(rest).as_bytes().to_vec()
        };
        current
            .get_or_insert_with(|| Record { line: number, attributes: Vec::new() })
            .attributes
            .push((attribute.to_string(), value));
    }
    records.extend(current);
    Ok(records)
}

fn convert(record: &Record) -> Result<Row, String> {
    let mut row = Row { line: record.line, ..Row::default() };
    let text = |value: &[u8]| String::from_utf8_lossy(value).trim().to_string();
    let mut type_details = None;
    let mut object_classes = Vec::new();
    let mut target_address = None;
    let mut proxies = Vec::new();
    for (attribute, value) in &record.attributes {
        let value_text = text(value);
        let attribute = attribute.to_ascii_lowercase();
        let key = match attribute.as_str() {
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
                type_details = Some(
                    value_text
                        .parse::<u64>()
                        .map_err(|_| format!("msExchRecipientTypeDetails `{value_text}` is not a number"))?,
                );
                continue;
            }
            "msexchmailboxguid" | "msexcharchiveguid" => {
                let bytes: [u8; 16] =
                    value.as_slice().try_into().map_err(|_| format!("{attribute} is not 16 bytes"))?;
                let guid = uuid::Uuid::from_bytes_le(bytes).to_string();
                let key = if attribute == "msexchmailboxguid" { "exchange_guid" } else { "archive_guid" };
                row.values.insert(key, ImportValue::Str(guid));
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
    let kind = match type_details {
        Some(details) => TYPE_DETAILS.iter().find(|(v, _)| *v == details).map(|(_, k)| *k).ok_or_else(|| {
            format!("msExchRecipientTypeDetails {details} is a recipient type hybridlint does not model")
        })?,
        None if object_classes.iter().any(|c| c == "contact") => "MailContact",
        None => return Err("it has no msExchRecipientTypeDetails".into()),
    };
    row.values.insert("type", ImportValue::Str(kind.to_string()));
    if !proxies.is_empty() {
        row.values.insert("proxy_addresses", ImportValue::List(proxies));
    }
    if let Some(target) = target_address {
        let key = if kind.starts_with("Remote") { "remote_routing_address" } else { "external_email_address" };
        row.values.insert(key, ImportValue::Str(target));
    }
    finish(row)
}

pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    let text = super::decode(bytes)?;
    let mut imported = Imported::default();
    for record in records(&text)? {
        match convert(&record) {
            Ok(row) => imported.rows.push(row),
            Err(reason) => imported.skipped.push(Skipped { line: record.line, reason }),
        }
    }
    Ok(imported)
}
