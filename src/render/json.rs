//! `--format json`, exactly as SPEC section 6 describes it.

use serde::Serialize;

use super::{RenderOptions, RuleCount, shown, statistics};
use crate::diag::{Label, Severity, Suppression};
use crate::report::{Report, Summary};
use crate::source::SourceFiles;

#[derive(Serialize)]
struct Output<'r> {
    version: u32,
    tool: Tool,
    root: &'r str,
    today: String,
    diagnostics: Vec<JsonDiagnostic<'r>>,
    summary: &'r Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Vec<RuleCount<'r>>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Location<'r> {
    file: &'r str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'r> Location<'r> {
    fn of(files: &'r SourceFiles, label: &Label) -> Location<'r> {
        let file = files.get(label.span.file);
        let (line, column) = file.line_column(label.span.start as usize);
        let (end_line, end_column) = file.line_column(label.span.end as usize);
        Location { file: &file.path, line, column, end_line, end_column }
    }
}

#[derive(Serialize)]
struct JsonLabel<'r> {
    #[serde(flatten)]
    location: Location<'r>,
    message: &'r str,
    primary: bool,
}

#[derive(Serialize)]
struct JsonDiagnostic<'r> {
    rule: &'r str,
    severity: Severity,
    message: &'r str,
    #[serde(flatten)]
    location: Location<'r>,
    recipient: Option<&'r str>,
    labels: Vec<JsonLabel<'r>>,
    notes: &'r [String],
    help: Option<&'r str>,
    suppressed: Option<&'r Suppression>,
}

pub fn render_json(report: &Report, options: &RenderOptions) -> String {
    let files = &report.files;
    let diagnostics = shown(report, options)
        .map(|d| JsonDiagnostic {
            rule: &d.rule,
            severity: d.severity,
            message: &d.message,
            location: Location::of(files, &d.primary),
            recipient: d.recipient.as_deref(),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel { location: Location::of(files, l), message: &l.message, primary: false })
                .collect(),
            notes: &d.notes,
            help: d.help.as_deref(),
            suppressed: d.suppressed.as_ref(),
        })
        .collect();
    let output = Output {
        version: 1,
        tool: Tool { name: "hybridlint", version: env!("CARGO_PKG_VERSION") },
        root: &options.root,
        today: report.today.to_string(),
        diagnostics,
        summary: &report.summary,
        statistics: options.statistics.then(|| statistics(report, options)),
    };
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
