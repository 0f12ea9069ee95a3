//! The checks: one module per rule family (`rules/<family>.rs`, named as the family in the registry,
//! [`crate::catalogue::registry`]), each with a `check` function, and the organisation rules of the
//! repository ([`organisation`]). The runner runs every family in parallel, contains a family that
//! panics, and checks that a family reports only its own rules.

use rayon::prelude::*;

use jiff::civil::Date;

use crate::analysis::Analysis;
use crate::analysis::addresses::Derived;
use crate::analysis::cloud::CloudView;
use crate::analysis::pairs::Pairs;
use crate::analysis::presence::Directories;
use crate::analysis::presence::Presence;
use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::diag::lint::Family;
use crate::diag::sink::Sink;
use crate::model::Model;
use crate::model::{Recipient, SStr};
use crate::source::{SourceFiles, Span};
use crate::util::timings::Timings;

mod addresses;
mod attributes;
mod email_address_policies;
pub mod hybrid_routing;
mod identity;
mod input;
pub mod licensing;
pub mod migration;
pub mod organisation;
mod sync_scope;

/// What every check reads.
pub struct Context<'m> {
    pub model: &'m Model<'m>,
    pub derived: &'m Derived<'m>,
    /// Where each recipient exists: every rule that compares objects asks here.
    pub presence: &'m Presence,
    pub files: &'m SourceFiles,
    /// Objects that are one person, or that sync will merge.
    pub pairs: &'m Pairs,
    /// What Entra ID and Exchange Online will make of each synced recipient.
    pub cloud: &'m CloudView,
    /// The evaluation date of date rules.
    pub today: Date,
    /// Names of every rule that exists (built-in and custom), for `unknown-rule`.
    pub rule_names: &'m [String],
}

impl<'m> Context<'m> {
    /// The context of one analysis.
    pub fn new(analysis: &'m Analysis<'m>, files: &'m SourceFiles, rule_names: &'m [String]) -> Context<'m> {
        Context {
            model: analysis.model,
            derived: &analysis.derived,
            presence: &analysis.presence,
            files,
            pairs: &analysis.pairs,
            cloud: &analysis.cloud,
            today: analysis.today,
            rule_names,
        }
    }

    /// Whether the cloud has this effective address (`id`) of recipient `holder`: the recipient exists in
    /// the cloud, and the address is its own there or, for a synced object, not one the cloud discards.
    pub fn kept_in_cloud(&self, holder: usize, id: u32) -> bool {
        if !self.presence.of(holder).cloud {
            return false;
        }
        let position = (id - self.derived.address_ids_of(holder).start) as usize;
        self.cloud.of(holder).is_none_or(|object| !object.dropped.iter().any(|d| d.address == position))
    }

    /// The span of `range` (byte offsets into `value`) inside the string literal at `span`, so that a
    /// finding can underline one character of a value. Falls back to the whole literal when the string
    /// was written with escapes (its text differs from the value).
    pub fn span_within(&self, span: Span, value: &str, range: std::ops::Range<usize>) -> Span {
        let literal = self.files.text(span);
        let quote = if literal.starts_with("\"\"\"") || literal.starts_with("'''") { 3 } else { 1 };
        match literal.get(quote..literal.len().saturating_sub(quote)) {
            Some(inner) if inner == value && range.end <= value.len() => Span {
                file: span.file,
                start: span.start + (quote + range.start) as u32,
                end: span.start + (quote + range.end) as u32,
            },
            _ => span,
        }
    }
}

type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// Who reports what: each family's check, and the repository's organisation rules (`None`).
const CHECKS: &[(Option<Family>, Check)] = &[
    (Some(Family::Input), input::check),
    (Some(Family::Addresses), addresses::check),
    (Some(Family::Identity), identity::check),
    (Some(Family::EmailAddressPolicies), email_address_policies::check),
    (Some(Family::HybridRouting), hybrid_routing::check),
    (Some(Family::Licensing), licensing::check),
    (Some(Family::SyncScope), sync_scope::check),
    (Some(Family::Migration), migration::check),
    (Some(Family::Attributes), attributes::check),
    (None, organisation::check),
];

/// Runs every check, families in parallel, into the sink, and returns the checks that failed with an
/// internal error (their findings are missing).
pub fn run(cx: &Context<'_>, timings: &Timings, sink: &mut Sink) -> Vec<String> {
    run_checks(cx, timings, CHECKS, sink)
}

fn check_name(family: Option<Family>) -> String {
    format!("rules: {}", family.map_or("organisation", Family::name))
}

/// Runs checks in parallel. A check that panics, or reports a rule of another family, is reported as
/// failed; the others' findings are kept, so that one rule's bug never hides the rest.
fn run_checks(cx: &Context<'_>, timings: &Timings, checks: &[(Option<Family>, Check)], sink: &mut Sink) -> Vec<String> {
    let results: Vec<Result<Vec<Diagnostic>, String>> = checks
        .par_iter()
        .map(|&(family, check)| {
            let name = check_name(family);
            let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut found = Vec::new();
                timings.time(&name, || check(cx, &mut found));
                found
            }))
            .map_err(|_| name.clone())?;
            match found.iter().find(|d| d.lint.map(|lint| lint.family) != family) {
                Some(stray) => Err(format!("{name} (reported `{}`, a rule of another family)", stray.rule)),
                None => Ok(found),
            }
        })
        .collect();
    let mut failed = Vec::new();
    for result in results {
        match result {
            Ok(found) => sink.extend(found),
            Err(check) => failed.push(check),
        }
    }
    failed
}

/// A finding about one recipient.
fn finding(rule: Rule, span: Span, recipient: &Recipient<'_>, message: String) -> Diagnostic {
    Diagnostic::new(rule, span, message).recipient(recipient.name.value.to_string())
}

/// A finding on a value that another recipient also has, where they meet: "UPN `x` of `a` is also the
/// UPN of `b` on-premises and in the cloud", both values labelled.
fn same_value(
    rule: Rule,
    what: &str,
    (recipient, value): (&Recipient<'_>, &SStr<'_>),
    (first, first_span): (&Recipient<'_>, Span),
    directories: Directories,
) -> Diagnostic {
    let (name, first_name) = (&recipient.name.value, &first.name.value);
    Diagnostic::new(
        rule,
        value.span,
        format!("{what} `{}` of `{name}` is also the {what} of `{first_name}` {}", value.value, directories.describe()),
    )
    .primary_label(format!("{what} of `{name}`"))
    .related(first_name.to_string())
    .label(first_span, format!("{what} of `{first_name}`"))
    .recipient(name.to_string())
}

/// A finding on a malformed value, underlining the offending character where the check found one.
fn invalid_value(
    cx: &Context<'_>,
    rule: Rule,
    what: &str,
    (recipient, value): (&Recipient<'_>, &SStr<'_>),
    problem: &crate::model::address::AddressProblem,
) -> Diagnostic {
    let span = problem.at.clone().map_or(value.span, |at| cx.span_within(value.span, &value.value, at));
    Diagnostic::new(rule, span, format!("{what} `{}` of `{}` {}", value.value, recipient.name.value, problem.message))
        .primary_label("invalid here")
        .recipient(recipient.name.value.to_string())
}

/// How help texts name a recipient for a cmdlet's -Identity: the UPN where there is one (every mailbox
/// cmdlet accepts it), else the alias, else the name. Set-RemoteMailbox and Enable-RemoteMailbox do not
/// document the name as an identity, so it is the last resort.
fn identity<'r>(recipient: &'r Recipient<'_>) -> &'r str {
    recipient.upn.as_ref().or(recipient.alias.as_ref()).map_or(recipient.name.value.as_ref(), |v| v.value.as_ref())
}

/// A value as a PowerShell argument: in double quotes, with `` ` ``, `"` and `$` escaped by a backtick, so
/// that a help's command can be pasted as it is.
fn ps_quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        if matches!(c, '`' | '"' | '$') {
            quoted.push('`');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// The local part of a recipient's address in the routing domain, `<mailNickname>@<tenant>.mail.onmicrosoft.com`:
/// its mailNickname as the cloud derives it, in US-ASCII.
fn routing_local_part(cx: &Context<'_>, index: usize, recipient: &Recipient<'_>) -> String {
    let primary = cx.derived.primary_of(index).map(|a| a.parsed().address.to_string());
    let nickname = crate::analysis::cloud::mail_nickname(recipient, primary.as_deref())
        .unwrap_or(recipient.name.value.as_ref())
        .to_string();
    crate::analysis::cloud::nickname_local_part(&nickname).into_owned()
}

/// "`a`, `b` and `c`"
pub fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Rule;

    fn failing(_: &Context<'_>, _: &mut Vec<Diagnostic>) {
        panic!("a bug in a rule");
    }

    fn working(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let span = Span { file: 0, start: 0, end: 0 };
        out.extend(cx.model.recipients.first().map(|_| Diagnostic::new(Rule::Schema, span, "found")));
        out.push(Diagnostic::new(Rule::Schema, span, "always"));
    }

    fn stray(_: &Context<'_>, out: &mut Vec<Diagnostic>) {
        out.push(Diagnostic::new(Rule::SoftMatch, Span { file: 0, start: 0, end: 0 }, "not mine"));
    }

    #[test]
    fn powershell_arguments_are_quoted_and_escaped() {
        assert_eq!(ps_quote("Kim Akers"), "\"Kim Akers\"");
        assert_eq!(ps_quote("a\"b$c`d"), "\"a`\"b`$c``d\"");
    }

    #[test]
    fn a_failing_or_stray_family_does_not_hide_the_others() {
        let files = SourceFiles::new(vec![crate::source::SourceFile::from_bytes(
            "hybridlint.toml".into(),
            b"[tenant]\nname = \"contoso\"\naccepted_domains = []\n".to_vec(),
        )]);
        let (model, _) = crate::schema::build::build_model(&files, "hybridlint.toml");
        let analysis = Analysis::new(&model, None, &Timings::default());
        let cx = Context::new(&analysis, &files, &[]);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let mut sink = Sink::default();
        let checks: &[(Option<Family>, Check)] =
            &[(Some(Family::Licensing), failing), (Some(Family::Input), working), (Some(Family::Input), stray)];
        let failed = run_checks(&cx, &Timings::default(), checks, &mut sink);
        std::panic::set_hook(previous);
        assert_eq!(failed, ["rules: licensing", "rules: input (reported `soft-match`, a rule of another family)"]);
        assert_eq!(sink.finish().len(), 1);
    }
}
