//! The fast path of the model builder for files that hold only `[[recipient]]` tables: recipients are read
//! straight from the TOML parser's events, without building the file's table tree first. Values keep
//! borrowing the file text; only a table's entries (a few dozen bytes each) are gathered before the
//! recipient is built.
//!
//! It reads the plain shape recipient files have: `[[recipient]]` headers, and in them `key = value` with
//! one-part keys, string, boolean and date scalars, and arrays of those. Anything else (another table, a
//! dotted key, an inline table, a number, a repeated key, any syntax error) makes it give up on the file,
//! and the table reader reads it instead. So a file's `toml-syntax` findings always come from one parser,
//! and its `schema` findings from the same [`Reader::recipient_entries`] either way.

use std::borrow::Cow;

use toml::de::{DeArray, DeValue};
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span as TokenSpan};

use crate::model::Recipient;
use crate::source::FileId;

use super::reader::{Reader, TomlSpanned, Value};

/// The recipients of a recipient file, or `None` when the file is not of the plain shape (the caller then
/// reads it with the table reader). Schema findings go to `reader`, only once the whole file has parsed.
pub(crate) fn read_recipient_file<'a>(reader: &mut Reader, text: &'a str) -> Option<Vec<Recipient<'a>>> {
    let tables = parse_recipient_tables(text)?;
    let file: FileId = reader.file;
    let mut recipients = Vec::with_capacity(tables.len());
    for table in tables {
        recipients.extend(reader.recipient_entries(crate::source::Span::new(file, table.header), table.entries));
    }
    Some(recipients)
}

/// One `[[recipient]]` table: the header's span and its entries in the order written.
pub(crate) struct Table<'a> {
    pub header: std::ops::Range<usize>,
    pub entries: Vec<(TomlSpanned<Cow<'a, str>>, Value<'a>)>,
}

/// The `[[recipient]]` tables of a file of the plain shape, or `None`.
pub(crate) fn parse_recipient_tables(text: &str) -> Option<Vec<Table<'_>>> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events = RecipientEvents::new(source);
    let mut failed = false;
    {
        let mut on_error = |_: ParseError| failed = true;
        let mut validating = ValidateWhitespace::new(&mut events, source);
        // The same depth limit as the table reader: arrays nested deeper are an error there too.
        let mut guarded = RecursionGuard::new(&mut validating, 80);
        toml_parser::parser::parse_document(&tokens, &mut guarded, &mut on_error);
    }
    if failed || events.given_up || !matches!(events.state, State::Top | State::Table) {
        return None;
    }
    Some(events.tables)
}

/// Where the event stream is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the first table.
    Top,
    /// Between `[[` and `]]`.
    Header,
    /// In a table, between entries.
    Table,
    /// After a key, before `=`.
    Key,
    /// After `=`, before the value.
    Value,
    /// In an array value.
    Array,
}

struct RecipientEvents<'a> {
    source: Source<'a>,
    state: State,
    given_up: bool,
    tables: Vec<Table<'a>>,
    header_start: usize,
    header_key: Option<Cow<'a, str>>,
    key: Option<TomlSpanned<Cow<'a, str>>>,
    array: Option<(usize, DeArray<'a>)>,
}

impl<'a> RecipientEvents<'a> {
    fn new(source: Source<'a>) -> Self {
        RecipientEvents {
            source,
            state: State::Top,
            given_up: false,
            tables: Vec::new(),
            header_start: 0,
            header_key: None,
            key: None,
            array: None,
        }
    }

    fn give_up(&mut self) {
        self.given_up = true;
    }

    fn raw(&self, span: TokenSpan, encoding: Option<Encoding>) -> Raw<'a> {
        let text = self.source.input().get(span.start()..span.end()).unwrap_or("");
        Raw::new_unchecked(text, encoding, span)
    }

    /// A scalar as the table reader would hold it; `None` for numbers (which no recipient key takes, so
    /// the table reader reports them) and for what does not decode.
    fn decode_scalar(&self, span: TokenSpan, encoding: Option<Encoding>) -> Option<Value<'a>> {
        if let Some(text) = self.plain_string(span, encoding) {
            return Some(TomlSpanned::new(span.start()..span.end(), DeValue::String(Cow::Borrowed(text))));
        }
        let mut decoded = Cow::Borrowed("");
        let mut failed = false;
        let kind = self.raw(span, encoding).decode_scalar(&mut decoded, &mut |_: ParseError| failed = true);
        let value = match kind {
            _ if failed => return None,
            ScalarKind::String => DeValue::String(decoded),
            ScalarKind::Boolean(value) => DeValue::Boolean(value),
            ScalarKind::DateTime => DeValue::Datetime(decoded.parse::<toml::value::Datetime>().ok()?),
            ScalarKind::Float | ScalarKind::Integer(_) => return None,
        };
        Some(TomlSpanned::new(span.start()..span.end(), value))
    }

    /// A one-line string without escapes and without the characters TOML forbids in it (nearly every
    /// value of a recipient file): its text between the quotes, which is what decoding gives, without
    /// the decoder's work per character. Anything else is left to the decoder.
    fn plain_string(&self, span: TokenSpan, encoding: Option<Encoding>) -> Option<&'a str> {
        let quote = match encoding? {
            Encoding::BasicString => b'"',
            Encoding::LiteralString => b'\'',
            Encoding::MlBasicString | Encoding::MlLiteralString => return None,
        };
        let raw = self.source.input().get(span.start()..span.end())?;
        let inner = raw.strip_prefix(quote as char)?.strip_suffix(quote as char)?;
        // Tab, and printable ASCII but the quote and (in a basic string) the backslash; any non-ASCII
        // byte is part of a valid UTF-8 character, since the text is a `str`. No early exit, so that the
        // compiler checks many bytes per instruction.
        let escape = if quote == b'"' { b'\\' } else { quote };
        let forbidden = inner
            .bytes()
            .fold(false, |found, b| found | ((b < 0x20 && b != b'\t') | (b == 0x7f) | (b == quote) | (b == escape)));
        (!forbidden).then_some(inner)
    }

    /// A bare key of the characters TOML allows in one (`A-Z a-z 0-9 _ -`): itself, which is what
    /// decoding gives. Anything else is left to the decoder.
    fn bare_key(&self, span: TokenSpan, encoding: Option<Encoding>) -> Option<&'a str> {
        let key = self.source.input().get(span.start()..span.end()).filter(|_| encoding.is_none())?;
        let bare = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        bare.then_some(key)
    }

    fn push_entry(&mut self, value: Value<'a>) {
        let (Some(key), Some(table)) = (self.key.take(), self.tables.last_mut()) else {
            return self.give_up();
        };
        // A repeated key is a syntax error, which the table reader reports.
        if table.entries.iter().any(|(k, _)| k.get_ref() == key.get_ref()) {
            return self.give_up();
        }
        table.entries.push((key, value));
        self.state = State::Table;
    }
}

impl EventReceiver for RecipientEvents<'_> {
    fn std_table_open(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) {
        self.give_up();
    }

    fn array_table_open(&mut self, span: TokenSpan, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Top | State::Table) {
            return self.give_up();
        }
        self.state = State::Header;
        self.header_start = span.start();
        self.header_key = None;
    }

    fn array_table_close(&mut self, span: TokenSpan, _error: &mut dyn ErrorSink) {
        if self.state != State::Header || self.header_key.as_deref() != Some("recipient") {
            return self.give_up();
        }
        self.tables.push(Table { header: self.header_start..span.end(), entries: Vec::with_capacity(16) });
        self.state = State::Table;
    }

    fn inline_table_open(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) -> bool {
        self.give_up();
        true
    }

    fn inline_table_close(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) {
        self.give_up();
    }

    fn array_open(&mut self, span: TokenSpan, _error: &mut dyn ErrorSink) -> bool {
        if self.state == State::Value {
            self.state = State::Array;
            self.array = Some((span.start(), DeArray::new()));
        } else {
            self.give_up();
        }
        true
    }

    fn array_close(&mut self, span: TokenSpan, _error: &mut dyn ErrorSink) {
        match (self.state, self.array.take()) {
            (State::Array, Some((start, items))) => {
                self.push_entry(TomlSpanned::new(start..span.end(), DeValue::Array(items)))
            }
            _ => self.give_up(),
        }
    }

    fn simple_key(&mut self, span: TokenSpan, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        let mut decoded = Cow::Borrowed("");
        let mut failed = false;
        match self.bare_key(span, encoding) {
            Some(key) => decoded = Cow::Borrowed(key),
            None => self.raw(span, encoding).decode_key(&mut decoded, &mut |_: ParseError| failed = true),
        }
        match self.state {
            _ if failed => self.give_up(),
            State::Header if self.header_key.is_none() => self.header_key = Some(decoded),
            State::Table => {
                self.key = Some(TomlSpanned::new(span.start()..span.end(), decoded));
                self.state = State::Key;
            }
            _ => self.give_up(),
        }
    }

    fn key_sep(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) {
        // A dotted key.
        self.give_up();
    }

    fn key_val_sep(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) {
        if self.state == State::Key {
            self.state = State::Value;
        } else {
            self.give_up();
        }
    }

    fn scalar(&mut self, span: TokenSpan, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        if !matches!(self.state, State::Value | State::Array) {
            return self.give_up();
        }
        let Some(value) = self.decode_scalar(span, encoding) else { return self.give_up() };
        match (self.state, &mut self.array) {
            (State::Array, Some((_, items))) => items.push(value),
            (State::Value, _) => self.push_entry(value),
            _ => self.give_up(),
        }
    }

    fn value_sep(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) {
        if self.state != State::Array {
            self.give_up();
        }
    }

    fn error(&mut self, _span: TokenSpan, _error: &mut dyn ErrorSink) {
        self.give_up();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Option<Vec<Vec<String>>> {
        let tables = parse_recipient_tables(text)?;
        Some(tables.iter().map(|t| t.entries.iter().map(|(k, _)| k.get_ref().to_string()).collect()).collect())
    }

    #[test]
    fn plain_recipient_files_are_read() {
        let text = "# people\n[[recipient]]\nname = \"a\" # x\ntype = 'UserMailbox'\nproxy_addresses = [\n  \"SMTP:a@x\", # one\n  \"smtp:b@x\",\n]\nprovisioned = 2025-01-01\n\n[[ \"recipient\" ]]\n\"name\" = \"b\\u00e9\"\nlicensed = true\n";
        assert_eq!(
            entries(text),
            Some(vec![
                vec!["name".into(), "type".into(), "proxy_addresses".into(), "provisioned".into()],
                vec!["name".into(), "licensed".into()],
            ])
        );
        assert_eq!(entries(""), Some(vec![]));
    }

    #[test]
    fn plain_strings_are_what_the_decoder_gives() {
        let raws = [
            r#""john.smith@contoso.com""#,
            r#""""#,
            r#""tab	here""#,
            "\"tab\there\"",
            r#""é ü""#,
            r#""a\b""#,
            r#""quote\"d""#,
            "\"del\u{7f}\"",
            "\"bell\u{7}\"",
            "'literal \\ backslash'",
            "'it''s'",
            "'tab\there'",
            "'del\u{7f}'",
        ];
        for raw in raws {
            let encoding = if raw.starts_with('"') { Encoding::BasicString } else { Encoding::LiteralString };
            let events = RecipientEvents::new(Source::new(raw));
            let span = TokenSpan::new_unchecked(0, raw.len());
            let mut decoded = Cow::Borrowed("");
            let mut failed = false;
            let _kind = Raw::new_unchecked(raw, Some(encoding), span)
                .decode_scalar(&mut decoded, &mut |_: ParseError| failed = true);
            let plain = ["john.smith@contoso.com", "", "é ü", "literal \\ backslash"];
            assert_eq!(
                events.plain_string(span, Some(encoding)).is_some(),
                plain.contains(&&raw[1..raw.len() - 1]) || raw.contains('\t'),
                "{raw:?}"
            );
            match events.plain_string(span, Some(encoding)) {
                Some(text) => assert!(!failed && text == decoded, "{raw:?}: {text:?} against {decoded:?}"),
                // Escapes and forbidden characters go to the decoder.
                None => assert!(failed || decoded != raw[1..raw.len() - 1], "{raw:?} is plain"),
            }
        }
    }

    #[test]
    fn other_shapes_are_left_to_the_table_reader() {
        for text in [
            "[tenant]\nname = \"x\"\n",
            "name = \"top-level\"\n",
            "[[email_address_policy]]\nname = \"p\"\n",
            "[[recipient]]\nallow = { schema = \"why\" }\n",
            "[[recipient]]\na.b = \"dotted\"\n",
            "[[recipient]]\nname = \"a\"\nname = \"b\"\n",
            "[[recipient]]\ncount = 3\n",
            "[[recipient]]\nproxy_addresses = [[\"nested\"]]\n",
            "[[recipient]]\nname = \"unterminated\n",
            "[[recipient]]\nname = \"a\" type = \"b\"\n",
            "[[recipient.x]]\nname = \"a\"\n",
            "[[recipient]]\nname = \"\\q\"\n",
            "[[recipient]]\n# \u{7}\n",
            "[[recipient]]\nnäme = \"a\"\n",
            "[[recipient]]\nna me = \"a\"\n",
            "[[recipient]]\nprovisioned = 2025-02-30\n",
        ] {
            assert!(parse_recipient_tables(text).is_none(), "{text:?}");
        }
    }
}
