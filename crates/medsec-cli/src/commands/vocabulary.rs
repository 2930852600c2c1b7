use medsec_device::vocabulary::VocabularyKind;
use serde::Serialize;

use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// List the built-in terms of the controlled vocabularies. A device file may add its
/// own under `vocabulary:`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which vocabulary (all if omitted).
    #[arg(value_parser = ["categories", "functionalities", "technologies", "protocols"])]
    pub which: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct Entry {
    vocabulary: &'static str,
    id: &'static str,
    description: &'static str,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let kinds: Vec<VocabularyKind> = match args.which.as_deref().and_then(VocabularyKind::parse) {
        Some(kind) => vec![kind],
        None => VocabularyKind::ALL.to_vec(),
    };
    let entries: Vec<Entry> = kinds
        .iter()
        .flat_map(|kind| {
            kind.builtin().iter().map(|term| Entry {
                vocabulary: kind.as_str(),
                id: term.id,
                description: term.description,
            })
        })
        .collect();
    match args.format {
        Format::Json => print_json(&entries)?,
        Format::Table | Format::Markdown => {
            let mut rows = Rows::new(["vocabulary", "id", "description"]);
            for entry in &entries {
                rows.push([entry.vocabulary, entry.id, entry.description]);
            }
            let text = if args.format == Format::Table {
                rows.to_table()
            } else {
                rows.to_markdown()
            };
            print(&text).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}
