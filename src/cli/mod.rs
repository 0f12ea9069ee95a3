//! The command line (SPEC 4). `main` only calls [`main`].

pub mod addresses;
pub mod batch;
mod catalogue;
mod check;
mod diff;
mod import_command;
pub mod init;
pub mod sync_preview;
pub mod test_rules;
mod views;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::analysis::Analysis;
use crate::diag::Severity;
use crate::render::{self, Format, RenderOptions};
use crate::source::SourceFiles;
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
    /// What a change does to every recipient: the repository at a git revision (default HEAD) compared with
    /// the working tree (addresses, primaries, policies, where each exists, the cloud view, findings)
    Diff(DiffArgs),
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
        /// human (for reading) or json (for scripts)
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
        /// human (for reading) or json (for scripts)
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Readiness of one migration batch: its members, which are ready, which are blocked and by what
    Batch {
        /// The batch's name
        name: String,
        #[command(flatten)]
        repository: RepositoryArgs,
        /// The evaluation date (for licence grace periods and completion dates)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        today: Option<Date>,
        /// human (for reading) or json (for scripts)
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Exit 0 even when members are blocked or missing (by default that exits 1, so CI stops)
        #[arg(long)]
        exit_zero: bool,
    },
    /// Import exports (Get-Recipient, Get-RemoteMailbox, Get-User; CSV, JSON or CLIXML; ldifde or ldapsearch
    /// LDIF) of on-premises Exchange and Exchange Online into a new repository
    Import {
        /// The format of every file (default: detected from each file's content)
        #[arg(long = "from", value_enum)]
        from: Option<ImportFormat>,
        /// Export files whose side (on-premises or Exchange Online) their content tells
        files: Vec<PathBuf>,
        /// Exports of the on-premises organisation (Exchange Server, Active Directory)
        #[arg(long = "on-premises", value_name = "FILE", num_args = 1..)]
        on_premises: Vec<PathBuf>,
        /// Exports of Exchange Online
        #[arg(long = "cloud", value_name = "FILE", num_args = 1..)]
        cloud: Vec<PathBuf>,
        /// The directory of the new repository
        #[arg(long)]
        out: PathBuf,
        /// The tenant name, NAME as in NAME.onmicrosoft.com (default: inferred from the addresses)
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
        #[arg(long)]
        tenant: String,
        /// The organisation's main accepted domain
        #[arg(long)]
        domain: String,
    },
    /// The rule catalogue: name, default severity, category, summary
    Rules {
        /// human (for reading) or json (for scripts)
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
    Clixml,
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
    /// A path to check, as other commands take it (the same as a positional PATH). Repeatable
    #[arg(long = "path", value_name = "PATH")]
    path_options: Vec<PathBuf>,
    /// Report only findings that the repository at this git revision does not already have (matched by
    /// rule, recipients and value); a pre-commit hook passes HEAD, CI the pull request's base
    #[arg(long, value_name = "REV")]
    new_from_rev: Option<String>,
    /// The directory SARIF paths are relative to (default: the git work tree, else the repository root)
    #[arg(long, value_name = "DIR")]
    sarif_root: Option<PathBuf>,
    /// human, concise, json, sarif, github or junit; FORMAT:PATH writes that format to a file. Repeatable
    #[arg(long, value_name = "FORMAT[:PATH]", value_parser = parse_output)]
    format: Vec<Output>,
    /// The root configuration file (default: the nearest hybridlint.toml upwards)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Suppress the findings recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and report nothing else: the run succeeds)
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
    /// Colour in human and concise output: auto follows NO_COLOR and whether stdout is a terminal
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

#[derive(clap::Args)]
struct DiffArgs {
    /// The git revision to compare with (default: HEAD); in a pull request, its base (origin/main)
    rev: Option<String>,
    /// A path inside the repository (default: the current directory). Given alone, a path that is not a
    /// revision is taken as PATH
    path: Option<PathBuf>,
    /// human, json or markdown; FORMAT:PATH writes that format to a file. Repeatable
    #[arg(long, value_name = "FORMAT[:PATH]", value_parser = parse_diff_output)]
    format: Vec<DiffOutput>,
    /// The root configuration file (default: the nearest hybridlint.toml upwards)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The evaluation date for date rules and licence grace periods, on both sides (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,
    /// Exit 0 even when something differs (by default that exits 1)
    #[arg(long)]
    exit_zero: bool,
    /// Colour in human output: auto follows NO_COLOR and whether stdout is a terminal
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print the wall time of each phase on stderr
    #[arg(long)]
    timings: bool,
}

/// One requested diff output: a format, to stdout or to a file.
#[derive(Clone, Debug)]
struct DiffOutput {
    format: render::diff::DiffFormat,
    path: Option<PathBuf>,
}

fn parse_diff_output(text: &str) -> Result<DiffOutput, String> {
    let (name, path) = match text.split_once(':') {
        Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
        _ => (text, None),
    };
    let format = render::diff::DiffFormat::from_str(name, true).map_err(|_| {
        format!("unknown format `{name}` (expected human, json or markdown, optionally as FORMAT:PATH)")
    })?;
    Ok(DiffOutput { format, path })
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
        Command::Check(args) => check::check(args),
        Command::Diff(args) => diff::diff(args),
        Command::Explain { rule, path } => catalogue::explain(&rule, &path),
        Command::Rules { format, path } => catalogue::list_rules(format, &path),
        Command::Schema => write_stdout(&crate::schema::json_schema::generate()),
        Command::Import { from, files, on_premises, cloud, out, tenant, accepted_domains, force } => {
            import_command::import(
                from,
                import_command::Files { detected: files, on_premises, cloud },
                &out,
                crate::import::write::TenantFlags { name: tenant, accepted_domains },
                force,
            )
        }
        Command::Batch { name, repository, today, format, exit_zero } => {
            views::batch(&name, &repository, today, format, exit_zero)
        }
        Command::TestRules { dir, config } => views::test_rules(&dir, config.as_deref()),
        Command::Init { dir, tenant, domain } => {
            views::init(dir.as_deref().unwrap_or(Path::new(".")), &tenant, &domain)
        }
        Command::Addresses { name, repository, format } => views::addresses(&name, &repository, format),
        Command::SyncPreview { names, repository, today, format } => {
            views::sync_preview(&names, &repository, today, format)
        }
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

/// Finds the root from `path` (or `--config`) and reads the repository, for the commands that are not
/// `check`.
fn read_repository(
    path: &Path,
    config: Option<&Path>,
    today: Option<Date>,
) -> Result<(SourceFiles, crate::Options), String> {
    let root = discover::find_root(path, config).map_err(|e| e.to_string())?;
    let files = crate::read(&root, &Default::default()).map_err(|e| e.to_string())?;
    Ok((files, crate::Options { today, root_config: root.config_name(), ..Default::default() }))
}

/// Whether to colour standard output: `auto` follows `NO_COLOR` and whether stdout is a terminal.
fn color_enabled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    }
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
