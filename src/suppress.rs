//! Suppressions: per-recipient `allow = { rule = "reason" }`, `[[lint.exception]]` tables, and a baseline
//! file. A suppressed finding is kept (with its kind and reason) but not counted; an allow or exception
//! that suppresses nothing, or whose `expires` date has passed, is itself a finding.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::catalogue::Rule;
use crate::diag::{Diagnostic, Severity, Suppression, SuppressionKind};
use crate::model::Model;
use crate::model::address::Caseless;
use crate::source::{SourceFiles, Span};
use crate::util::FastMap;

fn glob_set(patterns: &[crate::model::SStr<'_>], case_insensitive: bool) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = GlobBuilder::new(&pattern.value)
            .case_insensitive(case_insensitive)
            .literal_separator(!case_insensitive)
            .build()
        {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Applies `allow` and `[[lint.exception]]` to the findings, and returns the findings about the
/// suppressions themselves (`unused-exception`, `expired-exception`).
// Long on purpose: allows, then exceptions, then what is unused or expired, over one set of findings.
pub fn apply_allows_and_exceptions(
    diagnostics: &mut [Diagnostic],
    model: &Model<'_>,
    files: &SourceFiles,
    today: Date,
    rule_exists: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();

    // allow: recipient name -> its entries, with whether each was used.
    let mut allows: FastMap<Caseless<'_>, Vec<(&str, &str, Span, bool)>> = FastMap::default();
    for recipient in &model.recipients {
        for (rule, reason) in recipient.allow() {
            allows.entry(Caseless(&recipient.name.value)).or_default().push((
                &rule.value,
                &reason.value,
                rule.span,
                false,
            ));
        }
    }

    struct Active<'e> {
        rule: &'e str,
        reason: &'e str,
        span: Span,
        recipients: Option<GlobSet>,
        files: Option<GlobSet>,
        used: bool,
    }
    let mut exceptions: Vec<Active<'_>> = Vec::new();
    for exception in &model.lint.exceptions {
        if let Some(expires) = &exception.expires
            && expires.value < today
        {
            found.push(
                Diagnostic::new(
                    Rule::ExpiredException,
                    expires.span,
                    format!("the exception for `{}` expired on {}", exception.rule.value, expires.value),
                )
                .primary_label("expired")
                .label(exception.rule.span, "no longer applies")
                .note(format!("reason given: {}", exception.reason.value))
                .help("fix what it suppressed, or extend `expires` if the reason still holds"),
            );
            continue;
        }
        exceptions.push(Active {
            rule: &exception.rule.value,
            reason: &exception.reason.value,
            span: exception.rule.span,
            recipients: (!exception.recipients.is_empty()).then(|| glob_set(&exception.recipients, true)),
            files: (!exception.files.is_empty()).then(|| glob_set(&exception.files, false)),
            used: false,
        });
    }

    for diagnostic in diagnostics.iter_mut().filter(|d| d.suppressed.is_none()) {
        if let Some(recipient) = &diagnostic.recipient
            && let Some(entries) = allows.get_mut(&Caseless(recipient))
            && let Some(entry) = entries.iter_mut().find(|e| e.0 == diagnostic.rule)
        {
            entry.3 = true;
            diagnostic.suppressed = Some(Suppression { kind: SuppressionKind::Allow, reason: entry.1.to_string() });
            continue;
        }
        let path = &files.get(diagnostic.primary.span.file).path;
        for exception in exceptions.iter_mut().filter(|e| e.rule == diagnostic.rule) {
            let recipient_ok = exception
                .recipients
                .as_ref()
                .is_none_or(|g| diagnostic.recipient.as_deref().is_some_and(|r| g.is_match(r)));
            let file_ok = exception.files.as_ref().is_none_or(|g| g.is_match(path));
            if recipient_ok && file_ok {
                exception.used = true;
                diagnostic.suppressed =
                    Some(Suppression { kind: SuppressionKind::Exception, reason: exception.reason.to_string() });
                break;
            }
        }
    }

    let unused = |span: Span, what: &str, rule: &str| {
        Diagnostic::new(Rule::UnusedException, span, format!("{what} for `{rule}` suppresses nothing"))
            .primary_label("nothing to suppress")
            .note("the problem it was written for is gone, or it does not match the finding it was meant for")
            .help("remove it, or correct its rule, recipients or files")
    };
    for (recipient, entries) in &allows {
        for (rule, _, span, used) in entries {
            if !used && rule_exists(rule) {
                found.push(unused(*span, "`allow`", rule).recipient(recipient.0));
            }
        }
    }
    for exception in exceptions.iter().filter(|e| !e.used && rule_exists(e.rule)) {
        found.push(unused(exception.span, "the exception", exception.rule));
    }
    found
}

/// A baseline: findings accepted as they are, keyed by rule, the recipients involved and the offending
/// value, never by line, so that moving or reformatting a recipient keeps it baselined.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub rule: String,
    /// Every recipient involved, sorted, lowercase.
    pub recipients: Vec<String>,
    /// The text of the offending value, without quotes, lowercase.
    pub value: String,
}

impl BaselineEntry {
    pub fn of(diagnostic: &Diagnostic, files: &SourceFiles) -> BaselineEntry {
        let recipients: BTreeSet<String> =
            diagnostic.recipient.iter().chain(&diagnostic.related).map(|r| r.to_lowercase()).collect();
        let value = files.text(diagnostic.primary.span).trim_matches(|c| c == '"' || c == '\'').to_lowercase();
        BaselineEntry { rule: diagnostic.rule.to_string(), recipients: recipients.into_iter().collect(), value }
    }
}

impl Baseline {
    /// The baseline of a report's counted findings, sorted.
    pub fn of(diagnostics: &[Diagnostic], files: &SourceFiles) -> Baseline {
        let entries: BTreeSet<BaselineEntry> =
            diagnostics.iter().filter(|d| d.suppressed.is_none()).map(|d| BaselineEntry::of(d, files)).collect();
        Baseline { version: 1, entries: entries.into_iter().collect() }
    }

    /// Suppresses the findings the baseline has; returns the entries that matched nothing.
    pub fn apply(&self, diagnostics: &mut [Diagnostic], files: &SourceFiles) -> Vec<BaselineEntry> {
        let mut used = vec![false; self.entries.len()];
        let index: FastMap<&BaselineEntry, usize> = self.entries.iter().enumerate().map(|(i, e)| (e, i)).collect();
        for diagnostic in diagnostics.iter_mut().filter(|d| d.suppressed.is_none()) {
            if let Some(&i) = index.get(&BaselineEntry::of(diagnostic, files)) {
                used[i] = true;
                diagnostic.suppressed =
                    Some(Suppression { kind: SuppressionKind::Baseline, reason: "in the baseline".to_string() });
            }
        }
        self.entries.iter().zip(used).filter(|(_, used)| !used).map(|(e, _)| e.clone()).collect()
    }
}

/// The info finding for a baseline entry that no longer matches anything.
pub fn stale_entry(entry: &BaselineEntry, at: Span) -> Diagnostic {
    Diagnostic::new(
        Rule::UnusedException,
        at,
        format!(
            "baseline entry `{}` for {} (`{}`) matches no finding any more",
            entry.rule,
            if entry.recipients.is_empty() { "the repository".to_string() } else { entry.recipients.join(", ") },
            entry.value
        ),
    )
    .severity_hint(Severity::Info)
    .primary_label("the repository's configuration")
    .note("the problem was fixed, or changed so that it is reported anew")
    .help("refresh the baseline with --write-baseline")
}

impl Baseline {
    /// Reads a baseline file: at most 256 MiB, and of a version this build understands.
    pub fn read(path: &std::path::Path) -> Result<Baseline, String> {
        const MAX: u64 = 256 * 1024 * 1024;
        let problem = |e: String| format!("cannot read the baseline `{}`: {e}", path.display());
        let metadata = std::fs::metadata(path).map_err(|e| problem(e.to_string()))?;
        if !metadata.is_file() || metadata.len() > MAX {
            return Err(problem(format!("it is not a file of at most {MAX} bytes")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| problem(e.to_string()))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| problem(e.to_string()))?;
        if baseline.version != 1 {
            return Err(problem(format!("version {} is not one this hybridlint reads (1)", baseline.version)));
        }
        Ok(baseline)
    }
}

/// Keeps only the findings `earlier` does not already have, matched as baselines are (rule, recipients,
/// value; never line): each earlier finding accounts for one current one. Suppressed earlier findings do
/// not count, so that removing an `allow` shows what it hid.
pub fn keep_new(report: &mut crate::report::Report, earlier: &crate::report::Report) {
    let mut known: FastMap<BaselineEntry, usize> = FastMap::default();
    for d in earlier.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
        *known.entry(BaselineEntry::of(d, &earlier.files)).or_default() += 1;
    }
    let files = &report.files;
    report.diagnostics.retain(|d| match known.get_mut(&BaselineEntry::of(d, files)) {
        Some(count) if *count > 0 => {
            *count -= 1;
            false
        }
        _ => true,
    });
    report.recount();
}
