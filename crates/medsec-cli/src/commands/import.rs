use std::path::PathBuf;

use medsec_device::import::{self, ImportError, Imported, ItemKind, Options};
use medsec_device::model::{Market, MarketId};

use crate::exit;
use crate::output::{Format, Rows, print};

/// Import a threat model from another tool into a device.yaml, with a report of
/// everything that could not be carried over.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(Debug, clap::Subcommand)]
pub enum Source {
    /// OWASP Threat Dragon v2 JSON.
    ThreatDragon(Common),
    /// threagile YAML.
    Threagile(Common),
}

#[derive(Debug, clap::Args)]
pub struct Common {
    /// The model file.
    pub file: PathBuf,
    /// Write the device file here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Format of the import report (on standard error).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// A market and the device's class there, e.g. eu-mdr:IIb (repeatable).
    #[arg(long, value_name = "MARKET:CLASS")]
    pub market: Vec<String>,
    /// A product category from `medsec vocabulary categories` (repeatable).
    #[arg(long)]
    pub category: Vec<String>,
}

/// Largest model file read; real ones are well under a megabyte.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

pub fn run(args: Args) -> miette::Result<u8> {
    let (common, which) = match args.source {
        Source::ThreatDragon(common) => (common, "threat-dragon"),
        Source::Threagile(common) => (common, "threagile"),
    };
    let mut markets = Vec::new();
    for text in &common.market {
        match parse_market(text) {
            Some(market) => markets.push(market),
            None => {
                eprintln!(
                    "error[medsec::import::bad-market]: '{text}' is not MARKET:CLASS (markets: eu-mdr, eu-ivdr, fda, health-canada; e.g. eu-mdr:IIb)"
                );
                return Ok(exit::BAD_INPUT);
            }
        }
    }
    let size = std::fs::metadata(&common.file)
        .map_err(|e| miette::miette!("cannot read {}: {e}", common.file.display()))?
        .len();
    if size > MAX_BYTES {
        eprintln!(
            "error[medsec::import::too-large]: {} is {size} bytes; model files are limited to {MAX_BYTES} bytes",
            common.file.display()
        );
        return Ok(exit::BAD_INPUT);
    }
    let bytes = std::fs::read(&common.file)
        .map_err(|e| miette::miette!("cannot read {}: {e}", common.file.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!(
            "error[medsec::import::syntax]: {} is not UTF-8 text",
            common.file.display()
        );
        return Ok(exit::BAD_INPUT);
    };
    let options = Options {
        markets,
        categories: common.category.clone(),
        source_name: common
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let result = match which {
        "threat-dragon" => import::threat_dragon::import(&text, &options),
        _ => import::threagile::import(&text, &options),
    };
    let imported = match result {
        Ok(imported) => imported,
        Err(error) => {
            render_error(&common, &error);
            return Ok(exit::BAD_INPUT);
        }
    };
    match &common.out {
        Some(path) => std::fs::write(path, imported.yaml.as_bytes())
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?,
        None => print(&imported.yaml).map_err(crate::output::io_error)?,
    }
    render_report(&imported, common.format)?;
    Ok(exit::OK)
}

fn parse_market(text: &str) -> Option<Market> {
    let (market, class) = text.split_once(':')?;
    let market = match market.trim() {
        "eu-mdr" => MarketId::EuMdr,
        "eu-ivdr" => MarketId::EuIvdr,
        "fda" => MarketId::Fda,
        "health-canada" => MarketId::HealthCanada,
        _ => return None,
    };
    let class = class.trim();
    market.classes().contains(&class).then(|| Market {
        market,
        class: class.to_owned(),
    })
}

fn render_error(common: &Common, error: &ImportError) {
    if common.format == Format::Json {
        let value = serde_json::json!({
            "file": common.file.display().to_string(),
            "error": {
                "code": error.code,
                "message": error.message,
                "path": error.source_path,
                "line": error.line,
                "column": error.column,
            }
        });
        eprintln!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        let place = match (error.line, error.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", common.file.display()),
            _ => common.file.display().to_string(),
        };
        let path = error
            .source_path
            .as_deref()
            .map(|p| format!(" (at {p})"))
            .unwrap_or_default();
        eprintln!("error[{}]: {place}{path}: {}", error.code, error.message);
    }
}

fn render_report(imported: &Imported, format: Format) -> miette::Result<()> {
    let report = &imported.report;
    let unexpected: Vec<&String> = imported
        .check
        .keys()
        .filter(|code| !import::EXPECTED_CHECK_CODES.contains(&code.as_str()))
        .collect();
    if format == Format::Json {
        let value = serde_json::json!({
            "format": report.format,
            "items": report.items,
            "check": imported.check,
        });
        let text = serde_json::to_string_pretty(&value)
            .map_err(|e| miette::miette!("cannot write JSON: {e}"))?;
        eprintln!("{text}");
        return Ok(());
    }
    let mut rows = Rows::new(["kind", "code", "source", "what happened"]);
    let mut items: Vec<_> = report.items.iter().collect();
    items.sort_by_key(|i| i.kind);
    for item in items {
        rows.push([
            item.kind.as_str().to_owned(),
            item.code
                .rsplit("::")
                .next()
                .unwrap_or(item.code)
                .to_owned(),
            item.source.clone(),
            item.message.clone(),
        ]);
    }
    let table = if format == Format::Markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    };
    eprintln!("Import report ({}):\n{table}", report.format);
    eprintln!(
        "{} not carried, {} assumed, {} mapped, {} to assess.",
        report.count(ItemKind::NotCarried),
        report.count(ItemKind::Assumed),
        report.count(ItemKind::Mapped),
        report.count(ItemKind::ToAssess),
    );
    if imported.check.is_empty() {
        eprintln!("'medsec check' passes the imported file.");
    } else {
        let codes: Vec<String> = imported
            .check
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect();
        eprintln!(
            "'medsec check' on the imported file reports: {} — expected until the items 'to assess' are done.",
            codes.join(", ")
        );
    }
    if !unexpected.is_empty() {
        eprintln!(
            "warning: unexpected check results {unexpected:?}: this is a medsec import defect, please report it with the model file"
        );
    }
    Ok(())
}
