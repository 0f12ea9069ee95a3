//! The one diagnostic type every rule produces and every output format renders, and the sink that collects
//! findings and applies the repository's severity overrides. This layer imports nothing but [`crate::source`]:
//! a finding names its rule through the rule's declaration ([`lint::Lint`]), not through the rules.

pub mod lint;
pub mod sink;

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use self::lint::Lint;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file with what it has to do with the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// Why a finding is not counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    Allow,
    Exception,
    Baseline,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The rule's stable name (`duplicate-proxy-address`, or an organisation rule's name).
    pub rule: Cow<'static, str>,
    /// The built-in rule's declaration; `None` for an organisation rule.
    pub lint: Option<&'static Lint>,
    /// The rule's default, or what the rule chose for this finding ([`Diagnostic::severity_hint`]), until
    /// the sink applies `[lint.rules]`.
    pub severity: Severity,
    pub message: String,
    /// The offending value.
    pub primary: Label,
    /// Every other object involved.
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// The recipient (or policy) the finding is about.
    pub recipient: Option<String>,
    /// The other recipients involved (the other holders of a duplicate, ...), for baselines.
    pub related: Vec<String>,
    pub suppressed: Option<Suppression>,
}

impl Diagnostic {
    pub fn new(rule: impl Into<&'static Lint>, span: Span, message: impl Into<String>) -> Diagnostic {
        let lint: &'static Lint = rule.into();
        Diagnostic::with_name(Cow::Borrowed(lint.name), Some(lint), lint.severity, span, message.into())
    }

    /// A finding of an organisation rule (`[[rule]]`), which reports under its own name and severity.
    pub fn organisation(rule: String, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::with_name(Cow::Owned(rule), None, severity, span, message.into())
    }

    fn with_name(
        rule: Cow<'static, str>,
        lint: Option<&'static Lint>,
        severity: Severity,
        span: Span,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            lint,
            severity,
            message,
            primary: Label { span, message: String::new() },
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            recipient: None,
            related: Vec::new(),
            suppressed: None,
        }
    }

    /// The text under the primary span.
    pub fn primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn recipient(mut self, name: impl Into<String>) -> Self {
        self.recipient = Some(name.into());
        self
    }

    /// Another recipient involved.
    pub fn related(mut self, name: impl Into<String>) -> Self {
        self.related.push(name.into());
        self
    }

    /// This finding's severity differs from the rule's default (e.g. a warning that becomes an error when a
    /// move is already planned). A `[lint.rules]` override still wins.
    pub fn severity_hint(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The order of the report: file, line, column (byte offsets order the same way), rule, message.
    pub fn sort_key(&self) -> (u32, u32, u32, &str, &str) {
        let span = self.primary.span;
        (span.file, span.start, span.end, &self.rule, &self.message)
    }
}
