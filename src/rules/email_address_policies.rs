//! Email address policy rules: templates, priorities, scopes, and what evaluation shows (shadowed
//! policies, missing routing templates, numbered addresses).

use std::collections::HashMap;

use crate::analysis::policy::template::Piece;
use crate::analysis::policy::{CompiledPolicy, includes};
use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity};
use crate::model::{AddressPolicy, IncludedRecipients, RecipientType, Source};
use crate::rules::{Context, quoted_list};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let policies = &cx.derived.policies;
    for compiled in &policies.compiled {
        templates(cx, compiled, out);
        primary_template_count(compiled.policy, out);
        recipient_filter(cx, compiled, out);
        if compiled.policy.source == Source::Cloud {
            cloud_scope(compiled, out);
        }
    }
    priorities(cx, out);
    shadowed(cx, out);
    missing_routing_template(cx, out);
    collisions(cx, out);
    overlong_generated_addresses(cx, out);
}

fn policy_name(policy: &AddressPolicy<'_>) -> String {
    policy.name.value.to_string()
}

fn templates(cx: &Context<'_>, compiled: &CompiledPolicy<'_>, out: &mut Vec<Diagnostic>) {
    let policy = compiled.policy;
    for (written, parsed) in policy.templates.iter().zip(&compiled.templates) {
        match parsed {
            Err(problem) => out.push(
                Diagnostic::new(
                    Rule::InvalidAddressTemplate,
                    cx.span_within(written.span, &written.value, problem.at.clone()),
                    format!("template `{}` of policy `{}`: {}", written.value, policy.name.value, problem.message),
                )
                .primary_label("invalid here")
                .label(policy.name.span, format!("policy `{}`", policy.name.value))
                .recipient(policy_name(policy))
                .note("Exchange refuses to save a policy with an invalid template")
                .help("templates are `TYPE:local@domain` with the variables %g %s %i %d %m, %Ng %Ns (first N characters) and %rxy (replace x with y)"),
            ),
            Ok(template) => {
                let (Some(domain), Some(at), Some(tenant)) = (&template.domain, &template.domain_at, &cx.derived.tenant) else {
                    continue;
                };
                if !template.is_smtp() || tenant.is_accepted(domain) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        Rule::TemplateDomainNotAccepted,
                        cx.span_within(written.span, &written.value, at.clone()),
                        format!("template `{}` of policy `{}` uses `{domain}`, which is not an accepted domain", written.value, policy.name.value),
                    )
                    .primary_label("not an accepted domain")
                    .label(policy.name.span, format!("policy `{}`", policy.name.value))
                    .recipient(policy_name(policy))
                    .note("Exchange only generates addresses in accepted domains: `Update-EmailAddressPolicy` fails, and mail to such addresses is not accepted")
                    .help(format!("use an accepted domain or the routing domain `{}`, or add `{domain}` to `[tenant] accepted_domains` once it is verified", tenant.routing)),
                );
            }
        }
    }
}

fn primary_template_count(policy: &AddressPolicy<'_>, out: &mut Vec<Diagnostic>) {
    if policy.templates.is_empty() {
        return; // the missing key is a schema finding
    }
    let primaries: Vec<_> = policy.templates.iter().filter(|t| t.value.starts_with("SMTP:")).collect();
    let diagnostic = match primaries.len() {
        1 => return,
        0 => Diagnostic::new(
            Rule::PolicyPrimaryTemplateCount,
            policy.name.span,
            format!("policy `{}` has no primary (`SMTP:`) template", policy.name.value),
        )
        .primary_label("no `SMTP:` template")
        .help("make exactly one template the primary by writing its prefix as `SMTP:` in capitals"),
        n => {
            let mut d = Diagnostic::new(
                Rule::PolicyPrimaryTemplateCount,
                primaries[1].span,
                format!("policy `{}` has {n} primary (`SMTP:`) templates", policy.name.value),
            )
            .primary_label("a second `SMTP:` template");
            for (i, other) in primaries.iter().enumerate().filter(|(i, _)| *i != 1) {
                d = d.label(other.span, if i == 0 { "first `SMTP:` template" } else { "another `SMTP:` template" });
            }
            d.help("keep `SMTP:` on one template and write the others as `smtp:`")
        }
    };
    out.push(
        diagnostic
            .recipient(policy_name(policy))
            .note("a policy stamps exactly one primary address, from its one `SMTP:` template; Exchange refuses a policy with none or several"),
    );
}

fn recipient_filter(cx: &Context<'_>, compiled: &CompiledPolicy<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(Err(problem)), Some(written)) = (&compiled.filter, &compiled.policy.recipient_filter) else { return };
    let policy = compiled.policy;
    out.push(
        Diagnostic::new(
            Rule::InvalidRecipientFilter,
            cx.span_within(written.span, &written.value, problem.at.clone()),
            format!("recipient filter of policy `{}`: {}", policy.name.value, problem.message),
        )
        .primary_label("here")
        .label(policy.name.span, format!("policy `{}`", policy.name.value))
        .recipient(policy_name(policy))
        .note("hybridlint evaluates -eq, -ne, -like, -notlike, -and, -or, -not, parentheses, $null and quoted strings over the recipient properties it models; until the filter is one it can evaluate, the policy is treated as matching no recipient")
        .help("correct the filter, or express the scope with `include` and `conditions`"),
    );
}

fn cloud_scope(compiled: &CompiledPolicy<'_>, out: &mut Vec<Diagnostic>) {
    let policy = compiled.policy;
    let base = |span, message: String, label: &str| {
        Diagnostic::new(Rule::CloudPolicyScope, span, message)
            .primary_label(label)
            .label(policy.name.span, format!("cloud policy `{}`", policy.name.value))
            .recipient(policy_name(policy))
            .note("in Exchange Online, email address policies apply only to Microsoft 365 groups, and their templates take no variables: `SMTP:@groups.contoso.com` gives every group `<alias>@groups.contoso.com`")
    };
    for (written, parsed) in policy.templates.iter().zip(&compiled.templates) {
        let Ok(template) = parsed else { continue };
        let has_local_text = template.local.iter().any(|p| matches!(p, Piece::Literal(text) if !text.is_empty()));
        if template.has_variables() || has_local_text {
            out.push(
                base(
                    written.span,
                    format!(
                        "cloud policy `{}` has the template `{}`, which has a local part",
                        policy.name.value, written.value
                    ),
                    "a cloud template with a local part",
                )
                .help("write cloud templates as `SMTP:@domain`: the group's alias is the local part"),
            );
        }
    }
    let scoped_include = policy.include.iter().find(|i| i.value != IncludedRecipients::AllRecipients);
    let scope_span = scoped_include
        .map(|i| i.span)
        .or(policy.conditions.span.filter(|_| !policy.conditions.properties.is_empty()))
        .or(policy.recipient_filter.as_ref().map(|f| f.span));
    if let Some(span) = scope_span {
        out.push(
            base(
                span,
                format!(
                    "cloud policy `{}` has a recipient scope; cloud policies apply to Microsoft 365 groups only",
                    policy.name.value
                ),
                "not a Microsoft 365 group scope",
            )
            .help("remove `include`, `conditions` and `recipient_filter` from cloud policies"),
        );
    }
}

// Long on purpose: one case per documented priority mistake, each independent.

fn priorities(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut by_priority: HashMap<(bool, i64), &AddressPolicy<'_>> = HashMap::new();
    let mut defaults: HashMap<bool, &AddressPolicy<'_>> = HashMap::new();
    for policy in &cx.model.policies {
        let cloud = policy.source == Source::Cloud;
        let base = |span, message: String, label: &str| {
            Diagnostic::new(Rule::PolicyPriority, span, message).primary_label(label).recipient(policy_name(policy))
        };
        if policy.is_default() {
            if let Some(first) = defaults.get(&cloud) {
                out.push(
                    base(
                        policy.default.as_ref().map_or(policy.name.span, |d| d.span),
                        format!("`{}` is a second default policy", policy.name.value),
                        "second default",
                    )
                    .label(
                        first.default.as_ref().map_or(first.name.span, |d| d.span),
                        format!("`{}` is the default policy", first.name.value),
                    )
                    .note("Exchange has exactly one default policy, evaluated last")
                    .help("give this policy a priority and remove `default = true`"),
                );
            } else {
                defaults.insert(cloud, policy);
            }
            if let Some(priority) = &policy.priority {
                out.push(
                    base(
                        priority.span,
                        format!("the default policy `{}` has a priority", policy.name.value),
                        "not for the default policy",
                    )
                    .note("the default policy is always evaluated last (Exchange shows its priority as `Lowest`)")
                    .help("remove `priority` from the default policy"),
                );
            }
            let scope =
                policy.conditions.span.or(policy.include_span).or(policy.recipient_filter.as_ref().map(|f| f.span));
            if let Some(span) = scope {
                out.push(
                    base(span, format!("the default policy `{}` has a recipient scope", policy.name.value), "the default policy takes no conditions")
                        .note("the default policy matches every recipient that no other policy matched; Exchange does not allow conditions on it")
                        .help("move the scope to a new policy with a priority"),
                );
            }
            continue;
        }
        let Some(priority) = &policy.priority else {
            out.push(
                base(policy.name.span, format!("policy `{}` has no priority", policy.name.value), "no `priority`")
                    .note("policies are evaluated in priority order (1 first); only the default policy has none")
                    .help("add `priority = N`, or `default = true` if this is the default policy"),
            );
            continue;
        };
        match by_priority.get(&(cloud, priority.value)) {
            Some(first) => out.push(
                base(priority.span, format!("policies `{}` and `{}` both have priority {}", first.name.value, policy.name.value, priority.value), "same priority")
                    .label(first.priority.as_ref().map_or(first.name.span, |p| p.span), format!("priority of `{}`", first.name.value))
                    .note("each priority belongs to one policy; Exchange renumbers the others, so which policy a recipient gets is not what the files say")
                    .help("give each policy its own priority"),
            ),
            None => {
                by_priority.insert((cloud, priority.value), policy);
            }
        }
    }
    let on_premises: Vec<&AddressPolicy<'_>> =
        cx.model.policies.iter().filter(|p| p.source == Source::OnPremises).collect();
    if !on_premises.is_empty() && !on_premises.iter().any(|p| p.is_default()) {
        let first = on_premises[0];
        out.push(
            Diagnostic::new(Rule::NoDefaultPolicy, first.name.span, "the repository's email address policies include no default policy")
                .primary_label("first of the policies")
                .recipient(policy_name(first))
                .note("every Exchange organisation has a Default Policy, evaluated last; recipients no other policy matches get their addresses from it. Without it in the repository, what those recipients get cannot be checked")
                .help("describe the organisation's Default Policy with `default = true`"),
        );
    }
}

/// A policy's static scope, for comparing policies: the recipient types it can match and its conditions.
struct Scope<'p> {
    types: Vec<RecipientType>,
    conditions: Vec<(&'p str, Vec<&'p str>)>,
    /// A recipient filter can match anything hybridlint cannot compare.
    opaque: bool,
}

fn scope<'p>(policy: &'p AddressPolicy<'_>) -> Scope<'p> {
    let included =
        |kind: RecipientType| policy.include.is_empty() || policy.include.iter().any(|i| includes(i.value, kind));
    Scope {
        types: RecipientType::ALL
            .iter()
            .copied()
            .filter(|&k| k != RecipientType::GroupMailbox && included(k))
            .collect(),
        conditions: policy
            .conditions
            .properties
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(key, values)| (key.value.as_ref(), values.iter().map(|v| v.value.as_ref()).collect()))
            .collect(),
        opaque: policy.recipient_filter.is_some(),
    }
}

/// Every recipient `inner` can match, `outer` matches too.
fn covers(outer: &Scope<'_>, inner: &Scope<'_>) -> bool {
    if outer.opaque {
        return false;
    }
    if inner.opaque {
        return outer.conditions.is_empty()
            && RecipientType::ALL
                .iter()
                .filter(|&&k| k != RecipientType::GroupMailbox)
                .all(|k| outer.types.contains(k));
    }
    inner.types.iter().all(|k| outer.types.contains(k))
        && outer.conditions.iter().all(|(property, allowed)| {
            inner.conditions.iter().any(|(p, values)| {
                p == property && values.iter().all(|v| allowed.iter().any(|a| a.eq_ignore_ascii_case(v)))
            })
        })
}

/// Policies are few (tens); comparing each with those before it is cheap and independent of recipients.
fn shadowed(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let policies = &cx.derived.policies;
    let ordered: Vec<&CompiledPolicy<'_>> = policies
        .order
        .iter()
        .map(|&i| &policies.compiled[i])
        .filter(|c| c.policy.source == Source::OnPremises && !c.policy.is_default())
        .collect();
    let scopes: Vec<Scope<'_>> = ordered.iter().map(|c| scope(c.policy)).collect();
    for (position, compiled) in ordered.iter().enumerate() {
        let Some(earlier) = (0..position).find(|&e| covers(&scopes[e], &scopes[position])) else { continue };
        let policy = compiled.policy;
        let winner = ordered[earlier].policy;
        out.push(
            Diagnostic::new(
                Rule::PolicyShadowed,
                policy.name.span,
                format!(
                    "policy `{}` can never apply: `{}` comes first and matches every recipient it could",
                    policy.name.value, winner.name.value
                ),
            )
            .primary_label("never applies")
            .label(winner.name.span, format!("`{}` is evaluated first", winner.name.value))
            .recipient(policy_name(policy))
            .note("Exchange applies only the first policy, in priority order, whose scope matches a recipient")
            .help(format!(
                "give `{}` a higher priority (a lower number) than `{}`, or narrow `{}`",
                policy.name.value, winner.name.value, winner.name.value
            )),
        );
    }
}

/// Could this policy stamp a mailbox?
fn applies_to_mailboxes(policy: &AddressPolicy<'_>) -> bool {
    policy.is_default()
        || policy.recipient_filter.is_some()
        || RecipientType::ALL
            .iter()
            .any(|&k| k.is_mailbox() && k != RecipientType::GroupMailbox && scope(policy).types.contains(&k))
}

fn missing_routing_template(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tenant) = &cx.derived.tenant else { return };
    if !tenant.hybrid {
        return;
    }
    let policies = &cx.derived.policies;
    for (index, compiled) in policies.compiled.iter().enumerate() {
        let policy = compiled.policy;
        if policy.source != Source::OnPremises || !applies_to_mailboxes(policy) {
            continue;
        }
        let has_routing = compiled.templates.iter().filter_map(|t| t.as_ref().ok()).any(|t| {
            t.is_smtp() && t.domain.as_deref().is_some_and(|d| d == tenant.routing || d == tenant.coexistence)
        });
        if has_routing {
            continue;
        }
        // Mailboxes this policy stamps that have no routing address of their own.
        let stranded: Vec<usize> = cx
            .derived
            .applied_policy
            .iter()
            .enumerate()
            .filter(|(_, applied)| **applied == Some(index as u32))
            .map(|(r, _)| r)
            .filter(|&r| {
                let recipient = &cx.model.recipients[r];
                recipient.kind().is_mailbox()
                    && !recipient.proxy_addresses.iter().any(|a| {
                        let parsed = crate::model::address::ProxyAddress::parse(&a.value);
                        parsed.is_smtp() && parsed.domain().is_some_and(|d| d.eq_ignore_ascii_case(&tenant.routing))
                    })
            })
            .collect();
        let mut diagnostic = Diagnostic::new(
            Rule::PolicyMissingRoutingTemplate,
            policy.name.span,
            format!("policy `{}` stamps mailboxes but has no template in the routing domain `{}`", policy.name.value, tenant.routing),
        )
        .primary_label("no routing-domain template")
        .recipient(policy_name(policy))
        .note(format!("the Hybrid Configuration Wizard adds the coexistence domain as a secondary template to every policy whose primary template is in a domain selected in the wizard (\"Hybrid Configuration wizard\"); a policy created after the wizard ran, or whose primary domain was not selected, lacks it. Its mailboxes get no routing address, and a move to Exchange Online fails with \"The target mailbox doesn't have an smtp proxy matching '{}'\"", tenant.routing))
        .help(format!("add the template \"smtp:%m@{}\" to this policy", tenant.routing));
        if !stranded.is_empty() {
            let names: Vec<&str> =
                stranded.iter().take(5).map(|&r| cx.model.recipients[r].name.value.as_ref()).collect();
            let more = if stranded.len() > 5 { format!(" and {} more", stranded.len() - 5) } else { String::new() };
            diagnostic = diagnostic.severity_hint(Severity::Error).note(format!(
                "{} mailbox(es) get their addresses from this policy and have no routing address of their own: {}{more}",
                stranded.len(),
                quoted_list(&names)
            ));
            for &r in stranded.iter().take(5) {
                let recipient = &cx.model.recipients[r];
                diagnostic =
                    diagnostic.label(recipient.name.span, format!("`{}` has no routing address", recipient.name.value));
            }
        }
        out.push(diagnostic);
    }
}

fn collisions(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for collision in &cx.derived.collisions {
        let recipient = &cx.model.recipients[collision.recipient as usize];
        // A mail user's or contact's primary is its external address: what a policy adds to it are
        // secondaries nobody addresses mail to, numbered or not.
        if recipient.kind().has_external_address() && recipient.external_email_address.is_some() {
            continue;
        }
        let holder = &cx.model.recipients[collision.holder as usize];
        let policy = &cx.model.policies[collision.policy as usize];
        let template = &policy.templates[collision.template as usize];
        let wanted = format!("smtp:{}", collision.wanted);
        let holder_span = cx
            .derived
            .addresses_of(collision.holder as usize)
            .iter()
            .find(|a| a.text.eq_ignore_ascii_case(&wanted))
            .map_or(holder.name.span, |a| a.span);
        out.push(
            Diagnostic::new(
                Rule::PolicyAddressCollision,
                recipient.name.span,
                format!(
                    "policy `{}` would give `{}` the address `{}`, which `{}` already has; Exchange stamps `{}` instead",
                    policy.name.value, recipient.name.value, collision.wanted, holder.name.value, collision.stamped
                ),
            )
            .primary_label(format!("gets `{}`", collision.stamped))
            .related(holder.name.value.to_string())
            .label(template.span, format!("generates `{}`", collision.wanted))
            .label(holder_span, format!("`{}` already has it", holder.name.value))
            .recipient(recipient.name.value.to_string())
            .note("when a generated address is taken, Exchange appends a number to the local part; the recipient's address is then not the one people will guess")
            .help("give one of the two recipients an explicit address, or make the template more specific (for example `%g.%i.%s`)"),
        );
    }
}

/// The longest local part of an SMTP address (RFC 5321).
const MAX_LOCAL_PART: usize = 64;

/// Templates that give some recipient a local part longer than SMTP allows (long display names under
/// `%d`, or several full names in a row): one finding per template, naming the first such recipient.
fn overlong_generated_addresses(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    use crate::analysis::addresses::Origin;
    // (policy, template) -> (first recipient, its address, how many recipients)
    let mut found: std::collections::BTreeMap<(u32, u32), (u32, String, usize)> = Default::default();
    for index in 0..cx.model.recipients.len() {
        for address in cx.derived.addresses_of(index) {
            let Origin::Generated { policy, template } = address.origin else { continue };
            let parsed = address.parsed();
            let local = parsed.address.rsplit_once('@').map_or(parsed.address, |(local, _)| local);
            if local.len() > MAX_LOCAL_PART {
                // Expansion stops just past the limit, so only the start of the address is known.
                let shown = || {
                    let domain = parsed.address.rsplit_once('@').map_or("", |(_, domain)| domain);
                    let start = local.char_indices().nth(MAX_LOCAL_PART).map_or(local, |(end, _)| &local[..end]);
                    format!("{start}…@{domain}")
                };
                found.entry((policy, template)).or_insert_with(|| (address.recipient, shown(), 0)).2 += 1;
            }
        }
    }
    for ((policy, template), (recipient, address, count)) in found {
        let policy = &cx.model.policies[policy as usize];
        let template = &policy.templates[template as usize];
        let recipient = &cx.model.recipients[recipient as usize];
        let others = match count - 1 {
            0 => String::new(),
            1 => " (and 1 other recipient)".to_string(),
            n => format!(" (and {n} other recipients)"),
        };
        out.push(
            Diagnostic::new(
                Rule::InvalidAddressTemplate,
                template.span,
                format!(
                    "template `{}` of policy `{}` gives `{}`{others} a local part longer than {MAX_LOCAL_PART} characters",
                    template.value, policy.name.value, recipient.name.value
                ),
            )
            .primary_label("generates an address that is too long")
            .label(recipient.name.span, format!("`{}` would get `{address}` (shown up to {MAX_LOCAL_PART} characters)", recipient.name.value))
            .recipient(recipient.name.value.to_string())
            .note("an SMTP address's local part is at most 64 characters (RFC 5321); longer generated addresses are not valid addresses")
            .help("limit the variables with their first characters (`%1g%5s`), or generate from the alias with `%m`"),
        );
    }
}
