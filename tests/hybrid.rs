//! Hybrid behaviour that spans several rules: one finding per real problem, date boundaries, and
//! tenants without Entra Connect.

mod common;

use hybridlint::diag::Severity;

fn rules_fired(files: &[(&str, &str)], today: &str) -> Vec<(String, Severity, Option<String>)> {
    let mut options = common::options();
    options.today = Some(today.parse().unwrap());
    let report = hybridlint::lint(common::sources(files), &options);
    report.diagnostics.iter().map(|d| (d.rule.to_string(), d.severity, d.recipient.clone())).collect()
}

const TWO_MAILBOXES: &str = r#"
[[recipient]]
name = "jsmith"
type = "UserMailbox"
upn = "jsmith@contoso.com"
alias = "jsmith"
exchange_guid = "5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d"
proxy_addresses = ["SMTP:jsmith@contoso.com", "smtp:jsmith@contoso.mail.onmicrosoft.com"]

[[recipient]]
name = "jsmith-cloud"
type = "UserMailbox"
source = "cloud"
upn = "jsmith@contoso.com"
alias = "jsmith-cloud"
licensed = true
provisioned = 2026-01-10
exchange_guid = "5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d"
proxy_addresses = ["SMTP:jsmith@contoso.com"]
"#;

#[test]
fn one_finding_for_one_persons_two_mailboxes() {
    let fired = rules_fired(&[("r.toml", TWO_MAILBOXES)], common::TODAY);
    let names: Vec<&str> = fired.iter().map(|(rule, _, _)| rule.as_str()).collect();
    assert_eq!(names, ["mailbox-in-both-locations"], "{fired:?}");
}

#[test]
fn soft_match_replaces_upn_not_unique() {
    let files = r#"
[[recipient]]
name = "consultant"
type = "MailUser"
upn = "consultant@contoso.com"
alias = "consultant"
external_email_address = "consultant@fabrikam-partner.com"

[[recipient]]
name = "consultant-cloud"
type = "UserMailbox"
source = "cloud"
upn = "consultant@contoso.com"
alias = "consultant-cloud"
licensed = true
provisioned = 2026-01-10
proxy_addresses = ["SMTP:consultant.cloud@contoso.com"]
"#;
    let fired = rules_fired(&[("r.toml", files)], common::TODAY);
    let names: Vec<&str> = fired.iter().map(|(rule, _, _)| rule.as_str()).collect();
    assert_eq!(names, ["soft-match"], "{fired:?}");
}

fn unlicensed(provisioned: &str) -> String {
    format!(
        r#"
[[recipient]]
name = "mgarcia"
type = "RemoteUserMailbox"
upn = "mgarcia@contoso.com"
alias = "mgarcia"
remote_routing_address = "mgarcia@contoso.mail.onmicrosoft.com"
exchange_guid = "5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d"
provisioned = {provisioned}
proxy_addresses = ["SMTP:mgarcia@contoso.com", "smtp:mgarcia@contoso.mail.onmicrosoft.com"]
"#
    )
}

#[test]
fn grace_period_boundaries_are_exact() {
    let file = unlicensed("2026-10-01");
    let at = |today: &str| rules_fired(&[("r.toml", &file)], today);
    // Provisioned 2026-10-01 + 30 days: the last day of grace is 2026-10-31.
    assert_eq!(at("2026-10-31"), [("license-grace-active".to_string(), Severity::Warning, Some("mgarcia".into()))]);
    assert_eq!(at("2026-11-01"), [("license-grace-expired".to_string(), Severity::Error, Some("mgarcia".into()))]);
    // A warning within 7 days of the end, an info before.
    assert_eq!(at("2026-10-24")[0].1, Severity::Warning);
    assert_eq!(at("2026-10-23")[0].1, Severity::Info);
    // The first day.
    assert_eq!(at("2026-10-01")[0], ("license-grace-active".to_string(), Severity::Info, Some("mgarcia".into())));
}

#[test]
fn grace_settings_come_from_lint() {
    let root = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n\n[lint]\nlicense_grace_days = 10\ngrace_warning_days = 2\n";
    let file = unlicensed("2026-10-01");
    let fired = rules_fired(&[("hybridlint.toml", root), ("r.toml", &file)], "2026-10-11");
    assert_eq!(fired[0].0, "license-grace-active");
    assert_eq!(fired[0].1, Severity::Warning);
    let fired = rules_fired(&[("hybridlint.toml", root), ("r.toml", &file)], "2026-10-12");
    assert_eq!(fired[0].0, "license-grace-expired");
}

#[test]
fn routing_rules_are_off_without_entra_connect() {
    let root = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\nhybrid = false\n";
    let mailbox = r#"
[[recipient]]
name = "jsmith"
type = "UserMailbox"
upn = "jsmith@contoso.com"
alias = "jsmith"
proxy_addresses = ["SMTP:jsmith@contoso.com", "smtp:john@contoso.onmicrosoft.com"]
"#;
    assert!(rules_fired(&[("hybridlint.toml", root), ("r.toml", mailbox)], common::TODAY).is_empty());
    let fired = rules_fired(&[("r.toml", mailbox)], common::TODAY);
    let names: Vec<&str> = fired.iter().map(|(rule, _, _)| rule.as_str()).collect();
    assert_eq!(names, ["missing-routing-proxy", "address-dropped-by-sync"], "{fired:?}");
}
