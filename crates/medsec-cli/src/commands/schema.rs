use clap::ValueEnum;

use crate::exit;
use crate::output::print_json;

/// Print a JSON Schema. Save it beside your device files and point your editor at it
/// (a `# yaml-language-server: $schema=device.schema.json` first line does it for
/// editors that use the YAML language server).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which schema.
    pub which: Which,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Which {
    /// The device description (device.yaml).
    Device,
}

pub fn run(args: Args) -> miette::Result<u8> {
    match args.which {
        Which::Device => print_json(&medsec_device::schema::device_schema())?,
    }
    Ok(exit::OK)
}
