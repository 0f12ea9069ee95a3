//! Organisation rules (`[[rule]]`, SPEC 5): a selection of recipients and one constraint on a field,
//! evaluated in one pass per rule, with globs compiled once. Their findings go through severities,
//! suppressions and baselines exactly like built-in rules'.

use std::borrow::Cow;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::analysis::addresses::Derived;
use crate::diag::Diagnostic;
use crate::model::address::{ProxyAddress, domain_of, local_part_of};
use crate::model::{Constraint, CustomRule, Model, Recipient, SStr};
use crate::schema::fields::recipient::{FieldValue, field_named};
use crate::source::{SourceFiles, Span};
use crate::util::FastMap;

/// The values of `field` (possibly `base.domain` / `base.local_part`) for one recipient: a recipient key's
/// values through its field, or the effective addresses the analysis computed.
pub fn field_values<'v>(
    recipient: &'v Recipient<'_>,
    derived: &'v Derived<'_>,
    index: usize,
    field: &str,
) -> Vec<FieldValue<'v>> {
    let (base, part) = match field.split_once('.') {
        Some((base, part)) => (base, Some(part)),
        None => (field, None),
    };
    let mut values: Vec<FieldValue<'v>> = match base {
        "primary_smtp_address" => derived
            .primary_of(index)
            .map(|a| FieldValue { text: Cow::Borrowed(a.parsed().address), span: a.span })
            .into_iter()
            .collect(),
        "effective_addresses" => derived
            .addresses_of(index)
            .iter()
            .map(|a| FieldValue { text: Cow::Borrowed(a.text.as_ref()), span: a.span })
            .collect(),
        key => field_named(key).map(|f| f.values(recipient)).unwrap_or_default(),
    };
    if let Some(part) = part {
        for value in &mut values {
            let address = ProxyAddress::parse(&value.text).address;
            let piece = match part {
                "domain" => domain_of(address).unwrap_or(""),
                _ => local_part_of(address),
            };
            value.text = Cow::Owned(piece.to_string());
        }
        values.retain(|v| !v.text.is_empty());
    }
    values
}

fn glob_set(globs: &[SStr<'_>], literal_separator: bool) -> Option<GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        if let Ok(glob) =
            GlobBuilder::new(&glob.value).case_insensitive(true).literal_separator(literal_separator).build()
        {
            builder.add(glob);
        }
    }
    builder.build().ok()
}

/// A rule with its globs compiled.
struct Compiled<'r, 'a> {
    rule: &'r CustomRule<'a>,
    types: Option<GlobSet>,
    names: Option<GlobSet>,
    files: Option<GlobSet>,
    values: Option<GlobSet>,
}

impl Compiled<'_, '_> {
    fn selects(&self, recipient: &Recipient<'_>, files: &SourceFiles) -> bool {
        let select = &self.rule.select;
        select.source.is_none_or(|s| s == recipient.source)
            && self.types.as_ref().is_none_or(|g| g.is_match(recipient.kind().name()))
            && self.names.as_ref().is_none_or(|g| g.is_match(recipient.name.value.as_ref()))
            && self.files.as_ref().is_none_or(|g| g.is_match(&files.get(recipient.name.span.file).path))
    }
}

/// The repository's organisation rules as catalogue entries, for `rules`, `explain` and SARIF.
pub fn catalogue_entries(model: &Model<'_>, files: &SourceFiles) -> Vec<crate::catalogue::Entry> {
    model
        .custom_rules
        .iter()
        .map(|rule| crate::catalogue::Entry {
            name: rule.name.value.to_string(),
            severity: rule.severity,
            category: "organisation".to_string(),
            summary: rule.summary.value.to_string(),
            explanation: rule
                .explanation
                .as_ref()
                .map_or_else(|| rule.summary.value.to_string(), |e| e.value.to_string()),
            example: None,
            sources: vec![format!("{} (this repository)", files.get(rule.name.span.file).path)],
        })
        .collect()
}

/// Runs every organisation rule of the repository.
pub fn check(cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, derived, files) = (cx.model, cx.derived, cx.files);
    for rule in &model.custom_rules {
        let globs = match &rule.constraint {
            Constraint::Deny { globs, .. } | Constraint::Require { globs, .. } => globs.as_slice(),
            _ => &[],
        };
        let compiled = Compiled {
            rule,
            types: glob_set(&rule.select.types, false),
            names: glob_set(&rule.select.names, false),
            files: glob_set(&rule.select.files, true),
            values: glob_set(globs, false),
        };
        check_rule(&compiled, model, derived, files, out);
    }
}

fn finding(rule: &CustomRule<'_>, span: Span, recipient: &Recipient<'_>, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::organisation(rule.name.value.to_string(), rule.severity, span, message)
        .primary_label(rule.summary.value.to_string())
        .label(rule.name.span, format!("rule `{}`", rule.name.value))
        .recipient(recipient.name.value.to_string());
    if let Some(explanation) = &rule.explanation {
        diagnostic = diagnostic.note(explanation.value.trim().to_string());
    }
    if let Some(help) = &rule.help {
        diagnostic = diagnostic.help(help.value.to_string());
    }
    diagnostic
}

// Long on purpose: one arm per constraint kind, sharing the selection and the values.

fn check_rule(
    compiled: &Compiled<'_, '_>,
    model: &Model<'_>,
    derived: &Derived<'_>,
    files: &SourceFiles,
    out: &mut Vec<Diagnostic>,
) {
    let rule = compiled.rule;
    let field = rule.constraint.field().value.as_ref();
    let mut seen: FastMap<String, (usize, Span)> = FastMap::default();
    for (index, recipient) in model.recipients.iter().enumerate() {
        if !compiled.selects(recipient, files) {
            continue;
        }
        let values = field_values(recipient, derived, index, field);
        let name = &recipient.name.value;
        match &rule.constraint {
            Constraint::Deny { .. } => {
                for value in
                    values.iter().filter(|v| compiled.values.as_ref().is_some_and(|g| g.is_match(v.text.as_ref())))
                {
                    out.push(finding(
                        rule,
                        value.span,
                        recipient,
                        format!("`{name}`: {field} `{}` is denied: {}", value.text, rule.summary.value),
                    ));
                }
            }
            Constraint::Require { .. } => {
                let satisfied = match &compiled.values {
                    Some(globs) => values.iter().any(|v| globs.is_match(v.text.as_ref())),
                    None => !values.is_empty(),
                };
                if !satisfied {
                    let span = values.first().map_or(recipient.name.span, |v| v.span);
                    let what = if values.is_empty() {
                        format!("has no {field}")
                    } else {
                        format!("has no {field} that matches")
                    };
                    out.push(finding(rule, span, recipient, format!("`{name}` {what}: {}", rule.summary.value)));
                }
            }
            Constraint::Unique { .. } => {
                for value in &values {
                    let key = value.text.to_ascii_lowercase();
                    match seen.get(&key) {
                        Some(&(first, first_span)) => {
                            let other = &model.recipients[first].name.value;
                            out.push(
                                finding(
                                    rule,
                                    value.span,
                                    recipient,
                                    format!(
                                        "`{name}` has the {field} `{}` of `{other}`: {}",
                                        value.text, rule.summary.value
                                    ),
                                )
                                .label(first_span, format!("`{other}`"))
                                .related(other.to_string()),
                            );
                        }
                        None => {
                            seen.insert(key, (index, value.span));
                        }
                    }
                }
            }
            Constraint::MaxLength { max, .. } => {
                for value in values.iter().filter(|v| v.text.chars().count() as i64 > max.value) {
                    out.push(finding(
                        rule,
                        value.span,
                        recipient,
                        format!(
                            "`{name}`: {field} `{}` is {} characters long (at most {}): {}",
                            value.text,
                            value.text.chars().count(),
                            max.value,
                            rule.summary.value
                        ),
                    ));
                }
            }
        }
    }
}
