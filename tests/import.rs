//! `hybridlint import`: each sample export becomes a repository on which `check` reports exactly the
//! planted defects; output is deterministic; malformed input gives a located error, never a panic.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn hybridlint() -> Command {
    Command::cargo_bin("hybridlint").unwrap()
}

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports")
}

fn import(from: &str, file: &Path, out: &Path) -> std::process::Output {
    hybridlint().args(["import", "--from", from]).arg(file).arg("--out").arg(out).output().unwrap()
}

fn rules_found(repository: &Path) -> BTreeSet<(String, String)> {
    let output =
        hybridlint().arg("check").arg(repository).args(["--format", "json", "--today", "2026-11-22"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap().to_string(), d["recipient"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs.iter().map(|(r, n)| (r.to_string(), n.to_string())).collect()
}

const PLANTED: &[(&str, &str)] =
    &[("duplicate-proxy-address", "lchen"), ("remote-routing-domain", "tnguyen"), ("license-grace-expired", "rsingh")];

#[test]
fn csv_exports_of_both_powershells_import_with_their_defects() {
    for file in ["recipients-ps51.csv", "recipients-ps7.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let output = import("csv", &exports().join(file), dir.path());
        assert_eq!(output.status.code(), Some(0), "{file}: {}", String::from_utf8_lossy(&output.stderr));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("imported 10 recipient(s), skipped 0"), "{stderr}");
        assert!(stderr.contains("ignored: HiddenFromAddressListsEnabled"), "{stderr}");
        assert_eq!(rules_found(dir.path()), expected(PLANTED), "{file}");
    }
}

#[test]
fn json_export_imports_with_its_defects() {
    let dir = tempfile::tempdir().unwrap();
    let output = import("json", &exports().join("recipients.json"), dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(rules_found(dir.path()), expected(PLANTED));
}

#[test]
fn ldif_export_imports_with_its_defects() {
    let dir = tempfile::tempdir().unwrap();
    let output = import("ldif", &exports().join("recipients.ldf"), dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    // The directory has no license data: remote mailboxes' grace periods are unknown.
    assert_eq!(
        rules_found(dir.path()),
        expected(&[
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

fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
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
    assert!(!std::fs::read_to_string(a.path().join("hybridlint.toml")).unwrap().contains("Inferred"));
}

#[test]
fn malformed_inputs_are_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    // A row with the wrong number of columns is skipped and reported; the others are imported.
    let csv = write("short.csv", b"\"Name\",\"RecipientTypeDetails\",\"EmailAddresses\"\n\"a\",\"UserMailbox\",\"SMTP:a@contoso.com\"\n\"b\",\"UserMailbox\"\n\"c\",\"Toaster\",\"SMTP:c@contoso.com\"\n");
    let out = dir.path().join("out-csv");
    let output = import("csv", &csv, &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("short.csv:3: skipped: not a valid CSV row"), "{stderr}");
    assert!(stderr.contains("short.csv:4: skipped: `c` has the recipient type `Toaster`"), "{stderr}");
    assert!(stderr.contains("imported 1 recipient(s), skipped 2"), "{stderr}");

    let json = write("broken.json", b"[\n  {\"Name\": \"a\",\n   \"RecipientTypeDetails\": \"UserMailbox\"\n");
    let output = import("json", &json, &dir.path().join("out-json"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not valid JSON at line 4"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let ldif = write("bad.ldf", b"dn: CN=a\nname: a\nmsExchRecipientTypeDetails: 1\nmsExchMailboxGuid:: not*base64\n");
    let output = import("ldif", &ldif, &dir.path().join("out-ldif"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("line 4: the base64 value of `msExchMailboxGuid` is invalid")
    );

    let nothing = write("nothing.csv", b"\"Name\",\"RecipientTypeDetails\"\n\"x\",\"Toaster\"\n");
    let output = import("csv", &nothing, &dir.path().join("out-nothing"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing could be imported"));
}
