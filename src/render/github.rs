//! GitHub Actions workflow commands: one `::error file=...::message` line per finding, which GitHub shows
//! as an annotation on the pull request.

use super::display::visible;
use super::{RenderOptions, shown, statistics};
use crate::diag::Severity;
use crate::report::Report;

/// Escapes a message (`%`, CR, LF), as the workflow-command syntax requires.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    // Paths relative to where the command runs (normally the repository checkout).
    let prefix = options.path_prefix();
    let mut out = String::new();
    if options.statistics {
        // One notice per rule instead of an annotation per finding.
        for row in statistics(report, options) {
            out.push_str(&format!(
                "::notice title={}::{} finding(s) of {} severity\n",
                escape_property(row.rule),
                row.count,
                row.severity
            ));
        }
        return out;
    }
    for d in shown(report, options).filter(|d| d.suppressed.is_none()) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let file = report.files.get(d.primary.span.file);
        let (line, col) = file.line_column(d.primary.span.start as usize);
        let (end_line, end_column) = file.line_column(d.primary.span.end as usize);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={col},endLine={end_line},endColumn={end_column},title={}::{}\n",
            escape_property(&format!("{prefix}{}", visible(&file.path))),
            escape_property(&visible(&d.rule)),
            escape_data(&visible(&message))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_documents() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
