//! Address rules over every recipient's effective address set (explicit, external and generated):
//! uniqueness, primary address, syntax, domains, what sync drops, and Entra's size limit.

use crate::address::{check_proxy_address, check_smtp_address, domain_is_within};
use crate::cloud;
use crate::derive::{EffectiveAddress, Origin};
use crate::diagnostic::Diagnostic;
use crate::model::{Recipient, Source};
use crate::rules::{Context, Rule, quoted_list};

/// Entra ID's limit on SMTP addresses per object before it is treated as a large object.
const MAX_SMTP_ADDRESSES: usize = 300;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    duplicates(cx, out);
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        let addresses = cx.derived.addresses_of(index);
        for address in addresses {
            invalid(cx, recipient, address, out);
        }
        primary_count(cx, index, recipient, out);
        primary_domain(cx, index, recipient, out);
        too_many(recipient, addresses, out);
        dropped_by_sync(cx, index, recipient, out);
    }
}

/// How to name an address's role on its recipient in a label.
fn role(address: &EffectiveAddress<'_>, recipient: &Recipient<'_>) -> String {
    let what = if address.parsed().is_primary() { "the primary address" } else { "an address" };
    match address.origin {
        Origin::Explicit => format!("{what} of `{}`", recipient.name.value),
        Origin::ExternalAddress => format!("the external address of `{}`, its primary", recipient.name.value),
    }
}

fn duplicates(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let recipients = &cx.model.recipients;
    for group in cx.derived.repeated_addresses() {
        // Within one recipient: every repeat after the first.
        for (position, &id) in group.iter().enumerate() {
            let address = cx.derived.address(id);
            if let Some(&earlier) =
                group[..position].iter().find(|&&e| cx.derived.address(e).recipient == address.recipient)
            {
                let recipient = &recipients[address.recipient as usize];
                out.push(
                    Diagnostic::new(
                        Rule::DuplicateProxyAddressInRecipient,
                        address.span,
                        format!("`{}` is listed twice in `{}`", address.text, recipient.name.value),
                    )
                    .primary_label("repeated here")
                    .label(cx.derived.address(earlier).span, "first listed here")
                    .recipient(recipient.name.value.to_string())
                    .note("proxy addresses compare case-insensitively, type included; Exchange keeps one copy")
                    .help("remove the repeated entry"),
                );
            }
        }

        // Across recipients: one finding per address, on the second holder, labelling every other.
        let mut holders: Vec<u32> = Vec::new();
        let mut first_of_holder: Vec<u32> = Vec::new();
        for &id in &group {
            let recipient = cx.derived.address(id).recipient;
            if !holders.contains(&recipient) {
                holders.push(recipient);
                first_of_holder.push(id);
            }
        }
        if holders.len() < 2 {
            continue;
        }
        let reported = cx.derived.address(first_of_holder[1]);
        let owner = &recipients[reported.recipient as usize];
        let names: Vec<&str> = holders.iter().map(|&h| recipients[h as usize].name.value.as_ref()).collect();
        let mut diagnostic = Diagnostic::new(
            Rule::DuplicateProxyAddress,
            reported.span,
            format!("proxy address `{}` is used by {} recipients", reported.text, holders.len()),
        )
        .primary_label(role(reported, owner))
        .recipient(owner.name.value.to_string());
        for &id in first_of_holder.iter().filter(|&&id| id != first_of_holder[1]) {
            let address = cx.derived.address(id);
            diagnostic = diagnostic
                .label(address.span, format!("also {}", role(address, &recipients[address.recipient as usize])));
        }
        let smtp = reported.parsed();
        let upn_holder = holders
            .iter()
            .map(|&h| &recipients[h as usize])
            .find(|r| r.upn.as_ref().is_some_and(|u| smtp.is_smtp() && u.value.eq_ignore_ascii_case(smtp.address)));
        let group_holder = holders.iter().map(|&h| &recipients[h as usize]).find(|r| r.kind().is_group());
        diagnostic = match (upn_holder, group_holder) {
            (Some(user), Some(group)) => diagnostic.note(format!(
                "`{}` has this address as its UPN and `{}` is a group: Entra ID does not quarantine this conflict; the export fails with a ProxyAddress conflict error on every sync cycle until it is resolved (seed 004, known issues)",
                user.name.value, group.name.value
            )),
            _ => diagnostic.note(format!(
                "a proxy address must be unique across users, groups and contacts. On-premises Exchange refuses to stamp it twice; in Entra ID, whichever of {} syncs second has the address quarantined (removed from the object and listed in its DirSyncProvisioningErrors), so mail to it reaches only the first (seed 004)",
                quoted_list(&names)
            )),
        };
        out.push(diagnostic.help("keep the address on one recipient and remove it from the others"));
    }
}

fn invalid(cx: &Context<'_>, recipient: &Recipient<'_>, address: &EffectiveAddress<'_>, out: &mut Vec<Diagnostic>) {
    let (result, what, offset) = match address.origin {
        Origin::Explicit => (check_proxy_address(&address.text), "proxy address", 0),
        Origin::ExternalAddress => {
            // The value as written, without any `SMTP:` prefix.
            let written = recipient.external_email_address.as_ref().map_or("", |e| e.value.as_ref());
            let bare = crate::address::ProxyAddress::parse(written);
            (check_smtp_address(bare.address), "external email address", written.len() - bare.address.len())
        }
    };
    let Err(problem) = result else { return };
    let written: &str = match address.origin {
        Origin::Explicit => &address.text,
        Origin::ExternalAddress => recipient.external_email_address.as_ref().map_or("", |e| e.value.as_ref()),
    };
    let span = match &problem.at {
        Some(at) => cx.span_within(address.span, written, at.start + offset..at.end + offset),
        None => address.span,
    };
    out.push(
        Diagnostic::new(
            Rule::InvalidProxyAddress,
            span,
            format!("{what} `{written}` of `{}` {}", recipient.name.value, problem.message),
        )
        .primary_label("invalid here")
        .label(recipient.name.span, format!("`{}`", recipient.name.value))
        .recipient(recipient.name.value.to_string())
        .note("on-premises Exchange refuses to save a malformed address, and Entra ID discards malformed values from proxyAddresses when the object syncs")
        .help("write it as `TYPE:value`, e.g. `smtp:first.last@contoso.com`, with no spaces or brackets"),
    );
}

fn primary_count(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let primaries: Vec<&EffectiveAddress<'_>> = cx.derived.primaries_of(index).collect();
    match primaries.len() {
        0 => {
            if gets_primary_elsewhere(cx, recipient) {
                return;
            }
            out.push(
                Diagnostic::new(
                    Rule::PrimarySmtpCount,
                    recipient.name.span,
                    format!("`{}` has no primary SMTP address", recipient.name.value),
                )
                .primary_label("no `SMTP:` address")
                .recipient(recipient.name.value.to_string())
                .note("a mail-enabled recipient needs exactly one `SMTP:` (capital letters) address: it is the sender address and the `mail` attribute; without one, Exchange cannot mail-enable the object")
                .help("add one address with the `SMTP:` prefix, or enable an email address policy for it"),
            );
        }
        1 => {}
        n => {
            let mut diagnostic = Diagnostic::new(
                Rule::PrimarySmtpCount,
                primaries[1].span,
                format!("`{}` has {n} primary SMTP addresses", recipient.name.value),
            )
            .primary_label("a second `SMTP:` address")
            .recipient(recipient.name.value.to_string());
            for (i, other) in primaries.iter().enumerate().filter(|(i, _)| *i != 1) {
                let label = if i == 0 { "first `SMTP:` address" } else { "another `SMTP:` address" };
                diagnostic = diagnostic.label(other.span, label);
            }
            out.push(
                diagnostic
                    .note("`SMTP:` in capitals marks the one primary address; Exchange keeps only one and demotes the others to secondary, so which one wins is not up to you")
                    .help("keep `SMTP:` on the intended primary and write the others as `smtp:`"),
            );
        }
    }
}

/// A recipient without an `SMTP:` address of its own still gets one: cloud-mastered objects from
/// Exchange Online, on-premises ones from an email address policy (until policies are evaluated, any
/// policy in the repository is assumed to cover an opted-in recipient).
fn gets_primary_elsewhere(cx: &Context<'_>, recipient: &Recipient<'_>) -> bool {
    match recipient.source {
        Source::Cloud => true,
        Source::OnPremises => {
            let opted_in = recipient.email_address_policy_enabled.as_ref().is_none_or(|e| e.value);
            opted_in && cx.model.policies.iter().any(|p| p.source == Source::OnPremises)
        }
    }
}

fn primary_domain(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    let Some(primary) = cx.derived.primary_of(index) else { return };
    if primary.origin == Origin::ExternalAddress || is_own_external_address(recipient, primary) {
        return;
    }
    let parsed = primary.parsed();
    let Some(domain) = parsed.domain() else { return };
    if crate::address::check_smtp_address(parsed.address).is_err() {
        return; // invalid-proxy-address says what is wrong
    }
    if !tenant.is_accepted(domain) {
        let at = primary.text.len() - domain.len();
        out.push(
            Diagnostic::new(
                Rule::PrimaryDomainNotAccepted,
                cx.span_within(primary.span, &primary.text, at..primary.text.len()),
                format!("primary address `{}` of `{}` is in `{domain}`, which is not an accepted domain", parsed.address, recipient.name.value),
            )
            .primary_label("not an accepted domain")
            .label(recipient.name.span, format!("`{}`", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note("Exchange only sends as, and receives for, accepted domains; for a licensed mailbox Exchange Online also drops addresses in unverified domains, so the object would lose its primary address in the cloud")
            .help(format!("use an address in an accepted domain ({}), or add `{domain}` to `[tenant] accepted_domains` once it is verified", quoted_list(&tenant.accepted.iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>()))),
        );
    } else if domain_is_within(domain, "onmicrosoft.com") {
        out.push(
            Diagnostic::new(
                Rule::OnmicrosoftPrimary,
                primary.span,
                format!("primary address `{}` of `{}` is on `{domain}`", parsed.address, recipient.name.value),
            )
            .primary_label("an onmicrosoft.com primary address")
            .recipient(recipient.name.value.to_string())
            .note("Exchange Online throttles mail sent from `*.onmicrosoft.com` addresses, and recipients see the tenant's technical name rather than the organisation's domain")
            .help("make an address in one of your own accepted domains the primary (`SMTP:`), and keep the onmicrosoft.com address as a secondary (`smtp:`)"),
        );
    }
}

/// A mail user's or contact's explicit primary that is its own external address (the usual case for a
/// contact) is exempt from the accepted-domain rule, as when it comes from `external_email_address`.
fn is_own_external_address(recipient: &Recipient<'_>, primary: &EffectiveAddress<'_>) -> bool {
    let Some(external) = &recipient.external_email_address else { return false };
    let external = crate::address::ProxyAddress::parse(&external.value).address;
    recipient.kind().has_external_address() && primary.parsed().address.eq_ignore_ascii_case(external)
}

fn too_many(recipient: &Recipient<'_>, addresses: &[EffectiveAddress<'_>], out: &mut Vec<Diagnostic>) {
    let smtp: Vec<&EffectiveAddress<'_>> = addresses.iter().filter(|a| a.parsed().is_smtp()).collect();
    if smtp.len() <= MAX_SMTP_ADDRESSES {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::TooManyProxyAddresses,
            smtp[MAX_SMTP_ADDRESSES].span,
            format!("`{}` has {} SMTP addresses; Entra ID handles at most {MAX_SMTP_ADDRESSES}", recipient.name.value, smtp.len()),
        )
        .primary_label(format!("address number {}", MAX_SMTP_ADDRESSES + 1))
        .label(recipient.name.span, format!("`{}`", recipient.name.value))
        .recipient(recipient.name.value.to_string())
        .note("objects with more than 300 SMTP proxy addresses are large objects for Entra Connect: their export fails or the extra addresses are not synced")
        .help("remove addresses that are no longer used, or spread them over additional recipients"),
    );
}

fn dropped_by_sync(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    if !tenant.hybrid || !recipient.is_synced() {
        return;
    }
    let moera = cloud::moera(recipient, cx.derived, index);
    for address in cx.derived.addresses_of(index) {
        let parsed = address.parsed();
        let Some(reason) = cloud::discard_reason(&parsed, recipient, tenant, moera.as_deref()) else { continue };
        if reason == cloud::DropReason::Malformed || check_proxy_address(&address.text).is_err() {
            continue; // reported as invalid-proxy-address
        }
        out.push(
            Diagnostic::new(
                Rule::AddressDroppedBySync,
                address.span,
                format!("`{}` of `{}` will be dropped when it syncs to Entra ID", address.text, recipient.name.value),
            )
            .primary_label("discarded by the cloud")
            .label(recipient.name.span, format!("`{}`, synced by Entra Connect", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note(format!("{}: the object exists in Exchange Online without it, and mail to it that reaches the cloud bounces (KB3190357)", reason.explain()))
            .help("remove the address on-premises, or, for a domain, verify it and add it to `[tenant] accepted_domains`"),
        );
    }
}
