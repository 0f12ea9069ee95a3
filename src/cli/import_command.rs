//! `hybridlint import`: exports into a repository.

use super::*;

pub(super) fn import(
    from: ImportFormat,
    inputs: &[PathBuf],
    out: &Path,
    flags: crate::import::write::TenantFlags,
    force: bool,
) -> i32 {
    let mut rows = Vec::new();
    let mut skipped = 0;
    let mut ignored = std::collections::BTreeSet::new();
    for input in inputs {
        let bytes = match std::fs::read(input) {
            Ok(bytes) => bytes,
            Err(e) => return fail(&format!("cannot read `{}`: {e}", input.display())),
        };
        let read = match from {
            ImportFormat::Csv => crate::import::csv::read(&bytes),
            ImportFormat::Json => crate::import::json::read(&bytes),
            ImportFormat::Ldif => crate::import::ldif::read(&bytes),
        };
        let imported = match read {
            Ok(imported) => imported,
            Err(message) => return fail(&format!("`{}`: {message}", input.display())),
        };
        for skip in &imported.skipped {
            eprintln!("hybridlint: {}:{}: skipped: {}", input.display(), skip.line, skip.reason);
        }
        skipped += imported.skipped.len();
        ignored.extend(imported.ignored);
        if imported.rows.len() >= 10_000 {
            eprintln!("hybridlint: read {} rows from `{}`", imported.rows.len(), input.display());
        }
        rows.extend(imported.rows);
    }
    if !ignored.is_empty() {
        eprintln!(
            "hybridlint: columns with no hybridlint key were ignored: {}",
            ignored.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    if rows.is_empty() {
        return fail(&format!("nothing could be imported ({skipped} row(s) skipped)"));
    }
    let files = crate::import::write::layout(&rows, &flags);
    match crate::import::write::write(out, &files, force) {
        Ok(_) => {
            eprintln!("hybridlint: imported {} recipient(s), skipped {skipped}, into `{}`", rows.len(), out.display());
            EXIT_OK
        }
        Err(message) => fail(&message),
    }
}
