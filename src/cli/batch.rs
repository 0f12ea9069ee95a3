//! `hybridlint batch NAME`: the readiness of one migration batch: its members, which are ready to move,
//! and what blocks the others (the same checks as the `batch-*` rules).

use serde::Serialize;

use crate::Analysis;
use crate::rules::Context;
use crate::rules::migration::member_blockers;
use crate::source::SourceFiles;

#[derive(Serialize)]
pub struct Readiness {
    pub batch: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub direction: &'static str,
    pub endpoint: Option<String>,
    pub complete_after: Option<String>,
    pub ready: Vec<String>,
    pub blocked: Vec<Blocked>,
    /// Names that are no recipient of the repository.
    pub unknown: Vec<String>,
}

#[derive(Serialize)]
pub struct Blocked {
    pub mailbox: String,
    pub reasons: Vec<String>,
}

pub fn readiness(analysis: &Analysis<'_>, files: &SourceFiles, name: &str) -> Result<Readiness, String> {
    let model = analysis.model;
    let Some(batch) = model.migration_batches.iter().find(|b| b.name.value.eq_ignore_ascii_case(name)) else {
        let names = model.migration_batches.iter().map(|b| b.name.value.as_ref());
        return Err(match crate::util::suggest::did_you_mean(name, names) {
            Some(candidate) => format!("no migration batch named `{name}`; did you mean `{candidate}`?"),
            None => format!("no migration batch named `{name}`"),
        });
    };
    let cx = Context::new(analysis, files, &[]);
    let mut readiness = Readiness {
        batch: batch.name.value.to_string(),
        kind: batch.kind.value.to_string(),
        direction: if batch.offboarding { "offboarding" } else { "onboarding" },
        endpoint: batch.endpoint.as_ref().map(|e| e.value.to_string()),
        complete_after: batch.complete_after.as_ref().map(|c| c.value.to_string()),
        ready: Vec::new(),
        blocked: Vec::new(),
        unknown: Vec::new(),
    };
    for member in &batch.mailboxes {
        match analysis.derived.recipient_named(&member.value) {
            None => readiness.unknown.push(member.value.to_string()),
            Some(index) => {
                let reasons = member_blockers(&cx, batch, index);
                if reasons.is_empty() {
                    readiness.ready.push(member.value.to_string());
                } else {
                    readiness.blocked.push(Blocked { mailbox: member.value.to_string(), reasons });
                }
            }
        }
    }
    Ok(readiness)
}

impl Readiness {
    pub fn to_human(&self) -> String {
        let total = self.ready.len() + self.blocked.len() + self.unknown.len();
        let mut out = format!(
            "batch `{}`: {} {}, endpoint {}, {}\n{} of {total} mailbox(es) ready\n",
            self.batch,
            self.kind,
            self.direction,
            self.endpoint.as_deref().map_or("(none)".to_string(), |e| format!("`{e}`")),
            self.complete_after
                .as_deref()
                .map_or("completes on its own".to_string(), |c| format!("completes after {c}")),
            self.ready.len()
        );
        if !self.ready.is_empty() {
            out.push_str("\nready\n");
            for name in &self.ready {
                out.push_str(&format!("  {name}\n"));
            }
        }
        if !self.blocked.is_empty() {
            out.push_str("\nblocked\n");
            for b in &self.blocked {
                out.push_str(&format!("  {}\n", b.mailbox));
                for reason in &b.reasons {
                    out.push_str(&format!("    - {reason}\n"));
                }
            }
        }
        if !self.unknown.is_empty() {
            out.push_str("\nnot in the repository\n");
            for name in &self.unknown {
                out.push_str(&format!("  {name}\n"));
            }
        }
        out
    }
}
