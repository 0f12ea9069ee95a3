//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers. Paths are relative to the repository
//! root, declared as the `ROOT` base URI; suppressed findings are carried with their suppressions.

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

fn location(report: &Report, label: &Label) -> Value {
    let file = report.files.get(label.span.file);
    let (start_line, start_column) = file.line_column(label.span.start as usize);
    let (end_line, end_column) = file.line_column(label.span.end as usize);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.path, "uriBaseId": "ROOT" },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column
            }
        }
    })
}

fn result(report: &Report, d: &Diagnostic, rule_index: Option<usize>) -> Value {
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
        "locations": [location(report, &d.primary)],
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
                    let mut related = location(report, label);
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

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let entries = catalogue::builtin();
    let rules: Vec<Value> = entries
        .iter()
        .map(|e| {
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
                "help": { "text": help },
                "defaultConfiguration": { "level": level(e.severity) },
                "properties": { "category": e.category }
            })
        })
        .collect();
    let results: Vec<Value> =
        report.diagnostics.iter().map(|d| result(report, d, entries.iter().position(|e| e.name == d.rule))).collect();
    let root_uri = options.root_uri.clone().unwrap_or_else(|| "./".to_string());
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "hybridlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules
                }
            },
            "originalUriBaseIds": { "ROOT": { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}
