//! Reading the discovered files, in parallel. A file that cannot be read, or is over the size limit,
//! becomes an unreadable [`SourceFile`], which the model builder reports on it.

use rayon::prelude::*;

use super::discover::Root;
use super::{SourceFile, SourceFiles};

/// Reads every path (relative to the root) except the root configuration, which was read already and
/// is passed in as `root_file`.
pub fn read_files(root: &Root, paths: Vec<String>, max_size: u64, root_file: SourceFile) -> SourceFiles {
    let mut files: Vec<SourceFile> = paths
        .into_par_iter()
        .filter(|path| *path != root_file.path)
        .map(|path| read_one(root, path, max_size))
        .collect();
    files.push(root_file);
    SourceFiles::new(files)
}

fn read_one(root: &Root, path: String, max_size: u64) -> SourceFile {
    let full = root.dir.join(&path);
    if let Ok(metadata) = std::fs::metadata(&full)
        && metadata.len() > max_size
    {
        let size = metadata.len();
        let reason = format!("it is {size} bytes, over the limit of {max_size} (`[lint] max_file_size`)");
        return SourceFile::unreadable(path, reason);
    }
    match std::fs::read(&full) {
        Ok(bytes) => SourceFile::from_bytes(path, bytes),
        Err(e) => SourceFile::unreadable(path, e.to_string()),
    }
}
