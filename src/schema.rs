//! `hybridlint schema`: the JSON Schema of the file format, for editors (Taplo / Even Better TOML read it
//! through a `#:schema` comment). Generated from the tables in `format.rs` that the model builder checks
//! files against, so the two cannot drift apart.

use serde_json::{Map, Value, json};

use crate::format::{self, Key, Kind};

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::String => json!({ "type": "string" }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Integer => json!({ "type": "integer" }),
        Kind::Date => json!({ "type": "string", "format": "date" }),
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
    }
}

fn table<'k>(keys: impl Iterator<Item = &'k Key>, description: &str) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for key in keys {
        let mut schema = kind_schema(key.kind);
        let mut doc = key.doc.to_string();
        if key.applies != format::Applies::All {
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
            "rule": {
                "type": "array",
                "description": "Organisation rules (custom constraints)",
                "items": { "type": "object" }
            }
        },
        "additionalProperties": false,
        "definitions": {
            "tenant": table(format::TENANT.iter(), "The tenant (hybridlint.toml only)"),
            "lint": table(format::LINT.iter(), "Lint settings (hybridlint.toml only)"),
            "exception": table(format::EXCEPTION.iter(), "A suppression kept outside the recipient files"),
            "recipient": table(format::recipient_keys(), "A recipient, as Get-Recipient shows it"),
            "email_address_policy": table(format::POLICY.iter(), "An email address policy")
        }
    });
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
