//! Licensing of mailboxes hosted in Exchange Online: the license grace period after provisioning or a
//! move, and features that need a license even on mailboxes that otherwise need none.
//! "Today" comes from `--today`, `[lint] today` or the system's UTC date.

use jiff::civil::Date;

use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity};
use crate::model::{Recipient, RecipientType, Source};
use crate::rules::Context;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (grace_days, warning_days) = (cx.model.lint.grace_days(), cx.model.lint.grace_warning_days());
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        if crate::analysis::pairs::is_on_premises_hosted_mailbox(recipient) {
            license_before_move(cx, index, recipient, out);
            continue;
        }
        // Licences are assigned to the user in the cloud: an object that is not there has none to check.
        if !recipient.is_hosted_in_exchange_online() || recipient.is_licensed() || !cx.presence.of(index).cloud {
            continue;
        }
        if needs_user_license(recipient) {
            grace(cx.today, grace_days, warning_days, recipient, out);
        } else {
            license_required(recipient, out);
        }
    }
}

/// A synced user whose mailbox is still on-premises is licensed: Exchange Online may provision a second
/// mailbox for it.
fn license_before_move(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let Some(licensed) = recipient.licensed.as_ref().filter(|l| l.value) else { return };
    if !cx.presence.is_synced(index, recipient) {
        return;
    }
    let name = &recipient.name.value;
    let identity = recipient.upn.as_ref().map_or(name.as_ref(), |u| u.value.as_ref());
    out.push(
        Diagnostic::new(
            Rule::LicenseBeforeMove,
            licensed.span,
            format!("`{name}` has an Exchange Online license, but its mailbox is still on-premises"),
        )
        .primary_label("licensed before the move")
        .label(recipient.kind.span, format!("`{name}` is hosted on-premises"))
        .recipient(name.to_string())
        .note("Exchange Online can provision a second, empty mailbox for a licensed user; the person then has a mailbox on both sides, mail is split between them, and the on-premises mailbox can no longer be moved onto the cloud one (\"How to recover when a mailbox exists in both Exchange Online and on-premises\")")
        .help(format!(
            "remove the Exchange Online license from `{identity}` until its mailbox has moved (or set `licensed = false` if the repository is ahead of the tenant), and assign it when the move completes"
        )),
    );
}

/// User mailboxes need an Exchange Online license; shared, room and equipment mailboxes do not.
fn needs_user_license(recipient: &Recipient<'_>) -> bool {
    match recipient.kind() {
        RecipientType::RemoteUserMailbox => true,
        RecipientType::UserMailbox => recipient.source == Source::Cloud,
        _ => false,
    }
}

fn grace(today: Date, grace_days: i64, warning_days: i64, recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let name = recipient.name.value.to_string();
    let licensed_span = recipient.licensed.as_ref().map_or(recipient.kind.span, |l| l.span);
    let Some(provisioned) = &recipient.provisioned else {
        out.push(
            Diagnostic::new(Rule::LicenseGraceUnknown, licensed_span, format!("`{name}` is an unlicensed mailbox in Exchange Online with no `provisioned` date"))
                .primary_label("no Exchange Online license")
                .label(recipient.name.span, format!("`{name}`"))
                .recipient(name.clone())
                .note(format!("an unlicensed user mailbox in Exchange Online works for a {grace_days}-day grace period from its provisioning or move, then is disabled; without the date the end of the grace period cannot be computed (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog)"))
                .help("add `provisioned = YYYY-MM-DD` (the day the mailbox was created or its move completed), or `licensed = true` once a license is assigned"),
        );
        return;
    };
    let Some(end) = crate::model::grace_end(provisioned.value, grace_days) else { return };
    let help = format!("assign an Exchange Online license to `{name}` and set `licensed = true`");
    if today > end {
        out.push(
            Diagnostic::new(Rule::LicenseGraceExpired, provisioned.span, format!("the license grace period of `{name}` ended on {end}"))
                .primary_label(format!("provisioned {}; grace ended {end}", provisioned.value))
                .label(licensed_span, "no Exchange Online license")
                .recipient(name)
                .note(format!("an unlicensed user mailbox in Exchange Online is disabled {grace_days} days after it was provisioned or moved: it no longer receives mail and the object shows as a MailUser (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog). Its data is kept for a further 30 days after that, then deleted"))
                .help(help),
        );
        return;
    }
    let days_left = today.until(end).map(|s| s.get_days() as i64).unwrap_or(0);
    let severity = if days_left <= warning_days { Severity::Warning } else { Severity::Info };
    out.push(
        Diagnostic::new(
            Rule::LicenseGraceActive,
            provisioned.span,
            format!("`{name}` has no Exchange Online license: {days_left} day(s) of grace left, until {end}"),
        )
        .severity_hint(severity)
        .primary_label(format!("provisioned {}", provisioned.value))
        .label(licensed_span, "no Exchange Online license")
        .recipient(name)
        .note(format!("the mailbox works without a license for {grace_days} days after it was provisioned or moved, then is disabled and shows as a MailUser (\"Demystifying Exchange Online Provisioning\", Exchange Team Blog)"))
        .help(help),
    );
}

fn license_required(recipient: &Recipient<'_>, out: &mut Vec<Diagnostic>) {
    let features: Vec<(&str, crate::source::Span)> =
        [("litigation hold", recipient.litigation_hold()), ("an archive", recipient.archive())]
            .into_iter()
            .filter_map(|(what, flag)| flag.filter(|f| f.value).map(|f| (what, f.span)))
            .collect();
    let Some(&(first, span)) = features.first() else { return };
    let name = recipient.name.value.to_string();
    let mut diagnostic = Diagnostic::new(
        Rule::LicenseRequired,
        span,
        format!("`{name}` is a {} in Exchange Online with {first} but no license", recipient.kind().name()),
    )
    .primary_label(format!("{first} needs a license"))
    .recipient(name.clone());
    for &(what, span) in &features[1..] {
        diagnostic = diagnostic.label(span, format!("{what} needs a license too"));
    }
    out.push(
        diagnostic
            .note("shared, room and equipment mailboxes need no license on their own, but litigation hold and an archive do: Exchange Online Plan 2, or Plan 1 with Exchange Online Archiving")
            .help(format!("assign Exchange Online Plan 2 (or Plan 1 with Exchange Online Archiving) to `{name}` and set `licensed = true`")),
    );
}
