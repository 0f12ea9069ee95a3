//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers. Artifact URIs are relative to the git
//! work tree (or `--sarif-root`), which is what GitHub resolves them against, and percent-encoded; the
//! base is declared as `%SRCROOT%`. Suppressed findings are carried with their suppressions. Every rule a
//! result names is in `tool.driver.rules`, organisation rules included.

use serde_json::{Value, json};

use super::RenderOptions;
use crate::catalogue;
use crate::diag::{Diagnostic, Label, Severity, SuppressionKind};
use crate::report::Report;
use crate::suppress::BaselineEntry;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Every byte outside RFC 3986's unreserved characters and `/`.
const OUTSIDE_PATH: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// A relative URI reference for a path: percent-encoded, so that `#`, `?`, `%`, `:` and spaces in names
/// stay part of the path.
pub(crate) fn uri_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, OUTSIDE_PATH).to_string()
}

fn location(report: &Report, label: &Label, options: &RenderOptions) -> Value {
    let file = report.files.get(label.span.file);
    let (start_line, start_column) = file.line_column(label.span.start as usize);
    let (end_line, end_column) = file.line_column(label.span.end as usize);
    let uri = uri_path(&format!("{}{}", options.sarif_prefix, file.path));
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column
            }
        }
    })
}

fn result(report: &Report, d: &Diagnostic, rule_index: Option<usize>, options: &RenderOptions) -> Value {
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str(&format!("\n\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\n\nhelp: {help}"));
    }
    let key = BaselineEntry::of(d, &report.files);
    let mut result = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [location(report, &d.primary, options)],
        "partialFingerprints": {
            "hybridlint/v1": format!("{}|{}|{}", key.rule, key.recipients.join(","), key.value)
        }
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !d.labels.is_empty() {
        result["relatedLocations"] = Value::Array(
            d.labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut related = location(report, label, options);
                    related["id"] = json!(i + 1);
                    related["message"] = json!({ "text": label.message });
                    related
                })
                .collect(),
        );
    }
    if let Some(suppression) = &d.suppressed {
        let kind = match suppression.kind {
            SuppressionKind::Allow => "inSource",
            SuppressionKind::Exception | SuppressionKind::Baseline => "external",
        };
        result["suppressions"] = json!([{ "kind": kind, "justification": suppression.reason }]);
    }
    result
}

fn rule(e: &catalogue::Entry) -> Value {
    let mut help = e.explanation.trim().to_string();
    if !e.sources.is_empty() {
        help.push_str("\n\nSources:\n");
        for source in &e.sources {
            help.push_str(&format!("- {source}\n"));
        }
    }
    json!({
        "id": e.name,
        "name": e.name,
        "shortDescription": { "text": e.summary },
        "fullDescription": { "text": e.explanation.trim() },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(e.severity) },
        "properties": { "category": e.category, "tags": [e.category] }
    })
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let entries: Vec<&catalogue::Entry> = catalogue::builtin().iter().chain(report.organisation_rules.iter()).collect();
    let rules: Vec<Value> = entries.iter().map(|e| rule(e)).collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| result(report, d, entries.iter().position(|e| e.name == d.rule), options))
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "hybridlint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results
    });
    // The tool's home page, when the package declares one (`homepage` in Cargo.toml): code-scanning
    // services link to it. A made-up address would send users nowhere.
    if let Some(homepage) = option_env!("CARGO_PKG_HOMEPAGE").filter(|h| !h.is_empty()) {
        run["tool"]["driver"]["informationUri"] = json!(homepage);
    }
    if let Some(uri) = &options.sarif_root_uri {
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": uri } });
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run]
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri_path("my repo #1/a:b.toml"), "my%20repo%20%231/a%3Ab.toml");
        assert_eq!(uri_path("r/100%?.toml"), "r/100%25%3F.toml");
        assert_eq!(uri_path("recipients/jürgen.toml"), "recipients/j%C3%BCrgen.toml");
    }
}
