//! What rules need beyond the literal model, computed once and shared: each recipient's effective address
//! set, hash indexes over names and addresses, and the tenant's domains.
//!
//! Effective addresses are the explicit `proxy_addresses`, the external address a mail user or contact
//! uses as its primary when it has no `SMTP:` of its own, and what email address policies generate.
//! Rules read only effective addresses, so every source of addresses is checked the same way.

use std::borrow::Cow;
use std::collections::HashSet;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use crate::analysis::policy::{Policies, template};
use crate::model::address::{Caseless, ProxyAddress};
use crate::model::{Model, Recipient, Source};
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

/// The tenant's domains, lowercased.
#[derive(Debug)]
pub struct TenantDomains {
    pub name: String,
    pub hybrid: bool,
    pub accepted: HashSet<String>,
    /// `<tenant>.onmicrosoft.com`
    pub initial: String,
    /// `<tenant>.mail.onmicrosoft.com`, or `[tenant] routing_domain`
    pub routing: String,
    /// `<tenant>.mail.onmicrosoft.com` always
    pub coexistence: String,
}

impl TenantDomains {
    /// Accepted: listed, or one of the tenant's own onmicrosoft domains.
    pub fn is_accepted(&self, domain: &str) -> bool {
        // Tenants have a handful of domains: comparing in place beats lowercasing a copy on every call.
        [&self.initial, &self.routing, &self.coexistence]
            .into_iter()
            .chain(&self.accepted)
            .any(|d| d.eq_ignore_ascii_case(domain))
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
    /// Recipient name (case-insensitive) -> first recipient with it.
    name_index: FastMap<Caseless<'m>, u32>,
}

/// An address a policy generates for one recipient, before it is merged with the explicit ones.
struct Generated {
    recipient: u32,
    /// `local@domain`
    address: String,
    primary: bool,
    /// Index in `Model::policies`, and of the template in the policy.
    policy: u32,
    template: u32,
}

impl<'m> Derived<'m> {
    pub fn new(model: &'m Model<'m>) -> Derived<'m> {
        let tenant = model.tenant.as_ref().map(|t| TenantDomains {
            name: t.name.value.to_ascii_lowercase(),
            hybrid: t.hybrid,
            accepted: t.accepted_domains.iter().map(|d| d.value.to_ascii_lowercase()).collect(),
            initial: t.initial_domain(),
            routing: t.routing_domain(),
            coexistence: format!("{}.mail.onmicrosoft.com", t.name.value.to_ascii_lowercase()),
        });
        let policies = Policies::new(&model.policies);

        let (explicit, explicit_starts) = explicit_addresses(model);
        let mut applied_policy = vec![None; model.recipients.len()];
        let mut collisions = Vec::new();
        let generated = if policies.is_empty() {
            Vec::new()
        } else {
            let wanted;
            (applied_policy, wanted) = wanted_addresses(model, &policies, &explicit, &explicit_starts);
            number(model, &explicit, wanted, &mut collisions)
        };
        let merged = merge(model, &explicit, &explicit_starts, &generated);
        // Freed before the merged chunks are joined, so that the two never add up in memory.
        drop((explicit, generated));
        let (addresses, starts) = join(model.recipients.len(), merged);
        let well_formed =
            addresses.par_iter().map(|a| crate::model::address::check_proxy_address(&a.text).is_ok()).collect();

        let mut derived = Derived {
            tenant,
            policies,
            applied_policy,
            collisions,
            addresses,
            starts,
            address_index: HashTable::new(),
            address_repeats: Vec::new(),
            canonical: Vec::new(),
            repeated: Vec::new(),
            well_formed,
            name_index: FastMap::with_capacity_and_hasher(model.recipients.len(), FxBuildHasher),
        };
        derived.index_addresses();
        for (index, recipient) in model.recipients.iter().enumerate() {
            let name: &'m str = &recipient.name.value;
            derived.name_index.entry(Caseless(name)).or_insert(index as u32);
        }
        derived
    }

    fn index_addresses(&mut self) {
        let addresses = &self.addresses;
        let mut index = HashTable::with_capacity(addresses.len());
        let mut canonical = Vec::with_capacity(addresses.len());
        let mut repeated = vec![false; addresses.len()];
        for (id, address) in addresses.iter().enumerate() {
            let hash = address.hash;
            let same = |&other: &u32| addresses[other as usize].text.eq_ignore_ascii_case(&address.text);
            match index.find(hash, same) {
                Some(&first) => {
                    self.address_repeats.push((first, id as u32));
                    canonical.push(first);
                    repeated[first as usize] = true;
                    repeated[id] = true;
                }
                None => {
                    index.insert_unique(hash, id as u32, |&other| addresses[other as usize].hash);
                    canonical.push(id as u32);
                }
            }
        }
        self.address_repeats.sort_unstable();
        self.address_index = index;
        self.canonical = canonical;
        self.repeated = repeated;
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
        let mut primaries = self.primaries_of(recipient);
        let first = primaries.next()?;
        primaries.next().is_none().then_some(first)
    }

    /// The first recipient with this name (case-insensitive).
    pub fn recipient_named(&self, name: &str) -> Option<usize> {
        self.name_index.get(&Caseless(name)).map(|&i| i as usize)
    }
}

fn hash_caseless(text: &str) -> u64 {
    FxBuildHasher.hash_one(Caseless(text))
}

/// Every recipient's `proxy_addresses`, flat, with each recipient's start.
fn explicit_addresses<'m>(model: &'m Model<'m>) -> (Vec<EffectiveAddress<'m>>, Vec<u32>) {
    let mut addresses = Vec::with_capacity(model.recipients.len() * 5);
    let mut starts = Vec::with_capacity(model.recipients.len() + 1);
    for (index, recipient) in model.recipients.iter().enumerate() {
        starts.push(addresses.len() as u32);
        addresses.extend(recipient.proxy_addresses.iter().map(|address| EffectiveAddress {
            recipient: index as u32,
            text: Cow::Borrowed(address.value.as_ref()),
            span: address.span,
            origin: Origin::Explicit,
            hash: 0,
        }));
    }
    starts.push(addresses.len() as u32);
    // Hashing is most of the cost of the indexes: done once, in parallel.
    addresses.par_iter_mut().for_each(|address| address.hash = hash_caseless(&address.text));
    (addresses, starts)
}

/// The addresses taken so far, explicit and generated, for numbering generated ones as Exchange does.
/// Every holder of an address is kept: a recipient that already has the address itself keeps it, even
/// when another recipient has it too (that is a duplicate, reported on its own).
struct TakenAddresses<'e, 'm> {
    explicit: &'e [EffectiveAddress<'m>],
    /// Generated addresses as `smtp:local@domain`, with their recipient; ids continue after `explicit`.
    generated: Vec<(String, u32)>,
    table: HashTable<u32>,
}

impl<'e, 'm> TakenAddresses<'e, 'm> {
    fn new(explicit: &'e [EffectiveAddress<'m>]) -> Self {
        let mut taken =
            TakenAddresses { explicit, generated: Vec::new(), table: HashTable::with_capacity(explicit.len()) };
        for id in 0..explicit.len() as u32 {
            taken.insert(id);
        }
        taken
    }

    fn text(&self, id: u32) -> &str {
        match self.explicit.get(id as usize) {
            Some(address) => &address.text,
            None => &self.generated[id as usize - self.explicit.len()].0,
        }
    }

    fn recipient(&self, id: u32) -> u32 {
        match self.explicit.get(id as usize) {
            Some(address) => address.recipient,
            None => self.generated[id as usize - self.explicit.len()].1,
        }
    }

    fn hash(&self, id: u32) -> u64 {
        match self.explicit.get(id as usize) {
            Some(address) => address.hash,
            None => hash_caseless(&self.generated[id as usize - self.explicit.len()].0),
        }
    }

    fn insert(&mut self, id: u32) {
        let hash = self.hash(id);
        let (explicit, generated) = (self.explicit, &self.generated);
        self.table.insert_unique(hash, id, |&other| match explicit.get(other as usize) {
            Some(address) => address.hash,
            None => hash_caseless(&generated[other as usize - explicit.len()].0),
        });
    }

    /// The recipients that have this address (`TYPE:address`, case-insensitive).
    fn holders<'s>(&'s self, hash: u64, key: &'s str) -> impl Iterator<Item = u32> + 's {
        self.table
            .iter_hash(hash)
            .filter(move |&&id| self.text(id).eq_ignore_ascii_case(key))
            .map(|&id| self.recipient(id))
    }

    fn add_generated(&mut self, key: String, recipient: u32) {
        let id = (self.explicit.len() + self.generated.len()) as u32;
        self.generated.push((key, recipient));
        self.insert(id);
    }
}

/// Whether the directory that stamps `recipient`'s addresses contains `other`: on-premises Exchange sees
/// only on-premises objects; Exchange Online sees its own objects and the synced ones.
fn sees(recipient: &Recipient<'_>, other: &Recipient<'_>) -> bool {
    match recipient.source {
        Source::OnPremises => other.source == Source::OnPremises,
        Source::Cloud => other.source == Source::Cloud || other.is_synced(),
    }
}

/// Recipients per unit of parallel work in the per-recipient passes.
const CHUNK: usize = 4096;

/// What one template of a recipient's policy produces, before numbering.
struct Wanted {
    recipient: u32,
    /// Index in `Model::policies`, and of the template in the policy.
    policy: u32,
    template: u32,
    primary: bool,
    /// `local@domain`
    address: String,
    /// The case-insensitive hash of `smtp:<address>`.
    hash: u64,
    /// The recipient already has the address itself: Exchange keeps it, whoever else has it.
    held: bool,
}

/// Runs every recipient's policy (in parallel: each recipient's templates depend only on itself), and
/// records which policy applies to whom.
fn wanted_addresses(
    model: &Model<'_>,
    policies: &Policies<'_>,
    explicit: &[EffectiveAddress<'_>],
    explicit_starts: &[u32],
) -> (Vec<Option<u32>>, Vec<Wanted>) {
    let chunks: Vec<(Vec<Option<u32>>, Vec<Wanted>)> = model
        .recipients
        .par_chunks(CHUNK)
        .map(|(start, recipients)| {
            let mut applied = Vec::with_capacity(recipients.len());
            let mut wanted = Vec::new();
            let mut key = String::new();
            for (offset, recipient) in recipients.iter().enumerate() {
                let policy = policies.applicable(recipient);
                applied.push(policy.map(|p| p as u32));
                let Some(policy) = policy else { continue };
                let index = start + offset;
                let own = &explicit[explicit_starts[index] as usize..explicit_starts[index + 1] as usize];
                let names = recipient.template_names();
                for (template_index, template) in policies.compiled[policy].templates.iter().enumerate() {
                    let Ok(template) = template else { continue };
                    if !template.is_smtp() {
                        continue;
                    }
                    let Some(address) = template::expand(template, &names) else { continue };
                    smtp_key(&mut key, &address);
                    wanted.push(Wanted {
                        held: has_smtp_address(own, &address),
                        recipient: index as u32,
                        policy: policies.compiled[policy].index as u32,
                        template: template_index as u32,
                        primary: template.primary,
                        hash: hash_caseless(&key),
                        address,
                    });
                }
            }
            (applied, wanted)
        })
        .collect();
    let mut applied_policy = Vec::with_capacity(model.recipients.len());
    let mut wanted = Vec::new();
    for (applied, chunk_wanted) in chunks {
        applied_policy.extend(applied);
        wanted.extend(chunk_wanted);
    }
    (applied_policy, wanted)
}

/// Whether one of `addresses` is the SMTP address `address` (primary or not, case-insensitive).
fn has_smtp_address(addresses: &[EffectiveAddress<'_>], address: &str) -> bool {
    addresses.iter().any(|a| {
        let parsed = a.parsed();
        parsed.is_smtp() && parsed.address.eq_ignore_ascii_case(address)
    })
}

/// `smtp:<address>` into a reused buffer: the key generated addresses are compared under.
fn smtp_key<'k>(key: &'k mut String, address: &str) -> &'k str {
    key.clear();
    key.push_str("smtp:");
    key.push_str(address);
    key
}

/// Numbers the wanted addresses in recipient order, as Exchange stamps them: one that another recipient
/// already has (explicitly, or generated earlier) gets the numbered variant instead. Sequential, since
/// each stamp depends on the earlier ones; the usual case (the recipient already has it) is one lookup.
fn number(
    model: &Model<'_>,
    explicit: &[EffectiveAddress<'_>],
    wanted: Vec<Wanted>,
    collisions: &mut Vec<Collision>,
) -> Vec<Generated> {
    // Built when first needed: in a repository that writes down what policies stamp, every address is
    // already its recipient's own and the order of stamping does not matter.
    let mut taken: Option<TakenAddresses<'_, '_>> = None;
    let mut generated = Vec::with_capacity(wanted.len());
    // The next number to try for each taken address, so that numbering many recipients with the same
    // name stays linear instead of re-trying 2, 3, ... for each of them.
    let mut next_number: FastMap<String, u32> = FastMap::default();
    let mut key = String::new();
    for wanted in wanted {
        let index = wanted.recipient;
        if wanted.held {
            generated.push(Generated {
                recipient: index,
                address: wanted.address,
                primary: wanted.primary,
                policy: wanted.policy,
                template: wanted.template,
            });
            continue;
        }
        let taken = taken.get_or_insert_with(|| TakenAddresses::new(explicit));
        let recipient = &model.recipients[index as usize];
        let mut numbered: Option<String> = None;
        let mut first_holder = None;
        let mut number = 1;
        let own = loop {
            let address = numbered.as_deref().unwrap_or(&wanted.address);
            let key = smtp_key(&mut key, address);
            let hash = if numbered.is_none() { wanted.hash } else { hash_caseless(key) };
            let mut other = None;
            let mut mine = false;
            for holder in taken.holders(hash, key).filter(|&h| sees(recipient, &model.recipients[h as usize])) {
                mine |= holder == index;
                other = other.or(Some(holder));
            }
            if mine {
                break true;
            }
            match other {
                None => break false,
                Some(holder) => {
                    if first_holder.is_none() {
                        first_holder = Some(holder);
                        // Numbers below this one were taken when last tried, and stay taken.
                        number = next_number.get(&wanted.address.to_ascii_lowercase()).copied().unwrap_or(1);
                    }
                    number += 1;
                    let (local, domain) = wanted.address.rsplit_once('@').unwrap_or((&wanted.address, ""));
                    numbered = Some(format!("{local}{number}@{domain}"));
                }
            }
        };
        if first_holder.is_some() {
            next_number.insert(wanted.address.to_ascii_lowercase(), number);
        }
        let (address, original) = match numbered {
            Some(numbered) => (numbered, Some(wanted.address)),
            None => (wanted.address, None),
        };
        // A numbered variant the recipient already has itself is the settled state: nothing to say.
        let settled = own && number > 1;
        if let Some(holder) = first_holder.filter(|_| !settled) {
            collisions.push(Collision {
                recipient: index,
                policy: wanted.policy,
                template: wanted.template,
                wanted: original.unwrap_or_else(|| address.clone()),
                stamped: address.clone(),
                holder,
            });
        }
        if !own {
            taken.add_generated(format!("smtp:{address}"), index);
        }
        generated.push(Generated {
            recipient: index,
            address,
            primary: wanted.primary,
            policy: wanted.policy,
            template: wanted.template,
        });
    }
    generated
}

/// Each recipient's effective set: explicit addresses (an explicit primary demoted to secondary when a
/// policy stamps the primary), then generated ones not already there, then the external address as
/// primary for a mail user or contact that still has none.
fn merge<'m>(
    model: &'m Model<'m>,
    explicit: &[EffectiveAddress<'m>],
    explicit_starts: &[u32],
    generated: &[Generated],
) -> Vec<(Vec<EffectiveAddress<'m>>, Vec<u32>)> {
    // Each recipient's set depends only on its own addresses: chunks of recipients in parallel, each with
    // its recipients' address counts, joined in order by `join`.
    model
        .recipients
        .par_chunks(CHUNK)
        .map(|(base, recipients)| {
            let mut addresses = Vec::with_capacity(recipients.len() * 6);
            let mut counts = Vec::with_capacity(recipients.len());
            let mut generated = &generated[generated.partition_point(|g| (g.recipient as usize) < base)..];
            for (offset, recipient) in recipients.iter().enumerate() {
                let index = base + offset;
                let own = generated.partition_point(|g| g.recipient as usize == index);
                let (own_generated, rest) = generated.split_at(own);
                generated = rest;
                let first = addresses.len();
                let own_explicit = &explicit[explicit_starts[index] as usize..explicit_starts[index + 1] as usize];
                merge_one(model, index, recipient, own_explicit, own_generated, &mut addresses);
                counts.push((addresses.len() - first) as u32);
            }
            (addresses, counts)
        })
        .collect()
}

/// Joins merged chunks into one address vector and each recipient's start in it.
fn join<'m>(
    recipients: usize,
    chunks: Vec<(Vec<EffectiveAddress<'m>>, Vec<u32>)>,
) -> (Vec<EffectiveAddress<'m>>, Vec<u32>) {
    let total = chunks.iter().map(|(a, _)| a.len()).sum();
    let mut addresses = Vec::with_capacity(total);
    let mut starts = Vec::with_capacity(recipients + 1);
    let mut next = 0;
    for (chunk_addresses, counts) in chunks {
        for count in counts {
            starts.push(next);
            next += count;
        }
        addresses.extend(chunk_addresses);
    }
    starts.push(next);
    (addresses, starts)
}

fn merge_one<'m>(
    model: &'m Model<'m>,
    index: usize,
    recipient: &'m Recipient<'m>,
    explicit: &[EffectiveAddress<'m>],
    own_generated: &[Generated],
    addresses: &mut Vec<EffectiveAddress<'m>>,
) {
    let first = addresses.len();
    let stamped_primary = own_generated.iter().find(|g| g.primary).map(|g| g.address.as_str());
    let mut promoted = false;
    for address in explicit {
        let mut address = address.clone();
        if let Some(primary) = stamped_primary {
            let parsed = address.parsed();
            // The first explicit copy of the stamped primary becomes the primary; any other is a
            // secondary (a repeat is duplicate-proxy-address-in-recipient's to report).
            if parsed.is_smtp() && parsed.address.eq_ignore_ascii_case(primary) && !promoted {
                promoted = true;
                if !parsed.is_primary() {
                    address.text = Cow::Owned(format!("SMTP:{}", parsed.address));
                }
            } else if parsed.is_primary() {
                address.text = Cow::Owned(format!("smtp:{}", parsed.address));
            }
        }
        addresses.push(address);
    }
    for g in own_generated {
        if !has_smtp_address(&addresses[first..], &g.address) {
            let prefix = if g.primary { "SMTP" } else { "smtp" };
            let text = format!("{prefix}:{}", g.address);
            addresses.push(EffectiveAddress {
                recipient: index as u32,
                hash: hash_caseless(&text),
                text: Cow::Owned(text),
                span: model.policies[g.policy as usize].templates[g.template as usize].span,
                origin: Origin::Generated { policy: g.policy, template: g.template },
            });
        }
    }
    let has_primary = addresses[first..].iter().any(|a| a.parsed().is_primary());
    if !has_primary
        && recipient.kind().has_external_address()
        && let Some(external) = &recipient.external_email_address
    {
        let parsed = ProxyAddress::parse(&external.value);
        let text = match parsed.prefix {
            Some("SMTP") => Cow::Borrowed(external.value.as_ref()),
            Some(_) => Cow::Owned(format!("SMTP:{}", parsed.address)),
            None => Cow::Owned(format!("SMTP:{}", external.value)),
        };
        addresses.push(EffectiveAddress {
            recipient: index as u32,
            hash: hash_caseless(&text),
            text,
            span: external.span,
            origin: Origin::ExternalAddress,
        });
    }
}
