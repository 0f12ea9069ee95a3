//! One line per finding: `path:line:col: severity[rule]: message`, for editors' problem matchers and grep.

use super::display::visible;
use super::{RenderOptions, shown, statistics_table, summary_line};
use crate::diag::Severity;
use crate::report::Report;

/// The severity in the colours `human` uses.
fn colored(severity: Severity) -> String {
    let code = match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;32",
    };
    format!("\x1b[{code}m{severity}\x1b[0m")
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    if options.statistics {
        out.push_str(&statistics_table(report, options));
    } else {
        let prefix = options.path_prefix();
        for d in shown(report, options) {
            let file = report.files.get(d.primary.span.file);
            let (line, column) = file.line_column(d.primary.span.start as usize);
            let suppressed = if d.suppressed.is_some() { " (suppressed)" } else { "" };
            let severity = if options.color { colored(d.severity) } else { d.severity.to_string() };
            out.push_str(&format!(
                "{prefix}{}:{line}:{column}: {severity}[{}]: {}{suppressed}\n",
                visible(&file.path),
                visible(&d.rule),
                visible(&d.message)
            ));
        }
    }
    if !options.quiet {
        out.push_str(&summary_line(report));
    }
    out
}
