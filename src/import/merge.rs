//! From the rows of every export to the recipients of one repository:
//!
//! 1. the exports of one side are merged by identity (Guid, DistinguishedName, Identity,
//!    ExternalDirectoryObjectId), so that Get-Recipient, Get-RemoteMailbox and Get-User rows of one object
//!    become one, each export adding what the others lack;
//! 2. each object is settled: its type (system mailboxes and objects that are not recipients are skipped
//!    with the reason), its addresses (PrimarySmtpAddress when the export has no EmailAddresses), its routing
//!    and external addresses (`SMTP:` removed; a remote mailbox's routing address is RemoteRoutingAddress, or
//!    ExternalEmailAddress in Get-Recipient); an on-premises export says nothing about licences or where an
//!    object is mastered, so its SKUAssigned, WhenMailboxCreated and IsDirSynced are not used;
//! 3. the synced objects of the Exchange Online exports (IsDirSynced True) are matched with on-premises
//!    objects by ExchangeGuid, ExternalDirectoryObjectId, ImmutableId or primary SMTP address, and keep their
//!    cloud facts (licence, provisioning date) on the on-premises recipient; objects that are cloud-only
//!    (IsDirSynced False) become `source = "cloud"`; what matches nothing, or more than one object, is
//!    reported and not imported;
//! 4. recipients that share a Name (Exchange Names are unique per container, not per organisation) get
//!    distinct names from their OU, with a comment.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{AddressForm, ImportValue, Imported, Row, Side, SkipKind, Skipped, classify, strip_smtp};
use crate::model::{RecipientType, Source};

/// One export, read, and the side it is on.
pub struct Input {
    /// The file as named on the command line, for reports.
    pub label: String,
    pub side: Side,
    pub imported: Imported,
}

/// What the import produced and what it has to say about it.
#[derive(Default)]
pub struct Outcome {
    /// The recipients, with only the keys that apply to their type.
    pub rows: Vec<Row>,
    /// (file, skipped) for every object not imported.
    pub skipped: Vec<(usize, Skipped)>,
    /// Things the user should know: renamed recipients, unmatched objects, lossy exports.
    pub notes: Vec<String>,
    /// Facts the exports lacked, and the export that would supply them.
    pub absent: Vec<String>,
    /// Objects read, over every file (rows and rows skipped while reading).
    pub read: usize,
    /// Objects folded into another: a second export of the same object, or a synced cloud object.
    pub merged: usize,
    pub on_premises: usize,
    pub cloud: usize,
}

/// Keys that only serve the import and are never written.
const INTERNAL: &[&str] = &[
    "primary_smtp_address",
    "is_dir_synced",
    "distinguished_name",
    "object_guid",
    "identity",
    "external_directory_object_id",
    "immutable_id",
    "organizational_unit",
];

fn identity_keys(row: &Row) -> impl Iterator<Item = String> + '_ {
    ["object_guid", "distinguished_name", "identity", "external_directory_object_id"]
        .into_iter()
        .filter_map(|k| row.str(k))
        .map(str::to_lowercase)
}

/// Groups the rows of one side (in command-line order) by identity. Rows of one file are never merged with
/// each other: two rows of one export are two objects.
fn group_by_identity(rows: Vec<Row>) -> Vec<Vec<Row>> {
    if rows.windows(2).all(|pair| pair[0].file == pair[1].file) {
        return rows.into_iter().map(|row| vec![row]).collect();
    }
    let mut groups: Vec<Vec<Row>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let keys: Vec<String> = identity_keys(&row).collect();
        let found = keys
            .iter()
            .filter_map(|k| index.get(k).copied())
            .find(|&g| groups[g].iter().all(|member| member.file != row.file));
        let group = match found {
            Some(g) => g,
            None => {
                groups.push(Vec::new());
                groups.len() - 1
            }
        };
        for key in keys {
            index.entry(key).or_insert(group);
        }
        groups[group].push(row);
    }
    groups
}

/// One row from the rows of one object: the first export's values, completed by the others'; the best
/// EmailAddresses (a list over a `;` join over a type name); the first type that is a recipient's.
fn combine(group: Vec<Row>) -> Row {
    let mut rows = group.into_iter();
    let mut merged = rows.next().unwrap_or_default();
    for row in rows {
        if row.addresses > merged.addresses {
            merged.addresses = row.addresses.clone();
            match row.values.get("proxy_addresses") {
                Some(list) => merged.values.insert("proxy_addresses", list.clone()),
                None => merged.values.remove("proxy_addresses"),
            };
        }
        let merged_is_recipient = merged.str("type").is_some_and(|t| classify(t).is_ok());
        for (key, value) in row.values {
            match key {
                "proxy_addresses" => {}
                "type" if !merged_is_recipient && matches!(&value, ImportValue::Str(t) if classify(t).is_ok()) => {
                    merged.values.insert(key, value);
                }
                _ => {
                    merged.values.entry(key).or_insert(value);
                }
            }
        }
    }
    merged
}

/// The recipient type of an object, or why it is not imported.
fn kind_of(row: &Row) -> Result<RecipientType, Skipped> {
    let name = row.str("name").unwrap_or_default();
    let Some(kind) = row.str("type") else {
        return Err(Skipped::invalid(row.line, format!("`{name}` has no RecipientTypeDetails")));
    };
    classify(kind).map_err(|(kind, reason)| Skipped { line: row.line, kind, reason: format!("`{name}`: {reason}") })
}

/// Settles one object of `side` and type `kind`: its addresses and routing.
fn settle(mut row: Row, kind: RecipientType, side: Side) -> (Row, RecipientType) {
    row.values.insert("type", ImportValue::Str(kind.name().to_string()));
    if let Some(ImportValue::Str(primary)) = row.values.get_mut("primary_smtp_address") {
        *primary = strip_smtp(primary).to_string();
    }
    // Without EmailAddresses (or with a type name in their place), the primary address is all there is.
    if !row.values.contains_key("proxy_addresses")
        && let Some(primary) = row.str("primary_smtp_address").map(String::from)
    {
        row.values.insert("proxy_addresses", ImportValue::List(vec![format!("SMTP:{primary}")]));
        row.comments.push(match &row.addresses {
            AddressForm::Unexpanded(type_name) => {
                format!("EmailAddresses were exported as `{type_name}`: only the primary address is known")
            }
            _ => "the export has no EmailAddresses: only the primary address is known".to_string(),
        });
    }
    // targetAddress / ExternalEmailAddress / RemoteRoutingAddress are written as proxy addresses
    // (`SMTP:...`); the repository keeps the bare address, which is what the cmdlets set.
    let external = row.values.remove("external_email_address");
    let external = match external {
        Some(ImportValue::Str(value)) => Some(strip_smtp(&value).to_string()),
        _ => None,
    };
    if kind.is_remote_mailbox() {
        // Get-Recipient has no RemoteRoutingAddress: a remote mailbox's ExternalEmailAddress is its
        // targetAddress, the routing address.
        let routing = match row.values.remove("remote_routing_address") {
            Some(ImportValue::Str(value)) => Some(strip_smtp(&value).to_string()),
            _ => external,
        };
        if let Some(routing) = routing {
            row.values.insert("remote_routing_address", ImportValue::Str(routing));
        }
    } else if let Some(external) = external {
        row.values.insert("external_email_address", ImportValue::Str(external));
    }
    if side == Side::OnPremises {
        // On-premises, SKUAssigned is empty and WhenMailboxCreated is when the on-premises mailbox was
        // created; IsDirSynced is False on every object. None of them says anything about the cloud.
        for key in ["licensed", "provisioned", "is_dir_synced"] {
            row.values.remove(key);
        }
    }
    (row, kind)
}

/// Lower-case primary SMTP address, if any.
fn primary_key(row: &Row) -> Option<String> {
    row.primary().map(|p| p.to_ascii_lowercase())
}

/// The on-premises objectGUID an ImmutableId (base64 of the GUID's bytes) stands for.
fn immutable_guid(immutable_id: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(immutable_id.trim()).ok()?;
    let bytes: [u8; 16] = bytes.try_into().ok()?;
    Some(uuid::Uuid::from_bytes_le(bytes).to_string())
}

/// An index where a value held by two objects points to neither.
#[derive(Default)]
struct UniqueIndex(HashMap<String, Option<usize>>);

impl UniqueIndex {
    fn insert(&mut self, key: Option<String>, value: usize) {
        if let Some(key) = key {
            self.0.entry(key).and_modify(|v| *v = None).or_insert(Some(value));
        }
    }

    fn get(&self, key: &Option<String>) -> Option<usize> {
        key.as_ref().and_then(|k| self.0.get(k).copied().flatten())
    }
}

/// The OU an object is in, for a distinct name: the parent's first RDN value from the DN (`OU=London`),
/// or the last part of a canonical OrganizationalUnit (`fabrikam.local/Fabrikam/London`).
fn container_of(row: &Row) -> Option<String> {
    if let Some(dn) = row.str("distinguished_name") {
        let parts = split_dn(dn);
        if let Some(parent) = parts.get(1)
            && let Some((_, value)) = parent.split_once('=')
        {
            return Some(value.replace('\\', ""));
        }
    }
    row.str("organizational_unit").and_then(|ou| ou.rsplit('/').next()).map(String::from)
}

/// The RDNs of a distinguished name, honouring `\,` escapes.
fn split_dn(dn: &str) -> Vec<&str> {
    let (mut parts, mut start, mut escaped) = (Vec::new(), 0, false);
    for (i, c) in dn.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ',' if !escaped => {
                parts.push(dn[start..i].trim());
                start = i + 1;
            }
            _ => escaped = false,
        }
    }
    parts.push(dn[start..].trim());
    parts
}

/// A recipient to write: its row, type and where it is mastered.
struct Recipient {
    row: Row,
    kind: RecipientType,
    source: Source,
}

/// Everything: merge each side, settle, match, name.
pub fn assemble(inputs: Vec<Input>, progress: &indicatif::ProgressBar) -> Outcome {
    let mut outcome = Outcome::default();
    let labels: Vec<String> = inputs.iter().map(|i| i.label.clone()).collect();
    let has_cloud = inputs.iter().any(|i| i.side == Side::Cloud);
    let has_on_premises = inputs.iter().any(|i| i.side == Side::OnPremises);
    let mut sides: BTreeMap<Side, Vec<Row>> = BTreeMap::new();
    let mut ambiguous_joins = 0;
    for (file, input) in inputs.into_iter().enumerate() {
        outcome.read += input.imported.rows.len() + input.imported.skipped.len();
        outcome.skipped.extend(input.imported.skipped.into_iter().map(|s| (file, s)));
        for note in input.imported.notes {
            outcome.notes.push(format!("{}: {note}", labels[file]));
        }
        let rows = sides.entry(input.side).or_default();
        rows.extend(input.imported.rows.into_iter().map(|mut row| {
            row.file = file;
            if row.addresses == AddressForm::SemicolonJoined(true) {
                ambiguous_joins += 1;
            }
            row
        }));
    }
    if ambiguous_joins > 0 {
        outcome.notes.push(format!(
            "EmailAddresses were joined with `;` and {ambiguous_joins} cell(s) hold an address that contains `;` \
             (X400, EUM): each was split only before a `TYPE:` prefix, which is right unless an address part \
             itself looks like one; export with `-join \"`n\"` to be exact"
        ));
    }

    // 1 and 2: each side's objects, merged and settled.
    let mut settled: BTreeMap<Side, Vec<(Row, RecipientType)>> = BTreeMap::new();
    let mut not_recipients: Vec<Row> = Vec::new();
    for (side, rows) in sides {
        let count = rows.len();
        let groups = group_by_identity(rows);
        outcome.merged += count - groups.len();
        let list = settled.entry(side).or_default();
        for group in groups {
            progress.inc(group.len() as u64);
            let file = group[0].file;
            let row = combine(group);
            match kind_of(&row) {
                Ok(kind) => list.push(settle(row, kind, side)),
                Err(skipped) => {
                    if side == Side::OnPremises {
                        not_recipients.push(row);
                    }
                    outcome.skipped.push((file, skipped));
                }
            }
        }
    }
    let on_premises = settled.remove(&Side::OnPremises).unwrap_or_default();
    let cloud = settled.remove(&Side::Cloud).unwrap_or_default();

    // 3: match the cloud's synced objects with on-premises ones.
    let mut recipients: Vec<Recipient> =
        on_premises.into_iter().map(|(row, kind)| Recipient { row, kind, source: Source::OnPremises }).collect();
    let on_premises_count = recipients.len();
    let (mut by_exchange_guid, mut by_directory_id, mut by_guid, mut by_primary) =
        (UniqueIndex::default(), UniqueIndex::default(), UniqueIndex::default(), UniqueIndex::default());
    for (i, r) in recipients.iter().enumerate() {
        by_exchange_guid.insert(r.row.str("exchange_guid").map(str::to_lowercase), i);
        by_directory_id.insert(r.row.str("external_directory_object_id").map(String::from), i);
        by_guid.insert(r.row.str("object_guid").map(str::to_lowercase), i);
        by_primary.insert(primary_key(&r.row), i);
    }
    let mut claimed: HashMap<usize, String> = HashMap::new();
    let mut matched = vec![false; on_premises_count];
    let mut extra: Vec<Recipient> = Vec::new();
    for (row, kind) in cloud {
        let name = row.str("name").unwrap_or_default().to_string();
        let synced = row.bool("is_dir_synced");
        if synced == Some(false) {
            recipients.push(Recipient { row, kind, source: Source::Cloud });
            continue;
        }
        let primary = primary_key(&row);
        let candidates = [
            ("ExchangeGuid", by_exchange_guid.get(&row.str("exchange_guid").map(str::to_lowercase))),
            (
                "ExternalDirectoryObjectId",
                by_directory_id.get(&row.str("external_directory_object_id").map(String::from)),
            ),
            ("ImmutableId", by_guid.get(&row.str("immutable_id").and_then(immutable_guid))),
            ("primary address", by_primary.get(&primary)),
        ];
        let mut found: Vec<(usize, Vec<&str>)> = Vec::new();
        for (how, index) in candidates {
            if let Some(index) = index {
                match found.iter_mut().find(|(i, _)| *i == index) {
                    Some((_, hows)) => hows.push(how),
                    None => found.push((index, vec![how])),
                }
            }
        }
        let unmatched = |reason: String| Skipped { line: row.line, kind: SkipKind::Unmatched, reason };
        let what = format!("`{name}` ({})", kind.name());
        match found.as_slice() {
            [] => {
                let mut reason = match synced {
                    Some(_) if !has_on_premises => format!(
                        "{what} is synced from on-premises (IsDirSynced True) and no on-premises export was given \
                         (--on-premises)"
                    ),
                    Some(_) => format!(
                        "{what} is synced from on-premises (IsDirSynced True) but matches no object of the on-premises \
                         exports by ExchangeGuid, ExternalDirectoryObjectId, ImmutableId or primary address{}",
                        primary.as_ref().map(|p| format!(" `{p}`")).unwrap_or_default()
                    ),
                    None => format!(
                        "{what} matches no on-premises object, and the export has no IsDirSynced to tell whether it is \
                         cloud-only: export IsDirSynced too"
                    ),
                };
                let upn = row.str("upn").map(str::to_ascii_lowercase);
                if let Some(other) =
                    not_recipients.iter().find(|o| upn.is_some() && o.str("upn").map(str::to_ascii_lowercase) == upn)
                {
                    reason.push_str(&format!(
                        "; on-premises, `{}` ({}:{}) has its UPN but {}",
                        other.str("name").unwrap_or_default(),
                        labels[other.file],
                        other.line,
                        match other.str("type") {
                            Some(t) => format!("is a {t}, not a recipient"),
                            None => "is not a recipient".to_string(),
                        }
                    ));
                }
                outcome.skipped.push((row.file, unmatched(format!("{reason}: not imported"))));
            }
            [(index, _)] => {
                let index = *index;
                if let Some(first) = claimed.get(&index) {
                    let reason = format!(
                        "{what} and `{first}` both match `{}`: not imported",
                        recipients[index].row.str("name").unwrap_or_default()
                    );
                    outcome.skipped.push((row.file, unmatched(reason)));
                    continue;
                }
                claimed.insert(index, name.clone());
                matched[index] = true;
                outcome.merged += 1;
                let target = &mut recipients[index];
                if target.kind.is_mailbox()
                    && let Some(licensed) = row.bool("licensed")
                {
                    target.row.values.insert("licensed", ImportValue::Bool(licensed));
                }
                if target.kind.is_remote_mailbox()
                    && kind.is_mailbox()
                    && let Some(provisioned) = row.values.get("provisioned")
                {
                    target.row.values.insert("provisioned", provisioned.clone());
                }
                // A mailbox on-premises whose synced user also has a mailbox in Exchange Online: two mailboxes
                // for one person. Both are written, so that `check` reports them.
                let local_mailbox = target.kind.is_mailbox() && !target.kind.is_remote_mailbox();
                if local_mailbox && kind.is_mailbox() && kind != RecipientType::GroupMailbox {
                    let local = target.row.str("name").unwrap_or_default().to_string();
                    outcome.notes.push(format!(
                        "`{local}` is a mailbox on-premises and its synced user has a mailbox in Exchange Online \
                         ({}:{}): both are imported, the second as `source = \"cloud\"`",
                        labels[row.file], row.line
                    ));
                    let mut row = row;
                    row.comments.push(format!(
                        "the Exchange Online mailbox of `{local}`, whose on-premises mailbox is still there"
                    ));
                    extra.push(Recipient { row, kind, source: Source::Cloud });
                }
            }
            several => {
                let list: Vec<String> = several
                    .iter()
                    .map(|(i, hows)| {
                        format!("`{}` by {}", recipients[*i].row.str("name").unwrap_or_default(), hows.join(" and "))
                    })
                    .collect();
                outcome.skipped.push((
                    row.file,
                    unmatched(format!("{what} matches {}: not guessed, not imported", list.join(", "))),
                ));
            }
        }
    }
    recipients.extend(extra);
    if has_cloud {
        let unsynced: Vec<&str> = recipients[..on_premises_count]
            .iter()
            .zip(&matched)
            .filter(|(r, m)| !**m && r.kind != RecipientType::DynamicDistributionGroup)
            .map(|(r, _)| r.row.str("name").unwrap_or_default())
            .collect();
        if !unsynced.is_empty() {
            outcome.notes.push(format!(
                "{} on-premises recipient(s) have no counterpart in the Exchange Online exports ({}): they are imported \
                 as synced (the default); if Entra Connect does not sync them, set `synced = false`",
                unsynced.len(),
                abbreviate(&unsynced)
            ));
        }
    }

    // 4: distinct names.
    distinct_names(&mut recipients, &mut outcome.notes);

    absent_facts(&recipients, has_cloud, &mut outcome.absent);
    for recipient in recipients {
        match recipient.source {
            Source::OnPremises => outcome.on_premises += 1,
            Source::Cloud => outcome.cloud += 1,
        }
        outcome.rows.push(finish(recipient));
    }
    outcome
}

fn abbreviate(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
    match names.len() {
        n if n > 8 => format!("{} and {} more", shown.join(", "), n - 8),
        _ => shown.join(", "),
    }
}

/// Recipients that share a Name (case-insensitively) get distinct names: on-premises ones `Name (OU)` (Exchange
/// Names are unique per container), a cloud one beside them `Name (Exchange Online)`.
fn distinct_names(recipients: &mut [Recipient], notes: &mut Vec<String>) {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in recipients.iter().enumerate() {
        by_name.entry(r.row.str("name").unwrap_or_default().to_lowercase()).or_default().push(i);
    }
    let mut taken: HashSet<String> = by_name.keys().cloned().collect();
    for members in by_name.into_values().filter(|m| m.len() > 1) {
        let original = recipients[members[0]].row.str("name").unwrap_or_default().to_string();
        let local: Vec<usize> =
            members.iter().copied().filter(|&i| recipients[i].source == Source::OnPremises).collect();
        let suffixes: Vec<Option<String>> = local.iter().map(|&i| container_of(&recipients[i].row)).collect();
        let by_container =
            suffixes.iter().all(Option::is_some) && suffixes.iter().collect::<HashSet<_>>().len() == suffixes.len();
        let mut renames: Vec<(usize, String)> = Vec::new();
        if local.len() > 1 {
            for (n, &i) in local.iter().enumerate() {
                let suffix = match (&suffixes[n], by_container) {
                    (Some(s), true) => s.clone(),
                    _ => recipients[i].row.str("alias").map_or_else(|| format!("{}", n + 1), String::from),
                };
                renames.push((i, suffix));
            }
        }
        for &i in members.iter().filter(|&&i| recipients[i].source == Source::Cloud) {
            renames.push((i, "Exchange Online".to_string()));
        }
        let mut renamed = Vec::new();
        for (i, suffix) in renames {
            let row = &mut recipients[i].row;
            let exchange_name = row.str("name").unwrap_or_default().to_string();
            let mut name = format!("{exchange_name} ({suffix})");
            let mut counter = 2;
            while taken.contains(&name.to_lowercase()) {
                name = format!("{exchange_name} ({suffix} {counter})");
                counter += 1;
            }
            taken.insert(name.to_lowercase());
            let place = row.str("distinguished_name").map(|dn| format!(" ({dn})")).unwrap_or_default();
            row.comments.push(format!(
                "Exchange Name `{exchange_name}`{place}: another recipient has the same Name (Exchange Names are unique \
                 only within an OU)"
            ));
            row.values.insert("name", ImportValue::Str(name.clone()));
            renamed.push(format!("`{name}`"));
        }
        notes.push(format!(
            "`{original}` is the Name of {} recipients (Exchange Names are unique only within an OU): imported as {}",
            members.len(),
            renamed.join(", ")
        ));
    }
}

/// What the exports did not say, and the export that would.
fn absent_facts(recipients: &[Recipient], has_cloud: bool, absent: &mut Vec<String>) {
    let on_premises = || recipients.iter().filter(|r| r.source == Source::OnPremises);
    let count = |f: &dyn Fn(&Recipient) -> bool| recipients.iter().filter(|r| f(r)).count();
    let unexpanded = count(&|r| matches!(r.row.addresses, AddressForm::Unexpanded(_) | AddressForm::Absent));
    if unexpanded > 0 {
        absent.push(format!(
            "the EmailAddresses of {unexpanded} recipient(s) (only their primary address is imported): export them \
             with `@{{n='EmailAddresses';e={{$_.EmailAddresses -join \"`n\"}}}}` in Select-Object (Export-Csv writes a \
             collection as its type name)"
        ));
    }
    let no_upn = on_premises().filter(|r| r.kind.is_user_object() && !r.row.values.contains_key("upn")).count();
    if no_upn > 0 {
        absent.push(format!(
            "the UserPrincipalName of {no_upn} user object(s) (Get-Recipient does not export it; in LDIF it is \
             userPrincipalName): add a Get-User export, \
             `Get-User -ResultSize Unlimited | Select-Object Name,SamAccountName,UserPrincipalName,RecipientTypeDetails,\
             IsDirSynced,FirstName,LastName,DisplayName,Department,Company,StateOrProvince,DistinguishedName,Guid | \
             Export-Csv get-user.csv -Encoding Unicode`"
        ));
    }
    let no_routing = on_premises()
        .filter(|r| r.kind.is_remote_mailbox() && !r.row.values.contains_key("remote_routing_address"))
        .count();
    if no_routing > 0 {
        absent.push(format!(
            "the RemoteRoutingAddress of {no_routing} remote mailbox(es): add a Get-RemoteMailbox export, \
             `Get-RemoteMailbox -ResultSize Unlimited | Select-Object Name,Alias,RecipientTypeDetails,RemoteRoutingAddress,\
             PrimarySmtpAddress,UserPrincipalName,@{{n='EmailAddresses';e={{$_.EmailAddresses -join \"`n\"}}}},ExchangeGuid,\
             ArchiveGuid,EmailAddressPolicyEnabled,OnPremisesOrganizationalUnit,DistinguishedName,Guid | Export-Csv \
             get-remotemailbox.csv -NoTypeInformation -Encoding Unicode`"
        ));
    }
    if !has_cloud {
        let mailboxes = on_premises().filter(|r| r.kind.is_mailbox()).count();
        if mailboxes > 0 {
            absent.push(format!(
                "the licence (SKUAssigned) and, for mailboxes moved to Exchange Online, the provisioning date \
                 (WhenMailboxCreated) of {mailboxes} mailbox(es): an on-premises export has neither; add an Exchange Online \
                 export with `--cloud`, `Get-EXOMailbox -ResultSize Unlimited -PropertySets Minimum,Archive,StatisticsSeed \
                 -Properties IsDirSynced,SKUAssigned,WhenMailboxCreated,LitigationHoldEnabled,ForwardingSmtpAddress | \
                 ConvertTo-Json -Depth 3 | Out-File exo-get-mailbox.json -Encoding utf8`"
            ));
        }
    }
}

/// The row as written: internal keys removed, the source set, keys that do not apply to the type dropped so
/// that the repository is valid.
fn finish(recipient: Recipient) -> Row {
    let Recipient { mut row, kind, source } = recipient;
    for key in INTERNAL {
        row.values.remove(key);
    }
    if source == Source::Cloud {
        row.values.insert("source", ImportValue::Str("cloud".into()));
    }
    row.values
        .retain(|key, _| crate::schema::fields::recipient_key(key).is_some_and(|k| k.applies.matches(kind, source)));
    row
}

#[cfg(test)]
mod tests {
    #[test]
    fn containers_from_distinguished_names() {
        assert_eq!(
            super::split_dn("CN=Smith\\, James,OU=London,DC=fabrikam,DC=local"),
            ["CN=Smith\\, James", "OU=London", "DC=fabrikam", "DC=local"]
        );
        assert_eq!(
            super::immutable_guid("zd023YCAW1OxAGy2sJyjkA==").as_deref(),
            Some("dd36ddcd-8080-535b-b100-6cb6b09ca390")
        );
    }
}
