//! CSV as `Get-Recipient | Select-Object ... | Export-Csv -NoTypeInformation` writes it (Windows
//! PowerShell 5.1: UTF-16 LE; PowerShell 7: UTF-8), columns matched by property name.

use super::{Imported, Skipped, convert, decode, key_for};

pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    let text = decode(bytes)?;
    // Windows PowerShell 5.1 without -NoTypeInformation starts with `#TYPE ...`.
    let text = match text.strip_prefix("#TYPE") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, body)| body).to_string(),
        None => text,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| format!("cannot read the header line: {e}"))?.iter().map(String::from).collect();
    if !headers.iter().any(|h| key_for(h) == Some("name")) || !headers.iter().any(|h| key_for(h) == Some("type")) {
        return Err("the CSV has no Name or RecipientTypeDetails column".into());
    }
    let mut imported =
        Imported { ignored: headers.iter().filter(|h| key_for(h).is_none()).cloned().collect(), ..Imported::default() };
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                imported.skipped.push(Skipped { line, reason: format!("not a valid CSV row: {e}") });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let properties = headers.iter().cloned().zip(record.iter().map(String::from));
        match convert(line, properties) {
            Ok(row) => imported.rows.push(row),
            Err(reason) => imported.skipped.push(Skipped { line, reason }),
        }
    }
    Ok(imported)
}
