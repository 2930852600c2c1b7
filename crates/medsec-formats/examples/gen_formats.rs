//! Writes the synthetic benchmark documents to files, for profiling the readers outside
//! criterion: `cargo run --release -p medsec-formats --example gen_formats -- DIR [MB]`.
//! The same generator feeds `benches/formats.rs`.

#[path = "../benches/synthetic/mod.rs"]
mod synthetic;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".to_owned()));
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("cdx-1.6.json"),
        synthetic::cyclonedx_json(mb << 20, 1),
    )?;
    std::fs::write(dir.join("nvd-page.json"), synthetic::nvd_page(mb << 20, 2))?;
    Ok(())
}
