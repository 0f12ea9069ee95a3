//! Every built-in rule has a triggering fixture and a near-miss under `tests/fixtures/rules/<rule>/`:
//! directories named `trigger*` must produce the rule's finding, `near-miss*` must not. Both are
//! snapshot-tested as rendered text and JSON. The catalogue and the code's registry must agree.

mod common;

use std::collections::BTreeSet;

use hybridlint::catalogue;
use hybridlint::catalogue::Rule;

#[test]
fn catalogue_and_code_name_the_same_rules() {
    let in_code: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
    let in_catalogue: BTreeSet<&str> = catalogue::builtin().iter().map(|e| e.name.as_str()).collect();
    let missing_entries: Vec<_> = in_code.difference(&in_catalogue).collect();
    let missing_code: Vec<_> = in_catalogue.difference(&in_code).collect();
    assert!(missing_entries.is_empty(), "rules without a catalogue entry: {missing_entries:?}");
    assert!(missing_code.is_empty(), "catalogue entries without code: {missing_code:?}");
    assert_eq!(in_catalogue.len(), catalogue::builtin().len(), "a rule is listed twice in policies/");
}

#[test]
fn every_catalogue_entry_is_documented() {
    for entry in catalogue::builtin() {
        assert!(entry.explanation.trim().len() > 80, "{}: explanation too short", entry.name);
        assert!(!entry.summary.trim().is_empty(), "{}: no summary", entry.name);
        assert!(!entry.sources.is_empty(), "{}: no sources", entry.name);
        assert!(!entry.category.is_empty(), "{}: no category", entry.name);
    }
}

#[test]
fn every_rule_fires_on_its_trigger_and_not_on_its_near_miss() {
    let root = common::fixtures().join("rules");
    for rule in Rule::ALL {
        let name = rule.name();
        let dir = root.join(name);
        let mut cases: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixtures for `{name}` in {}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        let case_name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(cases.iter().any(|c| case_name(c).starts_with("trigger")), "`{name}` has no trigger fixture");
        assert!(cases.iter().any(|c| case_name(c).starts_with("near-miss")), "`{name}` has no near-miss fixture");

        for case in cases {
            let case = case_name(&case);
            let report = common::lint_dir(&dir.join(&case));
            let found = report.diagnostics.iter().filter(|d| d.rule == name).count();
            if case.starts_with("trigger") {
                assert!(found > 0, "`{name}` did not fire on {case}:\n{}", common::rendered(&report));
            } else {
                assert_eq!(found, 0, "`{name}` fired on {case}:\n{}", common::rendered(&report));
            }
            insta::assert_snapshot!(format!("{name}__{case}"), common::rendered(&report));
        }
    }
}
