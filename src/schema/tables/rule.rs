//! Reading organisation rules (`[[rule]]` tables) and their constraint.

use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity};
use crate::model::*;
use crate::schema::fields as format;
use crate::schema::reader::{Reader, TomlSpanned, keyed, take};
use crate::source::Span;
use toml::de::DeTable;

impl Reader {
    // Long on purpose: one arm per key of the table, then the checks across keys.
    pub(crate) fn custom_rule<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<CustomRule<'a>> {
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
        for (key_span, key, value) in keyed(self.file, entries) {
            match key.as_ref() {
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
                    for (k_span, k, v) in keyed(self.file, table.into_inner()) {
                        match k.as_ref() {
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

    pub(crate) fn constraint<'a>(
        &mut self,
        kind: &str,
        at: Span,
        table: TomlSpanned<DeTable<'a>>,
    ) -> Option<Constraint<'a>> {
        let (mut field, mut globs, mut max) = (None, Vec::new(), None);
        let allowed: &[&str] = match kind {
            "deny" | "require" => &["field", "glob", "globs"],
            "unique" => &["field"],
            _ => &["field", "max"],
        };
        for (key_span, key, value) in keyed(self.file, table.into_inner()) {
            match key.as_ref() {
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
}
