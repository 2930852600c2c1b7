//! Threats and FMEA register of a generated 5,000-element / 20,000-flow model
//! (issue 5: under 1 s). `cargo bench -p medsec-threat --bench threats_fmea`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use medsec_threat::{Catalogue, Policy, engine, fmea, synthetic};

fn threats_and_fmea(c: &mut Criterion) {
    let catalogue = Catalogue::builtin().unwrap();
    let policy = Policy::default_policy().unwrap();
    let device = synthetic::device(5_000, 20_000, 42);
    {
        let model = engine::analyse_device(&device, &catalogue);
        let register = fmea::register(&model, &policy);
        eprintln!(
            "synthetic model: {} elements, {} flows -> {} threats, {} FMEA rows",
            device.elements.len(),
            device.flows.len(),
            model.threats.len(),
            register.rows.len()
        );
    }
    let mut group = c.benchmark_group("threats_fmea");
    group.sample_size(10);
    group.bench_function("5000_elements_20000_flows", |b| {
        b.iter(|| {
            let model = engine::analyse_device(&device, &catalogue);
            let register = fmea::register(&model, &policy);
            std::hint::black_box(register.rows.len())
        })
    });
    group.finish();
}

criterion_group!(benches, threats_and_fmea);
criterion_main!(benches);
