//! hybridlint as a pull-request gate and a pre-commit hook: usage errors for paths that cannot be what
//! the user meant, `--new-from-rev` on real git repositories, and machine formats that land where CI
//! tools look (SARIF relative to the git work tree, JUnit valid against the common schema).

mod common;

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use common::{git, write};

const TENANT: &str =
    "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n\n[lint]\ntoday = 2026-11-22\n";

fn hybridlint() -> Command {
    Command::cargo_bin("hybridlint").unwrap()
}

fn mailbox(name: &str, address: &str) -> String {
    format!(
        "[[recipient]]\nname = \"{name}\"\ntype = \"UserMailbox\"\nupn = \"{name}@contoso.com\"\nalias = \"{name}\"\nproxy_addresses = [\"SMTP:{address}\", \"smtp:{name}@contoso.mail.onmicrosoft.com\"]\n\n"
    )
}

/// A git repository whose hybridlint root is `sub` (as in a monorepo), committed once: two mailboxes and
/// a group, clean.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let root = dir.path().join("sub");
    write(&root, "hybridlint.toml", TENANT);
    write(&root, "recipients/a.toml", &mailbox("alice", "alice@contoso.com"));
    write(
        &root,
        "recipients/b.toml",
        &format!(
            "{}[[recipient]]\nname = \"team\"\ntype = \"MailUniversalDistributionGroup\"\nalias = \"team\"\nproxy_addresses = [\"SMTP:team@contoso.com\"]\nmembers = [\"alice\", \"bob\"]\n",
            mailbox("bob", "bob@contoso.com")
        ),
    );
    write(dir.path(), "pyproject.toml", "[project]\nname = \"unrelated\"\n");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    dir
}

/// `check --new-from-rev HEAD --format concise` on the repository's root: exit code and output.
fn new_findings(dir: &Path) -> (i32, String) {
    let output = hybridlint()
        .current_dir(dir.join("sub"))
        .args(["check", "--new-from-rev", "HEAD", "--format", "concise", "--quiet"])
        .output()
        .unwrap();
    (output.status.code().unwrap(), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn new_from_rev_reports_only_what_the_change_adds() {
    let repo = repository();
    let root = repo.path().join("sub");
    // No change: nothing new.
    assert_eq!(new_findings(repo.path()), (0, String::new()));

    // A finding the change adds, next to one that was already there (committed).
    write(&root, "recipients/c.toml", &mailbox("carol", "alice@contoso.com"));
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "carol"]);
    write(&root, "recipients/d.toml", &mailbox("dave", "bob@contoso.com"));
    let (code, text) = new_findings(repo.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("duplicate-proxy-address") && text.contains("bob@contoso.com"), "{text}");
    assert!(!text.contains("alice@contoso.com"), "a finding HEAD already has is not new: {text}");
}

#[test]
fn new_from_rev_sees_what_a_change_breaks_elsewhere() {
    // A removed recipient that a group still names: the finding is in another file than the change.
    let repo = repository();
    let root = repo.path().join("sub");
    std::fs::write(root.join("recipients/a.toml"), "").unwrap();
    let (code, text) = new_findings(repo.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("recipients/b.toml") && text.contains("unknown-reference"), "{text}");

    // A deleted file (`git rm`): the same, with the file gone from the work tree.
    let repo = repository();
    git(repo.path(), &["rm", "-q", "sub/recipients/a.toml"]);
    let (code, text) = new_findings(repo.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("unknown-reference"), "{text}");

    // A change to hybridlint.toml: accepted domains narrowed, findings appear in recipient files.
    let repo = repository();
    let root = repo.path().join("sub");
    std::fs::write(root.join("hybridlint.toml"), TENANT.replace("contoso.com", "fabrikam.com")).unwrap();
    let (code, text) = new_findings(repo.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("primary-domain-not-accepted") && text.contains("recipients/a.toml"), "{text}");

    // An unrelated file in the monorepo changes nothing.
    let repo = repository();
    std::fs::write(repo.path().join("pyproject.toml"), "[project]\nname = \"changed\"\n").unwrap();
    assert_eq!(new_findings(repo.path()), (0, String::new()));
}

#[test]
fn new_from_rev_needs_git_and_a_revision() {
    let repo = repository();
    let output =
        hybridlint().current_dir(repo.path().join("sub")).args(["check", "--new-from-rev", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`nope` does not exist"));
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "hybridlint.toml", TENANT);
    let output = hybridlint().current_dir(plain.path()).args(["check", "--new-from-rev", "HEAD"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not inside a git work tree"));
}

#[test]
fn paths_that_cannot_be_meant_are_usage_errors() {
    let repo = repository();
    let root = repo.path().join("sub");
    let run = |args: &[&str]| {
        let output = hybridlint().current_dir(&root).arg("check").args(args).output().unwrap();
        (output.status.code().unwrap(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (code, stderr) = run(&["recipients/nope.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no such path `recipients/nope.toml`"), "{stderr}");
    let (code, stderr) = run(&["../pyproject.toml"]);
    assert_eq!(code, 2, "a file outside the repository");
    assert!(stderr.contains("outside the repository") || stderr.contains("no hybridlint.toml"), "{stderr}");
    write(&root, "README.md", "# notes\n");
    let (code, stderr) = run(&["README.md"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a file hybridlint checks"), "{stderr}");
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "hybridlint.toml", TENANT);
    let (code, stderr) = run(&[".", other.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("another repository"), "{stderr}");
    // The same paths, existing and linted, are fine.
    assert_eq!(run(&["recipients/a.toml"]).0, 0);
    assert_eq!(run(&["--path", "recipients"]).0, 0);
}

#[test]
fn sarif_from_a_subdirectory_root_is_relative_to_the_work_tree() {
    let repo = repository();
    let root = repo.path().join("sub");
    write(&root, "recipients/my repo #1.toml", &mailbox("erin", "alice@contoso.com"));
    let output = hybridlint().current_dir(repo.path()).args(["check", "sub", "--format", "sarif"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &sarif["runs"][0];
    let uris: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"sub/recipients/my%20repo%20%231.toml"), "{uris:?}");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    assert!(base.starts_with("file:///") && base.ends_with('/'), "{base}");
    // --sarif-root chooses another base.
    let output = hybridlint()
        .current_dir(repo.path())
        .args(["check", "sub", "--format", "sarif", "--sarif-root", "sub"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert!(uri.as_str().unwrap().starts_with("recipients/"), "{uri}");
}

/// Validates with `xmllint` against the common JUnit schema (Jenkins' junit-10.xsd).
fn assert_valid_junit(xml: &str) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/junit-10.xsd");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let output = Process::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("xmllint is needed for this test (Debian package libxml2-utils; .ci/run installs it)");
    assert!(output.status.success(), "{}\n{xml}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn junit_validates_and_is_red_only_when_the_job_is() {
    let repo = repository();
    let root = repo.path().join("sub");
    // A warning only (an alias shared by two remote mailboxes) and a control character in a value.
    write(
        &root,
        "recipients/c.toml",
        "[[recipient]]\nname = \"r1\"\ntype = \"RemoteUserMailbox\"\nupn = \"r1@contoso.com\"\nalias = \"same\"\nremote_routing_address = \"r1@contoso.mail.onmicrosoft.com\"\nexchange_guid = \"0f5c2a9e-6b1d-4e3f-8a7b-9c0d1e2f3a4b\"\nlicensed = true\nprovisioned = 2026-01-01\nproxy_addresses = [\"SMTP:r1@contoso.com\", \"smtp:r1@contoso.mail.onmicrosoft.com\"]\n\n[[recipient]]\nname = \"r2\\u0007\"\ntype = \"RemoteUserMailbox\"\nupn = \"r2@contoso.com\"\nalias = \"same\"\nremote_routing_address = \"r2@contoso.mail.onmicrosoft.com\"\nexchange_guid = \"1f5c2a9e-6b1d-4e3f-8a7b-9c0d1e2f3a4b\"\nlicensed = true\nprovisioned = 2026-01-01\nproxy_addresses = [\"SMTP:r2@contoso.com\", \"smtp:r2@contoso.mail.onmicrosoft.com\"]\n",
    );
    let output = hybridlint().current_dir(&root).args(["check", "--format", "junit"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "warnings only");
    let xml = String::from_utf8(output.stdout).unwrap();
    assert!(xml.contains("alias-not-unique") && !xml.contains("<failure"), "{xml}");
    assert!(!xml.contains('\u{7}'), "a control character reached the XML");
    assert_valid_junit(&xml);
    let output =
        hybridlint().current_dir(&root).args(["check", "--format", "junit", "--fail-on", "warning"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).unwrap();
    assert!(xml.contains("<failure"), "{xml}");
    assert_valid_junit(&xml);
    // A clean repository: one passing case.
    let clean = repository();
    let output =
        hybridlint().current_dir(clean.path().join("sub")).args(["check", "--format", "junit"]).output().unwrap();
    assert_valid_junit(&String::from_utf8(output.stdout).unwrap());
}

#[test]
fn terminals_get_openable_paths_and_no_raw_control_characters() {
    let repo = repository();
    write(&repo.path().join("sub"), "recipients/e.toml", &mailbox("esc\\u001b[2J", "alice@contoso.com"));
    for format in ["human", "concise", "github"] {
        let output = hybridlint()
            .current_dir(repo.path())
            .args(["check", "sub", "--color", "never", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.contains('\u{1b}'), "{format}: {text}");
        assert!(text.contains("sub/recipients/"), "{format}: paths relative to the working directory: {text}");
    }
    let output = hybridlint()
        .current_dir(repo.path())
        .args(["check", "sub", "--color", "always", "--format", "concise"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("\u{1b}[1;31merror"), "--color always colours concise");
    let output = hybridlint()
        .current_dir(repo.path())
        .args(["check", "sub", "--format", "github", "--statistics"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("::notice title=duplicate-proxy-address::"), "{text}");
}

#[test]
fn new_from_rev_with_the_root_at_the_top_of_the_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "hybridlint.toml", TENANT);
    write(dir.path(), "recipients/a.toml", &mailbox("alice", "alice@contoso.com"));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    let run = || {
        let output = hybridlint()
            .current_dir(dir.path())
            .args(["check", "--new-from-rev", "HEAD", "--format", "concise", "--quiet"])
            .output()
            .unwrap();
        (output.status.code().unwrap(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    assert_eq!(run(), (0, String::new()));
    write(dir.path(), "recipients/b.toml", &mailbox("bob", "alice@contoso.com"));
    let (code, text) = run();
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("duplicate-proxy-address"), "{text}");
}
