//! Helpers shared by the integration tests: load a fixture repository into memory and lint it.

#![allow(dead_code)]

use std::path::Path;

use hybridlint::render::{Format, RenderOptions, render};
use hybridlint::source::{SourceFile, SourceFiles};
use hybridlint::{Options, Report};

/// The evaluation date every test pins.
pub const TODAY: &str = "2026-11-22";

pub fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// Every `*.toml` file under `dir`, with the rule fixtures' default `hybridlint.toml` when it brings none.
pub fn load(dir: &Path) -> SourceFiles {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("fixture directory is readable");
        // As discovery does: only `*.toml` files are linted (fixtures also hold READMEs).
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "toml") {
            let relative = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            files.push(SourceFile::from_bytes(relative, std::fs::read(entry.path()).unwrap()));
        }
    }
    if !files.iter().any(|f| f.path == "hybridlint.toml") {
        let default = std::fs::read(fixtures().join("rules/default-hybridlint.toml")).unwrap();
        files.push(SourceFile::from_bytes("hybridlint.toml".into(), default));
    }
    SourceFiles::new(files)
}

pub fn lint_dir(dir: &Path) -> Report {
    let options =
        Options { today: Some(TODAY.parse().unwrap()), root_config: "hybridlint.toml".into(), ..Options::default() };
    hybridlint::lint(load(dir), &options)
}

/// Lints a fixture with one rule alone enabled.
pub fn lint_dir_with_only(dir: &Path, rule: &str) -> Report {
    let options = Options { only_rules: Some(vec![rule.to_string()]), ..options() };
    hybridlint::lint(load(dir), &options)
}

/// The human rendering (no colour) followed by the JSON rendering: what the snapshots hold.
pub fn rendered(report: &Report) -> String {
    let options = RenderOptions { root: ".".into(), ..RenderOptions::default() };
    format!(
        "---- human ----\n{}---- json ----\n{}",
        render(Format::Human, report, &options),
        render(Format::Json, report, &options)
    )
}

/// In-memory files (path, text), with the default root configuration when none is given.
pub fn sources(files: &[(&str, &str)]) -> SourceFiles {
    let mut files: Vec<SourceFile> =
        files.iter().map(|(path, text)| SourceFile::from_bytes(path.to_string(), text.as_bytes().to_vec())).collect();
    if !files.iter().any(|f| f.path == "hybridlint.toml") {
        let default = std::fs::read(fixtures().join("rules/default-hybridlint.toml")).unwrap();
        files.push(SourceFile::from_bytes("hybridlint.toml".into(), default));
    }
    SourceFiles::new(files)
}

pub fn options() -> Options {
    Options { today: Some(TODAY.parse().unwrap()), root_config: "hybridlint.toml".into(), ..Options::default() }
}

/// Builds the model and its analysis and hands them to `then`, with the model builder's findings.
pub fn analyze<R>(
    files: &SourceFiles,
    options: &Options,
    then: impl FnOnce(&hybridlint::analysis::Analysis<'_>, Vec<hybridlint::diag::Diagnostic>) -> R,
) -> R {
    let (model, found) = hybridlint::build_model(files, options);
    let analysis = hybridlint::analysis::Analysis::new(&model, options.today, &options.timings);
    then(&analysis, found)
}
