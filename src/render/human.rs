//! Compiler-style output through codespan-reporting: the offending value underlined, every other object
//! involved labelled in its own file, then notes and help.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::term::{self, Config, termcolor};

use super::display::{Shown, visible};
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
        let files = Shown { files: &report.files, prefix: options.path_prefix() };
        for diagnostic in shown(report, options) {
            out.push_str(&render_one(&files, diagnostic, &config, options.color));
        }
    }
    if !options.quiet {
        out.push_str(&summary_line(report));
    }
    out
}

fn render_one(files: &Shown<'_>, diagnostic: &Diagnostic, config: &Config, color: bool) -> String {
    let converted = convert(diagnostic);
    let mut buffer = Vec::new();
    // The files are all in the report; rendering cannot fail for spans the model produced.
    let result = if color {
        term::emit_to_write_style(&mut termcolor::Ansi::new(&mut buffer), config, files, &converted)
    } else {
        term::emit_to_io_write(&mut buffer, config, files, &converted)
    };
    let text = match result {
        Ok(()) => String::from_utf8_lossy(&buffer).into_owned(),
        Err(_) => format!("{}[{}]: {}\n", diagnostic.severity, diagnostic.rule, visible(&diagnostic.message)),
    };
    // codespan calls the lowest severity `note`; everything else in hybridlint says `info`.
    if diagnostic.severity == Severity::Info { text.replacen("note[", "info[", 1) } else { text }
}

fn convert(diagnostic: &Diagnostic) -> CsDiagnostic<FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let primary = &diagnostic.primary;
    let mut labels =
        vec![CsLabel::primary(primary.span.file, primary.span.range()).with_message(visible(&primary.message))];
    labels.extend(
        diagnostic
            .labels
            .iter()
            .map(|l| CsLabel::secondary(l.span.file, l.span.range()).with_message(visible(&l.message).into_owned())),
    );
    let mut notes: Vec<String> = diagnostic.notes.iter().map(|n| format!("note: {}", visible(n))).collect();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {}", visible(help)));
    }
    if let Some(suppressed) = &diagnostic.suppressed {
        let kind =
            serde_json::to_value(suppressed.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        notes.push(format!("suppressed ({kind}): {}", visible(&suppressed.reason)));
    }
    CsDiagnostic::new(severity)
        .with_code(visible(&diagnostic.rule).into_owned())
        .with_message(visible(&diagnostic.message).into_owned())
        .with_labels(labels)
        .with_notes(notes)
}
