//! The bad-input catalogue: every case ends in a located diagnostic (or nothing, for odd but valid input)
//! and never in a crash (exit code 101) or a hang.

use std::path::Path;

use assert_cmd::Command;

const TENANT: &str = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n";

fn repository(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hybridlint.toml"), TENANT).unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Runs `check --format concise` and returns (exit code, stdout).
fn check(dir: &Path) -> (i32, String) {
    let output =
        Command::cargo_bin("hybridlint").unwrap().arg("check").arg(dir).args(["--format", "concise"]).output().unwrap();
    let code = output.status.code().expect("hybridlint was killed");
    assert_ne!(code, 101, "hybridlint panicked: {}", String::from_utf8_lossy(&output.stderr));
    (code, String::from_utf8_lossy(&output.stdout).into_owned())
}

fn assert_finding(files: &[(&str, &[u8])], expected: &str) {
    let dir = repository(files);
    let (code, text) = check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
}

fn assert_clean(files: &[(&str, &[u8])]) {
    let dir = repository(files);
    let (code, text) = check(dir.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(": 0 errors, 0 warnings, 0 infos"), "{text}");
}

const MAILBOX: &str = "[[recipient]]\nname = \"a\"\ntype = \"UserMailbox\"\nupn = \"a@contoso.com\"\nalias = \"a\"\nproxy_addresses = [\"SMTP:a@contoso.com\", \"smtp:a@contoso.mail.onmicrosoft.com\"]\n";

#[test]
fn empty_file_bom_only_and_crlf_are_fine() {
    assert_clean(&[("empty.toml", b"")]);
    assert_clean(&[("bom.toml", b"\xEF\xBB\xBF")]);
    let crlf = MAILBOX.replace('\n', "\r\n") + "bogus = 1\r\n";
    assert_finding(&[("crlf.toml", crlf.as_bytes())], "crlf.toml:7:1: error[schema]: unknown key `bogus`");
}

#[test]
fn nul_bytes_and_invalid_utf8() {
    assert_finding(&[("nul.toml", b"[[recipient]]\nname = \"a\0b\"\n")], "nul.toml:2:");
    assert_finding(
        &[("key.toml", b"[[recipient]]\nna\xFFme = \"a\"\n")],
        "key.toml:2:3: error[toml-syntax]: file is not valid UTF-8",
    );
    assert_finding(
        &[("value.toml", b"[[recipient]]\nname = \"\xC3\x28\"\n")],
        "value.toml:2:9: error[toml-syntax]: file is not valid UTF-8",
    );
}

#[test]
fn a_fifty_megabyte_string() {
    let mut text = b"[[recipient]]\ntype = \"UserMailbox\"\nname = \"".to_vec();
    text.extend(std::iter::repeat_n(b'a', 50 * 1024 * 1024));
    text.extend(b"\"\n");
    assert_finding(&[("big.toml", &text)], "big.toml:3:8: error[schema]: recipient name");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let arrays = format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_finding(&[("arrays.toml", arrays.as_bytes())], "arrays.toml:1:");
    let tables = format!("y = {}1{}\n", "{a = ".repeat(100_000), "}".repeat(100_000));
    assert_finding(&[("tables.toml", tables.as_bytes())], "tables.toml:1:");
}

#[test]
fn a_hundred_thousand_recipients_in_one_file() {
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!(
            "[[recipient]]\nname = \"u{i}\"\ntype = \"MailContact\"\nexternal_email_address = \"u{i}@partner.example\"\nemail_address_policy_enabled = false\n"
        ));
    }
    text.push_str(
        "[[recipient]]\nname = \"u7\"\ntype = \"MailContact\"\nexternal_email_address = \"x@partner.example\"\n",
    );
    assert_finding(&[("many.toml", text.as_bytes())], "error[duplicate-name]: recipient name `u7` is used twice");
}

#[test]
fn duplicate_keys_redefined_tables_and_impossible_dates() {
    assert_finding(
        &[("dup.toml", b"[[recipient]]\nname = \"a\"\nname = \"b\"\n")],
        "dup.toml:3:1: error[toml-syntax]: duplicate key",
    );
    assert_finding(&[("table.toml", b"[a]\nx = 1\n[a]\ny = 2\n")], "table.toml:3:");
    let date = MAILBOX.replace("type = \"UserMailbox\"", "type = \"RemoteUserMailbox\"\nprovisioned = 2026-02-30");
    assert_finding(&[("date.toml", date.as_bytes())], "date.toml:4:15: error[toml-syntax]: invalid date");
}

#[test]
fn a_directory_named_like_a_file_and_a_symlink_loop() {
    let dir = repository(&[("recipients/a.toml", MAILBOX.as_bytes())]);
    std::fs::create_dir_all(dir.path().join("x.toml")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("recipients/loop")).unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(code, 0, "{text}");
}

#[test]
fn an_unreadable_file() {
    let dir = repository(&[("secret.toml", MAILBOX.as_bytes())]);
    let path = dir.path().join("secret.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // Permissions do not stop root: there the file is simply read, and the case shows nothing.
    if std::fs::read(&path).is_ok() {
        return;
    }
    let (code, text) = check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("secret.toml:1:1: error[toml-syntax]: cannot read this file"), "{text}");
}

#[test]
fn a_broken_root_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hybridlint.toml"), "[tenant\nname = \"contoso\"\n").unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("hybridlint.toml:1:8: error[toml-syntax]"), "{text}");
}

#[test]
fn a_file_over_the_size_limit_is_reported_not_read() {
    let dir = repository(&[("big.toml", MAILBOX.repeat(10).as_bytes())]);
    std::fs::write(dir.path().join("hybridlint.toml"), format!("{TENANT}\n[lint]\nmax_file_size = 1000\n")).unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "big.toml:1:1: error[toml-syntax]: cannot read this file: it is 1600 bytes, over the limit of 1000"
        ),
        "{text}"
    );
}
