//! Identity rules: userPrincipalName and alias (mailNickname) syntax, uniqueness and domains.

use crate::analysis::cloud::nickname_local_part;
use crate::analysis::presence::Directories;
use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::address::{Caseless, check_alias, check_upn, domain_of, local_part_of};
use crate::model::{Recipient, SStr, TenantDomains};
use crate::rules::Context;
use crate::util::FastMap;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    moera_collisions(cx, out);
    upn_address_conflicts(cx, out);
    // UPNs are unique where the objects meet: per UPN, its first holder in each directory.
    let mut upns: FastMap<u32, [Option<usize>; 2]> =
        FastMap::with_capacity_and_hasher(cx.model.recipients.len(), Default::default());
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        if let Some(upn) = recipient.upn.as_ref().filter(|_| recipient.kind().is_user_object()) {
            // One person's two mailboxes, or a soft match, is reported as that instead.
            let explained = |a: usize, b: usize| cx.pairs.explains(a as u32, b as u32);
            // Every recipient with a UPN has a key.
            let firsts = upns.entry(cx.derived.upn_key(index).unwrap_or(u32::MAX)).or_default();
            let conflicts = cx.presence.conflicts_with_earlier(firsts, index, explained);
            for (first, directories) in conflicts {
                upn_not_unique(cx, index, recipient, upn, &cx.model.recipients[first], directories, out);
            }
        }
    }
    // Syntax and domains concern each recipient alone: in parallel, findings in recipient order.
    out.extend(cx.model.recipients.par_gather(|index, recipient, found| {
        if let Some(upn) = recipient.upn.as_ref().filter(|_| recipient.kind().is_user_object()) {
            upn_syntax_and_domain(cx, index, recipient, upn, found);
        }
        if let Some(alias) = &recipient.alias {
            invalid_alias(cx, index, recipient, alias, found);
        }
    }));
    alias_uniqueness(cx, out);
}

/// Objects that get a MOERA in the cloud and share a mailNickname, in the order they reach Entra ID
/// (cloud-only objects exist first): the later one gets the four digits.
fn alias_uniqueness(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let recipients = &cx.model.recipients;
    let (cloud, synced): (Vec<usize>, Vec<usize>) = (0..recipients.len())
        .filter(|&i| gets_moera(cx, i, &recipients[i]))
        .partition(|&i| recipients[i].source == crate::model::Source::Cloud);
    let order = cloud.into_iter().chain(synced);
    let mut nicknames: FastMap<Caseless<'_>, usize> =
        FastMap::with_capacity_and_hasher(recipients.len(), Default::default());
    for index in order {
        let recipient = &recipients[index];
        let Some(alias) = &recipient.alias else { continue };
        match nicknames.get(&Caseless(&alias.value)) {
            Some(&first) if !cx.pairs.explains(first as u32, index as u32) => {
                alias_not_unique(cx, index, recipient, alias, &recipients[first], out)
            }
            Some(_) => {}
            None => {
                nicknames.insert(Caseless(&alias.value), index);
            }
        }
    }
}

/// The object gets a MOERA in the cloud: it exists there and Exchange Online hosts it.
fn gets_moera(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>) -> bool {
    cx.presence.of(index).cloud && recipient.is_hosted_in_exchange_online()
}

fn invalid_alias(
    cx: &Context<'_>,
    index: usize,
    recipient: &Recipient<'_>,
    alias: &SStr<'_>,
    out: &mut Vec<Diagnostic>,
) {
    // `&` is valid in Exchange; only Entra Connect refuses it, so it matters only on an object it syncs.
    let synced = cx.presence.is_synced(index, recipient);
    let Err(problem) = check_alias(&alias.value, synced) else { return };
    let diagnostic = super::invalid_value(cx, Rule::InvalidAlias, "alias", (recipient, alias), &problem);
    // Valid in Exchange, refused only by Entra Connect: the `&`.
    let only_sync_refuses = synced && check_alias(&alias.value, false).is_ok();
    out.push(if only_sync_refuses {
        diagnostic
            .note("Exchange accepts `&` in an alias, but \"the & character is not supported in the Alias value for Microsoft Entra Connect synchronization\" (cmdlet reference, parameter Alias); the alias becomes the object's mailNickname in Entra ID")
            .help("replace `&` (for example with `and`), or keep the object out of Entra Connect's sync scope")
    } else {
        diagnostic
            .note("the alias becomes the mailNickname in Entra ID and the local part of policy-generated addresses (`%m`), where the characters U+00A1 to U+00FF are mapped to their closest US-ASCII letters")
            .help("use letters, digits, the characters U+00A1 to U+00FF and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ (at most 64 characters, `.` only between other characters)")
    });
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
    directories: Directories,
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
    let first_span = first.upn.as_ref().map_or(first.name.span, |u| u.span);
    let mut diagnostic =
        super::same_value(Rule::UpnNotUnique, "UPN", (recipient, upn), (first, first_span), directories);
    if directories.on_premises {
        diagnostic = diagnostic.note("on-premises, a UPN must be unique in the Active Directory forest: Exchange's cmdlets refuse to create or set the second, and sign-in with it is ambiguous");
    }
    if directories.cloud {
        diagnostic = diagnostic.note(format!(
            "in the cloud, Entra ID quarantines the UPN of whichever object syncs second and gives it a placeholder such as `{placeholder}` (the digits are random): that user cannot sign in with the intended name (\"Identity synchronization and duplicate attribute resiliency\")"
        ));
    }
    out.push(diagnostic.help("give each user object its own userPrincipalName"));
}

fn upn_syntax_and_domain(
    cx: &Context<'_>,
    index: usize,
    recipient: &Recipient<'_>,
    upn: &SStr<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if let Err(problem) = check_upn(&upn.value) {
        out.push(
            super::invalid_value(cx, Rule::InvalidUpn, "UPN", (recipient, upn), &problem)
            .note("Entra ID accepts a UPN of at most 113 characters (64 before `@`, 48 after), made of A-Z a-z 0-9 ' . - _ ! # ^ ~, with exactly one `@` and no `.` just before it; Entra Connect fails to export other values")
            .help("correct the userPrincipalName on-premises"),
        );
        return;
    }
    // Only a synced UPN is replaced: Entra ID never sees an unsynced one, and a cloud-only object's UPN
    // must be in a verified domain to be set at all.
    let Some(tenant) = cx.derived.tenant.as_ref().filter(|_| cx.presence.is_synced(index, recipient)) else {
        return;
    };
    let Some(domain) = domain_of(&upn.value) else { return };
    if tenant.is_verified(domain) {
        return;
    }
    let at = upn.value.len() - domain.len();
    let replacement = cx.cloud.of(index).and_then(|o| o.upn.clone()).unwrap_or_else(|| {
        let nickname = recipient.alias.as_ref().map_or_else(|| local_part_of(&upn.value), |a| a.value.as_ref());
        crate::analysis::cloud::moera_of(nickname, tenant)
    });
    out.push(
        super::finding(Rule::UpnDomainNotVerified, cx.span_within(upn.span, &upn.value, at..upn.value.len()), recipient, format!("UPN `{}` of `{}` is in `{domain}`, which is not a verified domain", upn.value, recipient.name.value))
        .primary_label("not a verified domain")
        .note(format!(
            "Entra ID replaces a UPN suffix it has not verified with the initial domain: the user gets `{replacement}` (its mailNickname) and must sign in with that (\"Microsoft Entra UserPrincipalName population\")"
        ))
        .help(if domain_of(&upn.value).is_some_and(is_routable) {
            format!("verify `{domain}` in the tenant and add it to `[tenant] verified_domains` (or `accepted_domains`), or change the UPN suffix on-premises to a verified domain")
        } else {
            format!("`{domain}` cannot be verified (it is not a routable domain): add a verified UPN suffix on-premises and change the UPN to it")
        }),
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
        .unwrap_or_else(|| format!("{}1234@{domain}", nickname_local_part(&alias.value)));
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
            "both objects get mailNickname `{}` in the cloud, but only one can have the MOERA `{}@{domain}`: the other gets four random digits (such as `{moera}`), so its routing and sign-in addresses are not what anyone expects (\"How the proxyAddresses attribute is populated in Microsoft Entra ID\", scenario 6)",
            alias.value,
            nickname_local_part(&alias.value)
        ))
        .help("give each recipient its own alias"),
    );
}

/// In the cloud, UPNs and proxy addresses share one value space: a user's UPN that is another object's
/// proxy address, `mail` or MOERA is a conflict. A UPN that is also the user's own proxy address is
/// `duplicate-proxy-address`'s to report, and two equal UPNs `upn-not-unique`'s.
fn upn_address_conflicts(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    let recipients = &cx.model.recipients;
    // Values that are not effective addresses (MOERAs, explicit `mail`), by holder: built when first needed.
    let mut others: Option<FastMap<String, (usize, &'static str)>> = None;
    let any_mail = recipients.iter().any(|r| r.mail.is_some());
    for (index, recipient) in recipients.iter().enumerate() {
        let Some(upn) = recipient.upn.as_ref().filter(|_| recipient.kind().is_user_object()) else { continue };
        if !cx.presence.of(index).cloud {
            continue;
        }
        let value = cx.cloud.of(index).and_then(|o| o.upn.as_deref()).unwrap_or(&upn.value);
        // The usual case: the UPN is one of the user's own addresses (its own conflicts are
        // `duplicate-proxy-address`'s).
        let own = cx.derived.addresses_of(index).iter().any(|a| {
            let parsed = a.parsed();
            parsed.is_smtp() && parsed.address.eq_ignore_ascii_case(value)
        });
        if own {
            continue;
        }
        // Two equal UPNs are `upn-not-unique`'s, even when one of them is also that object's address.
        let same_upn =
            |other: usize| recipients[other].upn.as_ref().is_some_and(|u| u.value.eq_ignore_ascii_case(&upn.value));
        let meets = |other: usize| {
            other != index
                && cx.presence.of(other).cloud
                && !cx.pairs.explains(other as u32, index as u32)
                && !same_upn(other)
        };
        let key = format!("smtp:{value}");
        let by_address = cx.derived.holders_of(&key).into_iter().map(|h| h as usize).find(|&h| {
            meets(h)
                && cx
                    .derived
                    .address_ids_of(h)
                    .any(|id| cx.derived.address(id).text.eq_ignore_ascii_case(&key) && cx.kept_in_cloud(h, id))
        });
        let found = match by_address {
            Some(holder) => {
                let at =
                    cx.derived.addresses_of(holder).iter().find(|a| a.text.eq_ignore_ascii_case(&key)).map(|a| a.span);
                Some((holder, "a proxy address", at))
            }
            // A MOERA is in the initial domain and `mail` is rarely set apart from the primary: the map of
            // both is built only when a UPN could be one of them.
            None if any_mail || domain_of(value).is_some_and(|d| d.eq_ignore_ascii_case(&tenant.initial)) => {
                let others = others.get_or_insert_with(|| non_address_values(cx, tenant));
                others.get(&value.to_ascii_lowercase()).filter(|(h, _)| meets(*h)).map(|&(h, what)| {
                    let other = &recipients[h];
                    let at = if what == "the `mail`" {
                        other.mail.as_ref().map(|m| m.span)
                    } else {
                        other.alias.as_ref().map(|a| a.span)
                    };
                    (h, what, at)
                })
            }
            None => None,
        };
        let Some((holder, what, at)) = found else { continue };
        out.push(upn_address_conflict(recipient, upn, value, &recipients[holder], what, at));
    }
}

/// The cloud's MOERAs and explicit `mail` values, lowercased, with their holder: values in the cloud's one
/// value space that are not effective addresses.
fn non_address_values(cx: &Context<'_>, tenant: &TenantDomains) -> FastMap<String, (usize, &'static str)> {
    let mut others: FastMap<String, (usize, &'static str)> = FastMap::default();
    for object in &cx.cloud.objects {
        if let Some(moera) = &object.moera {
            others.entry(moera.to_ascii_lowercase()).or_insert((object.recipient as usize, "the MOERA"));
        }
    }
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        if !cx.presence.of(index).cloud {
            continue;
        }
        if recipient.source == crate::model::Source::Cloud
            && recipient.is_hosted_in_exchange_online()
            && let Some(alias) = &recipient.alias
        {
            let moera = crate::analysis::cloud::moera_of(&alias.value, tenant).to_ascii_lowercase();
            others.entry(moera).or_insert((index, "the MOERA"));
        }
        if let Some(mail) = &recipient.mail {
            others.entry(mail.value.to_ascii_lowercase()).or_insert((index, "the `mail`"));
        }
    }
    others
}

fn upn_address_conflict(
    recipient: &Recipient<'_>,
    upn: &SStr<'_>,
    value: &str,
    other: &Recipient<'_>,
    what: &str,
    at: Option<crate::source::Span>,
) -> Diagnostic {
    let group = other.kind().is_group();
    Diagnostic::new(
        Rule::UpnAddressConflict,
        upn.span,
        format!("UPN `{value}` of `{}` is {what} of `{}` in the cloud", recipient.name.value, other.name.value),
    )
    .primary_label(format!("UPN of `{}`", recipient.name.value))
    .label(at.unwrap_or(other.name.span), format!("{what} of `{}`", other.name.value))
    .related(other.name.value.to_string())
    .recipient(recipient.name.value.to_string())
    .note("Entra ID keeps UserPrincipalName and ProxyAddress unique across all users, groups and contacts together, and Exchange Online adds each user's UPN to its proxy addresses")
    .note(if group {
        format!("`{}` is a group: Entra ID does not quarantine this; the export fails with a conflict error on every sync cycle until it is resolved (\"Identity synchronization and duplicate attribute resiliency\", known issues)", other.name.value)
    } else {
        "the value is quarantined on whichever object syncs second (\"Identity synchronization and duplicate attribute resiliency\")".to_string()
    })
    .help(format!("give `{}` a UPN that is not another object's address, or remove the address from `{}`", recipient.name.value, other.name.value))
}

/// A domain that can be verified in Microsoft 365: not a reserved or internal-only top-level domain.
fn is_routable(domain: &str) -> bool {
    let tld = domain.rsplit('.').next().unwrap_or("");
    !["local", "internal", "lan", "localdomain", "corp", "home", "intranet", "private"]
        .iter()
        .any(|reserved| tld.eq_ignore_ascii_case(reserved))
        && domain.contains('.')
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
        let plain = format!("{}@{domain}", nickname_local_part(nickname));
        let span = recipient.alias.as_ref().map_or(recipient.name.span, |a| a.span);
        let mut diagnostic = super::finding(
            Rule::MoeraCollision,
            span,
            recipient,
            format!("the MOERA of `{}`, `{plain}`, is already taken", recipient.name.value),
        )
        .primary_label(format!("mailNickname `{nickname}`"));
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
                    "the cloud gives `{}` the MOERA `{}` instead (four random digits; the ones shown are a placeholder), so its routing and sign-in address in `{domain}` is not the one anyone expects (\"How the proxyAddresses attribute is populated in Microsoft Entra ID\", scenario 6)",
                    recipient.name.value,
                    object.moera.as_deref().unwrap_or("")
                ))
                .help("give the recipient an alias whose MOERA is free, or remove the onmicrosoft.com address from the other object"),
        );
    }
}
