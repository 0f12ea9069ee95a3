//! How Exchange stamps email address policies onto recipients: which addresses each recipient wants
//! from the policy that applies to it, the numbered variants (`john.smith2@`) Exchange stamps when another
//! recipient already has an address, and the merge of generated and explicit addresses into each
//! recipient's effective set.

use std::borrow::Cow;

use hashbrown::HashTable;
use rayon::prelude::*;

use crate::analysis::addresses::{Collision, EffectiveAddress, Origin, hash_caseless};
use crate::analysis::policy::{Policies, template};
use crate::analysis::presence::{Directory, Presence};
use crate::model::address::ProxyAddress;
use crate::model::{Model, Recipient, Source};
use crate::util::FastMap;

/// An address a policy generates for one recipient, before it is merged with the explicit ones.
pub(crate) struct Generated {
    recipient: u32,
    /// `local@domain`
    address: String,
    primary: bool,
    /// Index in `Model::policies`, and of the template in the policy.
    policy: u32,
    template: u32,
}

/// Every recipient's `proxy_addresses`, flat, with each recipient's start.
pub(crate) fn explicit_addresses<'m>(model: &'m Model<'m>) -> (Vec<EffectiveAddress<'m>>, Vec<u32>) {
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

/// Whether the directory that stamps `recipient`'s addresses contains `other`: on-premises Exchange stamps
/// on-premises recipients and sees the objects there; Exchange Online stamps its own and sees every
/// object in the cloud.
fn sees(presence: &Presence, recipient: &Recipient<'_>, other: u32) -> bool {
    let directory = match recipient.source {
        Source::OnPremises => Directory::OnPremises,
        Source::Cloud => Directory::Cloud,
    };
    presence.of(other as usize).contains(directory)
}

/// Recipients per unit of parallel work in the per-recipient passes.
const CHUNK: usize = 4096;

/// What one template of a recipient's policy produces, before numbering.
pub(crate) struct Wanted {
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
pub(crate) fn wanted_addresses(
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
                let held = SmtpAddresses::new(own);
                for (template_index, template) in policies.compiled[policy].templates.iter().enumerate() {
                    let Ok(template) = template else { continue };
                    if !template.is_smtp() {
                        continue;
                    }
                    let Some(address) = template::expand(template, &names) else { continue };
                    smtp_key(&mut key, &address);
                    wanted.push(Wanted {
                        held: held.contains(own, &address),
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

/// One recipient's SMTP addresses, for the "has it already?" question asked once per template: a scan for
/// the usual handful, a hash set once there are many, so that a recipient with thousands of addresses,
/// or a policy with thousands of templates, stays linear.
struct SmtpAddresses {
    set: Option<rustc_hash::FxHashSet<String>>,
}

impl SmtpAddresses {
    const SCAN_UP_TO: usize = 32;

    fn new(addresses: &[EffectiveAddress<'_>]) -> SmtpAddresses {
        let mut seen = SmtpAddresses { set: None };
        if addresses.len() > Self::SCAN_UP_TO {
            seen.set = Some(Default::default());
            for a in addresses {
                seen.add(&a.text);
            }
        }
        seen
    }

    fn contains(&self, addresses: &[EffectiveAddress<'_>], address: &str) -> bool {
        match &self.set {
            Some(set) => set.contains(&address.to_ascii_lowercase()),
            None => has_smtp_address(addresses, address),
        }
    }

    /// Records a proxy address added after construction (`TYPE:address`).
    fn add(&mut self, text: &str) {
        let parsed = ProxyAddress::parse(text);
        if let Some(set) = self.set.as_mut().filter(|_| parsed.is_smtp()) {
            set.insert(parsed.address.to_ascii_lowercase());
        }
    }

    /// After `addresses` grew past the scan limit.
    fn grow(&mut self, addresses: &[EffectiveAddress<'_>]) {
        if self.set.is_none() && addresses.len() > Self::SCAN_UP_TO {
            *self = SmtpAddresses::new(addresses);
        }
    }
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
// Long on purpose: one sequential pass whose state (the taken addresses) every step shares.
pub(crate) fn number(
    model: &Model<'_>,
    presence: &Presence,
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
            for holder in taken.holders(hash, key).filter(|&h| sees(presence, recipient, h)) {
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
/// policy stamps the primary), a mail user's or contact's external address (its primary unless it names
/// another), then generated ones not already there (only secondaries for a mail user or contact with an
/// external address).
pub(crate) fn merge<'m>(
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
pub(crate) fn join<'m>(
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
    // A mail user's or contact's external address is its primary unless it names another `SMTP:` primary
    // itself, and a policy only adds secondaries to it ("New-MailContact", -ExternalEmailAddress).
    let external = recipient
        .external_email_address
        .as_ref()
        .filter(|_| recipient.kind().has_external_address())
        .map(|e| (e, ProxyAddress::parse(&e.value).address));
    let explicit_primary = explicit.iter().any(|a| a.parsed().is_primary());
    let stamped_primary = match external {
        Some((_, address)) if !explicit_primary => Some(address),
        Some(_) => None,
        None => own_generated.iter().find(|g| g.primary).map(|g| g.address.as_str()),
    };
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
    let mut seen = SmtpAddresses::new(&addresses[first..]);
    if let Some((written, address)) = external
        && !seen.contains(&addresses[first..], address)
    {
        let prefix = if stamped_primary.is_some() { "SMTP" } else { "smtp" };
        let text = format!("{prefix}:{address}");
        addresses.push(EffectiveAddress {
            recipient: index as u32,
            hash: hash_caseless(&text),
            text: Cow::Owned(text),
            span: written.span,
            origin: Origin::ExternalAddress,
        });
    }
    for g in own_generated {
        seen.grow(&addresses[first..]);
        if !seen.contains(&addresses[first..], &g.address) {
            let primary = g.primary && external.is_none();
            let prefix = if primary { "SMTP" } else { "smtp" };
            let text = format!("{prefix}:{}", g.address);
            seen.add(&text);
            addresses.push(EffectiveAddress {
                recipient: index as u32,
                hash: hash_caseless(&text),
                text: Cow::Owned(text),
                span: model.policies[g.policy as usize].templates[g.template as usize].span,
                origin: Origin::Generated { policy: g.policy, template: g.template },
            });
        }
    }
}
