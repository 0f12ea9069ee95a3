//! Organisation rules (`[[rule]]`): each constraint kind on a triggering case and a near-miss (snapshots
//! of text and JSON), malformed rules as located `schema` findings, suppressions and overrides like
//! built-in rules, and `test-rules`.

mod common;

use std::path::Path;

use assert_cmd::Command;

const RECIPIENTS: &str = r#"
[[recipient]]
name = "jsmith"
type = "UserMailbox"
upn = "jsmith@contoso.com"
alias = "jsmith"
custom_attribute_5 = "sales"
proxy_addresses = ["SMTP:jsmith@contoso.com", "smtp:john@fabrikam-old.com", "smtp:jsmith@contoso.mail.onmicrosoft.com"]

[[recipient]]
name = "svc-scan"
type = "MailUser"
upn = "svc-scan@contoso.com"
alias = "svc-scan-and-archive-robot"
external_email_address = "scan@contoso.mail.onmicrosoft.com"

[[recipient]]
name = "x-contractor"
type = "MailUser"
upn = "contractor@contoso.com"
alias = "x-contractor"
custom_attribute_5 = "sales"
external_email_address = "c@partner.example"
"#;

fn lint(rules: &str) -> hybridlint::Report {
    hybridlint::lint(common::sources(&[("recipients.toml", RECIPIENTS), ("rules.toml", rules)]), &common::options())
}

fn fired<'r>(report: &'r hybridlint::Report, rule: &str) -> Vec<&'r str> {
    report.diagnostics.iter().filter(|d| d.rule == rule).filter_map(|d| d.recipient.as_deref()).collect()
}

fn case(name: &str, rule: &str, trigger: &str, near_miss: &str, expected: &[&str]) {
    let report = lint(trigger);
    assert_eq!(fired(&report, rule), expected, "{}", common::rendered(&report));
    insta::assert_snapshot!(format!("{name}__trigger"), common::rendered(&report));
    let report = lint(near_miss);
    assert!(fired(&report, rule).is_empty(), "{}", common::rendered(&report));
    insta::assert_snapshot!(format!("{name}__near_miss"), common::rendered(&report));
}

#[test]
fn deny() {
    let rule = |glob: &str| {
        format!(
            "[[rule]]\nname = \"contoso/no-retired-domain\"\nseverity = \"error\"\nsummary = \"fabrikam-old.com is retired\"\nselect = {{ types = [\"*Mailbox\"] }}\ndeny = {{ field = \"proxy_addresses.domain\", glob = \"{glob}\" }}\n"
        )
    };
    case("deny", "contoso/no-retired-domain", &rule("fabrikam-old.com"), &rule("fabrikam-older.com"), &["jsmith"]);
}

#[test]
fn require() {
    let rule = |select: &str| {
        format!(
            "[[rule]]\nname = \"contoso/service-accounts-tagged\"\nseverity = \"warning\"\nsummary = \"service accounts name their team\"\nselect = {{ names = [\"{select}\"] }}\nrequire = {{ field = \"custom_attribute_5\" }}\n"
        )
    };
    case("require", "contoso/service-accounts-tagged", &rule("svc-*"), &rule("x-*"), &["svc-scan"]);
}

#[test]
fn require_with_a_glob() {
    let rule = |glob: &str| {
        format!(
            "[[rule]]\nname = \"contoso/contractor-alias\"\nseverity = \"warning\"\nsummary = \"contractors' aliases start with x-\"\nselect = {{ types = [\"MailUser\"] }}\nrequire = {{ field = \"alias\", glob = \"{glob}\" }}\n"
        )
    };
    case("require_glob", "contoso/contractor-alias", &rule("x-*"), &rule("*"), &["svc-scan"]);
}

#[test]
fn unique() {
    let rule = |field: &str| {
        format!(
            "[[rule]]\nname = \"contoso/one-team-tag\"\nseverity = \"info\"\nsummary = \"team tags are unique\"\nunique = {{ field = \"{field}\" }}\n"
        )
    };
    case("unique", "contoso/one-team-tag", &rule("custom_attribute_5"), &rule("upn"), &["x-contractor"]);
}

#[test]
fn max_length() {
    let rule = |max: u32| {
        format!(
            "[[rule]]\nname = \"contoso/short-aliases\"\nseverity = \"warning\"\nsummary = \"aliases of at most {max} characters\"\nmax_length = {{ field = \"alias\", max = {max} }}\n"
        )
    };
    case("max_length", "contoso/short-aliases", &rule(20), &rule(40), &["svc-scan"]);
}

#[test]
fn malformed_rules_are_located_schema_findings() {
    let rules = r#"
[[rule]]
name = "contoso/typo"
severity = "error"
summary = "x"
deny = { field = "proxy_adresses", glob = "*" }

[[rule]]
name = "contoso/two"
severity = "error"
summary = "x"
deny = { field = "alias", glob = "*" }
unique = { field = "alias" }

[[rule]]
name = "contoso/bad-glob"
severity = "error"
summary = "x"
deny = { field = "alias", glob = "[a-" }

[[rule]]
name = "duplicate-name"
severity = "error"
summary = "x"
unique = { field = "alias" }
"#;
    let report = lint(rules);
    let schema: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "schema")
        .map(|d| {
            let file = report.files.get(d.primary.span.file);
            let (line, _) = file.line_column(d.primary.span.start as usize);
            format!(
                "{}:{line} {}{}",
                file.path,
                d.message,
                d.help.as_deref().map(|h| format!(" ({h})")).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(schema.len(), 4, "{schema:#?}");
    assert!(schema[0].contains("rules.toml:6") && schema[0].contains("did you mean `proxy_addresses`"), "{schema:#?}");
    assert!(schema[1].contains("rules.toml:13") && schema[1].contains("2 constraints"), "{schema:#?}");
    assert!(schema[2].contains("rules.toml:19") && schema[2].contains("not a valid glob"), "{schema:#?}");
    assert!(schema[3].contains("rules.toml:22") && schema[3].contains("namespaced"), "{schema:#?}");
    assert!(!report.diagnostics.iter().any(|d| d.rule.contains('/')), "a malformed rule ran");
}

#[test]
fn custom_rules_take_overrides_allow_and_exceptions() {
    let root = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n\n[lint.rules]\n\"contoso/short-aliases\" = \"error\"\n\n[[lint.exception]]\nrule = \"contoso/team-tag\"\nrecipients = [\"svc-*\"]\nreason = \"service accounts are tagged by the platform team\"\n";
    let rules = "[[rule]]\nname = \"contoso/short-aliases\"\nseverity = \"warning\"\nsummary = \"short aliases\"\nmax_length = { field = \"alias\", max = 20 }\n\n[[rule]]\nname = \"contoso/team-tag\"\nseverity = \"warning\"\nsummary = \"tagged\"\nrequire = { field = \"custom_attribute_5\" }\n";
    let recipients = RECIPIENTS.replace(
        "alias = \"x-contractor\"",
        "alias = \"x-contractor\"\nallow = { \"contoso/short-aliases\" = \"a legacy alias we cannot change\" }",
    );
    let report = hybridlint::lint(
        common::sources(&[("hybridlint.toml", root), ("recipients.toml", &recipients), ("rules.toml", rules)]),
        &common::options(),
    );
    let short: Vec<_> = report.diagnostics.iter().filter(|d| d.rule == "contoso/short-aliases").collect();
    assert_eq!(short.len(), 1);
    assert_eq!(short[0].severity, hybridlint::diag::Severity::Error);
    let tag: Vec<_> = report.diagnostics.iter().filter(|d| d.rule == "contoso/team-tag").collect();
    assert_eq!(tag.len(), 1);
    assert!(tag[0].suppressed.is_some());
    // The allow for a rule that found nothing is unused; unknown-rule knows custom rules.
    assert!(report.diagnostics.iter().any(|d| d.rule == "unused-exception"));
    assert!(!report.diagnostics.iter().any(|d| d.rule == "unknown-rule"), "{}", common::rendered(&report));
}

#[test]
fn test_rules_passes_on_the_example_and_fails_clearly_on_a_wrong_expectation() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso");
    let output =
        Command::cargo_bin("hybridlint").unwrap().arg("test-rules").arg(example.join("rule-tests")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    assert!(String::from_utf8_lossy(&output.stdout).ends_with("3 passed, 0 failed\n"));

    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&example) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&example).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("rule-tests/retired-domain.expect"),
        "findings = [{ rule = \"contoso/no-retired-domain\", recipient = \"old-partner\" }]\n",
    )
    .unwrap();
    let output = Command::cargo_bin("hybridlint")
        .unwrap()
        .arg("test-rules")
        .arg(dir.path().join("rule-tests"))
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAILED  retired-domain"), "{text}");
    assert!(text.contains("expected `contoso/no-retired-domain` on `old-partner`, which was not reported"), "{text}");
    assert!(text.contains("`contoso/no-retired-domain` on `old-sales` was reported but not expected"), "{text}");
    assert!(text.ends_with("2 passed, 1 failed\n"), "{text}");
}
