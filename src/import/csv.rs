//! CSV as `Export-Csv` writes it: Windows PowerShell 5.1 (UTF-16 LE with BOM or ASCII, a `#TYPE` line unless
//! `-NoTypeInformation`) and PowerShell 7 (UTF-8, no `#TYPE`), with the delimiter `-Delimiter` chose (`,`, or
//! `;` in many European locales). Columns are matched by property name, in any case.

use super::{Imported, Lines, Prop, Row, Skipped, key_for, set_value};

/// The delimiter of a header line: the most frequent of `,`, `;` and tab outside quotes.
fn delimiter(header: &str) -> u8 {
    let (mut counts, mut quoted) = ([0usize; 3], false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads a CSV export (`bytes` are the file's, for what the encoding says).
pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    read_text(&super::decode(bytes)?, bytes)
}

pub fn read_text(text: &str, bytes: &[u8]) -> Result<Imported, String> {
    // Windows PowerShell 5.1 without -NoTypeInformation (and PowerShell 7 with -IncludeTypeInformation)
    // starts with `#TYPE ...`.
    let (body, first_line) = match text.strip_prefix("#TYPE") {
        Some(rest) => (rest.split_once('\n').map_or("", |(_, body)| body), 2),
        None => (text, 1),
    };
    let header_line = body.lines().next().unwrap_or("");
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter(header_line)).flexible(false).from_reader(body.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| format!("cannot read the header line: {e}"))?.iter().map(String::from).collect();
    let keys: Vec<Option<&'static str>> = headers.iter().map(|h| key_for(h.trim())).collect();
    let missing: Vec<&str> = [("name", "Name"), ("type", "RecipientTypeDetails")]
        .iter()
        .filter(|(key, _)| !keys.contains(&Some(*key)))
        .map(|(_, column)| *column)
        .collect();
    if !missing.is_empty() {
        let mut message = format!("the CSV has no {} column", missing.join(" or "));
        if missing.contains(&"Name") && headers.iter().any(|h| h.eq_ignore_ascii_case("DisplayName")) {
            message.push_str(" (DisplayName is not the Name: add Name to the Select-Object list)");
        }
        return Err(message);
    }
    let lines = Lines::new(body, first_line);
    let mut imported = Imported {
        ignored: headers.iter().zip(&keys).filter(|(_, k)| k.is_none()).map(|(h, _)| h.clone()).collect(),
        ..Imported::default()
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(record_start(body, p.byte() as usize)));
                imported.skipped.push(Skipped::invalid(line, format!("not a valid CSV row: {e}")));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(0, |p| lines.line_of(record_start(body, p.byte() as usize)));
        let mut row = Row { line, ..Row::default() };
        let mut error = None;
        for ((key, header), cell) in keys.iter().zip(&headers).zip(record.iter()) {
            if let Some(key) = key
                && let Err(e) = set_value(&mut row, key, header, Prop::Text(cell.to_string()))
            {
                error = Some(e);
                break;
            }
        }
        imported.finish_row(line, row, error);
    }
    // Windows PowerShell 5.1's Export-Csv writes ASCII unless told otherwise: a letter outside ASCII becomes `?`.
    let has_bom =
        bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(b"\xEF\xBB\xBF");
    if !has_bom
        && text.is_ascii()
        && let Some(row) = imported.rows.iter().find(|r| r.str("name").is_some_and(question_mark_for_letter))
    {
        imported.notes.push(format!(
            "the file is ASCII and `{}` has `?` where a letter was: Windows PowerShell 5.1's Export-Csv writes ASCII \
             unless told otherwise; export again with `-Encoding Unicode` (or `-Encoding UTF8`)",
            row.str("name").unwrap_or_default()
        ));
    }
    Ok(imported)
}

/// Where a record's text starts: the csv crate's position can be on the line break that ends the previous
/// record (the `\n` of a CRLF).
fn record_start(body: &str, mut offset: usize) -> usize {
    let bytes = body.as_bytes();
    while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
        offset += 1;
    }
    offset
}

/// `Zo? Robinson`: a `?` between letters, or after one at the end of a word.
fn question_mark_for_letter(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        *c == '?'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_none_or(|n| n.is_alphabetic() || n.is_whitespace())
    })
}
