//! The catalogue as a user reads it (`hybridlint explain`, `rules`, SARIF): every rule has an example
//! that triggers it, its sources are Microsoft's articles by title, and no user-facing text cites the
//! documents the rules were researched from by their internal names ("seed 000"), the product contract
//! ("SPEC"), or a knowledge-base number without the article's title.

mod common;

use std::path::Path;

use hybridlint::catalogue;

/// The first internal citation in `text`: "seed " followed by a digit, "(seed", "SPEC", or a knowledge-base
/// number cited without the article's title ("(KB3190357)", "KB3190357, scenario 6"). A KB number is
/// titled when the title follows it in quotes (`KB2389390, "..."`), or when it is a source's
/// "(Microsoft Support KB...)" after the title.
fn internal_citation(text: &str) -> Option<&str> {
    for (i, _) in text.match_indices("KB") {
        let digits = text[i + 2..].bytes().take_while(u8::is_ascii_digit).count();
        let after = &text[i + 2 + digits..];
        let titled = after.starts_with(", \"") || text[..i].ends_with("Microsoft Support ");
        if digits >= 6 && !titled {
            return Some(&text[i..i + 2 + digits]);
        }
    }
    let seed_number = text.match_indices("seed ").find(|(i, m)| {
        text[i + m.len()..].starts_with(|c: char| c.is_ascii_digit())
            && !text[..*i].ends_with(|c: char| c.is_ascii_alphanumeric())
    });
    if let Some((i, _)) = seed_number {
        return Some(&text[i..(i + 8).min(text.len())]);
    }
    ["(seed", "SPEC"].into_iter().find_map(|needle| text.find(needle).map(|i| &text[i..i + needle.len()]))
}

#[test]
fn the_internal_citation_check_can_fail() {
    assert_eq!(internal_citation("the mailbox is disabled (seed 001)"), Some("seed 001"));
    assert_eq!(internal_citation("as the seeds say (seeds 000 and 001)"), Some("(seed"));
    assert_eq!(internal_citation("The file format (SPEC section 2)"), Some("SPEC"));
    assert_eq!(internal_citation("a seed of 3 for the corpus generator"), None);
    assert_eq!(internal_citation("mail to it bounces (KB3190357)"), Some("KB3190357"));
    assert_eq!(internal_citation("as KB3190357, scenario 6 shows"), Some("KB3190357"));
    assert_eq!(internal_citation("not what anyone expects (KB3190357, 2023)"), Some("KB3190357"));
    assert_eq!(internal_citation("(Microsoft Support KB2389390)"), None);
    assert_eq!(internal_citation("How to recover when a mailbox exists in both Exchange Online and on-premises"), None);
}

/// The README and every example's README.
fn readmes() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = vec![("README.md".to_string(), std::fs::read_to_string(root.join("README.md")).unwrap())];
    for entry in walkdir::WalkDir::new(root.join("examples")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_name() == "README.md" {
            let path = entry.path().strip_prefix(root).unwrap().display().to_string();
            found.push((path, std::fs::read_to_string(entry.path()).unwrap()));
        }
    }
    found
}

#[test]
fn no_user_facing_text_cites_a_seed_or_the_spec() {
    let mut failures = Vec::new();
    let mut check = |place: String, text: &str| {
        if let Some(found) = internal_citation(text) {
            failures.push(format!("{place}: `{found}`"));
        }
    };
    for entry in catalogue::builtin() {
        check(format!("{}: summary", entry.name), &entry.summary);
        check(format!("{}: explanation", entry.name), &entry.explanation);
        if let Some(example) = &entry.example {
            check(format!("{}: example", entry.name), example);
        }
        for source in &entry.sources {
            check(format!("{}: source", entry.name), source);
        }
    }
    for (case, d) in common::every_fixture_finding() {
        for text in common::finding_texts(&d) {
            check(format!("{} ({case})", d.rule), text);
        }
    }
    for (path, text) in readmes() {
        check(path, &text);
    }
    for (path, text) in hybridlint::cli::init::starter_files("contoso", "contoso.com") {
        if path.ends_with(".toml") {
            check(format!("init: {path}"), &text);
        }
    }
    assert!(failures.is_empty(), "user-facing text that cites internal documents:\n{}", failures.join("\n"));
}

/// `explain` lists the sources: each is a document's title, with where to find it in parentheses, never
/// a bare address.
#[test]
fn sources_are_titles_with_their_address() {
    let mut failures = Vec::new();
    for entry in catalogue::builtin() {
        for source in &entry.sources {
            let title = source.split(" (").next().unwrap_or(source);
            let bare = source.starts_with("http") || source.contains("://") || title.contains('/');
            if bare || title.trim().len() < 8 {
                failures.push(format!("{}: `{source}`", entry.name));
            }
        }
    }
    assert!(failures.is_empty(), "sources that are not a title (address in parentheses):\n{}", failures.join("\n"));
}

/// The files of an example. An example is one file unless it marks files with `# file: <path>` lines; a
/// one-file example that brings `[tenant]` is the root `hybridlint.toml`, otherwise the rule fixtures'
/// default root is added. A numbered sequence may be abbreviated as `"x0001", "x0002", ..., "x2001"`: the
/// strings around `...` differ only in one number, and the sequence is written out in full.
fn example_files(example: &str) -> Vec<(String, String)> {
    let example = expand_sequences(example);
    let mut files: Vec<(String, String)> = Vec::new();
    for line in example.lines() {
        if let Some(path) = line.strip_prefix("# file: ") {
            files.push((path.trim().to_string(), String::new()));
            continue;
        }
        if files.is_empty() {
            let root = example.lines().any(|l| l.trim() == "[tenant]");
            files.push((if root { "hybridlint.toml" } else { "example.toml" }.to_string(), String::new()));
        }
        let text = &mut files.last_mut().unwrap().1;
        text.push_str(line);
        text.push('\n');
    }
    if !files.iter().any(|(path, _)| path == "hybridlint.toml") {
        let default = std::fs::read_to_string(common::fixtures().join("rules/default-hybridlint.toml")).unwrap();
        files.push(("hybridlint.toml".to_string(), default));
    }
    files
}

/// `"a001", "a002", ..., "a300"` written out: every `..., ` between two strings of one pattern.
fn expand_sequences(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(", ..., ") {
        let (before, after) = (&rest[..at], &rest[at + ", ..., ".len()..]);
        let previous = before.rfind('"').and_then(|end| before[..end].rfind('"').map(|start| &before[start + 1..end]));
        let next = after.strip_prefix('"').and_then(|a| a.find('"').map(|end| &a[..end]));
        let (Some(previous), Some(last)) = (previous, next) else {
            panic!("`...` in an example must stand between two quoted strings: {rest}");
        };
        let (prefix, from, suffix) = split_number(previous);
        let (last_prefix, to, last_suffix) = split_number(last);
        assert_eq!((prefix, suffix), (last_prefix, last_suffix), "`{previous}, ..., {last}` is not one sequence");
        let width = from.len();
        let (from, to): (u32, u32) = (from.parse().unwrap(), to.parse().unwrap());
        out.push_str(before);
        for n in from + 1..to {
            out.push_str(&format!(", \"{prefix}{n:0width$}{suffix}\""));
        }
        out.push_str(", ");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `alias042@contoso.com` -> (`alias`, `042`, `@contoso.com`): the last run of digits.
fn split_number(text: &str) -> (&str, &str, &str) {
    let end = text.rfind(|c: char| c.is_ascii_digit()).expect("a numbered value") + 1;
    let start = text[..end].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    (&text[..start], &text[start..end], &text[end..])
}

#[test]
fn abbreviated_sequences_are_written_out() {
    assert_eq!(expand_sequences(r#"["u1", "u2", ..., "u4"]"#), r#"["u1", "u2", "u3", "u4"]"#);
    assert_eq!(
        expand_sequences(r#"["smtp:a08@x.com", "smtp:a09@x.com", ..., "smtp:a11@x.com"]"#),
        r#"["smtp:a08@x.com", "smtp:a09@x.com", "smtp:a10@x.com", "smtp:a11@x.com"]"#
    );
}

/// Every built-in rule's example, written into a repository of its own and checked as `hybridlint check`
/// does (with `--today 2026-11-22`), produces a finding of that rule.
#[test]
fn every_example_triggers_its_rule() {
    let mut failures = Vec::new();
    for entry in catalogue::builtin() {
        let Some(example) = &entry.example else {
            failures.push(format!("{}: no example", entry.name));
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in example_files(example) {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let root = hybridlint::source::discover::find_root(dir.path(), None).unwrap();
        let report = hybridlint::check(&root, common::options()).unwrap();
        assert!(report.internal_errors.is_empty(), "{}: internal errors {:?}", entry.name, report.internal_errors);
        if !report.diagnostics.iter().any(|d| d.rule == entry.name) {
            let found: Vec<String> = report.diagnostics.iter().map(|d| format!("{}: {}", d.rule, d.message)).collect();
            failures.push(format!("{}: the example does not trigger it; it gives {found:#?}", entry.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
