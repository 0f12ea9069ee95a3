//! Pairs of objects that are really one: an on-premises mailbox and a mailbox in Exchange Online that
//! belong to one person (a move that left both behind), and on-premises objects that Entra Connect will
//! soft-match onto cloud-only objects. Found once, by hash lookups; the rules for these pairs report them,
//! and the generic uniqueness rules (`upn-not-unique`, `duplicate-exchange-guid`,
//! `duplicate-proxy-address`) skip them so that one real problem gives one finding.

use rustc_hash::FxHashSet;
use uuid::Uuid;

use crate::analysis::addresses::Derived;
use crate::analysis::presence::{Directory, Presence};
use crate::model::{Model, Recipient, RecipientType, Source};
use crate::util::FastMap;

/// What ties the two mailboxes of one person together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tie {
    Upn,
    ExchangeGuid,
    PrimaryAddress,
}

impl Tie {
    pub fn describe(self) -> &'static str {
        match self {
            Tie::Upn => "the same UPN",
            Tie::ExchangeGuid => "the same ExchangeGuid",
            Tie::PrimaryAddress => "the same primary address",
        }
    }
}

#[derive(Clone, Debug)]
pub struct MailboxPair {
    /// A mailbox hosted on-premises.
    pub on_premises: u32,
    /// A mailbox hosted in Exchange Online (remote or cloud).
    pub cloud: u32,
    pub ties: Vec<Tie>,
}

#[derive(Default)]
pub struct Pairs {
    pub mailboxes: Vec<MailboxPair>,
    pub soft_matches: Vec<SoftMatch>,
    explained: FxHashSet<(u32, u32)>,
    /// Recipient -> its entry in `mailboxes` (either side).
    mailbox_pair_index: crate::util::FastMap<u32, usize>,
}

impl Pairs {
    /// Whether the two recipients are one of these pairs (in either order).
    pub fn explains(&self, a: u32, b: u32) -> bool {
        self.explained.contains(&(a.min(b), a.max(b)))
    }

    /// The pair in which this recipient is one side of `mailbox-in-both-locations`.
    pub fn mailbox_pair_of(&self, recipient: u32) -> Option<&MailboxPair> {
        self.mailbox_pair_index.get(&recipient).map(|&i| &self.mailboxes[i])
    }

    pub fn find(model: &Model<'_>, presence: &Presence, derived: &Derived<'_>) -> Pairs {
        let mut pairs = Pairs::default();
        pairs.find_mailboxes(model, presence, derived);
        pairs.soft_matches = soft_matches(model, presence, derived);
        for (i, p) in pairs.mailboxes.iter().enumerate() {
            pairs.explained.insert((p.on_premises.min(p.cloud), p.on_premises.max(p.cloud)));
            pairs.mailbox_pair_index.entry(p.on_premises).or_insert(i);
            pairs.mailbox_pair_index.entry(p.cloud).or_insert(i);
        }
        for p in &pairs.soft_matches {
            pairs.explained.insert((p.on_premises.min(p.cloud), p.on_premises.max(p.cloud)));
        }
        pairs
    }

    /// An on-premises mailbox and a mailbox in Exchange Online that meet in a directory and share the UPN,
    /// the ExchangeGuid or the primary SMTP address (primary on both: a secondary in common is a duplicate
    /// address, not one person's two mailboxes).
    fn find_mailboxes(&mut self, model: &Model<'_>, presence: &Presence, derived: &Derived<'_>) {
        // Per directory, the first mailbox in Exchange Online with each UPN, ExchangeGuid and primary
        // address: an on-premises mailbox is paired with the one it meets.
        let mut cloud = CloudMailboxes::default();
        for (index, recipient) in model.recipients.iter().enumerate() {
            if !is_cloud_hosted_mailbox(recipient) {
                continue;
            }
            let here = presence.of(index);
            let (upn, guid, primary) = (derived.upn_key(index), exchange_guid(recipient), primary_key(derived, index));
            for (d, directory) in [Directory::OnPremises, Directory::Cloud].into_iter().enumerate() {
                if !here.contains(directory) {
                    continue;
                }
                if let Some(upn) = upn {
                    cloud.by_upn[d].entry(upn).or_insert(index as u32);
                }
                if let Some(guid) = guid {
                    cloud.by_guid[d].entry(guid).or_insert(index as u32);
                }
                if let Some(primary) = primary {
                    cloud.by_primary[d].entry(primary).or_insert(index as u32);
                }
            }
        }
        // Lookups only: in parallel, pairs in recipient order.
        self.mailboxes = model.recipients.par_gather(|index, recipient, pairs| {
            cloud.pairs_of(index, recipient, presence, derived, pairs);
        });
    }
}

/// Per directory, the first mailbox in Exchange Online with each UPN, ExchangeGuid and primary address
/// (by their interned keys).
#[derive(Default)]
struct CloudMailboxes {
    by_upn: [FastMap<u32, u32>; 2],
    by_guid: [FastMap<u128, u32>; 2],
    by_primary: [FastMap<u32, u32>; 2],
}

impl CloudMailboxes {
    /// The pairs the on-premises mailbox `index` is one side of.
    fn pairs_of(
        &self,
        index: usize,
        recipient: &Recipient<'_>,
        presence: &Presence,
        derived: &Derived<'_>,
        out: &mut Vec<MailboxPair>,
    ) {
        if !is_on_premises_hosted_mailbox(recipient) {
            return;
        }
        let here = presence.of(index);
        let (upn, guid, primary) = (derived.upn_key(index), exchange_guid(recipient), primary_key(derived, index));
        let mut found: Vec<(u32, Tie)> = Vec::new();
        for (d, directory) in [Directory::OnPremises, Directory::Cloud].into_iter().enumerate() {
            if !here.contains(directory) {
                continue;
            }
            if let Some(&other) = upn.and_then(|u| self.by_upn[d].get(&u)) {
                found.push((other, Tie::Upn));
            }
            if let Some(&other) = guid.and_then(|g| self.by_guid[d].get(&g)) {
                found.push((other, Tie::ExchangeGuid));
            }
            // The primary address on both sides; a secondary in common is a duplicate address.
            if let Some(&other) = primary.and_then(|p| self.by_primary[d].get(&p)) {
                found.push((other, Tie::PrimaryAddress));
            }
        }
        found.sort_by_key(|&(other, tie)| (other, tie as u8));
        found.dedup();
        for run in found.chunk_by(|a, b| a.0 == b.0) {
            let mut ties: Vec<Tie> = run.iter().map(|(_, tie)| *tie).collect();
            ties.dedup();
            out.push(MailboxPair { on_premises: index as u32, cloud: run[0].0, ties });
        }
    }
}

/// The canonical id of the recipient's primary address.
fn primary_key(derived: &Derived<'_>, index: usize) -> Option<u32> {
    derived.primary_id_of(index).map(|id| derived.canonical_of(id))
}

/// A mailbox whose data is on-premises.
pub fn is_on_premises_hosted_mailbox(recipient: &Recipient<'_>) -> bool {
    let kind = recipient.kind();
    recipient.source == Source::OnPremises
        && kind.is_mailbox()
        && !kind.is_remote_mailbox()
        && kind != RecipientType::GroupMailbox
}

/// A mailbox whose data is in Exchange Online (not a Microsoft 365 group).
pub fn is_cloud_hosted_mailbox(recipient: &Recipient<'_>) -> bool {
    recipient.is_hosted_in_exchange_online() && recipient.kind() != RecipientType::GroupMailbox
}

/// The ExchangeGuid as a number, when it is a GUID and not the all-zero one.
pub fn exchange_guid(recipient: &Recipient<'_>) -> Option<u128> {
    let guid = Uuid::try_parse(recipient.exchange_guid.as_ref()?.value.trim()).ok()?;
    (!guid.is_nil()).then_some(guid.as_u128())
}

/// An on-premises object that Entra Connect will soft-match onto a cloud-only object.
#[derive(Clone, Debug)]
pub struct SoftMatch {
    /// A synced on-premises object.
    pub on_premises: u32,
    /// A cloud-only object.
    pub cloud: u32,
    /// Matched by UPN; otherwise by the on-premises object's primary SMTP address, `address`.
    pub by_upn: bool,
    pub address: Option<String>,
    /// The two are different kinds of object (a user and a group, a user and a contact): the join fails
    /// with an ObjectTypeMismatch error on every sync cycle instead.
    pub type_mismatch: bool,
}

/// Synced objects whose UPN (users) or primary SMTP address is already a cloud-only object's, and which
/// are not both mailboxes (that is one person's two mailboxes, a different problem): Entra Connect joins
/// such pairs, or fails every cycle when their object types differ. A secondary address in common is not
/// a soft match.
pub fn soft_matches(model: &Model<'_>, presence: &Presence, derived: &Derived<'_>) -> Vec<SoftMatch> {
    let mut found = Vec::new();
    // Cloud-only objects' UPNs and SMTP addresses, each with its first holder: one lookup per synced object.
    // Keyed by the interned UPN and by the address's canonical id.
    let mut cloud_upns: FastMap<u32, u32> = FastMap::default();
    let mut cloud_smtp: FastMap<u32, Vec<u32>> = FastMap::default();
    for (index, recipient) in model.recipients.iter().enumerate() {
        if recipient.source != Source::Cloud {
            continue;
        }
        if recipient.kind().is_user_object()
            && let Some(upn) = derived.upn_key(index)
        {
            cloud_upns.entry(upn).or_insert(index as u32);
        }
        for id in derived.address_ids_of(index) {
            if derived.address(id).parsed().is_smtp() {
                let holders = cloud_smtp.entry(derived.canonical_of(id)).or_default();
                if holders.last() != Some(&(index as u32)) {
                    holders.push(index as u32);
                }
            }
        }
    }
    if cloud_upns.is_empty() && cloud_smtp.is_empty() {
        return found;
    }
    // Lookups only: in parallel, matches in recipient order.
    found.extend(model.recipients.par_gather(|index, recipient, found| {
        if !presence.is_synced(index, recipient) {
            return;
        }
        let both_mailboxes = |other: &Recipient<'_>| recipient.kind().is_mailbox() && other.kind().is_mailbox();
        let mismatch = |other: &Recipient<'_>| recipient.kind().object_class() != other.kind().object_class();
        let mut matched: Vec<u32> = Vec::new();
        let by_upn =
            derived.upn_key(index).filter(|_| recipient.kind().is_user_object()).and_then(|u| cloud_upns.get(&u));
        if let Some(&other) = by_upn
            && !both_mailboxes(&model.recipients[other as usize])
        {
            matched.push(other);
            let type_mismatch = mismatch(&model.recipients[other as usize]);
            found.push(SoftMatch {
                on_premises: index as u32,
                cloud: other,
                by_upn: true,
                address: None,
                type_mismatch,
            });
        }
        let primary_id = derived.primary_id_of(index).filter(|&id| derived.address(id).parsed().is_smtp());
        let primary = primary_id.map(|id| derived.address(id));
        let holders = primary_id.and_then(|id| cloud_smtp.get(&derived.canonical_of(id)));
        for (&holder, primary) in holders.into_iter().flatten().zip(std::iter::repeat(primary)) {
            let other = &model.recipients[holder as usize];
            if !both_mailboxes(other) && !matched.contains(&holder) {
                matched.push(holder);
                found.push(SoftMatch {
                    on_premises: index as u32,
                    cloud: holder,
                    by_upn: false,
                    address: primary.map(|p| p.text.to_string()),
                    type_mismatch: mismatch(other),
                });
            }
        }
    }));
    found
}
