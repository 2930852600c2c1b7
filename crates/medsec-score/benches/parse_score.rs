//! Parse-and-score throughput over pre-generated, varied vectors (issue 3 targets:
//! ≥5 M v3.1 and ≥1 M v4.0 operations per second on one core).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medsec_score::{MetricDef, parse, v3, v4};
use std::hint::black_box;

/// Deterministic varied vectors: all mandatory metrics, each optional one half the time.
fn vectors(prefix: &str, defs: &[MetricDef], n: usize) -> Vec<String> {
    let mut state = 0x5eed_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..n)
        .map(|_| {
            let mut parts: Vec<String> = Vec::new();
            for d in defs {
                if d.mandatory || next() % 2 == 0 {
                    let v = d.values[next() % d.values.len()];
                    parts.push(format!("{}:{}", d.abbr, v.abbr));
                }
            }
            format!("{prefix}{}", parts.join("/"))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    const N: usize = 4096;
    let mut g = c.benchmark_group("parse_and_score");
    for (name, vs) in [
        ("v3.1", vectors("CVSS:3.1/", &v3::METRICS, N)),
        ("v4.0", vectors("CVSS:4.0/", &v4::METRICS, N)),
    ] {
        g.throughput(Throughput::Elements(N as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut acc = 0u32;
                for v in &vs {
                    if let Ok(p) = parse(black_box(v)) {
                        acc += u32::from(p.score().overall.score.tenths());
                    }
                }
                black_box(acc)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
