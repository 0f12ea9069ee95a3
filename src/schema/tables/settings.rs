//! Reading `[tenant]`, `[lint]` and `[[lint.exception]]` in the root configuration.

use crate::diag::Severity;
use crate::model::*;
use crate::schema::fields as format;
use crate::schema::reader::{Reader, TomlSpanned, keyed};
use crate::source::{Span, Spanned};
use toml::de::DeTable;

impl Reader {
    pub(crate) fn tenant<'a>(&mut self, header: Span, table: TomlSpanned<DeTable<'a>>) -> Option<Tenant<'a>> {
        let mut name = None;
        let mut accepted_domains = None;
        let mut routing_domain = None;
        let mut verified_domains = None;
        let mut hybrid = true;
        for (key_span, key, value) in keyed(self.file, table.into_inner()) {
            match key.as_ref() {
                "name" => name = self.string("name", value),
                "accepted_domains" => accepted_domains = Some(self.string_array("accepted_domains", value)),
                "routing_domain" => routing_domain = self.string("routing_domain", value),
                "verified_domains" => verified_domains = Some(self.string_array("verified_domains", value)),
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
            verified_domains,
            routing_domain,
            hybrid,
        })
    }

    pub(crate) fn lint<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> LintSettings<'a> {
        let mut lint = LintSettings::default();
        for (key_span, key, value) in keyed(self.file, table.into_inner()) {
            match key.as_ref() {
                "include" => lint.include = self.globs("include", value),
                "exclude" => lint.exclude = self.globs("exclude", value),
                "today" => lint.today = self.date("today", value),
                "license_grace_days" => lint.license_grace_days = self.non_negative("license_grace_days", value),
                "grace_warning_days" => lint.grace_warning_days = self.non_negative("grace_warning_days", value),
                "max_proxy_addresses" => lint.max_proxy_addresses = self.non_negative("max_proxy_addresses", value),
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

    pub(crate) fn exception<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<Exception<'a>> {
        let span = self.span(table.span());
        let (mut rule, mut recipients, mut files, mut reason, mut expires) = (None, Vec::new(), Vec::new(), None, None);
        for (key_span, key, value) in keyed(self.file, table.into_inner()) {
            match key.as_ref() {
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
}
