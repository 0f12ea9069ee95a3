//! Finding the repository root and the files to lint (SPEC 1).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
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
        "no {ROOT_FILE} found in `{0}` or any parent directory\n  = help: run `hybridlint init` to create a starter repository, or pass --config FILE"
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
pub fn discover(root: &Root, include_globs: &[String], exclude_globs: &[String]) -> Vec<String> {
    let include = glob_set(include_globs);
    let exclude = glob_set(exclude_globs);
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
            is_root_config || ((include_globs.is_empty() || include.is_match(path)) && !exclude.is_match(path))
        })
        .collect();
    paths.sort();
    paths
}
