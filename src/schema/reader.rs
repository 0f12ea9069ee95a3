//! A generic reader of spanned TOML values into model values: each value of the wrong type, out of
//! range or not among the allowed ones becomes a located `schema` finding, and the caller gets `None`.
//! The table readers (`recipient.rs`, `policy.rs`, ...) extend [`Reader`] with one method per table.

use std::borrow::Cow;

use jiff::civil::Date;
use toml::de::{DeTable, DeValue};

use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::*;
use crate::source::{FileId, Span, Spanned};
use crate::util::suggest;

pub(crate) type TomlSpanned<T> = toml::Spanned<T>;
pub(crate) type Value<'a> = TomlSpanned<DeValue<'a>>;

/// Reads spanned TOML values of one file into model values, reporting what does not fit.
pub(crate) struct Reader {
    pub(crate) file: FileId,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

pub(crate) fn type_name(value: &DeValue<'_>) -> &'static str {
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
    pub(crate) fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(crate) fn schema(&mut self, span: Span, message: String, label: &str) {
        self.push(Diagnostic::new(Rule::Schema, span, message).primary_label(label));
    }

    pub(crate) fn unknown_key(&mut self, span: Span, key: &str, place: &str, known: &[&str]) {
        let mut diagnostic =
            Diagnostic::new(Rule::Schema, span, format!("unknown key `{key}` {place}")).primary_label("unknown key");
        match suggest::did_you_mean(key, known.iter().copied()) {
            Some(candidate) => diagnostic = diagnostic.help(format!("did you mean `{candidate}`?")),
            None => diagnostic = diagnostic.note(format!("known keys: {}", known.join(", "))),
        }
        self.push(diagnostic);
    }

    pub(crate) fn wrong_type(&mut self, key: &str, value: &Value<'_>, expected: &str) {
        let span = self.span(value.span());
        let found = type_name(value.get_ref());
        self.schema(span, format!("`{key}` must be {expected}, found {found}"), &format!("expected {expected}"));
    }

    pub(crate) fn missing(&mut self, table_span: Span, key: &str, table: &str) {
        self.schema(table_span, format!("{table} has no `{key}`"), &format!("`{key}` is required here"));
    }

    pub(crate) fn table<'a>(&mut self, value: Value<'a>) -> Option<TomlSpanned<DeTable<'a>>> {
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

    pub(crate) fn array_of_tables<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<TomlSpanned<DeTable<'a>>> {
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

    pub(crate) fn string<'a>(&mut self, key: &str, value: Value<'a>) -> Option<SStr<'a>> {
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

    pub(crate) fn bool(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<bool>> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Spanned::new(*b, self.span(value.span()))),
            _ => {
                self.wrong_type(key, &value, "a boolean (true or false)");
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<i64>> {
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

    pub(crate) fn date(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<Date>> {
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
            // A quoted date is what JSON-Schema-based editors accept for a date, so it is one here too.
            DeValue::String(text) => match text.parse::<Date>() {
                Ok(date) if text.len() == 10 => Some(Spanned::new(date, span)),
                _ => {
                    self.schema(span, format!("`{key}` is not a date (YYYY-MM-DD)"), "not a date");
                    None
                }
            },
            _ => {
                self.wrong_type(key, &value, "a date (YYYY-MM-DD)");
                None
            }
        }
    }

    pub(crate) fn string_array<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<SStr<'a>> {
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
    pub(crate) fn choice<'a, T>(
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
    pub(crate) fn unknown_value(&mut self, key: &str, text: &SStr<'_>, allowed: &[&str]) {
        let mut diagnostic =
            Diagnostic::new(Rule::Schema, text.span, format!("unknown `{key}` value `{}`", text.value))
                .primary_label("not a known value");
        diagnostic = match suggest::did_you_mean(&text.value, allowed.iter().copied()) {
            Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
            None => diagnostic.note(format!("expected one of: {}", allowed.join(", "))),
        };
        self.push(diagnostic);
    }

    pub(crate) fn source(&mut self, value: Value<'_>) -> Option<Spanned<Source>> {
        self.choice("source", value, &["on-premises", "cloud"], |text| match text {
            "on-premises" => Some(Source::OnPremises),
            "cloud" => Some(Source::Cloud),
            _ => None,
        })
    }

    /// An inline table of string values (`allow = { rule = "reason" }`).
    pub(crate) fn string_table<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<(SStr<'a>, SStr<'a>)> {
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

    /// Exchange limits `Name` to 64 characters.
    pub(crate) fn check_name_length(&mut self, name: &SStr<'_>, what: &str) {
        let length = name.value.chars().count();
        if length > 64 {
            self.schema(
                name.span,
                format!("{what} name `{}` is {length} characters long; Exchange allows at most 64", name.value),
                "too long",
            );
        }
    }

    pub(crate) fn globs<'a>(&mut self, key: &str, value: Value<'a>) -> Vec<SStr<'a>> {
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

    /// A `type`-like string that must be one of `allowed`.
    pub(crate) fn one_of<'a>(&mut self, key: &str, value: Value<'a>, allowed: &[&str]) -> Option<SStr<'a>> {
        let text = self.string(key, value)?;
        if allowed.contains(&text.value.as_ref()) {
            return Some(text);
        }
        self.unknown_value(key, &text, allowed);
        None
    }

    /// The table's `name`, which it must have (`what` says whose, for the finding).
    pub(crate) fn required_name<'a>(
        &mut self,
        entries: &mut Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)>,
        table_span: Span,
        what: &str,
    ) -> Option<SStr<'a>> {
        let name = take(entries, "name").and_then(|v| self.string("name", v));
        if name.is_none() {
            self.missing(table_span, "name", what);
        }
        name
    }

    /// The table's `type`, which it must have and which must be one of `allowed`.
    pub(crate) fn required_type<'a>(
        &mut self,
        entries: &mut Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)>,
        name: &SStr<'_>,
        allowed: &[&str],
        what: &str,
    ) -> Option<SStr<'a>> {
        let kind = take(entries, "type").and_then(|v| self.one_of("type", v, allowed));
        if kind.is_none() {
            self.missing(name.span, "type", &format!("{what} `{}`", name.value));
        }
        kind
    }

    pub(crate) fn non_negative(&mut self, key: &str, value: Value<'_>) -> Option<Spanned<i64>> {
        let n = self.integer(key, value)?;
        if n.value < 0 {
            self.schema(n.span, format!("`{key}` must not be negative"), "a number of days");
            return None;
        }
        Some(n)
    }
}

/// A table's entries with each key's span: `for (key_span, key, value) in keyed(file, entries)`.
pub(crate) fn keyed<'a>(
    file: FileId,
    entries: impl IntoIterator<Item = (TomlSpanned<Cow<'a, str>>, Value<'a>)>,
) -> impl Iterator<Item = (Span, Cow<'a, str>, Value<'a>)> {
    entries.into_iter().map(move |(key, value)| (Span::new(file, key.span()), key.into_inner(), value))
}

/// Removes `key` from a table's entries.
pub(crate) fn take<'a>(entries: &mut Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)>, key: &str) -> Option<Value<'a>> {
    let index = entries.iter().position(|(k, _)| k.get_ref() == key)?;
    Some(entries.remove(index).1)
}
