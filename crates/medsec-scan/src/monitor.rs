//! Monitoring the portfolio (issue 8): after the vulnerability store or a version's
//! SBOM changes, re-match only the versions affected and record their findings as new,
//! changed, resolved or reopened.
//!
//! A version is re-matched when
//! - it is new to monitoring, or one of its documents got a new revision since the last
//!   run; or
//! - an import batch since the last run wrote a record whose match keys meet the keys of
//!   one of the version's components, or whose vulnerability (or an alias) is one of the
//!   version's open findings (a record that changed its keys must still be able to
//!   resolve what it used to match).
//!
//! Every other version keeps its findings untouched. A run with `full` re-matches all.

use std::collections::{BTreeMap, BTreeSet};

use medsec_store::{
    FindingChange, MonitorRun, ObservedFinding, Store, StoreError, VersionInfo, VersionRef,
};
use serde::Serialize;

use crate::engine::prepare_components;
use crate::finding::Finding;
use crate::report::{ScanOptions, Source, scan_prepared};

#[derive(Debug, Clone, Default)]
pub struct MonitorOptions {
    pub scan: ScanOptions,
    /// Re-match every version, whatever changed.
    pub full: bool,
}

/// Why a version was re-matched (or not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionOutcome {
    #[serde(flatten)]
    pub version: VersionRef,
    pub rematched: bool,
    pub reason: String,
    /// Components scanned (when re-matched).
    pub components: usize,
    /// SBOM documents that could not be read, with the reason: their components are not
    /// monitored until a readable revision is added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonitorReport {
    pub run: MonitorRun,
    pub versions: Vec<VersionOutcome>,
    pub changes: Vec<FindingChange>,
}

/// The key a finding's component is recorded under: its purl (with version) when it has
/// one, else `name@version` (with the group when there is one).
pub fn component_key(f: &Finding) -> String {
    if let Some(purl) = &f.component.purl {
        return purl.clone();
    }
    let name = match &f.component.group {
        Some(g) if !g.is_empty() => format!("{g}/{}", f.component.name),
        _ => f.component.name.clone(),
    };
    format!("{name}@{}", f.component.version.as_deref().unwrap_or("?"))
}

fn observed(f: &Finding) -> ObservedFinding {
    ObservedFinding {
        component: component_key(f),
        vulnerability: f.vulnerability.clone(),
        status: f.status.as_str().to_owned(),
        severity: f.severity.as_str().to_owned(),
        score: f.score.as_ref().and_then(|s| s.score),
        kev: f.known_exploited,
        detail: serde_json::to_value(f).unwrap_or(serde_json::Value::Null),
    }
}

/// Runs one monitoring pass over the whole portfolio; `now` gives RFC 3339 times.
pub async fn monitor(
    store: &Store,
    options: &MonitorOptions,
    now: &dyn Fn() -> String,
) -> Result<MonitorReport, StoreError> {
    let started = now();
    let marks = store.monitor_marks().await?;
    let last = store.last_monitor_run().await?;
    let versions = store.portfolio_versions().await?;

    // What changed since the last run.
    let (changed_docs, changed_keys, changed_ids): (
        BTreeSet<i64>,
        BTreeSet<String>,
        BTreeSet<String>,
    ) = match (&last, options.full) {
        (Some(last), false) => {
            let docs = store
                .versions_with_documents_after(last.last_document)
                .await?
                .into_iter()
                .collect();
            let mut keys = BTreeSet::new();
            let mut ids = BTreeSet::new();
            for batch in store.batches_after(last.store_batch).await? {
                if batch > marks.1 {
                    continue;
                }
                for record in store.records_in_batch(batch).await? {
                    keys.extend(medsec_store::index_keys(&record.advisory));
                    ids.insert(record.vulnerability.to_ascii_uppercase());
                    ids.insert(record.advisory.id.to_ascii_uppercase());
                    ids.extend(
                        record
                            .advisory
                            .aliases
                            .iter()
                            .map(|a| a.id.to_ascii_uppercase()),
                    );
                }
            }
            (docs, keys, ids)
        }
        _ => (BTreeSet::new(), BTreeSet::new(), BTreeSet::new()),
    };

    let products = options.scan.products.clone().unwrap_or_default();
    let mut outcomes = Vec::new();
    let mut observed_all = Vec::new();
    for version in &versions {
        let documents = store.documents(version.id, false).await?;
        let mut components = Vec::new();
        let mut unreadable = Vec::new();
        for doc in &documents {
            let bytes = store.document_content(doc.id).await?;
            if doc.kind == "sbom" {
                match medsec_formats::sbom::read(&bytes) {
                    Ok(reading) => components.extend(reading.sbom.components),
                    Err(e) => {
                        unreadable.push(format!("{} revision {}: {e}", doc.name, doc.revision))
                    }
                }
            } else if doc.kind == "device-model" {
                // The components a device file lists inline (besides its SBOM files) are
                // monitored too, as `medsec assess` scans them.
                match inline_components(&bytes) {
                    Ok(inline) => components.extend(inline),
                    Err(e) => {
                        unreadable.push(format!("{} revision {}: {e}", doc.name, doc.revision))
                    }
                }
            }
        }
        let prepared = prepare_components(&components, &products);
        let reason = match (&last, options.full) {
            (None, _) => Some("first monitoring run".to_owned()),
            (_, true) => Some("full re-match requested".to_owned()),
            (Some(_), false) if changed_docs.contains(&version.id) => {
                Some("a document got a new revision".to_owned())
            }
            (Some(_), false) => {
                let hit_key = prepared
                    .components
                    .iter()
                    .flat_map(|c| c.keys.iter())
                    .any(|k| changed_keys.contains(&k.key));
                let hit_finding = if changed_ids.is_empty() {
                    false
                } else {
                    store
                        .findings(version.id, true)
                        .await?
                        .iter()
                        .any(|f| changed_ids.contains(&f.vulnerability.to_ascii_uppercase()))
                };
                if hit_key {
                    Some("records imported since the last run match its components".to_owned())
                } else if hit_finding {
                    Some("records of its open findings changed since the last run".to_owned())
                } else {
                    None
                }
            }
        };
        let Some(reason) = reason else {
            outcomes.push(VersionOutcome {
                version: version.name.clone(),
                rematched: false,
                reason: "nothing it depends on changed".into(),
                components: components.len(),
                unreadable,
            });
            continue;
        };
        let source = Source {
            name: format!(
                "{} {} {}",
                version.name.organisation, version.name.product, version.name.version
            ),
            format: None,
            sha256: None,
            components: components.len(),
        };
        let report = scan_prepared(store, &source, &prepared, &options.scan).await?;
        // The same component version in two SBOMs of one version is one finding.
        let mut by_key: BTreeMap<(String, String), ObservedFinding> = BTreeMap::new();
        for f in &report.findings {
            let o = observed(f);
            by_key
                .entry((o.component.clone(), o.vulnerability.clone()))
                .or_insert(o);
        }
        observed_all.push((version.id, by_key.into_values().collect::<Vec<_>>()));
        outcomes.push(VersionOutcome {
            version: version.name.clone(),
            rematched: true,
            reason,
            components: components.len(),
            unreadable,
        });
    }
    let finished = now();
    let (run, changes) = store
        .record_monitor_run(&started, &finished, marks, &observed_all)
        .await?;
    Ok(MonitorReport {
        run,
        versions: outcomes,
        changes,
    })
}

/// The inline components of a stored device file.
fn inline_components(bytes: &[u8]) -> Result<Vec<medsec_core::component::Component>, String> {
    use medsec_core::component::{Component, ComponentKind, Organization};
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let (document, _) = medsec_device::located::parse(text).map_err(|p| p.message)?;
    let device: medsec_device::Device =
        serde_json::from_value(document.value).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for element in &device.elements {
        for c in element.software.iter().flat_map(|s| s.components.iter()) {
            let mut component = Component::new(ComponentKind::Library, c.name.clone());
            component.version = Some(c.version.clone());
            component.purl = c.purl.as_deref().and_then(|p| p.parse().ok());
            component.cpes = c
                .cpe
                .as_deref()
                .and_then(|p| p.parse().ok())
                .into_iter()
                .collect();
            component.supplier = c
                .supplier
                .as_ref()
                .map(|name| Organization::named(name.clone()));
            out.push(component);
        }
    }
    Ok(out)
}

/// The versions of the portfolio by name, for callers that need the ids.
pub fn by_name(versions: &[VersionInfo]) -> BTreeMap<&VersionRef, i64> {
    versions.iter().map(|v| (&v.name, v.id)).collect()
}
