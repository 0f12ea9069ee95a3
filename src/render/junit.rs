//! JUnit XML, for CI systems that show test reports: one test case per finding, failing when the finding
//! is at or above `--fail-on` (so the report is red exactly when the job is), and one passing case when
//! there is none. Only what the common schema (Jenkins' junit-10.xsd) allows is written, and characters
//! XML cannot carry are shown escaped.

use super::display::visible;
use super::{RenderOptions, shown};
use crate::diag::Severity;
use crate::report::Report;

fn escape(text: &str) -> String {
    visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let findings: Vec<_> = shown(report, options).filter(|d| d.suppressed.is_none()).collect();
    let fail_on = options.fail_on.unwrap_or(Severity::Error);
    let prefix = options.sarif_prefix.as_str();
    let mut cases = String::new();
    let mut failures = 0;
    for d in &findings {
        let file = report.files.get(d.primary.span.file);
        let (line, column) = file.line_column(d.primary.span.start as usize);
        let place = format!("{prefix}{}:{line}:{column}", file.path);
        let mut body = format!("{place}: {}: {}", d.severity, d.message);
        for note in &d.notes {
            body.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &d.help {
            body.push_str(&format!("\nhelp: {help}"));
        }
        let open = format!("    <testcase classname=\"hybridlint.{}\" name=\"{}\">\n", escape(&d.rule), escape(&place));
        cases.push_str(&open);
        if d.severity >= fail_on {
            failures += 1;
            cases.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                d.severity,
                escape(&d.message),
                escape(&body)
            ));
        } else {
            cases.push_str(&format!("      <system-out>{}</system-out>\n", escape(&body)));
        }
        cases.push_str("    </testcase>\n");
    }
    if findings.is_empty() {
        cases.push_str("    <testcase classname=\"hybridlint\" name=\"check\"/>\n");
    }
    let tests = findings.len().max(1);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hybridlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n  <testsuite name=\"hybridlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
