//! Compiler-style output through codespan-reporting: the offending value underlined, every other object
//! involved labelled in its own file, then notes and help.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::term::{self, Config, termcolor};

use super::{RenderOptions, shown, statistics_table, summary_line};
use crate::diag::{Diagnostic, Severity};
use crate::report::Report;
use crate::source::FileId;

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    if options.statistics {
        out.push_str(&statistics_table(report, options));
    } else {
        let config = Config::default();
        for diagnostic in shown(report, options) {
            out.push_str(&render_one(report, diagnostic, &config, options.color));
        }
    }
    if !options.quiet {
        out.push_str(&summary_line(report));
    }
    out
}

fn render_one(report: &Report, diagnostic: &Diagnostic, config: &Config, color: bool) -> String {
    let converted = convert(diagnostic);
    let mut buffer = Vec::new();
    // The files are all in `report.files`; rendering cannot fail for spans the model produced.
    let result = if color {
        term::emit_to_write_style(&mut termcolor::Ansi::new(&mut buffer), config, &report.files, &converted)
    } else {
        term::emit_to_io_write(&mut buffer, config, &report.files, &converted)
    };
    match result {
        Ok(()) => String::from_utf8_lossy(&buffer).into_owned(),
        Err(_) => format!("{}[{}]: {}\n", diagnostic.severity, diagnostic.rule, diagnostic.message),
    }
}

fn convert(diagnostic: &Diagnostic) -> CsDiagnostic<FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let primary = &diagnostic.primary;
    let mut labels = vec![CsLabel::primary(primary.span.file, primary.span.range()).with_message(&primary.message)];
    labels.extend(
        diagnostic.labels.iter().map(|l| CsLabel::secondary(l.span.file, l.span.range()).with_message(&l.message)),
    );
    let mut notes: Vec<String> = diagnostic.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    if let Some(suppressed) = &diagnostic.suppressed {
        let kind =
            serde_json::to_value(suppressed.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        notes.push(format!("suppressed ({kind}): {}", suppressed.reason));
    }
    CsDiagnostic::new(severity)
        .with_code(diagnostic.rule.as_ref())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}
