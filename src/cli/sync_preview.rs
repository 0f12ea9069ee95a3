//! `hybridlint sync-preview [NAME...]`: the cloud view of synced recipients, what Entra ID and Exchange
//! Online will compute from the on-premises values (SPEC 2.5), with what is derived, dropped and
//! quarantined.

use serde::Serialize;

use crate::Analysis;
use crate::analysis::cloud::{CloudObject, CloudOrigin};

#[derive(Serialize)]
pub struct Preview {
    pub recipients: Vec<PreviewRecipient>,
}

#[derive(Serialize)]
pub struct PreviewRecipient {
    pub name: String,
    pub on_premises_type: &'static str,
    /// Where the recipient exists: a synced object is on-premises and in the cloud.
    pub exists: Vec<&'static str>,
    pub cloud_type: &'static str,
    pub mail: Option<String>,
    pub mail_nickname: Option<String>,
    pub moera: Option<String>,
    /// The digits in `moera` stand for the four random digits the cloud appends.
    pub moera_random_suffix: bool,
    pub upn: Option<String>,
    pub proxy_addresses: Vec<PreviewAddress>,
    pub dropped: Vec<PreviewDropped>,
    pub quarantined: Vec<PreviewQuarantined>,
}

#[derive(Serialize)]
pub struct PreviewAddress {
    pub address: String,
    pub origin: CloudOrigin,
}

#[derive(Serialize)]
pub struct PreviewDropped {
    pub address: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct PreviewQuarantined {
    pub attribute: &'static str,
    pub value: String,
    pub kept_by: String,
    /// `quarantined`, or `export error` (a user's UPN that is a group's address: not quarantined, the
    /// export fails every sync cycle).
    pub outcome: &'static str,
}

fn entry(analysis: &Analysis<'_>, object: &CloudObject) -> PreviewRecipient {
    let recipient = &analysis.model.recipients[object.recipient as usize];
    let projection = object.project(analysis.model, &analysis.derived);
    let addresses = analysis.derived.addresses_of(object.recipient as usize);
    PreviewRecipient {
        name: recipient.name.value.to_string(),
        on_premises_type: recipient.kind().name(),
        exists: analysis.presence.of(object.recipient as usize).names(),
        cloud_type: object.cloud_type,
        mail: projection.mail,
        mail_nickname: object.mail_nickname.clone(),
        moera: object.moera.clone(),
        moera_random_suffix: object.moera_random_suffix,
        upn: object.upn.clone(),
        proxy_addresses: projection
            .proxy_addresses
            .into_iter()
            .map(|a| PreviewAddress { address: a.text, origin: a.origin })
            .collect(),
        dropped: object
            .dropped
            .iter()
            .map(|d| PreviewDropped { address: addresses[d.address].text.to_string(), reason: d.reason.explain() })
            .collect(),
        quarantined: object
            .quarantined
            .iter()
            .map(|q| PreviewQuarantined {
                attribute: q.attribute.name(),
                value: q.value.clone(),
                kept_by: analysis.model.recipients[q.kept_by as usize].name.value.to_string(),
                outcome: if q.export_error { "export error" } else { "quarantined" },
            })
            .collect(),
    }
}

/// The preview of the named recipients (all synced ones when `names` is empty). A name that is no
/// recipient is an error; one that is not synced says why.
pub fn preview(analysis: &Analysis<'_>, names: &[String]) -> Result<Preview, String> {
    if names.is_empty() {
        return Ok(Preview { recipients: analysis.cloud.objects.iter().map(|o| entry(analysis, o)).collect() });
    }
    let mut recipients = Vec::new();
    for name in names {
        let Some(index) = analysis.derived.recipient_named(name) else {
            let candidates = analysis.model.recipients.iter().map(|r| r.name.value.as_ref());
            return Err(match crate::util::suggest::did_you_mean(name, candidates) {
                Some(candidate) => format!("no recipient named `{name}`; did you mean `{candidate}`?"),
                None => format!("no recipient named `{name}`"),
            });
        };
        match analysis.cloud.of(index) {
            Some(object) => recipients.push(entry(analysis, object)),
            None => {
                return Err(format!(
                    "`{name}` is not synced by Entra Connect (it is cloud-only, has `synced = false`, is a dynamic group, or the tenant has `hybrid = false`)"
                ));
            }
        }
    }
    Ok(Preview { recipients })
}

fn origin_note(origin: CloudOrigin) -> &'static str {
    match origin {
        CloudOrigin::OnPremises => "",
        CloudOrigin::Mail => "derived: from `mail`",
        CloudOrigin::Upn => "derived: the UPN",
        CloudOrigin::Moera => "derived: the MOERA",
    }
}

impl Preview {
    pub fn to_human(&self) -> String {
        let mut out = String::new();
        for r in &self.recipients {
            let arrow = if r.on_premises_type == r.cloud_type {
                r.cloud_type.to_string()
            } else {
                format!("{} -> {}", r.on_premises_type, r.cloud_type)
            };
            out.push_str(&format!("{}  ({arrow})\n", r.name));
            let row = |label: &str, value: &Option<String>| {
                format!("  {label:<15}{}\n", value.as_deref().unwrap_or("(none)"))
            };
            out.push_str(&row("mailNickname", &r.mail_nickname));
            let moera = r.moera.as_ref().map(|m| {
                if r.moera_random_suffix {
                    format!("{m}  (four random digits: the MOERA was taken)")
                } else {
                    m.clone()
                }
            });
            out.push_str(&row("MOERA", &moera));
            out.push_str(&row("mail", &r.mail));
            out.push_str(&row("UPN", &r.upn));
            out.push_str("  proxyAddresses\n");
            for a in &r.proxy_addresses {
                let note = origin_note(a.origin);
                if note.is_empty() {
                    out.push_str(&format!("    {}\n", a.address));
                } else {
                    out.push_str(&format!("    {:<48} {note}\n", a.address));
                }
            }
            if !r.dropped.is_empty() {
                out.push_str("  dropped\n");
                for d in &r.dropped {
                    out.push_str(&format!("    {:<48} {}\n", d.address, d.reason));
                }
            }
            if !r.quarantined.is_empty() {
                out.push_str("  quarantined\n");
                for q in &r.quarantined {
                    out.push_str(&format!(
                        "    {:<48} {} {}, kept by `{}`\n",
                        q.value, q.attribute, q.outcome, q.kept_by
                    ));
                }
            }
            out.push('\n');
        }
        if self.recipients.is_empty() {
            out.push_str("no synced recipients\n");
        }
        out
    }
}
