use std::path::PathBuf;

use crate::exit;

/// Draw the data-flow diagram of a device: nested trust zones, elements by kind, flows
/// with their protocol, and the flows that cross a trust boundary unprotected marked.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    /// svg (a standalone drawing), mermaid (flowchart text) or dot (Graphviz).
    #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
    pub format: DiagramFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Leave out the per-element threat counts (drawn by default from the built-in rules).
    #[arg(long)]
    pub no_threats: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramFormat {
    Svg,
    Mermaid,
    Dot,
}

impl From<DiagramFormat> for medsec_diagram::Format {
    fn from(format: DiagramFormat) -> Self {
        match format {
            DiagramFormat::Svg => medsec_diagram::Format::Svg,
            DiagramFormat::Mermaid => medsec_diagram::Format::Mermaid,
            DiagramFormat::Dot => medsec_diagram::Format::Dot,
        }
    }
}

pub fn run(args: Args) -> miette::Result<u8> {
    let loaded = match super::load_device(&args.device)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    // Threats found on each element by the built-in rules (flows' threats are not
    // counted on their ends). With --no-threats the badges are left out.
    let mut counts = medsec_diagram::ThreatCounts::new();
    if !args.no_threats {
        let catalogue = medsec_threat::catalogue::Catalogue::builtin()
            .map_err(|e| miette::miette!("threat rules: {e}"))?;
        let model = medsec_threat::engine::analyse(&loaded, &catalogue);
        for threat in &model.threats {
            if let medsec_threat::engine::Target::Element(element) = &threat.target {
                *counts.entry(element.id.clone()).or_insert(0) += 1;
            }
        }
    }
    let text = medsec_diagram::render(&loaded.device, args.format.into(), &counts);
    match &args.out {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?,
        None => crate::output::print(&text).map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}
