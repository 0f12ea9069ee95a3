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
    let explanations = catalogue::explanations().expect("the explanation files parse");
    let in_catalogue: BTreeSet<&str> = explanations.iter().map(|(_, e)| e.name.as_str()).collect();
    let missing_entries: Vec<_> = in_code.difference(&in_catalogue).collect();
    let missing_code: Vec<_> = in_catalogue.difference(&in_code).collect();
    assert!(missing_entries.is_empty(), "rules without a catalogue entry: {missing_entries:?}");
    assert!(missing_code.is_empty(), "catalogue entries without code: {missing_code:?}");
    assert_eq!(in_catalogue.len(), explanations.len(), "a rule is listed twice in policies/");
    for (family, entry) in &explanations {
        let rule = Rule::from_name(&entry.name).expect("checked above");
        assert_eq!(
            rule.lint().family,
            *family,
            "`{}` is explained in policies/{}.toml but belongs to the family `{}`",
            entry.name,
            family.name(),
            rule.lint().family.name()
        );
    }
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

/// Runs one rule's fixtures with that rule alone enabled: `trigger*` cases must produce its finding,
/// `near-miss*` cases must not, and both are snapshot-tested with only that rule's findings.
fn rule_fixtures(name: &str) {
    let dir = common::fixtures().join("rules").join(name);
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
        let report = common::lint_dir_with_only(&dir.join(&case), name);
        assert!(report.internal_errors.is_empty(), "internal errors on {name}/{case}: {:?}", report.internal_errors);
        let found = report.diagnostics.iter().filter(|d| d.rule == name).count();
        assert_eq!(found, report.diagnostics.len(), "findings of other rules on {name}/{case}");
        if case.starts_with("trigger") {
            assert!(found > 0, "`{name}` did not fire on {case}:\n{}", common::rendered(&report));
        } else {
            assert_eq!(found, 0, "`{name}` fired on {case}:\n{}", common::rendered(&report));
        }
        insta::assert_snapshot!(format!("{name}__{case}"), common::rendered(&report));
    }
}

/// One test per rule, so that one rule's failure does not hide another's. The list must name every rule
/// in the registry (checked below).
macro_rules! rule_tests {
    ($($test:ident: $name:literal,)*) => {
        $(#[test]
        fn $test() {
            rule_fixtures($name);
        })*

        const TESTED: &[&str] = &[$($name),*];
    };
}

rule_tests! {
    toml_syntax: "toml-syntax",
    schema: "schema",
    duplicate_name: "duplicate-name",
    tenant_config: "tenant-config",
    unknown_reference: "unknown-reference",
    unknown_rule: "unknown-rule",
    unused_exception: "unused-exception",
    expired_exception: "expired-exception",
    duplicate_proxy_address: "duplicate-proxy-address",
    duplicate_proxy_address_in_recipient: "duplicate-proxy-address-in-recipient",
    primary_smtp_count: "primary-smtp-count",
    invalid_proxy_address: "invalid-proxy-address",
    primary_domain_not_accepted: "primary-domain-not-accepted",
    onmicrosoft_primary: "onmicrosoft-primary",
    address_dropped_by_sync: "address-dropped-by-sync",
    too_many_proxy_addresses: "too-many-proxy-addresses",
    upn_not_unique: "upn-not-unique",
    invalid_upn: "invalid-upn",
    upn_domain_not_verified: "upn-domain-not-verified",
    alias_not_unique: "alias-not-unique",
    invalid_alias: "invalid-alias",
    moera_collision: "moera-collision",
    upn_address_conflict: "upn-address-conflict",
    invalid_address_template: "invalid-address-template",
    template_domain_not_accepted: "template-domain-not-accepted",
    policy_primary_template_count: "policy-primary-template-count",
    policy_priority: "policy-priority",
    policy_shadowed: "policy-shadowed",
    policy_missing_routing_template: "policy-missing-routing-template",
    policy_address_collision: "policy-address-collision",
    no_default_policy: "no-default-policy",
    cloud_policy_scope: "cloud-policy-scope",
    invalid_recipient_filter: "invalid-recipient-filter",
    attribute_too_long: "attribute-too-long",
    missing_remote_routing_address: "missing-remote-routing-address",
    remote_routing_domain: "remote-routing-domain",
    remote_routing_not_in_proxies: "remote-routing-not-in-proxies",
    missing_routing_proxy: "missing-routing-proxy",
    invalid_guid: "invalid-guid",
    missing_exchange_guid: "missing-exchange-guid",
    duplicate_exchange_guid: "duplicate-exchange-guid",
    forwarding_not_cloud_address: "forwarding-not-cloud-address",
    forwarding_loop: "forwarding-loop",
    routing_address_primary: "routing-address-primary",
    license_grace_expired: "license-grace-expired",
    license_grace_active: "license-grace-active",
    license_grace_unknown: "license-grace-unknown",
    license_required: "license-required",
    license_before_move: "license-before-move",
    dynamic_group_synced: "dynamic-group-synced",
    type_not_valid_for_source: "type-not-valid-for-source",
    mailbox_in_both_locations: "mailbox-in-both-locations",
    move_completed_with_warnings: "move-completed-with-warnings",
    soft_match: "soft-match",
    litigation_hold_blocks_disable: "litigation-hold-blocks-disable",
    reference_across_directories: "reference-across-directories",
    migration_source_version: "migration-source-version",
    migration_mrs_proxy: "migration-mrs-proxy",
    migration_outlook_anywhere: "migration-outlook-anywhere",
    migration_certificate: "migration-certificate",
    migration_endpoint_type: "migration-endpoint-type",
    batch_mailbox_not_movable: "batch-mailbox-not-movable",
    batch_duplicate_mailbox: "batch-duplicate-mailbox",
    batch_target_delivery_domain: "batch-target-delivery-domain",
    batch_member_blocked: "batch-member-blocked",
    batch_litigation_hold: "batch-litigation-hold",
    batch_license_plan: "batch-license-plan",
    batch_cutover_size: "batch-cutover-size",
}

#[test]
fn every_rule_has_a_fixture_test() {
    let registered: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
    assert_eq!(registered, tested, "rule_tests! must list every rule of the registry");
}
