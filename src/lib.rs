//! hybridlint: an offline linter for Exchange hybrid recipient configuration kept as code.
//!
//! The pipeline, in [`check`], one stage per layer: config -> sources -> model -> analysis -> rules ->
//! suppressions -> report. Rendering is separate ([`render`]); `ARCHITECTURE.md` draws the layers.

pub mod analysis;
pub mod catalogue;
pub mod cli;
pub mod config;
#[cfg(feature = "dev")]
pub mod dev;
pub mod diag;
pub mod diff;
pub mod history;
pub mod import;
pub mod model;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod util;

use jiff::civil::Date;

use crate::analysis::Analysis;
use crate::catalogue::Rule;
use crate::diag::Diagnostic;
use crate::diag::sink::Sink;
use crate::model::Model;
pub use crate::report::{Report, Summary};
use crate::source::discover::Root;
use crate::source::{SourceFiles, Span};
use crate::util::timings::Timings;

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
    pub timings: std::sync::Arc<Timings>,
    /// Keep only these rules' findings (each rule's fixtures are tested with that rule alone).
    pub only_rules: Option<Vec<String>>,
}

/// Why a run could not be done at all (exit 2). Findings about the files are never errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
}

/// The whole pipeline: reads the repository at `root` and lints it.
pub fn check(root: &Root, options: Options) -> Result<Report, Error> {
    let files = read(root, &options.timings)?;
    Ok(lint(files, &options))
}

/// Config and sources: reads the root configuration once, then discovers and reads the files it admits.
pub fn read(root: &Root, timings: &Timings) -> Result<SourceFiles, Error> {
    let config = config::RootConfig::read(root)?;
    let filter = source::discover::Filter::new(&config.settings.include, &config.settings.exclude);
    let found = timings.time("discover", || source::discover::discover(root, &filter));
    let max_size = config.settings.max_file_size;
    Ok(timings.time("read", || source::read::read_files(found, max_size, config.file)))
}

/// Model: parses every file and builds the one model, with the findings about the files themselves.
pub fn build_model<'f>(files: &'f SourceFiles, options: &Options) -> (Model<'f>, Vec<Diagnostic>) {
    options.timings.time("parse and build the model", || schema::build::build_model(files, &options.root_config))
}

/// Lints files already in memory (paths relative to the root): model -> analysis -> rules -> suppressions
/// -> report. The core of [`check`], and what tests use.
pub fn lint(files: SourceFiles, options: &Options) -> Report {
    let findings = {
        let (model, build_findings) = build_model(&files, options);
        let analysis = Analysis::new(&model, options.today, &options.timings);
        run_rules(&files, &analysis, build_findings, options)
    };
    report(files, findings, options)
}

/// What the rules and suppressions found in one analysed model: a [`Report`] without its files. Kept
/// apart so that a caller can go on reading the analysis (`diff` compares two) before the files move
/// into the report.
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    pub today: Date,
    pub internal_errors: Vec<String>,
    pub organisation_rules: Vec<catalogue::Entry>,
}

/// Rules and suppressions over an analysed model; `build_findings` are the model builder's own.
pub fn run_rules(
    files: &SourceFiles,
    analysis: &Analysis<'_>,
    build_findings: Vec<Diagnostic>,
    options: &Options,
) -> Findings {
    let model = analysis.model;
    let overrides = model.lint.rules.iter().map(|(name, level)| (name.value.as_ref(), level.value));
    let mut sink = Sink::new(overrides, options.only_rules.as_deref());
    sink.extend(build_findings);

    let rule_names: Vec<String> = Rule::ALL
        .iter()
        .map(|rule| rule.name().to_string())
        .chain(model.custom_rules.iter().map(|r| r.name.value.to_string()))
        .collect();
    let context = rules::Context::new(analysis, files, &rule_names);
    let internal_errors = options.timings.time("rules", || rules::run(&context, &options.timings, &mut sink));
    suppressions(&mut sink, analysis, files, options, &rule_names);

    let summary = Summary {
        files: files.len(),
        recipients: model.recipients.len(),
        policies: model.policies.len(),
        ..Summary::default()
    };
    let organisation_rules = rules::organisation::catalogue_entries(model, files);
    Findings { diagnostics: sink.finish(), summary, today: analysis.today, internal_errors, organisation_rules }
}

/// The report of the files and what was found in them: findings sorted, summary counted.
pub fn report(files: SourceFiles, findings: Findings, options: &Options) -> Report {
    let Findings { diagnostics, summary, today, internal_errors, organisation_rules } = findings;
    let mut report = Report { files, diagnostics, today, summary, internal_errors, organisation_rules };
    options.timings.time("sort", || report.diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key())));
    report.recount();
    report
}

/// Suppressions: `allow`, `[[lint.exception]]` and the baseline mark findings as suppressed; what they
/// say about themselves (unused, expired, stale) is reported through the same sink.
fn suppressions(sink: &mut Sink, analysis: &Analysis<'_>, files: &SourceFiles, options: &Options, names: &[String]) {
    let rule_exists = |name: &str| names.iter().any(|r| r == name);
    let mut about_suppressions =
        suppress::apply_allows_and_exceptions(sink.found_mut(), analysis.model, files, analysis.today, rule_exists);
    if let Some(baseline) = &options.baseline {
        let root_config = files.iter().find(|(_, f)| f.path == options.root_config).map_or(0, |(id, _)| id);
        for stale in baseline.apply(sink.found_mut(), files) {
            about_suppressions.push(suppress::stale_entry(&stale, Span { file: root_config, start: 0, end: 0 }));
        }
    }
    sink.extend(about_suppressions);
}
