//! What reaches a terminal: control characters from the files (a TOML escape, a raw byte in an invalid
//! file, a file name) are shown visibly instead of being sent raw, so that no input can move the cursor,
//! change colours or ring the bell. File names are shown relative to the current directory.

use std::borrow::Cow;
use std::ops::Range;

use codespan_reporting::files::{Error as FilesError, Files};

use crate::source::{FileId, SourceFiles};

fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t' && c != '\r') || c == '\u{7f}'
}

/// A message or name with its control characters escaped (`\x1b`).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if is_control(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect(),
    )
}

/// The same text with every control character replaced by `?` of the same byte length, so that spans
/// still point at the same bytes.
fn same_length(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if is_control(c) { "?".repeat(c.len_utf8()) } else { c.to_string() }).collect())
}

/// The files as a terminal shows them.
pub struct Shown<'f> {
    pub files: &'f SourceFiles,
    pub prefix: String,
}

impl<'a> Files<'a> for Shown<'_> {
    type FileId = FileId;
    type Name = String;
    type Source = Cow<'a, str>;

    fn name(&'a self, id: FileId) -> Result<String, FilesError> {
        let name = self.files.name(id)?;
        Ok(format!("{}{}", self.prefix, visible(name)))
    }

    fn source(&'a self, id: FileId) -> Result<Cow<'a, str>, FilesError> {
        Ok(same_length(self.files.source(id)?))
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        self.files.line_index(id, byte_index)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        self.files.line_range(id, line_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(visible("a\u{1b}[31mb\u{7}"), "a\\u{1b}[31mb\\u{7}");
        assert_eq!(visible("plain\ttext"), "plain\ttext");
        assert_eq!(same_length("a\u{1b}b\u{85}c").len(), "a\u{1b}b\u{85}c".len());
        assert!(!same_length("a\u{1b}b").contains('\u{1b}'));
    }
}
