//! The root configuration, read once: its bytes become the root file of the run (the model builder reads
//! `[tenant]` and `[lint]` from them with spans and reports what is malformed), and the settings that
//! decide which files are read at all come from one lenient parse of the same bytes.

use serde::Deserialize;

use crate::source::SourceFile;
use crate::source::discover::Root;

/// Files larger than this are reported, not read (`[lint] max_file_size`, in bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// What discovery and reading need from `[lint]`. A malformed value counts as absent here; the model
/// builder reports it on its span.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { include: Vec::new(), exclude: Vec::new(), max_file_size: DEFAULT_MAX_FILE_SIZE }
    }
}

impl Settings {
    /// The settings of a root configuration's bytes (the defaults where it is malformed).
    pub fn parse(bytes: &[u8]) -> Settings {
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .ok()
            .and_then(|text| toml::from_str::<Document>(text).ok())
            .unwrap_or_default()
            .lint
    }
}

#[derive(Default, Deserialize)]
struct Document {
    #[serde(default)]
    lint: Settings,
}

/// The root configuration file and its settings.
pub struct RootConfig {
    /// The root configuration as a file of the run (path relative to the root).
    pub file: SourceFile,
    pub settings: Settings,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read the root configuration `{path}`: {source}")]
pub struct ConfigError {
    pub path: String,
    pub source: std::io::Error,
}

impl ConfigError {
    fn new(root: &Root, problem: impl Into<String>) -> ConfigError {
        let source = std::io::Error::other(problem.into());
        ConfigError { path: root.config.display().to_string(), source }
    }
}

impl RootConfig {
    pub fn read(root: &Root) -> Result<RootConfig, ConfigError> {
        // Not read through a link that leaves the repository, and not read whole when it is huge.
        let link = std::fs::symlink_metadata(&root.config).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            let target = std::fs::canonicalize(&root.config).map_err(|e| ConfigError::new(root, e.to_string()))?;
            let dir = std::fs::canonicalize(&root.dir).unwrap_or_else(|_| root.dir.clone());
            if !target.starts_with(&dir) {
                return Err(ConfigError::new(root, "it is a symbolic link to a file outside the repository"));
            }
        }
        let size = std::fs::metadata(&root.config).map_err(|e| ConfigError::new(root, e.to_string()))?.len();
        if size > DEFAULT_MAX_FILE_SIZE {
            return Err(ConfigError::new(
                root,
                format!("it is {size} bytes, over the limit of {DEFAULT_MAX_FILE_SIZE}"),
            ));
        }
        let bytes = std::fs::read(&root.config)
            .map_err(|source| ConfigError { path: root.config.display().to_string(), source })?;
        let settings = Settings::parse(&bytes);
        let file = SourceFile::from_bytes(root.config_name(), bytes);
        Ok(RootConfig { file, settings })
    }
}
