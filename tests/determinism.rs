//! Property tests: for generated repositories, the report is byte-identical across runs, file creation
//! orders and thread counts; `check` never writes to the linted tree; and findings in one file do not
//! change when an unrelated file is added.

use std::path::Path;

use hybridlint::render::{Format, RenderOptions, render};
use proptest::prelude::*;

const TYPES: &[&str] =
    &["UserMailbox", "RemoteUserMailbox", "SharedMailbox", "MailUser", "MailContact", "MailUniversalDistributionGroup"];

/// One recipient's TOML from a few small pools, so that duplicates and collisions happen.
fn recipient() -> impl Strategy<Value = String> {
    (0..12u8, 0..TYPES.len(), 0..8u8, 0..8u8, any::<bool>()).prop_map(|(name, kind, primary, secondary, remote_ok)| {
        let kind = TYPES[kind];
        let mut text = format!("[[recipient]]\nname = \"r{name}\"\ntype = \"{kind}\"\nalias = \"a{}\"\n", name % 7);
        if matches!(kind, "UserMailbox" | "RemoteUserMailbox" | "SharedMailbox" | "MailUser") {
            text.push_str(&format!("upn = \"u{}@contoso.com\"\n", name % 9));
        }
        if kind == "RemoteUserMailbox" {
            let domain = if remote_ok { "contoso.mail.onmicrosoft.com" } else { "contoso.onmicrosoft.com" };
            text.push_str(&format!(
                "remote_routing_address = \"r{name}@{domain}\"\nlicensed = {remote_ok}\nprovisioned = 2026-0{}-01\n",
                1 + primary % 9
            ));
        }
        if matches!(kind, "MailUser" | "MailContact") {
            text.push_str(&format!("external_email_address = \"e{secondary}@partner.example\"\n"));
        }
        text.push_str(&format!(
            "proxy_addresses = [\"SMTP:p{primary}@contoso.com\", \"smtp:s{secondary}@contoso.com\"]\n\n"
        ));
        text
    })
}

fn repository() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::collection::vec(recipient(), 0..6).prop_map(|r| r.concat()), 1..5)
}

fn write_repository(dir: &Path, files: &[String], order: &[usize]) {
    std::fs::write(
        dir.join("hybridlint.toml"),
        "[tenant]\nname = \"contoso\"\naccepted_domains = [\"contoso.com\"]\n[lint]\ntoday = 2026-11-22\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("recipients")).unwrap();
    for &i in order {
        std::fs::write(dir.join(format!("recipients/f{i}.toml")), &files[i]).unwrap();
    }
}

fn report_json(dir: &Path) -> String {
    let root = hybridlint::source::discover::find_root(dir, None).unwrap();
    let report =
        hybridlint::check(&root, hybridlint::Options { root_config: root.config_name(), ..Default::default() })
            .unwrap();
    render(Format::Json, &report, &RenderOptions { root: ".".into(), show_suppressed: true, ..Default::default() })
}

fn tree_snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_report_does_not_depend_on_order_threads_or_runs(files in repository(), seed in any::<u64>()) {
        let forward: Vec<usize> = (0..files.len()).collect();
        let mut shuffled = forward.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut shuffled);
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write_repository(a.path(), &files, &forward);
        write_repository(b.path(), &files, &shuffled);

        let before = tree_snapshot(a.path());
        let first = report_json(a.path());
        prop_assert_eq!(&first, &report_json(a.path()), "two runs differ");
        prop_assert_eq!(&first, &report_json(b.path()), "file creation order changed the report");
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let with_threads = pool.install(|| report_json(a.path()));
            prop_assert_eq!(&first, &with_threads, "{} thread(s) changed the report", threads);
        }
        prop_assert_eq!(before, tree_snapshot(a.path()), "check wrote to the linted tree");
    }

    #[test]
    fn an_unrelated_file_does_not_change_other_findings(files in repository()) {
        let dir = tempfile::tempdir().unwrap();
        let order: Vec<usize> = (0..files.len()).collect();
        write_repository(dir.path(), &files, &order);
        let findings = |json: &str| -> Vec<serde_json::Value> {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            value["diagnostics"].as_array().unwrap().iter().filter(|d| d["file"] != "recipients/zz-unrelated.toml").cloned().collect()
        };
        let before = findings(&report_json(dir.path()));
        // Names, aliases, UPNs and addresses no generated recipient uses.
        std::fs::write(
            dir.path().join("recipients/zz-unrelated.toml"),
            "[[recipient]]\nname = \"unrelated\"\ntype = \"MailContact\"\nalias = \"unrelated\"\nexternal_email_address = \"unrelated@elsewhere.example\"\nbogus_key = 1\n",
        ).unwrap();
        let after = findings(&report_json(dir.path()));
        prop_assert_eq!(before, after);
    }
}
