//! `hybridlint addresses NAME`: which email address policy applies to a recipient (and why the ones
//! before it did not), what it generates, and the resulting effective address set.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::analysis::addresses::Origin;
use crate::analysis::policy::template;
use crate::model::Source;
use crate::source::SourceFiles;

#[derive(Serialize)]
pub struct AddressReport {
    pub recipient: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub source: &'static str,
    /// Where the recipient exists: `on-premises`, `cloud`.
    pub exists: Vec<&'static str>,
    /// `path:line`
    pub location: String,
    pub policies_enabled: bool,
    /// Policies in evaluation order, up to and including the one that applies.
    pub evaluated: Vec<PolicyVerdict>,
    pub applied_policy: Option<String>,
    pub generated: Vec<GeneratedAddress>,
    pub effective_addresses: Vec<EffectiveEntry>,
}

#[derive(Serialize)]
pub struct PolicyVerdict {
    pub policy: String,
    pub priority: Option<i64>,
    pub default: bool,
    pub applies: bool,
    /// Why the policy did not match.
    pub reason: Option<String>,
}

#[derive(Serialize)]
pub struct GeneratedAddress {
    pub template: String,
    pub address: String,
    /// The address the template produced when Exchange had to number it.
    pub wanted: Option<String>,
    pub taken_by: Option<String>,
}

#[derive(Serialize)]
pub struct EffectiveEntry {
    pub address: String,
    pub origin: &'static str,
    pub policy: Option<String>,
}

/// The report for one recipient, or `None` when no recipient has that name.
// Long on purpose: it assembles one report, section by section, in the order it is shown.
pub fn report(analysis: &Analysis<'_>, files: &SourceFiles, name: &str) -> Option<AddressReport> {
    let (model, derived) = (analysis.model, &analysis.derived);
    let index = derived.recipient_named(name)?;
    let recipient = &model.recipients[index];
    let file = files.get(recipient.name.span.file);
    let (line, _) = file.line_column(recipient.name.span.start as usize);
    let policies = &derived.policies;
    let applied = derived.applied_policy[index].map(|p| p as usize);

    let mut evaluated = Vec::new();
    if recipient.email_address_policies_enabled() {
        for &i in &policies.order {
            let compiled = &policies.compiled[i];
            let reason = compiled.scope_rejects(recipient);
            evaluated.push(PolicyVerdict {
                policy: compiled.policy.name.value.to_string(),
                priority: compiled.policy.priority.as_ref().map(|p| p.value),
                default: compiled.policy.is_default(),
                applies: Some(i) == applied,
                reason,
            });
            if Some(i) == applied {
                break;
            }
        }
    }

    let policy_name = |p: u32| model.policies[p as usize].name.value.to_string();
    let addresses = derived.addresses_of(index);
    // What each template of the applied policy gives this recipient: the stamped address, or the
    // expansion that was already among its explicit addresses.
    let mut generated = Vec::new();
    if let Some(applied) = applied {
        let compiled = &policies.compiled[applied];
        for (t, parsed) in compiled.templates.iter().enumerate() {
            let template = compiled.policy.templates[t].value.to_string();
            let stamped = addresses
                .iter()
                .find(|a| a.origin == Origin::Generated { policy: compiled.index as u32, template: t as u32 });
            let collision =
                derived.collisions.iter().find(|c| c.recipient as usize == index && c.template as usize == t);
            let address = match (stamped, parsed) {
                (Some(a), _) => a.text.to_string(),
                (None, Ok(p)) if p.is_smtp() => match template::expand(p, &recipient.template_names()) {
                    Some(address) => {
                        format!("{}:{address} (already an explicit address)", if p.primary { "SMTP" } else { "smtp" })
                    }
                    None => "nothing: the recipient has no values for the template".to_string(),
                },
                (None, Ok(_)) => "(not an SMTP template; not evaluated)".to_string(),
                (None, Err(e)) => format!("nothing: the template is invalid ({})", e.message),
            };
            generated.push(GeneratedAddress {
                template,
                address,
                wanted: collision.map(|c| c.wanted.clone()),
                taken_by: collision.map(|c| model.recipients[c.holder as usize].name.value.to_string()),
            });
        }
    }
    let effective_addresses = addresses
        .iter()
        .map(|a| EffectiveEntry {
            address: a.text.to_string(),
            origin: match a.origin {
                Origin::Explicit => "explicit",
                Origin::ExternalAddress => "external address",
                Origin::Generated { .. } => "generated",
            },
            policy: match a.origin {
                Origin::Generated { policy, .. } => Some(policy_name(policy)),
                _ => None,
            },
        })
        .collect();

    Some(AddressReport {
        recipient: recipient.name.value.to_string(),
        kind: recipient.kind().name(),
        source: match recipient.source {
            Source::OnPremises => "on-premises",
            Source::Cloud => "cloud",
        },
        exists: analysis.presence.of(index).names(),
        location: format!("{}:{line}", file.path),
        policies_enabled: recipient.email_address_policies_enabled(),
        evaluated,
        applied_policy: applied.map(|p| policies.compiled[p].policy.name.value.to_string()),
        generated,
        effective_addresses,
    })
}

impl AddressReport {
    pub fn to_human(&self) -> String {
        let mut out = format!(
            "{} ({}, {}) at {}\nexists: {}\n\n",
            self.recipient,
            self.kind,
            self.source,
            self.location,
            self.exists.join(", ")
        );
        if !self.policies_enabled {
            out.push_str(
                "Email address policies: disabled for this recipient (email_address_policy_enabled = false)\n",
            );
        } else if self.evaluated.is_empty() {
            out.push_str("Email address policies: none in the repository\n");
        } else {
            out.push_str("Email address policies, in the order Exchange evaluates them:\n");
            let width = self.evaluated.iter().map(|v| v.policy.len()).max().unwrap_or(0) + 2;
            for verdict in &self.evaluated {
                let rank = if verdict.default {
                    "default".to_string()
                } else {
                    verdict.priority.map_or("-".to_string(), |p| p.to_string())
                };
                let name = format!("`{}`", verdict.policy);
                let outcome = if verdict.applies {
                    "applies".to_string()
                } else {
                    format!("does not match: {}", verdict.reason.as_deref().unwrap_or("no reason"))
                };
                out.push_str(&format!("  {rank:>7}  {name:<width$}  {outcome}\n"));
            }
            if self.applied_policy.is_none() {
                out.push_str("  no policy matches: Exchange stamps no addresses on this recipient\n");
            }
        }
        if !self.generated.is_empty() {
            out.push_str(&format!("\nGenerated by `{}`:\n", self.applied_policy.as_deref().unwrap_or("?")));
            for g in &self.generated {
                out.push_str(&format!("  {:<44} from {}", g.address, g.template));
                if let (Some(wanted), Some(holder)) = (&g.wanted, &g.taken_by) {
                    out.push_str(&format!(" (`{wanted}` is taken by `{holder}`)"));
                }
                out.push('\n');
            }
        }
        out.push_str("\nEffective addresses:\n");
        if self.effective_addresses.is_empty() {
            out.push_str("  (none)\n");
        }
        for a in &self.effective_addresses {
            let origin = match &a.policy {
                Some(policy) => format!("{} by `{policy}`", a.origin),
                None => a.origin.to_string(),
            };
            out.push_str(&format!("  {:<44} {origin}\n", a.address));
        }
        out
    }
}
