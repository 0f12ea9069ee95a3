//! The JSON Schema for editors (committed, never stale, and true of the examples) and `hybridlint init`.

use std::path::Path;

use assert_cmd::Command;

mod common;

fn hybridlint() -> Command {
    Command::cargo_bin("hybridlint").unwrap()
}

#[test]
fn committed_schema_is_current() {
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hybridlint.schema.json")).unwrap();
    assert!(
        committed == hybridlint::schema::json_schema::generate(),
        "hybridlint.schema.json is stale: run `cargo run -- schema > hybridlint.schema.json`"
    );
    let output = hybridlint().arg("schema").output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), committed);
}

/// TOML as the JSON an editor validates (dates become strings).
fn to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::json!(i),
        toml::Value::Float(f) => serde_json::json!(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            serde_json::Value::Object(table.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
    }
}

#[test]
fn valid_files_validate_and_mistakes_do_not() {
    let schema: serde_json::Value = serde_json::from_str(&hybridlint::schema::json_schema::generate()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&examples) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "toml") {
            let value: toml::Value = toml::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            let json = to_json(value);
            let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", entry.path().display());
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} example files");
    let misspelt: toml::Value =
        toml::from_str("[[recipient]]\nname = \"a\"\ntype = \"UserMailbx\"\nproxy_adresses = []\n").unwrap();
    assert!(!validator.is_valid(&to_json(misspelt)));
}

#[test]
fn init_creates_a_repository_that_passes_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("contoso-recipients");
    let output = hybridlint()
        .arg("init")
        .arg(&target)
        .args(["--tenant", "fabrikam", "--domain", "fabrikam.com"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let config = std::fs::read_to_string(target.join("hybridlint.toml")).unwrap();
    assert!(config.starts_with("#:schema ./hybridlint.schema.json"));
    assert!(config.contains("name = \"fabrikam\""));
    let check = hybridlint().arg("check").arg(&target).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    assert!(String::from_utf8_lossy(&check.stdout).contains("0 errors, 0 warnings, 0 infos"));

    let before = std::fs::read_to_string(target.join("recipients/example.toml")).unwrap();
    std::fs::write(target.join("recipients/example.toml"), "# mine\n").unwrap();
    let again = hybridlint()
        .arg("init")
        .arg(&target)
        .args(["--tenant", "fabrikam", "--domain", "fabrikam.com"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not overwriting"));
    // No placeholder tenant: without --tenant and --domain, init asks for them.
    let asked = hybridlint().arg("init").arg(dir.path().join("other")).output().unwrap();
    assert_eq!(asked.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&asked.stderr).contains("--tenant"));
    assert_eq!(std::fs::read_to_string(target.join("recipients/example.toml")).unwrap(), "# mine\n");
    assert_ne!(before, "# mine\n");
}

/// Every `[[recipient]]` key goes through the model builder and comes back out through the field table
/// with the value written: a key added to the table but not stored by the builder fails here.
#[test]
fn every_recipient_key_round_trips_through_the_model() {
    use hybridlint::model::{RecipientType, Source};
    use hybridlint::schema::fields::Kind;
    use hybridlint::schema::fields::recipient::fields;

    for field in fields() {
        let key = field.key.name;
        let (kind, source) = RecipientType::ALL
            .iter()
            .flat_map(|&kind| [(kind, Source::OnPremises), (kind, Source::Cloud)])
            .find(|&(kind, source)| field.key.applies.matches(kind, source))
            .unwrap_or_else(|| panic!("`{key}` applies to no recipient"));
        let source_text = if source == Source::Cloud { "cloud" } else { "on-premises" };
        let (written, expected) = match (key, field.key.kind) {
            ("name", _) => (String::new(), "roundtrip".to_string()),
            ("type", _) => (String::new(), kind.name().to_string()),
            ("source", _) => (String::new(), source_text.to_string()),
            (_, Kind::String) => (format!("{key} = \"value of {key}\""), format!("value of {key}")),
            (_, Kind::Guid) => (
                format!("{key} = \"5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d\""),
                "5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d".to_string(),
            ),
            (_, Kind::Strings) => (format!("{key} = [\"smtp:{key}@contoso.com\"]"), format!("smtp:{key}@contoso.com")),
            (_, Kind::Bool) => (format!("{key} = true"), "true".to_string()),
            (_, Kind::Date) => (format!("{key} = 2026-01-02"), "2026-01-02".to_string()),
            (_, Kind::RuleReasons) => (format!("{key} = {{ schema = \"why\" }}"), "schema".to_string()),
            (_, other) => panic!("`{key}` has a kind the round trip does not know: {other:?}"),
        };
        let text = format!(
            "[[recipient]]\nname = \"roundtrip\"\ntype = \"{}\"\nsource = \"{source_text}\"\n{written}\n",
            kind.name()
        );
        let files = common::sources(&[("recipients/r.toml", &text)]);
        let (model, found) = hybridlint::build_model(&files, &common::options());
        assert!(found.is_empty(), "`{key}`: {:?}", found.iter().map(|d| &d.message).collect::<Vec<_>>());
        let recipient = model.recipients.first().expect("the recipient was built");
        let values: Vec<String> = field.values(recipient).into_iter().map(|v| v.text.into_owned()).collect();
        assert_eq!(values, [expected], "`{key}` did not come back out of the model");
    }
}

/// What the checker rejects for a value's type or format, an editor validating with the JSON Schema
/// rejects too; what the checker accepts, the schema accepts.
#[test]
fn the_schema_and_the_checker_agree_on_types_and_formats() {
    let schema: serde_json::Value = serde_json::from_str(&hybridlint::schema::json_schema::generate()).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let recipient = |extra: &str| {
        format!(
            "[[recipient]]\nname = \"jsmith\"\ntype = \"RemoteUserMailbox\"\nremote_routing_address = \"jsmith@contoso.mail.onmicrosoft.com\"\n{extra}\n"
        )
    };
    let cases: &[(&str, bool)] = &[
        ("provisioned = 2025-03-14", true),
        ("provisioned = \"2025-03-14\"", true),
        ("provisioned = \"14.03.2025\"", false),
        ("provisioned = \"2025-02-30\"", false),
        ("licensed = \"yes\"", false),
        ("exchange_guid = \"5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d\"", true),
        ("exchange_guid = \"{5D2A7B1E-8C3F-4E6A-9B0D-2F1E3C4A5B6D}\"", true),
        ("exchange_guid = \"not-a-guid\"", false),
        ("archive_guid = \"5d2a7b1e8c3f4e6a9b0d2f1e3c4a5b6\"", false),
        ("proxy_adresses = []", false),
        ("proxy_addresses = \"SMTP:a@contoso.com\"", false),
        ("source = \"cloudy\"", false),
    ];
    for (extra, valid) in cases {
        let text = recipient(extra);
        let files = common::sources(&[("recipients/r.toml", &text)]);
        let report = hybridlint::lint(files, &common::options());
        let rejected_by_check = report.diagnostics.iter().any(|d| d.rule == "schema" || d.rule == "invalid-guid");
        let json = to_json(toml::from_str(&text).unwrap());
        let rejected_by_schema = !validator.is_valid(&json);
        assert_eq!(rejected_by_check, !valid, "checker on `{extra}`: {:?}", report.diagnostics);
        assert_eq!(rejected_by_schema, !valid, "schema on `{extra}`");
    }
}
