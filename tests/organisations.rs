//! Realistic organisations written from Microsoft's documentation (`tests/fixtures/organisations/`): each
//! correct one produces no finding at all, and each broken twin produces exactly the mistakes its
//! `PLANTED.md` lists (rule and file), and nothing else. Both are snapshot-tested. The commands that show
//! computed values (`addresses`, `sync-preview`) agree with `check` about every recipient's addresses and
//! where it exists.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hybridlint::analysis::Analysis;
use hybridlint::analysis::cloud::CloudOrigin;

const ORGANISATIONS: &[&str] =
    &["post-wizard-hybrid", "custom-routing-domain", "unsynced-next-to-cloud", "cloud-heavy"];

fn organisation(name: &str) -> PathBuf {
    common::fixtures().join("organisations").join(name)
}

/// The planted mistakes of a broken twin: (rule, file) from the rows of its `PLANTED.md` table, whose
/// second column is the rule and fourth the place (`` `file`, `recipient` ``).
fn planted(dir: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(dir.join("PLANTED.md")).expect("a broken twin lists its mistakes");
    let mut planted = BTreeSet::new();
    for row in text.lines().filter(|l| l.starts_with("| ") && l.chars().nth(2).is_some_and(|c| c.is_ascii_digit())) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let backticked = |cell: &str| cell.split('`').nth(1).map(str::to_string);
        let (Some(rule), Some(file)) = (backticked(cells[1]), backticked(cells[3])) else {
            panic!("a row of {} without a rule or a file: {row}", dir.display())
        };
        planted.insert((rule, file));
    }
    assert!(planted.len() >= 3, "{} plants {} mistakes", dir.display(), planted.len());
    planted
}

#[test]
fn correct_organisations_produce_no_finding() {
    for name in ORGANISATIONS {
        let report = common::lint_dir(&organisation(name));
        assert!(report.diagnostics.is_empty(), "{name}:\n{}", common::rendered(&report));
        assert!(report.summary.recipients >= 25, "{name} is not a realistic size");
        insta::assert_snapshot!(format!("organisation__{name}"), common::rendered(&report));
    }
}

#[test]
fn broken_twins_produce_exactly_their_planted_findings() {
    for name in ORGANISATIONS {
        let dir = organisation(&format!("{name}-broken"));
        let report = common::lint_dir(&dir);
        let planted = planted(&dir);
        assert_eq!(report.diagnostics.len(), planted.len(), "{name}-broken:\n{}", common::rendered(&report));
        // Each mistake is one finding of its rule that points into its file (with the value or a label:
        // which of two objects carries the primary label is the rule's choice).
        for (rule, file) in &planted {
            let matching = report.diagnostics.iter().filter(|d| {
                d.rule == rule.as_str()
                    && std::iter::once(&d.primary)
                        .chain(&d.labels)
                        .any(|label| report.files.get(label.span.file).path == *file)
            });
            assert_eq!(matching.count(), 1, "{name}-broken: `{rule}` in {file}:\n{}", common::rendered(&report));
        }
        insta::assert_snapshot!(format!("organisation__{name}-broken"), common::rendered(&report));
    }
}

/// `addresses` shows, and `sync-preview` keeps, exactly the effective addresses the rules check, and
/// both say where each recipient exists as the rules see it.
#[test]
fn addresses_sync_preview_and_check_agree() {
    for name in ORGANISATIONS.iter().flat_map(|n| [n.to_string(), format!("{n}-broken")]) {
        let files = common::load(&organisation(&name));
        let options = common::options();
        common::analyze(&files, &options, |analysis: &Analysis<'_>, _| {
            let preview = hybridlint::cli::sync_preview::preview(analysis, &[]).expect("a preview of everything");
            for (index, recipient) in analysis.model.recipients.iter().enumerate() {
                let recipient_name = recipient.name.value.as_ref();
                let report = hybridlint::cli::addresses::report(analysis, &files, recipient_name).unwrap();
                let effective: Vec<&str> =
                    analysis.derived.addresses_of(index).iter().map(|a| a.text.as_ref()).collect();
                let shown: Vec<&str> = report.effective_addresses.iter().map(|e| e.address.as_str()).collect();
                assert_eq!(shown, effective, "{name}: `addresses {recipient_name}`");
                let exists = analysis.presence.of(index);
                assert_eq!(report.exists, exists.names(), "{name}: where `{recipient_name}` exists");

                let previewed = preview.recipients.iter().find(|p| p.name == recipient_name);
                let synced = analysis.presence.is_synced(index, recipient);
                assert_eq!(previewed.is_some(), synced, "{name}: `{recipient_name}` in sync-preview");
                let Some(previewed) = previewed else { continue };
                assert_eq!(previewed.exists, ["on-premises", "cloud"], "{name}: `{recipient_name}`");
                // What the cloud keeps of the on-premises addresses is what the rules consider kept.
                let kept: BTreeSet<String> = previewed
                    .proxy_addresses
                    .iter()
                    .filter(|a| a.origin == CloudOrigin::OnPremises)
                    .map(|a| a.address.to_ascii_lowercase())
                    .collect();
                let object = analysis.cloud.of(index).unwrap();
                let dropped: BTreeSet<String> = object
                    .dropped
                    .iter()
                    .map(|d| effective[d.address].to_ascii_lowercase())
                    .chain(object.quarantined.iter().map(|q| q.value.to_ascii_lowercase()))
                    .collect();
                for address in &effective {
                    let lower = address.to_ascii_lowercase();
                    assert!(
                        kept.contains(&lower) || dropped.contains(&lower),
                        "{name}: `{address}` of `{recipient_name}` is neither kept nor dropped in sync-preview"
                    );
                }
            }
        });
    }
}
