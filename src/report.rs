//! What a check produces: the files (for rendering), the sorted findings and their counts. Every output
//! format renders a [`Report`].

use jiff::civil::Date;

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceFiles;

/// Counts for the summary line and the JSON `summary`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub recipients: usize,
    pub policies: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
}

/// The result of a check: the files (for rendering) and the sorted findings.
pub struct Report {
    pub files: SourceFiles,
    pub diagnostics: Vec<Diagnostic>,
    pub today: Date,
    pub summary: Summary,
    /// Phases or rule families that failed with an internal error; their findings are missing.
    pub internal_errors: Vec<String>,
    /// The repository's own rules (`[[rule]]`), as the catalogue shows them (SARIF lists them).
    pub organisation_rules: Vec<crate::catalogue::Entry>,
}

impl Report {
    /// Keeps the findings that involve a file for which `keep(path)` holds, through their primary or any
    /// secondary label, and recounts the summary.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let files = &self.files;
        self.diagnostics.retain(|d| {
            std::iter::once(&d.primary).chain(&d.labels).any(|label| keep(&files.get(label.span.file).path))
        });
        self.recount();
    }

    /// Counts the findings by severity, and the suppressed ones, into the summary.
    pub fn recount(&mut self) {
        count(&mut self.summary, &self.diagnostics);
    }

    /// The highest severity among findings that are not suppressed.
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics.iter().filter(|d| d.suppressed.is_none()).map(|d| d.severity).max()
    }
}

fn count(summary: &mut Summary, diagnostics: &[Diagnostic]) {
    (summary.errors, summary.warnings, summary.infos, summary.suppressed) = (0, 0, 0, 0);
    for d in diagnostics {
        if d.suppressed.is_some() {
            summary.suppressed += 1;
            continue;
        }
        match d.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
    }
}
