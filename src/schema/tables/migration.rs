//! Reading `[[migration_endpoint]]` and `[[migration_batch]]` tables.

use crate::model::*;
use crate::schema::fields as format;
use crate::schema::reader::{Reader, TomlSpanned, keyed};
use toml::de::DeTable;

impl Reader {
    // Long on purpose: one arm per key of the table, and its two nested tables.
    pub(crate) fn endpoint<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<MigrationEndpoint<'a>> {
        let span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let name = self.required_name(&mut entries, span, "this migration endpoint")?;
        let kind = self.required_type(&mut entries, &name, format::ENDPOINT_TYPES, "migration endpoint")?;
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
        for (key_span, key, value) in keyed(self.file, entries) {
            match key.as_ref() {
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
                    for (k_span, k, v) in keyed(self.file, table.into_inner()) {
                        match k.as_ref() {
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
                    for (k_span, k, v) in keyed(self.file, table.into_inner()) {
                        match k.as_ref() {
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

    pub(crate) fn batch<'a>(&mut self, table: TomlSpanned<DeTable<'a>>) -> Option<MigrationBatch<'a>> {
        let span = self.span(table.span());
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        let name = self.required_name(&mut entries, span, "this migration batch")?;
        let kind = self.required_type(&mut entries, &name, format::BATCH_TYPES, "migration batch")?;
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
        for (key_span, key, value) in keyed(self.file, entries) {
            match key.as_ref() {
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
}
