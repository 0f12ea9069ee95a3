//! Reading the discovered files, in parallel. A file that cannot be read, or is over the size limit,
//! becomes an unreadable [`SourceFile`], which the model builder reports on it.

use rayon::prelude::*;

use super::discover::Found;
use super::{SourceFile, SourceFiles};

/// Reads every file found except the root configuration, which was read already and is passed in as
/// `root_file`. What could not be examined becomes an unreadable file, reported where it is.
pub fn read_files(found: Vec<Found>, max_size: u64, root_file: SourceFile) -> SourceFiles {
    let mut files: Vec<SourceFile> =
        found.into_par_iter().filter(|f| f.path != root_file.path).map(|f| read_one(f, max_size)).collect();
    files.push(root_file);
    SourceFiles::new(files)
}

fn read_one(found: Found, max_size: u64) -> SourceFile {
    let Found { path, full, error } = found;
    if let Some(error) = error {
        return SourceFile::unreadable(path, error);
    }
    // Not followed through a link, as discovery does not follow them.
    if let Ok(metadata) = std::fs::symlink_metadata(&full)
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
