//! The file format: every table's keys, their value types and what they mean. The model builder reads
//! files by these tables and `hybridlint schema` generates the JSON Schema from them. The `[[recipient]]`
//! table, which also says how each key is stored in the model and read back out, is in [`recipient`].

pub mod recipient;

pub use recipient::{condition_keys, recipient_key, recipient_keys};

use crate::model::{IncludedRecipients, RecipientType, Source};

/// The type of a key's value.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    String,
    Bool,
    Integer,
    /// A TOML local date (`2026-11-22`; a quoted one is accepted too).
    Date,
    /// A GUID string (`5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d`).
    Guid,
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

pub(crate) const fn key(name: &'static str, kind: Kind, applies: Applies, doc: &'static str) -> Key {
    Key { name, kind, applies, required: false, doc }
}

pub(crate) const fn required(name: &'static str, kind: Kind, doc: &'static str) -> Key {
    Key { name, kind, applies: Applies::All, required: true, doc }
}

pub const SOURCES: &[&str] = &["on-premises", "cloud"];
pub const LEVELS: &[&str] = &["off", "info", "warning", "error"];

use Applies as A;
use Kind as K;

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

/// `[tenant]`
pub const TENANT: &[Key] = &[
    required("name", K::String, "The tenant name: `contoso` for contoso.onmicrosoft.com"),
    required("accepted_domains", K::Strings, "The verified, accepted domains"),
    key(
        "verified_domains",
        K::Strings,
        A::All,
        "The domains verified in the Microsoft 365 tenant, when they differ from accepted_domains (default: accepted_domains)",
    ),
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
        "max_proxy_addresses",
        K::Integer,
        A::All,
        "too-many-proxy-addresses fires above this many proxy addresses of a synced object (default 300)",
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
