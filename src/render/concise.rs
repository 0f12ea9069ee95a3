//! One line per finding: `path:line:col: severity[rule]: message`, for editors' problem matchers and grep.

use super::{RenderOptions, shown, statistics_table, summary_line};
use crate::report::Report;

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    if options.statistics {
        out.push_str(&statistics_table(report, options));
    } else {
        for d in shown(report, options) {
            let file = report.files.get(d.primary.span.file);
            let (line, column) = file.line_column(d.primary.span.start as usize);
            let suppressed = if d.suppressed.is_some() { " (suppressed)" } else { "" };
            out.push_str(&format!(
                "{}:{line}:{column}: {}[{}]: {}{suppressed}\n",
                file.path, d.severity, d.rule, d.message
            ));
        }
    }
    if !options.quiet {
        out.push_str(&summary_line(report));
    }
    out
}
