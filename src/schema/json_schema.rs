//! `hybridlint schema`: the JSON Schema of the file format, for editors (Taplo / Even Better TOML read it
//! through a `#:schema` comment). Generated from the tables in `format.rs` that the model builder checks
//! files against, so the two cannot drift apart.

use serde_json::{Map, Value, json};

use crate::schema::fields::{self as format, Key, Kind};

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::String => json!({ "type": "string" }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Integer => json!({ "type": "integer" }),
        Kind::Date => json!({ "type": "string", "format": "date" }),
        // What the GUID check accepts: hyphenated or not, optionally in braces.
        Kind::Guid => json!({
            "type": "string",
            "pattern": "^\\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\\}?$"
        }),
        Kind::Strings => json!({ "type": "array", "items": { "type": "string" } }),
        Kind::OneOf(values) => json!({ "type": "string", "enum": values }),
        Kind::SomeOf(values) => json!({ "type": "array", "items": { "type": "string", "enum": values } }),
        Kind::RuleReasons => json!({
            "type": "object",
            "additionalProperties": { "type": "string", "minLength": 1 }
        }),
        Kind::Conditions => {
            let properties: Map<String, Value> = format::condition_keys()
                .map(|k| (k.to_string(), json!({ "type": "array", "items": { "type": "string" } })))
                .collect();
            json!({ "type": "object", "properties": properties, "additionalProperties": false })
        }
        Kind::RuleLevels => json!({
            "type": "object",
            "additionalProperties": { "type": "string", "enum": format::LEVELS }
        }),
        Kind::Exceptions => json!({ "type": "array", "items": { "$ref": "#/definitions/exception" } }),
        Kind::Table(keys) => table(keys.iter(), ""),
    }
}

fn table<'k>(keys: impl Iterator<Item = &'k Key>, description: &str) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for key in keys {
        let mut schema = kind_schema(key.kind);
        let mut doc = key.doc.to_string();
        if key.applies != crate::schema::fields::Applies::All {
            doc.push_str(&format!(" (applies to {})", key.applies.describe()));
        }
        schema["description"] = json!(doc);
        properties.insert(key.name.to_string(), schema);
        if key.required {
            required.push(key.name);
        }
    }
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

/// `[[rule]]`: an organisation rule with one constraint on a field.
fn rule_schema() -> Value {
    let field = json!({
        "type": "string",
        "description": "A recipient key, primary_smtp_address or effective_addresses, optionally with .domain or .local_part",
        "pattern": format!("^({})(\\.(domain|local_part))?$", crate::schema::fields::recipient::rule_field_names().join("|"))
    });
    let globs = json!({ "type": "array", "items": { "type": "string" } });
    let constraint = |properties: Value, required: &[&str]| json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false });
    let matching = constraint(json!({ "field": field, "glob": { "type": "string" }, "globs": globs }), &["field"]);
    json!({
        "type": "object",
        "description": "An organisation rule: a selection of recipients and exactly one constraint",
        "properties": {
            "name": { "type": "string", "pattern": "^[^/]+/.+$", "description": "Namespaced: organisation/rule" },
            "severity": { "type": "string", "enum": ["info", "warning", "error"] },
            "summary": { "type": "string" },
            "explanation": { "type": "string" },
            "help": { "type": "string" },
            "select": constraint(json!({
                "types": globs, "names": globs, "files": globs,
                "source": { "type": "string", "enum": format::SOURCES }
            }), &[]),
            "deny": matching,
            "require": matching,
            "unique": constraint(json!({ "field": field }), &["field"]),
            "max_length": constraint(json!({ "field": field, "max": { "type": "integer", "minimum": 0 } }), &["field", "max"])
        },
        "required": ["name", "severity", "summary"],
        "oneOf": [
            { "required": ["deny"] }, { "required": ["require"] }, { "required": ["unique"] }, { "required": ["max_length"] }
        ],
        "additionalProperties": false
    })
}

/// The schema, as pretty JSON with a final newline.
pub fn generate() -> String {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "hybridlint configuration",
        "description": "Exchange hybrid recipient configuration linted by hybridlint: [tenant] and [lint] in hybridlint.toml, [[recipient]], [[email_address_policy]] and [[rule]] tables in any file",
        "type": "object",
        "properties": {
            "tenant": { "$ref": "#/definitions/tenant" },
            "lint": { "$ref": "#/definitions/lint" },
            "recipient": { "type": "array", "items": { "$ref": "#/definitions/recipient" } },
            "email_address_policy": { "type": "array", "items": { "$ref": "#/definitions/email_address_policy" } },
            "rule": { "type": "array", "items": { "$ref": "#/definitions/rule" } },
            "migration_endpoint": { "type": "array", "items": { "$ref": "#/definitions/migration_endpoint" } },
            "migration_batch": { "type": "array", "items": { "$ref": "#/definitions/migration_batch" } }
        },
        "additionalProperties": false,
        "definitions": {
            "tenant": table(format::TENANT.iter(), "The tenant (hybridlint.toml only)"),
            "lint": table(format::LINT.iter(), "Lint settings (hybridlint.toml only)"),
            "exception": table(format::EXCEPTION.iter(), "A suppression kept outside the recipient files"),
            "recipient": table(format::recipient_keys(), "A recipient, as Get-Recipient shows it"),
            "email_address_policy": table(format::POLICY.iter(), "An email address policy"),
            "rule": rule_schema(),
            "migration_endpoint": table(format::MIGRATION_ENDPOINT.iter(), "How Exchange Online reaches the source to move mailboxes"),
            "migration_batch": table(format::MIGRATION_BATCH.iter(), "A wave of mailbox moves")
        }
    });
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
