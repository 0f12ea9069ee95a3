//! The repository as it was at a git revision, read from git's object store without a checkout: the
//! same files discovery would find in that tree, by the root configuration of that revision. Used by
//! `check --new-from-rev` (and the pre-commit hook), which compares the findings of both, and by `diff`,
//! which compares everything computed from both.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::config::Settings;
use crate::source::discover::{Filter, Root};
use crate::source::{SourceFile, SourceFiles};

/// Why a revision could not be read (a usage error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("`{0}` is not inside a git work tree (comparing with a git revision needs one)")]
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

/// A file at a revision: its path relative to the root, its object id and its size.
struct Blob {
    path: String,
    id: String,
    size: u64,
}

/// Whether `revision` names a commit in the git repository that holds `dir`.
pub fn is_revision(dir: &Path, revision: &str) -> bool {
    git(dir, &["rev-parse", "--verify", "--quiet", &format!("{revision}^{{commit}}")]).is_ok()
}

/// The repository's files at `revision`, or `None` when the root configuration did not exist then (every
/// finding is new). `current`: the working tree's files, already read; a file git says is the same in
/// the working tree as at `revision` is copied from them instead of read from git's object store.
pub fn read_at_revision(
    root: &Root,
    revision: &str,
    current: Option<&SourceFiles>,
) -> Result<Option<SourceFiles>, GitError> {
    let (top, prefix) = work_tree(&root.dir)?;
    let spec = format!("{revision}^{{commit}}");
    let commit = git(&top, &["rev-parse", "--verify", "--quiet", &spec])
        .map_err(|_| GitError::NoSuchRevision(revision.to_string()))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();

    // No pathspec at the top of the work tree: git refuses an empty one.
    let mut under_root = vec!["--"];
    if !prefix.is_empty() {
        under_root.push(&prefix);
    }
    // Every blob under the root at that commit: `<mode> blob <id> <size>\t<path>`, NUL-separated.
    let mut ls_tree = vec!["ls-tree", "-r", "-z", "-l", "--full-tree", &commit];
    ls_tree.extend(&under_root);
    let listing = git(&top, &ls_tree)?;
    let mut blobs: Vec<Blob> = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else { continue };
        let mut meta = meta.split_whitespace();
        let (mode, kind, id, size) = (meta.next(), meta.next(), meta.next(), meta.next());
        // Regular files only: symbolic links (120000) are not followed, as discovery does not follow them.
        if kind != Some("blob") || mode == Some("120000") {
            continue;
        }
        let Some(relative) = path.strip_prefix(&prefix) else { continue };
        blobs.push(Blob {
            path: relative.to_string(),
            id: id.unwrap_or_default().to_string(),
            size: size.and_then(|s| s.parse().ok()).unwrap_or(0),
        });
    }
    let config_name = root.config_name();
    let Some(config_id) = blobs.iter().find(|b| b.path == config_name).map(|b| b.id.clone()) else {
        return Ok(None);
    };
    let config = read_blobs(&top, std::slice::from_ref(&config_id))?.pop().unwrap_or_default();
    let settings = Settings::parse(&config);
    let filter = Filter::new(&settings.include, &settings.exclude);
    let admitted: Vec<&Blob> = blobs.iter().filter(|b| b.path != config_name && filter.admits(&b.path)).collect();

    // What the working tree has unchanged since that commit (by git's index): copied, not read again.
    let unchanged: HashMap<&str, &SourceFile> = match current {
        Some(files) => {
            let mut diff_index = vec!["diff-index", "--name-only", "-z", "--no-renames", &commit];
            diff_index.extend(&under_root);
            let changed = git(&top, &diff_index)?;
            let changed: HashSet<&[u8]> = changed.split(|&b| b == 0).filter(|p| !p.is_empty()).collect();
            files
                .as_slice()
                .iter()
                .filter(|f| f.read_error.is_none() && f.invalid_utf8_at.is_none())
                .filter(|f| !changed.contains(format!("{prefix}{}", f.path).as_bytes()))
                .map(|f| (f.path.as_str(), f))
                .collect()
        }
        None => HashMap::new(),
    };
    let too_large = |size: u64| size > settings.max_file_size;
    let from_git: Vec<&Blob> =
        admitted.iter().copied().filter(|b| !unchanged.contains_key(b.path.as_str()) && !too_large(b.size)).collect();
    let ids: Vec<String> = from_git.iter().map(|b| b.id.clone()).collect();
    let mut contents: HashMap<&str, Vec<u8>> =
        from_git.iter().map(|b| b.path.as_str()).zip(read_blobs(&top, &ids)?).collect();
    let files: Vec<SourceFile> = admitted
        .iter()
        .map(|blob| {
            if too_large(blob.size) {
                let reason = format!("it is {} bytes, over the limit of {}", blob.size, settings.max_file_size);
                return SourceFile::unreadable(blob.path.clone(), reason);
            }
            let bytes = match unchanged.get(blob.path.as_str()) {
                Some(file) => file.text.clone().into_bytes(),
                None => contents.remove(blob.path.as_str()).unwrap_or_default(),
            };
            SourceFile::from_bytes(blob.path.clone(), bytes)
        })
        .collect();
    let mut files = files;
    files.push(SourceFile::from_bytes(config_name, config));
    Ok(Some(SourceFiles::new(files)))
}

/// The contents of blobs, in order, through one `git cat-file --batch`, each read straight into its own
/// buffer.
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
    let stdout = child.stdout.take().ok_or_else(|| GitError::Git("no stdout".into()))?;
    let mut answer = BufReader::with_capacity(1 << 16, stdout);
    let short = |e: std::io::Error| GitError::Git(format!("short read: {e}"));
    let mut contents = Vec::with_capacity(ids.len());
    let mut header = Vec::new();
    for _ in ids {
        // `<id> blob <size>\n<content>\n`
        header.clear();
        answer.read_until(b'\n', &mut header).map_err(short)?;
        let text = String::from_utf8_lossy(&header);
        let size: usize = text
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| GitError::Git(format!("unexpected answer: {}", text.trim_end())))?;
        let mut content = vec![0; size];
        answer.read_exact(&mut content).map_err(short)?;
        let mut newline = [0u8; 1];
        answer.read_exact(&mut newline).map_err(short)?;
        contents.push(content);
    }
    drop(answer);
    let _ = writer.join();
    let _ = child.wait();
    Ok(contents)
}
