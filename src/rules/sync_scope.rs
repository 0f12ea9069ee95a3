//! Sync scope and placement: what Entra Connect does not sync, what cannot be mastered where, mailboxes
//! left in both places after a move, and objects that sync will merge.

use crate::analysis::pairs::MailboxPair;
use crate::analysis::presence::Directory;
use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::TenantDomains;
use crate::model::{Recipient, RecipientType, SStr, Source};
use crate::rules::{Context, quoted_list};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for recipient in &cx.model.recipients {
        type_not_valid_for_source(recipient, out);
        if let Some(status) = recipient.move_status().filter(|s| s.value == "CompletedWithWarnings") {
            out.push(
                super::finding(Rule::MoveCompletedWithWarnings, status.span, recipient, format!("the last move of `{}` completed with warnings", recipient.name.value))
                .primary_label("CompletedWithWarnings")
                .note("a move that completes with warnings may have skipped its clean-up: the source mailbox can still be alive, leaving the mailbox in both locations with mail split between them (\"User can still access their on-premises mailbox after it is moved to Exchange Online in a hybrid deployment\")")
                .help(format!(
                    "read the move report, then confirm that the on-premises object is now a remote mailbox and not still a mailbox:\nGet-MoveRequestStatistics -Identity {id} -IncludeReport\nGet-RemoteMailbox -Identity {id}",
                    id = super::ps_quote(super::identity(recipient))
                )),
            );
        }
    }
    let Some(tenant) = &cx.derived.tenant else { return };
    if !tenant.hybrid {
        return;
    }
    dynamic_groups(cx, out);
    references(cx, out);
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
    let mut diagnostic = super::finding(
        Rule::TypeNotValidForSource,
        recipient.kind.span,
        recipient,
        format!("`{}` cannot be {article} {source} `{}`", recipient.name.value, kind.name()),
    )
    .primary_label(format!("not a {source} type"))
    .note(problem)
    .help(help);
    if let Some(span) = recipient.source_span {
        diagnostic = diagnostic.label(span, "where the object is mastered");
    }
    out.push(diagnostic);
}

/// A dynamic group marked as synced: Entra Connect never syncs one.
fn dynamic_groups(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for recipient in &cx.model.recipients {
        if recipient.kind() == RecipientType::DynamicDistributionGroup
            && recipient.source == Source::OnPremises
            && let Some(synced) = recipient.synced.as_ref().filter(|s| s.value)
        {
            out.push(
                super::finding(Rule::DynamicGroupSynced, synced.span, recipient, format!("dynamic distribution group `{}` is marked as synced", recipient.name.value))
                .primary_label("`synced = true`")
                .note("Entra Connect never syncs dynamic distribution groups: their membership is a query against the on-premises directory, so the group does not exist in Exchange Online")
                .help(DYNAMIC_GROUP_HELP),
            );
        }
    }
}

/// Members and forwarding addresses name objects that must exist where the reference is mastered: an
/// on-premises group's members and an on-premises mailbox's forwarding address on-premises, a cloud
/// group's and a cloud mailbox's in the cloud. A dynamic group on the wrong side is
/// `dynamic-group-synced`; any other object is `reference-across-directories`.
fn references(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let recipients = &cx.model.recipients;
    for (index, recipient) in recipients.iter().enumerate() {
        let kept_in = match recipient.source {
            Source::OnPremises => Directory::OnPremises,
            Source::Cloud => Directory::Cloud,
        };
        let references = recipient
            .members()
            .iter()
            .map(|m| (m, "member"))
            .chain(recipient.forwarding_address().map(|f| (f, "forwarding address")));
        for (reference, what) in references {
            let Some(target_index) = cx.derived.recipient_named(&reference.value) else { continue };
            let target = &recipients[target_index];
            let missing_where_kept = !cx.presence.of(target_index).contains(kept_in);
            if target.kind() == RecipientType::DynamicDistributionGroup {
                // A synced group's members are also its members in the cloud, where the dynamic group is not.
                let synced_group = recipient.kind().is_group() && cx.presence.is_synced(index, recipient);
                if missing_where_kept || synced_group {
                    out.push(dynamic_group_reference(recipient, target, reference, what));
                }
            } else if missing_where_kept {
                out.push(reference_across(cx, recipient, target, target_index, reference, what, kept_in));
            }
        }
    }
}

fn dynamic_group_reference(
    recipient: &Recipient<'_>,
    target: &Recipient<'_>,
    reference: &SStr<'_>,
    what: &str,
) -> Diagnostic {
    let (target_side, other_side) = match target.source {
        Source::OnPremises => ("on-premises", "Exchange Online"),
        Source::Cloud => ("in Exchange Online", "on-premises"),
    };
    Diagnostic::new(
        Rule::DynamicGroupSynced,
        reference.span,
        format!(
            "`{}` has the dynamic distribution group `{}` as its {what}, but that group exists only {target_side}",
            recipient.name.value, target.name.value
        ),
    )
    .primary_label(format!("a dynamic group that is not in {other_side}"))
    .label(target.name.span, format!("`{}`, never synced", target.name.value))
    .recipient(recipient.name.value.to_string())
    .note(format!(
        "Entra Connect never syncs dynamic distribution groups in either direction, so in {other_side} this reference points at nothing: the {what} is dropped there"
    ))
    .help(DYNAMIC_GROUP_HELP)
}

const DYNAMIC_GROUP_HELP: &str = "on the other side, use a cloud dynamic distribution group with the same filter, or a mail contact that points at this group's address";

fn reference_across(
    cx: &Context<'_>,
    recipient: &Recipient<'_>,
    target: &Recipient<'_>,
    target_index: usize,
    reference: &SStr<'_>,
    what: &str,
    kept_in: Directory,
) -> Diagnostic {
    let (name, target_name) = (&recipient.name.value, &target.name.value);
    let address = cx.derived.primary_of(target_index).map(|a| a.parsed().address.to_string());
    let address = address.as_deref().unwrap_or("its address");
    let (kept, exists, help) = match kept_in {
        Directory::OnPremises => (
            "on-premises",
            "only in the cloud",
            format!(
                "create a mail contact (or mail user) on-premises for `{address}` and make it the {what} instead, or master `{target_name}` on-premises and sync it"
            ),
        ),
        Directory::Cloud => (
            "in the cloud",
            "only on-premises (it is not synced)",
            format!(
                "bring `{target_name}` into Entra Connect's sync scope, or create a mail contact in Exchange Online for `{address}` and make it the {what} instead"
            ),
        ),
    };
    Diagnostic::new(
        Rule::ReferenceAcrossDirectories,
        reference.span,
        format!("`{name}` has `{target_name}` as its {what}, but `{target_name}` exists {exists}"),
    )
    .primary_label(format!("not in the directory where `{name}` is mastered"))
    .label(target.name.span, format!("`{target_name}`"))
    .recipient(name.to_string())
    .related(target_name.to_string())
    .note(format!(
        "{} of `{name}` {} mastered {kept}, where `{target_name}` does not exist: the {what} cannot be set there, and the directories do not reach across for it",
        if what == "member" { "the members" } else { "the forwarding address" },
        if what == "member" { "are" } else { "is" }
    ))
    .help(help)
}

fn both_locations(cx: &Context<'_>, tenant: &TenantDomains, pair: &MailboxPair, out: &mut Vec<Diagnostic>) {
    let on_premises = &cx.model.recipients[pair.on_premises as usize];
    let cloud = &cx.model.recipients[pair.cloud as usize];
    let ties: Vec<&str> = pair.ties.iter().map(|t| t.describe()).collect();
    let name = &on_premises.name.value;
    let id = super::ps_quote(super::identity(on_premises));
    let routing = super::ps_quote(&format!(
        "{}@{}",
        super::routing_local_part(cx, pair.on_premises as usize, on_premises),
        tenant.routing
    ));
    let cloud_guid = super::ps_quote(
        cloud.exchange_guid.as_ref().map_or("<ExchangeGuid of the Exchange Online mailbox>", |g| g.value.as_ref()),
    );
    let steps = [
        format!("1. while you work, forward on-premises mail to the cloud mailbox: Set-Mailbox -Identity {id} -ForwardingSmtpAddress {routing}"),
        format!("2. save the on-premises mailbox's values (addresses, LegacyExchangeDN): Get-Mailbox -Identity {id} | Format-List > mailboxinfo.txt"),
        "3. on the Entra Connect server, pause synchronization: Set-ADSyncScheduler -SyncCycleEnabled $false".to_string(),
        format!("4. Disable-Mailbox -Identity {id}"),
        format!("5. Enable-RemoteMailbox -Identity {id} -RemoteRoutingAddress {routing}"),
        format!("6. restore the proxy addresses the disable removed, and add the old LegacyExchangeDN as an X500 address: Set-RemoteMailbox -Identity {id} -EmailAddresses @{{add=\"x500:<LegacyExchangeDN from mailboxinfo.txt>\"}}"),
        format!("7. stamp the Exchange Online mailbox's GUID, so the mailbox can be moved back: Set-RemoteMailbox -Identity {id} -ExchangeGuid {cloud_guid}"),
        "8. resume synchronization and run a cycle: Set-ADSyncScheduler -SyncCycleEnabled $true; Start-ADSyncSyncCycle -PolicyType Delta".to_string(),
        "9. restore the disconnected mailbox's content into the Exchange Online mailbox (New-MailboxRestoreRequest in Exchange Online PowerShell, as the article shows)".to_string(),
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
    .note("one person has two mailboxes: on-premises senders deliver to the on-premises mailbox and Exchange Online senders to the cloud one, so mail is split between them by sender. A move that completed with warnings, or a licence assigned before the move, can leave this behind (\"How to recover when a mailbox exists in both Exchange Online and on-premises\")");
    for (tie, (a, b)) in pair.ties.iter().zip(pair.ties.iter().map(|t| tie_spans(cx, *t, on_premises, cloud, pair))) {
        if let (Some(a), Some(b)) = (a, b) {
            diagnostic = diagnostic.label(a, tie.describe()).label(b, tie.describe());
        }
    }
    out.push(diagnostic.help(format!(
        "keep the Exchange Online mailbox and turn the on-premises one into a remote mailbox:\n{}",
        steps.join("\n")
    )));

    // Only the on-premises mailbox is disabled; the cloud mailbox, which is kept, keeps its hold.
    if let Some(hold) = on_premises.litigation_hold().filter(|h| h.value) {
        out.push(
            Diagnostic::new(
                Rule::LitigationHoldBlocksDisable,
                hold.span,
                format!("`{name}` is on litigation hold, and is the on-premises mailbox the remediation disables"),
            )
            .primary_label("litigation hold on the mailbox to disable")
            .label(cloud.kind.span, format!("`{}`, the Exchange Online mailbox that is kept", cloud.name.value))
            .related(cloud.name.value.to_string())
            .recipient(name.to_string())
            .note("Disable-Mailbox checks the legal hold of the user (only its -IgnoreLegalHold switch skips that), so the hold must be lifted on the on-premises mailbox first; lifting it can take up to 60 minutes to apply (Microsoft Japan Exchange support blog, 2017). Save its content first (it is restored into the Exchange Online mailbox), so nothing under hold is lost. The hold is set on each side separately: the Exchange Online mailbox keeps its own (\"LitigationHoldEnabled property differs between on-premises and Exchange Online\")")
            .help(format!(
                "after saving the mailbox's content, lift the hold on-premises, wait up to 60 minutes, then disable the mailbox:\nSet-Mailbox -Identity {id} -LitigationHoldEnabled $false\nDisable-Mailbox -Identity {id}"
            )),
        );
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
            ("primary SMTP address", find(soft.on_premises), find(soft.cloud))
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
        .recipient(on_premises.name.value.to_string());
        diagnostic = if soft.type_mismatch {
            diagnostic
                .severity_hint(crate::diag::Severity::Error)
                .note(format!(
                    "Entra Connect tries to soft-match a new on-premises object to the cloud-only object with the same {what}, but one is a {} and the other a {}: the join fails with an ObjectTypeMismatch error on every sync cycle, and `{}` never reaches the cloud (\"Microsoft Entra Connect: Troubleshoot errors during synchronization\")",
                    on_premises.kind().object_class().name(),
                    cloud.kind().object_class().name(),
                    on_premises.name.value
                ))
                .help("give one of them another value, or remove the cloud-only object if the on-premises one replaces it")
        } else {
            diagnostic
                .note(format!(
                    "Entra Connect soft-matches a new on-premises object to an existing cloud-only object with the same {what}: the two become one object mastered on-premises, and the on-premises values overwrite the cloud ones ({} loses what was set in the cloud) (\"Microsoft Entra Connect: When you have an existing tenant\")",
                    quoted_list(&[cloud.name.value.as_ref()])
                ))
                .help("if they are the same person or group, this merge may be intended: check the values that will be overwritten; otherwise give one of them another value")
        };
        if let Some(span) = cloud_span {
            let role = if soft.by_upn { "UPN" } else { "an address" };
            diagnostic = diagnostic.label(span, format!("{role} of cloud-only `{}`", cloud.name.value));
        }
        out.push(diagnostic);
    }
}
