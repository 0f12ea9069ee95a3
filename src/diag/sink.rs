//! Where findings are collected. The sink applies `[lint.rules]` once, as each finding arrives: an `off`
//! rule's findings are dropped, an overridden rule's take the configured severity. It can also report one
//! rule alone, which is how each rule's fixtures are tested.

use std::collections::HashMap;

use super::{Diagnostic, Severity};

#[derive(Default)]
pub struct Sink {
    /// Rule name -> configured severity (`None` is `off`).
    overrides: HashMap<String, Option<Severity>>,
    /// When set, only these rules' findings are kept.
    only: Option<Vec<String>>,
    found: Vec<Diagnostic>,
}

impl Sink {
    pub fn new<'a>(overrides: impl IntoIterator<Item = (&'a str, Option<Severity>)>, only: Option<&[String]>) -> Sink {
        Sink {
            overrides: overrides.into_iter().map(|(name, level)| (name.to_string(), level)).collect(),
            only: only.map(<[String]>::to_vec),
            found: Vec::new(),
        }
    }

    pub fn push(&mut self, mut diagnostic: Diagnostic) {
        match self.overrides.get(diagnostic.rule.as_ref()) {
            Some(None) => return,
            Some(Some(level)) => diagnostic.severity = *level,
            None => {}
        }
        self.found.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for diagnostic in diagnostics {
            self.push(diagnostic);
        }
    }

    /// The findings so far, for the stages that look at them (suppressions).
    pub fn found_mut(&mut self) -> &mut Vec<Diagnostic> {
        &mut self.found
    }

    /// The findings, with only the selected rules' when a selection was made. The selection applies at
    /// the end: suppressions must see every finding to know which of them are used.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        if let Some(only) = &self.only {
            self.found.retain(|d| only.iter().any(|rule| *rule == d.rule));
        }
        self.found
    }
}
