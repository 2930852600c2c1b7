//! Imports of threat models written with other tools into our device format, with a
//! report of everything that could not be carried over.
//!
//! An import never invents what the source does not say. Where the device format needs
//! a value the source lacks, the import either leaves it out so that `medsec check`
//! fails until a person supplies it (harm severities, markets, categories), or fills it
//! by a stated, conservative rule and lists it in the report as *assumed*.
//!
//! # Threat Dragon v2 (JSON)
//!
//! | Threat Dragon | device file |
//! |---|---|
//! | `summary.title` | `device.name` |
//! | cell `tm.Actor` | element `external-entity` (`human` not set: Threat Dragon does not say; *assumed*) |
//! | cell `tm.Process` | element `process` |
//! | cell `tm.Store` | element `data-store` |
//! | cell `tm.BoundaryBox` (`trust-boundary-box`) | trust zone; a box inside another box becomes a child zone (`parent`) |
//! | element position | zone: the smallest box that holds the element's centre; elements in no box go to a zone `outside` (trust `untrusted`) |
//! | cell `tm.Boundary` (curve) | not carried: a line is not an area; the report lists the flows it crosses |
//! | cell `tm.Flow` | flow; `isBidirectional` → `direction`; `protocol` through the protocol table below |
//! | flow `isEncrypted: false` | `encryption: none` |
//! | flow `isEncrypted: true` | over HTTPS/TLS-like protocols `tls-legacy`, over SSH `ssh`, else `proprietary` (the version or scheme is unknown: the weakest that fits is *assumed*) |
//! | flow authentication | not recorded by Threat Dragon: `none` (*assumed*) |
//! | threats | not carried: medsec derives threats from its rules; each is listed in the report |
//! | threat with status `Mitigated`, a STRIDE type and a mitigation text | a control mitigating that STRIDE category on that element or flow (*mapped*) |
//! | trust levels | not recorded: boxes `low`, `outside` `untrusted` (*assumed*) |
//! | text blocks, `owner`, `reviewer`, contributors | not carried |
//!
//! Threat Dragon protocols are free text; lower-cased and stripped of spaces they map:
//! `https`, `http/s`, `tls`, `http over tls` → `https`; `http` → `http`; `wss`, `ws`,
//! `websocket(s)` → `websocket`; `mqtt(s)` → `mqtt`; `ssh` → `ssh`; `sftp` → `sftp`;
//! `sql`, `jdbc`, `odbc`, `tds` → `sql`; `ldap(s)` → `ldap`; `smb` → `smb`; `smtp(s)` → `smtp`;
//! `amqp(s)` → `amqp`; `grpc` → `grpc`; `dns` → `dns`; `ntp` → `ntp`; `syslog` → `syslog`;
//! `snmp` → `snmp`; `ble`, `bluetooth le` → `ble-gatt`; `usb` → `usb`; `hl7`, `mllp` → `hl7-mllp`;
//! `fhir` → `fhir-rest`; `dicom` → `dicom-dimse`; `ipc` → `ipc`; `file` → `file`. Anything else
//! becomes a vocabulary extension `threat-dragon.<name>`; an empty protocol becomes
//! `threat-dragon.unspecified`.
//!
//! # threagile (YAML)
//!
//! | threagile | device file |
//! |---|---|
//! | `title` | `device.name` |
//! | `data_assets` | assets (`kind: data`) |
//! | confidentiality `public` / `internal` / `restricted` / `confidential` / `strictly-confidential` | need `none` / `low` / `medium` / `high` / `high` |
//! | integrity, availability `archive` / `operational` / `important` / `critical` / `mission-critical` | need `low` / `low` / `medium` / `high` / `high` |
//! | (no harm, no severity in threagile) | `harm: "TO BE ASSESSED: …"`, no `severity`: `medsec check` fails with `missing-severity` until assessed |
//! | `technical_assets` `type` `external-entity` / `process` / `datastore` | element kind |
//! | `used_as_client_by_human` (external entity) | `human: true` |
//! | `technology` / `technologies` | the technology table below; others become extensions `threagile.<name>` |
//! | `data_assets_processed`, `data_assets_stored` | element `assets` |
//! | `machine`, `internet`, `encryption` (at rest), `owner`, CIA rating, `out_of_scope`, … | kept in the element description (no field of their own) |
//! | `trust_boundaries` | trust zones; `trust_boundaries_nested` → `parent`; `technical_assets_inside` → element `zone` |
//! | technical assets in no boundary | zone `outside` (trust `untrusted`) |
//! | trust levels | not recorded: boundaries `low` (*assumed*) |
//! | `communication_links` | flows (from the asset that holds the link); `data_assets_sent` ∪ `data_assets_received` → `data`; a link that receives data is `bidirectional` |
//! | `authentication` `none` / `credentials` / `session-id` / `token` / `client-certificate` / `two-factor` / `externalized` | `none` / `password` / `bearer-token` / `bearer-token` / `mutual-tls` / `password` (*assumed*: the weakest factor) / `proprietary` |
//! | `authorization`, `vpn`, `ip_filtered`, `readonly`, `usage` | kept in the flow description |
//! | protocol encryption (`https`, `*-encrypted`, …) | `tls-legacy` (TLS of unknown version, *assumed*), `ssh` for SSH-based protocols, `proprietary` for `binary-encrypted`/`text-encrypted`/`smb-encrypted`; `vpn: true` on a clear protocol → `vpn` |
//! | `risk_tracking`, `individual_risk_categories`, `shared_runtimes`, `abuse_cases`, `security_requirements`, `questions`, `tags` | not carried (listed) |
//!
//! threagile protocols: `http` → `http`; `https` → `https`; `ws`, `wss` → `websocket`;
//! `reverse-proxy-web-protocol` → `http`, `…-encrypted` → `https`; `mqtt` → `mqtt`; `jdbc`,
//! `odbc`, `sql-access-protocol` (and `-encrypted`) → `sql`; `ssh`, `ssh-tunnel`, `scp` → `ssh`;
//! `sftp` → `sftp`; `smtp`, `smtp-encrypted` → `smtp`; `ldap`, `ldaps` → `ldap`; `smb`,
//! `smb-encrypted` → `smb`; `local-file-access` → `file`; `in-process-library-call` → `ipc`;
//! the others (`nosql-access-protocol`, `binary`, `text`, `pop3`, `imap`, `ftp`, `ftps`, `jms`,
//! `nfs`, `nrpe`, `xmpp`, `iiop`, `jrmp`, `container-spawning`, `unknown-protocol`, …) become
//! extensions `threagile.<name>`.
//!
//! threagile technologies: `browser` → `web-ui`; `mobile-app` → `mobile-app`;
//! `web-service-rest` → `rest-api`; `database`, `identity-store-database` →
//! `relational-database`; `monitoring` → `logging`; all others (including `vault` and `hsm`,
//! which are not our `secure-element`) become extensions `threagile.<name>`.

pub mod ids;
pub mod report;
pub mod threagile;
pub mod threat_dragon;
pub mod yaml_in;
pub mod yaml_out;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::model::{Device, Identity, Market, VocabularyEntry, VocabularyExtension};

pub use report::{ImportError, ImportReport, ItemKind, ReportItem};

/// What a person adds on the command line because the source cannot say it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub markets: Vec<Market>,
    pub categories: Vec<String>,
    /// The source file's name, for the header comment of the device file.
    pub source_name: String,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    pub device: Device,
    /// The device file text.
    pub yaml: String,
    pub report: ImportReport,
    /// The errors `medsec check` reports on `yaml`: diagnostic code → count (warnings,
    /// which do not fail the check, are left out).
    pub check: BTreeMap<String, usize>,
}

/// The text used where the source has no value for a required text field.
pub const TO_BE_COMPLETED: &str = "TO BE COMPLETED";

/// Shared state of both importers.
pub(crate) struct Draft {
    pub device: Device,
    pub ids: ids::Ids,
    pub report: ImportReport,
    tool: &'static str,
    prefix: &'static str,
}

impl Draft {
    pub fn new(tool: &'static str, format: &str, prefix: &'static str) -> Self {
        Draft {
            device: Device {
                medsec: crate::check::FORMAT_VERSION,
                device: Identity {
                    name: String::new(),
                    manufacturer: String::new(),
                    version: String::new(),
                    udi_di: None,
                    security_level: None,
                    intended_use: String::new(),
                    categories: Vec::new(),
                    markets: Vec::new(),
                },
                vocabulary: VocabularyExtension::default(),
                functionalities: Vec::new(),
                technologies: Vec::new(),
                assets: Vec::new(),
                trust_zones: Vec::new(),
                boundaries: Vec::new(),
                elements: Vec::new(),
                flows: Vec::new(),
                controls: Vec::new(),
            },
            ids: ids::Ids::default(),
            report: ImportReport::new(format),
            tool,
            prefix,
        }
    }

    /// A vocabulary extension for a term the source uses and we do not have, e.g.
    /// `threagile.erp`. Added once; the id is returned.
    pub fn extension(&mut self, technology: bool, name: &str, description: &str) -> String {
        let id = format!("{}.{}", self.prefix, ids::slug(name, "unspecified"));
        let list = if technology {
            &mut self.device.vocabulary.technologies
        } else {
            &mut self.device.vocabulary.protocols
        };
        if !list.iter().any(|e| e.id == id) {
            list.push(VocabularyEntry {
                id: id.clone(),
                description: format!(
                    "Imported from {}: {} '{name}'{}. No medsec equivalent; review whether a built-in term fits.",
                    self.tool,
                    if technology { "technology" } else { "protocol" },
                    if description.is_empty() {
                        String::new()
                    } else {
                        format!(" ({description})")
                    }
                ),
            });
            self.report.push(
                ItemKind::Mapped,
                if technology {
                    "medsec::import::unmapped-technology"
                } else {
                    "medsec::import::unmapped-protocol"
                },
                name.to_owned(),
                format!(
                    "no medsec {} for '{name}': added as vocabulary extension '{id}'",
                    if technology { "technology" } else { "protocol" }
                ),
            );
        }
        id
    }

    /// Identity fields the source lacks, markets and categories from the options, and
    /// the device file text with its self-check.
    pub fn finish(mut self, options: &Options, header_note: &str) -> Imported {
        let tool = self.tool;
        let d = &mut self.device.device;
        if d.name.trim().is_empty() {
            d.name = format!("{TO_BE_COMPLETED}: device name");
            self.report.push(
                ItemKind::ToAssess,
                "medsec::import::missing-identity",
                "",
                "the model has no title: device.name says TO BE COMPLETED",
            );
        }
        d.manufacturer = format!("{TO_BE_COMPLETED}: manufacturer (not in the {tool} model)");
        d.version = format!("{TO_BE_COMPLETED}: device version (not in the {tool} model)");
        if d.intended_use.trim().is_empty() {
            d.intended_use =
                format!("{TO_BE_COMPLETED}: the intended use is not in the {tool} model.");
        }
        self.report.push(
            ItemKind::ToAssess,
            "medsec::import::missing-identity",
            "",
            format!(
                "{tool} does not record the manufacturer, the device version or the intended use: device.manufacturer, device.version and device.intended_use say TO BE COMPLETED"
            ),
        );
        d.markets = options.markets.clone();
        d.categories = options.categories.clone();
        if d.markets.is_empty() {
            self.report.push(
                ItemKind::ToAssess,
                "medsec::import::missing-identity",
                "",
                "no market given (--market eu-mdr:IIb): 'medsec check' reports medsec::device::no-market until one is added",
            );
        }
        if d.categories.is_empty() {
            self.report.push(
                ItemKind::ToAssess,
                "medsec::import::missing-identity",
                "",
                "no product category given (--category …): 'medsec check' reports medsec::device::no-category until one is added",
            );
        }
        let needs_severity = self
            .device
            .assets
            .iter()
            .flat_map(|a| [&a.confidentiality, &a.integrity, &a.availability])
            .filter(|n| n.need != crate::model::NeedLevel::None && n.severity.is_none())
            .count();
        if needs_severity > 0 {
            self.report.push(
                ItemKind::ToAssess,
                "medsec::import::severity-to-assess",
                "",
                format!(
                    "{needs_severity} asset propert(y/ies) need protection but {tool} gives no harm or severity: each says 'TO BE ASSESSED' and has no severity, so 'medsec check' reports medsec::device::missing-severity until a person assesses the harm"
                ),
            );
        }
        let mut header = vec![
            format!(
                "Imported by 'medsec import' from {} ({tool}).",
                if options.source_name.is_empty() {
                    "a file".to_owned()
                } else {
                    options.source_name.clone()
                }
            ),
            "Not an assessment: read the import report, complete every 'TO BE COMPLETED' and"
                .into(),
            "'TO BE ASSESSED', and review every assumed value before relying on this file.".into(),
        ];
        if !header_note.is_empty() {
            header.push(header_note.to_owned());
        }
        let yaml = yaml_out::write_device(&self.device, &header);
        let check = self_check(&yaml);
        Imported {
            device: self.device,
            yaml,
            report: self.report,
            check,
        }
    }
}

/// Run the device checks on the written text, so the report can say exactly what
/// `medsec check` will demand (and so an importer bug cannot pass unnoticed).
fn self_check(yaml: &str) -> BTreeMap<String, usize> {
    let mut codes = BTreeMap::new();
    let path = Path::new("imported.yaml");
    let report = match crate::check::check_text(path, Path::new(""), Arc::new(yaml.to_owned())) {
        Ok(loaded) => loaded.report,
        Err(crate::check::LoadError::Invalid(report)) => *report,
        Err(_) => return codes,
    };
    for diagnostic in &report.diagnostics {
        if diagnostic.level != crate::diagnostic::Level::Error {
            continue;
        }
        *codes.entry(diagnostic.code.to_owned()).or_insert(0) += 1;
    }
    codes
}

/// The check codes an import may leave for a person to resolve; any other code in
/// [`Imported::check`] is a defect of the importer.
pub const EXPECTED_CHECK_CODES: &[&str] = &[
    "medsec::device::missing-severity",
    "medsec::device::no-market",
    "medsec::device::no-category",
];

/// Map a STRIDE category name as other tools write it ("Information disclosure").
pub(crate) fn stride(name: &str) -> Option<crate::model::Stride> {
    use crate::model::Stride;
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .flat_map(|c| c.to_lowercase())
        .collect();
    match key.as_str() {
        "spoofing" => Some(Stride::Spoofing),
        "tampering" => Some(Stride::Tampering),
        "repudiation" => Some(Stride::Repudiation),
        "informationdisclosure" => Some(Stride::InformationDisclosure),
        "denialofservice" => Some(Stride::DenialOfService),
        "elevationofprivilege" => Some(Stride::ElevationOfPrivilege),
        _ => None,
    }
}

/// Collapse whitespace (names carry newlines from diagram labels).
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
