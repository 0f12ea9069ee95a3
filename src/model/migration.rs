//! Migration endpoints and batches: how Exchange Online reaches the on-premises organisation, and the
//! waves of mailbox moves.

use jiff::civil::Date;

use super::SStr;
use crate::source::{Span, Spanned};

/// `[[migration_endpoint]]`: how Exchange Online reaches the on-premises organisation to move mailboxes.
#[derive(Debug)]
pub struct MigrationEndpoint<'a> {
    pub span: Span,
    pub name: SStr<'a>,
    /// `ExchangeRemoteMove`, `ExchangeOutlookAnywhere` or `IMAP`.
    pub kind: SStr<'a>,
    pub remote_server: Option<SStr<'a>>,
    /// `2003` .. `2019`, `SE`.
    pub exchange_version: Option<SStr<'a>>,
    pub mrs_proxy_enabled: Option<Spanned<bool>>,
    pub outlook_anywhere: Option<OutlookAnywhere<'a>>,
    pub certificate: Option<Certificate<'a>>,
    pub max_concurrent_migrations: Option<Spanned<i64>>,
}

#[derive(Debug)]
pub struct OutlookAnywhere<'a> {
    pub span: Span,
    pub enabled: Option<Spanned<bool>>,
    /// `Basic`, `NTLM`, `Negotiate`, ...
    pub authentication: Option<SStr<'a>>,
    pub ssl: Option<Spanned<bool>>,
}

#[derive(Debug)]
pub struct Certificate<'a> {
    pub span: Span,
    pub subject_alt_names: Vec<SStr<'a>>,
    pub expires: Option<Spanned<Date>>,
}

/// `[[migration_batch]]`: a wave of mailbox moves.
#[derive(Debug)]
pub struct MigrationBatch<'a> {
    pub span: Span,
    pub name: SStr<'a>,
    /// `RemoteMove`, `Cutover`, `Staged` or `IMAP`.
    pub kind: SStr<'a>,
    pub endpoint: Option<SStr<'a>>,
    /// `onboarding` (to Exchange Online, the default) or `offboarding`.
    pub offboarding: bool,
    pub direction_span: Option<Span>,
    pub target_delivery_domain: Option<SStr<'a>>,
    pub mailboxes: Vec<SStr<'a>>,
    pub complete_after: Option<Spanned<Date>>,
    pub license_on_completion: Option<Spanned<bool>>,
}
