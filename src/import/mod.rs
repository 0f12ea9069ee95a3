//! `hybridlint import`: real exports (Get-Recipient, Get-RemoteMailbox, Get-User and Exchange Online
//! `Get-Recipient` / `Get-EXOMailbox` as CSV, JSON or CLIXML, and `ldifde` / `ldapsearch` LDIF) into a
//! hybridlint repository.
//!
//! Each reader (`csv`, `json`, `clixml`, `ldif`) turns the objects of one file into [`Row`]s keyed by
//! hybridlint keys (Exchange properties and Active Directory attributes are mapped by the `[[recipient]]`
//! field table) plus the identity facts that are not keys ([`EXTRA_PROPERTIES`]: DistinguishedName, Guid,
//! IsDirSynced, ...). [`merge`] then combines the exports of one side by identity, matches the synced
//! objects of an Exchange Online export with their on-premises objects, settles types, sources, addresses
//! and names, and [`write`] lays out the repository. Nothing is invented: an object that cannot be
//! converted or matched is reported with its file and line, and a fact an export lacks is left absent and
//! named in the report.

pub mod clixml;
pub mod csv;
pub mod json;
pub mod ldif;
pub mod merge;
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

/// How a row's EmailAddresses were written, best first when exports of one object disagree.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddressForm {
    /// No EmailAddresses at all.
    #[default]
    Absent,
    /// A .NET type name (`System.Collections.ArrayList`): Export-Csv of a collection that was not expanded.
    Unexpanded(String),
    /// `-join ';'`: split before each `TYPE:` prefix; `true` when a `;` was kept inside an address.
    SemicolonJoined(bool),
    /// Joined with spaces (PowerShell's default array-to-string conversion).
    SpaceJoined,
    /// An array (JSON, CLIXML, LDIF), or one address per line (`-join "`n"`): exact.
    Exact,
}

/// One object read from an export (or, after [`merge`], one recipient), keyed by hybridlint key names and
/// the extra identity keys of [`EXTRA_PROPERTIES`].
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// Where it was in its input (1-based line of the row or record).
    pub line: usize,
    /// Which input file (index into the command line's files).
    pub file: usize,
    pub values: BTreeMap<&'static str, ImportValue>,
    pub addresses: AddressForm,
    /// Comments written above the recipient in the repository (why a name was changed, what is missing).
    pub comments: Vec<String>,
}

impl Row {
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.values.get(key) {
            Some(ImportValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.values.get(key) {
            Some(ImportValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn list(&self, key: &str) -> &[String] {
        match self.values.get(key) {
            Some(ImportValue::List(items)) => items,
            _ => &[],
        }
    }

    /// The `SMTP:` primary of the proxy addresses, else PrimarySmtpAddress (without its prefix).
    pub fn primary(&self) -> Option<String> {
        let from_list = self.list("proxy_addresses").iter().find_map(|a| a.strip_prefix("SMTP:")).map(String::from);
        from_list.or_else(|| self.str("primary_smtp_address").map(|p| strip_smtp(p).to_string()))
    }
}

/// Why an object was not imported, for the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// A system mailbox Exchange creates for itself (discovery, arbitration, health, System Attendant, ...).
    SystemMailbox,
    /// A directory object that is not a recipient (a user or group that is not mail-enabled).
    NotRecipient,
    /// A recipient type hybridlint does not model (public folders, ...).
    NotModelled,
    /// An LDIF change record (`changetype: delete`), not an object.
    ChangeRecord,
    /// A synced object of an Exchange Online export that matches no on-premises object.
    Unmatched,
    /// A row or record that could not be read.
    Invalid,
}

impl SkipKind {
    pub fn describe(self, count: usize) -> String {
        let (one, many) = match self {
            SkipKind::SystemMailbox => ("system mailbox", "system mailboxes"),
            SkipKind::NotRecipient => ("object that is not a recipient", "objects that are not recipients"),
            SkipKind::NotModelled => ("recipient type not modelled", "recipient types not modelled"),
            SkipKind::ChangeRecord => ("change record", "change records"),
            SkipKind::Unmatched => {
                ("synced cloud object with no on-premises match", "synced cloud objects with no on-premises match")
            }
            SkipKind::Invalid => ("unreadable row", "unreadable rows"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }
}

/// A row that was not imported.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub line: usize,
    pub kind: SkipKind,
    pub reason: String,
}

impl Skipped {
    pub fn invalid(line: usize, reason: impl Into<String>) -> Skipped {
        Skipped { line, kind: SkipKind::Invalid, reason: reason.into() }
    }
}

/// What a reader produced from one file.
#[derive(Debug, Default)]
pub struct Imported {
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
    /// Input columns or attributes that map to no key (reported once).
    pub ignored: Vec<String>,
    /// What the reader noticed about the file as a whole (lossy encoding, ...).
    pub notes: Vec<String>,
    /// The side the file says it comes from, when it says so.
    pub side: Option<Side>,
    /// Why the file is on that side, for the report.
    pub side_evidence: Option<String>,
}

impl Imported {
    /// Keeps a row the reader finished, or records why it was skipped: the first value that could not be
    /// set, or no Name.
    pub fn finish_row(&mut self, line: usize, row: Row, error: Option<String>) {
        match error {
            Some(reason) => self.skipped.push(Skipped::invalid(line, reason)),
            None if row.str("name").is_none() => self.skipped.push(Skipped::invalid(line, "it has no Name")),
            None => self.rows.push(row),
        }
    }
}

/// The two directories of a hybrid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    OnPremises,
    Cloud,
}

impl Side {
    pub fn describe(self) -> &'static str {
        match self {
            Side::OnPremises => "on-premises",
            Side::Cloud => "Exchange Online",
        }
    }
}

/// The input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Ldif,
    Clixml,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Json, Format::Ldif, Format::Clixml];

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::Ldif => "LDIF",
            Format::Clixml => "CLIXML",
        }
    }
}

/// The format of a decoded export, from its first significant characters.
pub fn detect_format(text: &str) -> Format {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return Format::Clixml;
    }
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        return Format::Json;
    }
    // LDIF: the first line that is not a comment is `version:` or `dn:`.
    for line in trimmed.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("dn:") || lower.starts_with("version:") {
            return Format::Ldif;
        }
        break;
    }
    Format::Csv
}

/// Decodes and reads one export, detecting its format unless `format` is given.
pub fn read(bytes: &[u8], format: Option<Format>) -> Result<(Format, Imported), String> {
    let text = decode(bytes)?;
    let format = format.unwrap_or_else(|| detect_format(&text));
    let mut imported = match format {
        Format::Csv => csv::read_text(&text, bytes)?,
        Format::Json => json::read_text(&text)?,
        Format::Ldif => ldif::read_text(&text)?,
        Format::Clixml => clixml::read_text(&text)?,
    };
    if format == Format::Ldif {
        imported.side = Some(Side::OnPremises);
        imported.side_evidence = Some("an LDIF export is of Active Directory".into());
    } else if imported.side.is_none() {
        (imported.side, imported.side_evidence) = side_of(&imported.rows);
    }
    Ok((format, imported))
}

/// The side a file's objects say they come from: Exchange Online's distinguished names are under
/// `Microsoft Exchange Hosted Organizations`; on-premises ones are in the organisation's own domain, and only
/// on-premises Exchange has remote mailboxes.
pub fn side_of(rows: &[Row]) -> (Option<Side>, Option<String>) {
    const HOSTED: &str = "microsoft exchange hosted organizations";
    let mut on_premises = None;
    for row in rows {
        for key in ["distinguished_name", "identity", "organizational_unit"] {
            if let Some(value) = row.str(key) {
                if value.to_ascii_lowercase().contains(HOSTED) {
                    let property = match key {
                        "distinguished_name" => "DistinguishedName",
                        "identity" => "Identity",
                        _ => "OrganizationalUnit",
                    };
                    return (Some(Side::Cloud), Some(format!("{property} `{value}` is in Exchange Online")));
                }
                if key == "distinguished_name" && on_premises.is_none() {
                    on_premises = Some(format!("DistinguishedName `{value}` is in Active Directory"));
                }
            }
        }
        if on_premises.is_none()
            && let Some(kind) = row.str("type").and_then(|t| classify(t).ok())
            && (kind.is_remote_mailbox() || kind == RecipientType::LinkedMailbox)
        {
            on_premises = Some(format!("`{}` is a {}, which exists only on-premises", name_of(row), kind.name()));
        }
    }
    match on_premises {
        Some(evidence) => (Some(Side::OnPremises), Some(evidence)),
        None => (None, None),
    }
}

fn name_of(row: &Row) -> &str {
    row.str("name").unwrap_or("?")
}

/// Columns that fill no recipient key of their own but that the importer reads: identities for merging
/// exports, the primary address, whether the object is synced. Every other column is mapped by the field
/// table's Exchange property names.
pub const EXTRA_PROPERTIES: &[(&str, &str)] = &[
    ("PrimarySmtpAddress", "primary_smtp_address"),
    ("IsDirSynced", "is_dir_synced"),
    ("DistinguishedName", "distinguished_name"),
    ("Guid", "object_guid"),
    ("Identity", "identity"),
    ("ExternalDirectoryObjectId", "external_directory_object_id"),
    ("ImmutableId", "immutable_id"),
    ("OrganizationalUnit", "organizational_unit"),
];

/// The hybridlint key (or extra key) an Exchange property fills, if any.
pub fn key_for(property: &str) -> Option<&'static str> {
    if let Some(field) = crate::schema::fields::recipient::field_for_exchange(property) {
        return Some(field.key.name);
    }
    EXTRA_PROPERTIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(property)).map(|(_, k)| *k)
}

/// A property value as a reader found it: text (every CSV cell), or a list (JSON and CLIXML arrays).
pub enum Prop {
    Text(String),
    List(Vec<String>),
}

/// Stores one property's value under its key, parsed for that key. An error is the reason to skip the row.
pub fn set_value(row: &mut Row, key: &'static str, property: &str, value: Prop) -> Result<(), String> {
    let text = match value {
        Prop::List(items) => {
            if key == "proxy_addresses" {
                let items: Vec<String> =
                    items.into_iter().map(|i| i.trim().to_string()).filter(|i| !i.is_empty()).collect();
                if !items.is_empty() {
                    row.values.insert(key, ImportValue::List(items));
                }
                row.addresses = AddressForm::Exact;
            }
            return Ok(());
        }
        Prop::Text(text) => text,
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    let value = match key {
        "proxy_addresses" => {
            let (addresses, form) = split_addresses(text);
            row.addresses = form;
            if addresses.is_empty() {
                return Ok(());
            }
            ImportValue::List(addresses)
        }
        "email_address_policy_enabled" | "litigation_hold" | "licensed" | "is_dir_synced" | "archive" => {
            ImportValue::Bool(parse_bool(text).ok_or_else(|| format!("{property} `{text}` is not True or False"))?)
        }
        "provisioned" => {
            ImportValue::Date(parse_date(text).ok_or_else(|| format!("{property} `{text}` is not a date"))?)
        }
        "exchange_guid" | "archive_guid" | "object_guid" => match normalise_guid(text) {
            Guid::Zero => return Ok(()),
            Guid::Valid(guid) => ImportValue::Str(guid),
            // Kept as written: `invalid-guid` reports it.
            Guid::Invalid => ImportValue::Str(text.to_string()),
        },
        "external_directory_object_id" => ImportValue::Str(text.to_ascii_lowercase()),
        _ => ImportValue::Str(text.to_string()),
    };
    row.values.insert(key, value);
    Ok(())
}

/// A GUID as exports write it (`{...}` or bare, any case).
pub enum Guid {
    Valid(String),
    /// `00000000-0000-0000-0000-000000000000`: what Exchange shows for "none".
    Zero,
    Invalid,
}

pub fn normalise_guid(text: &str) -> Guid {
    match uuid::Uuid::try_parse(text.trim().trim_start_matches('{').trim_end_matches('}')) {
        Ok(guid) if guid.is_nil() => Guid::Zero,
        Ok(guid) => Guid::Valid(guid.hyphenated().to_string()),
        Err(_) => Guid::Invalid,
    }
}

/// Whether a cell holds a .NET type name instead of values: Export-Csv writes a collection it cannot expand
/// as its type name (`System.Collections.ArrayList`, `Microsoft.Exchange.Data.ProxyAddressCollection`).
pub fn is_type_name(text: &str) -> bool {
    let text = text.trim();
    !text.contains('@')
        && !text.contains(':')
        && ["System.", "Microsoft.", "Deserialized."].iter().any(|p| text.starts_with(p))
}

/// Whether `piece` starts a new proxy address (`TYPE:`), as opposed to continuing an X400 or EUM address
/// (`P=Fabrikam`, `phone-context=...`, an X400 `DDA:` attribute).
fn starts_address(piece: &str) -> bool {
    let parsed = crate::model::address::ProxyAddress::parse(piece.trim_start());
    parsed.prefix.is_some_and(|p| !p.eq_ignore_ascii_case("dda"))
}

/// Splits an EmailAddresses cell as PowerShell joined it: one address per line (`-join "`n"`, exact, since no
/// address contains a line break); `-join ';'`, split only where the next piece starts with a `TYPE:` prefix
/// (X400 and EUM addresses contain `;`); or the space join of PowerShell's array-to-string conversion, where a
/// piece without a prefix continues the previous address (X500 addresses contain spaces).
pub fn split_addresses(text: &str) -> (Vec<String>, AddressForm) {
    let text = text.trim();
    if is_type_name(text) {
        return (Vec::new(), AddressForm::Unexpanded(text.to_string()));
    }
    if text.contains('\n') {
        let addresses =
            text.split('\n').map(|l| l.trim_end_matches('\r').trim()).filter(|l| !l.is_empty()).map(String::from);
        return (addresses.collect(), AddressForm::Exact);
    }
    if text.contains(';') {
        let mut addresses: Vec<String> = Vec::new();
        let mut kept = false;
        for piece in text.split(';') {
            match addresses.last_mut() {
                Some(last) if !starts_address(piece) => {
                    last.push(';');
                    last.push_str(piece);
                    kept = true;
                }
                _ => addresses.push(piece.to_string()),
            }
        }
        let addresses = addresses.into_iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        return (addresses, AddressForm::SemicolonJoined(kept));
    }
    let mut addresses: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        match addresses.last_mut() {
            Some(last) if !starts_address(token) => {
                last.push(' ');
                last.push_str(token);
            }
            _ => addresses.push(token.to_string()),
        }
    }
    let form = if addresses.len() > 1 { AddressForm::SpaceJoined } else { AddressForm::Exact };
    (addresses, form)
}

/// `SMTP:user@...` or `user@...` to `user@...`.
pub fn strip_smtp(address: &str) -> &str {
    let parsed = crate::model::address::ProxyAddress::parse(address.trim());
    if parsed.is_smtp() { parsed.address } else { address.trim() }
}

/// `True`/`False` as PowerShell writes them.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A date as exports write it: ISO (`2026-11-22...`, CLIXML's `<DT>`), US (`11/22/2026 10:00:00 AM`),
/// German (`22.11.2026 10:00:00`) or `/Date(ms)/` (ConvertTo-Json). The calendar date as written.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Some(ms) = text.strip_prefix("/Date(").and_then(|t| t.strip_suffix(")/")) {
        // `/Date(1552555800000+0100)/`: the offset does not move the instant.
        let cut = ms.char_indices().skip(1).find(|(_, c)| matches!(c, '+' | '-')).map_or(ms.len(), |(i, _)| i);
        let ms: i64 = ms[..cut].parse().ok()?;
        let timestamp = jiff::Timestamp::from_millisecond(ms).ok()?;
        return Some(timestamp.to_zoned(jiff::tz::TimeZone::UTC).date());
    }
    if let Some(Ok(date)) = text.get(..10).map(str::parse::<Date>) {
        return Some(date);
    }
    let day = text.split_whitespace().next()?;
    if let Some((d, rest)) = day.split_once('.') {
        let (m, y) = rest.split_once('.')?;
        return Date::new(y.trim_end_matches('.').parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    let mut parts = day.split('/');
    let (month, dom, year) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    Date::new(year, month, dom).ok()
}

/// What a RecipientTypeDetails value is to hybridlint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A type of the model (some under another name: `MailNonUniversalGroup` is a distribution group,
    /// `MailForestContact` a mail contact, `GuestMailUser` a mail user).
    Model(RecipientType),
    System,
    NotRecipient,
    NotModelled,
}

/// RecipientTypeDetails (`Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails`, a flags enum of
/// 64 bits; the same numbers are msExchRecipientTypeDetails in Active Directory), every member, in the
/// enum's order. The values and their sources are listed in `tests/fixtures/import/README.md`.
const TYPE_DETAILS: &[(u64, &str, Class)] = {
    use Class::*;
    use RecipientType as T;
    &[
        (1, "UserMailbox", Model(T::UserMailbox)),
        (2, "LinkedMailbox", Model(T::LinkedMailbox)),
        (4, "SharedMailbox", Model(T::SharedMailbox)),
        (8, "LegacyMailbox", NotModelled),
        (16, "RoomMailbox", Model(T::RoomMailbox)),
        (32, "EquipmentMailbox", Model(T::EquipmentMailbox)),
        (64, "MailContact", Model(T::MailContact)),
        (128, "MailUser", Model(T::MailUser)),
        (256, "MailUniversalDistributionGroup", Model(T::MailUniversalDistributionGroup)),
        (512, "MailNonUniversalGroup", Model(T::MailUniversalDistributionGroup)),
        (1024, "MailUniversalSecurityGroup", Model(T::MailUniversalSecurityGroup)),
        (2048, "DynamicDistributionGroup", Model(T::DynamicDistributionGroup)),
        (4096, "PublicFolder", NotModelled),
        (8192, "SystemAttendantMailbox", System),
        (16384, "SystemMailbox", System),
        (32768, "MailForestContact", Model(T::MailContact)),
        (65536, "User", NotRecipient),
        (131072, "Contact", NotRecipient),
        (262144, "UniversalDistributionGroup", NotRecipient),
        (524288, "UniversalSecurityGroup", NotRecipient),
        (1048576, "NonUniversalGroup", NotRecipient),
        (2097152, "DisabledUser", NotRecipient),
        (4194304, "MicrosoftExchange", System),
        (8388608, "ArbitrationMailbox", System),
        (16777216, "MailboxPlan", System),
        (33554432, "LinkedUser", NotRecipient),
        (268435456, "RoomList", Model(T::RoomList)),
        (536870912, "DiscoveryMailbox", System),
        (1073741824, "RoleGroup", NotRecipient),
        (2147483648, "RemoteUserMailbox", Model(T::RemoteUserMailbox)),
        (4294967296, "Computer", NotRecipient),
        (8589934592, "RemoteRoomMailbox", Model(T::RemoteRoomMailbox)),
        (17179869184, "RemoteEquipmentMailbox", Model(T::RemoteEquipmentMailbox)),
        (34359738368, "RemoteSharedMailbox", Model(T::RemoteSharedMailbox)),
        (68719476736, "PublicFolderMailbox", System),
        (137438953472, "TeamMailbox", NotModelled),
        (274877906944, "RemoteTeamMailbox", NotModelled),
        (549755813888, "MonitoringMailbox", System),
        (1099511627776, "GroupMailbox", Model(T::GroupMailbox)),
        (2199023255552, "LinkedRoomMailbox", NotModelled),
        (4398046511104, "AuditLogMailbox", System),
        (8796093022208, "RemoteGroupMailbox", NotModelled),
    ]
};

/// Names Exchange Online uses beyond the on-premises enum.
const ONLINE_TYPES: &[(&str, Class)] = &[
    ("GuestMailUser", Class::Model(RecipientType::MailUser)),
    ("SchedulingMailbox", Class::NotModelled),
    ("AuxAuditLogMailbox", Class::System),
    ("SupervisoryReviewPolicyMailbox", Class::System),
    ("SubstrateGroup", Class::System),
];

/// The recipient type of a RecipientTypeDetails value, written as its name (`RemoteUserMailbox`, any case) or
/// its number (`2147483648`: msExchRecipientTypeDetails, and Windows PowerShell 5.1's ConvertTo-Json, which
/// writes enums as numbers). An error says why the object is not imported.
pub fn classify(text: &str) -> Result<RecipientType, (SkipKind, String)> {
    let text = text.trim();
    let found = match text.parse::<u64>() {
        Ok(number) => TYPE_DETAILS.iter().find(|(v, _, _)| *v == number).map(|(_, n, c)| (*n, *c)),
        Err(_) => TYPE_DETAILS
            .iter()
            .map(|(_, n, c)| (*n, *c))
            .chain(ONLINE_TYPES.iter().copied())
            .find(|(n, _)| n.eq_ignore_ascii_case(text)),
    };
    let a = |name: &str| if name.starts_with(['A', 'E', 'I', 'O']) { "an" } else { "a" };
    match found {
        Some((_, Class::Model(kind))) => Ok(kind),
        Some((name, Class::System)) => {
            Err((SkipKind::SystemMailbox, format!("it is {} {name}, which Exchange creates for itself", a(name))))
        }
        Some((name, Class::NotRecipient)) => {
            Err((SkipKind::NotRecipient, format!("it is {} {name}, not a mail-enabled recipient", a(name))))
        }
        Some((name, Class::NotModelled)) => Err((
            SkipKind::NotModelled,
            format!("it is {} {name}, a recipient type hybridlint does not model", a(name)),
        )),
        None => Err((SkipKind::NotModelled, format!("its recipient type `{text}` is not one hybridlint knows"))),
    }
}

/// Decodes an export file: UTF-8 (with or without BOM) or UTF-16 LE/BE with BOM, as Windows PowerShell 5.1
/// writes it.
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

/// The 1-based line of each byte offset of `text`, for readers whose parser gives offsets.
pub struct Lines {
    newlines: Vec<usize>,
    first: usize,
}

impl Lines {
    /// `first` is the line number of `text`'s first line in the file.
    pub fn new(text: &str, first: usize) -> Lines {
        Lines { newlines: memchr_newlines(text.as_bytes()), first }
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.first + self.newlines.partition_point(|&n| n < offset)
    }
}

fn memchr_newlines(bytes: &[u8]) -> Vec<usize> {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_split_as_joined() {
        let split = |t| split_addresses(t).0;
        assert_eq!(split("SMTP:a@contoso.com;smtp:b@contoso.com"), ["SMTP:a@contoso.com", "smtp:b@contoso.com"]);
        assert_eq!(
            split(
                "SMTP:a@contoso.com X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=a smtp:b@c.com"
            ),
            [
                "SMTP:a@contoso.com",
                "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=a",
                "smtp:b@c.com"
            ]
        );
        // `-join ';'`: the `;` inside X400 and EUM addresses stays.
        assert_eq!(
            split_addresses(
                "X400:C=GB;A= ;P=Fabrikam;O=Exchange;S=Wilber;G=Alex;;smtp:a@b.com;EUM:4101;phone-context=Dial Plan.fabrikam.local"
            ),
            (
                vec![
                    "X400:C=GB;A= ;P=Fabrikam;O=Exchange;S=Wilber;G=Alex;".to_string(),
                    "smtp:a@b.com".to_string(),
                    "EUM:4101;phone-context=Dial Plan.fabrikam.local".to_string()
                ],
                AddressForm::SemicolonJoined(true)
            )
        );
        // One per line: exact, whatever the addresses contain.
        assert_eq!(
            split("SMTP:a@b.com\nX400:C=GB;A= ;P=F;\r\nsmtp:c@b.com"),
            ["SMTP:a@b.com", "X400:C=GB;A= ;P=F;", "smtp:c@b.com"]
        );
        assert_eq!(
            split_addresses("System.Collections.ArrayList"),
            (vec![], AddressForm::Unexpanded("System.Collections.ArrayList".into()))
        );
    }

    #[test]
    fn dates_as_exports_write_them() {
        let date: Date = "2026-11-22".parse().unwrap();
        assert_eq!(parse_date("2026-11-22T10:00:00"), Some(date));
        assert_eq!(parse_date("11/22/2026 10:00:00 AM"), Some(date));
        assert_eq!(parse_date("11/22/2026 10:00:00\u{202f}AM"), Some(date));
        assert_eq!(parse_date("22.11.2026 10:00:00"), Some(date));
        assert_eq!(parse_date("/Date(1795348800000)/"), Some(date));
        assert_eq!(parse_date("/Date(1795348800000+0100)/"), Some(date));
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn recipient_types_by_name_and_number() {
        assert_eq!(classify("2048"), Ok(RecipientType::DynamicDistributionGroup));
        assert_eq!(classify("2147483648"), Ok(RecipientType::RemoteUserMailbox));
        assert_eq!(classify("remoteusermailbox"), Ok(RecipientType::RemoteUserMailbox));
        assert_eq!(classify("8192").unwrap_err().0, SkipKind::SystemMailbox);
        assert_eq!(classify("DiscoveryMailbox").unwrap_err().0, SkipKind::SystemMailbox);
        assert_eq!(classify("User").unwrap_err().0, SkipKind::NotRecipient);
        assert_eq!(classify("Toaster").unwrap_err().0, SkipKind::NotModelled);
    }
}
