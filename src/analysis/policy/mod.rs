//! Email address policies evaluated as Exchange evaluates them (SPEC 2.4): policies in priority order,
//! the default policy last; for each on-premises recipient with policies enabled, the first policy whose
//! scope matches applies, and only that one. In Exchange Online, policies apply only to Microsoft 365
//! groups (`GroupMailbox`).

pub mod filter;
pub mod template;

use crate::model::{AddressPolicy, IncludedRecipients, Recipient, RecipientType, Source};
use filter::{Filter, FilterError};
use template::{Template, TemplateError};

/// A policy with its templates and filter parsed once.
pub struct CompiledPolicy<'m> {
    /// Index in `Model::policies`.
    pub index: usize,
    pub policy: &'m AddressPolicy<'m>,
    /// One per `templates` entry, in order.
    pub templates: Vec<Result<Template, TemplateError>>,
    pub filter: Option<Result<Filter, FilterError>>,
}

/// Why a policy's scope does not take a recipient. Cheap to compute: policies are evaluated for every
/// recipient, and the message is only built when someone shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    CloudPolicyNotGroup,
    CloudObject,
    FilterDoesNotMatch,
    FilterInvalid,
    TypeNotIncluded,
    /// The condition at this index of `conditions.properties`.
    Condition(usize),
}

impl CompiledPolicy<'_> {
    /// Whether this policy's scope takes the recipient, and if not, why (as a sentence).
    pub fn scope_rejects(&self, recipient: &Recipient<'_>) -> Option<String> {
        self.rejection(recipient).map(|rejection| self.describe(rejection, recipient))
    }

    /// Whether this policy's scope takes the recipient, and if not, why.
    pub fn rejection(&self, recipient: &Recipient<'_>) -> Option<Rejection> {
        let policy = self.policy;
        if policy.source == Source::Cloud {
            return match (recipient.source, recipient.kind()) {
                (Source::Cloud, RecipientType::GroupMailbox) => None,
                _ => Some(Rejection::CloudPolicyNotGroup),
            };
        }
        if recipient.source == Source::Cloud {
            return Some(Rejection::CloudObject);
        }
        if policy.is_default() {
            return None;
        }
        if let Some(filter) = &self.filter {
            return match filter {
                Ok(filter) if filter.matches(recipient) => None,
                Ok(_) => Some(Rejection::FilterDoesNotMatch),
                Err(_) => Some(Rejection::FilterInvalid),
            };
        }
        if !policy.include.is_empty() && !policy.include.iter().any(|i| includes(i.value, recipient.kind())) {
            return Some(Rejection::TypeNotIncluded);
        }
        for (index, (property, values)) in policy.conditions.properties.iter().enumerate() {
            let actual = recipient.condition_value(&property.value);
            if !values.is_empty() && !values.iter().any(|v| actual.is_some_and(|a| a.eq_ignore_ascii_case(&v.value))) {
                return Some(Rejection::Condition(index));
            }
        }
        None
    }

    fn describe(&self, rejection: Rejection, recipient: &Recipient<'_>) -> String {
        let policy = self.policy;
        match rejection {
            Rejection::CloudPolicyNotGroup => {
                "cloud policies apply only to Microsoft 365 groups created in the cloud".into()
            }
            Rejection::CloudObject => "on-premises policies do not apply to objects mastered in the cloud".into(),
            Rejection::FilterDoesNotMatch => "its recipient filter does not match".into(),
            Rejection::FilterInvalid => "its recipient filter is invalid, so it matches nothing".into(),
            Rejection::TypeNotIncluded => {
                let names: Vec<&str> =
                    policy.include.iter().map(|i| IncludedRecipients::NAMES[i.value as usize]).collect();
                format!("`{}` is not in its scope ({})", recipient.kind().name(), names.join(", "))
            }
            Rejection::Condition(index) => {
                let (property, values) = &policy.conditions.properties[index];
                let actual = recipient.condition_value(&property.value);
                let wanted: Vec<&str> = values.iter().map(|v| v.value.as_ref()).collect();
                format!(
                    "its condition `{}` wants {} and the recipient has {}",
                    property.value,
                    wanted.join(" or "),
                    actual.map_or_else(|| "none".to_string(), |a| format!("`{a}`"))
                )
            }
        }
    }

    /// The parsed primary (`SMTP:`) template, when there is exactly one valid one.
    pub fn primary_template(&self) -> Option<(usize, &Template)> {
        let mut primaries = self.templates.iter().enumerate().filter_map(|(i, t)| t.as_ref().ok().map(|t| (i, t)));
        let mut found = primaries.by_ref().filter(|(_, t)| t.primary);
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

/// Which recipient types a precanned `include` value covers (as Exchange classes them).
pub fn includes(scope: IncludedRecipients, kind: RecipientType) -> bool {
    use RecipientType::*;
    match scope {
        IncludedRecipients::AllRecipients => kind != GroupMailbox,
        IncludedRecipients::MailboxUsers => matches!(kind, UserMailbox | SharedMailbox | LinkedMailbox),
        IncludedRecipients::Resources => matches!(kind, RoomMailbox | EquipmentMailbox),
        IncludedRecipients::MailUsers => kind == MailUser || kind.is_remote_mailbox(),
        IncludedRecipients::MailContacts => kind == MailContact,
        IncludedRecipients::MailGroups => {
            matches!(
                kind,
                MailUniversalDistributionGroup | MailUniversalSecurityGroup | DynamicDistributionGroup | RoomList
            )
        }
    }
}

/// All policies, compiled, in evaluation order.
pub struct Policies<'m> {
    pub compiled: Vec<CompiledPolicy<'m>>,
    /// Indexes into `compiled` in the order Exchange evaluates them: by priority, policies without a
    /// priority after those with one, the (first) default policy last.
    pub order: Vec<usize>,
}

impl<'m> Policies<'m> {
    pub fn new(policies: &'m [AddressPolicy<'m>]) -> Policies<'m> {
        let compiled: Vec<CompiledPolicy<'m>> = policies
            .iter()
            .enumerate()
            .map(|(index, policy)| CompiledPolicy {
                index,
                policy,
                templates: policy.templates.iter().map(|t| template::parse(&t.value)).collect(),
                filter: policy.recipient_filter.as_ref().map(|f| filter::parse(&f.value)),
            })
            .collect();
        let mut order: Vec<usize> = (0..compiled.len()).filter(|&i| !compiled[i].policy.is_default()).collect();
        order.sort_by_key(|&i| (compiled[i].policy.priority.as_ref().map_or(i64::MAX, |p| p.value), i));
        if let Some(default) = (0..compiled.len()).find(|&i| compiled[i].policy.is_default()) {
            order.push(default);
        }
        Policies { compiled, order }
    }

    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }

    /// The policy that stamps this recipient's addresses, if any (index into `compiled`).
    pub fn applicable(&self, recipient: &Recipient<'_>) -> Option<usize> {
        if !recipient.email_address_policies_enabled() {
            return None;
        }
        self.order.iter().copied().find(|&i| self.compiled[i].rejection(recipient).is_none())
    }
}

impl Recipient<'_> {
    /// Whether address policies stamp this recipient (`email_address_policy_enabled`, default true).
    pub fn email_address_policies_enabled(&self) -> bool {
        self.email_address_policy_enabled.as_ref().is_none_or(|e| e.value)
    }

    /// The value of a property that address-policy conditions test (`department`, `custom_attribute_3`, ...).
    pub fn condition_value(&self, key: &str) -> Option<&str> {
        crate::schema::fields::recipient::field_named(key).filter(|f| f.condition)?.text(self)
    }

    /// The names address templates read.
    pub fn template_names(&self) -> template::Names<'_> {
        fn field<'r>(f: &'r Option<crate::model::SStr<'_>>) -> Option<&'r str> {
            f.as_ref().map(|v| v.value.as_ref())
        }
        template::Names {
            given_name: field(&self.given_name),
            surname: field(&self.surname),
            initials: self.initials().map(|v| v.value.as_ref()),
            display_name: field(&self.display_name),
            alias: field(&self.alias),
        }
    }
}
