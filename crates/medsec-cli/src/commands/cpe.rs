use medsec_core::cpe::{Attribute, Cpe};
use serde::Serialize;

use super::input_error::ArgumentError;
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Parse CPE names (2.3 formatted string `cpe:2.3:…` or URI `cpe:/…`) and print both
/// bindings, the well-formed name and each attribute. With `--against`, also the
/// NISTIR 7696 relation of each name to that one.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CPE names.
    #[arg(required = true)]
    pub cpes: Vec<String>,
    /// Compare each name (as source) with this one (as target).
    #[arg(long)]
    pub against: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct Parsed {
    input: String,
    formatted_string: String,
    uri: String,
    wfn: String,
    attributes: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<String>,
}

fn parse(input: &str) -> Result<Cpe, Box<ArgumentError>> {
    let result = if input.starts_with("cpe:/") {
        Cpe::from_uri(input)
    } else {
        Cpe::from_formatted_string(input)
    };
    result.map_err(|error| {
        Box::new(
            ArgumentError::new(
                "medsec::cpe::invalid",
                input,
                error.offset,
                error.to_string(),
            )
            .with_help("a CPE 2.3 name looks like cpe:2.3:a:VENDOR:PRODUCT:VERSION:*:*:*:*:*:*:*"),
        )
    })
}

pub fn run(args: Args) -> miette::Result<u8> {
    let target = match args.against.as_deref().map(parse).transpose() {
        Ok(target) => target,
        Err(report) => {
            eprintln!("{:?}", miette::Report::new(*report));
            return Ok(exit::BAD_INPUT);
        }
    };
    let mut failed = false;
    let mut parsed = Vec::new();
    for input in &args.cpes {
        match parse(input) {
            Ok(cpe) => parsed.push(Parsed {
                input: input.clone(),
                formatted_string: cpe.to_formatted_string(),
                uri: cpe.to_uri(),
                wfn: cpe.to_wfn_string(),
                attributes: Attribute::ALL
                    .iter()
                    .map(|a| (a.name().to_owned(), cpe.get(*a).to_string()))
                    .collect(),
                relation: target.as_ref().map(|t| relation(&cpe, t)),
            }),
            Err(report) => {
                failed = true;
                eprintln!("{:?}", miette::Report::new(*report));
            }
        }
    }
    match args.format {
        Format::Json => print_json(&parsed)?,
        Format::Table | Format::Markdown => {
            let mut text = String::new();
            for cpe in &parsed {
                let mut rows = Rows::new(["item", "value"]);
                rows.push(["formatted string", &cpe.formatted_string]);
                rows.push(["URI", &cpe.uri]);
                rows.push(["WFN", &cpe.wfn]);
                for (name, value) in &cpe.attributes {
                    rows.push([name, value]);
                }
                if let Some(relation) = &cpe.relation {
                    rows.push(["relation to --against", relation]);
                }
                text.push_str(&if args.format == Format::Table {
                    rows.to_table()
                } else {
                    rows.to_markdown()
                });
                text.push('\n');
            }
            if !text.is_empty() {
                print(&text).map_err(crate::output::io_error)?;
            }
        }
    }
    Ok(if failed { exit::BAD_INPUT } else { exit::OK })
}

/// The name-level relation of NISTIR 7696 §6.2, in words.
fn relation(source: &Cpe, target: &Cpe) -> String {
    if source.is_equal_to(target) {
        "equal".into()
    } else if source.is_superset_of(target) {
        "superset".into()
    } else if source.is_subset_of(target) {
        "subset".into()
    } else if source.is_disjoint_from(target) {
        "disjoint".into()
    } else {
        "undefined (overlapping or wildcards in the target)".into()
    }
}
