//! The cloud view: what Entra ID and Exchange Online compute from a synced object's on-premises values
//! ("proxy calculation", KB3190357 as revised in 2023; SPEC 2.5). Rules that reason about the cloud side
//! use these functions rather than their own copies of the logic.

use crate::address::{ProxyAddress, domain_is_within, local_part_of};
use crate::derive::{Derived, TenantDomains};
use crate::model::Recipient;

/// Why the cloud discards an on-premises proxy address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// `*.onmicrosoft.com` (other than the routing domain) or `*.microsoftonline.com`: Microsoft's
    /// reserved suffixes, which only the service itself stamps.
    ReservedDomain(&'static str),
    /// An X500 address of Microsoft Online's own organisation (`/o=MicrosoftOnline`).
    MicrosoftOnlineX500,
    /// `MSMAIL:` and `X400:` addresses are legacy types Exchange Online does not keep.
    LegacyType,
    /// Malformed (no `TYPE:` prefix, whitespace, ...).
    Malformed,
    /// A licensed mailbox's address in a domain the tenant has not verified.
    UnverifiedDomain,
}

impl DropReason {
    pub fn explain(self) -> String {
        match self {
            DropReason::ReservedDomain(suffix) => format!(
                "addresses on `*.{suffix}` are reserved for the service; the cloud removes them from synced objects and stamps its own"
            ),
            DropReason::MicrosoftOnlineX500 => {
                "X500 addresses of `/o=MicrosoftOnline` belong to the service's own organisation and are removed".into()
            }
            DropReason::LegacyType => "MSMAIL and X400 are legacy address types that Exchange Online does not keep".into(),
            DropReason::Malformed => "the value is not a well-formed proxy address".into(),
            DropReason::UnverifiedDomain => {
                "the domain is not verified in the tenant, and Exchange Online removes such addresses from licensed mailboxes".into()
            }
        }
    }
}

/// The cloud's mailNickname: the on-premises alias, else the local part of the primary SMTP address,
/// else the prefix of the UPN (SPEC 2.5; seed 003 scenarios 1-3).
pub fn mail_nickname<'r>(recipient: &'r Recipient<'_>, primary: Option<&'r str>) -> Option<&'r str> {
    if let Some(alias) = &recipient.alias {
        return Some(&alias.value);
    }
    if let Some(primary) = primary {
        return Some(local_part_of(ProxyAddress::parse(primary).address));
    }
    if let Some(mail) = &recipient.mail {
        return Some(local_part_of(&mail.value));
    }
    recipient.upn.as_ref().map(|upn| local_part_of(&upn.value))
}

/// The MOERA the cloud gives an object, `mailNickname@<tenant>.onmicrosoft.com`, before any collision.
pub fn moera(recipient: &Recipient<'_>, derived: &Derived<'_>, index: usize) -> Option<String> {
    let tenant = derived.tenant.as_ref()?;
    let primary = derived.primary_of(index).map(|a| a.text.as_ref());
    Some(format!("{}@{}", mail_nickname(recipient, primary)?, tenant.initial))
}

/// Whether (and why) the cloud discards this on-premises address of a synced recipient.
/// `moera` is the object's own MOERA, which the cloud adds back itself and so is not lost.
pub fn discard_reason(
    address: &ProxyAddress<'_>,
    recipient: &Recipient<'_>,
    tenant: &TenantDomains,
    moera: Option<&str>,
) -> Option<DropReason> {
    let Some(prefix) = address.prefix else { return Some(DropReason::Malformed) };
    if prefix.eq_ignore_ascii_case("msmail") || prefix.eq_ignore_ascii_case("x400") {
        return Some(DropReason::LegacyType);
    }
    if prefix.eq_ignore_ascii_case("x500") {
        let dn = address.address.to_ascii_lowercase();
        let dn: String = dn.chars().filter(|c| !c.is_whitespace()).collect();
        return dn.starts_with("/o=microsoftonline").then_some(DropReason::MicrosoftOnlineX500);
    }
    if !address.is_smtp() {
        return None;
    }
    let domain = address.domain()?;
    // The coexistence domain is kept even when another routing domain is configured: hybrid moves use it.
    if domain.eq_ignore_ascii_case(&tenant.routing) || domain.eq_ignore_ascii_case(&tenant.coexistence) {
        return None;
    }
    if domain_is_within(domain, "onmicrosoft.com") {
        let is_own_moera = moera.is_some_and(|m| m.eq_ignore_ascii_case(address.address));
        return (!is_own_moera).then_some(DropReason::ReservedDomain("onmicrosoft.com"));
    }
    if domain_is_within(domain, "microsoftonline.com") {
        return Some(DropReason::ReservedDomain("microsoftonline.com"));
    }
    if recipient.is_licensed() && !tenant.is_accepted(domain) {
        return Some(DropReason::UnverifiedDomain);
    }
    None
}
