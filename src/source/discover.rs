//! Finding the repository root and the files to lint (SPEC 1).

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

/// The root configuration's file name.
pub const ROOT_FILE: &str = "hybridlint.toml";

/// The repository: its directory and its root configuration file.
#[derive(Clone, Debug)]
pub struct Root {
    pub dir: PathBuf,
    pub config: PathBuf,
}

impl Root {
    /// The root configuration's path relative to the root (`hybridlint.toml`, or what `--config` names).
    pub fn config_name(&self) -> String {
        self.config.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }
}

/// Why no repository root could be found (a usage error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("the configuration file `{0}` does not exist")]
    ConfigMissing(PathBuf),
    #[error(
        "no {ROOT_FILE} found in `{0}` or any parent directory\n  = help: run `hybridlint init --tenant NAME --domain DOMAIN` to create a starter repository, or pass --config FILE"
    )]
    NotFound(PathBuf),
    #[error("{0}: {1}")]
    Path(PathBuf, std::io::Error),
}

/// The nearest directory from `start` upwards that holds `hybridlint.toml`, or the one `config` names.
pub fn find_root(start: &Path, config: Option<&Path>) -> Result<Root, RootError> {
    if let Some(config) = config {
        if !config.is_file() {
            return Err(RootError::ConfigMissing(config.to_path_buf()));
        }
        let config = std::path::absolute(config).map_err(|e| RootError::Path(config.to_path_buf(), e))?;
        let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(Root { dir, config });
    }
    let start = std::path::absolute(start).map_err(|e| RootError::Path(start.to_path_buf(), e))?;
    let mut dir = if start.is_dir() { start.as_path() } else { start.parent().unwrap_or(&start) };
    loop {
        let candidate = dir.join(ROOT_FILE);
        if candidate.is_file() {
            return Ok(Root { dir: dir.to_path_buf(), config: candidate });
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => return Err(RootError::NotFound(start)),
        }
    }
}

/// `[lint] include` and `exclude`, each glob compiled on its own: a glob that does not compile (a syntax
/// error, or a pattern too large for the matcher) is left out here and reported by the model builder on
/// its span, instead of emptying the whole set.
pub struct Filter {
    include: Vec<GlobSet>,
    /// Some include glob was given (even one that does not compile): only what they admit is linted.
    narrowed: bool,
    exclude: Vec<GlobSet>,
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Filter {
        Filter { include: matchers(include), narrowed: !include.is_empty(), exclude: matchers(exclude) }
    }

    /// Whether a path relative to the root (with `/`) is linted: a `*.toml` file outside hidden
    /// directories and `target/`, admitted by `include` and not excluded.
    pub fn admits(&self, path: &str) -> bool {
        let (directories, file) = path.rsplit_once('/').unwrap_or(("", path));
        let hidden = directories.split('/').any(|d| d.starts_with('.') || d == "target");
        file.ends_with(".toml")
            && !hidden
            && (!self.narrowed || self.include.iter().any(|g| g.is_match(path)))
            && !self.exclude.iter().any(|g| g.is_match(path))
    }
}

fn matchers(patterns: &[String]) -> Vec<GlobSet> {
    patterns.iter().filter_map(|p| compile(p).ok()).collect()
}

/// A one-glob set rather than `compile_matcher`, which panics on a pattern too large to compile.
fn compile(pattern: &str) -> Result<GlobSet, globset::Error> {
    GlobSetBuilder::new().add(GlobBuilder::new(pattern).literal_separator(true).build()?).build()
}

/// Whether a glob compiles, and why not. Every glob of the file format goes through this, so that a glob
/// the matcher cannot use is a finding on its span.
pub fn glob_error(pattern: &str) -> Option<String> {
    // Compiled as discovery compiles it: parsing succeeds for patterns too large to use.
    compile(pattern).err().map(|e| e.kind().to_string())
}

/// A file found under the root: its path relative to the root with `/` separators (for display and
/// globs; lossy where the name is not UTF-8) and the real path (for reading).
#[derive(Clone, Debug)]
pub struct Found {
    pub path: String,
    pub full: PathBuf,
    /// Why it cannot be read: a directory that cannot be listed, an entry that cannot be examined.
    pub error: Option<String>,
}

/// The files to lint, sorted by path: every `*.toml` under the root that the filter admits, and every
/// entry that could not be examined (as a [`Found`] with an error, reported where it is). Symbolic links
/// are not followed. The root configuration is always included.
pub fn discover(root: &Root, filter: &Filter) -> Vec<Found> {
    let root_name = root.config_name();
    let walker = WalkDir::new(&root.dir).follow_links(false).into_iter().filter_entry(|entry| {
        let name = entry.file_name().to_string_lossy();
        entry.depth() == 0 || !(entry.file_type().is_dir() && (name.starts_with('.') || name == "target"))
    });
    let relative = |path: &Path| -> String {
        let relative = path.strip_prefix(&root.dir).unwrap_or(path);
        let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        parts.join("/")
    };
    let mut found = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let path = relative(entry.path());
                if path == root_name || filter.admits(&path) {
                    found.push(Found { path, full: entry.path().to_path_buf(), error: None });
                }
            }
            // A FIFO, socket or device named like a checked file: reported, never opened (a FIFO would
            // block the run).
            Ok(entry) if !entry.file_type().is_dir() && !entry.file_type().is_symlink() => {
                let path = relative(entry.path());
                if filter.admits(&path) {
                    let error = Some("it is not a regular file, so it is not read".to_string());
                    found.push(Found { path, full: entry.path().to_path_buf(), error });
                }
            }
            Ok(_) => {}
            Err(error) => {
                let full = error.path().map(Path::to_path_buf).unwrap_or_else(|| root.dir.clone());
                let reason = error.io_error().map_or_else(|| error.to_string(), ToString::to_string);
                let what = if full.is_dir() { "cannot list this directory" } else { "cannot examine this entry" };
                found.push(Found { path: relative(&full), full, error: Some(format!("{what}: {reason}")) });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}
