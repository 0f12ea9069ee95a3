//! Attribute lengths: values longer than Active Directory's schema (rangeUpper) or Exchange's cmdlets
//! accept, from the field table's limits.

use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::rules::Context;
use crate::schema::fields::recipient::{Limit, fields};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let limited: Vec<_> = fields().filter_map(|f| f.max_length.map(|limit| (f, limit))).collect();
    for recipient in &cx.model.recipients {
        for &(field, (max, limit)) in &limited {
            if field.text(recipient).is_none_or(|text| text.len() <= max) {
                continue;
            }
            for value in field.values(recipient) {
                // Characters are never more than bytes: most values are decided without counting.
                if value.text.len() <= max {
                    continue;
                }
                let length = value.text.chars().count();
                if length <= max {
                    continue;
                }
                let key = field.key.name;
                let (who, consequence) = match limit {
                    Limit::RangeUpper => (
                        "Active Directory's schema",
                        "Active Directory refuses the value, so the object cannot be created or changed with it, and Entra Connect cannot export it",
                    ),
                    Limit::Exchange => (
                        "Exchange",
                        "Exchange's cmdlets refuse the value (\"The maximum length is 1024 characters\", Set-Mailbox -CustomAttribute1)",
                    ),
                };
                out.push(
                    Diagnostic::new(
                        Rule::AttributeTooLong,
                        value.span,
                        format!(
                            "`{key}` of `{}` is {length} characters long; {who} allows {max}",
                            recipient.name.value
                        ),
                    )
                    .primary_label(format!("{length} characters"))
                    .recipient(recipient.name.value.to_string())
                    .note(consequence)
                    .help(format!("shorten `{key}` to at most {max} characters")),
                );
            }
        }
    }
}
