//! Parse each file and turn its spanned TOML tables into the typed [`Model`], reporting `toml-syntax`,
//! `schema` and `tenant-config` findings on the way. This is the only module that sees TOML types.
//!
//! Files are parsed in parallel; each yields a [`FilePart`], and the parts are merged in file order so
//! the model (and so the report) does not depend on scheduling.

use rayon::prelude::*;
use toml::de::DeTable;

use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::model::*;
use crate::source::{FileId, SourceFile, SourceFiles};

use crate::source::discover::ROOT_FILE;

use super::reader::{Reader, TomlSpanned, Value};

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
        .map(|(id, file)| build_file(id as FileId, file, file.path == root_config, Readers::EventsFirst))
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

// Long on purpose: one arm per top-level table, and the file-level findings before them.

/// Which readers a file may go through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Readers {
    /// The event reader for plain recipient files, the table reader for everything else.
    EventsFirst,
    /// The table reader only (what the event reader must agree with).
    #[cfg_attr(not(feature = "dev"), allow(dead_code))]
    TablesOnly,
}

/// Whether the event reader, where it reads a file at all, builds exactly the recipients and findings the
/// table reader builds from it: what the fuzz target and the fixture test check on every input.
#[cfg(feature = "dev")]
pub fn readers_agree(text: &str) -> Result<(), String> {
    let source = SourceFile::from_bytes("recipients/a.toml".into(), text.as_bytes().to_vec());
    let events = build_file(0, &source, false, Readers::EventsFirst);
    let tables = build_file(0, &source, false, Readers::TablesOnly);
    let events = format!("{:#?}\n{:#?}", events.recipients, events.diagnostics);
    let tables = format!("{:#?}\n{:#?}", tables.recipients, tables.diagnostics);
    if events == tables { Ok(()) } else { Err(format!("event reader:\n{events}\ntable reader:\n{tables}")) }
}

/// Whether the event reader reads this file (rather than leaving it to the table reader).
#[cfg(feature = "dev")]
pub fn reads_with_events(text: &str) -> bool {
    super::events::parse_recipient_tables(text).is_some()
}

fn build_file(file: FileId, source: &SourceFile, is_root: bool, readers: Readers) -> FilePart<'_> {
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

    // Recipient files, nearly every file of a large repository, are read straight from parser events.
    if !is_root
        && readers == Readers::EventsFirst
        && let Some(recipients) = super::events::read_recipient_file(&mut reader, &source.text)
    {
        part.recipients = recipients;
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
            "recipient" => read_all(&mut reader, "recipient", value, Reader::recipient, &mut part.recipients),
            "email_address_policy" => {
                read_all(&mut reader, "email_address_policy", value, Reader::policy, &mut part.policies)
            }
            "migration_endpoint" => {
                read_all(&mut reader, "migration_endpoint", value, Reader::endpoint, &mut part.endpoints)
            }
            "migration_batch" => read_all(&mut reader, "migration_batch", value, Reader::batch, &mut part.batches),
            "rule" => read_all(&mut reader, "rule", value, Reader::custom_rule, &mut part.custom_rules),
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

/// Reads every table of an array of tables (`[[key]]`) with `read`, keeping those that make sense.
fn read_all<'a, T>(
    reader: &mut Reader,
    key: &str,
    value: Value<'a>,
    read: impl Fn(&mut Reader, TomlSpanned<DeTable<'a>>) -> Option<T>,
    into: &mut Vec<T>,
) {
    for table in reader.array_of_tables(key, value) {
        into.extend(read(reader, table));
    }
}
