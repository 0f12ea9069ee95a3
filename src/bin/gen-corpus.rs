//! `cargo run --release --bin gen-corpus -- --recipients N --out DIR [--seed S] [--problems K]`:
//! writes a realistic repository of N recipients for benchmarks.

use std::path::PathBuf;

use clap::Parser;
use hybridlint::dev::corpus::{CorpusOptions, generate};

#[derive(Parser)]
#[command(about = "Generate a realistic hybridlint repository for benchmarks")]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    recipients: usize,
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Problems planted per rule family
    #[arg(long, default_value_t = 5)]
    problems: usize,
    #[arg(long, default_value_t = 1_000)]
    per_file: usize,
}

fn main() {
    let args = Args::parse();
    let options = CorpusOptions {
        recipients: args.recipients,
        seed: args.seed,
        problems: args.problems,
        per_file: args.per_file,
    };
    let mut bytes = 0;
    for (path, text) in generate(&options) {
        let path = args.out.join(path);
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            eprintln!("gen-corpus: cannot create {}: {e}", parent.display());
            std::process::exit(2);
        }
        if let Err(e) = std::fs::write(&path, &text) {
            eprintln!("gen-corpus: cannot write {}: {e}", path.display());
            std::process::exit(2);
        }
        bytes += text.len();
    }
    eprintln!("gen-corpus: {} recipients, {bytes} bytes, in {}", args.recipients, args.out.display());
}
