//! Output formats for CI: SARIF (validated against the official 2.1.0 schema), GitHub annotations, JUnit,
//! several formats in one run, suppressions and baselines.

mod common;

use std::path::Path;

use assert_cmd::Command;

fn hybridlint() -> Command {
    let mut command = Command::cargo_bin("hybridlint").unwrap();
    command.env_remove("NO_COLOR");
    command
}

fn contoso() -> String {
    format!("{}/examples/contoso", env!("CARGO_MANIFEST_DIR"))
}

/// A copy of an example repository in a temporary directory.
fn copy_example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    for entry in walkdir::WalkDir::new(&source) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&source).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

fn sarif_validator() -> jsonschema::Validator {
    // The official file's pattern for `language` has a stray `]` that strict regular-expression checking
    // rejects; escape it so that the schema compiles. Nothing else is changed.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let text = include_str!("sarif-schema-2.1.0.json");
    assert!(text.contains(stray));
    let text = text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(sarif: &serde_json::Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
}

#[test]
fn sarif_from_the_example_validates_against_the_schema() {
    let output = hybridlint().args(["check", &contoso(), "--format", "sarif"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert!(result["locations"].as_array().is_some_and(|l| !l.is_empty()), "{result}");
        assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        // Every result's rule is described in the driver, organisation rules included.
        assert!(result["ruleIndex"].is_u64(), "{result}");
        assert!(result["partialFingerprints"]["hybridlint/v1"].is_string());
    }
    let duplicate = results.iter().find(|r| r["ruleId"] == "duplicate-proxy-address").unwrap();
    // Relative to the git work tree, which is what GitHub resolves them against.
    assert_eq!(
        duplicate["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/contoso/recipients/it.toml"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() > hybridlint::catalogue::builtin().len(), "organisation rules are listed too");
    assert!(rules.iter().all(|r| r["properties"]["tags"].is_array() && r["help"]["markdown"].is_string()));
    assert_eq!(run["tool"]["driver"]["semanticVersion"], env!("CARGO_PKG_VERSION"));
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help", "defaultConfiguration"] {
            assert!(rule.get(key).is_some(), "rule without {key}: {rule}");
        }
    }
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap().starts_with("file://"));
}

#[test]
fn sarif_of_a_clean_repository_has_empty_results() {
    let clean = format!("{}/examples/clean", env!("CARGO_MANIFEST_DIR"));
    let output = hybridlint().args(["check", &clean, "--format", "sarif"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

const TENANT: &str = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n";

fn mailbox(name: &str, primary: &str, extra: &str) -> String {
    format!(
        "[[recipient]]\nname = \"{name}\"\ntype = \"UserMailbox\"\nupn = \"{name}@contoso.com\"\nalias = \"{name}\"\nproxy_addresses = [\"SMTP:{primary}\", \"smtp:{name}@contoso.mail.onmicrosoft.com\"]\n{extra}\n"
    )
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn github_annotations_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hybridlint.toml", TENANT);
    write(dir.path(), "sales,emea.toml", &mailbox("a", "a@contoso.com", "upn_extra = 1"));
    let output = hybridlint().current_dir(dir.path()).args(["check", "--format", "github"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text,
        "::error file=sales%2Cemea.toml,line=7,col=1,endLine=7,endColumn=10,title=schema::unknown key `upn_extra` in recipient `a`%0Ahelp: did you mean `upn`?\n"
    );
}

#[test]
fn junit_and_several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let output = hybridlint()
        .args(["check", &contoso(), "--format", "concise"])
        .arg("--format")
        .arg(format!("sarif:{}", sarif.display()))
        .arg("--format")
        .arg(format!("junit:{}", junit.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error[duplicate-proxy-address]"));
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_valid_sarif(&sarif);
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(junit.starts_with("<?xml"));
    // Failures are the findings at or above --fail-on (errors by default): the report is red exactly when
    // the job is.
    let failures = junit.matches("<failure ").count();
    let errors = sarif["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r["level"] == "error").count();
    assert_eq!(failures, errors);
    assert!(junit.matches("<testcase ").count() > failures);
    // Two formats on standard output is an error.
    let output = hybridlint().args(["check", &contoso(), "--format", "json", "--format", "sarif"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn baseline_accepts_known_findings_and_reports_new_ones() {
    let repo = copy_example("contoso");
    let baseline = repo.path().join("baseline.json");
    let written = hybridlint().arg("check").arg(repo.path()).arg("--write-baseline").arg(&baseline).output().unwrap();
    assert_eq!(written.status.code(), Some(0), "writing a baseline succeeds");
    assert!(written.stdout.is_empty(), "and reports nothing else");
    assert!(String::from_utf8_lossy(&written.stderr).contains("wrote a baseline of"));
    let run = || {
        hybridlint()
            .arg("check")
            .arg(repo.path())
            .args(["--format", "concise", "--fail-on", "warning", "--baseline"])
            .arg(&baseline)
            .output()
            .unwrap()
    };
    let output = run();
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");

    // Moving a recipient to another file and reformatting keeps it baselined.
    let sales = std::fs::read_to_string(repo.path().join("recipients/sales.toml")).unwrap();
    let start = sales.find("[[recipient]]\nname = \"obrien\"").unwrap();
    let end = start + sales[start + 1..].find("[[recipient]]").unwrap() + 1;
    let moved = sales[start..end].replace(" = ", "   =   ");
    std::fs::write(repo.path().join("recipients/sales.toml"), format!("{}{}", &sales[..start], &sales[end..])).unwrap();
    std::fs::write(repo.path().join("recipients/moved.toml"), format!("\n\n{moved}")).unwrap();
    let output = run();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));

    // A new duplicate is reported, and only it.
    let extra = mailbox("newhire", "newhire@contoso.com", "").replace("\"]\n", "\", \"smtp:helpdesk@contoso.com\"]\n");
    std::fs::write(repo.path().join("recipients/new.toml"), extra).unwrap();
    let output = run();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    let findings: Vec<&str> = text.lines().filter(|l| l.contains(": error[") || l.contains(": warning[")).collect();
    assert_eq!(findings.len(), 1, "{text}");
    assert!(findings[0].contains("recipients/new.toml") && findings[0].contains("duplicate-proxy-address"), "{text}");

    // Removing a baselined problem leaves a stale entry, reported as an info.
    std::fs::remove_file(repo.path().join("recipients/moved.toml")).unwrap();
    let output = run();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("info[unused-exception]: baseline entry `invalid-alias`"), "{text}");
}

#[test]
fn suppressions_are_shown_with_their_reason_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "hybridlint.toml",
        &format!(
            "{TENANT}\n[[lint.exception]]\nrule = \"duplicate-proxy-address\"\nfiles = [\"b.toml\"]\nreason = \"shared mailbox cut-over on Friday\"\n"
        ),
    );
    write(
        dir.path(),
        "a.toml",
        &mailbox("a", "a@contoso.com", "allow = { upn-domain-not-verified = \"legacy suffix until the migration\" }")
            .replace("a@contoso.com\"\nalias", "a@contoso.local\"\nalias"),
    );
    write(dir.path(), "b.toml", &mailbox("b", "a@contoso.com", ""));
    let output =
        hybridlint().arg("check").arg(dir.path()).args(["--format", "json", "--show-suppressed"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["summary"]["suppressed"], 2);
    let kinds: Vec<(String, String)> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["suppressed"]["kind"].as_str().unwrap().to_string(),
                d["suppressed"]["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(kinds.contains(&("allow".into(), "legacy suffix until the migration".into())), "{kinds:?}");
    assert!(kinds.contains(&("exception".into(), "shared mailbox cut-over on Friday".into())), "{kinds:?}");
    // Without --show-suppressed they are not listed.
    let output = hybridlint().arg("check").arg(dir.path()).args(["--format", "json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["diagnostics"], serde_json::json!([]));
}
