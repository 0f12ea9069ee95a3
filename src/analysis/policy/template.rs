//! Exchange email address templates: `SMTP:%g.%s@contoso.com`, `smtp:%m@contoso.mail.onmicrosoft.com`.
//!
//! Variables: `%g` given name, `%s` surname, `%i` initials, `%d` display name, `%m` alias, `%Ng`/`%Ns` the
//! first N characters of the given name or surname, `%rxy` replace every `x` with `y` in the values that
//! follow (`%rxx` removes `x`). Letters outside US-ASCII become their closest ASCII letters (ö -> oe, as
//! the cmdlet reference's example has it; é -> e, ß -> ss) or are dropped, as are spaces and characters an
//! address cannot hold. `%r` works on the values as written, before that mapping: Microsoft does not
//! document the order, and only this one lets `%röo` replace anything. An empty local part
//! (`SMTP:@contoso.com`) means the alias.
//!
//! The types a policy template may have are the ones "Email address policies in Exchange Server" lists:
//! SMTP, GWISE, NOTES and X400. Only SMTP templates have variables and generate addresses that rules check.

use std::ops::Range;

use crate::model::address::{check_domain, is_local_part_char};

/// The address types of email address policy templates ("Email address policies in Exchange Server",
/// Address types). X500, EUM and SIP addresses exist on recipients, but no policy generates them.
pub const KNOWN_TYPES: &[&str] = &["SMTP", "GWISE", "NOTES", "X400"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variable {
    GivenName,
    Surname,
    Initials,
    DisplayName,
    Alias,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    /// A variable, optionally only its first N characters.
    Variable(Variable, Option<usize>),
    /// `%rxy`: from here on, `from` in variable values becomes `to` (or is removed when `to` is `None`).
    Replace(char, Option<char>),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The type as written (`SMTP`, `smtp`, `X400`, ...); `smtp` when the template has no prefix.
    pub kind: String,
    /// `SMTP:` in capitals: the template of the primary address.
    pub primary: bool,
    /// The local part; empty means the alias.
    pub local: Vec<Piece>,
    /// The domain (SMTP-like templates), lowercased.
    pub domain: Option<String>,
    /// Byte range of the domain in the template text.
    pub domain_at: Option<Range<usize>>,
}

impl Template {
    pub fn is_smtp(&self) -> bool {
        self.kind.eq_ignore_ascii_case("smtp")
    }

    /// The template uses a variable (cloud templates may not).
    pub fn has_variables(&self) -> bool {
        self.local.iter().any(|p| !matches!(p, Piece::Literal(_)))
    }
}

/// What is wrong with a template, and where (byte range in the template text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub at: Range<usize>,
}

fn error(message: impl Into<String>, at: Range<usize>) -> TemplateError {
    TemplateError { message: message.into(), at }
}

/// Types whose templates are `local@domain` with variables: SMTP. GroupWise, Notes and X.400 templates are
/// kept as written.
fn is_address_like(kind: &str) -> bool {
    kind.eq_ignore_ascii_case("smtp")
}

pub fn parse(text: &str) -> Result<Template, TemplateError> {
    let (kind, body, offset) = match text.split_once(':') {
        Some((kind, body)) if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            (kind.to_string(), body, kind.len() + 1)
        }
        _ => ("smtp".to_string(), text, 0),
    };
    if !KNOWN_TYPES.iter().any(|k| k.eq_ignore_ascii_case(&kind)) {
        return Err(error(
            format!(
                "`{kind}:` is not an address type of email address policies (the documented types are {})",
                KNOWN_TYPES.join(", ")
            ),
            0..offset - 1,
        ));
    }
    let primary = kind == "SMTP";
    if !is_address_like(&kind) {
        // GWISE, NOTES and X400: kept as written.
        return Ok(Template {
            kind,
            primary,
            local: vec![Piece::Literal(body.to_string())],
            domain: None,
            domain_at: None,
        });
    }
    let Some(at) = body.rfind('@') else {
        return Err(error("has no `@`: a template is `local-part@domain`", offset..text.len()));
    };
    let (local_text, domain) = (&body[..at], &body[at + 1..]);
    let domain_range = offset + at + 1..text.len();
    if domain.contains('%') {
        return Err(error("the domain of a template cannot contain variables", domain_range));
    }
    if let Err(problem) = check_domain(domain) {
        let at = problem.at.map_or(domain_range.clone(), |r| domain_range.start + r.start..domain_range.start + r.end);
        return Err(error(format!("domain `{domain}` {}", problem.message), at));
    }
    let local = parse_local(local_text, offset)?;
    Ok(Template { kind, primary, local, domain: Some(domain.to_ascii_lowercase()), domain_at: Some(domain_range) })
}

fn parse_local(text: &str, offset: usize) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            if !is_local_part_char(c) {
                return Err(error(
                    format!("`{c}` is not allowed in an address"),
                    offset + i..offset + i + c.len_utf8(),
                ));
            }
            literal.push(c);
            continue;
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        let Some((j, v)) = chars.next() else {
            return Err(error("`%` at the end of the local part", offset + i..offset + text.len()));
        };
        let end = offset + j + v.len_utf8();
        let count = if digits.is_empty() { None } else { digits.parse::<usize>().ok().filter(|n| *n > 0) };
        if !digits.is_empty() && count.is_none() || !digits.is_empty() && !matches!(v, 'g' | 's') {
            return Err(error(
                format!("`%{digits}{v}`: a count applies only to `%g` and `%s` (as in `%1g`)"),
                offset + i..end,
            ));
        }
        let piece = match v {
            'g' => Piece::Variable(Variable::GivenName, count),
            's' => Piece::Variable(Variable::Surname, count),
            'i' => Piece::Variable(Variable::Initials, None),
            'd' => Piece::Variable(Variable::DisplayName, None),
            'm' => Piece::Variable(Variable::Alias, None),
            'r' => {
                let (Some((_, from)), Some((k, to))) = (chars.next(), chars.next()) else {
                    return Err(error(
                        "`%r` needs two characters: `%rxy` replaces x with y, `%rxx` removes x",
                        offset + i..offset + text.len(),
                    ));
                };
                let replacement = if from == to { None } else { Some(to) };
                if let Some(to) = replacement
                    && !is_local_part_char(to)
                {
                    return Err(error(
                        format!("`%r` would insert `{to}`, which is not allowed in an address"),
                        offset + k..offset + k + to.len_utf8(),
                    ));
                }
                Piece::Replace(from, replacement)
            }
            other => {
                return Err(error(
                    format!("`%{other}` is not a template variable (%g %s %i %d %m %Ng %Ns %rxy)"),
                    offset + i..end,
                ));
            }
        };
        pieces.push(piece);
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

/// The recipient values a template reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct Names<'r> {
    pub given_name: Option<&'r str>,
    pub surname: Option<&'r str>,
    pub initials: Option<&'r str>,
    pub display_name: Option<&'r str>,
    pub alias: Option<&'r str>,
}

impl Names<'_> {
    fn get(&self, variable: Variable) -> &str {
        match variable {
            Variable::GivenName => self.given_name,
            Variable::Surname => self.surname,
            Variable::Initials => self.initials,
            Variable::DisplayName => self.display_name,
            Variable::Alias => self.alias,
        }
        .unwrap_or("")
    }
}

/// Latin letters with diacritics and ligatures map to ASCII; other scripts have no closest ASCII letter.
/// (× and ÷ sit among the Latin-1 letters but are not letters.)
fn is_latin(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c != '×' && c != '÷'
}

/// The US-ASCII text a letter outside US-ASCII becomes in a generated address. The cmdlet reference
/// documents one mapping: "Supported Unicode characters are mapped to best-fit US-ASCII text characters.
/// For example, U+00F6 (ö) is changed to `oe`" (parameter Alias). ä and ü follow ö, as in German
/// transliteration; every other Latin letter becomes its base letter or letters (é -> e, ß -> ss, æ -> ae).
fn best_fit(c: char) -> Option<&'static str> {
    match c {
        'ä' => Some("ae"),
        'ö' => Some("oe"),
        'ü' => Some("ue"),
        'Ä' => Some("Ae"),
        'Ö' => Some("Oe"),
        'Ü' => Some("Ue"),
        _ if is_latin(c) => deunicode::deunicode_char(c),
        _ => None,
    }
}

/// A value as it can stand in a local part: ASCII, no spaces, only characters an address may hold.
pub fn to_address_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_address_text(&mut out, value.chars());
    out
}

/// [`to_address_text`] of `chars`, appended to `out` (only ASCII is appended).
fn push_address_text(out: &mut String, chars: impl Iterator<Item = char>) {
    for c in chars {
        if c.is_ascii() {
            if is_local_part_char(c) {
                out.push(c);
            }
        } else if let Some(ascii) = best_fit(c) {
            out.extend(ascii.chars().filter(char::is_ascii_alphanumeric));
        }
    }
}

/// Generates the address (`local@domain`, without the type prefix) for a recipient, or `None` when it has
/// nothing to build a local part from. Only for SMTP-like templates.
/// The longest local part an address may have (RFC 5321). Expansion stops once past it, so a template of
/// thousands of variables over long names cannot grow without bound; what is past the limit could never be
/// a deliverable address anyway.
const MAX_LOCAL_PART: usize = 64;

pub fn expand(template: &Template, names: &Names<'_>) -> Option<String> {
    let domain = template.domain.as_deref()?;
    let mut local = String::with_capacity(MAX_LOCAL_PART);
    // Every `%r` so far, composed into one mapping of characters (applied in order: `%rab%rbc` maps a to c).
    let mut replaced: crate::util::FastMap<char, Option<char>> = crate::util::FastMap::default();
    let pieces: &[Piece] = &template.local;
    let alias_only = [Piece::Variable(Variable::Alias, None)];
    let pieces = if pieces.is_empty() { &alias_only[..] } else { pieces };
    for piece in pieces {
        if local.len() > MAX_LOCAL_PART {
            break;
        }
        match piece {
            Piece::Literal(text) => local.push_str(text),
            Piece::Replace(from, to) => {
                for mapped in replaced.values_mut() {
                    if *mapped == Some(*from) {
                        *mapped = *to;
                    }
                }
                replaced.entry(*from).or_insert(*to);
            }
            Piece::Variable(variable, count) => {
                // `%r` first, on the value as written; then the mapping to US-ASCII. Only as much of a
                // long name as can still fit is looked at.
                let room = MAX_LOCAL_PART + 1 - local.len();
                let start = local.len();
                let value = names.get(*variable).chars();
                if replaced.is_empty() {
                    push_address_text(&mut local, value.take(room));
                } else {
                    let value = value.filter_map(|c| replaced.get(&c).copied().unwrap_or(Some(c)));
                    push_address_text(&mut local, value.take(room));
                }
                // What was appended is ASCII: `n` characters are `n` bytes.
                if let Some(n) = count {
                    local.truncate(start + (*n).min(local.len() - start));
                }
            }
        }
    }
    // A missing value leaves stray dots (`.smith`); Exchange never stamps those.
    let mut cleaned = String::with_capacity(local.len() + 1 + domain.len());
    for c in local.chars() {
        if c == '.' && (cleaned.is_empty() || cleaned.ends_with('.')) {
            continue;
        }
        cleaned.push(c);
    }
    while cleaned.ends_with('.') {
        cleaned.pop();
    }
    if cleaned.is_empty() {
        cleaned = to_address_text(names.alias.unwrap_or(""));
    }
    if cleaned.is_empty() {
        return None;
    }
    cleaned.push('@');
    cleaned.push_str(domain);
    Some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'a>(given: &'a str, surname: &'a str) -> Names<'a> {
        Names { given_name: Some(given), surname: Some(surname), alias: Some("jmuller"), ..Names::default() }
    }

    fn generate(template: &str, names: &Names<'_>) -> Option<String> {
        expand(&parse(template).unwrap(), names)
    }

    #[test]
    fn replacements_compose_and_long_expansions_stop() {
        let names = Names { given_name: Some("abc"), display_name: Some(&"x".repeat(10_000)), ..Names::default() };
        // %rab then %rbc, in order: a becomes b, then every b c.
        assert_eq!(generate("SMTP:%rab%rbc%g@contoso.com", &names).as_deref(), Some("ccc@contoso.com"));
        let template = format!("SMTP:{}@contoso.com", "%d".repeat(10_000));
        let address = generate(&template, &names).unwrap();
        assert!(address.len() < 150, "expansion stops past the longest local part: {}", address.len());
        let chain = format!("SMTP:{}%g@contoso.com", "%rab%rba".repeat(2_000));
        assert_eq!(generate(&chain, &names).as_deref(), Some("aac@contoso.com"));
    }

    #[test]
    fn worked_examples() {
        let jurgen = names("Jürgen", "Müller");
        assert_eq!(generate("SMTP:%g.%s@contoso.com", &jurgen).as_deref(), Some("Juergen.Mueller@contoso.com"));
        assert_eq!(generate("SMTP:%1g%s@contoso.com", &jurgen).as_deref(), Some("JMueller@contoso.com"));
        assert_eq!(
            generate("smtp:%m@contoso.mail.onmicrosoft.com", &jurgen).as_deref(),
            Some("jmuller@contoso.mail.onmicrosoft.com")
        );
        assert_eq!(generate("SMTP:@contoso.com", &jurgen).as_deref(), Some("jmuller@contoso.com"));
        assert_eq!(generate("%2g%3s@contoso.com", &jurgen).as_deref(), Some("JuMue@contoso.com"));
        let jose = names("José", "Núñez");
        assert_eq!(generate("%g.%s@contoso.com", &jose).as_deref(), Some("Jose.Nunez@contoso.com"));
        // The documented example: ö becomes oe, in an alias as in any other value.
        let bjorn = Names { alias: Some("björn"), ..Names::default() };
        assert_eq!(generate("SMTP:@contoso.com", &bjorn).as_deref(), Some("bjoern@contoso.com"));
        let strasse = names("Thomas", "Straße");
        assert_eq!(generate("%g.%s@contoso.com", &strasse).as_deref(), Some("Thomas.Strasse@contoso.com"));
    }

    #[test]
    fn replacements_apply_to_the_values_that_follow() {
        let obrien = Names { given_name: Some("Mary Ann"), surname: Some("O'Brien-Smith"), ..Names::default() };
        assert_eq!(generate("%r''%g.%s@contoso.com", &obrien).as_deref(), Some("MaryAnn.OBrien-Smith@contoso.com"));
        assert_eq!(generate("%g.%r-.%s@contoso.com", &obrien).as_deref(), Some("MaryAnn.O'Brien.Smith@contoso.com"));
        // Literal text is not rewritten.
        assert_eq!(generate("%r..%g.%s@contoso.com", &names("J.R.", "Ewing")).as_deref(), Some("JR.Ewing@contoso.com"));
    }

    #[test]
    fn replacements_see_the_values_before_letters_are_mapped_to_ascii() {
        // `%röo` keeps Swedish ö as o instead of the default oe; `%rßs` turns ß into one s, not ss.
        let bjorn = names("Björn", "Söderström");
        assert_eq!(generate("SMTP:%g.%s@contoso.com", &bjorn).as_deref(), Some("Bjoern.Soederstroem@contoso.com"));
        assert_eq!(generate("SMTP:%röo%g.%s@contoso.com", &bjorn).as_deref(), Some("Bjorn.Soderstrom@contoso.com"));
        let strasse = names("Thomas", "Straße");
        assert_eq!(generate("%rßs%g.%s@contoso.com", &strasse).as_deref(), Some("Thomas.Strase@contoso.com"));
        // A space is dropped by the mapping, so only a replacement before it can turn it into something.
        let mary = Names { given_name: Some("Mary Ann"), surname: Some("Lee"), ..Names::default() };
        assert_eq!(generate("%r _%g.%s@contoso.com", &mary).as_deref(), Some("Mary_Ann.Lee@contoso.com"));
    }

    #[test]
    fn missing_values_do_not_leave_stray_dots() {
        let surname_only = Names { surname: Some("Smith"), alias: Some("smith"), ..Names::default() };
        assert_eq!(generate("%g.%s@contoso.com", &surname_only).as_deref(), Some("Smith@contoso.com"));
        let nothing = Names { alias: Some("svc-x"), ..Names::default() };
        assert_eq!(generate("%g.%s@contoso.com", &nothing).as_deref(), Some("svc-x@contoso.com"));
        assert_eq!(generate("%g.%s@contoso.com", &Names::default()), None);
        // Scripts without a closest ASCII letter are dropped.
        let kanji = Names { given_name: Some("太郎"), surname: Some("Yamada"), ..Names::default() };
        assert_eq!(generate("%g.%s@contoso.com", &kanji).as_deref(), Some("Yamada@contoso.com"));
    }

    #[test]
    fn kinds_and_primary() {
        assert!(parse("SMTP:%m@contoso.com").unwrap().primary);
        assert!(!parse("smtp:%m@contoso.com").unwrap().primary);
        assert!(!parse("%m@contoso.com").unwrap().primary);
        assert!(parse("X400:c=US;a= ;p=Contoso;o=Exchange;").is_ok());
        assert!(parse("GWISE:%m").is_ok());
        assert!(parse("NOTES:%g %s/Contoso").is_ok());
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(parse("SMTP:%x@contoso.com").unwrap_err().at, 5..7);
        assert!(parse("SMTP:%r.@contoso.com").unwrap_err().message.contains("two characters"));
        assert!(parse("SMTP:%g.%s").unwrap_err().message.contains("no `@`"));
        assert!(parse("SMTP:%g %s@contoso.com").unwrap_err().message.contains("not allowed"));
        assert!(parse("FAX:%m@contoso.com").unwrap_err().message.contains("not an address type"));
        // Recipients can have X500, EUM and SIP addresses, but policies do not generate them.
        for kind in ["X500:/o=Contoso/cn=%m", "EUM:%m@contoso.com", "SIP:%m@contoso.com"] {
            assert!(parse(kind).unwrap_err().message.contains("documented types are SMTP, GWISE, NOTES, X400"));
        }
        assert!(parse("SMTP:%3m@contoso.com").unwrap_err().message.contains("count"));
        assert!(parse("SMTP:%m@contoso").is_err());
        assert!(parse("SMTP:%g@%d.com").is_err());
        assert!(parse("SMTP:%r").is_err());
    }
}
