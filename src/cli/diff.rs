//! `hybridlint diff [REV] [PATH]`: what a change does to every recipient. The repository at REV (read from
//! git without a checkout) and the working tree are compared by `crate::diff`; this renders the result
//! and chooses the exit code: 0 nothing differs, 1 something does, 2 usage errors.

use super::*;
use crate::render::diff::{DiffFormat, DiffOptions};

pub(super) fn diff(args: DiffArgs) -> i32 {
    let (revision, path) = revision_and_path(&args);
    if !path.exists() {
        return fail(&format!("no such path `{}`", path.display()));
    }
    let root = match discover::find_root(&path, args.config.as_deref()) {
        Ok(root) => root,
        Err(error) => return fail(&error.to_string()),
    };
    let outputs = if args.format.is_empty() {
        vec![DiffOutput { format: DiffFormat::Human, path: None }]
    } else {
        args.format.clone()
    };
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return fail("only one --format can go to standard output; give the others a path (FORMAT:PATH)");
    }
    let timings =
        std::sync::Arc::new(if args.timings { crate::util::timings::Timings::enabled() } else { Default::default() });
    let current = match crate::read(&root, &timings) {
        Ok(files) => files,
        Err(error) => return fail(&error.to_string()),
    };
    let earlier = match timings
        .time(&format!("read {revision}"), || crate::history::read_at_revision(&root, &revision, Some(&current)))
    {
        Ok(files) => files,
        Err(error) => return fail(&error.to_string()),
    };
    let options = crate::Options {
        today: args.today,
        root_config: root.config_name(),
        timings: timings.clone(),
        ..Default::default()
    };
    let render_options = DiffOptions { color: color_enabled(args.color), root: display_root(&root.dir) };
    let (written, differs, internal_errors) = crate::diff::compare(&revision, earlier, current, &options, |diff| {
        for output in &outputs {
            let options =
                DiffOptions { color: render_options.color && output.path.is_none(), ..render_options.clone() };
            let written = timings.time("render", || match &output.path {
                None => {
                    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                    match crate::render::diff::write(output.format, diff, &options, &mut stdout)
                        .and_then(|()| stdout.flush())
                    {
                        Ok(()) => EXIT_OK,
                        // A closed pipe (`| head`) is not a failure.
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
                        Err(e) => fail(&format!("cannot write the diff: {e}")),
                    }
                }
                Some(path) => {
                    let written = std::fs::File::create(path).and_then(|file| {
                        let mut file = std::io::BufWriter::with_capacity(1 << 16, file);
                        crate::render::diff::write(output.format, diff, &options, &mut file)?;
                        file.flush()
                    });
                    match written {
                        Ok(()) => EXIT_OK,
                        Err(e) => fail(&format!("cannot write `{}`: {e}", path.display())),
                    }
                }
            });
            if written != EXIT_OK {
                return (written, true, Vec::new());
            }
        }
        (EXIT_OK, !diff.is_empty(), diff.internal_errors.clone())
    });
    if written != EXIT_OK {
        return written;
    }
    if args.timings {
        eprint!("{}", timings.report());
    }
    if !internal_errors.is_empty() {
        eprintln!(
            "hybridlint: internal error in {}: the findings it would have compared are missing; please report this",
            internal_errors.join(", ")
        );
        return EXIT_FAILURE;
    }
    if differs && !args.exit_zero { EXIT_FINDINGS } else { EXIT_OK }
}

/// REV (default HEAD) and PATH (default `.`). Given alone, an existing path that is not a revision is
/// the PATH, so that `hybridlint diff sub/repo` compares `sub/repo` with HEAD.
fn revision_and_path(args: &DiffArgs) -> (String, PathBuf) {
    match (&args.rev, &args.path) {
        (Some(rev), Some(path)) => (rev.clone(), path.clone()),
        (Some(rev), None) => {
            let as_path = Path::new(rev);
            if as_path.exists() && !crate::history::is_revision(Path::new("."), rev) {
                ("HEAD".to_string(), as_path.to_path_buf())
            } else {
                (rev.clone(), PathBuf::from("."))
            }
        }
        (None, _) => ("HEAD".to_string(), PathBuf::from(".")),
    }
}
