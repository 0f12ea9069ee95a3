//! `hybridlint import`: exports into a repository. Each file's format is detected from its content (or given
//! with `--from`), and its side from what it says (Exchange Online's distinguished names, on-premises remote
//! mailboxes, LDIF) or from `--on-premises` / `--cloud`; a file whose side cannot be told is a usage error.

use super::*;
use crate::import::{Format, Side, merge};

/// The export files, by how their side is known.
pub(super) struct Files {
    /// Side detected from the content.
    pub detected: Vec<PathBuf>,
    pub on_premises: Vec<PathBuf>,
    pub cloud: Vec<PathBuf>,
}

/// Above this many objects, progress is shown (on a terminal).
const PROGRESS_FROM: usize = 10_000;

fn format_of(from: ImportFormat) -> Format {
    match from {
        ImportFormat::Csv => Format::Csv,
        ImportFormat::Json => Format::Json,
        ImportFormat::Ldif => Format::Ldif,
        ImportFormat::Clixml => Format::Clixml,
    }
}

fn spinner(message: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

pub(super) fn import(
    from: Option<ImportFormat>,
    files: Files,
    out: &Path,
    flags: crate::import::write::TenantFlags,
    force: bool,
) -> i32 {
    let inputs: Vec<(PathBuf, Option<Side>)> = files
        .detected
        .into_iter()
        .map(|p| (p, None))
        .chain(files.on_premises.into_iter().map(|p| (p, Some(Side::OnPremises))))
        .chain(files.cloud.into_iter().map(|p| (p, Some(Side::Cloud))))
        .collect();
    if inputs.is_empty() {
        return fail("no export files: name them, or give them with --on-premises FILE... and --cloud FILE...");
    }
    let mut read = Vec::new();
    let mut ignored = std::collections::BTreeSet::new();
    for (path, named_side) in inputs {
        let label = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => return fail(&format!("cannot read `{label}`: {e}")),
        };
        let reading = (bytes.len() > 4 << 20).then(|| spinner(format!("reading {label}")));
        let result = crate::import::read(&bytes, from.map(format_of));
        if let Some(bar) = reading {
            bar.finish_and_clear();
        }
        let (format, mut imported) = match result {
            Ok(read) => read,
            Err(message) => return fail(&format!("`{label}`: {message}")),
        };
        let side = match (named_side, imported.side) {
            (Some(named), Some(detected)) if named != detected => {
                eprintln!(
                    "hybridlint: warning: `{label}` is given as {} but looks like an {} export ({}): read as {}",
                    named.describe(),
                    detected.describe(),
                    imported.side_evidence.as_deref().unwrap_or_default(),
                    named.describe()
                );
                named
            }
            (Some(named), _) => named,
            (None, Some(detected)) => detected,
            (None, None) => {
                return fail(&format!(
                    "cannot tell whether `{label}` is an on-premises or an Exchange Online export (it has no \
                     DistinguishedName and no remote mailbox): give it with --on-premises `{label}` or --cloud `{label}`"
                ));
            }
        };
        let objects = imported.rows.len() + imported.skipped.len();
        let why = match (named_side, &imported.side_evidence) {
            (Some(_), _) => "as named".to_string(),
            (None, Some(evidence)) => evidence.clone(),
            (None, None) => String::new(),
        };
        eprintln!("hybridlint: `{label}`: {} export, {}, {objects} object(s) ({why})", side.describe(), format.name());
        ignored.extend(std::mem::take(&mut imported.ignored));
        read.push(merge::Input { label, side, imported });
    }
    let total: usize = read.iter().map(|i| i.imported.rows.len()).sum();
    let progress = if total > PROGRESS_FROM {
        let bar = indicatif::ProgressBar::new(total as u64).with_message("merging");
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} objects") {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let labels: Vec<String> = read.iter().map(|i| i.label.clone()).collect();
    let outcome = merge::assemble(read, &progress);
    progress.finish_and_clear();

    let mut skipped = outcome.skipped.clone();
    skipped.sort_by_key(|(file, s)| (*file, s.line));
    for (file, skip) in &skipped {
        eprintln!("hybridlint: {}:{}: skipped: {}", labels[*file], skip.line, skip.reason);
    }
    if !ignored.is_empty() {
        eprintln!(
            "hybridlint: columns with no hybridlint key were ignored: {}",
            ignored.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    for note in &outcome.notes {
        eprintln!("hybridlint: note: {note}");
    }
    for absent in &outcome.absent {
        eprintln!("hybridlint: absent: {absent}");
    }
    if outcome.rows.is_empty() {
        return fail(&format!("nothing could be imported ({} object(s) skipped)", skipped.len()));
    }
    let writing = (total > PROGRESS_FROM).then(|| spinner(format!("writing {}", out.display())));
    let written = crate::import::write::layout(&outcome.rows, &flags)
        .and_then(|files| crate::import::write::write(out, &files, force));
    if let Some(bar) = writing {
        bar.finish_and_clear();
    }
    if let Err(message) = written {
        return fail(&message);
    }
    let mut by_kind: std::collections::BTreeMap<crate::import::SkipKind, usize> = Default::default();
    for (_, skip) in &skipped {
        *by_kind.entry(skip.kind).or_default() += 1;
    }
    let reasons: Vec<String> = by_kind.iter().map(|(kind, n)| kind.describe(*n)).collect();
    eprintln!(
        "hybridlint: read {} object(s) from {} file(s); imported {} recipient(s) ({} on-premises, {} cloud-only) into \
         `{}`; merged {}; skipped {}{}",
        outcome.read,
        labels.len(),
        outcome.rows.len(),
        outcome.on_premises,
        outcome.cloud,
        out.display(),
        outcome.merged,
        skipped.len(),
        if reasons.is_empty() { String::new() } else { format!(": {}", reasons.join(", ")) }
    );
    EXIT_OK
}
