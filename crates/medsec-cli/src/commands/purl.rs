use std::collections::BTreeMap;

use medsec_core::Purl;
use serde::Serialize;

use super::input_error::ArgumentError;
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Parse package URLs and print their normalised form and parts. Invalid ones are
/// reported with the offending place; the exit code is then 2.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Package URLs, e.g. pkg:npm/%40angular/core@16.2.0
    #[arg(required = true)]
    pub purls: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct Parsed<'a> {
    input: &'a str,
    purl: String,
    #[serde(rename = "type")]
    ty: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    version: Option<&'a str>,
    qualifiers: &'a BTreeMap<String, String>,
    subpath: Option<&'a str>,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let mut parsed = Vec::new();
    let mut failed = false;
    for input in &args.purls {
        match input.parse::<Purl>() {
            Ok(purl) => parsed.push((input.as_str(), purl)),
            Err(error) => {
                failed = true;
                let report = ArgumentError::new(
                    "medsec::purl::invalid",
                    input,
                    error.offset,
                    error.to_string(),
                )
                .with_help("a purl looks like pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH");
                eprintln!("{:?}", miette::Report::new(report));
            }
        }
    }
    let views: Vec<Parsed<'_>> = parsed
        .iter()
        .map(|(input, purl)| Parsed {
            input,
            purl: purl.to_string(),
            ty: purl.ty(),
            namespace: purl.namespace(),
            name: purl.name(),
            version: purl.version(),
            qualifiers: purl.qualifiers(),
            subpath: purl.subpath(),
        })
        .collect();
    match args.format {
        Format::Json => print_json(&views)?,
        Format::Table | Format::Markdown => {
            let mut rows = Rows::new([
                "normalised",
                "type",
                "namespace",
                "name",
                "version",
                "qualifiers",
                "subpath",
            ]);
            for view in &views {
                let qualifiers: Vec<String> = view
                    .qualifiers
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                rows.push([
                    view.purl.clone(),
                    view.ty.to_owned(),
                    view.namespace.unwrap_or("").to_owned(),
                    view.name.to_owned(),
                    view.version.unwrap_or("").to_owned(),
                    qualifiers.join("&"),
                    view.subpath.unwrap_or("").to_owned(),
                ]);
            }
            if !views.is_empty() {
                let text = if args.format == Format::Table {
                    rows.to_table()
                } else {
                    rows.to_markdown()
                };
                print(&text).map_err(crate::output::io_error)?;
            }
        }
    }
    Ok(if failed { exit::BAD_INPUT } else { exit::OK })
}
