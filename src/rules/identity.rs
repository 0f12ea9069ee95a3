//! Identity rules: userPrincipalName and alias (mailNickname) syntax, uniqueness and domains.

use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::address::{Caseless, check_alias, check_upn, domain_of, local_part_of};
use crate::model::{Recipient, SStr};
use crate::rules::Context;
use crate::util::FastMap;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    moera_collisions(cx, out);
    let mut upns: FastMap<Caseless<'_>, usize> = FastMap::default();
    let mut aliases: FastMap<Caseless<'_>, usize> = FastMap::default();
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        if let Some(upn) = recipient.upn.as_ref().filter(|_| recipient.kind().is_user_object()) {
            match upns.get(&Caseless(&upn.value)) {
                // One person's two mailboxes, or a soft match, is reported as that instead.
                Some(&first) if cx.pairs.explains(first as u32, index as u32) => {}
                Some(&first) => upn_not_unique(cx, index, recipient, upn, &cx.model.recipients[first], out),
                None => {
                    upns.insert(Caseless(&upn.value), index);
                }
            }
            upn_syntax_and_domain(cx, recipient, upn, out);
        }
        if let Some(alias) = &recipient.alias {
            match aliases.get(&Caseless(&alias.value)) {
                Some(&first) => alias_not_unique(cx, index, recipient, alias, &cx.model.recipients[first], out),
                None => {
                    aliases.insert(Caseless(&alias.value), index);
                }
            }
            if let Err(problem) = check_alias(&alias.value) {
                let span = problem.at.map_or(alias.span, |at| cx.span_within(alias.span, &alias.value, at));
                out.push(
                    Diagnostic::new(
                        Rule::InvalidAlias,
                        span,
                        format!("alias `{}` of `{}` {}", alias.value, recipient.name.value, problem.message),
                    )
                    .primary_label("invalid here")
                    .recipient(recipient.name.value.to_string())
                    .note("the alias becomes the mailNickname in Entra ID and the local part of policy-generated addresses (`%m`)")
                    .help("use letters, digits and `.`, `-`, `_` (at most 64 characters, no leading, trailing or doubled `.`)"),
                );
            }
        }
    }
}

fn placeholder_domain(cx: &Context<'_>) -> String {
    cx.derived.tenant.as_ref().map_or_else(|| "<tenant>.onmicrosoft.com".to_string(), |t| t.initial.clone())
}

fn upn_not_unique(
    cx: &Context<'_>,
    index: usize,
    recipient: &Recipient<'_>,
    upn: &SStr<'_>,
    first: &Recipient<'_>,
    out: &mut Vec<Diagnostic>,
) {
    // The cloud view knows the placeholder when both objects are in Entra ID.
    let placeholder = cx
        .cloud
        .of(index)
        .filter(|o| {
            o.quarantined.iter().any(|q| q.attribute == crate::analysis::cloud::CloudAttribute::UserPrincipalName)
        })
        .and_then(|o| o.upn.clone())
        .unwrap_or_else(|| format!("{}+1234@{}", local_part_of(&upn.value), placeholder_domain(cx)));
    out.push(
        Diagnostic::new(
            Rule::UpnNotUnique,
            upn.span,
            format!("UPN `{}` of `{}` is also the UPN of `{}`", upn.value, recipient.name.value, first.name.value),
        )
        .primary_label(format!("UPN of `{}`", recipient.name.value))
        .related(first.name.value.to_string())
        .label(first.upn.as_ref().map_or(first.name.span, |u| u.span), format!("UPN of `{}`", first.name.value))
        .recipient(recipient.name.value.to_string())
        .note(format!(
            "a UPN must be unique in the directory. Entra ID quarantines the UPN of whichever object syncs second and gives it a placeholder such as `{placeholder}` (the digits are random): that user cannot sign in with the intended name (seed 004)"
        ))
        .help("give each user object its own userPrincipalName"),
    );
}

fn upn_syntax_and_domain(cx: &Context<'_>, recipient: &Recipient<'_>, upn: &SStr<'_>, out: &mut Vec<Diagnostic>) {
    if let Err(problem) = check_upn(&upn.value) {
        let span = problem.at.map_or(upn.span, |at| cx.span_within(upn.span, &upn.value, at));
        out.push(
            Diagnostic::new(
                Rule::InvalidUpn,
                span,
                format!("UPN `{}` of `{}` {}", upn.value, recipient.name.value, problem.message),
            )
            .primary_label("invalid here")
            .recipient(recipient.name.value.to_string())
            .note("Entra ID accepts a UPN of at most 113 characters (64 before `@`, 48 after), made of A-Z a-z 0-9 ' . - _ ! # ^ ~, with exactly one `@` and no `.` just before it; Entra Connect fails to export other values")
            .help("correct the userPrincipalName on-premises"),
        );
        return;
    }
    let Some(tenant) = &cx.derived.tenant else { return };
    let Some(domain) = domain_of(&upn.value) else { return };
    if tenant.is_accepted(domain) {
        return;
    }
    let at = upn.value.len() - domain.len();
    let nickname = recipient.alias.as_ref().map_or_else(|| local_part_of(&upn.value), |a| a.value.as_ref());
    out.push(
        Diagnostic::new(
            Rule::UpnDomainNotVerified,
            cx.span_within(upn.span, &upn.value, at..upn.value.len()),
            format!("UPN `{}` of `{}` is in `{domain}`, which is not a verified domain", upn.value, recipient.name.value),
        )
        .primary_label("not an accepted domain")
        .recipient(recipient.name.value.to_string())
        .note(format!(
            "Entra ID replaces a UPN suffix it has not verified: the user gets `{nickname}@{}` and must sign in with that",
            tenant.initial
        ))
        .help(format!("verify `{domain}` in the tenant and add it to `[tenant] accepted_domains`, or change the UPN suffix on-premises")),
    );
}

fn alias_not_unique(
    cx: &Context<'_>,
    index: usize,
    recipient: &Recipient<'_>,
    alias: &SStr<'_>,
    first: &Recipient<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let domain = placeholder_domain(cx);
    let moera = cx
        .cloud
        .of(index)
        .filter(|o| o.moera_random_suffix)
        .and_then(|o| o.moera.clone())
        .unwrap_or_else(|| format!("{}1234@{domain}", alias.value));
    out.push(
        Diagnostic::new(
            Rule::AliasNotUnique,
            alias.span,
            format!("alias `{}` of `{}` is also the alias of `{}`", alias.value, recipient.name.value, first.name.value),
        )
        .primary_label(format!("alias of `{}`", recipient.name.value))
        .related(first.name.value.to_string())
        .label(first.alias.as_ref().map_or(first.name.span, |a| a.span), format!("alias of `{}`", first.name.value))
        .recipient(recipient.name.value.to_string())
        .note(format!(
            "both objects get mailNickname `{0}` in the cloud, but only one can have the MOERA `{0}@{domain}`: the other gets four random digits (such as `{moera}`), so its routing and sign-in addresses are not what anyone expects (seed 003, scenario 6)",
            alias.value
        ))
        .help("give each recipient its own alias"),
    );
}

/// A synced object's MOERA is already another object's address, so the cloud appends four random digits.
/// Two recipients with the same explicit alias are `alias-not-unique` instead.
fn moera_collisions(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for object in cx.cloud.objects.iter().filter(|o| o.moera_random_suffix) {
        let recipient = &cx.model.recipients[object.recipient as usize];
        let nickname = object.mail_nickname.as_deref().unwrap_or("");
        let holder = object.moera_taken_by.map(|h| &cx.model.recipients[h as usize]);
        let same_alias = |other: &Recipient<'_>| {
            let alias = |r: &Recipient<'_>| r.alias.as_ref().map(|a| a.value.to_ascii_lowercase());
            alias(other).is_some() && alias(other) == alias(recipient)
        };
        if holder.is_some_and(same_alias) {
            continue;
        }
        let domain = placeholder_domain(cx);
        let plain = format!("{nickname}@{domain}");
        let span = recipient.alias.as_ref().map_or(recipient.name.span, |a| a.span);
        let mut diagnostic = Diagnostic::new(
            Rule::MoeraCollision,
            span,
            format!("the MOERA of `{}`, `{plain}`, is already taken", recipient.name.value),
        )
        .primary_label(format!("mailNickname `{nickname}`"))
        .recipient(recipient.name.value.to_string());
        if let Some(holder) = holder {
            let wanted = format!("smtp:{plain}");
            let holder_index = object.moera_taken_by.unwrap_or_default() as usize;
            let at = cx
                .derived
                .addresses_of(holder_index)
                .iter()
                .find(|a| a.text.eq_ignore_ascii_case(&wanted))
                .map_or(holder.name.span, |a| a.span);
            diagnostic = diagnostic
                .label(at, format!("`{}` already has it", holder.name.value))
                .related(holder.name.value.to_string());
        }
        out.push(
            diagnostic
                .note(format!(
                    "the cloud gives `{}` the MOERA `{}` instead (four random digits; the ones shown are a placeholder), so its routing and sign-in address in `{domain}` is not the one anyone expects (KB3190357, 2023)",
                    recipient.name.value,
                    object.moera.as_deref().unwrap_or("")
                ))
                .help("give the recipient an alias whose MOERA is free, or remove the onmicrosoft.com address from the other object"),
        );
    }
}
