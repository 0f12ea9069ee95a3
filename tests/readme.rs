//! Every command the README shows is run: the two set-up commands literally, in a fresh clone (in CI, where
//! the time for a second build is there), and every `hybridlint` command, literally where it is concrete
//! and with the stated values where the README shows a placeholder. A README command that no entry here
//! runs fails the test, so a new one cannot be added without being tried.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Command lines in fenced blocks (and `run:` steps of YAML blocks), without comments and without the
/// description column of the command list.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    // A command continued on the next line (` \`) is one command.
    let mut joined = String::new();
    for line in readme.lines() {
        match joined.strip_suffix(" \\\n") {
            Some(continued) => {
                joined = format!("{continued} {}\n", line.trim_start());
            }
            None => {
                joined.push_str(line);
                joined.push('\n');
            }
        }
    }
    for line in joined.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let mut line = line.trim().trim_start_matches("- ").trim_start_matches("run: ").trim().to_string();
        if !(line.starts_with("cargo ") || line.starts_with("hybridlint ")) {
            continue;
        }
        if let Some(at) = line.find("  ") {
            line.truncate(at); // the description column, or a comment after spaces
        }
        if let Some(at) = line.find(" #") {
            line.truncate(at);
        }
        commands.push(line.trim().to_string());
    }
    commands
}

/// How each README command is run: the concrete command (in a copy of the repository's `examples/`), and
/// the exit code it must give. Placeholders (`NAME`, `path/to/your/repository`, `export.csv`, the base
/// branch of a pull request) get the values on the right.
const RUNS: &[(&str, &str, i32)] = &[
    (
        "hybridlint import --on-premises get-recipient.csv get-remotemailbox.csv get-user.csv --cloud exo-get-recipient.csv exo-get-mailbox.json --out fabrikam-recipients",
        "hybridlint import --on-premises import/ps51-get-recipient-expanded-newline.csv import/get-remotemailbox.csv import/get-user.csv --cloud import/exo-get-recipient.csv import/exo-get-mailbox.json --out fabrikam-recipients",
        0,
    ),
    (
        "hybridlint import [FILE...] [--on-premises FILE...] [--cloud FILE...] --out DIR",
        "hybridlint import import/onprem.ldf --out imported-any",
        0,
    ),
    ("hybridlint check path/to/your/repository", "hybridlint check examples/clean", 0),
    (
        "hybridlint import --from csv export.csv --out contoso-recipients",
        "hybridlint import --from csv examples/exports/recipients-ps7.csv --out imported-csv",
        0,
    ),
    (
        "hybridlint import --from json export.json --out contoso-recipients",
        "hybridlint import --from json examples/exports/recipients.json --out imported-json",
        0,
    ),
    (
        "hybridlint import --from ldif export.ldf --out contoso-recipients",
        "hybridlint import --from ldif examples/exports/recipients.ldf --out imported-ldif",
        0,
    ),
    (
        "hybridlint check --write-baseline hybridlint-baseline.json",
        "hybridlint check examples/contoso --write-baseline hybridlint-baseline.json",
        0,
    ),
    (
        "hybridlint check --baseline hybridlint-baseline.json",
        "hybridlint check examples/contoso --baseline hybridlint-baseline.json",
        0,
    ),
    (
        "hybridlint check --new-from-rev origin/${{ github.base_ref }} --format github --format sarif:hybridlint.sarif",
        "hybridlint check examples/contoso --new-from-rev HEAD --format github --format sarif:hybridlint.sarif",
        0,
    ),
    (
        "hybridlint check --format github --format sarif:hybridlint.sarif",
        "hybridlint check examples/clean --format github --format sarif:hybridlint.sarif",
        0,
    ),
    ("hybridlint check [PATH...]", "hybridlint check examples/contoso", 1),
    ("hybridlint diff [REV] [PATH]", "hybridlint diff HEAD examples/contoso", 0),
    (
        "hybridlint diff origin/${{ github.base_ref }} --exit-zero --format human --format markdown:hybridlint-diff.md",
        "hybridlint diff HEAD examples/contoso --exit-zero --format human --format markdown:hybridlint-diff.md",
        0,
    ),
    ("hybridlint rules [--format json]", "hybridlint rules --format json", 0),
    ("hybridlint explain RULE", "hybridlint explain soft-match", 0),
    (
        "hybridlint init --tenant NAME --domain DOMAIN [DIR]",
        "hybridlint init --tenant fabrikam --domain fabrikam.com new-repository",
        0,
    ),
    ("hybridlint test-rules DIR", "hybridlint test-rules examples/contoso/rule-tests", 0),
    ("hybridlint batch NAME", "hybridlint batch wave-3-sales --path examples/contoso", 0),
    (
        "hybridlint import --from csv|json|ldif FILE... --out DIR",
        "hybridlint import --from csv examples/exports/recipients-ps51.csv --out imported-ps51",
        0,
    ),
    ("hybridlint schema", "hybridlint schema", 0),
    ("hybridlint addresses NAME", "hybridlint addresses jsmith2 --path examples/contoso", 0),
    ("hybridlint sync-preview [NAME...]", "hybridlint sync-preview --path examples/contoso", 0),
    ("hybridlint addresses jsmith2 --path examples/contoso", "hybridlint addresses jsmith2 --path examples/contoso", 0),
    (
        "hybridlint batch wave-3-sales --path examples/contoso",
        "hybridlint batch wave-3-sales --path examples/contoso",
        0,
    ),
    (
        "hybridlint import --from csv examples/exports/recipients-ps7.csv --out /tmp/contoso-imported",
        "hybridlint import --from csv examples/exports/recipients-ps7.csv --out contoso-imported",
        0,
    ),
    (
        "hybridlint check /tmp/contoso-imported --today 2026-11-22",
        "hybridlint check contoso-imported --today 2026-11-22",
        1,
    ),
];

/// Set-up commands, run in a fresh clone in CI: `(README command, what is run, exit code)`. `{clone}` is the
/// fresh clone, `{root}` a directory to install into (never this machine's PATH).
const SET_UP: &[(&str, &str, i32)] = &[
    ("cargo run --release -- check examples/contoso", "cargo run --release -- check examples/contoso", 1),
    ("cargo test --features dev", "cargo test --features dev", 0),
    ("cargo install --path .", "cargo install --path . --root {root}", 0),
    (
        "cargo install --locked --git \"${{ vars.HYBRIDLINT_GIT }}\" hybridlint",
        "cargo install --locked --git file://{clone} hybridlint --root {root}",
        0,
    ),
];

fn documents() -> Vec<(PathBuf, Vec<String>)> {
    ["README.md", "examples/contoso/README.md", "examples/exports/README.md"]
        .iter()
        .map(|p| {
            let path = manifest_dir().join(p);
            let text = std::fs::read_to_string(&path).unwrap();
            (path, readme_commands(&text))
        })
        .collect()
}

#[test]
fn every_readme_command_has_a_run() {
    for (path, commands) in documents() {
        assert!(!commands.is_empty(), "{}: no commands found", path.display());
        for command in commands {
            let known = RUNS.iter().any(|(shown, _, _)| *shown == command)
                || SET_UP.iter().any(|(shown, _, _)| *shown == command);
            assert!(known, "{}: `{command}` is run by no test; add it to RUNS or SET_UP", path.display());
        }
    }
}

/// A git repository holding a copy of `examples/` and of the import fixtures as `import/` (some commands
/// compare with HEAD).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sources = [
        (manifest_dir().join("examples"), PathBuf::from("examples")),
        (manifest_dir().join("tests/fixtures/import"), PathBuf::from("import")),
    ];
    for entry in sources.iter().flat_map(|(from, to)| {
        walkdir::WalkDir::new(from).into_iter().map(move |e| (e.unwrap(), from.clone(), to.clone()))
    }) {
        let (entry, from, to) = entry;
        let relative = to.join(entry.path().strip_prefix(&from).unwrap());
        let target = dir.path().join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    common::git(dir.path(), &["init", "-q", "-b", "main"]);
    common::git(dir.path(), &["add", "-A"]);
    common::git(dir.path(), &["commit", "-q", "-m", "examples"]);
    dir
}

#[test]
fn every_hybridlint_command_of_the_readme_works() {
    let dir = workspace();
    for (shown, run, expected) in RUNS {
        let words: Vec<&str> = run.split_whitespace().collect();
        assert_eq!(words[0], "hybridlint");
        let output =
            Command::cargo_bin("hybridlint").unwrap().current_dir(dir.path()).args(&words[1..]).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(*expected),
            "`{run}` (for the README's `{shown}`):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The README's set-up commands, literally, in a fresh clone: CI only (it builds the project twice more),
/// and not inside itself (the clone's `cargo test` runs this test too).
#[test]
fn setup_commands_work_in_a_fresh_clone() {
    if std::env::var_os("CI").is_none() || std::env::var_os("HYBRIDLINT_README_CLONE").is_some() {
        eprintln!("skipped: set CI=true to build a fresh clone");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    let status = Process::new("git").arg("clone").arg("-q").arg(manifest_dir()).arg(&clone).status().unwrap();
    assert!(status.success());
    let root = dir.path().join("installed");
    for (shown, run, expected) in SET_UP {
        let command = run.replace("{clone}", &clone.to_string_lossy()).replace("{root}", &root.to_string_lossy());
        let mut words = command.split_whitespace();
        let program = words.next().unwrap();
        let output =
            Process::new(program).current_dir(&clone).args(words).env("HYBRIDLINT_README_CLONE", "1").output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(*expected),
            "`{command}` (the README's `{shown}`) in a fresh clone:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let installed: Vec<String> = std::fs::read_dir(root.join("bin"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(installed, ["hybridlint"], "cargo install installs hybridlint alone");
}
