//! Output formats. Each renders a [`Report`] to a string; the caller decides where it goes.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::report::Report;

mod concise;
pub mod diff;
mod display;
mod github;
mod human;
mod json;
mod junit;
mod sarif;

pub use json::render_json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
}

#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// Per-rule counts instead of individual findings (human and concise); an extra `statistics`
    /// member in JSON.
    pub statistics: bool,
    /// Only the findings: no summary line.
    pub quiet: bool,
    /// Include suppressed findings.
    pub show_suppressed: bool,
    /// The root as shown in JSON (`"."` when it is the current directory).
    pub root: String,
    /// For SARIF: the directory URIs are relative to (the git work tree, or `--sarif-root`) as an absolute
    /// `file://` URI ending in `/`, and the root's path inside it (`""` or `sub/dir/`).
    pub sarif_root_uri: Option<String>,
    pub sarif_prefix: String,
    /// The lowest severity that fails the run (`--fail-on`): JUnit reports lower ones as passing cases.
    pub fail_on: Option<Severity>,
}

impl RenderOptions {
    /// What precedes a root-relative path so that a terminal or editor in the current directory can open
    /// it (human, concise and github formats).
    fn path_prefix(&self) -> String {
        if self.root == "." || self.root.is_empty() { String::new() } else { format!("{}/", self.root) }
    }
}

pub fn render(format: Format, report: &Report, options: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, options),
        Format::Concise => concise::render(report, options),
        Format::Json => json::render_json(report, options),
        Format::Sarif => sarif::render(report, options),
        Format::Github => github::render(report, options),
        Format::Junit => junit::render(report, options),
    }
}

/// The findings a format shows.
fn shown<'r>(report: &'r Report, options: &RenderOptions) -> impl Iterator<Item = &'r Diagnostic> {
    let show_suppressed = options.show_suppressed;
    report.diagnostics.iter().filter(move |d| show_suppressed || d.suppressed.is_none())
}

/// Findings per rule, with the rule's severity, for `--statistics`.
#[derive(serde::Serialize)]
pub struct RuleCount<'r> {
    pub rule: &'r str,
    pub severity: Severity,
    pub count: usize,
}

fn statistics<'r>(report: &'r Report, options: &RenderOptions) -> Vec<RuleCount<'r>> {
    let mut counts: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
    for d in shown(report, options) {
        let entry = counts.entry(&d.rule).or_insert((d.severity, 0));
        entry.0 = entry.0.max(d.severity);
        entry.1 += 1;
    }
    let mut rows: Vec<RuleCount<'r>> =
        counts.into_iter().map(|(rule, (severity, count))| RuleCount { rule, severity, count }).collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    rows
}

fn statistics_table(report: &Report, options: &RenderOptions) -> String {
    let rows = statistics(report, options);
    let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    rows.iter().map(|r| format!("{:>6}  {:<width$}  {}\n", r.count, r.rule, r.severity)).collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// `checked 3 files (34 recipients, 2 policies): 1 error, 2 warnings, 0 infos`
fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let mut line = format!(
        "checked {} ({}, {}): {}, {}, {}",
        plural(s.files, "file"),
        plural(s.recipients, "recipient"),
        plural(s.policies, "policy").replace("policys", "policies"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
    );
    if s.suppressed > 0 {
        line.push_str(&format!(" ({} suppressed)", s.suppressed));
    }
    line.push('\n');
    line
}
