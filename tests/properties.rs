//! Property tests on the stable toolchain, run by `cargo test`: the fuzz targets' entry points (which
//! check their own outputs: SARIF URIs, JUnit XML, no control characters in terminal output) over
//! generated hostile shapes the fuzzer reaches only slowly.

use hybridlint::dev::fuzzing;
use proptest::prelude::*;

const CONDITIONS: &[&str] = &[
    "Department -eq 'Sales'",
    "Company -like 'Fab*'",
    "-not (RecipientType -eq 'MailContact')",
    "CustomAttribute1 -ne $null",
    "(Department -like '*a*' -or Company -eq 'Contoso')",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Chains of thousands of conditions, mixed `-and`/`-or`: parsed and matched without deep recursion.
    #[test]
    fn long_filter_chains(picks in prop::collection::vec((0..CONDITIONS.len(), any::<bool>()), 1..6000)) {
        let mut filter = String::new();
        for (i, (condition, and)) in picks.iter().enumerate() {
            if i > 0 {
                filter.push_str(if *and { " -and " } else { " -or " });
            }
            filter.push_str(CONDITIONS[*condition]);
        }
        fuzzing::filter(filter.as_bytes());
    }

    /// Templates of many variables and `%r` replacements over long names: expansion stays bounded.
    #[test]
    fn large_templates(
        variables in prop::collection::vec(prop::sample::select(vec!["%g", "%s", "%i", "%d", "%m", "%3g", "%rab", "%r.-", "x", "."]), 1..3000),
        name_length in 0usize..20_000,
    ) {
        let template = format!("SMTP:{}@contoso.com", variables.concat());
        let name = "Ärger Zoë ".repeat(name_length / 10 + 1);
        let names = [name.as_str(); 5].join("\t");
        fuzzing::template(format!("{template}\n{names}\nAlice\tExample\tAE\tAlice Example\talice\n").as_bytes());
    }

    /// File names holding spaces, `#`, `?`, `%`, `:`, non-ASCII letters and control characters: the
    /// check runs, SARIF URIs decode back to the names, and terminal output escapes what it shows.
    #[test]
    fn hostile_file_names(names in prop::collection::vec("[a-z #?%:ü\\x07\\x1b\\t]{1,24}", 1..4)) {
        let mut data = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                data.push(0);
            }
            data.extend_from_slice(format!(
                "#path {name}\n[[recipient]]\nname = \"r{i}\"\ntype = \"UserMailbox\"\nalias = \"r{i}\"\nproxy_addresses = [\"SMTP:same@contoso.com\", \"bad\"]\n"
            ).as_bytes());
        }
        fuzzing::check(&data);
    }
}
