//! Input rules that need the whole model: `duplicate-name`, `unknown-reference`, `unknown-rule`.
//! (`toml-syntax`, `schema` and `tenant-config` are found while the model is built: see `build.rs`.)

use std::collections::HashMap;

use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::address::Caseless;
use crate::rules::Context;
use crate::source::Span;
use crate::util::suggest;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    duplicate_names(cx, out);
    unknown_references(cx, out);
    unknown_rules(cx, out);
}

fn duplicate_names(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, recipient) in cx.model.recipients.iter().enumerate() {
        let first = cx.derived.first_with_name_of(index);
        if first != index {
            let original = &cx.model.recipients[first];
            out.push(duplicate(&recipient.name.value, "recipient", recipient.name.span, original.name.span));
        }
    }
    let mut policies: HashMap<Caseless<'_>, Span> = HashMap::new();
    for policy in &cx.model.policies {
        if let Some(&first) = policies.get(&Caseless(&policy.name.value)) {
            out.push(duplicate(&policy.name.value, "email address policy", policy.name.span, first));
        } else {
            policies.insert(Caseless(&policy.name.value), policy.name.span);
        }
    }
}

fn duplicate(name: &str, what: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(Rule::DuplicateName, span, format!("{what} name `{name}` is used twice"))
        .primary_label("second use")
        .label(first, "first used here")
        .recipient(name)
        .note("Exchange identifies objects by Name (compared case-insensitively): the second one cannot be created, and every reference to the name is ambiguous")
        .help(format!("rename one of the two {what}s"))
}

/// Above this many comparisons, unknown names get no did-you-mean (the search is linear per miss).
const SUGGESTION_BUDGET: usize = 2_000_000;

fn unknown_references(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut misses = Vec::new();
    for recipient in &cx.model.recipients {
        for member in recipient.members() {
            if cx.derived.recipient_named(&member.value).is_none() {
                misses.push((recipient, member, "member"));
            }
        }
        if let Some(target) = recipient.forwarding_address()
            && cx.derived.recipient_named(&target.value).is_none()
        {
            misses.push((recipient, target, "forwarding address"));
        }
    }
    // Batches name their mailboxes and their endpoint.
    let mut batch_misses = Vec::new();
    for batch in &cx.model.migration_batches {
        for member in batch.mailboxes.iter().filter(|m| cx.derived.recipient_named(&m.value).is_none()) {
            batch_misses.push((batch, member, "mailbox"));
        }
        if let Some(endpoint) = &batch.endpoint
            && !cx.model.migration_endpoints.iter().any(|e| e.name.value.eq_ignore_ascii_case(&endpoint.value))
        {
            batch_misses.push((batch, endpoint, "endpoint"));
        }
    }
    for (batch, reference, what) in batch_misses {
        let (names, kind): (Vec<&str>, &str) = if what == "endpoint" {
            (cx.model.migration_endpoints.iter().map(|e| e.name.value.as_ref()).collect(), "migration endpoint")
        } else {
            (Vec::new(), "recipient")
        };
        let mut diagnostic = Diagnostic::new(
            Rule::UnknownReference,
            reference.span,
            format!("{what} `{}` of batch `{}` is not a {kind} in this repository", reference.value, batch.name.value),
        )
        .primary_label(format!("no {kind} has this name"))
        .label(batch.name.span, format!("batch `{}`", batch.name.value))
        .recipient(batch.name.value.to_string());
        diagnostic = match suggest::did_you_mean(&reference.value, names) {
            Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
            None => diagnostic.help(format!("batches refer to a {kind} by its `name`")),
        };
        out.push(diagnostic);
    }
    let suggest = misses.len().saturating_mul(cx.model.recipients.len()) <= SUGGESTION_BUDGET;
    for (recipient, reference, what) in misses {
        let mut diagnostic = Diagnostic::new(
            Rule::UnknownReference,
            reference.span,
            format!("{what} `{}` of `{}` is not a recipient in this repository", reference.value, recipient.name.value),
        )
        .primary_label("no recipient has this name")
        .label(recipient.name.span, format!("in `{}`", recipient.name.value))
        .recipient(recipient.name.value.to_string());
        if suggest {
            let names = cx.model.recipients.iter().map(|r| r.name.value.as_ref());
            if let Some(candidate) = suggest::did_you_mean(&reference.value, names) {
                diagnostic = diagnostic.help(format!("did you mean `{candidate}`?"));
            }
        }
        if diagnostic.help.is_none() {
            diagnostic =
                diagnostic.help("references name recipients by their `name`; add the recipient or correct the name");
        }
        for &file in &cx.model.incomplete_files {
            diagnostic = diagnostic
                .note(format!("`{}` could not be read; the recipient may be defined there", cx.files.get(file).path));
        }
        out.push(diagnostic);
    }
}

fn unknown_rules(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let references = cx.model.lint.rules.iter().map(|(name, _)| (name, "`[lint.rules]`", None)).chain(
        cx.model.recipients.iter().flat_map(|r| r.allow().iter().map(move |(name, _)| (name, "`allow`", Some(r)))),
    );
    for (name, place, recipient) in references {
        if cx.rule_names.iter().any(|known| *known == name.value) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Rule::UnknownRule,
            name.span,
            format!("{place} names the rule `{}`, which does not exist", name.value),
        )
        .primary_label("unknown rule");
        if let Some(recipient) = recipient {
            diagnostic = diagnostic.recipient(recipient.name.value.to_string());
        }
        diagnostic = match suggest::did_you_mean(&name.value, cx.rule_names.iter().map(String::as_str)) {
            Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
            None => diagnostic.help("`hybridlint rules` lists every rule"),
        };
        out.push(diagnostic);
    }
}
