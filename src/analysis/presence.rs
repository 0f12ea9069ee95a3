//! Where each recipient exists: the one place that decides sync scope. There are two directories, the
//! on-premises one (Active Directory and the Exchange organisation) and the cloud one (Entra ID and
//! Exchange Online), and a recipient exists in one or both. Uniqueness is a property of a directory, so
//! every rule that compares objects asks here whether, and where, they meet.

use crate::model::{Model, Recipient, RecipientType, Source};

/// One of the two directories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directory {
    OnPremises,
    Cloud,
}

/// The directories a recipient exists in, or in which two recipients both exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Directories {
    pub on_premises: bool,
    pub cloud: bool,
}

impl Directories {
    pub fn contains(self, directory: Directory) -> bool {
        match directory {
            Directory::OnPremises => self.on_premises,
            Directory::Cloud => self.cloud,
        }
    }

    pub fn is_empty(self) -> bool {
        !self.on_premises && !self.cloud
    }

    /// These directories and `directory`.
    pub fn with(mut self, directory: Directory) -> Directories {
        match directory {
            Directory::OnPremises => self.on_premises = true,
            Directory::Cloud => self.cloud = true,
        }
        self
    }

    /// Where both exist.
    pub fn and(self, other: Directories) -> Directories {
        Directories { on_premises: self.on_premises && other.on_premises, cloud: self.cloud && other.cloud }
    }

    /// The directories' names, for reports: `["on-premises", "cloud"]`.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.on_premises {
            names.push("on-premises");
        }
        if self.cloud {
            names.push("cloud");
        }
        names
    }

    /// "on-premises", "in the cloud", "on-premises and in the cloud", for messages.
    pub fn describe(self) -> &'static str {
        match (self.on_premises, self.cloud) {
            (true, true) => "on-premises and in the cloud",
            (true, false) => "on-premises",
            (false, true) => "in the cloud",
            (false, false) => "nowhere",
        }
    }
}

/// Where every recipient exists, computed once from `source`, `synced`, the type and whether the tenant
/// syncs at all.
#[derive(Debug, Default)]
pub struct Presence {
    of: Vec<Directories>,
}

impl Presence {
    pub fn new(model: &Model<'_>) -> Presence {
        let hybrid = model.tenant.as_ref().is_none_or(|t| t.hybrid);
        Presence { of: model.recipients.iter().map(|r| directories_of(r, hybrid)).collect() }
    }

    /// The directories recipient `index` exists in.
    pub fn of(&self, index: usize) -> Directories {
        self.of.get(index).copied().unwrap_or_default()
    }

    /// Where recipients `a` and `b` both exist: nowhere for objects that never meet.
    pub fn meet(&self, a: usize, b: usize) -> Directories {
        self.of(a).and(self.of(b))
    }

    /// For a value that must be unique in a directory (a UPN, an ExchangeGuid): `firsts` holds its first
    /// holder in each directory so far. Records recipient `index` where it is the first, and returns the
    /// earlier holders it conflicts with and where, except those `explained` (one object in two places).
    pub fn conflicts_with_earlier(
        &self,
        firsts: &mut [Option<usize>; 2],
        index: usize,
        explained: impl Fn(usize, usize) -> bool,
    ) -> Vec<(usize, Directories)> {
        let here = self.of(index);
        let mut conflicts: Vec<(usize, Directories)> = Vec::new();
        for (directory, first) in [Directory::OnPremises, Directory::Cloud].into_iter().zip(firsts.iter_mut()) {
            if !here.contains(directory) {
                continue;
            }
            match *first {
                Some(first) if explained(first, index) => {}
                Some(first) => match conflicts.iter_mut().find(|(f, _)| *f == first) {
                    Some((_, directories)) => *directories = directories.with(directory),
                    None => conflicts.push((first, Directories::default().with(directory))),
                },
                None => *first = Some(index),
            }
        }
        conflicts
    }

    /// Mastered on-premises and exported to the cloud by Entra Connect.
    pub fn is_synced(&self, index: usize, recipient: &Recipient<'_>) -> bool {
        recipient.source == Source::OnPremises && self.of(index).cloud
    }
}

/// On-premises: every recipient mastered there, synced or not. Cloud: every recipient mastered there, and
/// every on-premises recipient Entra Connect exports (`synced`, default true), which is never a dynamic
/// group whatever `synced` says, and nothing at all in a tenant without Entra Connect.
fn directories_of(recipient: &Recipient<'_>, hybrid: bool) -> Directories {
    match recipient.source {
        Source::Cloud => Directories { on_premises: false, cloud: true },
        Source::OnPremises => {
            let synced = recipient.synced.as_ref().is_none_or(|s| s.value)
                && recipient.kind() != RecipientType::DynamicDistributionGroup;
            Directories { on_premises: true, cloud: hybrid && synced }
        }
    }
}
