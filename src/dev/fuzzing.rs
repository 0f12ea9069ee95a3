//! Entry points for the fuzz targets (`fuzz/`), also run over the saved corpora as ordinary tests, so
//! that every input that once crashed stays a regression test. Each must never panic.

use crate::render::{Format, RenderOptions, render};
use crate::source::{SourceFile, SourceFiles};

const ROOT: &str = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n\n[lint]\ntoday = 2026-11-22\n";

/// Arbitrary bytes as up to four files of a repository (split at `\0`), through the whole pipeline and
/// every renderer, whose outputs are then checked: the event reader builds what the table reader builds,
/// SARIF URIs decode back to the file's path, JUnit is well-formed XML, and the terminal formats carry no
/// control characters but newlines and tabs. The first piece may replace the root configuration when it
/// starts with `[tenant]`; a piece whose first line is `#path NAME` is read
/// under that (hostile) name.
pub fn check(data: &[u8]) {
    let mut files = Vec::new();
    let mut pieces = data.split(|&b| b == 0).filter(|p| !p.is_empty()).take(4).peekable();
    let root = match pieces.peek() {
        Some(first) if first.starts_with(b"[tenant]") => pieces.next().map(<[u8]>::to_vec),
        _ => None,
    };
    files.push(SourceFile::from_bytes("hybridlint.toml".into(), root.unwrap_or_else(|| ROOT.as_bytes().to_vec())));
    for (i, piece) in pieces.enumerate() {
        let path = match piece.strip_prefix(b"#path ") {
            Some(rest) => {
                let name = rest.split(|&b| b == b'\n').next().unwrap_or_default();
                format!("recipients/{i}-{}.toml", String::from_utf8_lossy(name))
            }
            None => format!("recipients/f{i}.toml"),
        };
        if let Ok(text) = std::str::from_utf8(piece)
            && let Err(difference) = crate::schema::build::readers_agree(text)
        {
            panic!("the event reader and the table reader disagree on {path}:\n{difference}");
        }
        files.push(SourceFile::from_bytes(path, piece.to_vec()));
    }
    let options = crate::Options { root_config: "hybridlint.toml".into(), ..Default::default() };
    let report = crate::lint(SourceFiles::new(files), &options);
    // A contained panic still loses findings: for the fuzzer and the corpus test it is a failure.
    assert!(report.internal_errors.is_empty(), "internal errors: {:?}", report.internal_errors);
    let render_options = RenderOptions { root: ".".into(), show_suppressed: true, ..RenderOptions::default() };
    for format in [Format::Human, Format::Concise, Format::Github] {
        let text = render(format, &report, &render_options);
        let control = text.chars().find(|&c| c.is_control() && c != '\n' && c != '\t');
        assert!(control.is_none(), "{format:?} output carries the control character {control:?}");
    }
    let _ = render(Format::Json, &report, &render_options);
    sarif_uris_name_the_files(&render(Format::Sarif, &report, &render_options), &report);
    let junit = render(Format::Junit, &report, &render_options);
    if let Err(e) = roxmltree::Document::parse(&junit) {
        panic!("JUnit output is not well-formed XML: {e}");
    }
    let _ = crate::suppress::Baseline::of(&report.diagnostics, &report.files);
}

/// Every `artifactLocation.uri` is a relative reference whose path decodes back to a file of the report:
/// nothing that would start a scheme, a query or a fragment, and only valid escapes.
fn sarif_uris_name_the_files(sarif: &str, report: &crate::report::Report) {
    let sarif: serde_json::Value = serde_json::from_str(sarif).expect("SARIF output is JSON");
    let mut uris = Vec::new();
    collect_uris(&sarif, &mut uris);
    for uri in uris {
        assert!(!uri.contains(['#', '?', ' ']), "unescaped character in SARIF URI `{uri}`");
        let first_segment = uri.split('/').next().unwrap_or_default();
        assert!(!first_segment.contains(':'), "SARIF URI `{uri}` would parse as a scheme");
        let decoded = percent_encoding::percent_decode_str(&uri).decode_utf8().expect("escapes decode to UTF-8");
        assert!(report.files.iter().any(|(_, f)| f.path == decoded), "SARIF URI `{uri}` names no file of the report");
    }
}

fn collect_uris(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(location)) = map.get("artifactLocation")
                && let Some(serde_json::Value::String(uri)) = location.get("uri")
            {
                out.push(uri.clone());
            }
            map.values().for_each(|v| collect_uris(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_uris(v, out)),
        _ => {}
    }
}

/// An address template, parsed and expanded with every set of names that follows it (one per line,
/// tab-separated: given name, surname, initials, display name, alias).
pub fn template(data: &[u8]) {
    use crate::analysis::policy::template;
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let Ok(parsed) = template::parse(lines.next().unwrap_or_default()) else { return };
    for line in lines.take(64) {
        let mut parts = line.split('\t');
        let names = template::Names {
            given_name: parts.next(),
            surname: parts.next(),
            initials: parts.next(),
            display_name: parts.next(),
            alias: parts.next(),
        };
        let _ = template::expand(&parsed, &names);
    }
}

/// Recipients with varied properties for a filter to be matched against.
const FILTER_RECIPIENTS: &str = r#"
[[recipient]]
name = "alice"
type = "UserMailbox"
alias = "alice"
display_name = "Alice Example"
given_name = "Alice"
surname = "Example"
department = "Sales"
company = "Contoso"
custom_attribute_1 = "EMEA"
proxy_addresses = ["SMTP:alice@contoso.com"]

[[recipient]]
name = "bob"
type = "RemoteUserMailbox"
alias = "bob"
department = "Engineering*"
company = "Fabrikam"
proxy_addresses = ["SMTP:bob@contoso.com"]

[[recipient]]
name = "sales"
type = "MailUniversalDistributionGroup"
alias = "sales"

[[recipient]]
name = "partner"
type = "MailContact"
alias = "partner"
external_email_address = "SMTP:partner@fabrikam.com"
"#;

/// An OPATH recipient filter: parsed on its own, then used as a policy's filter over recipients with
/// varied properties, so that matching runs too.
pub fn filter(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::analysis::policy::filter::parse(&text);
    let filter = toml::Value::String(text.into_owned()).to_string();
    let policy = format!(
        "[[email_address_policy]]\nname = \"fuzz\"\npriority = 1\nrecipient_filter = {filter}\ntemplates = [\"SMTP:%m@contoso.com\"]\n"
    );
    let files = vec![
        SourceFile::from_bytes("hybridlint.toml".into(), ROOT.as_bytes().to_vec()),
        SourceFile::from_bytes("policies/fuzz.toml".into(), policy.into_bytes()),
        SourceFile::from_bytes("recipients/r.toml".into(), FILTER_RECIPIENTS.as_bytes().to_vec()),
    ];
    let options = crate::Options { root_config: "hybridlint.toml".into(), ..Default::default() };
    let report = crate::lint(SourceFiles::new(files), &options);
    assert!(report.internal_errors.is_empty(), "internal errors: {:?}", report.internal_errors);
}

/// Each import reader.
pub fn import(data: &[u8]) {
    use crate::import::{Format, Side, merge, read, write};
    for format in Format::ALL {
        for side in [Side::OnPremises, Side::Cloud] {
            let Ok((_, imported)) = read(data, Some(format)) else { break };
            let input = merge::Input { label: "fuzz".into(), side, imported };
            let outcome = merge::assemble(vec![input], &indicatif::ProgressBar::hidden());
            let _ = write::layout(&outcome.rows, &Default::default());
            let flags = write::TenantFlags { name: Some("contoso".into()), accepted_domains: Vec::new() };
            let _ = write::layout(&outcome.rows, &flags);
        }
    }
}
