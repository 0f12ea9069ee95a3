//! Parse each file and turn its spanned TOML tables into the typed [`Model`], reporting `toml-syntax`,
//! `schema` and `tenant-config` findings on the way. This is the only module that sees TOML types.
//!
//! Files are parsed in parallel; each yields a [`FilePart`], and the parts are merged in file order so
//! the model (and so the report) does not depend on scheduling.

use std::borrow::Cow;

use jiff::civil::Date;
use rayon::prelude::*;
use toml::de::{DeTable, DeValue};

use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity};
use crate::model::*;
use crate::schema::fields as format;
use crate::schema::fields::recipient::{Field, Slot};
use crate::source::{FileId, SourceFile, SourceFiles, Span, Spanned};
use crate::util::suggest;

use crate::source::discover::ROOT_FILE;

type TomlSpanned<T> = toml::Spanned<T>;
type Value<'a> = TomlSpanned<DeValue<'a>>;

/// What one file contributes to the model.
#[derive(Default)]
struct FilePart<'a> {
    tenant: Option<Tenant<'a>>,
    lint: Option<LintSettings<'a>>,
    recipients: Vec<Recipient<'a>>,
    policies: Vec<AddressPolicy<'a>>,
    custom_rules: Vec<CustomRule<'a>>,
    endpoints: Vec<MigrationEndpoint<'a>>,
    batches: Vec<MigrationBatch<'a>>,
    incomplete: bool,
    diagnostics: Vec<Diagnostic>,
}

/// Builds the model of every file, with the findings about the files themselves.
/// `root_config` is the root configuration's path relative to the root (normally `hybridlint.toml`).
pub fn build_model<'a>(files: &'a SourceFiles, root_config: &str) -> (Model<'a>, Vec<Diagnostic>) {
    let parts: Vec<FilePart<'_>> = files
        .as_slice()
        .par_iter()
        .enumerate()
        .map(|(id, file)| build_file(id as FileId, file, file.path == root_config))
        .collect();

    let mut model = Model::default();
    let mut diagnostics = Vec::new();
    for (id, part) in parts.into_iter().enumerate() {
        model.tenant = model.tenant.or(part.tenant);
        if let Some(lint) = part.lint {
            model.lint = lint;
        }
        model.recipients.push_run(part.recipients);
        model.policies.extend(part.policies);
        model.custom_rules.extend(part.custom_rules);
        model.migration_endpoints.extend(part.endpoints);
        model.migration_batches.extend(part.batches);
        if part.incomplete {
            model.incomplete_files.push(id as FileId);
        }
        diagnostics.extend(part.diagnostics);
    }
    (model, diagnostics)
}

fn build_file(file: FileId, source: &SourceFile, is_root: bool) -> FilePart<'_> {
    let mut reader = Reader { file, diagnostics: Vec::new() };
    let mut part = FilePart::default();
    if let Some(error) = &source.read_error {
        reader.push(
            Diagnostic::new(Rule::TomlSyntax, reader.span(0..0), format!("cannot read this file: {error}"))
                .primary_label("unreadable")
                .note("this file was not checked"),
        );
        part.incomplete = true;
        part.diagnostics = reader.diagnostics;
        return part;
    }
    if let Some(at) = source.invalid_utf8_at {
        let end = source.text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        reader.push(
            Diagnostic::new(Rule::TomlSyntax, reader.span(at..end), "file is not valid UTF-8")
                .primary_label("invalid UTF-8 here")
                .note("hybridlint reads UTF-8 files (a byte-order mark is accepted); this file was not checked")
                .help("save the file as UTF-8"),
        );
        part.incomplete = true;
        part.diagnostics = reader.diagnostics;
        return part;
    }

    let (document, errors) = DeTable::parse_recoverable(&source.text);
    if !errors.is_empty() {
        // A recovered table can hold half-read values; findings on them would mislead, so the file is
        // reported and left out of the model.
        // Recovery after one mistake often yields several errors on the same line; the first says it.
        let mut reported_lines = Vec::new();
        for error in &errors {
            // Only the message and span: the error's Debug and Display forms carry the whole input.
            let range = error.span().unwrap_or(0..0);
            let line = source.line_index_of(range.start);
            if reported_lines.contains(&line) {
                continue;
            }
            reported_lines.push(line);
            reader.push(
                Diagnostic::new(Rule::TomlSyntax, reader.span(range), error.message().to_string())
                    .primary_label("here")
                    .note("this file is not valid TOML; its contents were not checked"),
            );
        }
        part.incomplete = true;
        part.diagnostics = reader.diagnostics;
        return part;
    }

    for (key, value) in document.into_inner() {
        let key_span = reader.span(key.span());
        match key.get_ref().as_ref() {
            "recipient" => {
                for table in reader.array_of_tables("recipient", value) {
                    if let Some(recipient) = reader.recipient(table) {
                        part.recipients.push(recipient);
                    }
                }
            }
            "email_address_policy" => {
                for table in reader.array_of_tables("email_address_policy", value) {
                    if let Some(policy) = reader.policy(table) {
                        part.policies.push(policy);
                    }
                }
            }
            "migration_endpoint" => {
                for table in reader.array_of_tables("migration_endpoint", value) {
                    if let Some(endpoint) = reader.endpoint(table) {
                        part.endpoints.push(endpoint);
                    }
                }
            }
            "migration_batch" => {
                for table in reader.array_of_tables("migration_batch", value) {
                    if let Some(batch) = reader.batch(table) {
                        part.batches.push(batch);
                    }
                }
            }
            "rule" => {
                for table in reader.array_of_tables("rule", value) {
                    if let Some(rule) = reader.custom_rule(table) {
                        part.custom_rules.push(rule);
                    }
                }
            }
            "tenant" | "lint" if !is_root => reader.push(
                Diagnostic::new(
                    Rule::TenantConfig,
                    key_span,
                    format!("`[{}]` belongs in {ROOT_FILE} only", key.get_ref()),
                )
                .primary_label("outside the root configuration")
                .note("this table is ignored here")
                .help(format!("move it to the repository's {ROOT_FILE}")),
            ),
            "tenant" => part.tenant = reader.table(value).and_then(|t| reader.tenant(key_span, t)),
            "lint" => part.lint = reader.table(value).map(|t| reader.lint(t)),
            other => {
                let known: &[&str] = if is_root {
                    &[
                        "tenant",
                        "lint",
                        "recipient",
                        "email_address_policy",
                        "rule",
                        "migration_endpoint",
                        "migration_batch",
                    ]
                } else {
                    &["recipient", "email_address_policy", "rule", "migration_endpoint", "migration_batch"]
                };
                reader.unknown_key(key_span, other, "at the top level", known);
            }
        }
    }
    if is_root && part.tenant.is_none() && !reader.diagnostics.iter().any(|d| d.rule == "tenant-config") {
        reader.push(
            Diagnostic::new(Rule::TenantConfig, reader.span(0..0), format!("{ROOT_FILE} has no `[tenant]` table"))
                .primary_label("the root configuration")
                .note("the tenant name and accepted domains decide the MOERA and routing domains and which addresses are valid; address and routing rules need them")
                .help("add\n  [tenant]\n  name = \"contoso\"\n  accepted_domains = [\"contoso.com\"]"),
        );
    }
    part.diagnostics = reader.diagnostics;
    part
}

/// Reads spanned TOML values of one file into model values, reporting what does not fit.
struct Reader {
    file: FileId,
    diagnostics: Vec<Diagnostic>,
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Reader {
    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn schema(&mut self, span: Span, message: String, label: &str) {
        self.push(Diagnostic::new(Rule::Schema, span, message).primary_label(label));
    }

    fn unknown_key(&mut self, span: Span, key: &str, place: &str, known: &[&str]) {
        let mut diagnostic =
            Diagnostic::new(Rule::Schema, span, format!("unknown key `{key}` {place}")).primary_label("unknown key");
        match suggest::did_you_mean(key, known.iter().copied()) {
            Some(candidate) => diagnostic = diagnostic.help(format!("did you mean `{candidate}`?")),
            None => diagnostic = diagnostic.note(format!("known keys: {}", known.join(", "))),
        }
        self.push(diagnostic);
    }

    fn wrong_type(&mut self, key: &str, value: &Value<'_>, expected: &str) {
        let span = self.span(value.span());
        let found = type_name(value.get_ref());
        self.schema(span, format!("`{key}` must be {expected}, found {found}"), &format!("expected {expected}"));
    }

    fn missing(&mut self, table_span: Span, key: &str, table: &str) {
        self.schema(table_span, format!("{table} has no `{key}`"), &format!("`{key}` is required here"));
    }

    fn table<'a>(&mut self, value: Value<'a>) -> Option<TomlSpanned<DeTable<'a>>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => Some(TomlSpanned::new(span, table)),
            other => {
                let found = type_name(&other);
                self.schema(self.span(span), format!("expected a table, found {found}"), "expected a table");
                None
            }
        }
    }

    fn array_of_tables<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<TomlSpanned<DeTable<'a>>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items.into_iter().filter_map(|item| self.table(item)).collect(),
            other => {
                let found = type_name(&other);
                self.schema(
                    self.span(span),
                    format!("`{key}` must be an array of tables (`[[{key}]]`), found {found}"),
                    "expected `[[...]]` tables",
                );
                Vec::new()
            }
        }
    }

    fn string<'a>(&mut self, key: &str, value: Value<'a>) -> Option<SStr<'a>> {
        let span = self.span(value.span());
        match value.get_ref() {
            DeValue::String(_) => match value.into_inner() {
                DeValue::String(text) => Some(Spanned::new(text, span)),
                _ => None,
            },
            _ => {
                self.wrong_type(key, &value, "a string");
                None
            }
        }
    }

    fn bool(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<bool>> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Spanned::new(*b, self.span(value.span()))),
            _ => {
                self.wrong_type(key, &value, "a boolean (true or false)");
                None
            }
        }
    }

    fn integer(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<i64>> {
        let span = self.span(value.span());
        match value.get_ref() {
            DeValue::Integer(int) => match i64::from_str_radix(int.as_str(), int.radix()) {
                Ok(n) => Some(Spanned::new(n, span)),
                Err(_) => {
                    self.schema(span, format!("`{key}` is out of range"), "too large");
                    None
                }
            },
            _ => {
                self.wrong_type(key, &value, "an integer");
                None
            }
        }
    }

    fn date(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<Date>> {
        let span = self.span(value.span());
        match value.get_ref() {
            DeValue::Datetime(toml::value::Datetime { date: Some(d), time: None, offset: None }) => {
                match Date::new(d.year as i16, d.month as i8, d.day as i8) {
                    Ok(date) => Some(Spanned::new(date, span)),
                    Err(_) => {
                        self.schema(span, format!("`{key}` is not a valid date"), "no such day");
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(key, &value, "a date (YYYY-MM-DD, unquoted)");
                None
            }
        }
    }

    fn string_array<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<SStr<'a>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items.into_iter().filter_map(|item| self.string(key, item)).collect(),
            other => {
                let found = type_name(&other);
                self.schema(
                    self.span(span),
                    format!("`{key}` must be an array of strings, found {found}"),
                    "expected an array of strings",
                );
                Vec::new()
            }
        }
    }

    /// A string that must be one of `allowed`.
    fn choice<'a, T>(
        &mut self,
        key: &str,
        value: Value<'a>,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let text = self.string(key, value)?;
        match parse(&text.value) {
            Some(parsed) => Some(Spanned::new(parsed, text.span)),
            None => {
                self.unknown_value(key, &text, allowed);
                None
            }
        }
    }

    /// A value that is not one of the allowed ones, with the closest as a suggestion.
    fn unknown_value(&mut self, key: &str, text: &SStr<'_>, allowed: &[&str]) {
        let mut diagnostic =
            Diagnostic::new(Rule::Schema, text.span, format!("unknown `{key}` value `{}`", text.value))
                .primary_label("not a known value");
        diagnostic = match suggest::did_you_mean(&text.value, allowed.iter().copied()) {
            Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
            None => diagnostic.note(format!("expected one of: {}", allowed.join(", "))),
        };
        self.push(diagnostic);
    }

    fn source(&mut self, value: Value<'_>) -> Option<Spanned<Source>> {
        self.choice("source", value, &["on-premises", "cloud"], |text| match text {
            "on-premises" => Some(Source::OnPremises),
            "cloud" => Some(Source::Cloud),
            _ => None,
        })
    }

    fn recipient<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<Recipient<'a>> {
        let table_span = self.span(table.span());
        let mut entries: Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)> = table.into_inner().into_iter().collect();

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
    fn store<'a>(&mut self, recipient: &mut Recipient<'a>, field: &Field, key: &str, value: Value<'a>) {
        match field.slot {
            Slot::Identity(_) => {}
            Slot::Str { set, .. } => *set(recipient) = self.string(key, value),
            Slot::Strs { set, .. } => *set(recipient) = self.string_array(key, value),
            Slot::Bool { set, .. } => *set(recipient) = self.bool(key, value),
            Slot::Date { set, .. } => *set(recipient) = self.date(key, value),
            Slot::RuleReasons => recipient.allow = self.string_table(key, value),
            Slot::CustomAttribute(i) => {
                if let Some(value) = self.string(key, value) {
                    recipient.custom_attributes.push((i, value));
                }
            }
        }
    }

    /// An inline table of string values (`allow = { rule = "reason" }`).
    fn string_table<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<(SStr<'a>, SStr<'a>)> {
        let Some(table) = self.table(value) else { return Vec::new() };
        table
            .into_inner()
            .into_iter()
            .filter_map(|(k, v)| {
                let k = Spanned::new(k.get_ref().clone(), self.span(k.span()));
                let v = self.string(&format!("{key}.{}", k.value), v)?;
                Some((k, v))
            })
            .collect()
    }

    fn policy<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<AddressPolicy<'a>> {
        let table_span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let Some(name) = take(&mut entries, "name").and_then(|v| self.string("name", v)) else {
            self.missing(table_span, "name", "this email address policy");
            return None;
        };
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
        for (key, value) in entries {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
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

    fn tenant<'a>(&mut self, header: Span, table: TomlSpanned<DeTable<'a>>) -> Option<Tenant<'a>> {
        let mut name = None;
        let mut accepted_domains = None;
        let mut routing_domain = None;
        let mut hybrid = true;
        for (key, value) in table.into_inner() {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "name" => name = self.string("name", value),
                "accepted_domains" => accepted_domains = Some(self.string_array("accepted_domains", value)),
                "routing_domain" => routing_domain = self.string("routing_domain", value),
                "hybrid" => hybrid = self.bool("hybrid", value).is_none_or(|h| h.value),
                other => self.unknown_key(key_span, other, "in `[tenant]`", &format::names(format::TENANT)),
            }
        }
        if accepted_domains.is_none() {
            self.missing(header, "accepted_domains", "`[tenant]`");
        }
        let Some(name) = name else {
            self.missing(header, "name", "`[tenant]`");
            return None;
        };
        Some(Tenant {
            span: header,
            name,
            accepted_domains: accepted_domains.unwrap_or_default(),
            routing_domain,
            hybrid,
        })
    }

    fn lint<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> LintSettings<'a> {
        let mut lint = LintSettings::default();
        for (key, value) in table.into_inner() {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "include" => lint.include = self.globs("include", value),
                "exclude" => lint.exclude = self.globs("exclude", value),
                "today" => lint.today = self.date("today", value),
                "license_grace_days" => lint.license_grace_days = self.non_negative("license_grace_days", value),
                "grace_warning_days" => lint.grace_warning_days = self.non_negative("grace_warning_days", value),
                // Read by discovery, before any file is read; checked here for its type.
                "max_file_size" => {
                    self.non_negative("max_file_size", value);
                }
                "rules" => {
                    let Some(table) = self.table(value) else { continue };
                    for (rule, level) in table.into_inner() {
                        let rule = Spanned::new(rule.get_ref().clone(), self.span(rule.span()));
                        let level = self.choice(
                            &format!("lint.rules.{}", rule.value),
                            level,
                            &["off", "info", "warning", "error"],
                            |text| if text == "off" { Some(None) } else { Severity::parse(text).map(Some) },
                        );
                        if let Some(level) = level {
                            lint.rules.push((rule, level));
                        }
                    }
                }
                "exception" => {
                    for table in self.array_of_tables("exception", value) {
                        if let Some(exception) = self.exception(table) {
                            lint.exceptions.push(exception);
                        }
                    }
                }
                other => self.unknown_key(key_span, other, "in `[lint]`", &format::names(format::LINT)),
            }
        }
        lint
    }

    /// Exchange limits `Name` to 64 characters.
    fn check_name_length(&mut self, name: &SStr<'_>, what: &str) {
        let length = name.value.chars().count();
        if length > 64 {
            self.schema(
                name.span,
                format!("{what} name `{}` is {length} characters long; Exchange allows at most 64", name.value),
                "too long",
            );
        }
    }

    fn globs<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<SStr<'a>> {
        let globs = self.string_array(key, value);
        for glob in &globs {
            if let Some(problem) = crate::source::discover::glob_error(&glob.value) {
                self.schema(
                    glob.span,
                    format!("`{}` in `[lint] {key}` is not a valid glob: {problem}", glob.value),
                    "invalid glob",
                );
            }
        }
        globs
    }

    fn exception<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<Exception<'a>> {
        let span = self.span(table.span());
        let (mut rule, mut recipients, mut files, mut reason, mut expires) = (None, Vec::new(), Vec::new(), None, None);
        for (key, value) in table.into_inner() {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "rule" => rule = self.string("rule", value),
                "recipients" => recipients = self.globs("recipients", value),
                "files" => files = self.globs("files", value),
                "reason" => reason = self.string("reason", value),
                "expires" => expires = self.date("expires", value),
                other => {
                    self.unknown_key(key_span, other, "in `[[lint.exception]]`", &format::names(format::EXCEPTION))
                }
            }
        }
        let Some(rule) = rule else {
            self.missing(span, "rule", "this exception");
            return None;
        };
        let reason = match reason {
            Some(reason) if !reason.value.trim().is_empty() => reason,
            Some(reason) => {
                self.schema(reason.span, "an exception's `reason` must say why".into(), "empty reason");
                return None;
            }
            None => {
                self.missing(rule.span, "reason", "this exception");
                return None;
            }
        };
        if recipients.is_empty() && files.is_empty() {
            self.schema(
                rule.span,
                format!("the exception for `{}` names no `recipients` or `files`", rule.value),
                "applies to nothing in particular",
            );
            return None;
        }
        Some(Exception { span, rule, recipients, files, reason, expires })
    }

    fn custom_rule<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<CustomRule<'a>> {
        let span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let name = match take(&mut entries, "name") {
            Some(value) => self.string("name", value)?,
            None => {
                self.missing(span, "name", "this rule");
                return None;
            }
        };
        let (mut severity, mut summary, mut explanation, mut help) = (None, None, None, None);
        let mut select = RuleSelect::default();
        let mut constraints: Vec<(Span, Constraint<'a>)> = Vec::new();
        let mut constraint_keys = 0;
        let mut ok = true;
        for (key, value) in entries {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "severity" => {
                    severity =
                        self.choice("severity", value, &["info", "warning", "error"], Severity::parse).map(|s| s.value)
                }
                "summary" => summary = self.string("summary", value),
                "explanation" => explanation = self.string("explanation", value),
                "help" => help = self.string("help", value),
                "select" => {
                    let Some(table) = self.table(value) else {
                        ok = false;
                        continue;
                    };
                    for (k, v) in table.into_inner() {
                        let k_span = self.span(k.span());
                        match k.get_ref().as_ref() {
                            "types" => select.types = self.globs("select.types", v),
                            "names" => select.names = self.globs("select.names", v),
                            "files" => select.files = self.globs("select.files", v),
                            "source" => select.source = self.source(v).map(|s| s.value),
                            other => {
                                self.unknown_key(k_span, other, "in `select`", &["types", "names", "files", "source"])
                            }
                        }
                    }
                }
                kind @ ("deny" | "require" | "unique" | "max_length") => {
                    let kind = kind.to_string();
                    constraint_keys += 1;
                    let Some(table) = self.table(value) else {
                        ok = false;
                        continue;
                    };
                    match self.constraint(&kind, key_span, table) {
                        Some(constraint) => constraints.push((key_span, constraint)),
                        None => ok = false,
                    }
                }
                other => self.unknown_key(
                    key_span,
                    other,
                    &format!("in rule `{}`", name.value),
                    &[
                        "name",
                        "severity",
                        "summary",
                        "explanation",
                        "help",
                        "select",
                        "deny",
                        "require",
                        "unique",
                        "max_length",
                    ],
                ),
            }
        }
        if !name.value.contains('/') || crate::catalogue::find(&name.value).is_some() {
            self.schema(
                name.span,
                format!(
                    "rule name `{}` must be namespaced, as `organisation/rule`, and not a built-in rule's",
                    name.value
                ),
                "not a namespaced name",
            );
            ok = false;
        }
        // A constraint that did not parse was reported where it is written.
        if constraint_keys != 1 {
            let message = if constraint_keys == 0 {
                format!("rule `{}` has no constraint (`deny`, `require`, `unique` or `max_length`)", name.value)
            } else {
                format!("rule `{}` has {constraint_keys} constraints; a rule has exactly one", name.value)
            };
            let at = constraints.get(1).map_or(name.span, |(span, _)| *span);
            self.schema(at, message, "exactly one constraint per rule");
            ok = false;
        }
        let Some(severity) = severity else {
            self.missing(name.span, "severity", &format!("rule `{}`", name.value));
            return None;
        };
        let Some(summary) = summary else {
            self.missing(name.span, "summary", &format!("rule `{}`", name.value));
            return None;
        };
        if !ok {
            return None;
        }
        let (_, constraint) = constraints.pop()?;
        Some(CustomRule { span, name, severity, summary, explanation, help, select, constraint })
    }

    fn constraint<'a>(&mut self, kind: &str, at: Span, table: TomlSpanned<DeTable<'a>>) -> Option<Constraint<'a>> {
        let (mut field, mut globs, mut max) = (None, Vec::new(), None);
        let allowed: &[&str] = match kind {
            "deny" | "require" => &["field", "glob", "globs"],
            "unique" => &["field"],
            _ => &["field", "max"],
        };
        for (key, value) in table.into_inner() {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "field" if allowed.contains(&"field") => field = self.string("field", value),
                "glob" if allowed.contains(&"glob") => globs.extend(self.string("glob", value)),
                "globs" if allowed.contains(&"globs") => globs.extend(self.string_array("globs", value)),
                "max" if allowed.contains(&"max") => max = self.integer("max", value),
                other => self.unknown_key(key_span, other, &format!("in `{kind}`"), allowed),
            }
        }
        let Some(field) = field else {
            self.missing(at, "field", &format!("`{kind}`"));
            return None;
        };
        if let Err(problem) = format::recipient::check_rule_field(&field.value) {
            self.push(
                Diagnostic::new(Rule::Schema, field.span, problem.0).primary_label("unknown field").help(problem.1),
            );
            return None;
        }
        let mut valid = true;
        for glob in &globs {
            if let Some(problem) = crate::source::discover::glob_error(&glob.value) {
                self.schema(glob.span, format!("`{}` is not a valid glob: {problem}", glob.value), "invalid glob");
                valid = false;
            }
        }
        if !valid {
            return None;
        }
        Some(match kind {
            "deny" if globs.is_empty() => {
                self.missing(at, "glob", "`deny`");
                return None;
            }
            "deny" => Constraint::Deny { field, globs },
            "require" => Constraint::Require { field, globs },
            "unique" => Constraint::Unique { field },
            _ => {
                let Some(max) = max else {
                    self.missing(at, "max", "`max_length`");
                    return None;
                };
                Constraint::MaxLength { field, max }
            }
        })
    }

    /// A `type`-like string that must be one of `allowed`.
    fn one_of<'a>(&mut self, key: &str, value: Value<'a>, allowed: &[&str]) -> Option<SStr<'a>> {
        let text = self.string(key, value)?;
        if allowed.contains(&text.value.as_ref()) {
            return Some(text);
        }
        self.unknown_value(key, &text, allowed);
        None
    }

    fn endpoint<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<MigrationEndpoint<'a>> {
        let span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let Some(name) = take(&mut entries, "name").and_then(|v| self.string("name", v)) else {
            self.missing(span, "name", "this migration endpoint");
            return None;
        };
        let Some(kind) = take(&mut entries, "type").and_then(|v| self.one_of("type", v, format::ENDPOINT_TYPES)) else {
            self.missing(name.span, "type", &format!("migration endpoint `{}`", name.value));
            return None;
        };
        let mut endpoint = MigrationEndpoint {
            span,
            name,
            kind,
            remote_server: None,
            exchange_version: None,
            mrs_proxy_enabled: None,
            outlook_anywhere: None,
            certificate: None,
            max_concurrent_migrations: None,
        };
        for (key, value) in entries {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "remote_server" => endpoint.remote_server = self.string("remote_server", value),
                "exchange_version" => {
                    endpoint.exchange_version = self.one_of("exchange_version", value, format::EXCHANGE_VERSIONS)
                }
                "mrs_proxy_enabled" => endpoint.mrs_proxy_enabled = self.bool("mrs_proxy_enabled", value),
                "max_concurrent_migrations" => {
                    endpoint.max_concurrent_migrations = self.non_negative("max_concurrent_migrations", value)
                }
                "outlook_anywhere" => {
                    let Some(table) = self.table(value) else { continue };
                    let mut oa = OutlookAnywhere {
                        span: self.span(table.span()),
                        enabled: None,
                        authentication: None,
                        ssl: None,
                    };
                    for (k, v) in table.into_inner() {
                        let k_span = self.span(k.span());
                        match k.get_ref().as_ref() {
                            "enabled" => oa.enabled = self.bool("enabled", v),
                            "authentication" => oa.authentication = self.string("authentication", v),
                            "ssl" => oa.ssl = self.bool("ssl", v),
                            other => self.unknown_key(
                                k_span,
                                other,
                                "in `outlook_anywhere`",
                                &format::names(format::OUTLOOK_ANYWHERE),
                            ),
                        }
                    }
                    endpoint.outlook_anywhere = Some(oa);
                }
                "certificate" => {
                    let Some(table) = self.table(value) else { continue };
                    let mut certificate =
                        Certificate { span: self.span(table.span()), subject_alt_names: Vec::new(), expires: None };
                    for (k, v) in table.into_inner() {
                        let k_span = self.span(k.span());
                        match k.get_ref().as_ref() {
                            "subject_alt_names" => {
                                certificate.subject_alt_names = self.string_array("subject_alt_names", v)
                            }
                            "expires" => certificate.expires = self.date("expires", v),
                            other => {
                                self.unknown_key(k_span, other, "in `certificate`", &format::names(format::CERTIFICATE))
                            }
                        }
                    }
                    endpoint.certificate = Some(certificate);
                }
                other => self.unknown_key(
                    key_span,
                    other,
                    &format!("in migration endpoint `{}`", endpoint.name.value),
                    &format::names(format::MIGRATION_ENDPOINT),
                ),
            }
        }
        Some(endpoint)
    }

    fn batch<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<MigrationBatch<'a>> {
        let span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let Some(name) = take(&mut entries, "name").and_then(|v| self.string("name", v)) else {
            self.missing(span, "name", "this migration batch");
            return None;
        };
        let Some(kind) = take(&mut entries, "type").and_then(|v| self.one_of("type", v, format::BATCH_TYPES)) else {
            self.missing(name.span, "type", &format!("migration batch `{}`", name.value));
            return None;
        };
        let mut batch = MigrationBatch {
            span,
            name,
            kind,
            endpoint: None,
            offboarding: false,
            direction_span: None,
            target_delivery_domain: None,
            mailboxes: Vec::new(),
            complete_after: None,
            license_on_completion: None,
        };
        for (key, value) in entries {
            let key_span = self.span(key.span());
            match key.get_ref().as_ref() {
                "endpoint" => batch.endpoint = self.string("endpoint", value),
                "direction" => {
                    if let Some(direction) = self.one_of("direction", value, format::DIRECTIONS) {
                        batch.offboarding = direction.value == "offboarding";
                        batch.direction_span = Some(direction.span);
                    }
                }
                "target_delivery_domain" => batch.target_delivery_domain = self.string("target_delivery_domain", value),
                "mailboxes" => batch.mailboxes = self.string_array("mailboxes", value),
                "complete_after" => batch.complete_after = self.date("complete_after", value),
                "license_on_completion" => batch.license_on_completion = self.bool("license_on_completion", value),
                other => self.unknown_key(
                    key_span,
                    other,
                    &format!("in migration batch `{}`", batch.name.value),
                    &format::names(format::MIGRATION_BATCH),
                ),
            }
        }
        Some(batch)
    }

    fn non_negative(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<i64>> {
        let n = self.integer(key, value)?;
        if n.value < 0 {
            self.schema(n.span, format!("`{key}` must not be negative"), "a number of days");
            return None;
        }
        Some(n)
    }
}

/// Removes `key` from a table's entries.
fn take<'a>(entries: &mut Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)>, key: &str) -> Option<Value<'a>> {
    let index = entries.iter().position(|(k, _)| k.get_ref() == key)?;
    Some(entries.remove(index).1)
}
