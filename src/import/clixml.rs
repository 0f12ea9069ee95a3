//! CLIXML as `Export-Clixml` writes it (PowerShell's serialization, "PowerShell Remoting Protocol" section
//! 2.2.5): `<Objs>` of `<Obj>`s whose `<Props>` and `<MS>` hold named values: `<S>` strings (characters outside
//! XML escaped as `_xHHHH_`), `<B>`, `<G>`, `<DT>`, `<I32>`/`<I64>`/`<U64>`, `<Nil>`, nested `<Obj>`s
//! (enums and ADObjectIds with a `<ToString>`, collections as `<LST>`), and `<Ref RefId>` to an object
//! written earlier. Read with `roxmltree`.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use super::{Imported, Prop, Row, Skipped, key_for, set_value};

/// `_x000D__x000A_` to CRLF: how the serializer escapes characters XML cannot carry.
fn unescape(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_string();
    }
    let mut units: Vec<u16> = Vec::new();
    let mut out = String::new();
    let mut rest = text;
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.push_str(&String::from_utf16_lossy(units));
        units.clear();
    };
    while !rest.is_empty() {
        if rest.starts_with("_x")
            && rest.as_bytes().get(6) == Some(&b'_')
            && let Some(hex) = rest.get(2..6).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            && let Ok(unit) = u16::from_str_radix(hex, 16)
        {
            units.push(unit);
            rest = &rest[7..];
            continue;
        }
        flush(&mut units, &mut out);
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut units, &mut out);
    out
}

struct Reader<'a, 'input> {
    /// Every `<Obj RefId>`, for `<Ref RefId>`.
    objects: HashMap<&'a str, Node<'a, 'input>>,
}

impl<'a, 'input> Reader<'a, 'input> {
    /// The text of a scalar, an enum or an ADObjectId (its ToString), or of a referenced object.
    fn text(&self, node: Node<'a, 'input>) -> Option<String> {
        match node.tag_name().name() {
            "Nil" => None,
            "Ref" => node.attribute("RefId").and_then(|id| self.objects.get(id)).and_then(|obj| self.text(*obj)),
            "Obj" => {
                let child = |name: &str| node.children().find(|c| c.has_tag_name(name));
                child("ToString").map(|t| unescape(t.text().unwrap_or_default()))
            }
            "B" => Some(if node.text().unwrap_or_default().trim() == "true" { "True" } else { "False" }.into()),
            _ => Some(unescape(node.text().unwrap_or_default())),
        }
    }

    /// A property's value: a list for collections, else text.
    fn prop(&self, node: Node<'a, 'input>) -> Option<Prop> {
        let target = match node.tag_name().name() {
            "Ref" => *node.attribute("RefId").and_then(|id| self.objects.get(id))?,
            _ => node,
        };
        if target.has_tag_name("Obj")
            && let Some(list) = target.children().find(|c| ["LST", "IE", "STK", "QUE"].contains(&c.tag_name().name()))
        {
            return Some(Prop::List(list.children().filter(Node::is_element).filter_map(|i| self.text(i)).collect()));
        }
        self.text(target).map(Prop::Text)
    }
}

pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    read_text(&super::decode(bytes)?)
}

pub fn read_text(text: &str) -> Result<Imported, String> {
    let document = Document::parse(text).map_err(|e| format!("not valid CLIXML: {e}"))?;
    let root = document.root_element();
    if !root.has_tag_name("Objs") {
        return Err(format!(
            "not CLIXML (Export-Clixml): the root element is <{}>, not <Objs>",
            root.tag_name().name()
        ));
    }
    let reader = Reader {
        objects: document
            .descendants()
            .filter(|n| n.has_tag_name("Obj"))
            .filter_map(|n| n.attribute("RefId").map(|id| (id, n)))
            .collect(),
    };
    let mut imported = Imported::default();
    let mut ignored = std::collections::BTreeSet::new();
    for object in root.children().filter(|n| n.is_element()) {
        let line = document.text_pos_at(object.range().start).row as usize;
        if !object.has_tag_name("Obj") {
            imported.skipped.push(Skipped::invalid(line, format!("<{}> is not an object", object.tag_name().name())));
            continue;
        }
        let mut row = Row { line, ..Row::default() };
        let mut error = None;
        let properties = object
            .children()
            .filter(|c| c.has_tag_name("Props") || c.has_tag_name("MS"))
            .flat_map(|c| c.children().filter(Node::is_element));
        for property in properties {
            let Some(name) = property.attribute("N") else { continue };
            let Some(key) = key_for(name) else {
                ignored.insert(name.to_string());
                continue;
            };
            if let Some(prop) = reader.prop(property)
                && let Err(e) = set_value(&mut row, key, name, prop)
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

#[cfg(test)]
mod tests {
    #[test]
    fn escaped_characters() {
        assert_eq!(super::unescape("a_x000D__x000A_b"), "a\r\nb");
        assert_eq!(super::unescape("plain_x_text"), "plain_x_text");
        assert_eq!(super::unescape("_xD83D__xDE00_"), "\u{1F600}");
    }
}
