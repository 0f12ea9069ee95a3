//! What rules need beyond the literal model, computed once and shared: each recipient's effective address
//! set, hash indexes over names and addresses, and the tenant's domains.
//!
//! Effective addresses are the explicit `proxy_addresses`, the external address a mail user or contact
//! uses as its primary when it has no `SMTP:` of its own, and what email address policies generate.
//! Rules read only effective addresses, so every source of addresses is checked the same way.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::address::{Caseless, ProxyAddress};
use crate::model::{Model, Recipient};
use crate::source::Span;

pub type FastMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// Where an effective address comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in `proxy_addresses`.
    Explicit,
    /// A mail user's or contact's `external_email_address`, which Exchange uses as its primary address
    /// when it has no `SMTP:` address of its own.
    ExternalAddress,
}

#[derive(Clone, Debug)]
pub struct EffectiveAddress<'m> {
    /// Index of the recipient in `Model::recipients`.
    pub recipient: u32,
    /// The whole value, `TYPE:address`.
    pub text: Cow<'m, str>,
    /// Where it was written (the `proxy_addresses` entry, or the value it was derived from).
    pub span: Span,
    pub origin: Origin,
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
        let domain = domain.to_ascii_lowercase();
        self.accepted.contains(&domain)
            || domain == self.initial
            || domain == self.routing
            || domain == self.coexistence
    }
}

/// Everything derived from the model, built once.
pub struct Derived<'m> {
    pub tenant: Option<TenantDomains>,
    addresses: Vec<EffectiveAddress<'m>>,
    /// `addresses[starts[i]..starts[i + 1]]` are recipient `i`'s.
    starts: Vec<u32>,
    /// Address (type and value, case-insensitive) -> the first effective address that has it, keyed by
    /// the text in `addresses` (a table of ids, so that derived, owned texts are indexed like the rest).
    address_index: HashTable<u32>,
    /// (first holder, another holder) pairs of equal addresses, sorted.
    address_repeats: Vec<(u32, u32)>,
    /// Recipient name (case-insensitive) -> first recipient with it.
    name_index: FastMap<Caseless<'m>, u32>,
}

impl<'m> Derived<'m> {
    pub fn new(model: &'m Model<'_>) -> Derived<'m> {
        let tenant = model.tenant.as_ref().map(|t| TenantDomains {
            name: t.name.value.to_ascii_lowercase(),
            hybrid: t.hybrid,
            accepted: t.accepted_domains.iter().map(|d| d.value.to_ascii_lowercase()).collect(),
            initial: t.initial_domain(),
            routing: t.routing_domain(),
            coexistence: format!("{}.mail.onmicrosoft.com", t.name.value.to_ascii_lowercase()),
        });

        let mut addresses = Vec::with_capacity(model.recipients.len() * 5);
        let mut starts = Vec::with_capacity(model.recipients.len() + 1);
        for (index, recipient) in model.recipients.iter().enumerate() {
            starts.push(addresses.len() as u32);
            push_effective_addresses(index as u32, recipient, &mut addresses);
        }
        starts.push(addresses.len() as u32);

        let mut derived = Derived {
            tenant,
            addresses,
            starts,
            address_index: HashTable::with_capacity(0),
            address_repeats: Vec::new(),
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
        for (id, address) in addresses.iter().enumerate() {
            let hash = hash_caseless(&address.text);
            let same = |&other: &u32| addresses[other as usize].text.eq_ignore_ascii_case(&address.text);
            match index.find(hash, same) {
                Some(&first) => self.address_repeats.push((first, id as u32)),
                None => {
                    index.insert_unique(hash, id as u32, |&other| hash_caseless(&addresses[other as usize].text));
                }
            }
        }
        self.address_repeats.sort_unstable();
        self.address_index = index;
    }

    /// A recipient's effective addresses.
    pub fn addresses_of(&self, recipient: usize) -> &[EffectiveAddress<'m>] {
        let (start, end) = (self.starts[recipient] as usize, self.starts[recipient + 1] as usize);
        &self.addresses[start..end]
    }

    pub fn all_addresses(&self) -> &[EffectiveAddress<'m>] {
        &self.addresses
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

fn push_effective_addresses<'m>(index: u32, recipient: &'m Recipient<'_>, out: &mut Vec<EffectiveAddress<'m>>) {
    let first = out.len();
    for address in &recipient.proxy_addresses {
        out.push(EffectiveAddress {
            recipient: index,
            text: Cow::Borrowed(&address.value),
            span: address.span,
            origin: Origin::Explicit,
        });
    }
    let has_primary = out[first..].iter().any(|a| a.parsed().is_primary());
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
        out.push(EffectiveAddress { recipient: index, text, span: external.span, origin: Origin::ExternalAddress });
    }
}
