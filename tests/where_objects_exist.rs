//! The cases tried on realistic organisations, each checked with every rule on: objects conflict only
//! where both exist, and a problem is reported once, under the rule that says what really happens.

mod common;

/// Every finding of a rule fixture, all rules on, as (rule, recipient) pairs.
fn findings(fixture: &str) -> Vec<(String, String)> {
    let report = common::lint_dir(&common::fixtures().join("rules").join(fixture));
    let mut found: Vec<(String, String)> =
        report.diagnostics.iter().map(|d| (d.rule.to_string(), d.recipient.clone().unwrap_or_default())).collect();
    found.sort();
    found
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected.iter().map(|(r, n)| (r.to_string(), n.to_string())).collect();
    pairs.sort();
    pairs
}

#[test]
fn objects_that_never_meet_are_not_compared() {
    // An unsynced mailbox next to a cloud one, a dynamic group next to its cloud contact stand-in.
    assert_eq!(findings("duplicate-proxy-address/near-miss-never-meet"), pairs(&[]));
    assert_eq!(findings("upn-not-unique/near-miss-never-meet"), pairs(&[]));
    assert_eq!(findings("alias-not-unique/near-miss-never-meet"), pairs(&[]));
    assert_eq!(findings("upn-domain-not-verified/near-miss-unsynced"), pairs(&[]));
    assert_eq!(findings("duplicate-exchange-guid/near-miss-never-meet"), pairs(&[]));
    assert_eq!(findings("upn-address-conflict/near-miss-never-meet"), pairs(&[]));
}

#[test]
fn a_secondary_address_in_common_is_a_duplicate_not_a_pair() {
    // Not one person's two mailboxes, not a soft match: a duplicate address in the cloud, reported once.
    assert_eq!(
        findings("mailbox-in-both-locations/near-miss-secondary"),
        pairs(&[("duplicate-proxy-address", "servicedesk")])
    );
    assert_eq!(findings("soft-match/near-miss-secondary"), pairs(&[("duplicate-proxy-address", "mmiller")]));
}

#[test]
fn a_contact_keeps_its_external_address_as_primary_under_a_policy() {
    assert_eq!(findings("policy-address-collision/near-miss-contact"), pairs(&[]));
    assert_eq!(
        findings("duplicate-proxy-address/trigger-external-address"),
        pairs(&[("duplicate-proxy-address", "partner-b")])
    );
}

#[test]
fn a_upn_that_is_another_objects_address_is_reported_once() {
    assert_eq!(findings("upn-address-conflict/trigger"), pairs(&[("upn-address-conflict", "bjones")]));
}

#[test]
fn references_must_exist_where_they_are_mastered() {
    assert_eq!(
        findings("reference-across-directories/trigger"),
        pairs(&[("reference-across-directories", "project-x")])
    );
    assert_eq!(
        findings("reference-across-directories/trigger-forwarding"),
        pairs(&[("reference-across-directories", "reception")])
    );
    assert_eq!(findings("reference-across-directories/near-miss"), pairs(&[]));
}
