//! Times one reader on one file, for profiling (`perf record`, callgrind) without criterion:
//! `cargo run --release -p medsec-formats --example time_read -- sbom|advisory|value FILE [N]`
//! (`sbom+value`: the two in turn).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(kind), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: time_read sbom|advisory|value|sbom+value FILE [N]".into());
    };
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let bytes = std::fs::read(&path)?;
    // `sbom+value`: the SBOM reader and a `Value` parse in turn, as the bench's summary
    // runs them (each leaves the allocator in a state that the other meets).
    let kinds: Vec<&str> = kind.split('+').collect();
    for round in 0..n {
        let kind = kinds[round % kinds.len()];
        let start = Instant::now();
        let items = match kind {
            "sbom" => {
                let reading = medsec_formats::sbom::read(&bytes)?;
                let read = start.elapsed().as_secs_f64();
                if let Some(w) = reading.warnings.first() {
                    println!("{} warnings, first: {w}", reading.warnings.len());
                }
                let n = reading.sbom.components.len();
                let dropping = Instant::now();
                drop(reading);
                println!(
                    "  read {read:.3} s, drop of the reading {:.3} s",
                    dropping.elapsed().as_secs_f64()
                );
                n
            }
            "advisory" => {
                let document = medsec_formats::advisory::read(&bytes, &Default::default())?;
                if let Some(w) = document.warnings.first() {
                    println!("{} warnings, first: {w:?}", document.warnings.len());
                }
                document.advisories.len()
            }
            _ => usize::from(serde_json::from_slice::<serde_json::Value>(&bytes)?.is_object()),
        };
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{kind}: {items} items, {:.3} s, {:.1} MB/s",
            secs,
            bytes.len() as f64 / 1e6 / secs
        );
    }
    Ok(())
}
