//! JSON as `ConvertTo-Json` writes it: an array of objects or a single object. Windows PowerShell 5.1 writes
//! enums as their numbers (`"RecipientTypeDetails": 2147483648`) and wraps some values in the PSObject they
//! came in (`{"value": "...", "Guid": "..."}`, `{"value": [...], "Count": 2}`); ADObjectId values are objects
//! with a `DistinguishedName`; EmailAddresses are strings, or ProxyAddress objects with a
//! `ProxyAddressString`; dates are `/Date(ms)/`. Arrays stay arrays: their elements are never joined.

use serde_json::Value;

use super::{Imported, Prop, Row, Skipped, key_for, set_value};

/// The text of a scalar, an ADObjectId, a ProxyAddress or a wrapped value.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Array(_) => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => {
            if let Some(inner) = map.get("value") {
                return text_of(inner);
            }
            ["ProxyAddressString", "DistinguishedName", "AddressString"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
                .map(String::from)
        }
    }
}

fn prop_of(value: &Value) -> Option<Prop> {
    match value {
        Value::Array(items) => Some(Prop::List(items.iter().filter_map(text_of).collect())),
        Value::Object(map) if map.get("value").is_some_and(Value::is_array) => prop_of(&map["value"]),
        other => text_of(other).map(Prop::Text),
    }
}

/// The line each object of the top-level array starts on, for reports: serde_json does not keep positions, so
/// the objects are located by counting brackets outside strings.
fn object_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut line) = (0usize, false, false, 1usize);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => {
                if depth <= 1 {
                    lines.push(line);
                }
                depth += 1;
            }
            '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    lines
}

pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    read_text(&super::decode(bytes)?)
}

pub fn read_text(text: &str) -> Result<Imported, String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("not valid JSON at line {}, column {}: {}", e.line(), e.column(), e))?;
    let objects = match value {
        Value::Array(items) => items,
        Value::Object(map) if map.get("value").is_some_and(Value::is_array) => {
            match map.into_iter().find(|(k, _)| k == "value") {
                Some((_, Value::Array(items))) => items,
                _ => Vec::new(),
            }
        }
        object @ Value::Object(_) => vec![object],
        _ => return Err("expected an array of objects, or one object".into()),
    };
    let lines = object_lines(text);
    let mut imported = Imported::default();
    let mut ignored = std::collections::BTreeSet::new();
    for (i, object) in objects.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let Value::Object(map) = object else {
            imported.skipped.push(Skipped::invalid(line, "not an object"));
            continue;
        };
        let mut row = Row { line, ..Row::default() };
        let mut error = None;
        for (property, value) in map {
            let Some(key) = key_for(property) else {
                ignored.insert(property.clone());
                continue;
            };
            if let Some(prop) = prop_of(value)
                && let Err(e) = set_value(&mut row, key, property, prop)
            {
                error = Some(e);
                break;
            }
        }
        imported.finish_row(line, row, error);
    }
    imported.ignored = ignored.into_iter().collect();
    Ok(imported)
}
