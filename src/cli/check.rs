//! `hybridlint check`: the whole pipeline, rendered in every requested format, and the exit code.

use super::*;
use crate::report::Report;
use crate::source::discover::Root;

pub(super) fn check(mut args: CheckArgs) -> i32 {
    args.paths.append(&mut args.path_options);
    let root = match repository_root(&args) {
        Ok(root) => root,
        Err(message) => return fail(&message),
    };
    let outputs =
        if args.format.is_empty() { vec![Output { format: Format::Human, path: None }] } else { args.format.clone() };
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return fail("only one --format can go to standard output; give the others a path (FORMAT:PATH)");
    }
    let timings =
        std::sync::Arc::new(if args.timings { crate::util::timings::Timings::enabled() } else { Default::default() });
    let files = match crate::read(&root, &timings) {
        Ok(files) => files,
        Err(error) => return fail(&error.to_string()),
    };
    let limits = match report_limits(&root, &args.paths, &files) {
        Ok(limits) => limits,
        Err(message) => return fail(&message),
    };
    let mut options = crate::Options {
        today: args.today,
        root_config: root.config_name(),
        timings: timings.clone(),
        ..Default::default()
    };
    if let Some(path) = &args.baseline {
        match crate::suppress::Baseline::read(path) {
            Ok(baseline) => options.baseline = Some(baseline),
            Err(message) => return fail(&message),
        }
    }
    let mut report = crate::lint(files, &options);
    if let Some(path) = &args.write_baseline {
        return write_baseline(&report, path);
    }
    if let Some(revision) = &args.new_from_rev {
        let earlier = match crate::history::read_at_revision(&root, revision, Some(&report.files)) {
            Ok(files) => files.map(|files| crate::lint(files, &crate::Options { baseline: None, ..options.clone() })),
            Err(error) => return fail(&error.to_string()),
        };
        if let Some(earlier) = earlier {
            crate::suppress::keep_new(&mut report, &earlier);
        }
    }
    if let Some(limits) = limits {
        report.retain(|path| {
            limits.iter().any(|limit| limit.is_empty() || path == limit || path.starts_with(&format!("{limit}/")))
        });
    }
    let render_options = render_options(&args, &root);
    for output in &outputs {
        let options = RenderOptions { color: render_options.color && output.path.is_none(), ..render_options.clone() };
        let text = timings.time(&format!("render {:?}", output.format).to_lowercase(), || {
            render::render(output.format, &report, &options)
        });
        let written = match &output.path {
            None => write_stdout(&text),
            Some(path) => match std::fs::write(path, text) {
                Ok(()) => EXIT_OK,
                Err(e) => fail(&format!("cannot write `{}`: {e}", path.display())),
            },
        };
        if written != EXIT_OK {
            return written;
        }
    }
    if args.timings {
        eprint!("{}", timings.report());
    }
    exit_code(&report, &args)
}

/// The root of the first PATH (or of `--config`); every PATH must exist and lie under the same root.
fn repository_root(args: &CheckArgs) -> Result<Root, String> {
    for path in &args.paths {
        if !path.exists() {
            return Err(format!("no such path `{}`", path.display()));
        }
    }
    let start = args.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let root = discover::find_root(&start, args.config.as_deref()).map_err(|e| e.to_string())?;
    for path in args.paths.iter().skip(1) {
        let other = discover::find_root(path, args.config.as_deref()).map_err(|e| e.to_string())?;
        if other.config != root.config {
            return Err(format!(
                "`{}` is in another repository (`{}`) than `{}` (`{}`); check one repository at a time",
                path.display(),
                other.dir.display(),
                start.display(),
                root.dir.display()
            ));
        }
    }
    Ok(root)
}

/// The given paths relative to the root (`/`-separated), or `None` when the whole repository is reported.
/// A file that is not one hybridlint lints is a usage error, not a silent success.
fn report_limits(
    root: &Root,
    paths: &[PathBuf],
    files: &crate::source::SourceFiles,
) -> Result<Option<Vec<String>>, String> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut limits = Vec::new();
    for path in paths {
        let absolute = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let (absolute, dir) = (canonical(&absolute), canonical(&root.dir));
        let Ok(relative) = absolute.strip_prefix(&dir) else {
            return Err(format!("`{}` is outside the repository at `{}`", path.display(), root.dir.display()));
        };
        let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let limit = parts.join("/");
        if absolute.is_file() && !files.iter().any(|(_, f)| f.path == limit) {
            return Err(format!(
                "`{}` is not a file hybridlint checks: only `*.toml` files that `[lint] include`/`exclude` admit are",
                path.display()
            ));
        }
        limits.push(limit);
    }
    Ok((!limits.iter().any(String::is_empty)).then_some(limits))
}

fn write_baseline(report: &Report, path: &Path) -> i32 {
    let baseline = crate::suppress::Baseline::of(&report.diagnostics, &report.files);
    let mut text = serde_json::to_string_pretty(&baseline).unwrap_or_default();
    text.push('\n');
    if let Err(e) = std::fs::write(path, text) {
        return fail(&format!("cannot write the baseline `{}`: {e}", path.display()));
    }
    eprintln!(
        "hybridlint: wrote a baseline of {} finding(s) to `{}`; pass it with --baseline to report only new ones",
        baseline.entries.len(),
        path.display()
    );
    EXIT_OK
}

fn render_options(args: &CheckArgs, root: &Root) -> RenderOptions {
    let color = color_enabled(args.color);
    let (sarif_root, sarif_prefix) = sarif_base(args, root);
    RenderOptions {
        color,
        statistics: args.statistics,
        quiet: args.quiet,
        show_suppressed: args.show_suppressed,
        root: display_root(&root.dir),
        sarif_root_uri: std::path::absolute(sarif_root).ok().map(|dir| directory_uri(&dir)),
        sarif_prefix,
        fail_on: Some(threshold(args.fail_on)),
    }
}

/// The directory SARIF paths are relative to, and the repository root's path inside it (`sub/dir/`):
/// `--sarif-root`, else the git work tree, else the root itself.
fn sarif_base(args: &CheckArgs, root: &Root) -> (PathBuf, String) {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let base = match &args.sarif_root {
        Some(dir) => canonical(dir),
        None => match crate::history::work_tree(&root.dir) {
            Ok((top, _)) => top,
            Err(_) => canonical(&root.dir),
        },
    };
    let inside = canonical(&root.dir).strip_prefix(&base).map(Path::to_path_buf).unwrap_or_default();
    let mut prefix: String =
        inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
    if !prefix.is_empty() {
        prefix.push('/');
    }
    (base, prefix)
}

/// `file:///abs/dir/`, percent-encoding what a URI cannot carry.
fn directory_uri(dir: &Path) -> String {
    let path = dir.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !path.starts_with('/') {
        uri.push('/');
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => uri.push(byte as char),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn threshold(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}

fn exit_code(report: &Report, args: &CheckArgs) -> i32 {
    if !report.internal_errors.is_empty() {
        eprintln!(
            "hybridlint: internal error in {}: its findings are missing; please report this with the file that caused it",
            report.internal_errors.join(", ")
        );
        return EXIT_FAILURE;
    }
    match report.max_severity() {
        Some(severity) if severity >= threshold(args.fail_on) && !args.exit_zero => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}
