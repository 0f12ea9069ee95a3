//! Reading `[[recipient]]` tables: `name`, `type` and `source` first, then every other key through the
//! field table.

use std::borrow::Cow;

use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::*;
use crate::schema::fields as format;
use crate::schema::fields::recipient::{Field, Slot};
use crate::schema::reader::{Reader, TomlSpanned, Value, take};
use crate::source::Span;
use toml::de::DeTable;

impl Reader {
    pub(crate) fn recipient<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<Recipient<'a>> {
        let table_span = self.span(table.span());
        self.recipient_entries(table_span, table.into_inner().into_iter().collect())
    }

    /// A recipient from its table's entries in the order written (`table_span`: the `[[recipient]]`
    /// header): what both the table reader and the event reader of recipient files call.
    pub(crate) fn recipient_entries<'a>(
        &mut self,
        table_span: Span,
        mut entries: Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)>,
    ) -> Option<Recipient<'a>> {
        // `name` and `type` first: what the other keys mean depends on the type. A key that is present but
        // invalid was reported where it was read; only a missing one is reported here.
        let name = match take(&mut entries, "name") {
            Some(value) => self.string("name", value),
            None => {
                self.missing(table_span, "name", "this recipient");
                None
            }
        };
        let kind = match take(&mut entries, "type") {
            Some(value) => self.choice("type", value, RecipientType::NAMES, RecipientType::parse),
            None => {
                let (span, what) = match &name {
                    Some(name) => (name.span, format!("recipient `{}`", name.value)),
                    None => (table_span, "this recipient".to_string()),
                };
                self.missing(span, "type", &what);
                None
            }
        };
        let source = take(&mut entries, "source").and_then(|v| self.source(v));
        let (Some(name), Some(kind)) = (name, kind) else { return None };
        self.check_name_length(&name, "recipient");

        let mut recipient = Recipient::new(table_span, name, kind);
        if let Some(source) = source {
            recipient.source = source.value;
            recipient.source_span = Some(source.span);
        }
        let kind = recipient.kind();
        for (key, value) in entries {
            let key_span = self.span(key.span());
            let key = key.into_inner();
            let Some(field) = format::recipient::field_named(&key) else {
                let known: Vec<&str> = format::recipient_keys().map(|k| k.name).collect();
                self.unknown_key(key_span, &key, &format!("in recipient `{}`", recipient.name.value), &known);
                continue;
            };
            let applies = field.key.applies;
            if !applies.matches(kind, recipient.source) {
                let source = match recipient.source {
                    Source::OnPremises => "on-premises",
                    Source::Cloud => "cloud",
                };
                self.push(
                    Diagnostic::new(
                        Rule::Schema,
                        key_span,
                        format!("`{key}` does not apply to `{}` ({source})", kind.name()),
                    )
                    .primary_label(format!("applies only to {}", applies.describe()))
                    .label(recipient.kind.span, "the recipient's type")
                    .recipient(recipient.name.value.to_string())
                    .help(format!("remove `{key}`, or correct the recipient's `type` or `source`")),
                );
                continue;
            }
            self.store(&mut recipient, field, &key, value);
        }
        Some(recipient)
    }

    /// Stores one key's value where its field says (`name`, `type` and `source` were read already).
    pub(crate) fn store<'a>(&mut self, recipient: &mut Recipient<'a>, field: &Field, key: &str, value: Value<'a>) {
        match field.slot {
            Slot::Identity(_) => {}
            Slot::Str { set, .. } => *set(recipient) = self.string(key, value),
            Slot::Strs { set, .. } => *set(recipient) = self.string_array(key, value),
            Slot::Bool { set, .. } => *set(recipient) = self.bool(key, value),
            Slot::Date { set, .. } => *set(recipient) = self.date(key, value),
            Slot::RuleReasons => recipient.rare_mut().allow = self.string_table(key, value),
            Slot::CustomAttribute(i) => {
                if let Some(value) = self.string(key, value) {
                    recipient.rare_mut().custom_attributes.push((i, value));
                }
            }
        }
    }
}
