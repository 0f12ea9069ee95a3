//! The rule registry: every built-in rule declared once, with its stable name, family, default severity and
//! summary. The rule's code is in `rules/<family>.rs`, its explanation, example and sources in
//! `policies/<family>.toml` under the same name, and its fixtures in `tests/fixtures/rules/<name>/`.
//!
//! The registry sits below the model builder because the builder itself reports the input rules
//! (`toml-syntax`, `schema`, `tenant-config`).

use crate::diag::Severity::{Error, Info, Warning};
use crate::diag::lint::Family::{
    Addresses, Attributes, EmailAddressPolicies, HybridRouting, Identity, Input, Licensing, Migration, SyncScope,
};
use crate::diag::lint::Lint;

macro_rules! declare_rules {
    ($($variant:ident = $name:literal, $family:ident, $severity:ident, $summary:literal;)*) => {
        /// A built-in rule.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Rule { $($variant),* }

        /// Every declaration, in the order of [`Rule`].
        static LINTS: &[Lint] = &[
            $(Lint { name: $name, family: $family, severity: $severity, summary: $summary }),*
        ];

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];
        }
    };
}

impl Rule {
    pub fn lint(self) -> &'static Lint {
        &LINTS[self as usize]
    }

    /// The stable name used in output, configuration and `explain`.
    pub fn name(self) -> &'static str {
        self.lint().name
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.name() == name)
    }
}

impl From<Rule> for &'static Lint {
    fn from(rule: Rule) -> &'static Lint {
        rule.lint()
    }
}

declare_rules! {
    // input
    TomlSyntax = "toml-syntax", Input, Error, "a file is not valid TOML or not UTF-8";
    Schema = "schema", Input, Error, "unknown key, wrong value type, missing required key, unknown enum value, or a key that does not apply";
    DuplicateName = "duplicate-name", Input, Error, "two recipients, or two email address policies, share a name";
    TenantConfig = "tenant-config", Input, Error, "no `[tenant]`, or `[tenant]`/`[lint]` outside hybridlint.toml";
    UnknownReference = "unknown-reference", Input, Error, "a `members` entry or `forwarding_address` names no recipient";
    UnknownRule = "unknown-rule", Input, Error, "`[lint.rules]`, an exception or `allow` names a rule that does not exist";
    UnusedException = "unused-exception", Input, Warning, "an `allow` entry or `[[lint.exception]]` suppresses nothing";
    ExpiredException = "expired-exception", Input, Warning, "an exception's `expires` date has passed";
    // addresses
    DuplicateProxyAddress = "duplicate-proxy-address", Addresses, Error, "one proxy address is on two recipients";
    DuplicateProxyAddressInRecipient = "duplicate-proxy-address-in-recipient", Addresses, Warning, "the same address twice in one recipient";
    PrimarySmtpCount = "primary-smtp-count", Addresses, Error, "a mail-enabled recipient has no `SMTP:` address, or more than one";
    InvalidProxyAddress = "invalid-proxy-address", Addresses, Error, "a malformed proxy address";
    PrimaryDomainNotAccepted = "primary-domain-not-accepted", Addresses, Error, "the primary SMTP address is not in an accepted domain";
    OnmicrosoftPrimary = "onmicrosoft-primary", Addresses, Warning, "the primary SMTP address is on `*.onmicrosoft.com`";
    AddressDroppedBySync = "address-dropped-by-sync", Addresses, Warning, "a synced recipient has an address the cloud will discard";
    TooManyProxyAddresses = "too-many-proxy-addresses", Addresses, Warning, "a synced recipient has more proxy addresses, of every type, than Entra Connect can export";
    // identity
    UpnNotUnique = "upn-not-unique", Identity, Error, "two user objects share a UPN";
    InvalidUpn = "invalid-upn", Identity, Error, "a UPN Entra ID rejects";
    UpnDomainNotVerified = "upn-domain-not-verified", Identity, Warning, "a synced user's UPN suffix is not a verified domain";
    AliasNotUnique = "alias-not-unique", Identity, Warning, "two mail-enabled recipients share an alias";
    InvalidAlias = "invalid-alias", Identity, Error, "an alias Exchange rejects, or one with `&` that Entra Connect syncs";
    MoeraCollision = "moera-collision", Identity, Warning, "a synced recipient's MOERA is already an address of another object";
    UpnAddressConflict = "upn-address-conflict", Identity, Error, "in the cloud, a user's UPN is another object's proxy address, mail or MOERA";
    // email-address-policies
    InvalidAddressTemplate = "invalid-address-template", EmailAddressPolicies, Error, "a malformed address template, or a type email address policies do not have";
    TemplateDomainNotAccepted = "template-domain-not-accepted", EmailAddressPolicies, Error, "a template's domain is not an accepted domain or the routing domain";
    PolicyPrimaryTemplateCount = "policy-primary-template-count", EmailAddressPolicies, Error, "a policy has no `SMTP:` template, or more than one";
    PolicyPriority = "policy-priority", EmailAddressPolicies, Error, "duplicate priorities, a missing priority, several default policies, or a default policy with a priority or scope";
    PolicyShadowed = "policy-shadowed", EmailAddressPolicies, Warning, "a policy can never apply";
    PolicyMissingRoutingTemplate = "policy-missing-routing-template", EmailAddressPolicies, Warning, "in a hybrid, a policy that stamps mailboxes has no routing-domain template";
    PolicyAddressCollision = "policy-address-collision", EmailAddressPolicies, Warning, "a policy would generate an address another recipient already has";
    NoDefaultPolicy = "no-default-policy", EmailAddressPolicies, Warning, "the repository describes address policies but not the default policy";
    CloudPolicyScope = "cloud-policy-scope", EmailAddressPolicies, Error, "a cloud policy has a template with a local part, or a scope other than Microsoft 365 groups";
    InvalidRecipientFilter = "invalid-recipient-filter", EmailAddressPolicies, Error, "an OPATH recipient filter does not parse, or names a property hybridlint does not model";
    // hybrid-routing
    MissingRemoteRoutingAddress = "missing-remote-routing-address", HybridRouting, Error, "a remote mailbox has no remote routing address";
    RemoteRoutingDomain = "remote-routing-domain", HybridRouting, Error, "the remote routing address is not in the routing domain";
    RemoteRoutingNotInProxies = "remote-routing-not-in-proxies", HybridRouting, Error, "the remote routing address is not among the recipient's addresses";
    MissingRoutingProxy = "missing-routing-proxy", HybridRouting, Warning, "an on-premises mailbox has no address in the routing domain";
    InvalidGuid = "invalid-guid", HybridRouting, Error, "`exchange_guid` or `archive_guid` is not a GUID";
    MissingExchangeGuid = "missing-exchange-guid", HybridRouting, Warning, "a remote mailbox has no ExchangeGuid, or its archive no ArchiveGuid (or the all-zero one)";
    DuplicateExchangeGuid = "duplicate-exchange-guid", HybridRouting, Error, "two recipients share an ExchangeGuid";
    ForwardingNotCloudAddress = "forwarding-not-cloud-address", HybridRouting, Warning, "an on-premises mailbox forwards to an accepted-domain address of a cloud-only mailbox";
    ForwardingLoop = "forwarding-loop", HybridRouting, Error, "a mailbox forwards to one of its own addresses";
    RoutingAddressPrimary = "routing-address-primary", HybridRouting, Warning, "a remote routing address is written with an upper-case `SMTP:` prefix";
    // licensing
    LicenseGraceExpired = "license-grace-expired", Licensing, Error, "an unlicensed user mailbox in Exchange Online is past its grace period";
    LicenseGraceActive = "license-grace-active", Licensing, Warning, "an unlicensed user mailbox in Exchange Online is inside its grace period";
    LicenseGraceUnknown = "license-grace-unknown", Licensing, Warning, "an unlicensed user mailbox in Exchange Online has no `provisioned` date";
    LicenseRequired = "license-required", Licensing, Error, "an unlicensed shared, room or equipment mailbox in Exchange Online has litigation hold or an archive";
    LicenseBeforeMove = "license-before-move", Licensing, Error, "a mailbox that is still on-premises has an Exchange Online license";
    // sync-scope
    DynamicGroupSynced = "dynamic-group-synced", SyncScope, Error, "a dynamic distribution group is expected in the other environment";
    TypeNotValidForSource = "type-not-valid-for-source", SyncScope, Error, "the recipient type cannot be mastered where the recipient says it is";
    MailboxInBothLocations = "mailbox-in-both-locations", SyncScope, Error, "an on-premises mailbox and a mailbox in Exchange Online belong to one person";
    MoveCompletedWithWarnings = "move-completed-with-warnings", SyncScope, Warning, "the last move request completed with warnings";
    SoftMatch = "soft-match", SyncScope, Warning, "a synced object and a cloud-only object share the primary SMTP address or the UPN";
    LitigationHoldBlocksDisable = "litigation-hold-blocks-disable", SyncScope, Error, "the on-premises mailbox of a mailbox in both locations is on litigation hold";
    ReferenceAcrossDirectories = "reference-across-directories", SyncScope, Error, "a member or forwarding address names an object that does not exist where the reference is mastered";
    // migration
    MigrationSourceVersion = "migration-source-version", Migration, Error, "the source Exchange version is not supported for the migration type";
    MigrationMrsProxy = "migration-mrs-proxy", Migration, Error, "a remote-move endpoint without the MRS proxy";
    MigrationOutlookAnywhere = "migration-outlook-anywhere", Migration, Error, "a cutover or staged endpoint whose Outlook Anywhere is disabled, not Basic/NTLM, or without SSL";
    MigrationCertificate = "migration-certificate", Migration, Error, "the endpoint's certificate does not cover remote_server, or expires before a batch completes";
    MigrationEndpointType = "migration-endpoint-type", Migration, Error, "a batch uses an endpoint of the wrong type";
    BatchMailboxNotMovable = "batch-mailbox-not-movable", Migration, Error, "a batch member is not a mailbox the batch can move";
    BatchDuplicateMailbox = "batch-duplicate-mailbox", Migration, Error, "a mailbox is in two batches";
    BatchTargetDeliveryDomain = "batch-target-delivery-domain", Migration, Error, "an onboarding remote-move batch does not deliver to the routing domain";
    BatchMemberBlocked = "batch-member-blocked", Migration, Error, "a batch member will fail to move";
    BatchLitigationHold = "batch-litigation-hold", Migration, Info, "a mailbox on litigation hold moves in a batch that completes on its own";
    BatchLicensePlan = "batch-license-plan", Migration, Warning, "a batch moves user mailboxes without licensing them on completion";
    BatchCutoverSize = "batch-cutover-size", Migration, Error, "a cutover batch of more than 2,000 mailboxes";
    // attributes
    AttributeTooLong = "attribute-too-long", Attributes, Error, "a value is longer than Active Directory or Exchange accepts for its attribute";
}
