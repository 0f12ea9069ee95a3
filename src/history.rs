//! The repository as it was at a git revision, read from git's object store without a checkout: the
//! same files discovery would find in that tree, by the root configuration of that revision. Used by
//! `check --new-from-rev` (and the pre-commit hook), which compares the findings of both.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::config::Settings;
use crate::source::discover::{Filter, Root};
use crate::source::{SourceFile, SourceFiles};

/// Why a revision could not be read (a usage error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("`{0}` is not inside a git work tree (--new-from-rev compares with a git revision)")]
    NotARepository(PathBuf),
    #[error("the git revision `{0}` does not exist in this repository")]
    NoSuchRevision(String),
    #[error("git failed: {0}")]
    Git(String),
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError::Git(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        return Err(GitError::Git(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    Ok(output.stdout)
}

/// The git work tree that holds `dir`, and `dir`'s path inside it (`""` or `sub/dir/`).
pub fn work_tree(dir: &Path) -> Result<(PathBuf, String), GitError> {
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| GitError::NotARepository(dir.to_path_buf()))?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (top, dir) = (canonical(&top), canonical(dir));
    let inside = dir.strip_prefix(&top).unwrap_or(Path::new(""));
    let mut prefix: String =
        inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
    if !prefix.is_empty() {
        prefix.push('/');
    }
    Ok((top, prefix))
}

/// The repository's files at `revision`, or `None` when the root configuration did not exist then (every
/// finding is new).
pub fn read_at_revision(root: &Root, revision: &str) -> Result<Option<SourceFiles>, GitError> {
    let (top, prefix) = work_tree(&root.dir)?;
    let spec = format!("{revision}^{{commit}}");
    let commit = git(&top, &["rev-parse", "--verify", "--quiet", &spec])
        .map_err(|_| GitError::NoSuchRevision(revision.to_string()))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();

    // Every blob under the root at that commit: `<mode> blob <id>\t<path>`, NUL-separated.
    let listing = git(&top, &["ls-tree", "-r", "-z", "--full-tree", &commit, "--", &prefix])?;
    let mut blobs: Vec<(String, String)> = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else { continue };
        let mut meta = meta.split(' ');
        let (mode, kind, id) = (meta.next(), meta.next(), meta.next());
        // Regular files only: symbolic links (120000) are not followed, as discovery does not follow them.
        if kind != Some("blob") || mode == Some("120000") {
            continue;
        }
        let Some(relative) = path.strip_prefix(&prefix) else { continue };
        blobs.push((relative.to_string(), id.unwrap_or_default().to_string()));
    }
    let config_name = root.config_name();
    let Some(config_id) = blobs.iter().find(|(path, _)| *path == config_name).map(|(_, id)| id.clone()) else {
        return Ok(None);
    };
    let config = read_blobs(&top, std::slice::from_ref(&config_id))?.pop().unwrap_or_default();
    let settings = Settings::parse(&config);
    let filter = Filter::new(&settings.include, &settings.exclude);
    let admitted: Vec<&(String, String)> =
        blobs.iter().filter(|(path, _)| *path != config_name && filter.admits(path)).collect();
    let ids: Vec<String> = admitted.iter().map(|(_, id)| id.clone()).collect();
    let contents = read_blobs(&top, &ids)?;
    let mut files: Vec<SourceFile> = admitted
        .iter()
        .zip(contents)
        .map(|((path, _), bytes)| {
            if bytes.len() as u64 > settings.max_file_size {
                let reason = format!("it is {} bytes, over the limit of {}", bytes.len(), settings.max_file_size);
                SourceFile::unreadable(path.clone(), reason)
            } else {
                SourceFile::from_bytes(path.clone(), bytes)
            }
        })
        .collect();
    files.push(SourceFile::from_bytes(config_name, config));
    Ok(Some(SourceFiles::new(files)))
}

/// The contents of blobs, in order, through one `git cat-file --batch`.
fn read_blobs(top: &Path, ids: &[String]) -> Result<Vec<Vec<u8>>, GitError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| GitError::Git(format!("cannot run git: {e}")))?;
    let mut stdin = child.stdin.take().ok_or_else(|| GitError::Git("no stdin".into()))?;
    let request: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // Written from another thread: git answers while it reads, and a full pipe would block both sides.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut output = Vec::new();
    child.stdout.take().ok_or_else(|| GitError::Git("no stdout".into()))?.read_to_end(&mut output).ok();
    let _ = writer.join();
    let _ = child.wait();
    let mut contents = Vec::with_capacity(ids.len());
    let mut rest = output.as_slice();
    for _ in ids {
        // `<id> blob <size>\n<content>\n`
        let header_end = rest.iter().position(|&b| b == b'\n').ok_or_else(|| GitError::Git("short read".into()))?;
        let header = String::from_utf8_lossy(&rest[..header_end]);
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| GitError::Git(format!("unexpected answer: {header}")))?;
        let start = header_end + 1;
        let content = rest.get(start..start + size).ok_or_else(|| GitError::Git("short read".into()))?;
        contents.push(content.to_vec());
        rest = rest.get(start + size + 1..).unwrap_or_default();
    }
    Ok(contents)
}
