//! The benchmark corpus generator: deterministic, realistic (a generated repository is clean but for
//! the problems planted in it), and every planted problem is found.

use hybridlint::dev::corpus::{CorpusOptions, generate};
use hybridlint::source::{SourceFile, SourceFiles};

fn lint(options: &CorpusOptions) -> hybridlint::Report {
    let files =
        generate(options).into_iter().map(|(path, text)| SourceFile::from_bytes(path, text.into_bytes())).collect();
    let options = hybridlint::Options {
        today: Some("2026-11-22".parse().unwrap()),
        root_config: "hybridlint.toml".into(),
        ..Default::default()
    };
    hybridlint::lint(SourceFiles::new(files), &options)
}

#[test]
fn generation_is_deterministic() {
    let options = CorpusOptions { recipients: 1_500, ..CorpusOptions::default() };
    assert_eq!(generate(&options), generate(&options));
    assert_eq!(generate(&options).len(), 2 + 2, "root, policies and two files of up to 1,000 recipients");
}

#[test]
fn planted_problems_are_found_and_nothing_else_is_wrong() {
    let clean = lint(&CorpusOptions { recipients: 3_000, problems: 0, ..CorpusOptions::default() });
    let errors: Vec<String> = clean
        .diagnostics
        .iter()
        .filter(|d| d.severity == hybridlint::diag::Severity::Error)
        .map(|d| format!("{}: {}", d.rule, d.message))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "a corpus without planted problems has errors: {errors:?}");

    let planted = lint(&CorpusOptions { recipients: 3_000, problems: 2, ..CorpusOptions::default() });
    for rule in
        ["duplicate-proxy-address", "invalid-proxy-address", "remote-routing-domain", "alias-not-unique", "schema"]
    {
        assert!(planted.diagnostics.iter().any(|d| d.rule == rule), "no `{rule}` in the planted corpus");
    }
}
