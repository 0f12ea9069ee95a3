//! JSON as `ConvertTo-Json -Depth 4` writes it: an array of objects or a single object; EmailAddresses as
//! strings or as objects with `ProxyAddressString`/`AddressString`; dates as `/Date(ms)/`.

use serde_json::Value;

use super::{Imported, Skipped, convert, decode, key_for};

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(address_of).collect();
            Some(parts.join(";"))
        }
        Value::Object(_) => address_of(value),
    }
}

/// An element of EmailAddresses: a string, or a deserialized ProxyAddress object.
fn address_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => {
            map.get("ProxyAddressString").or_else(|| map.get("AddressString")).and_then(Value::as_str).map(String::from)
        }
        _ => None,
    }
}

/// The line an object starts on, for reports: serde_json does not keep positions, so the objects of the
/// top-level array are located by counting.
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
    let text = decode(bytes)?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("not valid JSON at line {}, column {}: {}", e.line(), e.column(), e))?;
    let objects = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err("expected an array of objects, or one object".into()),
    };
    let lines = object_lines(&text);
    let mut imported = Imported::default();
    let mut ignored = std::collections::BTreeSet::new();
    for (i, object) in objects.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let Value::Object(map) = object else {
            imported.skipped.push(Skipped { line, reason: "not an object".into() });
            continue;
        };
        for key in map.keys().filter(|k| key_for(k).is_none()) {
            ignored.insert(key.clone());
        }
        let properties = map.iter().filter_map(|(k, v)| text_of(v).map(|t| (k.clone(), t)));
        match convert(line, properties) {
            Ok(row) => imported.rows.push(row),
            Err(reason) => imported.skipped.push(Skipped { line, reason }),
        }
    }
    imported.ignored = ignored.into_iter().collect();
    Ok(imported)
}
