//! Writing a set of files into a directory without ever following a symbolic link and without leaving a
//! half-written tree: the files are written into a fresh directory beside the target, then moved into
//! place. Used by `init` and `import`.

use std::path::{Path, PathBuf};

/// Whether something (a file, a directory, a link, even a dangling one) is at `path`.
pub fn occupied(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Writes `files` (paths relative to `out`, `/`-separated) into `out`, creating it if needed. Refuses, and
/// writes nothing, when `out` or any existing directory or file on the way is a symbolic link.
pub fn write_tree(out: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    let refuse = |path: &Path| Err(format!("refusing to write through the symbolic link `{}`", path.display()));
    if is_link(out) {
        return refuse(out);
    }
    for (relative, _) in files {
        let mut path = out.to_path_buf();
        for part in relative.split('/') {
            path.push(part);
            if is_link(&path) {
                return refuse(&path);
            }
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    let staging = staging_directory(&parent, out)?;
    let result = fill_and_move(&staging, out, files);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// A new, empty directory beside `out`, created by this process (never an existing one).
fn staging_directory(parent: &Path, out: &Path) -> Result<PathBuf, String> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "repository".into());
    for attempt in 0..100u32 {
        let candidate = parent.join(format!(".{name}.hybridlint-{}-{attempt}", std::process::id()));
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create `{}`: {e}", candidate.display())),
        }
    }
    Err(format!("cannot create a staging directory in `{}`", parent.display()))
}

fn fill_and_move(staging: &Path, out: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    for (relative, contents) in files {
        let path = staging.join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        }
        std::fs::write(&path, contents).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    // A new directory moves into place whole; into an existing one, file by file (each rename replaces
    // a regular file atomically).
    if !occupied(out) && std::fs::rename(staging, out).is_ok() {
        return Ok(files.iter().map(|(relative, _)| out.join(relative)).collect());
    }
    let mut written = Vec::new();
    for (relative, _) in files {
        let target = out.join(relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        }
        std::fs::rename(staging.join(relative), &target)
            .map_err(|e| format!("cannot write `{}`: {e}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}
