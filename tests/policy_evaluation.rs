//! Email address policies evaluated as Exchange does: scope, priority, first match, opt-out, cloud groups,
//! numbered variants, and the effective address set they produce.

mod common;

use hybridlint::analysis::addresses::Origin;

const POLICIES: &str = r#"
[[email_address_policy]]
name = "Sales or Marketing in WA"
priority = 1
include = ["MailboxUsers"]
conditions = { department = ["Sales", "marketing"], state_or_province = ["WA"] }
templates = ["SMTP:%1g%s@fabrikam.com", "smtp:%m@contoso.mail.onmicrosoft.com"]

[[email_address_policy]]
name = "VIPs"
priority = 2
recipient_filter = "CustomAttribute1 -eq 'VIP'"
templates = ["SMTP:%g@contoso.com"]

[[email_address_policy]]
name = "Default Policy"
default = true
templates = ["SMTP:%g.%s@contoso.com", "smtp:%m@contoso.mail.onmicrosoft.com"]

[[email_address_policy]]
name = "Groups"
source = "cloud"
priority = 1
templates = ["SMTP:@groups.contoso.com"]
"#;

const RECIPIENTS: &str = r#"
[[recipient]]
name = "sales-wa"
type = "UserMailbox"
alias = "swa"
given_name = "Jürgen"
surname = "Müller"
department = "SALES"
state_or_province = "wa"

[[recipient]]
name = "sales-or"
type = "UserMailbox"
alias = "sor"
given_name = "Ann"
surname = "Lee"
department = "Sales"
state_or_province = "OR"
custom_attribute_1 = "VIP"

[[recipient]]
name = "remote-wa"
type = "RemoteUserMailbox"
alias = "rwa"
given_name = "Bo"
surname = "Chen"
department = "Sales"
state_or_province = "WA"

[[recipient]]
name = "opted-out"
type = "UserMailbox"
alias = "out"
given_name = "Opt"
surname = "Out"
email_address_policy_enabled = false
proxy_addresses = ["SMTP:opt.out@contoso.com"]

[[recipient]]
name = "explicit-primary"
type = "UserMailbox"
alias = "ep"
given_name = "Eve"
surname = "Park"
proxy_addresses = ["SMTP:eve@contoso.com"]

[[recipient]]
name = "team"
type = "GroupMailbox"
source = "cloud"
alias = "team"
"#;

fn effective(name: &str) -> (Option<String>, Vec<(String, Origin)>) {
    let files = common::sources(&[("policies.toml", POLICIES), ("recipients.toml", RECIPIENTS)]);
    common::analyze(&files, &common::options(), |analysis, _| {
        let derived = &analysis.derived;
        let index = derived.recipient_named(name).unwrap();
        let policy =
            derived.applied_policy[index].map(|p| derived.policies.compiled[p as usize].policy.name.value.to_string());
        let addresses = derived.addresses_of(index).iter().map(|a| (a.text.to_string(), a.origin)).collect();
        (policy, addresses)
    })
}

fn texts(addresses: &[(String, Origin)]) -> Vec<&str> {
    addresses.iter().map(|(t, _)| t.as_str()).collect()
}

#[test]
fn conditions_or_within_a_property_and_across_properties() {
    let (policy, addresses) = effective("sales-wa");
    assert_eq!(policy.as_deref(), Some("Sales or Marketing in WA"));
    // ü becomes ue, as the cmdlet reference's example maps ö to oe.
    assert_eq!(texts(&addresses), ["SMTP:JMueller@fabrikam.com", "smtp:swa@contoso.mail.onmicrosoft.com"]);
    // Same department, another state: the filter policy comes next.
    let (policy, addresses) = effective("sales-or");
    assert_eq!(policy.as_deref(), Some("VIPs"));
    assert_eq!(texts(&addresses), ["SMTP:Ann@contoso.com"]);
}

#[test]
fn include_classes_remote_mailboxes_as_mail_users() {
    // `MailboxUsers` does not cover a RemoteUserMailbox (Exchange classes it with MailUsers).
    let (policy, _) = effective("remote-wa");
    assert_eq!(policy.as_deref(), Some("Default Policy"));
}

#[test]
fn opted_out_recipients_keep_their_own_addresses() {
    let (policy, addresses) = effective("opted-out");
    assert_eq!(policy, None);
    assert_eq!(texts(&addresses), ["SMTP:opt.out@contoso.com"]);
}

#[test]
fn a_generated_primary_demotes_the_explicit_one() {
    let (_, addresses) = effective("explicit-primary");
    assert_eq!(
        texts(&addresses),
        ["smtp:eve@contoso.com", "SMTP:Eve.Park@contoso.com", "smtp:ep@contoso.mail.onmicrosoft.com"]
    );
    assert_eq!(addresses[0].1, Origin::Explicit);
    assert!(matches!(addresses[1].1, Origin::Generated { template: 0, .. }));
}

#[test]
fn cloud_policies_apply_only_to_cloud_groups() {
    let (policy, addresses) = effective("team");
    assert_eq!(policy.as_deref(), Some("Groups"));
    assert_eq!(texts(&addresses), ["SMTP:team@groups.contoso.com"]);
}

#[test]
fn numbered_variants_follow_recipient_order_across_files() {
    let person = |name: &str| {
        format!(
            "[[recipient]]\nname = \"{name}\"\ntype = \"UserMailbox\"\nalias = \"{name}\"\ngiven_name = \"John\"\nsurname = \"Smith\"\n\n"
        )
    };
    let files = common::sources(&[
        ("policies.toml", POLICIES),
        ("a.toml", &format!("{}{}", person("first"), person("second"))),
        ("b.toml", &person("third")),
    ]);
    common::analyze(&files, &common::options(), |analysis, _| {
        let derived = &analysis.derived;
        let primary = |name: &str| derived.primary_of(derived.recipient_named(name).unwrap()).unwrap().text.to_string();
        assert_eq!(primary("first"), "SMTP:John.Smith@contoso.com");
        assert_eq!(primary("second"), "SMTP:John.Smith2@contoso.com");
        assert_eq!(primary("third"), "SMTP:John.Smith3@contoso.com");
        assert_eq!(derived.collisions.len(), 2);
    });
}

#[test]
fn only_objects_in_the_same_directory_take_an_address() {
    let files = common::sources(&[
        ("policies.toml", POLICIES),
        (
            "a.toml",
            r#"
[[recipient]]
name = "cloud-emma"
type = "UserMailbox"
source = "cloud"
upn = "emma@contoso.com"
proxy_addresses = ["SMTP:Emma.Brown@contoso.com"]

[[recipient]]
name = "onprem-other"
type = "MailContact"
alias = "other"
email_address_policy_enabled = false
proxy_addresses = ["SMTP:Eve.Stone@contoso.com"]
"#,
        ),
        (
            "b.toml",
            r#"
[[recipient]]
name = "emma"
type = "UserMailbox"
alias = "emma"
given_name = "Emma"
surname = "Brown"

[[recipient]]
name = "eve"
type = "UserMailbox"
alias = "eve"
given_name = "Eve"
surname = "Stone"
proxy_addresses = ["smtp:eve.stone@contoso.com"]
"#,
        ),
    ]);
    common::analyze(&files, &common::options(), |analysis, _| {
        let derived = &analysis.derived;
        let primary = |name: &str| derived.primary_of(derived.recipient_named(name).unwrap()).unwrap().text.to_string();
        // On-premises Exchange does not see the cloud-only mailbox.
        assert_eq!(primary("emma"), "SMTP:Emma.Brown@contoso.com");
        // `eve` already has the address herself: it stays hers (the duplicate is another rule's finding).
        assert_eq!(primary("eve"), "SMTP:eve.stone@contoso.com");
        assert!(derived.collisions.is_empty());
    });
}

/// Letters outside US-ASCII in generated addresses: the alias's U+00A1 to U+00FF are mapped as the cmdlet
/// reference documents (ö -> oe), and `%r` sees the values as written, before that mapping.
#[test]
fn non_ascii_letters_are_mapped_after_replacements() {
    let policies = r#"
[[email_address_policy]]
name = "Nordic"
priority = 1
conditions = { company = ["Nordic"] }
templates = ["SMTP:%röo%råa%g.%s@contoso.com", "smtp:%m@contoso.mail.onmicrosoft.com"]

[[email_address_policy]]
name = "Default Policy"
default = true
templates = ["SMTP:@contoso.com", "smtp:%m@contoso.mail.onmicrosoft.com"]
"#;
    let recipients = r#"
[[recipient]]
name = "bsoderstrom"
type = "UserMailbox"
alias = "björn"
given_name = "Björn"
surname = "Söderström-Åberg"
company = "Nordic"

[[recipient]]
name = "jmueller"
type = "UserMailbox"
alias = "jürgen"
given_name = "Jürgen"
surname = "Müller"
"#;
    let files = common::sources(&[("policies.toml", policies), ("recipients.toml", recipients)]);
    common::analyze(&files, &common::options(), |analysis, _| {
        let derived = &analysis.derived;
        let of = |name: &str| -> Vec<String> {
            derived.addresses_of(derived.recipient_named(name).unwrap()).iter().map(|a| a.text.to_string()).collect()
        };
        // `%röo` and `%råa` replace the Nordic letters before the mapping would make them oe and a.
        assert_eq!(
            of("bsoderstrom"),
            ["SMTP:Bjorn.Soderstrom-Aberg@contoso.com", "smtp:bjoern@contoso.mail.onmicrosoft.com"]
        );
        // An empty local part is the alias, mapped.
        assert_eq!(of("jmueller"), ["SMTP:juergen@contoso.com", "smtp:juergen@contoso.mail.onmicrosoft.com"]);
    });
}
