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

/// Every finding of every rule fixture (`tests/fixtures/rules/<rule>/<case>/`), with all rules on, and the
/// case it came from.
pub fn every_fixture_finding() -> Vec<(String, hybridlint::diag::Diagnostic)> {
    let root = fixtures().join("rules");
    let mut cases: Vec<_> = walkdir::WalkDir::new(&root)
        .min_depth(2)
        .max_depth(2)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("fixture directory is readable").into_path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut found = Vec::new();
    for case in cases {
        let name = case.strip_prefix(&root).unwrap().display().to_string();
        found.extend(lint_dir(&case).diagnostics.into_iter().map(|d| (name.clone(), d)));
    }
    found
}

/// The texts of a finding a user reads: message, labels, notes and help.
pub fn finding_texts(d: &hybridlint::diag::Diagnostic) -> Vec<&str> {
    let mut texts = vec![d.message.as_str(), d.primary.message.as_str()];
    texts.extend(d.labels.iter().map(|l| l.message.as_str()));
    texts.extend(d.notes.iter().map(String::as_str));
    texts.extend(d.help.as_deref());
    texts
}

/// Writes a file under `dir`, creating its directories.
pub fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs git in `dir` with a fixed identity, and fails the test when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}
