//! The command line as users and CI run it: exit codes, formats, discovery and options.

mod common;

use std::path::Path;

use assert_cmd::Command;

fn hybridlint() -> Command {
    let mut command = Command::cargo_bin("hybridlint").unwrap();
    command.env_remove("NO_COLOR");
    command
}

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &Path, path: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

const TENANT: &str = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n";

fn mailbox(name: &str, primary: &str) -> String {
    format!(
        "[[recipient]]\nname = \"{name}\"\ntype = \"UserMailbox\"\nupn = \"{name}@contoso.com\"\nalias = \"{name}\"\nproxy_addresses = [\"SMTP:{primary}\"]\n\n"
    )
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn clean_example_exits_0_with_only_a_summary() {
    let output = hybridlint().args(["check", &example("clean")]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "checked 3 files (5 recipients, 0 policies): 0 errors, 0 warnings, 0 infos\n");
}

#[test]
fn contoso_example_exits_1_and_its_report_is_stable() {
    let first = hybridlint().args(["check", &example("contoso"), "--color", "never"]).output().unwrap();
    assert_eq!(first.status.code(), Some(1));
    let again = hybridlint().args(["check", &example("contoso"), "--color", "never"]).output().unwrap();
    assert_eq!(first.stdout, again.stdout, "the report changed between two runs");
    insta::assert_snapshot!("contoso_human", stdout(&first));

    let json = hybridlint().args(["check", &example("contoso"), "--format", "json"]).output().unwrap();
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is one JSON document");
    assert_eq!(value["version"], 1);
    assert_eq!(value["tool"]["name"], "hybridlint");
    assert_eq!(value["today"], "2026-11-22");
    assert!(value["summary"]["errors"].as_u64().unwrap() > 0);
    let mut text = stdout(&json);
    // The root is shown relative to the current directory, which differs between machines.
    text = text.replace(&example("contoso"), "<contoso>");
    insta::assert_snapshot!("contoso_json", text);
}

#[test]
fn no_root_exits_2_and_suggests_init() {
    let dir = tempfile::tempdir().unwrap();
    let output = hybridlint().current_dir(dir.path()).args(["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no hybridlint.toml found"), "{stderr}");
    assert!(stderr.contains("hybridlint init"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_arguments_exit_2() {
    let output = hybridlint().args(["check", "--format", "yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = hybridlint().args(["check", "--today", "2026-02-30"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = hybridlint().args(["frobnicate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn broken_files_are_reported_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", TENANT);
    write(dir.path(), "recipients/broken.toml", "[[recipient]]\nname = \"x\"\ntype = \n");
    write(dir.path(), "recipients/latin1.toml", b"[[recipient]]\nname = \"caf\xe9\"\n");
    write(
        dir.path(),
        "recipients/a.toml",
        format!(
            "{}[[recipient]]\nname = \"b\"\ntype = \"MailContact\"\nexternal_adress = \"x@fabrikam.com\"\n",
            mailbox("a", "shared@contoso.com")
        ),
    );
    write(dir.path(), "recipients/c.toml", mailbox("c", "shared@contoso.com"));
    let output = hybridlint().args(["check", "--format", "concise"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("recipients/broken.toml:3:8: error[toml-syntax]"), "{text}");
    assert!(text.contains("recipients/latin1.toml:2:12: error[toml-syntax]: file is not valid UTF-8"), "{text}");
    assert!(text.contains("recipients/a.toml:11:1: error[schema]: unknown key `external_adress`"), "{text}");
    assert!(text.contains("recipients/c.toml:6:20: error[duplicate-proxy-address]"), "{text}");
}

#[test]
fn fail_on_and_exit_zero_decide_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", TENANT);
    // Only a warning: an alias used twice.
    write(
        dir.path(),
        "r.toml",
        format!(
            "{}{}",
            mailbox("a", "a@contoso.com"),
            mailbox("b", "b@contoso.com").replace("alias = \"b\"", "alias = \"a\"")
        ),
    );
    let run = |args: &[&str]| hybridlint().arg("check").arg(dir.path()).args(args).output().unwrap().status.code();
    assert_eq!(run(&[]), Some(0));
    assert_eq!(run(&["--fail-on", "warning"]), Some(1));
    assert_eq!(run(&["--fail-on", "info"]), Some(1));
    assert_eq!(run(&["--fail-on", "warning", "--exit-zero"]), Some(0));
}

#[test]
fn severity_overrides_change_and_remove_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "hybridlint.toml",
        format!("{TENANT}\n[lint.rules]\nmissing-routing-proxy = \"error\"\nupn-domain-not-verified = \"off\"\n"),
    );
    let b = mailbox("b", "b@contoso.com")
        .replace("alias = \"b\"", "alias = \"a\"")
        .replace("b@contoso.com\"\n", "b@contoso.local\"\n");
    write(dir.path(), "r.toml", format!("{}{b}", mailbox("a", "a@contoso.com")));
    let output = hybridlint().args(["check", "--format", "concise"]).arg(dir.path()).output().unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[missing-routing-proxy]"), "{text}");
    assert!(!text.contains("upn-domain-not-verified"), "{text}");
}

#[test]
fn quiet_statistics_and_color() {
    let contoso = example("contoso");
    let quiet = hybridlint().args(["check", &contoso, "--quiet", "--format", "concise"]).output().unwrap();
    assert!(!stdout(&quiet).contains("checked "));
    let stats = hybridlint().args(["check", &contoso, "--statistics"]).output().unwrap();
    let stats = stdout(&stats);
    assert!(
        stats.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["1", "duplicate-proxy-address", "error"]),
        "{stats}"
    );
    let colored = hybridlint().args(["check", &contoso, "--color", "always"]).output().unwrap();
    assert!(stdout(&colored).contains("\u{1b}["));
    // Not a terminal: `auto` means no colour.
    let auto = hybridlint().args(["check", &contoso]).output().unwrap();
    assert!(!stdout(&auto).contains("\u{1b}["));
}

#[test]
fn discovery_honours_globs_hidden_directories_and_target() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", format!("{TENANT}\n[lint]\nexclude = [\"archive/**\"]\n"));
    write(dir.path(), "recipients/a.toml", mailbox("a", "a@contoso.com"));
    for skipped in ["archive/old.toml", ".git/x.toml", "target/y.toml", "sub/target/z.toml"] {
        write(dir.path(), skipped, mailbox("dup", "a@contoso.com"));
    }
    let output = hybridlint().args(["check", "--format", "json"]).arg(dir.path()).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["summary"]["files"], 2, "{}", stdout(&output));
    assert_eq!(output.status.code(), Some(0));

    // `include` narrows the set; the root configuration is always read.
    write(dir.path(), "hybridlint.toml", format!("{TENANT}\n[lint]\ninclude = [\"recipients/*.toml\"]\n"));
    write(dir.path(), "other/b.toml", mailbox("b", "a@contoso.com"));
    let output = hybridlint().args(["check", "--format", "json"]).arg(dir.path()).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["summary"]["files"], 2);
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", TENANT);
    write(dir.path(), "recipients/a.toml", mailbox("a", "a@contoso.com"));
    std::os::unix::fs::symlink(dir.path().join("recipients/a.toml"), dir.path().join("link.toml")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("recipients/loop")).unwrap();
    let output = hybridlint().args(["check"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn paths_limit_what_is_reported_not_what_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", TENANT);
    write(dir.path(), "a.toml", mailbox("a", "shared@contoso.com"));
    write(dir.path(), "b.toml", mailbox("b", "shared@contoso.com"));
    write(
        dir.path(),
        "c.toml",
        mailbox("c", "c@contoso.com").replace("upn = \"c@contoso.com\"", "upn = \"c@contoso.local\""),
    );
    for file in ["a.toml", "b.toml"] {
        let output = hybridlint().args(["check", "--format", "concise"]).arg(dir.path().join(file)).output().unwrap();
        let text = stdout(&output);
        assert!(text.contains("duplicate-proxy-address"), "{file}: {text}");
        assert!(!text.contains("upn-domain-not-verified"), "{file}: {text}");
    }
}

#[test]
fn explain_and_rules() {
    let output = hybridlint().args(["explain", "duplicate-proxy-address"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("duplicate-proxy-address\n"));
    assert!(
        text.contains("Sources:") && text.contains("Identity synchronization and duplicate attribute resiliency"),
        "{text}"
    );

    let output = hybridlint().args(["explain", "duplicate-proxy-adress"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `duplicate-proxy-address`?"));

    let output = hybridlint().args(["rules", "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = value["rules"].as_array().unwrap();
    assert_eq!(rules.len(), hybridlint::catalogue::builtin().len());
    assert!(rules.iter().all(|r| r["name"].is_string()
        && r["severity"].is_string()
        && r["category"].is_string()
        && r["summary"].is_string()));
    let human = hybridlint().args(["rules"]).output().unwrap();
    assert!(stdout(&human).contains("toml-syntax"));
}

#[test]
fn config_option_names_the_root() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "settings/ci.toml", TENANT);
    write(dir.path(), "settings/r.toml", mailbox("a", "a@contoso.com"));
    let output = hybridlint()
        .args(["check", "--format", "json", "--config"])
        .arg(dir.path().join("settings/ci.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["summary"]["recipients"], 1);
}

#[test]
fn addresses_explains_a_recipient() {
    let output = hybridlint().args(["addresses", "jsmith2", "--path", &example("contoso")]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("addresses_jsmith2", stdout(&output));
    let output = hybridlint()
        .args(["addresses", "jsmith2", "--format", "json", "--path", &example("contoso")])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["applied_policy"], "Default Policy");
    assert_eq!(value["generated"][0]["address"], "SMTP:John.Smith2@contoso.com");
    assert_eq!(value["generated"][0]["taken_by"], "jsmith");
    let output = hybridlint().args(["addresses", "jsmth", "--path", &example("contoso")]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `jsmith`?"));
}

#[test]
fn sync_preview_command() {
    let contoso = example("contoso");
    let output =
        hybridlint().args(["sync-preview", "--path", &contoso, "--format", "json", "mgarcia"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let r = &value["recipients"][0];
    for key in
        ["name", "cloud_type", "mail", "mail_nickname", "moera", "upn", "proxy_addresses", "dropped", "quarantined"]
    {
        assert!(r.get(key).is_some(), "missing `{key}` in {r}");
    }
    let all = hybridlint().args(["sync-preview", "--path", &contoso]).output().unwrap();
    assert_eq!(all.status.code(), Some(0));
    assert!(stdout(&all).contains("rsingh  (RemoteUserMailbox -> MailUser)"));
    let unknown = hybridlint().args(["sync-preview", "--path", &contoso, "mgarsia"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `mgarcia`?"));
    let cloud_only = hybridlint().args(["sync-preview", "--path", &contoso, "events"]).output().unwrap();
    assert_eq!(cloud_only.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&cloud_only.stderr).contains("not synced"));
}

#[test]
fn batch_readiness() {
    let contoso = example("contoso");
    let output = hybridlint().args(["batch", "wave-4-finance", "--path", &contoso]).output().unwrap();
    // Blocked members stop CI, unless --exit-zero says the report is all that is wanted.
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("batch_wave_4", stdout(&output));
    let output = hybridlint().args(["batch", "wave-4-finance", "--path", &contoso, "--exit-zero"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let output = hybridlint().args(["batch", "wave-3-sales", "--path", &contoso, "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "every member ready");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["ready"], serde_json::json!(["pnovak", "rwilson", "icohen"]));
    assert_eq!(value["blocked"], serde_json::json!([]));
    let output = hybridlint().args(["batch", "wave-5", "--path", &contoso]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn timings_go_to_stderr_and_leave_the_report_alone() {
    let plain = hybridlint().args(["check", &example("contoso"), "--format", "json"]).output().unwrap();
    let timed = hybridlint().args(["check", &example("contoso"), "--format", "json", "--timings"]).output().unwrap();
    assert_eq!(timed.status.code(), plain.status.code());
    assert_eq!(timed.stdout, plain.stdout);
    let stderr = String::from_utf8(timed.stderr).unwrap();
    for phase in [
        "discover",
        "read",
        "parse and build the model",
        "effective addresses and indexes",
        "cloud view",
        "rules: addresses",
        "render json",
    ] {
        let line = stderr.lines().find(|l| l.starts_with(phase)).unwrap_or_else(|| panic!("no `{phase}` in {stderr}"));
        assert!(line.contains(" ms"), "{line}");
    }
}

#[test]
fn every_option_says_what_it_does_and_misspelt_names_get_a_hint() {
    for command in ["check", "batch", "sync-preview", "addresses", "init", "import"] {
        let output = hybridlint().args([command, "--help"]).output().unwrap();
        let help = stdout(&output);
        for line in help.lines().filter(|l| l.trim_start().starts_with("--")) {
            let option = line.split_whitespace().next().unwrap();
            if option == "--help" || option == "-h," {
                continue;
            }
            // Words other than the option, its value and clap's `[default: ..]`/`[possible values: ..]`.
            let words = |text: &str| {
                let mut depth = 0;
                let plain: String = text
                    .chars()
                    .filter(|&c| {
                        depth += (c == '[') as i32;
                        let keep = depth == 0;
                        depth -= (c == ']') as i32;
                        keep && c != ']'
                    })
                    .collect();
                plain.split_whitespace().filter(|w| !w.starts_with('-') && !w.starts_with('<')).count()
            };
            let next = help.lines().skip_while(|l| *l != line).nth(1).unwrap_or("");
            let described = words(line) > 0 || (next.starts_with("          ") && words(next) > 0);
            assert!(described, "`{command} {option}` has no help text:\n{help}");
        }
    }
    let contoso = example("contoso");
    let output = hybridlint().args(["addresses", "jsmtih", "--path", &contoso]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `jsmith`?"));
    let output = hybridlint().args(["addresses", "nobody", "--path", &contoso]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("names are the `name` keys"));
}
