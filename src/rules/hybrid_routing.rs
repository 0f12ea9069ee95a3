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
        for guid in [recipient.exchange_guid.as_ref(), recipient.archive_guid()].into_iter().flatten() {
            invalid_guid(recipient, guid, out);
        }
    }
    let Some(tenant) = &cx.derived.tenant else { return };
    if !tenant.hybrid {
        return;
    }
    // An ExchangeGuid must be unique where the objects meet: per GUID, its first holder in each directory.
    let mut guids: crate::util::FastMap<u128, [Option<usize>; 2]> =
        crate::util::FastMap::with_capacity_and_hasher(cx.model.recipients.len(), Default::default());
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        if recipient.kind().is_remote_mailbox() {
            remote_routing(cx, index, recipient, out);
            missing_exchange_guid(recipient, out);
            missing_archive_guid(recipient, out);
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
            .note("ExchangeGuid and ArchiveGuid are GUIDs, as the Exchange cmdlets print them: 32 hexadecimal digits in groups of 8-4-4-4-12, such as d5a0bd9b-4e95-49b5-9736-14fde1eec1e3")
            .help(format!("copy the value as Exchange prints it, {}", guid_lookup(recipient, "ExchangeGuid,ArchiveGuid"))),
    );
}

/// The command that prints a recipient's GUIDs, where they live: the Exchange Online mailbox for a remote
/// or cloud mailbox, the on-premises one otherwise.
fn guid_lookup(recipient: &Recipient<'_>, properties: &str) -> String {
    let id = super::ps_quote(super::identity(recipient));
    let shell = if recipient.kind().is_remote_mailbox() || recipient.source == crate::model::Source::Cloud {
        "Exchange Online PowerShell"
    } else {
        "the Exchange Management Shell"
    };
    format!("in {shell}:\nGet-Mailbox -Identity {id} | Format-List {properties}")
}

/// The address part of a remote routing address (`SMTP:` prefix allowed).
fn bare(address: &str) -> &str {
    ProxyAddress::parse(address).address
}

fn remote_routing(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    let set_routing = format!(
        "Set-RemoteMailbox -Identity {} -RemoteRoutingAddress {}",
        super::ps_quote(super::identity(recipient)),
        super::ps_quote(&format!("{}@{}", super::routing_local_part(cx, index, recipient), tenant.routing))
    );
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
            .help(format!("on-premises, in the Exchange Management Shell:\n{set_routing}")),
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
        let fix = format!("on-premises, in the Exchange Management Shell:\n{set_routing}");
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
            .note("the remote routing address must already be among the object's email addresses (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog); otherwise the cloud mailbox does not accept mail routed to it and mail from on-premises bounces")
            .help(format!("add \"smtp:{address}\" to `proxy_addresses`, or let an email address policy with a routing-domain template stamp it")),
        );
    }
}

fn missing_exchange_guid(recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some((span, problem)) = missing_guid(recipient.exchange_guid.as_ref(), recipient.kind.span, "ExchangeGuid")
    else {
        return;
    };
    let id = super::ps_quote(super::identity(recipient));
    out.push(
        Diagnostic::new(Rule::MissingExchangeGuid, span, format!("remote mailbox `{}` {problem}", recipient.name.value))
            .primary_label(problem.trim_start_matches("has "))
            .label(recipient.name.span, format!("`{}`", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note("the on-premises remote mailbox must carry the cloud mailbox's ExchangeGuid: a move back on-premises (offboarding) fails with \"Cannot find a recipient that has mailbox GUID\" (\"(MigrationPermanentException Cannot find a recipient that has mailbox GUID) error when moving mailboxes\")")
            .help(format!(
                "print the GUID in Exchange Online PowerShell:\nGet-Mailbox -Identity {id} | Format-List ExchangeGuid\nthen stamp it on-premises, in the Exchange Management Shell:\nSet-RemoteMailbox -Identity {id} -ExchangeGuid \"<the ExchangeGuid printed above>\""
            )),
    );
}

/// A remote mailbox with an archive needs the archive's ArchiveGuid on-premises, as it needs the
/// mailbox's ExchangeGuid.
fn missing_archive_guid(recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(archive) = recipient.archive().filter(|a| a.value) else { return };
    let Some((span, problem)) = missing_guid(recipient.archive_guid(), archive.span, "ArchiveGuid") else {
        return;
    };
    let id = super::ps_quote(super::identity(recipient));
    out.push(
        Diagnostic::new(
            Rule::MissingExchangeGuid,
            span,
            format!("remote mailbox `{}` has an archive and {}", recipient.name.value, problem.trim_start_matches("has ")),
        )
        .primary_label(problem.trim_start_matches("has "))
        .label(recipient.name.span, format!("`{}`", recipient.name.value))
        .recipient(recipient.name.value.to_string())
        .note("the on-premises remote mailbox must carry its archive's ArchiveGuid as well as the mailbox's ExchangeGuid: on-premises Exchange generates the ArchiveGuid and Entra Connect syncs it to Exchange Online (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog), and a move back on-premises looks the archive up by it")
        .help(format!(
            "if the archive was enabled on-premises (Enable-RemoteMailbox with -Archive), the value is in Active Directory: describe it in `archive_guid`. Otherwise print it in Exchange Online PowerShell:\nGet-Mailbox -Identity {id} | Format-List ArchiveGuid\nand stamp it on-premises with Microsoft support's guidance, since the cmdlet reference marks -ArchiveGuid \"reserved for internal Microsoft use\":\nSet-RemoteMailbox -Identity {id} -ArchiveGuid \"<the ArchiveGuid printed above>\""
        )),
    );
}

/// Where a remote mailbox lacks a GUID (`what`): not written (at `missing`), or the all-zero one.
fn missing_guid(
    guid: Option<&SStr<'_>>,
    missing: crate::source::Span,
    what: &str,
) -> Option<(crate::source::Span, String)> {
    match guid {
        None => Some((missing, format!("has no {what}"))),
        Some(guid) => match uuid::Uuid::try_parse(guid.value.trim()) {
            Ok(parsed) if parsed.is_nil() => Some((guid.span, format!("has the all-zero {what}"))),
            _ => None,
        },
    }
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
            .help(format!("keep the GUID on the object that really is that mailbox, and give the other its own; the mailbox's real GUID is shown {}", guid_lookup(recipient, "ExchangeGuid"))),
    );
}

/// `move_status` says a move is queued, running or to be retried.
fn move_planned(recipient: &Recipient<'_>) -> bool {
    recipient.move_status().is_some_and(|s| !s.value.starts_with("Completed"))
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
    let routing = format!("{}@{}", super::routing_local_part(cx, index, recipient), tenant.routing);
    let mut diagnostic = super::finding(Rule::MissingRoutingProxy, recipient.name.span, recipient, format!("mailbox `{}` has no address in the routing domain `{}`", recipient.name.value, tenant.routing))
    .primary_label("no routing-domain address")
    .note(format!(
        "a move to Exchange Online fails with \"The target mailbox doesn't have an smtp proxy matching '{}'\": the routing address becomes the remote routing address after the move",
        tenant.routing
    ))
    .help(format!("add \"smtp:{routing}\" to `proxy_addresses`, or give the email address policy that stamps the mailbox the template \"smtp:%m@{}\"", tenant.routing));
    if let Some(status) = recipient.move_status().filter(|_| move_planned(recipient)) {
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
    if let Some(target) = recipient.forwarding_address()
        && target.value.eq_ignore_ascii_case(&recipient.name.value)
    {
        out.push(loop_finding(recipient, target, "forwards to itself"));
    }
    let Some(target) = recipient.forwarding_smtp_address() else { return };
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
    let cloud_only = holders.iter().map(|&h| h as usize).find(|&h| !cx.presence.of(h).on_premises);
    let replaced = cx.pairs.mailbox_pair_of(index as u32).filter(|p| p.on_premises == index as u32);
    // A cloud-only mailbox surely has its MOERA; the cloud side of a mailbox in both locations came from a
    // move or a licence and has the routing-domain address the remediation routes to.
    let (reason, forward_to) = match (cloud_only, replaced) {
        (Some(other), _) => {
            let local = super::routing_local_part(cx, other, &cx.model.recipients[other]);
            (
                format!("`{}` exists only in Exchange Online", cx.model.recipients[other].name.value),
                format!("{local}@{}", tenant.initial),
            )
        }
        (None, Some(pair)) => {
            let other = &cx.model.recipients[pair.cloud as usize];
            let local = super::routing_local_part(cx, pair.cloud as usize, other);
            (
                format!("`{}` also has a mailbox in Exchange Online (`{}`)", recipient.name.value, other.name.value),
                format!("{local}@{}", tenant.routing),
            )
        }
        (None, None) => return,
    };
    out.push(
        super::finding(Rule::ForwardingNotCloudAddress, target.span, recipient, format!("`{}` forwards to `{address}`, an accepted-domain address, but {reason}", recipient.name.value))
        .primary_label("resolved on-premises")
        .note("on-premises Exchange is authoritative for its accepted domains and resolves the address itself, so the forwarded mail never reaches the cloud mailbox, or comes straight back; only an address in a domain that routes to Exchange Online (the routing domain or the MOERA's) leaves the organisation")
        .help(format!(
            "forward to the cloud mailbox's cloud-only address instead:\nSet-Mailbox -Identity {} -ForwardingSmtpAddress {}",
            super::ps_quote(super::identity(recipient)),
            super::ps_quote(&forward_to)
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
