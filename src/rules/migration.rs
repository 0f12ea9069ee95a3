//! Pre-change review of mailbox moves: migration endpoints (KB2389390: why the migration wizard cannot
//! connect) and batches (what breaks after a move: "How to recover when a mailbox exists in both Exchange
//! Online and on-premises", "Demystifying Exchange Online Provisioning"). Batch members are checked with the
//! same logic as the hybrid rules (routing address, primary, duplicates, ExchangeGuid, license grace).

use jiff::ToSpan;

use crate::analysis::pairs::{exchange_guid, is_cloud_hosted_mailbox, is_on_premises_hosted_mailbox};
use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity};
use crate::model::{MigrationBatch, MigrationEndpoint, RecipientType};
use crate::rules::hybrid_routing::has_routing_address;
use crate::rules::{Context, quoted_list};

/// Cutover migrations are limited to this many mailboxes.
pub const CUTOVER_LIMIT: usize = 2_000;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for endpoint in &cx.model.migration_endpoints {
        endpoint_checks(cx, endpoint, out);
    }
    let mut seen: crate::util::FastMap<usize, &MigrationBatch<'_>> = crate::util::FastMap::default();
    for batch in &cx.model.migration_batches {
        let endpoint = batch
            .endpoint
            .as_ref()
            .and_then(|e| cx.model.migration_endpoints.iter().find(|x| x.name.value.eq_ignore_ascii_case(&e.value)));
        if let Some(endpoint) = endpoint {
            batch_endpoint(batch, endpoint, out);
        }
        batch_checks(cx, batch, out);
        for member in &batch.mailboxes {
            let Some(index) = cx.derived.recipient_named(&member.value) else { continue };
            match seen.get(&index) {
                Some(first) => out.push(
                    Diagnostic::new(
                        Rule::BatchDuplicateMailbox,
                        member.span,
                        format!(
                            "`{}` is in batch `{}` and in batch `{}`",
                            member.value, first.name.value, batch.name.value
                        ),
                    )
                    .primary_label("a second batch")
                    .label(first.name.span, format!("also in `{}`", first.name.value))
                    .recipient(member.value.to_string())
                    .note("a mailbox can be in one migration batch at a time; New-MigrationBatch fails for the second")
                    .help("remove the mailbox from one of the batches"),
                ),
                None => {
                    seen.insert(index, batch);
                }
            }
        }
    }
}

/// Source versions each batch type supports (KB2389390: Exchange 2003 is not supported as a source).
fn supported_versions(batch_type: &str) -> &'static [&'static str] {
    match batch_type {
        // Hybrid remote moves need a hybrid-capable source: Exchange 2010 or later.
        "RemoteMove" => &["2010", "2013", "2016", "2019", "SE"],
        "Cutover" => &["2007", "2010", "2013", "2016", "2019", "SE"],
        // Staged migrations were for Exchange 2003 and 2007 sources only.
        "Staged" => &["2007"],
        _ => &["2003", "2007", "2010", "2013", "2016", "2019", "SE"],
    }
}

fn endpoint_type_for(batch_type: &str) -> &'static str {
    match batch_type {
        "RemoteMove" => "ExchangeRemoteMove",
        "Cutover" | "Staged" => "ExchangeOutlookAnywhere",
        _ => "IMAP",
    }
}

// Long on purpose: one check per documented endpoint requirement, each independent.

fn endpoint_checks(cx: &Context<'_>, endpoint: &MigrationEndpoint<'_>, out: &mut Vec<Diagnostic>) {
    let name = &endpoint.name.value;
    if let Some(version) = endpoint.exchange_version.as_ref().filter(|v| v.value == "2003") {
        out.push(
            Diagnostic::new(Rule::MigrationSourceVersion, version.span, format!("migration endpoint `{name}` is Exchange 2003"))
                .primary_label("not supported as a source")
                .recipient(name.to_string())
                .note("moving mailboxes from Exchange 2003 to Exchange Online is not supported (KB2389390, \"'Unable to connect to the server' error when you migrate users from on-premises Exchange to Exchange Online\")")
                .help("move the mailboxes to Exchange 2010 or later on-premises first, or use an IMAP migration for mail only"),
        );
    }
    let kind = endpoint.kind.value.as_ref();
    if kind == "ExchangeRemoteMove" && !endpoint.mrs_proxy_enabled.as_ref().is_some_and(|m| m.value) {
        let span = endpoint.mrs_proxy_enabled.as_ref().map_or(endpoint.kind.span, |m| m.span);
        out.push(
            Diagnostic::new(Rule::MigrationMrsProxy, span, format!("remote-move endpoint `{name}` does not have the MRS proxy enabled"))
                .primary_label("MRS proxy off")
                .recipient(name.to_string())
                .note("remote moves run through the Mailbox Replication Service proxy of the on-premises EWS virtual directory; without it the endpoint test and every move fail to connect (\"Enable the MRS Proxy endpoint for remote moves\")")
                .help("on every Exchange server behind `remote_server`, in the Exchange Management Shell:\nSet-WebServicesVirtualDirectory -Identity \"$env:COMPUTERNAME\\EWS (Default Web Site)\" -MRSProxyEnabled $true"),
        );
    }
    if kind == "ExchangeOutlookAnywhere" {
        let oa = endpoint.outlook_anywhere.as_ref();
        let problem = match oa {
            None => Some((endpoint.kind.span, "has no `outlook_anywhere` settings".to_string())),
            Some(oa) if !oa.enabled.as_ref().is_some_and(|e| e.value) => {
                Some((oa.enabled.as_ref().map_or(oa.span, |e| e.span), "has Outlook Anywhere disabled".to_string()))
            }
            Some(oa)
                if !oa
                    .authentication
                    .as_ref()
                    .is_some_and(|a| a.value.eq_ignore_ascii_case("basic") || a.value.eq_ignore_ascii_case("ntlm")) =>
            {
                let auth = oa.authentication.as_ref();
                Some((
                    auth.map_or(oa.span, |a| a.span),
                    format!("uses `{}` authentication for Outlook Anywhere", auth.map_or("no", |a| a.value.as_ref())),
                ))
            }
            Some(oa) if !oa.ssl.as_ref().is_some_and(|s| s.value) => Some((
                oa.ssl.as_ref().map_or(oa.span, |s| s.span),
                "does not require SSL for Outlook Anywhere".to_string(),
            )),
            _ => None,
        };
        if let Some((span, problem)) = problem {
            out.push(
                Diagnostic::new(Rule::MigrationOutlookAnywhere, span, format!("cutover/staged endpoint `{name}` {problem}"))
                    .primary_label("Outlook Anywhere is not usable for migration")
                    .recipient(name.to_string())
                    .note("cutover and staged migrations connect through Outlook Anywhere (RPC over HTTP): it must be enabled, with Basic (or NTLM) authentication, over SSL with a trusted certificate (KB2389390, \"'Unable to connect to the server' error when you migrate users from on-premises Exchange to Exchange Online\")")
                    .help(format!("enable Outlook Anywhere on the source server with Basic (or NTLM) authentication and SSL, then test the endpoint in Exchange Online PowerShell:\nTest-MigrationServerAvailability -Endpoint {}", super::ps_quote(name))),
            );
        }
    }
    if let (Some(certificate), Some(server)) = (&endpoint.certificate, &endpoint.remote_server) {
        let covers = certificate.subject_alt_names.iter().any(|san| name_covers(&san.value, &server.value));
        if !covers {
            let names: Vec<&str> = certificate.subject_alt_names.iter().map(|s| s.value.as_ref()).collect();
            out.push(
                Diagnostic::new(Rule::MigrationCertificate, server.span, format!("the certificate of `{name}` does not cover `{}`", server.value))
                    .primary_label("not among the certificate's names")
                    .label(certificate.span, format!("subject alternative names: {}", if names.is_empty() { "none".into() } else { quoted_list(&names) }))
                    .recipient(name.to_string())
                    .note("Exchange Online checks the server's certificate: a name mismatch fails the connection with \"Unable to connect to the server\" (KB2389390, \"'Unable to connect to the server' error when you migrate users from on-premises Exchange to Exchange Online\")")
                    .help("add the server's name to the certificate's subject alternative names, or point remote_server at a name it covers"),
            );
        }
    }
    if let Some(expires) = endpoint.certificate.as_ref().and_then(|c| c.expires.as_ref()) {
        let batches_after: Vec<&MigrationBatch<'_>> = cx
            .model
            .migration_batches
            .iter()
            .filter(|b| b.endpoint.as_ref().is_some_and(|e| e.value.eq_ignore_ascii_case(name)))
            .filter(|b| b.complete_after.as_ref().map_or(cx.today, |c| c.value) > expires.value)
            .collect();
        if expires.value < cx.today || !batches_after.is_empty() {
            let mut d = Diagnostic::new(Rule::MigrationCertificate, expires.span, format!("the certificate of `{name}` expires on {}", expires.value))
                .primary_label(if expires.value < cx.today { "already expired" } else { "before a batch completes" })
                .recipient(name.to_string())
                .note("an expired certificate fails every connection from Exchange Online, including incremental syncs and the completion of running batches (KB2389390, \"'Unable to connect to the server' error when you migrate users from on-premises Exchange to Exchange Online\")")
                .help("renew the certificate before the last batch completes");
            for batch in batches_after {
                let at = batch.complete_after.as_ref().map_or(batch.name.span, |c| c.span);
                d = d.label(at, format!("`{}` completes after it expires", batch.name.value));
            }
            out.push(d);
        }
    }
}

/// A certificate name (`mail.contoso.com`, `*.contoso.com`) covers a host name.
fn name_covers(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.split_once('.').is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(suffix))
        }
        None => pattern.eq_ignore_ascii_case(host),
    }
}

fn batch_endpoint(batch: &MigrationBatch<'_>, endpoint: &MigrationEndpoint<'_>, out: &mut Vec<Diagnostic>) {
    let batch_type = batch.kind.value.as_ref();
    let wanted = endpoint_type_for(batch_type);
    if endpoint.kind.value != wanted {
        out.push(
            Diagnostic::new(
                Rule::MigrationEndpointType,
                batch.endpoint.as_ref().map_or(batch.kind.span, |e| e.span),
                format!("batch `{}` ({batch_type}) uses `{}`, an {} endpoint", batch.name.value, endpoint.name.value, endpoint.kind.value),
            )
            .primary_label(format!("needs an {wanted} endpoint"))
            .label(endpoint.kind.span, format!("`{}` is {}", endpoint.name.value, endpoint.kind.value))
            .recipient(batch.name.value.to_string())
            .note("remote moves use ExchangeRemoteMove endpoints, cutover and staged migrations ExchangeOutlookAnywhere endpoints, IMAP migrations IMAP endpoints")
            .help(format!("point the batch at an {wanted} endpoint")),
        );
    }
    if let Some(version) = endpoint.exchange_version.as_ref().filter(|v| v.value != "2003")
        && !supported_versions(batch_type).contains(&version.value.as_ref())
    {
        out.push(
            Diagnostic::new(
                Rule::MigrationSourceVersion,
                batch.kind.span,
                format!("a {batch_type} batch cannot move mailboxes from Exchange {}", version.value),
            )
            .primary_label(format!("{batch_type} batch"))
            .label(version.span, format!("`{}` is Exchange {}", endpoint.name.value, version.value))
            .recipient(batch.name.value.to_string())
            .note(format!(
                "{batch_type} migrations support Exchange {} as a source (\"How to migrate mailbox data by using the Exchange Admin Center in Microsoft 365\"); Exchange 2003 is not supported at all (KB2389390, \"'Unable to connect to the server' error when you migrate users from on-premises Exchange to Exchange Online\")",
                supported_versions(batch_type).join(", ")
            ))
            .help("choose the migration type the source version supports: remote moves (hybrid) from Exchange 2010 or later"),
        );
    }
}

/// Why a member of a batch cannot move yet; empty when it is ready.
pub fn member_blockers(cx: &Context<'_>, batch: &MigrationBatch<'_>, index: usize) -> Vec<String> {
    let recipient = &cx.model.recipients[index];
    let mut blockers = Vec::new();
    if batch.offboarding {
        if !is_cloud_hosted_mailbox(recipient) {
            blockers.push(format!(
                "it is a {} that is not in Exchange Online, so it cannot be moved back on-premises",
                recipient.kind().name()
            ));
        } else if exchange_guid(recipient).is_none() {
            blockers.push("it has no ExchangeGuid: the move back on-premises fails with \"Cannot find a recipient that has mailbox GUID\" (\"(MigrationPermanentException Cannot find a recipient that has mailbox GUID) error when moving mailboxes\")".into());
        }
        return blockers;
    }
    if !is_on_premises_hosted_mailbox(recipient) {
        let place =
            if recipient.is_hosted_in_exchange_online() { "already in Exchange Online" } else { "not a mailbox" };
        blockers.push(format!("it is a {} ({place}), not an on-premises mailbox", recipient.kind().name()));
        return blockers;
    }
    if let Some(tenant) = &cx.derived.tenant
        && !has_routing_address(cx, tenant, index)
    {
        blockers.push(format!("it has no address in the routing domain `{}`: the move fails with \"The target mailbox doesn't have an smtp proxy matching\"", tenant.routing));
    }
    let primaries = cx.derived.primaries_of(index).count();
    if primaries != 1 {
        blockers.push(format!("it has {primaries} primary SMTP addresses; it needs exactly one"));
    }
    for id in cx.derived.address_ids_of(index) {
        if let Some(other) = cx.derived.other_holders(id).next() {
            blockers.push(format!(
                "its address `{}` is also `{}`'s",
                cx.derived.address(id).text,
                cx.model.recipients[other as usize].name.value
            ));
        }
    }
    if cx.pairs.mailbox_pair_of(index as u32).is_some() {
        blockers.push("it already has a mailbox in Exchange Online (mailbox-in-both-locations)".into());
    }
    blockers
}

// Long on purpose: one check per documented batch requirement, each independent.

fn batch_checks(cx: &Context<'_>, batch: &MigrationBatch<'_>, out: &mut Vec<Diagnostic>) {
    let name = &batch.name.value;
    let recipient_name = name.to_string();
    if let Some(tenant) = &cx.derived.tenant
        && !batch.offboarding
        && batch.kind.value == "RemoteMove"
    {
        match &batch.target_delivery_domain {
            Some(domain) if domain.value.eq_ignore_ascii_case(&tenant.routing) || domain.value.eq_ignore_ascii_case(&tenant.coexistence) => {}
            other => out.push(
                Diagnostic::new(
                    Rule::BatchTargetDeliveryDomain,
                    other.as_ref().map_or(batch.kind.span, |d| d.span),
                    match other {
                        Some(domain) => format!("batch `{name}` delivers to `{}`, not the routing domain `{}`", domain.value, tenant.routing),
                        None => format!("onboarding batch `{name}` has no target_delivery_domain"),
                    },
                )
                .primary_label("not the routing domain")
                .recipient(recipient_name.clone())
                .note("after an onboarding move, the on-premises object becomes a remote mailbox whose remote routing address is `<alias>@<TargetDeliveryDomain>`: it must be the routing domain, or mail from on-premises no longer reaches the moved mailbox (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog)")
                .help(format!("set target_delivery_domain = \"{}\"", tenant.routing)),
            ),
        }
    }
    if batch.kind.value == "Cutover" && batch.mailboxes.len() > CUTOVER_LIMIT {
        out.push(
            Diagnostic::new(
                Rule::BatchCutoverSize,
                batch.kind.span,
                format!("cutover batch `{name}` has {} mailboxes; cutover migrations handle at most {CUTOVER_LIMIT}", batch.mailboxes.len()),
            )
            .primary_label("too many for a cutover")
            .recipient(recipient_name.clone())
            .note("a cutover migration moves every mailbox of the organisation at once and is limited to 2,000 mailboxes; larger organisations use staged migrations or a hybrid")
            .help("use remote moves (hybrid) in several batches"),
        );
    }

    let grace_days = cx.model.lint.grace_days();
    let deadline = batch.complete_after.as_ref().and_then(|c| c.value.checked_add(grace_days.days()).ok());
    let mut unlicensed: Vec<&str> = Vec::new();
    for member in &batch.mailboxes {
        let Some(index) = cx.derived.recipient_named(&member.value) else { continue };
        let recipient = &cx.model.recipients[index];
        let blockers = member_blockers(cx, batch, index);
        let movable = !blockers.first().is_some_and(|b| b.starts_with("it is a "));
        if !movable {
            out.push(
                Diagnostic::new(Rule::BatchMailboxNotMovable, member.span, format!("`{}` cannot be moved by batch `{name}`: {}", member.value, blockers[0]))
                    .primary_label(if batch.offboarding { "not a mailbox in Exchange Online" } else { "not an on-premises mailbox" })
                    .label(recipient.kind.span, format!("`{}` is a {}", member.value, recipient.kind().name()))
                    .recipient(member.value.to_string())
                    .note("onboarding batches move on-premises mailboxes to Exchange Online; offboarding batches move remote mailboxes back")
                    .help("remove it from the batch"),
            );
            continue;
        }
        if !blockers.is_empty() {
            let mut d = Diagnostic::new(
                Rule::BatchMemberBlocked,
                member.span,
                format!("`{}` in batch `{name}` will fail to move: {}", member.value, blockers[0]),
            )
            .primary_label("blocked")
            .label(recipient.name.span, format!("`{}`", member.value))
            .recipient(member.value.to_string());
            for blocker in &blockers[1..] {
                d = d.note(format!("also: {blocker}"));
            }
            out.push(d.help(format!("fix `{}` before the batch starts, or take it out of the batch", member.value)));
        }
        if let Some(hold) = recipient.litigation_hold().filter(|h| h.value)
            && batch.complete_after.is_none()
        {
            out.push(
                Diagnostic::new(Rule::BatchLitigationHold, member.span, format!("`{}` is on litigation hold and batch `{name}` completes on its own", member.value))
                    .primary_label("on litigation hold")
                    .label(hold.span, "litigation hold")
                    .recipient(member.value.to_string())
                    .note("the move itself preserves held items, but a batch that completes automatically leaves no window to confirm the hold in Exchange Online before the on-premises mailbox is cleaned up; the hold is a setting of each side, and the cloud's is not written back on-premises (\"LitigationHoldEnabled property differs between on-premises and Exchange Online\")")
                    .help(format!(
                        "set complete_after, and before completing check the hold in Exchange Online PowerShell:\nGet-Mailbox -Identity {} | Format-List LitigationHoldEnabled",
                        super::ps_quote(super::identity(recipient))
                    )),
            );
        }
        let needs_license =
            !batch.offboarding && matches!(recipient.kind(), RecipientType::UserMailbox | RecipientType::LinkedMailbox);
        if needs_license && !batch.license_on_completion.as_ref().is_some_and(|l| l.value) {
            unlicensed.push(&member.value);
        }
    }
    if !unlicensed.is_empty() {
        let passed = deadline.is_some_and(|d| cx.today > d);
        let span = batch.license_on_completion.as_ref().map_or(batch.name.span, |l| l.span);
        let shown: Vec<&str> = unlicensed.iter().take(10).copied().collect();
        let more = if unlicensed.len() > 10 { format!(" and {} more", unlicensed.len() - 10) } else { String::new() };
        let when = match deadline {
            Some(d) if passed => format!("the grace period after completion ended on {d}"),
            Some(d) => format!("they must be licensed by {d}, {grace_days} days after the batch completes"),
            None => format!("they must be licensed within {grace_days} days of completion"),
        };
        out.push(
            Diagnostic::new(
                Rule::BatchLicensePlan,
                span,
                format!("batch `{name}` moves {} user mailbox(es) without a license plan: {when}", unlicensed.len()),
            )
            .severity_hint(if passed { Severity::Error } else { Severity::Warning })
            .primary_label("no license on completion")
            .recipient(recipient_name)
            .note(format!("user mailboxes moved to Exchange Online work for a {grace_days}-day grace period without a license, then are disabled (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog): {}{more}", quoted_list(&shown)))
            .help("assign Exchange Online licenses as the batch completes, and set license_on_completion = true"),
        );
    }
}
