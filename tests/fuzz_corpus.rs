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
