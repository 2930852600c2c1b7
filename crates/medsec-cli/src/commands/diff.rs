//! `medsec diff OLD NEW`: threats and FMEA rows added, removed and changed between two
//! versions of a device.

use std::path::{Path, PathBuf};

use medsec_threat::diff::{Change, DeviceDiff, compare};
use medsec_threat::{analyse, register};

use super::threats::{Common, Threshold, prepare};
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Compare two versions of a device: the model's ids added and removed, and every threat
/// whose FMEA row was added, removed or changed (severity, exploitability, risk, controls,
/// residual risk, safety flag). Both are analysed with the same rules and policy.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old version (its folder or device.yaml).
    pub old: PathBuf,
    /// The new version.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when a threat is new or its residual risk got worse and now stands at
    /// least at this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<Threshold>,
    /// A folder of project rule files added to the built-in catalogue (repeatable).
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// A risk policy file instead of the built-in default.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

fn common(args: &Args, device: &Path) -> Common {
    Common {
        device: device.to_path_buf(),
        format: Default::default(),
        stride: Vec::new(),
        unmitigated: false,
        min_risk: None,
        fail_on: None,
        rules: args.rules.clone(),
        policy: args.policy.clone(),
    }
}

pub fn run(args: Args) -> miette::Result<u8> {
    let old = match prepare(&common(&args, &args.old))? {
        Ok(inputs) => inputs,
        Err(code) => return Ok(code),
    };
    let new = match prepare(&common(&args, &args.new))? {
        Ok(inputs) => inputs,
        Err(code) => return Ok(code),
    };
    let old_model = analyse(&old.loaded, &old.catalogue);
    let old_register = register(&old_model, &old.policy);
    let new_model = analyse(&new.loaded, &new.catalogue);
    let new_register = register(&new_model, &new.policy);
    let diff = compare(
        &old.loaded.device,
        &old_register,
        &new.loaded.device,
        &new_register,
    );
    match args.format {
        Format::Json => print_json(&diff)?,
        Format::Table => print(&render(&diff, false)).map_err(crate::output::io_error)?,
        Format::Markdown => print(&render(&diff, true)).map_err(crate::output::io_error)?,
    }
    let failed = args.fail_on.is_some_and(|threshold| {
        let floor = threshold.level();
        diff.threats.iter().any(|t| {
            t.worsened()
                && t.after
                    .as_ref()
                    .is_some_and(|after| after.residual_risk >= floor)
        })
    });
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

fn render(diff: &DeviceDiff, markdown: bool) -> String {
    let finish = |rows: Rows| {
        if markdown {
            rows.to_markdown()
        } else {
            rows.to_table()
        }
    };
    let mut out = String::new();
    let heading = |out: &mut String, text: &str| {
        if markdown {
            out.push_str(&format!("\n## {text}\n\n"));
        } else {
            out.push_str(&format!("\n{text}\n"));
        }
    };
    let title = format!(
        "Changes from version {} to version {}: {} threat(s) added, {} removed, {} changed",
        diff.old_version,
        diff.new_version,
        diff.count(Change::Added),
        diff.count(Change::Removed),
        diff.count(Change::Changed)
    );
    out.push_str(&if markdown {
        format!("# {title}\n")
    } else {
        format!("{title}\n")
    });

    heading(&mut out, "Model");
    let mut rows = Rows::new(["section", "added", "removed"]);
    let sections = [
        ("assets", &diff.model.assets),
        ("trust zones", &diff.model.trust_zones),
        ("elements", &diff.model.elements),
        ("flows", &diff.model.flows),
        ("controls", &diff.model.controls),
    ];
    for (name, changes) in sections {
        rows.push([
            name.to_owned(),
            changes.added.join(", "),
            changes.removed.join(", "),
        ]);
    }
    out.push_str(&finish(rows));
    out.push('\n');

    heading(&mut out, "Residual risk (rows per level)");
    let mut rows = Rows::new(["level", &diff.old_version, &diff.new_version]);
    for (level, before, after) in &diff.residual_risk {
        rows.push([
            level.as_str().to_owned(),
            before.to_string(),
            after.to_string(),
        ]);
    }
    out.push_str(&finish(rows));
    out.push('\n');

    heading(&mut out, "Threats");
    let mut rows = Rows::new(["threat", "change", "what changed"]);
    for threat in &diff.threats {
        let what = match threat.change {
            Change::Added => threat.after.as_ref().map_or(String::new(), |a| {
                format!("residual risk {}", a.residual_risk.as_str())
            }),
            Change::Removed => threat.before.as_ref().map_or(String::new(), |b| {
                format!("was {}", b.residual_risk.as_str())
            }),
            Change::Changed => threat
                .fields
                .iter()
                .map(|f| format!("{}: {} → {}", f.field, f.before, f.after))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let change = match threat.change {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        };
        rows.push([threat.id.clone(), change.to_owned(), what]);
    }
    out.push_str(&finish(rows));
    out.push('\n');
    out
}
