//! The cloud view: what Entra ID and Exchange Online compute from a synced object's on-premises values
//! ("proxy calculation", as "How the proxyAddresses attribute is populated in Microsoft Entra ID" describes
//! it since its 2023 revision). Rules that reason about the cloud side
//! use these functions rather than their own copies of the logic.

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::addresses::Derived;
use crate::analysis::presence::Presence;
use crate::model::TenantDomains;
use crate::model::address::{ProxyAddress, domain_is_within, local_part_of};
use crate::model::{Model, Recipient, RecipientType, Source};
use crate::util::FastMap;

/// Why the cloud discards an on-premises proxy address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// `*.onmicrosoft.com` (other than the routing domain) or `*.microsoftonline.com`: Microsoft's
    /// reserved suffixes, which only the service itself stamps.
    ReservedDomain(&'static str),
    /// An X500 address of Microsoft Online's own organisation (`/o=MicrosoftOnline`).
    MicrosoftOnlineX500,
    /// `MSMAIL:` and `X400:` addresses are legacy types Exchange Online does not keep.
    LegacyType,
    /// Malformed (no `TYPE:` prefix, whitespace, ...).
    Malformed,
    /// A licensed mailbox's address in a domain the tenant has not verified.
    UnverifiedDomain,
}

impl DropReason {
    pub fn explain(self) -> String {
        match self {
            DropReason::ReservedDomain(suffix) => format!(
                "addresses on `*.{suffix}` are reserved for the service; the cloud removes them from synced objects and stamps its own"
            ),
            DropReason::MicrosoftOnlineX500 => {
                "X500 addresses of `/o=MicrosoftOnline` belong to the service's own organisation and are removed".into()
            }
            DropReason::LegacyType => "MSMAIL and X400 are legacy address types that Exchange Online does not keep".into(),
            DropReason::Malformed => "the value is not a well-formed proxy address".into(),
            DropReason::UnverifiedDomain => {
                "the domain is not verified in the tenant, and Exchange Online removes such addresses from licensed mailboxes".into()
            }
        }
    }
}

/// The cloud's mailNickname: the on-premises alias, else the local part of the primary SMTP address
/// (or of `mail`), else the prefix of the UPN ("Microsoft Entra UserPrincipalName population"; "How the
/// proxyAddresses attribute is populated in Microsoft Entra ID", scenarios 1-3). It is kept as written, the
/// characters U+00A1 to U+00FF included: only the addresses built from it are mapped to US-ASCII.
pub fn mail_nickname<'r>(recipient: &'r Recipient<'_>, primary: Option<&'r str>) -> Option<&'r str> {
    if let Some(alias) = &recipient.alias {
        return Some(&alias.value);
    }
    if let Some(primary) = primary {
        return Some(local_part_of(ProxyAddress::parse(primary).address));
    }
    if let Some(mail) = &recipient.mail {
        return Some(local_part_of(&mail.value));
    }
    recipient.upn.as_ref().map(|upn| local_part_of(&upn.value))
}

/// The local part the cloud builds from a mailNickname (the MOERA's, and a replaced UPN's prefix). An alias
/// may hold the characters U+00A1 to U+00FF, an address may not: they are mapped to US-ASCII as Exchange maps
/// them in the addresses it generates from an alias (ö -> oe). Microsoft documents that mapping for
/// on-premises addresses only; the cloud's is assumed to be the same.
pub fn nickname_local_part(nickname: &str) -> std::borrow::Cow<'_, str> {
    if nickname.is_ascii() {
        std::borrow::Cow::Borrowed(nickname)
    } else {
        std::borrow::Cow::Owned(crate::analysis::policy::template::to_address_text(nickname))
    }
}

/// The MOERA of a mailNickname: `<mailNickname>@<tenant>.onmicrosoft.com`.
pub fn moera_of(nickname: &str, tenant: &TenantDomains) -> String {
    format!("{}@{}", nickname_local_part(nickname), tenant.initial)
}

/// Whether (and why) the cloud discards this on-premises address of a synced recipient.
/// `moera` is the object's own MOERA, which the cloud adds back itself and so is not lost.
pub fn discard_reason(
    address: &ProxyAddress<'_>,
    well_formed: bool,
    recipient: &Recipient<'_>,
    tenant: &TenantDomains,
    moera: Option<&str>,
) -> Option<DropReason> {
    let Some(prefix) = address.prefix else { return Some(DropReason::Malformed) };
    if !well_formed {
        return Some(DropReason::Malformed);
    }
    if prefix.eq_ignore_ascii_case("msmail") || prefix.eq_ignore_ascii_case("x400") {
        return Some(DropReason::LegacyType);
    }
    if prefix.eq_ignore_ascii_case("x500") {
        // Compared without whitespace and case, without copying the DN.
        let mut dn = address.address.chars().filter(|c| !c.is_whitespace());
        let microsoft_online =
            "/o=microsoftonline".chars().all(|want| dn.next().is_some_and(|c| c.eq_ignore_ascii_case(&want)));
        return microsoft_online.then_some(DropReason::MicrosoftOnlineX500);
    }
    if !address.is_smtp() {
        return None;
    }
    let domain = address.domain()?;
    // The coexistence domain is kept even when another routing domain is configured: hybrid moves use it.
    if domain.eq_ignore_ascii_case(&tenant.routing) || domain.eq_ignore_ascii_case(&tenant.coexistence) {
        return None;
    }
    if domain_is_within(domain, "onmicrosoft.com") {
        let is_own_moera = moera.is_some_and(|m| m.eq_ignore_ascii_case(address.address));
        return (!is_own_moera).then_some(DropReason::ReservedDomain("onmicrosoft.com"));
    }
    if domain_is_within(domain, "microsoftonline.com") {
        return Some(DropReason::ReservedDomain("microsoftonline.com"));
    }
    if recipient.is_licensed() && !tenant.is_verified(domain) {
        return Some(DropReason::UnverifiedDomain);
    }
    None
}

/// Where a cloud proxy address comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloudOrigin {
    /// An on-premises effective address, kept.
    OnPremises,
    /// `mail`, made the primary because the object has no primary of its own.
    Mail,
    /// The UPN: added as a secondary for mailboxes in Exchange Online, or the primary of a licensed user
    /// with no address of its own.
    Upn,
    /// The MOERA `mailNickname@<tenant>.onmicrosoft.com`.
    Moera,
}

#[derive(Clone, Debug)]
pub struct CloudAddress {
    /// `SMTP:...` or `smtp:...` (or another type kept as is).
    pub text: String,
    pub origin: CloudOrigin,
}

/// An on-premises address the cloud discards, and why.
#[derive(Clone, Debug)]
pub struct Dropped {
    /// Index into the recipient's effective addresses (`Derived::addresses_of`).
    pub address: usize,
    pub reason: DropReason,
}

/// A value Entra ID quarantines because an object that was there first already has it ("Identity
/// synchronization and duplicate attribute resiliency").
#[derive(Clone, Debug)]
pub struct Quarantined {
    pub attribute: CloudAttribute,
    pub value: String,
    /// The recipient that keeps it.
    pub kept_by: u32,
    /// Not quarantined: a user whose UPN is a group's address gets a ProxyAddress conflict export error
    /// on every sync cycle instead ("Identity synchronization and duplicate attribute resiliency", known issues).
    pub export_error: bool,
}

/// The Entra ID attributes whose values duplicate attribute resiliency quarantines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloudAttribute {
    ProxyAddress,
    UserPrincipalName,
}

impl CloudAttribute {
    /// The attribute's name, as Entra ID and its DirSyncProvisioningErrors show it.
    pub fn name(self) -> &'static str {
        match self {
            CloudAttribute::ProxyAddress => "ProxyAddress",
            CloudAttribute::UserPrincipalName => "UserPrincipalName",
        }
    }
}

/// One synced object as Entra ID and Exchange Online will have it.
#[derive(Clone, Debug)]
pub struct CloudObject {
    pub recipient: u32,
    pub cloud_type: &'static str,
    pub mail_nickname: Option<String>,
    /// The MOERA, for objects hosted in Exchange Online.
    pub moera: Option<String>,
    /// The MOERA was taken, so the cloud appended four random digits; the digits shown are a placeholder.
    pub moera_random_suffix: bool,
    /// Who already had the plain MOERA, when the suffix was needed.
    pub moera_taken_by: Option<u32>,
    /// The UPN in Entra ID: a placeholder `<prefix>+NNNN@<tenant>.onmicrosoft.com` when it was quarantined.
    pub upn: Option<String>,
    /// The effective addresses (positions in `Derived::addresses_of`) the cloud keeps.
    pub kept: Vec<u32>,
    pub dropped: Vec<Dropped>,
    pub quarantined: Vec<Quarantined>,
}

/// `mail` and the proxyAddresses of a cloud object: computed on demand (`sync-preview`), since no rule
/// needs them.
pub struct Projection {
    pub mail: Option<String>,
    pub proxy_addresses: Vec<CloudAddress>,
}

impl CloudObject {
    pub fn project(&self, model: &Model<'_>, derived: &Derived<'_>) -> Projection {
        let recipient = &model.recipients[self.recipient as usize];
        let addresses = derived.addresses_of(self.recipient as usize);
        let kept: Vec<&str> = self.kept.iter().map(|&p| addresses[p as usize].text.as_ref()).collect();
        let hosted = recipient.is_hosted_in_exchange_online();
        let upn_quarantined = self.quarantined.iter().any(|q| q.attribute == CloudAttribute::UserPrincipalName);
        // The primary: the on-premises one, else `mail`, else the UPN (licensed users), else the MOERA.
        let kept_primary = kept
            .iter()
            .find(|t| ProxyAddress::parse(t).is_primary())
            .map(|t| ProxyAddress::parse(t).address.to_string());
        let user_in_exchange_online = hosted && recipient.kind().is_user_object();
        let (primary, primary_origin) = if let Some(p) = kept_primary {
            (Some(p), CloudOrigin::OnPremises)
        } else if let Some(mail) =
            recipient.mail.as_ref().filter(|m| crate::model::address::check_smtp_address(&m.value).is_ok())
        {
            (Some(mail.value.to_string()), CloudOrigin::Mail)
        } else if user_in_exchange_online && recipient.is_licensed() && self.upn.is_some() && !upn_quarantined {
            (self.upn.clone(), CloudOrigin::Upn)
        } else if hosted {
            (self.moera.clone(), CloudOrigin::Moera)
        } else {
            (None, CloudOrigin::OnPremises)
        };
        let mut proxy_addresses: Vec<CloudAddress> = Vec::new();
        // The SMTP addresses so far, lowercased: one lookup each, however many addresses the object has.
        let mut smtp: rustc_hash::FxHashSet<String> = Default::default();
        if let Some(p) = &primary {
            proxy_addresses.push(CloudAddress { text: format!("SMTP:{p}"), origin: primary_origin });
            smtp.insert(p.to_ascii_lowercase());
        }
        for text in &kept {
            let parsed = ProxyAddress::parse(text);
            if parsed.is_smtp() {
                if smtp.insert(parsed.address.to_ascii_lowercase()) {
                    proxy_addresses.push(CloudAddress {
                        text: format!("smtp:{}", parsed.address),
                        origin: CloudOrigin::OnPremises,
                    });
                }
            } else {
                proxy_addresses.push(CloudAddress { text: text.to_string(), origin: CloudOrigin::OnPremises });
            }
        }
        if hosted {
            // A quarantined UPN's placeholder is not an address anyone uses.
            let upn_address = if upn_quarantined { None } else { self.upn.clone() };
            for (value, origin) in [(&upn_address, CloudOrigin::Upn), (&self.moera, CloudOrigin::Moera)] {
                if let Some(value) = value
                    && smtp.insert(value.to_ascii_lowercase())
                {
                    proxy_addresses.push(CloudAddress { text: format!("smtp:{value}"), origin });
                }
            }
        }
        Projection { mail: primary, proxy_addresses }
    }
}

/// Every synced recipient's cloud view, in recipient order, computed once per run.
#[derive(Default)]
pub struct CloudView {
    pub objects: Vec<CloudObject>,
    /// Per recipient: its index in `objects`, or `u32::MAX` when it is not synced.
    by_recipient: Vec<u32>,
}

impl CloudView {
    pub fn of(&self, recipient: usize) -> Option<&CloudObject> {
        let object = *self.by_recipient.get(recipient)?;
        self.objects.get(object as usize)
    }

    /// Synced recipients (dynamic groups excluded: Entra Connect never syncs them) in a hybrid tenant.
    pub fn build(
        model: &Model<'_>,
        presence: &Presence,
        derived: &Derived<'_>,
        pairs: &crate::analysis::pairs::Pairs,
        today: Date,
        grace_days: i64,
    ) -> CloudView {
        let mut view = CloudView::default();
        let Some(tenant) = &derived.tenant else { return view };
        if !tenant.hybrid {
            return view;
        }
        view.by_recipient = vec![u32::MAX; model.recipients.len()];
        let mut entra = Entra { model, presence, derived, pairs, tenant, holders: FastMap::default() };
        entra.order_holders();
        // Each synced object is built in parallel: what it keeps, drops and has quarantined depends only
        // on the others' addresses. Only who gets a MOERA or a UPN first is decided in order below.
        // The synced recipients first, so that the objects are collected straight into place (a filtered
        // parallel iterator would collect them in pieces and copy them again).
        let synced: Vec<u32> = model.recipients.par_gather(|index, recipient, synced| {
            if presence.is_synced(index, recipient) {
                synced.push(index as u32);
            }
        });
        let (mut objects, pending): (Vec<CloudObject>, Vec<Pending>) = synced
            .par_iter()
            .map(|&index| {
                let index = index as usize;
                entra.object(index, &model.recipients[index], today, grace_days)
            })
            .unzip();

        // MOERAs and UPNs go to whichever object was there first: cloud-only objects, then synced ones in
        // order.
        let mut moeras_taken: FastMap<String, u32> = FastMap::default();
        let mut upns: FastMap<u32, u32> = FastMap::default();
        for (index, recipient) in model.recipients.iter().enumerate() {
            if recipient.source != Source::Cloud {
                continue;
            }
            if recipient.kind().is_user_object()
                && let Some(upn) = derived.upn_key(index)
            {
                upns.entry(upn).or_insert(index as u32);
            }
            if let Some(moera) = cloud_only_moera(recipient, tenant) {
                moeras_taken.entry(moera).or_insert(index as u32);
            }
        }
        for (position, (object, pending)) in objects.iter_mut().zip(pending).enumerate() {
            let i = object.recipient;
            view.by_recipient[i as usize] = position as u32;
            if let Some(PlainMoera { key, address_holder }) = pending.moera {
                let holder = address_holder
                    .or_else(|| moeras_taken.get(&key).copied().filter(|&h| h != i && !pairs.explains(h, i)));
                match holder {
                    Some(holder) => entra.number_moera(object, holder),
                    None => {
                        moeras_taken.insert(key, i);
                    }
                }
            }
            if let Some(key) = pending.upn_key {
                match upns.get(&key) {
                    Some(&holder) if holder != i && !pairs.explains(holder, i) => entra.quarantine_upn(object, holder),
                    Some(_) => {}
                    None => {
                        upns.insert(key, i);
                    }
                }
            }
        }
        view.objects = objects;
        view
    }
}

/// What is decided in order for a synced object: whether its plain MOERA and its UPN are still free.
struct Pending {
    moera: Option<PlainMoera>,
    /// The interned UPN, when the object keeps its written UPN unless another object has it.
    upn_key: Option<u32>,
}

/// A plain MOERA's lowercase key, and the object that reaches Entra ID before this one with it as an
/// address.
struct PlainMoera {
    key: String,
    address_holder: Option<u32>,
}

/// What Entra ID computes for each synced object, from the analysis so far.
struct Entra<'v, 'm> {
    model: &'v Model<'m>,
    presence: &'v Presence,
    /// For every address several objects in the cloud have (by its canonical id): those objects in the
    /// order they reach Entra ID, so that the one that keeps it is found without rescanning the others.
    holders: FastMap<u32, Vec<u32>>,
    derived: &'v Derived<'m>,
    pairs: &'v crate::analysis::pairs::Pairs,
    tenant: &'v TenantDomains,
}

impl Entra<'_, '_> {
    fn order_holders(&mut self) {
        for group in self.derived.repeated_addresses() {
            let mut holders: Vec<u32> = group.iter().map(|&id| self.derived.address(id).recipient).collect();
            holders.retain(|&h| self.sees(h));
            holders.sort_unstable_by_key(|&h| (self.model.recipients[h as usize].source != Source::Cloud, h));
            holders.dedup();
            if holders.len() > 1 {
                self.holders.insert(group[0], holders);
            }
        }
    }

    /// Entra ID sees cloud-only objects (they exist before anything syncs) and synced ones.
    fn sees(&self, i: u32) -> bool {
        self.presence.of(i as usize).cloud
    }

    /// Whether `a` reaches Entra ID before `b`: cloud-only objects first, then in order.
    fn earlier(&self, a: u32, b: u32) -> bool {
        let (ra, rb) = (&self.model.recipients[a as usize], &self.model.recipients[b as usize]);
        match (ra.source == Source::Cloud, rb.source == Source::Cloud) {
            (true, false) => true,
            (false, true) => false,
            _ => a < b,
        }
    }

    /// A synced object as far as it depends on itself and the others' addresses: its on-premises
    /// addresses dropped, quarantined (another object that was there first has the value) or kept, its
    /// plain MOERA and its written UPN; and what is still to be decided in order.
    fn object(&self, index: usize, recipient: &Recipient<'_>, today: Date, grace_days: i64) -> (CloudObject, Pending) {
        let (derived, tenant) = (self.derived, self.tenant);
        let i = index as u32;
        let onprem_primary = derived.primary_of(index).map(|a| a.parsed().address);
        let nickname = mail_nickname(recipient, onprem_primary).map(str::to_string);
        let hosted = recipient.is_hosted_in_exchange_online();
        // The object's own MOERA is added back by the cloud, so it is not lost.
        let own_moera = nickname.as_deref().filter(|_| hosted).map(|n| moera_of(n, tenant));
        let (mut dropped, mut quarantined, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        let addresses = derived.addresses_of(index);
        for (position, (address, id)) in addresses.iter().zip(derived.address_ids_of(index)).enumerate() {
            let parsed = address.parsed();
            if let Some(reason) =
                discard_reason(&parsed, derived.is_well_formed(id), recipient, tenant, own_moera.as_deref())
            {
                dropped.push(Dropped { address: position, reason });
                continue;
            }
            // Holders are ordered by when they reach Entra ID, so the first one that is not this
            // object's other half is the one that keeps the value; looking no further keeps this linear.
            let first = self.holders.get(&derived.canonical_of(id)).and_then(|holders| {
                holders
                    .iter()
                    .copied()
                    .take_while(|&h| h != i && self.earlier(h, i))
                    .find(|&h| !self.pairs.explains(h, i))
            });
            if let Some(kept_by) = first {
                let is_own_upn = recipient
                    .upn
                    .as_ref()
                    .is_some_and(|u| parsed.is_smtp() && u.value.eq_ignore_ascii_case(parsed.address));
                let export_error = is_own_upn && self.model.recipients[kept_by as usize].kind().is_group();
                quarantined.push(Quarantined {
                    attribute: CloudAttribute::ProxyAddress,
                    value: address.text.to_string(),
                    kept_by,
                    export_error,
                });
                continue;
            }
            kept.push(position as u32);
        }
        let moera = own_moera.map(|plain| {
            let address_holder = self
                .derived
                .holders_of(&format!("smtp:{plain}"))
                .into_iter()
                .find(|&h| h != i && self.sees(h) && !self.pairs.explains(h, i));
            (plain.to_ascii_lowercase(), plain, address_holder)
        });
        let (upn, upn_key) = self.written_upn(i, recipient, nickname.as_deref());
        let object = CloudObject {
            recipient: i,
            cloud_type: cloud_type(recipient, today, grace_days),
            mail_nickname: nickname,
            moera: moera.as_ref().map(|(_, plain, _)| plain.clone()),
            moera_random_suffix: false,
            moera_taken_by: None,
            upn,
            kept,
            dropped,
            quarantined,
        };
        let moera = moera.map(|(key, _, address_holder)| PlainMoera { key, address_holder });
        (object, Pending { moera, upn_key })
    }

    /// The MOERA was taken by `holder`: the cloud appends four random digits.
    fn number_moera(&self, object: &mut CloudObject, holder: u32) {
        let recipient = &self.model.recipients[object.recipient as usize];
        let local = nickname_local_part(object.mail_nickname.as_deref().unwrap_or(""));
        let digits = placeholder_digits(&recipient.name.value);
        object.moera = Some(format!("{local}{digits:04}@{}", self.tenant.initial));
        object.moera_taken_by = Some(holder);
        object.moera_random_suffix = true;
    }

    /// The UPN as written, unless its suffix is not a verified domain (then Entra gives the object
    /// `<mailNickname>@<tenant>.onmicrosoft.com`); with its interned key when it is kept unless another
    /// object has it first.
    fn written_upn(&self, i: u32, recipient: &Recipient<'_>, nickname: Option<&str>) -> (Option<String>, Option<u32>) {
        let Some(written) = recipient.upn.as_ref().filter(|_| recipient.kind().is_user_object()) else {
            return (None, None);
        };
        let value = &written.value;
        if let Some(domain) = crate::model::address::domain_of(value)
            && !self.tenant.is_verified(domain)
        {
            let nickname = nickname.unwrap_or_else(|| local_part_of(value));
            return (Some(moera_of(nickname, self.tenant)), None);
        }
        (Some(value.to_string()), self.derived.upn_key(i as usize))
    }

    /// An object that was there first has the UPN: it is quarantined, and the object gets
    /// `<prefix>+NNNN@<tenant>.onmicrosoft.com`.
    fn quarantine_upn(&self, object: &mut CloudObject, holder: u32) {
        let recipient = &self.model.recipients[object.recipient as usize];
        let value = object.upn.take().unwrap_or_default();
        let digits = placeholder_digits(&recipient.name.value);
        object.upn = Some(format!("{}+{digits:04}@{}", local_part_of(&value), self.tenant.initial));
        object.quarantined.push(Quarantined {
            attribute: CloudAttribute::UserPrincipalName,
            value,
            kept_by: holder,
            export_error: false,
        });
    }
}

/// The MOERA a cloud-only mailbox already has: `alias@<tenant>.onmicrosoft.com`, lowercased.
fn cloud_only_moera(recipient: &Recipient<'_>, tenant: &TenantDomains) -> Option<String> {
    let alias = recipient.alias.as_ref().filter(|_| recipient.is_hosted_in_exchange_online())?;
    Some(moera_of(&alias.value, tenant).to_ascii_lowercase())
}

/// Stands in for the random digits the cloud appends; stable from run to run.
fn placeholder_digits(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name) % 10_000
}

/// The RecipientTypeDetails Exchange Online shows for a synced object.
pub fn cloud_type(recipient: &Recipient<'_>, today: Date, grace_days: i64) -> &'static str {
    use RecipientType::*;
    match recipient.kind() {
        RemoteUserMailbox => {
            let expired = !recipient.is_licensed()
                && recipient
                    .provisioned
                    .as_ref()
                    .and_then(|p| crate::model::grace_end(p.value, grace_days))
                    .is_some_and(|end| today > end);
            if expired { "MailUser" } else { "UserMailbox" }
        }
        RemoteSharedMailbox => "SharedMailbox",
        RemoteRoomMailbox => "RoomMailbox",
        RemoteEquipmentMailbox => "EquipmentMailbox",
        // Mailboxes hosted on-premises are mail users in Exchange Online.
        UserMailbox | SharedMailbox | RoomMailbox | EquipmentMailbox | LinkedMailbox => "MailUser",
        MailUser => "MailUser",
        MailContact => "MailContact",
        MailUniversalDistributionGroup => "MailUniversalDistributionGroup",
        MailUniversalSecurityGroup => "MailUniversalSecurityGroup",
        RoomList => "RoomList",
        DynamicDistributionGroup => "DynamicDistributionGroup",
        GroupMailbox => "GroupMailbox",
    }
}
