//! The message style of every finding the rule fixtures produce, in the manner of clippy's
//! `lint_message_convention`: messages and labels start lower-case and end without a period, and a help
//! says what to do (it does not restate the problem).

mod common;

use hybridlint::diag::Diagnostic;

fn problems(d: &Diagnostic) -> Vec<String> {
    let mut found = Vec::new();
    // An acronym or an Exchange identifier (`UPN`, `ExchangeGuid`) keeps its spelling; a capitalised
    // ordinary word does not.
    let starts_upper = |text: &str| {
        let first = text.split_whitespace().next().unwrap_or("");
        let is_identifier = first.chars().skip(1).any(char::is_uppercase);
        first.chars().next().is_some_and(char::is_uppercase) && !is_identifier
    };
    // A period that ends a sentence, not one listed as a character (`... ~ .`).
    let ends_sentence = |text: &str| text.ends_with('.') && !text.ends_with(" .");
    if starts_upper(&d.message) {
        found.push(format!("message starts with a capital: {}", d.message));
    }
    if ends_sentence(&d.message) {
        found.push(format!("message ends with a period: {}", d.message));
    }
    for label in std::iter::once(&d.primary).chain(&d.labels) {
        if ends_sentence(&label.message) {
            found.push(format!("label ends with a period: {}", label.message));
        }
    }
    if let Some(help) = &d.help {
        let first = help.split_whitespace().next().unwrap_or("");
        if help.trim().is_empty() || ["this", "the", "it"].contains(&first.to_lowercase().as_str()) {
            found.push(format!("help does not say what to do: {help}"));
        }
        if ends_sentence(help) && !help.contains('\n') {
            found.push(format!("help ends with a period: {help}"));
        }
    }
    found
}

#[test]
fn every_finding_follows_the_message_convention() {
    let root = common::fixtures().join("rules");
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in std::fs::read_dir(&root).unwrap() {
        let rule = rule.unwrap().path();
        if !rule.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&rule).unwrap() {
            let case = case.unwrap().path();
            for d in common::lint_dir(&case).diagnostics {
                checked += 1;
                for problem in problems(&d) {
                    failures.push(format!("{} ({}): {problem}", d.rule, case.display()));
                }
            }
        }
    }
    failures.sort();
    failures.dedup();
    assert!(checked > 100, "only {checked} findings checked");
    assert!(failures.is_empty(), "{} findings break the message convention:\n{}", failures.len(), failures.join("\n"));
}
