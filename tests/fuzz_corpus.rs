//! Every saved fuzz input (seeds, and any input that once crashed) goes through its target's entry point,
//! which fails on a panic and on an internal error (a rule family that panicked and was contained).

use std::path::Path;

#[test]
fn fuzz_corpora_run_clean() {
    // Every saved fuzz input (seeds, and any input that once crashed) goes through its target's entry.
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    type Entry = fn(&[u8]);
    let targets: [(&str, Entry); 4] = [
        ("check", hybridlint::dev::fuzzing::check),
        ("template", hybridlint::dev::fuzzing::template),
        ("filter", hybridlint::dev::fuzzing::filter),
        ("import", hybridlint::dev::fuzzing::import),
    ];
    for (target, entry) in targets {
        let mut count = 0;
        for file in std::fs::read_dir(corpora.join(target)).unwrap() {
            let path = file.unwrap().path();
            entry(&std::fs::read(&path).unwrap());
            count += 1;
        }
        assert!(count > 0, "no corpus for `{target}`");
    }
}

/// The event reader of recipient files builds what the table reader builds from every fixture of the
/// repository, findings included; and it does read the plain recipient files among them (so that the
/// agreement is not the event reader declining everything).
#[test]
fn event_reader_agrees_with_the_table_reader_on_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for directory in ["tests/fixtures", "examples", "fuzz/corpus/check"] {
        for entry in walkdir::WalkDir::new(root.join(directory)).sort_by_file_name() {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            for piece in text.split('\0') {
                if let Err(difference) = hybridlint::schema::build::readers_agree(piece) {
                    panic!("{}: {difference}", entry.path().display());
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} files checked");
    let plain = std::fs::read_to_string(root.join("examples/contoso/recipients/sales.toml"))
        .expect("the example's recipient file");
    assert!(hybridlint::schema::build::reads_with_events(&plain), "the example's recipients took the table reader");
}
