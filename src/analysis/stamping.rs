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
use crate::model::address::{Caseless, ProxyAddress};
use crate::model::{Model, Recipient};
use crate::util::FastMap;

/// An address a policy generates for one recipient, before it is merged with the explicit ones.
pub(crate) struct Generated {
    recipient: u32,
    /// `local@domain`
    address: String,
    /// The case-insensitive hash of `smtp:<address>`.
    hash: u64,
    primary: bool,
    /// Index in `Model::policies`, and of the template in the policy.
    policy: u32,
    template: u32,
}

/// Every recipient's `proxy_addresses`, flat, with each recipient's start.
pub(crate) fn explicit_addresses<'m>(model: &'m Model<'m>) -> (Vec<EffectiveAddress<'m>>, Vec<u32>) {
    // Listed in one pass into one vector (chunks joined afterwards would write every address twice),
    // then hashed in parallel: hashing is most of the cost of the indexes.
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
    addresses.par_iter_mut().for_each(|address| address.hash = hash_caseless(&address.text));
    (addresses, starts)
}

/// The explicit addresses by hash, for numbering generated ones as Exchange does. Every holder of an
/// address is kept: a recipient that already has the address itself keeps it, even when another
/// recipient has it too (that is a duplicate, reported on its own).
struct ExplicitAddresses<'e, 'm> {
    explicit: &'e [EffectiveAddress<'m>],
    table: HashTable<u32>,
}

impl<'e, 'm> ExplicitAddresses<'e, 'm> {
    fn new(explicit: &'e [EffectiveAddress<'m>]) -> Self {
        let mut table = HashTable::with_capacity(explicit.len());
        for (id, address) in explicit.iter().enumerate() {
            table.insert_unique(address.hash, id as u32, |&other| explicit[other as usize].hash);
        }
        ExplicitAddresses { explicit, table }
    }

    /// The recipients with this explicit address (`TYPE:address`, case-insensitive).
    fn holders<'s>(&'s self, hash: u64, key: &'s str) -> impl Iterator<Item = u32> + 's {
        self.table
            .iter_hash(hash)
            .map(|&id| &self.explicit[id as usize])
            .filter(move |address| address.text.eq_ignore_ascii_case(key))
            .map(|address| address.recipient)
    }
}

/// Whether `key` is `smtp:<address>` (case-insensitive).
fn is_smtp_key_of(key: &str, address: &str) -> bool {
    key.len() == address.len() + 5
        && key.is_char_boundary(5)
        && key[..5].eq_ignore_ascii_case("smtp:")
        && key[5..].eq_ignore_ascii_case(address)
}

/// Whether the directory that stamps `recipient`'s addresses contains `other`: on-premises Exchange stamps
/// on-premises recipients and sees the objects there; Exchange Online stamps its own and sees every
/// object in the cloud.
fn sees(presence: &Presence, recipient: u32, other: u32) -> bool {
    // Mastered on-premises exactly when it exists on-premises.
    let directory = if presence.of(recipient as usize).on_premises { Directory::OnPremises } else { Directory::Cloud };
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

/// Which wanted addresses the numbering has to look at: those the recipient does not hold already and
/// that an explicit address or another such wanted address may clash with (whoever holds it, wherever:
/// the numbering then decides). The rest, nearly all of them in an organisation without namesakes, are
/// stamped as they are unless a numbered variant took them first. Computed in parallel.
fn contested(explicit: &ExplicitAddresses<'_, '_>, wanted: &[Wanted]) -> Vec<bool> {
    let mut unheld: Vec<u64> = wanted.iter().filter(|w| !w.held).map(|w| w.hash).collect();
    unheld.par_sort_unstable();
    let repeated = |hash: u64| {
        let first = unheld.partition_point(|&h| h < hash);
        unheld.get(first + 1) == Some(&hash)
    };
    wanted
        .par_iter()
        .map_init(String::new, |key, w| {
            !w.held && (repeated(w.hash) || explicit.holders(w.hash, smtp_key(key, &w.address)).next().is_some())
        })
        .collect()
}

/// The family of a wanted address: its local part without trailing digits, and its domain. Every address
/// the numbering may try for it (`john.smith2@`, `john.smith12@`) is in the same family, so families
/// never meet and are numbered independently, in parallel.
fn family(address: &str) -> u64 {
    use std::hash::BuildHasher;
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let stem = local.trim_end_matches(|c: char| c.is_ascii_digit());
    rustc_hash::FxBuildHasher.hash_one((crate::model::address::Caseless(stem), crate::model::address::Caseless(domain)))
}

/// What the numbering decided for one wanted address it had to look at.
struct Outcome {
    /// Position in the wanted addresses.
    position: u32,
    /// The numbered variant stamped instead, and the hash of its `smtp:` key.
    numbered: Option<(String, u64)>,
    collision: Option<Collision>,
}

/// Numbers the wanted addresses as Exchange stamps them, in recipient order: one that another recipient
/// already has (explicitly, or generated earlier) gets the numbered variant instead. Each family of
/// addresses is one sequential pass in order (each stamp depends on the earlier ones), and the families
/// run in parallel; addresses no one else wants or has are stamped as they are.
pub(crate) fn number(
    presence: &Presence,
    explicit: &[EffectiveAddress<'_>],
    explicit_starts: &[u32],
    wanted: Vec<Wanted>,
    collisions: &mut Vec<Collision>,
) -> Vec<Generated> {
    if wanted.iter().all(|w| w.held) {
        // A repository that writes down what policies stamp: every address is its recipient's own, and
        // the order of stamping does not matter.
        return wanted.into_iter().map(Wanted::into_generated).collect();
    }
    let explicit_addresses = ExplicitAddresses::new(explicit);
    let contested = contested(&explicit_addresses, &wanted);
    let mut families: Vec<(u64, u32)> = wanted
        .par_iter()
        .enumerate()
        .filter(|(_, w)| !w.held)
        .map(|(position, w)| (family(&w.address), position as u32))
        .collect();
    families.par_sort_unstable();
    let groups: Vec<&[(u64, u32)]> = families.chunk_by(|a, b| a.0 == b.0).collect();
    let numbering = Numbering { presence, explicit: &explicit_addresses, explicit_starts, wanted: &wanted };
    let mut outcomes: Vec<Outcome> = groups
        .par_iter()
        .flat_map_iter(|group| numbering.family(group.iter().map(|&(_, position)| position), &contested))
        .collect();
    outcomes.sort_unstable_by_key(|o| o.position);

    let mut outcomes = outcomes.into_iter().peekable();
    let mut generated = Vec::with_capacity(wanted.len());
    for (position, wanted) in wanted.into_iter().enumerate() {
        let Some(outcome) = outcomes.next_if(|o| o.position as usize == position) else {
            generated.push(wanted.into_generated());
            continue;
        };
        collisions.extend(outcome.collision);
        let mut stamped = wanted.into_generated();
        if let Some((address, hash)) = outcome.numbered {
            (stamped.address, stamped.hash) = (address, hash);
        }
        generated.push(stamped);
    }
    generated
}

/// What the numbering of every family reads.
struct Numbering<'n, 'm> {
    presence: &'n Presence,
    explicit: &'n ExplicitAddresses<'n, 'm>,
    explicit_starts: &'n [u32],
    wanted: &'n [Wanted],
}

/// Records a stamp, found by its hash.
fn stamp<'w>(stamps: &mut Vec<Stamp<'w>>, stamped: &mut HashTable<u32>, new: Stamp<'w>) {
    let hash = new.hash;
    stamps.push(new);
    stamped.insert_unique(hash, stamps.len() as u32 - 1, |&s| stamps[s as usize].hash);
}

/// An address stamped so far in a family: its text, the hash of its `smtp:` key, and its recipient.
struct Stamp<'w> {
    address: std::borrow::Cow<'w, str>,
    hash: u64,
    recipient: u32,
}

impl Numbering<'_, '_> {
    /// Numbers one family's wanted addresses (positions in order); returns what is not stamped as wanted
    /// without a finding.
    // Long on purpose: one sequential pass whose state (the family's stamps) every step shares.
    fn family(&self, positions: impl Iterator<Item = u32>, contested: &[bool]) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        let mut stamps: Vec<Stamp<'_>> = Vec::new();
        let mut stamped: HashTable<u32> = HashTable::new();
        // Hashes of the numbered variants stamped so far: an uncontested address whose hash is among
        // them goes the long way.
        let mut numbered_hashes: rustc_hash::FxHashSet<u64> = Default::default();
        // The next number to try for each taken address, so that numbering many recipients with the same
        // name stays linear instead of re-trying 2, 3, ... for each of them.
        let mut next_number: FastMap<Caseless<'_>, u32> = FastMap::default();
        let (mut key, mut variant_key) = (String::new(), String::new());
        for position in positions {
            let wanted = &self.wanted[position as usize];
            let index = wanted.recipient;
            if !contested[position as usize] && !numbered_hashes.contains(&wanted.hash) {
                stamp(
                    &mut stamps,
                    &mut stamped,
                    Stamp { address: wanted.address.as_str().into(), hash: wanted.hash, recipient: index },
                );
                continue;
            }
            let starts = &self.explicit_starts[index as usize..index as usize + 2];
            let own_explicit = &self.explicit.explicit[starts[0] as usize..starts[1] as usize];
            let (local, domain) = wanted.address.rsplit_once('@').unwrap_or((&wanted.address, ""));
            let mut variant = |number: u32| {
                let address = format!("{local}{number}@{domain}");
                let hash = hash_caseless(smtp_key(&mut variant_key, &address));
                (address, hash)
            };
            let mut numbered: Option<(String, u64)> = None;
            let mut first_holder = None;
            let mut number = 1;
            let own = loop {
                let address = numbered.as_ref().map_or(wanted.address.as_str(), |(n, _)| n.as_str());
                let hash = numbered.as_ref().map_or(wanted.hash, |&(_, h)| h);
                let key = smtp_key(&mut key, address);
                let earlier = stamped
                    .iter_hash(hash)
                    .map(|&s| &stamps[s as usize])
                    .filter(|s| is_smtp_key_of(key, &s.address))
                    .map(|s| s.recipient);
                let mut other = None;
                let mut mine = false;
                for holder in self.explicit.holders(hash, key).chain(earlier).filter(|&h| sees(self.presence, index, h))
                {
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
                            // Numbers up to this one were taken when last tried, and stay taken; Exchange
                            // tries them in order, so the first of them that is the recipient's own, or
                            // the next one if it is, is where it stops (no lookup needed).
                            number = next_number.get(&Caseless(&wanted.address)).copied().unwrap_or(1);
                            if let Some(own_number) = lowest_own_variant(own_explicit, local, domain, number + 1) {
                                number = own_number;
                                numbered = Some(variant(number));
                                break true;
                            }
                        }
                        number += 1;
                        numbered = Some(variant(number));
                    }
                }
            };
            if first_holder.is_some() {
                let taken_up_to = next_number.entry(Caseless(&wanted.address)).or_insert(number);
                *taken_up_to = number.max(*taken_up_to);
            }
            let stamped_address = numbered.as_ref().map_or(wanted.address.as_str(), |(n, _)| n.as_str());
            // A numbered variant the recipient already has itself is the settled state: nothing to say.
            let settled = own && number > 1;
            let collision = first_holder.filter(|_| !settled).map(|holder| Collision {
                recipient: index,
                policy: wanted.policy,
                template: wanted.template,
                wanted: wanted.address.clone(),
                stamped: stamped_address.to_string(),
                holder,
            });
            if !own {
                let (address, hash) = match &numbered {
                    Some((n, h)) => (n.clone().into(), *h),
                    None => (wanted.address.as_str().into(), wanted.hash),
                };
                stamp(&mut stamps, &mut stamped, Stamp { address, hash, recipient: index });
            }
            if let Some((_, hash)) = &numbered {
                numbered_hashes.insert(*hash);
            }
            if numbered.is_some() || collision.is_some() {
                outcomes.push(Outcome { position, numbered, collision });
            }
        }
        outcomes
    }
}

/// The lowest `n` in `2..=up_to` for which the recipient already has `<local><n>@<domain>` itself.
fn lowest_own_variant(own: &[EffectiveAddress<'_>], local: &str, domain: &str, up_to: u32) -> Option<u32> {
    // `smtp:`, the local part, at least one digit, `@`, the domain: matched by position from both ends,
    // so that the usual address, which is no variant, is passed over after a comparison or two.
    let shortest = 5 + local.len() + 1 + 1 + domain.len();
    own.iter()
        .filter_map(|a| {
            let text: &str = &a.text;
            let at = text.len().checked_sub(domain.len() + 1).filter(|_| text.len() >= shortest)?;
            let bytes = text.as_bytes();
            let variant = bytes[at] == b'@'
                && bytes[at + 1..].eq_ignore_ascii_case(domain.as_bytes())
                && bytes[..5].eq_ignore_ascii_case(b"smtp:")
                && bytes[5..5 + local.len()].eq_ignore_ascii_case(local.as_bytes());
            let digits = text.get(5 + local.len()..at).filter(|_| variant)?;
            let n: u32 = digits.parse().ok().filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))?;
            (n >= 2 && n <= up_to && !digits.starts_with('0')).then_some(n)
        })
        .min()
}

impl Wanted {
    /// Stamped as it is.
    fn into_generated(self) -> Generated {
        Generated {
            recipient: self.recipient,
            address: self.address,
            hash: self.hash,
            primary: self.primary,
            policy: self.policy,
            template: self.template,
        }
    }
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
