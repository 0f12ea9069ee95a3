//! `hybridlint import`: the sample exports and the Fabrikam fixtures (`tests/fixtures/import/`, exports built
//! the way PowerShell, ldifde and ldapsearch write them; `expected.json` is what a correct import gives).
//! Each numbered defect of the importer has a test that imports its fixture and checks the repository, with
//! snapshots of the written TOML and of `check --format json` on it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn hybridlint() -> Command {
    Command::cargo_bin("hybridlint").unwrap()
}

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn import(from: &str, file: &Path, out: &Path) -> std::process::Output {
    hybridlint().args(["import", "--from", from]).arg(file).arg("--out").arg(out).output().unwrap()
}

/// An import run in the fixture directory (so that reports name the files as given), into a new directory.
struct Imported {
    dir: tempfile::TempDir,
    code: Option<i32>,
    stderr: String,
}

impl Imported {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_default()
    }

    /// Every file of the repository but the generated schema, for snapshots.
    fn tree(&self) -> String {
        let mut out = String::new();
        for (path, text) in read_tree(self.path()) {
            if path != "hybridlint.schema.json" {
                out.push_str(&format!("===== {path}\n{text}"));
            }
        }
        out
    }

    /// `check --format json` on the repository, as written.
    fn check_json(&self) -> String {
        let output = hybridlint()
            .current_dir(self.path())
            .args(["check", ".", "--format", "json", "--today", "2026-11-22"])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    }

    /// (rule, recipient, severity, message) of every finding.
    fn findings(&self) -> BTreeSet<(String, String, String, String)> {
        let value: Value = serde_json::from_str(&self.check_json()).unwrap();
        value["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
                (s("rule"), s("recipient"), s("severity"), s("message"))
            })
            .collect()
    }

    fn rules(&self) -> BTreeSet<(String, String)> {
        self.findings().into_iter().map(|(rule, recipient, _, _)| (rule, recipient)).collect()
    }

    /// The written recipients by name.
    fn recipients(&self) -> BTreeMap<String, toml::Table> {
        let mut recipients = BTreeMap::new();
        for (path, text) in read_tree(self.path()) {
            if !path.starts_with("recipients/") {
                continue;
            }
            let table: toml::Table = text.parse().unwrap();
            for recipient in table["recipient"].as_array().unwrap() {
                let recipient = recipient.as_table().unwrap().clone();
                recipients.insert(recipient["name"].as_str().unwrap().to_string(), recipient);
            }
        }
        recipients
    }

    /// The import's report with the temporary directory's path taken out.
    fn report(&self) -> String {
        self.stderr.replace(&self.path().display().to_string(), "OUT")
    }
}

fn run_import(args: &[&str]) -> Imported {
    let dir = tempfile::tempdir().unwrap();
    let output =
        hybridlint().current_dir(fixtures()).arg("import").args(args).arg("--out").arg(dir.path()).output().unwrap();
    Imported { dir, code: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned() }
}

fn imported(args: &[&str]) -> Imported {
    let result = run_import(args);
    assert_eq!(result.code, Some(0), "{args:?}: {}", result.stderr);
    result
}

fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string().replace('\\', "/"),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

/// The repository name of an expected recipient: its Exchange Name, with its OU when another recipient has
/// the same Name (`James Smith (London)`).
fn repository_name(recipient: &Value, all: &[Value]) -> String {
    let name = recipient["exchange_name"].as_str().unwrap();
    let twins = all.iter().filter(|r| r["exchange_name"].as_str() == Some(name)).count();
    match recipient["dn"].as_str() {
        Some(dn) if twins > 1 => {
            let ou = dn.split(',').nth(1).unwrap().split_once('=').unwrap().1;
            format!("{name} ({ou})")
        }
        _ => name.to_string(),
    }
}

/// (rule, recipient) of the findings `expected.json` lists under `key`.
fn expected_rules(key: &str) -> BTreeSet<(String, String)> {
    let expected = expected();
    let all: Vec<Value> = expected["on_premises_recipients"]
        .as_array()
        .unwrap()
        .iter()
        .chain(expected["cloud_only_recipients"].as_array().unwrap())
        .cloned()
        .collect();
    expected[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let recipient = all
                .iter()
                .find(|r| match finding["dn"].as_str() {
                    Some(dn) => r["dn"].as_str() == Some(dn),
                    None => r["exchange_name"] == finding["exchange_name"],
                })
                .unwrap();
            (finding["rule"].as_str().unwrap().to_string(), repository_name(recipient, &all))
        })
        .collect()
}

fn snapshot(name: &str, result: &Imported) {
    insta::assert_snapshot!(format!("{name}__repository"), result.tree());
    insta::assert_snapshot!(format!("{name}__check"), result.check_json());
}

// ---------------------------------------------------------------------------------------------------------------
// The sample exports.
// ---------------------------------------------------------------------------------------------------------------

const PLANTED: &[(&str, &str)] = &[
    ("duplicate-proxy-address", "lchen"),
    ("remote-routing-domain", "tnguyen"),
    // An on-premises export has no licence data: the remote mailboxes' grace periods are unknown.
    ("license-grace-unknown", "mgarcia"),
    ("license-grace-unknown", "rsingh"),
    ("license-grace-unknown", "tnguyen"),
];

fn planted(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs.iter().map(|(r, n)| (r.to_string(), n.to_string())).collect()
}

fn rules_found(repository: &Path) -> BTreeSet<(String, String)> {
    let output =
        hybridlint().arg("check").arg(repository).args(["--format", "json", "--today", "2026-11-22"]).output().unwrap();
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap().to_string(), d["recipient"].as_str().unwrap_or("").to_string()))
        .collect()
}

#[test]
fn sample_exports_import_with_their_defects() {
    for (from, file) in [("csv", "recipients-ps51.csv"), ("csv", "recipients-ps7.csv"), ("json", "recipients.json")] {
        let dir = tempfile::tempdir().unwrap();
        let output = import(from, &exports().join(file), dir.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{file}: {stderr}");
        assert!(stderr.contains("imported 10 recipient(s) (10 on-premises, 0 cloud-only)"), "{stderr}");
        assert!(stderr.contains("skipped 0"), "{stderr}");
        assert!(stderr.contains("ignored: HiddenFromAddressListsEnabled"), "{stderr}");
        assert_eq!(rules_found(dir.path()), planted(PLANTED), "{file}");
    }
    // The side and the format are detected: a remote mailbox exists only on-premises.
    let dir = tempfile::tempdir().unwrap();
    let output =
        hybridlint().arg("import").arg(exports().join("recipients.ldf")).arg("--out").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        rules_found(dir.path()),
        planted(&[
            ("duplicate-proxy-address", "lchen"),
            ("remote-routing-domain", "tnguyen"),
            ("license-grace-unknown", "mgarcia"),
            ("license-grace-unknown", "tnguyen"),
        ])
    );
    let mailboxes = std::fs::read_to_string(dir.path().join("recipients/mailboxes.toml")).unwrap();
    // Base64 GUID bytes in .NET order, and a folded X500 address.
    assert!(mailboxes.contains("exchange_guid = \"5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d\""), "{mailboxes}");
    assert!(
        mailboxes
            .contains("\"X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jsmith\"")
    );
}

#[test]
fn importing_twice_gives_identical_files_and_never_overwrites() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    import("csv", &exports().join("recipients-ps7.csv"), a.path());
    import("json", &exports().join("recipients.json"), b.path());
    assert_eq!(read_tree(a.path()), read_tree(b.path()), "CSV and JSON of the same recipients differ");
    let again = import("csv", &exports().join("recipients-ps7.csv"), a.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = hybridlint()
        .args(["import", "--from", "csv", "--force", "--tenant", "contoso", "--accepted-domain", "contoso.com"])
        .arg(exports().join("recipients-ps7.csv"))
        .arg("--out")
        .arg(a.path())
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));
    let root = std::fs::read_to_string(a.path().join("hybridlint.toml")).unwrap();
    assert!(!root.contains("inferred"), "{root}");
    assert!(root.contains("given with --tenant"), "{root}");
}

#[test]
fn malformed_inputs_are_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let import_on_premises = |file: &Path, out: &str| {
        hybridlint()
            .args(["import", "--tenant", "contoso", "--on-premises"])
            .arg(file)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    // A row with the wrong number of columns is skipped and reported; the others are imported.
    let csv = write("short.csv", b"\"Name\",\"RecipientTypeDetails\",\"EmailAddresses\"\n\"a\",\"UserMailbox\",\"SMTP:a@contoso.com\"\n\"b\",\"UserMailbox\"\n\"c\",\"Toaster\",\"SMTP:c@contoso.com\"\n");
    let output = import_on_premises(&csv, "out-csv");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("short.csv:3: skipped: not a valid CSV row"), "{stderr}");
    assert!(
        stderr.contains("short.csv:4: skipped: `c`: its recipient type `Toaster` is not one hybridlint knows"),
        "{stderr}"
    );
    assert!(stderr.contains("imported 1 recipient(s)"), "{stderr}");
    assert!(stderr.contains("skipped 2: 1 recipient type not modelled, 1 unreadable row"), "{stderr}");

    let json = write("broken.json", b"[\n  {\"Name\": \"a\",\n   \"RecipientTypeDetails\": \"UserMailbox\"\n");
    let output = import_on_premises(&json, "out-json");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not valid JSON at line 4"), "{stderr}");

    // One bad base64 value skips its record alone.
    let ldif = write(
        "bad.ldf",
        b"dn: CN=a,DC=contoso,DC=com\nname: a\nmsExchRecipientTypeDetails: 1\nmsExchMailboxGuid:: not*base64\n\ndn: CN=b,DC=contoso,DC=com\nname: b\nmsExchRecipientTypeDetails: 1\nproxyAddresses: SMTP:b@contoso.com\nthis line has no colon\n\ndn: CN=c,DC=contoso,DC=com\nname: c\nmsExchRecipientTypeDetails: 1\nproxyAddresses: SMTP:c@contoso.com\n\ndn: CN=d,DC=contoso,DC=com\nobjectClass: contact\nname: d\nproxyAddresses: SMTP:d@example.com\n",
    );
    let output = import_on_premises(&ldif, "out-ldif");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("bad.ldf:1: skipped: line 4: the value of `msExchMailboxGuid` is not valid base64"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.ldf:6: skipped: line 10: `this line has no colon` is not `attribute: value`"),
        "{stderr}"
    );
    // A contact with neither msExchRecipientTypeDetails nor targetAddress is not a mail contact.
    assert!(stderr.contains("bad.ldf:17: skipped: `d`: it is a contact with no targetAddress"), "{stderr}");
    assert!(stderr.contains("imported 1 recipient(s)"), "{stderr}");

    let nothing = write("nothing.csv", b"\"Name\",\"RecipientTypeDetails\"\n\"x\",\"Toaster\"\n");
    let output = import_on_premises(&nothing, "out-nothing");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing could be imported"));

    // Neither a distinguished name nor a remote mailbox: the side cannot be told, and the user is asked.
    let output = hybridlint().arg("import").arg(&csv).arg("--out").arg(dir.path().join("out-side")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot tell whether") && stderr.contains("--on-premises") && stderr.contains("--cloud"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The numbered defects, each on its fixture.
// ---------------------------------------------------------------------------------------------------------------

/// [1] IsDirSynced = False, on every on-premises object, made every object cloud-mastered.
#[test]
fn on_premises_is_dir_synced_false_is_not_cloud() {
    for file in ["ps51-get-recipient.csv", "ps7-get-recipient.csv", "ps51-get-recipient-expanded-newline.csv"] {
        let result = imported(&[file]);
        assert!(result.report().contains(&format!("`{file}`: on-premises export")), "{}", result.report());
        assert!(!result.tree().contains("source = \"cloud\""), "{file}");
        assert!(!result.path().join("recipients/cloud.toml").exists(), "{file}");
        let rules = result.rules();
        assert!(
            !rules.iter().any(|(r, _)| r == "type-not-valid-for-source" || r == "license-grace-expired"),
            "{rules:?}"
        );
    }
    // On-premises WhenMailboxCreated is when the on-premises mailbox was made, not a cloud provisioning date.
    let result = imported(&["ps51-get-recipient.csv"]);
    assert!(!result.tree().contains("provisioned"), "{}", result.tree());
    snapshot("ps51_get_recipient", &result);
    insta::assert_snapshot!("ps51_get_recipient__report", result.report());
}

/// [2] Addresses containing `;` (X400, EUM) were split on `;`, in CSV cells and in JSON arrays.
#[test]
fn addresses_are_not_split_inside_x400_and_eum() {
    let alex = |result: &Imported| -> Vec<String> {
        result.recipients()["Alex Wilber"]["proxy_addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    };
    let expected_alex: Vec<String> = expected()["on_premises_recipients"][0]["proxy_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    // One address per line: exact. `-join ';'`: split only before a `TYPE:` prefix, and said to be ambiguous.
    for file in ["ps51-get-recipient-expanded-newline.csv", "ps51-get-recipient-expanded.csv", "get-recipient.clixml"] {
        let result = imported(&[file]);
        assert_eq!(alex(&result), expected_alex, "{file}");
    }
    let result = imported(&["ps51-get-recipient-expanded.csv"]);
    assert!(result.report().contains("joined with `;`"), "{}", result.report());
    assert_eq!(result.rules(), expected_rules("findings_on_premises_only"));
    snapshot("ps51_expanded_semicolon_join", &result);

    // A JSON array stays an array: Adele's EUM address is one element.
    let result = imported(&["--on-premises", "onprem.ldf", "--cloud", "exo-get-mailbox.json"]);
    let adele = &result.recipients()["Adele Vance"];
    assert!(
        adele["proxy_addresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str() == Some("EUM:4102;phone-context=Reading Dial Plan.fabrikam.local"))
    );
    assert!(!result.tree().contains("\"phone-context"), "{}", result.tree());
}

/// [3] Get-Recipient has no RemoteRoutingAddress: a remote mailbox's routing address is its
/// ExternalEmailAddress.
#[test]
fn remote_mailboxes_take_their_routing_address_from_external_email_address() {
    let result = imported(&["ps7-get-recipient-expanded.csv"]);
    let recipients = result.recipients();
    for recipient in expected()["on_premises_recipients"].as_array().unwrap() {
        if let Some(routing) = recipient["remote_routing_address"].as_str() {
            let name = repository_name(recipient, expected()["on_premises_recipients"].as_array().unwrap());
            assert_eq!(recipients[&name]["remote_routing_address"].as_str(), Some(routing), "{name}");
            assert!(!recipients[&name].contains_key("external_email_address"), "{name}");
        }
    }
    let rules = result.rules();
    assert!(rules.contains(&("remote-routing-domain".into(), "James Smith (London)".into())), "{rules:?}");
    assert!(rules.contains(&("remote-routing-not-in-proxies".into(), "Lee Gu".into())), "{rules:?}");
    assert!(!rules.iter().any(|(r, _)| r == "missing-remote-routing-address"), "{rules:?}");
    snapshot("ps7_expanded", &result);
}

/// [4] No placeholder tenant: inferred and said so, or asked for.
#[test]
fn the_tenant_is_inferred_from_what_names_it_or_asked_for() {
    // Get-User has no addresses at all: nothing names the tenant.
    let result = run_import(&["get-user.csv"]);
    assert_eq!(result.code, Some(2), "{}", result.stderr);
    assert!(
        result.stderr.contains("cannot infer the tenant name") && result.stderr.contains("--tenant"),
        "{}",
        result.stderr
    );
    assert!(!result.path().join("hybridlint.toml").exists());

    // Given: not "inferred".
    let result = imported(&["get-user.csv", "--tenant", "fabrikam"]);
    let root = result.file("hybridlint.toml");
    assert!(root.contains("name = \"fabrikam\"") && root.contains("given with --tenant"), "{root}");
    assert!(!root.contains("`name` was inferred"), "{root}");

    // The unexpanded export has no onmicrosoft address in EmailAddresses, but its remote mailboxes'
    // ExternalEmailAddress (the routing address) names the tenant.
    let result = imported(&["ps51-get-recipient.csv"]);
    let root = result.file("hybridlint.toml");
    assert!(root.contains("name = \"fabrikam\""), "{root}");
    assert!(root.contains("inferred from 6 remote routing addresses"), "{root}");
    assert!(root.contains("accepted_domains = [\"fabrikam.co.uk\", \"fabrikam.com\"]"), "{root}");
    assert!(!result.check_json().contains("contoso"));
}

/// [5] `System.Collections.ArrayList` was taken as an address.
#[test]
fn an_unexpanded_collection_is_not_an_address() {
    for file in ["ps51-get-recipient.csv", "ps7-get-recipient.csv", "ps51-semicolon.csv"] {
        let result = imported(&[file]);
        let tree = result.tree();
        assert!(!tree.contains("\"System.Collections"), "{file}");
        assert!(!result.rules().iter().any(|(r, _)| r == "invalid-proxy-address"), "{file}");
        assert!(result.report().contains("absent: the EmailAddresses of 18 recipient(s)"), "{}", result.report());
        assert!(result.report().contains("-join \"`n\""), "{}", result.report());
        // The primary address is all there is, and the recipient says so.
        let recipients = result.recipients();
        for recipient in expected()["on_premises_recipients"].as_array().unwrap() {
            let name = repository_name(recipient, expected()["on_premises_recipients"].as_array().unwrap());
            let primary = format!("SMTP:{}", recipient["primary_smtp_address"].as_str().unwrap());
            assert_eq!(
                recipients[&name]["proxy_addresses"].as_array().unwrap(),
                &[toml::Value::String(primary)],
                "{file}"
            );
        }
        assert!(tree.contains("# EmailAddresses were exported as `System.Collections.ArrayList`"), "{file}");
    }
}

/// [6] PowerShell-wrapped JSON values, `/Date(ms)/`, enums as numbers.
#[test]
fn powershell_json_values_are_unwrapped() {
    // Windows PowerShell 5.1: RecipientTypeDetails as numbers.
    let result = imported(&["get-recipient.json"]);
    assert_eq!(result.recipients().len(), 18);
    assert_eq!(result.recipients()["UK Office"]["type"].as_str(), Some("DynamicDistributionGroup"));
    assert_eq!(result.recipients()["Room Thames"]["type"].as_str(), Some("RemoteRoomMailbox"));
    assert_eq!(result.rules(), expected_rules("findings_on_premises_only"));
    snapshot("get_recipient_json", &result);

    // Get-EXOMailbox: GUIDs as {"value", "Guid"}, WhenMailboxCreated as /Date(ms)/.
    let result = imported(&["--on-premises", "onprem.ldf", "--cloud", "exo-get-mailbox.json"]);
    let recipients = result.recipients();
    assert_eq!(
        recipients["Adele Vance"]["provisioned"].as_datetime().map(ToString::to_string).as_deref(),
        Some("2019-03-14")
    );
    assert_eq!(recipients["Adele Vance"]["licensed"].as_bool(), Some(true));
    assert_eq!(recipients["Diego Siciliani"]["exchange_guid"].as_str(), Some("d7c83e2d-fa39-56e5-8140-0d1309e01062"));
    assert!(!result.tree().contains("00000000-0000-0000-0000-000000000000"));
    let rules = result.rules();
    assert!(rules.contains(&("license-grace-expired".into(), "Isaiah Langer".into())), "{rules:?}");
    assert!(rules.contains(&("missing-exchange-guid".into(), "Help Desk".into())), "{rules:?}");
}

/// [7] LDIF msExchRecipientTypeDetails: 2048 is a dynamic group, 8192 a System Attendant, a contact may have none.
#[test]
fn ldif_recipient_types_are_mapped() {
    let result = imported(&["onprem.ldf"]);
    let recipients = result.recipients();
    assert_eq!(recipients["UK Office"]["type"].as_str(), Some("DynamicDistributionGroup"));
    assert_eq!(recipients["Contoso Support"]["type"].as_str(), Some("MailContact"));
    assert_eq!(recipients["Contoso Support"]["external_email_address"].as_str(), Some("support@contoso.com"));
    assert_eq!(recipients["Contoso Support"]["proxy_addresses"].as_array().unwrap().len(), 1);
    let report = result.report();
    for (line, what) in [
        (182, "it is a DiscoveryMailbox, which Exchange creates for itself"),
        (708, "it is an ArbitrationMailbox"),
        (742, "it is a MonitoringMailbox"),
        (776, "`Pradeep Gupta`: it has no msExchRecipientTypeDetails"),
    ] {
        assert!(report.contains(&format!("onprem.ldf:{line}: skipped: ")) && report.contains(what), "{report}");
    }
    assert_eq!(result.rules(), expected_rules("findings_on_premises_only"));
    snapshot("onprem_ldf", &result);

    let result = run_import(&["onprem-config.ldf"]);
    assert_eq!(result.code, Some(2));
    assert!(
        result
            .stderr
            .contains("onprem-config.ldf:2: skipped: `Microsoft System Attendant`: it is a SystemAttendantMailbox"),
        "{}",
        result.stderr
    );
}

/// [8] Two recipients with the same Name in different OUs.
#[test]
fn same_name_in_two_ous_gets_distinct_names() {
    let result = imported(&["onprem.ldf"]);
    let recipients = result.recipients();
    assert_eq!(recipients["James Smith (Users)"]["type"].as_str(), Some("UserMailbox"));
    assert_eq!(recipients["James Smith (London)"]["type"].as_str(), Some("RemoteUserMailbox"));
    assert!(
        result
            .tree()
            .contains("# Exchange Name `James Smith` (CN=James Smith,OU=London,OU=Fabrikam,DC=fabrikam,DC=local)")
    );
    assert!(
        result.report().contains("imported as `James Smith (Users)`, `James Smith (London)`"),
        "{}",
        result.report()
    );
    assert!(!result.rules().iter().any(|(r, _)| r == "duplicate-name"));
}

/// [9] Skipped rows' lines: CRLF, the `#TYPE` line, multi-line cells.
#[test]
fn skipped_rows_have_their_physical_line() {
    for (args, lines) in [
        (vec!["ps51-get-recipient.csv"], vec![9]),
        (vec!["ps7-get-recipient.csv"], vec![8]),
        (vec!["ps51-semicolon.csv"], vec![9]),
        (vec!["ps51-get-recipient-expanded.csv"], vec![7]),
        (vec!["ps51-get-recipient-expanded-newline.csv"], vec![21]),
        (vec!["ps7-get-recipient-expanded.csv"], vec![21]),
        (vec!["ps51-lowercase-headers.csv"], vec![21]),
        (vec!["get-user.csv", "--tenant", "fabrikam"], vec![3, 6, 10, 18]),
        (vec!["--cloud", "exo-get-recipient.csv"], vec![74]),
    ] {
        let result = imported(&args);
        let file = args.iter().find(|a| a.contains('.')).unwrap();
        let found: Vec<usize> = result
            .report()
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("hybridlint: {file}:")))
            .filter(|l| l.contains("skipped:") && !l.contains("synced from on-premises"))
            .map(|l| l.split(':').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(found, lines, "{file}: {}", result.report());
    }
}

#[test]
fn an_ascii_export_is_said_to_be_lossy() {
    let result = imported(&["ps51-lowercase-headers.csv"]);
    assert!(
        result.report().contains("the file is ASCII and `Zo? Robinson` has `?` where a letter was"),
        "{}",
        result.report()
    );
    assert_eq!(result.rules(), expected_rules("findings_on_premises_only"));
}

/// [10] `Export-Csv -Delimiter ';'`, and a header that lacks only Name.
#[test]
fn semicolon_delimited_csv_and_the_missing_column() {
    let result = imported(&["ps51-semicolon.csv"]);
    assert_eq!(result.recipients().len(), 18);
    assert_eq!(
        result.recipients()["Room Thames"]["remote_routing_address"].as_str(),
        Some("Thames@fabrikam.mail.onmicrosoft.com")
    );
    snapshot("ps51_semicolon", &result);

    let result = run_import(&["--on-premises", "ps7-no-name-column.csv"]);
    assert_eq!(result.code, Some(2));
    assert!(result.stderr.contains("the CSV has no Name column (DisplayName is not the Name"), "{}", result.stderr);
    assert!(!result.stderr.contains("RecipientTypeDetails"), "{}", result.stderr);
}

/// [11] ldapsearch trailers, Exchange Online exports, zero GUIDs, CLIXML, LDIF change records and bad values.
#[test]
fn ldapsearch_trailers_are_not_objects() {
    let result = imported(&["ldapsearch.ldif"]);
    let report = result.report();
    let skipped: Vec<&str> = report.lines().filter(|l| l.contains("skipped:")).collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    for line in [108, 417, 436, 455] {
        assert!(result.report().contains(&format!("ldapsearch.ldif:{line}: skipped")), "{}", result.report());
    }
    assert!(result.report().contains("skipped 4: 3 system mailboxes, 1 object that is not a recipient"));
    assert_eq!(result.rules(), expected_rules("findings_on_premises_only"));
    snapshot("ldapsearch", &result);
}

#[test]
fn an_exchange_online_export_is_the_cloud_side() {
    let result = imported(&["exo-get-recipient.csv"]);
    assert!(result.report().contains("`exo-get-recipient.csv`: Exchange Online export"), "{}", result.report());
    let recipients = result.recipients();
    // Cloud-only objects (IsDirSynced False) are cloud recipients; synced ones need their on-premises side.
    assert_eq!(
        recipients.keys().collect::<Vec<_>>(),
        ["Diego Siciliani", "Fabrikam Partners", "Marketing Campaigns", "Woodgrove Support"]
    );
    assert!(recipients.values().all(|r| r["source"].as_str() == Some("cloud")));
    assert!(result.report().contains("no on-premises export was given"), "{}", result.report());
}

#[test]
fn zero_guids_are_never_written() {
    for file in [
        "ps51-get-recipient.csv",
        "ps51-get-recipient-expanded-newline.csv",
        "get-recipient.json",
        "get-recipient.clixml",
    ] {
        let result = imported(&[file]);
        assert!(!result.tree().contains("00000000-0000-0000-0000-000000000000"), "{file}");
        if let Some(help_desk) = result.recipients().get("Help Desk") {
            assert!(!help_desk.contains_key("exchange_guid"), "{file}");
        }
    }
}

#[test]
fn clixml_is_read() {
    let result = imported(&["get-recipient.clixml"]);
    assert!(
        result.report().contains("`get-recipient.clixml`: on-premises export, CLIXML, 5 object(s)"),
        "{}",
        result.report()
    );
    let recipients = result.recipients();
    assert_eq!(recipients.len(), 5);
    assert_eq!(recipients["UK Office"]["type"].as_str(), Some("DynamicDistributionGroup"));
    assert_eq!(recipients["Adele Vance"]["archive_guid"].as_str(), Some("b1099b6f-91f4-553b-bdc9-6a31048053b4"));
    assert_eq!(
        recipients["Adele Vance"]["remote_routing_address"].as_str(),
        Some("AdeleV@fabrikam.mail.onmicrosoft.com")
    );
    assert_eq!(
        result.rules(),
        planted(&[("address-dropped-by-sync", "Alex Wilber"), ("license-grace-unknown", "Adele Vance")])
    );
    snapshot("clixml", &result);
    // `--from` still names the format.
    let result = imported(&["--from", "clixml", "get-recipient.clixml"]);
    assert_eq!(result.recipients().len(), 5);
}

#[test]
fn ldif_change_records_and_bad_values_skip_only_their_record() {
    let result = imported(&["onprem-edited.ldf"]);
    let report = result.report();
    assert!(
        report
            .contains("onprem-edited.ldf:259: skipped: line 295: the value of `msExchMailboxGuid` is not valid base64"),
        "{report}"
    );
    assert!(
        report.contains("onprem-edited.ldf:802: skipped: `changetype: delete` is a change to apply, not an object"),
        "{report}"
    );
    assert!(report.contains("1 change record"), "{report}");
    let recipients = result.recipients();
    assert_eq!(recipients.len(), 17);
    assert!(!recipients.contains_key("Liam O'Brien") && !recipients.contains_key("Grady Archie"));
}

// ---------------------------------------------------------------------------------------------------------------
// Done when: the same organisation through three shapes; both sides of the hybrid together.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn the_same_organisation_gives_the_same_findings_from_every_shape() {
    let reference = imported(&["ps51-get-recipient-expanded-newline.csv"]);
    assert_eq!(reference.rules(), expected_rules("findings_on_premises_only"));
    let findings = reference.findings();
    for file in [
        "ps7-get-recipient-expanded.csv",
        "onprem.ldf",
        "ldapsearch.ldif",
        "get-recipient.json",
        "ps51-get-recipient-expanded.csv",
    ] {
        assert_eq!(imported(&[file]).findings(), findings, "{file}");
    }
}

#[test]
fn both_sides_of_the_hybrid_import_into_one_repository() {
    let result = imported(&[
        "--on-premises",
        "ps51-get-recipient-expanded-newline.csv",
        "get-remotemailbox.csv",
        "get-user.csv",
        "--cloud",
        "exo-get-recipient.csv",
        "exo-get-mailbox.json",
    ]);
    assert_eq!(result.rules(), expected_rules("findings_combined"));
    let expected = expected();
    let on_premises = expected["on_premises_recipients"].as_array().unwrap();
    let cloud_only = expected["cloud_only_recipients"].as_array().unwrap();
    let recipients = result.recipients();
    assert_eq!(recipients.len(), on_premises.len() + cloud_only.len());
    let text = |v: &toml::Value| match v {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for recipient in on_premises.iter().chain(cloud_only) {
        let name = repository_name(recipient, on_premises);
        let written = &recipients[&name];
        let mut facts: Vec<(&str, &Value)> =
            recipient.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v)).collect();
        if let Some(more) = recipient.get("with_user_and_cloud_exports") {
            facts.extend(more.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v)));
        }
        for (key, value) in facts {
            match key {
                "dn" | "exchange_name" | "primary_smtp_address" | "with_user_and_cloud_exports" => {}
                // Defaults are not written.
                "source" if value == "on-premises" => assert!(!written.contains_key("source"), "{name}"),
                "synced" => assert!(!written.contains_key("synced"), "{name}"),
                "proxy_addresses" => {
                    let mut want: Vec<&str> = value.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
                    let mut got: Vec<&str> =
                        written[key].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
                    want.sort_unstable();
                    got.sort_unstable();
                    assert_eq!(got, want, "{name}");
                }
                _ => {
                    let want = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    assert_eq!(written.get(key).map(text), Some(want), "{name}: {key}");
                }
            }
        }
    }
    // The synced objects that match nothing are reported and not imported.
    for unmatched in expected["unmatched_cloud_objects"].as_array().unwrap() {
        let name = unmatched["exchange_name"].as_str().unwrap();
        assert!(!recipients.contains_key(name), "{name}");
        assert!(
            result.report().lines().any(|l| l.contains(&format!("`{name}`")) && l.contains("matches no object")),
            "{name}: {}",
            result.report()
        );
    }
    assert!(
        result.report().contains("skipped 9: 2 system mailboxes, 3 objects that are not recipients, 4 synced cloud objects with no on-premises match"),
        "{}",
        result.report()
    );
    snapshot("combined", &result);
    insta::assert_snapshot!("combined__report", result.report());
}

#[test]
fn a_mailbox_in_both_directories_is_imported_twice_so_check_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = dir.path().join("exo.csv");
    // Megan Bowen's synced user given an Exchange Online mailbox while her on-premises one is still there.
    let exo = std::fs::read_to_string(fixtures().join("exo-get-recipient.csv")).unwrap();
    let megan = exo.lines().position(|l| l.starts_with("\"Megan Bowen\"")).unwrap();
    let mut lines: Vec<String> = exo.lines().map(String::from).collect();
    lines[megan] = lines[megan].replacen("\"MailUser\",\"MailUser\"", "\"UserMailbox\",\"UserMailbox\"", 1);
    std::fs::write(&cloud, lines.join("\n") + "\n").unwrap();
    let result =
        imported(&["--on-premises", "ps51-get-recipient-expanded-newline.csv", "--cloud", cloud.to_str().unwrap()]);
    assert!(
        result
            .report()
            .contains("`Megan Bowen` is a mailbox on-premises and its synced user has a mailbox in Exchange Online")
    );
    let recipients = result.recipients();
    assert_eq!(recipients["Megan Bowen (Exchange Online)"]["source"].as_str(), Some("cloud"));
    assert!(
        result.rules().contains(&("mailbox-in-both-locations".into(), "Megan Bowen".into())),
        "{:?}",
        result.rules()
    );
}
