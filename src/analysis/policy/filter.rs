//! The subset of OPATH that email address policies' `RecipientFilter` uses:
//! `-eq -ne -like -notlike -and -or -not`, parentheses, `$null` and quoted strings, over the recipient
//! properties the model has. Anything else is an error, never a silent mismatch.

use std::ops::Range;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::model::{Recipient, RecipientType, Source};
use crate::schema::fields::recipient::{self, Field};

/// A recipient property a filter tests: a `[[recipient]]` field marked filterable in the field table, or
/// Exchange's coarser `RecipientType`, which the model derives from the type.
#[derive(Clone, Copy)]
pub enum Property {
    Field(&'static Field),
    RecipientType,
}

impl std::fmt::Debug for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Property::Field(field) => write!(f, "Field({})", field.key.name),
            Property::RecipientType => f.write_str("RecipientType"),
        }
    }
}

impl PartialEq for Property {
    fn eq(&self, other: &Property) -> bool {
        match (self, other) {
            (Property::Field(a), Property::Field(b)) => std::ptr::eq(*a, *b),
            (Property::RecipientType, Property::RecipientType) => true,
            _ => false,
        }
    }
}

impl Property {
    /// Every property name a filter may use, for suggestions.
    pub fn names() -> Vec<&'static str> {
        let fields = recipient::fields().filter(|f| f.opath).flat_map(|f| f.exchange.iter().copied());
        fields.chain(["RecipientType"]).collect()
    }

    fn parse(name: &str) -> Option<Property> {
        if name.eq_ignore_ascii_case("RecipientType") {
            return Some(Property::RecipientType);
        }
        recipient::field_for_exchange(name).filter(|f| f.opath).map(Property::Field)
    }

    fn value<'r>(self, recipient: &'r Recipient<'_>) -> Option<&'r str> {
        match self {
            Property::Field(field) => field.text(recipient),
            Property::RecipientType => Some(recipient_type(recipient)),
        }
    }
}

/// Exchange's coarser `RecipientType` of a recipient.
fn recipient_type(recipient: &Recipient<'_>) -> &'static str {
    use RecipientType::*;
    match recipient.kind() {
        kind if kind.is_remote_mailbox() => "MailUser",
        GroupMailbox => "MailUniversalDistributionGroup",
        RoomList => "MailUniversalDistributionGroup",
        kind if kind.is_mailbox() => "UserMailbox",
        MailUser => "MailUser",
        MailContact => "MailContact",
        MailUniversalSecurityGroup => "MailUniversalSecurityGroup",
        DynamicDistributionGroup => "DynamicDistributionGroup",
        _ if recipient.source == Source::Cloud => "MailUniversalDistributionGroup",
        _ => "MailUniversalDistributionGroup",
    }
}

#[derive(Clone, Debug)]
pub enum Filter {
    /// Every one matches. A chain `a -and b -and c` is one node, so that long chains need no recursion.
    And(Vec<Filter>),
    /// One of them matches.
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `Property -eq 'value'` and friends; `None` is `$null`.
    Compare {
        property: Property,
        negate: bool,
        pattern: Pattern,
    },
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Null,
    Exact(String),
    Like(GlobSet),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub message: String,
    pub at: Range<usize>,
}

impl Filter {
    pub fn matches(&self, recipient: &Recipient<'_>) -> bool {
        match self {
            Filter::And(all) => all.iter().all(|f| f.matches(recipient)),
            Filter::Or(any) => any.iter().any(|f| f.matches(recipient)),
            Filter::Not(inner) => !inner.matches(recipient),
            Filter::Compare { property, negate, pattern } => {
                let value = property.value(recipient).filter(|v| !v.is_empty());
                let equal = match (pattern, value) {
                    (Pattern::Null, value) => value.is_none(),
                    (Pattern::Exact(expected), Some(value)) => value.eq_ignore_ascii_case(expected),
                    (Pattern::Like(glob), Some(value)) => glob.is_match(value),
                    (_, None) => false,
                };
                equal != *negate
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Operator(String),
    Word(String),
    Text(String),
    Null,
}

fn tokenize(text: &str) -> Result<Vec<(Token, Range<usize>)>, FilterError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        match c {
            '(' | ')' => {
                chars.next();
                tokens.push((if c == '(' { Token::Open } else { Token::Close }, start..start + 1));
            }
            '\'' | '"' => {
                chars.next();
                let mut value = String::new();
                let mut closed = None;
                while let Some((i, d)) = chars.next() {
                    if d == c {
                        // A doubled quote is a literal quote.
                        if chars.peek().is_some_and(|&(_, e)| e == c) {
                            chars.next();
                            value.push(c);
                            continue;
                        }
                        closed = Some(i + 1);
                        break;
                    }
                    value.push(d);
                }
                let Some(end) = closed else {
                    return Err(FilterError {
                        message: format!("unclosed string (missing `{c}`)"),
                        at: start..text.len(),
                    });
                };
                tokens.push((Token::Text(value), start..end));
            }
            _ => {
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_whitespace() || d == '(' || d == ')' || d == '\'' || d == '"' {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let word = &text[start..end];
                let token = if let Some(op) = word.strip_prefix('-') {
                    Token::Operator(op.to_ascii_lowercase())
                } else if word.eq_ignore_ascii_case("$null") {
                    Token::Null
                } else {
                    Token::Word(word.to_string())
                };
                tokens.push((token, start..end));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(Token, Range<usize>)>,
    position: usize,
    length: usize,
}

impl Parser {
    fn peek(&self) -> Option<&(Token, Range<usize>)> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<(Token, Range<usize>)> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn end(&self) -> Range<usize> {
        self.length..self.length
    }

    fn at_operator(&self, name: &str) -> bool {
        matches!(self.peek(), Some((Token::Operator(op), _)) if op == name)
    }

    fn or(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut any = vec![self.and(depth)?];
        while self.at_operator("or") {
            self.next();
            any.push(self.and(depth)?);
        }
        Ok(if any.len() == 1 { any.remove(0) } else { Filter::Or(any) })
    }

    fn and(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut all = vec![self.unary(depth)?];
        while self.at_operator("and") {
            self.next();
            all.push(self.unary(depth)?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Filter::And(all) })
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, FilterError> {
        // Deeply nested input must not exhaust the stack.
        if depth > 64 {
            let at = self.peek().map_or(self.end(), |t| t.1.clone());
            return Err(FilterError { message: "the filter is nested too deeply".into(), at });
        }
        if self.at_operator("not") {
            self.next();
            return Ok(Filter::Not(Box::new(self.unary(depth + 1)?)));
        }
        match self.next() {
            Some((Token::Open, open)) => {
                let inner = self.or(depth + 1)?;
                match self.next() {
                    Some((Token::Close, _)) => Ok(inner),
                    other => Err(FilterError { message: "`(` is not closed".into(), at: other.map_or(open, |t| t.1) }),
                }
            }
            Some((Token::Word(name), at)) => self.comparison(&name, at),
            Some((_, at)) => Err(FilterError { message: "expected a property name or `(`".into(), at }),
            None => {
                Err(FilterError { message: "the filter ends where a condition was expected".into(), at: self.end() })
            }
        }
    }

    fn comparison(&mut self, name: &str, name_at: Range<usize>) -> Result<Filter, FilterError> {
        let Some(property) = Property::parse(name) else {
            let hint = crate::util::suggest::hint(name, Property::names());
            let hint = if hint.is_empty() { String::new() } else { format!("; {hint}") };
            return Err(FilterError {
                message: format!("`{name}` is not a property hybridlint knows{hint}"),
                at: name_at,
            });
        };
        let (operator, operator_at) = match self.next() {
            Some((Token::Operator(op), at)) => (op, at),
            other => {
                return Err(FilterError {
                    message: format!("expected an operator (-eq, -ne, -like, -notlike) after `{name}`"),
                    at: other.map_or(self.end(), |t| t.1),
                });
            }
        };
        let (like, negate) = match operator.as_str() {
            "eq" => (false, false),
            "ne" => (false, true),
            "like" => (true, false),
            "notlike" => (true, true),
            other => {
                return Err(FilterError {
                    message: format!("`-{other}` is not supported (use -eq, -ne, -like or -notlike)"),
                    at: operator_at,
                });
            }
        };
        let pattern = match self.next() {
            Some((Token::Null, _)) => Pattern::Null,
            Some((Token::Text(value) | Token::Word(value), at)) => {
                if like {
                    Pattern::Like(wildcard(&value).map_err(|message| FilterError { message, at })?)
                } else {
                    Pattern::Exact(value)
                }
            }
            other => {
                return Err(FilterError {
                    message: format!("expected a quoted value or $null after `-{operator}`"),
                    at: other.map_or(self.end(), |t| t.1),
                });
            }
        };
        Ok(Filter::Compare { property, negate, pattern })
    }
}

/// OPATH `-like` patterns know only `*`; every other character is literal. Runs of `*` are one `*`.
fn wildcard(pattern: &str) -> Result<GlobSet, String> {
    let pieces: Vec<&str> = pattern.split('*').collect();
    let last = pieces.len() - 1;
    // An empty piece between two others is two adjacent stars.
    let escaped: Vec<String> = pieces
        .iter()
        .enumerate()
        .filter(|&(i, piece)| !piece.is_empty() || i == 0 || i == last)
        .map(|(_, piece)| globset::escape(piece))
        .collect();
    GlobBuilder::new(&escaped.join("*"))
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        // A set, not `compile_matcher`: a pattern too large to compile is an error here, not a panic.
        .and_then(|glob| GlobSetBuilder::new().add(glob).build())
        .map_err(|e| format!("invalid -like pattern: {e}"))
}

/// Real recipient filters have a handful of conditions; a filter longer than this is not one to evaluate.
const MAX_TOKENS: usize = 20_000;

pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let tokens = tokenize(text)?;
    if let Some((_, at)) = tokens.get(MAX_TOKENS) {
        return Err(FilterError {
            message: format!("the filter is longer than {MAX_TOKENS} words; hybridlint does not evaluate it"),
            at: at.clone(),
        });
    }
    let mut parser = Parser { tokens, position: 0, length: text.len() };
    let filter = parser.or(0)?;
    if let Some((_, at)) = parser.peek() {
        return Err(FilterError { message: "unexpected text after the end of the filter".into(), at: at.clone() });
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Recipient, RecipientType};
    use crate::source::{Span, Spanned};

    fn recipient(department: Option<&'static str>) -> Recipient<'static> {
        let span = Span { file: 0, start: 0, end: 0 };
        let mut r =
            Recipient::new(span, Spanned::new("jsmith".into(), span), Spanned::new(RecipientType::UserMailbox, span));
        r.department = department.map(|d| Spanned::new(d.into(), span));
        r.company = Some(Spanned::new("Contoso Ltd".into(), span));
        r
    }

    #[test]
    fn evaluates_the_supported_subset() {
        let sales = recipient(Some("Sales"));
        let none = recipient(None);
        let check = |filter: &str, r: &Recipient<'_>| parse(filter).unwrap().matches(r);
        assert!(check("Department -eq 'sales'", &sales));
        assert!(!check("Department -ne 'Sales'", &sales));
        assert!(check("Company -like 'Contoso*'", &sales));
        assert!(!check("Company -notlike '*Ltd'", &sales));
        assert!(check("Department -eq $null", &none));
        assert!(check(&format!("Department -like 'S{}s'", "*".repeat(5000)), &sales));
        let chain = vec!["Department -eq 'Sales'"; 5_000].join(" -and ");
        assert!(check(&chain, &sales));
        assert!(check("(Department -eq 'Sales') -and -not (RecipientTypeDetails -eq 'SharedMailbox')", &sales));
        assert!(check("Department -eq 'HR' -or Department -eq \"Sales\"", &sales));
        assert!(!check("Department -eq 'HR' -or Department -eq 'IT'", &none));
        assert!(check("CustomAttribute15 -eq $null -and RecipientType -eq 'UserMailbox'", &sales));
    }

    #[test]
    fn rejects_what_it_cannot_evaluate() {
        assert!(parse("Department -gt 'A'").unwrap_err().message.contains("not supported"));
        assert_eq!(parse("Departmnt -eq 'A'").unwrap_err().at, 0..9);
        assert!(parse("Departmnt -eq 'A'").unwrap_err().message.contains("did you mean `Department`"));
        assert!(parse("(Department -eq 'A'").is_err());
        assert!(parse("Department -eq 'A").is_err());
        assert!(parse("Department -eq").is_err());
        assert!(parse("Department -eq 'A' 'B'").is_err());
        assert!(parse(&"(".repeat(10_000)).is_err());
    }
}
