//! `hybridlint explain` and `hybridlint rules`: the catalogue, with the repository's organisation rules.

use super::*;

/// The built-in catalogue and, when `path` is inside a repository, its organisation rules.
fn catalogue_with_repository(path: &Path) -> Vec<crate::catalogue::Entry> {
    let mut entries = crate::catalogue::builtin().to_vec();
    let Ok((files, options)) = read_repository(path, None, None) else { return entries };
    let (model, _) = crate::build_model(&files, &options);
    entries.extend(crate::rules::organisation::catalogue_entries(&model, &files));
    entries
}

pub(super) fn explain(rule: &str, path: &Path) -> i32 {
    let entries = catalogue_with_repository(path);
    let Some(entry) = entries.iter().find(|e| e.name == rule) else {
        let names = entries.iter().map(|e| e.name.as_str());
        return match crate::util::suggest::did_you_mean(rule, names) {
            Some(candidate) => fail(&format!("no rule named `{rule}`; did you mean `{candidate}`?")),
            None => fail(&format!("no rule named `{rule}`; `hybridlint rules` lists them")),
        };
    };
    let mut text = format!(
        "{}\n\n  {}\n\n  default severity: {}\n  category: {}\n\n{}\n",
        entry.name,
        entry.summary,
        entry.severity,
        entry.category,
        entry.explanation.trim_end()
    );
    if let Some(example) = &entry.example {
        text.push_str(&format!("\nExample:\n\n{}\n", indent(example.trim_end())));
    }
    text.push_str("\nSources:\n");
    for source in &entry.sources {
        text.push_str(&format!("  - {source}\n"));
    }
    write_stdout(&text)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("    {l}") }).collect::<Vec<_>>().join("\n")
}

pub(super) fn list_rules(format: ListFormat, path: &Path) -> i32 {
    let entries = &catalogue_with_repository(path);
    let text = match format {
        ListFormat::Json => {
            #[derive(serde::Serialize)]
            struct Row<'e> {
                name: &'e str,
                severity: Severity,
                category: &'e str,
                summary: &'e str,
            }
            let rules: Vec<Row<'_>> = entries
                .iter()
                .map(|e| Row { name: &e.name, severity: e.severity, category: &e.category, summary: &e.summary })
                .collect();
            let mut json = serde_json::to_string_pretty(&serde_json::json!({ "rules": rules })).unwrap_or_default();
            json.push('\n');
            json
        }
        ListFormat::Human => {
            let width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
            let mut text = String::new();
            let mut category = "";
            for e in entries {
                if e.category != category {
                    category = &e.category;
                    text.push_str(&format!("{}{category}\n", if text.is_empty() { "" } else { "\n" }));
                }
                text.push_str(&format!("  {:<width$}  {:<7}  {}\n", e.name, e.severity.as_str(), e.summary));
            }
            text
        }
    };
    write_stdout(&text)
}
