//! The store of every recipient, kept per file as it was built.

use super::Recipient;

/// Every recipient, indexed `0..len` in file order, stored as each file's recipients where they were
/// built: joining them into one vector would copy the largest structure of a run and briefly hold it
/// twice.
#[derive(Debug, Default)]
pub struct Recipients<'a> {
    /// Non-empty runs of recipients, in order.
    runs: Vec<Vec<Recipient<'a>>>,
    /// The index of each run's first recipient.
    starts: Vec<usize>,
    len: usize,
}

impl<'a> Recipients<'a> {
    /// Appends one file's recipients.
    pub fn push_run(&mut self, run: Vec<Recipient<'a>>) {
        if run.is_empty() {
            return;
        }
        self.starts.push(self.len);
        self.len += run.len();
        self.runs.push(run);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&Recipient<'a>> {
        let run = self.starts.partition_point(|&start| start <= index).checked_sub(1)?;
        self.runs[run].get(index - self.starts[run])
    }

    pub fn first(&self) -> Option<&Recipient<'a>> {
        self.runs.first().and_then(|run| run.first())
    }

    pub fn iter(&self) -> std::iter::Flatten<std::slice::Iter<'_, Vec<Recipient<'a>>>> {
        self.runs.iter().flatten()
    }

    /// Slices of at most `size` recipients with the index of their first one, in order, for work split
    /// across threads.
    pub fn par_chunks(&self, size: usize) -> rayon::vec::IntoIter<(usize, &[Recipient<'a>])> {
        use rayon::prelude::*;
        let mut chunks = Vec::with_capacity(self.len / size.max(1) + self.runs.len());
        for (run, &start) in self.runs.iter().zip(&self.starts) {
            chunks.extend(run.chunks(size.max(1)).enumerate().map(|(i, chunk)| (start + i * size, chunk)));
        }
        chunks.into_par_iter()
    }

    /// Runs `each` on every recipient (with its index) in parallel chunks, and returns what it pushed, in
    /// recipient order: for work where each recipient stands alone and the order of results matters.
    pub fn par_gather<T: Send>(&self, each: impl Fn(usize, &Recipient<'a>, &mut Vec<T>) + Sync) -> Vec<T> {
        use rayon::prelude::*;
        let per_chunk: Vec<Vec<T>> = self
            .par_chunks(4096)
            .map(|(start, chunk)| {
                let mut found = Vec::new();
                for (offset, recipient) in chunk.iter().enumerate() {
                    each(start + offset, recipient, &mut found);
                }
                found
            })
            .collect();
        per_chunk.into_iter().flatten().collect()
    }
}

impl<'a> std::ops::Index<usize> for Recipients<'a> {
    type Output = Recipient<'a>;

    fn index(&self, index: usize) -> &Recipient<'a> {
        match self.get(index) {
            Some(recipient) => recipient,
            None => panic!("recipient index {index} out of range (there are {})", self.len),
        }
    }
}

impl<'r, 'a> IntoIterator for &'r Recipients<'a> {
    type Item = &'r Recipient<'a>;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'r, Vec<Recipient<'a>>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RecipientType, Spanned};
    use crate::source::Span;
    use rayon::prelude::*;
    use std::borrow::Cow;

    fn run(names: &[&'static str]) -> Vec<Recipient<'static>> {
        let span = Span { file: 0, start: 0, end: 0 };
        names
            .iter()
            .map(|name| {
                Recipient::new(
                    span,
                    Spanned::new(Cow::Borrowed(*name), span),
                    Spanned::new(RecipientType::MailUser, span),
                )
            })
            .collect()
    }

    #[test]
    fn recipients_index_across_runs_in_order() {
        let mut recipients = Recipients::default();
        recipients.push_run(run(&["a", "b", "c"]));
        recipients.push_run(run(&[]));
        recipients.push_run(run(&["d", "e"]));
        assert_eq!(recipients.len(), 5);
        let names: Vec<&str> = recipients.iter().map(|r| r.name.value.as_ref()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        assert_eq!(recipients[3].name.value, "d");
        assert_eq!(recipients.get(2).map(|r| r.name.value.as_ref()), Some("c"));
        assert!(recipients.get(5).is_none());

        let chunks: Vec<(usize, Vec<&str>)> = recipients
            .par_chunks(2)
            .map(|(start, chunk)| (start, chunk.iter().map(|r| r.name.value.as_ref()).collect()))
            .collect();
        assert_eq!(chunks, [(0, vec!["a", "b"]), (2, vec!["c"]), (3, vec!["d", "e"])]);
        assert!(Recipients::default().first().is_none());
    }
}
