//! The rule registry: every built-in rule's stable name, and the checks that produce them.
//!
//! Each family lives in its own module with a `check` function, and its catalogue entries (explanation,
//! sources) in the `policies/` file of the same name. Adding a rule: a variant here, an entry in the
//! family's policies file, the code in the family's module, and fixtures under `tests/fixtures/rules/`.

use rayon::prelude::*;

use jiff::civil::Date;

use crate::analysis::addresses::Derived;
use crate::analysis::cloud::CloudView;
use crate::analysis::pairs::Pairs;
use crate::diag::Diagnostic;
use crate::model::Model;
use crate::source::{SourceFiles, Span};

mod addresses;
mod email_address_policies;
pub mod hybrid_routing;
mod identity;
mod input;
pub mod licensing;
pub mod migration;
pub mod organisation;
mod sync_scope;

macro_rules! rules {
    ($($variant:ident = $name:literal,)*) => {
        /// A built-in rule.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Rule { $($variant),* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable name used in output, configuration and `explain`.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name),* }
            }
        }
    };
}

rules! {
    // Input (produced while files are read and the model is built, and by `input::check`)
    TomlSyntax = "toml-syntax",
    Schema = "schema",
    DuplicateName = "duplicate-name",
    TenantConfig = "tenant-config",
    UnknownReference = "unknown-reference",
    UnknownRule = "unknown-rule",
    UnusedException = "unused-exception",
    ExpiredException = "expired-exception",
    // Addresses
    DuplicateProxyAddress = "duplicate-proxy-address",
    DuplicateProxyAddressInRecipient = "duplicate-proxy-address-in-recipient",
    PrimarySmtpCount = "primary-smtp-count",
    InvalidProxyAddress = "invalid-proxy-address",
    PrimaryDomainNotAccepted = "primary-domain-not-accepted",
    OnmicrosoftPrimary = "onmicrosoft-primary",
    AddressDroppedBySync = "address-dropped-by-sync",
    TooManyProxyAddresses = "too-many-proxy-addresses",
    // Identity
    UpnNotUnique = "upn-not-unique",
    InvalidUpn = "invalid-upn",
    UpnDomainNotVerified = "upn-domain-not-verified",
    AliasNotUnique = "alias-not-unique",
    InvalidAlias = "invalid-alias",
    MoeraCollision = "moera-collision",
    // Hybrid routing
    MissingRemoteRoutingAddress = "missing-remote-routing-address",
    RemoteRoutingDomain = "remote-routing-domain",
    RemoteRoutingNotInProxies = "remote-routing-not-in-proxies",
    MissingRoutingProxy = "missing-routing-proxy",
    InvalidGuid = "invalid-guid",
    MissingExchangeGuid = "missing-exchange-guid",
    DuplicateExchangeGuid = "duplicate-exchange-guid",
    ForwardingNotCloudAddress = "forwarding-not-cloud-address",
    ForwardingLoop = "forwarding-loop",
    // Licensing
    LicenseGraceExpired = "license-grace-expired",
    LicenseGraceActive = "license-grace-active",
    LicenseGraceUnknown = "license-grace-unknown",
    LicenseRequired = "license-required",
    // Sync scope and placement
    DynamicGroupSynced = "dynamic-group-synced",
    TypeNotValidForSource = "type-not-valid-for-source",
    MailboxInBothLocations = "mailbox-in-both-locations",
    MoveCompletedWithWarnings = "move-completed-with-warnings",
    SoftMatch = "soft-match",
    LitigationHoldBlocksDisable = "litigation-hold-blocks-disable",
    // Migration endpoints and batches
    MigrationSourceVersion = "migration-source-version",
    MigrationMrsProxy = "migration-mrs-proxy",
    MigrationOutlookAnywhere = "migration-outlook-anywhere",
    MigrationCertificate = "migration-certificate",
    MigrationEndpointType = "migration-endpoint-type",
    BatchMailboxNotMovable = "batch-mailbox-not-movable",
    BatchDuplicateMailbox = "batch-duplicate-mailbox",
    BatchTargetDeliveryDomain = "batch-target-delivery-domain",
    BatchMemberBlocked = "batch-member-blocked",
    BatchLitigationHold = "batch-litigation-hold",
    BatchLicensePlan = "batch-license-plan",
    BatchCutoverSize = "batch-cutover-size",
    // Email address policies
    InvalidAddressTemplate = "invalid-address-template",
    TemplateDomainNotAccepted = "template-domain-not-accepted",
    PolicyPrimaryTemplateCount = "policy-primary-template-count",
    PolicyPriority = "policy-priority",
    PolicyShadowed = "policy-shadowed",
    PolicyMissingRoutingTemplate = "policy-missing-routing-template",
    PolicyAddressCollision = "policy-address-collision",
    NoDefaultPolicy = "no-default-policy",
    CloudPolicyScope = "cloud-policy-scope",
    InvalidRecipientFilter = "invalid-recipient-filter",
}

/// What every check reads.
pub struct Context<'m> {
    pub model: &'m Model<'m>,
    pub derived: &'m Derived<'m>,
    pub files: &'m SourceFiles,
    /// Objects that are one person, or that sync will merge.
    pub pairs: &'m Pairs,
    /// What Entra ID and Exchange Online will make of each synced recipient.
    pub cloud: &'m CloudView,
    /// The evaluation date of date rules.
    pub today: Date,
    /// Names of every rule that exists (built-in and custom), for `unknown-rule`.
    pub rule_names: &'m [String],
}

impl<'m> Context<'m> {
    /// The context of one analysis.
    pub fn new(analysis: &crate::Analysis<'m>, files: &'m SourceFiles, rule_names: &'m [String]) -> Context<'m> {
        Context {
            model: analysis.model,
            derived: analysis.derived,
            files,
            pairs: analysis.pairs,
            cloud: analysis.cloud,
            today: analysis.today,
            rule_names,
        }
    }

    /// The span of `range` (byte offsets into `value`) inside the string literal at `span`, so that a
    /// finding can underline one character of a value. Falls back to the whole literal when the string
    /// was written with escapes (its text differs from the value).
    pub fn span_within(&self, span: Span, value: &str, range: std::ops::Range<usize>) -> Span {
        let literal = self.files.text(span);
        let quote = if literal.starts_with("\"\"\"") || literal.starts_with("'''") { 3 } else { 1 };
        match literal.get(quote..literal.len().saturating_sub(quote)) {
            Some(inner) if inner == value && range.end <= value.len() => Span {
                file: span.file,
                start: span.start + (quote + range.start) as u32,
                end: span.start + (quote + range.end) as u32,
            },
            _ => span,
        }
    }
}

type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// Every family of checks, in the order their findings are collected (the report is sorted anyway).
const CHECKS: &[(&str, Check)] = &[
    ("input", input::check),
    ("addresses", addresses::check),
    ("identity", identity::check),
    ("email address policies", email_address_policies::check),
    ("hybrid routing", hybrid_routing::check),
    ("licensing", licensing::check),
    ("sync scope and placement", sync_scope::check),
    ("migration", migration::check),
];

/// What the checks found, and the families that failed with an internal error.
pub struct RunResult {
    pub diagnostics: Vec<Diagnostic>,
    pub failed: Vec<String>,
}

/// Runs every check, families in parallel.
pub fn run(cx: &Context<'_>, timings: &crate::util::timings::Timings) -> RunResult {
    run_checks(cx, timings, CHECKS)
}

/// Runs checks in parallel. A check that panics is reported as failed; the others' findings are kept, so
/// that one rule's bug never hides the rest.
fn run_checks(cx: &Context<'_>, timings: &crate::util::timings::Timings, checks: &[(&str, Check)]) -> RunResult {
    let results: Vec<Result<Vec<Diagnostic>, String>> = checks
        .par_iter()
        .map(|(family, check)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut found = Vec::new();
                timings.time(&format!("rules: {family}"), || check(cx, &mut found));
                found
            }))
            .map_err(|_| format!("rules: {family}"))
        })
        .collect();
    let mut run = RunResult { diagnostics: Vec::new(), failed: Vec::new() };
    for result in results {
        match result {
            Ok(found) => run.diagnostics.extend(found),
            Err(family) => run.failed.push(family),
        }
    }
    run
}

/// "`a`, `b` and `c`"
pub fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(_: &Context<'_>, _: &mut Vec<Diagnostic>) {
        panic!("a bug in a rule");
    }

    fn working(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let span = Span { file: 0, start: 0, end: 0 };
        out.extend(cx.model.recipients.first().map(|_| Diagnostic::new(Rule::Schema, span, "found")));
        out.push(Diagnostic::new(Rule::Schema, span, "always"));
    }

    #[test]
    fn one_failing_family_does_not_hide_the_others() {
        let files = SourceFiles::new(vec![crate::source::SourceFile::from_bytes(
            "hybridlint.toml".into(),
            b"[tenant]\nname = \"contoso\"\naccepted_domains = []\n".to_vec(),
        )]);
        let options = crate::Options { root_config: "hybridlint.toml".into(), ..Default::default() };
        crate::analyze(&files, &options, |analysis, _| {
            let cx = Context::new(analysis, &files, &[]);
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let result =
                run_checks(&cx, &crate::util::timings::Timings::default(), &[("broken", failing), ("fine", working)]);
            std::panic::set_hook(previous);
            assert_eq!(result.failed, ["rules: broken"]);
            assert_eq!(result.diagnostics.len(), 1);
        });
    }
}
