//! Throughput of version parse + compare per scheme, and of range evaluation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medsec_core::advisory::{Point, RangeState, VersionRange, VersionScheme};
use medsec_match::{Scheme, evaluate};

#[path = "../tests/common/mod.rs"]
mod common;

const PAIRS: usize = 1024;

fn pairs(scheme: Scheme) -> Vec<(String, String)> {
    let mut r = common::Rng(0xbe9c_0000 ^ scheme as u64);
    let mut out = Vec::with_capacity(PAIRS);
    while out.len() < PAIRS {
        let a = common::generate(scheme, &mut r);
        let b = common::neighbour(scheme, &a, &mut r, &mut |r| common::generate(scheme, r));
        if scheme.parse(&a).is_ok() && scheme.parse(&b).is_ok() {
            out.push((a, b));
        }
    }
    out
}

fn parse_compare(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_compare");
    g.throughput(Throughput::Elements(PAIRS as u64));
    for scheme in Scheme::ALL {
        let ps = pairs(scheme);
        g.bench_function(scheme.name(), |b| {
            b.iter(|| {
                let mut less = 0usize;
                for (x, y) in &ps {
                    if scheme.compare(black_box(x), black_box(y)).unwrap().is_lt() {
                        less += 1;
                    }
                }
                less
            })
        });
    }
    g.finish();
}

fn ranges(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluate");
    // An OSV PyPI range of two introduced/fixed pairs, as in PYSEC-2024-69.
    let osv = VersionRange::new(VersionScheme::Ecosystem("PyPI".into()))
        .with_event(Point::At("5.0".into()), RangeState::Affected)
        .with_event(Point::At("5.0.8".into()), RangeState::Unaffected)
        .with_event(Point::At("4.2".into()), RangeState::Affected)
        .with_event(Point::At("4.2.15".into()), RangeState::Unaffected);
    // An NVD cpeMatch bound pair in the generic order.
    let nvd = VersionRange::new(VersionScheme::Generic)
        .with_event(Point::At("2.13.0".into()), RangeState::Affected)
        .with_event(Point::At("2.15.0".into()), RangeState::Outside);
    let versions = ["4.1.13", "4.2.14", "5.0.7", "5.1"];
    let nvd_versions = ["2.12.1", "2.14.1", "2.17.1", "1.2.17"];
    g.throughput(Throughput::Elements(versions.len() as u64));
    g.bench_function("osv_pypi_4_events", |b| {
        b.iter(|| {
            versions
                .iter()
                .filter(|v| evaluate(black_box(&osv), v).state == RangeState::Affected)
                .count()
        })
    });
    g.bench_function("nvd_generic_2_events", |b| {
        b.iter(|| {
            nvd_versions
                .iter()
                .filter(|v| evaluate(black_box(&nvd), v).state == RangeState::Affected)
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, parse_compare, ranges);
criterion_main!(benches);
