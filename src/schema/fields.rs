//! The file format (SPEC 2): every table's keys, their value types, whom each recipient key applies to,
//! and what it means. The model builder checks files against these tables, and `hybridlint schema`
//! generates the JSON Schema for editors from them, so the two cannot drift apart.

use crate::model::{IncludedRecipients, RecipientType, Source};

/// The type of a key's value.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    String,
    Bool,
    Integer,
    /// A TOML local date (`2026-11-22`, unquoted).
    Date,
    Strings,
    /// A string from a fixed list.
    OneOf(&'static [&'static str]),
    /// An array of strings from a fixed list.
    SomeOf(&'static [&'static str]),
    /// An inline table of rule name -> reason (`allow`).
    RuleReasons,
    /// An inline table of condition property -> accepted values.
    Conditions,
    /// `[lint.rules]`: rule name -> severity.
    RuleLevels,
    /// `[[lint.exception]]` tables.
    Exceptions,
    /// A nested table with its own keys.
    Table(&'static [Key]),
}

/// Which recipients a key applies to (SPEC 2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    All,
    OnPremises,
    UserObjects,
    Mailboxes,
    RemoteMailboxes,
    ExternalAddress,
    HostedInExchangeOnline,
    StaticGroups,
}

impl Applies {
    pub fn matches(self, kind: RecipientType, source: Source) -> bool {
        match self {
            Applies::All => true,
            Applies::OnPremises => source == Source::OnPremises,
            Applies::UserObjects => kind.is_user_object(),
            Applies::Mailboxes => kind.is_mailbox(),
            Applies::RemoteMailboxes => kind.is_remote_mailbox(),
            Applies::ExternalAddress => kind.has_external_address(),
            Applies::HostedInExchangeOnline => {
                kind.is_remote_mailbox() || (source == Source::Cloud && kind.is_mailbox())
            }
            Applies::StaticGroups => kind.is_group() && kind != RecipientType::DynamicDistributionGroup,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Applies::All => "every recipient",
            Applies::OnPremises => "on-premises recipients",
            Applies::UserObjects => "user objects (mailboxes and mail users)",
            Applies::Mailboxes => "mailboxes",
            Applies::RemoteMailboxes => "remote mailboxes (`Remote*Mailbox`)",
            Applies::ExternalAddress => "mail users and mail contacts",
            Applies::HostedInExchangeOnline => "mailboxes hosted in Exchange Online",
            Applies::StaticGroups => "groups with static membership",
        }
    }
}

#[derive(Debug)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub applies: Applies,
    pub required: bool,
    pub doc: &'static str,
}

const fn key(name: &'static str, kind: Kind, applies: Applies, doc: &'static str) -> Key {
    Key { name, kind, applies, required: false, doc }
}

const fn required(name: &'static str, kind: Kind, doc: &'static str) -> Key {
    Key { name, kind, applies: Applies::All, required: true, doc }
}

pub const SOURCES: &[&str] = &["on-premises", "cloud"];
pub const LEVELS: &[&str] = &["off", "info", "warning", "error"];

macro_rules! custom_attributes {
    ($applies:expr; $($n:literal),*) => {
        [$(key(concat!("custom_attribute_", $n), Kind::String, $applies, concat!("CustomAttribute", $n, " (extensionAttribute", $n, ")"))),*]
    };
}

const CUSTOM_ATTRIBUTES: [Key; 15] =
    custom_attributes!(Applies::All; 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

use Applies as A;
use Kind as K;

/// `[[recipient]]`
pub const RECIPIENT: &[Key] = &[
    required("name", K::String, "Unique identity in the repository (Exchange `Name`), at most 64 characters"),
    required("type", K::OneOf(RecipientType::NAMES), "Exchange RecipientTypeDetails"),
    key("source", K::OneOf(SOURCES), A::All, "Where the object is mastered (default: on-premises)"),
    key("synced", K::Bool, A::OnPremises, "Synced by Entra Connect (default true; dynamic groups never are)"),
    key("upn", K::String, A::UserObjects, "userPrincipalName"),
    key("alias", K::String, A::All, "Alias (mailNickname)"),
    key("mail", K::String, A::All, "The directory's `mail` attribute"),
    key("display_name", K::String, A::All, "Display name (%d in address templates)"),
    key("given_name", K::String, A::All, "First name (%g)"),
    key("surname", K::String, A::All, "Last name (%s)"),
    key("initials", K::String, A::All, "Initials (%i)"),
    key("department", K::String, A::All, "Department"),
    key("company", K::String, A::All, "Company"),
    key("state_or_province", K::String, A::All, "State or province"),
    key("proxy_addresses", K::Strings, A::All, "proxyAddresses / EmailAddresses: `SMTP:` primary, `smtp:` secondary"),
    key(
        "email_address_policy_enabled",
        K::Bool,
        A::OnPremises,
        "Whether email address policies stamp this recipient (default true)",
    ),
    key(
        "remote_routing_address",
        K::String,
        A::RemoteMailboxes,
        "RemoteRoutingAddress (targetAddress), `<alias>@<tenant>.mail.onmicrosoft.com`",
    ),
    key("external_email_address", K::String, A::ExternalAddress, "ExternalEmailAddress"),
    key("exchange_guid", K::String, A::Mailboxes, "ExchangeGuid"),
    key("archive_guid", K::String, A::Mailboxes, "ArchiveGuid"),
    key("archive", K::Bool, A::Mailboxes, "An archive is enabled"),
    key("licensed", K::Bool, A::HostedInExchangeOnline, "An Exchange Online license is assigned (default false)"),
    key(
        "provisioned",
        K::Date,
        A::HostedInExchangeOnline,
        "The day the cloud mailbox was provisioned or its move completed",
    ),
    key("litigation_hold", K::Bool, A::Mailboxes, "LitigationHoldEnabled"),
    key("forwarding_smtp_address", K::String, A::Mailboxes, "ForwardingSmtpAddress"),
    key("forwarding_address", K::String, A::Mailboxes, "ForwardingAddress: the `name` of another recipient"),
    key("members", K::Strings, A::StaticGroups, "Members, by recipient `name`"),
    key(
        "move_status",
        K::String,
        A::Mailboxes,
        "Status of the last move request (Completed, CompletedWithWarnings, InProgress, ...)",
    ),
    key("allow", K::RuleReasons, A::All, "Rules suppressed for this recipient: rule name -> reason"),
];

/// A `[[recipient]]` key by name (a hash lookup: this runs for every key of every recipient).
pub fn recipient_key(name: &str) -> Option<&'static Key> {
    static INDEX: std::sync::OnceLock<crate::analysis::addresses::FastMap<&'static str, &'static Key>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| recipient_keys().map(|k| (k.name, k)).collect()).get(name).copied()
}

/// Every `[[recipient]]` key, custom attributes included.
pub fn recipient_keys() -> impl Iterator<Item = &'static Key> {
    RECIPIENT.iter().chain(CUSTOM_ATTRIBUTES.iter())
}

/// `[[email_address_policy]]`
pub const POLICY: &[Key] = &[
    required("name", K::String, "Unique policy name, at most 64 characters"),
    key("priority", K::Integer, A::All, "1 is evaluated first; required unless `default = true`"),
    key("default", K::Bool, A::All, "The Default Policy: evaluated last, matches everything"),
    key("include", K::SomeOf(IncludedRecipients::NAMES), A::All, "IncludedRecipients (default AllRecipients)"),
    key(
        "conditions",
        K::Conditions,
        A::All,
        "Conditional properties: values of one property are ORed, properties ANDed",
    ),
    key("recipient_filter", K::String, A::All, "An OPATH RecipientFilter instead of include/conditions"),
    required("templates", K::Strings, "Address templates: exactly one `SMTP:` (primary), any `smtp:`"),
    key("source", K::OneOf(SOURCES), A::All, "on-premises (default), or cloud (Microsoft 365 groups only)"),
];

/// Recipient properties address-policy conditions may test.
pub fn condition_keys() -> impl Iterator<Item = &'static str> {
    ["company", "department", "state_or_province"].into_iter().chain(CUSTOM_ATTRIBUTES.iter().map(|k| k.name))
}

/// `[tenant]`
pub const TENANT: &[Key] = &[
    required("name", K::String, "The tenant name: `contoso` for contoso.onmicrosoft.com"),
    required("accepted_domains", K::Strings, "The verified, accepted domains"),
    key("routing_domain", K::String, A::All, "Overrides the routing domain `<tenant>.mail.onmicrosoft.com`"),
    key("hybrid", K::Bool, A::All, "false for a tenant without Entra Connect (default true)"),
];

/// `[lint]`
pub const LINT: &[Key] = &[
    key("include", K::Strings, A::All, "Globs of the files to lint, relative to the root"),
    key("exclude", K::Strings, A::All, "Globs of files not to lint"),
    key("today", K::Date, A::All, "The evaluation date of date rules (default: today, UTC)"),
    key("license_grace_days", K::Integer, A::All, "The Exchange Online license grace period (default 30)"),
    key(
        "grace_warning_days",
        K::Integer,
        A::All,
        "license-grace-active is a warning this many days before the end (default 7)",
    ),
    key(
        "max_file_size",
        K::Integer,
        A::All,
        "Files larger than this many bytes are reported, not read (default 256 MiB)",
    ),
    key("rules", K::RuleLevels, A::All, "Severity overrides: rule name -> off, info, warning or error"),
    key("exception", K::Exceptions, A::All, "Suppressions kept outside the recipient files"),
];

/// `[[lint.exception]]`
pub const EXCEPTION: &[Key] = &[
    required("rule", K::String, "The rule suppressed"),
    key("recipients", K::Strings, A::All, "Globs on recipient names"),
    key("files", K::Strings, A::All, "Globs on file paths, relative to the root"),
    required("reason", K::String, "Why: shown in reports"),
    key("expires", K::Date, A::All, "After this day the exception no longer applies"),
];

/// The names of a table's keys, for did-you-mean suggestions.
pub fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

pub const ENDPOINT_TYPES: &[&str] = &["ExchangeRemoteMove", "ExchangeOutlookAnywhere", "IMAP"];
pub const EXCHANGE_VERSIONS: &[&str] = &["2003", "2007", "2010", "2013", "2016", "2019", "SE"];
pub const BATCH_TYPES: &[&str] = &["RemoteMove", "Cutover", "Staged", "IMAP"];
pub const DIRECTIONS: &[&str] = &["onboarding", "offboarding"];

/// `outlook_anywhere` of a migration endpoint.
pub const OUTLOOK_ANYWHERE: &[Key] = &[
    key("enabled", K::Bool, A::All, "Outlook Anywhere (RPC over HTTP) is enabled on the source"),
    key("authentication", K::String, A::All, "Its client authentication: Basic, NTLM, Negotiate"),
    key("ssl", K::Bool, A::All, "It requires SSL"),
];

/// `certificate` of a migration endpoint.
pub const CERTIFICATE: &[Key] = &[
    key("subject_alt_names", K::Strings, A::All, "The certificate's subject alternative names (wildcards allowed)"),
    key("expires", K::Date, A::All, "When the certificate expires"),
];

/// `[[migration_endpoint]]`
pub const MIGRATION_ENDPOINT: &[Key] = &[
    required("name", K::String, "The endpoint's name, as batches refer to it"),
    required(
        "type",
        K::OneOf(ENDPOINT_TYPES),
        "ExchangeRemoteMove (hybrid), ExchangeOutlookAnywhere (cutover, staged) or IMAP",
    ),
    key("remote_server", K::String, A::All, "The on-premises server Exchange Online connects to (FQDN)"),
    key("exchange_version", K::OneOf(EXCHANGE_VERSIONS), A::All, "The source Exchange version"),
    key("mrs_proxy_enabled", K::Bool, A::All, "The MRS proxy is enabled on the EWS virtual directory"),
    key("outlook_anywhere", K::Table(OUTLOOK_ANYWHERE), A::All, "Outlook Anywhere settings of the source"),
    key("certificate", K::Table(CERTIFICATE), A::All, "The certificate remote_server presents"),
    key("max_concurrent_migrations", K::Integer, A::All, "MaxConcurrentMigrations"),
];

/// `[[migration_batch]]`
pub const MIGRATION_BATCH: &[Key] = &[
    required("name", K::String, "The batch's name"),
    required("type", K::OneOf(BATCH_TYPES), "RemoteMove, Cutover, Staged or IMAP"),
    key("endpoint", K::String, A::All, "The `name` of its migration endpoint"),
    key("direction", K::OneOf(DIRECTIONS), A::All, "onboarding (to Exchange Online, the default) or offboarding"),
    key("target_delivery_domain", K::String, A::All, "TargetDeliveryDomain: the routing domain for onboarding"),
    key("mailboxes", K::Strings, A::All, "The mailboxes moved, by recipient `name`"),
    key("complete_after", K::Date, A::All, "CompleteAfter: when the batch completes (absent: it completes on its own)"),
    key("license_on_completion", K::Bool, A::All, "Licenses are assigned when the batch completes"),
];
