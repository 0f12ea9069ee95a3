//! Finding the repository root and the files to lint (SPEC 1).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use walkdir::WalkDir;

use crate::schema::build::ROOT_FILE;

/// The repository: its directory and its root configuration file.
#[derive(Clone, Debug)]
pub struct Root {
    pub dir: PathBuf,
    pub config: PathBuf,
}

/// The nearest directory from `start` upwards that holds `hybridlint.toml`, or the one `config` names.
pub fn find_root(start: &Path, config: Option<&Path>) -> Result<Root, String> {
    if let Some(config) = config {
        if !config.is_file() {
            return Err(format!("the configuration file `{}` does not exist", config.display()));
        }
        let config = std::path::absolute(config).map_err(|e| format!("{}: {e}", config.display()))?;
        let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(Root { dir, config });
    }
    let start = std::path::absolute(start).map_err(|e| format!("{}: {e}", start.display()))?;
    let mut dir = if start.is_dir() { start.as_path() } else { start.parent().unwrap_or(&start) };
    loop {
        let candidate = dir.join(ROOT_FILE);
        if candidate.is_file() {
            return Ok(Root { dir: dir.to_path_buf(), config: candidate });
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => {
                return Err(format!(
                    "no {ROOT_FILE} found in `{}` or any parent directory\n  = help: run `hybridlint init` to create a starter repository, or pass --config FILE",
                    start.display()
                ));
            }
        }
    }
}

/// `[lint] include` and `exclude` as plain strings. The model builder reads the same keys with spans and
/// reports anything malformed; here a malformed value simply counts as absent.
#[derive(Default, Deserialize)]
struct FilterConfig {
    #[serde(default)]
    lint: FilterLint,
}

#[derive(Default, Deserialize)]
struct FilterLint {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_file_size: Option<u64>,
}

/// Files larger than this are reported, not read (`[lint] max_file_size`, in bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// The size limit of linted files, from the root configuration.
pub fn max_file_size(root_config_text: &str) -> u64 {
    toml::from_str::<FilterConfig>(root_config_text)
        .ok()
        .and_then(|c| c.lint.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE)
}

/// Compiles the globs of `[lint] include`/`exclude`; patterns that do not compile are skipped (the
/// model builder reports them).
pub fn glob_set(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = globset::GlobBuilder::new(pattern).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Whether a glob compiles, and why not.
pub fn glob_error(pattern: &str) -> Option<String> {
    Glob::new(pattern).err().map(|e| e.kind().to_string())
}

/// The files to lint: every `*.toml` under the root that `[lint] include`/`exclude` admit, as paths
/// relative to the root with `/` separators, sorted. Hidden directories and `target/` are skipped and
/// symbolic links are not followed. The root configuration is always included.
pub fn discover(root: &Root, root_config_text: &str) -> Vec<String> {
    let filters: FilterConfig = toml::from_str(root_config_text).unwrap_or_default();
    let include = glob_set(&filters.lint.include);
    let exclude = glob_set(&filters.lint.exclude);
    let root_name = root.config.file_name().map(|n| n.to_string_lossy().into_owned());

    let walker = WalkDir::new(&root.dir).follow_links(false).into_iter().filter_entry(|entry| {
        let name = entry.file_name().to_string_lossy();
        entry.depth() == 0 || !(entry.file_type().is_dir() && (name.starts_with('.') || name == "target"))
    });
    let mut paths: Vec<String> = walker
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "toml"))
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(&root.dir).ok()?;
            let relative: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            Some(relative.join("/"))
        })
        .filter(|path| {
            let is_root_config = Some(path.as_str()) == root_name.as_deref();
            is_root_config || ((filters.lint.include.is_empty() || include.is_match(path)) && !exclude.is_match(path))
        })
        .collect();
    paths.sort();
    paths
}
