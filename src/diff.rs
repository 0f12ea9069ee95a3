//! What a change does: the repository at a git revision and the working tree, each read, analysed and
//! linted as `check` does, then compared recipient by recipient (matched by name, case-insensitively) and
//! finding by finding (matched as baselines are). Nothing here computes addresses, policies or the cloud
//! view: a diff is two [`Analysis`] values compared, so it can never disagree with `check`,
//! `addresses` or `sync-preview`.
//!
//! The [`Diff`] borrows from both analyses, so it is handed to a function while they are alive: a change
//! to a policy that every recipient falls under lists most of the repository, and copying each value
//! would cost more than the comparison itself.

use std::collections::HashSet;

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::Options;
use crate::analysis::Analysis;
use crate::analysis::addresses::{EffectiveAddress, Origin};
use crate::analysis::cloud::{self, CloudObject, CloudOrigin, DropReason};
use crate::analysis::presence::Directories;
use crate::diag::{Diagnostic, Severity};
use crate::model::Source;
use crate::source::SourceFiles;
use crate::suppress::BaselineEntry;
use crate::util::FastMap;

/// The comparison of the repository at a revision with the working tree.
#[derive(Debug, Serialize)]
pub struct Diff<'a> {
    /// The revision compared with, as given (`HEAD`, `origin/main`).
    pub revision: &'a str,
    /// The evaluation date of the working tree's analysis (YYYY-MM-DD).
    pub today: String,
    /// Recipients whose computed state differs, added or removed, by name.
    pub recipients: Vec<RecipientDiff<'a>>,
    pub findings: FindingsDiff<'a>,
    pub summary: DiffSummary,
    /// Rule families that failed with an internal error on either side: their findings are missing.
    #[serde(skip)]
    pub internal_errors: Vec<String>,
}

impl Diff<'_> {
    /// Nothing differs: no recipient and no finding.
    pub fn is_empty(&self) -> bool {
        self.recipients.is_empty() && self.findings.added.is_empty() && self.findings.resolved.is_empty()
    }
}

/// A value before and after the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Pair<T> {
    pub before: T,
    pub after: T,
}

impl<T: PartialEq> Pair<T> {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Values a list gains and loses.
#[derive(Clone, Debug, Serialize)]
pub struct Changes<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> Changes<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Changed,
    Added,
    Removed,
}

/// Where a recipient exists, shown as a list: `["on-premises", "cloud"]` (`[]` on a side where it does
/// not exist at all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exists(pub Directories);

impl Serialize for Exists {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.names().serialize(serializer)
    }
}

/// One recipient whose computed state differs. Every member is always there; a renderer shows those whose
/// `before` and `after` differ and the lists' `added` and `removed` values.
#[derive(Clone, Debug, Serialize)]
pub struct RecipientDiff<'a> {
    /// The name in the working tree (at the revision for a removed recipient).
    pub name: &'a str,
    pub change: Change,
    #[serde(rename = "type")]
    pub kind: Pair<Option<&'static str>>,
    /// `on-premises` or `cloud`: where the recipient is mastered.
    pub source: Pair<Option<&'static str>>,
    /// Where it exists: `on-premises`, `cloud`.
    pub exists: Pair<Exists>,
    /// The email address policy that applies.
    pub policy: Pair<Option<&'a str>>,
    /// The primary SMTP address, without `SMTP:`.
    pub primary: Pair<Option<&'a str>>,
    /// Effective addresses (explicit, external and generated), compared case-insensitively; a primary that
    /// becomes a secondary of the same address is in `primary`, not here.
    pub addresses: Changes<Address<'a>>,
    pub cloud: CloudDiff<'a>,
}

/// An effective address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Address<'a> {
    pub address: &'a str,
    /// Set when Exchange stamps a numbered variant because another recipient has the address the policy's
    /// template produced.
    pub numbered: Option<Numbered<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Numbered<'a> {
    /// What the template produced.
    pub wanted: &'a str,
    /// The recipient that has it.
    pub taken_by: &'a str,
}

/// The cloud view (Entra ID and Exchange Online) of a synced recipient, before and after.
#[derive(Clone, Debug, Serialize)]
pub struct CloudDiff<'a> {
    /// Whether Entra Connect syncs the recipient (it has a cloud view).
    pub synced: Pair<bool>,
    /// RecipientTypeDetails in Exchange Online.
    #[serde(rename = "type")]
    pub kind: Pair<Option<&'static str>>,
    pub mail: Pair<Option<String>>,
    pub mail_nickname: Pair<Option<&'a str>>,
    pub moera: Pair<Option<&'a str>>,
    /// The MOERA was taken, so the cloud appends four random digits (the digits shown stand for them).
    pub moera_random_suffix: Pair<bool>,
    pub upn: Pair<Option<&'a str>>,
    pub proxy_addresses: Changes<CloudAddress>,
    pub dropped: Changes<DroppedAddress<'a>>,
    pub quarantined: Changes<QuarantinedValue<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CloudAddress {
    pub address: String,
    pub origin: CloudOrigin,
}

/// An on-premises address the cloud discards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DroppedAddress<'a> {
    pub address: &'a str,
    #[serde(serialize_with = "explained")]
    pub reason: DropReason,
}

fn explained<S: Serializer>(reason: &DropReason, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&reason.explain())
}

/// A value Entra ID quarantines, or that fails the export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuarantinedValue<'a> {
    pub attribute: &'static str,
    pub value: &'a str,
    pub kept_by: &'a str,
    /// `quarantined` or `export error`.
    pub outcome: &'static str,
}

impl CloudDiff<'_> {
    pub fn is_empty(&self) -> bool {
        !self.synced.changed()
            && !self.kind.changed()
            && !self.mail.changed()
            && !self.mail_nickname.changed()
            && !self.moera.changed()
            && !self.moera_random_suffix.changed()
            && !self.upn.changed()
            && self.proxy_addresses.is_empty()
            && self.dropped.is_empty()
            && self.quarantined.is_empty()
    }
}

impl RecipientDiff<'_> {
    pub fn is_empty(&self) -> bool {
        self.change == Change::Changed
            && !self.kind.changed()
            && !self.source.changed()
            && !self.exists.changed()
            && !self.policy.changed()
            && !self.primary.changed()
            && self.addresses.is_empty()
            && self.cloud.is_empty()
    }
}

/// Findings the change adds and resolves, matched as baselines are (rule, recipients, value; never line).
#[derive(Debug, Default, Serialize)]
pub struct FindingsDiff<'a> {
    /// In the working tree, not at the revision (located in the working tree).
    pub added: Vec<Finding<'a>>,
    /// At the revision, not in the working tree (located at the revision).
    pub resolved: Vec<Finding<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub recipient: Option<&'a str>,
    /// Relative to the root, `/`-separated.
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
}

/// Counts of each kind of change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    pub recipients_changed: usize,
    pub recipients_added: usize,
    pub recipients_removed: usize,
    /// Effective addresses added and removed, over every listed recipient (added and removed ones
    /// included).
    pub addresses_added: usize,
    pub addresses_removed: usize,
    /// Changed recipients (present on both sides) whose primary address, applied policy, directories or
    /// cloud view differ.
    pub primaries_changed: usize,
    pub policies_changed: usize,
    pub exists_changed: usize,
    pub cloud_views_changed: usize,
    pub findings_added: usize,
    pub findings_resolved: usize,
}

/// Compares the repository at `revision` (`earlier`: its files, `None` when it had no root configuration)
/// with `current`, both analysed and linted with the same options, and hands the comparison to `show`.
pub fn compare<R>(
    revision: &str,
    earlier: Option<SourceFiles>,
    current: SourceFiles,
    options: &Options,
    show: impl FnOnce(&Diff<'_>) -> R,
) -> R {
    let had_root = earlier.is_some();
    let earlier = earlier.unwrap_or_else(|| SourceFiles::new(Vec::new()));
    let timings = &options.timings;
    // Both sides at once, phase by phase: each phase has sequential stretches (numbering addresses, handing
    // out MOERAs, the longest rule family) that the other side's work fills, and comparing the recipients
    // does not wait for the rules.
    let ((old_model, old_built), (new_model, new_built)) = rayon::join(
        || timings.time(&format!("{revision}: model"), || crate::build_model(&earlier, options)),
        || timings.time("working tree: model", || crate::build_model(&current, options)),
    );
    let (old, new) = rayon::join(
        || timings.time(&format!("{revision}: analysis"), || Analysis::new(&old_model, options.today, timings)),
        || timings.time("working tree: analysis", || Analysis::new(&new_model, options.today, timings)),
    );
    let ((mut before, mut after), recipients) = rayon::join(
        || {
            rayon::join(
                || crate::run_rules(&earlier, &old, old_built, options),
                || crate::run_rules(&current, &new, new_built, options),
            )
        },
        || timings.time("compare recipients", || recipients(&old, &new)),
    );
    let findings = timings.time("compare findings", || {
        let sort = |d: &mut Vec<Diagnostic>| d.par_sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let ((), ()) = rayon::join(|| sort(&mut before.diagnostics), || sort(&mut after.diagnostics));
        let (was, is) = ((&before.diagnostics[..], &earlier), (&after.diagnostics[..], &current));
        if had_root {
            let (added, resolved) = rayon::join(|| unmatched(is, Some(was)), || unmatched(was, Some(is)));
            FindingsDiff { added, resolved }
        } else {
            FindingsDiff { added: unmatched(is, None), resolved: Vec::new() }
        }
    });
    let mut internal_errors = before.internal_errors.clone();
    internal_errors.extend(after.internal_errors.iter().cloned());
    let summary = summarise(&recipients, &findings);
    let diff = Diff { revision, today: after.today.to_string(), recipients, findings, summary, internal_errors };
    show(&diff)
}

fn summarise(recipients: &[RecipientDiff<'_>], findings: &FindingsDiff<'_>) -> DiffSummary {
    let mut summary = DiffSummary {
        findings_added: findings.added.len(),
        findings_resolved: findings.resolved.len(),
        ..DiffSummary::default()
    };
    for r in recipients {
        summary.addresses_added += r.addresses.added.len();
        summary.addresses_removed += r.addresses.removed.len();
        match r.change {
            Change::Added => summary.recipients_added += 1,
            Change::Removed => summary.recipients_removed += 1,
            Change::Changed => {
                summary.recipients_changed += 1;
                summary.primaries_changed += usize::from(r.primary.changed());
                summary.policies_changed += usize::from(r.policy.changed());
                summary.exists_changed += usize::from(r.exists.changed());
                summary.cloud_views_changed += usize::from(!r.cloud.is_empty());
            }
        }
    }
    summary
}

/// One side's sorted findings and the files they are located in.
type Side<'s> = (&'s [Diagnostic], &'s SourceFiles);

/// The counted findings of one side that `other` does not have, matched as baselines are: each of
/// `other`'s findings accounts for one. Everything, when there is no `other`.
fn unmatched<'s>(side: Side<'s>, other: Option<Side<'_>>) -> Vec<Finding<'s>> {
    let entries = |(diagnostics, files): Side<'_>| -> Vec<(usize, BaselineEntry)> {
        let counted: Vec<(usize, &Diagnostic)> =
            diagnostics.iter().enumerate().filter(|(_, d)| d.suppressed.is_none()).collect();
        counted.into_par_iter().map(|(i, d)| (i, BaselineEntry::of(d, files))).collect()
    };
    let mut known: FastMap<BaselineEntry, usize> = FastMap::default();
    for (_, entry) in other.map(entries).unwrap_or_default() {
        *known.entry(entry).or_default() += 1;
    }
    let (diagnostics, files) = side;
    let mut found = Vec::new();
    for (i, entry) in entries(side) {
        match known.get_mut(&entry) {
            Some(count) if *count > 0 => *count -= 1,
            _ => found.push(finding(&diagnostics[i], files)),
        }
    }
    found
}

fn finding<'s>(d: &'s Diagnostic, files: &'s SourceFiles) -> Finding<'s> {
    let file = files.get(d.primary.span.file);
    let (line, column) = file.line_column(d.primary.span.start as usize);
    Finding {
        rule: &d.rule,
        severity: d.severity,
        message: &d.message,
        recipient: d.recipient.as_deref(),
        file: &file.path,
        line,
        column,
    }
}

/// Which recipient of one side has a name, and the k-th recipient of a name used more than once, so that
/// duplicates are paired in order.
struct Names<'a, 'm> {
    analysis: &'a Analysis<'m>,
    /// First holder of a repeated name -> every holder, in order.
    repeated: FastMap<u32, Vec<u32>>,
    /// A later holder of a repeated name -> which holder it is (1, 2, ...).
    ordinal: FastMap<u32, u32>,
}

impl<'a, 'm> Names<'a, 'm> {
    fn new(analysis: &'a Analysis<'m>) -> Self {
        let mut repeated: FastMap<u32, Vec<u32>> = FastMap::default();
        let mut ordinal: FastMap<u32, u32> = FastMap::default();
        let recipients = &analysis.model.recipients;
        if analysis.derived.distinct_names() == recipients.len() {
            // Every name is used once: nothing to pair in order.
            return Names { analysis, repeated, ordinal };
        }
        for index in 0..recipients.len() {
            let first = analysis.derived.first_with_name_of(index);
            if first != index {
                let holders = repeated.entry(first as u32).or_insert_with(|| vec![first as u32]);
                ordinal.insert(index as u32, holders.len() as u32);
                holders.push(index as u32);
            }
        }
        Names { analysis, repeated, ordinal }
    }

    /// Which occurrence of its name recipient `index` is (0 for the first).
    fn occurrence(&self, index: usize) -> usize {
        self.ordinal.get(&(index as u32)).map_or(0, |&k| k as usize)
    }

    /// The `k`-th recipient named `name`.
    fn nth(&self, name: &str, k: usize) -> Option<usize> {
        let first = self.analysis.derived.recipient_named(name)?;
        if k == 0 {
            return Some(first);
        }
        self.repeated.get(&(first as u32))?.get(k).map(|&i| i as usize)
    }
}

/// Every recipient whose computed state differs, and those added and removed, by name.
fn recipients<'a>(old: &'a Analysis<'_>, new: &'a Analysis<'_>) -> Vec<RecipientDiff<'a>> {
    let (old_names, new_names) = rayon::join(|| Names::new(old), || Names::new(new));
    // Each current recipient's match at the revision, and whether they may differ: a cheap comparison
    // settles the usual unchanged recipient without building anything.
    let matches: Vec<(Option<u32>, bool)> = new
        .model
        .recipients
        .par_chunks(4096)
        .flat_map_iter(|(start, chunk)| {
            let (old_names, new_names) = (&old_names, &new_names);
            chunk.iter().enumerate().map(move |(offset, recipient)| {
                let j = start + offset;
                match old_names.nth(&recipient.name.value, new_names.occurrence(j)) {
                    None => (None, true),
                    Some(i) => (Some(i as u32), !unchanged(old, i, new, j)),
                }
            })
        })
        .collect();
    // (earlier index, current index): `None` on one side for an added or removed recipient.
    let mut matched = vec![false; old.model.recipients.len()];
    let mut candidates: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for (j, &(i, differs)) in matches.iter().enumerate() {
        if let Some(i) = i {
            matched[i as usize] = true;
        }
        if differs {
            candidates.push((i.map(|i| i as usize), Some(j)));
        }
    }
    candidates.extend(matched.iter().enumerate().filter(|(_, m)| !**m).map(|(i, _)| (Some(i), None)));
    let mut diffs: Vec<RecipientDiff<'a>> = candidates
        .into_par_iter()
        .filter_map(|(i, j)| {
            let diff = RecipientDiff::between(i.map(|i| State::of(old, i)), j.map(|j| State::of(new, j)));
            (!diff.is_empty()).then_some(diff)
        })
        .collect();
    diffs.par_sort_by_cached_key(|d| (d.name.to_ascii_lowercase(), d.change, d.name));
    diffs
}

fn policy_name<'a>(analysis: &'a Analysis<'_>, index: usize) -> Option<&'a str> {
    let policies = &analysis.derived.policies;
    analysis.derived.applied_policy[index].map(|p| policies.compiled[p as usize].policy.name.value.as_ref())
}

fn name_of<'a>(analysis: &'a Analysis<'_>, index: u32) -> &'a str {
    &analysis.model.recipients[index as usize].name.value
}

/// Whether recipient `i` at the revision and `j` in the working tree certainly compute the same state,
/// compared without building it. `false` only means "compare in full".
fn unchanged(old: &Analysis<'_>, i: usize, new: &Analysis<'_>, j: usize) -> bool {
    let (a, b) = (&old.model.recipients[i], &new.model.recipients[j]);
    if a.kind() != b.kind() || a.source != b.source || old.presence.of(i) != new.presence.of(j) {
        return false;
    }
    if policy_name(old, i) != policy_name(new, j) {
        return false;
    }
    let (xa, xb) = (old.derived.addresses_of(i), new.derived.addresses_of(j));
    if xa.len() != xb.len() || xa.iter().zip(xb).any(|(x, y)| x.text != y.text) {
        return false;
    }
    match (old.cloud.of(i), new.cloud.of(j)) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            x.cloud_type == y.cloud_type
                && x.mail_nickname == y.mail_nickname
                && x.moera == y.moera
                && x.moera_random_suffix == y.moera_random_suffix
                && x.upn == y.upn
                && x.kept == y.kept
                && x.dropped.len() == y.dropped.len()
                && x.dropped.iter().zip(&y.dropped).all(|(p, q)| p.address == q.address && p.reason == q.reason)
                && x.quarantined.len() == y.quarantined.len()
                && x.quarantined.iter().zip(&y.quarantined).all(|(p, q)| {
                    p.attribute == q.attribute
                        && p.value == q.value
                        && p.export_error == q.export_error
                        && name_of(old, p.kept_by) == name_of(new, q.kept_by)
                })
                // What the projection (mail, proxyAddresses) reads besides the object itself.
                && a.mail.as_ref().map(|m| m.value.as_ref()) == b.mail.as_ref().map(|m| m.value.as_ref())
                && a.is_licensed() == b.is_licensed()
        }
        _ => false,
    }
}

/// One recipient as one side computes it, borrowed from that side's analysis; only the cloud's `mail` and
/// proxyAddresses are computed here (by the analysis's projection), since no rule needs them.
struct State<'a, 'm> {
    analysis: &'a Analysis<'m>,
    index: usize,
    name: &'a str,
    kind: &'static str,
    source: &'static str,
    exists: Directories,
    policy: Option<&'a str>,
    primary: Option<&'a str>,
    addresses: &'a [EffectiveAddress<'m>],
    cloud: Option<CloudState<'a>>,
}

struct CloudState<'a> {
    object: &'a CloudObject,
    mail: Option<String>,
    proxy_addresses: Vec<cloud::CloudAddress>,
}

impl<'a, 'm> State<'a, 'm> {
    fn of(analysis: &'a Analysis<'m>, index: usize) -> State<'a, 'm> {
        let (model, derived) = (analysis.model, &analysis.derived);
        let recipient = &model.recipients[index];
        State {
            analysis,
            index,
            name: &recipient.name.value,
            kind: recipient.kind().name(),
            source: match recipient.source {
                Source::OnPremises => "on-premises",
                Source::Cloud => "cloud",
            },
            exists: analysis.presence.of(index),
            policy: policy_name(analysis, index),
            primary: derived.primaries_of(index).next().map(|a| a.parsed().address),
            addresses: derived.addresses_of(index),
            cloud: analysis.cloud.of(index).map(|object| {
                let projection = object.project(model, derived);
                CloudState { object, mail: projection.mail, proxy_addresses: projection.proxy_addresses }
            }),
        }
    }

    /// An effective address, with the numbered variant's explanation when Exchange had to number it.
    fn address(&self, address: &'a EffectiveAddress<'_>) -> Address<'a> {
        let collisions = &self.analysis.derived.collisions;
        let numbered = match address.origin {
            Origin::Generated { policy, template } => {
                let start = collisions.partition_point(|c| (c.recipient as usize) < self.index);
                collisions[start..]
                    .iter()
                    .take_while(|c| c.recipient as usize == self.index)
                    .find(|c| c.policy == policy && c.template == template && c.stamped != c.wanted)
                    .map(|c| Numbered { wanted: &c.wanted, taken_by: name_of(self.analysis, c.holder) })
            }
            _ => None,
        };
        Address { address: &address.text, numbered }
    }

    fn object(&self) -> Option<&'a CloudObject> {
        self.cloud.as_ref().map(|c| c.object)
    }

    fn dropped(&self) -> Vec<DroppedAddress<'a>> {
        let addresses = self.addresses;
        let dropped = self.object().map_or(&[][..], |o| &o.dropped);
        dropped.iter().map(|d| DroppedAddress { address: &addresses[d.address].text, reason: d.reason }).collect()
    }

    fn quarantined(&self) -> Vec<QuarantinedValue<'a>> {
        let quarantined = self.object().map_or(&[][..], |o| &o.quarantined);
        quarantined
            .iter()
            .map(|q| QuarantinedValue {
                attribute: q.attribute.name(),
                value: &q.value,
                kept_by: name_of(self.analysis, q.kept_by),
                outcome: if q.export_error { "export error" } else { "quarantined" },
            })
            .collect()
    }
}

/// The values of `after` that `before` lacks, and the other way round, each in its list's order. `same`
/// compares two values (case-insensitively where Exchange does); lists are short and scanned, and a
/// hostile long one is compared through `key`, which must agree with `same`.
fn changes<'x, T>(
    before: &'x [T],
    after: &'x [T],
    same: impl Fn(&T, &T) -> bool,
    key: impl Fn(&T) -> String,
) -> (Vec<&'x T>, Vec<&'x T>) {
    if before.len() == after.len() && before.iter().zip(after).all(|(a, b)| same(a, b)) {
        return (Vec::new(), Vec::new());
    }
    if before.len() * after.len() <= 1024 {
        let lacking = |list: &'x [T], other: &[T]| list.iter().filter(|v| !other.iter().any(|o| same(v, o))).collect();
        return (lacking(after, before), lacking(before, after));
    }
    let keys = |list: &[T]| list.iter().map(&key).collect::<HashSet<String>>();
    let (had, has) = (keys(before), keys(after));
    (
        after.iter().filter(|v| !had.contains(&key(v))).collect(),
        before.iter().filter(|v| !has.contains(&key(v))).collect(),
    )
}

fn caseless(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl<'a> RecipientDiff<'a> {
    fn between(mut before: Option<State<'a, '_>>, mut after: Option<State<'a, '_>>) -> RecipientDiff<'a> {
        let mail =
            |s: &mut Option<State<'a, '_>>| s.as_mut().and_then(|s| s.cloud.as_mut()).and_then(|c| c.mail.take());
        let mail = Pair { before: mail(&mut before), after: mail(&mut after) };
        let change = match (&before, &after) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Changed,
        };
        let (b, a) = (before.as_ref(), after.as_ref());
        let pair = |f: fn(&State<'a, '_>) -> Option<&'a str>| Pair { before: b.and_then(f), after: a.and_then(f) };

        let none: &[EffectiveAddress<'_>] = &[];
        let (added, removed) = changes(
            b.map_or(none, |s| s.addresses),
            a.map_or(none, |s| s.addresses),
            |x, y| caseless(&x.text, &y.text),
            |x| x.text.to_ascii_lowercase(),
        );
        let addresses = Changes {
            added: added.into_iter().map(|x| a.map_or_else(|| plain(x), |s| s.address(x))).collect(),
            removed: removed.into_iter().map(|x| b.map_or_else(|| plain(x), |s| s.address(x))).collect(),
        };

        let (old_object, new_object) = (b.and_then(State::object), a.and_then(State::object));
        let (old_cloud, new_cloud) = (b.and_then(|s| s.cloud.as_ref()), a.and_then(|s| s.cloud.as_ref()));
        let (added, removed) = changes(
            old_cloud.map_or(&[][..], |c| &c.proxy_addresses),
            new_cloud.map_or(&[][..], |c| &c.proxy_addresses),
            |x, y| caseless(&x.text, &y.text),
            |x| x.text.to_ascii_lowercase(),
        );
        let cloud_address = |x: &cloud::CloudAddress| CloudAddress { address: x.text.clone(), origin: x.origin };
        let proxy_addresses = Changes {
            added: added.into_iter().map(cloud_address).collect(),
            removed: removed.into_iter().map(cloud_address).collect(),
        };
        let (old_dropped, new_dropped) = (b.map(State::dropped), a.map(State::dropped));
        let (added, removed) = changes(
            old_dropped.as_deref().unwrap_or_default(),
            new_dropped.as_deref().unwrap_or_default(),
            |x, y| x.reason == y.reason && caseless(x.address, y.address),
            |x| format!("{}\n{:?}", x.address.to_ascii_lowercase(), x.reason),
        );
        let dropped =
            Changes { added: added.into_iter().cloned().collect(), removed: removed.into_iter().cloned().collect() };
        let (old_quarantined, new_quarantined) = (b.map(State::quarantined), a.map(State::quarantined));
        let (added, removed) = changes(
            old_quarantined.as_deref().unwrap_or_default(),
            new_quarantined.as_deref().unwrap_or_default(),
            |x, y| {
                x.attribute == y.attribute
                    && x.outcome == y.outcome
                    && caseless(x.value, y.value)
                    && caseless(x.kept_by, y.kept_by)
            },
            |x| format!("{}\n{}\n{}\n{}", x.attribute, x.value, x.kept_by, x.outcome).to_ascii_lowercase(),
        );
        let quarantined =
            Changes { added: added.into_iter().cloned().collect(), removed: removed.into_iter().cloned().collect() };

        let object_pair = |f: fn(&'a CloudObject) -> Option<&'a str>| Pair {
            before: old_object.and_then(f),
            after: new_object.and_then(f),
        };
        RecipientDiff {
            name: a.or(b).map_or("", |s| s.name),
            change,
            kind: Pair { before: b.map(|s| s.kind), after: a.map(|s| s.kind) },
            source: Pair { before: b.map(|s| s.source), after: a.map(|s| s.source) },
            exists: Pair {
                before: Exists(b.map(|s| s.exists).unwrap_or_default()),
                after: Exists(a.map(|s| s.exists).unwrap_or_default()),
            },
            policy: pair(|s| s.policy),
            primary: pair(|s| s.primary),
            addresses,
            cloud: CloudDiff {
                synced: Pair { before: old_object.is_some(), after: new_object.is_some() },
                kind: Pair { before: old_object.map(|c| c.cloud_type), after: new_object.map(|c| c.cloud_type) },
                mail,
                mail_nickname: object_pair(|c| c.mail_nickname.as_deref()),
                moera: object_pair(|c| c.moera.as_deref()),
                moera_random_suffix: Pair {
                    before: old_object.is_some_and(|c| c.moera_random_suffix),
                    after: new_object.is_some_and(|c| c.moera_random_suffix),
                },
                upn: object_pair(|c| c.upn.as_deref()),
                proxy_addresses,
                dropped,
                quarantined,
            },
        }
    }
}

fn plain<'a>(address: &'a EffectiveAddress<'_>) -> Address<'a> {
    Address { address: &address.text, numbered: None }
}
