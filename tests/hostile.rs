//! Hostile input: each case builds its repository in a temporary directory and checks that nothing is
//! lost silently, nothing aborts, nothing is written outside the target, and time stays linear (the scale
//! cases are sized to finish in seconds when linear and to take minutes when quadratic).

mod common;

use std::path::Path;
use std::process::Command as Process;
use std::time::Duration;

use assert_cmd::Command;
use common::write;

const TENANT: &str =
    "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n\n[lint]\ntoday = 2026-11-22\n";

fn hybridlint() -> Command {
    let mut command = Command::cargo_bin("hybridlint").unwrap();
    // A hang is a failure, not a stuck test run.
    command.timeout(Duration::from_secs(120));
    command
}

fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", TENANT);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = hybridlint().arg("check").arg(dir).args(["--format", "concise"]).args(args).output().unwrap();
    let code = output.status.code().expect("hybridlint ended by a signal (an abort)");
    (code, String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn mailbox(name: &str, address: &str) -> String {
    format!(
        "[[recipient]]\nname = \"{name}\"\ntype = \"UserMailbox\"\nalias = \"{name}\"\nproxy_addresses = [\"SMTP:{address}\", \"smtp:{name}@contoso.mail.onmicrosoft.com\"]\n\n"
    )
}

/// A directory that cannot be entered (here: one whose path is longer than the system allows) is a
/// located finding, not files silently dropped.
#[test]
fn an_unreadable_directory_is_reported() {
    let dir = repository(&[("recipients/a.toml", &mailbox("alice", "alice@contoso.com"))]);
    // Built with relative steps, as no single path may be that long.
    let segment = "d".repeat(200);
    let script = format!(
        "cd '{}' && for i in $(seq 25); do mkdir {segment} && cd -P {segment}; done && echo x > deep.toml",
        dir.path().display()
    );
    assert!(Process::new("sh").arg("-c").arg(&script).status().unwrap().success());
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("error[toml-syntax]: cannot read this file: cannot"), "{stdout}");
    // A FIFO named like a checked file is reported and never opened (opening it would block).
    let fifo = dir.path().join("recipients/pipe.toml");
    assert!(Process::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        stdout
            .contains("recipients/pipe.toml:1:1: error[toml-syntax]: cannot read this file: it is not a regular file"),
        "{stdout}"
    );
}

/// A glob that cannot be used is a finding on its span; the other globs still work.
#[test]
fn an_unusable_glob_is_reported_not_taken_for_an_empty_set() {
    let huge = format!("{{{}}}/**", (0..60_000).map(|i| format!("dir{i}")).collect::<Vec<_>>().join(","));
    let config = format!("{TENANT}include = [\"recipients/**\", \"{huge}\"]\nexclude = [\"[\"]\n");
    let dir = repository(&[("recipients/a.toml", &mailbox("alice", "alice@contoso.com"))]);
    write(dir.path(), "hybridlint.toml", &config);
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("is not a valid glob"), "{stdout}");
    assert!(stdout.contains("(1 recipient"), "the include glob that works still admits the recipient file: {stdout}");
}

/// A 50,000-term `-and` chain over 5,000 recipients: no stack overflow, a located finding.
#[test]
fn a_long_filter_chain_does_not_abort() {
    let chain = vec!["Department -eq 'Sales'"; 50_000].join(" -and ");
    let policy = format!(
        "[[email_address_policy]]\nname = \"long\"\npriority = 1\nrecipient_filter = \"{chain}\"\ntemplates = [\"SMTP:%m@contoso.com\"]\n\n[[email_address_policy]]\nname = \"Default Policy\"\ndefault = true\ntemplates = [\"SMTP:%m@contoso.com\"]\n"
    );
    let recipients: String = (0..5_000).map(|i| mailbox(&format!("u{i}"), &format!("u{i}@contoso.com"))).collect();
    let dir = repository(&[("policies/p.toml", &policy), ("recipients/r.toml", &recipients)]);
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(stdout.contains("invalid-recipient-filter"), "{}", &stdout[..stdout.len().min(2000)]);
    // A shorter chain is evaluated, iteratively.
    let chain = vec!["Department -eq 'Sales'"; 4_000].join(" -and ");
    write(
        dir.path(),
        "policies/p.toml",
        &policy.replace(&vec!["Department -eq 'Sales'"; 50_000].join(" -and "), &chain),
    );
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{}", &stdout[..stdout.len().min(2000)]);
}

/// A template of 10,000 `%d` over 10,000-character display names: bounded, reported.
#[test]
fn a_huge_template_expansion_is_bounded() {
    let template = "%d".repeat(10_000);
    let policy = format!(
        "[[email_address_policy]]\nname = \"Default Policy\"\ndefault = true\ntemplates = [\"SMTP:{template}@contoso.com\"]\n"
    );
    let name = "x".repeat(10_000);
    let recipients: String = (0..20)
        .map(|i| format!("[[recipient]]\nname = \"u{i}\"\ntype = \"UserMailbox\"\nalias = \"u{i}\"\ndisplay_name = \"{name}\"\n\n"))
        .collect();
    let dir = repository(&[("policies/p.toml", &policy), ("recipients/r.toml", &recipients)]);
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(stdout.contains("local part longer than 64 characters"), "{}", &stdout[..stdout.len().min(2000)]);
    // The stamped addresses stop just past the longest local part instead of growing to 100 million
    // characters per recipient.
    assert!(stdout.len() < 1_000_000, "{} bytes of output", stdout.len());
}

/// One address on 30,000 recipients, and one address many times in one recipient: linear.
#[test]
fn one_address_on_many_recipients_stays_linear() {
    let recipients: String = (0..30_000).map(|i| mailbox(&format!("u{i}"), "shared@contoso.com")).collect();
    let repeated = format!(
        "[[recipient]]\nname = \"many\"\ntype = \"UserMailbox\"\nalias = \"many\"\nproxy_addresses = [\"SMTP:many@contoso.com\", {}]\n",
        vec!["\"smtp:again@contoso.com\""; 20_000].join(", ")
    );
    let dir = repository(&[("recipients/r.toml", &recipients), ("recipients/s.toml", &repeated)]);
    let (code, stdout, _) = check(dir.path(), &["--quiet"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("duplicate-proxy-address") && stdout.contains("duplicate-proxy-address-in-recipient"));
}

/// The other shapes that were quadratic, each sized to take seconds when linear: a policy with 20,000
/// templates, a `%r` chain of 20,000 replacements, a `-like` pattern of 20,000 `*`, and `sync-preview` of a
/// recipient with 20,000 addresses.
#[test]
fn other_large_shapes_stay_linear() {
    let templates: Vec<String> = (0..20_000).map(|i| format!("\"smtp:t{i}.%m@contoso.com\"")).collect();
    let replacements = "%rab%rba".repeat(10_000);
    let stars = "*".repeat(20_000);
    let policies = format!(
        "[[email_address_policy]]\nname = \"many\"\npriority = 1\nrecipient_filter = \"Department -like '{stars}Sales{stars}'\"\ntemplates = [\"SMTP:%m@contoso.com\", {}]\n\n\
         [[email_address_policy]]\nname = \"Default Policy\"\ndefault = true\ntemplates = [\"SMTP:{replacements}%g.%s@contoso.com\"]\n",
        templates.join(", ")
    );
    let addresses: Vec<String> = (0..20_000).map(|i| format!("\"smtp:a{i}@contoso.com\"")).collect();
    let recipients = format!(
        "[[recipient]]\nname = \"sales\"\ntype = \"UserMailbox\"\nalias = \"sales\"\ndepartment = \"Inside Sales Team\"\n\n\
         [[recipient]]\nname = \"ann\"\ntype = \"UserMailbox\"\nalias = \"ann\"\ngiven_name = \"Ann\"\nsurname = \"Abbot\"\n\n\
         [[recipient]]\nname = \"many\"\ntype = \"RemoteUserMailbox\"\nalias = \"many\"\nremote_routing_address = \"many@contoso.mail.onmicrosoft.com\"\nproxy_addresses = [\"SMTP:many@contoso.com\", \"smtp:many@contoso.mail.onmicrosoft.com\", {}]\n",
        addresses.join(", ")
    );
    let dir = repository(&[("policies/p.toml", &policies), ("recipients/r.toml", &recipients)]);
    let output = hybridlint().current_dir(dir.path()).args(["addresses", "sales"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("smtp:t19999.sales@contoso.com"),
        "the -like filter matched and every template ran: {}",
        &stdout[..stdout.len().min(2000)]
    );
    let output = hybridlint().current_dir(dir.path()).args(["addresses", "ann"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Applied in turn, `%rab` then `%rba` send every lowercase a and b to a, however many times repeated.
    assert!(stdout.contains("SMTP:Ann.Aaaot@contoso.com"), "{}", &stdout[..stdout.len().min(2000)]);
    let output = hybridlint().current_dir(dir.path()).args(["sync-preview", "many"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("smtp:a19999@contoso.com"),
        "{}",
        &stdout[..stdout.len().min(2000)]
    );
}

/// SARIF paths with characters a URI cannot carry as they are.
#[test]
fn sarif_uris_are_percent_encoded() {
    let dir = repository(&[
        ("my repo #1/a:b?.toml", &mailbox("alice", "x@contoso.com")),
        ("b.toml", &mailbox("bob", "x@contoso.com")),
    ]);
    let output = hybridlint()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "sarif", "--sarif-root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = sarif.to_string();
    assert!(text.contains("my%20repo%20%231/a%3Ab%3F.toml"), "{text}");
}

/// Control characters from TOML escapes and from file names never reach the terminal raw.
#[test]
fn escape_sequences_are_shown_not_sent() {
    let dir = repository(&[
        ("bell\u{7}.toml", &mailbox("esc\\u001b[2Jx", "x@contoso.com")),
        ("b.toml", &mailbox("b", "x@contoso.com")),
    ]);
    for format in ["human", "concise", "github", "junit"] {
        let output =
            hybridlint().arg("check").arg(dir.path()).args(["--color", "never", "--format", format]).output().unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{format}: {text}");
    }
}

/// `import` does not take a directory it cannot list for an empty one.
#[test]
fn import_does_not_overwrite_what_it_cannot_see() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A file where the output directory should be cannot be listed.
    std::fs::write(&out, "not a directory").unwrap();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports/recipients-ps7.csv");
    let output = hybridlint().args(["import", "--on-premises"]).arg(&export).arg("--out").arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "not a directory");
}

/// Writes never follow a symbolic link: a dangling `hybridlint.toml` link for `init`, a planted
/// `recipients` link for `import --force`.
#[test]
fn writes_never_follow_symbolic_links() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let target = dir.path().join("repo");
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(outside.join("victim.toml"), target.join("hybridlint.toml")).unwrap();
    let output = hybridlint()
        .arg("init")
        .arg(&target)
        .args(["--tenant", "contoso", "--domain", "contoso.com"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!outside.join("victim.toml").exists(), "init wrote through a dangling link");

    let imported = dir.path().join("imported");
    std::fs::create_dir(&imported).unwrap();
    std::os::unix::fs::symlink(&outside, imported.join("recipients")).unwrap();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports/recipients-ps7.csv");
    let output = hybridlint()
        .args(["import", "--force", "--on-premises"])
        .arg(&export)
        .arg("--out")
        .arg(&imported)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "import wrote through a planted link");
}

/// A file whose name is not UTF-8 is read (by its real name) and shown lossily.
#[test]
fn a_file_name_that_is_not_utf8_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = repository(&[("b.toml", &mailbox("bob", "x@contoso.com"))]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.toml");
    std::fs::write(dir.path().join(name), mailbox("alice", "x@contoso.com")).unwrap();
    let (code, stdout, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("duplicate-proxy-address") && stdout.contains("caf\u{fffd}.toml"), "{stdout}");
}

/// `test-rules` neither follows a fixture link out of the repository nor blocks on a FIFO.
#[test]
fn test_rules_reads_regular_fixtures_only() {
    let dir = repository(&[(
        "rules.toml",
        "[[rule]]\nname = \"contoso/short\"\nseverity = \"error\"\nsummary = \"aliases are short\"\nmax_length = { field = \"alias\", max = 8 }\n",
    )]);
    let fixtures = dir.path().join("rule-tests");
    std::fs::create_dir(&fixtures).unwrap();
    std::fs::write(fixtures.join("ok.toml"), mailbox("bob", "bob@contoso.com")).unwrap();
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "secret = \"do not print\"\n").unwrap();
    std::os::unix::fs::symlink(secret.path(), fixtures.join("link.toml")).unwrap();
    assert!(Process::new("mkfifo").arg(fixtures.join("pipe.toml")).status().unwrap().success());
    let output = hybridlint()
        .arg("test-rules")
        .arg(&fixtures)
        .arg("--config")
        .arg(dir.path().join("hybridlint.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("do not print") && !text.contains("link") && !text.contains("pipe"), "{text}");
    assert!(text.contains("ok"), "{text}");
}

/// Minor: the root configuration is not read through a link that leaves the repository, and a baseline
/// of the wrong version is refused.
#[test]
fn the_root_configuration_and_the_baseline_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.toml");
    std::fs::write(&outside, TENANT).unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("hybridlint.toml")).unwrap();
    let (code, _, stderr) = check(&repo, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("outside the repository"), "{stderr}");

    let repo = repository(&[]);
    write(repo.path(), "baseline.json", "{\"version\": 99, \"entries\": []}");
    let (code, _, stderr) = check(repo.path(), &["--baseline", &repo.path().join("baseline.json").to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("version 99"), "{stderr}");
}
