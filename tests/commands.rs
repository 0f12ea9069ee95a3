//! Every PowerShell command hybridlint prints can be pasted as it is: the cmdlet exists, each `-Parameter`
//! is one of its parameters, and the parameters it requires are there. The commands are taken from every
//! catalogue entry (explanation and example) and from the findings of every rule fixture (message, labels,
//! notes, help), and checked against `tests/data/cmdlets.toml`, written from Microsoft's cmdlet reference
//! pages (the parameters of every syntax block, and the ones each parameter set requires).
//!
//! What counts as a command (the extraction rule):
//! - A token `Verb-Noun` with one of the verbs below, written with a capital (`Set-RemoteMailbox`; a path
//!   such as `.../set-remotemailbox` is not one), starts a cmdlet reference. The reference runs to the end
//!   of the line, a `;`, a `|` (which starts the next command) or a backtick, whichever comes first.
//! - It is a command when the next character after the name is `-` (a parameter), a quote, `$`, `@`, `<`
//!   or `|`. Otherwise the text merely names the cmdlet in prose ("the New-MigrationBatch cmdlet",
//!   "Disable-Mailbox checks the hold", "`Update-EmailAddressPolicy` fails"): only the cmdlet's existence
//!   is checked then.
//! - In a command, required parameters must be named (`-Identity "Kim Akers"`), not positional: a
//!   positional value is where unquoted names and redirection-like placeholders (`<name>`) creep in. A
//!   token that starts with `<` outside quotes is PowerShell's redirection operator and fails the command.
//!   A command satisfies its cmdlet when it has every parameter `required` lists and, where the table
//!   lists parameter sets, every parameter of at least one set.

mod common;

use std::collections::BTreeMap;

use serde::Deserialize;

const VERBS: &[&str] = &[
    "Get", "Set", "New", "Enable", "Disable", "Remove", "Start", "Stop", "Test", "Add", "Update", "Resume", "Suspend",
    "Complete", "Export", "Import", "Search", "Format",
];

#[derive(Deserialize)]
struct Table {
    cmdlet: Vec<Cmdlet>,
}

#[derive(Deserialize)]
struct Cmdlet {
    name: String,
    parameters: Vec<String>,
    required: Vec<String>,
    #[serde(default)]
    required_by_set: BTreeMap<String, Vec<String>>,
}

fn table() -> Table {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cmdlets.toml")).unwrap();
    toml::from_str(&text).expect("tests/data/cmdlets.toml parses")
}

/// One cmdlet reference found in a text.
#[derive(Debug)]
struct Reference {
    name: String,
    /// The tokens after the name, up to the end of the command; `None` when the text only names it.
    arguments: Option<Vec<String>>,
}

/// Every cmdlet reference in `text`, by the extraction rule above.
fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for line in text.lines() {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < line.len() {
            let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || b"-_/.".contains(&bytes[i - 1]));
            let Some(verb) = VERBS.iter().find(|v| boundary && line[i..].starts_with(&format!("{v}-"))) else {
                i += line[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let noun_start = i + verb.len() + 1;
            let noun_len = line[noun_start..].bytes().take_while(u8::is_ascii_alphabetic).count();
            if noun_len == 0 {
                i = noun_start;
                continue;
            }
            let end_of_name = noun_start + noun_len;
            let name = line[i..end_of_name].to_string();
            let rest = &line[end_of_name..];
            let command = rest.trim_start().chars().next().is_some_and(|c| "-\"'$@<|".contains(c))
                && rest.starts_with(char::is_whitespace);
            let extent = extent_of(rest);
            found.push(Reference { name, arguments: command.then(|| tokens(&rest[..extent])) });
            i = end_of_name;
        }
    }
    found
}

/// Each character with whether it stands outside quotes and brackets.
fn with_nesting(text: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let (mut quote, mut depth) = (None, 0i32);
    text.char_indices().map(move |(i, c)| {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth -= 1,
            _ => {}
        }
        (i, c, quote.is_none() && depth <= 0)
    })
}

/// Where a command's text ends: `;`, `|` or a backtick outside quotes and brackets, or the end.
fn extent_of(text: &str) -> usize {
    with_nesting(text).find(|&(_, c, outside)| outside && matches!(c, ';' | '|' | '`')).map_or(text.len(), |(i, ..)| i)
}

/// Whitespace-separated tokens, a quoted string or a bracketed group being one token with what touches it.
fn tokens(text: &str) -> Vec<String> {
    let (mut out, mut current) = (Vec::new(), String::new());
    for (_, c, outside) in with_nesting(text) {
        if outside && c.is_whitespace() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// What is wrong with the commands in `text`, one line per problem.
fn problems(table: &Table, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for reference in references(text) {
        let Some(cmdlet) = table.cmdlet.iter().find(|c| c.name.eq_ignore_ascii_case(&reference.name)) else {
            found.push(format!("`{}` is not a cmdlet of tests/data/cmdlets.toml", reference.name));
            continue;
        };
        let Some(arguments) = &reference.arguments else { continue };
        let mut named = Vec::new();
        for token in arguments {
            if token.starts_with('<') {
                found.push(format!("{}: `{token}` is read by PowerShell as a redirection", cmdlet.name));
            }
            let Some(parameter) = token.strip_prefix('-').filter(|p| p.starts_with(|c: char| c.is_ascii_alphabetic()))
            else {
                continue;
            };
            let parameter = parameter.split(':').next().unwrap_or(parameter);
            match cmdlet.parameters.iter().find(|p| p.eq_ignore_ascii_case(parameter)) {
                Some(known) => named.push(known.as_str()),
                None => found.push(format!("{}: `-{parameter}` is not one of its parameters", cmdlet.name)),
            }
        }
        let has = |p: &String| named.iter().any(|n| n.eq_ignore_ascii_case(p));
        for missing in cmdlet.required.iter().filter(|p| !has(p)) {
            found.push(format!("{}: the required `-{missing}` is missing", cmdlet.name));
        }
        // The parameter set the command comes closest to, and what it lacks of it.
        let closest = cmdlet
            .required_by_set
            .iter()
            .map(|(set, required)| (set, required.iter().filter(|p| !has(p)).collect::<Vec<_>>()))
            .min_by_key(|(_, missing)| missing.len());
        let reported = |p: &String| cmdlet.required.iter().any(|r| r.eq_ignore_ascii_case(p));
        if let Some((set, missing)) = closest.filter(|(_, missing)| missing.iter().any(|p| !reported(p))) {
            let missing: Vec<String> = missing.iter().map(|p| format!("`-{p}`")).collect();
            found.push(format!(
                "{}: no parameter set is complete; the closest, {set}, also requires {}",
                cmdlet.name,
                missing.join(", ")
            ));
        }
    }
    found
}

#[test]
fn every_command_in_the_catalogue_is_copy_pasteable() {
    let table = table();
    let mut failures = Vec::new();
    let mut commands = 0;
    for entry in hybridlint::catalogue::builtin() {
        for text in [Some(&entry.summary), Some(&entry.explanation), entry.example.as_ref()].into_iter().flatten() {
            commands += references(text).iter().filter(|r| r.arguments.is_some()).count();
            failures.extend(problems(&table, text).into_iter().map(|p| format!("{}: {p}", entry.name)));
        }
    }
    assert!(failures.is_empty(), "commands that cannot be pasted as they are:\n{}", failures.join("\n"));
    assert!(commands > 0, "the catalogue shows no command at all: is the extraction broken?");
}

#[test]
fn every_command_in_a_finding_is_copy_pasteable() {
    let table = table();
    let mut failures = Vec::new();
    let mut commands = 0;
    for (case, d) in common::every_fixture_finding() {
        for text in common::finding_texts(&d) {
            commands += references(text).iter().filter(|r| r.arguments.is_some()).count();
            failures.extend(problems(&table, text).into_iter().map(|p| format!("{} ({case}): {p}", d.rule)));
        }
    }
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "commands that cannot be pasted as they are:\n{}", failures.join("\n"));
    assert!(commands > 20, "only {commands} commands in the fixtures' findings: is the extraction broken?");
}

/// The check catches what the old help texts got wrong.
#[test]
fn planted_bad_commands_are_caught() {
    let table = table();
    let bad = [
        // Name not quoted, no -FilePath.
        ("New-MailboxExportRequest -Mailbox Kim Akers", "also requires `-FilePath`"),
        // A placeholder outside quotes.
        ("copy the value from `Get-Mailbox <name> | Format-List ExchangeGuid`", "redirection"),
        // -Identity missing.
        ("Fix it with `Set-RemoteMailbox -ExchangeGuid \"x\"`.", "the required `-Identity`"),
        // A positional identity does not count as -Identity.
        ("4. Disable-Mailbox \"Kim Akers\"", "the required `-Identity`"),
        // A parameter the cmdlet does not have.
        ("Set-RemoteMailbox -Identity \"kim@contoso.com\" -LitigationHoldEnabled $false", "`-LitigationHoldEnabled`"),
        // A cmdlet that does not exist.
        ("Get-Mailbx -Identity \"kim@contoso.com\"", "not a cmdlet"),
        // Neither parameter set of the switch is complete.
        ("check with Test-MigrationServerAvailability -ExchangeOutlookAnywhere", "no parameter set is complete"),
    ];
    for (text, expected) in bad {
        let found = problems(&table, text);
        assert!(found.iter().any(|p| p.contains(expected)), "`{text}` should fail with {expected:?}, got {found:?}");
    }
    let good = [
        "Set-RemoteMailbox -Identity \"kim@contoso.com\" -ExchangeGuid \"<the ExchangeGuid printed above>\"",
        "Get-Mailbox -Identity \"kim@contoso.com\" | Format-List ExchangeGuid,ArchiveGuid",
        "Set-ADSyncScheduler -SyncCycleEnabled $true; Start-ADSyncSyncCycle -PolicyType Delta",
        "the New-MigrationBatch cmdlet refuses it, and Disable-Mailbox checks the hold",
        "Set-RemoteMailbox -Identity \"a\" -EmailAddresses @{add=\"x500:/o=First Organization/cn=<dn>\"}",
    ];
    for text in good {
        assert_eq!(problems(&table, text), Vec::<String>::new(), "`{text}` is a valid command");
    }
}
