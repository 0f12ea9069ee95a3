//! Micro-benchmarks of the hot functions (`cargo bench`); whole-run figures come from `bench/run.py`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hybridlint::dev::corpus::{CorpusOptions, generate};
use hybridlint::source::{SourceFile, SourceFiles};

fn corpus(recipients: usize) -> SourceFiles {
    let options = CorpusOptions { recipients, ..CorpusOptions::default() };
    SourceFiles::new(generate(&options).into_iter().map(|(p, t)| SourceFile::from_bytes(p, t.into_bytes())).collect())
}

fn addresses(c: &mut Criterion) {
    c.bench_function("check_proxy_address", |b| {
        b.iter(|| {
            hybridlint::model::address::check_proxy_address(black_box("smtp:john.smith+news@sales.contoso.co.uk"))
        })
    });
    let template = hybridlint::analysis::policy::template::parse("SMTP:%1g%s@contoso.com").unwrap();
    let names = hybridlint::analysis::policy::template::Names {
        given_name: Some("Jürgen"),
        surname: Some("Müller"),
        ..Default::default()
    };
    c.bench_function("template expand", |b| {
        b.iter(|| hybridlint::analysis::policy::template::expand(black_box(&template), &names))
    });
}

fn pipeline(c: &mut Criterion) {
    let files = corpus(10_000);
    let options = hybridlint::Options { root_config: "hybridlint.toml".into(), ..Default::default() };
    let mut group = c.benchmark_group("10k recipients");
    group.sample_size(10);
    group.bench_function("parse and build the model", |b| {
        b.iter(|| hybridlint::schema::build::build_model(black_box(&files), "hybridlint.toml").0.recipients.len())
    });
    group.bench_function("analysis (model, addresses, pairs, cloud view)", |b| {
        b.iter(|| {
            let (model, _) = hybridlint::build_model(&files, &options);
            hybridlint::analysis::Analysis::new(&model, None, &options.timings).cloud.objects.len()
        })
    });
    group.finish();
}

criterion_group!(benches, addresses, pipeline);
criterion_main!(benches);
