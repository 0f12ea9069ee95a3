//! Sync scope and placement: what Entra Connect does not sync, what cannot be mastered where, mailboxes
//! left in both places after a move, and objects that sync will merge.

use crate::analysis::addresses::TenantDomains;
use crate::analysis::pairs::MailboxPair;
use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::{Recipient, RecipientType, Source};
use crate::rules::{Context, quoted_list};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for recipient in &cx.model.recipients {
        type_not_valid_for_source(recipient, out);
        if let Some(status) = recipient.move_status.as_ref().filter(|s| s.value == "CompletedWithWarnings") {
            out.push(
                Diagnostic::new(
                    Rule::MoveCompletedWithWarnings,
                    status.span,
                    format!("the last move of `{}` completed with warnings", recipient.name.value),
                )
                .primary_label("CompletedWithWarnings")
                .recipient(recipient.name.value.to_string())
                .note("a move that completes with warnings may have skipped its clean-up: the source mailbox can still be alive, leaving the mailbox in both locations with mail split between them (seed 000)")
                .help(format!(
                    "check with Get-MoveRequestStatistics {} -IncludeReport, and confirm the on-premises object is a remote mailbox (Get-RemoteMailbox) and not still a mailbox",
                    recipient.name.value
                )),
            );
        }
    }
    let Some(tenant) = &cx.derived.tenant else { return };
    if !tenant.hybrid {
        return;
    }
    dynamic_groups(cx, out);
    for pair in &cx.pairs.mailboxes {
        both_locations(cx, tenant, pair, out);
    }
    soft_matches(cx, out);
}

fn type_not_valid_for_source(recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let kind = recipient.kind();
    let (problem, help) = match recipient.source {
        Source::OnPremises if kind == RecipientType::GroupMailbox => (
            "Microsoft 365 groups exist only in Exchange Online; on-premises they appear only through group writeback, as a `MailUniversalDistributionGroup`",
            "set `source = \"cloud\"`, or describe the written-back object as a `MailUniversalDistributionGroup`",
        ),
        Source::Cloud if kind.is_remote_mailbox() => (
            "a remote mailbox is the on-premises object of a mailbox that lives in Exchange Online; in the cloud the same mailbox is a `UserMailbox` (or `SharedMailbox`, ...)",
            "remove `source = \"cloud\"`, or describe the cloud object with its cloud type",
        ),
        Source::Cloud if kind == RecipientType::LinkedMailbox => (
            "linked mailboxes (a mailbox whose user is in another forest) exist only on-premises",
            "remove `source = \"cloud\"`; in Exchange Online the mailbox is a `UserMailbox`",
        ),
        _ => return,
    };
    let (source, article) = if recipient.source == Source::Cloud { ("cloud", "a") } else { ("on-premises", "an") };
    let mut diagnostic = Diagnostic::new(
        Rule::TypeNotValidForSource,
        recipient.kind.span,
        format!("`{}` cannot be {article} {source} `{}`", recipient.name.value, kind.name()),
    )
    .primary_label(format!("not a {source} type"))
    .recipient(recipient.name.value.to_string())
    .note(problem)
    .help(help);
    if let Some(span) = recipient.source_span {
        diagnostic = diagnostic.label(span, "where the object is mastered");
    }
    out.push(diagnostic);
}

fn dynamic_groups(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let recipients = &cx.model.recipients;
    let help = "on the other side, use a cloud dynamic distribution group with the same filter, or a mail contact that points at this group's address";
    for recipient in recipients {
        if recipient.kind() == RecipientType::DynamicDistributionGroup
            && recipient.source == Source::OnPremises
            && let Some(synced) = recipient.synced.as_ref().filter(|s| s.value)
        {
            out.push(
                Diagnostic::new(
                    Rule::DynamicGroupSynced,
                    synced.span,
                    format!("dynamic distribution group `{}` is marked as synced", recipient.name.value),
                )
                .primary_label("`synced = true`")
                .recipient(recipient.name.value.to_string())
                .note("Entra Connect never syncs dynamic distribution groups: their membership is a query against the on-premises directory, so the group does not exist in Exchange Online (seed 001)")
                .help(help),
            );
        }
        // A dynamic group referenced across the sync boundary: from a synced group's members, or from any
        // object mastered on the other side.
        let references = recipient
            .members
            .iter()
            .map(|m| (m, "member"))
            .chain(recipient.forwarding_address.iter().map(|f| (f, "forwarding address")));
        for (reference, what) in references {
            let Some(target) = cx.derived.recipient_named(&reference.value).map(|i| &recipients[i]) else { continue };
            if target.kind() != RecipientType::DynamicDistributionGroup {
                continue;
            }
            let crosses = target.source != recipient.source || (recipient.kind().is_group() && recipient.is_synced());
            if !crosses {
                continue;
            }
            let (target_side, other_side) = match target.source {
                Source::OnPremises => ("on-premises", "Exchange Online"),
                Source::Cloud => ("Exchange Online", "on-premises"),
            };
            out.push(
                Diagnostic::new(
                    Rule::DynamicGroupSynced,
                    reference.span,
                    format!(
                        "`{}` has the dynamic distribution group `{}` as its {what}, but that group exists only {}",
                        recipient.name.value,
                        target.name.value,
                        if target_side == "on-premises" { "on-premises" } else { "in Exchange Online" }
                    ),
                )
                .primary_label(format!("a dynamic group that is not in {other_side}"))
                .label(target.name.span, format!("`{}`, never synced", target.name.value))
                .recipient(recipient.name.value.to_string())
                .note(format!(
                    "Entra Connect never syncs dynamic distribution groups in either direction, so in {other_side} this reference points at nothing: the {what} is dropped there (seed 001)"
                ))
                .help(help),
            );
        }
    }
}

fn both_locations(cx: &Context<'_>, tenant: &TenantDomains, pair: &MailboxPair, out: &mut Vec<Diagnostic>) {
    let on_premises = &cx.model.recipients[pair.on_premises as usize];
    let cloud = &cx.model.recipients[pair.cloud as usize];
    let ties: Vec<&str> = pair.ties.iter().map(|t| t.describe()).collect();
    let alias = on_premises.alias.as_ref().map_or("<alias>", |a| a.value.as_ref());
    let name = &on_premises.name.value;
    let steps = [
        format!("1. on-premises, forward `{name}` to the Exchange Online-only address {alias}@{}", tenant.routing),
        format!("2. export the on-premises mailbox to a PST file (New-MailboxExportRequest -Mailbox {name})"),
        "3. pause directory synchronization (Set-ADSyncScheduler -SyncCycleEnabled $false)".to_string(),
        "4. remove litigation hold or in-place holds from the on-premises mailbox, and wait up to 60 minutes for it to apply".to_string(),
        format!("5. Disable-Mailbox {name}"),
        format!("6. Enable-RemoteMailbox {name} -RemoteRoutingAddress {alias}@{}", tenant.routing),
        "7. resume directory synchronization (Set-ADSyncScheduler -SyncCycleEnabled $true) and run a sync cycle".to_string(),
        "8. import the PST into the Exchange Online mailbox".to_string(),
    ];
    let mut diagnostic = Diagnostic::new(
        Rule::MailboxInBothLocations,
        on_premises.kind.span,
        format!(
            "`{name}` has a mailbox on-premises and `{}` one in Exchange Online, with {}",
            cloud.name.value,
            english_list(&ties)
        ),
    )
    .primary_label("a mailbox hosted on-premises")
    .related(cloud.name.value.to_string())
    .label(cloud.kind.span, format!("`{}`: a mailbox hosted in Exchange Online", cloud.name.value))
    .recipient(name.to_string())
    .note("one person has two mailboxes: on-premises senders deliver to the on-premises mailbox and Exchange Online senders to the cloud one, so mail is split between them by sender. This is what a move that completed with warnings can leave behind (seed 000)");
    for (tie, (a, b)) in pair.ties.iter().zip(pair.ties.iter().map(|t| tie_spans(cx, *t, on_premises, cloud, pair))) {
        if let (Some(a), Some(b)) = (a, b) {
            diagnostic = diagnostic.label(a, tie.describe()).label(b, tie.describe());
        }
    }
    out.push(diagnostic.help(format!(
        "keep the Exchange Online mailbox and turn the on-premises one into a remote mailbox (seed 000):\n{}",
        steps.join("\n")
    )));

    for side in [on_premises, cloud] {
        if let Some(hold) = side.litigation_hold.as_ref().filter(|h| h.value) {
            out.push(
                Diagnostic::new(
                    Rule::LitigationHoldBlocksDisable,
                    hold.span,
                    format!("`{}` is on litigation hold, and is one side of a mailbox in both locations", side.name.value),
                )
                .primary_label("litigation hold")
                .label(on_premises.kind.span, format!("`{name}` must be disabled on-premises"))
                .recipient(side.name.value.to_string())
                .note("Disable-Mailbox fails on a mailbox on hold; the hold must be removed first, and the change takes up to 60 minutes to apply (seed 000). Export the mailbox to PST first, so nothing under hold is lost")
                .help(format!("export the mailbox, then Set-Mailbox {} -LitigationHoldEnabled $false, wait up to 60 minutes, then Disable-Mailbox", side.name.value)),
            );
        }
    }
}

/// "a, b and c"
fn english_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where each side shows the tie.
fn tie_spans(
    cx: &Context<'_>,
    tie: crate::analysis::pairs::Tie,
    a: &Recipient<'_>,
    b: &Recipient<'_>,
    pair: &MailboxPair,
) -> (Option<crate::source::Span>, Option<crate::source::Span>) {
    use crate::analysis::pairs::Tie;
    match tie {
        Tie::Upn => (a.upn.as_ref().map(|u| u.span), b.upn.as_ref().map(|u| u.span)),
        Tie::ExchangeGuid => (a.exchange_guid.as_ref().map(|g| g.span), b.exchange_guid.as_ref().map(|g| g.span)),
        Tie::PrimaryAddress => {
            let primary = cx.derived.primary_of(pair.on_premises as usize);
            let other = primary.and_then(|p| {
                cx.derived.addresses_of(pair.cloud as usize).iter().find(|o| o.text.eq_ignore_ascii_case(&p.text))
            });
            (primary.map(|p| p.span), other.map(|o| o.span))
        }
    }
}

fn soft_matches(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for soft in &cx.pairs.soft_matches {
        let on_premises = &cx.model.recipients[soft.on_premises as usize];
        let cloud = &cx.model.recipients[soft.cloud as usize];
        let (what, on_span, cloud_span) = if soft.by_upn {
            ("UPN", on_premises.upn.as_ref().map(|u| u.span), cloud.upn.as_ref().map(|u| u.span))
        } else {
            let text = soft.address.as_deref().unwrap_or("");
            let find = |i: u32| {
                cx.derived.addresses_of(i as usize).iter().find(|a| a.text.eq_ignore_ascii_case(text)).map(|a| a.span)
            };
            ("SMTP address", find(soft.on_premises), find(soft.cloud))
        };
        let value = if soft.by_upn {
            on_premises.upn.as_ref().map_or(String::new(), |u| u.value.to_string())
        } else {
            soft.address
                .as_deref()
                .map_or_else(String::new, |a| crate::model::address::ProxyAddress::parse(a).address.to_string())
        };
        let mut diagnostic = Diagnostic::new(
            Rule::SoftMatch,
            on_span.unwrap_or(on_premises.name.span),
            format!(
                "synced `{}` ({}) and cloud-only `{}` ({}) share the {what} `{value}`",
                on_premises.name.value,
                on_premises.kind().name(),
                cloud.name.value,
                cloud.kind().name()
            ),
        )
        .primary_label(format!("{what} of the on-premises object"))
        .related(cloud.name.value.to_string())
        .recipient(on_premises.name.value.to_string())
        .note(format!(
            "Entra Connect soft-matches a new on-premises object to an existing cloud-only object with the same {what}: the two become one object mastered on-premises, and the on-premises values overwrite the cloud ones ({} loses what was set in the cloud)",
            quoted_list(&[cloud.name.value.as_ref()])
        ))
        .help("if they are the same person or group, this merge may be intended: check the values that will be overwritten; otherwise give one of them another value");
        if let Some(span) = cloud_span {
            diagnostic = diagnostic.label(span, format!("{what} of cloud-only `{}`", cloud.name.value));
        }
        out.push(diagnostic);
    }
}
