//! Reading `[[email_address_policy]]` tables.

use crate::model::*;
use crate::schema::fields as format;
use crate::schema::reader::{Reader, TomlSpanned, keyed};
use crate::source::Spanned;
use toml::de::DeTable;

impl Reader {
    // Long on purpose: one arm per key of the table.
    pub(crate) fn policy<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<AddressPolicy<'a>> {
        let table_span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let name = self.required_name(&mut entries, table_span, "this email address policy")?;
        self.check_name_length(&name, "email address policy");
        let mut policy = AddressPolicy {
            span: table_span,
            name,
            priority: None,
            default: None,
            include: Vec::new(),
            include_span: None,
            conditions: PolicyConditions::default(),
            recipient_filter: None,
            templates: Vec::new(),
            source: Source::OnPremises,
            source_span: None,
        };
        let mut has_templates = false;
        for (key_span, key, value) in keyed(self.file, entries) {
            match key.as_ref() {
                "priority" => {
                    policy.priority = self.integer("priority", value);
                    if let Some(p) = &policy.priority
                        && p.value < 1
                    {
                        self.schema(p.span, "`priority` must be 1 or more".into(), "1 is evaluated first");
                        policy.priority = None;
                    }
                }
                "default" => policy.default = self.bool("default", value),
                "include" => {
                    policy.include_span = Some(self.span(value.span()));
                    let names = self.string_array("include", value);
                    policy.include = names
                        .into_iter()
                        .filter_map(|n| {
                            let span = n.span;
                            let parsed = IncludedRecipients::parse(&n.value);
                            if parsed.is_none() {
                                self.unknown_value("include", &n, IncludedRecipients::NAMES);
                            }
                            parsed.map(|p| Spanned::new(p, span))
                        })
                        .collect();
                }
                "conditions" => {
                    policy.conditions.span = Some(self.span(value.span()));
                    if let Some(table) = self.table(value) {
                        for (k, v) in table.into_inner() {
                            let k_span = self.span(k.span());
                            if !format::condition_keys().any(|c| c == k.get_ref()) {
                                let known: Vec<&str> = format::condition_keys().collect();
                                self.unknown_key(k_span, k.get_ref(), "in `conditions`", &known);
                                continue;
                            }
                            let values = self.string_array(k.get_ref(), v);
                            policy.conditions.properties.push((Spanned::new(k.into_inner(), k_span), values));
                        }
                    }
                }
                "recipient_filter" => policy.recipient_filter = self.string("recipient_filter", value),
                "templates" => {
                    has_templates = true;
                    policy.templates = self.string_array("templates", value);
                }
                "source" => {
                    if let Some(source) = self.source(value) {
                        policy.source = source.value;
                        policy.source_span = Some(source.span);
                    }
                }
                other => self.unknown_key(
                    key_span,
                    other,
                    &format!("in email address policy `{}`", policy.name.value),
                    &format::names(format::POLICY),
                ),
            }
        }
        if !has_templates {
            self.missing(policy.name.span, "templates", &format!("email address policy `{}`", policy.name.value));
        }
        if policy.recipient_filter.is_some() && (policy.include_span.is_some() || policy.conditions.span.is_some()) {
            let span = policy.recipient_filter.as_ref().map_or(policy.span, |f| f.span);
            self.schema(
                span,
                format!(
                    "email address policy `{}` has both `recipient_filter` and `include`/`conditions`",
                    policy.name.value
                ),
                "use either a recipient filter or include/conditions, not both",
            );
        }
        Some(policy)
    }
}
