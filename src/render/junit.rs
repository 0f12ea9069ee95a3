//! JUnit XML, for CI systems that show test reports: one failing test case per finding, one passing case
//! when there is none.

use super::{RenderOptions, shown};
use crate::report::Report;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let findings: Vec<_> = shown(report, options).filter(|d| d.suppressed.is_none()).collect();
    let mut cases = String::new();
    for d in &findings {
        let file = report.files.get(d.primary.span.file);
        let (line, column) = file.line_column(d.primary.span.start as usize);
        let mut body = format!("{}:{line}:{column}: {}", file.path, d.message);
        for note in &d.notes {
            body.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &d.help {
            body.push_str(&format!("\nhelp: {help}"));
        }
        cases.push_str(&format!(
            "    <testcase classname=\"hybridlint.{}\" name=\"{}:{line}:{column}\" file=\"{}\" line=\"{line}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            escape(&d.rule),
            escape(&file.path),
            escape(&file.path),
            d.severity,
            escape(&d.message),
            escape(&body)
        ));
    }
    if findings.is_empty() {
        cases.push_str("    <testcase classname=\"hybridlint\" name=\"check\"/>\n");
    }
    let tests = findings.len().max(1);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hybridlint\" tests=\"{tests}\" failures=\"{0}\">\n  <testsuite name=\"hybridlint\" tests=\"{tests}\" failures=\"{0}\" errors=\"0\">\n{cases}  </testsuite>\n</testsuites>\n",
        findings.len()
    )
}
