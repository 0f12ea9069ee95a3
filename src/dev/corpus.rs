//! A generator of realistic repositories of any size, for benchmarks and scale tests: every recipient
//! type in realistic proportions, files of 1,000 recipients, groups with members, three address policies,
//! and a chosen number of planted problems of each rule family. Deterministic from its seed.

use std::fmt::Write;

pub struct CorpusOptions {
    pub recipients: usize,
    pub seed: u64,
    /// Problems planted per family (duplicate address, invalid address, routing, licensing, identity).
    pub problems: usize,
    pub per_file: usize,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions { recipients: 10_000, seed: 1, problems: 5, per_file: 1_000 }
    }
}

const GIVEN: &[&str] = &[
    "John", "Maria", "Anil", "Li", "Sean", "Petra", "Thanh", "Rachel", "Dariusz", "Ahmed", "Kenji", "Emma", "Frank",
    "Giulia", "Henrik", "Ilana", "Olivia", "Ravi", "Wendy", "Kim", "Jürgen", "Zoë", "Chloé", "Björn",
];
const SURNAMES: &[&str] = &[
    "Smith",
    "Garcia",
    "Kumar",
    "Chen",
    "O'Brien",
    "Novak",
    "Nguyen",
    "Wilson",
    "Kowalski",
    "Said",
    "Yamamoto",
    "Brown",
    "Müller",
    "Rossi",
    "Larsen",
    "Cohen",
    "Fernandez",
    "Singh",
    "Johnson",
    "Walker",
    "Dubois",
    "Støre",
];
const DEPARTMENTS: &[&str] = &["Sales", "Finance", "IT", "HR", "Legal", "Marketing", "Operations", "Research"];

/// The root configuration of a generated repository.
pub fn root_config() -> String {
    "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\", \"fabrikam.com\"]\n\n[lint]\ntoday = 2026-11-22\n"
        .to_string()
}

/// The email address policies of a generated repository.
pub fn policies() -> String {
    r#"[[email_address_policy]]
name = "Fabrikam users"
priority = 1
include = ["MailboxUsers", "MailUsers"]
conditions = { company = ["Fabrikam"] }
templates = ["SMTP:%g.%s@fabrikam.com", "smtp:%m@contoso.mail.onmicrosoft.com"]

[[email_address_policy]]
name = "Groups"
priority = 2
include = ["MailGroups"]
templates = ["SMTP:%m@contoso.com"]

[[email_address_policy]]
name = "Default Policy"
default = true
templates = ["SMTP:%g.%s@contoso.com", "smtp:%m@contoso.mail.onmicrosoft.com"]
"#
    .to_string()
}

/// The repository's files as (relative path, contents), recipients in files of `per_file`.
pub fn generate(options: &CorpusOptions) -> Vec<(String, String)> {
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut files = vec![
        ("hybridlint.toml".to_string(), root_config()),
        ("policies/email-address-policies.toml".to_string(), policies()),
    ];
    let per_file = options.per_file.max(1);
    let mut text = String::with_capacity(per_file * 560);
    let mut numbers = crate::util::FastMap::default();
    let mut dynamic = Vec::with_capacity(options.recipients);
    // Planted problems: which recipient indexes get which problem, spread over the corpus.
    let stride = (options.recipients / (options.problems * 6 + 1)).max(1);
    for i in 0..options.recipients {
        let plant = if options.problems > 0 && i % stride == stride / 2 && i / stride < options.problems * 6 {
            Some((i / stride) % 6)
        } else {
            None
        };
        recipient(&mut text, &mut rng, &mut numbers, &mut dynamic, i, plant);
        if (i + 1) % per_file == 0 || i + 1 == options.recipients {
            files.push((format!("recipients/part-{:05}.toml", i / per_file), std::mem::take(&mut text)));
        }
    }
    files
}

/// Next number per generated address, as Exchange numbers `John.Smith2@...` (see `policy::template`).
type Numbers = crate::util::FastMap<String, u32>;

/// The address the corpus's policies stamp for a name: `Given.Surname@domain`, numbered from 2 when taken,
/// so that explicit addresses agree with what Exchange would have stamped.
fn stamped(numbers: &mut Numbers, given: &str, surname: &str, domain: &str) -> String {
    let base = format!("{}.{}", ascii(given), ascii(surname));
    let n = numbers.entry(format!("{base}@{domain}").to_ascii_lowercase()).or_insert(0);
    *n += 1;
    if *n == 1 { format!("{base}@{domain}") } else { format!("{base}{n}@{domain}") }
}

/// Writes recipient `i`; `dynamic[j]` says whether recipient `j` is a dynamic group or a cloud-only
/// mailbox (never a member of an on-premises group in a clean corpus).
// Long on purpose: a table of generated fields, one line each.
fn recipient(
    out: &mut String,
    rng: &mut fastrand::Rng,
    numbers: &mut Numbers,
    dynamic: &mut Vec<bool>,
    i: usize,
    plant: Option<usize>,
) {
    let given = GIVEN[rng.usize(..GIVEN.len())];
    let surname = SURNAMES[rng.usize(..SURNAMES.len())];
    let department = DEPARTMENTS[rng.usize(..DEPARTMENTS.len())];
    let company = if rng.u8(..10) == 0 { "Fabrikam" } else { "Contoso" };
    let alias = format!("u{i:07}");
    let kind_roll = rng.u8(..100);
    // A planted duplicate alias is on remote mailboxes: only objects that get a MOERA in the cloud conflict.
    let kind_roll = if plant == Some(4) { 50 } else { kind_roll };
    // Dynamic groups and cloud-only mailboxes cannot be members of an on-premises group.
    dynamic.push(kind_roll >= 97);
    let _ = writeln!(out, "[[recipient]]\nname = \"{alias}\"");
    let guid = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        i as u32,
        rng.u16(..),
        rng.u16(..4096),
        rng.u16(..4096),
        rng.u64(..1 << 48)
    );
    // The primary is what the policies stamp; planted problems reuse or break values on purpose.
    let domain = if company == "Fabrikam" { "fabrikam.com" } else { "contoso.com" };
    let mut primary = match kind_roll {
        86..=91 => format!("{alias}@vendor.example"),
        92..=97 => format!("{alias}@contoso.com"),
        75..=77 | 98.. => format!("{alias}@contoso.com"),
        _ => stamped(numbers, given, surname, domain),
    };
    let mut routing = format!("{alias}@contoso.mail.onmicrosoft.com");
    let mut extra = String::new();
    match plant {
        Some(0) => primary = format!("u{:07}@contoso.com", i.saturating_sub(1)),
        Some(1) => extra.push_str(&format!(", \"smtp:{} {}@contoso.com\"", ascii(given), ascii(surname))),
        Some(2) => routing = format!("{alias}@contoso.onmicrosoft.com"),
        _ => {}
    }
    match kind_roll {
        0..=44 => {
            let _ = write!(out, "type = \"UserMailbox\"\nupn = \"{alias}@contoso.com\"\n");
        }
        45..=69 => {
            let _ = write!(
                out,
                "type = \"RemoteUserMailbox\"\nupn = \"{alias}@contoso.com\"\nremote_routing_address = \"{routing}\"\nexchange_guid = \"{guid}\"\n"
            );
            if plant == Some(3) {
                out.push_str("provisioned = 2026-08-01\n");
            } else {
                out.push_str("licensed = true\nprovisioned = 2025-06-01\n");
            }
        }
        70..=74 => {
            let _ = write!(
                out,
                "type = \"RemoteSharedMailbox\"\nremote_routing_address = \"{routing}\"\nexchange_guid = \"{guid}\"\n"
            );
        }
        75..=77 => out.push_str("type = \"RoomMailbox\"\nemail_address_policy_enabled = false\n"),
        78..=85 => {
            let _ = write!(
                out,
                "type = \"MailUser\"\nupn = \"{alias}@contoso.com\"\nexternal_email_address = \"{alias}@partner.example\"\n"
            );
        }
        86..=91 => {
            let _ = write!(
                out,
                "type = \"MailContact\"\nexternal_email_address = \"{alias}@vendor.example\"\nemail_address_policy_enabled = false\n"
            );
        }
        92..=96 => {
            out.push_str("type = \"MailUniversalDistributionGroup\"\nmembers = [");
            let start = i.saturating_sub(50);
            let mut written = 0;
            for _ in 0..8usize.min(i - start) {
                let member = start + rng.usize(..i - start);
                if !dynamic[member] {
                    let _ = write!(out, "{}\"u{member:07}\"", if written == 0 { "" } else { ", " });
                    written += 1;
                }
            }
            out.push_str("]\n");
        }
        97 => out.push_str("type = \"DynamicDistributionGroup\"\n"),
        _ => {
            let _ = write!(
                out,
                "type = \"UserMailbox\"\nsource = \"cloud\"\nupn = \"{alias}@contoso.com\"\nlicensed = true\nprovisioned = 2026-02-01\n"
            );
        }
    }
    let alias_written = if plant == Some(4) { "u-dup".to_string() } else { alias.clone() };
    let _ = write!(
        out,
        "alias = \"{alias_written}\"\ndisplay_name = \"{given} {surname}\"\ngiven_name = \"{given}\"\nsurname = \"{surname}\"\ndepartment = \"{department}\"\ncompany = \"{company}\"\n"
    );
    if plant == Some(5) {
        out.push_str("upn_typo = \"x\"\n");
    }
    let second =
        if primary.starts_with(&alias) { format!("{alias}@fabrikam.com") } else { format!("{alias}@contoso.com") };
    let _ = writeln!(
        out,
        "proxy_addresses = [\"SMTP:{primary}\", \"smtp:{second}\", \"smtp:{routing}\", \"X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={alias}\"{extra}]\n"
    );
}

/// ASCII letters only, for addresses.
fn ascii(name: &str) -> String {
    crate::analysis::policy::template::to_address_text(name)
}
