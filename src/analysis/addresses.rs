//! What rules need beyond the literal model, computed once and shared: each recipient's effective address
//! set, hash indexes over names and addresses, and the tenant's domains.
//!
//! Effective addresses are the explicit `proxy_addresses`, the external address a mail user or contact
//! uses as its primary when it has no `SMTP:` of its own, and what email address policies generate.
//! Rules read only effective addresses, so every source of addresses is checked the same way.

use std::borrow::Cow;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use crate::analysis::policy::Policies;
use crate::analysis::presence::Presence;
use crate::analysis::stamping::{explicit_addresses, join, merge, number, wanted_addresses};
use crate::model::address::{Caseless, ProxyAddress};
use crate::model::{Model, TenantDomains};
use crate::source::Span;

pub use crate::util::FastMap;

/// Where an effective address comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in `proxy_addresses`.
    Explicit,
    /// A mail user's or contact's `external_email_address`, which Exchange uses as its primary address
    /// when it has no `SMTP:` address of its own.
    ExternalAddress,
    /// Stamped by an email address policy (index in `Model::policies`) from one of its templates.
    Generated { policy: u32, template: u32 },
}

#[derive(Clone, Debug)]
pub struct EffectiveAddress<'m> {
    /// Index of the recipient in `Model::recipients`.
    pub recipient: u32,
    /// The whole value, `TYPE:address`.
    pub text: Cow<'m, str>,
    /// Where it was written: the `proxy_addresses` entry, the external address, or the policy template.
    pub span: Span,
    pub origin: Origin,
    /// The case-insensitive hash of `text`, computed once for every index that needs it.
    pub hash: u64,
}

/// A generated address that another recipient already had, so Exchange stamped a numbered variant.
#[derive(Clone, Debug)]
pub struct Collision {
    pub recipient: u32,
    /// Index in `Model::policies`, and of the template in the policy.
    pub policy: u32,
    pub template: u32,
    /// What the template produced, and what was stamped instead (`john.smith2@contoso.com`).
    pub wanted: String,
    pub stamped: String,
    /// The recipient that already had `wanted`.
    pub holder: u32,
}

impl EffectiveAddress<'_> {
    pub fn parsed(&self) -> ProxyAddress<'_> {
        ProxyAddress::parse(&self.text)
    }
}

/// Everything derived from the model, built once.
pub struct Derived<'m> {
    pub tenant: Option<TenantDomains>,
    pub policies: Policies<'m>,
    /// Per recipient: the policy that stamps its addresses (index into `policies.compiled`).
    pub applied_policy: Vec<Option<u32>>,
    /// Generated addresses Exchange had to number, in recipient order.
    pub collisions: Vec<Collision>,
    addresses: Vec<EffectiveAddress<'m>>,
    /// `addresses[starts[i]..starts[i + 1]]` are recipient `i`'s.
    starts: Vec<u32>,
    /// Address (type and value, case-insensitive) -> the first effective address that has it, keyed by
    /// the text in `addresses` (a table of ids, so that generated, owned texts are indexed like the rest).
    address_index: HashTable<u32>,
    /// (first holder, another holder) pairs of equal addresses, sorted.
    address_repeats: Vec<(u32, u32)>,
    /// Per address id: the id of the first address with the same text, so that rules can find an
    /// address's other holders without hashing it again.
    canonical: Vec<u32>,
    /// Per address id: whether other addresses share its text.
    repeated: Vec<bool>,
    /// Per address id: whether the text passes [`crate::model::address::check_proxy_address`], checked once for
    /// the rule that reports it and the cloud view that drops it.
    well_formed: Vec<bool>,
    /// Recipient names, interned: per recipient, the first recipient with the same name
    /// (case-insensitive), and the table of first holders by hash to look names up.
    names: Interned<'m>,
    /// Per recipient: the first recipient with the same UPN (case-insensitive), or [`NONE`] without one:
    /// the UPN interned, so that the uniqueness checks, pairs and the cloud view compare numbers.
    upn_key: Vec<u32>,
    /// Per recipient: the id of its one `SMTP:` address, or [`NONE`] when it has none or several. Asked
    /// for by nearly every rule and the cloud view, so found once.
    primary: Vec<u32>,
}

/// No address.
const NONE: u32 = u32::MAX;

impl<'m> Derived<'m> {
    pub fn new(model: &'m Model<'m>, presence: &Presence) -> Derived<'m> {
        let tenant = model.tenant.as_ref().map(TenantDomains::of);
        let policies = Policies::new(&model.policies);

        // Names and UPNs are interned beside the explicit addresses' listing: both have sequential
        // stretches, so each fills the other's idle core.
        let ((explicit, explicit_starts), (names, upn_key)) = rayon::join(
            || explicit_addresses(model),
            || {
                let names = intern(model, |r| Some(r.name.value.as_ref()));
                (names, intern(model, |r| r.upn.as_ref().map(|u| u.value.as_ref())).first)
            },
        );
        let mut applied_policy = vec![None; model.recipients.len()];
        let mut collisions = Vec::new();
        let generated = if policies.is_empty() {
            Vec::new()
        } else {
            let wanted;
            (applied_policy, wanted) = wanted_addresses(model, &policies, &explicit, &explicit_starts);
            number(presence, &explicit, &explicit_starts, wanted, &mut collisions)
        };
        let merged = merge(model, &explicit, &explicit_starts, &generated);
        // Freed before the merged chunks are joined, so that the two never add up in memory.
        drop((explicit, generated));
        let (addresses, starts) = join(model.recipients.len(), merged);
        // The sequential index beside the parallel checks of each address.
        let (index, (well_formed, primary)) = rayon::join(
            || AddressIndex::of(&addresses),
            || {
                let well_formed =
                    addresses.par_iter().map(|a| crate::model::address::check_proxy_address(&a.text).is_ok()).collect();
                (well_formed, primaries(&addresses, &starts))
            },
        );
        Derived {
            tenant,
            policies,
            applied_policy,
            collisions,
            addresses,
            starts,
            address_index: index.table,
            address_repeats: index.repeats,
            canonical: index.canonical,
            repeated: index.repeated,
            well_formed,
            names,
            primary,
            upn_key,
        }
    }

    /// The ids of a recipient's effective addresses (for [`Derived::address`] and [`Derived::same_address`]).
    pub fn address_ids_of(&self, recipient: usize) -> std::ops::Range<u32> {
        self.starts[recipient]..self.starts[recipient + 1]
    }

    /// The recipients, other than the address's own, that have the same address (type and value,
    /// case-insensitive). Free for the usual unique address.
    pub fn other_holders(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let own = self.addresses[id as usize].recipient;
        let first = self.canonical[id as usize];
        let repeats: &[(u32, u32)] = if self.repeated[id as usize] {
            let start = self.address_repeats.partition_point(|&(f, _)| f < first);
            let end = self.address_repeats[start..].partition_point(|&(f, _)| f == first) + start;
            &self.address_repeats[start..end]
        } else {
            &[]
        };
        let first_holder = self.repeated[id as usize].then_some(first);
        first_holder
            .into_iter()
            .chain(repeats.iter().map(|&(_, other)| other))
            .map(|a| self.addresses[a as usize].recipient)
            .filter(move |&r| r != own)
    }

    /// The id of the first effective address with the same text as `id` (case-insensitive): the same for
    /// every holder of one address.
    pub fn canonical_of(&self, id: u32) -> u32 {
        self.canonical[id as usize]
    }

    /// A recipient's effective addresses.
    pub fn addresses_of(&self, recipient: usize) -> &[EffectiveAddress<'m>] {
        let (start, end) = (self.starts[recipient] as usize, self.starts[recipient + 1] as usize);
        &self.addresses[start..end]
    }

    /// Whether the address passes [`crate::model::address::check_proxy_address`].
    pub fn is_well_formed(&self, id: u32) -> bool {
        self.well_formed[id as usize]
    }

    pub fn address(&self, id: u32) -> &EffectiveAddress<'m> {
        &self.addresses[id as usize]
    }

    /// Groups of effective addresses with the same text (case-insensitive), each with its ids in order.
    pub fn repeated_addresses(&self) -> impl Iterator<Item = Vec<u32>> + '_ {
        self.address_repeats.chunk_by(|a, b| a.0 == b.0).map(|run| {
            let mut ids = vec![run[0].0];
            ids.extend(run.iter().map(|&(_, other)| other));
            ids
        })
    }

    /// The recipients that have an address (case-insensitive, type included), in order.
    pub fn holders_of(&self, text: &str) -> Vec<u32> {
        let addresses = &self.addresses;
        let found =
            self.address_index.find(hash_caseless(text), |&id| addresses[id as usize].text.eq_ignore_ascii_case(text));
        let Some(&first) = found else { return Vec::new() };
        let mut holders = vec![self.address(first).recipient];
        let start = self.address_repeats.partition_point(|&(f, _)| f < first);
        for &(_, other) in self.address_repeats[start..].iter().take_while(|&&(f, _)| f == first) {
            let recipient = self.address(other).recipient;
            if !holders.contains(&recipient) {
                holders.push(recipient);
            }
        }
        holders
    }

    /// The `SMTP:` addresses of a recipient.
    pub fn primaries_of(&self, recipient: usize) -> impl Iterator<Item = &EffectiveAddress<'m>> {
        self.addresses_of(recipient).iter().filter(|a| a.parsed().is_primary())
    }

    /// The recipient's primary SMTP address, when it has exactly one.
    pub fn primary_of(&self, recipient: usize) -> Option<&EffectiveAddress<'m>> {
        self.primary_id_of(recipient).map(|id| self.address(id))
    }

    /// The first recipient with the same UPN as this one (case-insensitive), when it has a UPN: equal
    /// for every recipient with that UPN.
    pub fn upn_key(&self, recipient: usize) -> Option<u32> {
        self.upn_key.get(recipient).copied().filter(|&key| key != NONE)
    }

    /// The id of the recipient's primary SMTP address, when it has exactly one.
    pub fn primary_id_of(&self, recipient: usize) -> Option<u32> {
        self.primary.get(recipient).copied().filter(|&id| id != NONE)
    }

    /// How many different names (case-insensitive) the recipients have.
    pub fn distinct_names(&self) -> usize {
        self.names.distinct
    }

    /// The first recipient with this name (case-insensitive).
    pub fn recipient_named(&self, name: &str) -> Option<usize> {
        let values = &self.names.values;
        let same = |&first: &u32| values[first as usize].is_some_and(|(_, other)| other.eq_ignore_ascii_case(name));
        self.names.table.find(hash_caseless(name), same).map(|&first| first as usize)
    }

    /// The first recipient with the same name as this one (case-insensitive).
    pub fn first_with_name_of(&self, recipient: usize) -> usize {
        self.names.first.get(recipient).map_or(recipient, |&first| first as usize)
    }
}

/// The index of every effective address by its text (type and value, case-insensitive).
struct AddressIndex {
    /// The first address with each text.
    table: HashTable<u32>,
    /// (first holder, another holder) pairs of equal addresses, sorted.
    repeats: Vec<(u32, u32)>,
    /// Per address: the first address with the same text.
    canonical: Vec<u32>,
    /// Per address: whether other addresses share its text.
    repeated: Vec<bool>,
}

impl AddressIndex {
    fn of(addresses: &[EffectiveAddress<'_>]) -> AddressIndex {
        let mut table = HashTable::with_capacity(addresses.len());
        let mut repeats = Vec::new();
        let mut canonical = Vec::with_capacity(addresses.len());
        let mut repeated = vec![false; addresses.len()];
        for (id, address) in addresses.iter().enumerate() {
            let hash = address.hash;
            let same = |&other: &u32| addresses[other as usize].text.eq_ignore_ascii_case(&address.text);
            match table.find(hash, same) {
                Some(&first) => {
                    repeats.push((first, id as u32));
                    canonical.push(first);
                    repeated[first as usize] = true;
                    repeated[id] = true;
                }
                None => {
                    table.insert_unique(hash, id as u32, |&other| addresses[other as usize].hash);
                    canonical.push(id as u32);
                }
            }
        }
        repeats.sort_unstable();
        AddressIndex { table, repeats, canonical, repeated }
    }
}

/// Per recipient: the id of its one `SMTP:` address, or [`NONE`].
fn primaries(addresses: &[EffectiveAddress<'_>], starts: &[u32]) -> Vec<u32> {
    starts
        .par_windows(2)
        .map(|ids| {
            let mut primaries = (ids[0]..ids[1]).filter(|&id| addresses[id as usize].parsed().is_primary());
            match (primaries.next(), primaries.next()) {
                (Some(id), None) => id,
                _ => NONE,
            }
        })
        .collect()
}

/// Values of recipients interned.
struct Interned<'m> {
    /// Per recipient: the first recipient whose value (case-insensitive) is the same as its own, or
    /// [`NONE`] for a recipient without one.
    first: Vec<u32>,
    /// Per recipient: its value, and its hash, so that a lookup compares without reading the recipient.
    values: Vec<Option<(u64, &'m str)>>,
    /// The first holders, by the hash of their value.
    table: HashTable<u32>,
    /// How many different values there are.
    distinct: usize,
}

/// Interns one value of every recipient. Hashed in parallel; only the table of first holders is built in
/// order.
fn intern<'m>(
    model: &'m Model<'m>,
    value: impl Fn(&'m crate::model::Recipient<'m>) -> Option<&'m str> + Sync,
) -> Interned<'m> {
    let keyed: Vec<Option<(u64, &'m str)>> = model
        .recipients
        .par_chunks(4096)
        .flat_map_iter(|(_, chunk)| chunk.iter().map(|r| value(r).map(|text| (hash_caseless(text), text))))
        .collect();
    let mut table: HashTable<u32> = HashTable::with_capacity(keyed.len());
    let first = keyed
        .iter()
        .enumerate()
        .map(|(index, key)| {
            let Some((hash, text)) = *key else { return NONE };
            let same = |&first: &u32| keyed[first as usize].is_some_and(|(_, other)| other.eq_ignore_ascii_case(text));
            match table.find(hash, same) {
                Some(&first) => first,
                None => {
                    table.insert_unique(hash, index as u32, |&first| keyed[first as usize].map_or(0, |(h, _)| h));
                    index as u32
                }
            }
        })
        .collect();
    Interned { first, distinct: table.len(), table, values: keyed }
}

pub(crate) fn hash_caseless(text: &str) -> u64 {
    FxBuildHasher.hash_one(Caseless(text))
}
