//! The commands that show computed values (`batch`, `sync-preview`, `addresses`) and the repository tools
//! (`test-rules`, `init`).

use super::*;

/// Finds and reads the repository, builds the model and its analysis, and hands them to a command that
/// shows computed values.
fn with_analysis(
    repository: &RepositoryArgs,
    today: Option<Date>,
    show: impl FnOnce(&Analysis<'_>, &crate::source::SourceFiles) -> i32,
) -> i32 {
    let (files, options) = match read_repository(&repository.path, repository.config.as_deref(), today) {
        Ok(loaded) => loaded,
        Err(error) => return fail(&error),
    };
    let (model, _) = crate::build_model(&files, &options);
    let analysis = Analysis::new(&model, options.today, &options.timings);
    show(&analysis, &files)
}

/// Writes a value as JSON or with its human rendering.
fn write_view<T: serde::Serialize>(value: &T, format: ListFormat, human: impl FnOnce(&T) -> String) -> i32 {
    write_stdout(&match format {
        ListFormat::Human => human(value),
        ListFormat::Json => {
            let mut json = serde_json::to_string_pretty(value).unwrap_or_default();
            json.push('\n');
            json
        }
    })
}

pub(super) fn batch(
    name: &str,
    repository: &RepositoryArgs,
    today: Option<Date>,
    format: ListFormat,
    exit_zero: bool,
) -> i32 {
    with_analysis(repository, today, |analysis, files| match crate::cli::batch::readiness(analysis, files, name) {
        Ok(readiness) => {
            let written = write_view(&readiness, format, |r| r.to_human());
            let not_ready = !readiness.blocked.is_empty() || !readiness.unknown.is_empty();
            if written == EXIT_OK && not_ready && !exit_zero { EXIT_FINDINGS } else { written }
        }
        Err(message) => fail(&message),
    })
}

pub(super) fn sync_preview(
    names: &[String],
    repository: &RepositoryArgs,
    today: Option<Date>,
    format: ListFormat,
) -> i32 {
    with_analysis(repository, today, |analysis, _| match crate::cli::sync_preview::preview(analysis, names) {
        Ok(preview) => write_view(&preview, format, |p| p.to_human()),
        Err(message) => fail(&message),
    })
}

pub(super) fn addresses(name: &str, repository: &RepositoryArgs, format: ListFormat) -> i32 {
    with_analysis(repository, None, |analysis, files| {
        let Some(report) = crate::cli::addresses::report(analysis, files, name) else {
            let names = analysis.model.recipients.iter().map(|r| r.name.value.as_ref());
            return fail(&match crate::util::suggest::did_you_mean(name, names) {
                Some(candidate) => format!("no recipient named `{name}`; did you mean `{candidate}`?"),
                None => format!("no recipient named `{name}` (names are the `name` keys of `[[recipient]]` tables)"),
            });
        };
        write_view(&report, format, |r| r.to_human())
    })
}

pub(super) fn test_rules(dir: &Path, config: Option<&Path>) -> i32 {
    let root = match discover::find_root(dir, config) {
        Ok(root) => root,
        Err(error) => return fail(&error.to_string()),
    };
    match crate::cli::test_rules::run(&root, dir) {
        Ok(outcome) => {
            let written = write_stdout(&outcome.report);
            if written != EXIT_OK {
                written
            } else if outcome.failed > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
        Err(message) => fail(&message),
    }
}

pub(super) fn init(dir: &Path, tenant: &str, domain: &str) -> i32 {
    match crate::cli::init::init(dir, tenant, domain) {
        Ok(written) => {
            for path in written {
                eprintln!("created {}", path.display());
            }
            eprintln!("next: describe your recipients, then run `hybridlint check {}`", dir.display());
            EXIT_OK
        }
        Err(message) => fail(&message),
    }
}
