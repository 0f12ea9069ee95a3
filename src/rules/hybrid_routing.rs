//! Hybrid routing: remote routing addresses, routing-domain proxies, ExchangeGuids and forwarding.
//! Off for a tenant without Entra Connect (`hybrid = false`).

use crate::analysis::pairs::{exchange_guid, is_on_premises_hosted_mailbox};
use crate::analysis::presence::Directories;
use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity};
use crate::model::TenantDomains;
use crate::model::address::{ProxyAddress, domain_of};
use crate::model::{Recipient, SStr};
use crate::rules::Context;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // GUID syntax matters in any tenant.
    for recipient in &cx.model.recipients {
        for guid in [&recipient.exchange_guid, &recipient.archive_guid].into_iter().flatten() {
            invalid_guid(recipient, guid, out);
        }
    }
    let Some(tenant) = &cx.derived.tenant else { return };
    if !tenant.hybrid {
        return;
    }
    // An ExchangeGuid must be unique where the objects meet: per GUID, its first holder in each directory.
    let mut guids: crate::util::FastMap<u128, [Option<usize>; 2]> = crate::util::FastMap::default();
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        if recipient.kind().is_remote_mailbox() {
            remote_routing(cx, index, recipient, out);
            missing_exchange_guid(recipient, out);
        }
        if is_on_premises_hosted_mailbox(recipient) && cx.presence.is_synced(index, recipient) {
            missing_routing_proxy(cx, index, recipient, out);
        }
        if let Some(guid) = exchange_guid(recipient) {
            // One person's two mailboxes is `mailbox-in-both-locations`.
            let explained = |a: usize, b: usize| cx.pairs.explains(a as u32, b as u32);
            let conflicts = cx.presence.conflicts_with_earlier(guids.entry(guid).or_default(), index, explained);
            for (first, directories) in conflicts {
                duplicate_guid(&cx.model.recipients[first], recipient, directories, out);
            }
        }
        forwarding(cx, index, recipient, out);
    }
}

fn invalid_guid(recipient: &Recipient<'_>, guid: &SStr<'_>, out: &mut Vec<Diagnostic>) {
    if uuid::Uuid::try_parse(guid.value.trim()).is_ok() {
        return;
    }
    out.push(
        Diagnostic::new(Rule::InvalidGuid, guid.span, format!("`{}` of `{}` is not a GUID", guid.value, recipient.name.value))
            .primary_label("not a GUID")
            .recipient(recipient.name.value.to_string())
            .note("ExchangeGuid and ArchiveGuid are GUIDs, written as in `Get-Mailbox | fl ExchangeGuid`: 32 hexadecimal digits in groups of 8-4-4-4-12")
            .help("copy the value from `Get-Mailbox <name> | fl ExchangeGuid,ArchiveGuid` (or `Get-RemoteMailbox`)"),
    );
}

/// The address part of a remote routing address (`SMTP:` prefix allowed).
fn bare(address: &str) -> &str {
    ProxyAddress::parse(address).address
}

fn remote_routing(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    let alias = recipient.alias.as_ref().map_or("<alias>", |a| a.value.as_ref());
    let Some(rra) = &recipient.remote_routing_address else {
        out.push(
            Diagnostic::new(
                Rule::MissingRemoteRoutingAddress,
                recipient.kind.span,
                format!("remote mailbox `{}` has no remote routing address", recipient.name.value),
            )
            .primary_label("a remote mailbox without `remote_routing_address`")
            .label(recipient.name.span, format!("`{}`", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note("on-premises Exchange routes mail for a remote mailbox to its RemoteRoutingAddress (targetAddress); without one, mail from on-premises senders to this mailbox is not delivered to Exchange Online")
            .help(format!("Set-RemoteMailbox {} -RemoteRoutingAddress {alias}@{}", recipient.name.value, tenant.routing)),
        );
        return;
    };
    if rra.value.starts_with("SMTP:") {
        let lower = format!("smtp:{}", &rra.value["SMTP:".len()..]);
        out.push(
            super::finding(Rule::RoutingAddressPrimary, cx.span_within(rra.span, &rra.value, 0.."SMTP:".len()), recipient, format!("remote routing address `{}` of `{}` has an upper-case `SMTP:` prefix", rra.value, recipient.name.value))
            .primary_label("upper-case prefix")
            .note("when email address policies are next applied to the recipient (the Hybrid Configuration Wizard does it), a targetAddress written as `SMTP:` becomes the primary SMTP address, and the former primary a secondary (\"Primary SMTP proxy address is replaced by targetAddress value in a hybrid environment\")")
            .help(format!("write the routing address with a lower-case prefix, or none: `{lower}`")),
        );
    }
    let address = bare(&rra.value);
    let Some(domain) = domain_of(address) else { return };
    let domain = domain.to_ascii_lowercase();
    if domain != tenant.routing && domain != tenant.coexistence {
        let fix =
            format!("Set-RemoteMailbox {} -RemoteRoutingAddress {alias}@{}", recipient.name.value, tenant.routing);
        let base = Diagnostic::new(
            Rule::RemoteRoutingDomain,
            rra.span,
            format!(
                "remote routing address `{address}` of `{}` is not in the routing domain `{}`",
                recipient.name.value, tenant.routing
            ),
        )
        .recipient(recipient.name.value.to_string())
        .help(fix);
        let diagnostic = if domain == tenant.initial {
            base.primary_label("the MOERA domain, not the routing domain").note(format!(
                "`{}` is the MOERA domain that Entra ID stamps on cloud objects; hybrid mail routing uses `{}`, the domain the Hybrid Configuration Wizard configures the send connector for. Mail routed to the MOERA domain is not delivered through the hybrid connectors",
                tenant.initial, tenant.routing
            ))
        } else if tenant.is_accepted(&domain) {
            base.primary_label("an accepted on-premises domain").note(format!(
                "`{domain}` is one of your accepted domains: on-premises Exchange resolves it itself, so mail for this remote mailbox loops back on-premises instead of reaching Exchange Online"
            ))
        } else {
            base.primary_label("not the routing domain").note(format!(
                "on-premises Exchange routes mail for remote mailboxes to `<alias>@{}`; another domain is not routed to this tenant's Exchange Online",
                tenant.routing
            ))
        };
        out.push(diagnostic);
        return;
    }
    let has_it = cx.derived.addresses_of(index).iter().any(|a| {
        let parsed = a.parsed();
        parsed.is_smtp() && parsed.address.eq_ignore_ascii_case(address)
    });
    if !has_it {
        out.push(
            Diagnostic::new(
                Rule::RemoteRoutingNotInProxies,
                rra.span,
                format!("remote routing address `{address}` of `{}` is not one of its proxy addresses", recipient.name.value),
            )
            .primary_label("not in proxy_addresses")
            .label(recipient.name.span, format!("`{}`", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note("the remote routing address must already be among the object's email addresses (seed 001); otherwise the cloud mailbox does not accept mail routed to it and mail from on-premises bounces")
            .help(format!("add \"smtp:{address}\" to `proxy_addresses`, or let an email address policy with a routing-domain template stamp it")),
        );
    }
}

fn missing_exchange_guid(recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let (span, problem) = match &recipient.exchange_guid {
        None => (recipient.kind.span, "has no ExchangeGuid"),
        Some(guid) => match uuid::Uuid::try_parse(guid.value.trim()) {
            Ok(parsed) if parsed.is_nil() => (guid.span, "has the all-zero ExchangeGuid"),
            _ => return,
        },
    };
    out.push(
        Diagnostic::new(Rule::MissingExchangeGuid, span, format!("remote mailbox `{}` {problem}", recipient.name.value))
            .primary_label(problem.trim_start_matches("has "))
            .label(recipient.name.span, format!("`{}`", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note("the on-premises remote mailbox must carry the cloud mailbox's ExchangeGuid: a move back on-premises (offboarding) fails with \"Cannot find a recipient that has mailbox GUID\" (seed 001)")
            .help(format!(
                "copy it from Exchange Online: Set-RemoteMailbox {} -ExchangeGuid (Get-Mailbox {} in Exchange Online).ExchangeGuid",
                recipient.name.value, recipient.name.value
            )),
    );
}

fn duplicate_guid(
    first: &Recipient<'_>,
    recipient: &Recipient<'_>,
    directories: Directories,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(guid), Some(first_guid)) = (&recipient.exchange_guid, &first.exchange_guid) else { return };
    out.push(
        super::same_value(Rule::DuplicateExchangeGuid, "ExchangeGuid", (recipient, guid), (first, first_guid.span), directories)
            .note("an ExchangeGuid identifies one mailbox; Exchange and Exchange Online resolve moves and mailbox lookups by it, so two objects with one GUID make moves and delivery pick either")
            .help("keep the GUID on the object that really is that mailbox, and give the other its own (copy it from Get-Mailbox)"),
    );
}

/// `move_status` says a move is queued, running or to be retried.
fn move_planned(recipient: &Recipient<'_>) -> bool {
    recipient.move_status.as_ref().is_some_and(|s| !s.value.starts_with("Completed"))
}

/// The recipient has an effective SMTP address in the routing domain, as a move to Exchange Online needs.
pub fn has_routing_address(cx: &Context<'_>, tenant: &TenantDomains, index: usize) -> bool {
    cx.derived.addresses_of(index).iter().any(|a| {
        let parsed = a.parsed();
        parsed.is_smtp()
            && parsed
                .domain()
                .is_some_and(|d| d.eq_ignore_ascii_case(&tenant.routing) || d.eq_ignore_ascii_case(&tenant.coexistence))
    })
}

fn missing_routing_proxy(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    if has_routing_address(cx, tenant, index) {
        return;
    }
    let alias = recipient.alias.as_ref().map_or("<alias>", |a| a.value.as_ref());
    let mut diagnostic = super::finding(Rule::MissingRoutingProxy, recipient.name.span, recipient, format!("mailbox `{}` has no address in the routing domain `{}`", recipient.name.value, tenant.routing))
    .primary_label("no routing-domain address")
    .note(format!(
        "a move to Exchange Online fails with \"The target mailbox doesn't have an smtp proxy matching '{}'\": the routing address becomes the remote routing address after the move",
        tenant.routing
    ))
    .help(format!("add \"smtp:{alias}@{}\", or let an email address policy with a routing-domain template stamp it", tenant.routing));
    if let Some(status) = recipient.move_status.as_ref().filter(|_| move_planned(recipient)) {
        diagnostic = diagnostic
            .severity_hint(Severity::Error)
            .label(status.span, format!("move status `{}`: a move is planned or running", status.value));
    }
    out.push(diagnostic);
}

fn forwarding(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    let own = |text: &str| {
        cx.derived.addresses_of(index).iter().any(|a| {
            let parsed = a.parsed();
            parsed.is_smtp() && parsed.address.eq_ignore_ascii_case(text)
        })
    };
    if let Some(target) = &recipient.forwarding_address
        && target.value.eq_ignore_ascii_case(&recipient.name.value)
    {
        out.push(loop_finding(recipient, target, "forwards to itself"));
    }
    let Some(target) = &recipient.forwarding_smtp_address else { return };
    let address = bare(&target.value);
    if own(address) {
        out.push(loop_finding(recipient, target, "forwards to one of its own addresses"));
        return;
    }
    if !is_on_premises_hosted_mailbox(recipient) {
        return;
    }
    let Some(domain) = domain_of(address) else { return };
    let domain = domain.to_ascii_lowercase();
    let in_accepted = tenant.accepted.contains(&domain);
    if !in_accepted {
        return;
    }
    let holders = cx.derived.holders_of(&format!("smtp:{address}"));
    let cloud_only =
        holders.iter().find(|&&h| !cx.presence.of(h as usize).on_premises).map(|&h| &cx.model.recipients[h as usize]);
    let replaced = cx.pairs.mailbox_pair_of(index as u32).filter(|p| p.on_premises == index as u32);
    let cloud_alias = |r: &Recipient<'_>| r.alias.as_ref().map_or("<alias>", |a| a.value.as_ref()).to_string();
    let (reason, target_alias) = match (cloud_only, replaced) {
        (Some(other), _) => (format!("`{}` exists only in Exchange Online", other.name.value), cloud_alias(other)),
        (None, Some(pair)) => {
            let other = &cx.model.recipients[pair.cloud as usize];
            (
                format!("`{}` also has a mailbox in Exchange Online (`{}`)", recipient.name.value, other.name.value),
                cloud_alias(other),
            )
        }
        (None, None) => return,
    };
    out.push(
        super::finding(Rule::ForwardingNotCloudAddress, target.span, recipient, format!("`{}` forwards to `{address}`, an accepted-domain address, but {reason}", recipient.name.value))
        .primary_label("resolved on-premises")
        .note("on-premises Exchange is authoritative for its accepted domains and resolves the address itself, so the forwarded mail never reaches the cloud mailbox, or comes straight back (seed 000)")
        .help(format!(
            "forward to the cloud-only address instead: {target_alias}@{} (or the MOERA {target_alias}@{})",
            tenant.routing, tenant.initial
        )),
    );
}

fn loop_finding(recipient: &Recipient<'_>, target: &SStr<'_>, what: &str) -> Diagnostic {
    Diagnostic::new(Rule::ForwardingLoop, target.span, format!("`{}` {what}", recipient.name.value))
        .primary_label("the mailbox itself")
        .label(recipient.name.span, format!("`{}`", recipient.name.value))
        .recipient(recipient.name.value.to_string())
        .note("Exchange delivers the message back to the same mailbox, which forwards it again; the loop stops only at the hop-count limit and the sender gets a non-delivery report")
        .help("remove the forwarding, or forward to another recipient")
}
