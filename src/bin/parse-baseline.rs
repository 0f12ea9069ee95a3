//! The parse-only baseline of the benchmarks: reads and parses every `*.toml` under a directory with the
//! `toml` crate alone (spanned tables, as hybridlint parses them), files in parallel on the same thread
//! pool, and nothing else.

use rayon::prelude::*;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: parse-baseline DIR");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    let tables: usize = paths
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let (table, _errors) = toml::de::DeTable::parse_recoverable(&text);
            table.get_ref().len()
        })
        .sum();
    println!("{} files, {tables} top-level keys", paths.len());
}
