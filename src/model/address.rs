//! Proxy addresses (`TYPE:address`) and the syntax rules Exchange and Entra apply to them, UPNs and
//! aliases. Pure functions over strings; the rules decide what to report.

use std::hash::{Hash, Hasher};

/// A string compared and hashed ASCII-case-insensitively, without allocating a lowercase copy.
/// Addresses, UPNs, aliases and names are all compared this way by Exchange and Entra.
#[derive(Clone, Copy, Debug)]
pub struct Caseless<'s>(pub &'s str);

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Caseless<'_> {}

impl Hash for Caseless<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut buffer = [0u8; 64];
        for chunk in self.0.as_bytes().chunks(buffer.len()) {
            let lower = &mut buffer[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            state.write(lower);
        }
        state.write_u8(0xff);
    }
}

/// A proxy address split at its type prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyAddress<'s> {
    /// `SMTP`, `smtp`, `X500`, `SIP`, ...; `None` when the value has no valid `TYPE:` prefix.
    pub prefix: Option<&'s str>,
    /// What follows the prefix (the whole value when there is none).
    pub address: &'s str,
    /// The whole value.
    pub text: &'s str,
}

impl<'s> ProxyAddress<'s> {
    pub fn parse(text: &'s str) -> ProxyAddress<'s> {
        // The prefix is what comes before the first `:` when that is one or more ASCII letters and
        // digits: scanning them is enough (called for every address by many rules, so no searcher).
        let prefix_length = text.bytes().take_while(u8::is_ascii_alphanumeric).count();
        match text.as_bytes().get(prefix_length) {
            Some(b':') if prefix_length > 0 => {
                ProxyAddress { prefix: Some(&text[..prefix_length]), address: &text[prefix_length + 1..], text }
            }
            _ => ProxyAddress { prefix: None, address: text, text },
        }
    }

    /// `SMTP:` in capitals marks the primary address.
    pub fn is_primary(&self) -> bool {
        self.prefix == Some("SMTP")
    }

    pub fn is_smtp(&self) -> bool {
        self.prefix.is_some_and(|p| p.eq_ignore_ascii_case("smtp"))
    }

    pub fn has_type(&self, kind: &str) -> bool {
        self.prefix.is_some_and(|p| p.eq_ignore_ascii_case(kind))
    }

    /// The domain of an SMTP address (after the last `@`).
    pub fn domain(&self) -> Option<&'s str> {
        domain_of(self.address)
    }
}

pub fn domain_of(address: &str) -> Option<&str> {
    address.rsplit_once('@').map(|(_, domain)| domain)
}

pub fn local_part_of(address: &str) -> &str {
    address.rsplit_once('@').map_or(address, |(local, _)| local)
}

/// `domain` is `suffix` or a subdomain of it (ASCII case-insensitive).
pub fn domain_is_within(domain: &str, suffix: &str) -> bool {
    let (d, s) = (domain.as_bytes(), suffix.as_bytes());
    if d.len() == s.len() {
        return d.eq_ignore_ascii_case(s);
    }
    d.len() > s.len() && d[d.len() - s.len() - 1] == b'.' && d[d.len() - s.len()..].eq_ignore_ascii_case(s)
}

/// What is wrong with a proxy address, and where in the value (byte range), if one place is to blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressProblem {
    pub message: String,
    pub at: Option<std::ops::Range<usize>>,
}

impl AddressProblem {
    fn new(message: impl Into<String>, at: Option<std::ops::Range<usize>>) -> Self {
        AddressProblem { message: message.into(), at }
    }
}

/// Entra's per-value limit on proxyAddresses.
pub const MAX_PROXY_ADDRESS_LENGTH: usize = 256;

/// Characters allowed in an unquoted RFC 5321 local part besides letters and digits.
const LOCAL_PART_SYMBOLS: &[u8] = b"!#$%&'*+-/=?^_`{|}~.";

/// ASCII characters an SMTP address may not contain: whitespace and RFC 5321 specials.
const SMTP_SPECIALS: &[u8] = b"<>();,[]\"\\ \t\n\x0b\x0c\r";

/// A set of bytes as a table, so that checking a character is one load: these checks run on every
/// address of every recipient.
const fn byte_set(alphanumeric: bool, extra: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut b = 0;
    while b < 256 {
        set[b] = alphanumeric && (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        set[extra[i] as usize] = true;
        i += 1;
    }
    set
}

const LOCAL_PART_CHARS: [bool; 256] = byte_set(true, LOCAL_PART_SYMBOLS);

/// Whether an unquoted RFC 5321 local part may contain this character.
pub fn is_local_part_char(c: char) -> bool {
    c.is_ascii() && LOCAL_PART_CHARS[c as usize]
}

/// Specials, ASCII whitespace and every byte of a non-ASCII character.
const SMTP_FORBIDDEN: [bool; 256] = {
    let mut set = byte_set(false, SMTP_SPECIALS);
    let mut b = 128;
    while b < 256 {
        set[b] = true;
        b += 1;
    }
    set
};

/// Where `..` first occurs (a byte scan: a substring search costs more to set up than these short
/// values take to scan).
fn double_dot(text: &str) -> Option<usize> {
    text.as_bytes().windows(2).position(|pair| pair == b"..")
}

/// Checks a proxy address as Exchange and Entra would. `text` is the whole value, prefix included.
pub fn check_proxy_address(text: &str) -> Result<(), AddressProblem> {
    // Bytes first, all of them without an early exit (so that many are checked per instruction): only
    // text with a control or non-ASCII byte takes decoding characters.
    let unusual = text.bytes().fold(false, |found, b| found | !(0x20..0x7f).contains(&b));
    let control = unusual
        .then(|| text.bytes().position(|b| b.is_ascii_control() || !b.is_ascii()))
        .flatten()
        .and_then(|from| text[from..].char_indices().find(|&(_, c)| c.is_control()).map(|(i, c)| (from + i, c)));
    if let Some((i, c)) = control {
        return Err(AddressProblem::new(
            format!("contains a control character ({})", c.escape_unicode()),
            Some(i..i + c.len_utf8()),
        ));
    }
    if text.len() > MAX_PROXY_ADDRESS_LENGTH {
        return Err(AddressProblem::new(
            format!("is {} characters long; Entra ID accepts at most {MAX_PROXY_ADDRESS_LENGTH}", text.chars().count()),
            None,
        ));
    }
    let parsed = ProxyAddress::parse(text);
    let Some(prefix) = parsed.prefix else {
        return Err(AddressProblem::new("has no `TYPE:` prefix (such as `smtp:`); Entra ID discards it", None));
    };
    let offset = prefix.len() + 1;
    let shift = |r: std::ops::Range<usize>| r.start + offset..r.end + offset;
    if parsed.is_smtp() {
        check_smtp_address(parsed.address).map_err(|p| AddressProblem { at: p.at.map(shift), ..p })
    } else if prefix.eq_ignore_ascii_case("x500") && !parsed.address.starts_with('/') {
        Err(AddressProblem::new("does not start with `/`, as an X500 address must (`X500:/o=Contoso/ou=...`)", None))
    } else if parsed.address.is_empty() {
        Err(AddressProblem::new("has nothing after the `TYPE:` prefix", None))
    } else {
        Ok(())
    }
}

/// Checks the address part of an SMTP proxy address (RFC 5321 mailbox, as Exchange accepts it).
pub fn check_smtp_address(address: &str) -> Result<(), AddressProblem> {
    // One pass over the bytes finds the first bad character, the first `:` and the first two `@`.
    let (mut colon, mut at, mut second_at) = (None, None, None);
    for (i, &b) in address.as_bytes().iter().enumerate() {
        if SMTP_FORBIDDEN[b as usize] {
            return Err(bad_smtp_character(address, i));
        }
        match b {
            b':' if colon.is_none() => colon = Some(i),
            b'@' if at.is_none() => at = Some(i),
            b'@' if second_at.is_none() => second_at = Some(i),
            _ => {}
        }
    }
    if let Some(i) = colon {
        return Err(AddressProblem::new("has a second `:`", Some(i..i + 1)));
    }
    let Some(at) = at else {
        return Err(AddressProblem::new("has no `@`", None));
    };
    if let Some(second) = second_at {
        return Err(AddressProblem::new("has more than one `@`", Some(second..second + 1)));
    }
    let (local, domain) = (&address[..at], &address[at + 1..]);
    check_local_part(local)?;
    check_domain(domain).map_err(|p| AddressProblem { at: p.at.map(|r| r.start + at + 1..r.end + at + 1), ..p })
}

/// The problem with the character starting at byte `i` of an SMTP address (non-ASCII, whitespace or a
/// special). Every byte before it is ASCII, so `i` is a character boundary.
fn bad_smtp_character(address: &str, i: usize) -> AddressProblem {
    let c = address[i..].chars().next().unwrap_or(' ');
    let what = if c.is_whitespace() {
        "whitespace".to_string()
    } else if !c.is_ascii() {
        format!("the non-ASCII character `{c}`")
    } else {
        format!("`{c}`")
    };
    AddressProblem::new(
        format!("contains {what}, which Exchange and Entra ID reject in an SMTP address"),
        Some(i..i + c.len_utf8()),
    )
}

fn check_local_part(local: &str) -> Result<(), AddressProblem> {
    if local.is_empty() {
        return Err(AddressProblem::new("has an empty local part (nothing before `@`)", None));
    }
    if local.len() > 64 {
        return Err(AddressProblem::new(
            format!("has a local part of {} characters; RFC 5321 allows at most 64", local.len()),
            Some(0..local.len()),
        ));
    }
    if let Some(i) = local.bytes().position(|b| !LOCAL_PART_CHARS[b as usize]) {
        let c = local[i..].chars().next().unwrap_or(' ');
        return Err(AddressProblem::new(format!("has `{c}` in its local part"), Some(i..i + c.len_utf8())));
    }
    let double_dot = double_dot(local);
    if local.starts_with('.') || local.ends_with('.') || double_dot.is_some() {
        let i = if local.starts_with('.') { 0 } else { double_dot.unwrap_or(local.len() - 1) };
        return Err(AddressProblem::new("has a local part that starts or ends with `.` or has `..`", Some(i..i + 1)));
    }
    Ok(())
}

/// A top-level domain: letters only (`com`, `museum`), or an IDNA A-label (`xn--p1ai`, the ASCII form of
/// an internationalised TLD, RFC 5890): `xn--` and at least one more letter, digit or hyphen. The caller has
/// already checked that the label holds only letters, digits and hyphens and does not end with one.
fn is_top_level_domain(label: &str) -> bool {
    let a_label = label.len() > 4 && label.as_bytes()[..4].eq_ignore_ascii_case(b"xn--");
    a_label || (label.len() >= 2 && label.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// A DNS domain name as an SMTP address or a UPN suffix needs it.
pub fn check_domain(domain: &str) -> Result<(), AddressProblem> {
    if domain.is_empty() {
        return Err(AddressProblem::new("has no domain after `@`", None));
    }
    if domain.len() > 255 {
        return Err(AddressProblem::new("has a domain longer than 255 characters", None));
    }
    let Some(last_dot) = domain.bytes().rposition(|b| b == b'.') else {
        return Err(AddressProblem::new(
            format!("has the domain `{domain}`, which has no top-level domain"),
            Some(0..domain.len()),
        ));
    };
    let mut start = 0;
    for label in domain.split('.') {
        let range = start..start + label.len();
        let is_tld = start == last_dot + 1;
        start += label.len() + 1;
        if label.is_empty() {
            return Err(AddressProblem::new("has an empty label in its domain (`..` or a `.` at an end)", None));
        }
        if label.len() > 63 {
            return Err(AddressProblem::new("has a domain label longer than 63 characters", Some(range)));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(AddressProblem::new(
                format!("has the domain label `{label}`, which starts or ends with `-`"),
                Some(range),
            ));
        }
        if let Some(i) = label.bytes().position(|b| !b.is_ascii_alphanumeric() && b != b'-') {
            let c = label[i..].chars().next().unwrap_or(' ');
            return Err(AddressProblem::new(
                format!("has `{c}` in its domain"),
                Some(range.start + i..range.start + i + c.len_utf8()),
            ));
        }
        if is_tld && !is_top_level_domain(label) {
            return Err(AddressProblem::new(
                format!("has the top-level domain `{label}`, which is not a valid one"),
                Some(range),
            ));
        }
    }
    Ok(())
}

/// Whether Exchange allows this character in an alias: letters and digits, the symbols of an unquoted
/// local part (`! # $ % & ' * + - / = ? ^ _ ` { | } ~` and `.`), and the Unicode characters U+00A1 to U+00FF
/// (the cmdlet reference, parameter Alias: "Unicode characters U+00A1 to U+00FF").
pub fn is_alias_char(c: char) -> bool {
    is_local_part_char(c) || ('\u{00A1}'..='\u{00FF}').contains(&c)
}

/// Checks an alias (mailNickname) as Exchange does, and, when `synced`, as Entra Connect does: the
/// characters of [`is_alias_char`], at most 64 of them, periods only between other characters; `&` only
/// on an object Entra Connect does not sync ("The & character is not supported in the Alias value for
/// Microsoft Entra Connect synchronization").
pub fn check_alias(alias: &str, synced: bool) -> Result<(), AddressProblem> {
    if alias.is_empty() {
        return Err(AddressProblem::new("is empty", None));
    }
    if alias.chars().count() > 64 {
        return Err(AddressProblem::new(
            format!("is {} characters long; Exchange allows at most 64", alias.chars().count()),
            None,
        ));
    }
    if let Some((i, c)) = alias.char_indices().find(|&(_, c)| !is_alias_char(c)) {
        let what = if c.is_whitespace() { "whitespace".to_string() } else { format!("`{c}`") };
        return Err(AddressProblem::new(
            format!(
                "contains {what}; Exchange allows letters, digits, ! # $ % & ' * + - / = ? ^ _ ` {{ | }} ~ . and the characters U+00A1 to U+00FF"
            ),
            Some(i..i + c.len_utf8()),
        ));
    }
    let double_dot = double_dot(alias);
    if alias.starts_with('.') || alias.ends_with('.') || double_dot.is_some() {
        let i = if alias.starts_with('.') { 0 } else { double_dot.unwrap_or(alias.len() - 1) };
        return Err(AddressProblem::new("starts or ends with `.` or has `..`", Some(i..i + 1)));
    }
    if synced && let Some(i) = alias.find('&') {
        return Err(AddressProblem::new(
            "contains `&`, which Entra Connect does not support in an alias it synchronizes",
            Some(i..i + 1),
        ));
    }
    Ok(())
}

/// Characters Entra ID allows in a UPN prefix besides letters and digits.
/// The symbols a UPN prefix may hold besides letters and digits: `' . - _ ! # ^ ~`.
fn is_upn_symbol(c: char) -> bool {
    matches!(c, '\'' | '.' | '-' | '_' | '!' | '#' | '^' | '~')
}

/// The number of characters: the byte length for ASCII text, the usual case, without counting.
fn char_count(text: &str) -> usize {
    if text.is_ascii() { text.len() } else { text.chars().count() }
}

/// Checks a userPrincipalName as Entra ID does.
pub fn check_upn(upn: &str) -> Result<(), AddressProblem> {
    let length = char_count(upn);
    if length > 113 {
        return Err(AddressProblem::new(format!("is {length} characters long; Entra ID allows at most 113"), None));
    }
    // `@` is ASCII: its byte positions are the same as a character search would give.
    let Some(at) = upn.bytes().position(|b| b == b'@') else {
        return Err(AddressProblem::new("has no `@`", None));
    };
    if let Some(second) = upn.bytes().skip(at + 1).position(|b| b == b'@').map(|i| at + 1 + i) {
        return Err(AddressProblem::new("has more than one `@`", Some(second..second + 1)));
    }
    let (prefix, domain) = (&upn[..at], &upn[at + 1..]);
    if prefix.is_empty() {
        return Err(AddressProblem::new("has nothing before `@`", None));
    }
    if char_count(prefix) > 64 {
        return Err(AddressProblem::new(
            format!("has a prefix of {} characters; Entra ID allows at most 64", char_count(prefix)),
            Some(0..prefix.len()),
        ));
    }
    if char_count(domain) > 48 {
        return Err(AddressProblem::new(
            format!("has a domain of {} characters; Entra ID allows at most 48", char_count(domain)),
            Some(at + 1..upn.len()),
        ));
    }
    if let Some((i, c)) = prefix.char_indices().find(|&(_, c)| !c.is_ascii_alphanumeric() && !is_upn_symbol(c)) {
        let what = if c.is_whitespace() { "whitespace".to_string() } else { format!("`{c}`") };
        return Err(AddressProblem::new(
            format!("contains {what}; a UPN prefix may hold only A-Z a-z 0-9 ' . - _ ! # ^ ~"),
            Some(i..i + c.len_utf8()),
        ));
    }
    if prefix.ends_with('.') {
        return Err(AddressProblem::new("has a prefix that ends with `.` just before `@`", Some(at - 1..at)));
    }
    check_domain(domain).map_err(|p| AddressProblem { at: p.at.map(|r| r.start + at + 1..r.end + at + 1), ..p })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn caseless_keys_match_across_case() {
        let set: HashSet<Caseless<'_>> = [Caseless("SMTP:John@Contoso.com")].into_iter().collect();
        assert!(set.contains(&Caseless("smtp:john@contoso.COM")));
        assert!(!set.contains(&Caseless("smtp:john@contoso.org")));
    }

    #[test]
    fn proxy_address_prefixes() {
        assert!(ProxyAddress::parse("SMTP:a@b.com").is_primary());
        assert!(!ProxyAddress::parse("smtp:a@b.com").is_primary());
        assert_eq!(ProxyAddress::parse("a@b.com").prefix, None);
        assert_eq!(ProxyAddress::parse("X500:/o=x/cn=y").prefix, Some("X500"));
        // Only ASCII letters and digits before the first `:` make a prefix.
        for (text, prefix, address) in [
            (":a@b.com", None, ":a@b.com"),
            ("sm tp:a@b.com", None, "sm tp:a@b.com"),
            ("smtp.x:a@b.com", None, "smtp.x:a@b.com"),
            ("é:a", None, "é:a"),
            ("smtp:", Some("smtp"), ""),
            ("sip:a:b", Some("sip"), "a:b"),
            ("SMTP", None, "SMTP"),
        ] {
            let parsed = ProxyAddress::parse(text);
            assert_eq!((parsed.prefix, parsed.address), (prefix, address), "{text:?}");
        }
    }

    #[test]
    fn smtp_address_syntax() {
        assert!(check_proxy_address("smtp:john.smith@contoso.com").is_ok());
        assert!(check_proxy_address("SMTP:o'neil+tag@sub.contoso.co.uk").is_ok());
        let problem = check_proxy_address("smtp:john smith@contoso.com").unwrap_err();
        assert_eq!(problem.at, Some(9..10));
        assert!(check_proxy_address("john@contoso.com").unwrap_err().message.contains("no `TYPE:`"));
        assert!(check_proxy_address("smtp:a@b@contoso.com").is_err());
        assert!(check_proxy_address("smtp:.a@contoso.com").is_err());
        assert!(check_proxy_address("smtp:a@contoso").is_err());
        assert!(check_proxy_address("smtp:a@-contoso.com").is_err());
        assert!(check_proxy_address("smtp:jürgen@contoso.com").is_err());
        assert!(check_proxy_address(&format!("smtp:{}@contoso.com", "a".repeat(65))).is_err());
        assert!(
            check_proxy_address(
                "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=j;x"
            )
            .is_ok()
        );
        assert!(check_proxy_address("X500:o=Contoso").is_err());
        assert!(check_proxy_address("sip:john@contoso.com").is_ok());
        // IDNA A-label top-level domains are DNS names; a TLD with a digit that is not one is not.
        assert!(check_proxy_address("smtp:sales@example.xn--p1ai").is_ok());
        assert!(check_proxy_address("smtp:sales@xn--80ak6aa92e.xn--p1ai").is_ok());
        assert!(check_proxy_address("smtp:sales@example.p1ai").is_err());
        assert!(check_proxy_address("smtp:sales@example.xn--").is_err());
    }

    #[test]
    fn upn_and_alias_syntax() {
        assert!(check_upn("john.smith@contoso.com").is_ok());
        assert!(check_upn("john.@contoso.com").is_err());
        assert!(check_upn("john smith@contoso.com").is_err());
        assert!(check_upn("john@@contoso.com").is_err());
        assert!(check_upn("johncontoso.com").is_err());
        assert!(check_alias("john.smith", true).is_ok());
        assert!(check_alias("r&d", true).unwrap_err().message.contains("Entra Connect"));
        assert!(check_alias("r&d", false).is_ok());
        assert!(check_alias("john..smith", false).is_err());
        assert!(check_alias("john smith", false).is_err());
        // U+00A1 to U+00FF are allowed, letters or not; what lies beyond is not.
        assert!(check_alias("jürgen", true).is_ok());
        assert!(check_alias("josé.núñez", true).is_ok());
        assert!(check_alias("a×b¡", true).is_ok());
        assert!(check_alias("łukasz", true).unwrap_err().message.contains("`ł`"));
        assert!(check_alias("a@b", false).is_err());
    }

    #[test]
    fn domains_within() {
        assert!(domain_is_within("contoso.onmicrosoft.com", "onmicrosoft.com"));
        assert!(domain_is_within("ONMICROSOFT.com", "onmicrosoft.com"));
        assert!(!domain_is_within("notonmicrosoft.com", "onmicrosoft.com"));
    }
}
