//! `hybridlint check`: the whole pipeline, rendered in every requested format, and the exit code.

use super::*;

// Long on purpose: the `check` command from arguments to exit code, one step after another.

pub(super) fn check(args: CheckArgs) -> i32 {
    let start = args.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let root = match discover::find_root(&start, args.config.as_deref()) {
        Ok(root) => root,
        Err(error) => return fail(&error.to_string()),
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
    let mut options = crate::Options {
        today: args.today,
        root_config: root.config_name(),
        timings: timings.clone(),
        ..Default::default()
    };
    if let Some(path) = &args.baseline {
        let read = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<crate::suppress::Baseline>(&text).map_err(|e| e.to_string()));
        match read {
            Ok(baseline) => options.baseline = Some(baseline),
            Err(e) => return fail(&format!("cannot read the baseline `{}`: {e}", path.display())),
        }
    }
    let mut report = crate::lint(files, &options);
    if let Some(path) = &args.write_baseline {
        let baseline = crate::suppress::Baseline::of(&report.diagnostics, &report.files);
        let mut text = serde_json::to_string_pretty(&baseline).unwrap_or_default();
        text.push('\n');
        if let Err(e) = std::fs::write(path, text) {
            return fail(&format!("cannot write the baseline `{}`: {e}", path.display()));
        }
        eprintln!("hybridlint: wrote {} finding(s) to the baseline `{}`", baseline.entries.len(), path.display());
    }
    if let Some(limits) = report_limits(&root.dir, &args.paths) {
        report.retain(|path| {
            limits.iter().any(|limit| limit.is_empty() || path == limit || path.starts_with(&format!("{limit}/")))
        });
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    };
    let root_uri = std::path::absolute(&root.dir).ok().map(|dir| {
        let mut uri = format!("file://{}", dir.to_string_lossy().replace('\\', "/"));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    });
    for output in &outputs {
        let options = RenderOptions {
            color: color && output.path.is_none(),
            statistics: args.statistics,
            quiet: args.quiet,
            show_suppressed: args.show_suppressed,
            root: display_root(&root.dir),
            root_uri: root_uri.clone(),
        };
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
    if !report.internal_errors.is_empty() {
        eprintln!(
            "hybridlint: internal error in {}: its findings are missing; please report this with the file that caused it",
            report.internal_errors.join(", ")
        );
        return EXIT_FAILURE;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    match report.max_severity() {
        Some(severity) if severity >= threshold && !args.exit_zero => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}

/// The given paths relative to the root (`/`-separated), or `None` when the whole repository is reported.
fn report_limits(root: &Path, paths: &[PathBuf]) -> Option<Vec<String>> {
    if paths.is_empty() {
        return None;
    }
    let limits: Vec<String> = paths
        .iter()
        .filter_map(|p| {
            let absolute = std::path::absolute(p).ok()?;
            let relative = absolute.strip_prefix(root).ok()?;
            let parts: Vec<String> = relative
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some(parts.join("/"))
        })
        .collect();
    (!limits.iter().any(String::is_empty)).then_some(limits)
}

/// The root as shown in reports: relative to the current directory when inside it.
fn display_root(root: &Path) -> String {
    let cwd = std::env::current_dir().ok().and_then(|c| std::path::absolute(c).ok());
    match cwd.as_deref().and_then(|cwd| root.strip_prefix(cwd).ok()) {
        Some(relative) if relative.as_os_str().is_empty() => ".".to_string(),
        Some(relative) => relative.to_string_lossy().replace('\\', "/"),
        None => root.to_string_lossy().replace('\\', "/"),
    }
}
