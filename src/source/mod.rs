//! The store of linted files: their text, and the mapping from byte offsets to lines and columns.
//!
//! Every span in the model points into one of these files. Line indexes are built lazily, only for files
//! that a diagnostic actually points into.

pub mod discover;
pub mod read;

use std::ops::Range;
use std::sync::OnceLock;

use codespan_reporting::files::{Error as FilesError, Files};

/// Index of a file in [`SourceFiles`].
pub type FileId = u32;

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, start: clamp_u32(range.start), end: clamp_u32(range.end) }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A value with the place it was written.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One linted file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The text, without a byte-order mark. A file that is not UTF-8 holds its lossy conversion here
    /// (only so that the `toml-syntax` finding can show where it failed).
    pub text: String,
    /// Where the file could not be decoded, if it was not valid UTF-8.
    pub invalid_utf8_at: Option<usize>,
    /// Why the file could not be read at all.
    pub read_error: Option<String>,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    /// Decodes raw bytes: strips a UTF-8 byte-order mark, and keeps the lossy text of invalid UTF-8.
    pub fn from_bytes(path: String, bytes: Vec<u8>) -> SourceFile {
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        let (text, invalid_utf8_at) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                (String::from_utf8_lossy(err.as_bytes()).into_owned(), Some(at))
            }
        };
        SourceFile { path, text, invalid_utf8_at, read_error: None, line_starts: OnceLock::new() }
    }

    /// A file that was found but could not be read (permissions, a race with a deletion, ...).
    pub fn unreadable(path: String, error: String) -> SourceFile {
        SourceFile {
            path,
            text: String::new(),
            invalid_utf8_at: None,
            read_error: Some(error),
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| clamp_u32(i + 1))).collect()
        })
    }

    /// 0-based line index of a byte offset.
    pub fn line_index_of(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        match starts.binary_search(&clamp_u32(offset)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// 1-based line and column (counted in Unicode scalar values) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor_char_boundary(offset);
        let line = self.line_index_of(offset);
        let start = self.line_starts()[line] as usize;
        let column = self.text[start..offset].chars().count() + 1;
        (line + 1, column)
    }

    fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn line_range(&self, line: usize) -> Option<Range<usize>> {
        let starts = self.line_starts();
        let start = *starts.get(line)? as usize;
        let end = starts.get(line + 1).map_or(self.text.len(), |&s| s as usize);
        Some(start..end)
    }
}

/// All files of one run, in a fixed order (sorted by path).
#[derive(Debug, Default)]
pub struct SourceFiles {
    files: Vec<SourceFile>,
}

impl SourceFiles {
    pub fn new(mut files: Vec<SourceFile>) -> SourceFiles {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        SourceFiles { files }
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (i as FileId, f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn as_slice(&self) -> &[SourceFile] {
        &self.files
    }

    /// The text a span covers.
    pub fn text(&self, span: Span) -> &str {
        self.get(span.file).text.get(span.range()).unwrap_or("")
    }
}

impl<'a> Files<'a> for SourceFiles {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.files.get(id as usize).map(|f| f.path.as_str()).ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.files.get(id as usize).map(|f| f.text.as_str()).ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.files.get(id as usize).ok_or(FilesError::FileMissing)?;
        Ok(file.line_index_of(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.files.get(id as usize).ok_or(FilesError::FileMissing)?;
        file.line_range(line_index)
            .ok_or(FilesError::LineTooLarge { given: line_index, max: file.line_starts().len() - 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_unicode_scalar_values() {
        let file = SourceFile::from_bytes("a.toml".into(), "x = 1\né = \"ü\"\n".as_bytes().to_vec());
        let offset = file.text.find('ü').unwrap();
        assert_eq!(file.line_column(offset), (2, 6));
        assert_eq!(file.line_column(0), (1, 1));
    }

    #[test]
    fn bom_is_stripped_and_invalid_utf8_is_located() {
        let file = SourceFile::from_bytes("a.toml".into(), b"\xEF\xBB\xBFa = 1".to_vec());
        assert_eq!(file.text, "a = 1");
        let file = SourceFile::from_bytes("b.toml".into(), b"a = \"\xFF\"".to_vec());
        assert_eq!(file.invalid_utf8_at, Some(5));
    }
}
