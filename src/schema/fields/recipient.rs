//! The `[[recipient]]` table: one row per key, and everything that follows from it. The model builder
//! stores each key through its [`Slot`], organisation rules read values back out through the same slot,
//! OPATH filters and address-policy conditions find their properties here, and the importers map
//! Exchange properties and Active Directory attributes to keys with it. Adding a recipient key is a row
//! here and a field in [`crate::model::Recipient`].

use std::borrow::Cow;

use super::{Applies as A, Key, Kind as K, SOURCES, key, required};
use crate::model::{Recipient, RecipientType, SStr, Source};
use crate::source::{Span, Spanned};
use crate::util::FastMap;

/// Where a key's value lives in [`Recipient`].
#[derive(Clone, Copy)]
pub enum Slot {
    /// `name`, `type` and `source`: read first, since what the other keys mean depends on them.
    Identity(Identity),
    Str {
        set: for<'r, 'a> fn(&'r mut Recipient<'a>) -> &'r mut Option<SStr<'a>>,
        get: for<'r, 'a> fn(&'r Recipient<'a>) -> Option<&'r SStr<'a>>,
    },
    Strs {
        set: for<'r, 'a> fn(&'r mut Recipient<'a>) -> &'r mut Vec<SStr<'a>>,
        get: for<'r, 'a> fn(&'r Recipient<'a>) -> &'r [SStr<'a>],
    },
    Bool {
        set: for<'r, 'a> fn(&'r mut Recipient<'a>) -> &'r mut Option<Spanned<bool>>,
        get: for<'r, 'a> fn(&'r Recipient<'a>) -> Option<&'r Spanned<bool>>,
    },
    Date {
        set: for<'r, 'a> fn(&'r mut Recipient<'a>) -> &'r mut Option<Spanned<jiff::civil::Date>>,
        get: for<'r, 'a> fn(&'r Recipient<'a>) -> Option<&'r Spanned<jiff::civil::Date>>,
    },
    /// `allow = { rule = "reason" }`.
    RuleReasons,
    /// CustomAttribute1-15, kept sparse (most recipients have none): the number minus one.
    CustomAttribute(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    Name,
    Type,
    Source,
}

/// One `[[recipient]]` key.
pub struct Field {
    pub key: Key,
    pub slot: Slot,
    /// Exchange's names for the property (`Get-Recipient` columns, OPATH properties), first the usual one.
    pub exchange: &'static [&'static str],
    /// The Active Directory attribute (`ldifde` exports), for plain string values.
    pub ldap: Option<&'static str>,
    /// An OPATH `RecipientFilter` may test it.
    pub opath: bool,
    /// Address-policy `conditions` may test it.
    pub condition: bool,
    /// The longest value, in characters, that Active Directory (its schema's rangeUpper) or Exchange
    /// (the cmdlet's documented maximum) accepts.
    pub max_length: Option<(usize, Limit)>,
}

/// Who sets a length limit, for the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The attribute's rangeUpper in the Active Directory schema.
    RangeUpper,
    /// The maximum the Exchange cmdlets document for the parameter.
    Exchange,
}

const fn field(key: Key, slot: Slot) -> Field {
    Field { key, slot, exchange: &[], ldap: None, opath: false, condition: false, max_length: None }
}

impl Field {
    const fn exchange(mut self, names: &'static [&'static str]) -> Field {
        self.exchange = names;
        self
    }

    const fn ldap(mut self, attribute: &'static str) -> Field {
        self.ldap = Some(attribute);
        self
    }

    const fn opath(mut self) -> Field {
        self.opath = true;
        self
    }

    const fn condition(mut self) -> Field {
        self.condition = true;
        self
    }

    const fn max_length(mut self, characters: usize, limit: Limit) -> Field {
        self.max_length = Some((characters, limit));
        self
    }
}

macro_rules! slot {
    (str $field:ident) => {
        Slot::Str { set: |r| &mut r.$field, get: |r| r.$field.as_ref() }
    };
    (strs $field:ident) => {
        Slot::Strs { set: |r| &mut r.$field, get: |r| &r.$field }
    };
    (bool $field:ident) => {
        Slot::Bool { set: |r| &mut r.$field, get: |r| r.$field.as_ref() }
    };
    (date $field:ident) => {
        Slot::Date { set: |r| &mut r.$field, get: |r| r.$field.as_ref() }
    };
    // A field of `RareFields`.
    (rare str $field:ident) => {
        Slot::Str { set: |r| &mut r.rare_mut().$field, get: |r| r.$field() }
    };
    (rare strs $field:ident) => {
        Slot::Strs { set: |r| &mut r.rare_mut().$field, get: |r| r.$field() }
    };
    (rare bool $field:ident) => {
        Slot::Bool { set: |r| &mut r.rare_mut().$field, get: |r| r.$field() }
    };
}

macro_rules! custom_attributes {
    ($($n:literal),*) => {
        [$(field(
            key(concat!("custom_attribute_", $n), K::String, A::All, concat!("CustomAttribute", $n, " (extensionAttribute", $n, ")")),
            Slot::CustomAttribute($n - 1),
        )
        .exchange(&[concat!("CustomAttribute", $n)])
        .ldap(concat!("extensionAttribute", $n))
        .opath()
        .condition()
        .max_length(1024, Limit::Exchange)),*]
    };
}

const CUSTOM_ATTRIBUTES: [Field; 15] = custom_attributes!(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

const FIELDS: &[Field] = &[
    field(
        required("name", K::String, "Unique identity in the repository (Exchange `Name`), at most 64 characters"),
        Slot::Identity(Identity::Name),
    )
    .exchange(&["Name"])
    .opath(),
    field(
        required("type", K::OneOf(RecipientType::NAMES), "Exchange RecipientTypeDetails"),
        Slot::Identity(Identity::Type),
    )
    .exchange(&["RecipientTypeDetails"])
    .opath(),
    field(
        key("source", K::OneOf(SOURCES), A::All, "Where the object is mastered (default: on-premises)"),
        Slot::Identity(Identity::Source),
    ),
    field(
        key("synced", K::Bool, A::OnPremises, "Synced by Entra Connect (default true; dynamic groups never are)"),
        slot!(bool synced),
    ),
    field(key("upn", K::String, A::UserObjects, "userPrincipalName"), slot!(str upn))
        .exchange(&["UserPrincipalName", "WindowsLiveID"])
        .ldap("userPrincipalName")
        .opath(),
    field(key("alias", K::String, A::All, "Alias (mailNickname)"), slot!(str alias))
        .exchange(&["Alias"])
        .ldap("mailNickname")
        .opath(),
    field(key("mail", K::String, A::All, "The directory's `mail` attribute"), slot!(str mail)).ldap("mail"),
    field(key("display_name", K::String, A::All, "Display name (%d in address templates)"), slot!(str display_name))
        .exchange(&["DisplayName"])
        .ldap("displayName")
        .opath()
        .max_length(256, Limit::RangeUpper),
    field(key("given_name", K::String, A::All, "First name (%g)"), slot!(str given_name))
        .exchange(&["FirstName"])
        .ldap("givenName")
        .opath()
        .max_length(64, Limit::RangeUpper),
    field(key("surname", K::String, A::All, "Last name (%s)"), slot!(str surname))
        .exchange(&["LastName"])
        .ldap("sn")
        .opath()
        .max_length(64, Limit::RangeUpper),
    field(key("initials", K::String, A::All, "Initials (%i)"), slot!(rare str initials))
        .exchange(&["Initials"])
        .ldap("initials")
        .opath()
        .max_length(6, Limit::RangeUpper),
    field(key("department", K::String, A::All, "Department"), slot!(str department))
        .exchange(&["Department"])
        .ldap("department")
        .opath()
        .condition()
        .max_length(64, Limit::RangeUpper),
    field(key("company", K::String, A::All, "Company"), slot!(str company))
        .exchange(&["Company"])
        .ldap("company")
        .opath()
        .condition()
        .max_length(64, Limit::RangeUpper),
    field(key("state_or_province", K::String, A::All, "State or province"), slot!(rare str state_or_province))
        .exchange(&["StateOrProvince"])
        .ldap("st")
        .opath()
        .condition()
        .max_length(128, Limit::RangeUpper),
    field(
        key(
            "proxy_addresses",
            K::Strings,
            A::All,
            "proxyAddresses / EmailAddresses: `SMTP:` primary, `smtp:` secondary",
        ),
        slot!(strs proxy_addresses),
    )
    .exchange(&["EmailAddresses"]),
    field(
        key(
            "email_address_policy_enabled",
            K::Bool,
            A::OnPremises,
            "Whether email address policies stamp this recipient (default true)",
        ),
        slot!(bool email_address_policy_enabled),
    )
    .exchange(&["EmailAddressPolicyEnabled"]),
    field(
        key(
            "remote_routing_address",
            K::String,
            A::RemoteMailboxes,
            "RemoteRoutingAddress (targetAddress), `<alias>@<tenant>.mail.onmicrosoft.com`",
        ),
        slot!(str remote_routing_address),
    )
    .exchange(&["RemoteRoutingAddress"]),
    field(
        key("external_email_address", K::String, A::ExternalAddress, "ExternalEmailAddress"),
        slot!(str external_email_address),
    )
    .exchange(&["ExternalEmailAddress"]),
    field(key("exchange_guid", K::Guid, A::Mailboxes, "ExchangeGuid"), slot!(str exchange_guid))
        .exchange(&["ExchangeGuid"]),
    field(key("archive_guid", K::Guid, A::Mailboxes, "ArchiveGuid"), slot!(rare str archive_guid))
        .exchange(&["ArchiveGuid"]),
    field(key("archive", K::Bool, A::Mailboxes, "An archive is enabled"), slot!(rare bool archive)),
    field(
        key("licensed", K::Bool, A::Mailboxes, "An Exchange Online license is assigned to the user (default false)"),
        slot!(bool licensed),
    )
    .exchange(&["SKUAssigned"]),
    field(
        key(
            "provisioned",
            K::Date,
            A::HostedInExchangeOnline,
            "The day the cloud mailbox was provisioned or its move completed",
        ),
        slot!(date provisioned),
    )
    .exchange(&["WhenMailboxCreated"]),
    field(key("litigation_hold", K::Bool, A::Mailboxes, "LitigationHoldEnabled"), slot!(rare bool litigation_hold))
        .exchange(&["LitigationHoldEnabled"]),
    field(
        key("forwarding_smtp_address", K::String, A::Mailboxes, "ForwardingSmtpAddress"),
        slot!(rare str forwarding_smtp_address),
    )
    .exchange(&["ForwardingSmtpAddress"]),
    field(
        key("forwarding_address", K::String, A::Mailboxes, "ForwardingAddress: the `name` of another recipient"),
        slot!(rare str forwarding_address),
    ),
    field(key("members", K::Strings, A::StaticGroups, "Members, by recipient `name`"), slot!(rare strs members)),
    field(
        key(
            "move_status",
            K::String,
            A::Mailboxes,
            "Status of the last move request (Completed, CompletedWithWarnings, InProgress, ...)",
        ),
        slot!(rare str move_status),
    ),
    field(
        key("allow", K::RuleReasons, A::All, "Rules suppressed for this recipient: rule name -> reason"),
        Slot::RuleReasons,
    ),
];

/// Every `[[recipient]]` field, custom attributes last.
pub fn fields() -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().chain(CUSTOM_ATTRIBUTES.iter())
}

/// A `[[recipient]]` field by key (a hash lookup: this runs for every key of every recipient).
pub fn field_named(name: &str) -> Option<&'static Field> {
    static INDEX: std::sync::OnceLock<FastMap<&'static str, &'static Field>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| fields().map(|f| (f.key.name, f)).collect()).get(name).copied()
}

/// A `[[recipient]]` key by name.
pub fn recipient_key(name: &str) -> Option<&'static Key> {
    field_named(name).map(|f| &f.key)
}

/// Every `[[recipient]]` key, custom attributes included.
pub fn recipient_keys() -> impl Iterator<Item = &'static Key> {
    fields().map(|f| &f.key)
}

/// Recipient properties address-policy conditions may test.
pub fn condition_keys() -> impl Iterator<Item = &'static str> {
    fields().filter(|f| f.condition).map(|f| f.key.name)
}

/// The field an Exchange property (a `Get-Recipient` column, an OPATH property) fills, case-insensitively.
pub fn field_for_exchange(property: &str) -> Option<&'static Field> {
    fields().find(|f| f.exchange.iter().any(|p| p.eq_ignore_ascii_case(property)))
}

/// The field an Active Directory attribute fills, case-insensitively.
pub fn field_for_ldap(attribute: &str) -> Option<&'static Field> {
    fields().find(|f| f.ldap.is_some_and(|a| a.eq_ignore_ascii_case(attribute)))
}

/// One value of a field, with where it was written.
pub struct FieldValue<'v> {
    pub text: Cow<'v, str>,
    pub span: Span,
}

impl Field {
    /// The field's values on one recipient, as text (booleans `true`/`false`, dates `YYYY-MM-DD`).
    pub fn values<'v>(&self, r: &'v Recipient<'_>) -> Vec<FieldValue<'v>> {
        let text = |v: &'v SStr<'_>| FieldValue { text: Cow::Borrowed(v.value.as_ref()), span: v.span };
        let flag = |v: &Spanned<bool>| FieldValue {
            text: Cow::Borrowed(if v.value { "true" } else { "false" }),
            span: v.span,
        };
        match self.slot {
            Slot::Identity(Identity::Name) => vec![text(&r.name)],
            Slot::Identity(Identity::Type) => {
                vec![FieldValue { text: Cow::Borrowed(r.kind().name()), span: r.kind.span }]
            }
            Slot::Identity(Identity::Source) => vec![FieldValue {
                text: Cow::Borrowed(if r.source == Source::Cloud { "cloud" } else { "on-premises" }),
                span: r.source_span.unwrap_or(r.name.span),
            }],
            Slot::Str { get, .. } => get(r).map(text).into_iter().collect(),
            Slot::Strs { get, .. } => get(r).iter().map(text).collect(),
            Slot::Bool { get, .. } => get(r).map(flag).into_iter().collect(),
            Slot::Date { get, .. } => {
                get(r).map(|d| FieldValue { text: Cow::Owned(d.value.to_string()), span: d.span }).into_iter().collect()
            }
            Slot::RuleReasons => r
                .allow()
                .iter()
                .map(|(rule, _)| FieldValue { text: Cow::Borrowed(rule.value.as_ref()), span: rule.span })
                .collect(),
            Slot::CustomAttribute(i) => r.custom_attribute(i as usize + 1).map(text).into_iter().collect(),
        }
    }

    /// The field's one text value, for single-valued string fields (conditions, OPATH).
    pub fn text<'v>(&self, r: &'v Recipient<'_>) -> Option<&'v str> {
        match self.slot {
            Slot::Identity(Identity::Name) => Some(&r.name.value),
            Slot::Identity(Identity::Type) => Some(r.kind().name()),
            Slot::Str { get, .. } => get(r).map(|v| v.value.as_ref()),
            Slot::CustomAttribute(i) => r.custom_attribute(i as usize + 1).map(|v| v.value.as_ref()),
            _ => None,
        }
    }
}

/// Fields of organisation rules beyond the recipient keys, computed by the analysis.
pub const DERIVED_RULE_FIELDS: &[&str] = &["primary_smtp_address", "effective_addresses"];
const PARTS: &[&str] = &["domain", "local_part"];

/// Every field an organisation rule may name (without the `.domain` / `.local_part` parts).
pub fn rule_field_names() -> Vec<&'static str> {
    recipient_keys().map(|k| k.name).chain(DERIVED_RULE_FIELDS.iter().copied()).collect()
}

/// Whether `field` names a field an organisation rule may test; on error, the message and a help.
pub fn check_rule_field(field: &str) -> Result<(), (String, String)> {
    let (base, part) = match field.split_once('.') {
        Some((base, part)) => (base, Some(part)),
        None => (field, None),
    };
    let names = rule_field_names();
    if !names.contains(&base) {
        let hint = crate::util::suggest::hint(base, names.iter().copied());
        return Err((
            format!("`{base}` is not a field rules can test"),
            if hint.is_empty() {
                "fields are the recipient keys, `primary_smtp_address` and `effective_addresses`".into()
            } else {
                hint
            },
        ));
    }
    if let Some(part) = part
        && !PARTS.contains(&part)
    {
        return Err((format!("`.{part}` is not a part of a field"), "use `.domain` or `.local_part`".into()));
    }
    Ok(())
}
