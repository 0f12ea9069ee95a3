//! The one internal model of a configuration repository. Built once by [`crate::schema::build`]; rules read only
//! this, never TOML types. Strings borrow from the source text where the TOML had no escapes.

pub mod address;
mod migration;
mod recipients;

pub use migration::{Certificate, MigrationBatch, MigrationEndpoint, OutlookAnywhere};
pub use recipients::Recipients;

use std::borrow::Cow;
use std::collections::HashSet;

use jiff::civil::Date;

use crate::source::{Span, Spanned};

pub type Str<'a> = Cow<'a, str>;
pub type SStr<'a> = Spanned<Str<'a>>;

/// The whole repository.
#[derive(Debug, Default)]
pub struct Model<'a> {
    pub tenant: Option<Tenant<'a>>,
    pub lint: LintSettings<'a>,
    /// In file order, then in the order written.
    pub recipients: Recipients<'a>,
    pub policies: Vec<AddressPolicy<'a>>,
    /// Organisation rules (`[[rule]]`).
    pub custom_rules: Vec<CustomRule<'a>>,
    pub migration_endpoints: Vec<MigrationEndpoint<'a>>,
    pub migration_batches: Vec<MigrationBatch<'a>>,
    /// Files whose content could not be read into the model (syntax errors): findings that depend on
    /// the whole repository say so.
    pub incomplete_files: Vec<crate::source::FileId>,
}

#[derive(Debug)]
pub struct Tenant<'a> {
    pub span: Span,
    pub name: SStr<'a>,
    pub accepted_domains: Vec<SStr<'a>>,
    /// `verified_domains`, when the tenant's verified domains differ from the accepted ones.
    pub verified_domains: Option<Vec<SStr<'a>>>,
    pub routing_domain: Option<SStr<'a>>,
    pub hybrid: bool,
}

impl Tenant<'_> {
    /// `<tenant>.onmicrosoft.com`: the initial (MOERA) domain.
    pub fn initial_domain(&self) -> String {
        format!("{}.onmicrosoft.com", self.name.value.to_ascii_lowercase())
    }

    /// `<tenant>.mail.onmicrosoft.com` unless `routing_domain` overrides it.
    pub fn routing_domain(&self) -> String {
        match &self.routing_domain {
            Some(domain) => domain.value.to_ascii_lowercase(),
            None => format!("{}.mail.onmicrosoft.com", self.name.value.to_ascii_lowercase()),
        }
    }
}

/// The tenant's domains, lowercased.
#[derive(Debug)]
pub struct TenantDomains {
    pub name: String,
    pub hybrid: bool,
    pub accepted: HashSet<String>,
    /// Verified in the Microsoft 365 tenant: `[tenant] verified_domains`, else the accepted ones.
    pub verified: HashSet<String>,
    /// `<tenant>.onmicrosoft.com`
    pub initial: String,
    /// `<tenant>.mail.onmicrosoft.com`, or `[tenant] routing_domain`
    pub routing: String,
    /// `<tenant>.mail.onmicrosoft.com` always
    pub coexistence: String,
}

impl TenantDomains {
    pub fn of(t: &Tenant<'_>) -> TenantDomains {
        let lower = |domains: &[SStr<'_>]| domains.iter().map(|d| d.value.to_ascii_lowercase()).collect();
        let accepted: HashSet<String> = lower(&t.accepted_domains);
        TenantDomains {
            name: t.name.value.to_ascii_lowercase(),
            hybrid: t.hybrid,
            verified: t.verified_domains.as_deref().map_or_else(|| accepted.clone(), lower),
            accepted,
            initial: t.initial_domain(),
            routing: t.routing_domain(),
            coexistence: format!("{}.mail.onmicrosoft.com", t.name.value.to_ascii_lowercase()),
        }
    }

    /// Verified in the tenant: listed, or one of the tenant's own onmicrosoft domains (which Microsoft
    /// verifies). UPN suffixes and licensed mailboxes' addresses must be in one.
    pub fn is_verified(&self, domain: &str) -> bool {
        [&self.initial, &self.coexistence].into_iter().chain(&self.verified).any(|d| d.eq_ignore_ascii_case(domain))
    }

    /// Accepted: listed, or one of the tenant's own onmicrosoft domains.
    pub fn is_accepted(&self, domain: &str) -> bool {
        // Tenants have a handful of domains: comparing in place beats lowercasing a copy on every call.
        [&self.initial, &self.routing, &self.coexistence]
            .into_iter()
            .chain(&self.accepted)
            .any(|d| d.eq_ignore_ascii_case(domain))
    }
}

#[derive(Debug, Default)]
pub struct LintSettings<'a> {
    pub include: Vec<SStr<'a>>,
    pub exclude: Vec<SStr<'a>>,
    pub today: Option<Spanned<Date>>,
    pub license_grace_days: Option<Spanned<i64>>,
    pub grace_warning_days: Option<Spanned<i64>>,
    pub max_proxy_addresses: Option<Spanned<i64>>,
    /// `[lint.rules]`: rule name -> severity (`None` = off).
    pub rules: Vec<(SStr<'a>, Spanned<Option<crate::diag::Severity>>)>,
    /// `[[lint.exception]]`: suppressions kept outside the recipient files.
    pub exceptions: Vec<Exception<'a>>,
}

/// One `[[lint.exception]]`.
#[derive(Debug)]
pub struct Exception<'a> {
    pub span: Span,
    pub rule: SStr<'a>,
    /// Globs on recipient names (case-insensitive).
    pub recipients: Vec<SStr<'a>>,
    /// Globs on file paths relative to the root.
    pub files: Vec<SStr<'a>>,
    pub reason: SStr<'a>,
    pub expires: Option<Spanned<Date>>,
}

impl LintSettings<'_> {
    /// The Exchange Online license grace period (`license_grace_days`, default 30).
    pub fn grace_days(&self) -> i64 {
        self.license_grace_days.as_ref().map_or(30, |d| d.value)
    }

    /// `too-many-proxy-addresses` fires above this many proxy addresses (`max_proxy_addresses`, default 300).
    pub fn max_proxy_addresses(&self) -> usize {
        self.max_proxy_addresses.as_ref().map_or(300, |m| m.value.max(0) as usize)
    }

    /// How long before the end of grace `license-grace-active` is a warning (`grace_warning_days`, default 7).
    pub fn grace_warning_days(&self) -> i64 {
        self.grace_warning_days.as_ref().map_or(7, |d| d.value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    OnPremises,
    Cloud,
}

macro_rules! recipient_types {
    ($($variant:ident),* $(,)?) => {
        /// Exchange `RecipientTypeDetails`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RecipientType { $($variant),* }

        impl RecipientType {
            pub const ALL: &'static [RecipientType] = &[$(RecipientType::$variant),*];
            pub const NAMES: &'static [&'static str] = &[$(stringify!($variant)),*];

            pub fn name(self) -> &'static str {
                match self { $(RecipientType::$variant => stringify!($variant)),* }
            }

            pub fn parse(text: &str) -> Option<RecipientType> {
                match text { $(stringify!($variant) => Some(RecipientType::$variant),)* _ => None }
            }
        }
    };
}

recipient_types!(
    UserMailbox,
    SharedMailbox,
    RoomMailbox,
    EquipmentMailbox,
    LinkedMailbox,
    RemoteUserMailbox,
    RemoteSharedMailbox,
    RemoteRoomMailbox,
    RemoteEquipmentMailbox,
    MailUser,
    MailContact,
    MailUniversalDistributionGroup,
    MailUniversalSecurityGroup,
    RoomList,
    DynamicDistributionGroup,
    GroupMailbox,
);

impl RecipientType {
    pub fn is_remote_mailbox(self) -> bool {
        use RecipientType::*;
        matches!(self, RemoteUserMailbox | RemoteSharedMailbox | RemoteRoomMailbox | RemoteEquipmentMailbox)
    }

    /// Every kind of mailbox, wherever it is hosted.
    pub fn is_mailbox(self) -> bool {
        use RecipientType::*;
        self.is_remote_mailbox()
            || matches!(
                self,
                UserMailbox | SharedMailbox | RoomMailbox | EquipmentMailbox | LinkedMailbox | GroupMailbox
            )
    }

    /// Objects with a userPrincipalName: every mailbox type and `MailUser`.
    pub fn is_user_object(self) -> bool {
        (self.is_mailbox() && self != RecipientType::GroupMailbox) || self == RecipientType::MailUser
    }

    pub fn is_group(self) -> bool {
        use RecipientType::*;
        matches!(
            self,
            MailUniversalDistributionGroup
                | MailUniversalSecurityGroup
                | RoomList
                | DynamicDistributionGroup
                | GroupMailbox
        )
    }

    /// The kind of directory object: Entra Connect joins only objects of the same kind.
    pub fn object_class(self) -> ObjectClass {
        if self.is_group() {
            ObjectClass::Group
        } else if self == RecipientType::MailContact {
            ObjectClass::Contact
        } else {
            ObjectClass::User
        }
    }

    /// Types that have an ExternalEmailAddress.
    pub fn has_external_address(self) -> bool {
        matches!(self, RecipientType::MailUser | RecipientType::MailContact)
    }
}

/// The kind of directory object a recipient is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectClass {
    User,
    Group,
    Contact,
}

impl ObjectClass {
    pub fn name(self) -> &'static str {
        match self {
            ObjectClass::User => "user",
            ObjectClass::Group => "group",
            ObjectClass::Contact => "contact",
        }
    }
}

/// One `[[recipient]]`.
#[derive(Debug)]
pub struct Recipient<'a> {
    /// The `[[recipient]]` table as a whole.
    pub span: Span,
    pub name: SStr<'a>,
    pub kind: Spanned<RecipientType>,
    pub source: Source,
    pub source_span: Option<Span>,
    pub synced: Option<Spanned<bool>>,
    pub upn: Option<SStr<'a>>,
    pub alias: Option<SStr<'a>>,
    pub mail: Option<SStr<'a>>,
    pub display_name: Option<SStr<'a>>,
    pub given_name: Option<SStr<'a>>,
    pub surname: Option<SStr<'a>>,
    pub department: Option<SStr<'a>>,
    pub company: Option<SStr<'a>>,
    pub proxy_addresses: Vec<SStr<'a>>,
    pub email_address_policy_enabled: Option<Spanned<bool>>,
    pub remote_routing_address: Option<SStr<'a>>,
    pub external_email_address: Option<SStr<'a>>,
    pub exchange_guid: Option<SStr<'a>>,
    pub licensed: Option<Spanned<bool>>,
    pub provisioned: Option<Spanned<Date>>,
    /// The keys few recipients set, out of line: a million recipients do not each carry their empty
    /// slots (read them through the methods of the same names).
    pub rare: Option<Box<RareFields<'a>>>,
}

/// The `[[recipient]]` keys few recipients set.
#[derive(Debug, Default)]
pub struct RareFields<'a> {
    pub initials: Option<SStr<'a>>,
    pub state_or_province: Option<SStr<'a>>,
    /// CustomAttribute1-15 that are set, as (number - 1, value).
    pub custom_attributes: Vec<(u8, SStr<'a>)>,
    pub archive_guid: Option<SStr<'a>>,
    pub archive: Option<Spanned<bool>>,
    pub litigation_hold: Option<Spanned<bool>>,
    pub forwarding_smtp_address: Option<SStr<'a>>,
    pub forwarding_address: Option<SStr<'a>>,
    pub members: Vec<SStr<'a>>,
    pub move_status: Option<SStr<'a>>,
    /// `allow = { rule = "reason" }`.
    pub allow: Vec<(SStr<'a>, SStr<'a>)>,
}

impl<'a> Recipient<'a> {
    /// The rare fields, to be set.
    pub fn rare_mut(&mut self) -> &mut RareFields<'a> {
        self.rare.get_or_insert_with(Default::default)
    }

    fn rare_str<'r>(&'r self, field: impl Fn(&'r RareFields<'a>) -> Option<&'r SStr<'a>>) -> Option<&'r SStr<'a>> {
        self.rare.as_deref().and_then(field)
    }

    fn rare_bool<'r>(
        &'r self,
        field: impl Fn(&'r RareFields<'a>) -> Option<&'r Spanned<bool>>,
    ) -> Option<&'r Spanned<bool>> {
        self.rare.as_deref().and_then(field)
    }

    pub fn initials(&self) -> Option<&SStr<'a>> {
        self.rare_str(|r| r.initials.as_ref())
    }

    pub fn state_or_province(&self) -> Option<&SStr<'a>> {
        self.rare_str(|r| r.state_or_province.as_ref())
    }

    pub fn custom_attributes(&self) -> &[(u8, SStr<'a>)] {
        self.rare.as_deref().map_or(&[], |r| &r.custom_attributes)
    }

    pub fn archive_guid(&self) -> Option<&SStr<'a>> {
        self.rare_str(|r| r.archive_guid.as_ref())
    }

    pub fn archive(&self) -> Option<&Spanned<bool>> {
        self.rare_bool(|r| r.archive.as_ref())
    }

    pub fn litigation_hold(&self) -> Option<&Spanned<bool>> {
        self.rare_bool(|r| r.litigation_hold.as_ref())
    }

    pub fn forwarding_smtp_address(&self) -> Option<&SStr<'a>> {
        self.rare_str(|r| r.forwarding_smtp_address.as_ref())
    }

    pub fn forwarding_address(&self) -> Option<&SStr<'a>> {
        self.rare_str(|r| r.forwarding_address.as_ref())
    }

    pub fn members(&self) -> &[SStr<'a>] {
        self.rare.as_deref().map_or(&[], |r| &r.members)
    }

    pub fn move_status(&self) -> Option<&SStr<'a>> {
        self.rare_str(|r| r.move_status.as_ref())
    }

    /// `allow = { rule = "reason" }`.
    pub fn allow(&self) -> &[(SStr<'a>, SStr<'a>)] {
        self.rare.as_deref().map_or(&[], |r| &r.allow)
    }
}

impl<'a> Recipient<'a> {
    pub fn new(span: Span, name: SStr<'a>, kind: Spanned<RecipientType>) -> Self {
        Recipient {
            span,
            name,
            kind,
            source: Source::OnPremises,
            source_span: None,
            synced: None,
            upn: None,
            alias: None,
            mail: None,
            display_name: None,
            given_name: None,
            surname: None,
            department: None,
            company: None,
            proxy_addresses: Vec::new(),
            email_address_policy_enabled: None,
            remote_routing_address: None,
            external_email_address: None,
            exchange_guid: None,
            licensed: None,
            provisioned: None,
            rare: None,
        }
    }

    /// CustomAttribute`n` (1-15).
    pub fn custom_attribute(&self, n: usize) -> Option<&SStr<'a>> {
        self.custom_attributes().iter().find(|(i, _)| *i as usize + 1 == n).map(|(_, v)| v)
    }

    pub fn kind(&self) -> RecipientType {
        self.kind.value
    }

    /// The mailbox lives in Exchange Online: every `Remote*Mailbox`, and every cloud-mastered mailbox.
    pub fn is_hosted_in_exchange_online(&self) -> bool {
        let kind = self.kind();
        kind.is_remote_mailbox() || (self.source == Source::Cloud && kind.is_mailbox())
    }

    pub fn is_licensed(&self) -> bool {
        self.licensed.as_ref().is_some_and(|l| l.value)
    }
}

/// The last day of the grace period: `provisioned` plus `grace_days`.
pub fn grace_end(provisioned: Date, grace_days: i64) -> Option<Date> {
    provisioned.checked_add(jiff::ToSpan::days(grace_days)).ok()
}

/// `include` precanned recipient scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludedRecipients {
    AllRecipients,
    MailboxUsers,
    Resources,
    MailUsers,
    MailContacts,
    MailGroups,
}

impl IncludedRecipients {
    pub const NAMES: &'static [&'static str] =
        &["AllRecipients", "MailboxUsers", "Resources", "MailUsers", "MailContacts", "MailGroups"];

    pub fn parse(text: &str) -> Option<IncludedRecipients> {
        use IncludedRecipients::*;
        Some(match text {
            "AllRecipients" => AllRecipients,
            "MailboxUsers" => MailboxUsers,
            "Resources" => Resources,
            "MailUsers" => MailUsers,
            "MailContacts" => MailContacts,
            "MailGroups" => MailGroups,
            _ => return None,
        })
    }
}

/// Address-policy conditions: each property's values are ORed, properties are ANDed.
#[derive(Debug, Default)]
pub struct PolicyConditions<'a> {
    pub span: Option<Span>,
    /// (property key, accepted values); property keys as in `[[recipient]]` (`department`, ...).
    pub properties: Vec<(SStr<'a>, Vec<SStr<'a>>)>,
}

/// One `[[email_address_policy]]`.
#[derive(Debug)]
pub struct AddressPolicy<'a> {
    pub span: Span,
    pub name: SStr<'a>,
    pub priority: Option<Spanned<i64>>,
    pub default: Option<Spanned<bool>>,
    pub include: Vec<Spanned<IncludedRecipients>>,
    pub include_span: Option<Span>,
    pub conditions: PolicyConditions<'a>,
    pub recipient_filter: Option<SStr<'a>>,
    pub templates: Vec<SStr<'a>>,
    pub source: Source,
    pub source_span: Option<Span>,
}

impl AddressPolicy<'_> {
    pub fn is_default(&self) -> bool {
        self.default.as_ref().is_some_and(|d| d.value)
    }
}

/// One organisation rule (`[[rule]]`, SPEC 5): a selection of recipients and one constraint.
#[derive(Debug)]
pub struct CustomRule<'a> {
    pub span: Span,
    pub name: SStr<'a>,
    pub severity: crate::diag::Severity,
    pub summary: SStr<'a>,
    pub explanation: Option<SStr<'a>>,
    pub help: Option<SStr<'a>>,
    pub select: RuleSelect<'a>,
    pub constraint: Constraint<'a>,
}

/// Which recipients a custom rule looks at; every list is globs, any of which may match.
#[derive(Debug, Default)]
pub struct RuleSelect<'a> {
    pub types: Vec<SStr<'a>>,
    pub names: Vec<SStr<'a>>,
    pub files: Vec<SStr<'a>>,
    pub source: Option<Source>,
}

#[derive(Debug)]
pub enum Constraint<'a> {
    /// No value of the field matches any of the globs.
    Deny { field: SStr<'a>, globs: Vec<SStr<'a>> },
    /// The field has a value (and, with globs, one of its values matches one of them).
    Require { field: SStr<'a>, globs: Vec<SStr<'a>> },
    /// The field's values are unique across the selected recipients (case-insensitive).
    Unique { field: SStr<'a> },
    /// No value of the field is longer than `max` characters.
    MaxLength { field: SStr<'a>, max: Spanned<i64> },
}

impl<'a> Constraint<'a> {
    pub fn field(&self) -> &SStr<'a> {
        match self {
            Constraint::Deny { field, .. }
            | Constraint::Require { field, .. }
            | Constraint::Unique { field }
            | Constraint::MaxLength { field, .. } => field,
        }
    }
}
