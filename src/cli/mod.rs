//! The command line (SPEC 4). `main` only calls [`main`].

pub mod addresses;
pub mod batch;
pub mod init;
pub mod sync_preview;
pub mod test_rules;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::catalogue;
use crate::diag::Severity;
use crate::render::{self, Format, RenderOptions};
use crate::source::discover;

/// Exit codes (SPEC 4).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_FAILURE: i32 = 2;

#[derive(Parser)]
#[command(name = "hybridlint", version, about = "Lint Exchange hybrid recipient configuration kept as code")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint the repository (default: the current directory)
    Check(CheckArgs),
    /// A rule's explanation, rationale, example and sources
    Explain {
        /// The rule's name, e.g. duplicate-proxy-address
        rule: String,
        /// A repository whose organisation rules to include (default: the current directory, if it is one)
        #[arg(long, value_name = "PATH", default_value = ".")]
        path: PathBuf,
    },
    /// Which email address policy applies to a recipient, and the addresses it generates
    Addresses {
        /// The recipient's name
        name: String,
        #[command(flatten)]
        repository: RepositoryArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// The cloud view of synced recipients: what Entra ID and Exchange Online will compute
    SyncPreview {
        /// Recipients to show (default: every synced recipient)
        names: Vec<String>,
        #[command(flatten)]
        repository: RepositoryArgs,
        /// The evaluation date (for the license grace period)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        today: Option<Date>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Readiness of one migration batch: its members, which are ready, which are blocked and by what
    Batch {
        /// The batch's name
        name: String,
        #[command(flatten)]
        repository: RepositoryArgs,
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        today: Option<Date>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Import a Get-Recipient CSV or JSON export, or an ldifde LDIF file, into a new repository
    Import {
        #[arg(long = "from", value_enum)]
        from: ImportFormat,
        /// The export files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The directory of the new repository
        #[arg(long)]
        out: PathBuf,
        /// The tenant name (default: inferred from the addresses)
        #[arg(long)]
        tenant: Option<String>,
        /// An accepted domain (repeatable; default: inferred from the primary addresses)
        #[arg(long = "accepted-domain")]
        accepted_domains: Vec<String>,
        /// Write into a directory that is not empty
        #[arg(long)]
        force: bool,
    },
    /// The JSON Schema of the file format, for editors
    Schema,
    /// Run the repository's organisation rules against fixtures that state their expected findings
    TestRules {
        /// The directory of fixtures (NAME.toml with NAME.expect)
        dir: PathBuf,
        /// The root configuration file (default: the nearest hybridlint.toml upwards from DIR)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Create a starter repository
    Init {
        /// Where (default: the current directory)
        dir: Option<PathBuf>,
        /// The tenant name (`contoso` for contoso.onmicrosoft.com)
        #[arg(long, default_value = "contoso")]
        tenant: String,
        /// The organisation's main accepted domain
        #[arg(long, default_value = "contoso.com")]
        domain: String,
    },
    /// The rule catalogue: name, default severity, category, summary
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// A repository whose organisation rules to include (default: the current directory, if it is one)
        #[arg(long, value_name = "PATH", default_value = ".")]
        path: PathBuf,
    },
}

/// Where the repository is, for commands that read one but report no findings.
#[derive(clap::Args)]
struct RepositoryArgs {
    /// A path inside the repository (default: the current directory)
    #[arg(long, value_name = "PATH", default_value = ".")]
    path: PathBuf,
    /// The root configuration file (default: the nearest hybridlint.toml upwards)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportFormat {
    Csv,
    Json,
    Ldif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Paths inside the repository: they find the root and limit what is reported (the whole
    /// repository is always loaded, since cross-file rules need it)
    paths: Vec<PathBuf>,
    /// human, concise, json, sarif, github or junit; FORMAT:PATH writes that format to a file. Repeatable
    #[arg(long, value_name = "FORMAT[:PATH]", value_parser = parse_output)]
    format: Vec<Output>,
    /// The root configuration file (default: the nearest hybridlint.toml upwards)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Suppress the findings recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// The evaluation date for date rules (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,
    /// The lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Exit 0 even when there are findings
    #[arg(long)]
    exit_zero: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Counts per rule instead of the individual findings
    #[arg(long)]
    statistics: bool,
    /// Also list suppressed findings, with the reason
    #[arg(long)]
    show_suppressed: bool,
    /// Print the findings only, no summary
    #[arg(long)]
    quiet: bool,
    /// Print the wall time of each phase on stderr
    #[arg(long)]
    timings: bool,
}

/// One requested output: a format, to stdout or to a file.
#[derive(Clone, Debug)]
struct Output {
    format: Format,
    path: Option<PathBuf>,
}

fn parse_output(text: &str) -> Result<Output, String> {
    let (name, path) = match text.split_once(':') {
        Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
        _ => (text, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        format!(
            "unknown format `{name}` (expected human, concise, json, sarif, github or junit, optionally as FORMAT:PATH)"
        )
    })?;
    Ok(Output { format, path })
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.parse::<Date>().map_err(|e| format!("`{text}` is not a date (YYYY-MM-DD): {e}"))
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    // A bug must not end in a backtrace and exit code 101: say what failed, briefly, and exit 2.
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("hybridlint: internal error{location}: please report");
    }));
    std::panic::catch_unwind(|| run(std::env::args_os())).unwrap_or(EXIT_FAILURE)
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { EXIT_FAILURE } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Explain { rule, path } => explain(&rule, &path),
        Command::Rules { format, path } => list_rules(format, &path),
        Command::Schema => write_stdout(&crate::schema::json_schema::generate()),
        Command::Import { from, files, out, tenant, accepted_domains, force } => {
            import(from, &files, &out, crate::import::write::TenantFlags { name: tenant, accepted_domains }, force)
        }
        Command::Batch { name, repository, today, format } => batch(&name, &repository, today, format),
        Command::TestRules { dir, config } => test_rules(&dir, config.as_deref()),
        Command::Init { dir, tenant, domain } => init(dir.as_deref().unwrap_or(Path::new(".")), &tenant, &domain),
        Command::Addresses { name, repository, format } => addresses(&name, &repository, format),
        Command::SyncPreview { names, repository, today, format } => sync_preview(&names, &repository, today, format),
    }
}

fn fail(message: &str) -> i32 {
    eprintln!("error: {message}");
    EXIT_FAILURE
}

fn write_stdout(text: &str) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_OK,
        // A closed pipe (`| head`) is not a failure of the check.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => fail(&format!("cannot write the report: {e}")),
    }
}

fn check(args: CheckArgs) -> i32 {
    let start = args.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let root = match discover::find_root(&start, args.config.as_deref()) {
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
    let (files, mut options) = match crate::load_timed(&root, args.today, timings.clone()) {
        Ok(loaded) => loaded,
        Err(message) => return fail(&message),
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

/// Finds and reads the repository for a command that shows computed values.
fn load_repository(
    repository: &RepositoryArgs,
    today: Option<Date>,
) -> Result<(crate::source::SourceFiles, crate::Options), String> {
    let root = discover::find_root(&repository.path, repository.config.as_deref())?;
    crate::load(&root, today)
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

fn batch(name: &str, repository: &RepositoryArgs, today: Option<Date>, format: ListFormat) -> i32 {
    let (files, options) = match load_repository(repository, today) {
        Ok(loaded) => loaded,
        Err(message) => return fail(&message),
    };
    match crate::analyze(&files, &options, |analysis, _| crate::cli::batch::readiness(analysis, &files, name)) {
        Ok(readiness) => write_view(&readiness, format, |r| r.to_human()),
        Err(message) => fail(&message),
    }
}

fn sync_preview(names: &[String], repository: &RepositoryArgs, today: Option<Date>, format: ListFormat) -> i32 {
    let (files, options) = match load_repository(repository, today) {
        Ok(loaded) => loaded,
        Err(message) => return fail(&message),
    };
    match crate::analyze(&files, &options, |analysis, _| crate::cli::sync_preview::preview(analysis, names)) {
        Ok(preview) => write_view(&preview, format, |p| p.to_human()),
        Err(message) => fail(&message),
    }
}

fn addresses(name: &str, repository: &RepositoryArgs, format: ListFormat) -> i32 {
    let (files, options) = match load_repository(repository, None) {
        Ok(loaded) => loaded,
        Err(message) => return fail(&message),
    };
    let result = crate::analyze(&files, &options, |analysis, _| {
        let (model, derived) = (analysis.model, analysis.derived);
        crate::cli::addresses::report(model, derived, &files, name).ok_or_else(|| {
            let names = model.recipients.iter().map(|r| r.name.value.as_ref());
            match crate::util::suggest::did_you_mean(name, names) {
                Some(candidate) => format!("no recipient named `{name}`; did you mean `{candidate}`?"),
                None => format!("no recipient named `{name}`"),
            }
        })
    });
    match result {
        Ok(report) => write_view(&report, format, |r| r.to_human()),
        Err(message) => fail(&message),
    }
}

fn test_rules(dir: &Path, config: Option<&Path>) -> i32 {
    let root = match discover::find_root(dir, config) {
        Ok(root) => root,
        Err(message) => return fail(&message),
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

fn import(
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

fn init(dir: &Path, tenant: &str, domain: &str) -> i32 {
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

/// The built-in catalogue and, when `path` is inside a repository, its organisation rules.
fn catalogue_with_repository(path: &Path) -> Vec<catalogue::Entry> {
    let mut entries = catalogue::builtin().to_vec();
    let Ok(root) = discover::find_root(path, None) else { return entries };
    let Ok((files, options)) = crate::load(&root, None) else { return entries };
    crate::analyze(&files, &options, |analysis, _| {
        for rule in &analysis.model.custom_rules {
            entries.push(catalogue::Entry {
                name: rule.name.value.to_string(),
                severity: rule.severity,
                category: "organisation".to_string(),
                summary: rule.summary.value.to_string(),
                explanation: rule
                    .explanation
                    .as_ref()
                    .map_or_else(|| rule.summary.value.to_string(), |e| e.value.to_string()),
                example: None,
                sources: vec![format!("{} (this repository)", files.get(rule.name.span.file).path)],
            });
        }
    });
    entries
}

fn explain(rule: &str, path: &Path) -> i32 {
    let entries = catalogue_with_repository(path);
    let Some(entry) = entries.iter().find(|e| e.name == rule) else {
        let names = entries.iter().map(|e| e.name.as_str());
        return match crate::util::suggest::did_you_mean(rule, names) {
            Some(candidate) => fail(&format!("no rule named `{rule}`; did you mean `{candidate}`?")),
            None => fail(&format!("no rule named `{rule}`; `hybridlint rules` lists them")),
        };
    };
    let mut text = format!(
        "{}\n\n  {}\n\n  default severity: {}\n  category: {}\n\n{}\n",
        entry.name,
        entry.summary,
        entry.severity,
        entry.category,
        entry.explanation.trim_end()
    );
    if let Some(example) = &entry.example {
        text.push_str(&format!("\nExample:\n\n{}\n", indent(example.trim_end())));
    }
    text.push_str("\nSources:\n");
    for source in &entry.sources {
        text.push_str(&format!("  - {source}\n"));
    }
    write_stdout(&text)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("    {l}") }).collect::<Vec<_>>().join("\n")
}

fn list_rules(format: ListFormat, path: &Path) -> i32 {
    let entries = &catalogue_with_repository(path);
    let text = match format {
        ListFormat::Json => {
            #[derive(serde::Serialize)]
            struct Row<'e> {
                name: &'e str,
                severity: Severity,
                category: &'e str,
                summary: &'e str,
            }
            let rules: Vec<Row<'_>> = entries
                .iter()
                .map(|e| Row { name: &e.name, severity: e.severity, category: &e.category, summary: &e.summary })
                .collect();
            let mut json = serde_json::to_string_pretty(&serde_json::json!({ "rules": rules })).unwrap_or_default();
            json.push('\n');
            json
        }
        ListFormat::Human => {
            let width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
            let mut text = String::new();
            let mut category = "";
            for e in entries {
                if e.category != category {
                    category = &e.category;
                    text.push_str(&format!("{}{category}\n", if text.is_empty() { "" } else { "\n" }));
                }
                text.push_str(&format!("  {:<width$}  {:<7}  {}\n", e.name, e.severity.as_str(), e.summary));
            }
            text
        }
    };
    write_stdout(&text)
}
