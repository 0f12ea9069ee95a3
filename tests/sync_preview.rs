//! The cloud view against Microsoft's documented outcomes: the six scenarios of seed 003 (KB3190357) with
//! the two outcomes the 2023 revision changed (a licensed user with no address gets the UPN, not the MOERA,
//! as primary; a duplicate mailNickname is kept and only the second MOERA gets four random digits), and
//! the conflict cases of seed 004.

mod common;

use hybridlint::cli::sync_preview::{Preview, PreviewRecipient, preview};

fn run(case: &str) -> Preview {
    let files = common::load(&common::fixtures().join("sync-preview").join(case));
    common::analyze(&files, &common::options(), |analysis, _| preview(analysis, &[]).unwrap())
}

fn addresses(r: &PreviewRecipient) -> Vec<String> {
    let mut all: Vec<String> = r.proxy_addresses.iter().map(|a| a.address.clone()).collect();
    all.sort();
    all
}

fn sorted(values: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    all.sort();
    all
}

/// The JSON, with the placeholder for the cloud's random digits replaced, for the snapshot.
fn snapshot_json(preview: &Preview) -> String {
    let mut json = serde_json::to_string_pretty(preview).unwrap();
    for r in &preview.recipients {
        if let (true, Some(moera)) = (r.moera_random_suffix, &r.moera) {
            let (local, _) = moera.split_once('@').unwrap();
            let digits = &local[local.len() - 4..];
            json = json.replace(&format!("{digits}@"), "NNNN@");
        }
        for q in &r.quarantined {
            if q.attribute == "UserPrincipalName"
                && let Some(upn) = &r.upn
                && let Some((_, rest)) = upn.split_once('+')
            {
                json = json.replace(&format!("+{}", &rest[..4]), "+NNNN");
            }
        }
    }
    json
}

#[test]
fn scenario_1_licensed_user_without_addresses_gets_the_upn_as_primary() {
    let p = run("seed-003-scenario-1");
    let r = &p.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("onprema"));
    assert_eq!(r.moera.as_deref(), Some("onprema@contoso.onmicrosoft.com"));
    // 2016: the MOERA was the primary and `mail`; since the 2023 revision it is the UPN.
    assert_eq!(r.mail.as_deref(), Some("onprema@contoso.com"));
    assert_eq!(addresses(r), sorted(&["SMTP:onprema@contoso.com", "smtp:onprema@contoso.onmicrosoft.com"]));
    assert_eq!(r.cloud_type, "UserMailbox");
    insta::assert_snapshot!("seed_003_scenario_1", snapshot_json(&p));
}

#[test]
fn scenario_2_mail_becomes_the_primary_and_the_mailnickname() {
    let p = run("seed-003-scenario-2");
    let r = &p.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("newb"));
    assert_eq!(r.moera.as_deref(), Some("newb@contoso.onmicrosoft.com"));
    assert_eq!(r.mail.as_deref(), Some("newb@contoso.com"));
    assert_eq!(
        addresses(r),
        sorted(&["SMTP:newb@contoso.com", "smtp:onpremb@contoso.com", "smtp:newb@contoso.onmicrosoft.com"])
    );
    insta::assert_snapshot!("seed_003_scenario_2", snapshot_json(&p));
}

#[test]
fn scenario_3_reserved_and_microsoft_online_addresses_are_dropped() {
    let p = run("seed-003-scenario-3");
    let r = &p.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("us1"));
    assert_eq!(r.mail.as_deref(), Some("us1@contoso.com"));
    assert_eq!(addresses(r), sorted(&["SMTP:us1@contoso.com", "smtp:us1@contoso.onmicrosoft.com"]));
    let dropped: Vec<&str> = r.dropped.iter().map(|d| d.address.as_str()).collect();
    assert_eq!(
        dropped,
        [
            "smtp:us1@contoso.microsoftonline.com",
            "x500:/o=MicrosoftOnline/ou=External (FYDIBOHF25SPDLT)/cn=Recipients/cn=us1"
        ]
    );
    insta::assert_snapshot!("seed_003_scenario_3", snapshot_json(&p));
}

#[test]
fn scenario_4_unlicensed_user_keeps_the_moera_as_primary() {
    let p = run("seed-003-scenario-4");
    let r = &p.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("us2"));
    assert_eq!(r.mail.as_deref(), Some("us2@contoso.onmicrosoft.com"));
    assert_eq!(
        addresses(r),
        sorted(&["SMTP:us2@contoso.onmicrosoft.com", "smtp:us2@contoso.com", "smtp:newus2@contoso.com"])
    );
    insta::assert_snapshot!("seed_003_scenario_4", snapshot_json(&p));
}

#[test]
fn scenario_5_mailnickname_follows_the_alias() {
    let first = run("seed-003-scenario-5");
    let r = &first.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("us4"));
    assert_eq!(r.mail.as_deref(), Some("us4@contoso.com"));
    assert_eq!(addresses(r), sorted(&["SMTP:us4@contoso.com", "smtp:us4@contoso.onmicrosoft.com"]));
    // After the alias changes: mailNickname follows, mail and the primary stay. (Microsoft also keeps the
    // MOERA stamped at the first sync; hybridlint sees the intended state, not history, so it shows the
    // MOERA the object would get if it synced now.)
    let renamed = run("seed-003-scenario-5-renamed");
    let r = &renamed.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("newus4"));
    assert_eq!(r.mail.as_deref(), Some("us4@contoso.com"));
    assert!(addresses(r).contains(&"SMTP:us4@contoso.com".to_string()));
    insta::assert_snapshot!("seed_003_scenario_5", snapshot_json(&first));
}

#[test]
fn scenario_6_duplicate_mailnickname_is_kept_and_the_second_moera_gets_digits() {
    let p = run("seed-003-scenario-6");
    let (us5, us6) = (&p.recipients[0], &p.recipients[1]);
    assert_eq!(us5.mail_nickname.as_deref(), Some("samenick"));
    assert_eq!(us5.mail.as_deref(), Some("us5@contoso.com"));
    assert_eq!(addresses(us5), sorted(&["SMTP:us5@contoso.com", "smtp:samenick@contoso.onmicrosoft.com"]));
    assert!(!us5.moera_random_suffix);
    // 2016: the mailNickname became samenick0209; since 2023 only the MOERA gets the digits.
    assert_eq!(us6.mail_nickname.as_deref(), Some("samenick"));
    assert_eq!(us6.mail.as_deref(), Some("us6@contoso.com"));
    assert!(us6.moera_random_suffix);
    let moera = us6.moera.as_deref().unwrap();
    let digits = moera.strip_prefix("samenick").and_then(|m| m.strip_suffix("@contoso.onmicrosoft.com")).unwrap();
    assert!(digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()), "{moera}");
    assert_eq!(addresses(us6), sorted(&["SMTP:us6@contoso.com", &format!("smtp:{moera}")]));
    insta::assert_snapshot!("seed_003_scenario_6", snapshot_json(&p));
}

#[test]
fn seed_004_the_second_upn_is_quarantined_with_a_placeholder() {
    let p = run("seed-004-duplicate-upn");
    let b = &p.recipients[1];
    assert_eq!(b.quarantined[0].attribute, "UserPrincipalName");
    assert_eq!(b.quarantined[0].kept_by, "user-a");
    let upn = b.upn.as_deref().unwrap();
    let digits = upn.strip_prefix("user+").and_then(|u| u.strip_suffix("@contoso.onmicrosoft.com")).unwrap();
    assert!(digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()), "{upn}");
    insta::assert_snapshot!("seed_004_duplicate_upn", snapshot_json(&p));
}

#[test]
fn seed_004_the_second_proxy_address_is_quarantined() {
    let p = run("seed-004-duplicate-address");
    let contact = p.recipients.iter().find(|r| r.name == "sales-contact").unwrap();
    assert_eq!(contact.quarantined.len(), 1);
    assert_eq!(contact.quarantined[0].value, "smtp:sales@contoso.com");
    assert_eq!(contact.quarantined[0].outcome, "quarantined");
    assert!(!addresses(contact).contains(&"smtp:sales@contoso.com".to_string()));
    insta::assert_snapshot!("seed_004_duplicate_address", snapshot_json(&p));
}

#[test]
fn seed_004_a_upn_that_is_a_groups_address_is_an_export_error() {
    let p = run("seed-004-upn-equals-group-address");
    let joe = p.recipients.iter().find(|r| r.name == "joe").unwrap();
    assert_eq!(joe.quarantined[0].outcome, "export error");
    assert_eq!(joe.quarantined[0].kept_by, "joe-group");
}

#[test]
fn sync_preview_runs_on_the_example() {
    let files = common::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso"));
    let names: Vec<String> =
        ["mgarcia", "rsingh", "vendor-litware", "all-sales", "akumar"].iter().map(|s| s.to_string()).collect();
    let p = common::analyze(&files, &common::options(), |analysis, _| preview(analysis, &names).unwrap());
    let by_name = |n: &str| p.recipients.iter().find(|r| r.name == n).unwrap();
    // A licensed remote mailbox.
    assert_eq!(by_name("mgarcia").cloud_type, "UserMailbox");
    // An unlicensed one past its grace period.
    assert_eq!(by_name("rsingh").cloud_type, "MailUser");
    assert_eq!(by_name("vendor-litware").cloud_type, "MailContact");
    assert_eq!(by_name("all-sales").cloud_type, "MailUniversalDistributionGroup");
    assert_eq!(by_name("akumar").dropped[0].address, "smtp:anil.kumar@contoso.onmicrosoft.com");
    insta::assert_snapshot!("contoso_preview", p.to_human());
}

/// An alias may hold the characters U+00A1 to U+00FF; the mailNickname keeps them, and the addresses the
/// cloud builds from it (the MOERA, a replaced UPN) map them to US-ASCII as Exchange maps them in addresses.
#[test]
fn a_latin1_alias_is_kept_as_mailnickname_and_mapped_in_the_moera_and_a_replaced_upn() {
    let recipients = r#"
[[recipient]]
name = "jmueller"
type = "RemoteUserMailbox"
upn = "juergen.mueller@contoso.local"
alias = "jürgen"
remote_routing_address = "juergen@contoso.mail.onmicrosoft.com"
licensed = true
provisioned = 2026-01-10
proxy_addresses = ["SMTP:juergen.mueller@contoso.com", "smtp:juergen@contoso.mail.onmicrosoft.com"]
"#;
    let files = common::sources(&[("recipients.toml", recipients)]);
    let p = common::analyze(&files, &common::options(), |analysis, _| preview(analysis, &[]).unwrap());
    let r = &p.recipients[0];
    assert_eq!(r.mail_nickname.as_deref(), Some("jürgen"));
    assert_eq!(r.moera.as_deref(), Some("juergen@contoso.onmicrosoft.com"));
    // contoso.local is not verified: Entra ID gives the user <mailNickname>@<initial domain>.
    assert_eq!(r.upn.as_deref(), Some("juergen@contoso.onmicrosoft.com"));
    assert!(addresses(r).iter().all(|a| a.is_ascii()), "{:?}", addresses(r));
}
