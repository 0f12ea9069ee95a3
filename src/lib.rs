//! hybridlint: an offline linter for Exchange hybrid recipient configuration kept as code.
//!
//! The pipeline, in [`check`]: discover files -> read -> parse and build the model -> derive effective
//! addresses and indexes -> run rules -> apply severities -> sort. Rendering is separate ([`render`]).

pub mod analysis;
pub mod catalogue;
pub mod cli;
#[cfg(feature = "dev")]
pub mod dev;
pub mod diag;
pub mod import;
pub mod model;
pub mod render;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod util;

use std::collections::HashMap;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity};
use crate::model::Model;
use crate::source::discover::Root;
use crate::source::{SourceFile, SourceFiles};

/// What a run needs besides the files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--today`; else `[lint] today`; else the system's UTC date.
    pub today: Option<Date>,
    /// The root configuration's path relative to the root.
    pub root_config: String,
    /// Findings accepted as they are (`--baseline`).
    pub baseline: Option<suppress::Baseline>,
    /// Per-phase wall time (`--timings`).
    pub timings: std::sync::Arc<util::timings::Timings>,
}

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
}

impl Report {
    /// Keeps the findings that involve a file for which `keep(path)` holds, through their primary or any
    /// secondary label, and recounts the summary.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let files = &self.files;
        self.diagnostics.retain(|d| {
            std::iter::once(&d.primary).chain(&d.labels).any(|label| keep(&files.get(label.span.file).path))
        });
        count(&mut self.summary, &self.diagnostics);
    }

    /// The highest severity among findings that are not suppressed.
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics.iter().filter(|d| d.suppressed.is_none()).map(|d| d.severity).max()
    }
}

/// Reads the root configuration, discovers and reads every file, and lints them.
pub fn check(root: &Root, today: Option<Date>) -> Result<Report, String> {
    let (files, options) = load(root, today)?;
    Ok(lint(files, &options))
}

/// Discovers and reads the repository's files (in parallel).
pub fn load(root: &Root, today: Option<Date>) -> Result<(SourceFiles, Options), String> {
    load_timed(root, today, std::sync::Arc::default())
}

/// [`load`], recording the discovery and read phases.
pub fn load_timed(
    root: &Root,
    today: Option<Date>,
    timings: std::sync::Arc<util::timings::Timings>,
) -> Result<(SourceFiles, Options), String> {
    let config_text = std::fs::read(&root.config)
        .map_err(|e| format!("cannot read the root configuration `{}`: {e}", root.config.display()))?;
    let config_text = String::from_utf8_lossy(&config_text);
    let paths = timings.time("discover", || source::discover::discover(root, &config_text));
    let max_size = source::discover::max_file_size(&config_text);
    let files: Vec<SourceFile> = timings.time("read", || {
        paths
            .into_par_iter()
            .map(|path| {
                let full = root.dir.join(&path);
                if let Ok(metadata) = std::fs::metadata(&full)
                    && metadata.len() > max_size
                {
                    let size = metadata.len();
                    let reason = format!("it is {size} bytes, over the limit of {max_size} (`[lint] max_file_size`)");
                    return SourceFile::unreadable(path, reason);
                }
                match std::fs::read(&full) {
                    Ok(bytes) => SourceFile::from_bytes(path, bytes),
                    Err(e) => SourceFile::unreadable(path, e.to_string()),
                }
            })
            .collect()
    });
    let root_config = root.config.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok((SourceFiles::new(files), Options { today, root_config, baseline: None, timings }))
}

/// Everything computed from the files before rules run: the model, effective addresses and indexes, the
/// pairs of objects that are one, and the cloud view.
pub struct Analysis<'m> {
    pub model: &'m Model<'m>,
    pub derived: &'m analysis::addresses::Derived<'m>,
    pub pairs: &'m analysis::pairs::Pairs,
    pub cloud: &'m analysis::cloud::CloudView,
    pub today: Date,
}

/// Builds the model and everything derived from it, once, and hands it to `then` with the findings the
/// model builder made.
pub fn analyze<R>(files: &SourceFiles, options: &Options, then: impl FnOnce(&Analysis<'_>, Vec<Diagnostic>) -> R) -> R {
    let timings = &options.timings;
    let (model, diagnostics) =
        timings.time("parse and build the model", || schema::build::build_model(files, &options.root_config));
    let today = options
        .today
        .or(model.lint.today.as_ref().map(|t| t.value))
        .unwrap_or_else(|| jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date());
    let derived = timings.time("effective addresses and indexes", || analysis::addresses::Derived::new(&model));
    let pairs = timings.time("pairs of objects", || analysis::pairs::Pairs::find(&model, &derived));
    let cloud = timings.time("cloud view", || {
        analysis::cloud::CloudView::build(&model, &derived, &pairs, today, model.lint.grace_days())
    });
    then(&Analysis { model: &model, derived: &derived, pairs: &pairs, cloud: &cloud, today }, diagnostics)
}

/// Lints files already in memory (paths relative to the root). The core of [`check`], and what tests use.
pub fn lint(files: SourceFiles, options: &Options) -> Report {
    let (diagnostics, summary, today, internal_errors) = analyze(&files, options, |analysis, mut diagnostics| {
        let rule_names: Vec<String> = catalogue::builtin()
            .iter()
            .map(|e| e.name.clone())
            .chain(analysis.model.custom_rules.iter().map(|r| r.name.value.to_string()))
            .collect();
        let context = rules::Context::new(analysis, &files, &rule_names);
        let run = options.timings.time("rules", || rules::run(&context, &options.timings));
        diagnostics.extend(run.diagnostics);
        let mut internal_errors = run.failed;
        let custom = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            options
                .timings
                .time("organisation rules", || rules::organisation::run(analysis.model, analysis.derived, &files))
        }));
        match custom {
            Ok(found) => diagnostics.extend(found),
            Err(_) => internal_errors.push("organisation rules".to_string()),
        }
        let mut diagnostics = apply_severities(diagnostics, analysis.model);
        let rule_exists = |name: &str| rule_names.iter().any(|r| r == name);
        let mut about_suppressions = suppress::apply_allows_and_exceptions(
            &mut diagnostics,
            analysis.model,
            &files,
            analysis.today,
            rule_exists,
        );
        if let Some(baseline) = &options.baseline {
            let root_config = files.iter().find(|(_, f)| f.path == options.root_config).map_or(0, |(id, _)| id);
            for stale in baseline.apply(&mut diagnostics, &files) {
                about_suppressions
                    .push(suppress::stale_entry(&stale, source::Span { file: root_config, start: 0, end: 0 }));
            }
        }
        diagnostics.extend(apply_severities(about_suppressions, analysis.model));
        let summary = Summary {
            files: files.len(),
            recipients: analysis.model.recipients.len(),
            policies: analysis.model.policies.len(),
            ..Summary::default()
        };
        (diagnostics, summary, analysis.today, internal_errors)
    });
    let mut report = Report { files, diagnostics, today, summary, internal_errors };
    options.timings.time("sort", || report.diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key())));
    count(&mut report.summary, &report.diagnostics);
    report
}

/// Sets each finding's severity: the catalogue default, or the rule's own hint for this finding, unless
/// `[lint.rules]` overrides it; `off` removes the finding.
fn apply_severities(diagnostics: Vec<Diagnostic>, model: &Model<'_>) -> Vec<Diagnostic> {
    let defaults: HashMap<&str, Severity> =
        catalogue::builtin().iter().map(|e| (e.name.as_str(), e.severity)).collect();
    let overrides: HashMap<&str, Option<Severity>> =
        model.lint.rules.iter().map(|(name, level)| (name.value.as_ref(), level.value)).collect();
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            let severity = match overrides.get(d.rule.as_ref()) {
                Some(level) => (*level)?,
                None => {
                    d.hinted_severity().or_else(|| defaults.get(d.rule.as_ref()).copied()).unwrap_or(Severity::Error)
                }
            };
            d.severity = severity;
            Some(d)
        })
        .collect()
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
