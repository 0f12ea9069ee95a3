//! Entry points for the fuzz targets (`fuzz/`), also run over the saved corpora as ordinary tests, so
//! that every input that once crashed stays a regression test. Each must never panic.

use crate::render::{Format, RenderOptions, render};
use crate::source::{SourceFile, SourceFiles};

const ROOT: &str = "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n\n[lint]\ntoday = 2026-11-22\n";

/// Arbitrary bytes as up to four files of a repository (split at `\0\0`), through the whole pipeline and
/// every renderer. The first piece may also replace the root configuration when it starts with `[tenant]`.
pub fn check(data: &[u8]) {
    let mut files = Vec::new();
    let mut pieces = data.split(|&b| b == 0).filter(|p| !p.is_empty()).take(4).peekable();
    let root = match pieces.peek() {
        Some(first) if first.starts_with(b"[tenant]") => pieces.next().map(<[u8]>::to_vec),
        _ => None,
    };
    files.push(SourceFile::from_bytes("hybridlint.toml".into(), root.unwrap_or_else(|| ROOT.as_bytes().to_vec())));
    for (i, piece) in pieces.enumerate() {
        files.push(SourceFile::from_bytes(format!("recipients/f{i}.toml"), piece.to_vec()));
    }
    let options = crate::Options { root_config: "hybridlint.toml".into(), ..Default::default() };
    let report = crate::lint(SourceFiles::new(files), &options);
    // A contained panic still loses findings: for the fuzzer and the corpus test it is a failure.
    assert!(report.internal_errors.is_empty(), "internal errors: {:?}", report.internal_errors);
    let render_options = RenderOptions { root: ".".into(), show_suppressed: true, ..RenderOptions::default() };
    for format in [Format::Human, Format::Concise, Format::Json, Format::Sarif, Format::Github, Format::Junit] {
        let _ = render(format, &report, &render_options);
    }
    let _ = crate::suppress::Baseline::of(&report.diagnostics, &report.files);
}

/// An address template, parsed and expanded with names taken from the input.
pub fn template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (template, names) = text.split_once('\n').unwrap_or((&text, ""));
    let mut parts = names.split('\t');
    let names = crate::analysis::policy::template::Names {
        given_name: parts.next(),
        surname: parts.next(),
        initials: parts.next(),
        display_name: parts.next(),
        alias: parts.next(),
    };
    if let Ok(parsed) = crate::analysis::policy::template::parse(template) {
        let _ = crate::analysis::policy::template::expand(&parsed, &names);
    }
}

/// An OPATH recipient filter.
pub fn filter(data: &[u8]) {
    let _ = crate::analysis::policy::filter::parse(&String::from_utf8_lossy(data));
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
