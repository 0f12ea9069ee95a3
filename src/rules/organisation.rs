//! Organisation rules (`[[rule]]`, SPEC 5): a selection of recipients and one constraint on a field,
//! evaluated in one pass per rule, with globs compiled once. Their findings go through severities,
//! suppressions and baselines exactly like built-in rules'.

use std::borrow::Cow;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::analysis::addresses::{Derived, FastMap};
use crate::diag::Diagnostic;
use crate::model::address::{ProxyAddress, domain_of, local_part_of};
use crate::model::{Constraint, CustomRule, Model, Recipient, SStr, Source};
use crate::schema::fields as format;
use crate::source::{SourceFiles, Span};

/// Fields beyond the recipient keys.
const DERIVED_FIELDS: &[&str] = &["primary_smtp_address", "effective_addresses"];
const PARTS: &[&str] = &["domain", "local_part"];

/// Every field a rule may name (without the `.domain` / `.local_part` parts).
pub fn field_names() -> Vec<&'static str> {
    format::recipient_keys().map(|k| k.name).chain(DERIVED_FIELDS.iter().copied()).collect()
}

/// Whether `field` names a field; on error, the message and a help.
pub fn check_field(field: &str) -> Result<(), (String, String)> {
    let (base, part) = match field.split_once('.') {
        Some((base, part)) => (base, Some(part)),
        None => (field, None),
    };
    let names = field_names();
    if !names.contains(&base) {
        let hint = crate::util::suggest::hint(base, names.iter().copied());
        return Err((
            format!("`{base}` is not a field rules can test"),
            if hint.is_empty() {
                "fields are the recipient keys, `primary_smtp_address` and `effective_addresses`".into()
            } else {
                hint
            },
        ));
    }
    if let Some(part) = part
        && !PARTS.contains(&part)
    {
        return Err((format!("`.{part}` is not a part of a field"), "use `.domain` or `.local_part`".into()));
    }
    Ok(())
}

/// A value of a field, with where it was written.
pub struct FieldValue<'v> {
    pub text: Cow<'v, str>,
    pub span: Span,
}

fn one<'v>(value: Option<&'v SStr<'_>>) -> Vec<FieldValue<'v>> {
    value.map(|v| FieldValue { text: Cow::Borrowed(v.value.as_ref()), span: v.span }).into_iter().collect()
}

/// The values of `field` (possibly `base.domain` / `base.local_part`) for one recipient.
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
    let r = recipient;
    let flag = |value: &Option<crate::source::Spanned<bool>>| -> Vec<FieldValue<'v>> {
        value
            .as_ref()
            .map(|v| FieldValue { text: Cow::Borrowed(if v.value { "true" } else { "false" }), span: v.span })
            .into_iter()
            .collect()
    };
    let many = |values: &'v [SStr<'_>]| -> Vec<FieldValue<'v>> {
        values.iter().map(|v| FieldValue { text: Cow::Borrowed(v.value.as_ref()), span: v.span }).collect()
    };
    let mut values: Vec<FieldValue<'v>> = match base {
        "name" => one(Some(&r.name)),
        "type" => vec![FieldValue { text: Cow::Borrowed(r.kind().name()), span: r.kind.span }],
        "source" => vec![FieldValue {
            text: Cow::Borrowed(if r.source == Source::Cloud { "cloud" } else { "on-premises" }),
            span: r.source_span.unwrap_or(r.name.span),
        }],
        "synced" => flag(&r.synced),
        "upn" => one(r.upn.as_ref()),
        "alias" => one(r.alias.as_ref()),
        "mail" => one(r.mail.as_ref()),
        "display_name" => one(r.display_name.as_ref()),
        "given_name" => one(r.given_name.as_ref()),
        "surname" => one(r.surname.as_ref()),
        "initials" => one(r.initials.as_ref()),
        "department" => one(r.department.as_ref()),
        "company" => one(r.company.as_ref()),
        "state_or_province" => one(r.state_or_province.as_ref()),
        "proxy_addresses" => many(&r.proxy_addresses),
        "email_address_policy_enabled" => flag(&r.email_address_policy_enabled),
        "remote_routing_address" => one(r.remote_routing_address.as_ref()),
        "external_email_address" => one(r.external_email_address.as_ref()),
        "exchange_guid" => one(r.exchange_guid.as_ref()),
        "archive_guid" => one(r.archive_guid.as_ref()),
        "archive" => flag(&r.archive),
        "licensed" => flag(&r.licensed),
        "provisioned" => r
            .provisioned
            .as_ref()
            .map(|d| FieldValue { text: Cow::Owned(d.value.to_string()), span: d.span })
            .into_iter()
            .collect(),
        "litigation_hold" => flag(&r.litigation_hold),
        "forwarding_smtp_address" => one(r.forwarding_smtp_address.as_ref()),
        "forwarding_address" => one(r.forwarding_address.as_ref()),
        "members" => many(&r.members),
        "move_status" => one(r.move_status.as_ref()),
        "allow" => r
            .allow
            .iter()
            .map(|(rule, _)| FieldValue { text: Cow::Borrowed(rule.value.as_ref()), span: rule.span })
            .collect(),
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
        other => match other.strip_prefix("custom_attribute_").and_then(|n| n.parse().ok()) {
            Some(n) => one(r.custom_attribute(n)),
            None => Vec::new(),
        },
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
