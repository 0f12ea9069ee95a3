//! `hybridlint test-rules DIR`: runs the repository's organisation rules against fixture files, each of
//! which states the findings it expects (like `conftest verify`), so that organisations can unit-test
//! their rules in CI.
//!
//! DIR holds fixtures `NAME.toml` (recipients) and, beside each, `NAME.expect` (TOML) listing the expected
//! findings: `findings = [{ rule = "contoso/x", recipient = "jsmith" }]`. A fixture without one expects
//! no finding from organisation rules. Keep DIR out of `check` (`[lint] exclude`): its files are wrong
//! on purpose.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::source::discover::Root;
use crate::source::{SourceFile, SourceFiles};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expectations {
    #[serde(default)]
    findings: Vec<Expected>,
}

#[derive(Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    recipient: String,
}

pub struct Outcome {
    pub report: String,
    pub passed: usize,
    pub failed: usize,
}

/// Runs every fixture in `dir` against the organisation rules of the repository at `root`.
pub fn run(root: &Root, dir: &Path) -> Result<Outcome, String> {
    let files = crate::read(root, &Default::default()).map_err(|e| e.to_string())?;
    let options = crate::Options { root_config: root.config_name(), ..Default::default() };
    let dir = std::path::absolute(dir).map_err(|e| e.to_string())?;
    // The rules (and the tenant): the root configuration and every file that defines `[[rule]]`.
    let base: Vec<(String, String)> = files
        .iter()
        .map(|(_, f)| f)
        .filter(|f| f.path == options.root_config || f.text.contains("[[rule]]"))
        .filter(|f| !root.dir.join(&f.path).starts_with(&dir))
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    // Regular files only: a symbolic link (which may point anywhere) or a FIFO (which would block) is no
    // fixture.
    let regular = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file());
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && regular(p))
        .collect();
    fixtures.sort();
    if fixtures.is_empty() {
        return Err(format!("no fixtures (*.toml) in `{}`", dir.display()));
    }

    let mut outcome = Outcome { report: String::new(), passed: 0, failed: 0 };
    for fixture in fixtures {
        let name = fixture.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read(&fixture).map_err(|e| format!("cannot read `{}`: {e}", fixture.display()))?;
        let expect_path = fixture.with_extension("expect");
        let expected: Expectations = match regular(&expect_path).then(|| std::fs::read_to_string(&expect_path)) {
            Some(Ok(text)) => {
                toml::from_str(&text).map_err(|e| format!("`{}`: {}", expect_path.display(), e.message()))?
            }
            _ => Expectations::default(),
        };
        let mut sources: Vec<SourceFile> =
            base.iter().map(|(path, text)| SourceFile::from_bytes(path.clone(), text.clone().into_bytes())).collect();
        sources.push(SourceFile::from_bytes(format!("test-rules/{name}.toml"), text));
        let report = crate::lint(SourceFiles::new(sources), &options);
        let custom: BTreeSet<&str> =
            report.diagnostics.iter().filter(|d| d.rule.contains('/')).map(|d| d.rule.as_ref()).collect();
        let found: BTreeSet<Expected> = report
            .diagnostics
            .iter()
            .filter(|d| d.suppressed.is_none() && custom.contains(d.rule.as_ref()))
            .map(|d| Expected { rule: d.rule.to_string(), recipient: d.recipient.clone().unwrap_or_default() })
            .collect();
        let wanted: BTreeSet<Expected> = expected.findings.into_iter().collect();
        let problems: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "schema" || d.rule == "toml-syntax")
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();
        let missing: Vec<_> = wanted.difference(&found).collect();
        let unexpected: Vec<_> = found.difference(&wanted).collect();
        if missing.is_empty() && unexpected.is_empty() && problems.is_empty() {
            outcome.passed += 1;
            outcome.report.push_str(&format!("ok      {name}\n"));
        } else {
            outcome.failed += 1;
            outcome.report.push_str(&format!("FAILED  {name}\n"));
            for e in missing {
                outcome
                    .report
                    .push_str(&format!("        expected `{}` on `{}`, which was not reported\n", e.rule, e.recipient));
            }
            for e in unexpected {
                outcome
                    .report
                    .push_str(&format!("        `{}` on `{}` was reported but not expected\n", e.rule, e.recipient));
            }
            for p in problems {
                outcome.report.push_str(&format!("        the fixture or a rule is malformed: {p}\n"));
            }
        }
    }
    outcome.report.push_str(&format!("\n{} passed, {} failed\n", outcome.passed, outcome.failed));
    Ok(outcome)
}
