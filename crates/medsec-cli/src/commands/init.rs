use std::path::PathBuf;

use medsec_device::templates::{TEMPLATES, find};
use miette::{IntoDiagnostic, bail};

use crate::exit;
use crate::output::print;

/// Write a commented starting device.yaml from a template.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Template to start from (see --list).
    #[arg(long, short, default_value = "minimal")]
    pub template: String,
    /// Where to write it.
    #[arg(long, short, default_value = "device.yaml")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
    /// List the templates and exit.
    #[arg(long)]
    pub list: bool,
}

pub fn run(args: Args) -> miette::Result<u8> {
    if args.list {
        let mut text = String::new();
        for template in TEMPLATES {
            text.push_str(&format!("{:<20} {}\n", template.name, template.description));
        }
        print(&text).map_err(crate::output::io_error)?;
        return Ok(exit::OK);
    }
    let Some(template) = find(&args.template) else {
        let names: Vec<&str> = TEMPLATES.iter().map(|t| t.name).collect();
        bail!(
            "no template named '{}'; templates: {}",
            args.template,
            names.join(", ")
        );
    };
    if args.output.exists() && !args.force {
        bail!(
            "{} exists already; use --force to overwrite it",
            args.output.display()
        );
    }
    std::fs::write(&args.output, template.text).into_diagnostic()?;
    tracing::info!(path = %args.output.display(), template = template.name, "wrote");
    eprintln!(
        "wrote {} from template '{}'; edit it, then run: medsec check {}",
        args.output.display(),
        template.name,
        args.output.display()
    );
    Ok(exit::OK)
}
