//! `hybridlint diff`: what a change does to every recipient, on real git repositories made here. Each test
//! commits a small hybrid organisation, changes the working tree as a pull request would, and reads what
//! the diff says: addresses, primaries, the policy, where each recipient exists, the cloud view and the
//! findings the change adds or resolves.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{git, write};

const CONFIG: &str = "[tenant]
name = \"contoso\"
accepted_domains = [\"contoso.com\", \"fabrikam.com\"]
verified_domains = [\"contoso.com\", \"fabrikam.com\"]

[lint]
today = 2026-11-22
";

const POLICY: &str = "[[email_address_policy]]
name = \"Default Policy\"
default = true
templates = [\"SMTP:%g.%s@contoso.com\", \"smtp:%m@contoso.mail.onmicrosoft.com\"]
";

const PEOPLE: &str = "[[recipient]]
name = \"jsmith\"
type = \"UserMailbox\"
upn = \"jsmith@contoso.com\"
alias = \"jsmith\"
given_name = \"John\"
surname = \"Smith\"
exchange_guid = \"0f5c2a9e-6b1d-4e3f-8a7b-9c0d1e2f3a4b\"

[[recipient]]
name = \"jasmith\"
type = \"UserMailbox\"
upn = \"jasmith@contoso.com\"
alias = \"jasmith\"
given_name = \"Jane\"
surname = \"Smith\"
exchange_guid = \"1f5c2a9e-6b1d-4e3f-8a7b-9c0d1e2f3a4b\"

[[recipient]]
name = \"mjones\"
type = \"RemoteUserMailbox\"
upn = \"mjones@contoso.com\"
alias = \"mjones\"
given_name = \"Mary\"
surname = \"Jones\"
remote_routing_address = \"mjones@contoso.mail.onmicrosoft.com\"
exchange_guid = \"2f5c2a9e-6b1d-4e3f-8a7b-9c0d1e2f3a4b\"
licensed = true
provisioned = 2026-01-01
proxy_addresses = [\"smtp:mary@fabrikam.com\"]
";

const GROUPS: &str = "[[recipient]]
name = \"sales\"
type = \"MailUniversalDistributionGroup\"
alias = \"sales\"
proxy_addresses = [\"SMTP:sales@contoso.com\"]
members = [\"jsmith\", \"jasmith\", \"mjones\"]
";

fn hybridlint() -> Command {
    let mut command = Command::cargo_bin("hybridlint").unwrap();
    command.env_remove("NO_COLOR");
    command
}

fn edit(dir: &Path, path: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(dir.join(path)).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    write(dir, path, &text.replacen(from, to, 1));
}

/// A git repository holding the organisation at its top, committed once: three people, a policy, a group;
/// clean (`check` finds nothing).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "hybridlint.toml", CONFIG);
    write(dir.path(), "policies/default.toml", POLICY);
    write(dir.path(), "recipients/people.toml", PEOPLE);
    write(dir.path(), "recipients/groups.toml", GROUPS);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn diff(dir: &Path, args: &[&str]) -> Run {
    let output = hybridlint().current_dir(dir).arg("diff").args(args).output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn json(dir: &Path) -> serde_json::Value {
    let run = diff(dir, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("stdout is one JSON document")
}

/// The entry of one recipient in the JSON diff.
fn recipient<'v>(diff: &'v serde_json::Value, name: &str) -> &'v serde_json::Value {
    diff["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("`{name}` is not in the diff: {diff:#}"))
}

#[test]
fn the_committed_repository_is_clean() {
    let repo = repository();
    let output = hybridlint().current_dir(repo.path()).args(["check", "--format", "concise"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn no_change_exits_0_with_nothing_to_say() {
    let repo = repository();
    let run = diff(repo.path(), &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    // Reformatting and moving a recipient to another file changes nothing computed.
    let people = PEOPLE.replace("[[recipient]]\nname = \"mjones\"", "\n\n[[recipient]]\n  name = \"mjones\"");
    let (first, mjones) = people.split_at(people.find("[[recipient]]\n  name = \"mjones\"").unwrap());
    write(repo.path(), "recipients/people.toml", first);
    write(repo.path(), "recipients/more/mjones.toml", mjones);
    let run = diff(repo.path(), &["--color", "always"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);

    let run = diff(repo.path(), &["--format", "json"]);
    assert_eq!(run.code, 0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["revision"], "HEAD");
    assert_eq!(value["recipients"], serde_json::json!([]));
    assert_eq!(value["findings"], serde_json::json!({ "added": [], "resolved": [] }));
    let run = diff(repo.path(), &["--format", "markdown"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "**hybridlint diff** compared with <code>HEAD</code>: no recipient and no finding changes.\n"
    );
}

#[test]
fn a_policy_template_change_shows_every_new_primary_and_the_numbered_variants() {
    let repo = repository();
    edit(repo.path(), "policies/default.toml", "SMTP:%g.%s@contoso.com", "SMTP:%1g%s@contoso.com");

    let run = diff(repo.path(), &["--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("policy_template_human", run.stdout);
    let value = json(repo.path());
    assert_eq!(recipient(&value, "jsmith")["primary"]["after"], "JSmith@contoso.com");
    // Jane Smith's `JSmith@contoso.com` is John's: Exchange stamps the numbered variant.
    let jane = recipient(&value, "jasmith");
    assert_eq!(
        jane["primary"],
        serde_json::json!({ "before": "Jane.Smith@contoso.com", "after": "JSmith2@contoso.com" })
    );
    assert_eq!(
        jane["addresses"]["added"],
        serde_json::json!([{
            "address": "SMTP:JSmith2@contoso.com",
            "numbered": { "wanted": "JSmith@contoso.com", "taken_by": "jsmith" }
        }])
    );
    assert_eq!(recipient(&value, "mjones")["cloud"]["mail"]["after"], "MJones@contoso.com");
    assert_eq!(value["summary"]["primaries_changed"], 3);
    let run = diff(repo.path(), &["--format", "json"]);
    insta::assert_snapshot!("policy_template_json", run.stdout);
    let run = diff(repo.path(), &["--format", "markdown"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("policy_template_markdown", run.stdout);
}

#[test]
fn an_alias_rename_changes_the_mail_nickname_and_the_moera() {
    let repo = repository();
    edit(repo.path(), "recipients/people.toml", "alias = \"mjones\"", "alias = \"mary.jones\"");
    let run = diff(repo.path(), &["--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("alias_rename_human", run.stdout);
    let mary = recipient(&json(repo.path()), "mjones").clone();
    assert_eq!(mary["cloud"]["mail_nickname"], serde_json::json!({ "before": "mjones", "after": "mary.jones" }));
    assert_eq!(
        mary["cloud"]["moera"],
        serde_json::json!({ "before": "mjones@contoso.onmicrosoft.com", "after": "mary.jones@contoso.onmicrosoft.com" })
    );
}

#[test]
fn a_recipient_moved_to_the_cloud_changes_where_it_exists_and_its_licence_findings() {
    let repo = repository();
    edit(repo.path(), "recipients/people.toml", "name = \"jsmith\"\n", "name = \"jsmith\"\nsource = \"cloud\"\n");
    let run = diff(repo.path(), &["--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("moved_to_cloud_human", run.stdout);
    let value = json(repo.path());
    let john = recipient(&value, "jsmith");
    assert_eq!(john["exists"], serde_json::json!({ "before": ["on-premises", "cloud"], "after": ["cloud"] }));
    assert_eq!(john["source"], serde_json::json!({ "before": "on-premises", "after": "cloud" }));
    let rules: Vec<&str> =
        value["findings"]["added"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.iter().any(|r| r.starts_with("license-")), "{rules:?}");
}

#[test]
fn a_removed_recipient_is_listed_with_what_it_breaks() {
    let repo = repository();
    let without_jane = {
        let start = PEOPLE.find("[[recipient]]\nname = \"jasmith\"").unwrap();
        let end = PEOPLE.find("[[recipient]]\nname = \"mjones\"").unwrap();
        format!("{}{}", &PEOPLE[..start], &PEOPLE[end..])
    };
    write(repo.path(), "recipients/people.toml", &without_jane);
    let run = diff(repo.path(), &["--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("removed_recipient_human", run.stdout);
    let value = json(repo.path());
    assert_eq!(recipient(&value, "jasmith")["change"], "removed");
    assert_eq!(value["summary"]["recipients_removed"], 1);
    assert_eq!(value["findings"]["added"][0]["rule"], "unknown-reference");
    assert_eq!(value["findings"]["added"][0]["file"], "recipients/groups.toml");
}

#[test]
fn a_change_to_hybridlint_toml_shows_what_sync_drops() {
    let repo = repository();
    edit(
        repo.path(),
        "hybridlint.toml",
        "verified_domains = [\"contoso.com\", \"fabrikam.com\"]",
        "verified_domains = [\"contoso.com\"]",
    );
    let run = diff(repo.path(), &["--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("config_change_human", run.stdout);
    let value = json(repo.path());
    let dropped = &recipient(&value, "mjones")["cloud"]["dropped"]["added"];
    assert_eq!(dropped[0]["address"], "smtp:mary@fabrikam.com", "{dropped}");
    assert!(dropped[0]["reason"].as_str().unwrap().contains("not verified"), "{dropped}");
}

#[test]
fn exit_codes_and_usage_errors() {
    let repo = repository();
    edit(repo.path(), "recipients/people.toml", "alias = \"mjones\"", "alias = \"mary.jones\"");
    assert_eq!(diff(repo.path(), &["--exit-zero", "--color", "never"]).code, 0);
    let run = diff(repo.path(), &["no-such-revision"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`no-such-revision` does not exist"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "hybridlint.toml", CONFIG);
    let run = diff(plain.path(), &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not inside a git work tree"), "{}", run.stderr);
    let empty = tempfile::tempdir().unwrap();
    let run = diff(empty.path(), &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no hybridlint.toml found"), "{}", run.stderr);
    let run = diff(repo.path(), &["HEAD", "no/such/dir"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no such path"), "{}", run.stderr);
    let run = diff(repo.path(), &["--format", "sarif"]);
    assert_eq!(run.code, 2);
}

#[test]
fn rev_and_path_from_a_monorepo_and_a_path_given_alone() {
    // The organisation in a subdirectory of a larger repository, compared from the top.
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let root = dir.path().join("recipients-repo");
    write(&root, "hybridlint.toml", CONFIG);
    write(&root, "policies/default.toml", POLICY);
    write(&root, "recipients/people.toml", PEOPLE);
    write(dir.path(), "README.md", "# other things\n");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "second"]);
    edit(&root, "recipients/people.toml", "alias = \"mjones\"", "alias = \"mary.jones\"");
    for args in [&["HEAD~1", "recipients-repo"][..], &["recipients-repo"], &["HEAD", "recipients-repo/recipients"]] {
        let run = diff(dir.path(), &[&["--color", "never"], args].concat());
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stdout.starts_with("mjones (RemoteUserMailbox): changed\n"), "{args:?}: {}", run.stdout);
        // Paths are relative to the working directory, so that a terminal can open them.
        assert!(!run.stdout.contains("/tmp"), "{}", run.stdout);
    }
    // A root that did not exist at the revision: every recipient is new.
    let run = diff(dir.path(), &["--color", "never", "HEAD~1", "recipients-repo"]);
    assert_eq!(run.code, 1);
    let fresh = tempfile::tempdir().unwrap();
    git(fresh.path(), &["init", "-q", "-b", "main"]);
    write(fresh.path(), "README.md", "# soon\n");
    git(fresh.path(), &["add", "-A"]);
    git(fresh.path(), &["commit", "-q", "-m", "start"]);
    write(fresh.path(), "hybridlint.toml", CONFIG);
    write(fresh.path(), "recipients/people.toml", PEOPLE);
    let run = diff(fresh.path(), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["summary"]["recipients_added"], 3);
    assert_eq!(value["findings"]["resolved"], serde_json::json!([]));
}

#[test]
fn colour_and_control_characters() {
    let repo = repository();
    edit(repo.path(), "recipients/groups.toml", "name = \"sales\"", "name = \"sales\\u001b[2J\"");
    let run = diff(repo.path(), &["--color", "always"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("\u{1b}[32m+ "), "added lines are green: {}", run.stdout);
    assert!(run.stdout.contains("\u{1b}[31m- "), "removed lines are red: {}", run.stdout);
    assert!(!run.stdout.contains("\u{1b}[2J"), "a control character from a file reached the terminal");
    let run = diff(repo.path(), &["--color", "never"]);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
    assert!(run.stdout.contains("sales\\u{1b}[2J"), "{}", run.stdout);
}

#[test]
fn formats_can_go_to_files() {
    let repo = repository();
    edit(repo.path(), "recipients/people.toml", "alias = \"mjones\"", "alias = \"mary.jones\"");
    let run = diff(repo.path(), &["--color", "never", "--format", "human", "--format", "markdown:review.md"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("mjones (RemoteUserMailbox): changed"), "{}", run.stdout);
    let markdown = std::fs::read_to_string(repo.path().join("review.md")).unwrap();
    assert!(markdown.starts_with("<details>\n<summary>"), "{markdown}");
    assert!(!markdown.contains('\u{1b}'));
    assert_eq!(diff(repo.path(), &["--format", "json", "--format", "markdown"]).code, 2, "two formats on stdout");
}

#[test]
fn a_large_change_keeps_the_markdown_within_a_comment() {
    let repo = repository();
    let mut many = String::new();
    for i in 0..1500 {
        many.push_str(&format!(
            "[[recipient]]\nname = \"user{i}\"\ntype = \"UserMailbox\"\nupn = \"user{i}@contoso.com\"\nalias = \"user{i}\"\ngiven_name = \"Given{i}\"\nsurname = \"Surname{i}\"\n\n"
        ));
    }
    write(repo.path(), "recipients/many.toml", &many);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "many"]);
    edit(repo.path(), "policies/default.toml", "SMTP:%g.%s@contoso.com", "SMTP:%s.%g@contoso.com");
    let run = diff(repo.path(), &["--format", "markdown"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.len() < 65_536, "{} characters", run.stdout.len());
    assert!(run.stdout.contains(" other recipients are not shown here"), "{}", &run.stdout[run.stdout.len() - 500..]);
    assert!(run.stdout.ends_with("</details>\n"));
    assert!(run.stdout.contains("1503 recipients changed"), "{}", &run.stdout[..400]);
    // The human format lists every one.
    let run = diff(repo.path(), &["--color", "never"]);
    assert_eq!(run.stdout.matches("): changed\n").count(), 1503);
}

#[test]
fn recipients_with_the_same_name_are_paired_in_order() {
    let repo = repository();
    let twins = "[[recipient]]\nname = \"twin\"\ntype = \"MailContact\"\nexternal_email_address = \"a@example.com\"\n\n[[recipient]]\nname = \"TWIN\"\ntype = \"MailContact\"\nexternal_email_address = \"b@example.com\"\n";
    write(repo.path(), "recipients/twins.toml", twins);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "twins"]);
    edit(repo.path(), "recipients/twins.toml", "b@example.com", "c@example.com");
    let value = json(repo.path());
    let names: Vec<&str> =
        value["recipients"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["TWIN"], "{value:#}");
    let twin = recipient(&value, "TWIN");
    assert_eq!(twin["primary"], serde_json::json!({ "before": "b@example.com", "after": "c@example.com" }));
}
